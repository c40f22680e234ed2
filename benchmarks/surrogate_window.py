"""Windowed TorchScript forward of a neurotwin export in PyTorch (one thread): neuron-ms per wall second.

    python3 surrogate_window.py EXPORT.pt NEURONS MS DENSITY

Input: NEURONS x channels x MS random 0/1 bins at DENSITY (the protocol's input spikes per channel per ms).
Prints one line: "neuron_ms_per_s <value>".
"""
import sys
import time

import torch


def main():
    path, neurons, ms, density = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    torch.set_num_threads(1)
    m = torch.jit.load(path)
    channels = dict(m.named_parameters()).get("projection", dict(m.named_parameters())["w0"]).shape[1]
    g = torch.Generator().manual_seed(1)
    x = (torch.rand(neurons, channels, ms, generator=g) < density).float()
    with torch.no_grad():
        m(x[:, :, :50])  # warm-up
        start = time.perf_counter()
        m(x)
        wall = time.perf_counter() - start
    print(f"neuron_ms_per_s {neurons * ms / wall:.1f}")


if __name__ == "__main__":
    main()
