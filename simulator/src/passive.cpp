#include "neurotwin/simulator/passive.hpp"

namespace neurotwin {

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
