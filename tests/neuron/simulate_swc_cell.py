#!/usr/bin/env python3
"""NEURON oracle for neurotwin's simulator tests.

Reads a case description (JSON) written by a neurotwin test, builds the cell
in NEURON 8.2 from the SWC file through Import3d, inserts NEURON's built-in
`pas`, `hh` and `Exp2Syn` mechanisms as the case says, plays the input events
into one excitatory and one inhibitory Exp2Syn per basal/apical segment,
runs NEURON's default fixed step, and writes what NEURON computed to HDF5:

  t_ms, soma_v_mV            every solver step
  spike_times_ms             local maxima > -25 mV of the 8 samples/ms trace
  dendritic_v_mV             every input segment (basal, then apical) at 1 sample/ms
  segments/{section,x,area_um2,ri_MOhm,diam_um}  NEURON's own segment table
  iclamp threshold search    when the case asks for it (threshold_nA)

Usage: simulate_swc_cell.py CASE.json OUT.h5
"""
import json
import math
import sys

import h5py
import numpy as np
from neuron import h

h.load_file("stdrun.hoc")
h.load_file("import3d.hoc")


def build_cell(case):
    reader = h.Import3d_SWC_read()
    reader.quiet = 1
    reader.input(case["swc"])
    importer = h.Import3d_GUI(reader, 0)
    importer.instantiate(None)
    sections = list(h.allsec())
    rule = case["max_segment_length_um"]
    for sec in sections:
        sec.nseg = 1 + 2 * int(math.floor(sec.L / rule))
    return sections


def region(sec):
    name = sec.name()
    if name.startswith("soma"):
        return "soma"
    if name.startswith("axon"):
        return "axon"
    return "dendrite"


def insert_mechanisms(sections, case):
    for sec in sections:
        props = case[region(sec)]
        sec.cm = props["cm"]
        sec.Ra = props["Ra"]
        sec.insert("pas")
        for seg in sec:
            seg.pas.g = props["g_pas"]
            seg.pas.e = props["e_pas"]
        hh = case["hh"]
        scale = 1.0 if region(sec) == "soma" else case["dendrite_hh_scale"] if region(sec) == "dendrite" else 0.0
        if region(sec) == "soma" and not case["soma_hh"]:
            scale = 0.0
        if scale > 0:
            sec.insert("hh")
            sec.ena = hh["ena"]
            sec.ek = hh["ek"]
            for seg in sec:
                seg.hh.gnabar = hh["gnabar"] * scale
                seg.hh.gkbar = hh["gkbar"] * scale
                seg.hh.gl = hh["gl"] if region(sec) == "soma" else 0.0
                seg.hh.el = hh["el"]


def dendritic_segments(sections):
    segs = []
    for prefix in ("dend", "apic"):
        for sec in sections:
            if sec.name().startswith(prefix):
                segs.extend(list(sec))
    return segs


def main():
    case = json.load(open(sys.argv[1]))
    out_path = sys.argv[2]
    h.celsius = case["celsius"]
    h.usetable_hh = 1 if case["hh"].get("use_table", True) else 0
    sections = build_cell(case)
    insert_mechanisms(sections, case)
    soma = [s for s in sections if s.name().startswith("soma")][0]

    synapses, netcons = [], []
    dend = dendritic_segments(sections)
    for kind in ("excitatory", "inhibitory"):
        spec = case[kind]
        for seg in dend:
            syn = h.Exp2Syn(seg)
            syn.tau1 = spec["tau_rise_ms"]
            syn.tau2 = spec["tau_decay_ms"]
            syn.e = spec["e_rev_mV"]
            nc = h.NetCon(None, syn)
            nc.weight[0] = spec["gmax_uS"]
            nc.delay = 0
            synapses.append(syn)
            netcons.append(nc)

    events = case.get("events", [])

    def queue_events():
        for t, channel in events:
            netcons[channel].event(t)

    handler = h.FInitializeHandler(queue_events)  # noqa: F841 (kept alive)

    clamps = []
    for c in case.get("clamps", []):
        ic = h.IClamp(soma(0.5))
        ic.delay, ic.dur, ic.amp = c["delay_ms"], c["duration_ms"], c["amplitude_nA"]
        clamps.append(ic)

    h.secondorder = case.get("secondorder", 0)
    h.dt = case["dt_ms"]
    h.steps_per_ms = 1.0 / case["dt_ms"]
    t_vec = h.Vector().record(h._ref_t)
    v_vec = h.Vector().record(soma(0.5)._ref_v)
    # Every input segment's voltage at 1 sample/ms (t = 0, 1, ...), the order of the input channels.
    dend_vecs = [h.Vector().record(seg._ref_v, 1.0) for seg in dend]
    h.finitialize(case["v_init_mV"])
    h.continuerun(case["duration_ms"])
    t = np.array(t_vec)
    v = np.array(v_vec)
    grid = np.arange(int(round(case["duration_ms"] * 8))) / 8.0
    v8 = np.interp(grid, t, v).astype(np.float32)
    d = np.diff(v8)
    k = np.nonzero((d[:-1] > 0) & (d[1:] < 0) & (v8[1:-1] > -25.0))[0] + 1
    with h5py.File(out_path, "w") as f:
        f["t_ms"] = t
        f["soma_v_mV"] = v
        f["soma_v_8perms_mV"] = v8
        f["spike_times_ms"] = k / 8.0
        samples = int(round(case["duration_ms"]))
        f["dendritic_v_mV"] = np.array([np.array(x)[:samples] for x in dend_vecs], dtype=np.float32)
        g = f.create_group("segments")
        names, xs, areas, ris, diams = [], [], [], [], []
        for sec in sections:
            for seg in sec:
                names.append(sec.name())
                xs.append(seg.x)
                areas.append(seg.area())
                ris.append(seg.ri())
                diams.append(seg.diam)
        g["section"] = np.array(names, dtype="S")
        g["x"] = np.array(xs)
        g["area_um2"] = np.array(areas)
        g["ri_MOhm"] = np.array(ris)
        g["diam_um"] = np.array(diams)


if __name__ == "__main__":
    main()
