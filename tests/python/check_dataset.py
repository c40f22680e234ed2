#!/usr/bin/env python3
"""Reads a neurotwin dataset with h5py, as a user would, and checks it against
values the C++ test computed with its own reader.
Usage: check_dataset.py FILE EXPECTED.txt N_INPUTS"""
import sys

import h5py
import numpy as np

path, expected_path, n_inputs = sys.argv[1], sys.argv[2], int(sys.argv[3])
expected = [line.split() for line in open(expected_path)]
with h5py.File(path, "r") as f:
    assert f.attrs["schema_version"] == 1, f.attrs["schema_version"]
    assert f.attrs["complete"] == 1
    n = int(f.attrs["simulation_count"])
    T = int(f.attrs["duration_ms"])
    assert n == len(expected), (n, len(expected))
    ptr = f["inputs/index_pointer"][:]
    times = f["inputs/timestamps"][:]
    ids = f["inputs/node_ids"][:]
    sptr = f["output_spikes/index_pointer"][:]
    spikes = f["output_spikes/timestamps"][:]
    assert ptr.shape == (n + 1,) and ptr[0] == 0 and ptr[-1] == len(times) == len(ids)
    assert np.all(np.diff(ptr) >= 0)
    assert ids.min() >= 0 and ids.max() < n_inputs
    assert f["soma_v_mV"].shape == (n, T) and f["soma_v_mV"].dtype == np.float32
    assert f["soma_v_8perms_mV"].shape == (n, 8 * T)
    assert f["dendrite_v_mV"].shape == (n, T)
    assert len(f["segments/section"]) == n_inputs // 2
    assert f["segments/tree"][0].decode() in ("basal", "apical")
    assert f["simulations/index"].shape == (n,)
    for k, (n_in, n_out, soma_sum, first_channel, last_time) in enumerate(expected):
        t = times[ptr[k]:ptr[k + 1]]
        c = ids[ptr[k]:ptr[k + 1]]
        assert len(t) == int(n_in), (k, len(t), n_in)
        assert np.all(np.diff(t) >= 0), "timestamps must be sorted within a simulation"
        assert int(c[0]) == int(first_channel)
        assert abs(float(t[-1]) - float(last_time)) < 1e-6
        assert sptr[k + 1] - sptr[k] == int(n_out)
        soma = f["soma_v_mV"][k].astype(np.float64)
        assert abs(soma.sum() - float(soma_sum)) < 1e-3 * max(1.0, abs(float(soma_sum))), (soma.sum(), soma_sum)
        # dense input matrix from the sparse events, as a user would build it
        dense = np.zeros((n_inputs, T), dtype=np.uint8)
        dense[c, t.astype(np.int64)] = 1
        assert dense.sum() == len(t), "no two events share a channel and a 1-ms bin"
print("h5py check passed")
