// The Hay L5PC (spec §4-§7) against the spec's check values and NEURON's
// fixed-step reference traces in ../shared/reference (skipped when absent).
#include <H5Cpp.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "neurotwin/simulator/cell_description.hpp"
#include "neurotwin/simulator/neurolucida.hpp"
#include "neurotwin/simulator/recording.hpp"
#include "neurotwin/simulator/simulation.hpp"

using namespace neurotwin;
namespace fs = std::filesystem;

namespace {

const std::string kShared = NEUROTWIN_SHARED_DIR;

bool have_reference() {
  if (fs::exists(kShared + "/morphologies/cell1.asc") && fs::exists(kShared + "/reference/step_0p5nA_fixed.h5")) return true;
  WARN("../shared (cell1.asc, reference traces) not found: Hay L5PC comparisons skipped");
  return false;
}

const CellModel& l5pc() {
  static const CellModel cell = [] {
    return build_described_cell(read_neurolucida(kShared + "/morphologies/cell1.asc"), hay_l5pc_description());
  }();
  return cell;
}

const CellModel& l5pc_ampa() {
  static const CellModel cell = [] {
    return build_described_cell(read_neurolucida(kShared + "/morphologies/cell1.asc"),
                                hay_l5pc_description(ExcitatorySynapse::ampa));
  }();
  return cell;
}

int node_of(const CellModel& cell, const std::string& section, double x) {
  const Discretization& g = cell.geometry;
  return g.segments[static_cast<std::size_t>(g.segment_at(g.section_by_name(section), x))].node;
}

std::vector<float> read_floats(const H5::H5File& f, const std::string& name) {
  H5::DataSet ds = f.openDataSet(name);
  hsize_t n = 0;
  ds.getSpace().getSimpleExtentDims(&n);
  std::vector<float> out(n);
  ds.read(out.data(), H5::PredType::NATIVE_FLOAT);
  return out;
}
std::vector<double> read_doubles(const H5::H5File& f, const std::string& name) {
  H5::DataSet ds = f.openDataSet(name);
  hsize_t n = 0;
  ds.getSpace().getSimpleExtentDims(&n);
  std::vector<double> out(n);
  if (n) ds.read(out.data(), H5::PredType::NATIVE_DOUBLE);
  return out;
}

std::vector<std::int64_t> read_ints(const H5::H5File& f, const std::string& name) {
  H5::DataSet ds = f.openDataSet(name);
  hsize_t n = 0;
  ds.getSpace().getSimpleExtentDims(&n);
  std::vector<std::int64_t> out(n);
  if (n) ds.read(out.data(), H5::PredType::NATIVE_INT64);
  return out;
}

// Pairs each reference spike with an unused spike of ours within `tolerance`; returns the count.
std::size_t matched_spikes(const std::vector<double>& ref, const std::vector<double>& ours, double tolerance) {
  std::vector<char> used(ours.size(), 0);
  std::size_t matched = 0;
  for (double r : ref)
    for (std::size_t i = 0; i < ours.size(); ++i)
      if (!used[i] && std::fabs(ours[i] - r) <= tolerance) {
        used[i] = 1;
        ++matched;
        break;
      }
  return matched;
}

// Spikes as the reference defines them: local maxima above -25 mV of the solver's own trace.
std::vector<double> spikes_of(const std::vector<double>& v, double dt) { return detect_spikes(v, dt); }

}  // namespace

TEST_CASE("Hay L5PC densities follow spec §7 with the distribute_channels quirks") {
  if (!have_reference()) return;
  const CellModel& cell = l5pc();
  const Discretization& g = cell.geometry;
  // The description's rules, evaluated with D from the geometry.
  const CellDescription hay = hay_l5pc_description();
  const DensityRule& ih = hay.regions.at("apical").mechanisms.at("Ih");
  const DensityRule& lva = hay.regions.at("apical").mechanisms.at("Ca_LVAst");
  const double longest = longest_apical_path_um(g);
  auto ih_at = [&](double d) { return ih.at(d, longest); };
  auto lva_at = [&](double d) { return lva.at(d, longest); };
  // §7.2 samples: apic[0] (nseg 3), apic[50], apic[108].
  auto ih_of = [&](const std::string& sec, int k) {
    const int s = g.sections[static_cast<std::size_t>(g.section_by_name(sec))].first_segment + k;
    return ih_at(density_distance_um(g, s, true));
  };
  CHECK(ih_of("apic[0]", 0) == Approx(1.262500e-4).epsilon(1e-6));
  CHECK(ih_of("apic[0]", 1) == Approx(1.355645e-4).epsilon(1e-6));
  CHECK(ih_of("apic[0]", 2) == Approx(1.503048e-4).epsilon(1e-6));
  CHECK(ih_of("apic[50]", 0) == Approx(1.1400827e-3).epsilon(1e-6));
  CHECK(ih_of("apic[50]", 2) == Approx(1.3294077e-3).epsilon(1e-6));
  CHECK(ih_of("apic[108]", 0) == Approx(2.057300e-4).epsilon(1e-6));
  // 29 hot-zone segments, and sum of gIhbar * area over apical segments = 0.2110586 µS.
  int hot = 0;
  double ih_area = 0;
  for (int s : g.dendritic_segments()) {
    const Segment& seg = g.segments[static_cast<std::size_t>(s)];
    if (g.sections[static_cast<std::size_t>(seg.section)].type != SectionType::apical) continue;
    const double d = density_distance_um(g, s, true);
    hot += lva_at(d) > 0.1;
    ih_area += ih_at(d) * seg.area_um2 * 1e-8 * 1e6;  // S/cm² * cm² -> µS
  }
  CHECK(hot == 29);
  // D of §7.2 computed from the geometry equals the spec's constant.
  CHECK(longest == Approx(1300.5335016374963).epsilon(1e-9));  // D_max, spec §2.6
  CHECK(ih_area == Approx(0.2110586).epsilon(1e-6));
}

TEST_CASE("Hay L5PC at rest reproduces NEURON's check values (spec §12)") {
  if (!have_reference()) return;
  const CellModel& cell = l5pc();
  Simulation sim(cell, 0.025);
  sim.initialize();
  const int soma = cell.soma_node(), nexus = node_of(cell, "apic[50]", 0.9);
  sim.step();
  CHECK(sim.voltage_mV(soma) == Approx(-76.01071094780373).epsilon(1e-9));
  const struct {
    double t, soma, nexus;
  } checks[] = {{1, -76.368901, -75.742387},   {10, -78.547595, -74.625471},  {100, -81.236222, -75.944907},
                {500, -81.061417, -75.819595}, {1000, -81.114272, -75.834021}, {1999, -81.127660, -75.837625}};
  for (const auto& c : checks) {
    while (sim.time_ms() < c.t - 1e-9) sim.step();
    INFO("t = " << c.t << " ms");
    CHECK(sim.voltage_mV(soma) == Approx(c.soma).margin(2e-6));
    CHECK(sim.voltage_mV(nexus) == Approx(c.nexus).margin(2e-6));
  }
}

TEST_CASE("Hay L5PC under somatic current steps matches NEURON's fixed-step reference") {
  if (!have_reference()) return;
  const CellModel& cell = l5pc();
  for (const char* name : {"step_0p5nA_fixed", "step_1p0nA_fixed", "bap_fixed"}) {
    H5::H5File f(kShared + "/reference/" + name + ".h5", H5F_ACC_RDONLY);
    const std::vector<float> ref_soma = read_floats(f, "soma_v_mV");
    const std::vector<float> ref_nexus = read_floats(f, "nexus_v_mV");
    const std::vector<double> ref_spikes = read_doubles(f, "spike_times_ms");
    const bool bap = std::string(name) == "bap_fixed";
    CurrentClamp clamp{cell.soma_node(), bap ? 295.0 : 100.0, bap ? 5.0 : 500.0,
                       bap ? 1.9 : (std::string(name).find("1p0") != std::string::npos ? 1.0 : 0.5)};
    Simulation sim(cell, 0.025);
    sim.add_current_clamp(clamp);
    sim.initialize();
    const int soma = cell.soma_node(), nexus = node_of(cell, "apic[50]", 0.9);
    std::vector<double> v{sim.voltage_mV(soma)}, vn{sim.voltage_mV(nexus)};
    while (v.size() < ref_soma.size()) {
      sim.step();
      v.push_back(sim.voltage_mV(soma));
      vn.push_back(sim.voltage_mV(nexus));
    }
    double se = 0, se_n = 0;
    for (std::size_t k = 0; k < v.size(); ++k) {
      const double ds = v[k] - static_cast<double>(ref_soma[k]), dn = vn[k] - static_cast<double>(ref_nexus[k]);
      se += ds * ds;
      se_n += dn * dn;
    }
    const double rmse = std::sqrt(se / static_cast<double>(v.size())), rmse_n = std::sqrt(se_n / static_cast<double>(v.size()));
    const std::vector<double> spikes = spikes_of(v, 0.025);
    double worst = 0;
    if (spikes.size() == ref_spikes.size())
      for (std::size_t i = 0; i < spikes.size(); ++i) worst = std::max(worst, std::fabs(spikes[i] - ref_spikes[i]));
    std::printf("%s: %zu spikes (NEURON %zu), worst spike-time difference %.4f ms, soma RMSE %.5f mV, nexus RMSE %.5f mV\n",
                name, spikes.size(), ref_spikes.size(), worst, rmse, rmse_n);
    INFO(name);
    CHECK(spikes.size() == ref_spikes.size());
    CHECK(worst <= 0.05);   // issue target: same spikes within 0.05 ms
    CHECK(rmse <= 0.05);    // and voltage RMSE <= 0.05 mV
  }
}

TEST_CASE("rate tables change the L5PC's step response by far less than the fixed-step targets") {
  if (!have_reference()) return;
  const Morphology m = read_neurolucida(kShared + "/morphologies/cell1.asc");
  const CellModel tabulated = build_described_cell(m, hay_l5pc_description(), {}, true);
  H5::H5File f(kShared + "/reference/step_1p0nA_fixed.h5", H5F_ACC_RDONLY);
  const std::vector<float> ref = read_floats(f, "soma_v_mV");
  const std::vector<double> ref_spikes = read_doubles(f, "spike_times_ms");
  Simulation sim(tabulated, 0.025);
  sim.add_current_clamp({tabulated.soma_node(), 100.0, 500.0, 1.0});
  sim.initialize();
  std::vector<double> v{sim.voltage_mV(tabulated.soma_node())};
  while (v.size() < ref.size()) {
    sim.step();
    v.push_back(sim.voltage_mV(tabulated.soma_node()));
  }
  double se = 0;
  for (std::size_t k = 0; k < v.size(); ++k) se += (v[k] - static_cast<double>(ref[k])) * (v[k] - static_cast<double>(ref[k]));
  const std::vector<double> spikes = spikes_of(v, 0.025);
  REQUIRE(spikes.size() == ref_spikes.size());
  double worst = 0;
  for (std::size_t i = 0; i < spikes.size(); ++i) worst = std::max(worst, std::fabs(spikes[i] - ref_spikes[i]));
  const double rmse = std::sqrt(se / static_cast<double>(v.size()));
  std::printf("rate tables, 1.0 nA step: %zu spikes, worst shift %.4f ms, soma RMSE %.5f mV vs NEURON\n", spikes.size(), worst, rmse);
  CHECK(worst <= 0.05);
  CHECK(rmse <= 0.05);
}

TEST_CASE("a synapse with an input at exactly t = 0 stays silent (spec §8.4)") {
  if (!have_reference()) return;
  const CellModel& cell = l5pc();
  auto soma_at_30ms = [&](std::vector<InputEvent> events) {
    Simulation sim(cell, 0.025);
    sim.set_inputs(std::move(events));
    sim.initialize();
    while (sim.time_ms() < 30.0 - 1e-9) sim.step();
    return sim.voltage_mV(cell.soma_node());
  };
  const double rest = soma_at_30ms({});
  CHECK(soma_at_30ms({{0.0, 10}, {5.0, 10}, {10.0, 10}}) == rest);  // never conducts
  CHECK(soma_at_30ms({{5.0, 10}, {10.0, 10}}) > rest + 1e-4);        // conducts
  CHECK(soma_at_30ms({{5.0, 10}, {5.0, 10}, {10.0, 10}}) == soma_at_30ms({{5.0, 10}}));  // t - tsyn = 0 at 5 ms
}

// The input events of a reference file (excitatory channels first).
std::vector<InputEvent> reference_inputs(const CellModel& cell, const std::string& name) {
  H5::H5File f(kShared + "/reference/" + name + ".h5", H5F_ACC_RDONLY);
  const std::vector<std::int64_t> ex_seg = read_ints(f, "inputs/ex_segment"), inh_seg = read_ints(f, "inputs/inh_segment");
  const std::vector<double> ex_t = read_doubles(f, "inputs/ex_time_ms"), inh_t = read_doubles(f, "inputs/inh_time_ms");
  const auto S = static_cast<std::int64_t>(cell.input_count() / 2);
  std::vector<InputEvent> events;
  for (std::size_t i = 0; i < ex_seg.size(); ++i) events.push_back({ex_t[i], static_cast<int>(ex_seg[i])});
  for (std::size_t i = 0; i < inh_seg.size(); ++i) events.push_back({inh_t[i], static_cast<int>(S + inh_seg[i])});
  return events;
}

// Replays a reference file's inputs on `cell` at step dt; compares with the
// reference `against` (same inputs): spikes within `tolerance_ms`, soma RMSE
// (all samples, and clipped at -55 mV from t >= 500 ms, the training target).
struct ReplayFigures {
  std::size_t events = 0, spikes = 0, reference_spikes = 0, matched = 0;
  double rmse = 0, rmse_clipped = 0, wall_per_second = 0;
};
ReplayFigures replay_and_compare(const CellModel& cell, const std::string& inputs, const std::string& against, double dt,
                                 double tolerance_ms) {
  H5::H5File g(kShared + "/reference/" + against + ".h5", H5F_ACC_RDONLY);
  const std::vector<float> ref_soma = read_floats(g, "soma_v_mV");  // 0.025-ms grid
  const std::vector<double> ref_spikes = read_doubles(g, "spike_times_ms");
  const std::vector<InputEvent> events = reference_inputs(cell, inputs);
  ReplayFigures r;
  r.events = events.size();
  Simulation sim(cell, dt);
  sim.set_inputs(events);
  sim.initialize();
  const int soma = cell.soma_node();
  const auto per_sample = static_cast<std::size_t>(std::llround(0.025 / dt));  // steps per reference sample
  std::vector<double> v{sim.voltage_mV(soma)}, samples{v[0]};
  const auto start = std::chrono::steady_clock::now();
  while (samples.size() < ref_soma.size()) {
    sim.step();
    v.push_back(sim.voltage_mV(soma));
    if ((v.size() - 1) % per_sample == 0) samples.push_back(v.back());
  }
  const double seconds = static_cast<double>(v.size() - 1) * dt / 1000.0;
  r.wall_per_second = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / seconds;
  double se = 0, se_clip = 0;
  std::size_t n_clip = 0;
  for (std::size_t k = 0; k < samples.size(); ++k) {
    const double d = samples[k] - static_cast<double>(ref_soma[k]);
    se += d * d;
    if (static_cast<double>(k) * 0.025 >= 500.0) {
      const double dc = std::min(samples[k], -55.0) - std::min(static_cast<double>(ref_soma[k]), -55.0);
      se_clip += dc * dc;
      ++n_clip;
    }
  }
  const std::vector<double> spikes = spikes_of(v, dt);
  r.spikes = spikes.size();
  r.reference_spikes = ref_spikes.size();
  r.matched = matched_spikes(ref_spikes, spikes, tolerance_ms);
  r.rmse = std::sqrt(se / static_cast<double>(samples.size()));
  r.rmse_clipped = std::sqrt(se_clip / static_cast<double>(std::max<std::size_t>(1, n_clip)));
  return r;
}

TEST_CASE("Hay L5PC under the 6-s synaptic protocol matches NEURON's fixed-step reference", "[slow]") {
  if (!have_reference()) return;
  for (const char* name : {"nmda_seed1_fixed", "ampa_seed1_fixed"}) {
    const bool ampa = std::string(name).rfind("ampa", 0) == 0;
    const ReplayFigures r = replay_and_compare(ampa ? l5pc_ampa() : l5pc(), name, name, 0.025, 0.1);
    std::printf("%s: %zu events; %zu spikes (NEURON %zu), %zu within 0.1 ms; soma RMSE %.2e mV (clipped at -55: %.2e); "
                "%.2f wall s per simulated s\n",
                name, r.events, r.spikes, r.reference_spikes, r.matched, r.rmse, r.rmse_clipped, r.wall_per_second);
    INFO(name);
    CHECK(static_cast<double>(r.matched) >= 0.98 * static_cast<double>(r.reference_spikes));
    CHECK(static_cast<double>(r.spikes - r.matched) < 0.02 * static_cast<double>(r.reference_spikes) + 1e-9);
  }
}

// neurotwin's default integration (Crank-Nicolson, rate tables, dt 0.02;
// experiment_config.cpp's "neurotwin" mode) on one reference protocol against
// NEURON's converged CVODE run: spikes matched one to one within 0.5 ms, the
// worst matched spike-time difference, soma RMSE after clipping at -55 mV
// (synaptic runs from t = 500 ms as the training target, steps over the whole
// run; our trace interpolated linearly onto the reference's 0.025-ms grid).
struct ConvergedFigures {
  std::size_t spikes = 0, reference_spikes = 0, matched = 0;
  double worst_ms = 0, rmse_clipped = 0, wall_per_second = 0;
};
ConvergedFigures converged_run(const std::string& protocol, double dt, const Morphology& m) {
  const bool synaptic = protocol == "nmda" || protocol == "ampa";
  const CellModel cell = build_described_cell(
      m, hay_l5pc_description(protocol == "ampa" ? ExcitatorySynapse::ampa : ExcitatorySynapse::nmda), {}, true);
  H5::H5File g(kShared + "/reference/" + protocol + (synaptic ? "_seed1" : "") + "_cvode.h5", H5F_ACC_RDONLY);
  const std::vector<float> ref_soma = read_floats(g, "soma_v_mV");
  const std::vector<double> ref_spikes = read_doubles(g, "spike_times_ms");
  Simulation sim(cell, dt);
  sim.set_voltage_scheme(VoltageScheme::crank_nicolson);
  if (synaptic) {
    sim.set_inputs(reference_inputs(cell, protocol + "_seed1_fixed"));
  } else {
    const bool bap = protocol == "bap";
    sim.add_current_clamp(
        {cell.soma_node(), bap ? 295.0 : 100.0, bap ? 5.0 : 500.0, bap ? 1.9 : (protocol == "step_1p0nA" ? 1.0 : 0.5)});
  }
  sim.initialize();
  const int soma = cell.soma_node();
  const double end_ms = 0.025 * static_cast<double>(ref_soma.size() - 1);
  std::vector<double> v{sim.voltage_mV(soma)};
  const auto start = std::chrono::steady_clock::now();
  while (sim.time_ms() < end_ms + dt - 1e-9) {
    sim.step();
    v.push_back(sim.voltage_mV(soma));
  }
  ConvergedFigures r;
  r.wall_per_second =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / (sim.time_ms() / 1000.0);
  const double from_ms = synaptic ? 500.0 : 0.0;
  double se = 0;
  std::size_t n = 0;
  for (std::size_t k = 0; k < ref_soma.size(); ++k) {
    const double t = 0.025 * static_cast<double>(k);
    if (t < from_ms) continue;
    const auto j = std::min(static_cast<std::size_t>(t / dt), v.size() - 2);
    const double w = t / dt - static_cast<double>(j);
    const double ours = (1 - w) * v[j] + w * v[j + 1];
    const double d = std::min(ours, -55.0) - std::min(static_cast<double>(ref_soma[k]), -55.0);
    se += d * d;
    ++n;
  }
  r.rmse_clipped = std::sqrt(se / static_cast<double>(n));
  const std::vector<double> spikes = spikes_of(v, dt);
  r.spikes = spikes.size();
  r.reference_spikes = ref_spikes.size();
  r.matched = matched_spikes(ref_spikes, spikes, 0.5);
  for (double t : ref_spikes) {
    double nearest = 1e9;
    for (double u : spikes) nearest = std::min(nearest, std::fabs(u - t));
    if (nearest <= 0.5) r.worst_ms = std::max(r.worst_ms, nearest);
  }
  return r;
}

TEST_CASE("neurotwin's default integration meets the converged (CVODE) targets on every reference protocol", "[slow]") {
  if (!have_reference()) return;
  const Morphology m = read_neurolucida(kShared + "/morphologies/cell1.asc");
  const double dt = 0.02;
  std::size_t spikes = 0, reference = 0, matched = 0;
  for (const char* protocol : {"step_0p5nA", "step_1p0nA", "bap", "nmda", "ampa"}) {
    const ConvergedFigures r = converged_run(protocol, dt, m);
    std::printf("%-10s Crank-Nicolson, rate tables, dt %.3f vs CVODE: %zu spikes (CVODE %zu), %zu within 0.5 ms (worst "
                "%.3f ms); soma RMSE clipped at -55 mV %.4f mV; %.2f wall s per simulated s\n",
                protocol, dt, r.spikes, r.reference_spikes, r.matched, r.worst_ms, r.rmse_clipped, r.wall_per_second);
    INFO(protocol);
    if (std::string(protocol) == "nmda" || std::string(protocol) == "ampa") CHECK(r.rmse_clipped <= 0.1);
    spikes += r.spikes;
    reference += r.reference_spikes;
    matched += r.matched;
  }
  std::printf("all five protocols: %zu of CVODE's %zu spikes within 0.5 ms, %zu extra\n", matched, reference, spikes - matched);
  CHECK(reference == 25);
  CHECK(static_cast<double>(matched) >= 0.98 * static_cast<double>(reference));
  CHECK(static_cast<double>(spikes - matched) < 0.02 * static_cast<double>(reference));
}

// The default step checked by step doubling, without NEURON (issue 16): on the 1-nA somatic step (10 spikes,
// the protocol most sensitive to dt) the spike times at dt and dt/2 give the error at dt, for a second-order
// scheme (4/3) max |t(dt) - t(dt/2)|; it must stay within half the 0.5-ms target, the other half being left
// to the rate tables, single-precision gates and CVODE's own error.
TEST_CASE("step doubling keeps the default step's spike-time error on the 1-nA step within half the target", "[slow]") {
  if (!have_reference()) return;
  const Morphology m = read_neurolucida(kShared + "/morphologies/cell1.asc");
  const CellModel cell = build_described_cell(m, hay_l5pc_description(ExcitatorySynapse::nmda), {}, true);
  auto spike_times = [&cell](double dt) {
    Simulation sim(cell, dt);
    sim.set_voltage_scheme(VoltageScheme::crank_nicolson);
    sim.add_current_clamp({cell.soma_node(), 100.0, 500.0, 1.0});
    sim.initialize();
    std::vector<double> v{sim.voltage_mV(cell.soma_node())};
    while (sim.time_ms() < 700.0) {
      sim.step();
      v.push_back(sim.voltage_mV(cell.soma_node()));
    }
    return spikes_of(v, dt);
  };
  const double dt = 0.02;
  const std::vector<double> coarse = spike_times(dt), fine = spike_times(dt / 2);
  REQUIRE(coarse.size() == fine.size());
  REQUIRE(coarse.size() == 10);
  double worst = 0;
  for (std::size_t k = 0; k < coarse.size(); ++k) worst = std::max(worst, std::fabs(coarse[k] - fine[k]));
  const double estimate_ms = 4.0 / 3.0 * worst;
  std::printf("1-nA step, dt %.3f vs %.3f: worst spike difference %.3f ms, error estimate %.3f ms\n", dt, dt / 2, worst,
              estimate_ms);
  CHECK(estimate_ms <= 0.25);
}
