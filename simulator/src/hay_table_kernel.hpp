#pragma once
// The gate update and the currents of TabulatedHayMembrane (spec §6; §11.2 step 9, cnexp with
// tabulated steady states and factors), compiled once per instruction set
// (hay_table_kernel.cpp with NEUROTWIN_KERNEL_ISA = generic, avx2, avx512).
// Plain structs and pointers only: the kernel files instantiate nothing that
// the rest of the library also instantiates.
#include <cstddef>
#include <cstdint>

#include "neurotwin/simulator/hay_membrane.hpp"

namespace neurotwin {
namespace hay_tables {

inline constexpr std::size_t kRowGates = 16;  // one AVX-512 register of floats
inline constexpr double kLow_mV = -150.0, kHigh_mV = 100.0, kStep_mV = 0.02;
inline constexpr double kPointsPerMv = 1.0 / kStep_mV;  // a multiplication in the step loop
inline constexpr std::uint32_t kNoHighRow = ~std::uint32_t{0};
inline constexpr std::size_t kLnIntervals = 4096;  // the logarithm's table (12 mantissa bits)
inline constexpr double kLnStepLimit = 0x1.0p-7;   // ln cai's series: |r| up to 2^-7 (error < 2^-59)
// SK_E2's z_inf over cai is tabulated by the bits of the double cai: 1024 points per octave from
// 2^-24 mM (below SK_E2's 1e-7 guard) to kSkCaiHigh_mM.
inline constexpr double kSkCaiHigh_mM = 16.0;
inline constexpr int kSkWeightBits = 42;  // mantissa bits below the table index

struct alignas(64) GateRow {
  float x[kRowGates];
};
// Row k (v_k = kLow + k kStep): each gate's steady state and cnexp factor
// 1 - exp(-dt/tau) at v_k and their rises to v_{k+1}; at v_k + w kStep the
// value is value + w rise.
struct alignas(64) TableRow {
  float inf[kRowGates], inf_rise[kRowGates], factor[kRowGates], factor_rise[kRowGates];
};

// Row k of Ih's gate alone (kIhM of TableRow k), for the sites with no other channel.
struct IhRow {
  float inf, inf_rise, factor, factor_rise;
};

}  // namespace hay_tables


// A site's class: Ih alone (the gate kernel updates only its gate), and for the current kernel at one
// lane, which takes kDoubleWidth consecutive sites of one class as a vector, dendritic; and the columns of
// the densities that kernel reads.
enum HaySiteClass : char {
  kSiteOther = 0,       // one by one
  kSiteIhOnly = 1,      // Ih alone (the basal dendrites)
  kSiteDendritic = 2,   // no axon-only channel, a calcium channel, no second gate row (the apical dendrites)
};
enum HayDensityColumn : std::size_t {
  kColumnNats2, kColumnSkv3, kColumnSkE2, kColumnIm, kColumnCaHva, kColumnCaLvast, kColumnIh,
  kColumnEna, kColumnEk, kColumnEh, kDensityColumns
};

struct HayGateSweep {
  std::size_t sites = 0, lanes = 1;
  const int* nodes = nullptr;                  // per site
  const char* site_class = nullptr;            // per site: HaySiteClass (kSiteIhOnly: only Ih's gate is updated)
  const std::uint32_t* high_row = nullptr;     // per site: first lane's row in high_gates, or kNoHighRow
  const double* v_mV = nullptr;                // node * lanes + lane
  const hay_tables::TableRow* table = nullptr;       // gates 0-15
  const hay_tables::TableRow* high_table = nullptr;  // gates 16-31
  const hay_tables::IhRow* ih_table = nullptr;       // Ih's gate
  std::size_t table_rows = 0;
  hay_tables::GateRow* gates = nullptr;        // site * lanes + lane (not read for kSiteIhOnly)
  hay_tables::GateRow* high_gates = nullptr;
  float* ih_gates = nullptr;                   // site * lanes + lane: Ih's gate where kSiteIhOnly
};

// The currents at v_n (§6): each site-lane's conductances per ion from its gates and SK_E2's z,
// eca from ln cai (§5.3), rhs -= sum g (v - E), diag += sum g, and ica = g_Ca (v - eca) with g_Ca for the
// calcium pool; a site's lanes as whole vectors of doubles.
struct HayCurrentSweep {
  std::size_t sites = 0, lanes = 1;
  const int* nodes = nullptr;                  // per site
  const HayMembrane::Site* site = nullptr;     // per site: its densities
  const char* axonal = nullptr;                // per site: axon-only channels (their gates in the second row)
  const std::uint32_t* high_row = nullptr;     // per site: first lane's row in high_gates, or kNoHighRow
  const hay_tables::GateRow* gates = nullptr;  // site * lanes + lane (not read for kSiteIhOnly)
  const hay_tables::GateRow* high_gates = nullptr;
  const float* ih_gates = nullptr;             // site * lanes + lane: Ih's gate where kSiteIhOnly
  const double *sk_z = nullptr, *ln_cai = nullptr;  // site * lanes + lane: SK_E2's z, ln (cai / 1 mM)
  double nernst_factor_mV = 0;                 // 1000 R T / (2 F): eca = factor (ln cao - ln cai)
  const double* v_mV = nullptr;                // node * lanes + lane
  double *rhs = nullptr, *diag = nullptr;      // node * lanes + lane
  double *ica = nullptr, *g_ca = nullptr;      // site * lanes + lane: mA/cm², S/cm²
  const char* site_class = nullptr;            // per site: HaySiteClass
  const double* columns[kDensityColumns] = {}; // per site: densities (S/cm²) and reversal potentials (mV)
};

// CaDynamics_E2 and then SK_E2 with the new cai (§11.2 step 9), a site's lanes as whole vectors; and
// ln cai for eca, carried along: ln cai_{n+1} = ln cai_n + ln(1 + r) with r = (cai_{n+1} - cai_n) / cai_n
// from a series where |r| <= kLnStepLimit, else from the logarithm's table (none of the 19 million
// vectors of 8 simulations of 1 s under the NMDA protocol needed the table).
struct HayCalciumSweep {
  std::size_t sites = 0, lanes = 1;
  const int* nodes = nullptr;                      // per site
  const HayMembrane::Site* site = nullptr;         // per site: its densities
  const double *pool_factor = nullptr, *pool_drive = nullptr;  // per site: 1 - exp(-dt/decay); decay influx gamma
  const double *ica = nullptr, *g_ca = nullptr;    // site * lanes + lane: at v_n
  const double* delta_mV = nullptr;                // Crank-Nicolson: the solve's delta by node-lane (ica at the midpoint), or none
  double *cai_mM = nullptr, *sk_z = nullptr;       // site * lanes + lane
  double* ln_cai = nullptr;                        // site * lanes + lane: ln (cai / 1 mM)
  const double* ln_m = nullptr;                    // ln m at m = 0.5 + 0.5 k / kLnIntervals, k = 0 ... kLnIntervals
  const double* sk_table = nullptr;                // z_inf at the cai of bits (sk_table_first + k) << kSkWeightBits
  std::size_t sk_table_first = 0;
  double sk_factor = 0;                            // 1 - exp(-dt / 1 ms)
  double (*sk_z_inf)(double cai_mM) = nullptr;     // outside the table
};

namespace hay_tables {
struct Kernels {
  void (*gates)(const HayGateSweep&);
  void (*currents)(const HayCurrentSweep&);
  void (*calcium)(const HayCalciumSweep&);
};
Kernels generic_kernel();
Kernels avx2_kernel();
Kernels avx512_kernel();
}  // namespace hay_tables

}  // namespace neurotwin
