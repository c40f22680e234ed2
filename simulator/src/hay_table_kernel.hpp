#pragma once
// The gate update of TabulatedHayMembrane (spec §11.2 step 9, cnexp with
// tabulated steady states and factors), compiled once per instruction set
// (hay_table_kernel.cpp with NEUROTWIN_KERNEL_ISA = generic, avx2, avx512).
// Plain structs and pointers only: the kernel files instantiate nothing that
// the rest of the library also instantiates.
#include <cstddef>
#include <cstdint>

namespace neurotwin {
namespace hay_tables {

inline constexpr std::size_t kRowGates = 16;  // one AVX-512 register of floats
inline constexpr double kLow_mV = -150.0, kHigh_mV = 100.0, kStep_mV = 0.02;
inline constexpr double kPointsPerMv = 1.0 / kStep_mV;  // a multiplication in the step loop
inline constexpr std::uint32_t kNoHighRow = ~std::uint32_t{0};

struct alignas(64) GateRow {
  float x[kRowGates];
};
// Row k (v_k = kLow + k kStep): each gate's steady state and cnexp factor
// 1 - exp(-dt/tau) at v_k and their rises to v_{k+1}; at v_k + w kStep the
// value is value + w rise.
struct alignas(64) TableRow {
  float inf[kRowGates], inf_rise[kRowGates], factor[kRowGates], factor_rise[kRowGates];
};

}  // namespace hay_tables

struct HayGateSweep {
  std::size_t sites = 0, lanes = 1;
  const int* nodes = nullptr;                  // per site
  const std::uint32_t* high_row = nullptr;     // per site: first lane's row in high_gates, or kNoHighRow
  const double* v_mV = nullptr;                // node * lanes + lane
  const hay_tables::TableRow* table = nullptr;       // gates 0-15
  const hay_tables::TableRow* high_table = nullptr;  // gates 16-31
  std::size_t table_rows = 0;
  hay_tables::GateRow* gates = nullptr;        // site * lanes + lane
  hay_tables::GateRow* high_gates = nullptr;
};

namespace hay_tables {
using Kernel = void (*)(const HayGateSweep&);
Kernel generic_kernel();
Kernel avx2_kernel();
Kernel avx512_kernel();
}  // namespace hay_tables

}  // namespace neurotwin
