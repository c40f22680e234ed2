#include "neurotwin/surrogate/reference_simulations.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "neurotwin/datasets/reference_file.hpp"
#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

namespace {

SurrogateSimulation to_simulation(const ReferenceRecording& r, std::size_t synapse_segments, std::size_t bins,
                                  const TargetConventions& targets) {
  SurrogateSimulation sim;
  const auto S = static_cast<std::int64_t>(synapse_segments);
  std::vector<std::pair<float, std::int32_t>> events;
  auto add = [&](const std::vector<std::int64_t>& segments, const std::vector<double>& times, std::int64_t offset,
                 const char* kind) {
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (segments[i] < 0 || segments[i] >= S)
        throw InputError(r.path + ": " + kind + " input on segment " + std::to_string(segments[i]) +
                         ", but the model has " + std::to_string(S) + " synapse segments");
      events.emplace_back(static_cast<float>(times[i]), static_cast<std::int32_t>(offset + segments[i]));
    }
  };
  add(r.ex_segment, r.ex_time_ms, 0, "excitatory");
  add(r.inh_segment, r.inh_time_ms, S, "inhibitory");
  std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [t, channel] : events) {
    sim.input_times_ms.push_back(t);
    sim.input_channels.push_back(channel);
  }
  // The soma at t = 0, 1, ... ms (as datasets store it), clipped.
  sim.soma_clipped_mV = r.soma_at_whole_ms(bins);
  for (std::size_t t = 0; t < bins; ++t) {
    float& v = sim.soma_clipped_mV[t];
    if (!std::isfinite(v)) throw InputError(r.path + ": non-finite soma voltage at " + std::to_string(t) + " ms");
    v = std::min(v, static_cast<float>(targets.soma_clip_mV));
  }
  sim.spike_bins.assign(bins, 0);
  for (double t : r.dataset_spike_times_ms()) {
    const long bin = spike_bin(t);
    if (bin >= 0 && bin < static_cast<long>(bins)) sim.spike_bins[static_cast<std::size_t>(bin)] = 1;
  }
  sim.spike_count = std::accumulate(sim.spike_bins.begin(), sim.spike_bins.end(), std::size_t{0});
  return sim;
}

}  // namespace

ReferenceSimulations ReferenceSimulations::open(const std::vector<std::string>& files, std::size_t synapse_segments,
                                                const TargetConventions& targets) {
  if (files.empty()) throw InputError("no reference files given");
  ReferenceSimulations out;
  out.inputs_ = 2 * synapse_segments;
  for (const std::string& file : files) {
    const ReferenceRecording r = read_reference_file(file);
    if (!r.has_inputs) throw InputError(file + ": no inputs/ex_segment (not a synaptic-input run)");
    const double duration = r.duration_ms > 0 ? r.duration_ms
                                              : static_cast<double>(r.soma_v_mV.size() - 1) * r.sample_dt_ms;
    const auto bins = static_cast<std::size_t>(std::floor(duration + 1e-9));
    if (out.simulations_.empty()) {
      out.bins_ = bins;
      if (static_cast<double>(bins) <= targets.ignore_first_ms)
        throw InputError(file + ": a run of " + std::to_string(bins) + " ms is not longer than ignore_first_ms (" +
                         std::to_string(targets.ignore_first_ms) + ")");
    } else if (bins != out.bins_) {
      throw InputError(file + ": " + std::to_string(bins) + " ms, but " + files.front() + " has " +
                       std::to_string(out.bins_) + " ms (score files of one duration together)");
    }
    out.simulations_.push_back(to_simulation(r, synapse_segments, bins, targets));
    out.files_.push_back(file);
  }
  return out;
}

}  // namespace neurotwin
