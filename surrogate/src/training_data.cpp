#include "neurotwin/surrogate/training_data.hpp"

#include <algorithm>
#include <cmath>

#include "neurotwin/datasets/dataset_reader.hpp"
#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

SurrogateData SurrogateData::load(const std::vector<std::string>& files, const TargetConventions& targets) {
  if (files.empty()) throw InputError("no dataset files given");
  SurrogateData data;
  data.files_ = files;
  for (const std::string& file : files) {
    DatasetReader reader(file);
    if (data.sims_.empty()) {
      data.inputs_ = reader.input_count();
      data.bins_ = reader.samples_per_simulation();
    } else if (reader.input_count() != data.inputs_ || reader.samples_per_simulation() != data.bins_) {
      throw InputError(file + ": " + std::to_string(reader.input_count()) + " inputs x " +
                       std::to_string(reader.samples_per_simulation()) + " ms does not match " + files.front() + " (" +
                       std::to_string(data.inputs_) + " x " + std::to_string(data.bins_) + ")");
    }
    if (targets.ignore_first_ms >= static_cast<double>(data.bins_))
      throw InputError(file + ": simulations of " + std::to_string(data.bins_) + " ms are not longer than ignore_first_ms (" +
                       std::to_string(targets.ignore_first_ms) + ")");
    for (std::size_t k = 0; k < reader.simulation_count(); ++k) {
      SurrogateSimulation sim;
      reader.read_inputs(k, sim.input_times_ms, sim.input_channels);
      if (!std::is_sorted(sim.input_times_ms.begin(), sim.input_times_ms.end()))
        throw InputError(file + ": input timestamps of simulation " + std::to_string(k) + " are not sorted");
      sim.soma_clipped_mV = reader.read_soma(k);
      for (float& v : sim.soma_clipped_mV) {
        if (!std::isfinite(v)) throw InputError(file + ": non-finite soma voltage in simulation " + std::to_string(k));
        v = std::min(v, static_cast<float>(targets.soma_clip_mV));
      }
      sim.spike_bins.assign(data.bins_, 0);
      for (double t : reader.read_spikes(k)) {
        const long bin = static_cast<long>(std::floor(t - 0.5));
        if (bin >= 0 && bin < static_cast<long>(data.bins_)) sim.spike_bins[static_cast<std::size_t>(bin)] = 1;
      }
      for (std::uint8_t s : sim.spike_bins) sim.spike_count += s;
      data.sims_.push_back(std::move(sim));
    }
  }
  return data;
}

double SurrogateData::mean_clipped_soma_mV(double ignore_first_ms) const {
  double sum = 0;
  std::size_t n = 0;
  const auto first = static_cast<std::size_t>(ignore_first_ms);
  for (const SurrogateSimulation& s : sims_)
    for (std::size_t t = first; t < s.soma_clipped_mV.size(); ++t) {
      sum += static_cast<double>(s.soma_clipped_mV[t]);
      ++n;
    }
  return n ? sum / static_cast<double>(n) : 0.0;
}

void SurrogateData::fill_dense(std::size_t k, long begin, long length, float* out) const {
  std::fill(out, out + static_cast<std::size_t>(length) * inputs_, 0.0f);
  const SurrogateSimulation& s = sims_.at(k);
  // Events are sorted by time: find the first at or after `begin`.
  const auto first = std::lower_bound(s.input_times_ms.begin(), s.input_times_ms.end(), static_cast<float>(begin));
  for (auto it = first; it != s.input_times_ms.end(); ++it) {
    const auto t = static_cast<long>(*it);
    if (t >= begin + length) break;
    const auto i = static_cast<std::size_t>(it - s.input_times_ms.begin());
    out[static_cast<std::size_t>(s.input_channels[i]) * static_cast<std::size_t>(length) + static_cast<std::size_t>(t - begin)] = 1.0f;
  }
}

}  // namespace neurotwin
