#include "neurotwin/simulator/synapse.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/simulator/instruction_set.hpp"
#include "synapse_kernel.hpp"

namespace neurotwin {

namespace {

// The tabulated Mg block: B_Mg at kMgTableLow_mV + k * kMgTableStep_mV up to
// kMgTableHigh_mV, read by linear interpolation.
constexpr double kMgTableLow_mV = -150.0, kMgTableHigh_mV = 100.0, kMgTableStep_mV = 0.02;
constexpr double kMgTablePointsPerMv = 1.0 / kMgTableStep_mV;  // a multiplication in the step loop

// The interpolant at v and its rise over v's interval (rise * points per mV
// is its slope).
struct TabulatedBlock {
  double block, rise;
};
inline TabulatedBlock tabulated_block(const std::vector<double>& table, double v) {
  const double position = (std::clamp(v, kMgTableLow_mV, kMgTableHigh_mV) - kMgTableLow_mV) * kMgTablePointsPerMv;
  const auto k = std::min(static_cast<std::size_t>(position), table.size() - 2);
  const double rise = table[k + 1] - table[k];
  return {table[k] + (position - static_cast<double>(k)) * rise, rise};
}

}  // namespace

SynapseKind ampa_synapse(double gmax_uS) {
  return SynapseKind{"AMPA", 0.0, 1.0, {ConductanceComponent{0.3, 3.0, gmax_uS, false}}};
}

SynapseKind nmda_synapse(double gmax_uS) {
  return SynapseKind{"NMDA", 0.0, 1.0,
                     {ConductanceComponent{0.3, 3.0, gmax_uS, false}, ConductanceComponent{2.0, 70.0, gmax_uS, true}}};
}

SynapseKind gaba_a_synapse(double gmax_uS) {
  return SynapseKind{"GABA_A", -80.0, 1.0, {ConductanceComponent{0.2, 8.0, gmax_uS, false}}};
}

double double_exponential_factor(double tau_rise_ms, double tau_decay_ms) {
  // t_peak = tr td/(td - tr) ln(td/tr); f = 1/(exp(-t_peak/td) - exp(-t_peak/tr))
  const double t_peak = tau_rise_ms * tau_decay_ms / (tau_decay_ms - tau_rise_ms) * std::log(tau_decay_ms / tau_rise_ms);
  return 1.0 / (std::exp(-t_peak / tau_decay_ms) - std::exp(-t_peak / tau_rise_ms));
}

double magnesium_block(double v_mV, double mg_mM) {
  return 1.0 / (1.0 + std::exp(-0.08 * v_mV) * (mg_mM / 3.57));
}

SynapseArray::SynapseArray(SynapseKind kind, std::vector<int> nodes, const std::vector<double>& node_area_um2,
                           std::size_t lanes)
    : kind_(std::move(kind)), nodes_(std::move(nodes)), lanes_(lanes) {
  if (kind_.components.empty()) throw InputError("synapse '" + kind_.name + "' has no conductance component");
  if (kind_.components.size() > kMaxSynapseComponents)
    throw InputError("synapse '" + kind_.name + "' has more than " + std::to_string(kMaxSynapseComponents) +
                     " conductance components");
  for (const ConductanceComponent& c : kind_.components) {
    if (!(c.tau_rise_ms > 0) || !(c.tau_decay_ms > c.tau_rise_ms))
      throw InputError("synapse '" + kind_.name + "': need 0 < tau_rise_ms < tau_decay_ms");
    if (!(c.gmax_uS >= 0)) throw InputError("synapse '" + kind_.name + "': gmax must be >= 0");
    factor_.push_back(double_exponential_factor(c.tau_rise_ms, c.tau_decay_ms));
    gmax_.push_back(c.gmax_uS);
    (c.magnesium_block ? blocked_ : plain_).push_back(factor_.size() - 1);
  }
  for (int n : nodes_) {
    const double area = node_area_um2.at(static_cast<std::size_t>(n));
    if (!(area > 0)) throw InputError("synapse '" + kind_.name + "' placed on a node without membrane");
    scale_.push_back(100.0 / area);
  }
  a_.assign(kind_.components.size(), KernelVector<double>(nodes_.size() * lanes_, 0.0));
  b_ = a_;
  rise_scale_.assign(kind_.components.size(), 1.0);
  fall_scale_ = rise_scale_;
  // The vectorized step serves the tabulated Mg block and kinds without a blocked component.
  static_assert(kMaxKernelComponents == kMaxSynapseComponents, "the kernel takes every component");
  if (kind_.tabulated_mg_block || blocked_.empty()) {
    const synapse_kernels::Kernels kernels = kernel_for_instruction_set(
        synapse_kernels::generic_kernel, synapse_kernels::avx2_kernel, synapse_kernels::avx512_kernel);
    sweep_ = kernels.sweep;
    sweep_pair_ = kernels.sweep_pair;
  }
  if (kind_.tabulated_mg_block) {
    mg_table_.resize(static_cast<std::size_t>(std::llround((kMgTableHigh_mV - kMgTableLow_mV) / kMgTableStep_mV)) + 1);
    for (std::size_t k = 0; k < mg_table_.size(); ++k)
      mg_table_[k] = magnesium_block(kMgTableLow_mV + kMgTableStep_mV * static_cast<double>(k), kind_.mg_mM);
  }
}

double SynapseArray::block(double v) const {
  return mg_table_.empty() ? magnesium_block(v, kind_.mg_mM) : tabulated_block(mg_table_, v).block;
}

void SynapseArray::initialize() {
  for (auto& a : a_) std::fill(a.begin(), a.end(), 0.0);
  for (auto& b : b_) std::fill(b.begin(), b.end(), 0.0);
  std::fill(rise_scale_.begin(), rise_scale_.end(), 1.0);
  std::fill(fall_scale_.begin(), fall_scale_.end(), 1.0);
}

void SynapseArray::deliver(std::size_t i, std::size_t lane, double weight) {
  // w f onto A = rise_scale A' and B = fall_scale B' (the scales are 1 without deferred decay).
  for (std::size_t c = 0; c < factor_.size(); ++c) {
    a_[c][i * lanes_ + lane] += weight * factor_[c] / rise_scale_[c];
    b_[c][i * lanes_ + lane] += weight * factor_[c] / fall_scale_[c];
  }
}

// With deferred decay, A' and B' times their scales, which become 1: where a scale fell below 2^-32
// (only_small), or all (before the exact step, which decays the states themselves).
void SynapseArray::multiply_out_scales(bool only_small) {
  constexpr double kSmallestScale = 0x1.0p-32;
  auto multiply_out = [only_small](KernelVector<double>& states, double& scale) {
    if (scale == 1.0 || (only_small && scale >= kSmallestScale)) return;
    for (double& x : states) x *= scale;
    scale = 1.0;
  };
  for (std::size_t c = 0; c < factor_.size(); ++c) {
    multiply_out(a_[c], rise_scale_[c]);
    multiply_out(b_[c], fall_scale_[c]);
  }
}

double SynapseArray::conductance_uS(std::size_t i, double v_mV, std::size_t lane) const {
  // The sums add_currents uses: g_plain + g_mg B_Mg(v).
  const std::size_t x = i * lanes_ + lane;
  double g_plain = 0, g_mg = 0;
  for (std::size_t c : plain_) g_plain += gmax_[c] * (fall_scale_[c] * b_[c][x] - rise_scale_[c] * a_[c][x]);
  for (std::size_t c : blocked_) g_mg += gmax_[c] * (fall_scale_[c] * b_[c][x] - rise_scale_[c] * a_[c][x]);
  return g_mg != 0.0 ? g_plain + g_mg * block(v_mV) : g_plain;
}

namespace {

constexpr std::size_t kRuntimeCount = ~std::size_t{0};

using ComponentValues = std::array<double, kMaxSynapseComponents>;

// What one add_currents pass reads: the components without and with the Mg
// block (their A and B arrays and gmax), where the synapses are, the mode.
struct SynapseCurrents {
  std::array<const double*, kMaxSynapseComponents> plain_a{}, plain_b{}, blocked_a{}, blocked_b{};
  ComponentValues plain_gmax{}, blocked_gmax{};
  // A = rise_scale A', B = fall_scale B' (deferred decay; else 1)
  ComponentValues plain_rise_scale{}, plain_fall_scale{}, blocked_rise_scale{}, blocked_fall_scale{};
  std::size_t plain = 0, blocked = 0;
  const int* nodes = nullptr;
  const double* scale = nullptr;
  std::size_t synapses = 0, lanes = 1;
  double e_mV = 0, mg_mM = 1;
  bool numeric_slope = false;
  const std::vector<double>* mg_table = nullptr;  // empty: the exponential block
};

// Σ gmax (B - A) over components (B and A from the scaled states); kCount known at compile time for the
// common synapse kinds, so that the sums are straight code.
template <std::size_t kCount>
inline double conductance_sum(const std::array<const double*, kMaxSynapseComponents>& a,
                              const std::array<const double*, kMaxSynapseComponents>& b, const ComponentValues& gmax,
                              const ComponentValues& rise_scale, const ComponentValues& fall_scale, std::size_t count,
                              std::size_t x) {
  const std::size_t n = kCount == kRuntimeCount ? count : kCount;
  double g = 0;
  for (std::size_t k = 0; k < n; ++k) g += gmax[k] * (fall_scale[k] * b[k][x] - rise_scale[k] * a[k][x]);
  return g;
}

// I = g (v - e) with g = g_plain + g_mg B_Mg(v): the components without and
// with the Mg block summed apart (each in component order).
template <std::size_t kPlain, std::size_t kBlocked>
void add_synapse_currents(const SynapseCurrents& s, const MembraneArrays& m) {
  const double e = s.e_mV;
  const std::vector<double>& table = *s.mg_table;
  const bool tabulated = !table.empty();
  for (std::size_t i = 0; i < s.synapses; ++i) {
    const double scale = s.scale[i];
    for (std::size_t l = 0; l < s.lanes; ++l) {
      const std::size_t x = i * s.lanes + l, at = static_cast<std::size_t>(s.nodes[i]) * s.lanes + l;
      const double v = m.v_mV[at];
      const double g_plain = conductance_sum<kPlain>(s.plain_a, s.plain_b, s.plain_gmax, s.plain_rise_scale,
                                                     s.plain_fall_scale, s.plain, x);
      const double g_mg = conductance_sum<kBlocked>(s.blocked_a, s.blocked_b, s.blocked_gmax, s.blocked_rise_scale,
                                                    s.blocked_fall_scale, s.blocked, x);
      double g = g_plain, slope = g_plain;
      if (tabulated) {
        if (g_mg != 0.0) {
          // The table's interpolant and its slope on the interval of v: the
          // analytic dI/dv, which is what NEURON's numeric difference gives
          // within one table interval (to a relative 1e-3 of the Mg term).
          const TabulatedBlock b = tabulated_block(table, v);
          g += g_mg * b.block;
          slope = g + g_mg * b.rise * kMgTablePointsPerMv * (v - e);
        }
      } else if (s.numeric_slope) {
        // NEURON's dI/dv = (I(v + 0.001) - I(v)) / 0.001 (spec §8.5); no
        // blocked conductance, no block to evaluate (skips the exp).
        double g1 = g_plain;
        if (g_mg != 0.0) {
          g += g_mg * magnesium_block(v, s.mg_mM);
          g1 += g_mg * magnesium_block(v + 0.001, s.mg_mM);
        }
        slope = (g1 * (v + 0.001 - e) - g * (v - e)) / 0.001;
      } else if (g_mg != 0.0) {
        // d/dv [g_mg B (v - e)] = g_mg B + g_mg B (1 - B) 0.08 (v - e)
        const double b = magnesium_block(v, s.mg_mM);
        g += g_mg * b;
        slope = g + g_mg * b * (1.0 - b) * 0.08 * (v - e);
      }
      m.rhs[at] -= g * (v - e) * scale;
      m.diag[at] += slope * scale;
    }
  }
}

}  // namespace

void SynapseArray::add_currents(const MembraneArrays& m) const {
  SynapseCurrents s;
  for (std::size_t c : plain_) {
    s.plain_a[s.plain] = a_[c].data();
    s.plain_b[s.plain] = b_[c].data();
    s.plain_rise_scale[s.plain] = rise_scale_[c];
    s.plain_fall_scale[s.plain] = fall_scale_[c];
    s.plain_gmax[s.plain++] = gmax_[c];
  }
  for (std::size_t c : blocked_) {
    s.blocked_a[s.blocked] = a_[c].data();
    s.blocked_b[s.blocked] = b_[c].data();
    s.blocked_rise_scale[s.blocked] = rise_scale_[c];
    s.blocked_fall_scale[s.blocked] = fall_scale_[c];
    s.blocked_gmax[s.blocked++] = gmax_[c];
  }
  s.nodes = nodes_.data();
  s.scale = scale_.data();
  s.synapses = nodes_.size();
  s.lanes = lanes_;
  s.e_mV = kind_.e_rev_mV;
  s.mg_mM = kind_.mg_mM;
  s.numeric_slope = kind_.numeric_slope;
  s.mg_table = &mg_table_;
  // AMPA or GABA_A (one plain component) and AMPA+NMDA (one of each).
  if (s.plain == 1 && s.blocked == 0) return add_synapse_currents<1, 0>(s, m);
  if (s.plain == 1 && s.blocked == 1) return add_synapse_currents<1, 1>(s, m);
  add_synapse_currents<kRuntimeCount, kRuntimeCount>(s, m);
}

void SynapseArray::set_decay(double dt_ms) {
  rise_decay_.clear();
  fall_decay_.clear();
  for (const ConductanceComponent& c : kind_.components) {
    rise_decay_.push_back(std::exp(-dt_ms / c.tau_rise_ms));
    fall_decay_.push_back(std::exp(-dt_ms / c.tau_decay_ms));
  }
  decay_dt_ms_ = dt_ms;
}

SynapseSweep SynapseArray::kernel_sweep(const MembraneArrays& m, double dt_ms) {
  if (dt_ms != decay_dt_ms_) set_decay(dt_ms);
  SynapseSweep s;
  s.synapses = nodes_.size();
  s.lanes = lanes_;
  s.nodes = nodes_.data();
  s.scale = scale_.data();
  auto arrays = [this](std::size_t c) {
    return SynapseComponentArrays{a_[c].data(),   b_[c].data(),    gmax_[c],        rise_decay_[c],
                                  fall_decay_[c], rise_scale_[c], fall_scale_[c]};
  };
  for (std::size_t c : plain_) s.plain_components[s.plain++] = arrays(c);
  for (std::size_t c : blocked_) s.blocked_components[s.blocked++] = arrays(c);
  s.e_mV = kind_.e_rev_mV;
  s.numeric_slope = kind_.numeric_slope;
  s.deferred_decay = kind_.deferred_decay;
  s.mg_table = mg_table_.data();
  s.mg_rows = mg_table_.size();
  s.mg_low_mV = kMgTableLow_mV;
  s.mg_high_mV = kMgTableHigh_mV;
  s.mg_points_per_mV = kMgTablePointsPerMv;
  s.v_mV = m.v_mV;
  s.rhs = m.rhs;
  s.diag = m.diag;
  return s;
}

void SynapseArray::decay_scales() {
  if (!kind_.deferred_decay) return;
  for (std::size_t c = 0; c < factor_.size(); ++c) {  // the states' decay over dt
    rise_scale_[c] *= rise_decay_[c];
    fall_scale_[c] *= fall_decay_[c];
  }
  multiply_out_scales(true);
}

void SynapseArray::add_currents_and_advance(const MembraneArrays& m, double dt_ms) {
  if (!sweep_) {
    add_currents(m);
    advance(dt_ms);
    return;
  }
  sweep_(kernel_sweep(m, dt_ms));
  decay_scales();
}

bool SynapseArray::shares_nodes_with(const SynapseArray& other) const {
  return sweep_ && other.sweep_ && lanes_ == other.lanes_ && nodes_ == other.nodes_;
}

void SynapseArray::add_currents_and_advance(SynapseArray& then, const MembraneArrays& m, double dt_ms) {
  if (!shares_nodes_with(then)) {
    add_currents_and_advance(m, dt_ms);
    then.add_currents_and_advance(m, dt_ms);
    return;
  }
  sweep_pair_(kernel_sweep(m, dt_ms), then.kernel_sweep(m, dt_ms));
  decay_scales();
  then.decay_scales();
}

void SynapseArray::advance(double dt_ms) {
  if (dt_ms != decay_dt_ms_) set_decay(dt_ms);
  multiply_out_scales(false);
  for (std::size_t c = 0; c < factor_.size(); ++c) {
    const double ra = rise_decay_[c], fb = fall_decay_[c];
    for (double& a : a_[c]) a *= ra;
    for (double& b : b_[c]) b *= fb;
  }
}

}  // namespace neurotwin
