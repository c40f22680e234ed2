#!/usr/bin/env python3
"""Hay L5PC: accuracy/speed trade-off of neurotwin's fixed step. Replays the
NEURON reference inputs (6-s NMDA protocol, seed 1) at several dt and compares
with NEURON's fixed-step (dt = 0.025) and converged (CVODE atol 1e-5)
references: output spikes matched one to one within 0.1 ms (fixed) and
0.5 ms (converged), extra spikes, soma RMSE clipped at -55 mV, and wall
seconds per simulated second on one core beside NEURON's (timing.md).
Usage: benchmarks/l5pc_tradeoff.py [SHARED_DIR] [dt ...]   (Debian's python3 with h5py)
Environment: INTEGRATION=neurotwin|neuron-fixed (simulation.integration, default
neurotwin); SCHEME=backward_euler|crank_nicolson and RATE_TABLES=true|false
override the mode's simulation.scheme / simulation.rate_tables; PROTOCOL=nmda|ampa."""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
binary = os.path.join(here, "..", "build", "experiments", "neurotwin")
shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared")
dts = [float(x) for x in sys.argv[2:]] or [0.05, 0.025, 0.0125, 0.005]
integration = os.environ.get("INTEGRATION", "neurotwin")
overrides = ["--set", f"simulation.integration={integration}"]
if "SCHEME" in os.environ:
    overrides += ["--set", f"simulation.scheme={os.environ['SCHEME']}"]
if "RATE_TABLES" in os.environ:
    overrides += ["--set", f"simulation.rate_tables={os.environ['RATE_TABLES']}"]
protocol = os.environ.get("PROTOCOL", "nmda")  # nmda or ampa (the reference files)
fixed_ref = os.path.join(shared, "reference", f"{protocol}_seed1_fixed.h5")
cvode_ref = os.path.join(shared, "reference", f"{protocol}_seed1_cvode.h5")


def matched(ref, ours, tol):
    used, n = set(), 0
    for r in ref:
        for i, s in enumerate(ours):
            if i not in used and abs(s - r) <= tol:
                used.add(i)
                n += 1
                break
    return n


def compare(run, ref_path, tol):
    with h5py.File(run) as a, h5py.File(ref_path) as b:
        # compare on the coarser grid when it is a multiple of the finer one, else on 1 ms
        grid = max(a.attrs["sample_dt_ms"], b.attrs["sample_dt_ms"])
        for step in (a.attrs["sample_dt_ms"], b.attrs["sample_dt_ms"]):
            if abs(grid / step - round(grid / step)) > 1e-6:
                grid = 1.0
        va = a["soma_v_mV"][::int(round(grid / a.attrs["sample_dt_ms"]))].astype(float)
        vb = b["soma_v_mV"][::int(round(grid / b.attrs["sample_dt_ms"]))].astype(float)
        n = min(len(va), len(vb))
        t = np.arange(n) * grid
        keep = t >= 500  # the training target ignores the first 500 ms
        rmse = np.sqrt(np.mean((np.minimum(va[:n], -55) - np.minimum(vb[:n], -55))[keep] ** 2))
        ref, ours = list(b["spike_times_ms"][:]), list(a["spike_times_ms"][:])
        m = matched(ref, ours, tol)
        return m, len(ref), len(ours) - m, rmse, float(a.attrs["wall_s"]) / (a.attrs["duration_ms"] / 1000)


print(f"Hay L5PC (cell1.asc), {protocol} protocol seed 1, 6 s, {' '.join(overrides[1::2])}; "
      "NEURON one core: 7.25 s/s fixed dt 0.025, 12.7 s/s CVODE atol 1e-3")
print(f"{'dt (ms)':>8} {'wall s/sim s':>13} {'vs fixed: within 0.1 ms':>25} {'vs CVODE: within 0.5 ms':>25} {'extra':>6} {'RMSE clip (mV)':>15}")
with tempfile.TemporaryDirectory() as tmp:
    for dt in dts:
        out = os.path.join(tmp, f"dt{dt}.h5")
        subprocess.run([binary, "simulate", "-o", tmp, "--overwrite", "--threads", "1", "--set", "cell.model=" + ("l5pc-ampa" if protocol == "ampa" else "l5pc"),
                        *overrides,
                        "--set", f"cell.morphology={shared}/morphologies/cell1.asc", "--set", f"simulation.dt_ms={dt}",
                        "--inputs", fixed_ref, "--replay-output", out], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        mf, nf, ef, _, wall = compare(out, fixed_ref, 0.1)
        mc, nc, ec, rmse, _ = compare(out, cvode_ref, 0.5)
        print(f"{dt:8.4f} {wall:13.2f} {f'{mf}/{nf}':>25} {f'{mc}/{nc}':>25} {ec:6d} {rmse:15.3f}")
