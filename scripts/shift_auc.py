#!/usr/bin/python3
# Usage: scripts/shift_auc.py EXPORT.pt DATASET.h5
# Checks the alignment of an exported surrogate with the spike targets (bin floor(t - 0.5)):
# Test AUC of an exported surrogate with its predictions moved by s bins: p'(t) = p(t + s).
import sys, h5py, numpy as np, torch
torch.set_num_threads(1)
m = torch.jit.load(sys.argv[1]); f = h5py.File(sys.argv[2], 'r')
S = int(f['inputs'].attrs['n_excitatory']); T = int(f.attrs['duration_ms'])
p_ = f['inputs/index_pointer'][:]; q_ = f['output_spikes/index_pointer'][:]
P, Y = [], []
with torch.no_grad():
    for k in range(len(p_) - 1):
        t = f['inputs/timestamps'][p_[k]:p_[k+1]]; c = f['inputs/node_ids'][p_[k]:p_[k+1]]
        x = torch.zeros(1, 2 * S, T); x[0, torch.from_numpy(c.astype(np.int64)), torch.from_numpy(t.astype(np.int64))] = 1
        p, v = m(x); P.append(p[0].numpy())
        y = np.zeros(T, np.int8)
        for s in f['output_spikes/timestamps'][q_[k]:q_[k+1]]:
            b = int(np.floor(s - 0.5))
            if 0 <= b < T: y[b] = 1
        Y.append(y)
def auc(score, label):
    o = np.argsort(score, kind='mergesort'); r = np.empty(len(score)); r[o] = np.arange(1, len(score) + 1)
    # average ranks for ties
    s_sorted = score[o]; i = 0
    while i < len(s_sorted):
        j = i
        while j + 1 < len(s_sorted) and s_sorted[j + 1] == s_sorted[i]: j += 1
        r[o[i:j+1]] = (i + j + 2) / 2; i = j + 1
    n1 = label.sum(); n0 = len(label) - n1
    return (r[label == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)
for shift in range(-3, 4):
    sc, lb = [], []
    for p, y in zip(P, Y):
        idx = np.arange(500, T - 3)
        sc.append(p[idx + shift]); lb.append(y[idx])
    print(f"shift {shift:+d} ms: AUC {auc(np.concatenate(sc), np.concatenate(lb)):.4f}")
