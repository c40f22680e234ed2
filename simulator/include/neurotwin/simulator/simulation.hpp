#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "neurotwin/simulator/cell_model.hpp"
#include "neurotwin/simulator/hines_solver.hpp"
#include "neurotwin/simulator/huge_page_allocator.hpp"

namespace neurotwin {

// An input spike: a released event of weight 1 on input channel `channel`
// (the cell's synapse groups concatenated) at time_ms.
struct InputEvent {
  double time_ms = 0;
  int channel = 0;
};

// The voltage solve of a fixed step (spec §11.2 step 6).
// backward_euler: NEURON's default (secondorder = 0), first order in dt.
// crank_nicolson: NEURON's secondorder = 2: the backward-Euler solve over dt/2
//   gives v at t + dt/2, extrapolated to v_{n+1} = 2 v_{n+1/2} - v_n, and the
//   ion currents that feed concentrations are moved to t + dt/2
//   (Mechanism::correct_ion_currents); second order in dt.
enum class VoltageScheme { backward_euler, crank_nicolson };

struct CurrentClamp {
  int node = 0;
  double delay_ms = 0;
  double duration_ms = 0;
  double amplitude_nA = 0;  // positive depolarizes (NEURON's IClamp)
};

// Simulations of a cell with NEURON's fixed-step scheme (spec §11.2): events
// delivered between steps, membrane currents linearized about v_n, implicit
// voltage solve on the tree (backward Euler or Crank-Nicolson), then states
// advanced with v_{n+1} (staggered).
//
// `lanes` independent simulations of the same cell advance in lockstep (one
// time step for all; structure of arrays, node k of lane l at k * lanes + l),
// each lane with its own inputs and release seed; current clamps apply to
// every lane. Each lane's numbers are bit for bit those of a one-lane
// simulation with the same inputs.
class Simulation {
 public:
  Simulation(const CellModel& cell, double dt_ms, std::size_t lanes = 1);
  std::size_t lanes() const { return lane_.size(); }

  // A lane's input events, sorted or not; channels and times are checked
  // (throws InputError). The one-argument form sets lane 0.
  void set_inputs(std::vector<InputEvent> events) { set_inputs(0, std::move(events)); }
  void set_inputs(std::size_t lane, std::vector<InputEvent> events);
  void add_current_clamp(const CurrentClamp& clamp);
  // Seed of a lane's release draws when the cell's release_probability < 1.
  void set_release_seed(std::uint64_t seed, std::size_t lane = 0) { lane_.at(lane).release_seed = seed; }
  // Events delivered so far and, of those, released.
  std::size_t delivered_events(std::size_t lane = 0) const { return lane_.at(lane).delivered; }
  std::size_t released_events(std::size_t lane = 0) const { return lane_.at(lane).released; }

  // finitialize: t = 0, v = v_init everywhere, states at steady state,
  // synapses at rest, event cursors at the start.
  void initialize();
  // One fixed step t_n -> t_n + dt.
  void step();
  // Backward Euler unless set (any time; applies from the next step).
  void set_voltage_scheme(VoltageScheme scheme);
  VoltageScheme voltage_scheme() const { return scheme_; }

  double time_ms() const { return static_cast<double>(step_count_) * dt_ms_; }
  double dt_ms() const { return dt_ms_; }
  double voltage_mV(int node, std::size_t lane = 0) const {
    return v_[static_cast<std::size_t>(node) * lane_.size() + lane];
  }
  const SynapseArray& synapse_group(std::size_t g) const { return synapses_.at(g); }

 private:
  struct Lane {
    std::vector<InputEvent> events;
    std::size_t next_event = 0;
    std::uint64_t release_seed = 0;
    std::size_t delivered = 0, released = 0;
  };
  bool released(const InputEvent& e, std::uint64_t seed) const;
  const CellModel& cell_;
  double dt_ms_;
  HinesSolver solver_;
  void (*assemble_)(const CableSweep&) = nullptr;  // steps 4-5 (cable_kernel.hpp)
  void (*update_)(const CableSweep&) = nullptr;    // step 7
  std::vector<double> a_, b_;        // constant off-diagonals (spec §11.2 step 5), per node
  std::vector<double> capacitance_;  // 1e-3 cm / dt per node (/ (dt/2) with Crank-Nicolson)
  VoltageScheme scheme_ = VoltageScheme::backward_euler;
  double update_factor_ = 1.0;       // v += factor * Δ (2 with Crank-Nicolson)
  KernelVector<double> v_, d_, rhs_;  // [node * lanes + lane]
  std::vector<std::unique_ptr<Mechanism>> mechanisms_;
  // The leak the cable assembly writes (Mechanism::node_leak): g and e per node (0 where none), and which
  // mechanism it is (not called for its currents), or kNoFoldedLeak.
  static constexpr std::size_t kNoFoldedLeak = ~std::size_t{0};
  std::vector<double> leak_g_S_per_cm2_, leak_e_mV_;
  std::size_t folded_leak_ = kNoFoldedLeak;
  std::vector<SynapseArray> synapses_;
  std::vector<char> shares_nodes_with_next_;  // per group: it and the next one take one pass (step 3)
  std::vector<std::pair<std::size_t, std::size_t>> channel_to_synapse_;  // (group, index)
  std::vector<Lane> lane_;
  std::vector<CurrentClamp> clamps_;
  long long step_count_ = 0;
};

}  // namespace neurotwin
