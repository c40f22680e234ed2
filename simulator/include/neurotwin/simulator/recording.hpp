#pragma once
#include <cstdint>
#include <vector>

#include "neurotwin/simulator/simulation.hpp"

namespace neurotwin {

// Records one node's voltage on a uniform grid t_k = k * interval (k = 0 ..
// count-1) by linear interpolation between solver steps (spec §10.2).
class TraceRecorder {
 public:
  TraceRecorder(int node, double interval_ms, std::size_t count, std::size_t lane = 0);
  // Call after initialize() and after every step.
  void sample(const Simulation& sim);
  bool done() const { return values_.size() >= count_; }
  const std::vector<float>& values() const { return values_; }
  std::vector<float>&& take() { return std::move(values_); }

 private:
  int node_;
  double interval_ms_;
  std::size_t count_, lane_;
  double last_t_ = -1, last_v_ = 0;
  std::vector<float> values_;
};

// Records many nodes' voltages on the same uniform grid as TraceRecorder,
// stored node-major: values()[i * count + k] is node i at t_k.
class MultiTraceRecorder {
 public:
  MultiTraceRecorder(std::vector<int> nodes, double interval_ms, std::size_t count, std::size_t lane = 0);
  void sample(const Simulation& sim);
  bool done() const { return recorded_ >= count_; }
  std::vector<float>&& take() { return std::move(values_); }

 private:
  std::vector<int> nodes_;
  double interval_ms_;
  std::size_t count_, lane_, recorded_ = 0;
  double last_t_ = -1;
  std::vector<double> last_v_;
  std::vector<float> values_;
};

// Output spikes (spec §10.3): sample k is a spike iff v[k] - v[k-1] > 0,
// v[k+1] - v[k] < 0 and v[k] > threshold; time = k * interval.
std::vector<double> detect_spikes(const std::vector<float>& trace, double interval_ms, double threshold_mV = -25.0);
std::vector<double> detect_spikes(const std::vector<double>& trace, double interval_ms, double threshold_mV = -25.0);

struct RunOptions {
  double dt_ms = 0.025;
  VoltageScheme scheme = VoltageScheme::backward_euler;
  double duration_ms = 1000.0;
  int dendrite_node = -1;  // recorded at 1 sample/ms when >= 0
  std::vector<int> segment_nodes;  // each recorded at 1 sample/ms (e.g. every synapse segment)
  std::uint64_t release_seed = 0;  // synaptic release draws (cells with release_probability < 1)
};

struct RunResult {
  std::vector<float> soma_v_mV;          // 1 sample/ms, t = 0 .. duration-1
  std::vector<float> soma_v_8perms_mV;   // 8 samples/ms
  std::vector<float> dendrite_v_mV;      // 1 sample/ms (empty when not requested)
  std::vector<float> segment_v_mV;       // [segment_nodes.size() x samples], node-major
  std::vector<double> spike_times_ms;    // detected on the 8/ms soma trace
};

// Initializes and runs one simulation of the cell driven by `inputs`.
RunResult run_cell(const CellModel& cell, std::vector<InputEvent> inputs, const RunOptions& options);

// Runs inputs.size() simulations of the cell in lockstep, as the lanes of one
// Simulation: simulation k is driven by inputs[k] with release seed
// release_seeds[k] (options.release_seed is not used). Each result equals
// run_cell's for the same inputs and seed, bit for bit.
std::vector<RunResult> run_cells(const CellModel& cell, std::vector<std::vector<InputEvent>> inputs, const RunOptions& options,
                                 const std::vector<std::uint64_t>& release_seeds);

}  // namespace neurotwin
