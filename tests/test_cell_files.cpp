// Cells as data: the cell presets (experiments/cells/*.yaml) and cell files.
#include <catch2/catch.hpp>
#include <fstream>

#include "cell_file.hpp"
#include "neurotwin/simulator/builtin_cell.hpp"
#include "neurotwin/simulator/cell_description.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/simulator/simulation.hpp"
#include "test_support.hpp"

using namespace neurotwin;
using neurotwin::cli::load_cell_description;

namespace {

bool same_rule(const DensityRule& a, const DensityRule& b) {
  return a.kind == b.kind && a.value == b.value && a.a == b.a && a.b == b.b && a.c == b.c &&
         a.max_fraction == b.max_fraction && a.lo_um == b.lo_um && a.hi_um == b.hi_um && a.inside == b.inside &&
         a.outside == b.outside && a.round_decimals == b.round_decimals;
}

void check_same(const CellDescription& a, const CellDescription& b) {
  CHECK(a.v_init_mV == b.v_init_mV);
  CHECK(a.celsius == b.celsius);
  CHECK(a.replace_axon == b.replace_axon);
  CHECK(a.axon_sections == b.axon_sections);
  CHECK(a.axon_length_um == b.axon_length_um);
  CHECK(a.axon_diameter_um == b.axon_diameter_um);
  CHECK(a.last_segment_at_section_end == b.last_segment_at_section_end);
  CHECK(a.excitatory == b.excitatory);
  CHECK(a.excitatory_gmax_nS == b.excitatory_gmax_nS);
  CHECK(a.inhibitory_gmax_nS == b.inhibitory_gmax_nS);
  CHECK(a.silence_synapse_on_zero_interval == b.silence_synapse_on_zero_interval);
  CHECK(a.release_probability == b.release_probability);
  CHECK(a.numeric_slope == b.numeric_slope);
  CHECK(a.record_dendrite == b.record_dendrite);
  REQUIRE(a.regions.size() == b.regions.size());
  for (const auto& [name, ra] : a.regions) {
    INFO("region " << name);
    REQUIRE(b.regions.count(name));
    const RegionDescription& rb = b.regions.at(name);
    CHECK(ra.cm_uF_per_cm2 == rb.cm_uF_per_cm2);
    CHECK(ra.ra_ohm_cm == rb.ra_ohm_cm);
    CHECK(ra.g_pas_S_per_cm2 == rb.g_pas_S_per_cm2);
    CHECK(ra.e_pas_mV == rb.e_pas_mV);
    CHECK(ra.calcium_pool == rb.calcium_pool);
    if (ra.calcium_pool) {
      CHECK(ra.ca_gamma == rb.ca_gamma);
      CHECK(ra.ca_decay_ms == rb.ca_decay_ms);
      CHECK(ra.ena_mV == rb.ena_mV);
      CHECK(ra.ek_mV == rb.ek_mV);
    }
    REQUIRE(ra.mechanisms.size() == rb.mechanisms.size());
    for (const auto& [mech, rule] : ra.mechanisms) {
      INFO("mechanism " << mech);
      REQUIRE(rb.mechanisms.count(mech));
      CHECK(same_rule(rule, rb.mechanisms.at(mech)));
    }
  }
}

std::string write_file(const test::TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.file(name)) << text;
  return dir.file(name);
}

}  // namespace

TEST_CASE("the l5pc preset file is the spec's Hay L5PC, value for value") {
  check_same(load_cell_description("l5pc"), hay_l5pc_description(ExcitatorySynapse::nmda));
  const CellDescription ampa = load_cell_description("l5pc-ampa");
  CHECK(ampa.name == "l5pc-ampa");
  check_same(ampa, hay_l5pc_description(ExcitatorySynapse::ampa));
}

TEST_CASE("the l5pc-ampa-sk preset is the AMPA cell with SK_E2 at a tenth in soma, axon and apical tree (spec §7.1)") {
  const CellDescription sk = load_cell_description("l5pc-ampa-sk");
  CellDescription expected = hay_l5pc_description(ExcitatorySynapse::ampa);
  CHECK(sk.name == "l5pc-ampa-sk");
  CHECK(sk.excitatory == ExcitatorySynapse::ampa);
  for (const char* region : {"soma", "axon", "apical"}) {
    INFO(region);
    DensityRule& rule = expected.regions.at(region).mechanisms.at("SK_E2");
    CHECK(sk.regions.at(region).mechanisms.at("SK_E2").value == rule.value * 0.1);  // as Beniaguev's script multiplies
    rule.value *= 0.1;
  }
  CHECK(sk.regions.at("basal").mechanisms.count("SK_E2") == 0);
  expected.name = "l5pc-ampa-sk";
  check_same(sk, expected);
}

TEST_CASE("a cell file can extend a preset and override keys") {
  test::TempDir dir("cells");
  const std::string path = write_file(dir, "weak_sk.yaml",
                                      "extends: l5pc\nname: weak-sk\nregions:\n  soma:\n    mechanisms:\n      SK_E2: 0.009965\n");
  const CellDescription d = load_cell_description(path);
  CHECK(d.name == "weak-sk");
  CHECK(d.regions.at("soma").mechanisms.at("SK_E2").value == 0.009965);
  CHECK(d.regions.at("soma").mechanisms.at("NaTs2_t").value == 0.998912);  // kept from the preset
  CHECK(d.regions.at("apical").mechanisms.at("Ih").kind == DensityRule::Kind::exponential_plateau);
  // A file extending another file by relative path.
  write_file(dir, "weaker.yaml", "extends: weak_sk.yaml\nsynapses:\n  inhibitory_gmax_nS: 2.0\n");
  const CellDescription d2 = load_cell_description(dir.file("weaker.yaml"));
  CHECK(d2.inhibitory_gmax_nS == 2.0);
  CHECK(d2.regions.at("soma").mechanisms.at("SK_E2").value == 0.009965);
}

TEST_CASE("bad cell files are reported with the file, the line and the key") {
  test::TempDir dir("badcells");
  SECTION("unknown mechanism") {
    const std::string p = write_file(dir, "a.yaml", "extends: l5pc\nregions:\n  soma:\n    mechanisms:\n      NaTs2: 1.0\n");
    CHECK_THROWS_WITH(load_cell_description(p), Catch::Contains("a.yaml:5") && Catch::Contains("regions.soma.mechanisms.NaTs2") &&
                                                    Catch::Contains("NaTs2_t"));
  }
  SECTION("wrong type") {
    const std::string p = write_file(dir, "b.yaml", "extends: l5pc\nsynapses:\n  excitatory_gmax_nS: lots\n");
    CHECK_THROWS_WITH(load_cell_description(p), Catch::Contains("b.yaml:3") && Catch::Contains("excitatory_gmax_nS"));
  }
  SECTION("bad rule") {
    const std::string p =
        write_file(dir, "c.yaml", "extends: l5pc\nregions:\n  apical:\n    mechanisms:\n      Ih: {rule: linear, value: 1}\n");
    CHECK_THROWS_WITH(load_cell_description(p), Catch::Contains("c.yaml:5") && Catch::Contains("exponential_plateau or window"));
  }
  SECTION("negative density") {
    const std::string p = write_file(dir, "d.yaml", "extends: l5pc\nregions:\n  basal:\n    mechanisms:\n      Ih: -1\n");
    CHECK_THROWS_WITH(load_cell_description(p), Catch::Contains("d.yaml:5") && Catch::Contains("[0, 100]"));
  }
  SECTION("missing file, unknown preset, cycles, syntax") {
    CHECK_THROWS_WITH(load_cell_description("l5pcx"), Catch::Contains("l5pcx") && Catch::Contains("presets: l5pc"));
    write_file(dir, "loop.yaml", "extends: loop.yaml\n");
    CHECK_THROWS_WITH(load_cell_description(dir.file("loop.yaml")), Catch::Contains("cycle"));
    const std::string p = write_file(dir, "e.yaml", "name: x\nregions: {soma: [\n");
    CHECK_THROWS_WITH(load_cell_description(p), Catch::Contains("e.yaml") && Catch::Contains("syntax"));
  }
  SECTION("calcium channels without a calcium pool") {
    const std::string p = write_file(dir, "f.yaml",
                                     "name: f\nregions:\n  soma: {mechanisms: {Ca_HVA: 0.001}}\n  basal: {}\n  apical: {}\n");
    CHECK_THROWS_WITH(build_described_cell(builtin_l5pc_morphology().morphology, load_cell_description(p)),
                      Catch::Contains("calcium pool"));
  }
}

TEST_CASE("the embedded stylized L5PC carries the Hay biophysics and fires") {
  const BuiltinMorphology b = builtin_l5pc_morphology();
  const CellModel cell = build_described_cell(b.morphology, load_cell_description("l5pc"));
  std::size_t basal = 0, apical = 0;
  for (int s : cell.geometry.dendritic_segments())
    (cell.geometry.sections[static_cast<std::size_t>(cell.geometry.segments[static_cast<std::size_t>(s)].section)].type ==
             SectionType::apical
         ? apical
         : basal) += 1;
  CHECK(basal == 301);
  CHECK(apical == 321);
  CHECK(longest_apical_path_um(cell.geometry) == Approx(1330.0));
  CHECK(b.recording_site == "apic[16](0.9)");
  // 1 nA into the soma for 300 ms: a spike train.
  Simulation sim(cell, 0.025);
  sim.add_current_clamp({cell.soma_node(), 50.0, 300.0, 1.0});
  sim.initialize();
  int spikes = 0;
  double previous = sim.voltage_mV(cell.soma_node());
  while (sim.time_ms() < 400.0) {
    sim.step();
    const double v = sim.voltage_mV(cell.soma_node());
    spikes += previous < 0.0 && v >= 0.0;
    previous = v;
  }
  CHECK(spikes >= 3);
  CHECK(spikes <= 40);
}
