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

void replace_axon(Morphology& morphology, int count, double length_um, double diam_um) {
  if (count < 0 || !(length_um > 0) || !(diam_um > 0)) throw InputError("replace_axon: invalid axon geometry");
  auto& sections = morphology.sections;
  std::vector<char> remove(sections.size(), 0);
  for (std::size_t i = 0; i < sections.size(); ++i)
    remove[i] = sections[i].type == SectionType::axon ||
                (sections[i].parent >= 0 && remove[static_cast<std::size_t>(sections[i].parent)]);
  std::vector<int> new_index(sections.size(), -1);
  std::vector<MorphSection> kept;
  for (std::size_t i = 0; i < sections.size(); ++i) {
    if (remove[i]) continue;
    new_index[i] = static_cast<int>(kept.size());
    MorphSection s = sections[i];
    if (s.parent >= 0) s.parent = new_index[static_cast<std::size_t>(s.parent)];
    kept.push_back(std::move(s));
  }
  // Straight down from the soma's centre (the position is immaterial electrically).
  const Point3 centre = kept.at(0).points[kept[0].points.size() / 2];
  int parent = 0;
  for (int k = 0; k < count; ++k) {
    MorphSection axon;
    axon.type = SectionType::axon;
    axon.parent = parent;
    axon.parent_x = k == 0 ? 0.5 : 1.0;
    const double y0 = centre.y_um - k * length_um;
    axon.points = {Point3{centre.x_um, y0, centre.z_um, diam_um}, Point3{centre.x_um, y0 - length_um, centre.z_um, diam_um}};
    kept.push_back(std::move(axon));
    parent = static_cast<int>(kept.size()) - 1;
  }
  sections = std::move(kept);
}

}  // namespace neurotwin
