#include "neurotwin/simulator/passive.hpp"

#include <algorithm>
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
  writes_every_node_ = true;
}

bool PassiveMechanism::set_currents(const MembraneArrays& m, std::size_t nodes) const {
  if (!writes_every_node_) return false;
  const std::size_t covered = std::min(nodes, node_g_S_per_cm2_.size());
  // rhs = 0 - g (v - e) and diag = 0 + g: add_currents' numbers on zeroed arrays; a node without an
  // instance has g = e = 0, so 0 - 0 (v - 0) = 0 there (for finite v).
  const double* g = node_g_S_per_cm2_.data();
  const double* e = node_e_mV_.data();
  if (lanes_ == 1) {
    for (std::size_t k = 0; k < covered; ++k) {
      m.rhs[k] = 0.0 - g[k] * (m.v_mV[k] - e[k]);
      m.diag[k] = 0.0 + g[k];
    }
  } else {
    for (std::size_t k = 0; k < covered; ++k)
      for (std::size_t x = k * lanes_; x < (k + 1) * lanes_; ++x) {
        m.rhs[x] = 0.0 - g[k] * (m.v_mV[x] - e[k]);
        m.diag[x] = 0.0 + g[k];
      }
  }
  std::fill(m.rhs + covered * lanes_, m.rhs + nodes * lanes_, 0.0);
  std::fill(m.diag + covered * lanes_, m.diag + nodes * lanes_, 0.0);
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
