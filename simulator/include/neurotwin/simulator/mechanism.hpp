#pragma once
#include <cstddef>
#include <vector>

namespace neurotwin {

// Per-step view of the membrane handed to mechanisms. A simulation advances
// `lanes` independent copies of the cell in lockstep; every per-node array
// holds node k of lane l at [k * lanes + l] (lanes innermost, so that one
// node's lanes are contiguous). Mechanisms add their current density I
// (mA/cm², outward positive) as rhs -= I and its slope dI/dv (S/cm²) as
// diag += G (spec §11.2, step 3).
struct MembraneArrays {
  const double* v_mV = nullptr;
  double* rhs = nullptr;
  double* diag = nullptr;
  std::size_t lanes = 1;
};

// A density mechanism inserted at a set of nodes: it owns its parameters and
// its state for every lane of one simulation (the lane count is fixed at
// construction). Every lane is computed with exactly the operations of a
// one-lane simulation, so a lane's numbers do not depend on the lane count.
// Arrays passed below use the lane layout of MembraneArrays.
class Mechanism {
 public:
  virtual ~Mechanism() = default;
  // States at steady state for the given node voltages (NEURON's INITIAL).
  virtual void initialize(const double* v_mV) = 0;
  // Adds currents evaluated at v with the present states.
  virtual void add_currents(const MembraneArrays& m) const = 0;
  // A leak, i = g (v - e) with constant g and e and at most one instance per node, can be written by the
  // cable assembly with the capacitive and axial terms instead of being added in a pass of its own: then
  // this sets g_S_per_cm2 and e_mV to `nodes` values (0 where the mechanism has no instance) and returns
  // true, and the simulation does not call add_currents. False (the default): no such leak.
  virtual bool node_leak(std::size_t /*nodes*/, std::vector<double>& /*g_S_per_cm2*/,
                         std::vector<double>& /*e_mV*/) const {
    return false;
  }
  // Crank-Nicolson only, after the solve: the currents a mechanism keeps for
  // its concentrations (ica for a calcium pool) move from v_n to the
  // midpoint v_n + delta, i += (di/dv) delta (NEURON's secondorder = 2), so
  // that they are second order too. delta is indexed by node and stays
  // valid and unchanged until the following advance (which may apply it).
  virtual void correct_ion_currents(const double* /*delta_mV*/) {}
  // Advances states over dt with v = v_{n+1} (NEURON's cnexp, spec §11.2 step 9).
  virtual void advance(const double* v_mV, double dt_ms) = 0;
};

// One exact exponential relaxation step with frozen rates (NEURON's cnexp):
// x_{n+1} = x_n + (1 - exp(-dt/tau)) (x_inf - x_n).
inline double cnexp_step(double x, double x_inf, double tau_ms, double dt_ms);

}  // namespace neurotwin

#include <cmath>
inline double neurotwin::cnexp_step(double x, double x_inf, double tau_ms, double dt_ms) {
  return x + (1.0 - std::exp(-dt_ms / tau_ms)) * (x_inf - x);
}
