#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "neurotwin/simulator/builtin_cell.hpp"
#include "neurotwin/simulator/discretization.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/simulator/swc.hpp"

using namespace neurotwin;

namespace {

Morphology parse(const std::string& text) {
  std::istringstream in(text);
  return parse_swc(in, "test.swc");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const char* kSmall =
    "# soma and one branching dendrite\n"
    "1 1 0 0 0 5 -1\n"
    "2 3 5 0 0 1 1\n"
    "3 3 15 0 0 1 2\n"
    "4 3 25 5 0 0.5 3\n"
    "5 3 25 -5 0 0.5 3\n";

}  // namespace

TEST_CASE("SWC import follows Import3d's rules") {
  const Morphology m = parse(kSmall);
  REQUIRE(m.sections.size() == 4);
  CHECK(m.section_name(0) == "soma[0]");
  CHECK(m.section_name(1) == "dend[0]");
  CHECK(m.section_name(3) == "dend[2]");
  // One-point soma -> cylinder with L = diam.
  CHECK(m.sections[0].points.size() == 3);
  CHECK(m.sections[0].points[2].y_um - m.sections[0].points[0].y_um == Approx(10.0));
  // Child of the sphere soma: attached at 0.5 by wire, starts at its own first sample.
  CHECK(m.sections[1].parent == 0);
  CHECK(m.sections[1].parent_x == 0.5);
  CHECK(m.sections[1].points.size() == 2);
  CHECK(m.sections[1].points[0].x_um == 5.0);
  // Children of a dendrite start with the parent's last point and diameter.
  CHECK(m.sections[2].parent == 1);
  CHECK(m.sections[2].parent_x == 1.0);
  CHECK(m.sections[2].points[0].x_um == 15.0);
  CHECK(m.sections[2].points[0].diam_um == 2.0);
  CHECK(m.sections[2].points[1].diam_um == 1.0);
}

TEST_CASE("the built-in cell survives an SWC round trip exactly") {
  const Morphology original = builtin_pyramidal_morphology();
  std::ostringstream out;
  write_swc(original, out);
  std::istringstream in(out.str());
  const Morphology back = parse_swc(in, "builtin.swc");
  REQUIRE(back.sections.size() == original.sections.size());
  for (std::size_t i = 0; i < original.sections.size(); ++i) {
    INFO("section " << original.section_name(static_cast<int>(i)));
    CHECK(back.sections[i].type == original.sections[i].type);
    CHECK(back.sections[i].parent == original.sections[i].parent);
    CHECK(back.sections[i].parent_x == original.sections[i].parent_x);
    REQUIRE(back.sections[i].points.size() == original.sections[i].points.size());
    for (std::size_t k = 0; k < original.sections[i].points.size(); ++k) {
      CHECK(back.sections[i].points[k].x_um == original.sections[i].points[k].x_um);
      CHECK(back.sections[i].points[k].diam_um == original.sections[i].points[k].diam_um);
    }
  }
}

TEST_CASE("the built-in cell is a small pyramidal-like cell") {
  const Discretization d = discretize(builtin_pyramidal_morphology());
  const auto dendritic = d.dendritic_segments();
  CHECK(dendritic.size() == 203);
  CHECK(d.segments.size() == 204);
  int basal = 0, apical = 0;
  double max_distance = 0;
  for (const Segment& s : d.segments) {
    const SectionType t = d.sections[static_cast<std::size_t>(s.section)].type;
    basal += t == SectionType::basal;
    apical += t == SectionType::apical;
    max_distance = std::max(max_distance, s.distance_um);
    CHECK(s.length_um <= 40.0);
  }
  CHECK(basal == 124);
  CHECK(apical == 79);
  CHECK(max_distance > 700);  // apical tuft
  CHECK(d.segments[0].area_um2 == Approx(3.14159265358979 * 400).epsilon(1e-6));  // sphere soma, 20 um
  // Parent-first order with one root.
  CHECK(d.nodes[0].parent == -1);
  for (std::size_t i = 1; i < d.nodes.size(); ++i) CHECK(d.nodes[i].parent < static_cast<int>(i));
}

TEST_CASE("nseg rule") {
  SegmentRule rule;
  CHECK(rule.nseg(39.9) == 1);
  CHECK(rule.nseg(40.0) == 3);
  CHECK(rule.nseg(120.0) == 7);
}

TEST_CASE("malformed SWC files are rejected with the line") {
  SECTION("cycle") {
    const std::string e = error_of("1 1 0 0 0 5 -1\n2 3 5 0 0 1 3\n3 3 9 0 0 1 2\n");
    CHECK_THAT(e, Catch::Contains("test.swc:2") && Catch::Contains("cycle"));
  }
  SECTION("cycle without any root") {
    CHECK_THAT(error_of("1 1 0 0 0 5 2\n2 3 5 0 0 1 1\n"), Catch::Contains("cycle"));
  }
  SECTION("missing parent") {
    const std::string e = error_of("1 1 0 0 0 5 -1\n2 3 5 0 0 1 1\n3 3 9 0 0 1 7\n");
    CHECK_THAT(e, Catch::Contains("test.swc:3") && Catch::Contains("parent 7"));
  }
  SECTION("zero radius") {
    const std::string e = error_of("1 1 0 0 0 5 -1\n2 3 5 0 0 0 1\n3 3 9 0 0 1 2\n");
    CHECK_THAT(e, Catch::Contains("test.swc:2") && Catch::Contains("radius"));
  }
  SECTION("wrong field count") {
    CHECK_THAT(error_of("1 1 0 0 0 5 -1\n2 3 5 0 0 1\n"), Catch::Contains("test.swc:2") && Catch::Contains("7 fields"));
  }
  SECTION("not a number") {
    CHECK_THAT(error_of("1 1 0 0 0 5 -1\n2 3 five 0 0 1 1\n"), Catch::Contains("test.swc:2") && Catch::Contains("'five'"));
  }
  SECTION("duplicate id") {
    CHECK_THAT(error_of("1 1 0 0 0 5 -1\n2 3 5 0 0 1 1\n2 3 9 0 0 1 1\n"), Catch::Contains("test.swc:3") && Catch::Contains("duplicate"));
  }
  SECTION("two roots") {
    CHECK_THAT(error_of("1 1 0 0 0 5 -1\n2 3 5 0 0 1 -1\n"), Catch::Contains("test.swc:2") && Catch::Contains("root"));
  }
  SECTION("no soma") {
    CHECK_THAT(error_of("1 3 0 0 0 5 -1\n2 3 5 0 0 1 1\n"), Catch::Contains("not a soma"));
  }
  SECTION("empty") { CHECK_THAT(error_of("# nothing\n"), Catch::Contains("no SWC samples")); }
  SECTION("missing file") { CHECK_THROWS_WITH(read_swc("/nonexistent/cell.swc"), Catch::Contains("/nonexistent/cell.swc")); }
}
