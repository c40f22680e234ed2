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

BuiltinMorphology builtin_l5pc_morphology() {
  Morphology m;
  m.name = "builtin-l5pc";
  // Soma: a 23 x 15.6 µm cylinder (area ~1130 µm², as cell1.asc's after Import3d).
  const double soma_d = 15.6, soma_l = 23.0;
  MorphSection soma;
  soma.type = SectionType::soma;
  soma.points = {Point3{0, -soma_l / 2, 0, soma_d}, Point3{0, 0, 0, soma_d}, Point3{0, soma_l / 2, 0, soma_d}};
  m.sections.push_back(soma);

  // Seven basal trees (root 25 µm, two 60 µm branches, four 170 µm terminals):
  // 49 sections, 301 segments with the 40-µm rule. Lengths avoid multiples of
  // 40 µm, so that rounding coordinates to 1 nm cannot change nseg.
  for (int t = 0; t < 7; ++t) {
    const double az = 180.0 + 360.0 / 7.0 * (t + 0.5) * 0.5 - 45.0;  // fanned out below the soma
    const double el = (t % 2 ? 20.0 : -20.0) + 5.0 * (t % 3);
    const Direction d = unit(az, el);
    const Point3 start{round_nm(d.x * soma_d / 2), round_nm(d.y * soma_d / 2), round_nm(d.z * soma_d / 2), 1.8};
    const int root = add_section(m, SectionType::basal, 0, 0.5, start, d, 25.0, 1.8, 1.4);
    for (int side = -1; side <= 1; side += 2) {
      const int mid = add_section(m, SectionType::basal, root, 1.0, end_point(m, root), unit(az + 20.0 * side, el + 8.0 * side),
                                  60.0, 1.1, 0.9);
      for (int side2 = -1; side2 <= 1; side2 += 2)
        add_section(m, SectionType::basal, mid, 1.0, end_point(m, mid),
                    unit(az + 20.0 * side + 12.0 * side2, el + 8.0 * side - 10.0 * side2), 170.0, 0.7, 0.4);
    }
  }

  // Apical trunk: seven 100-µm sections from 4.2 to 2.4 µm (the nexus at 700 µm
  // from the soma centre lies at the start of the Ca hot zone), two 210-µm
  // obliques at each of the six junctions below the nexus, then a tuft of
  // 2 + 4 + 8 sections of 210 µm: 35 + 132 + 154 = 321 apical segments, longest
  // apical path 1330 µm (cell1.asc: 1300.5 µm).
  const Direction up = unit(90.0, 0.0);
  int trunk = add_section(m, SectionType::apical, 0, 0.5, Point3{0, soma_l / 2, 0, 4.2}, up, 100.0, 4.2, 3.9);
  for (int j = 1; j < 7; ++j) {
    const Point3 junction = end_point(m, trunk);
    const double d0 = 4.2 - 0.3 * j;
    const int next = add_section(m, SectionType::apical, trunk, 1.0, junction, up, 100.0, d0, d0 - 0.3);
    for (int side = -1; side <= 1; side += 2)
      add_section(m, SectionType::apical, trunk, 1.0, junction, unit(90.0 + side * (60.0 - 4.0 * j), 15.0 * side), 210.0, 0.9, 0.5);
    trunk = next;
  }
  const int nexus = trunk;
  std::vector<int> level{trunk};
  const double width[3] = {1.6, 1.0, 0.7};
  for (int depth = 0; depth < 3; ++depth) {
    std::vector<int> next_level;
    for (std::size_t i = 0; i < level.size(); ++i)
      for (int side = -1; side <= 1; side += 2) {
        const double az = 90.0 + side * (18.0 + 8.0 * depth) + 40.0 * (static_cast<double>(i) - (level.size() - 1) / 2.0) / (depth + 1);
        next_level.push_back(add_section(m, SectionType::apical, level[i], 1.0, end_point(m, level[i]),
                                         unit(az, side * 10.0 * depth), 210.0, width[depth], width[depth] * 0.7));
      }
    level = next_level;
  }
  return {m, m.section_name(nexus) + "(0.9)"};
}

}  // namespace neurotwin
