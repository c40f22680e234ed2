#pragma once
#include <string>
#include <vector>

#include "neurotwin/surrogate/simulation_source.hpp"

namespace neurotwin {

// NEURON reference-layout files (inputs/*, soma_v_mV, spike times; as
// ../shared/reference/*.h5) as simulations a surrogate can be scored on: one
// simulation per file, held in memory. Input channel s is the excitatory
// synapse on segment s, S + s the inhibitory one (the datasets' order); the
// soma target is the trace at whole milliseconds, clipped; the spike target
// uses the 8 samples/ms spike times when the file has them (as datasets do).
class ReferenceSimulations : public SimulationSource {
 public:
  // Throws InputError naming the file: no inputs, a segment outside
  // [0, synapse_segments), files of different durations, a trace shorter than
  // the duration, or a duration not longer than targets.ignore_first_ms.
  static ReferenceSimulations open(const std::vector<std::string>& files, std::size_t synapse_segments,
                                   const TargetConventions& targets);

  std::size_t size() const override { return simulations_.size(); }
  std::size_t bins() const override { return bins_; }
  std::size_t input_count() const override { return inputs_; }
  SurrogateSimulation simulation(std::size_t k) const override { return simulations_.at(k); }
  const std::vector<std::string>& files() const { return files_; }

 private:
  std::vector<SurrogateSimulation> simulations_;
  std::vector<std::string> files_;
  std::size_t bins_ = 0, inputs_ = 0;
};

}  // namespace neurotwin
