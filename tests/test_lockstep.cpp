// Lockstep simulations: the lanes of one Simulation (structure of arrays)
// give bit for bit the results of separate one-lane simulations, for every
// mechanism, both voltage schemes and lane counts with and without a
// specialized kernel.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "neurotwin/simulator/builtin_cell.hpp"
#include "neurotwin/simulator/cell_description.hpp"
#include "neurotwin/simulator/cell_model.hpp"
#include "neurotwin/simulator/instruction_set.hpp"
#include "neurotwin/simulator/recording.hpp"

using namespace neurotwin;

namespace {

// Poisson inputs at integer ms, different for every seed.
std::vector<InputEvent> poisson_inputs(const CellModel& cell, double duration_ms, double p_excitatory, std::uint64_t seed) {
  const int n = static_cast<int>(cell.input_count() / 2);
  std::mt19937_64 rng(seed);
  std::vector<InputEvent> events;
  for (int t = 1; t < static_cast<int>(duration_ms); ++t)
    for (int c = 0; c < 2 * n; ++c)
      if (std::generate_canonical<double, 53>(rng) < (c < n ? p_excitatory : p_excitatory / 2)) events.push_back({double(t), c});
  return events;
}

void check_lanes_equal_single_runs(const CellModel& cell, const RunOptions& options, std::size_t lanes, double p_excitatory) {
  std::vector<std::vector<InputEvent>> inputs;
  std::vector<std::uint64_t> seeds;
  for (std::size_t l = 0; l < lanes; ++l) {
    inputs.push_back(poisson_inputs(cell, options.duration_ms, p_excitatory, 100 + l));
    seeds.push_back(7 * l + 1);
  }
  const std::vector<RunResult> together = run_cells(cell, inputs, options, seeds);
  REQUIRE(together.size() == lanes);
  std::size_t spikes = 0;
  for (std::size_t l = 0; l < lanes; ++l) {
    RunOptions one = options;
    one.release_seed = seeds[l];
    const RunResult alone = run_cell(cell, inputs[l], one);
    INFO("lane " << l << " of " << lanes);
    CHECK(together[l].soma_v_mV == alone.soma_v_mV);
    CHECK(together[l].soma_v_8perms_mV == alone.soma_v_8perms_mV);
    CHECK(together[l].dendrite_v_mV == alone.dendrite_v_mV);
    CHECK(together[l].segment_v_mV == alone.segment_v_mV);
    CHECK(together[l].spike_times_ms == alone.spike_times_ms);
    spikes += alone.spike_times_ms.size();
  }
  CHECK(spikes > 0);  // the comparison covers spiking
  // Different inputs give different lanes.
  CHECK(together[0].soma_v_mV != together[1].soma_v_mV);
}

}  // namespace

TEST_CASE("lockstep lanes equal single simulations: built-in cell (pas, hh, AMPA+NMDA, GABA_A, release draws)") {
  const Morphology morph = builtin_pyramidal_morphology();
  CellModel cell = build_simple_cell(morph, SimpleBiophysics{});
  cell.release_probability = 0.7;
  RunOptions options;
  options.duration_ms = 400;
  options.dendrite_node = cell.geometry.segments.back().node;
  options.segment_nodes = {cell.geometry.segments[1].node, cell.geometry.segments[5].node};
  for (const auto scheme : {VoltageScheme::backward_euler, VoltageScheme::crank_nicolson})
    for (const std::size_t lanes : {std::size_t{3}, std::size_t{4}}) {
      options.scheme = scheme;
      INFO((scheme == VoltageScheme::crank_nicolson ? "Crank-Nicolson" : "backward Euler") << ", " << lanes << " lanes");
      check_lanes_equal_single_runs(cell, options, lanes, 0.03);
    }
}

TEST_CASE("lockstep lanes equal single simulations: Hay L5PC (all Hay mechanisms, calcium, rate tables or exact)") {
  const Morphology morph = builtin_l5pc_morphology().morphology;
  for (const bool tables : {true, false}) {
    const CellModel cell = build_described_cell(morph, hay_l5pc_description(), {}, tables);
    RunOptions options;
    options.duration_ms = 150;
    options.dt_ms = tables ? 0.02 : 0.025;
    options.scheme = tables ? VoltageScheme::crank_nicolson : VoltageScheme::backward_euler;
    INFO("rate tables " << tables);
    check_lanes_equal_single_runs(cell, options, tables ? 8 : 2, 0.08);
  }
}

TEST_CASE("the Hay gate kernel gives the same numbers on every instruction set the processor runs") {
  const Morphology morph = builtin_l5pc_morphology().morphology;
  const CellModel cell = build_described_cell(morph, hay_l5pc_description(), {}, true);
  RunOptions options;
  options.duration_ms = 120;
  options.dt_ms = 0.02;
  options.scheme = VoltageScheme::crank_nicolson;
  std::vector<std::vector<InputEvent>> inputs;
  for (std::uint64_t l = 0; l < 16; ++l) inputs.push_back(poisson_inputs(cell, options.duration_ms, 0.08, 300 + l));
  const std::vector<std::uint64_t> seeds(inputs.size(), 1);
  // Restores the variable however the test ends.
  struct SimdVariable {
    ~SimdVariable() { unsetenv("NEUROTWIN_SIMD"); }
  } restore;
  setenv("NEUROTWIN_SIMD", "generic", 1);
  REQUIRE(kernel_instruction_set() == "generic");
  const std::vector<RunResult> generic = run_cells(cell, inputs, options, seeds);
  std::size_t spikes = 0;
  for (const RunResult& r : generic) spikes += r.spike_times_ms.size();
  CHECK(spikes > 0);
  __builtin_cpu_init();
  std::vector<std::string> others;
  if (__builtin_cpu_supports("avx2")) others.push_back("avx2");
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) others.push_back("avx512");
  for (const std::string& isa : others) {
    setenv("NEUROTWIN_SIMD", isa.c_str(), 1);
    REQUIRE(kernel_instruction_set() == isa);
    const std::vector<RunResult> vectorized = run_cells(cell, inputs, options, seeds);
    for (std::size_t l = 0; l < inputs.size(); ++l) {
      INFO(isa << ", lane " << l);
      CHECK(vectorized[l].soma_v_mV == generic[l].soma_v_mV);
      CHECK(vectorized[l].spike_times_ms == generic[l].spike_times_ms);
    }
  }
  std::printf("Hay gate kernel: generic and %zu vector builds agree bit for bit (this processor's best: %s)\n",
              others.size(), others.empty() ? "generic" : others.back().c_str());
  setenv("NEUROTWIN_SIMD", "avx1024", 1);
  CHECK_THROWS_WITH(kernel_instruction_set(), Catch::Contains("NEUROTWIN_SIMD=avx1024"));
}
