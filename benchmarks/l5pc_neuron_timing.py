#!/usr/bin/env python3
"""NEURON's time for the Hay L5PC on given input events (the NEURON column of l5pc_lockstep).

Builds the cell from a user's copy of the Hay / Beniaguev model folder (ModelDB 139653 or Beniaguev's
`L5PC_NEURON_simulation`: L5PCbiophys5b.hoc, L5PCtemplate_2.hoc, morphologies/cell1.asc and the
mechanisms compiled there with nrnivmodl), puts one excitatory and one inhibitory synapse on every
dendritic segment (all basal sections, then all apical, each section's segments in order: neurotwin's
input channels), with the parameters of spec §8 (AMPA+NMDA ProbAMPANMDA2 or AMPA-only ProbUDFsyn2, tau
0.3/3 and 2/70 ms, 0.4 nS; GABA_A ProbUDFsyn2, tau 0.2/8 ms, 1 nS, -80 mV; Use 1, u0 0, no depression or
facilitation), delivers each simulation's events and integrates with CVODE (atol 1e-3 by default,
Beniaguev's setting) from finitialize(-76). Times the integration only, as ../shared/reference/timing.md.

  l5pc_neuron_timing.py MODEL_DIR OUT.json INPUTS.h5 [INPUTS.h5 ...] [--atol A]

INPUTS.h5: one simulation each in the reference layout (../shared/reference/*.h5, or as
neurotwin_l5pc_benchmark writes them): inputs/ex_segment, inputs/ex_time_ms, inputs/inh_segment,
inputs/inh_time_ms and the attributes excitation (nmda | ampa) and duration_ms.
OUT.json: NEURON's version, atol and per simulation wall_s, solver steps and output spike times (local
maxima above -25 mV of the solver's soma trace).
"""
import argparse
import json
import os
import sys
import time

import h5py
import numpy as np


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model_dir")
    parser.add_argument("output")
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--atol", type=float, default=1e-3)
    args = parser.parse_args()
    model = os.path.abspath(args.model_dir)
    for name in ("L5PCbiophys5b.hoc", "L5PCtemplate_2.hoc", "morphologies/cell1.asc"):
        if not os.path.exists(os.path.join(model, name)):
            fail(f"{model}: no {name} (expected the Hay / Beniaguev L5PC model folder)")
    if not os.path.exists(os.path.join(model, "x86_64", ".libs", "libnrnmech.so")):
        fail(f"{model}: no compiled mechanisms (run nrnivmodl in {model}/mods' parent: x86_64/.libs/libnrnmech.so)")

    import neuron
    from neuron import h

    neuron.load_mechanisms(model)
    for mechanism in ("ProbAMPANMDA2", "ProbUDFsyn2", "NaTa_t", "CaDynamics_E2"):
        if not hasattr(h, mechanism):
            fail(f"{model}: the compiled mechanisms lack {mechanism}")
    h.load_file("stdrun.hoc")
    h.load_file("import3d.hoc")
    h.load_file(os.path.join(model, "L5PCbiophys5b.hoc"))
    h.load_file(os.path.join(model, "L5PCtemplate_2.hoc"))
    cell = h.L5PCtemplate(os.path.join(model, "morphologies", "cell1.asc"))
    segments = [seg for tree in (cell.basal, cell.apical) for sec in tree for seg in sec]

    runs = []
    for path in args.inputs:
        with h5py.File(path, "r") as f:
            for key in ("ex_segment", "ex_time_ms", "inh_segment", "inh_time_ms"):
                if f"inputs/{key}" not in f:
                    fail(f"{path}: no inputs/{key}")
            for key in ("excitation", "duration_ms"):
                if key not in f.attrs:
                    fail(f"{path}: no attribute {key}")
            excitation = f.attrs["excitation"]
            excitation = excitation.decode() if isinstance(excitation, bytes) else str(excitation)
            if excitation not in ("nmda", "ampa"):
                fail(f"{path}: excitation {excitation!r}, expected nmda or ampa")
            runs.append({"path": path, "excitation": excitation, "duration_ms": float(f.attrs["duration_ms"]),
                         **{key: f[f"inputs/{key}"][:] for key in ("ex_segment", "ex_time_ms", "inh_segment", "inh_time_ms")}})
    if len({r["excitation"] for r in runs}) > 1:
        fail("the input files mix nmda and ampa excitation: one cell per run")
    excitation = runs[0]["excitation"]

    def synapse(kind, seg):
        s = h.ProbAMPANMDA2(seg) if kind == "nmda" else h.ProbUDFsyn2(seg)
        if kind == "nmda":
            s.tau_r_AMPA, s.tau_d_AMPA, s.tau_r_NMDA, s.tau_d_NMDA = 0.3, 3.0, 2.0, 70.0
            s.gmax, s.e = 0.0004, 0.0
        elif kind == "ampa":
            s.tau_r, s.tau_d, s.gmax, s.e = 0.3, 3.0, 0.0004, 0.0
        else:  # GABA_A
            s.tau_r, s.tau_d, s.gmax, s.e = 0.2, 8.0, 0.001, -80.0
        s.Use, s.u0, s.Dep, s.Fac = 1.0, 0.0, 0.0, 0.0
        return s

    excitatory = [synapse(excitation, seg) for seg in segments]
    inhibitory = [synapse("gaba_a", seg) for seg in segments]
    connections = [h.NetCon(None, s) for s in excitatory + inhibitory]
    for c in connections:
        c.weight[0] = 1.0
    soma = cell.soma[0]
    t_vec = h.Vector().record(h._ref_t)
    v_vec = h.Vector().record(soma(0.5)._ref_v)
    cvode = h.CVode()
    cvode.active(1)
    cvode.atol(args.atol)

    results = []
    pending = {}

    def deliver():
        for channel, times in pending.items():
            for t in times:
                connections[channel].event(float(t))

    handler = h.FInitializeHandler(deliver)  # events are queued after finitialize clears the queue
    n = len(segments)
    for run in runs:
        pending.clear()
        for offset, seg_key, time_key in ((0, "ex_segment", "ex_time_ms"), (n, "inh_segment", "inh_time_ms")):
            for s, t in zip(run[seg_key], run[time_key]):
                if not 0 <= int(s) < n:
                    fail(f"{run['path']}: segment {int(s)} out of range (the cell has {n} dendritic segments)")
                pending.setdefault(offset + int(s), []).append(float(t))
        h.finitialize(-76)
        start = time.perf_counter()
        h.continuerun(run["duration_ms"])
        wall = time.perf_counter() - start
        v = np.array(v_vec)
        peak = np.nonzero((v[1:-1] > v[:-2]) & (v[1:-1] > v[2:]) & (v[1:-1] > -25.0))[0] + 1
        results.append({"inputs": run["path"], "duration_ms": run["duration_ms"], "wall_s": wall, "solver_steps": int(len(v) - 1),
                        "spike_times_ms": [float(x) for x in np.array(t_vec)[peak]]})
    del handler
    with open(args.output, "w") as out:
        json.dump({"neuron": neuron.__version__, "atol": args.atol, "excitation": excitation, "segments": n,
                   "simulations": results}, out)


if __name__ == "__main__":
    main()
