#pragma once
#include <string>
#include <vector>

namespace neurotwin {

// Section types, numbered as in SWC and NEURON's Import3d.
enum class SectionType { soma = 1, axon = 2, basal = 3, apical = 4, custom = 5 };

const char* neuron_prefix(SectionType type);  // "soma", "axon", "dend", "apic", "sec"
const char* tree_name(SectionType type);      // "soma", "axon", "basal", "apical", "custom"

// One 3-D point of a traced neurite (µm), with the diameter at that point.
struct Point3 {
  double x_um = 0, y_um = 0, z_um = 0, diam_um = 0;
};

// An unbranched cable, as NEURON's section: its 3-D points in order from the
// 0-end to the 1-end, and where its 0-end attaches to its parent.
struct MorphSection {
  SectionType type = SectionType::custom;
  std::vector<Point3> points;  // at least two
  int parent = -1;             // index of the parent section; -1 for the root
  double parent_x = 1.0;       // attachment position along the parent (0..1)
};

// A neuron morphology as a tree of sections. Section 0 is the root (the
// soma); every section's parent precedes it.
struct Morphology {
  std::string name;
  std::vector<MorphSection> sections;

  // NEURON-style name of section i, e.g. "dend[3]" (numbered within its type).
  std::string section_name(int i) const;
  // One line per section (name, parent, attachment, 3-D points at full
  // precision): a canonical text whose hash identifies the geometry.
  std::string canonical_text() const;
  // Throws InputError (naming `origin`) when the tree is not well formed.
  void validate(const std::string& origin) const;
};

// Removes every axon section (with anything attached below it) and appends
// `count` cylinders of the given length and diameter as the new axon: the
// first attached at soma(0.5), each next one at the previous one's 1-end (the
// Hay L5PC template, spec §2.4). A cylinder is a two-point section, which
// NEURON's area and resistance formulas treat exactly as a section without
// 3-D points.
void replace_axon(Morphology& morphology, int count, double length_um, double diam_um);

}  // namespace neurotwin
