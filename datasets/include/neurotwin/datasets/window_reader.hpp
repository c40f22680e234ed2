#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "neurotwin/datasets/dataset_reader.hpp"

namespace neurotwin {

// A time window [start_ms, start_ms + length_ms) of one simulation, as a
// training step needs it. Times are relative to start_ms.
struct DataWindow {
  std::size_t file = 0;        // index into the WindowReader's files
  std::size_t simulation = 0;  // row in that file
  std::int64_t start_ms = 0;
  std::size_t length_ms = 0;
  std::vector<float> input_times_ms;  // sorted, in [0, length_ms)
  std::vector<std::int32_t> input_channels;
  std::vector<float> soma_v_mV;              // length_ms samples
  // In [0, length_ms + 0.5): a spike in the half ms after the window still
  // falls in its last bin under the floor(t - 0.5) rule (spec §10.5).
  std::vector<float> output_spike_times_ms;
  std::vector<float> segment_v_mV;           // [segments x length_ms] if requested and stored
};

// Dense input of a window: out[c * length + t] = 1 where channel c has an
// event in 1-ms bin t, else 0 (`out` holds channels x length_ms floats).
void fill_dense_inputs(const DataWindow& window, std::size_t channels, float* out);
// Dense spike target: out[t] = 1 where an output spike at s has
// floor(s - 0.5) = t (spec §10.5, Beniaguev's rule).
void fill_dense_spikes(const DataWindow& window, float* out);

struct WindowSampling {
  std::size_t window_ms = 400;
  double ignore_first_ms = 500;  // windows start at or after this time
  std::uint64_t seed = 1;
  bool segment_voltages = false;  // also read dendritic_v_mV (files must hold it)
  // Decoded simulations (input events, soma trace, spikes; not segment
  // voltages) kept for reuse, least recently used dropped first: memory is
  // bounded by this, whatever the files' size. 0: read every window from disk.
  std::size_t cache_bytes = 256u << 20;
};

// Streams windows out of dataset files without loading them: each window
// needs one simulation's events, soma trace and spikes (read from disk, or
// from a bounded cache of recently decoded simulations), so memory is
// bounded by the batch and the cache, whatever the files' size. Random windows come from
// the (seed, batch number) stream: batch b is the same whatever came before,
// so a resumed training run sees the same batches. All files must have the
// same cell (input channels) and duration. Not thread-safe.
class WindowReader {
 public:
  WindowReader(const std::vector<std::string>& files, WindowSampling sampling);
  ~WindowReader();
  WindowReader(WindowReader&&) noexcept;
  WindowReader& operator=(WindowReader&&) noexcept;

  std::size_t file_count() const;
  const DatasetReader& file(std::size_t i) const;
  std::size_t simulation_count() const;  // over all files
  std::size_t input_count() const;
  std::size_t duration_ms() const;

  // One window, read from disk.
  DataWindow read(std::size_t file, std::size_t simulation, std::int64_t start_ms, std::size_t length_ms) const;
  // `batch_size` random windows of sampling.window_ms: batch number
  // `batch_index` of the stream.
  std::vector<DataWindow> batch(std::uint64_t batch_index, std::size_t batch_size) const;
  // Windows [first_window, first_window + count) of that batch only (one
  // process's share in data-parallel training).
  std::vector<DataWindow> batch(std::uint64_t batch_index, std::size_t batch_size, std::size_t first_window,
                                std::size_t count) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace neurotwin
