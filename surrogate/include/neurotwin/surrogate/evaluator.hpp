#pragma once
#include <cstddef>
#include <functional>

#include "neurotwin/surrogate/tcn_model.hpp"
#include "neurotwin/surrogate/training_batch.hpp"
#include "neurotwin/surrogate/training_data.hpp"

namespace neurotwin {

struct EvaluationMetrics {
  double spike_auc = 0;              // ROC AUC of 1-ms spike bins
  double tpr_at_fpr_0p25 = 0;        // true-positive rate at 0.25% false positives
  double tpr_at_fpr_1 = 0;           // at 1%
  double soma_rmse_mV = 0;           // clipped soma voltage
  double soma_explained_variance = 0;
  std::size_t bins = 0;              // 1-ms bins scored
  std::size_t spikes = 0;            // positive bins among them
};

// A surrogate's forward pass on event input (no gradients needed).
using EventForward = std::function<TcnModelImpl::Output(const InputEvents&)>;

// Runs `forward` over whole simulations, read a few at a time, and scores
// every bin after targets.ignore_first_ms.
EvaluationMetrics evaluate_forward(const EventForward& forward, double soma_bias_mV, const SurrogateData& data,
                                   const TargetConventions& targets);

// The same for a TCN (eval mode, no gradients; the input layer as given).
EvaluationMetrics evaluate_tcn(TcnModel& model, double soma_bias_mV, const SurrogateData& data,
                               const TargetConventions& targets, torch::Device device,
                               InputLayer layer = InputLayer::events);

}  // namespace neurotwin
