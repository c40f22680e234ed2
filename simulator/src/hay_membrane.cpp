#include "neurotwin/simulator/hay_membrane.hpp"

#include <cmath>

#include "hay_conductance_formula.hpp"

namespace neurotwin {

const std::vector<HayChannel>& hay_channels() {
  static const std::vector<HayChannel> list = {
      {&HayDensities::nats2_t, hay::nats2_t, kNats2M, kNats2H},
      {&HayDensities::skv3_1, hay::skv3_1, kSkv3M, kHayGateCount},
      {&HayDensities::im, hay::im, kImM, kHayGateCount},
      {&HayDensities::ca_hva, hay::ca_hva, kHvaM, kHvaH},
      {&HayDensities::ca_lvast, hay::ca_lvast, kLvaM, kLvaH},
      {&HayDensities::ih, hay::ih, kIhM, kHayGateCount},
      {&HayDensities::nata_t, hay::nata_t, kNataM, kNataH},
      {&HayDensities::nap_et2, hay::nap_et2, kNapM, kNapH},
      {&HayDensities::k_pst, hay::k_pst, kKpM, kKpH},
      {&HayDensities::k_tst, hay::k_tst, kKtM, kKtH},
  };
  return list;
}

bool hay_has_axon_channels(const HayDensities& g) {
  for (const HayChannel& c : hay_channels())
    if (c.m >= kNataM && g.*c.gbar > 0) return true;
  return false;
}

HayMembrane::HayMembrane(std::vector<Site> sites, double celsius, std::size_t lanes)
    : sites_(std::move(sites)), lanes_(lanes), celsius_(celsius), state_(sites_.size() * lanes),
      ica_(sites_.size() * lanes, 0.0), dica_dv_(sites_.size() * lanes, 0.0) {
  for (const Site& site : sites_) axonal_.push_back(hay_has_axon_channels(site.g));
}

namespace {

// x <- x_inf at initialization, else one cnexp step (spec §11.2 step 9).
inline void relax(double& x, double x_inf, double tau_ms, double dt_ms, bool steady) {
  x = steady ? x_inf : cnexp_step(x, x_inf, tau_ms, dt_ms);
}

}  // namespace

void HayMembrane::set_gates(const Site& s, State& x, double v, double dt, bool steady) const {
  for (const HayChannel& c : hay_channels()) {
    if (!(s.g.*c.gbar > 0)) continue;
    const hay::Gates r = c.kinetics(v);
    relax(x.gate[c.m], r.m_inf, r.m_tau_ms, dt, steady);
    if (c.h != kHayGateCount) relax(x.gate[c.h], r.h_inf, r.h_tau_ms, dt, steady);
  }
  if (s.g.sk_e2 > 0) relax(x.sk_z, hay::sk_e2_z_inf(x.cai), 1.0, dt, steady);  // tau_z = 1 ms (§6.7)
}

void HayMembrane::initialize(const double* v_mV) {
  // finitialize (§11.4): cai = 5e-5 mM (CaDynamics_E2 has no INITIAL), gates
  // at steady state for v_init, SK_E2 at that cai.
  for (std::size_t i = 0; i < sites_.size(); ++i)
    for (std::size_t l = 0; l < lanes_; ++l) {
      State& x = state_[i * lanes_ + l];
      x = State{};
      x.cai = kCaiInit_mM;
      set_gates(sites_[i], x, v_mV[static_cast<std::size_t>(sites_[i].node) * lanes_ + l], 0.0, true);
      ica_[i * lanes_ + l] = 0.0;
    }
}

void HayMembrane::add_currents(const MembraneArrays& m) const {
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    const HayDensities& g = sites_[i].g;
    for (std::size_t l = 0; l < lanes_; ++l) {
      const State& s = state_[i * lanes_ + l];
      const std::size_t at = static_cast<std::size_t>(sites_[i].node) * lanes_ + l;
      const double v = m.v_mV[at];
      // i = g (v - E) per ion (§6).
      const HayConductances<double> c =
          hay_conductances(g, [&s](HayGate j) { return s.gate[j]; }, s.sk_z, axonal_[i] != 0);
      double current = c.na * (v - g.ena_mV) + c.k * (v - g.ek_mV) + c.h * (v - g.eh_mV);
      double ica = 0.0;
      if (c.ca > 0) {
        ica = c.ca * (v - hay::calcium_nernst_mV(s.cai, kCao_mM, celsius_));  // eca from cai_n (§5.3)
        current += ica;
      }
      ica_[i * lanes_ + l] = ica;
      dica_dv_[i * lanes_ + l] = c.ca;
      m.rhs[at] -= current;
      m.diag[at] += c.na + c.k + c.ca + c.h;  // dI/dv of currents linear in v at fixed states
    }
  }
}

void HayMembrane::correct_ion_currents(const double* delta_mV) {
  // ica += g_Ca delta where the pool reads ica, in advance (one pass over
  // the sites less); the simulation leaves delta untouched until then.
  ica_delta_mV_ = delta_mV;
}

void HayMembrane::advance(const double* v_mV, double dt_ms) {
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    const Site& s = sites_[i];
    for (std::size_t l = 0; l < lanes_; ++l) {
      State& x = state_[i * lanes_ + l];
      // CaDynamics_E2 first (§11.2 step 9), then the gates at v_{n+1}.
      if (s.g.calcium_pool) x.cai = s.g.pool.step(x.cai, ica(i, l), dt_ms);
      set_gates(s, x, v_mV[static_cast<std::size_t>(s.node) * lanes_ + l], dt_ms, false);
    }
  }
  ica_delta_mV_ = nullptr;
}

}  // namespace neurotwin
