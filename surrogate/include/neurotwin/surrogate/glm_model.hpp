#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "neurotwin/datasets/dataset_schema.hpp"
#include "neurotwin/surrogate/input_events.hpp"
#include "neurotwin/surrogate/tcn_model.hpp"

namespace neurotwin {

// The baseline every network must beat: a linear-nonlinear model (GLM) of
// pooled inputs. The input channels are pooled into groups (excitatory or
// inhibitory x basal or apical tree x path-distance band); each group's input
// count over the last w ms (bins t - w + 1 .. t, for every w in windows_ms) is
// a feature, standardized on the training data. The spike probability is a
// logistic regression on the features, the clipped soma voltage a ridge
// regression, both fitted exactly (Newton's method, normal equations).
struct GlmConfig {
  std::vector<double> distance_edges_um{200, 600};     // bands [0, 200), [200, 600), [600, inf) um
  std::vector<int> windows_ms{2, 5, 10, 20, 50, 100};  // counting windows, ms
  double l2 = 1.0;  // penalty 0.5 l2 |beta|^2 on the standardized coefficients (scikit-learn's C = 1 / l2)
  int max_newton_iterations = 50;

  int receptive_field_ms() const;  // the longest window
  void validate() const;           // throws InputError
};

// Which group each input channel is pooled into; empty groups are dropped.
struct InputPooling {
  std::vector<std::int64_t> group_of_channel;  // one per input channel (2 x segments)
  std::vector<std::string> group_names;        // e.g. "excitatory apical 200-600 um"
};
// Channel s < S is the excitatory synapse on segment s, S + s the inhibitory
// one (datasets/SCHEMA.md).
InputPooling pool_inputs(const std::vector<SegmentInfo>& segments, const std::vector<double>& distance_edges_um);
// Band edges every band_um below the farthest segment: band_um, 2 band_um, ...
std::vector<double> uniform_distance_edges_um(const std::vector<SegmentInfo>& segments, double band_um);

// A fitted GLM, held as the one causal convolution it equals: kernel
// [2, C, K] (row 0 the spike logit, row 1 the soma voltage minus the bias;
// K = the longest window) and bias [2]; every channel of a group shares the
// group's kernel, a sum of boxcars. Runs on input events like a TCN's first
// layer and returns the TCN's outputs, so the same evaluation applies.
class GlmModelImpl : public torch::nn::Module {
 public:
  GlmModelImpl(GlmConfig config, InputPooling pooling);

  TcnModelImpl::Output forward(const InputEvents& x);
  TcnModelImpl::Output forward(const torch::Tensor& x);  // dense [B, C, T]

  const GlmConfig& config() const { return config_; }
  const InputPooling& pooling() const { return pooling_; }
  std::int64_t feature_count() const;
  // Fitted coefficients: spike and soma, one per feature plus an intercept.
  std::int64_t parameter_count() const { return 2 * (feature_count() + 1); }
  // Per ms: pooling every channel, updating every window's running count,
  // two dot products over the features.
  std::int64_t macs_per_ms() const;

  // Sets the kernel from coefficients on the standardized features
  // (feature f = group f / W, window f % W; the last entry the intercept).
  void set_coefficients(const torch::Tensor& spike_beta, const torch::Tensor& soma_beta, const torch::Tensor& feature_mean,
                        const torch::Tensor& feature_std);
  const torch::Tensor& spike_coefficients() const { return spike_beta_; }
  const torch::Tensor& soma_coefficients() const { return soma_beta_; }

  void save_to(torch::serialize::OutputArchive& archive) const;
  static std::shared_ptr<GlmModelImpl> load_from(torch::serialize::InputArchive& archive, const std::string& path);

 private:
  GlmConfig config_;
  InputPooling pooling_;
  torch::Tensor kernel_, bias_;  // the equivalent convolution
  torch::Tensor spike_beta_, soma_beta_, feature_mean_, feature_std_;  // float64, as fitted
};
TORCH_MODULE(GlmModel);

struct TargetConventions;
class SurrogateData;

struct GlmFitReport {
  int newton_iterations = 0;
  std::int64_t training_bins = 0;
  double wall_seconds = 0;
};

// Fits the GLM on every bin after targets.ignore_first_ms of every training
// simulation. `progress` (optional) is told each Newton iteration.
GlmModel fit_glm(const GlmConfig& config, const SurrogateData& train, const TargetConventions& targets,
                 double soma_bias_mV, GlmFitReport* report = nullptr,
                 const std::function<void(int iteration, double penalized_nll)>& progress = {});

}  // namespace neurotwin
