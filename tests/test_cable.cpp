// Physics against closed-form results: passive cable, membrane time constant,
// synaptic conductance, and the spec's check values.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "neurotwin/simulator/builtin_cell.hpp"
#include "neurotwin/simulator/cell_model.hpp"
#include "neurotwin/simulator/simulation.hpp"
#include "neurotwin/simulator/hines_solver.hpp"
#include "neurotwin/simulator/hodgkin_huxley.hpp"
#include "neurotwin/simulator/huge_page_allocator.hpp"
#include "neurotwin/simulator/passive.hpp"
#include "neurotwin/simulator/recording.hpp"
#include "neurotwin/simulator/synapse.hpp"

using namespace neurotwin;

namespace {

constexpr double kPi = 3.14159265358979323846;

// A soma-less "cell": one straight cylinder as the root section.
CellModel cylinder(double length_um, double diam_um, double max_segment_um, double g_pas, double cm, double ra) {
  Morphology m;
  m.name = "cylinder";
  MorphSection s;
  s.type = SectionType::soma;
  s.points = {{0, 0, 0, diam_um}, {length_um, 0, 0, diam_um}};
  m.sections.push_back(s);
  CellModel cell;
  cell.geometry = discretize(m, SegmentRule{max_segment_um});
  cell.v_init_mV = -70;
  const PassiveProperties p{cm, ra, g_pas, -70.0};
  set_cable_properties(cell, {p});
  std::vector<PassiveMechanism::Instance> pas;
  for (const Segment& seg : cell.geometry.segments) pas.push_back({seg.node, g_pas, -70.0});
  cell.mechanisms.push_back([pas](std::size_t lanes) { return std::make_unique<PassiveMechanism>(pas, lanes); });
  return cell;
}

}  // namespace

TEST_CASE("passive cable: steady-state profile and input resistance match the sealed-end solution") {
  // d = 1 um, Rm = 1/g = 1e4 Ohm cm2, Ra = 100 Ohm cm: lambda = sqrt(d Rm / (4 Ra)) = 500 um.
  const double length = 1000, diam = 1, g = 1e-4, ra = 100;
  const CellModel cell = cylinder(length, diam, 2.5, g, 1.0, ra);  // 401 segments
  const double lambda_um = std::sqrt((diam * 1e-4 / 4) * (1 / g) / ra) * 1e4;
  REQUIRE(lambda_um == Approx(500));
  Simulation sim(cell, 0.025);
  const double amp_nA = 0.05;
  sim.add_current_clamp({cell.geometry.segments.front().node, 0, 1e9, amp_nA});
  sim.initialize();
  for (int i = 0; i < 40 * 400; ++i) sim.step();  // 400 ms >> tau = 10 ms
  // Input resistance of a finite sealed cable: r_a lambda coth(L / lambda).
  const double r_a_MOhm_per_um = 4 * ra / (kPi * diam * diam) * 1e-2;  // Ohm cm / um^2 -> MOhm/um
  const double r_in = r_a_MOhm_per_um * lambda_um / std::tanh(length / lambda_um);
  // (The current enters the first segment centre, 1.25 um from the end: well inside the 1% tolerance.)
  const double v0_expected = amp_nA * r_in;
  for (const Segment& s : cell.geometry.segments) {
    const double x = s.x * length;
    // V(x) = V(0) cosh((L - x)/lambda) / cosh(L/lambda); measured relative to the injection node.
    const double expected = v0_expected * std::cosh((length - x) / lambda_um) / std::cosh((length - 0.0) / lambda_um);
    const double got = sim.voltage_mV(s.node) + 70.0;
    INFO("x = " << x);
    CHECK(got == Approx(expected).epsilon(0.01));
  }
}

TEST_CASE("passive membrane time constant is Rm Cm") {
  // After the current stops, a sealed cable's slowest mode decays with tau = cm / g_pas.
  const double g = 5e-5, cm = 1.0;  // tau = 20 ms
  const CellModel cell = cylinder(200, 2, 10, g, cm, 100);
  Simulation sim(cell, 0.025);
  const int node = cell.geometry.segments[3].node;
  sim.add_current_clamp({node, 0, 50, 0.1});
  sim.initialize();
  double v100 = 0, v140 = 0;
  for (int i = 1; i <= 40 * 140; ++i) {
    sim.step();
    if (i == 40 * 100) v100 = sim.voltage_mV(node) + 70;
    if (i == 40 * 140) v140 = sim.voltage_mV(node) + 70;
  }
  const double tau = 40.0 / std::log(v100 / v140);
  CHECK(tau == Approx(cm / g * 1e-3).epsilon(0.005));
}

TEST_CASE("Crank-Nicolson converges in dt^2, backward Euler in dt (passive cable)") {
  // 500-um cable, 25 segments; a 0.2-nA current enters the first segment from
  // t = 0. v at the far end at t = 10 ms against a reference at dt = 1/1280 ms.
  const CellModel cell = cylinder(500, 1, 20, 1e-4, 1.0, 100);
  const int in = cell.geometry.segments.front().node, out = cell.geometry.segments.back().node;
  auto far_end_at_10ms = [&](VoltageScheme scheme, double dt) {
    Simulation sim(cell, dt);
    sim.set_voltage_scheme(scheme);
    sim.add_current_clamp({in, 0, 1e9, 0.2});
    sim.initialize();
    const auto steps = std::llround(10.0 / dt);
    for (long long k = 0; k < steps; ++k) sim.step();
    return sim.voltage_mV(out);
  };
  const double reference = far_end_at_10ms(VoltageScheme::crank_nicolson, 1.0 / 1280);
  REQUIRE(reference > -70 + 1.0);  // the pulse has reached the far end
  for (const auto scheme : {VoltageScheme::backward_euler, VoltageScheme::crank_nicolson}) {
    const double e1 = std::fabs(far_end_at_10ms(scheme, 0.1) - reference);
    const double e2 = std::fabs(far_end_at_10ms(scheme, 0.05) - reference);
    const double e3 = std::fabs(far_end_at_10ms(scheme, 0.025) - reference);
    const double order = std::log2(std::sqrt((e1 / e2) * (e2 / e3)));
    const bool cn = scheme == VoltageScheme::crank_nicolson;
    INFO((cn ? "Crank-Nicolson" : "backward Euler") << ": errors " << e1 << ", " << e2 << ", " << e3 << " mV; order " << order);
    CHECK(order == Approx(cn ? 2.0 : 1.0).margin(0.15));
  }
}

TEST_CASE("a synaptic conductance follows the double exponential") {
  const CellModel cell = cylinder(20, 20, 40, 1e-4, 1.0, 100);
  CellModel with_syn = cell;
  with_syn.synapse_groups.push_back({ampa_synapse(0.001), {0}});
  with_syn.synapse_groups.push_back({gaba_a_synapse(0.002), {0}});
  const double dt = 0.025;
  Simulation sim(with_syn, dt);
  sim.set_inputs({{10.0, 0}, {10.0, 1}});
  sim.initialize();
  // The event lands between steps at t_e = 10 ms (spec §8.6); sample the states at step ends.
  const double f_ampa = double_exponential_factor(0.3, 3.0), f_gaba = double_exponential_factor(0.2, 8.0);
  double max_error = 0, peak = 0;
  for (int n = 0; n < 40 * 40; ++n) {
    sim.step();
    const double t = sim.time_ms();
    const double s = t - 10.0;
    const double expected_ampa = s < 0 ? 0 : 0.001 * f_ampa * (std::exp(-s / 3.0) - std::exp(-s / 0.3));
    const double expected_gaba = s < 0 ? 0 : 0.002 * f_gaba * (std::exp(-s / 8.0) - std::exp(-s / 0.2));
    max_error = std::max(max_error, std::abs(sim.synapse_group(0).conductance_uS(0, 0.0) - expected_ampa));
    max_error = std::max(max_error, std::abs(sim.synapse_group(1).conductance_uS(0, 0.0) - expected_gaba));
    peak = std::max(peak, sim.synapse_group(0).conductance_uS(0, 0.0));
  }
  CHECK(max_error < 1e-12);
  CHECK(peak == Approx(0.001).epsilon(1e-4));  // normalized peak = gmax
}

TEST_CASE("spec check values: normalization factors and magnesium block") {
  CHECK(double_exponential_factor(0.3, 3.0) == Approx(1.435055183).epsilon(1e-9));
  CHECK(double_exponential_factor(2.0, 70.0) == Approx(1.142885949).epsilon(1e-9));
  CHECK(double_exponential_factor(0.2, 8.0) == Approx(1.127389136).epsilon(1e-9));
  CHECK(magnesium_block(-70, 1) == Approx(0.0130294).epsilon(1e-5));
  CHECK(magnesium_block(-40, 1) == Approx(0.127035).epsilon(1e-5));
  CHECK(magnesium_block(0, 1) == Approx(0.781182).epsilon(1e-5));
}

TEST_CASE("hh steady states at rest are the classic squid-axon values") {
  const HhRates r = hh_rates(-65.0, 6.3);
  CHECK(r.m_inf == Approx(0.0529).epsilon(0.002));
  CHECK(r.h_inf == Approx(0.5961).epsilon(0.002));
  CHECK(r.n_inf == Approx(0.3177).epsilon(0.002));
  // Q10 of 3 per 10 degrees speeds every gate.
  CHECK(hh_rates(-65.0, 16.3).m_tau_ms == Approx(r.m_tau_ms / 3.0));
}

TEST_CASE("release probability: a reproducible fraction of events is released (spec §8.4)") {
  CellModel cell = build_simple_cell(builtin_pyramidal_morphology(), SimpleBiophysics{});
  std::vector<InputEvent> events;
  for (int k = 0; k < 4000; ++k) events.push_back({static_cast<double>(1 + k / 40), k % 400});
  auto run = [&](double p, std::uint64_t seed) {
    cell.release_probability = p;
    Simulation sim(cell, 0.025);
    sim.set_release_seed(seed);
    sim.set_inputs(events);
    sim.initialize();
    while (sim.time_ms() < 101.0) sim.step();
    CHECK(sim.delivered_events() == 4000);
    return std::make_pair(sim.released_events(), sim.voltage_mV(cell.soma_node()));
  };
  CHECK(run(1.0, 7).first == 4000);
  const auto a = run(1.0 - std::exp(-1.0), 7), b = run(1.0 - std::exp(-1.0), 7), c = run(1.0 - std::exp(-1.0), 8);
  // Binomial(4000, 0.632): SD 30.5; 4 SD.
  CHECK(static_cast<double>(a.first) == Approx(4000 * (1.0 - std::exp(-1.0))).margin(122));
  CHECK(a == b);                 // same seed: same draws, same voltage
  CHECK(a.first != c.first);     // another seed: other draws
}

TEST_CASE("numeric synaptic slope (NEURON's 0.001-mV difference) agrees with the analytic one") {
  CellModel cell = build_simple_cell(builtin_pyramidal_morphology(), SimpleBiophysics{});
  std::vector<InputEvent> events;
  for (int k = 0; k < 400; ++k) events.push_back({5.0 + 0.25 * k, k % 200});
  auto soma_at_120 = [&](bool numeric) {
    for (SynapseGroup& g : cell.synapse_groups) g.kind.numeric_slope = numeric;
    Simulation sim(cell, 0.025);
    sim.set_inputs(events);
    sim.initialize();
    while (sim.time_ms() < 120.0) sim.step();
    return sim.voltage_mV(cell.soma_node());
  };
  const double analytic = soma_at_120(false), numeric = soma_at_120(true);
  CHECK(numeric != analytic);                        // the option does something
  CHECK(numeric == Approx(analytic).margin(1e-3));   // and only at the level of the linearization
}

TEST_CASE("synaptic current and slope equal g(v) (v - e) and its derivative for any mix of components") {
  // Two plain and two Mg-blocked components with their own kinetics: the
  // general path (the common kinds have compile-time ones), exact and tabulated.
  SynapseKind kind{"mixed", -10.0, 1.2,
                   {ConductanceComponent{0.3, 3.0, 0.0004, false}, ConductanceComponent{2.0, 70.0, 0.0003, true},
                    ConductanceComponent{0.5, 9.0, 0.0002, false}, ConductanceComponent{1.0, 40.0, 0.0005, true}}};
  const bool tabulated = GENERATE(false, true);
  const bool numeric = GENERATE(false, true);
  kind.tabulated_mg_block = tabulated;
  kind.numeric_slope = numeric;
  DYNAMIC_SECTION("tabulated " << tabulated << ", numeric slope " << numeric) {
    const std::vector<double> area_um2 = {500.0, 800.0};
    SynapseArray syn(kind, {1, 0}, area_um2, 1);
    syn.deliver(0, 0, 1.0);
    syn.deliver(1, 0, 0.5);
    for (int k = 0; k < 40; ++k) syn.advance(0.025);
    const std::vector<double> v = {-61.3113, -23.7071};  // inside table intervals
    std::vector<double> rhs(2, 0.0), diag(2, 0.0);
    syn.add_currents(MembraneArrays{v.data(), rhs.data(), diag.data(), 1});
    for (std::size_t i = 0; i < 2; ++i) {
      const auto node = static_cast<std::size_t>(syn.node(i));
      const double scale = 100.0 / area_um2[node], vn = v[node], h = 1e-4;
      const double current = syn.conductance_uS(i, vn) * (vn - kind.e_rev_mV) * scale;
      const double slope = (syn.conductance_uS(i, vn + h) * (vn + h - kind.e_rev_mV) -
                            syn.conductance_uS(i, vn - h) * (vn - h - kind.e_rev_mV)) / (2 * h) * scale;
      CHECK(current != 0.0);
      CHECK(rhs[node] == Approx(-current).epsilon(1e-12));
      CHECK(diag[node] == Approx(slope).epsilon(numeric && !tabulated ? 1e-3 : 1e-6));
    }
  }
}

TEST_CASE("the vectorized synaptic step gives add_currents then advance bit for bit") {
  // Every kind the kernel serves (tabulated Mg block; no blocked component,
  // numeric or analytic slope) and one it does not (exact Mg block), lane
  // counts with and without whole vectors, states with and without events.
  std::vector<SynapseKind> kinds = {nmda_synapse(), ampa_synapse(), gaba_a_synapse(), nmda_synapse()};
  kinds[0].tabulated_mg_block = true;
  kinds[2].numeric_slope = true;
  kinds[3].numeric_slope = true;  // exact Mg block: the unvectorized path
  for (std::size_t kind_index = 0; kind_index < kinds.size(); ++kind_index)
    for (const std::size_t lanes : {std::size_t{1}, std::size_t{3}, std::size_t{16}, std::size_t{19}}) {
      INFO("kind " << kinds[kind_index].name << " (" << kind_index << "), " << lanes << " lanes");
      // 20 synapses on 12 nodes; with one lane the kernel takes synapses side by side, in groups of the
      // vector width whose nodes are distinct (others one by one): the first 8 hold nodes 1 and 3 twice.
      const std::vector<int> nodes = {1, 0, 2, 1, 3, 3, 5, 6, 7, 8, 9, 10, 11, 0, 2, 4, 4, 5, 6, 7};
      std::vector<double> area_um2(12);
      for (std::size_t k = 0; k < area_um2.size(); ++k) area_um2[k] = 500.0 + 37.0 * static_cast<double>(k);
      SynapseArray separate(kinds[kind_index], nodes, area_um2, lanes);
      SynapseArray fused(kinds[kind_index], nodes, area_um2, lanes);
      std::vector<double> v(12 * lanes), rhs_a(12 * lanes, 0.25), diag_a(12 * lanes, 1.5);
      for (std::size_t k = 0; k < v.size(); ++k) v[k] = -90.0 + 7.31 * static_cast<double>(k % 17);
      std::vector<double> rhs_b = rhs_a, diag_b = diag_a;
      for (int step = 0; step < 30; ++step) {
        for (std::size_t i = 0; i < nodes.size(); ++i)
          for (std::size_t l = 0; l < lanes; ++l)
            if ((step + static_cast<int>(i + l)) % 7 == 0) {
              separate.deliver(i, l, 1.0);
              fused.deliver(i, l, 1.0);
            }
        separate.add_currents(MembraneArrays{v.data(), rhs_a.data(), diag_a.data(), lanes});
        separate.advance(0.02);
        fused.add_currents_and_advance(MembraneArrays{v.data(), rhs_b.data(), diag_b.data(), lanes}, 0.02);
      }
      CHECK(rhs_a == rhs_b);
      CHECK(diag_a == diag_b);
      for (std::size_t i = 0; i < nodes.size(); ++i)
        for (std::size_t l = 0; l < lanes; ++l) CHECK(separate.conductance_uS(i, -40.0, l) == fused.conductance_uS(i, -40.0, l));
      CHECK(rhs_a != std::vector<double>(12 * lanes, 0.25));  // currents flowed
    }
}

TEST_CASE("deferred decay gives add_currents then advance to rounding, through the scales' multiplications") {
  // The default mode's synapses: the states stay, a scale per component decays, and is multiplied out
  // below 2^-32 (AMPA's rise every 333 steps of 0.02 ms, GABA_A's every 222); 3000 steps with events
  // throughout, against the exact step, which decays the states themselves.
  std::vector<SynapseKind> kinds = {nmda_synapse(), gaba_a_synapse()};
  kinds[0].tabulated_mg_block = true;
  for (SynapseKind& k : kinds) k.deferred_decay = true;
  for (const SynapseKind& kind : kinds)
    for (const std::size_t lanes : {std::size_t{1}, std::size_t{19}}) {
      INFO("kind " << kind.name << ", " << lanes << " lanes");
      const std::vector<int> nodes = {1, 0, 2, 1, 3, 3, 5, 6, 7, 8, 9, 10, 11, 0, 2, 4, 4, 5, 6, 7};
      std::vector<double> area_um2(12);
      for (std::size_t k = 0; k < area_um2.size(); ++k) area_um2[k] = 500.0 + 37.0 * static_cast<double>(k);
      SynapseKind exact_kind = kind;
      exact_kind.deferred_decay = false;
      SynapseArray exact(exact_kind, nodes, area_um2, lanes), deferred(kind, nodes, area_um2, lanes);
      std::vector<double> v(12 * lanes);
      for (std::size_t k = 0; k < v.size(); ++k) v[k] = -90.0 + 7.31 * static_cast<double>(k % 17);
      double worst = 0;
      for (int step = 0; step < 3000; ++step) {
        for (std::size_t i = 0; i < nodes.size(); ++i)
          for (std::size_t l = 0; l < lanes; ++l)
            if ((step + 3 * static_cast<int>(i + l)) % 97 == 0) {
              exact.deliver(i, l, 1.0);
              deferred.deliver(i, l, 1.0);
            }
        std::vector<double> rhs_a(v.size(), 0.0), diag_a(v.size(), 0.0), rhs_b = rhs_a, diag_b = diag_a;
        exact.add_currents(MembraneArrays{v.data(), rhs_a.data(), diag_a.data(), lanes});
        exact.advance(0.02);
        deferred.add_currents_and_advance(MembraneArrays{v.data(), rhs_b.data(), diag_b.data(), lanes}, 0.02);
        // Relative to the step's largest current and slope (the NMDA slope changes sign: no element-wise ratio).
        double rhs_scale = 1e-300, diag_scale = 1e-300;
        for (std::size_t k = 0; k < v.size(); ++k) {
          rhs_scale = std::max(rhs_scale, std::fabs(rhs_a[k]));
          diag_scale = std::max(diag_scale, std::fabs(diag_a[k]));
        }
        for (std::size_t k = 0; k < v.size(); ++k) {
          worst = std::max(worst, std::fabs(rhs_a[k] - rhs_b[k]) / rhs_scale);
          worst = std::max(worst, std::fabs(diag_a[k] - diag_b[k]) / diag_scale);
        }
      }
      CHECK(worst < 1e-12);
      for (std::size_t i = 0; i < nodes.size(); ++i)
        for (std::size_t l = 0; l < lanes; ++l)
          CHECK(deferred.conductance_uS(i, -40.0, l) == Approx(exact.conductance_uS(i, -40.0, l)).epsilon(1e-12));
      // The exact step after deferred ones multiplies the scales out first: the two stay together.
      deferred.advance(0.02);
      exact.advance(0.02);
      for (std::size_t i = 0; i < nodes.size(); ++i)
        CHECK(deferred.conductance_uS(i, -40.0, 0) == Approx(exact.conductance_uS(i, -40.0, 0)).epsilon(1e-12));
    }
}

TEST_CASE("two synapse groups on the same nodes in one pass: one group after the other, bit for bit") {
  // The default mode's pair (AMPA+NMDA with the tabulated Mg block, GABA_A; deferred decay), one synapse of
  // each per node, lane counts with and without whole vectors; and a pair on different nodes (one group
  // after the other), which the fused call must also handle.
  SynapseKind excitatory = nmda_synapse(), inhibitory = gaba_a_synapse();
  excitatory.tabulated_mg_block = true;
  excitatory.deferred_decay = inhibitory.deferred_decay = true;
  const std::vector<int> nodes = {3, 0, 2, 1, 7, 5, 4, 6, 9, 8, 11, 10, 12};
  std::vector<int> other_nodes = nodes;
  std::swap(other_nodes[0], other_nodes[1]);
  std::vector<double> area_um2(13);
  for (std::size_t k = 0; k < area_um2.size(); ++k) area_um2[k] = 500.0 + 37.0 * static_cast<double>(k);
  for (const bool same_nodes : {true, false})
    for (const std::size_t lanes : {std::size_t{1}, std::size_t{3}, std::size_t{16}, std::size_t{19}}) {
      INFO((same_nodes ? "same nodes, " : "different nodes, ") << lanes << " lanes");
      const std::vector<int>& inhibitory_nodes = same_nodes ? nodes : other_nodes;
      SynapseArray exc_a(excitatory, nodes, area_um2, lanes), inh_a(inhibitory, inhibitory_nodes, area_um2, lanes);
      SynapseArray exc_b(excitatory, nodes, area_um2, lanes), inh_b(inhibitory, inhibitory_nodes, area_um2, lanes);
      CHECK(exc_b.shares_nodes_with(inh_b) == same_nodes);
      std::vector<double> v(13 * lanes), rhs_a(13 * lanes, 0.25), diag_a(13 * lanes, 1.5);
      for (std::size_t k = 0; k < v.size(); ++k) v[k] = -90.0 + 7.31 * static_cast<double>(k % 17);
      std::vector<double> rhs_b = rhs_a, diag_b = diag_a;
      for (int step = 0; step < 40; ++step) {
        for (std::size_t i = 0; i < nodes.size(); ++i)
          for (std::size_t l = 0; l < lanes; ++l) {
            if ((step + static_cast<int>(i + l)) % 7 == 0) {
              exc_a.deliver(i, l, 1.0);
              exc_b.deliver(i, l, 1.0);
            }
            if ((step + static_cast<int>(2 * i + l)) % 5 == 0) {
              inh_a.deliver(i, l, 1.0);
              inh_b.deliver(i, l, 1.0);
            }
          }
        const MembraneArrays a{v.data(), rhs_a.data(), diag_a.data(), lanes};
        const MembraneArrays b{v.data(), rhs_b.data(), diag_b.data(), lanes};
        exc_a.add_currents_and_advance(a, 0.02);
        inh_a.add_currents_and_advance(a, 0.02);
        exc_b.add_currents_and_advance(inh_b, b, 0.02);
      }
      CHECK(rhs_a == rhs_b);
      CHECK(diag_a == diag_b);
      for (std::size_t i = 0; i < nodes.size(); ++i)
        for (std::size_t l = 0; l < lanes; ++l) {
          CHECK(exc_a.conductance_uS(i, -40.0, l) == exc_b.conductance_uS(i, -40.0, l));
          CHECK(inh_a.conductance_uS(i, -40.0, l) == inh_b.conductance_uS(i, -40.0, l));
        }
      CHECK(rhs_a != std::vector<double>(13 * lanes, 0.25));
    }
}

TEST_CASE("a synapse kind without components or with more than four is refused by name") {
  const std::vector<double> area_um2 = {500.0};
  SynapseKind none{"empty", 0.0, 1.0, {}};
  CHECK_THROWS_WITH(SynapseArray(none, {0}, area_um2), Catch::Contains("'empty'"));
  SynapseKind many{"many", 0.0, 1.0, std::vector<ConductanceComponent>(5)};
  CHECK_THROWS_WITH(SynapseArray(many, {0}, area_um2), Catch::Contains("'many'") && Catch::Contains("more than 4"));
}

TEST_CASE("the Hines solve in level order: index order's numbers bit for bit, at any lane count, and the solution") {
  // A branching tree: each node's parent among the 12 nodes before it (many parents with several children).
  std::mt19937_64 random(7);
  const std::size_t n = 400;
  std::vector<int> parent(n, -1);
  for (std::size_t i = 1; i < n; ++i) {
    const std::size_t low = i > 12 ? i - 12 : 0;
    parent[i] = static_cast<int>(low + random() % (i - low));
  }
  std::uniform_real_distribution<double> unit(0.5, 1.5);
  std::vector<double> a(n), b(n), d(n), rhs(n);
  for (std::size_t i = 0; i < n; ++i) {
    a[i] = -unit(random);
    b[i] = -unit(random);
    d[i] = 8.0 + unit(random);
    rhs[i] = unit(random) - 1.0;
  }
  const HinesSolver solver(parent);

  const std::vector<int>& order = solver.level_order();
  REQUIRE(order.size() == n);
  CHECK(order[0] == 0);
  std::vector<std::size_t> position(n);
  for (std::size_t k = 0; k < n; ++k) position[static_cast<std::size_t>(order[k])] = k;
  for (std::size_t i = 1; i < n; ++i) CHECK(position[static_cast<std::size_t>(parent[i])] < position[i]);

  // The textbook solve in index order (§11.5), the kernel's operations one by one.
  std::vector<double> d_index = d, x_index = rhs;
  for (std::size_t i = n - 1; i >= 1; --i) {
    const auto p = static_cast<std::size_t>(parent[i]);
    const double reciprocal = 1.0 / d_index[i];
    d_index[p] = d_index[p] - a[i] * b[i] * reciprocal;
    x_index[p] = x_index[p] - a[i] * reciprocal * x_index[i];
    d_index[i] = reciprocal;
  }
  x_index[0] = x_index[0] / d_index[0];
  for (std::size_t i = 1; i < n; ++i)
    x_index[i] = (x_index[i] - b[i] * x_index[static_cast<std::size_t>(parent[i])]) * d_index[i];

  for (const std::size_t lanes : {std::size_t{1}, std::size_t{3}, std::size_t{8}, std::size_t{11}}) {
    INFO("lanes " << lanes);
    std::vector<double> d_lanes(n * lanes), x_lanes(n * lanes);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t l = 0; l < lanes; ++l) {
        d_lanes[i * lanes + l] = d[i];
        x_lanes[i * lanes + l] = rhs[i];
      }
    solver.solve(d_lanes.data(), x_lanes.data(), a.data(), b.data(), lanes);
    std::size_t equal = 0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t l = 0; l < lanes; ++l) equal += x_lanes[i * lanes + l] == x_index[i] ? 1 : 0;
    CHECK(equal == n * lanes);
  }
  // And it is the solution: row i reads d_i x_i + b_i x_p + sum over children c of a_c x_c = rhs_i.
  std::vector<double> residual = rhs;
  for (std::size_t i = 0; i < n; ++i) residual[i] -= d[i] * x_index[i];
  for (std::size_t i = 1; i < n; ++i) {
    const auto p = static_cast<std::size_t>(parent[i]);
    residual[i] -= b[i] * x_index[p];
    residual[p] -= a[i] * x_index[i];
  }
  for (const double r : residual) CHECK(std::abs(r) < 1e-12);
}

TEST_CASE("the passive mechanism hands its leak to the cable assembly by node; a leak it cannot is added") {
  // Nodes 1 and 4 without an instance, node 6 beyond the last one.
  const PassiveMechanism pas({{0, 3e-5, -70.0}, {2, 1e-4, -90.0}, {3, 5e-5, -65.0}, {5, 2e-5, -80.0}}, 3);
  std::vector<double> g, e;
  REQUIRE(pas.node_leak(7, g, e));
  CHECK(g == std::vector<double>{3e-5, 0, 1e-4, 5e-5, 0, 2e-5, 0});
  CHECK(e == std::vector<double>{-70.0, 0, -90.0, -65.0, 0, -80.0, 0});
  CHECK_FALSE(pas.node_leak(5, g, e));  // an instance beyond the nodes
  // Two instances on one node: no leak by node (the simulation adds its currents).
  const PassiveMechanism doubled({{0, 3e-5, -70.0}, {0, 1e-5, -60.0}}, 1);
  CHECK_FALSE(doubled.node_leak(1, g, e));

  // A cable whose leak is split into two instances on every node (not folded: added as a mechanism)
  // gives the voltages of one instance of the summed leak (folded into the assembly), to rounding; at 1
  // and 5 lanes, under a current pulse, both schemes.
  CellModel folded = cylinder(500, 1, 10, 1e-4, 1.0, 100);
  CellModel added = folded;
  std::vector<PassiveMechanism::Instance> split;
  for (const Segment& seg : added.geometry.segments) {
    split.push_back({seg.node, 0.25e-4, -50.0});
    split.push_back({seg.node, 0.75e-4, -76.66666666666667});  // together g = 1e-4, e = -70 mV
  }
  added.mechanisms = {[split](std::size_t lanes) { return std::make_unique<PassiveMechanism>(split, lanes); }};
  for (const std::size_t lanes : {std::size_t{1}, std::size_t{5}})
    for (const VoltageScheme scheme : {VoltageScheme::backward_euler, VoltageScheme::crank_nicolson}) {
      INFO(lanes << " lanes, scheme " << static_cast<int>(scheme));
      Simulation a(folded, 0.025, lanes), b(added, 0.025, lanes);
      for (Simulation* sim : {&a, &b}) {
        sim->set_voltage_scheme(scheme);
        sim->add_current_clamp({folded.geometry.segments.front().node, 1.0, 5.0, 0.2});
        sim->initialize();
        for (int k = 0; k < 400; ++k) sim->step();
      }
      double worst = 0, moved = 0;
      for (const Segment& seg : folded.geometry.segments)
        for (std::size_t l = 0; l < lanes; ++l) {
          worst = std::max(worst, std::abs(a.voltage_mV(seg.node, l) - b.voltage_mV(seg.node, l)));
          moved = std::max(moved, std::abs(a.voltage_mV(seg.node, l) + 70.0));
        }
      CHECK(moved > 1.0);  // the pulse moved the cable
      CHECK(worst < 1e-9);
    }
}

TEST_CASE("the huge-page allocator: large blocks on 2-MiB boundaries, small ones on cache lines, both usable") {
  using Floats = std::vector<float, neurotwin::HugePageAllocator<float>>;
  for (const std::size_t count : {std::size_t{3}, std::size_t{1000}, std::size_t{1} << 17, std::size_t{3} << 19}) {
    Floats x(count, 1.5f);
    const auto at = reinterpret_cast<std::uintptr_t>(x.data());
    INFO(count << " floats at " << at);
    CHECK(at % 64 == 0);
    if (count * sizeof(float) >= neurotwin::kHugePageBytes / 2) CHECK(at % neurotwin::kHugePageBytes == 0);
    x.back() = 2.5f;
    double sum = 0;
    for (const float v : x) sum += static_cast<double>(v);
    CHECK(sum == 1.5 * static_cast<double>(count - 1) + 2.5);
  }
  // Over-aligned element types keep their alignment below the huge-page size too.
  struct alignas(128) Wide {
    double x[16];
  };
  std::vector<Wide, neurotwin::HugePageAllocator<Wide>> wide(5);
  CHECK(reinterpret_cast<std::uintptr_t>(wide.data()) % 128 == 0);
}
