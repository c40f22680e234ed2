#include "neurotwin/surrogate/tcn_model.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

void TcnConfig::validate() const {
  if (input_channels < 1) throw InputError("model: input_channels must be >= 1");
  if (depth < 1 || depth > 64) throw InputError("model: depth must be in [1, 64]");
  if (width < 1 || width > 4096) throw InputError("model: width must be in [1, 4096]");
  if (first_kernel_ms < 1 || first_kernel_ms > 1000) throw InputError("model: first_kernel_ms must be in [1, 1000]");
  if (kernel_ms < 1 || kernel_ms > 1000) throw InputError("model: kernel_ms must be in [1, 1000]");
  if (dendrite_outputs < 0 || dendrite_outputs > 4096) throw InputError("model: dendrite_outputs must be in [0, 4096]");
  if (input_projection < 0 || input_projection > 4096) throw InputError("model: input_projection must be in [0, 4096]");
  if (!(dropout >= 0 && dropout < 1)) throw InputError("model: dropout must be in [0, 1)");
  for (int w : first_layer_windows_ms)
    if (w < 1 || w > first_kernel_ms)
      throw InputError("model: first_layer_windows_ms must lie in [1, first_kernel_ms = " + std::to_string(first_kernel_ms) + "]");
}

TcnModelImpl::TcnModelImpl(const TcnConfig& config) : config_(config) {
  config_.validate();
  if (config_.input_projection > 0 && config_.fixed_projection)
    pooling_ = register_buffer("pooling", torch::zeros({config_.input_projection, config_.input_channels, 1}));
  else if (config_.input_projection > 0)
    projection_ = register_module(
        "projection",
        torch::nn::Conv1d(torch::nn::Conv1dOptions(config_.input_channels, config_.input_projection, 1).bias(false)));
  const int first_in = config_.input_projection > 0 ? config_.input_projection : config_.input_channels;
  for (int i = 0; i < config_.depth; ++i) {
    const int in = i == 0 ? first_in : config_.width;
    const int k = i == 0 ? config_.first_kernel_ms : config_.kernel_ms;
    convs_.push_back(register_module("conv" + std::to_string(i),
                                     torch::nn::Conv1d(torch::nn::Conv1dOptions(in, config_.width, k))));
    norms_.push_back(register_module("norm" + std::to_string(i), torch::nn::BatchNorm1d(config_.width)));
  }
  if (!config_.first_layer_windows_ms.empty()) {
    // conv0 keeps its bias; its weight is the coefficients times the boxcars.
    convs_[0]->weight.set_requires_grad(false);
    const auto boxes = static_cast<std::int64_t>(config_.first_layer_windows_ms.size());
    const std::int64_t k = config_.first_kernel_ms;
    torch::Tensor box = torch::zeros({boxes, k});
    for (std::int64_t b = 0; b < boxes; ++b) {
      const int w = config_.first_layer_windows_ms[static_cast<std::size_t>(b)];
      box[b].narrow(0, k - w, w).fill_(1.0);  // the last tap is the current bin
    }
    boxcars_ = register_buffer("conv0_boxcars", box);
    const auto in = convs_[0]->weight.size(1);
    const double bound = 1.0 / std::sqrt(static_cast<double>(in * boxes));
    boxcar_coefficients_ = register_parameter(
        "conv0_boxcar_coefficients", torch::empty({config_.width, in, boxes}).uniform_(-bound, bound));
  }
  spike_head_ = register_module("spike_head", torch::nn::Conv1d(torch::nn::Conv1dOptions(config_.width, 1, 1)));
  soma_head_ = register_module("soma_head", torch::nn::Conv1d(torch::nn::Conv1dOptions(config_.width, 1, 1)));
  if (config_.dendrite_outputs > 0)
    dendrite_head_ = register_module(
        "dendrite_head", torch::nn::Conv1d(torch::nn::Conv1dOptions(config_.width, config_.dendrite_outputs, 1)));
  {
    torch::NoGradGuard no_grad;
    spike_head_->bias.fill_(-4.0);  // output spikes are rare: start near p = 0.02
    soma_head_->bias.zero_();
  }
}

std::vector<torch::Tensor> TcnModelImpl::draw_dropout_masks(const TcnConfig& config, std::uint64_t seed, std::uint64_t step,
                                                             std::int64_t batch, std::int64_t first, std::int64_t count,
                                                             std::int64_t length) {
  std::vector<torch::Tensor> masks;
  if (!(config.dropout > 0)) return masks;
  // One generator per (seed, step): splitmix64 of the pair.
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ULL + step + 0x6A09E667F3BCC909ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  at::Generator generator = at::detail::createCPUGenerator(z);
  const float keep = static_cast<float>(1.0 - config.dropout);
  for (int i = 0; i < config.depth; ++i) {
    const torch::Tensor u = torch::rand({batch, config.width, length}, generator, torch::TensorOptions().dtype(torch::kFloat32));
    masks.push_back((u < keep).to(torch::kFloat32).narrow(0, first, count).div_(keep).contiguous());
  }
  return masks;
}

void TcnModelImpl::set_spike_base_rate(double probability) {
  const double p = std::clamp(probability, 1e-7, 1 - 1e-7);
  torch::NoGradGuard no_grad;
  spike_head_->bias.fill_(std::log(p / (1 - p)));
}

torch::Tensor TcnModelImpl::first_conv_on_projection(const torch::Tensor& projected) {
  namespace F = torch::nn::functional;
  // Causal: pad k-1 bins on the left only, so bin t sees bins t-k+1 .. t.
  return F::conv1d(F::pad(projected, F::PadFuncOptions({config_.first_kernel_ms - 1, 0})), first_weight(),
                   F::Conv1dFuncOptions().bias(convs_[0]->bias));
}

torch::Tensor TcnModelImpl::first_weight() const {
  if (!boxcar_coefficients_.defined()) return convs_[0]->weight;
  return torch::matmul(boxcar_coefficients_, boxcars_);
}

void TcnModelImpl::set_input_pooling(const std::vector<std::int64_t>& group_of_channel) {
  if (!pooling_.defined() || static_cast<std::int64_t>(group_of_channel.size()) != config_.input_channels)
    throw InputError("input pooling: the model has no fixed projection for " + std::to_string(group_of_channel.size()) +
                     " channels");
  torch::NoGradGuard no_grad;
  pooling_.zero_();
  for (std::size_t c = 0; c < group_of_channel.size(); ++c) {
    if (group_of_channel[c] < 0 || group_of_channel[c] >= config_.input_projection)
      throw InputError("input pooling: group " + std::to_string(group_of_channel[c]) + " out of range");
    pooling_[group_of_channel[c]][static_cast<std::int64_t>(c)][0] = 1.0;
  }
}

TcnModelImpl::Output TcnModelImpl::forward(const torch::Tensor& x) {
  if (config_.input_projection == 0) return forward_after_first_conv(first_conv_on_projection(x));
  return forward_after_first_conv(first_conv_on_projection(torch::conv1d(x, input_projection_weight())));
}

TcnModelImpl::Output TcnModelImpl::forward(const InputEvents& x) {
  if (config_.input_projection == 0) return forward_after_first_conv(event_conv1d(x, first_weight(), convs_[0]->bias));
  // The projection is a kernel-1 convolution: each event adds its channel's
  // column of the projection to its own bin.
  const torch::Tensor weight = input_projection_weight();
  const torch::Tensor zero_bias = torch::zeros({config_.input_projection}, weight.options());
  return forward_after_first_conv(first_conv_on_projection(event_conv1d(x, weight, zero_bias)));
}

TcnModelImpl::Output TcnModelImpl::forward_after_first_conv(torch::Tensor first_conv_output) {
  namespace F = torch::nn::functional;
  std::vector<torch::Tensor> masks = std::move(dropout_masks_);
  dropout_masks_.clear();
  std::size_t layer = 0;
  auto drop = [&](const torch::Tensor& x) {
    const std::size_t i = layer++;
    if (!(config_.dropout > 0) || !is_training()) return x;
    if (i < masks.size()) {
      if (masks[i].sizes() != x.sizes())
        throw InputError("dropout mask of layer " + std::to_string(i) + " does not match its activations");
      return x * masks[i].to(x.device());
    }
    return F::dropout(x, F::DropoutFuncOptions().p(config_.dropout).training(true));
  };
  torch::Tensor h = drop(torch::relu(normalize(0, first_conv_output)));
  for (std::size_t i = 1; i < convs_.size(); ++i) {
    h = F::pad(h, F::PadFuncOptions({config_.kernel_ms - 1, 0}));
    h = drop(torch::relu(normalize(i, convs_[i]->forward(h))));
  }
  Output out{spike_head_->forward(h).squeeze(1),
             soma_head_->forward(config_.detach_soma_head ? h.detach() : h).squeeze(1), {}};
  if (dendrite_head_) out.dendrite = dendrite_head_->forward(h);
  return out;
}

torch::Tensor TcnModelImpl::normalize(std::size_t layer, const torch::Tensor& x) {
  if (group_ && group_->size() > 1 && is_training()) return synced_batch_norm(x, norms_[layer], *group_);
  return norms_[layer]->forward(x);
}

std::int64_t TcnModelImpl::parameter_count() const {
  std::int64_t n = 0;
  for (const auto& p : parameters())
    if (p.requires_grad()) n += p.numel();  // conv0's weight is derived when the first layer uses boxcars
  return n;
}

std::int64_t TcnModelImpl::macs_per_ms() const {
  std::int64_t macs = 0;
  const std::int64_t branches = config_.input_projection;
  if (branches > 0) macs += config_.input_channels * branches;
  for (int i = 0; i < config_.depth; ++i) {
    const std::int64_t in = i == 0 ? (branches > 0 ? branches : config_.input_channels) : config_.width;
    const std::int64_t k = i == 0 ? config_.first_kernel_ms : config_.kernel_ms;
    macs += in * config_.width * k;
  }
  return macs + (2 + config_.dendrite_outputs) * static_cast<std::int64_t>(config_.width);
}

std::pair<torch::Tensor, torch::Tensor> TcnModelImpl::folded_layer(int i) const {
  torch::NoGradGuard no_grad;
  const auto& conv = convs_.at(static_cast<std::size_t>(i));
  const auto& norm = norms_.at(static_cast<std::size_t>(i));
  // y = gamma (conv(x) - mean) / sqrt(var + eps) + beta
  const torch::Tensor scale = norm->weight / torch::sqrt(norm->running_var + norm->options.eps());
  torch::Tensor weight = (i == 0 ? first_weight() : conv->weight) * scale.view({-1, 1, 1});
  torch::Tensor bias = (conv->bias - norm->running_mean) * scale + norm->bias;
  return {weight.detach().clone(), bias.detach().clone()};
}

torch::Tensor TcnModelImpl::folded_boxcar_coefficients() const {
  if (!boxcar_coefficients_.defined()) return {};
  torch::NoGradGuard no_grad;
  const auto& norm = norms_.at(0);
  const torch::Tensor scale = norm->weight / torch::sqrt(norm->running_var + norm->options.eps());
  return (boxcar_coefficients_ * scale.view({-1, 1, 1})).detach().clone();
}

}  // namespace neurotwin
