"""Predict a NEURON reference-layout file with a neurotwin export, in Python; print the metrics.

    python3 predict_reference.py surrogate.pt ../shared/reference/nmda_seed1_cvode.h5 [--stream]

Reads inputs/ex_segment, ex_time_ms, inh_segment, inh_time_ms (input channel s is the excitatory synapse
on segment s, S + s the inhibitory one), soma_v_mV (sample_dt_ms) and the spike times; runs the export's
windowed forward pass (and, with --stream, the one-millisecond-at-a-time StreamingSurrogate, checked
equal to it in float64); prints AUC of the 1-ms spike bins after the first 500 ms (a spike at t sets bin
floor(t - 0.5)), soma RMSE against the voltage clipped at -55 mV, and the explained variance.
"""
import sys

import h5py
import numpy as np
import torch

import neurotwin_stream


def auc(scores, labels):
    order = np.argsort(scores, kind="mergesort")
    s, y = scores[order], labels[order]
    ranks = np.empty(len(s))
    i = 0
    while i < len(s):  # average ranks of ties
        j = i
        while j < len(s) and s[j] == s[i]:
            j += 1
        ranks[i:j] = (i + 1 + j) / 2.0
        i = j
    positives = y.sum()
    negatives = len(y) - positives
    return (ranks[y == 1].sum() - positives * (positives + 1) / 2.0) / (positives * negatives)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    model_path, reference = sys.argv[1], sys.argv[2]
    stream = "--stream" in sys.argv[3:]
    torch.set_num_threads(1)
    module = torch.jit.load(model_path)
    with h5py.File(reference, "r") as f:
        duration = int(f.attrs["duration_ms"])
        dt = float(f.attrs["sample_dt_ms"])
        soma = f["soma_v_mV"][:][np.rint(np.arange(duration) / dt).astype(int)]
        spikes = f["spike_times_8perms_ms"][:] if "spike_times_8perms_ms" in f else f["spike_times_ms"][:]
        events = [(f["inputs/ex_segment"][:], f["inputs/ex_time_ms"][:], 0),
                  (f["inputs/inh_segment"][:], f["inputs/inh_time_ms"][:], 1)]
    channels = neurotwin_stream.StreamingSurrogate(module).input_channels
    segments = channels // 2
    x = torch.zeros(1, channels, duration)
    for seg, t, inhibitory in events:
        if seg.size and seg.max() >= segments:
            sys.exit(f"{reference}: segment {seg.max()} but the model has {segments} synapse segments")
        x[0, seg + inhibitory * segments, t.astype(int)] = 1.0
    dendrites = hasattr(module, "forward_dendrites")
    with torch.no_grad():
        if dendrites:
            p, v, d = module.forward_dendrites(x)
            d = d[0].numpy()  # [segments, ms]
        else:
            p, v = module(x)
    p, v = p[0].numpy(), v[0].numpy()
    if stream:
        s = neurotwin_stream.StreamingSurrogate(module)
        ps, vs = np.empty(duration, np.float32), np.empty(duration, np.float32)
        ds = np.empty_like(d) if dendrites else None
        for t in range(duration):
            pt, _, vt = s.step(x[:, :, t])
            ps[t], vs[t] = pt[0], vt[0]
            if dendrites:
                ds[:, t] = s.dendritic_v_mV[0].numpy()
        # The stream computes in float64: compare with the window in float64 too (the float32 window's own
        # rounding, printed for information, grows with depth).
        m64 = torch.jit.load(model_path)
        m64.double()
        with torch.no_grad():
            out64 = m64.forward_dendrites(x.double()) if dendrites else m64(x.double())
        p64, v64 = out64[0][0].numpy(), out64[1][0].numpy()
        def largest(a, b, floor):
            return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), floor)))
        dp, dv = largest(ps, p64, 1e-3), largest(vs, v64, 1.0)
        dd = largest(ds, out64[2][0].numpy(), 1.0) if dendrites else 0.0
        print(f"streaming vs windowed: largest relative difference {dp:.2e} (probability), {dv:.2e} (soma)"
              + (f", {dd:.2e} (dendritic voltages)" if dendrites else "")
              + f"; the float32 window differs from both by up to {largest(p, p64, 1e-3):.1e} (its rounding)")
        if dp > 1e-5 or dv > 1e-5 or dd > 1e-5:
            sys.exit("streaming output differs from the windowed forward pass")
    labels = np.zeros(duration, np.int8)
    bins = np.floor(spikes - 0.5).astype(int)
    labels[bins[(bins >= 0) & (bins < duration)]] = 1
    keep = slice(500, duration)
    target = np.minimum(soma, -55.0)[keep]
    residual = target - v[keep]
    print(f"{reference}: {int(labels[keep].sum())} spikes; spike AUC {auc(p[keep], labels[keep]):.4f}, "
          f"soma RMSE {np.sqrt(np.mean(residual ** 2)):.3f} mV, explained variance {1 - residual.var() / target.var():.3f}")


if __name__ == "__main__":
    main()
