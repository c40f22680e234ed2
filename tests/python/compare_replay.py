#!/usr/bin/env python3
"""Compares `neurotwin simulate --inputs REF` output with the NEURON reference
REF: soma and nexus voltage RMSE on the common time grid and output spikes,
and that the replay holds REF's input events.
Usage: compare_replay.py REPLAY.h5 REFERENCE.h5 MAX_RMSE_MV MAX_SPIKE_SHIFT_MS"""
import sys

import h5py
import numpy as np

replay, reference, max_rmse, max_shift = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
with h5py.File(replay, "r") as a, h5py.File(reference, "r") as b:
    assert abs(a.attrs["sample_dt_ms"] - b.attrs["sample_dt_ms"]) < 1e-12
    n = min(len(a["soma_v_mV"]), len(b["soma_v_mV"]))
    assert n == len(b["soma_v_mV"]), (len(a["soma_v_mV"]), len(b["soma_v_mV"]))
    rmse = float(np.sqrt(np.mean((a["soma_v_mV"][:n].astype(float) - b["soma_v_mV"][:n]) ** 2)))
    nexus = float(np.sqrt(np.mean((a["nexus_v_mV"][:n].astype(float) - b["nexus_v_mV"][:n]) ** 2)))
    sa, sb = a["spike_times_ms"][:], b["spike_times_ms"][:]
    s8a, s8b = a["spike_times_8perms_ms"][:], b["spike_times_8perms_ms"][:]
    print(f"soma RMSE {rmse:.6f} mV, nexus RMSE {nexus:.6f} mV, spikes {list(sa)} vs NEURON {list(sb)}")
    assert a["nexus_v_mV"].attrs["location"] == "apic[50](0.9)"
    assert rmse <= max_rmse and nexus <= max_rmse, (rmse, nexus)
    assert len(sa) == len(sb) and np.all(np.abs(sa - sb) <= max_shift), (sa, sb)
    assert len(s8a) == len(s8b) and np.all(np.abs(s8a - s8b) <= max_shift), (s8a, s8b)
    # The replayed events are copied: the replay is a complete reference-layout file.
    for name in ("ex_segment", "ex_time_ms", "inh_segment", "inh_time_ms"):
        assert np.array_equal(a["inputs/" + name][:], b["inputs/" + name][:]), name
    assert a.attrs["cell_model"] == "l5pc-ampa" and a.attrs["inputs_file"].endswith(reference.split("/")[-1])
print("replay matches the reference, inputs copied")
