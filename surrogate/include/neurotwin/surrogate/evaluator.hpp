#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "neurotwin/surrogate/simulation_source.hpp"
#include "neurotwin/surrogate/tcn_model.hpp"
#include "neurotwin/surrogate/training_batch.hpp"

namespace neurotwin {

// The operating point of a spike predictor: the probability threshold that
// gives this false-positive rate on validation data.
inline constexpr double kOperatingFalsePositiveRate = 0.0025;
// Bootstrap replicates of the AUC interval in reported (test) scores.
inline constexpr int kAucBootstrapReplicates = 1000;
inline constexpr std::uint64_t kAucBootstrapSeed = 2021;

struct EvaluationMetrics {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  double spike_auc = 0;              // ROC AUC of 1-ms spike bins
  double spike_auc_ci_low = nan;     // bootstrap 95% interval over simulations (when asked for)
  double spike_auc_ci_high = nan;
  double tpr_at_fpr_0p25 = 0;        // true-positive rate at 0.25% false positives
  double tpr_at_fpr_1 = 0;           // at 1%
  double operating_threshold = nan;  // spike probability threshold chosen on validation data (when given)
  double operating_fpr = nan;        // false-positive and true-positive rate of bins at that threshold here
  double operating_tpr = nan;
  double spikes_within_2ms = nan;    // fraction of spikes with a bin at or above the threshold within +-2 ms
  double spikes_within_5ms = nan;
  double soma_rmse_mV = 0;           // clipped soma voltage
  double soma_explained_variance = 0;
  std::size_t simulations = 0;
  std::size_t bins = 0;              // 1-ms bins scored
  std::size_t spikes = 0;            // positive bins among them
};

// What scoring adds beyond the threshold-free metrics.
struct ScoringOptions {
  double operating_threshold = EvaluationMetrics::nan;  // NaN: no operating-point metrics
  int bootstrap_replicates = 0;                         // 0: no AUC interval
  std::uint64_t bootstrap_seed = kAucBootstrapSeed;
};

// A surrogate's outputs on whole simulations, every bin after the ignored
// transient, simulation after simulation.
struct SplitPredictions {
  std::vector<float> probability;
  std::vector<char> labels;
  std::vector<float> soma_predicted_mV, soma_target_mV;
  std::vector<std::size_t> bins_per_simulation;
};

// A surrogate's forward pass on event input (no gradients needed).
using EventForward = std::function<TcnModelImpl::Output(const InputEvents&)>;

// Runs `forward` over whole simulations, a few at a time.
SplitPredictions predict_forward(const EventForward& forward, double soma_bias_mV, const SimulationSource& data,
                                 const TargetConventions& targets);
EvaluationMetrics score_predictions(const SplitPredictions& predictions, const ScoringOptions& options = {});
// The spike probability at which `predictions` (validation data) have
// kOperatingFalsePositiveRate false positives.
double operating_threshold(const SplitPredictions& predictions);

// predict_forward + score_predictions.
EvaluationMetrics evaluate_forward(const EventForward& forward, double soma_bias_mV, const SimulationSource& data,
                                   const TargetConventions& targets, const ScoringOptions& options = {});

// The forward pass of a TCN (eval mode while it runs, no gradients; the input
// layer as given).
EventForward tcn_forward(TcnModel& model, torch::Device device, InputLayer layer = InputLayer::events);
EvaluationMetrics evaluate_tcn(TcnModel& model, double soma_bias_mV, const SimulationSource& data,
                               const TargetConventions& targets, torch::Device device,
                               InputLayer layer = InputLayer::events, const ScoringOptions& options = {});

}  // namespace neurotwin
