#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "neurotwin/surrogate/input_events.hpp"
#include "neurotwin/surrogate/process_group.hpp"

namespace neurotwin {

// Shape of a temporal convolutional network (Beniaguev et al. 2021): `depth`
// causal 1-D convolutions of `width` channels (the first with kernel
// first_kernel_ms, the others kernel_ms), each followed by batch norm and
// ReLU, and 1x1 heads: spike logit, somatic voltage and, if
// dendrite_outputs > 0, that many dendritic-voltage components (the PCA
// coordinates the trainer fits). 1 bin = 1 ms.
// With input_projection = k > 0 the input layer is factorized: a 1x1
// convolution without bias maps the input channels (synapses) to k "branch"
// channels, and the first temporal convolution runs on those, so the first
// layer has C·k + k·width·first_kernel_ms weights instead of
// C·width·first_kernel_ms. 0 is Beniaguev's plain TCN.
struct TcnConfig {
  int input_channels = 0;
  int depth = 3;
  int width = 32;
  int first_kernel_ms = 25;
  int kernel_ms = 11;
  int dendrite_outputs = 0;
  int input_projection = 0;
  // The projection is a fixed 0/1 pooling of synapses into groups (a buffer
  // set by set_input_pooling), not learned.
  bool fixed_projection = false;
  // For the trainer: > 0 pools the inputs into groups (excitatory/inhibitory
  // x tree x path-distance bands of this width) as a fixed projection; it
  // sets input_projection (the group count) and fixed_projection.
  double input_pooling_band_um = 0;
  double dropout = 0;  // dropout probability after every hidden layer (training only)
  // Training: the soma head reads the last hidden layer without passing its
  // gradient back (a linear readout of what the spike loss learned), so the
  // soma loss does not shape the hidden layers. Inference is unchanged.
  bool detach_soma_head = false;
  // Non-empty: the first layer's temporal kernels are sums of boxcars over
  // the last w ms (w in this list, as the GLM's windows): a learned
  // coefficient per boxcar, output and input channel instead of a weight per
  // tap. first_kernel_ms must be the longest window.
  std::vector<int> first_layer_windows_ms{};

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
  // With first_layer_windows_ms: the first layer's boxcar coefficients
  // [width, in, boxcars] with batch norm folded in (folded_layer(0)'s weight
  // is these times the boxcars); undefined otherwise.
  torch::Tensor folded_boxcar_coefficients() const;
  // The 1x1 input projection [k, C, 1] (undefined without one).
  torch::Tensor input_projection_weight() const { return projection_ ? projection_->weight : pooling_; }
  // Fills the fixed projection: channel c adds 1 to group group_of_channel[c].
  void set_input_pooling(const std::vector<std::int64_t>& group_of_channel);
  // Dropout masks for the next forward pass in training mode, one per
  // hidden layer ([B, width, T], already scaled by 1 / (1 - p)); consumed by
  // that pass. Without them training-mode dropout draws from torch's RNG.
  // The trainer draws each step's masks for the whole global batch from
  // (seed, step), so that data-parallel processes drop what one process would.
  void set_dropout_masks(std::vector<torch::Tensor> masks) { dropout_masks_ = std::move(masks); }
  // The masks of one step: for items [first, first + count) of a global
  // batch of `batch` windows of `length` bins.
  static std::vector<torch::Tensor> draw_dropout_masks(const TcnConfig& config, std::uint64_t seed, std::uint64_t step,
                                                       std::int64_t batch, std::int64_t first, std::int64_t count,
                                                       std::int64_t length);
  // Sets the spike head's bias to the logit of `probability` (the training
  // data's fraction of spike bins), so that training starts at the base rate.
  void set_spike_base_rate(double probability);
  torch::nn::Conv1d& spike_head() { return spike_head_; }
  torch::nn::Conv1d& soma_head() { return soma_head_; }
  torch::nn::Conv1d& dendrite_head() { return dendrite_head_; }  // empty (nullptr) without that head
  // Data-parallel training: batch norm in training mode then uses the
  // statistics of the global batch over `group` (synced_batch_norm).
  // nullptr (the default) or a group of one: torch's BatchNorm1d.
  void set_process_group(ProcessGroup* group) { group_ = group; }

 private:
  Output forward_after_first_conv(torch::Tensor first_conv_output);
  torch::Tensor first_conv_on_projection(const torch::Tensor& projected);
  // The first convolution's weight [width, in, first_kernel_ms]: conv0's, or
  // the boxcar coefficients times the boxcars.
  torch::Tensor first_weight() const;
  torch::Tensor normalize(std::size_t layer, const torch::Tensor& x);

  TcnConfig config_;
  torch::nn::Conv1d projection_{nullptr};
  torch::Tensor pooling_;  // fixed projection [k, C, 1]
  torch::Tensor boxcar_coefficients_, boxcars_;  // [width, in, B] and [B, first_kernel_ms]
  std::vector<torch::nn::Conv1d> convs_;
  std::vector<torch::nn::BatchNorm1d> norms_;
  torch::nn::Conv1d spike_head_{nullptr}, soma_head_{nullptr}, dendrite_head_{nullptr};
  ProcessGroup* group_ = nullptr;
  std::vector<torch::Tensor> dropout_masks_;
};
TORCH_MODULE(TcnModel);

}  // namespace neurotwin
