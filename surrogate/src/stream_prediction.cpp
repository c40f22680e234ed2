#include "neurotwin/surrogate/stream_prediction.hpp"

#include <algorithm>
#include <cmath>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

StreamedPrediction stream_simulation(SurrogateStream& stream, const SurrogateSimulation& simulation, std::size_t bins) {
  if (stream.neurons() != 1) throw InputError("stream_simulation: the stream must have one neuron");
  stream.reset();
  StreamedPrediction out;
  std::size_t next = 0;
  std::vector<std::pair<int, int>> events;
  const std::size_t S = stream.dendritic_voltages() ? static_cast<std::size_t>(stream.weights().dendritic_segments()) : 0;
  out.dendritic_segments = S;
  out.dendritic_v_mV.resize(S * bins);
  for (std::size_t t = 0; t < bins; ++t) {
    events.clear();
    while (next < simulation.input_times_ms.size() && static_cast<std::size_t>(simulation.input_times_ms[next]) <= t) {
      if (static_cast<std::size_t>(simulation.input_times_ms[next]) == t) events.emplace_back(0, simulation.input_channels[next]);
      ++next;
    }
    const StreamStep& s = stream.step(events);
    out.spike_probability.push_back(s.spike_probability[0]);
    out.spike.push_back(s.spike[0]);
    out.soma_v_mV.push_back(s.soma_v_mV[0]);
    for (std::size_t i = 0; i < S; ++i) out.dendritic_v_mV[i * bins + t] = s.dendritic_v_mV[i];
  }
  for (std::size_t t = 0; t < bins;) {
    if (!out.spike[t]) {
      ++t;
      continue;
    }
    std::size_t best = t;
    std::size_t end = t;
    while (end < bins && out.spike[end]) {
      if (out.spike_probability[end] > out.spike_probability[best]) best = end;
      ++end;
    }
    out.spike_times_ms.push_back(static_cast<double>(best) + 1.0);
    t = end;
  }
  return out;
}

EvaluationMetrics score_streamed(const StreamedPrediction& prediction, const SurrogateSimulation& simulation,
                                 const TargetConventions& targets, double operating_threshold) {
  SplitPredictions s;
  const std::size_t bins = std::min(prediction.spike_probability.size(), simulation.spike_bins.size());
  const auto first = static_cast<std::size_t>(targets.ignore_first_ms);
  for (std::size_t t = first; t < bins; ++t) {
    s.probability.push_back(prediction.spike_probability[t]);
    s.labels.push_back(static_cast<char>(simulation.spike_bins[t]));
    s.soma_predicted_mV.push_back(prediction.soma_v_mV[t]);
    s.soma_target_mV.push_back(simulation.soma_clipped_mV[t]);
  }
  s.bins_per_simulation.push_back(s.labels.size());
  ScoringOptions options;
  options.operating_threshold = operating_threshold;
  return score_predictions(s, options);
}

DendriticFit score_dendrites(const StreamedPrediction& prediction, const std::vector<float>& truth_mV, std::size_t first_bin,
                             double clip_mV) {
  const std::size_t S = prediction.dendritic_segments, T = prediction.soma_v_mV.size();
  if (S == 0) throw InputError("score_dendrites: the prediction has no dendritic voltages");
  if (truth_mV.size() != S * T)
    throw InputError("score_dendrites: " + std::to_string(truth_mV.size()) + " true values for " + std::to_string(S) +
                     " segments x " + std::to_string(T) + " ms");
  if (first_bin >= T) throw InputError("score_dendrites: nothing to score after bin " + std::to_string(first_bin));
  double sum = 0, sum2 = 0, err2 = 0;
  for (std::size_t i = 0; i < S; ++i)
    for (std::size_t t = first_bin; t < T; ++t) {
      const double y = std::min<double>(truth_mV[i * T + t], clip_mV);
      const double e = static_cast<double>(prediction.dendritic_v_mV[i * T + t]) - y;
      sum += y;
      sum2 += y * y;
      err2 += e * e;
    }
  const double n = static_cast<double>(S * (T - first_bin));
  const double variance = sum2 / n - (sum / n) * (sum / n);
  DendriticFit fit;
  fit.rmse_mV = std::sqrt(err2 / n);
  fit.explained_variance = variance > 0 ? 1 - (err2 / n) / variance : 0;
  return fit;
}

}  // namespace neurotwin
