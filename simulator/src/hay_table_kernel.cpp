// TabulatedHayMembrane's gate update over every site-lane (spec §11.2 step 9):
// x += f (x_inf - x) with x_inf and f = 1 - exp(-dt/tau) interpolated in the
// table row of v_{n+1}, 16 gates per row as whole vectors. Compiled once per
// instruction set: CMake defines NEUROTWIN_KERNEL_ISA (generic, avx2, avx512,
// the name of the function returned) and NEUROTWIN_VECTOR_BYTES (16, 32, 64)
// and passes the matching -m flags. Nothing from the C++ library is used here
// (no template is instantiated twice with different instructions).
#include <cstring>

#include "hay_table_kernel.hpp"
#include "kernel_vectors.hpp"

namespace neurotwin::hay_tables {
namespace {

typedef float Floats __attribute__((vector_size(NEUROTWIN_VECTOR_BYTES)));
constexpr std::size_t kWidth = NEUROTWIN_VECTOR_BYTES / sizeof(float);
static_assert(kRowGates % kWidth == 0, "a row is a whole number of vectors");

inline Floats load(const float* p) {
  Floats v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The 16 gates of one site-lane at table weight w (v = v_k + w kStep).
inline void relax_row(float* __restrict gate, const TableRow& __restrict row, float w) {
  for (std::size_t p = 0; p < kRowGates; p += kWidth) {
    const Floats inf = load(row.inf + p) + w * load(row.inf_rise + p);
    const Floats factor = load(row.factor + p) + w * load(row.factor_rise + p);
    const Floats x = load(gate + p);
    const Floats next = x + factor * (inf - x);
    std::memcpy(gate + p, &next, sizeof next);
  }
}

void sweep(const HayGateSweep& s) {
  const std::size_t last_row = s.table_rows - 2;
  for (std::size_t i = 0; i < s.sites; ++i) {
    const double* v = s.v_mV + static_cast<std::size_t>(s.nodes[i]) * s.lanes;
    GateRow* gates = s.gates + i * s.lanes;
    const std::uint32_t high = s.high_row[i];
    for (std::size_t l = 0; l < s.lanes; ++l) {
      double clamped = v[l] < kLow_mV ? kLow_mV : v[l];
      clamped = clamped > kHigh_mV ? kHigh_mV : clamped;
      const double position = (clamped - kLow_mV) * kPointsPerMv;
      std::size_t k = static_cast<std::size_t>(position);
      k = k < last_row ? k : last_row;
      const float w = static_cast<float>(position - static_cast<double>(k));
      relax_row(gates[l].x, s.table[k], w);
      if (high != kNoHighRow) relax_row(s.high_gates[high + l].x, s.high_table[k], w);
    }
  }
}

}  // namespace

Kernel NEUROTWIN_CONCAT(NEUROTWIN_KERNEL_ISA, _kernel)() { return sweep; }

}  // namespace neurotwin::hay_tables
