#include "neurotwin/surrogate/tcn_model.hpp"

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

void TcnConfig::validate() const {
  if (input_channels < 1) throw InputError("model: input_channels must be >= 1");
  if (depth < 1 || depth > 64) throw InputError("model: depth must be in [1, 64]");
  if (width < 1 || width > 4096) throw InputError("model: width must be in [1, 4096]");
  if (first_kernel_ms < 1 || first_kernel_ms > 1000) throw InputError("model: first_kernel_ms must be in [1, 1000]");
  if (kernel_ms < 1 || kernel_ms > 1000) throw InputError("model: kernel_ms must be in [1, 1000]");
  if (dendrite_outputs < 0 || dendrite_outputs > 4096) throw InputError("model: dendrite_outputs must be in [0, 4096]");
}

TcnModelImpl::TcnModelImpl(const TcnConfig& config) : config_(config) {
  config_.validate();
  for (int i = 0; i < config_.depth; ++i) {
    const int in = i == 0 ? config_.input_channels : config_.width;
    const int k = i == 0 ? config_.first_kernel_ms : config_.kernel_ms;
    convs_.push_back(register_module("conv" + std::to_string(i),
                                     torch::nn::Conv1d(torch::nn::Conv1dOptions(in, config_.width, k))));
    norms_.push_back(register_module("norm" + std::to_string(i), torch::nn::BatchNorm1d(config_.width)));
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

TcnModelImpl::Output TcnModelImpl::forward(const torch::Tensor& x) {
  namespace F = torch::nn::functional;
  // Causal: pad k-1 bins on the left only, so bin t sees bins t-k+1 .. t.
  return forward_after_first_conv(convs_[0]->forward(F::pad(x, F::PadFuncOptions({config_.first_kernel_ms - 1, 0}))));
}

TcnModelImpl::Output TcnModelImpl::forward(const InputEvents& x) {
  return forward_after_first_conv(event_conv1d(x, convs_[0]->weight, convs_[0]->bias));
}

TcnModelImpl::Output TcnModelImpl::forward_after_first_conv(torch::Tensor first_conv_output) {
  namespace F = torch::nn::functional;
  torch::Tensor h = torch::relu(normalize(0, first_conv_output));
  for (std::size_t i = 1; i < convs_.size(); ++i) {
    h = F::pad(h, F::PadFuncOptions({config_.kernel_ms - 1, 0}));
    h = torch::relu(normalize(i, convs_[i]->forward(h)));
  }
  Output out{spike_head_->forward(h).squeeze(1), soma_head_->forward(h).squeeze(1), {}};
  if (dendrite_head_) out.dendrite = dendrite_head_->forward(h);
  return out;
}

torch::Tensor TcnModelImpl::normalize(std::size_t layer, const torch::Tensor& x) {
  if (group_ && group_->size() > 1 && is_training()) return synced_batch_norm(x, norms_[layer], *group_);
  return norms_[layer]->forward(x);
}

std::int64_t TcnModelImpl::parameter_count() const {
  std::int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

std::int64_t TcnModelImpl::macs_per_ms() const {
  std::int64_t macs = 0;
  for (int i = 0; i < config_.depth; ++i) {
    const std::int64_t in = i == 0 ? config_.input_channels : config_.width;
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
  torch::Tensor weight = conv->weight * scale.view({-1, 1, 1});
  torch::Tensor bias = (conv->bias - norm->running_mean) * scale + norm->bias;
  return {weight.detach().clone(), bias.detach().clone()};
}

}  // namespace neurotwin
