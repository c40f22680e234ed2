#include "neurotwin/simulator/cell_model.hpp"

#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/simulator/passive.hpp"

namespace neurotwin {
namespace {
constexpr double kPi = 3.14159265358979323846;
}

std::size_t CellModel::input_count() const {
  std::size_t n = 0;
  for (const SynapseGroup& g : synapse_groups) n += g.segments.size();
  return n;
}

void set_cable_properties(CellModel& cell, const std::vector<PassiveProperties>& per_section) {
  const Discretization& geo = cell.geometry;
  const std::size_t n = geo.nodes.size();
  cell.node_area_um2.assign(n, 0.0);
  cell.node_cm_uF_per_cm2.assign(n, 0.0);
  cell.node_axial_resistance_MOhm.assign(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const CableNode& node = geo.nodes[i];
    const PassiveProperties& p = per_section.at(static_cast<std::size_t>(node.section));
    if (node.segment >= 0) {
      cell.node_area_um2[i] = geo.segments[static_cast<std::size_t>(node.segment)].area_um2;
      cell.node_cm_uF_per_cm2[i] = p.cm_uF_per_cm2;
    }
    // R = (4 Ra / pi) * 0.01 * sum(delta / (d_a d_b))   [MΩ]   (spec §3.2)
    cell.node_axial_resistance_MOhm[i] = 4.0 * p.ra_ohm_cm / kPi * 0.01 * node.resistance_integral_per_um;
  }
}

CellModel build_simple_cell(const Morphology& morphology, const SimpleBiophysics& bio, const SegmentRule& rule) {
  CellModel cell;
  cell.name = morphology.name;
  cell.geometry = discretize(morphology, rule);
  cell.v_init_mV = bio.v_init_mV;
  cell.celsius = bio.celsius;
  const Discretization& geo = cell.geometry;

  std::vector<PassiveProperties> per_section;
  for (const SectionGeometry& s : geo.sections)
    per_section.push_back(s.type == SectionType::soma ? bio.soma : s.type == SectionType::axon ? bio.axon : bio.dendrite);
  set_cable_properties(cell, per_section);

  std::vector<PassiveMechanism::Instance> pas;
  for (const Segment& seg : geo.segments) {
    const PassiveProperties& p = per_section[static_cast<std::size_t>(seg.section)];
    pas.push_back({seg.node, p.g_pas_S_per_cm2, p.e_pas_mV});
  }
  cell.mechanisms.push_back([pas](std::size_t lanes) { return std::make_unique<PassiveMechanism>(pas, lanes); });

  if (bio.soma_hh) {
    std::vector<int> soma_nodes;
    for (int k = 0; k < geo.sections[0].nseg; ++k)
      soma_nodes.push_back(geo.segments[static_cast<std::size_t>(geo.sections[0].first_segment + k)].node);
    const HhParameters hh = bio.hh;
    const double celsius = bio.celsius;
    cell.mechanisms.push_back(
        [soma_nodes, hh, celsius](std::size_t lanes) {
          return std::make_unique<HodgkinHuxleyMechanism>(soma_nodes, hh, celsius, lanes);
        });
  }

  const std::vector<int> dendritic = geo.dendritic_segments();
  if (bio.dendrite_hh_scale > 0) {
    std::vector<int> nodes;
    for (int seg : dendritic) nodes.push_back(geo.segments[static_cast<std::size_t>(seg)].node);
    HhParameters hh = bio.hh;
    hh.gnabar_S_per_cm2 *= bio.dendrite_hh_scale;
    hh.gkbar_S_per_cm2 *= bio.dendrite_hh_scale;
    hh.gl_S_per_cm2 = 0.0;  // the leak is `pas`
    const double celsius = bio.celsius;
    cell.mechanisms.push_back(
        [nodes, hh, celsius](std::size_t lanes) { return std::make_unique<HodgkinHuxleyMechanism>(nodes, hh, celsius, lanes); });
  }
  if (dendritic.empty()) throw InputError(morphology.name + ": the cell has no basal or apical dendrites for synapses");
  cell.synapse_groups.push_back(
      {bio.excitatory == ExcitatorySynapse::nmda ? nmda_synapse(bio.excitatory_gmax_uS) : ampa_synapse(bio.excitatory_gmax_uS),
       dendritic});
  cell.synapse_groups.push_back({gaba_a_synapse(bio.inhibitory_gmax_uS), dendritic});
  return cell;
}

}  // namespace neurotwin
