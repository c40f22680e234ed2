#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "neurotwin/simulator/cell_model.hpp"
#include "neurotwin/simulator/simulation.hpp"

namespace neurotwin {

// Rates are total spikes per 100 ms over a whole tree (spec §9.1).
struct RateRange {
  double low = 0;
  double high = 0;
};

// Beniaguev's input protocol (spec §9): piecewise-constant rates per tree,
// changing every Δ ms, multiplicative spatial noise per segment and interval,
// length weighting (ℓ_s + ℓ₀), Gaussian temporal smoothing, and per-1-ms-bin
// inhomogeneous Poisson spikes. Defaults are the NMDA preset.
struct InputProtocolConfig {
  double duration_ms = 6000.0;
  double length_regularizer_um = 10.0;
  std::vector<double> rate_change_interval_options_ms = {25, 30, 35, 40, 45, 55, 60, 65, 70,
                                                         75, 80, 85, 90, 100, 150, 200, 300, 450};
  std::vector<double> smoothing_sigma_options_ms = {25, 30, 35, 40, 50, 60, 80, 100, 150, 200, 300, 400, 500, 600};
  double jitter_ms = 20.0;  // J = trunc(2*jitter*u - jitter)
  RateRange basal_excitation{0, 800};
  RateRange apical_excitation{0, 800};
  RateRange basal_inhibition_minus_excitation{-600, 200};
  RateRange apical_inhibition_minus_excitation{-600, 200};
  double spatial_noise_low = 0.5;
  double spatial_noise_high = 1.5;

  // Presets of spec §9.1: "nmda" (default), "ampa" and "ampa-sk". Throws on other names.
  static InputProtocolConfig preset(const std::string& name);
  // Throws InputError naming the offending parameter.
  void validate() const;
};

// Expected drive of one simulation: smoothed rates (expected spikes per 1-ms
// bin) per synapse row and bin, excitatory rows then inhibitory rows.
struct InputDrive {
  double rate_change_interval_ms = 0;
  double smoothing_sigma_ms = 0;
  std::size_t rows = 0;    // 2 * segments
  std::size_t bins = 0;    // duration in ms
  std::vector<float> rate; // [row * bins + t]
  // Probability of a spike in each bin: R (1 - exp(-1/R)) (spec §9.2 step 9).
  double spike_probability(std::size_t row, std::size_t t) const;
};

// Step 9's draw for one synapse row and bin (spec §9.2): a spike iff u < p with p = -mean ln(1 - x)
// (p ~ Exponential(mean) from the uniform x, RandomStream::exponential's formula). Since
// -ln(1 - x) <= x / (1 - x), u (1 - x) > mean x (1 + 1e-9) already means u > p (the margin is far above
// the rounding of either side), so the logarithm is computed only where it could decide: the result is
// that of computing it every time.
inline bool input_released(double mean, double x, double u) {
  if (u * (1.0 - x) > mean * x * (1.0 + 1e-9)) return false;
  return u < -mean * std::log1p(-x);
}

// The protocol applied to a cell: the cell's synapse segments (basal, then
// apical) with their lengths. Input channel s (< n) is the excitatory synapse
// on segment s, channel n + s the inhibitory one.
class InputProtocol {
 public:
  InputProtocol(const InputProtocolConfig& config, const CellModel& cell, std::uint64_t seed);
  const InputProtocolConfig& config() const { return config_; }
  std::uint64_t seed() const { return seed_; }
  std::size_t segment_count() const { return segment_length_um_.size(); }

  InputDrive drive(std::uint64_t simulation_index) const;
  // Events at exactly t ms for a spike in bin t (spec §9.3), sorted by time
  // then channel. Depends only on (seed, simulation index).
  std::vector<InputEvent> events(std::uint64_t simulation_index, InputDrive* drive_out = nullptr) const;

 private:
  InputProtocolConfig config_;
  std::uint64_t seed_;
  std::vector<double> segment_length_um_;
  std::vector<char> segment_is_apical_;
  double basal_total_um_ = 0, apical_total_um_ = 0;  // Λ_b, Λ_a
};

}  // namespace neurotwin
