#include "neurotwin/datasets/dataset_inspection.hpp"

#include <cmath>
#include <filesystem>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

DatasetStats dataset_stats(const DatasetReader& reader) {
  DatasetStats s;
  const DatasetHeader& h = reader.header();
  s.simulations = reader.simulation_count();
  s.simulated_seconds = static_cast<double>(s.simulations) * h.duration_ms / 1000.0;
  const std::size_t n = h.segments.size();
  std::size_t basal = 0, apical = 0;
  for (const SegmentInfo& seg : h.segments) (seg.tree == "apical" ? apical : basal) += 1;
  double counts[4] = {0, 0, 0, 0};  // basal ex, basal inh, apical ex, apical inh
  double isi_sum = 0, isi_sq = 0;
  std::vector<float> times;
  std::vector<std::int32_t> channels;
  for (std::size_t k = 0; k < s.simulations; ++k) {
    reader.read_inputs(k, times, channels);
    for (std::int32_t c : channels) {
      const auto seg = static_cast<std::size_t>(c) % n;
      const bool inhibitory = static_cast<std::size_t>(c) >= n;
      const bool is_apical = h.segments[seg].tree == "apical";
      counts[(is_apical ? 2 : 0) + (inhibitory ? 1 : 0)] += 1;
    }
    const std::vector<double> spikes = reader.read_spikes(k);
    s.output_spikes += spikes.size();
    if (spikes.empty()) ++s.simulations_without_spikes;
    for (std::size_t i = 1; i < spikes.size(); ++i) {
      const double isi = spikes[i] - spikes[i - 1];
      isi_sum += isi;
      isi_sq += isi * isi;
      ++s.isi_count;
    }
  }
  const double seconds = s.simulated_seconds;
  if (seconds > 0) {
    s.output_rate_hz = static_cast<double>(s.output_spikes) / seconds;
    auto per_synapse = [&](double count, std::size_t synapses) { return synapses ? count / (seconds * static_cast<double>(synapses)) : 0.0; };
    s.basal_excitatory_hz = per_synapse(counts[0], basal);
    s.basal_inhibitory_hz = per_synapse(counts[1], basal);
    s.apical_excitatory_hz = per_synapse(counts[2], apical);
    s.apical_inhibitory_hz = per_synapse(counts[3], apical);
    const double per_100ms = 1.0 / (seconds * 10.0);
    s.basal_excitatory_per_100ms = counts[0] * per_100ms;
    s.basal_inhibitory_per_100ms = counts[1] * per_100ms;
    s.apical_excitatory_per_100ms = counts[2] * per_100ms;
    s.apical_inhibitory_per_100ms = counts[3] * per_100ms;
  }
  if (s.isi_count > 1) {
    const double mean = isi_sum / static_cast<double>(s.isi_count);
    const double var = isi_sq / static_cast<double>(s.isi_count) - mean * mean;
    s.isi_cv = mean > 0 ? std::sqrt(std::max(0.0, var)) / mean : 0.0;
  }
  s.file_bytes = std::filesystem::file_size(reader.path());
  s.bytes_per_simulated_second = seconds > 0 ? static_cast<double>(s.file_bytes) / seconds : 0.0;
  return s;
}

void verify_dataset(const DatasetReader& reader) {
  const DatasetHeader& h = reader.header();
  const double duration = h.duration_ms;
  const std::size_t inputs = reader.input_count();
  auto fail = [&](std::size_t k, const std::string& what) {
    throw InputError(reader.path() + ": simulation " + std::to_string(k) + ": " + what);
  };
  for (std::size_t k = 0; k < reader.simulation_count(); ++k) {
    const SimulationRecord r = reader.read(k);
    for (std::size_t i = 0; i < r.input_times_ms.size(); ++i) {
      const float t = r.input_times_ms[i];
      if (!(t >= 0.0f) || !(static_cast<double>(t) < duration)) fail(k, "input time " + std::to_string(t) + " ms outside [0, duration)");
      if (i > 0 && t < r.input_times_ms[i - 1]) fail(k, "input timestamps are not sorted");
      if (r.input_channels[i] < 0 || static_cast<std::size_t>(r.input_channels[i]) >= inputs)
        fail(k, "input channel " + std::to_string(r.input_channels[i]) + " out of range");
    }
    for (std::size_t i = 0; i < r.output_spike_times_ms.size(); ++i) {
      const double t = r.output_spike_times_ms[i];
      if (!(t >= 0) || !(t < duration)) fail(k, "output spike time outside [0, duration)");
      if (i > 0 && t <= r.output_spike_times_ms[i - 1]) fail(k, "output spike times are not increasing");
    }
    for (const auto* trace : {&r.soma_v_mV, &r.soma_v_8perms_mV, &r.dendrite_v_mV})
      for (float v : *trace)
        if (!std::isfinite(v)) fail(k, "non-finite voltage");
    for (std::uint16_t bits : r.segment_v_f16)
      if ((bits & 0x7c00u) == 0x7c00u) fail(k, "non-finite voltage in dendritic_v_mV");
  }
}

}  // namespace neurotwin
