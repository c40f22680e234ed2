#include "neurotwin/simulator/cell_description.hpp"

#include <algorithm>
#include <cmath>

#include "neurotwin/simulator/hay_membrane.hpp"
#include "neurotwin/simulator/hay_membrane_tabulated.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/simulator/passive.hpp"

namespace neurotwin {

double DensityRule::at(double d_um, double longest_apical_path_um) const {
  double g = value;
  switch (kind) {
    case Kind::constant:
      break;
    case Kind::exponential_plateau:  // §7.2
      g = value * (a + b * std::exp(c * std::min(d_um / longest_apical_path_um, max_fraction)));
      break;
    case Kind::window:  // §7.3, strict inequalities
      g = value * ((d_um > lo_um && d_um < hi_um) ? inside : outside);
      break;
  }
  if (round_decimals >= 0) {
    const double scale = std::pow(10.0, round_decimals);
    g = std::round(g * scale) / scale;
  }
  return g;
}

const std::vector<std::string>& known_mechanisms() {
  static const std::vector<std::string> names = {"NaTa_t", "NaTs2_t", "Nap_Et2", "K_Pst",    "K_Tst", "SKv3_1",
                                                 "SK_E2",  "Im",      "Ca_HVA",  "Ca_LVAst", "Ih"};
  return names;
}

double density_distance_um(const Discretization& geo, int segment, bool last_segment_at_section_end) {
  const Segment& s = geo.segments.at(static_cast<std::size_t>(segment));
  const SectionGeometry& sec = geo.sections.at(static_cast<std::size_t>(s.section));
  const bool last = segment == sec.first_segment + sec.nseg - 1;
  const double x = last && last_segment_at_section_end ? 1.0 : s.x;
  return sec.distance0_um + x * sec.length_um;
}

double longest_apical_path_um(const Discretization& geo) {
  double longest = 0;
  for (const SectionGeometry& s : geo.sections)
    if (s.type == SectionType::apical) longest = std::max(longest, s.distance0_um + s.length_um);
  return longest;
}

namespace {

DensityRule constant(double v) {
  DensityRule r;
  r.value = v;
  return r;
}

void set_density(HayDensities& g, const std::string& name, double value) {
  if (name == "NaTa_t") g.nata_t = value;
  else if (name == "NaTs2_t") g.nats2_t = value;
  else if (name == "Nap_Et2") g.nap_et2 = value;
  else if (name == "K_Pst") g.k_pst = value;
  else if (name == "K_Tst") g.k_tst = value;
  else if (name == "SKv3_1") g.skv3_1 = value;
  else if (name == "SK_E2") g.sk_e2 = value;
  else if (name == "Im") g.im = value;
  else if (name == "Ca_HVA") g.ca_hva = value;
  else if (name == "Ca_LVAst") g.ca_lvast = value;
  else if (name == "Ih") g.ih = value;
  else throw InputError("unknown mechanism '" + name + "'");
}

}  // namespace

CellDescription hay_l5pc_description(ExcitatorySynapse excitatory) {
  CellDescription c;
  c.name = excitatory == ExcitatorySynapse::nmda ? "l5pc" : "l5pc-ampa";
  c.excitatory = excitatory;
  c.record_dendrite = "apic[50](0.9)";
  // §4 passive properties, §7.1 densities.
  RegionDescription soma;
  soma.cm_uF_per_cm2 = 1;
  soma.g_pas_S_per_cm2 = 3e-5;
  soma.e_pas_mV = -90;
  soma.mechanisms = {{"Ih", constant(0.0001 * 0.75)}, {"NaTs2_t", constant(0.998912)}, {"SKv3_1", constant(0.338029)},
                     {"SK_E2", constant(0.09965)},     {"Im", constant(0.000008)},      {"Ca_HVA", constant(0.000644)},
                     {"Ca_LVAst", constant(0.000557)}};
  soma.calcium_pool = true;
  soma.ca_gamma = 0.000509;
  soma.ca_decay_ms = 294.679571;
  RegionDescription axon = soma;
  axon.mechanisms = {{"Ih", constant(5e-5)},         {"NaTa_t", constant(3.89618)},  {"Nap_Et2", constant(0.005834)},
                     {"K_Pst", constant(0.188851)},  {"K_Tst", constant(0.077274)},  {"SKv3_1", constant(0.473799)},
                     {"SK_E2", constant(0.000047)},  {"Im", constant(0.013322)},     {"Ca_HVA", constant(0.000222)},
                     {"Ca_LVAst", constant(0.000813)}};
  axon.ca_gamma = 0.000525;
  axon.ca_decay_ms = 277.300774;
  RegionDescription basal;
  basal.cm_uF_per_cm2 = 2;  // spine correction (§4)
  basal.g_pas_S_per_cm2 = 6e-5;
  basal.e_pas_mV = -90;
  basal.mechanisms = {{"Ih", constant(5e-5)}};
  RegionDescription apical = basal;
  DensityRule ih;
  ih.kind = DensityRule::Kind::exponential_plateau;
  ih.value = 1e-4;
  ih.a = -0.8696;
  ih.b = 2.0870;
  ih.c = 3.6161;
  ih.max_fraction = 0.65;
  ih.round_decimals = 10;
  DensityRule lva;
  lva.kind = DensityRule::Kind::window;
  lva.value = 0.141954 * 1.6;
  lva.lo_um = 685;
  lva.hi_um = 885;
  lva.inside = 1;
  lva.outside = 0.01;
  apical.mechanisms = {{"Ih", ih},         {"NaTs2_t", constant(0.021489)}, {"SKv3_1", constant(0.001808)},
                       {"SK_E2", constant(0.000002)}, {"Im", constant(0.00099)}, {"Ca_HVA", constant(0.000701)},
                       {"Ca_LVAst", lva}};
  apical.calcium_pool = true;
  apical.ca_gamma = 0.000637;
  apical.ca_decay_ms = 35.725651;
  c.regions = {{"soma", soma}, {"axon", axon}, {"basal", basal}, {"apical", apical}};
  return c;
}

CellModel build_described_cell(const Morphology& morphology_in, const CellDescription& d, const SegmentRule& rule,
                               bool rate_tables) {
  Morphology morphology = morphology_in;
  if (d.replace_axon) replace_axon(morphology, d.axon_sections, d.axon_length_um, d.axon_diameter_um);
  CellModel cell;
  cell.name = morphology.name;
  cell.geometry = discretize(morphology, rule);
  cell.v_init_mV = d.v_init_mV;
  cell.celsius = d.celsius;
  cell.silence_synapse_on_zero_interval = d.silence_synapse_on_zero_interval;
  cell.release_probability = d.release_probability;
  const Discretization& geo = cell.geometry;
  if (geo.sections.empty() || geo.sections[0].type != SectionType::soma)
    throw InputError(d.name + ": the morphology " + morphology.name + " has no soma as its first section");
  const double longest = longest_apical_path_um(geo);

  auto region_of = [&](SectionType type) -> const RegionDescription& {
    const std::string name = tree_name(type);
    const auto it = d.regions.find(name);
    if (it == d.regions.end())
      throw InputError("cell '" + d.name + "' describes no region '" + name + "', which the morphology " + morphology.name +
                       " has");
    return it->second;
  };
  std::vector<PassiveProperties> per_section;
  for (const SectionGeometry& s : geo.sections) {
    const RegionDescription& r = region_of(s.type);
    per_section.push_back({r.cm_uF_per_cm2, r.ra_ohm_cm, r.g_pas_S_per_cm2, r.e_pas_mV});
  }
  set_cable_properties(cell, per_section);

  std::vector<PassiveMechanism::Instance> pas;
  std::vector<HayMembrane::Site> sites;
  for (std::size_t k = 0; k < geo.segments.size(); ++k) {
    const Segment& seg = geo.segments[k];
    const SectionGeometry& sec = geo.sections[static_cast<std::size_t>(seg.section)];
    const RegionDescription& r = region_of(sec.type);
    pas.push_back({seg.node, r.g_pas_S_per_cm2, r.e_pas_mV});
    const double distance = density_distance_um(geo, static_cast<int>(k), d.last_segment_at_section_end);  // §7.4
    HayDensities g;
    for (const auto& [name, density] : r.mechanisms) set_density(g, name, density.at(distance, longest));
    g.calcium_pool = r.calcium_pool;
    g.pool.gamma = r.ca_gamma;
    g.pool.decay_ms = r.ca_decay_ms;
    g.ena_mV = r.ena_mV;
    g.ek_mV = r.ek_mV;
    if ((g.ca_hva > 0 || g.ca_lvast > 0) && !g.calcium_pool)
      throw InputError("cell '" + d.name + "': region '" + tree_name(sec.type) +
                       "' has calcium channels but no calcium pool (calcium: {gamma, decay_ms})");
    sites.push_back({seg.node, g});
  }
  cell.mechanisms.push_back([pas](std::size_t lanes) { return std::make_unique<PassiveMechanism>(pas, lanes); });
  const double celsius = d.celsius;
  if (rate_tables)
    cell.mechanisms.push_back([sites, celsius](std::size_t lanes) {
      return std::make_unique<TabulatedHayMembrane>(sites, celsius, lanes);
    });
  else
    cell.mechanisms.push_back(
        [sites, celsius](std::size_t lanes) { return std::make_unique<HayMembrane>(sites, celsius, lanes); });

  const std::vector<int> synaptic = geo.dendritic_segments();  // basal then apical (§8.1)
  if (synaptic.empty()) throw InputError(morphology.name + ": the cell has no basal or apical dendrites for synapses");
  const double exc_uS = d.excitatory_gmax_nS * 1e-3, inh_uS = d.inhibitory_gmax_nS * 1e-3;
  SynapseKind excitatory = d.excitatory == ExcitatorySynapse::nmda ? nmda_synapse(exc_uS) : ampa_synapse(exc_uS);
  SynapseKind inhibitory = gaba_a_synapse(inh_uS);
  excitatory.numeric_slope = inhibitory.numeric_slope = d.numeric_slope;
  excitatory.tabulated_mg_block = rate_tables;
  excitatory.deferred_decay = inhibitory.deferred_decay = rate_tables;
  cell.synapse_groups.push_back({excitatory, synaptic});
  cell.synapse_groups.push_back({inhibitory, synaptic});
  return cell;
}

}  // namespace neurotwin
