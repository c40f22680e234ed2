#include "neurotwin/simulator/hay_cell.hpp"

#include <cmath>

#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/simulator/passive.hpp"

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
  CellModel cell;
  cell.name = morphology.name;
  cell.geometry = discretize(morphology, rule);
  cell.v_init_mV = o.v_init_mV;
  cell.celsius = o.celsius;
  cell.silence_synapse_on_zero_interval = o.silence_synapse_on_zero_interval;
  const Discretization& geo = cell.geometry;
  bool has_apical = false;
  for (const SectionGeometry& s : geo.sections) has_apical = has_apical || s.type == SectionType::apical;
  if (geo.sections.empty() || geo.sections[0].type != SectionType::soma)
    throw InputError(morphology.name + ": the Hay L5PC needs a soma as its first section");
  if (!has_apical) throw InputError(morphology.name + ": the Hay L5PC needs an apical tree");

  // Passive properties (§4): cm and g_pas doubled in the dendrites (spine correction), e_pas -90 mV.
  const PassiveProperties somatic{1.0, 100.0, 3e-5, -90.0}, dendritic{2.0, 100.0, 6e-5, -90.0};
  std::vector<PassiveProperties> per_section;
  for (const SectionGeometry& s : geo.sections)
    per_section.push_back(s.type == SectionType::basal || s.type == SectionType::apical ? dendritic : somatic);
  set_cable_properties(cell, per_section);

  std::vector<PassiveMechanism::Instance> pas;
  std::vector<HayMembrane::Site> sites;
  for (std::size_t k = 0; k < geo.segments.size(); ++k) {
    const Segment& seg = geo.segments[k];
    const SectionGeometry& sec = geo.sections[static_cast<std::size_t>(seg.section)];
    const PassiveProperties& p = per_section[static_cast<std::size_t>(seg.section)];
    pas.push_back({seg.node, p.g_pas_S_per_cm2, p.e_pas_mV});
    HayDensities g = hay_region_densities(sec.type, o.sk_e2_factor);
    if (sec.type == SectionType::apical) {
      const double d = hay_apical_density_distance_um(geo, static_cast<int>(k), o.last_segment_uses_section_end);
      g.ih = hay_apical_ih_S_per_cm2(d, o.round_ih_to_10_decimals);
      g.ca_lvast = hay_apical_ca_lvast_S_per_cm2(d);
    }
    sites.push_back({seg.node, g});
  }
  cell.mechanisms.push_back([pas] { return std::make_unique<PassiveMechanism>(pas); });
  const double celsius = o.celsius;
  cell.mechanisms.push_back([sites, celsius] { return std::make_unique<HayMembrane>(sites, celsius); });

  const std::vector<int> synaptic = geo.dendritic_segments();  // basal then apical, in section order (§8.1)
  cell.synapse_groups.push_back({o.excitatory == ExcitatorySynapse::nmda ? nmda_synapse(o.excitatory_gmax_uS)
                                                                          : ampa_synapse(o.excitatory_gmax_uS),
                                 synaptic});
  cell.synapse_groups.push_back({gaba_a_synapse(o.inhibitory_gmax_uS), synaptic});
  return cell;
}

}  // namespace neurotwin
