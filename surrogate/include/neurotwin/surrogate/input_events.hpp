#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace neurotwin {

// The binary input of a batch, x[B, C, T] (1 ms bins, 1 = input spike), kept
// as its events: one (batch item, channel, bin) row per 1 in x, sorted by
// batch item, then channel, then bin, without duplicates.
struct InputEvents {
  std::int64_t batch_size = 0;
  std::int64_t channels = 0;
  std::int64_t length = 0;  // bins
  torch::Tensor rows;       // int32 [E, 3] on the CPU: batch item, channel, bin

  std::int64_t count() const { return rows.defined() ? rows.size(0) : 0; }
  // Events of a dense binary (0/1) tensor [B, C, T].
  static InputEvents from_dense(const torch::Tensor& x);
  // The dense tensor [B, C, T] float on `device`.
  torch::Tensor to_dense(torch::Device device) const;
};

// Collects events in any order; duplicates collapse (the input is binary).
class InputEventsBuilder {
 public:
  InputEventsBuilder(std::int64_t batch_size, std::int64_t channels, std::int64_t length);
  // Throws InputError for an item, channel or bin out of range.
  void add(std::int64_t item, std::int64_t channel, std::int64_t bin);
  InputEvents finish();

 private:
  std::int64_t batch_size_, channels_, length_;
  std::vector<std::int32_t> rows_;
};

// Causal 1-D convolution of event input: out[b, o, t] = bias[o] +
// Σ_{c, j} weight[o, c, j] · x[b, c, t − (K − 1) + j] with x = 0 before bin 0,
// i.e. torch's conv1d of x padded by K − 1 zero bins on the left. On the CPU
// it touches only the events: each adds the weight slice of its channel to
// the K output bins it reaches (forward), and the weight gradient gathers the
// output gradient at the same K bins (backward), so the cost scales with the
// number of events, not with C · T. Weight and bias get gradients (the input
// none). Other devices use the dense convolution. Deterministic for any
// thread count.
torch::Tensor event_conv1d(const InputEvents& events, const torch::Tensor& weight, const torch::Tensor& bias);

}  // namespace neurotwin
