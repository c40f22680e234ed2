#pragma once
#include <map>
#include <string>
#include <vector>

#include "neurotwin/simulator/cell_model.hpp"
#include "neurotwin/simulator/morphology.hpp"

namespace neurotwin {

// How a mechanism's density (S/cm²) is set on a segment at path distance d
// (µm, from the soma centre = apic[0](0), spec §7.4):
//   constant:            value
//   exponential_plateau: value * (a + b exp(c min(d / D, max_fraction))), D = the longest apical path (§7.2)
//   window:              value * (inside if lo < d < hi else outside)        (§7.3)
// then rounded to `round_decimals` places if >= 0 (NEURON's %.10f, §7.4).
struct DensityRule {
  enum class Kind { constant, exponential_plateau, window };
  Kind kind = Kind::constant;
  double value = 0;
  double a = 0, b = 0, c = 0, max_fraction = 1;
  double lo_um = 0, hi_um = 0, inside = 1, outside = 1;
  int round_decimals = -1;
  double at(double d_um, double longest_apical_path_um) const;
};

// Membrane of one region (soma, axon, basal or apical sections).
struct RegionDescription {
  double cm_uF_per_cm2 = 1.0;
  double ra_ohm_cm = 100.0;
  double g_pas_S_per_cm2 = 3e-5;
  double e_pas_mV = -70.0;
  double ena_mV = 50.0, ek_mV = -85.0;
  // Active mechanisms by name: NaTa_t, NaTs2_t, Nap_Et2, K_Pst, K_Tst, SKv3_1,
  // SK_E2, Im, Ca_HVA, Ca_LVAst, Ih (gbar, S/cm²).
  std::map<std::string, DensityRule> mechanisms;
  bool calcium_pool = false;  // CaDynamics_E2
  double ca_gamma = 0.05, ca_decay_ms = 80.0;
};

// A cell as data: biophysics per region and synapses; with a morphology it
// becomes a CellModel. The Hay L5PC is one such description
// (experiments/cells/l5pc.yaml; hay_l5pc_description() in code).
struct CellDescription {
  std::string name;
  std::map<std::string, RegionDescription> regions;  // "soma", "axon", "basal", "apical"
  double v_init_mV = -76.0;
  double celsius = 6.3;
  // Axon replacement (spec §2.4): the morphology's axon becomes `axon_sections` cylinders.
  bool replace_axon = true;
  int axon_sections = 2;
  double axon_length_um = 30.0, axon_diameter_um = 1.0;
  // §7.4 quirk 2: the last segment of a section takes the value at the section's 1-end.
  bool last_segment_at_section_end = true;
  ExcitatorySynapse excitatory = ExcitatorySynapse::nmda;
  double excitatory_gmax_nS = 0.4;
  double inhibitory_gmax_nS = 1.0;
  bool silence_synapse_on_zero_interval = true;  // §8.4
  double release_probability = 1.0;              // §8.4 (1 - 1/e for a clang build)
  bool numeric_slope = true;                     // NEURON's numeric dI/dv of synaptic currents (§8.5)
  std::string record_dendrite;                    // e.g. "apic[50](0.9)" for cell1.asc
};

// Names of the mechanisms a RegionDescription may hold.
const std::vector<std::string>& known_mechanisms();

// The Hay et al. 2011 L5PC as Beniaguev used it (spec §4-§8).
CellDescription hay_l5pc_description(ExcitatorySynapse excitatory = ExcitatorySynapse::nmda);

// Builds the cell: applies the axon replacement to a copy of the morphology,
// discretizes it, sets every segment's densities from its region's rules
// (distances per §7.4), and puts one excitatory and one inhibitory synapse on
// every basal and apical segment (§8.1). Throws InputError naming the cell
// for a region the morphology needs but the description lacks.
// rate_tables: TabulatedHayMembrane's single-precision gate tables (faster, not NEURON-exact)
// and the tabulated Mg block; false: HayMembrane, NEURON's rate functions.
CellModel build_described_cell(const Morphology& morphology, const CellDescription& description,
                               const SegmentRule& rule = {}, bool rate_tables = false);

// Path distance (µm) from the soma centre (= apic[0](0), §7.4 quirk 1) at which
// a segment's density rules are evaluated: its centre, or its section's 1-end
// for the last segment of the section when last_segment_at_section_end (quirk 2).
double density_distance_um(const Discretization& geometry, int segment, bool last_segment_at_section_end);

// Longest path from the soma centre to an apical tip (µm), the D of §7.2.
double longest_apical_path_um(const Discretization& geometry);

}  // namespace neurotwin
