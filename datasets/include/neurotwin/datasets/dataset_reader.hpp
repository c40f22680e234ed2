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
  std::vector<float> read_soma(std::size_t k) const;
  std::vector<double> read_spikes(std::size_t k) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace neurotwin
