#!/usr/bin/env python3
"""Loads a neurotwin TorchScript export with torch.jit.load and checks that it
maps the C++ test's input to the C++ model's outputs (max abs difference 1e-5),
and that it is causal.  Usage: check_export.py MODEL.pt DIR BATCH CHANNELS BINS"""
import os
import sys

import numpy as np
import torch

path, folder = sys.argv[1], sys.argv[2]
b, c, t = (int(v) for v in sys.argv[3:6])
model = torch.jit.load(path)
model.eval()
x = torch.from_numpy(np.fromfile(os.path.join(folder, "x.f32"), dtype=np.float32).reshape(b, c, t))
p_ref = np.fromfile(os.path.join(folder, "p.f32"), dtype=np.float32).reshape(b, t)
v_ref = np.fromfile(os.path.join(folder, "v.f32"), dtype=np.float32).reshape(b, t)
with torch.no_grad():
    p, v = model(x)
dp = np.abs(p.numpy() - p_ref).max()
dv = np.abs(v.numpy() - v_ref).max()
print("max |dp| = %.3g, max |dv| = %.3g mV" % (dp, dv))
assert p.shape == (b, t) and v.shape == (b, t)
assert dp <= 1e-5, dp
assert dv <= 1e-5 * max(1.0, float(np.abs(v_ref).max())), dv
x2 = x.clone()
x2[..., t // 2 + 1:] = 1.0
with torch.no_grad():
    p2, v2 = model(x2)
assert torch.equal(p2[:, : t // 2 + 1], p[:, : t // 2 + 1]), "export is not causal"
print("export check passed")
