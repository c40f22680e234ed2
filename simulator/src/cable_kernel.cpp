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

// Steps 4-5: capacitance, then the axial coupling of node i with its parent
// p (rhs_i -= b_i (v_p - v_i), rhs_p += a_i (v_p - v_i), d_i -= b_i,
// d_p -= a_i), nodes in ascending order (a parent's capacitance is in before
// its children's terms, as when the two loops run one after the other).
void assemble(const CableSweep& shared) {
  const CableSweep s = shared;
  const std::size_t L = s.lanes;
  over_lanes(L, [&](std::size_t l, auto kind) {
    using V = decltype(kind);
    store(s.d + l, load(s.d + l, V{}) + s.capacitance[0]);
  });
  for (std::size_t i = 1; i < s.nodes; ++i) {
    const std::size_t c = i * L, p = static_cast<std::size_t>(s.parent[i]) * L;
    const double a = s.a[i], b = s.b[i], cap = s.capacitance[i];
    over_lanes(L, [&](std::size_t l, auto kind) {
      using V = decltype(kind);
      // Node i's own d and rhs in registers (p != i: the parent's terms touch other numbers).
      const V dv = load(s.v_mV + p + l, V{}) - load(s.v_mV + c + l, V{});
      store(s.d + c + l, (load(s.d + c + l, V{}) + cap) - b);
      store(s.rhs + c + l, load(s.rhs + c + l, V{}) - b * dv);
      store(s.rhs + p + l, load(s.rhs + p + l, V{}) + a * dv);
      store(s.d + p + l, load(s.d + p + l, V{}) - a);
    });
  }
}

// Steps 6 (§11.5): triangularization from the leaves, d_p -= a_i b_i / d_i,
// rhs_p -= a_i (1/d_i) rhs_i, d_i keeping 1/d_i; back substitution from the
// root with the stored reciprocals. Nodes in s.order (backwards, then forwards):
// any order with parents before children gives the same numbers when each
// parent's children come in the same relative order.
void solve(const CableSweep& shared) {
  const CableSweep s = shared;
  const std::size_t L = s.lanes;
  for (std::size_t k = s.nodes - 1; k >= 1; --k) {
    const auto i = static_cast<std::size_t>(s.order[k]);
    const std::size_t c = i * L, p = static_cast<std::size_t>(s.parent[i]) * L;
    const double a = s.a[i], ab = s.a[i] * s.b[i];
    over_lanes(L, [&](std::size_t l, auto kind) {
      using V = decltype(kind);
      const V d_i = load(s.d + c + l, V{});
      const V reciprocal = 1.0 / d_i;
      store(s.d + p + l, load(s.d + p + l, V{}) - ab / d_i);
      store(s.rhs + p + l, load(s.rhs + p + l, V{}) - a * reciprocal * load(s.rhs + c + l, V{}));
      store(s.d + c + l, reciprocal);
    });
  }
  over_lanes(L, [&](std::size_t l, auto kind) {
    using V = decltype(kind);
    store(s.rhs + l, load(s.rhs + l, V{}) / load(s.d + l, V{}));
  });
  for (std::size_t k = 1; k < s.nodes; ++k) {
    const auto i = static_cast<std::size_t>(s.order[k]);
    const std::size_t c = i * L, p = static_cast<std::size_t>(s.parent[i]) * L;
    const double b = s.b[i];
    over_lanes(L, [&](std::size_t l, auto kind) {
      using V = decltype(kind);
      store(s.rhs + c + l, (load(s.rhs + c + l, V{}) - b * load(s.rhs + p + l, V{})) * load(s.d + c + l, V{}));
    });
  }
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
