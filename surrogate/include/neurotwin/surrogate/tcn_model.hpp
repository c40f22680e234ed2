#pragma once
#include <torch/torch.h>

#include <cstdint>

#include "neurotwin/surrogate/input_events.hpp"
#include "neurotwin/surrogate/process_group.hpp"

namespace neurotwin {

// Shape of a temporal convolutional network (Beniaguev et al. 2021): `depth`
// causal 1-D convolutions of `width` channels (the first with kernel
// first_kernel_ms, the others kernel_ms), each followed by batch norm and
// ReLU, and 1x1 heads: spike logit, somatic voltage and, if
// dendrite_outputs > 0, that many dendritic-voltage components (the PCA
// coordinates the trainer fits). 1 bin = 1 ms.
struct TcnConfig {
  int input_channels = 0;
  int depth = 3;
  int width = 32;
  int first_kernel_ms = 25;
  int kernel_ms = 11;
  int dendrite_outputs = 0;

  int receptive_field_ms() const { return first_kernel_ms + (depth - 1) * (kernel_ms - 1); }
  void validate() const;  // throws InputError
};

class TcnModelImpl : public torch::nn::Module {
 public:
  explicit TcnModelImpl(const TcnConfig& config);

  struct Output {
    torch::Tensor spike_logit;  // [B, T]
    torch::Tensor soma;         // [B, T], centred target units (mV minus bias)
    torch::Tensor dendrite;     // [B, dendrite_outputs, T]; undefined without that head
  };
  // x: [B, input_channels, T] float. Output bin t depends on inputs <= t only.
  Output forward(const torch::Tensor& x);
  // The same network on event input: the first convolution runs on the
  // events (event_conv1d), the rest as above. Equal to forward(x.to_dense())
  // to float rounding.
  Output forward(const InputEvents& x);

  const TcnConfig& config() const { return config_; }
  std::int64_t parameter_count() const;
  // Multiply-accumulates per output millisecond (convolutions and heads).
  std::int64_t macs_per_ms() const;

  // Folded inference weights for layer i: batch norm merged into the
  // convolution (eval mode). Returns {weight [out, in, k], bias [out]}.
  std::pair<torch::Tensor, torch::Tensor> folded_layer(int i) const;
  torch::nn::Conv1d& spike_head() { return spike_head_; }
  torch::nn::Conv1d& soma_head() { return soma_head_; }
  // Data-parallel training: batch norm in training mode then uses the
  // statistics of the global batch over `group` (synced_batch_norm).
  // nullptr (the default) or a group of one: torch's BatchNorm1d.
  void set_process_group(ProcessGroup* group) { group_ = group; }

 private:
  Output forward_after_first_conv(torch::Tensor first_conv_output);
  torch::Tensor normalize(std::size_t layer, const torch::Tensor& x);

  TcnConfig config_;
  std::vector<torch::nn::Conv1d> convs_;
  std::vector<torch::nn::BatchNorm1d> norms_;
  torch::nn::Conv1d spike_head_{nullptr}, soma_head_{nullptr}, dendrite_head_{nullptr};
  ProcessGroup* group_ = nullptr;
};
TORCH_MODULE(TcnModel);

}  // namespace neurotwin
