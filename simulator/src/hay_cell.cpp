#include "neurotwin/simulator/hay_cell.hpp"

#include <cmath>

#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/simulator/cell_description.hpp"

namespace neurotwin {

double hay_apical_density_distance_um(const Discretization& geo, int segment, bool last_uses_end) {
  const Segment& s = geo.segments.at(static_cast<std::size_t>(segment));
  const SectionGeometry& sec = geo.sections.at(static_cast<std::size_t>(s.section));
  const bool last = segment == sec.first_segment + sec.nseg - 1;
  // Discretization distances are from the soma centre, which is apic[0](0) (§7.4 quirk 1).
  const double x = last && last_uses_end ? 1.0 : s.x;
  return sec.distance0_um + x * sec.length_um;
}

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

HayDensities hay_region_densities(SectionType type, double sk_e2_factor) {
  HayDensities g;
  switch (type) {
    case SectionType::soma:
      g.ih = 0.0001 * 0.75;
      g.nats2_t = 0.998912;
      g.skv3_1 = 0.338029;
      g.sk_e2 = 0.09965 * sk_e2_factor;
      g.im = 0.000008;
      g.ca_hva = 0.000644;
      g.ca_lvast = 0.000557;
      g.calcium_pool = true;
      g.pool.decay_ms = 294.679571;
      g.pool.gamma = 0.000509;
      break;
    case SectionType::axon:
      g.ih = 5e-5;
      g.nata_t = 3.89618;
      g.nap_et2 = 0.005834;
      g.k_pst = 0.188851;
      g.k_tst = 0.077274;
      g.skv3_1 = 0.473799;
      g.sk_e2 = 0.000047 * sk_e2_factor;
      g.im = 0.013322;
      g.ca_hva = 0.000222;
      g.ca_lvast = 0.000813;
      g.calcium_pool = true;
      g.pool.decay_ms = 277.300774;
      g.pool.gamma = 0.000525;
      break;
    case SectionType::apical:
      g.nats2_t = 0.021489;
      g.skv3_1 = 0.001808;
      g.sk_e2 = 0.000002 * sk_e2_factor;
      g.im = 0.00099;
      g.ca_hva = 0.000701;
      g.calcium_pool = true;
      g.pool.decay_ms = 35.725651;
      g.pool.gamma = 0.000637;
      break;  // Ih and Ca_LVAst by distance (§7.2, §7.3)
    case SectionType::basal:
      g.ih = 5e-5;  // basal: pas and Ih only, no ions (§7.1)
      break;
    default:
      throw InputError("Hay L5PC: unexpected section type (only soma, axon, basal and apical)");
  }
  return g;
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
