#pragma once
#include <memory>
#include <string>

#include "neurotwin/datasets/dataset_schema.hpp"

namespace neurotwin {

// Reads a complete dataset file, one simulation at a time (nothing is loaded
// whole). A missing, truncated, incomplete or foreign file throws InputError
// naming the file. Not thread-safe (HDF5 serial library).
class DatasetReader {
 public:
  explicit DatasetReader(const std::string& path);
  ~DatasetReader();
  DatasetReader(DatasetReader&&) noexcept;
  DatasetReader& operator=(DatasetReader&&) noexcept;

  const std::string& path() const;
  const DatasetHeader& header() const;
  std::size_t simulation_count() const;
  std::size_t input_count() const;       // 2 * segments
  std::size_t samples_per_simulation() const;  // 1-ms samples (= duration_ms)
  // Root attribute by name; throws InputError if absent.
  AttributeValue attribute(const std::string& name) const;

  SimulationRecord read(std::size_t k) const;  // everything of simulation k
  // Input events of simulation k only.
  void read_inputs(std::size_t k, std::vector<float>& times_ms, std::vector<std::int32_t>& channels) const;
  static constexpr std::size_t kAllSamples = ~std::size_t{0};
  // soma_v_mV of simulation k, samples [begin, begin + count).
  std::vector<float> read_soma(std::size_t k, std::size_t begin = 0, std::size_t count = kAllSamples) const;
  std::vector<double> read_spikes(std::size_t k) const;
  // dendritic_v_mV of simulation k, samples [begin, begin + count) of every
  // segment, [segments x count] row-major; throws if the file has none. The
  // _f16 form returns the stored float16 bits.
  std::vector<float> read_segment_voltages(std::size_t k, std::size_t begin = 0, std::size_t count = kAllSamples) const;
  std::vector<std::uint16_t> read_segment_voltages_f16(std::size_t k, std::size_t begin = 0,
                                                       std::size_t count = kAllSamples) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace neurotwin
