#include "neurotwin/simulator/hay_membrane.hpp"

#include <algorithm>
#include <cmath>

namespace neurotwin {

HayMembrane::HayMembrane(std::vector<Site> sites, double celsius, bool rate_tables)
    : sites_(std::move(sites)), celsius_(celsius), state_(sites_.size()), ica_(sites_.size(), 0.0),
      rate_tables_(rate_tables) {}

void HayMembrane::build_tables(double dt) {
  table_size_ = static_cast<std::size_t>(std::llround((kTableHigh_mV - kTableLow_mV) / kTableStep_mV)) + 1;
  table_.assign(table_size_ * kGateCount * 2, 0.0);
  for (std::size_t k = 0; k < table_size_; ++k) {
    const double v = kTableLow_mV + static_cast<double>(k) * kTableStep_mV;
    double* row = &table_[k * kGateCount * 2];
    auto put = [&](Gate g, double inf, double tau) {
      row[2 * g] = inf;
      row[2 * g + 1] = 1.0 - std::exp(-dt / tau);
    };
    const hay::Gates nata = hay::nata_t(v), nats2 = hay::nats2_t(v), nap = hay::nap_et2(v), kp = hay::k_pst(v),
                     kt = hay::k_tst(v), skv3 = hay::skv3_1(v), im = hay::im(v), hva = hay::ca_hva(v), lva = hay::ca_lvast(v),
                     ih = hay::ih(v);
    put(kNataM, nata.m_inf, nata.m_tau_ms);
    put(kNataH, nata.h_inf, nata.h_tau_ms);
    put(kNats2M, nats2.m_inf, nats2.m_tau_ms);
    put(kNats2H, nats2.h_inf, nats2.h_tau_ms);
    put(kNapM, nap.m_inf, nap.m_tau_ms);
    put(kNapH, nap.h_inf, nap.h_tau_ms);
    put(kKpM, kp.m_inf, kp.m_tau_ms);
    put(kKpH, kp.h_inf, kp.h_tau_ms);
    put(kKtM, kt.m_inf, kt.m_tau_ms);
    put(kKtH, kt.h_inf, kt.h_tau_ms);
    put(kSkv3M, skv3.m_inf, skv3.m_tau_ms);
    put(kImM, im.m_inf, im.m_tau_ms);
    put(kHvaM, hva.m_inf, hva.m_tau_ms);
    put(kHvaH, hva.h_inf, hva.h_tau_ms);
    put(kLvaM, lva.m_inf, lva.m_tau_ms);
    put(kLvaH, lva.h_inf, lva.h_tau_ms);
    put(kIhM, ih.m_inf, ih.m_tau_ms);
  }
  const auto sk_size = static_cast<std::size_t>(std::llround((kSkHigh - kSkLow) / kSkStep)) + 1;
  sk_table_.resize(sk_size);
  for (std::size_t k = 0; k < sk_size; ++k) sk_table_[k] = hay::sk_e2_z_inf(std::exp(kSkLow + static_cast<double>(k) * kSkStep));
  sk_table_factor_ = 1.0 - std::exp(-dt / 1.0);
  pool_factor_.resize(sites_.size());
  for (std::size_t i = 0; i < sites_.size(); ++i) pool_factor_[i] = 1.0 - std::exp(-dt / sites_[i].g.pool.decay_ms);
  table_dt_ms_ = dt;
}

double HayMembrane::sk_z_inf_tabulated(double cai) const {
  if (cai < 1e-7) return hay::sk_e2_z_inf(cai);  // SK_E2's own guard below 1e-7 mM
  const double position = (std::clamp(std::log(cai), kSkLow, kSkHigh) - kSkLow) / kSkStep;
  const auto k = std::min(static_cast<std::size_t>(position), sk_table_.size() - 2);
  const double w = position - static_cast<double>(k);
  return sk_table_[k] + w * (sk_table_[k + 1] - sk_table_[k]);
}

void HayMembrane::set_gates_tabulated(const Site& s, State& x, double v) const {
  const double position = (std::clamp(v, kTableLow_mV, kTableHigh_mV) - kTableLow_mV) / kTableStep_mV;
  const auto k = std::min(static_cast<std::size_t>(position), table_size_ - 2);
  const double w = position - static_cast<double>(k);
  const double* lo = &table_[k * kGateCount * 2];
  const double* hi = lo + kGateCount * 2;
  auto step = [&](double& gate, Gate g) {
    const double inf = lo[2 * g] + w * (hi[2 * g] - lo[2 * g]);
    const double factor = lo[2 * g + 1] + w * (hi[2 * g + 1] - lo[2 * g + 1]);
    gate += factor * (inf - gate);
  };
  const HayDensities& g = s.g;
  if (g.nata_t > 0) { step(x.nata_m, kNataM); step(x.nata_h, kNataH); }
  if (g.nats2_t > 0) { step(x.nats2_m, kNats2M); step(x.nats2_h, kNats2H); }
  if (g.nap_et2 > 0) { step(x.nap_m, kNapM); step(x.nap_h, kNapH); }
  if (g.k_pst > 0) { step(x.kp_m, kKpM); step(x.kp_h, kKpH); }
  if (g.k_tst > 0) { step(x.kt_m, kKtM); step(x.kt_h, kKtH); }
  if (g.skv3_1 > 0) step(x.skv3_m, kSkv3M);
  if (g.sk_e2 > 0) x.sk_z += sk_table_factor_ * (sk_z_inf_tabulated(x.cai) - x.sk_z);
  if (g.im > 0) step(x.im_m, kImM);
  if (g.ca_hva > 0) { step(x.hva_m, kHvaM); step(x.hva_h, kHvaH); }
  if (g.ca_lvast > 0) { step(x.lva_m, kLvaM); step(x.lva_h, kLvaH); }
  if (g.ih > 0) step(x.ih_m, kIhM);
}

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
  if (rate_tables_ && dt_ms != table_dt_ms_) build_tables(dt_ms);
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    State& x = state_[i];
    const Site& s = sites_[i];
    if (rate_tables_) {
      if (s.g.calcium_pool) {  // CaDynamics_E2 first (§11.2 step 9), its factor precomputed for dt
        const hay::CalciumPool& p = s.g.pool;
        const double cai_inf = p.min_cai_mM - p.decay_ms * p.influx_per_mA_per_cm2() * ica_[i] * p.gamma;
        x.cai += pool_factor_[i] * (cai_inf - x.cai);
      }
      set_gates_tabulated(s, x, v_mV[s.node]);
    } else {
      if (s.g.calcium_pool) x.cai = s.g.pool.step(x.cai, ica_[i], dt_ms);  // CaDynamics_E2 first (§11.2 step 9)
      set_gates(s, x, v_mV[s.node], dt_ms, false);
    }
  }
}

}  // namespace neurotwin
