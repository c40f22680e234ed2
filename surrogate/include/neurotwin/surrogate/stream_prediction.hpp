#pragma once
#include <cstdint>
#include <vector>

#include "neurotwin/surrogate/evaluator.hpp"
#include "neurotwin/surrogate/simulation_source.hpp"
#include "neurotwin/surrogate/surrogate_stream.hpp"

namespace neurotwin {

// A surrogate's outputs over one simulation, bin by bin.
struct StreamedPrediction {
  std::vector<float> spike_probability;  // bin t: a spike in t + 0.5 .. t + 1.5 ms
  std::vector<std::uint8_t> spike;       // probability >= the operating threshold
  std::vector<float> soma_v_mV;
  // [S x bins], segment-major: every input segment's voltage (mV), when the
  // stream computes dendritic voltages; else empty.
  std::vector<float> dendritic_v_mV;
  std::size_t dendritic_segments = 0;
  // One predicted spike per run of bins at or above the threshold: at t + 1 ms of the run's most probable bin.
  std::vector<double> spike_times_ms;
};

// Streams the simulation's input events through `stream` (reset first; one
// neuron) for `bins` ms.
StreamedPrediction stream_simulation(SurrogateStream& stream, const SurrogateSimulation& simulation, std::size_t bins);

// Scores a prediction against the simulation's targets after
// targets.ignore_first_ms: AUC, TPR, soma RMSE, explained variance, and the
// operating point (the stream's threshold) with spike timing.
EvaluationMetrics score_streamed(const StreamedPrediction& prediction, const SurrogateSimulation& simulation,
                                 const TargetConventions& targets, double operating_threshold);

// How well predicted dendritic voltages match the truth ([S x bins], segment-
// major, clipped from above at clip_mV as the head's targets were) after
// first_bin: root-mean-square error and explained variance over all segments.
struct DendriticFit {
  double rmse_mV = 0;
  double explained_variance = 0;
};
DendriticFit score_dendrites(const StreamedPrediction& prediction, const std::vector<float>& truth_mV, std::size_t first_bin,
                             double clip_mV);

}  // namespace neurotwin
