// The cable kernels of cable_kernel.hpp: each node's lanes go through as
// vectors of NEUROTWIN_VECTOR_BYTES, the rest one by one with the same
// operations (elementwise IEEE arithmetic without FMA contraction: the same
// numbers for any lane count and instruction set).
#include <cstring>

#include "cable_kernel.hpp"
#include "kernel_vectors.hpp"

namespace neurotwin::cable_kernels {
namespace {

constexpr std::size_t kWidth = kDoubleWidth;


// f(offset, V{}) for the lanes of one node: whole vectors, then single lanes.
template <class F>
inline void over_lanes(std::size_t lanes, F f) {
  std::size_t l = 0;
  for (; l + kWidth <= lanes; l += kWidth) f(l, Doubles{});
  for (; l < lanes; ++l) f(l, 0.0);
}

// Node i's own terms (spec §11.2 steps 3-5), written over what the previous step left: the leak
// i = g (v - e) of the mechanism the simulation folded in (g = e = 0 where none), the capacitance and
// the coupling to the parent p: d_i = (g + C/dt) - b_i, rhs_i = (0 - g (v_i - e)) - b_i (v_p - v_i).
// The other mechanisms' currents are added afterwards.
template <class V>
inline void write_own_terms(double* d, double* rhs, const V& v, const V& v_p, const V& g, const V& e, const V& cap,
                            const V& b) {
  store(d, (g + cap) - b);
  store(rhs, (0.0 - g * (v - e)) - b * (v_p - v));
}

// The root's terms (it has no parent): d_0 = 0 + (g + C/dt), rhs_0 = 0 - g (v_0 - e), for its lanes at d, rhs.
template <class V>
inline void write_root_terms(double* d, double* rhs, const V& v, double g, double e, double cap) {
  store(d, V{} + (g + cap));
  store(rhs, 0.0 - g * (v - e));
}

// One lane: nodes i ... i + kWidth - 1 as a vector for their own terms, then their terms to their parents
// one by one in ascending order. A node's own terms are written before its children's are added (they
// have higher indices): the numbers of the node-by-node loop.
void assemble_one_lane(const CableSweep& s) {
  double* d = s.d;
  double* rhs = s.rhs;
  write_root_terms(d, rhs, s.v_mV[0], s.leak_g[0], s.leak_e[0], s.capacitance[0]);
  std::size_t i = 1;
  for (; i + kWidth <= s.nodes; i += kWidth) {
    Doubles v_p;
    for (std::size_t j = 0; j < kWidth; ++j) v_p[j] = s.v_mV[s.parent[i + j]];
    const Doubles v = load(s.v_mV + i, Doubles{});
    write_own_terms(d + i, rhs + i, v, v_p, load(s.leak_g + i, Doubles{}), load(s.leak_e + i, Doubles{}),
                    load(s.capacitance + i, Doubles{}), load(s.b + i, Doubles{}));
    const Doubles a_dv = load(s.a + i, Doubles{}) * (v_p - v);
    for (std::size_t j = 0; j < kWidth; ++j) {
      const auto p = static_cast<std::size_t>(s.parent[i + j]);
      rhs[p] = rhs[p] + a_dv[j];
      d[p] = d[p] - s.a[i + j];
    }
  }
  for (; i < s.nodes; ++i) {
    const auto p = static_cast<std::size_t>(s.parent[i]);
    write_own_terms(d + i, rhs + i, s.v_mV[i], s.v_mV[p], s.leak_g[i], s.leak_e[i], s.capacitance[i], s.b[i]);
    rhs[p] = rhs[p] + s.a[i] * (s.v_mV[p] - s.v_mV[i]);
    d[p] = d[p] - s.a[i];
  }
}

// Steps 3-5: every node's leak, capacitance and own coupling written (write_own_terms; the root has no
// parent), then the coupling terms to its parent p, rhs_p += a_i (v_p - v_i), d_p -= a_i, nodes in
// ascending order (a parent's own terms are in before its children's).
void assemble(const CableSweep& shared) {
  const CableSweep s = shared;
  const std::size_t L = s.lanes;
  if (L == 1 && kWidth > 1) return assemble_one_lane(s);
  over_lanes(L, [&](std::size_t l, auto kind) {
    using V = decltype(kind);
    write_root_terms(s.d + l, s.rhs + l, load(s.v_mV + l, V{}), s.leak_g[0], s.leak_e[0], s.capacitance[0]);
  });
  for (std::size_t i = 1; i < s.nodes; ++i) {
    const std::size_t c = i * L, p = static_cast<std::size_t>(s.parent[i]) * L;
    const double a = s.a[i], b = s.b[i], cap = s.capacitance[i], g = s.leak_g[i], e = s.leak_e[i];
    over_lanes(L, [&](std::size_t l, auto kind) {
      using V = decltype(kind);
      const V v = load(s.v_mV + c + l, V{}), v_p = load(s.v_mV + p + l, V{});
      write_own_terms(s.d + c + l, s.rhs + c + l, v, v_p, V{} + g, V{} + e, V{} + cap, V{} + b);
      store(s.rhs + p + l, load(s.rhs + p + l, V{}) + a * (v_p - v));
      store(s.d + p + l, load(s.d + p + l, V{}) - a);
    });
  }
}

// Node i's lanes (§11.5): its elimination into its parent with one division, d_p -= a_i b_i (1/d_i),
// rhs_p -= a_i (1/d_i) rhs_i, d_i keeping 1/d_i; and its back substitution with the stored reciprocal.
inline void triangularize_node(const CableSweep& s, std::size_t i) {
  const std::size_t L = s.lanes, c = i * L, p = static_cast<std::size_t>(s.parent[i]) * L;
  const double a = s.a[i], ab = s.a[i] * s.b[i];
  over_lanes(L, [&](std::size_t l, auto kind) {
    using V = decltype(kind);
    const V d_i = load(s.d + c + l, V{});
    const V reciprocal = 1.0 / d_i;
    store(s.d + p + l, load(s.d + p + l, V{}) - ab * reciprocal);
    store(s.rhs + p + l, load(s.rhs + p + l, V{}) - a * reciprocal * load(s.rhs + c + l, V{}));
    store(s.d + c + l, reciprocal);
  });
}
inline void substitute_node(const CableSweep& s, std::size_t i) {
  const std::size_t L = s.lanes, c = i * L, p = static_cast<std::size_t>(s.parent[i]) * L;
  const double b = s.b[i];
  over_lanes(L, [&](std::size_t l, auto kind) {
    using V = decltype(kind);
    store(s.rhs + c + l, (load(s.rhs + c + l, V{}) - b * load(s.rhs + p + l, V{})) * load(s.d + c + l, V{}));
  });
}

// One lane, by levels (s.level_start): the nodes of one depth depend on no other node of that depth, so
// kWidth of them at a time have their divisions as one vector operation, with the same operations as
// one by one. Their terms then go to their parents (the level above) one by one in the order of the
// one-by-one solve (descending position in s.order), and the back substitution runs a level's nodes as
// vectors too: the same numbers as solve's node-by-node loops.
void solve_one_lane_by_levels(const CableSweep& s) {
  double* d = s.d;
  double* rhs = s.rhs;
  for (std::size_t level = s.levels - 1; level >= 1; --level) {
    const std::size_t begin = s.level_start[level];
    std::size_t end = s.level_start[level + 1];
    for (; end - begin >= kWidth; end -= kWidth) {  // whole vectors of nodes from the level's end
      const int* node = s.order + end - kWidth;
      Doubles d_i, rhs_i, a, ab;
      for (std::size_t j = 0; j < kWidth; ++j) {
        const auto i = static_cast<std::size_t>(node[j]);
        d_i[j] = d[i];
        rhs_i[j] = rhs[i];
        a[j] = s.a[i];
        ab[j] = s.a[i] * s.b[i];
      }
      const Doubles reciprocal = 1.0 / d_i, d_term = ab * reciprocal, rhs_term = a * reciprocal * rhs_i;
      for (std::size_t j = kWidth; j-- > 0;) {
        const auto i = static_cast<std::size_t>(node[j]), p = static_cast<std::size_t>(s.parent[i]);
        d[p] = d[p] - d_term[j];
        rhs[p] = rhs[p] - rhs_term[j];
        d[i] = reciprocal[j];
      }
    }
    for (std::size_t k = end; k-- > begin;) triangularize_node(s, static_cast<std::size_t>(s.order[k]));  // the rest (faster than padding)
  }
  rhs[0] = rhs[0] / d[0];
  for (std::size_t level = 1; level < s.levels; ++level) {
    std::size_t k = s.level_start[level];
    const std::size_t end = s.level_start[level + 1];
    for (; k + kWidth <= end; k += kWidth) {
      const int* node = s.order + k;
      Doubles rhs_i, b, rhs_p, reciprocal;
      for (std::size_t j = 0; j < kWidth; ++j) {
        const auto i = static_cast<std::size_t>(node[j]);
        rhs_i[j] = rhs[i];
        b[j] = s.b[i];
        rhs_p[j] = rhs[s.parent[i]];
        reciprocal[j] = d[i];
      }
      const Doubles x = (rhs_i - b * rhs_p) * reciprocal;
      for (std::size_t j = 0; j < kWidth; ++j) rhs[node[j]] = x[j];
    }
    for (; k < end; ++k) substitute_node(s, static_cast<std::size_t>(s.order[k]));
  }
}

// Steps 6 (§11.5): triangularization from the leaves, d_p -= a_i b_i (1/d_i),
// rhs_p -= a_i (1/d_i) rhs_i, d_i keeping 1/d_i; back substitution from the
// root with the stored reciprocals. Nodes in s.order (backwards, then forwards):
// any order with parents before children gives the same numbers when each
// parent's children come in the same relative order.
void solve(const CableSweep& shared) {
  const CableSweep s = shared;
  const std::size_t L = s.lanes;
  if (L == 1 && kWidth > 1 && s.level_start) return solve_one_lane_by_levels(s);
  for (std::size_t k = s.nodes - 1; k >= 1; --k) triangularize_node(s, static_cast<std::size_t>(s.order[k]));
  over_lanes(L, [&](std::size_t l, auto kind) {
    using V = decltype(kind);
    store(s.rhs + l, load(s.rhs + l, V{}) / load(s.d + l, V{}));
  });
  for (std::size_t k = 1; k < s.nodes; ++k) substitute_node(s, static_cast<std::size_t>(s.order[k]));
}

// Step 7: v += factor * the solution, over all nodes and lanes at once.
void update(const CableSweep& s) {
  const std::size_t total = s.nodes * s.lanes;
  std::size_t k = 0;
  for (; k + kWidth <= total; k += kWidth)
    store(s.v_mV + k, load(s.v_mV + k, Doubles{}) + s.update_factor * load(s.rhs + k, Doubles{}));
  for (; k < total; ++k) s.v_mV[k] += s.update_factor * s.rhs[k];
}

}  // namespace

Kernels NEUROTWIN_CONCAT(NEUROTWIN_KERNEL_ISA, _kernels)() { return {assemble, solve, update}; }

}  // namespace neurotwin::cable_kernels
