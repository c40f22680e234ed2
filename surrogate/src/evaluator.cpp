#include "neurotwin/surrogate/evaluator.hpp"

#include "neurotwin/surrogate/metrics.hpp"

namespace neurotwin {

namespace {

// Puts a module in eval mode for the guard's lifetime.
class EvalModeGuard {
 public:
  explicit EvalModeGuard(TcnModel& model) : model_(model), was_training_(model->is_training()) { model_->eval(); }
  ~EvalModeGuard() {
    if (was_training_) model_->train();
  }
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;

 private:
  TcnModel& model_;
  bool was_training_;
};

}  // namespace

EventForward tcn_forward(TcnModel& model, torch::Device device, InputLayer layer) {
  return [&model, device, layer](const InputEvents& x) {
    const EvalModeGuard eval(model);
    return layer == InputLayer::events ? model->forward(x) : model->forward(x.to_dense(device));
  };
}

EvaluationMetrics evaluate_tcn(TcnModel& model, double soma_bias_mV, const SimulationSource& data,
                               const TargetConventions& targets, torch::Device device, InputLayer layer,
                               const ScoringOptions& options) {
  return evaluate_forward(tcn_forward(model, device, layer), soma_bias_mV, data, targets, options);
}

SplitPredictions predict_forward(const EventForward& forward, double soma_bias_mV, const SimulationSource& data,
                                 const TargetConventions& targets) {
  torch::NoGradGuard no_grad;
  const auto bins = static_cast<long>(data.bins());
  const auto channels = static_cast<long>(data.input_count());
  const auto first = static_cast<std::size_t>(targets.ignore_first_ms);
  SplitPredictions out;
  const std::size_t batch = 4;
  for (std::size_t k0 = 0; k0 < data.size(); k0 += batch) {
    const std::size_t n = std::min(batch, data.size() - k0);
    std::vector<SurrogateSimulation> sims;
    InputEventsBuilder events(static_cast<long>(n), channels, bins);
    for (std::size_t j = 0; j < n; ++j) {
      sims.push_back(data.simulation(k0 + j));
      const SurrogateSimulation& sim = sims.back();
      for (std::size_t i = 0; i < sim.input_times_ms.size(); ++i) {
        const auto t = static_cast<long>(sim.input_times_ms[i]);
        if (t >= 0 && t < bins) events.add(static_cast<long>(j), sim.input_channels[i], t);
      }
    }
    const InputEvents x = events.finish();
    const auto result = forward(x);
    const torch::Tensor p = torch::sigmoid(result.spike_logit).to(torch::kCPU).contiguous();
    const torch::Tensor v = (result.soma + soma_bias_mV).to(torch::kCPU).contiguous();
    for (std::size_t j = 0; j < n; ++j) {
      const SurrogateSimulation& sim = sims[j];
      const float* pj = p[static_cast<long>(j)].data_ptr<float>();
      const float* vj = v[static_cast<long>(j)].data_ptr<float>();
      for (std::size_t t = first; t < static_cast<std::size_t>(bins); ++t) {
        out.probability.push_back(pj[t]);
        out.labels.push_back(static_cast<char>(sim.spike_bins[t]));
        out.soma_predicted_mV.push_back(vj[t]);
        out.soma_target_mV.push_back(sim.soma_clipped_mV[t]);
      }
      out.bins_per_simulation.push_back(static_cast<std::size_t>(bins) - std::min(first, static_cast<std::size_t>(bins)));
    }
  }
  return out;
}

double operating_threshold(const SplitPredictions& predictions) {
  return threshold_at_fpr(predictions.probability, predictions.labels, kOperatingFalsePositiveRate);
}

EvaluationMetrics score_predictions(const SplitPredictions& s, const ScoringOptions& options) {
  EvaluationMetrics m;
  m.spike_auc = roc_auc(s.probability, s.labels);
  m.tpr_at_fpr_0p25 = tpr_at_fpr(s.probability, s.labels, 0.0025);
  m.tpr_at_fpr_1 = tpr_at_fpr(s.probability, s.labels, 0.01);
  m.soma_rmse_mV = rmse(s.soma_predicted_mV, s.soma_target_mV);
  m.soma_explained_variance = explained_variance(s.soma_predicted_mV, s.soma_target_mV);
  m.simulations = s.bins_per_simulation.size();
  m.bins = s.labels.size();
  for (char l : s.labels) m.spikes += static_cast<std::size_t>(l);
  if (options.bootstrap_replicates > 0) {
    const Interval ci = bootstrap_auc_interval(s.probability, s.labels, s.bins_per_simulation,
                                               options.bootstrap_replicates, 0.95, options.bootstrap_seed);
    m.spike_auc_ci_low = ci.low;
    m.spike_auc_ci_high = ci.high;
  }
  if (!std::isnan(options.operating_threshold)) {
    const double threshold = options.operating_threshold;
    m.operating_threshold = threshold;
    double tp = 0, fp = 0, negatives = 0;
    for (std::size_t i = 0; i < s.labels.size(); ++i) {
      const bool predicted = static_cast<double>(s.probability[i]) >= threshold;
      if (s.labels[i]) tp += predicted;
      else {
        negatives += 1;
        fp += predicted;
      }
    }
    const auto positives = static_cast<double>(m.spikes);
    m.operating_fpr = negatives > 0 ? fp / negatives : EvaluationMetrics::nan;
    m.operating_tpr = positives > 0 ? tp / positives : EvaluationMetrics::nan;
    m.spikes_within_2ms = fraction_detected_within(s.probability, s.labels, s.bins_per_simulation, threshold, 2);
    m.spikes_within_5ms = fraction_detected_within(s.probability, s.labels, s.bins_per_simulation, threshold, 5);
  }
  return m;
}

EvaluationMetrics evaluate_forward(const EventForward& forward, double soma_bias_mV, const SimulationSource& data,
                                   const TargetConventions& targets, const ScoringOptions& options) {
  return score_predictions(predict_forward(forward, soma_bias_mV, data, targets), options);
}

}  // namespace neurotwin
