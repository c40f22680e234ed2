#include "neurotwin/simulator/hay_membrane_tabulated.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "hay_table_kernel.hpp"
#include "neurotwin/simulator/instruction_set.hpp"

namespace neurotwin {

using hay_tables::GateRow;
using hay_tables::kRowGates;
using hay_tables::TableRow;

namespace {

// ln m on [0.5, 1] for the logarithm of cai (hay_table_kernel.cpp).
struct LnTable {
  std::array<double, hay_tables::kLnIntervals + 1> ln_m;
  LnTable() {
    for (std::size_t k = 0; k < ln_m.size(); ++k)
      ln_m[k] = std::log(0.5 + 0.5 * static_cast<double>(k) / static_cast<double>(hay_tables::kLnIntervals));
  }
};
const LnTable kLnTable;

}  // namespace

TabulatedHayMembrane::~TabulatedHayMembrane() = default;

TabulatedHayMembrane::TabulatedHayMembrane(std::vector<HayMembrane::Site> sites, double celsius, std::size_t lanes)
    : sites_(std::move(sites)), lanes_(lanes),
      gates_(sites_.size() * lanes), ih_gates_(sites_.size() * lanes, 0.0f), sk_z_(sites_.size() * lanes, 0.0),
      cai_(sites_.size() * lanes, HayMembrane::kCaiInit_mM),
      ln_cai_(sites_.size() * lanes, std::log(HayMembrane::kCaiInit_mM)), ica_(sites_.size() * lanes, 0.0),
      g_ca_(sites_.size() * lanes, 0.0),
      nernst_factor_mV_(1000.0 * hay::kGasConstant_J_per_mol_K * (celsius + 273.15) / (2.0 * hay::kFaraday_C_per_mol)) {
  const hay_tables::Kernels kernels =
      kernel_for_instruction_set(hay_tables::generic_kernel, hay_tables::avx2_kernel, hay_tables::avx512_kernel);
  gate_kernel_ = kernels.gates;
  current_kernel_ = kernels.currents;
  calcium_kernel_ = kernels.calcium;
  static_assert(kHayGateCount <= 2 * kRowGates, "the Hay gates fit two rows");
  columns_.resize(kDensityColumns);
  for (const HayMembrane::Site& site : sites_) {
    bool other_than_ih = site.g.sk_e2 != 0;
    for (const HayChannel& c : hay_channels()) other_than_ih = other_than_ih || (c.m != kIhM && site.g.*c.gbar != 0);
    nodes_.push_back(site.node);
    axonal_.push_back(hay_has_axon_channels(site.g));
    // Only sites with a gate beyond the first row (K_Tst h) update a second row.
    const bool high = site.g.k_tst > 0;
    high_row_.push_back(high ? static_cast<std::uint32_t>(high_gates_.size()) : hay_tables::kNoHighRow);
    if (high) high_gates_.resize(high_gates_.size() + lanes);
    const bool calcium = site.g.ca_hva > 0 || site.g.ca_lvast > 0;
    site_class_.push_back(!other_than_ih                         ? kSiteIhOnly
                          : !axonal_.back() && !high && calcium  ? kSiteDendritic
                                                                 : kSiteOther);
    const double column[kDensityColumns] = {site.g.nats2_t, site.g.skv3_1,   site.g.sk_e2, site.g.im,
                                            site.g.ca_hva,  site.g.ca_lvast, site.g.ih,    site.g.ena_mV,
                                            site.g.ek_mV,   site.g.eh_mV};
    for (std::size_t k = 0; k < kDensityColumns; ++k) columns_[k].push_back(column[k]);
  }
}

void TabulatedHayMembrane::build_tables(double dt) {
  const auto rows =
      static_cast<std::size_t>(std::llround((hay_tables::kHigh_mV - hay_tables::kLow_mV) / hay_tables::kStep_mV)) + 1;
  // Steady states and cnexp factors of every gate at every table voltage (double), then the float rows.
  std::vector<std::array<double, 2 * kRowGates>> inf(rows), factor(rows);
  for (std::size_t k = 0; k < rows; ++k) {
    const double v = hay_tables::kLow_mV + static_cast<double>(k) * hay_tables::kStep_mV;
    inf[k].fill(0.0);
    factor[k].fill(0.0);  // gates of no channel (row padding) stay where they are
    for (const HayChannel& c : hay_channels()) {
      const hay::Gates r = c.kinetics(v);
      inf[k][c.m] = r.m_inf;
      factor[k][c.m] = 1.0 - std::exp(-dt / r.m_tau_ms);
      if (c.h != kHayGateCount) {
        inf[k][c.h] = r.h_inf;
        factor[k][c.h] = 1.0 - std::exp(-dt / r.h_tau_ms);
      }
    }
  }
  table_.assign(rows, TableRow{});
  high_table_.assign(rows, TableRow{});
  for (std::size_t k = 0; k < rows; ++k) {
    const std::size_t next = std::min(k + 1, rows - 1);
    for (std::size_t j = 0; j < 2 * kRowGates; ++j) {
      TableRow& row = j < kRowGates ? table_[k] : high_table_[k];
      const std::size_t at = j % kRowGates;
      row.inf[at] = static_cast<float>(inf[k][j]);
      row.inf_rise[at] = static_cast<float>(inf[next][j] - inf[k][j]);
      row.factor[at] = static_cast<float>(factor[k][j]);
      row.factor_rise[at] = static_cast<float>(factor[next][j] - factor[k][j]);
    }
  }
  ih_table_.resize(rows);
  for (std::size_t k = 0; k < rows; ++k) {
    const TableRow& row = table_[k];
    ih_table_[k] = {row.inf[kIhM], row.inf_rise[kIhM], row.factor[kIhM], row.factor_rise[kIhM]};
  }
  const double low = 0x1.0p-24;
  std::uint64_t low_bits = 0, high_bits = 0;
  std::memcpy(&low_bits, &low, sizeof low_bits);
  std::memcpy(&high_bits, &hay_tables::kSkCaiHigh_mM, sizeof high_bits);
  sk_table_first_ = static_cast<std::size_t>(low_bits >> hay_tables::kSkWeightBits);
  const std::size_t sk_size = static_cast<std::size_t>(high_bits >> hay_tables::kSkWeightBits) - sk_table_first_ + 1;
  sk_table_.resize(sk_size);
  for (std::size_t k = 0; k < sk_size; ++k) {
    const std::uint64_t point_bits = static_cast<std::uint64_t>(sk_table_first_ + k) << hay_tables::kSkWeightBits;
    double point = 0;
    std::memcpy(&point, &point_bits, sizeof point);
    sk_table_[k] = hay::sk_e2_z_inf(point);
  }
  sk_table_factor_ = 1.0 - std::exp(-dt / 1.0);  // tau_z = 1 ms (§6.7)
  pool_factor_.resize(sites_.size());
  pool_drive_.resize(sites_.size());
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    const hay::CalciumPool& p = sites_[i].g.pool;
    pool_factor_[i] = 1.0 - std::exp(-dt / p.decay_ms);
    pool_drive_[i] = p.decay_ms * p.influx_per_mA_per_cm2() * p.gamma;
  }
  table_dt_ms_ = dt;
}

void TabulatedHayMembrane::initialize(const double* v_mV) {
  // finitialize (§11.4): cai = 5e-5 mM, gates at the steady state of v_init
  // from the rate functions, SK_E2 at that cai.
  for (std::size_t i = 0; i < sites_.size(); ++i)
    for (std::size_t l = 0; l < lanes_; ++l) {
      const std::size_t x = i * lanes_ + l;
      const double v = v_mV[static_cast<std::size_t>(sites_[i].node) * lanes_ + l];
      gates_[x] = GateRow{};
      if (high_row_[i] != hay_tables::kNoHighRow) high_gates_[high_row_[i] + l] = GateRow{};
      const bool ih_only = site_class_[i] == kSiteIhOnly;
      auto set = [&](HayGate j, double value) {
        float& gate = ih_only && j == kIhM ? ih_gates_[x]
                      : j < kRowGates      ? gates_[x].x[j]
                                           : high_gates_[high_row_[i] + l].x[j - kRowGates];
        gate = static_cast<float>(value);
      };
      for (const HayChannel& c : hay_channels()) {
        if (!(sites_[i].g.*c.gbar > 0)) continue;
        const hay::Gates r = c.kinetics(v);
        set(c.m, r.m_inf);
        if (c.h != kHayGateCount) set(c.h, r.h_inf);
      }
      cai_[x] = HayMembrane::kCaiInit_mM;
      ln_cai_[x] = std::log(cai_[x]);
      sk_z_[x] = sites_[i].g.sk_e2 > 0 ? hay::sk_e2_z_inf(cai_[x]) : 0.0;
      ica_[x] = 0.0;
    }
}

void TabulatedHayMembrane::add_currents(const MembraneArrays& m) const {
  HayCurrentSweep sweep;
  sweep.sites = sites_.size();
  sweep.lanes = lanes_;
  sweep.nodes = nodes_.data();
  sweep.site = sites_.data();
  sweep.axonal = axonal_.data();
  sweep.site_class = site_class_.data();
  sweep.high_row = high_row_.data();
  sweep.gates = gates_.data();
  sweep.high_gates = high_gates_.data();
  sweep.ih_gates = ih_gates_.data();
  sweep.sk_z = sk_z_.data();
  sweep.ln_cai = ln_cai_.data();
  sweep.nernst_factor_mV = nernst_factor_mV_;
  sweep.v_mV = m.v_mV;
  sweep.rhs = m.rhs;
  sweep.diag = m.diag;
  sweep.ica = ica_.data();
  sweep.g_ca = g_ca_.data();
  for (std::size_t k = 0; k < kDensityColumns; ++k) sweep.columns[k] = columns_[k].data();
  current_kernel_(sweep);
}

void TabulatedHayMembrane::correct_ion_currents(const double* delta_mV) {
  // ica += g_Ca delta where the pool reads ica, in advance; the simulation
  // leaves delta untouched until then.
  ica_delta_mV_ = delta_mV;
}

void TabulatedHayMembrane::advance(const double* v_mV, double dt_ms) {
  if (dt_ms != table_dt_ms_) build_tables(dt_ms);
  // CaDynamics_E2 first (§11.2 step 9), its factor precomputed for dt; ica at
  // v_n (Crank-Nicolson: at the midpoint, ica + g_Ca delta); SK_E2 with the new cai.
  HayCalciumSweep calcium;
  calcium.sites = sites_.size();
  calcium.lanes = lanes_;
  calcium.nodes = nodes_.data();
  calcium.site = sites_.data();
  calcium.pool_factor = pool_factor_.data();
  calcium.pool_drive = pool_drive_.data();
  calcium.ica = ica_.data();
  calcium.g_ca = g_ca_.data();
  calcium.delta_mV = ica_delta_mV_;
  calcium.cai_mM = cai_.data();
  calcium.sk_z = sk_z_.data();
  calcium.ln_cai = ln_cai_.data();
  calcium.ln_m = kLnTable.ln_m.data();
  calcium.sk_table = sk_table_.data();
  calcium.sk_table_first = sk_table_first_;
  calcium.sk_factor = sk_table_factor_;
  calcium.sk_z_inf = hay::sk_e2_z_inf;
  calcium_kernel_(calcium);
  // The gates at v_{n+1}, x_inf and the cnexp factor read from the tables.
  HayGateSweep sweep;
  sweep.sites = sites_.size();
  sweep.lanes = lanes_;
  sweep.nodes = nodes_.data();
  sweep.site_class = site_class_.data();
  sweep.high_row = high_row_.data();
  sweep.v_mV = v_mV;
  sweep.table = table_.data();
  sweep.high_table = high_table_.data();
  sweep.ih_table = ih_table_.data();
  sweep.table_rows = table_.size();
  sweep.gates = gates_.data();
  sweep.high_gates = high_gates_.data();
  sweep.ih_gates = ih_gates_.data();
  gate_kernel_(sweep);
  ica_delta_mV_ = nullptr;
}

}  // namespace neurotwin
