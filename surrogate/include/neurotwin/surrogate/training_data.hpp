#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace neurotwin {

// Training-target conventions of Beniaguev's fit_CNN.py (spec §10.5).
struct TargetConventions {
  double soma_clip_mV = -55.0;   // soma target clipped from above
  double ignore_first_ms = 500;  // transient excluded from losses and metrics
};

// One simulation as the surrogate sees it: sparse input events, the clipped
// 1-ms soma voltage, and the binary 1-ms spike target (a spike at t_s sets
// bin floor(t_s - 0.5)).
struct SurrogateSimulation {
  std::vector<float> input_times_ms;
  std::vector<std::int32_t> input_channels;
  std::vector<float> soma_clipped_mV;
  std::vector<std::uint8_t> spike_bins;
  std::size_t spike_count = 0;
};

// Simulations of one or more dataset files, kept sparse in memory.
class SurrogateData {
 public:
  static SurrogateData load(const std::vector<std::string>& files, const TargetConventions& targets);

  std::size_t input_count() const { return inputs_; }
  std::size_t bins() const { return bins_; }
  std::size_t size() const { return sims_.size(); }
  const SurrogateSimulation& simulation(std::size_t k) const { return sims_.at(k); }
  const std::vector<std::string>& files() const { return files_; }
  // Mean clipped soma voltage after the ignored transient (the bias).
  double mean_clipped_soma_mV(double ignore_first_ms) const;

  // Dense binary input of simulation k for bins [begin, begin + length) into
  // out[channel * length + (t - begin)]; bins before 0 are empty.
  void fill_dense(std::size_t k, long begin, long length, float* out) const;

 private:
  std::size_t inputs_ = 0, bins_ = 0;
  std::vector<SurrogateSimulation> sims_;
  std::vector<std::string> files_;
};

}  // namespace neurotwin
