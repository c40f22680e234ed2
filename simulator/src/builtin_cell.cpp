#include "neurotwin/simulator/builtin_cell.hpp"

#include <cmath>

namespace neurotwin {
namespace {

constexpr double kPi = 3.14159265358979323846;

double round_nm(double value_um) { return std::round(value_um * 1000.0) / 1000.0; }

struct Direction {
  double x, y, z;
};

Direction unit(double azimuth_deg, double elevation_deg) {
  const double a = azimuth_deg * kPi / 180.0, e = elevation_deg * kPi / 180.0;
  // azimuth in the x-y plane from +x, elevation toward +z
  return {std::cos(e) * std::cos(a), std::cos(e) * std::sin(a), std::sin(e)};
}

// Appends a straight, linearly tapering section starting at `start` (whose
// diameter is the parent's at the branch point), with points every <= 10 µm.
int add_section(Morphology& m, SectionType type, int parent, double parent_x, Point3 start,
                Direction dir, double length_um, double d0_um, double d1_um) {
  MorphSection s;
  s.type = type;
  s.parent = parent;
  s.parent_x = parent_x;
  s.points.push_back(start);
  const int pieces = static_cast<int>(std::ceil(length_um / 10.0));
  for (int k = 1; k <= pieces; ++k) {
    const double f = static_cast<double>(k) / pieces;
    s.points.push_back(Point3{round_nm(start.x_um + dir.x * length_um * f),
                              round_nm(start.y_um + dir.y * length_um * f),
                              round_nm(start.z_um + dir.z * length_um * f),
                              round_nm(d0_um + (d1_um - d0_um) * f)});
  }
  m.sections.push_back(s);
  return static_cast<int>(m.sections.size()) - 1;
}

Point3 end_point(const Morphology& m, int section) {
  return m.sections[static_cast<std::size_t>(section)].points.back();
}

}  // namespace

Morphology builtin_pyramidal_morphology() {
  Morphology m;
  m.name = "builtin-pyramidal";
  const double soma_d = 20.0;
  MorphSection soma;
  soma.type = SectionType::soma;
  soma.points = {Point3{0, -soma_d / 2, 0, soma_d}, Point3{0, 0, 0, soma_d}, Point3{0, soma_d / 2, 0, soma_d}};
  m.sections.push_back(soma);

  // Basal trees: root 30 µm, then two bifurcations (90 µm, 110 µm branches).
  // Lengths avoid multiples of the 40 µm segment rule, so that rounding of the
  // coordinates cannot change nseg between equivalent branches.
  const double basal_azimuth[4] = {200.0, 250.0, 290.0, 340.0};
  const double basal_elevation[4] = {15.0, -20.0, 25.0, -10.0};
  for (int t = 0; t < 4; ++t) {
    const Direction d = unit(basal_azimuth[t], basal_elevation[t]);
    // Trees start at the soma surface; they attach at soma(0.5) by wire.
    const Point3 start{round_nm(d.x * soma_d / 2), round_nm(d.y * soma_d / 2), round_nm(d.z * soma_d / 2), 2.0};
    const int root = add_section(m, SectionType::basal, 0, 0.5, start, d, 30.0, 2.0, 1.6);
    for (int side = -1; side <= 1; side += 2) {
      const Direction d1 = unit(basal_azimuth[t] + 25.0 * side, basal_elevation[t] + 10.0 * side);
      const int mid = add_section(m, SectionType::basal, root, 1.0, end_point(m, root), d1, 90.0, 1.1, 0.8);
      for (int side2 = -1; side2 <= 1; side2 += 2) {
        const Direction d2 = unit(basal_azimuth[t] + 25.0 * side + 15.0 * side2,
                                  basal_elevation[t] + 10.0 * side - 12.0 * side2);
        add_section(m, SectionType::basal, mid, 1.0, end_point(m, mid), d2, 110.0, 0.6, 0.45);
      }
    }
  }

  // Apical: trunk of three 190 µm sections with a 105 µm oblique at the first
  // two junctions, then a tuft: two 125 µm branches, each with two 150 µm children.
  const Direction up = unit(90.0, 0.0);
  const Point3 trunk_start{0, soma_d / 2, 0, 4.0};
  int trunk = add_section(m, SectionType::apical, 0, 0.5, trunk_start, up, 190.0, 4.0, 3.2);
  for (int j = 0; j < 2; ++j) {
    const double az = j == 0 ? 30.0 : 150.0;
    const Point3 junction = end_point(m, trunk);
    const int next = add_section(m, SectionType::apical, trunk, 1.0, junction, up, 190.0, 3.2 - 0.7 * j, 2.5 - 0.7 * j);
    add_section(m, SectionType::apical, trunk, 1.0, junction, unit(az, 20.0), 105.0, 1.0, 0.7);
    trunk = next;
  }
  for (int side = -1; side <= 1; side += 2) {
    const Direction d1 = unit(90.0 - 35.0 * side, 15.0 * side);
    const int branch = add_section(m, SectionType::apical, trunk, 1.0, end_point(m, trunk), d1, 125.0, 1.4, 1.1);
    for (int side2 = -1; side2 <= 1; side2 += 2) {
      const Direction d2 = unit(90.0 - 35.0 * side - 20.0 * side2, 15.0 * side + 20.0 * side2);
      add_section(m, SectionType::apical, branch, 1.0, end_point(m, branch), d2, 150.0, 0.8, 0.5);
    }
  }
  return m;
}

}  // namespace neurotwin
