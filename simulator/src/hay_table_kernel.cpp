// TabulatedHayMembrane's gate update over every site-lane (spec §11.2 step 9):
// x += f (x_inf - x) with x_inf and f = 1 - exp(-dt/tau) interpolated in the
// table row of v_{n+1}, 16 gates per row as whole vectors, in fused multiply-adds
// (kernel_vectors.hpp's mul_add: the same numbers for every instruction set); and the currents
// (§6), a site's lanes as whole vectors of doubles. Compiled once per
// instruction set: CMake defines NEUROTWIN_KERNEL_ISA (generic, avx2, avx512,
// the name of the function returned) and NEUROTWIN_VECTOR_BYTES (16, 32, 64)
// and passes the matching -m flags. Nothing from the C++ library is used here
// (no template is instantiated twice with different instructions, hence memcpy
// rather than std::copy; the conductance formula has internal linkage).
#include <cmath>
#include <cstring>

#include "hay_conductance_formula.hpp"
#include "hay_table_kernel.hpp"
#include "kernel_vectors.hpp"

namespace neurotwin::hay_tables {
namespace {

constexpr std::size_t kWidth = NEUROTWIN_VECTOR_BYTES / sizeof(float);
static_assert(kRowGates % kWidth == 0, "a row is a whole number of vectors");

inline Floats load_floats(const float* p) {
  Floats v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The 16 gates of one site-lane at table weight w (v = v_k + w kStep).
inline void relax_row(float* __restrict gate, const TableRow& __restrict row, float w) {
  for (std::size_t p = 0; p < kRowGates; p += kWidth) {
    const Floats weight = Floats{} + w;
    const Floats inf = mul_add(weight, load_floats(row.inf_rise + p), load_floats(row.inf + p));
    const Floats factor = mul_add(weight, load_floats(row.factor_rise + p), load_floats(row.factor + p));
    const Floats x = load_floats(gate + p);
    const Floats next = mul_add(factor, inf - x, x);
    std::memcpy(gate + p, &next, sizeof next);
  }
}

typedef long long Int64s __attribute__((vector_size(NEUROTWIN_VECTOR_BYTES)));
typedef float HalfFloats __attribute__((vector_size(NEUROTWIN_VECTOR_BYTES / 2)));

// Where v falls in the table: row k (at most last_row) and the weight w in it, v = v_k + w kStep.
// (NaN, from a simulation gone wrong, reads row 0.)
inline void row_position(double v, std::size_t last_row, long long* k, float* w) {
  double clamped = v >= kLow_mV ? v : kLow_mV;
  clamped = clamped > kHigh_mV ? kHigh_mV : clamped;
  const double position = (clamped - kLow_mV) * kPointsPerMv;
  std::size_t row = static_cast<std::size_t>(position);
  row = row < last_row ? row : last_row;
  *k = static_cast<long long>(row);
  *w = static_cast<float>(position - static_cast<double>(row));
}
// The same operations on a vector of lanes.
inline void row_position(const Doubles& v, std::size_t last_row, long long* k, float* w) {
  Doubles clamped = v >= kLow_mV ? v : Doubles{} + kLow_mV;
  clamped = clamped > kHigh_mV ? Doubles{} + kHigh_mV : clamped;
  const Doubles position = (clamped - kLow_mV) * kPointsPerMv;
  Int64s row = __builtin_convertvector(position, Int64s);  // 0 <= position <= (kHigh - kLow) kPointsPerMv
  const auto last = static_cast<long long>(last_row);
  row = row < last ? row : Int64s{} + last;
  const HalfFloats weight = __builtin_convertvector(position - __builtin_convertvector(row, Doubles), HalfFloats);
  std::memcpy(k, &row, sizeof row);
  std::memcpy(w, &weight, sizeof weight);
}

// Ih's gate alone (a kSiteIhOnly site-lane) at row k, weight w: Ih's element of relax_row, from the 16-byte
// row of its gate instead of the 256-byte row of all.
inline void relax_ih(const IhRow* __restrict ih_table, float& x, std::size_t k, float w) {
  const IhRow& row = ih_table[k];
  const float inf = mul_add(w, row.inf_rise, row.inf), factor = mul_add(w, row.factor_rise, row.factor);
  x = mul_add(factor, inf - x, x);
}

// Gates of site-lane x (site i, lane l) at row k, weight w.
inline void relax_site_lane(const HayGateSweep& s, std::size_t i, std::size_t x, std::size_t lane, std::size_t k,
                            float w) {
  if (s.site_class[i] == kSiteIhOnly) return relax_ih(s.ih_table, s.ih_gates[x], k, w);
  relax_row(s.gates[x].x, s.table[k], w);
  if (s.high_row[i] != kNoHighRow) relax_row(s.high_gates[s.high_row[i] + lane].x, s.high_table[k], w);
}

constexpr std::size_t kPositionChunk = 64;  // lanes whose rows are found in one pass

// One lane: the rows of kDoubleWidth sites side by side (their nodes' voltages gathered), with
// row_position's vector operations, then each site's gates.
void gate_sweep_one_lane(const HayGateSweep& s) {
  const std::size_t last_row = s.table_rows - 2;
  long long rows[kDoubleWidth];
  float weights[kDoubleWidth];
  std::size_t i = 0;
  for (; i + kDoubleWidth <= s.sites; i += kDoubleWidth) {
    Doubles v;
    for (std::size_t j = 0; j < kDoubleWidth; ++j) v[j] = s.v_mV[s.nodes[i + j]];
    row_position(v, last_row, rows, weights);
    for (std::size_t j = 0; j < kDoubleWidth; ++j)
      relax_site_lane(s, i + j, i + j, 0, static_cast<std::size_t>(rows[j]), weights[j]);
  }
  for (; i < s.sites; ++i) {
    long long k;
    float w;
    row_position(s.v_mV[s.nodes[i]], last_row, &k, &w);
    relax_site_lane(s, i, i, 0, static_cast<std::size_t>(k), w);
  }
}

void gate_sweep(const HayGateSweep& s) {
  if (s.lanes == 1 && kDoubleWidth > 1) return gate_sweep_one_lane(s);
  const std::size_t last_row = s.table_rows - 2;
  long long rows[kPositionChunk];
  float weights[kPositionChunk];
  for (std::size_t i = 0; i < s.sites; ++i) {
    const double* v = s.v_mV + static_cast<std::size_t>(s.nodes[i]) * s.lanes;
    for (std::size_t first = 0; first < s.lanes; first += kPositionChunk) {
      const std::size_t count = s.lanes - first < kPositionChunk ? s.lanes - first : kPositionChunk;
      // The rows of the chunk's lanes, whole vectors of lanes first (the same operations as one by one).
      std::size_t l = 0;
      for (; l + kDoubleWidth <= count; l += kDoubleWidth) row_position(load(v + first + l, Doubles{}), last_row, rows + l, weights + l);
      for (; l < count; ++l) row_position(v[first + l], last_row, rows + l, weights + l);
      // The site's class and rows outside the loop over lanes (a store of a gate may alias them).
      if (s.site_class[i] == kSiteIhOnly) {
        float* ih = s.ih_gates + i * s.lanes + first;
        const IhRow* ih_table = s.ih_table;
        for (l = 0; l < count; ++l) relax_ih(ih_table, ih[l], static_cast<std::size_t>(rows[l]), weights[l]);
        continue;
      }
      GateRow* gates = s.gates + i * s.lanes + first;
      const TableRow* table = s.table;
      for (l = 0; l < count; ++l) relax_row(gates[l].x, table[rows[l]], weights[l]);
      if (s.high_row[i] != kNoHighRow) {
        GateRow* high = s.high_gates + s.high_row[i] + first;
        const TableRow* high_table = s.high_table;
        for (l = 0; l < count; ++l) relax_row(high[l].x, high_table[rows[l]], weights[l]);
      }
    }
  }
}

// Floats p[0 ... width - 1] as doubles (a vector of lanes or sites, or one).
inline double load_as_doubles(const float* p, double) { return static_cast<double>(*p); }
inline Doubles load_as_doubles(const float* p, const Doubles&) {
  HalfFloats f;
  std::memcpy(&f, p, sizeof f);
  return __builtin_convertvector(f, Doubles);
}

inline double to_double(long long n) { return static_cast<double>(n); }
inline Doubles to_double(const Int64s& n) { return __builtin_convertvector(n, Doubles); }

// ln x of a positive normal x (or a vector of them; I: the integers of its bits) from the bits of
// x = m 2^e (m in [0.5, 1)) and the table of ln m at 4096 intervals (linear interpolation; error < 1e-8).
template <class V, class I>
inline V normal_ln(V x, const double* ln_m) {
  I bits;
  std::memcpy(&bits, &x, sizeof bits);
  const I exponent = ((bits >> 52) & 0x7ff) - 1022;                  // x = m 2^exponent
  const I k = (bits >> 40) & 0xfff;                                  // top 12 mantissa bits
  const V w = to_double(bits & ((1LL << 40) - 1)) * 0x1.0p-40;      // the rest
  V low, high;
  if constexpr (sizeof(V) == sizeof(double)) {
    low = ln_m[k];
    high = ln_m[k + 1];
  } else {
    for (std::size_t j = 0; j < kDoubleWidth; ++j) {
      low[j] = ln_m[k[j]];
      high[j] = ln_m[k[j] + 1];
    }
  }
  return mul_add(to_double(exponent), V{} + 0.69314718055994530942, mul_add(w, high - low, low));
}
inline bool positive_normal(double x) { return x >= 0x1.0p-1022 && x <= 0x1.fffffffffffffp+1023; }
// Whether every element of a comparison's mask is true, without a branch per element.
inline bool all_of(const Int64s& mask) {
  long long all = -1;
  for (std::size_t k = 0; k < kDoubleWidth; ++k) all &= mask[k];
  return all != 0;
}
inline bool positive_normal(const Doubles& x) {
  return all_of((x >= 0x1.0p-1022) & (x <= 0x1.fffffffffffffp+1023));
}
// ln x for any x: normal_ln where x is a positive normal number, else std::log (zero, subnormal,
// infinite, NaN or negative x), lane by lane.
inline double any_ln(double x, const double* ln_m) {
  return positive_normal(x) ? normal_ln<double, long long>(x, ln_m) : std::log(x);
}
inline Doubles any_ln(const Doubles& x, const double* ln_m) {
  if (positive_normal(x)) return normal_ln<Doubles, Int64s>(x, ln_m);
  Doubles ln;
  for (std::size_t k = 0; k < kDoubleWidth; ++k) ln[k] = any_ln(x[k], ln_m);
  return ln;
}

// Gate j of lanes l ... l + width - 1 from their rows.
inline double gate_of_lanes(const GateRow* rows, std::size_t j, double) { return static_cast<double>(rows[0].x[j]); }
inline Doubles gate_of_lanes(const GateRow* rows, std::size_t j, const Doubles&) {
  Doubles gate;
  for (std::size_t k = 0; k < kDoubleWidth; ++k) gate[k] = static_cast<double>(rows[k].x[j]);
  return gate;
}

// hay_conductances' multiply-adds, fused.
struct FusedMulAdd {
  template <class V>
  V operator()(const V& a, const V& b, const V& c) const {
    return mul_add(a, b, c);
  }
};

// i_Ca = g_Ca (v - eca), eca = (R T / 2 F) ln (cao / cai) from ln cai (§5.3, §6).
template <class V>
inline V calcium_current(const V& g_ca, const V& v, const V& ln_cai, double nernst_factor_mV) {
  return g_ca * mul_add(V{} - nernst_factor_mV, HayMembrane::kLnCao - ln_cai, v);
}
// The membrane current g_Na (v - ena) + g_K (v - ek) + g_h (v - eh) + i_Ca (§6), fused multiply-adds from i_Ca.
template <class V>
inline V ion_currents(const HayConductances<V>& c, const V& v, const V& ena_mV, const V& ek_mV, const V& eh_mV,
                      const V& ica) {
  return mul_add(c.na, v - ena_mV, mul_add(c.k, v - ek_mV, mul_add(c.h, v - eh_mV, ica)));
}

// One vector of lanes (V = Doubles) or one lane (V = double) of site i from its lane l.
template <class V>
inline void site_currents(const HayCurrentSweep& s, std::size_t i, std::size_t l) {
  const HayDensities& g = s.site[i].g;
  const std::size_t x = i * s.lanes + l, n = static_cast<std::size_t>(s.nodes[i]) * s.lanes + l;
  const GateRow* rows = s.gates + x;
  const GateRow* high = s.high_row[i] != kNoHighRow ? s.high_gates + s.high_row[i] + l : nullptr;
  auto at = [rows, high](HayGate j) {
    if (j < kRowGates) return gate_of_lanes(rows, j, V{});
    return high ? gate_of_lanes(high, j - kRowGates, V{}) : V{};
  };
  HayConductances<V> c;
  if (s.site_class[i] == kSiteIhOnly) {  // the basal dendrites: Ih alone (the general formula gives the same numbers)
    c.h = g.ih * load_as_doubles(s.ih_gates + x, V{});
  } else {
    c = hay_conductances(g, at, load(s.sk_z + x, V{}), s.axonal[i] != 0, FusedMulAdd{});
  }
  const V v = load(s.v_mV + n, V{});
  // i = g (v - E) per ion (§6); eca from ln cai_n (§5.3) where a calcium channel is.
  V ica{};
  if (g.ca_hva > 0 || g.ca_lvast > 0) ica = calcium_current(c.ca, v, load(s.ln_cai + x, V{}), s.nernst_factor_mV);
  const V current = ion_currents(c, v, V{} + g.ena_mV, V{} + g.ek_mV, V{} + g.eh_mV, ica);
  store(s.ica + x, ica);
  store(s.g_ca + x, c.ca);
  store(s.rhs + n, load(s.rhs + n, V{}) - current);
  store(s.diag + n, load(s.diag + n, V{}) + (c.na + c.k + c.ca + c.h));  // dI/dv at fixed states
}

// The densities of kDoubleWidth sites side by side (the axon-only ones stay 0: no such site is taken).
struct DensityVectors {
  Doubles nata_t{}, nats2_t{}, nap_et2{}, k_pst{}, k_tst{}, skv3_1{}, sk_e2{}, im{}, ca_hva{}, ca_lvast{}, ih{};
  Doubles ena_mV{}, ek_mV{}, eh_mV{};
};

// One lane: sites i ... i + kDoubleWidth - 1 of one class (Ih alone, or dendritic) as a vector, each element
// with site_currents' operations (their site-lane numbers are consecutive; rhs and diag are then updated
// site by site, in order, as one by one).
inline void sites_currents(const HayCurrentSweep& s, std::size_t i, HaySiteClass kind) {
  auto column = [&s, i](HayDensityColumn k) { return load(s.columns[k] + i, Doubles{}); };
  DensityVectors g;
  g.ih = column(kColumnIh);
  g.ena_mV = column(kColumnEna);
  g.ek_mV = column(kColumnEk);
  g.eh_mV = column(kColumnEh);
  const GateRow* rows = s.gates + i;
  auto at = [rows](HayGate j) { return j < kRowGates ? gate_of_lanes(rows, j, Doubles{}) : Doubles{}; };
  HayConductances<Doubles> c;
  Doubles ica{};
  Doubles v;
  for (std::size_t j = 0; j < kDoubleWidth; ++j) v[j] = s.v_mV[s.nodes[i + j]];
  if (kind == kSiteIhOnly) {
    c.h = g.ih * load_as_doubles(s.ih_gates + i, Doubles{});
  } else {
    g.nats2_t = column(kColumnNats2);
    g.skv3_1 = column(kColumnSkv3);
    g.sk_e2 = column(kColumnSkE2);
    g.im = column(kColumnIm);
    g.ca_hva = column(kColumnCaHva);
    g.ca_lvast = column(kColumnCaLvast);
    c = hay_conductances(g, at, load(s.sk_z + i, Doubles{}), false, FusedMulAdd{});
    ica = calcium_current(c.ca, v, load(s.ln_cai + i, Doubles{}), s.nernst_factor_mV);
  }
  const Doubles current = ion_currents(c, v, g.ena_mV, g.ek_mV, g.eh_mV, ica);
  store(s.ica + i, ica);
  store(s.g_ca + i, c.ca);
  const Doubles slope = c.na + c.k + c.ca + c.h;
  for (std::size_t j = 0; j < kDoubleWidth; ++j) {
    const auto n = static_cast<std::size_t>(s.nodes[i + j]);
    s.rhs[n] = s.rhs[n] - current[j];
    s.diag[n] = s.diag[n] + slope[j];
  }
}

// The class shared by sites i ... i + kDoubleWidth - 1, or kSiteOther.
inline HaySiteClass common_class(const char* site_class, std::size_t i) {
  for (std::size_t j = 1; j < kDoubleWidth; ++j)
    if (site_class[i + j] != site_class[i]) return kSiteOther;
  return static_cast<HaySiteClass>(site_class[i]);
}

void current_sweep(const HayCurrentSweep& s) {
  if (s.lanes == 1 && kDoubleWidth > 1) {
    std::size_t i = 0;
    for (; i + kDoubleWidth <= s.sites; i += kDoubleWidth) {
      const HaySiteClass kind = common_class(s.site_class, i);
      if (kind != kSiteOther) {
        sites_currents(s, i, kind);
      } else {
        for (std::size_t j = i; j < i + kDoubleWidth; ++j) site_currents<double>(s, j, 0);
      }
    }
    for (; i < s.sites; ++i) site_currents<double>(s, i, 0);
    return;
  }
  for (std::size_t i = 0; i < s.sites; ++i) {
    std::size_t l = 0;
    for (; l + kDoubleWidth <= s.lanes; l += kDoubleWidth) site_currents<Doubles>(s, i, l);
    for (; l < s.lanes; ++l) site_currents<double>(s, i, l);
  }
}

// SK_E2's z_inf at cai in [1e-7 mM, kSkCaiHigh_mM) (or a vector of such) from the table by its bits.
template <class V, class I>
inline V tabulated_sk_z_inf(V cai, const HayCalciumSweep& s) {
  I bits;
  std::memcpy(&bits, &cai, sizeof bits);
  const I k = (bits >> kSkWeightBits) - static_cast<long long>(s.sk_table_first);
  const V w = to_double(bits & ((1LL << kSkWeightBits) - 1)) * 0x1.0p-42;
  V low, high;
  if constexpr (sizeof(V) == sizeof(double)) {
    low = s.sk_table[k];
    high = s.sk_table[k + 1];
  } else {
    for (std::size_t j = 0; j < kDoubleWidth; ++j) {
      low[j] = s.sk_table[k[j]];
      high[j] = s.sk_table[k[j] + 1];
    }
  }
  return mul_add(w, high - low, low);
}
inline bool in_sk_table(double cai) { return cai >= 1e-7 && cai < kSkCaiHigh_mM; }
inline bool in_sk_table(const Doubles& cai) { return all_of((cai >= 1e-7) & (cai < kSkCaiHigh_mM)); }
// SK_E2's guard below 1e-7 mM, and cai outside the table: the function, lane by lane.
inline double sk_z_inf(double cai, const HayCalciumSweep& s) {
  return in_sk_table(cai) ? tabulated_sk_z_inf<double, long long>(cai, s) : s.sk_z_inf(cai);
}
inline Doubles sk_z_inf(const Doubles& cai, const HayCalciumSweep& s) {
  if (in_sk_table(cai)) return tabulated_sk_z_inf<Doubles, Int64s>(cai, s);
  Doubles z;
  for (std::size_t k = 0; k < kDoubleWidth; ++k) z[k] = sk_z_inf(cai[k], s);
  return z;
}

// ln y + ln(1 + r) for |r| <= kLnStepLimit: the series of ln(1 + r) to r^7 (the rest is below |r|^8 / 8 <=
// 2^-59), by Horner's rule in fused multiply-adds.
template <class V>
inline V plus_ln_one_plus(const V& ln_y, const V& r) {
  V p = mul_add(r, V{} + 1.0 / 7, V{} - 1.0 / 6);
  p = mul_add(r, p, V{} + 1.0 / 5);
  p = mul_add(r, p, V{} - 1.0 / 4);
  p = mul_add(r, p, V{} + 1.0 / 3);
  p = mul_add(r, p, V{} - 1.0 / 2);
  p = mul_add(r, p, V{} + 1.0);
  return mul_add(r, p, ln_y);
}
// ln cai_{n+1} from ln cai_n: the series of ln(cai_{n+1} / cai_n) where the step is small (cai_{n+1} -
// cai_n is then exact), else the table's logarithm of cai_{n+1} (also for 0, NaN and the like).
inline double next_ln_cai(double ln_cai, double old_cai, double cai, const double* ln_m) {
  const double r = (cai - old_cai) / old_cai;
  return r >= -kLnStepLimit && r <= kLnStepLimit ? plus_ln_one_plus(ln_cai, r) : any_ln(cai, ln_m);
}
inline Doubles next_ln_cai(const Doubles& ln_cai, const Doubles& old_cai, const Doubles& cai, const double* ln_m) {
  const Doubles r = (cai - old_cai) / old_cai;
  const Int64s small = (r >= -kLnStepLimit) & (r <= kLnStepLimit);
  const Doubles series = plus_ln_one_plus(ln_cai, r);
  if (all_of(small)) return series;
  return small ? series : any_ln(cai, ln_m);  // lane by lane as the single-lane version decides
}

// One vector of lanes (V = Doubles) or one lane (V = double) of site i from its lane l.
template <class V>
inline void site_calcium(const HayCalciumSweep& s, std::size_t i, std::size_t l) {
  const HayDensities& g = s.site[i].g;
  const std::size_t x = i * s.lanes + l;
  V cai = load(s.cai_mM + x, V{});
  if (g.calcium_pool) {
    V ica = load(s.ica + x, V{});
    if (s.delta_mV)
      ica = mul_add(load(s.g_ca + x, V{}), load(s.delta_mV + static_cast<std::size_t>(s.nodes[i]) * s.lanes + l, V{}), ica);
    const V cai_inf = mul_add(V{} - s.pool_drive[i], ica, V{} + g.pool.min_cai_mM);
    const V old_cai = cai;
    cai = mul_add(V{} + s.pool_factor[i], cai_inf - cai, cai);
    store(s.cai_mM + x, cai);
    store(s.ln_cai + x, next_ln_cai(load(s.ln_cai + x, V{}), old_cai, cai, s.ln_m));
  }
  if (g.sk_e2 > 0) {
    const V z = load(s.sk_z + x, V{});
    store(s.sk_z + x, mul_add(V{} + s.sk_factor, sk_z_inf(cai, s) - z, z));
  }
}

// Whether a site has calcium-pool or SK_E2 state for the calcium kernel to advance.
inline bool has_calcium_state(const HayDensities& g) { return g.calcium_pool || g.sk_e2 > 0; }

// One lane: sites i ... i + kDoubleWidth - 1 side by side (their site-lane numbers are consecutive), each
// element with site_calcium's operations; a site without a pool keeps its cai and ln cai, one without
// SK_E2 its z.
inline void sites_calcium(const HayCalciumSweep& s, std::size_t i) {
  Int64s pool{}, sk{};
  Doubles min_cai{}, delta{};
  bool any = false;
  for (std::size_t j = 0; j < kDoubleWidth; ++j) {
    const HayDensities& g = s.site[i + j].g;
    pool[j] = g.calcium_pool ? -1 : 0;
    sk[j] = g.sk_e2 > 0 ? -1 : 0;
    any = any || has_calcium_state(g);
    min_cai[j] = g.pool.min_cai_mM;
    if (s.delta_mV) delta[j] = s.delta_mV[s.nodes[i + j]];
  }
  if (!any) return;
  const Doubles old_cai = load(s.cai_mM + i, Doubles{});
  Doubles ica = load(s.ica + i, Doubles{});
  if (s.delta_mV) ica = mul_add(load(s.g_ca + i, Doubles{}), delta, ica);
  const Doubles cai_inf = mul_add(Doubles{} - load(s.pool_drive + i, Doubles{}), ica, min_cai);
  const Doubles cai = pool ? mul_add(load(s.pool_factor + i, Doubles{}), cai_inf - old_cai, old_cai) : old_cai;
  store(s.cai_mM + i, cai);
  const Doubles ln_cai = load(s.ln_cai + i, Doubles{});
  store(s.ln_cai + i, pool ? next_ln_cai(ln_cai, old_cai, cai, s.ln_m) : ln_cai);
  const Doubles z = load(s.sk_z + i, Doubles{});
  store(s.sk_z + i, sk ? mul_add(Doubles{} + s.sk_factor, sk_z_inf(cai, s) - z, z) : z);
}

void calcium_sweep(const HayCalciumSweep& s) {
  if (s.lanes == 1 && kDoubleWidth > 1) {
    std::size_t i = 0;
    for (; i + kDoubleWidth <= s.sites; i += kDoubleWidth) sites_calcium(s, i);
    for (; i < s.sites; ++i)
      if (has_calcium_state(s.site[i].g)) site_calcium<double>(s, i, 0);
    return;
  }
  for (std::size_t i = 0; i < s.sites; ++i) {
    if (!has_calcium_state(s.site[i].g)) continue;
    std::size_t l = 0;
    for (; l + kDoubleWidth <= s.lanes; l += kDoubleWidth) site_calcium<Doubles>(s, i, l);
    for (; l < s.lanes; ++l) site_calcium<double>(s, i, l);
  }
}

}  // namespace

Kernels NEUROTWIN_CONCAT(NEUROTWIN_KERNEL_ISA, _kernel)() { return {gate_sweep, current_sweep, calcium_sweep}; }

}  // namespace neurotwin::hay_tables
