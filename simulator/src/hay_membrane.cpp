#include "neurotwin/simulator/hay_membrane.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace neurotwin {

namespace {

// ln x for x > 0 from the bits of the double x = m 2^e (m in [0.5, 1)) and
// a table of ln m (4096 intervals, linear interpolation; error < 1e-8): the
// rate-table mode's logarithm for eca and SK_E2. Falls back to std::log for
// zero, subnormal, infinite or NaN x.
struct LnTable {
  std::array<double, 4097> ln_m;
  LnTable() {
    for (std::size_t k = 0; k < ln_m.size(); ++k) ln_m[k] = std::log(0.5 + 0.5 * static_cast<double>(k) / 4096.0);
  }
};
const LnTable kLnTable;

double table_ln(double x) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &x, sizeof bits);
  const auto biased_exponent = static_cast<int>((bits >> 52) & 0x7ff);
  if (biased_exponent == 0 || biased_exponent == 0x7ff || (bits >> 63)) return std::log(x);
  const int exponent = biased_exponent - 1022;                      // x = m 2^exponent
  const auto k = static_cast<std::size_t>((bits >> 40) & 0xfff);    // top 12 mantissa bits
  const double w = static_cast<double>(bits & ((std::uint64_t{1} << 40) - 1)) * 0x1.0p-40;  // the rest
  return kLnTable.ln_m[k] + w * (kLnTable.ln_m[k + 1] - kLnTable.ln_m[k]) +
         static_cast<double>(exponent) * 0.69314718055994530942;
}

// x_j += factor_j (x_inf_j - x_j) for gates j = 0 ... count - 1, x_inf and
// factor read by linear interpolation between two table rows (weight w of
// the upper one; the factors factor_column further on): one loop over
// contiguous columns, which the compiler vectorizes.
inline void relax_gates(double* __restrict gate, const double* __restrict lo, const double* __restrict hi, double w,
                        std::size_t count, std::size_t factor_column) {
  for (std::size_t j = 0; j < count; ++j) {
    const double inf = lo[j] + w * (hi[j] - lo[j]);
    const double factor = lo[factor_column + j] + w * (hi[factor_column + j] - lo[factor_column + j]);
    gate[j] += factor * (inf - gate[j]);
  }
}

}  // namespace

struct HayMembrane::Channel {
  double HayDensities::*gbar;
  hay::Gates (*kinetics)(double v_mV);
  Gate m;
  Gate h;  // kGateCount: the channel has no h gate
};

const std::vector<HayMembrane::Channel>& HayMembrane::channels() {
  static const std::vector<Channel> list = {
      {&HayDensities::nats2_t, hay::nats2_t, kNats2M, kNats2H},
      {&HayDensities::skv3_1, hay::skv3_1, kSkv3M, kGateCount},
      {&HayDensities::im, hay::im, kImM, kGateCount},
      {&HayDensities::ca_hva, hay::ca_hva, kHvaM, kHvaH},
      {&HayDensities::ca_lvast, hay::ca_lvast, kLvaM, kLvaH},
      {&HayDensities::ih, hay::ih, kIhM, kGateCount},
      {&HayDensities::nata_t, hay::nata_t, kNataM, kNataH},
      {&HayDensities::nap_et2, hay::nap_et2, kNapM, kNapH},
      {&HayDensities::k_pst, hay::k_pst, kKpM, kKpH},
      {&HayDensities::k_tst, hay::k_tst, kKtM, kKtH},
  };
  return list;
}

HayMembrane::HayMembrane(std::vector<Site> sites, double celsius, bool rate_tables, std::size_t lanes)
    : sites_(std::move(sites)), lanes_(lanes), celsius_(celsius), state_(sites_.size() * lanes),
      ica_(sites_.size() * lanes, 0.0), dica_dv_(sites_.size() * lanes, 0.0),
      rate_tables_(rate_tables),
      nernst_factor_mV_(1000.0 * hay::kGasConstant_J_per_mol_K * (celsius + 273.15) / (2.0 * hay::kFaraday_C_per_mol)) {
  // Each site's range of gates; a site whose only channel is Ih (SK_E2 is a
  // channel too) is Ih-only.
  for (const Site& site : sites_) {
    std::uint32_t first = kGateCount, last = 0;
    bool other_channel = site.g.sk_e2 != 0;
    for (const Channel& c : channels()) {
      if (site.g.*c.gbar > 0) {
        first = std::min<std::uint32_t>(first, c.m);
        last = std::max<std::uint32_t>(last, (c.h == kGateCount ? c.m : c.h) + 1);
      }
      other_channel = other_channel || (c.gbar != &HayDensities::ih && site.g.*c.gbar != 0);
    }
    first = std::min(first, last);
    axonal_.push_back(last > kNataM);
    // An even number of gates (one more updated, never read) keeps the
    // vectorized loop free of a scalar remainder.
    if ((last - first) % 2 == 1) {
      if (last < kGateCount) ++last;
      else if (first > 0) --first;
    }
    gate_first_.push_back(first);
    gate_last_.push_back(last);
    ih_only_.push_back(!other_channel);
  }
}

void HayMembrane::build_tables(double dt) {
  table_size_ = static_cast<std::size_t>(std::llround((kTableHigh_mV - kTableLow_mV) / kTableStep_mV)) + 1;
  table_.assign(table_size_ * kTableWidth, 0.0);
  for (std::size_t k = 0; k < table_size_; ++k) {
    const double v = kTableLow_mV + static_cast<double>(k) * kTableStep_mV;
    double* row = &table_[k * kTableWidth];
    for (const Channel& c : channels()) {
      const hay::Gates r = c.kinetics(v);
      row[c.m] = r.m_inf;
      row[kGateCount + c.m] = 1.0 - std::exp(-dt / r.m_tau_ms);
      if (c.h != kGateCount) {
        row[c.h] = r.h_inf;
        row[kGateCount + c.h] = 1.0 - std::exp(-dt / r.h_tau_ms);
      }
    }
  }
  // Entry k is z_inf at the double whose bits are (first + k) << 42: the
  // exponent and the top 10 mantissa bits, 1024 points per octave of cai
  // from 2^-24 mM (below SK_E2's 1e-7 guard) to kSkCaiHigh_mM.
  const double low = 0x1.0p-24;
  std::uint64_t low_bits = 0, high_bits = 0;
  std::memcpy(&low_bits, &low, sizeof low_bits);
  std::memcpy(&high_bits, &kSkCaiHigh_mM, sizeof high_bits);
  sk_table_first_ = static_cast<std::size_t>(low_bits >> kSkWeightBits);
  const std::size_t sk_size = static_cast<std::size_t>(high_bits >> kSkWeightBits) - sk_table_first_ + 1;
  sk_table_.resize(sk_size);
  for (std::size_t k = 0; k < sk_size; ++k) {
    const std::uint64_t point_bits = static_cast<std::uint64_t>(sk_table_first_ + k) << kSkWeightBits;
    double point = 0;
    std::memcpy(&point, &point_bits, sizeof point);
    sk_table_[k] = hay::sk_e2_z_inf(point);
  }
  sk_table_factor_ = 1.0 - std::exp(-dt / 1.0);
  pool_factor_.resize(sites_.size());
  pool_decay_influx_.resize(sites_.size());
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    const hay::CalciumPool& p = sites_[i].g.pool;
    pool_factor_[i] = 1.0 - std::exp(-dt / p.decay_ms);
    pool_decay_influx_[i] = p.decay_ms * p.influx_per_mA_per_cm2();
  }
  table_dt_ms_ = dt;
}

double HayMembrane::sk_z_inf_tabulated(double cai) const {
  // SK_E2's own guard below 1e-7 mM, and cai outside the table: the function.
  if (!(cai >= 1e-7 && cai < kSkCaiHigh_mM)) return hay::sk_e2_z_inf(cai);
  std::uint64_t bits = 0;
  std::memcpy(&bits, &cai, sizeof bits);
  const std::size_t k = static_cast<std::size_t>(bits >> kSkWeightBits) - sk_table_first_;
  const double w = static_cast<double>(bits & ((std::uint64_t{1} << kSkWeightBits) - 1)) * 0x1.0p-42;
  return sk_table_[k] + w * (sk_table_[k + 1] - sk_table_[k]);
}

namespace {

// x <- x_inf at initialization, else one cnexp step (spec §11.2 step 9).
inline void relax(double& x, double x_inf, double tau_ms, double dt_ms, bool steady) {
  x = steady ? x_inf : cnexp_step(x, x_inf, tau_ms, dt_ms);
}

}  // namespace

void HayMembrane::set_gates(const Site& s, State& x, double v, double dt, bool steady) const {
  for (const Channel& c : channels()) {
    if (!(s.g.*c.gbar > 0)) continue;
    const hay::Gates r = c.kinetics(v);
    relax(x.gate[c.m], r.m_inf, r.m_tau_ms, dt, steady);
    if (c.h != kGateCount) relax(x.gate[c.h], r.h_inf, r.h_tau_ms, dt, steady);
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
    if (ih_only_[i]) {  // the basal dendrites: Ih alone (the same numbers as the general sum below)
      for (std::size_t l = 0; l < lanes_; ++l) {
        const std::size_t at = static_cast<std::size_t>(sites_[i].node) * lanes_ + l;
        const double g_h = g.ih * state_[i * lanes_ + l].gate[kIhM];
        m.rhs[at] -= g_h * (m.v_mV[at] - g.eh_mV);
        m.diag[at] += g_h;
      }
      continue;
    }
    for (std::size_t l = 0; l < lanes_; ++l) {
      const State& s = state_[i * lanes_ + l];
      const double* x = s.gate.data();
      const std::size_t at = static_cast<std::size_t>(sites_[i].node) * lanes_ + l;
      const double v = m.v_mV[at];
      // Conductances (S/cm²) of each ion's channels, then i = g (v - E) (§6);
      // the axon-only channels' terms are zero elsewhere (the same sums).
      double g_na = g.nats2_t * x[kNats2M] * x[kNats2M] * x[kNats2M] * x[kNats2H];
      double g_k = g.skv3_1 * x[kSkv3M] + g.sk_e2 * s.sk_z + g.im * x[kImM];
      if (axonal_[i]) {
        g_na = g.nata_t * x[kNataM] * x[kNataM] * x[kNataM] * x[kNataH] + g_na +
               g.nap_et2 * x[kNapM] * x[kNapM] * x[kNapM] * x[kNapH];
        const double kt_m2 = x[kKtM] * x[kKtM];
        g_k = g.k_pst * x[kKpM] * x[kKpM] * x[kKpH] + g.k_tst * kt_m2 * kt_m2 * x[kKtH] + g.skv3_1 * x[kSkv3M] +
              g.sk_e2 * s.sk_z + g.im * x[kImM];
      }
      const double g_ca = g.ca_hva * x[kHvaM] * x[kHvaM] * x[kHvaH] + g.ca_lvast * x[kLvaM] * x[kLvaM] * x[kLvaH];
      const double g_h = g.ih * x[kIhM];
      double current = g_na * (v - g.ena_mV) + g_k * (v - g.ek_mV) + g_h * (v - g.eh_mV);
      double ica = 0.0;
      if (g_ca > 0) {
        // eca from cai_n (§5.3); in rate-table mode with the table logarithm.
        const double eca = rate_tables_ ? nernst_factor_mV_ * (kLnCao - table_ln(s.cai))
                                        : hay::calcium_nernst_mV(s.cai, kCao_mM, celsius_);
        ica = g_ca * (v - eca);
        current += ica;
      }
      ica_[i * lanes_ + l] = ica;
      dica_dv_[i * lanes_ + l] = g_ca;
      m.rhs[at] -= current;
      m.diag[at] += g_na + g_k + g_ca + g_h;  // dI/dv of currents linear in v at fixed states
    }
  }
}

void HayMembrane::correct_ion_currents(const double* delta_mV) {
  // ica += g_Ca delta where the pool reads ica, in advance (one pass over
  // the sites less); the simulation leaves delta untouched until then.
  ica_delta_mV_ = delta_mV;
}

void HayMembrane::advance(const double* v_mV, double dt_ms) {
  if (!rate_tables_) {
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
    return;
  }
  if (dt_ms != table_dt_ms_) build_tables(dt_ms);
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    const Site& s = sites_[i];
    const std::size_t first = gate_first_[i], count = gate_last_[i] - first;
    for (std::size_t l = 0; l < lanes_; ++l) {
      State& x = state_[i * lanes_ + l];
      if (s.g.calcium_pool) {  // CaDynamics_E2 first (§11.2 step 9), its factor precomputed for dt
        const double cai_inf = s.g.pool.min_cai_mM - pool_decay_influx_[i] * ica(i, l) * s.g.pool.gamma;
        x.cai += pool_factor_[i] * (cai_inf - x.cai);
      }
      // The gates at v_{n+1}, x_inf and the cnexp factor read from the table.
      const double v = v_mV[static_cast<std::size_t>(s.node) * lanes_ + l];
      const double position = (std::clamp(v, kTableLow_mV, kTableHigh_mV) - kTableLow_mV) * kTablePointsPerMv;
      const auto k = std::min(static_cast<std::size_t>(position), table_size_ - 2);
      const double* lo = &table_[k * kTableWidth + first];
      relax_gates(x.gate.data() + first, lo, lo + kTableWidth, position - static_cast<double>(k), count, kGateCount);
      if (s.g.sk_e2 > 0) x.sk_z += sk_table_factor_ * (sk_z_inf_tabulated(x.cai) - x.sk_z);
    }
  }
  ica_delta_mV_ = nullptr;
}

}  // namespace neurotwin
