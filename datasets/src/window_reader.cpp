#include "neurotwin/datasets/window_reader.hpp"

#include <algorithm>
#include <cmath>
#include <list>
#include <map>
#include <utility>

#include "neurotwin/datasets/random_stream.hpp"
#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

namespace {
constexpr std::uint64_t kWindowPurpose = 0x77696e646f777321ULL;  // "windows!"
}

void fill_dense_inputs(const DataWindow& w, std::size_t channels, float* out) {
  std::fill(out, out + channels * w.length_ms, 0.0f);
  for (std::size_t i = 0; i < w.input_times_ms.size(); ++i) {
    const auto c = static_cast<std::size_t>(w.input_channels[i]);
    const auto t = static_cast<std::size_t>(std::floor(w.input_times_ms[i]));
    if (c < channels && t < w.length_ms) out[c * w.length_ms + t] = 1.0f;
  }
}

void fill_dense_spikes(const DataWindow& w, float* out) {
  std::fill(out, out + w.length_ms, 0.0f);
  for (float s : w.output_spike_times_ms) {
    const double bin = std::floor(static_cast<double>(s) - 0.5);  // spec §10.5
    if (bin >= 0 && bin < static_cast<double>(w.length_ms)) out[static_cast<std::size_t>(bin)] = 1.0f;
  }
}

struct WindowReader::Impl {
  std::vector<DatasetReader> files;
  std::vector<std::size_t> offsets;  // first global simulation of each file
  WindowSampling sampling;
  std::size_t total = 0, inputs = 0, duration = 0;

  // Decoded simulations (events, soma trace, spikes), least recently used
  // first out once their bytes exceed sampling.cache_bytes.
  struct Simulation {
    std::vector<float> times_ms;
    std::vector<std::int32_t> channels;
    std::vector<float> soma_v_mV;
    std::vector<double> spikes_ms;
    std::size_t bytes() const {
      return times_ms.size() * sizeof(float) + channels.size() * sizeof(std::int32_t) + soma_v_mV.size() * sizeof(float) +
             spikes_ms.size() * sizeof(double);
    }
  };
  using Key = std::pair<std::size_t, std::size_t>;
  std::list<Key> recent;  // most recent first
  std::map<Key, std::pair<std::shared_ptr<const Simulation>, std::list<Key>::iterator>> cache;
  std::size_t cached_bytes = 0;

  std::shared_ptr<const Simulation> simulation(std::size_t file, std::size_t k) {
    const Key key{file, k};
    if (const auto it = cache.find(key); it != cache.end()) {
      recent.splice(recent.begin(), recent, it->second.second);
      return it->second.first;
    }
    auto sim = std::make_shared<Simulation>();
    const DatasetReader& d = files[file];
    d.read_inputs(k, sim->times_ms, sim->channels);
    sim->soma_v_mV = d.read_soma(k);
    sim->spikes_ms = d.read_spikes(k);
    const std::size_t bytes = sim->bytes();
    if (bytes <= sampling.cache_bytes) {
      recent.push_front(key);
      cache.emplace(key, std::make_pair(sim, recent.begin()));
      cached_bytes += bytes;
      while (cached_bytes > sampling.cache_bytes) {
        const auto victim = cache.find(recent.back());
        cached_bytes -= victim->second.first->bytes();
        cache.erase(victim);
        recent.pop_back();
      }
    }
    return sim;
  }
};

WindowReader::WindowReader(const std::vector<std::string>& files, WindowSampling sampling) : impl_(std::make_unique<Impl>()) {
  Impl& r = *impl_;
  r.sampling = sampling;
  if (files.empty()) throw InputError("window reader: no dataset files");
  for (const std::string& f : files) {
    r.files.emplace_back(f);
    const DatasetReader& d = r.files.back();
    if (r.files.size() == 1) {
      r.inputs = d.input_count();
      r.duration = d.samples_per_simulation();
    } else if (d.input_count() != r.inputs || d.samples_per_simulation() != r.duration) {
      throw InputError(f + ": has " + std::to_string(d.input_count()) + " inputs and " +
                       std::to_string(d.samples_per_simulation()) + " ms per simulation, unlike " + files.front());
    }
    if (sampling.segment_voltages && !d.header().store_segment_voltages)
      throw InputError(f + ": holds no dendritic_v_mV (generate with simulation.store_dendritic_voltages: true)");
    r.offsets.push_back(r.total);
    r.total += d.simulation_count();
  }
  if (sampling.window_ms == 0) throw InputError("window reader: window_ms must be positive");
  if (static_cast<double>(sampling.window_ms) + sampling.ignore_first_ms > static_cast<double>(r.duration))
    throw InputError("window reader: a " + std::to_string(sampling.window_ms) + "-ms window after the first " +
                     std::to_string(sampling.ignore_first_ms) + " ms does not fit in " + std::to_string(r.duration) +
                     "-ms simulations");
}

WindowReader::~WindowReader() = default;
WindowReader::WindowReader(WindowReader&&) noexcept = default;
WindowReader& WindowReader::operator=(WindowReader&&) noexcept = default;

std::size_t WindowReader::file_count() const { return impl_->files.size(); }
const DatasetReader& WindowReader::file(std::size_t i) const { return impl_->files.at(i); }
std::size_t WindowReader::simulation_count() const { return impl_->total; }
std::size_t WindowReader::input_count() const { return impl_->inputs; }
std::size_t WindowReader::duration_ms() const { return impl_->duration; }

DataWindow WindowReader::read(std::size_t file, std::size_t simulation, std::int64_t start_ms, std::size_t length_ms) const {
  const Impl& r = *impl_;
  const DatasetReader& d = r.files.at(file);
  if (simulation >= d.simulation_count() || start_ms < 0 ||
      static_cast<std::size_t>(start_ms) + length_ms > r.duration)
    throw InputError(d.path() + ": window " + std::to_string(start_ms) + "+" + std::to_string(length_ms) +
                     " ms of simulation " + std::to_string(simulation) + " is out of range");
  DataWindow w;
  w.file = file;
  w.simulation = simulation;
  w.start_ms = start_ms;
  w.length_ms = length_ms;
  const auto begin = static_cast<float>(start_ms), end = static_cast<float>(start_ms + static_cast<std::int64_t>(length_ms));
  const std::shared_ptr<const Impl::Simulation> sim = impl_->simulation(file, simulation);
  const std::vector<float>& times = sim->times_ms;
  const auto lo = std::lower_bound(times.begin(), times.end(), begin);
  const auto hi = std::lower_bound(lo, times.end(), end);
  for (auto it = lo; it != hi; ++it) {
    w.input_times_ms.push_back(*it - begin);
    w.input_channels.push_back(sim->channels[static_cast<std::size_t>(it - times.begin())]);
  }
  w.soma_v_mV.assign(sim->soma_v_mV.begin() + start_ms, sim->soma_v_mV.begin() + start_ms + static_cast<std::int64_t>(length_ms));
  for (double s : sim->spikes_ms)
    if (s >= static_cast<double>(begin) && s < static_cast<double>(end) + 0.5)
      w.output_spike_times_ms.push_back(static_cast<float>(s) - begin);
  if (r.sampling.segment_voltages) w.segment_v_mV = d.read_segment_voltages(simulation, static_cast<std::size_t>(start_ms), length_ms);
  return w;
}

std::vector<DataWindow> WindowReader::batch(std::uint64_t batch_index, std::size_t batch_size) const {
  return batch(batch_index, batch_size, 0, batch_size);
}

std::vector<DataWindow> WindowReader::batch(std::uint64_t batch_index, std::size_t batch_size, std::size_t first_window,
                                            std::size_t count) const {
  if (first_window + count > batch_size)
    throw InputError("window reader: windows " + std::to_string(first_window) + "+" + std::to_string(count) +
                     " outside a batch of " + std::to_string(batch_size));
  const Impl& r = *impl_;
  if (r.total == 0) throw InputError("window reader: the files hold no simulations");
  RandomStream random(r.sampling.seed, batch_index, kWindowPurpose);
  const auto first = static_cast<std::int64_t>(std::ceil(r.sampling.ignore_first_ms));
  const auto last = static_cast<std::int64_t>(r.duration - r.sampling.window_ms);  // inclusive
  std::vector<DataWindow> out;
  out.reserve(count);
  for (std::size_t b = 0; b < batch_size; ++b) {
    const std::size_t global = static_cast<std::size_t>(random.below(r.total));
    const std::size_t file =
        static_cast<std::size_t>(std::upper_bound(r.offsets.begin(), r.offsets.end(), global) - r.offsets.begin()) - 1;
    const std::int64_t start = first + static_cast<std::int64_t>(random.below(static_cast<std::uint64_t>(last - first + 1)));
    if (b >= first_window && b < first_window + count) out.push_back(read(file, global - r.offsets[file], start, r.sampling.window_ms));
  }
  return out;
}

}  // namespace neurotwin
