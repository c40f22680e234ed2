// Neurolucida ASC import against NEURON's Import3d, through the reference
// segment table of the Hay L5PC (../shared/reference/l5pc_segments.csv).
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "neurotwin/simulator/discretization.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/simulator/neurolucida.hpp"

using namespace neurotwin;
namespace fs = std::filesystem;

namespace {

const std::string kShared = NEUROTWIN_SHARED_DIR;

std::string error_of(const std::string& text) {
  std::istringstream in(text);
  try {
    parse_neurolucida(in, "cell.asc");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const char* kSoma =
    "(\"CellBody\" (Closed) (CellBody)\n"
    "  (0 0 0 0.1) (4 0 0 0.1) (6 2 0 0.1) (6 6 0 0.1) (4 8 0 0.1) (0 8 0 0.1) (-2 6 0 0.1) (-2 2 0 0.1)\n"
    ")\n";

}  // namespace

TEST_CASE("cell1.asc imports to NEURON's segment table", "[shared]") {
  const std::string asc = kShared + "/morphologies/cell1.asc";
  const std::string csv = kShared + "/reference/l5pc_segments.csv";
  if (!fs::exists(asc) || !fs::exists(csv)) {
    WARN("skipped: " << asc << " or " << csv << " not found");
    return;
  }
  const Morphology m = read_neurolucida(asc);
  const Discretization d = discretize(m);
  // Soma (spec §2.3): 21 points, L = 23.1694080325 um, area 1131.38905934 um².
  CHECK(m.sections[0].points.size() == 21);
  CHECK(d.sections[0].length_um == Approx(23.1694080325).epsilon(1e-7));
  CHECK(d.segments[0].area_um2 == Approx(1131.38905934).epsilon(1e-7));
  int basal = 0, apical = 0;
  for (const SectionGeometry& s : d.sections) {
    basal += s.type == SectionType::basal;
    apical += s.type == SectionType::apical;
  }
  CHECK(basal == 84);
  CHECK(apical == 109);

  const std::vector<int> segs = d.dendritic_segments();
  REQUIRE(segs.size() == 639);
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  double worst[4] = {0, 0, 0, 0};
  std::size_t row = 0;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::vector<std::string> f;
    for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
    REQUIRE(f.size() == 8);
    REQUIRE(row < segs.size());
    const Segment& s = d.segments[static_cast<std::size_t>(segs[row])];
    INFO("row " << row << ": " << f[2]);
    CHECK(d.sections[static_cast<std::size_t>(s.section)].name == f[2].substr(f[2].find('.') + 1));
    CHECK(s.x == Approx(std::stod(f[3])).margin(1e-6));
    const double rel[4] = {s.length_um / std::stod(f[4]) - 1, s.diam_um / std::stod(f[5]) - 1,
                           s.area_um2 / std::stod(f[6]) - 1, s.distance_um / std::stod(f[7]) - 1};
    for (int k = 0; k < 4; ++k) worst[k] = std::max(worst[k], std::abs(rel[k]));
    ++row;
  }
  CHECK(row == 639);
  WARN("cell1.asc vs NEURON: worst relative error: length " << worst[0] << ", diameter " << worst[1] << ", area "
                                                            << worst[2] << ", distance " << worst[3]);
  for (double w : worst) CHECK(w < 1e-3);  // target: 0.1 %
}

TEST_CASE("a soma contour becomes a cylinder stack along its long axis") {
  std::istringstream in(std::string(kSoma) + "( (Dendrite) (6 4 0 1) (20 4 0 1) )\n");
  const Morphology m = parse_neurolucida(in, "cell.asc");
  REQUIRE(m.sections.size() == 2);
  CHECK(m.sections[0].points.size() == 21);
  CHECK(m.sections[1].parent == 0);
  CHECK(m.sections[1].parent_x == 0.5);
  CHECK(m.sections[1].points.front().x_um == 6);  // the root point is kept
}

TEST_CASE("a child branch starts at its parent's last point with its own diameter") {
  std::istringstream in(std::string(kSoma) +
                        "( (Dendrite) (6 4 0 2) (20 4 0 2)\n"
                        "  ( (25 8 0 1) (30 10 0 1)\n"
                        "  | (20 4 0 0.5) (25 0 0 0.5) Normal\n"
                        "  )\n"
                        ")\n");
  const Morphology m = parse_neurolucida(in, "cell.asc");
  REQUIRE(m.sections.size() == 4);
  CHECK(m.sections[2].points.size() == 3);  // parent point prepended
  CHECK(m.sections[2].points[0].x_um == 20);
  CHECK(m.sections[2].points[0].diam_um == 1);
  CHECK(m.sections[3].points.size() == 2);  // starts at the parent point already
  CHECK(m.section_name(3) == "dend[2]");
}

TEST_CASE("malformed ASC files are rejected with the line") {
  SECTION("unbalanced parenthesis") {
    CHECK_THAT(error_of(std::string(kSoma) + "( (Dendrite)\n (6 4 0 2) (20 4 0 2)\n"),
               Catch::Contains("cell.asc:4") && Catch::Contains("unbalanced '('"));
    CHECK_THAT(error_of(std::string(kSoma) + ")\n"), Catch::Contains("cell.asc:4") && Catch::Contains("unbalanced ')'"));
  }
  SECTION("missing soma") {
    CHECK_THAT(error_of("( (Dendrite) (6 4 0 2) (20 4 0 2) )\n"), Catch::Contains("cell.asc") && Catch::Contains("no soma contour"));
  }
  SECTION("zero diameter") {
    CHECK_THAT(error_of(std::string(kSoma) + "( (Dendrite)\n (6 4 0 2)\n (20 4 0 0)\n)\n"),
               Catch::Contains("cell.asc:6") && Catch::Contains("diameter"));
  }
  SECTION("malformed point") {
    CHECK_THAT(error_of(std::string(kSoma) + "( (Dendrite)\n (6 4 0 2)\n (20 4 x 1)\n)\n"),
               Catch::Contains("cell.asc:6") && Catch::Contains("four numbers"));
  }
}

TEST_CASE("the L5PC topology after the axon replacement matches spec §2.6", "[shared]") {
  const std::string asc = kShared + "/morphologies/cell1.asc";
  if (!fs::exists(asc)) {
    WARN("skipped: " << asc << " not found");
    return;
  }
  Morphology m = read_neurolucida(asc);
  replace_axon(m, 2, 30.0, 1.0);
  const Discretization d = discretize(m);
  struct Totals {
    int sections = 0, segments = 0;
    double length = 0, area = 0;
  };
  std::map<SectionType, Totals> t;
  for (const SectionGeometry& s : d.sections) {
    Totals& r = t[s.type];
    r.sections += 1;
    r.segments += s.nseg;
    r.length += s.length_um;
    for (int k = 0; k < s.nseg; ++k) r.area += d.segments[static_cast<std::size_t>(s.first_segment + k)].area_um2;
  }
  CHECK(d.sections.size() == 196);
  CHECK(d.segments.size() == 642);
  CHECK(t[SectionType::soma].sections == 1);
  CHECK(t[SectionType::soma].area == Approx(1131.389059).epsilon(1e-7));
  CHECK(t[SectionType::axon].sections == 2);
  CHECK(t[SectionType::axon].segments == 2);
  CHECK(t[SectionType::axon].length == Approx(60.0).epsilon(1e-9));
  CHECK(t[SectionType::axon].area == Approx(188.495559).epsilon(1e-8));
  CHECK(t[SectionType::basal].sections == 84);
  CHECK(t[SectionType::basal].segments == 262);
  CHECK(t[SectionType::basal].length == Approx(5133.491987).epsilon(1e-6));
  CHECK(t[SectionType::basal].area == Approx(8862.959628).epsilon(1e-6));
  CHECK(t[SectionType::apical].sections == 109);
  CHECK(t[SectionType::apical].segments == 377);
  CHECK(t[SectionType::apical].length == Approx(7440.905948).epsilon(1e-6));
  CHECK(t[SectionType::apical].area == Approx(21009.325558).epsilon(1e-6));
  // Names as NEURON's forall lists them: soma[0], dend[0..83], apic[0..108], axon[0], axon[1].
  CHECK(d.sections[1].name == "dend[0]");
  CHECK(d.sections.back().name == "axon[1]");
  CHECK(d.sections[d.sections.size() - 2].parent == 0);
  // Longest apical path: apic[63](1) at 1300.5335016374963 um from apic[0](0) (the soma centre).
  const SectionGeometry& a63 = d.sections[static_cast<std::size_t>(d.section_by_name("apic[63]"))];
  CHECK(a63.distance0_um + a63.length_um == Approx(1300.5335016374963).epsilon(1e-7));
  // Axon half-segment resistance (spec §2.4): 19.0985932 MOhm with Ra = 100; first axon segment's ri.
  const Segment& ax0 = d.segments[static_cast<std::size_t>(d.sections[d.sections.size() - 2].first_segment)];
  CHECK(4.0 * 100.0 / 3.14159265358979 * 0.01 * d.nodes[static_cast<std::size_t>(ax0.node)].resistance_integral_per_um ==
        Approx(19.0985932).epsilon(1e-7));
  // 92 dendritic branch points, each a bifurcation.
  int branch_points = 0;
  for (const SectionGeometry& s : d.sections)
    if ((s.type == SectionType::basal || s.type == SectionType::apical) && s.end_node >= 0) ++branch_points;
  CHECK(branch_points == 92);
}
