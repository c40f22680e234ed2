#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "neurotwin/datasets/dataset_reader.hpp"
#include "neurotwin/surrogate/simulation_source.hpp"

namespace neurotwin {

// The simulations of one or more dataset files, read from disk one at a time
// when asked for: memory does not grow with the files' size.
class SurrogateData : public SimulationSource {
 public:
  // Opens the files and checks that they agree (inputs, duration) and are
  // longer than targets.ignore_first_ms; throws InputError naming the file.
  static SurrogateData open(const std::vector<std::string>& files, const TargetConventions& targets);

  std::size_t input_count() const override { return inputs_; }
  std::size_t bins() const override { return bins_; }
  std::size_t size() const override { return total_; }
  const std::vector<std::string>& files() const { return files_; }
  // Simulation k over all files, read now; throws InputError for unsorted
  // inputs or a non-finite soma voltage.
  SurrogateSimulation simulation(std::size_t k) const override;
  // The first n simulations only (a learning curve's smaller training sets);
  // throws InputError when n is 0 or more than size().
  SurrogateData head(std::size_t n) const;
  std::size_t spike_count(std::size_t k) const;  // output spikes only
  // Mean clipped soma voltage after the ignored transient (the bias), one
  // simulation at a time.
  double mean_clipped_soma_mV() const;
  // Fraction of the 1-ms bins after the ignored transient that hold an
  // output spike (the spike head's base rate).
  double spike_bin_fraction() const;
  // The segment table of the first file (input channel s and S + s sit on
  // segment s).
  const std::vector<SegmentInfo>& segments() const { return readers_.front()->header().segments; }

 private:
  std::pair<const DatasetReader*, std::size_t> locate(std::size_t k) const;
  // Simulation k's spike target: 1 in bin spike_bin(t) of every output spike.
  std::vector<std::uint8_t> spike_target(std::size_t k) const;

  TargetConventions targets_;
  std::size_t inputs_ = 0, bins_ = 0, total_ = 0;
  std::vector<std::shared_ptr<DatasetReader>> readers_;
  std::vector<std::size_t> first_;  // first global index of each file
  std::vector<std::string> files_;
};

}  // namespace neurotwin
