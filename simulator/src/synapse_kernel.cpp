// SynapseArray's tabulated-mode step (see synapse_kernel.hpp): for every
// synapse and lane I = g (v - e) with g = g_plain + g_mg B(v), B read from
// the Mg table by linear interpolation, dI/dv = g + g_mg B'(v) (v - e) with
// the interpolant's slope, then A *= exp(-dt/tau_rise), B *= exp(-dt/tau_decay).
// The lanes of a synapse go through as vectors of NEUROTWIN_VECTOR_BYTES
// (with one lane: synapses side by side), the rest one by one with the same operations (elementwise IEEE arithmetic,
// no FMA contraction; with deferred decay, fused multiply-adds written out: the same numbers for any lane
// count and instruction set). Where g_mg is 0 the block term adds exactly 0.
#include <cstdint>
#include <cstring>
#include <tuple>

#include "synapse_kernel.hpp"
#include "kernel_vectors.hpp"

namespace neurotwin::synapse_kernels {
namespace {

constexpr std::size_t kWidth = kDoubleWidth;
typedef std::int64_t Longs __attribute__((vector_size(NEUROTWIN_VECTOR_BYTES)));

inline Doubles clamp(Doubles x, double low, double high) {
  x = x < low ? Doubles{} + low : x;
  return x > high ? Doubles{} + high : x;
}
inline double clamp(double x, double low, double high) {
  x = x < low ? low : x;
  return x > high ? high : x;
}
// Table index (truncated position, at most last) and value at and after it.
struct Entries {
  Doubles index, at, next;
};
inline Entries lookup(const Doubles& position, const double* table, std::int64_t last) {
  Longs k = __builtin_convertvector(position, Longs);
  k = k < last ? k : Longs{} + last;
  Entries e;
  e.index = __builtin_convertvector(k, Doubles);
  for (std::size_t i = 0; i < kWidth; ++i) {
    e.at[i] = table[k[i]];
    e.next[i] = table[k[i] + 1];
  }
  return e;
}
struct Entry {
  double index, at, next;
};
inline Entry lookup(double position, const double* table, std::int64_t last) {
  std::int64_t k = static_cast<std::int64_t>(position);
  k = k < last ? k : last;
  return {static_cast<double>(k), table[k], table[k + 1]};
}

constexpr std::size_t kRuntime = ~std::size_t{0};

// Where the voltages, rhs and diag of a vector's elements are: the lanes of one synapse at consecutive
// node-lanes from `at` (Consecutive), or single-lane synapses at their own, distinct nodes (Gathered).
struct Consecutive {
  std::size_t at;
  template <class V>
  V get(const double* p) const { return load(p + at, V{}); }
  template <class V>
  void put(double* p, const V& v) const { store(p + at, v); }
};
struct Gathered {
  const int* nodes;  // kWidth of them
  template <class V>
  V get(const double* p) const {
    V v;
    for (std::size_t k = 0; k < kWidth; ++k) v[k] = p[nodes[k]];
    return v;
  }
  template <class V>
  void put(double* p, const V& v) const {
    for (std::size_t k = 0; k < kWidth; ++k) p[nodes[k]] = v[k];
  }
};

// One kind's synapse at states x ... x + |V| - 1 (the lanes of one synapse, or single-lane synapses side
// by side) at voltage v with `scale` (100 / area: per synapse, or per element): its current and slope
// onto rhs and diag (kept in registers by the caller), then, without deferred decay, its states over
// dt. The component counts are known at compile time for the common kinds (AMPA, GABA_A: 1 + 0;
// AMPA+NMDA: 1 + 1).
template <class V, std::size_t kPlain, std::size_t kBlocked, bool kDeferred, class Scale>
inline void add_synapse(const SynapseSweep& s, std::size_t x, const V& v, Scale scale, V& rhs, V& diag) {
  const std::size_t plain = kPlain == kRuntime ? s.plain : kPlain, blocked = kBlocked == kRuntime ? s.blocked : kBlocked;
  // gmax (B - A), from the scaled states with deferred decay (the default mode, whose arithmetic here is in
  // fused multiply-adds, kernel_vectors.hpp's mul_add; without deferred decay, NEURON's operations).
  auto conductance = [x](const SynapseComponentArrays& k) {
    if constexpr (kDeferred)
      return k.gmax_uS * mul_add(V{} + k.fall_scale, load(k.b + x, V{}), V{} - k.rise_scale * load(k.a + x, V{}));
    return k.gmax_uS * (load(k.b + x, V{}) - load(k.a + x, V{}));
  };
  V g_plain = V{} + 0.0, g_mg = V{} + 0.0;
  for (std::size_t c = 0; c < plain; ++c) g_plain = g_plain + conductance(s.plain_components[c]);
  for (std::size_t c = 0; c < blocked; ++c) g_mg = g_mg + conductance(s.blocked_components[c]);
  V g = g_plain, slope = g_plain;
  if (blocked) {
    // The table's interpolant and its slope on the interval of v.
    const V position = (clamp(v, s.mg_low_mV, s.mg_high_mV) - s.mg_low_mV) * s.mg_points_per_mV;
    const auto e = lookup(position, s.mg_table, static_cast<std::int64_t>(s.mg_rows) - 2);
    const V rise = e.next - e.at;
    if constexpr (kDeferred) {
      g = mul_add(g_mg, mul_add(position - e.index, rise, e.at), g);
      slope = mul_add(g_mg * rise * s.mg_points_per_mV, v - s.e_mV, g);
    } else {
      g = g + g_mg * (e.at + (position - e.index) * rise);
      slope = g + g_mg * rise * s.mg_points_per_mV * (v - s.e_mV);
    }
  } else if (s.numeric_slope) {
    slope = (g * (v + 0.001 - s.e_mV) - g * (v - s.e_mV)) / 0.001;
  }
  if constexpr (kDeferred) {
    rhs = mul_add(V{} - g * (v - s.e_mV), V{} + scale, rhs);
    diag = mul_add(slope, V{} + scale, diag);
    return;  // the caller decays the scales
  }
  rhs = rhs - g * (v - s.e_mV) * scale;
  diag = diag + slope * scale;
  // The states over dt.
  auto decay = [x](const SynapseComponentArrays& k) {
    store(k.a + x, load(k.a + x, V{}) * k.rise_decay);
    store(k.b + x, load(k.b + x, V{}) * k.fall_decay);
  };
  for (std::size_t c = 0; c < plain; ++c) decay(s.plain_components[c]);
  for (std::size_t c = 0; c < blocked; ++c) decay(s.blocked_components[c]);
}

// A kind's component counts and whether its decay is deferred, as types.
template <std::size_t kPlainCount, std::size_t kBlockedCount, bool kDeferredDecay>
struct Shape {
  static constexpr std::size_t kPlain = kPlainCount, kBlocked = kBlockedCount;
  static constexpr bool kDeferred = kDeferredDecay;
};

// The synapses at x ... (their nodes' values where `node` says) of the sweeps `s` (each with its Shape),
// which share their nodes: voltage, rhs and diag read once, each sweep's synapse added in turn.
template <class V, class... Shapes, class Where, class Scale, class... Sweeps>
inline void synapse_lanes(std::size_t x, const Where& node, Scale scale, const Sweeps&... s) {
  const SynapseSweep& first = *std::get<0>(std::tie(s...));
  const V v = node.template get<V>(first.v_mV);
  V rhs = node.template get<V>(first.rhs), diag = node.template get<V>(first.diag);
  (add_synapse<V, Shapes::kPlain, Shapes::kBlocked, Shapes::kDeferred>(*s, x, v, scale, rhs, diag), ...);
  node.put(first.rhs, rhs);
  node.put(first.diag, diag);
}

inline bool distinct(const int* nodes) {
  for (std::size_t j = 1; j < kWidth; ++j)
    for (std::size_t k = 0; k < j; ++k)
      if (nodes[j] == nodes[k]) return false;
  return true;
}

// Every synapse of the sweeps (one, or two on the same nodes; pointers to local copies: the stores
// cannot change them).
template <class... Shapes, class... Sweeps>
void sweep_shapes(const Sweeps*... sweeps) {
  const SynapseSweep& s = *std::get<0>(std::tie(sweeps...));
  if (s.lanes == 1 && kWidth > 1) {
    // One lane: synapses side by side as the vector's elements, where a group's nodes are distinct (one
    // synapse per segment: always), else one by one; the same operations either way.
    std::size_t i = 0;
    for (; i + kWidth <= s.synapses; i += kWidth) {
      if (distinct(s.nodes + i)) {
        synapse_lanes<Doubles, Shapes...>(i, Gathered{s.nodes + i}, load(s.scale + i, Doubles{}), sweeps...);
      } else {
        for (std::size_t j = i; j < i + kWidth; ++j)
          synapse_lanes<double, Shapes...>(j, Consecutive{static_cast<std::size_t>(s.nodes[j])}, s.scale[j], sweeps...);
      }
    }
    for (; i < s.synapses; ++i)
      synapse_lanes<double, Shapes...>(i, Consecutive{static_cast<std::size_t>(s.nodes[i])}, s.scale[i], sweeps...);
    return;
  }
  const std::size_t vector_lanes = s.lanes / kWidth * kWidth;
  for (std::size_t i = 0; i < s.synapses; ++i) {
    const std::size_t first = i * s.lanes, node = static_cast<std::size_t>(s.nodes[i]) * s.lanes;
    std::size_t l = 0;
    for (; l < vector_lanes; l += kWidth)
      synapse_lanes<Doubles, Shapes...>(first + l, Consecutive{node + l}, s.scale[i], sweeps...);
    for (; l < s.lanes; ++l) synapse_lanes<double, Shapes...>(first + l, Consecutive{node + l}, s.scale[i], sweeps...);
  }
}

template <bool kDeferred>
void sweep_one(const SynapseSweep& shared) {
  const SynapseSweep s = shared;
  if (s.plain == 1 && s.blocked == 0) return sweep_shapes<Shape<1, 0, kDeferred>>(&s);
  if (s.plain == 1 && s.blocked == 1) return sweep_shapes<Shape<1, 1, kDeferred>>(&s);
  sweep_shapes<Shape<kRuntime, kRuntime, kDeferred>>(&s);
}

void sweep(const SynapseSweep& s) { return s.deferred_decay ? sweep_one<true>(s) : sweep_one<false>(s); }

// Two kinds on the same synapse nodes, the first's synapse then the second's at each (the default
// mode's AMPA+NMDA and GABA_A on every dendritic segment); other pairs one sweep after the other.
void sweep_pair(const SynapseSweep& shared_first, const SynapseSweep& shared_second) {
  const SynapseSweep first = shared_first, second = shared_second;
  if (first.deferred_decay && second.deferred_decay && first.plain == 1 && first.blocked == 1 && second.plain == 1 &&
      second.blocked == 0)
    return sweep_shapes<Shape<1, 1, true>, Shape<1, 0, true>>(&first, &second);
  sweep(first);
  sweep(second);
}

}  // namespace

Kernels NEUROTWIN_CONCAT(NEUROTWIN_KERNEL_ISA, _kernel)() { return {sweep, sweep_pair}; }

}  // namespace neurotwin::synapse_kernels
