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
  // NEURON's usetable_hh: rates linearly interpolated from a table at 1-mV
  // steps over [-100, 100] mV (hh.mod's TABLE, NEURON's default), or exact.
  bool use_table = true;
};

// Steady states and time constants of NEURON's built-in `hh` (hh.mod) at
// voltage v and temperature factor q10 = 3^((celsius - 6.3)/10).
struct HhRates {
  double m_inf, m_tau_ms, h_inf, h_tau_ms, n_inf, n_tau_ms;
};
HhRates hh_rates(double v_mV, double celsius);
double hh_q10(double celsius);  // 3^((celsius - 6.3)/10)
HhRates hh_rates_q10(double v_mV, double q10);

// NEURON's `hh`: ina = gnabar m³h (v - ena), ik = gkbar n⁴ (v - ek),
// il = gl (v - el); gates by cnexp; rates from the table or exact
// (HhParameters::use_table).
class HodgkinHuxleyMechanism final : public Mechanism {
 public:
  HodgkinHuxleyMechanism(std::vector<int> nodes, HhParameters params, double celsius, std::size_t lanes = 1);
  void initialize(const double* v_mV) override;
  void add_currents(const MembraneArrays& m) const override;
  void advance(const double* v_mV, double dt_ms) override;

 private:
  std::vector<int> nodes_;
  HhParameters p_;
  double q10_;
  std::vector<HhRates> table_;  // 201 entries at v = -100, -99, ..., 100 mV
  HhRates rates(double v_mV) const;
  std::size_t lanes_;
  std::vector<double> m_, h_, n_;  // [instance * lanes + lane]
};

}  // namespace neurotwin
