#include "neurotwin/simulator/discretization.hpp"

#include <algorithm>
#include <cmath>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {
namespace {

constexpr double kPi = 3.14159265358979323846;

// 3-D points as NEURON stores them: float coordinates and diameters, arc
// length accumulated in double from float differences (spec §2.2).
struct ArcProfile {
  std::vector<double> arc_um;
  std::vector<double> diam_um;
};

ArcProfile arc_profile(const std::vector<Point3>& points) {
  ArcProfile p;
  float px = 0, py = 0, pz = 0;
  double arc = 0;
  for (std::size_t k = 0; k < points.size(); ++k) {
    const auto x = static_cast<float>(points[k].x_um);
    const auto y = static_cast<float>(points[k].y_um);
    const auto z = static_cast<float>(points[k].z_um);
    if (k > 0) {
      const auto dx = static_cast<double>(x - px);
      const auto dy = static_cast<double>(y - py);
      const auto dz = static_cast<double>(z - pz);
      arc += std::sqrt(dx * dx + dy * dy + dz * dz);
    }
    px = x;
    py = y;
    pz = z;
    p.arc_um.push_back(arc);
    p.diam_um.push_back(static_cast<double>(static_cast<float>(points[k].diam_um)));
  }
  return p;
}

struct HalfIntegrals {
  double area_um2 = 0;
  double diam_integral_um2 = 0;    // sum of (d_a + d_b) * delta
  double resistance_integral = 0;  // sum of delta / (d_a * d_b), µm^-1
};

// Integrates the piecewise-linear diameter profile over [s_a, s_b] (spec §3.2).
HalfIntegrals integrate(const ArcProfile& p, double s_a, double s_b) {
  HalfIntegrals out;
  const std::size_t n = p.arc_um.size();
  auto piece = [&](double da, double db, double delta) {
    delta = std::max(delta, 1e-15);
    out.area_um2 += (kPi / 2) * (da + db) * std::sqrt(delta * delta + 0.25 * (db - da) * (db - da));
    out.diam_integral_um2 += (da + db) * delta;
    double ratio = da * db / delta;
    if (ratio == 0.0) ratio = 1e-15;
    out.resistance_integral += 1.0 / ratio;
  };
  for (std::size_t k = 0; k + 1 < n; ++k) {
    const double a0 = p.arc_um[k], a1 = p.arc_um[k + 1];
    const bool last_pair = k + 2 == n;
    if (a1 == a0) {
      if (a0 >= s_a && a0 < s_b) piece(p.diam_um[k], p.diam_um[k + 1], 0.0);
      continue;
    }
    const double lo = std::max(a0, s_a);
    const double hi = last_pair ? s_b : std::min(a1, s_b);  // extrapolate past the last point
    if (hi <= lo) continue;
    auto diam = [&](double s) { return p.diam_um[k] + (p.diam_um[k + 1] - p.diam_um[k]) * (s - a0) / (a1 - a0); };
    piece(diam(lo), diam(hi), hi - lo);
  }
  return out;
}

}  // namespace

int SegmentRule::nseg(double length_um) const {
  return 1 + 2 * static_cast<int>(std::floor(length_um / max_segment_length_um));
}

int Discretization::segment_at(int section, double x) const {
  const SectionGeometry& s = sections.at(static_cast<std::size_t>(section));
  const int index = std::clamp(static_cast<int>(std::floor(x * s.nseg)), 0, s.nseg - 1);
  return s.first_segment + index;
}

int Discretization::section_by_name(const std::string& name) const {
  for (std::size_t i = 0; i < sections.size(); ++i)
    if (sections[i].name == name) return static_cast<int>(i);
  throw InputError("no section named '" + name + "' in this cell");
}

std::vector<int> Discretization::dendritic_segments() const {
  std::vector<int> out;
  for (SectionType type : {SectionType::basal, SectionType::apical})
    for (const SectionGeometry& s : sections)
      if (s.type == type)
        for (int k = 0; k < s.nseg; ++k) out.push_back(s.first_segment + k);
  return out;
}

Discretization discretize(const Morphology& morphology, const SegmentRule& rule) {
  morphology.validate(morphology.name);
  if (!(rule.max_segment_length_um > 0))
    throw InputError("segment rule: max_segment_length_um must be positive");
  Discretization disc;
  const std::size_t n_sections = morphology.sections.size();
  std::vector<ArcProfile> profiles;
  // Which sections need a node at their 1-end (or the root's 0-end).
  std::vector<char> needs_end(n_sections, 0);
  bool root_needs_start = false;
  int root_start_node = -1;
  for (std::size_t i = 1; i < n_sections; ++i) {
    const MorphSection& s = morphology.sections[i];
    if (s.parent_x == 1.0) needs_end[static_cast<std::size_t>(s.parent)] = 1;
    if (s.parent_x == 0.0) {
      if (s.parent != 0)
        throw InputError(morphology.name + ": section " + morphology.section_name(static_cast<int>(i)) +
                         " attaches at x = 0 of a non-root section");
      root_needs_start = true;
    }
  }

  for (std::size_t i = 0; i < n_sections; ++i) {
    const MorphSection& ms = morphology.sections[i];
    profiles.push_back(arc_profile(ms.points));
    const ArcProfile& prof = profiles.back();
    SectionGeometry sg;
    sg.type = ms.type;
    sg.name = morphology.section_name(static_cast<int>(i));
    sg.parent = ms.parent;
    sg.parent_x = ms.parent_x;
    sg.length_um = prof.arc_um.back();
    if (!(sg.length_um > 0))
      throw InputError(morphology.name + ": section " + sg.name + " has zero length");
    sg.nseg = rule.nseg(sg.length_um);
    sg.first_segment = static_cast<int>(disc.segments.size());
    if (ms.parent < 0) {
      sg.distance0_um = -0.5 * sg.length_um;  // soma(0.5) is the origin
    } else {
      const SectionGeometry& p = disc.sections[static_cast<std::size_t>(ms.parent)];
      sg.distance0_um = ms.parent == 0 ? std::abs(ms.parent_x - 0.5) * p.length_um
                                       : p.distance0_um + ms.parent_x * p.length_um;
    }
    const double seg_len = sg.length_um / sg.nseg;

    // Node the 0-end attaches to (spec §3.1).
    int attach = -1;
    if (ms.parent >= 0) {
      if (ms.parent_x == 1.0) attach = disc.sections[static_cast<std::size_t>(ms.parent)].end_node;
      else if (ms.parent_x == 0.0) attach = root_start_node;
      else attach = disc.segments[static_cast<std::size_t>(disc.segment_at(ms.parent, ms.parent_x))].node;
    }
    double right_prev = 0;
    int previous_node = -1;
    for (int k = 0; k < sg.nseg; ++k) {
      const double s0 = k * seg_len, s_mid = (k + 0.5) * seg_len, s1 = (k + 1) * seg_len;
      const HalfIntegrals left = integrate(prof, s0, s_mid);
      const HalfIntegrals right = integrate(prof, s_mid, s1);
      Segment seg;
      seg.section = static_cast<int>(i);
      seg.index = k;
      seg.x = (k + 0.5) / sg.nseg;
      seg.length_um = seg_len;
      seg.area_um2 = left.area_um2 + right.area_um2;
      seg.diam_um = (left.diam_integral_um2 + right.diam_integral_um2) / (2 * seg_len);
      seg.distance_um =
          ms.parent < 0 ? std::abs(seg.x - 0.5) * sg.length_um : sg.distance0_um + seg.x * sg.length_um;
      seg.node = static_cast<int>(disc.nodes.size());
      CableNode node;
      node.segment = static_cast<int>(disc.segments.size());
      node.section = static_cast<int>(i);
      // Axial resistance to the parent node (NEURON's ri, spec §3.2).
      node.parent = k == 0 ? attach : previous_node;
      node.resistance_integral_per_um = (k == 0 ? 0.0 : right_prev) + left.resistance_integral;
      right_prev = right.resistance_integral;
      previous_node = seg.node;
      disc.nodes.push_back(node);
      disc.segments.push_back(seg);
      if (ms.parent < 0 && k == 0 && root_needs_start) {
        // Zero-area node at the root's 0-end, joined through the first left half.
        CableNode start;
        start.parent = seg.node;
        start.section = static_cast<int>(i);
        start.resistance_integral_per_um = left.resistance_integral;
        root_start_node = static_cast<int>(disc.nodes.size());
        disc.nodes.push_back(start);
      }
    }
    if (needs_end[i]) {
      CableNode end;
      end.parent = previous_node;
      end.section = static_cast<int>(i);
      end.resistance_integral_per_um = right_prev;
      sg.end_node = static_cast<int>(disc.nodes.size());
      disc.nodes.push_back(end);
    }
    disc.sections.push_back(sg);
  }
  return disc;
}

}  // namespace neurotwin
