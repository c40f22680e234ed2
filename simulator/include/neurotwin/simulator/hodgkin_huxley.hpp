#pragma once
#include <vector>

#include "neurotwin/simulator/mechanism.hpp"

namespace neurotwin {

struct HhParameters {
  double gnabar_S_per_cm2 = 0.12;
  double gkbar_S_per_cm2 = 0.036;
  double gl_S_per_cm2 = 0.0003;
  double el_mV = -54.3;
  double ena_mV = 50.0;
  double ek_mV = -77.0;
};

// Steady states and time constants of NEURON's built-in `hh` (hh.mod) at
// voltage v and temperature factor q10 = 3^((celsius - 6.3)/10).
struct HhRates {
  double m_inf, m_tau_ms, h_inf, h_tau_ms, n_inf, n_tau_ms;
};
HhRates hh_rates(double v_mV, double celsius);

// NEURON's `hh`: ina = gnabar m³h (v - ena), ik = gkbar n⁴ (v - ek),
// il = gl (v - el); gates by cnexp. Rates are the exact formulas (as NEURON
// with usetable_hh = 0).
class HodgkinHuxleyMechanism final : public Mechanism {
 public:
  HodgkinHuxleyMechanism(std::vector<int> nodes, HhParameters params, double celsius);
  void initialize(const double* v_mV) override;
  void add_currents(const MembraneArrays& m) const override;
  void advance(const double* v_mV, double dt_ms) override;

 private:
  std::vector<int> nodes_;
  HhParameters p_;
  double celsius_;
  std::vector<double> m_, h_, n_;
};

}  // namespace neurotwin
