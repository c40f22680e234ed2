#include "neurotwin/surrogate/simulation_source.hpp"

namespace neurotwin {

std::unique_ptr<LoadedSimulations> LoadedSimulations::load(const SimulationSource& data, std::size_t max_bytes) {
  std::unique_ptr<LoadedSimulations> loaded(new LoadedSimulations());  // private constructor: make_unique cannot reach it
  loaded->bins_ = data.bins();
  loaded->inputs_ = data.input_count();
  std::size_t bytes = 0;
  for (std::size_t k = 0; k < data.size(); ++k) {
    SurrogateSimulation sim = data.simulation(k);
    bytes += sim.input_times_ms.size() * (sizeof(float) + sizeof(std::int32_t)) +
             sim.soma_clipped_mV.size() * sizeof(float) + sim.spike_bins.size();
    if (bytes > max_bytes) return nullptr;
    loaded->simulations_.push_back(std::move(sim));
  }
  return loaded;
}

}  // namespace neurotwin
