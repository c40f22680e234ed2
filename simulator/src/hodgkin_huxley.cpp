#include "neurotwin/simulator/hodgkin_huxley.hpp"

#include <cmath>

namespace neurotwin {
namespace {

// hh.mod's vtrap(x, y) = x / (exp(x/y) - 1), with its small-x expansion.
double vtrap(double x, double y) {
  if (std::fabs(x / y) < 1e-6) return y * (1.0 - x / y / 2.0);
  return x / (std::exp(x / y) - 1.0);
}

}  // namespace

double hh_q10(double celsius) { return std::pow(3.0, (celsius - 6.3) / 10.0); }

HhRates hh_rates(double v, double celsius) { return hh_rates_q10(v, hh_q10(celsius)); }

HhRates hh_rates_q10(double v, double q10) {
  HhRates r{};
  double alpha = 0.1 * vtrap(-(v + 40.0), 10.0);
  double beta = 4.0 * std::exp(-(v + 65.0) / 18.0);
  double sum = alpha + beta;
  r.m_tau_ms = 1.0 / (q10 * sum);
  r.m_inf = alpha / sum;
  alpha = 0.07 * std::exp(-(v + 65.0) / 20.0);
  beta = 1.0 / (std::exp(-(v + 35.0) / 10.0) + 1.0);
  sum = alpha + beta;
  r.h_tau_ms = 1.0 / (q10 * sum);
  r.h_inf = alpha / sum;
  alpha = 0.01 * vtrap(-(v + 55.0), 10.0);
  beta = 0.125 * std::exp(-(v + 65.0) / 80.0);
  sum = alpha + beta;
  r.n_tau_ms = 1.0 / (q10 * sum);
  r.n_inf = alpha / sum;
  return r;
}

HodgkinHuxleyMechanism::HodgkinHuxleyMechanism(std::vector<int> nodes, HhParameters params, double celsius,
                                               std::size_t lanes)
    : nodes_(std::move(nodes)), p_(params), q10_(hh_q10(celsius)), lanes_(lanes),
      m_(nodes_.size() * lanes), h_(nodes_.size() * lanes), n_(nodes_.size() * lanes) {
  if (p_.use_table) {
    // hh.mod: TABLE minf, mtau, hinf, htau, ninf, ntau FROM -100 TO 100 WITH 200
    double x = -100.0;
    for (int i = 0; i < 201; ++i, x += 1.0) table_.push_back(hh_rates_q10(x, q10_));
  }
}

HhRates HodgkinHuxleyMechanism::rates(double v) const {
  if (table_.empty()) return hh_rates_q10(v, q10_);
  const double xi = v + 100.0;  // (v - tmin) / dx with dx = 1 mV
  if (xi <= 0.0) return table_.front();
  if (xi >= 200.0) return table_.back();
  const auto i = static_cast<std::size_t>(xi);
  const double theta = xi - static_cast<double>(i);
  const HhRates& a = table_[i];
  const HhRates& b = table_[i + 1];
  return {a.m_inf + theta * (b.m_inf - a.m_inf), a.m_tau_ms + theta * (b.m_tau_ms - a.m_tau_ms),
          a.h_inf + theta * (b.h_inf - a.h_inf), a.h_tau_ms + theta * (b.h_tau_ms - a.h_tau_ms),
          a.n_inf + theta * (b.n_inf - a.n_inf), a.n_tau_ms + theta * (b.n_tau_ms - a.n_tau_ms)};
}

void HodgkinHuxleyMechanism::initialize(const double* v_mV) {
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    for (std::size_t l = 0; l < lanes_; ++l) {
      const std::size_t x = i * lanes_ + l;
      const HhRates r = rates(v_mV[static_cast<std::size_t>(nodes_[i]) * lanes_ + l]);
      m_[x] = r.m_inf;
      h_[x] = r.h_inf;
      n_[x] = r.n_inf;
    }
}

void HodgkinHuxleyMechanism::add_currents(const MembraneArrays& m) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    for (std::size_t l = 0; l < lanes_; ++l) {
      const std::size_t x = i * lanes_ + l, at = static_cast<std::size_t>(nodes_[i]) * lanes_ + l;
      const double v = m.v_mV[at];
      const double gna = p_.gnabar_S_per_cm2 * m_[x] * m_[x] * m_[x] * h_[x];
      const double n2 = n_[x] * n_[x];
      const double gk = p_.gkbar_S_per_cm2 * n2 * n2;
      m.rhs[at] -= gna * (v - p_.ena_mV) + gk * (v - p_.ek_mV) + p_.gl_S_per_cm2 * (v - p_.el_mV);
      m.diag[at] += gna + gk + p_.gl_S_per_cm2;
    }
}

void HodgkinHuxleyMechanism::advance(const double* v_mV, double dt_ms) {
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    for (std::size_t l = 0; l < lanes_; ++l) {
      const std::size_t x = i * lanes_ + l;
      const HhRates r = rates(v_mV[static_cast<std::size_t>(nodes_[i]) * lanes_ + l]);
      m_[x] = cnexp_step(m_[x], r.m_inf, r.m_tau_ms, dt_ms);
      h_[x] = cnexp_step(h_[x], r.h_inf, r.h_tau_ms, dt_ms);
      n_[x] = cnexp_step(n_[x], r.n_inf, r.n_tau_ms, dt_ms);
    }
}

}  // namespace neurotwin
