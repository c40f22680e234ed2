#include "neurotwin/surrogate/glm_model.hpp"

#include <algorithm>
#include <cmath>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

int GlmConfig::receptive_field_ms() const {
  return windows_ms.empty() ? 1 : *std::max_element(windows_ms.begin(), windows_ms.end());
}

void GlmConfig::validate() const {
  if (windows_ms.empty()) throw InputError("glm.windows_ms: at least one window");
  for (int w : windows_ms)
    if (w < 1 || w > 10000) throw InputError("glm.windows_ms: every window must be in [1, 10000] ms");
  for (std::size_t i = 0; i < distance_edges_um.size(); ++i)
    if (!(distance_edges_um[i] > 0) || (i > 0 && !(distance_edges_um[i] > distance_edges_um[i - 1])))
      throw InputError("glm.distance_edges_um: positive and increasing");
  if (!(l2 >= 0)) throw InputError("glm.l2 must be >= 0");
  if (max_newton_iterations < 1) throw InputError("glm.max_newton_iterations must be >= 1");
}

InputPooling pool_inputs(const std::vector<SegmentInfo>& segments, const std::vector<double>& distance_edges_um) {
  const std::size_t bands = distance_edges_um.size() + 1;
  auto band_name = [&](std::size_t b) {
    auto um = [](double v) { return std::to_string(static_cast<long long>(std::lround(v))); };
    const std::string lo = b == 0 ? "0" : um(distance_edges_um[b - 1]);
    return b + 1 < bands ? lo + "-" + um(distance_edges_um[b]) + " um" : ">" + lo + " um";
  };
  // Candidate group (kind, tree, band) of every channel, then the non-empty
  // groups numbered in that order.
  const std::size_t segment_count = segments.size();
  std::vector<std::size_t> candidate(2 * segment_count);
  for (std::size_t s = 0; s < segment_count; ++s) {
    const SegmentInfo& seg = segments[s];
    const std::size_t tree = seg.tree == "apical" ? 1 : 0;
    const auto band = static_cast<std::size_t>(
        std::upper_bound(distance_edges_um.begin(), distance_edges_um.end(), seg.distance_um) - distance_edges_um.begin());
    candidate[s] = (0 * 2 + tree) * bands + band;
    candidate[segment_count + s] = (1 * 2 + tree) * bands + band;
  }
  std::vector<std::int64_t> number(4 * bands, -1);
  for (std::size_t c : candidate) number[c] = 0;
  InputPooling pooling;
  for (std::size_t g = 0; g < number.size(); ++g) {
    if (number[g] < 0) continue;
    number[g] = static_cast<std::int64_t>(pooling.group_names.size());
    const std::size_t kind = g / (2 * bands), tree = (g / bands) % 2, band = g % bands;
    pooling.group_names.push_back(std::string(kind == 0 ? "excitatory " : "inhibitory ") +
                                  (tree == 0 ? "basal " : "apical ") + band_name(band));
  }
  for (std::size_t c : candidate) pooling.group_of_channel.push_back(number[c]);
  return pooling;
}

std::vector<double> uniform_distance_edges_um(const std::vector<SegmentInfo>& segments, double band_um) {
  if (!(band_um > 0)) throw InputError("input pooling: the band width must be > 0 um");
  double farthest = 0;
  for (const SegmentInfo& s : segments) farthest = std::max(farthest, s.distance_um);
  std::vector<double> edges;
  for (double e = band_um; e < farthest; e += band_um) edges.push_back(e);
  return edges;
}

GlmModelImpl::GlmModelImpl(GlmConfig config, InputPooling pooling) : config_(std::move(config)), pooling_(std::move(pooling)) {
  config_.validate();
  if (pooling_.group_of_channel.empty()) throw InputError("glm: no input channels");
  const auto channels = static_cast<std::int64_t>(pooling_.group_of_channel.size());
  kernel_ = register_buffer("kernel", torch::zeros({2, channels, config_.receptive_field_ms()}));
  bias_ = register_buffer("bias", torch::zeros({2}));
  const std::int64_t f = feature_count();
  spike_beta_ = register_buffer("spike_beta", torch::zeros({f + 1}, torch::kFloat64));
  soma_beta_ = register_buffer("soma_beta", torch::zeros({f + 1}, torch::kFloat64));
  feature_mean_ = register_buffer("feature_mean", torch::zeros({f}, torch::kFloat64));
  feature_std_ = register_buffer("feature_std", torch::ones({f}, torch::kFloat64));
}

std::int64_t GlmModelImpl::feature_count() const {
  return static_cast<std::int64_t>(pooling_.group_names.size() * config_.windows_ms.size());
}

std::int64_t GlmModelImpl::macs_per_ms() const {
  return static_cast<std::int64_t>(pooling_.group_of_channel.size()) + feature_count() + 2 * feature_count();
}

void GlmModelImpl::set_coefficients(const torch::Tensor& spike_beta, const torch::Tensor& soma_beta,
                                    const torch::Tensor& feature_mean, const torch::Tensor& feature_std) {
  torch::NoGradGuard no_grad;
  const std::int64_t f = feature_count();
  if (spike_beta.numel() != f + 1 || soma_beta.numel() != f + 1 || feature_mean.numel() != f || feature_std.numel() != f)
    throw InputError("glm: coefficients of " + std::to_string(spike_beta.numel()) + " entries for " + std::to_string(f) +
                     " features");
  spike_beta_.copy_(spike_beta);
  soma_beta_.copy_(soma_beta);
  feature_mean_.copy_(feature_mean);
  feature_std_.copy_(feature_std);
  // logit(t) = b + sum_f beta_f (F_f(t) - mu_f) / sigma_f, with F_{g,w}(t) the
  // count of group g over bins t - w + 1 .. t: channel c of group g gets
  // weight sum_{w > lag} beta_{g,w} / sigma_{g,w} at every lag, i.e. kernel
  // index K - 1 - lag (the convolution's last tap is the current bin).
  const auto windows = static_cast<std::int64_t>(config_.windows_ms.size());
  const std::int64_t k = kernel_.size(2);
  const std::int64_t groups = static_cast<std::int64_t>(pooling_.group_names.size());
  torch::Tensor group_kernel = torch::zeros({2, groups, k}, torch::kFloat64);
  torch::Tensor intercept = torch::zeros({2}, torch::kFloat64);
  for (int row = 0; row < 2; ++row) {
    const torch::Tensor beta = (row == 0 ? spike_beta_ : soma_beta_).contiguous();
    const double* b = beta.data_ptr<double>();
    double c0 = b[f];
    for (std::int64_t g = 0; g < groups; ++g)
      for (std::int64_t wi = 0; wi < windows; ++wi) {
        const std::int64_t feature = g * windows + wi;
        const double scaled = b[feature] / feature_std_[feature].item<double>();
        c0 -= scaled * feature_mean_[feature].item<double>();
        const int w = config_.windows_ms[static_cast<std::size_t>(wi)];
        group_kernel[row][g].narrow(0, k - w, w).add_(scaled);
      }
    intercept[row] = c0;
  }
  const torch::Tensor index = torch::tensor(pooling_.group_of_channel, torch::kInt64);
  kernel_.copy_(group_kernel.index_select(1, index));
  bias_.copy_(intercept);
}

TcnModelImpl::Output GlmModelImpl::forward(const InputEvents& x) {
  if (x.channels != kernel_.size(1))
    throw InputError("glm: input of " + std::to_string(x.channels) + " channels, model of " + std::to_string(kernel_.size(1)));
  const torch::Tensor out = event_conv1d(x, kernel_, bias_);
  return {out.select(1, 0), out.select(1, 1), {}};
}

TcnModelImpl::Output GlmModelImpl::forward(const torch::Tensor& x) {
  namespace F = torch::nn::functional;
  const torch::Tensor out = torch::conv1d(F::pad(x, F::PadFuncOptions({kernel_.size(2) - 1, 0})), kernel_, bias_);
  return {out.select(1, 0), out.select(1, 1), {}};
}

void GlmModelImpl::save_to(torch::serialize::OutputArchive& archive) const {
  torch::serialize::OutputArchive buffers;
  save(buffers);
  archive.write("glm", buffers);
  archive.write("glm_windows_ms", torch::tensor(config_.windows_ms, torch::kInt64));
  archive.write("glm_distance_edges_um", torch::tensor(config_.distance_edges_um, torch::kFloat64));
  archive.write("glm_l2", torch::tensor(config_.l2, torch::kFloat64));
  archive.write("glm_group_of_channel", torch::tensor(pooling_.group_of_channel, torch::kInt64));
  std::string names;
  for (const std::string& n : pooling_.group_names) names += n + '\n';
  archive.write("glm_group_names", torch::tensor(std::vector<std::int64_t>(names.begin(), names.end()), torch::kInt64));
}

std::shared_ptr<GlmModelImpl> GlmModelImpl::load_from(torch::serialize::InputArchive& archive, const std::string& path) {
  auto read = [&](const char* key) {
    torch::Tensor t;
    archive.read(key, t);
    return t.contiguous();
  };
  GlmConfig config;
  const torch::Tensor windows = read("glm_windows_ms"), edges = read("glm_distance_edges_um");
  config.windows_ms.assign(windows.data_ptr<std::int64_t>(), windows.data_ptr<std::int64_t>() + windows.numel());
  config.distance_edges_um.assign(edges.data_ptr<double>(), edges.data_ptr<double>() + edges.numel());
  config.l2 = read("glm_l2").item<double>();
  InputPooling pooling;
  const torch::Tensor groups = read("glm_group_of_channel"), names = read("glm_group_names");
  pooling.group_of_channel.assign(groups.data_ptr<std::int64_t>(), groups.data_ptr<std::int64_t>() + groups.numel());
  std::string name;
  for (std::int64_t i = 0; i < names.numel(); ++i) {
    const auto ch = static_cast<char>(names.data_ptr<std::int64_t>()[i]);
    if (ch == '\n') {
      pooling.group_names.push_back(name);
      name.clear();
    } else {
      name += ch;
    }
  }
  for (std::int64_t g : pooling.group_of_channel)
    if (g < 0 || g >= static_cast<std::int64_t>(pooling.group_names.size()))
      throw InputError(path + ": malformed GLM (channel group out of range)");
  auto model = std::make_shared<GlmModelImpl>(config, pooling);
  torch::serialize::InputArchive buffers;
  archive.read("glm", buffers);
  model->load(buffers);
  return model;
}

}  // namespace neurotwin
