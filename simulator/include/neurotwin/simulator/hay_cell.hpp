#pragma once
#include "neurotwin/simulator/cell_model.hpp"
#include "neurotwin/simulator/hay_membrane.hpp"

namespace neurotwin {

// Options of the Hay L5PC as Beniaguev used it (spec §4, §7, §8).
struct HayCellOptions {
  ExcitatorySynapse excitatory = ExcitatorySynapse::nmda;
  double excitatory_gmax_uS = 0.0004;  // 0.4 nS (AMPA, and NMDA with the same weight)
  double inhibitory_gmax_uS = 0.001;   // 1 nS GABA_A
  double sk_e2_factor = 1.0;           // SKE2_mult_factor (§7.1; 0.1 for the attenuated-SK variant)
  double v_init_mV = -76.0;
  double celsius = 6.3;
  // §7.4 quirks of distribute_channels; true reproduces NEURON exactly.
  bool last_segment_uses_section_end = true;  // the last segment of an apical section takes the 1-end value
  bool round_ih_to_10_decimals = true;
  // §8.4: a synapse whose first input is at exactly t = 0 never conducts (NEURON's NaN).
  bool silence_synapse_on_zero_interval = true;
};

// Distance-dependent apical densities (§7.2, §7.3), d in µm from apic[0](0).
double hay_apical_ih_S_per_cm2(double d_um, bool round_to_10_decimals);
double hay_apical_ca_lvast_S_per_cm2(double d_um);
inline constexpr double kHayLongestApicalPath_um = 1300.5335016374963;  // D_max (§2.6)

// The Hay L5PC (hay_l5pc_description() adjusted by the options) on a
// morphology whose axon is already replaced (§2.4): passive properties (§4),
// every mechanism with its regional and distance-dependent density (§7), and
// one excitatory and one inhibitory synapse on each basal and apical segment
// (§8.1).
CellModel build_hay_cell(const Morphology& morphology, const HayCellOptions& options = {}, const SegmentRule& rule = {});

}  // namespace neurotwin
