#include "neurotwin/surrogate/evaluator.hpp"

#include "neurotwin/surrogate/metrics.hpp"

namespace neurotwin {

EvaluationMetrics evaluate_tcn(TcnModel& model, double soma_bias_mV, const SurrogateData& data,
                               const TargetConventions& targets, torch::Device device, InputLayer layer) {
  const bool was_training = model->is_training();
  model->eval();
  const EvaluationMetrics m = evaluate_forward(
      [&](const InputEvents& x) { return layer == InputLayer::events ? model->forward(x) : model->forward(x.to_dense(device)); },
      soma_bias_mV, data, targets);
  if (was_training) model->train();
  return m;
}

EvaluationMetrics evaluate_forward(const EventForward& forward, double soma_bias_mV, const SurrogateData& data,
                                   const TargetConventions& targets) {
  torch::NoGradGuard no_grad;
  const auto bins = static_cast<long>(data.bins());
  const auto channels = static_cast<long>(data.input_count());
  const auto first = static_cast<std::size_t>(targets.ignore_first_ms);
  std::vector<float> probability, soma_predicted, soma_target;
  std::vector<char> labels;
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
    const auto out = forward(x);
    const torch::Tensor p = torch::sigmoid(out.spike_logit).to(torch::kCPU).contiguous();
    const torch::Tensor v = (out.soma + soma_bias_mV).to(torch::kCPU).contiguous();
    for (std::size_t j = 0; j < n; ++j) {
      const SurrogateSimulation& sim = sims[j];
      const float* pj = p[static_cast<long>(j)].data_ptr<float>();
      const float* vj = v[static_cast<long>(j)].data_ptr<float>();
      for (std::size_t t = first; t < static_cast<std::size_t>(bins); ++t) {
        probability.push_back(pj[t]);
        labels.push_back(static_cast<char>(sim.spike_bins[t]));
        soma_predicted.push_back(vj[t]);
        soma_target.push_back(sim.soma_clipped_mV[t]);
      }
    }
  }
  EvaluationMetrics m;
  m.spike_auc = roc_auc(probability, labels);
  m.tpr_at_fpr_0p25 = tpr_at_fpr(probability, labels, 0.0025);
  m.tpr_at_fpr_1 = tpr_at_fpr(probability, labels, 0.01);
  m.soma_rmse_mV = rmse(soma_predicted, soma_target);
  m.soma_explained_variance = explained_variance(soma_predicted, soma_target);
  m.bins = labels.size();
  for (char l : labels) m.spikes += static_cast<std::size_t>(l);
  return m;
}

}  // namespace neurotwin
