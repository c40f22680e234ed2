#pragma once
#include <string>
#include <vector>

#include "neurotwin/simulator/morphology.hpp"

namespace neurotwin {

// How sections are cut into segments: nseg = 1 + 2*floor(L / max_segment_length_um)
// (spec §2.5; odd, segments no longer than the limit).
struct SegmentRule {
  double max_segment_length_um = 40.0;
  int nseg(double length_um) const;
};

// One compartment: segment `index` of section `section`, centred at x.
struct Segment {
  int section = 0;
  int index = 0;
  double x = 0.5;             // normalized position of the centre
  double length_um = 0;       // L / nseg
  double area_um2 = 0;        // lateral frustum area of both halves (spec §3.2)
  double diam_um = 0;         // NEURON's segment diam (mean diameter)
  double distance_um = 0;     // path distance of the centre from the soma centre
  int node = 0;               // index of its node
};

struct SectionGeometry {
  SectionType type = SectionType::custom;
  std::string name;           // NEURON-style, e.g. "apic[12]"
  int parent = -1;
  double parent_x = 1.0;
  double length_um = 0;
  int nseg = 1;
  int first_segment = 0;      // index into Discretization::segments
  double distance0_um = 0;    // path distance of the 0-end from the soma centre
  int end_node = -1;          // node at x = 1 (zero area), -1 when not needed
};

// A node of the cable equation. Segment centres carry membrane; zero-area
// nodes (branch points, spec §3.1) carry only Kirchhoff's law.
struct CableNode {
  int parent = -1;            // parent node (precedes this one), -1 for the root
  int segment = -1;           // -1 for a zero-area node
  int section = 0;            // section whose axial resistivity joins it to its parent
  // Sum of delta/(d_a*d_b) (µm^-1) over the half segments between this node
  // and its parent; the axial resistance is (4*Ra/pi)*0.01*this (MΩ, §3.2).
  double resistance_integral_per_um = 0;
};

// The morphology cut into segments and nodes, in NEURON's conventions: one
// node per segment centre, a zero-area node at the 1-end of every section that
// has children there, children on interior points attached to the segment
// containing that point. Nodes are ordered parent-first (Hines order).
struct Discretization {
  std::vector<SectionGeometry> sections;
  std::vector<Segment> segments;
  std::vector<CableNode> nodes;

  // Segment index of section `section` at position x (spec §3.4).
  int segment_at(int section, double x) const;
  // Section index by NEURON-style name; throws InputError if absent.
  int section_by_name(const std::string& name) const;
  int soma_segment() const { return sections.at(0).first_segment; }
  // Basal segments (sections in order), then apical: where synapses go (spec §8.1).
  std::vector<int> dendritic_segments() const;
};

Discretization discretize(const Morphology& morphology, const SegmentRule& rule = {});

}  // namespace neurotwin
