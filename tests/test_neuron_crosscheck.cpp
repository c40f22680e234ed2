// Cross-check against NEURON 8.2 itself: the built-in cell, written out as
// SWC, imported by NEURON's Import3d and simulated with NEURON's built-in
// pas, hh and Exp2Syn on the same input events, against neurotwin's
// simulator with the same mechanisms.
#include <H5Cpp.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "neurotwin/simulator/builtin_cell.hpp"
#include "neurotwin/simulator/cell_model.hpp"
#include "neurotwin/simulator/recording.hpp"
#include "neurotwin/simulator/swc.hpp"
#include "test_support.hpp"

using namespace neurotwin;

namespace {

std::vector<double> read_vector(H5::H5File& f, const std::string& name) {
  H5::DataSet ds = f.openDataSet(name);
  hsize_t n = 0;
  ds.getSpace().getSimpleExtentDims(&n);
  std::vector<double> v(n);
  if (n) ds.read(v.data(), H5::PredType::NATIVE_DOUBLE);
  return v;
}

std::vector<std::string> read_strings(H5::H5File& f, const std::string& name) {
  H5::DataSet ds = f.openDataSet(name);
  hsize_t n = 0;
  ds.getSpace().getSimpleExtentDims(&n);
  const std::size_t width = ds.getStrType().getSize();
  std::vector<char> buf(n * width);
  ds.read(buf.data(), ds.getStrType());
  std::vector<std::string> out;
  for (hsize_t i = 0; i < n; ++i) {
    std::string s(buf.data() + i * width, width);
    out.push_back(s.substr(0, s.find('\0')));
  }
  return out;
}

std::string props_json(const PassiveProperties& p) {
  std::ostringstream o;
  o.precision(17);
  o << "{\"cm\": " << p.cm_uF_per_cm2 << ", \"Ra\": " << p.ra_ohm_cm << ", \"g_pas\": " << p.g_pas_S_per_cm2
    << ", \"e_pas\": " << p.e_pas_mV << "}";
  return o.str();
}

std::string synapse_json(const SynapseKind& k) {
  std::ostringstream o;
  o.precision(17);
  const ConductanceComponent& c = k.components.at(0);
  o << "{\"tau_rise_ms\": " << c.tau_rise_ms << ", \"tau_decay_ms\": " << c.tau_decay_ms << ", \"e_rev_mV\": " << k.e_rev_mV
    << ", \"gmax_uS\": " << c.gmax_uS << "}";
  return o.str();
}

std::string case_json(const std::string& swc, const SimpleBiophysics& bio, double duration_ms,
                      const std::vector<InputEvent>& events, int secondorder) {
  std::ostringstream o;
  o.precision(17);
  o << "{\"swc\": \"" << swc << "\", \"max_segment_length_um\": 40, \"celsius\": " << bio.celsius
    << ", \"v_init_mV\": " << bio.v_init_mV << ", \"dt_ms\": 0.025, \"secondorder\": " << secondorder
    << ", \"duration_ms\": " << duration_ms
    << ", \"soma\": " << props_json(bio.soma) << ", \"dendrite\": " << props_json(bio.dendrite)
    << ", \"axon\": " << props_json(bio.axon) << ", \"soma_hh\": " << (bio.soma_hh ? "true" : "false")
    << ", \"dendrite_hh_scale\": " << bio.dendrite_hh_scale << ", \"hh\": {\"gnabar\": " << bio.hh.gnabar_S_per_cm2
    << ", \"gkbar\": " << bio.hh.gkbar_S_per_cm2 << ", \"gl\": " << bio.hh.gl_S_per_cm2 << ", \"el\": " << bio.hh.el_mV
    << ", \"ena\": " << bio.hh.ena_mV << ", \"ek\": " << bio.hh.ek_mV
    << ", \"use_table\": " << (bio.hh.use_table ? "true" : "false") << "}"
    << ", \"excitatory\": " << synapse_json(ampa_synapse(bio.excitatory_gmax_uS))
    << ", \"inhibitory\": " << synapse_json(gaba_a_synapse(bio.inhibitory_gmax_uS)) << ", \"events\": [";
  for (std::size_t i = 0; i < events.size(); ++i)
    o << (i ? ", " : "") << "[" << events[i].time_ms << ", " << events[i].channel << "]";
  o << "]}";
  return o.str();
}

}  // namespace

TEST_CASE("built-in cell matches NEURON (Import3d, pas, hh, Exp2Syn)", "[neuron]") {
  test::TempDir dir("crosscheck");
  const Morphology morph = builtin_pyramidal_morphology();
  const std::string swc = dir.file("builtin.swc");
  {
    std::ofstream out(swc);
    write_swc(morph, out);
  }
  SimpleBiophysics bio;
  bio.excitatory = ExcitatorySynapse::ampa;  // NEURON's Exp2Syn has no Mg block
  bio.excitatory_gmax_uS = 0.0008;
  const CellModel cell = build_simple_cell(read_swc(swc), bio);
  const int n = static_cast<int>(cell.input_count() / 2);

  // Poisson inputs at integer ms: 12 Hz excitatory, 6 Hz inhibitory.
  const double duration_ms = 1500.0;
  std::mt19937_64 rng(2024);
  std::vector<InputEvent> events;
  for (int t = 1; t < static_cast<int>(duration_ms); ++t)
    for (int c = 0; c < 2 * n; ++c)
      if (std::generate_canonical<double, 53>(rng) < (c < n ? 0.012 : 0.006)) events.push_back({double(t), c});

  // NEURON's run with secondorder = 0 (backward Euler) or 2 (Crank-Nicolson).
  auto run_neuron = [&](int secondorder) {
    const std::string name = "neuron" + std::to_string(secondorder);
    {
      std::ofstream out(dir.file(name + ".json"));
      out << case_json(swc, bio, duration_ms, events, secondorder);
    }
    const auto result = test::run_python(std::string(NEUROTWIN_TESTS_DIR) + "/neuron/simulate_swc_cell.py " +
                                         dir.file(name + ".json") + " " + dir.file(name + ".h5"));
    INFO(result.output);
    REQUIRE(result.status == 0);
    return dir.file(name + ".h5");
  };
  H5::H5File f(run_neuron(0), H5F_ACC_RDONLY);

  SECTION("same segments: areas, diameters and axial resistances") {
    const auto names = read_strings(f, "segments/section");
    const auto xs = read_vector(f, "segments/x");
    const auto areas = read_vector(f, "segments/area_um2");
    const auto ris = read_vector(f, "segments/ri_MOhm");
    REQUIRE(names.size() == cell.geometry.segments.size());
    std::map<std::string, int> section_index;
    for (std::size_t i = 0; i < cell.geometry.sections.size(); ++i) section_index[cell.geometry.sections[i].name] = static_cast<int>(i);
    double worst_area = 0, worst_ri = 0;
    for (std::size_t i = 0; i < names.size(); ++i) {
      REQUIRE(section_index.count(names[i]) == 1);
      const int seg = cell.geometry.segment_at(section_index[names[i]], xs[i]);
      const Segment& s = cell.geometry.segments[static_cast<std::size_t>(seg)];
      CHECK(s.x == Approx(xs[i]).epsilon(1e-12));
      worst_area = std::max(worst_area, std::abs(s.area_um2 / areas[i] - 1));
      if (s.section != 0)
        worst_ri = std::max(worst_ri, std::abs(cell.node_axial_resistance_MOhm[static_cast<std::size_t>(s.node)] / ris[i] - 1));
    }
    INFO("worst relative area error " << worst_area << ", axial resistance " << worst_ri);
    CHECK(worst_area < 1e-9);
    CHECK(worst_ri < 1e-9);
  }

  // Same scheme, same numbers: NEURON's default backward Euler and its
  // Crank-Nicolson (secondorder = 2; hh has no concentrations, so 1 and 2 agree).
  for (const auto scheme : {VoltageScheme::backward_euler, VoltageScheme::crank_nicolson}) {
    const bool cn = scheme == VoltageScheme::crank_nicolson;
    DYNAMIC_SECTION("same soma voltage and output spikes, " << (cn ? "Crank-Nicolson" : "backward Euler")) {
      RunOptions options;
      options.duration_ms = duration_ms;
      options.scheme = scheme;
      for (int segment : cell.geometry.dendritic_segments())  // the input segments, in channel order
        options.segment_nodes.push_back(cell.geometry.segments[static_cast<std::size_t>(segment)].node);
      const RunResult ours = run_cell(cell, events, options);
      H5::H5File theirs(cn ? run_neuron(2) : dir.file("neuron0.h5"), H5F_ACC_RDONLY);
      const auto theirs_v8 = read_vector(theirs, "soma_v_8perms_mV");
      const auto theirs_spikes = read_vector(theirs, "spike_times_ms");
      REQUIRE(theirs_v8.size() == ours.soma_v_8perms_mV.size());
      double se = 0;
      for (std::size_t k = 0; k < theirs_v8.size(); ++k) {
        const double d = static_cast<double>(ours.soma_v_8perms_mV[k]) - theirs_v8[k];
        se += d * d;
      }
      const double rmse = std::sqrt(se / static_cast<double>(theirs_v8.size()));
      std::ostringstream spikes;
      for (double t : ours.spike_times_ms) spikes << t << ' ';
      spikes << "| NEURON: ";
      for (double t : theirs_spikes) spikes << t << ' ';
      INFO("soma RMSE " << rmse << " mV; spikes " << spikes.str());
      WARN("NEURON cross-check (" << (cn ? "Crank-Nicolson, secondorder 2" : "backward Euler") << "): soma RMSE " << rmse
                                  << " mV, " << ours.spike_times_ms.size() << " spikes (NEURON " << theirs_spikes.size() << ")");
      CHECK(theirs_spikes.size() >= 5);  // the comparison must cover real spiking
      REQUIRE(ours.spike_times_ms.size() == theirs_spikes.size());
      // Same sample of the 8/ms grid for every spike; measured RMSE ~2e-7 mV.
      for (std::size_t k = 0; k < theirs_spikes.size(); ++k) CHECK(std::abs(ours.spike_times_ms[k] - theirs_spikes[k]) < 0.06);
      CHECK(rmse <= 1e-3);
      // Every input segment's voltage at 1 sample/ms (what `simulate --inputs --record segments` writes).
      H5::DataSet dendrites = theirs.openDataSet("dendritic_v_mV");
      hsize_t shape[2] = {0, 0};
      dendrites.getSpace().getSimpleExtentDims(shape);
      REQUIRE(shape[0] == options.segment_nodes.size());
      REQUIRE(shape[1] * shape[0] == ours.segment_v_mV.size());
      std::vector<float> theirs_dendrites(shape[0] * shape[1]);
      dendrites.read(theirs_dendrites.data(), H5::PredType::NATIVE_FLOAT);
      double worst = 0, dendrite_se = 0, spread = 0;
      for (std::size_t k = 0; k < theirs_dendrites.size(); ++k) {
        const double d = static_cast<double>(ours.segment_v_mV[k]) - static_cast<double>(theirs_dendrites[k]);
        worst = std::max(worst, std::abs(d));
        dendrite_se += d * d;
        spread = std::max(spread, std::abs(static_cast<double>(theirs_dendrites[k]) - static_cast<double>(theirs_dendrites[0])));
      }
      WARN("NEURON cross-check, " << shape[0] << " input segments x " << shape[1] << " ms: RMSE "
                                  << std::sqrt(dendrite_se / static_cast<double>(theirs_dendrites.size())) << " mV, worst "
                                  << worst << " mV");
      CHECK(spread > 20.0);  // the dendrites are driven (spikes backpropagate)
      CHECK(worst <= 1e-3);
    }
  }
}

TEST_CASE("single hh compartment: current threshold equals NEURON's", "[neuron]") {
  // L = diam = 20 um, hh, 1 ms pulse at 5 ms; bisection for v > 0 mV.
  Morphology m;
  m.name = "hh-compartment";
  MorphSection s;
  s.type = SectionType::soma;
  s.points = {{0, 0, 0, 20}, {20, 0, 0, 20}};
  m.sections.push_back(s);
  for (const bool table : {true, false}) {
    CellModel cell;
    cell.geometry = discretize(m);
    cell.v_init_mV = -65;
    set_cable_properties(cell, {PassiveProperties{1.0, 35.4, 0, -65}});
    HhParameters hh;
    hh.use_table = table;
    cell.mechanisms.push_back([hh](std::size_t lanes) { return std::make_unique<HodgkinHuxleyMechanism>(std::vector<int>{0}, hh, 6.3, lanes); });
    auto spikes = [&](double amp) {
      Simulation sim(cell, 0.025);
      sim.add_current_clamp({0, 5, 1, amp});
      sim.initialize();
      double vmax = -100;
      for (int i = 0; i < 40 * 40; ++i) {
        sim.step();
        vmax = std::max(vmax, sim.voltage_mV(0));
      }
      return vmax > 0;
    };
    double lo = 0, hi = 5;
    for (int i = 0; i < 40; ++i) (spikes(0.5 * (lo + hi)) ? hi : lo) = 0.5 * (lo + hi);
    const auto result = test::run_python(std::string(NEUROTWIN_TESTS_DIR) + "/neuron/hh_threshold.py 1 " + (table ? "1" : "0"));
    INFO(result.output);
    REQUIRE(result.status == 0);
    // The last line is the threshold (NEURON may print notices before it).
    std::string last = result.output;
    while (!last.empty() && last.back() == '\n') last.pop_back();
    last = last.substr(last.find_last_of('\n') + 1);
    const double neuron_threshold = std::stod(last);
    WARN("hh threshold for a 1-ms pulse (table " << table << "): ours " << hi << " nA, NEURON " << neuron_threshold << " nA");
    CHECK(hi == Approx(neuron_threshold).epsilon(1e-6));
    CHECK(hi > 0.05);  // a real threshold, not a trivial bound
    CHECK(hi < 1.0);
  }
}
