#include "neurotwin/simulator/morphology.hpp"

#include <cstdio>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

const char* neuron_prefix(SectionType type) {
  switch (type) {
    case SectionType::soma: return "soma";
    case SectionType::axon: return "axon";
    case SectionType::basal: return "dend";
    case SectionType::apical: return "apic";
    case SectionType::custom: break;
  }
  return "sec";
}

const char* tree_name(SectionType type) {
  switch (type) {
    case SectionType::soma: return "soma";
    case SectionType::axon: return "axon";
    case SectionType::basal: return "basal";
    case SectionType::apical: return "apical";
    case SectionType::custom: break;
  }
  return "custom";
}

std::string Morphology::section_name(int i) const {
  const SectionType type = sections.at(static_cast<std::size_t>(i)).type;
  int index_in_type = 0;
  for (int j = 0; j < i; ++j)
    if (sections[static_cast<std::size_t>(j)].type == type) ++index_in_type;
  return std::string(neuron_prefix(type)) + "[" + std::to_string(index_in_type) + "]";
}

std::string Morphology::canonical_text() const {
  std::string out;
  char buf[128];
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const MorphSection& s = sections[i];
    std::snprintf(buf, sizeof buf, "%s parent=%d x=%.17g points=%zu:", section_name(static_cast<int>(i)).c_str(), s.parent,
                  s.parent_x, s.points.size());
    out += buf;
    for (const Point3& p : s.points) {
      std::snprintf(buf, sizeof buf, " %.17g %.17g %.17g %.17g", p.x_um, p.y_um, p.z_um, p.diam_um);
      out += buf;
    }
    out += '\n';
  }
  return out;
}

void Morphology::validate(const std::string& origin) const {
  if (sections.empty()) throw InputError(origin + ": morphology has no sections");
  if (sections[0].type != SectionType::soma)
    throw InputError(origin + ": the root section is not a soma");
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const MorphSection& s = sections[i];
    const std::string sec = section_name(static_cast<int>(i));
    if (i == 0 ? s.parent != -1 : (s.parent < 0 || s.parent >= static_cast<int>(i)))
      throw InputError(origin + ": section " + sec + " has an invalid parent");
    if (s.parent_x < 0.0 || s.parent_x > 1.0)
      throw InputError(origin + ": section " + sec + " attaches outside [0, 1] of its parent");
    if (s.points.size() < 2)
      throw InputError(origin + ": section " + sec + " has fewer than two 3-D points");
    for (const Point3& p : s.points)
      if (!(p.diam_um > 0.0))
        throw InputError(origin + ": section " + sec + " has a point with non-positive diameter");
  }
}

}  // namespace neurotwin
