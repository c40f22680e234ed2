#pragma once
#include <string>
#include <vector>

#include "neurotwin/simulator/huge_page_allocator.hpp"

#include "neurotwin/simulator/mechanism.hpp"

namespace neurotwin {

// One double-exponential conductance (spec §8.2): dA/dt = -A/tau_rise,
// dB/dt = -B/tau_decay, g = gmax (B - A); an event of weight w adds w*f to A
// and B, f normalizing the peak to gmax*w. With magnesium_block the
// conductance is multiplied by B_Mg(v) = 1/(1 + exp(-0.08 v) mg/3.57) (§8.3).
struct ConductanceComponent {
  double tau_rise_ms = 0.3;
  double tau_decay_ms = 3.0;
  double gmax_uS = 0.0004;
  bool magnesium_block = false;
};

// A synapse type: one to kMaxSynapseComponents components sharing a reversal potential.
inline constexpr std::size_t kMaxSynapseComponents = 4;
struct SynapseKind {
  std::string name;
  double e_rev_mV = 0.0;
  double mg_mM = 1.0;
  std::vector<ConductanceComponent> components;
  // dI/dv as NEURON obtains it, (I(v + 0.001) - I(v)) / 0.001 (spec §8.5),
  // instead of the analytic slope (they differ only through the Mg block).
  bool numeric_slope = false;
  // The Mg block read from a table over v (every 0.02 mV, linear
  // interpolation) instead of its exponential: faster, not NEURON-exact.
  // dI/dv is then the analytic slope of the interpolated current whatever
  // numeric_slope says (the numeric difference within one table interval).
  bool tabulated_mg_block = false;
  // The vectorized step leaves the states where they are and lets a scale per component decay
  // instead (A = s_A A', s_A *= exp(-dt/tau_rise) each step; an event adds w f / s_A to A'; A' is
  // multiplied out when s_A falls below 2^-32): the stores of a state pass go, the numbers move by
  // rounding only. Default mode; the exact step (advance) decays the states themselves.
  bool deferred_decay = false;
};

SynapseKind ampa_synapse(double gmax_uS = 0.0004);
SynapseKind nmda_synapse(double gmax_uS = 0.0004);  // AMPA + NMDA, shared weight and E
SynapseKind gaba_a_synapse(double gmax_uS = 0.001);

// Normalization factor f of a double exponential (spec §8.2).
double double_exponential_factor(double tau_rise_ms, double tau_decay_ms);
// Magnesium block B_Mg(v) (spec §8.3).
double magnesium_block(double v_mV, double mg_mM);

struct SynapseSweep;  // what the vectorized step reads and writes (synapse_kernel.hpp)

// Synapses of one kind, each on a node; point processes, so their current (nA)
// enters the node as i*100/area mA/cm² (spec §8.5).
class SynapseArray {
 public:
  // lanes: copies of every synapse, one per lane of the simulation (MembraneArrays).
  SynapseArray(SynapseKind kind, std::vector<int> nodes, const std::vector<double>& node_area_um2, std::size_t lanes = 1);
  const SynapseKind& kind() const { return kind_; }
  std::size_t size() const { return nodes_.size(); }
  int node(std::size_t i) const { return nodes_[i]; }

  void initialize();
  // A released event of weight w on synapse i of a lane (NET_RECEIVE).
  void deliver(std::size_t i, std::size_t lane, double weight);
  void add_currents(const MembraneArrays& m) const;
  void advance(double dt_ms);
  // add_currents(m) then advance(dt_ms), with the same numbers, in one pass
  // over the states (the lanes of a synapse as vectors) where the kind has a
  // tabulated Mg block or no blocked component; the simulation's step.
  void add_currents_and_advance(const MembraneArrays& m, double dt_ms);
  // Whether this array and `other` have the vectorized step, the same lanes and their synapses on the
  // same nodes, in the same order (the default mode's excitatory and inhibitory groups).
  bool shares_nodes_with(const SynapseArray& other) const;
  // add_currents_and_advance of this array and then of `then`, at each synapse this array's current
  // and then then's where shares_nodes_with(then) (the node's values read once), else one array after
  // the other. The same numbers wherever no two synapses of an array share a node.
  void add_currents_and_advance(SynapseArray& then, const MembraneArrays& m, double dt_ms);
  // Total conductance of synapse i of a lane at voltage v (µS).
  double conductance_uS(std::size_t i, double v_mV, std::size_t lane = 0) const;

 private:
  SynapseKind kind_;
  std::vector<int> nodes_;
  std::vector<double> scale_;                   // 100 / area (µm²)
  std::vector<double> factor_;                  // per component
  std::vector<double> gmax_;                    // per component (µS)
  std::vector<std::size_t> plain_, blocked_;    // components without and with the Mg block
  std::size_t lanes_;
  std::vector<KernelVector<double>> a_, b_;    // [component][synapse * lanes + lane]
  double block(double v_mV) const;
  std::vector<double> mg_table_;                // tabulated_mg_block: B_Mg at -150 + 0.02 k mV
  // The vectorized step and its form for two arrays on the same nodes (synapse_kernel.hpp); none:
  // add_currents and advance.
  void (*sweep_)(const SynapseSweep&) = nullptr;
  void (*sweep_pair_)(const SynapseSweep&, const SynapseSweep&) = nullptr;
  SynapseSweep kernel_sweep(const MembraneArrays& m, double dt_ms);
  void decay_scales();                           // deferred decay: the scales over dt
  void set_decay(double dt_ms);
  double decay_dt_ms_ = -1;
  std::vector<double> rise_decay_, fall_decay_;  // exp(-dt/tau) per component
  // Per component: A = rise_scale A' and B = fall_scale B' with A', B' in a_, b_ (1 unless deferred_decay).
  std::vector<double> rise_scale_, fall_scale_;
  void multiply_out_scales(bool only_small);
};

}  // namespace neurotwin
