#include "neurotwin/simulator/hay_kinetics.hpp"

#include <cmath>

namespace neurotwin::hay {
namespace {

// NEURON's guard against 0/0: v equal to the singular value moves by 1e-4 mV.
double nudge(double v, double singular) { return v == singular ? v + 1e-4 : v; }

// NaTa_t-style sodium with half points `m_half` (38) and `h_half` (66).
Gates transient_na(double v, double m_half, double h_half) {
  Gates g;
  v = nudge(v, -m_half);
  const double am = 0.182 * (v + m_half) / (1 - std::exp(-(v + m_half) / 6));
  const double bm = 0.124 * (-v - m_half) / (1 - std::exp(-(-v - m_half) / 6));
  g.m_inf = am / (am + bm);
  g.m_tau_ms = 1 / ((am + bm) * kQt);
  v = nudge(v, -h_half);
  const double ah = -0.015 * (v + h_half) / (1 - std::exp((v + h_half) / 6));
  const double bh = -0.015 * (-v - h_half) / (1 - std::exp((-v - h_half) / 6));
  g.h_inf = ah / (ah + bh);
  g.h_tau_ms = 1 / ((ah + bh) * kQt);
  return g;
}

}  // namespace

Gates nata_t(double v) { return transient_na(v, 38, 66); }
Gates nats2_t(double v) { return transient_na(v, 32, 60); }

Gates nap_et2(double v) {
  Gates g;
  g.m_inf = 1 / (1 + std::exp(-(v + 52.6) / 4.6));  // un-nudged v
  v = nudge(v, -38);
  const double am = 0.182 * (v + 38) / (1 - std::exp(-(v + 38) / 6));
  const double bm = 0.124 * (-v - 38) / (1 - std::exp(-(-v - 38) / 6));
  g.m_tau_ms = 6 / ((am + bm) * kQt);
  v = nudge(v, -17);
  v = nudge(v, -64.4);
  g.h_inf = 1 / (1 + std::exp((v + 48.8) / 10));
  const double ah = -2.88e-6 * (v + 17) / (1 - std::exp((v + 17) / 4.63));
  const double bh = 6.94e-6 * (v + 64.4) / (1 - std::exp(-(v + 64.4) / 2.63));
  g.h_tau_ms = 1 / ((ah + bh) * kQt);
  return g;
}

Gates k_pst(double v) {
  const double u = v + 10;  // junction-potential shift
  Gates g;
  g.m_inf = 1 / (1 + std::exp(-(u + 1) / 12));
  g.m_tau_ms = (u < -50 ? 1.25 + 175.03 * std::exp(0.026 * u) : 1.25 + 13 * std::exp(-0.026 * u)) / kQt;
  g.h_inf = 1 / (1 + std::exp((u + 54) / 11));
  const double z = (u + 75) / 48;
  g.h_tau_ms = (360 + (1010 + 24 * (u + 55)) * std::exp(-z * z)) / kQt;
  return g;
}

Gates k_tst(double v) {
  const double u = v + 10;
  Gates g;
  g.m_inf = 1 / (1 + std::exp(-u / 19));
  const double zm = (u + 71) / 59;
  g.m_tau_ms = (0.34 + 0.92 * std::exp(-zm * zm)) / kQt;
  g.h_inf = 1 / (1 + std::exp((u + 66) / 10));
  const double zh = (u + 73) / 23;
  g.h_tau_ms = (8 + 49 * std::exp(-zh * zh)) / kQt;
  return g;
}

Gates skv3_1(double v) {
  Gates g;
  g.m_inf = 1 / (1 + std::exp(-(v - 18.7) / 9.7));
  g.m_tau_ms = 0.2 * 20 / (1 + std::exp(-(v + 46.56) / 44.14));
  return g;
}

Gates ca_hva(double v) {
  Gates g;
  v = nudge(v, -27);
  const double am = 0.055 * (-27 - v) / (std::exp((-27 - v) / 3.8) - 1);
  const double bm = 0.94 * std::exp((-75 - v) / 17);
  g.m_inf = am / (am + bm);
  g.m_tau_ms = 1 / (am + bm);
  const double ah = 0.000457 * std::exp((-13 - v) / 50);
  const double bh = 0.0065 / (std::exp((-v - 15) / 28) + 1);
  g.h_inf = ah / (ah + bh);
  g.h_tau_ms = 1 / (ah + bh);
  return g;
}

Gates ca_lvast(double v) {
  const double u = v + 10;
  Gates g;
  g.m_inf = 1 / (1 + std::exp(-(u + 30) / 6));
  g.m_tau_ms = (5 + 20 / (1 + std::exp((u + 25) / 5))) / kQt;
  g.h_inf = 1 / (1 + std::exp((u + 80) / 6.4));
  g.h_tau_ms = (20 + 50 / (1 + std::exp((u + 40) / 7))) / kQt;
  return g;
}

Gates im(double v) {
  Gates g;
  const double a = 3.3e-3 * std::exp(2.5 * 0.04 * (v + 35));
  const double b = 3.3e-3 * std::exp(-2.5 * 0.04 * (v + 35));
  g.m_inf = a / (a + b);
  g.m_tau_ms = 1 / ((a + b) * kQt);
  return g;
}

Gates ih(double v) {
  const double vhalf = -154.9, vshift = 0.0;
  Gates g;
  v = nudge(v, vhalf);  // the test uses vhalf, not vhalf + vshift (spec §6.11)
  const double a = 0.001 * 6.43 * (v - (vhalf + vshift)) / (std::exp((v - (vhalf + vshift)) / 11.9) - 1);
  const double b = 0.001 * 193 * std::exp((v - vshift) / 33.1);
  g.m_inf = a / (a + b);
  g.m_tau_ms = 1 / (a + b);
  return g;
}

double calcium_nernst_mV(double cai_mM, double cao_mM, double celsius) {
  return 1000.0 * kGasConstant_J_per_mol_K * (celsius + 273.15) / (2.0 * kFaraday_C_per_mol) * std::log(cao_mM / cai_mM);
}

double CalciumPool::step(double cai, double ica, double dt_ms) const {
  // cai_inf = minCai - decay * influx * ica * gamma; relax toward it over dt (cnexp).
  const double cai_inf = min_cai_mM - decay_ms * influx_per_mA_per_cm2() * ica * gamma;
  return cai + (1.0 - std::exp(-dt_ms / decay_ms)) * (cai_inf - cai);
}

double sk_e2_z_inf(double cai) {
  const double c = cai < 1e-7 ? cai + 1e-7 : cai;
  return 1 / (1 + std::pow(0.00043 / c, 4.8));
}

}  // namespace neurotwin::hay
