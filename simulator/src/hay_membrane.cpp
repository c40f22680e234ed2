#include "neurotwin/simulator/hay_membrane.hpp"

#include <cmath>

namespace neurotwin {

HayMembrane::HayMembrane(std::vector<Site> sites, double celsius)
    : sites_(std::move(sites)), celsius_(celsius), state_(sites_.size()), ica_(sites_.size(), 0.0) {}

namespace {

// x <- x_inf at initialization, else one cnexp step (spec §11.2 step 9).
inline void relax(double& x, double x_inf, double tau_ms, double dt_ms, bool steady) {
  x = steady ? x_inf : cnexp_step(x, x_inf, tau_ms, dt_ms);
}

}  // namespace

void HayMembrane::set_gates(const Site& s, State& x, double v, double dt, bool steady) const {
  const HayDensities& g = s.g;
  if (g.nata_t > 0) {
    const hay::Gates r = hay::nata_t(v);
    relax(x.nata_m, r.m_inf, r.m_tau_ms, dt, steady);
    relax(x.nata_h, r.h_inf, r.h_tau_ms, dt, steady);
  }
  if (g.nats2_t > 0) {
    const hay::Gates r = hay::nats2_t(v);
    relax(x.nats2_m, r.m_inf, r.m_tau_ms, dt, steady);
    relax(x.nats2_h, r.h_inf, r.h_tau_ms, dt, steady);
  }
  if (g.nap_et2 > 0) {
    const hay::Gates r = hay::nap_et2(v);
    relax(x.nap_m, r.m_inf, r.m_tau_ms, dt, steady);
    relax(x.nap_h, r.h_inf, r.h_tau_ms, dt, steady);
  }
  if (g.k_pst > 0) {
    const hay::Gates r = hay::k_pst(v);
    relax(x.kp_m, r.m_inf, r.m_tau_ms, dt, steady);
    relax(x.kp_h, r.h_inf, r.h_tau_ms, dt, steady);
  }
  if (g.k_tst > 0) {
    const hay::Gates r = hay::k_tst(v);
    relax(x.kt_m, r.m_inf, r.m_tau_ms, dt, steady);
    relax(x.kt_h, r.h_inf, r.h_tau_ms, dt, steady);
  }
  if (g.skv3_1 > 0) {
    const hay::Gates r = hay::skv3_1(v);
    relax(x.skv3_m, r.m_inf, r.m_tau_ms, dt, steady);
  }
  if (g.sk_e2 > 0) relax(x.sk_z, hay::sk_e2_z_inf(x.cai), 1.0, dt, steady);  // tau_z = 1 ms (§6.7)
  if (g.im > 0) {
    const hay::Gates r = hay::im(v);
    relax(x.im_m, r.m_inf, r.m_tau_ms, dt, steady);
  }
  if (g.ca_hva > 0) {
    const hay::Gates r = hay::ca_hva(v);
    relax(x.hva_m, r.m_inf, r.m_tau_ms, dt, steady);
    relax(x.hva_h, r.h_inf, r.h_tau_ms, dt, steady);
  }
  if (g.ca_lvast > 0) {
    const hay::Gates r = hay::ca_lvast(v);
    relax(x.lva_m, r.m_inf, r.m_tau_ms, dt, steady);
    relax(x.lva_h, r.h_inf, r.h_tau_ms, dt, steady);
  }
  if (g.ih > 0) {
    const hay::Gates r = hay::ih(v);
    relax(x.ih_m, r.m_inf, r.m_tau_ms, dt, steady);
  }
}

void HayMembrane::initialize(const double* v_mV) {
  // finitialize (§11.4): cai = 5e-5 mM (CaDynamics_E2 has no INITIAL), gates
  // at steady state for v_init, SK_E2 at that cai.
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    state_[i] = State{};
    state_[i].cai = kCaiInit_mM;
    set_gates(sites_[i], state_[i], v_mV[sites_[i].node], 0.0, true);
    ica_[i] = 0.0;
  }
}

void HayMembrane::add_currents(const MembraneArrays& m) const {
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    const HayDensities& g = sites_[i].g;
    const State& x = state_[i];
    const int node = sites_[i].node;
    const double v = m.v_mV[node];
    // Conductances (S/cm²) of each ion's channels, then i = g (v - E) (§6).
    const double g_na = g.nata_t * x.nata_m * x.nata_m * x.nata_m * x.nata_h +
                        g.nats2_t * x.nats2_m * x.nats2_m * x.nats2_m * x.nats2_h +
                        g.nap_et2 * x.nap_m * x.nap_m * x.nap_m * x.nap_h;
    const double kt_m2 = x.kt_m * x.kt_m;
    const double g_k = g.k_pst * x.kp_m * x.kp_m * x.kp_h + g.k_tst * kt_m2 * kt_m2 * x.kt_h + g.skv3_1 * x.skv3_m +
                       g.sk_e2 * x.sk_z + g.im * x.im_m;
    const double g_ca = g.ca_hva * x.hva_m * x.hva_m * x.hva_h + g.ca_lvast * x.lva_m * x.lva_m * x.lva_h;
    const double g_h = g.ih * x.ih_m;
    double current = g_na * (v - g.ena_mV) + g_k * (v - g.ek_mV) + g_h * (v - g.eh_mV);
    double ica = 0.0;
    if (g_ca > 0) {
      const double eca = hay::calcium_nernst_mV(x.cai, kCao_mM, celsius_);  // from cai_n (§5.3)
      ica = g_ca * (v - eca);
      current += ica;
    }
    ica_[i] = ica;
    m.rhs[node] -= current;
    m.diag[node] += g_na + g_k + g_ca + g_h;  // dI/dv of currents linear in v at fixed states
  }
}

void HayMembrane::advance(const double* v_mV, double dt_ms) {
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    State& x = state_[i];
    const Site& s = sites_[i];
    if (s.g.calcium_pool) x.cai = s.g.pool.step(x.cai, ica_[i], dt_ms);  // CaDynamics_E2 first (§11.2 step 9)
    set_gates(s, x, v_mV[s.node], dt_ms, false);
  }
}

}  // namespace neurotwin
