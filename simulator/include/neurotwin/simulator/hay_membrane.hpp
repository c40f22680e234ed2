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

// The gates of the Hay channels, numbered so that the soma's, the apical and
// the basal dendrites' gates form one run (0 ... 8) and the axon-only
// channels follow: a site updates one contiguous range of gates.
enum HayGate : std::uint32_t {
  kNats2M, kNats2H, kSkv3M, kImM, kHvaM, kHvaH, kLvaM, kLvaH, kIhM,
  kNataM, kNataH, kNapM, kNapH, kKpM, kKpH, kKtM, kKtH, kHayGateCount
};

// One voltage-gated Hay channel: its density, its kinetics (§6) and its
// gates (h = kHayGateCount: no h gate), in the order of hay_channels().
struct HayChannel {
  double HayDensities::*gbar;
  hay::Gates (*kinetics)(double v_mV);
  HayGate m;
  HayGate h;
};
const std::vector<HayChannel>& hay_channels();
// Whether a site carries any of the axon-only channels (NaTa_t, Nap_Et2, K_Pst, K_Tst).
bool hay_has_axon_channels(const HayDensities& g);

// All active mechanisms of the Hay L5PC at a set of nodes, evaluated together
// because they share the node's calcium (spec §5, §6, §11.2): per node
// eca = Nernst(cai_n, cao = 2 mM) each step, ica accumulated from Ca_HVA and
// Ca_LVAst at v_n, then CaDynamics_E2 advanced first and SK_E2 with the new
// cai, every other gate by cnexp at v_{n+1}. cai starts at 5e-5 mM (§5.2).
// The rate functions are NEURON's (NEURON's numbers); TabulatedHayMembrane
// is the fast approximation of the default integration mode.
class HayMembrane final : public Mechanism {
 public:
  struct Site {
    int node;
    HayDensities g;
  };
  HayMembrane(std::vector<Site> sites, double celsius, std::size_t lanes = 1);

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
  struct State {
    std::array<double, kHayGateCount> gate{};  // a gate of a channel not inserted is never read
    double sk_z = 0;
    double cai = kCaiInit_mM;
  };
  void set_gates(const Site& s, State& x, double v, double dt_ms, bool steady) const;

  std::vector<Site> sites_;
  std::vector<char> axonal_;   // per site: gates of the axon-only channels (NaTa_t, Nap_Et2, K_Pst, K_Tst)
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
};

}  // namespace neurotwin
