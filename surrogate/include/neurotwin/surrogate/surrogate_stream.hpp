#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace neurotwin {

// The weights of a TCN surrogate in inference form (batch norm folded), as an
// export holds them: an optional 1x1 input projection [G, C, 1], per layer a
// causal convolution (weight [out, in, k], bias [out]) followed by ReLU, and
// the 1x1 spike and soma heads.
struct StreamWeights {
  torch::Tensor projection;  // undefined: the first layer reads the input channels directly
  std::vector<torch::Tensor> weight, bias;
  // The first kernel as boxcars (undefined without): weight[0][u, g, :] =
  // Σ_b coefficients[u, g, b] x (1 on the last windows_ms[b] taps).
  torch::Tensor first_boxcar_coefficients;  // [width, in, B]
  std::vector<int> first_windows_ms;
  torch::Tensor spike_w, spike_b, soma_w, soma_b;
  // The dendritic head (undefined without one): components [K, width, 1] and
  // [K], and the PCA reconstruction: voltage = mean [S] + basis [S, K] · z.
  torch::Tensor dendrite_w, dendrite_b, dendrite_basis_mV, dendrite_mean_mV;
  double dendrite_clip_mV = 2.0;  // the voltages the head reconstructs are clipped from above here
  double soma_bias_mV = 0;
  double operating_threshold = 0.5;  // spike decision: probability >= this

  int input_channels() const;
  int depth() const { return static_cast<int>(weight.size()); }
  int receptive_field_ms() const;
  bool has_dendrites() const { return dendrite_w.defined(); }
  int dendritic_segments() const { return has_dendrites() ? static_cast<int>(dendrite_basis_mV.size(0)) : 0; }
  // Multiply-adds per neuron per ms of the layers after the first (the first
  // layer's cost grows with the input events instead).
  std::int64_t dense_macs_per_ms() const;
  // Whether SurrogateStream runs the first layer as running boxcar sums: the
  // export has its boxcar form and a projection with integer entries (the
  // pooled inputs are then event counts, and the sums exact).
  bool streams_boxcars() const;
  void validate(const std::string& origin) const;  // throws InputError naming `origin`
};

// Reads an export of `neurotwin export` (TorchScript parameters w0.., b0..,
// projection, spike_w, spike_b, soma_w, soma_b, and the dendritic head's
// dendrite_w, dendrite_b, dendrite_basis_mV, dendrite_mean_mV when the export
// has one; soma bias and operating
// threshold from the module's attributes, or from the YAML sidecar of older
// exports). Throws InputError naming the file.
StreamWeights load_stream_weights(const std::string& export_path);

// What a step returns, one entry per neuron.
struct StreamStep {
  std::vector<float> spike_probability;
  std::vector<std::uint8_t> spike;  // probability >= the operating threshold
  std::vector<float> soma_v_mV;
  // [N x S], neuron-major: every input segment's voltage (mV), when the export
  // has a dendritic head and the stream computes it; else empty.
  std::vector<float> dendritic_v_mV;
};

struct StreamOptions {
  // Reconstruct the dendritic voltages (K x S more multiply-adds per neuron
  // per ms) when the export has a dendritic head.
  bool dendritic_voltages = true;
};

// A TCN surrogate run one millisecond at a time for N independent neurons:
// the streaming form of the windowed forward pass (equal to it, bin for bin).
// Layer 0 is event-driven: an input event adds its kernel into a ring of
// future pre-activations (cost per event: width x first kernel); or, for a
// boxcar first kernel over pooled inputs (streams_boxcars()), each pool keeps
// a running sum per window (exact: integer counts) and the layer costs width x
// pools x windows multiply-adds per neuron per step; every later
// layer keeps a ring of its input's last k steps and costs width x width x k
// multiply-adds per neuron per step. Single-threaded by design (run one
// stream per thread); LibTorch's CPU kernels do the arithmetic.
class SurrogateStream {
 public:
  SurrogateStream(StreamWeights weights, int neurons, StreamOptions options = {});

  // Advances one ms. `events`: (neuron, input channel) of every input spike
  // in this ms (repeats add). Throws InputError for an index out of range.
  const StreamStep& step(const std::vector<std::pair<int, int>>& events);
  void reset();  // back to t = 0 with empty history

  int neurons() const { return neurons_; }
  bool dendritic_voltages() const { return dendrites_; }
  std::int64_t time_ms() const { return time_ms_; }
  const StreamWeights& weights() const { return weights_; }

 private:
  const StreamStep& step_boxcars(const std::vector<std::pair<int, int>>& events);
  // Adds this step's events, projected, into projected_ [N, G]; touched_: the neurons with events (marked in seen_).
  void project_events(const std::vector<std::pair<int, int>>& events);
  const StreamStep& finish_step(torch::Tensor first_layer_output);  // the later layers and the heads

  StreamWeights weights_;
  int neurons_;
  bool dendrites_;
  std::int64_t time_ms_ = 0;
  int first_kernel_ = 1;
  torch::Tensor first_kernels_;  // [G, K0, U]: the first layer's kernel per projected input, lag-major
  torch::Tensor future_;         // [K0, N, U]: pre-activations of the next K0 steps (ring)
  bool boxcars_ = false;         // the running-sum first layer (streams_boxcars())
  int longest_window_ = 0;
  torch::Tensor box_coefficients_;  // [G x B, U]
  torch::Tensor box_sums_;          // [N, G x B]: Σ of each pool's inputs over each window
  std::vector<float> pooled_ring_;  // [N, longest window, G]: the pools' recent inputs (ring)
  std::vector<torch::Tensor> history_;       // layer i >= 1: [N, 2 k_i, U_in] (each step written twice: a contiguous window)
  std::vector<torch::Tensor> flat_weight_;   // layer i >= 1: [k_i x U_in, U_out]
  std::vector<int> kernel_;
  torch::Tensor heads_w_, heads_b_;  // [U, 2 (+ K)], [2 (+ K)]: spike logit, soma (and dendritic components)
  torch::Tensor dendrite_basis_t_;   // [K, S]
  std::vector<float> projected_;  // [N, G]: this step's projected events (with a projection), cleared after use
  std::vector<int> touched_;      // neurons with events this step
  std::vector<char> seen_;        // [N]
  StreamStep out_;
};

}  // namespace neurotwin
