#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "neurotwin/simulator/hay_kinetics.hpp"
#include "neurotwin/simulator/mechanism.hpp"

namespace neurotwin {

// Channel densities of one compartment of the Hay et al. 2011 L5PC (spec §7):
// gbar in S/cm² (0 = not inserted), the CaDynamics_E2 pool where Ca
// mechanisms are, and the Na/K reversal potentials.
struct HayDensities {
  double nata_t = 0, nats2_t = 0, nap_et2 = 0, k_pst = 0, k_tst = 0, skv3_1 = 0, sk_e2 = 0, im = 0;
  double ca_hva = 0, ca_lvast = 0, ih = 0;
  bool calcium_pool = false;  // CaDynamics_E2 (soma, axon, apical)
  hay::CalciumPool pool;      // gamma, decay per region (§7.1)
  double ena_mV = 50.0, ek_mV = -85.0;
  double eh_mV = -45.0;       // Ih's non-specific reversal (§6.11)
};

// All active mechanisms of the Hay L5PC at a set of nodes, evaluated together
// because they share the node's calcium (spec §5, §6, §11.2): per node
// eca = Nernst(cai_n, cao = 2 mM) each step, ica accumulated from Ca_HVA and
// Ca_LVAst at v_n, then CaDynamics_E2 advanced first and SK_E2 with the new
// cai, every other gate by cnexp at v_{n+1}. cai starts at 5e-5 mM (§5.2).
class HayMembrane final : public Mechanism {
 public:
  struct Site {
    int node;
    HayDensities g;
  };
  // rate_tables: gate steady states and cnexp factors (1 - exp(-dt/tau)) are
  // read from tables over v (-150 ... +100 mV, every 0.02 mV, linear
  // interpolation) built for the step dt on first use, instead of the rate
  // functions (about 3x faster; NEURON-exact only when false).
  HayMembrane(std::vector<Site> sites, double celsius, bool rate_tables = false, std::size_t lanes = 1);

  void initialize(const double* v_mV) override;
  void add_currents(const MembraneArrays& m) const override;
  void correct_ion_currents(const double* delta_mV) override;
  void advance(const double* v_mV, double dt_ms) override;

  // For tests and recording: calcium concentration (mM) at site i.
  double cai_mM(std::size_t site, std::size_t lane = 0) const { return state_.at(site * lanes_ + lane).cai; }
  std::size_t size() const { return sites_.size(); }

  static constexpr double kCao_mM = 2.0;
  static constexpr double kCaiInit_mM = 5e-5;
  static constexpr double kLnCao = 0.69314718055994530942;  // ln 2

 private:
  // The gates of every channel, numbered so that the soma's, the apical and
  // the basal dendrites' gates form one run (0 ... 8) and the axon-only
  // channels follow: each site updates one contiguous range of gates.
  enum Gate : std::uint32_t {
    kNats2M, kNats2H, kSkv3M, kImM, kHvaM, kHvaH, kLvaM, kLvaH, kIhM,
    kNataM, kNataH, kNapM, kNapH, kKpM, kKpH, kKtM, kKtH, kGateCount
  };
  struct State {
    std::array<double, kGateCount> gate{};  // a gate of a channel not inserted is updated but never read
    double sk_z = 0;
    double cai = kCaiInit_mM;
  };
  // One voltage-gated channel: its density, its kinetics (§6) and its gates;
  // the list is in hay_membrane.cpp.
  struct Channel;
  static const std::vector<Channel>& channels();
  void set_gates(const Site& s, State& x, double v, double dt_ms, bool steady) const;
  void build_tables(double dt_ms);

  // Row k (v_k = kTableLow + k * kTableStep): the steady states of all
  // gates, then their cnexp factors 1 - exp(-dt/tau).
  static constexpr double kTableLow_mV = -150.0, kTableHigh_mV = 100.0, kTableStep_mV = 0.02;
  static constexpr double kTablePointsPerMv = 1.0 / kTableStep_mV;  // a multiplication in the step loop
  static constexpr std::size_t kTableWidth = 2 * kGateCount;

  std::vector<Site> sites_;
  // Site i updates gates gate_first_[i] ... gate_last_[i] - 1 (its inserted
  // channels' gates, those between them, and one more to make the count even).
  std::vector<std::uint32_t> gate_first_, gate_last_;
  std::vector<char> axonal_;   // per site: gates of the axon-only channels (NaTa_t, Nap_Et2, K_Pst, K_Tst)
  std::vector<char> ih_only_;  // per site: no channel but Ih (ica stays 0)
  std::size_t lanes_;
  double celsius_;
  std::vector<State> state_;  // [site * lanes + lane]; ica_ and dica_dv_ likewise
  // ica (mA/cm²) of the present step at v_n, read by the pool update (§11.2 step 9).
  mutable std::vector<double> ica_;
  mutable std::vector<double> dica_dv_;  // S/cm², the calcium conductance at v_n
  // Crank-Nicolson: the solve's delta (by node) handed to
  // correct_ion_currents; until advance, ica is read at the midpoint.
  const double* ica_delta_mV_ = nullptr;
  double ica(std::size_t site, std::size_t lane) const {
    const std::size_t x = site * lanes_ + lane;
    if (!ica_delta_mV_) return ica_[x];
    return ica_[x] + dica_dv_[x] * ica_delta_mV_[static_cast<std::size_t>(sites_[site].node) * lanes_ + lane];
  }
  bool rate_tables_;
  double nernst_factor_mV_;  // 1000 R T / (2 F)
  double table_dt_ms_ = -1;
  std::size_t table_size_ = 0;
  std::vector<double> table_;  // [k][x_inf of every gate, cnexp factor of every gate]
  // SK_E2's z_inf over cai, indexed by the bits of the double cai (1024
  // points per octave, linear interpolation; no logarithm needed).
  static constexpr double kSkCaiHigh_mM = 16.0;
  static constexpr int kSkWeightBits = 42;  // mantissa bits below the table index
  std::size_t sk_table_first_ = 0;
  std::vector<double> sk_table_;
  double sk_table_factor_ = 0;           // 1 - exp(-dt / 1 ms)
  std::vector<double> pool_factor_;      // per site: 1 - exp(-dt / decay)
  std::vector<double> pool_decay_influx_;  // per site: decay * influx per mA/cm²
  double sk_z_inf_tabulated(double cai_mM) const;
};

}  // namespace neurotwin
