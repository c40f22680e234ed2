#include "neurotwin/simulator/passive.hpp"

#include <cstddef>

namespace neurotwin {

PassiveMechanism::PassiveMechanism(std::vector<Instance> instances, std::size_t lanes)
    : instances_(std::move(instances)), lanes_(lanes) {
  std::vector<char> taken;  // per node: an instance is there
  for (const Instance& in : instances_) {
    // No node, or two on one node (the order of their sums): add_currents only.
    if (in.node < 0) return;
    const auto k = static_cast<std::size_t>(in.node);
    if (k >= taken.size()) {
      taken.resize(k + 1, 0);
      node_g_S_per_cm2_.resize(k + 1, 0.0);
      node_e_mV_.resize(k + 1, 0.0);
    }
    if (taken[k]) return;
    taken[k] = 1;
    node_g_S_per_cm2_[k] = in.g_S_per_cm2;
    node_e_mV_[k] = in.e_mV;
  }
  one_per_node_ = true;
}

bool PassiveMechanism::node_leak(std::size_t nodes, std::vector<double>& g_S_per_cm2,
                                 std::vector<double>& e_mV) const {
  if (!one_per_node_ || node_g_S_per_cm2_.size() > nodes) return false;
  g_S_per_cm2 = node_g_S_per_cm2_;
  e_mV = node_e_mV_;
  g_S_per_cm2.resize(nodes, 0.0);
  e_mV.resize(nodes, 0.0);
  return true;
}

void PassiveMechanism::add_currents(const MembraneArrays& m) const {
  if (lanes_ == 1) {  // the same operations without the loop over lanes
    for (const Instance& in : instances_) {
      const auto k = static_cast<std::size_t>(in.node);
      m.rhs[k] -= in.g_S_per_cm2 * (m.v_mV[k] - in.e_mV);
      m.diag[k] += in.g_S_per_cm2;
    }
    return;
  }
  for (const Instance& in : instances_) {
    const std::size_t at = static_cast<std::size_t>(in.node) * lanes_;
    for (std::size_t k = at; k < at + lanes_; ++k) {
      const double v = m.v_mV[k];
      m.rhs[k] -= in.g_S_per_cm2 * (v - in.e_mV);  // i_pas = g_pas (v - e_pas)
      m.diag[k] += in.g_S_per_cm2;
    }
  }
}

}  // namespace neurotwin
