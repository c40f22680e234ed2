#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "neurotwin/simulator/discretization.hpp"
#include "neurotwin/simulator/hodgkin_huxley.hpp"
#include "neurotwin/simulator/mechanism.hpp"
#include "neurotwin/simulator/synapse.hpp"

namespace neurotwin {

// Synapses of one kind, one on each of the listed segments. The cell's input
// channels are the groups concatenated in order.
struct SynapseGroup {
  SynapseKind kind;
  std::vector<int> segments;
};

// The electrical cell, ready to simulate: per-node membrane and axial
// properties, the mechanisms to instantiate per simulation, synapse sites.
struct CellModel {
  std::string name;
  Discretization geometry;
  std::vector<double> node_area_um2;          // 0 for zero-area nodes
  std::vector<double> node_cm_uF_per_cm2;     // 0 for zero-area nodes
  std::vector<double> node_axial_resistance_MOhm;  // to the parent node
  // Each makes the mechanism for a simulation of `lanes` lanes (MembraneArrays).
  std::vector<std::function<std::unique_ptr<Mechanism>(std::size_t lanes)>> mechanisms;
  std::vector<SynapseGroup> synapse_groups;
  double v_init_mV = -65.0;
  double celsius = 6.3;
  // Beniaguev's Prob* synapses with Dep = 0 (spec §8.4): an event at the time
  // of the synapse's previous event (tsyn, 0 at start) makes Pv NaN, so that
  // event and every later one on the synapse release nothing. In practice: a
  // synapse with an input at exactly t = 0 is silent for the whole run.
  bool silence_synapse_on_zero_interval = false;
  // Probability that an input event releases (spec §8.4: 1 with Debian's gcc
  // build of the mechanisms, 1 - 1/e with clang). Draws below 1 are a pure
  // function of (release seed, channel, event time), see Simulation.
  double release_probability = 1.0;

  std::size_t input_count() const;
  int soma_node() const { return geometry.segments.at(static_cast<std::size_t>(geometry.soma_segment())).node; }
};

// Passive properties of one region.
struct PassiveProperties {
  double cm_uF_per_cm2 = 1.0;
  double ra_ohm_cm = 100.0;
  double g_pas_S_per_cm2 = 5e-5;
  double e_pas_mV = -65.0;
};

enum class ExcitatorySynapse { ampa, nmda };

// Biophysics of the built-in cell family: a passive membrane per region,
// NEURON's `hh` at the soma, weaker `hh` (sodium and potassium only, scaled by
// dendrite_hh_scale, no hh leak) in the basal and apical dendrites, and one
// excitatory and one inhibitory synapse on every basal and apical segment
// (excitatory first, spec §8.1). Without dendritic channels the small soma
// cannot fire repetitively against the dendritic load (depolarization block).
struct SimpleBiophysics {
  PassiveProperties soma{1.0, 100.0, 5e-5, -65.0};
  PassiveProperties dendrite{1.0, 100.0, 5e-5, -65.0};
  PassiveProperties axon{1.0, 100.0, 5e-5, -65.0};
  bool soma_hh = true;
  HhParameters hh;
  double dendrite_hh_scale = 0.2;  // 0 = passive dendrites
  ExcitatorySynapse excitatory = ExcitatorySynapse::nmda;
  double excitatory_gmax_uS = 0.0004;
  double inhibitory_gmax_uS = 0.001;
  double v_init_mV = -65.0;
  double celsius = 6.3;
};

// Fills node areas, capacitances and axial resistances from the geometry and
// per-node passive properties (spec §3.2, §11.2).
void set_cable_properties(CellModel& cell, const std::vector<PassiveProperties>& per_section);

CellModel build_simple_cell(const Morphology& morphology, const SimpleBiophysics& biophysics,
                            const SegmentRule& rule = {});

}  // namespace neurotwin
