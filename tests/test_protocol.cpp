#include <catch2/catch.hpp>
#include <cmath>

#include "neurotwin/datasets/dataset_generation.hpp"
#include "neurotwin/datasets/input_protocol.hpp"
#include "neurotwin/datasets/random_stream.hpp"
#include "neurotwin/datasets/replay.hpp"
#include "neurotwin/simulator/builtin_cell.hpp"
#include "neurotwin/simulator/input_error.hpp"

using namespace neurotwin;

namespace {
const CellModel& builtin_cell() {
  static const CellModel cell = build_simple_cell(builtin_pyramidal_morphology(), SimpleBiophysics{});
  return cell;
}
}  // namespace

TEST_CASE("random streams depend only on (seed, index, purpose)") {
  RandomStream a(7, 3, 1), b(7, 3, 1), c(7, 4, 1), d(8, 3, 1);
  const auto x = a.next_u64();
  CHECK(x == b.next_u64());
  CHECK(x != c.next_u64());
  CHECK(x != d.next_u64());
  RandomStream u(1, 0, 0);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    const double v = u.uniform();
    REQUIRE(v >= 0.0);
    REQUIRE(v < 1.0);
    sum += v;
  }
  CHECK(sum / 100000 == Approx(0.5).epsilon(0.01));
}

TEST_CASE("input protocol: the release test equals u < -mean ln(1 - x) computed every time") {
  RandomStream r(11, 0, 0);
  std::size_t released = 0, at_boundary = 0;
  for (int i = 0; i < 200000; ++i) {
    const double mean = i % 7 == 0 ? 0.0 : std::pow(10.0, -4.0 + 4.0 * r.uniform());  // 1e-4 ... 1 per bin
    const double x = i % 5 == 0 ? 1.0 - std::ldexp(r.uniform(), -40) : r.uniform();  // also x near 1
    const double p = -mean * std::log1p(-x);
    double u = r.uniform();
    if (i % 3 == 0 && p < 1.0) {  // right at the boundary: u = p and its neighbours
      u = std::nextafter(p, i % 2 ? 2.0 : -1.0);
      u = u < 0.0 ? 0.0 : u;
      ++at_boundary;
    }
    INFO("mean " << mean << " x " << x << " u " << u);
    REQUIRE(input_released(mean, x, u) == (u < p));
    released += u < p;
  }
  CHECK(released > 10000);
  CHECK(at_boundary > 10000);
}

TEST_CASE("input protocol: same seed and index give the same events") {
  InputProtocolConfig config;
  config.duration_ms = 1000;
  const InputProtocol p(config, builtin_cell(), 42);
  const auto e1 = p.events(5), e2 = p.events(5), e3 = p.events(6);
  REQUIRE(e1.size() == e2.size());
  for (std::size_t i = 0; i < e1.size(); ++i) {
    CHECK(e1[i].time_ms == e2[i].time_ms);
    CHECK(e1[i].channel == e2[i].channel);
  }
  CHECK(e1.size() != e3.size());
  for (std::size_t i = 1; i < e1.size(); ++i) CHECK(e1[i - 1].time_ms <= e1[i].time_ms);
  for (const auto& e : e1) {
    CHECK(e.time_ms == std::floor(e.time_ms));  // events at integer ms (spec §9.3)
    CHECK(e.channel >= 0);
    CHECK(e.channel < static_cast<int>(builtin_cell().input_count()));
  }
}

TEST_CASE("input protocol: produced spikes match the requested rates") {
  InputProtocolConfig config;
  config.duration_ms = 6000;
  const InputProtocol p(config, builtin_cell(), 3);
  const std::size_t n = p.segment_count();
  double expected[2] = {0, 0}, produced[2] = {0, 0};
  for (std::uint64_t sim = 0; sim < 24; ++sim) {
    InputDrive drive;
    const auto events = p.events(sim, &drive);
    for (std::size_t row = 0; row < drive.rows; ++row)
      for (std::size_t t = 0; t < drive.bins; ++t) expected[row < n ? 0 : 1] += drive.spike_probability(row, t);
    for (const auto& e : events) produced[static_cast<std::size_t>(e.channel) < n ? 0 : 1] += 1;
    CHECK(drive.rate_change_interval_ms >= 5);
    CHECK(drive.smoothing_sigma_ms >= 5);
  }
  for (int k = 0; k < 2; ++k) {
    INFO((k == 0 ? "excitatory" : "inhibitory") << ": expected " << expected[k] << ", produced " << produced[k]);
    // Poisson counts of ~1e5: 4 standard deviations is ~1.3%.
    CHECK(produced[k] == Approx(expected[k]).epsilon(4.0 / std::sqrt(expected[k])));
  }
  // Protocol expectation: E ~ U(0, 800) spikes per 100 ms per tree, 400 on
  // average for each of the two trees; the zero-padded smoothing loses a few
  // percent at both ends of the simulation.
  const double excitatory_per_100ms = produced[0] / (24 * 6000.0 / 100.0);
  INFO("excitatory spikes per 100 ms over the cell: " << excitatory_per_100ms);
  CHECK(excitatory_per_100ms == Approx(800.0).epsilon(0.2));
  // Inhibition minus excitation ~ U(-600, 200) (floored at 0): on average inhibition is lower.
  CHECK(produced[1] < produced[0]);
}

TEST_CASE("input protocol: rates per tree and the excitation/inhibition balance match the protocol") {
  InputProtocolConfig config;  // nmda preset: E ~ U(0, 800), I ~ U(max(0, E - 600), E + 200) per 100 ms
  config.duration_ms = 6000;
  const InputProtocol p(config, builtin_cell(), 8);
  const std::vector<SegmentInfo> table = segment_table(builtin_cell());
  const std::size_t n = table.size();
  // [tree][0 excitatory, 1 inhibitory]
  double produced[2][2] = {{0, 0}, {0, 0}}, expected[2][2] = {{0, 0}, {0, 0}};
  const int sims = 32;
  for (int sim = 0; sim < sims; ++sim) {
    InputDrive drive;
    for (const auto& e : p.events(static_cast<std::uint64_t>(sim), &drive)) {
      const auto c = static_cast<std::size_t>(e.channel);
      produced[table[c % n].tree == "apical"][c >= n] += 1;
    }
    for (std::size_t row = 0; row < drive.rows; ++row)
      for (std::size_t t = 0; t < drive.bins; ++t)
        expected[table[row % n].tree == "apical"][row >= n] += drive.spike_probability(row, t);
  }
  const double windows = sims * 6000.0 / 100.0;
  for (int tree = 0; tree < 2; ++tree) {
    const double exc = produced[tree][0] / windows, inh = produced[tree][1] / windows;
    INFO((tree ? "apical" : "basal") << " tree per 100 ms: excitatory " << exc << ", inhibitory " << inh);
    for (int kind = 0; kind < 2; ++kind)
      CHECK(produced[tree][kind] == Approx(expected[tree][kind]).epsilon(4.0 / std::sqrt(expected[tree][kind])));
    // E[E] = 400; zero-padded smoothing loses ~2-4 % at the ends of 6-s simulations; the
    // rate draws (~60 intervals per simulation) leave a few % of sampling noise.
    CHECK(exc == Approx(400.0 * 0.97).epsilon(0.08));
    // E[I] = 300 + E[max(0, E - 600)] / 2 = 312.5, so I / E = 0.78.
    CHECK(inh / exc == Approx(312.5 / 400.0).epsilon(0.06));
  }
}

TEST_CASE("input protocol: invalid parameters are rejected") {
  InputProtocolConfig config;
  config.basal_excitation = {10, 5};
  CHECK_THROWS_AS(InputProtocol(config, builtin_cell(), 1), InputError);
  CHECK_THROWS_WITH(InputProtocolConfig::preset("gaba"), Catch::Contains("unknown input protocol preset"));
  CHECK(InputProtocolConfig::preset("ampa").basal_excitation.high == 1900);
}

TEST_CASE("replay_inputs runs recorded events on a cell and rejects a step or duration it cannot run") {
  ReplayOptions options;
  CHECK_THROWS_AS(replay_inputs(builtin_cell(), {}, options), InputError);  // dt_ms is the caller's: 0 here
  options.dt_ms = 0.025;
  options.duration_ms = -1;
  CHECK_THROWS_AS(replay_inputs(builtin_cell(), {}, options), InputError);
  options.duration_ms = 20;
  options.record_segments = true;
  const ReplayRun run = replay_inputs(builtin_cell(), {{5.0, 0}, {6.0, 1}}, options);
  CHECK(run.event_count == 2);
  CHECK(run.soma_v_mV.size() == 801);           // t = 0 and 800 steps
  CHECK(run.soma_8perms_v_mV.size() == 160);    // t = 0, 0.125, ... 19.875 ms
  CHECK(run.segment_samples == 20);             // t = 0, 1, ... 19 ms
  CHECK(run.segment_nodes.size() == builtin_cell().input_count() / 2);
  CHECK(run.segment_v_mV.size() == run.segment_nodes.size() * run.segment_samples);
  CHECK(run.dendrite_v_mV.empty());             // no dendrite_node asked for
}
