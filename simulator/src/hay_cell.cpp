#include "neurotwin/simulator/hay_cell.hpp"

#include <cmath>

#include "neurotwin/simulator/cell_description.hpp"

namespace neurotwin {

double hay_apical_ih_S_per_cm2(double d_um, bool round_to_10_decimals) {
  // gIhbar(d) = 1e-4 (-0.8696 + 2.0870 exp(3.6161 min(d / D_max, 0.65)))   (§7.2)
  const double xi = std::min(d_um / kHayLongestApicalPath_um, 0.65);
  const double g = 1e-4 * (-0.8696 + 2.0870 * std::exp(3.6161 * xi));
  return round_to_10_decimals ? std::round(g * 1e10) / 1e10 : g;
}

double hay_apical_ca_lvast_S_per_cm2(double d_um) {
  // 0.141954 * 1.6 * (1 in the hot zone 685 < d < 885 µm, else 0.01)   (§7.3)
  return 0.141954 * 1.6 * ((d_um > 685.0 && d_um < 885.0) ? 1.0 : 0.01);
}

CellModel build_hay_cell(const Morphology& morphology, const HayCellOptions& o, const SegmentRule& rule) {
  CellDescription d = hay_l5pc_description(o.excitatory);
  d.replace_axon = false;  // the caller passes the morphology with its axon replaced (§2.4)
  d.excitatory_gmax_nS = o.excitatory_gmax_uS * 1e3;
  d.inhibitory_gmax_nS = o.inhibitory_gmax_uS * 1e3;
  for (const char* region : {"soma", "axon", "apical"}) d.regions[region].mechanisms["SK_E2"].value *= o.sk_e2_factor;
  d.v_init_mV = o.v_init_mV;
  d.celsius = o.celsius;
  d.last_segment_at_section_end = o.last_segment_uses_section_end;
  if (!o.round_ih_to_10_decimals) d.regions["apical"].mechanisms["Ih"].round_decimals = -1;
  d.silence_synapse_on_zero_interval = o.silence_synapse_on_zero_interval;
  return build_described_cell(morphology, d, rule);
}

}  // namespace neurotwin
