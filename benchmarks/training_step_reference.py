#!/usr/bin/env python3
"""The dense training step of neurotwin's TCN written in PyTorch Python: the
reference the C++ training benchmark measures itself against. Same network
(causal conv -> batch norm -> ReLU per layer, 1x1 spike and soma heads), same
loss (BCE with logits + 0.02 x MSE over the last `length - receptive field + 1`
bins), Adam. Input: Bernoulli(density) 0/1 per channel and bin, a fresh batch per step.
Prints `seconds_per_step S` (mean over --steps after one warm-up step)."""
import argparse
import time

import torch
import torch.nn.functional as F


class Tcn(torch.nn.Module):
    def __init__(self, channels, depth, width, first_kernel, kernel):
        super().__init__()
        self.kernels = [first_kernel] + [kernel] * (depth - 1)
        self.convs = torch.nn.ModuleList(
            torch.nn.Conv1d(channels if i == 0 else width, width, k) for i, k in enumerate(self.kernels))
        self.norms = torch.nn.ModuleList(torch.nn.BatchNorm1d(width) for _ in self.kernels)
        self.spike = torch.nn.Conv1d(width, 1, 1)
        self.soma = torch.nn.Conv1d(width, 1, 1)

    def forward(self, x):
        h = x
        for conv, norm, k in zip(self.convs, self.norms, self.kernels):
            h = torch.relu(norm(conv(F.pad(h, (k - 1, 0)))))
        return self.spike(h).squeeze(1), self.soma(h).squeeze(1)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    for name in ("channels", "depth", "width", "first-kernel", "kernel", "batch", "length", "steps", "threads"):
        p.add_argument("--" + name, type=int, required=True)
    p.add_argument("--density", type=float, required=True)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = Tcn(a.channels, a.depth, a.width, a.first_kernel, a.kernel)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    history = a.first_kernel + (a.depth - 1) * (a.kernel - 1) - 1
    window = a.length - history
    # Batches are built before the timed loop, as on the C++ side.
    batches = [((torch.rand(a.batch, a.channels, a.length) < a.density).float(),
                (torch.rand(a.batch, window) < 0.004).float(),
                torch.randn(a.batch, window)) for _ in range(a.steps + 1)]
    model.train()
    start = 0.0
    for step, (x, spike_target, soma_target) in enumerate(batches):
        if step == 1:
            start = time.perf_counter()  # step 0 warms up
        logit, soma = model(x)
        loss = F.binary_cross_entropy_with_logits(logit[:, history:], spike_target) + \
            0.02 * F.mse_loss(soma[:, history:], soma_target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print("seconds_per_step %.6f" % ((time.perf_counter() - start) / a.steps))

if __name__ == "__main__":
    main()
