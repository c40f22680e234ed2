#pragma once
#include <array>
#include <cstddef>
#include <vector>

#include "neurotwin/simulator/hay_membrane.hpp"
#include "neurotwin/simulator/huge_page_allocator.hpp"

namespace neurotwin {
namespace hay_tables {
struct GateRow;   // 16 gate values of a site-lane (hay_table_kernel.hpp)
struct TableRow;  // the table row of 16 gates at one voltage
struct IhRow;     // Ih's gate alone in that row
}  // namespace hay_tables
struct HayGateSweep;  // what the gate kernel reads and writes (hay_table_kernel.hpp)
struct HayCurrentSweep;  // what the current kernel reads and writes
struct HayCalciumSweep;  // what the calcium and SK kernel reads and writes

// The Hay L5PC membrane of HayMembrane (spec §5, §6, §11.2) for the default
// integration mode: every gate's steady state and cnexp factor
// 1 - exp(-dt/tau) read from single-precision tables over v (-150 ... +100 mV,
// every 0.02 mV, linear interpolation; built for the step dt on first use),
// gate states in single precision, calcium, SK_E2 and the currents in double.
// A site-lane's gates (0 ... 15, the axon's K_Tst h in a second block) are one
// 16-float row: one table row and one state row per update, which the gate
// kernel processes as whole vectors (a site with Ih alone: its one gate, from
// a 16-byte table row); the currents (conductances from the gates,
// eca from ln cai, which the calcium kernel carries along) and the calcium pool with SK_E2 run a site's
// lanes as vectors of doubles. The kernels are built for SSE2, AVX2 and AVX-512
// (elementwise IEEE arithmetic, fused multiply-adds written out: the FMA
// instructions, or the C library's exact fma in the SSE2 build; the same operations for
// a vector of lanes and a single lane: the three give the same numbers) and the
// fastest the processor runs is used, unless NEUROTWIN_SIMD names one (generic,
// avx2, avx512). Each lane's numbers equal a one-lane run's.
class TabulatedHayMembrane final : public Mechanism {
 public:
  TabulatedHayMembrane(std::vector<HayMembrane::Site> sites, double celsius, std::size_t lanes = 1);
  ~TabulatedHayMembrane() override;

  void initialize(const double* v_mV) override;
  void add_currents(const MembraneArrays& m) const override;
  void correct_ion_currents(const double* delta_mV) override;
  void advance(const double* v_mV, double dt_ms) override;

  double cai_mM(std::size_t site, std::size_t lane = 0) const { return cai_.at(site * lanes_ + lane); }
  // ln (cai / 1 mM) as the currents read it for eca (carried from step to step by the calcium kernel).
  double ln_cai(std::size_t site, std::size_t lane = 0) const { return ln_cai_.at(site * lanes_ + lane); }
  std::size_t size() const { return sites_.size(); }

 private:
  std::vector<HayMembrane::Site> sites_;
  std::size_t lanes_;
  std::vector<int> nodes_;                  // per site
  std::vector<char> axonal_;                // per site: axon-only channels (their gates in the second row)
  std::vector<std::uint32_t> high_row_;     // per site: index of its first second-row lane, or ~0
  // Per site: its class (HaySiteClass: Ih alone, dendritic, other), and for the current kernel at one
  // lane its densities and reversal potentials by column (hay_table_kernel.hpp).
  std::vector<char> site_class_;
  std::vector<std::vector<double>> columns_;
  // [site * lanes + lane]: gates 0-15; a site with Ih alone (kSiteIhOnly, the basal dendrites) has its one
  // gate in ih_gates_ instead, so that a step reads 4 bytes per site-lane there rather than a 64-byte row.
  KernelVector<hay_tables::GateRow> gates_;
  KernelVector<float> ih_gates_;
  KernelVector<hay_tables::GateRow> high_gates_;       // [high_row_ + lane]: gates 16-31 of the axonal sites
  KernelVector<double> sk_z_, cai_;         // [site * lanes + lane]
  KernelVector<double> ln_cai_;             // [site * lanes + lane]: ln (cai / 1 mM), for eca
  // ica (mA/cm²) at v_n and its conductance g_Ca (S/cm²), for the pool: [site * lanes + lane].
  mutable KernelVector<double> ica_, g_ca_;
  const double* ica_delta_mV_ = nullptr;    // Crank-Nicolson: the solve's delta until advance
  double nernst_factor_mV_;                 // 1000 R T / (2 F)

  double table_dt_ms_ = -1;
  KernelVector<hay_tables::TableRow> table_, high_table_;
  std::vector<hay_tables::IhRow> ih_table_;  // Ih's gate alone, for the sites with no other channel
  std::vector<double> sk_table_;            // SK_E2's z_inf over the bits of cai
  std::size_t sk_table_first_ = 0;
  double sk_table_factor_ = 0;              // 1 - exp(-dt / 1 ms)
  std::vector<double> pool_factor_, pool_drive_;  // per site: 1 - exp(-dt/decay); decay * influx * gamma
  void (*gate_kernel_)(const HayGateSweep&) = nullptr;       // for the processor's instruction set
  void (*current_kernel_)(const HayCurrentSweep&) = nullptr;
  void (*calcium_kernel_)(const HayCalciumSweep&) = nullptr;

  void build_tables(double dt_ms);
};

}  // namespace neurotwin
