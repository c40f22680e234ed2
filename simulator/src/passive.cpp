#include "neurotwin/simulator/passive.hpp"

namespace neurotwin {

void PassiveMechanism::add_currents(const MembraneArrays& m) const {
  for (const Instance& in : instances_) {
    const double v = m.v_mV[in.node];
    m.rhs[in.node] -= in.g_S_per_cm2 * (v - in.e_mV);  // i_pas = g_pas (v - e_pas)
    m.diag[in.node] += in.g_S_per_cm2;
  }
}

}  // namespace neurotwin
