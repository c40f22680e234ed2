#pragma once
#include <array>
#include <cmath>
#include <cstdint>

namespace neurotwin {

// A random stream derived from (seed, simulation index, purpose) alone, so
// that each simulation's inputs are the same whatever the thread, process or
// shard layout. xoshiro256** seeded through SplitMix64; doubles from 53 bits.
// The algorithms are fixed here (not std:: distributions, whose outputs vary
// between standard libraries).
class RandomStream {
 public:
  RandomStream(std::uint64_t seed, std::uint64_t index, std::uint64_t purpose);
  std::uint64_t next_u64();
  // Uniform on [0, 1).
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Exponential with the given mean (mean 0 gives 0).
  double exponential(double mean) { return -mean * std::log1p(-uniform()); }
  // Uniform integer in [0, n).
  std::uint64_t below(std::uint64_t n);
  // The full generator state, for checkpoints.
  std::array<std::uint64_t, 4> state() const { return {s_[0], s_[1], s_[2], s_[3]}; }
  void set_state(const std::array<std::uint64_t, 4>& s) {
    for (std::size_t i = 0; i < 4; ++i) s_[i] = s[i];
  }

 private:
  std::uint64_t s_[4];
};

}  // namespace neurotwin
