#!/usr/bin/env python3
"""Opens a neurotwin dataset with h5py, reads every dataset in it whole, and
checks the layout SCHEMA.md promises (shapes, dtypes, index pointers, the
float16 dendritic voltages). Usage: read_every_dataset.py FILE"""
import sys

import h5py
import numpy as np

path = sys.argv[1]
read = []
with h5py.File(path, "r") as f:
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            data = obj[()]
            assert data is not None
            read.append(name)
    f.visititems(visit)
    n = int(f.attrs["simulation_count"])
    T = int(f.attrs["duration_ms"])
    S = int(f["inputs"].attrs["n_excitatory"])
    assert f.attrs["complete"] == 1 and f.attrs["schema_version"] == 1
    assert f.attrs["split_simulation_count"] >= n
    assert f["soma_v_mV"].shape == (n, T) and f["soma_v_mV"].dtype == np.float32
    assert f["inputs/index_pointer"].shape == (n + 1,)
    assert f["inputs/timestamps"].dtype == np.float32 and f["inputs/node_ids"].dtype == np.int32
    assert len(f["segments/section"]) == S
    assert list(f["simulations/index"][:]) == list(range(int(f.attrs["first_simulation"]), int(f.attrs["first_simulation"]) + n))
    if "dendritic_v_mV" in f:
        d = f["dendritic_v_mV"]
        assert d.dtype == np.float16, d.dtype
        assert d.shape == (n, S, T), d.shape
        assert d.chunks[0] == 1 and d.compression == "gzip" and d.shuffle
        v = d[0].astype(np.float32)
        assert np.all(np.isfinite(v)) and -120 < v.min() and v.max() < 80, (v.min(), v.max())
print(f"h5py read {len(read)} datasets: {' '.join(sorted(read))}")
