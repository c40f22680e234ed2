#include "neurotwin/surrogate/surrogate_stream.hpp"

#include <torch/script.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/exporter.hpp"

namespace neurotwin {

namespace fs = std::filesystem;

int StreamWeights::input_channels() const {
  if (projection.defined()) return static_cast<int>(projection.size(1));
  return weight.empty() ? 0 : static_cast<int>(weight.front().size(1));
}

int StreamWeights::receptive_field_ms() const {
  int rf = 1;
  for (const torch::Tensor& w : weight) rf += static_cast<int>(w.size(2)) - 1;
  return rf;
}

std::int64_t StreamWeights::dense_macs_per_ms() const {
  std::int64_t macs = 0;
  for (std::size_t i = 1; i < weight.size(); ++i) macs += weight[i].numel();
  return macs + 2 * weight.back().size(0);
}

bool StreamWeights::streams_boxcars() const {
  if (!first_boxcar_coefficients.defined() || !projection.defined()) return false;
  return torch::equal(projection, projection.round());
}

void StreamWeights::validate(const std::string& origin) const {
  auto fail = [&](const std::string& what) { throw InputError(origin + ": " + what); };
  if (weight.empty() || weight.size() != bias.size()) fail("no layers, or weights and biases of different counts");
  for (std::size_t i = 0; i < weight.size(); ++i) {
    const torch::Tensor& w = weight[i];
    if (w.dim() != 3 || bias[i].dim() != 1 || bias[i].size(0) != w.size(0))
      fail("layer " + std::to_string(i) + ": weight must be [out, in, k] and bias [out]");
    if (i > 0 && w.size(1) != weight[i - 1].size(0)) fail("layer " + std::to_string(i) + ": input width does not match");
  }
  if (first_boxcar_coefficients.defined()) {
    const torch::Tensor& c = first_boxcar_coefficients;
    const auto K0 = weight[0].size(2);
    if (c.dim() != 3 || c.size(0) != weight[0].size(0) || c.size(1) != weight[0].size(1) ||
        c.size(2) != static_cast<std::int64_t>(first_windows_ms.size()))
      fail("first_boxcar_coefficients must be [width, inputs, windows] with one entry of first_windows_ms per window");
    for (int w : first_windows_ms)
      if (w < 1 || w > K0) fail("first_windows_ms: " + std::to_string(w) + " is not in [1, first kernel]");
  }
  if (projection.defined() && (projection.dim() != 3 || projection.size(0) != weight[0].size(1) || projection.size(2) != 1))
    fail("projection must be [groups, channels, 1] with groups = the first layer's inputs");
  const auto width = weight.back().size(0);
  for (const torch::Tensor* head : {&spike_w, &soma_w})
    if (!head->defined() || head->dim() != 3 || head->size(0) != 1 || head->size(1) != width || head->size(2) != 1)
      fail("spike and soma heads must be [1, width, 1]");
  if (!spike_b.defined() || !soma_b.defined() || spike_b.numel() != 1 || soma_b.numel() != 1) fail("head biases must be scalars");
  if (dendrite_w.defined() || dendrite_b.defined() || dendrite_basis_mV.defined() || dendrite_mean_mV.defined()) {
    if (!dendrite_w.defined() || !dendrite_b.defined() || !dendrite_basis_mV.defined() || !dendrite_mean_mV.defined())
      fail("dendritic head incomplete (needs dendrite_w, dendrite_b, dendrite_basis_mV and dendrite_mean_mV)");
    const auto K = dendrite_w.size(0);
    if (dendrite_w.dim() != 3 || dendrite_w.size(1) != width || dendrite_w.size(2) != 1 || dendrite_b.dim() != 1 ||
        dendrite_b.size(0) != K || dendrite_basis_mV.dim() != 2 || dendrite_basis_mV.size(1) != K ||
        dendrite_mean_mV.dim() != 1 || dendrite_mean_mV.size(0) != dendrite_basis_mV.size(0))
      fail("dendritic head must be dendrite_w [K, width, 1], dendrite_b [K], dendrite_basis_mV [S, K], dendrite_mean_mV [S]");
  }
  if (!std::isfinite(soma_bias_mV) || !(operating_threshold >= 0 && operating_threshold <= 1))
    fail("soma bias not finite or operating threshold outside [0, 1]");
}

StreamWeights load_stream_weights(const std::string& path) {
  if (!fs::exists(path)) throw InputError(path + ": no such exported model");
  torch::jit::Module module;
  try {
    module = torch::jit::load(path, torch::kCPU);
  } catch (const c10::Error& e) {
    throw InputError(path + ": not a TorchScript export (" + std::string(e.what_without_backtrace()).substr(0, 200) + ")");
  }
  std::map<std::string, torch::Tensor> p;
  for (const auto& named : module.named_parameters(/*recurse=*/false)) p[named.name] = named.value.detach().to(torch::kFloat32).contiguous();
  auto need = [&](const std::string& name) {
    const auto it = p.find(name);
    if (it == p.end()) throw InputError(path + ": no parameter '" + name + "' (not a neurotwin TCN export)");
    return it->second;
  };
  StreamWeights w;
  if (p.count("projection")) w.projection = p["projection"];
  for (int i = 0; p.count("w" + std::to_string(i)); ++i) {
    w.weight.push_back(p["w" + std::to_string(i)]);
    w.bias.push_back(need("b" + std::to_string(i)));
  }
  if (p.count("first_boxcar_coefficients")) {
    w.first_boxcar_coefficients = p["first_boxcar_coefficients"];
    torch::Tensor windows;
    for (const auto& named : module.named_buffers(/*recurse=*/false))
      if (named.name == "first_windows_ms") windows = named.value.to(torch::kInt64).contiguous();
    if (!windows.defined()) throw InputError(path + ": first_boxcar_coefficients without the buffer first_windows_ms");
    for (std::int64_t i = 0; i < windows.numel(); ++i) w.first_windows_ms.push_back(static_cast<int>(windows[i].item<std::int64_t>()));
  }
  w.spike_w = need("spike_w");
  w.spike_b = need("spike_b");
  w.soma_w = need("soma_w");
  w.soma_b = need("soma_b");
  if (p.count("dendrite_w")) {
    w.dendrite_w = p["dendrite_w"];
    w.dendrite_b = need("dendrite_b");
    w.dendrite_basis_mV = need("dendrite_basis_mV");
    w.dendrite_mean_mV = need("dendrite_mean_mV");
  }
  if (module.hasattr("dendrite_clip_mV")) w.dendrite_clip_mV = module.attr("dendrite_clip_mV").toDouble();
  bool have_bias = false, have_threshold = false;
  if (module.hasattr("soma_bias_mV")) {
    w.soma_bias_mV = module.attr("soma_bias_mV").toDouble();
    have_bias = true;
  }
  if (module.hasattr("operating_threshold")) {
    w.operating_threshold = module.attr("operating_threshold").toDouble();
    have_threshold = true;
  }
  const std::string sidecar = sidecar_path(path);
  if ((!have_bias || !have_threshold) && fs::exists(sidecar)) {
    try {
      const YAML::Node y = YAML::LoadFile(sidecar);
      if (!have_bias && y["soma_bias_mV"]) {
        w.soma_bias_mV = y["soma_bias_mV"].as<double>();
        have_bias = true;
      }
      if (!have_threshold && y["operating_threshold"]) w.operating_threshold = y["operating_threshold"].as<double>();
    } catch (const YAML::Exception& e) {
      throw InputError(sidecar + ": unreadable (" + std::string(e.what()) + ")");
    }
  }
  if (!have_bias) throw InputError(path + ": no soma bias (attribute soma_bias_mV, or soma_bias_mV in " + sidecar + ")");
  w.validate(path);
  return w;
}

SurrogateStream::SurrogateStream(StreamWeights weights, int neurons, StreamOptions options)
    : weights_(std::move(weights)), neurons_(neurons), dendrites_(options.dendritic_voltages && weights_.has_dendrites()) {
  weights_.validate("surrogate stream");
  if (neurons < 1) throw InputError("surrogate stream: needs at least one neuron");
  torch::NoGradGuard no_grad;
  const torch::Tensor& w0 = weights_.weight[0];  // [U, G, K0]
  first_kernel_ = static_cast<int>(w0.size(2));
  // first_kernels_[g][j] = w0[:, g, K0 - 1 - j]: what an input at time t adds to the output at t + j.
  first_kernels_ = w0.flip({2}).permute({1, 2, 0}).contiguous();
  boxcars_ = weights_.streams_boxcars();
  if (boxcars_) {
    longest_window_ = *std::max_element(weights_.first_windows_ms.begin(), weights_.first_windows_ms.end());
    const torch::Tensor& c = weights_.first_boxcar_coefficients;  // [U, G, B]
    box_coefficients_ = c.reshape({c.size(0), -1}).t().contiguous();  // [G x B, U]
  }
  for (std::size_t i = 1; i < weights_.weight.size(); ++i) {
    const torch::Tensor& w = weights_.weight[i];  // [U_out, U_in, k]
    kernel_.push_back(static_cast<int>(w.size(2)));
    flat_weight_.push_back(w.permute({2, 1, 0}).reshape({w.size(2) * w.size(1), w.size(0)}).contiguous());
  }
  std::vector<torch::Tensor> head_w{weights_.spike_w.view({-1, 1}), weights_.soma_w.view({-1, 1})};
  std::vector<torch::Tensor> head_b{weights_.spike_b.view({1}), weights_.soma_b.view({1})};
  if (dendrites_) {
    head_w.push_back(weights_.dendrite_w.squeeze(2).t());  // [U, K]
    head_b.push_back(weights_.dendrite_b);
    dendrite_basis_t_ = weights_.dendrite_basis_mV.t().contiguous();
  }
  heads_w_ = torch::cat(head_w, 1).contiguous();
  heads_b_ = torch::cat(head_b).contiguous();
  reset();
}

void SurrogateStream::reset() {
  time_ms_ = 0;
  const auto U0 = weights_.weight[0].size(0);
  future_ = torch::zeros({boxcars_ ? 1 : first_kernel_, neurons_, U0});
  if (boxcars_) {
    const auto G = weights_.first_boxcar_coefficients.size(1), B = weights_.first_boxcar_coefficients.size(2);
    box_sums_ = torch::zeros({neurons_, G * B});
    pooled_ring_.assign(static_cast<std::size_t>(neurons_ * longest_window_ * G), 0.0f);
  }
  history_.clear();
  for (std::size_t i = 1; i < weights_.weight.size(); ++i)
    history_.push_back(torch::zeros({neurons_, 2 * kernel_[i - 1], weights_.weight[i].size(1)}));
  if (weights_.projection.defined()) projected_.assign(static_cast<std::size_t>(neurons_ * weights_.projection.size(0)), 0.0f);
  seen_.assign(static_cast<std::size_t>(neurons_), 0);
  out_.spike_probability.assign(static_cast<std::size_t>(neurons_), 0.0f);
  out_.spike.assign(static_cast<std::size_t>(neurons_), 0);
  out_.soma_v_mV.assign(static_cast<std::size_t>(neurons_), 0.0f);
  out_.dendritic_v_mV.assign(dendrites_ ? static_cast<std::size_t>(neurons_) * static_cast<std::size_t>(weights_.dendritic_segments()) : 0,
                             0.0f);
}

const StreamStep& SurrogateStream::step(const std::vector<std::pair<int, int>>& events) {
  torch::NoGradGuard no_grad;
  const int C = weights_.input_channels();
  const auto G = first_kernels_.size(0), U0 = first_kernels_.size(2);
  const int K0 = first_kernel_;
  const auto slot_now = static_cast<int>(time_ms_ % K0);
  float* future = future_.data_ptr<float>();
  const float* kernels = first_kernels_.data_ptr<float>();
  // Layer 0, event-driven: each (neuron, projected input) adds its kernel to the next K0 output steps.
  auto add_kernel = [&](int n, std::int64_t g, float amount) {
    for (int j = 0; j < K0; ++j) {
      float* dst = future + ((static_cast<std::int64_t>((slot_now + j) % K0) * neurons_ + n) * U0);
      const float* src = kernels + (g * K0 + j) * U0;
      for (std::int64_t u = 0; u < U0; ++u) dst[u] += amount * src[u];
    }
  };
  for (const auto& [n, c] : events)
    if (n < 0 || n >= neurons_ || c < 0 || c >= C)
      throw InputError("surrogate stream: event (neuron " + std::to_string(n) + ", channel " + std::to_string(c) +
                       ") outside " + std::to_string(neurons_) + " neurons x " + std::to_string(C) + " channels");
  if (boxcars_) {
    return step_boxcars(events);
  }
  if (!weights_.projection.defined()) {
    for (const auto& [n, c] : events) add_kernel(n, c, 1.0f);
  } else {
    // Project the events first (pooling: one group per channel), then add each nonzero group once.
    project_events(events);
    std::vector<float>& projected = projected_;
    for (int n : touched_) {
      for (std::int64_t g = 0; g < G; ++g) {
        float& a = projected[static_cast<std::size_t>(n * G + g)];
        if (a != 0.0f) add_kernel(n, g, a);
        a = 0.0f;
      }
      seen_[static_cast<std::size_t>(n)] = 0;
    }
  }
  torch::Tensor a = (future_[slot_now] + weights_.bias[0]).relu_();  // [N, U0]
  future_[slot_now].zero_();
  return finish_step(std::move(a));
}

void SurrogateStream::project_events(const std::vector<std::pair<int, int>>& events) {
  const int C = weights_.input_channels();
  const auto G = weights_.projection.size(0);
  const float* pp = weights_.projection.data_ptr<float>();  // [G, C, 1]
  touched_.clear();
  for (const auto& [n, c] : events) {
    if (!seen_[static_cast<std::size_t>(n)]) {
      seen_[static_cast<std::size_t>(n)] = 1;
      touched_.push_back(n);
    }
    for (std::int64_t g = 0; g < G; ++g) projected_[static_cast<std::size_t>(n * G + g)] += pp[g * C + c];
  }
}

const StreamStep& SurrogateStream::step_boxcars(const std::vector<std::pair<int, int>>& events) {
  // The pools' inputs of this step (event counts), then every window's running sum:
  // S_b(t) = S_b(t - 1) + x(t) - x(t - w_b), x(t - w_b) read from the ring before x(t) replaces the oldest entry.
  const auto G = weights_.projection.size(0);
  project_events(events);
  std::vector<float>& projected = projected_;
  for (int n : touched_) seen_[static_cast<std::size_t>(n)] = 0;  // every neuron's sums advance below
  const std::vector<int>& windows = weights_.first_windows_ms;
  const auto B = static_cast<std::int64_t>(windows.size());
  const std::int64_t L = longest_window_;
  const std::int64_t now = time_ms_ % L;
  float* sums = box_sums_.data_ptr<float>();
  for (int n = 0; n < neurons_; ++n) {
    float* ring = pooled_ring_.data() + static_cast<std::size_t>(n) * static_cast<std::size_t>(L * G);
    float* x_now = projected.data() + static_cast<std::size_t>(n * G);
    float* s_n = sums + static_cast<std::int64_t>(n) * G * B;
    for (std::int64_t b = 0; b < B; ++b) {
      const float* leaving = ring + ((time_ms_ - windows[static_cast<std::size_t>(b)]) % L + L) % L * G;
      for (std::int64_t g = 0; g < G; ++g) s_n[g * B + b] += x_now[g] - leaving[g];
    }
    float* slot = ring + now * G;
    for (std::int64_t g = 0; g < G; ++g) {
      slot[g] = x_now[g];
      x_now[g] = 0.0f;
    }
  }
  torch::Tensor a = torch::addmm(weights_.bias[0], box_sums_, box_coefficients_).relu_();  // [N, U0]
  return finish_step(std::move(a));
}

const StreamStep& SurrogateStream::finish_step(torch::Tensor a) {
  // Later layers: ring of the last k inputs, each written twice so the window is contiguous.
  for (std::size_t i = 0; i < history_.size(); ++i) {
    const int k = kernel_[i];
    const auto p = static_cast<std::int64_t>(time_ms_ % k);
    history_[i].select(1, p).copy_(a);
    history_[i].select(1, p + k).copy_(a);
    const torch::Tensor window = history_[i].narrow(1, p + 1, k).reshape({neurons_, -1});  // oldest first
    a = torch::addmm(weights_.bias[i + 1], window, flat_weight_[i]).relu_();
  }
  const torch::Tensor heads = torch::addmm(heads_b_, a, heads_w_).contiguous();  // [N, 2 (+ K)]
  const float* h = heads.data_ptr<float>();
  const std::int64_t stride = heads.size(1);
  for (int n = 0; n < neurons_; ++n) {
    const float p = 1.0f / (1.0f + std::exp(-h[stride * n]));
    out_.spike_probability[static_cast<std::size_t>(n)] = p;
    out_.spike[static_cast<std::size_t>(n)] = static_cast<double>(p) >= weights_.operating_threshold ? 1 : 0;
    out_.soma_v_mV[static_cast<std::size_t>(n)] =
        static_cast<float>(static_cast<double>(h[stride * n + 1]) + weights_.soma_bias_mV);
  }
  if (dendrites_) {
    // Every segment's voltage: mean + basis · z (z: this step's predicted components), written into the output.
    torch::Tensor v = torch::from_blob(out_.dendritic_v_mV.data(), {neurons_, weights_.dendritic_segments()});
    torch::addmm_out(v, weights_.dendrite_mean_mV, heads.narrow(1, 2, stride - 2), dendrite_basis_t_);
  }
  ++time_ms_;
  return out_;
}

}  // namespace neurotwin
