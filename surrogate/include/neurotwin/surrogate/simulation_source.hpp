#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
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

// Bin of an output spike at t_ms (spec §10.5): floor(t_ms - 0.5).
long spike_bin(double t_ms);

// Simulations as a surrogate sees them, whatever holds them (dataset files,
// NEURON reference files): what evaluation reads.
class SimulationSource {
 public:
  virtual ~SimulationSource() = default;
  virtual std::size_t size() const = 0;
  virtual std::size_t bins() const = 0;         // 1-ms bins per simulation
  virtual std::size_t input_count() const = 0;  // input channels (2 x synapse segments)
  virtual SurrogateSimulation simulation(std::size_t k) const = 0;

 protected:
  SimulationSource() = default;
  SimulationSource(const SimulationSource&) = default;
  SimulationSource& operator=(const SimulationSource&) = default;
};

// Some simulations of another source, by index (it must outlive the subset).
class SimulationSubset final : public SimulationSource {
 public:
  SimulationSubset(const SimulationSource& data, std::vector<std::size_t> indices)
      : data_(data), indices_(std::move(indices)) {}
  std::size_t size() const override { return indices_.size(); }
  std::size_t bins() const override { return data_.bins(); }
  std::size_t input_count() const override { return data_.input_count(); }
  SurrogateSimulation simulation(std::size_t k) const override { return data_.simulation(indices_.at(k)); }

 private:
  const SimulationSource& data_;
  std::vector<std::size_t> indices_;
};

// Every simulation of another source, decoded once and kept in memory: what
// training validates on again and again (no disk reads or decompression after
// the first). Holds about (8 bytes x input events + 5 bytes x bins) per
// simulation.
class LoadedSimulations final : public SimulationSource {
 public:
  // Loads all of `data`; returns nothing (std::nullopt-like: an empty
  // pointer) once their decoded size would pass `max_bytes`.
  static std::unique_ptr<LoadedSimulations> load(const SimulationSource& data, std::size_t max_bytes);
  std::size_t size() const override { return simulations_.size(); }
  std::size_t bins() const override { return bins_; }
  std::size_t input_count() const override { return inputs_; }
  SurrogateSimulation simulation(std::size_t k) const override { return simulations_.at(k); }

 private:
  LoadedSimulations() = default;
  std::vector<SurrogateSimulation> simulations_;
  std::size_t bins_ = 0, inputs_ = 0;
};

}  // namespace neurotwin
