#include "neurotwin/simulator/simulation.hpp"

#include <cstring>

#include <algorithm>
#include <cmath>

#include "cable_kernel.hpp"
#include "flush_subnormals.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/simulator/instruction_set.hpp"

namespace neurotwin {
namespace {

std::vector<int> node_parents(const CellModel& cell) {
  std::vector<int> parents;
  for (const CableNode& n : cell.geometry.nodes) parents.push_back(n.parent);
  return parents;
}

}  // namespace

Simulation::Simulation(const CellModel& cell, double dt_ms, std::size_t lanes)
    : cell_(cell), dt_ms_(dt_ms), solver_(node_parents(cell)), lane_(lanes) {
  const cable_kernels::Kernels kernels = kernel_for_instruction_set(
      cable_kernels::generic_kernels, cable_kernels::avx2_kernels, cable_kernels::avx512_kernels);
  assemble_ = kernels.assemble;
  update_ = kernels.update;
  if (!(dt_ms > 0) || !std::isfinite(dt_ms)) throw InputError("simulation: dt_ms must be positive");
  if (lanes < 1) throw InputError("simulation: at least one lane");
  const std::size_t n = cell.geometry.nodes.size();
  a_.assign(n, 0.0);
  b_.assign(n, 0.0);
  capacitance_.assign(n, 0.0);
  // Spec §11.2 step 5: b_i = -100/(R_i A_i), a_i = -100/(R_i A_p), A = 100 for
  // zero-area nodes (their equation is then in nA and µS).
  auto area_or_100 = [&](std::size_t i) {
    const double area = cell.node_area_um2[i];
    return area > 0 ? area : 100.0;
  };
  for (std::size_t i = 1; i < n; ++i) {
    const auto p = static_cast<std::size_t>(cell.geometry.nodes[i].parent);
    const double r = cell.node_axial_resistance_MOhm[i];
    if (!(r > 0)) throw InputError(cell.name + ": non-positive axial resistance at node " + std::to_string(i));
    b_[i] = -100.0 / (r * area_or_100(i));
    a_[i] = -100.0 / (r * area_or_100(p));
  }
  for (std::size_t i = 0; i < n; ++i)
    if (cell.node_area_um2[i] > 0) capacitance_[i] = 1e-3 * cell.node_cm_uF_per_cm2[i] / dt_ms;
  v_.assign(n * lanes, cell.v_init_mV);
  d_.assign(n * lanes, 0.0);
  rhs_.assign(n * lanes, 0.0);
  for (const auto& make : cell.mechanisms) mechanisms_.push_back(make(lanes));
  // The first mechanism that is a leak with one (g, e) per node is written by the cable assembly.
  leak_g_S_per_cm2_.assign(n, 0.0);
  leak_e_mV_.assign(n, 0.0);
  for (std::size_t k = 0; k < mechanisms_.size() && folded_leak_ == kNoFoldedLeak; ++k)
    if (mechanisms_[k]->node_leak(n, leak_g_S_per_cm2_, leak_e_mV_)) folded_leak_ = k;
  for (std::size_t g = 0; g < cell.synapse_groups.size(); ++g) {
    const SynapseGroup& group = cell.synapse_groups[g];
    std::vector<int> nodes;
    for (int seg : group.segments) nodes.push_back(cell.geometry.segments.at(static_cast<std::size_t>(seg)).node);
    synapses_.emplace_back(group.kind, nodes, cell.node_area_um2, lanes);
    for (std::size_t k = 0; k < nodes.size(); ++k) channel_to_synapse_.emplace_back(g, k);
  }
  for (std::size_t g = 0; g < synapses_.size(); ++g) {
    const bool paired = g + 1 < synapses_.size() && synapses_[g].shares_nodes_with(synapses_[g + 1]);
    shares_nodes_with_next_.push_back(paired ? 1 : 0);
  }
}

void Simulation::set_inputs(std::size_t lane, std::vector<InputEvent> events) {
  if (lane >= lane_.size())
    throw InputError("simulation: lane " + std::to_string(lane) + " of " + std::to_string(lane_.size()));
  for (const InputEvent& e : events) {
    if (e.channel < 0 || static_cast<std::size_t>(e.channel) >= channel_to_synapse_.size())
      throw InputError("input event on channel " + std::to_string(e.channel) + ", but the cell has " +
                       std::to_string(channel_to_synapse_.size()) + " input channels");
    if (!(e.time_ms >= 0) || !std::isfinite(e.time_ms))
      throw InputError("input event with invalid time " + std::to_string(e.time_ms) + " ms");
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const InputEvent& x, const InputEvent& y) { return x.time_ms < y.time_ms; });
  if (cell_.silence_synapse_on_zero_interval) {
    // t - tsyn = 0 (tsyn starts at 0): Pv becomes NaN and stays NaN (§8.4).
    std::vector<double> last(channel_to_synapse_.size(), 0.0);
    std::vector<char> dead(channel_to_synapse_.size(), 0);
    std::vector<InputEvent> kept;
    kept.reserve(events.size());
    for (const InputEvent& e : events) {
      const auto c = static_cast<std::size_t>(e.channel);
      if (!dead[c] && e.time_ms == last[c]) dead[c] = 1;
      if (dead[c]) continue;
      last[c] = e.time_ms;
      kept.push_back(e);
    }
    events.swap(kept);
  }
  lane_[lane].events = std::move(events);
  lane_[lane].next_event = 0;
}

void Simulation::add_current_clamp(const CurrentClamp& clamp) {
  if (clamp.node < 0 || static_cast<std::size_t>(clamp.node) >= a_.size() ||
      !(cell_.node_area_um2[static_cast<std::size_t>(clamp.node)] > 0))
    throw InputError("current clamp on an invalid node");
  clamps_.push_back(clamp);
}

void Simulation::initialize() {
  step_count_ = 0;
  for (Lane& l : lane_) {
    l.next_event = 0;
    l.delivered = l.released = 0;
  }
  std::fill(v_.begin(), v_.end(), cell_.v_init_mV);  // spec §11.4
  for (auto& m : mechanisms_) m->initialize(v_.data());
  for (auto& s : synapses_) s.initialize();
}

bool Simulation::released(const InputEvent& e, std::uint64_t seed) const {
  const double p = cell_.release_probability;
  if (p >= 1.0) return true;
  // u ~ U[0, 1) from SplitMix64 of (seed, channel, time): independent of
  // delivery order, threads and processes.
  std::uint64_t time_bits = 0;
  std::memcpy(&time_bits, &e.time_ms, sizeof time_bits);
  std::uint64_t z = seed ^ (static_cast<std::uint64_t>(e.channel) * 0x9e3779b97f4a7c15ULL) ^
                    (time_bits * 0xc2b2ae3d27d4eb4fULL);
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53 < p;
}

void Simulation::set_voltage_scheme(VoltageScheme scheme) {
  // Crank-Nicolson = a backward-Euler solve over dt/2 (capacitive term
  // C/(dt/2)), then v_{n+1} = v_n + 2 Δ (NEURON: cj = 2/dt, v += 2 rhs).
  const double factor = scheme == VoltageScheme::crank_nicolson ? 2.0 : 1.0;
  for (double& c : capacitance_) c *= factor / update_factor_;
  update_factor_ = factor;
  scheme_ = scheme;
}

void Simulation::step() {
  const FlushSubnormals flush;  // flush_subnormals.hpp: no output changes, idle synapses stay fast
  const double t_n = time_ms();
  const std::size_t L = lane_.size();
  // 1. Deliver events with t_e <= t_n + dt/2 (each adds w*f to A and B).
  const double deliver_until = t_n + 0.5 * dt_ms_;
  for (std::size_t l = 0; l < L; ++l) {
    Lane& lane = lane_[l];
    while (lane.next_event < lane.events.size() && lane.events[lane.next_event].time_ms <= deliver_until) {
      const InputEvent& e = lane.events[lane.next_event];
      const auto [group, index] = channel_to_synapse_[static_cast<std::size_t>(e.channel)];
      ++lane.delivered;
      if (released(e, lane.release_seed)) {
        synapses_[group].deliver(index, l, 1.0);
        ++lane.released;
      }
      ++lane.next_event;
    }
  }
  const std::size_t n = a_.size();
  // 3-5. The folded leak, capacitance and axial coupling written at every node (the lanes of a node as
  // vectors), then the other membrane currents at v_n with the present states added: rhs = -I, d = dI/dv.
  CableSweep cable;
  cable.nodes = n;
  cable.lanes = L;
  cable.parent = solver_.parents().data();
  cable.a = a_.data();
  cable.b = b_.data();
  cable.capacitance = capacitance_.data();
  cable.leak_g = leak_g_S_per_cm2_.data();
  cable.leak_e = leak_e_mV_.data();
  cable.v_mV = v_.data();
  cable.rhs = rhs_.data();
  cable.d = d_.data();
  cable.update_factor = update_factor_;
  assemble_(cable);
  const MembraneArrays membrane{v_.data(), rhs_.data(), d_.data(), L};
  for (std::size_t k = 0; k < mechanisms_.size(); ++k)
    if (k != folded_leak_) mechanisms_[k]->add_currents(membrane);
  // Synaptic currents; states decay to t_{n+1} (step 9). Two groups on the same nodes (excitatory and
  // inhibitory on every dendritic segment) in one pass.
  for (std::size_t g = 0; g < synapses_.size(); ++g) {
    if (shares_nodes_with_next_[g]) {
      synapses_[g].add_currents_and_advance(synapses_[g + 1], membrane, dt_ms_);
      ++g;
    } else {
      synapses_[g].add_currents_and_advance(membrane, dt_ms_);
    }
  }
  const double t_mid = t_n + 0.5 * dt_ms_;
  for (const CurrentClamp& c : clamps_)
    if (t_mid >= c.delay_ms && t_mid < c.delay_ms + c.duration_ms) {
      const auto node = static_cast<std::size_t>(c.node);
      for (std::size_t l = 0; l < L; ++l) rhs_[node * L + l] += c.amplitude_nA * 100.0 / cell_.node_area_um2[node];
    }
  // 6-7. Solve for the voltage change and update.
  solver_.solve(d_.data(), rhs_.data(), a_.data(), b_.data(), L);
  if (scheme_ == VoltageScheme::crank_nicolson)
    for (auto& m : mechanisms_) m->correct_ion_currents(rhs_.data());
  update_(cable);
  ++step_count_;
  // 9. States with v_{n+1}.
  for (auto& m : mechanisms_) m->advance(v_.data(), dt_ms_);
}

}  // namespace neurotwin
