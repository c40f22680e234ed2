#pragma once
#include <cstdint>
#include <string>

#include "neurotwin/datasets/dataset_reader.hpp"

namespace neurotwin {

// Summary figures of one dataset file (the numbers Beniaguev's scripts print).
struct DatasetStats {
  std::size_t simulations = 0;
  double simulated_seconds = 0;
  std::size_t output_spikes = 0;
  double output_rate_hz = 0;           // spikes / simulated time
  double isi_cv = 0;                   // coefficient of variation of inter-spike intervals (within simulations)
  std::size_t isi_count = 0;
  std::size_t simulations_without_spikes = 0;
  // Input spikes per synapse per second and per 100 ms over the whole tree.
  double basal_excitatory_hz = 0, basal_inhibitory_hz = 0, apical_excitatory_hz = 0, apical_inhibitory_hz = 0;
  double basal_excitatory_per_100ms = 0, basal_inhibitory_per_100ms = 0;
  double apical_excitatory_per_100ms = 0, apical_inhibitory_per_100ms = 0;
  std::uintmax_t file_bytes = 0;
  double bytes_per_simulated_second = 0;
};

DatasetStats dataset_stats(const DatasetReader& reader);

// Integrity beyond what opening checks: per simulation, input times sorted and
// within [0, T), channels in range, output spikes sorted and within [0, T),
// soma (and dendrite) voltages finite. Throws InputError naming the file,
// the simulation and the problem.
void verify_dataset(const DatasetReader& reader);

}  // namespace neurotwin
