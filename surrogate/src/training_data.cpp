#include "neurotwin/surrogate/training_data.hpp"

#include <algorithm>
#include <cmath>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

long spike_bin(double t_ms) { return static_cast<long>(std::floor(t_ms - 0.5)); }

SurrogateData SurrogateData::open(const std::vector<std::string>& files, const TargetConventions& targets) {
  if (files.empty()) throw InputError("no dataset files given");
  SurrogateData data;
  data.files_ = files;
  data.targets_ = targets;
  for (const std::string& file : files) {
    auto reader = std::make_shared<DatasetReader>(file);
    if (data.readers_.empty()) {
      data.inputs_ = reader->input_count();
      data.bins_ = reader->samples_per_simulation();
    } else if (reader->input_count() != data.inputs_ || reader->samples_per_simulation() != data.bins_) {
      throw InputError(file + ": " + std::to_string(reader->input_count()) + " inputs x " +
                       std::to_string(reader->samples_per_simulation()) + " ms does not match " + files.front() + " (" +
                       std::to_string(data.inputs_) + " x " + std::to_string(data.bins_) + ")");
    }
    if (targets.ignore_first_ms >= static_cast<double>(data.bins_))
      throw InputError(file + ": simulations of " + std::to_string(data.bins_) + " ms are not longer than ignore_first_ms (" +
                       std::to_string(targets.ignore_first_ms) + ")");
    data.first_.push_back(data.total_);
    data.total_ += reader->simulation_count();
    data.readers_.push_back(std::move(reader));
  }
  return data;
}

SurrogateData SurrogateData::head(std::size_t n) const {
  if (n == 0 || n > total_)
    throw InputError("the first " + std::to_string(n) + " simulations of " + std::to_string(total_) + " asked for (" +
                     files_.front() + ")");
  SurrogateData data = *this;
  data.total_ = n;
  while (data.first_.size() > 1 && data.first_.back() >= n) {
    data.first_.pop_back();
    data.readers_.pop_back();
    data.files_.pop_back();
  }
  return data;
}

std::pair<const DatasetReader*, std::size_t> SurrogateData::locate(std::size_t k) const {
  if (k >= total_) throw InputError("simulation " + std::to_string(k) + " out of range (" + std::to_string(total_) + ")");
  const auto i = static_cast<std::size_t>(std::upper_bound(first_.begin(), first_.end(), k) - first_.begin()) - 1;
  return {readers_[i].get(), k - first_[i]};
}

SurrogateSimulation SurrogateData::simulation(std::size_t k) const {
  const auto [reader, row] = locate(k);
  SurrogateSimulation sim;
  reader->read_inputs(row, sim.input_times_ms, sim.input_channels);
  if (!std::is_sorted(sim.input_times_ms.begin(), sim.input_times_ms.end()))
    throw InputError(reader->path() + ": input timestamps of simulation " + std::to_string(row) + " are not sorted");
  sim.soma_clipped_mV = reader->read_soma(row);
  for (float& v : sim.soma_clipped_mV) {
    if (!std::isfinite(v)) throw InputError(reader->path() + ": non-finite soma voltage in simulation " + std::to_string(row));
    v = std::min(v, static_cast<float>(targets_.soma_clip_mV));
  }
  sim.spike_bins = spike_target(k);
  for (std::uint8_t s : sim.spike_bins) sim.spike_count += s;
  return sim;
}

std::size_t SurrogateData::spike_count(std::size_t k) const {
  const auto [reader, row] = locate(k);
  return reader->read_spikes(row).size();
}

double SurrogateData::mean_clipped_soma_mV() const {
  double sum = 0;
  std::size_t n = 0;
  const auto first = static_cast<std::size_t>(targets_.ignore_first_ms);
  for (std::size_t k = 0; k < total_; ++k) {
    const auto [reader, row] = locate(k);
    for (float v : reader->read_soma(row, first, bins_ - first)) {
      sum += std::min(static_cast<double>(v), targets_.soma_clip_mV);
      ++n;
    }
  }
  return n ? sum / static_cast<double>(n) : 0.0;
}

std::vector<std::uint8_t> SurrogateData::spike_target(std::size_t k) const {
  const auto [reader, row] = locate(k);
  std::vector<std::uint8_t> bins(bins_, 0);
  for (double t : reader->read_spikes(row)) {
    const long bin = spike_bin(t);
    if (bin >= 0 && bin < static_cast<long>(bins_)) bins[static_cast<std::size_t>(bin)] = 1;
  }
  return bins;
}

double SurrogateData::spike_bin_fraction() const {
  const auto first = static_cast<std::size_t>(targets_.ignore_first_ms);
  std::size_t spikes = 0;
  for (std::size_t k = 0; k < total_; ++k) {
    const std::vector<std::uint8_t> bins = spike_target(k);
    for (std::size_t t = first; t < bins_; ++t) spikes += bins[t];
  }
  const double scored = static_cast<double>(total_) * static_cast<double>(bins_ - first);
  return scored > 0 ? static_cast<double>(spikes) / scored : 0.0;
}

}  // namespace neurotwin
