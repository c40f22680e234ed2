"""Run a neurotwin export one millisecond at a time in Python (PyTorch only).

An export of `neurotwin export` is a TorchScript module whose forward(x) takes a whole window
x: [batch, channels, time] (1 = an input spike in that 1-ms bin) and returns (spike probability,
soma voltage in mV), both [batch, time]. StreamingSurrogate reads the module's parameters (w0, b0, ...,
projection, spike_w, spike_b, soma_w, soma_b) and its attributes (soma_bias_mV, operating_threshold)
and computes the same outputs bin by bin: each causal convolution keeps a ring of its last k inputs,
so one step costs sum(k * width_in * width_out) multiply-adds per neuron. An export with a dendritic head
(forward_dendrites(x) -> (p, v, d)) also gives every input segment's voltage: after each step,
dendritic_v_mV is [neurons, segments] (mean + basis @ predicted components), else None.

    import torch, neurotwin_stream
    m = torch.jit.load("surrogate.pt")
    s = neurotwin_stream.StreamingSurrogate(m, neurons=100)
    p, spike, v = s.step(x_t)          # x_t: [100, channels] float (this millisecond's input spikes)
"""
import torch


class StreamingSurrogate:
    # The arithmetic runs in float64 (the outputs are float32), so the stream differs from the float32 window
    # by the window's own rounding only.
    def __init__(self, module, neurons=1):
        params = {name: p.detach().double() for name, p in module.named_parameters()}
        self.projection = params.get("projection")  # [G, C, 1] or None
        self.weights, self.biases = [], []
        i = 0
        while f"w{i}" in params:
            self.weights.append(params[f"w{i}"].detach())
            self.biases.append(params[f"b{i}"].detach())
            i += 1
        if not self.weights:
            raise ValueError("not a neurotwin TCN export: no parameter w0")
        self.heads_w = torch.cat([params["spike_w"].detach().reshape(-1, 1), params["soma_w"].detach().reshape(-1, 1)], 1)
        self.heads_b = torch.cat([params["spike_b"].detach().reshape(1), params["soma_b"].detach().reshape(1)])
        self.dendrite_w = params.get("dendrite_w")  # [K, width, 1] or None
        if self.dendrite_w is not None:
            self.dendrite_w = self.dendrite_w.detach()[:, :, 0]
            self.dendrite_b = params["dendrite_b"].detach()
            self.dendrite_basis = params["dendrite_basis_mV"].detach()  # [S, K]
            self.dendrite_mean = params["dendrite_mean_mV"].detach()    # [S]
        self.dendritic_v_mV = None
        if not hasattr(module, "soma_bias_mV"):
            raise ValueError("this export has no soma_bias_mV attribute: export it again with a current neurotwin")
        self.soma_bias_mV = float(module.soma_bias_mV)
        self.threshold = float(module.operating_threshold)
        self.neurons = neurons
        self.reset()

    @property
    def input_channels(self):
        return (self.projection if self.projection is not None else self.weights[0]).shape[1]

    def reset(self):
        # history[i]: the last k_i inputs of layer i, oldest first: [neurons, width_in, k_i]
        self.history = [torch.zeros(self.neurons, w.shape[1], w.shape[2], dtype=torch.float64) for w in self.weights]

    @torch.no_grad()
    def step(self, x_t):
        """x_t: [neurons, channels] input spikes of this millisecond. Returns (probability, spike, soma mV)."""
        h = x_t.double()
        if self.projection is not None:
            h = h @ self.projection[:, :, 0].T
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            ring = torch.cat([self.history[i][:, :, 1:], h.unsqueeze(2)], 2)  # shift in the newest input
            self.history[i] = ring
            h = torch.relu(torch.einsum("nck,ock->no", ring, w) + b)
        out = h @ self.heads_w + self.heads_b
        if self.dendrite_w is not None:
            z = h @ self.dendrite_w.T + self.dendrite_b           # [neurons, K]
            self.dendritic_v_mV = (z @ self.dendrite_basis.T + self.dendrite_mean).float()
        p = torch.sigmoid(out[:, 0])
        return p.float(), p >= self.threshold, (out[:, 1] + self.soma_bias_mV).float()
