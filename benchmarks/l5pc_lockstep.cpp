// L5PC simulation throughput (issue 5): the Hay L5PC under Beniaguev's 6-s
// NMDA protocol on one core, in neurotwin's default integration mode
// (Crank-Nicolson, rate tables, dt 0.02) and in NEURON's fixed step
// (backward Euler, exact rates, dt 0.025), with batches of 1, 4 and 8
// simulations advanced in lockstep as the lanes of one Simulation. Prints wall
// seconds per simulated second per simulation (lower is better) and checks
// that every lane's result equals the one-lane run bit for bit. With
// --repeats R every batch size is measured R times, the rounds interleaved
// (1, 4, 8, 1, 4, 8, ...) so that a slow spell of a shared machine does not
// fall on one batch size; the median and the range are printed.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "neurotwin/datasets/input_protocol.hpp"
#include "neurotwin/simulator/builtin_cell.hpp"
#include "neurotwin/simulator/cell_description.hpp"
#include "neurotwin/simulator/neurolucida.hpp"
#include "neurotwin/simulator/recording.hpp"

using namespace neurotwin;

namespace {

std::vector<std::size_t> parse_batches(const std::string& text) {
  std::vector<std::size_t> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(static_cast<std::size_t>(std::stoul(item)));
  return out;
}

bool same_result(const RunResult& a, const RunResult& b) {
  return a.soma_v_mV == b.soma_v_mV && a.soma_v_8perms_mV == b.soma_v_8perms_mV && a.spike_times_ms == b.spike_times_ms;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"L5PC simulation throughput: lockstep batches of simulations on one core"};
  std::string morphology, batches_text = "1,4,8";
  double duration_ms = 6000;
  int simulations = 8, repeats = 1;
  bool neuron_fixed = true;
  app.add_option("--morphology", morphology, "cell1.asc (ModelDB 139653); default: the built-in stylized L5PC");
  app.add_option("--duration-ms", duration_ms, "simulated time per simulation")->check(CLI::Range(100.0, 1e6));
  app.add_option("--simulations", simulations, "simulations per measurement (a multiple of every batch size)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--batches", batches_text, "lockstep batch sizes, comma-separated");
  app.add_option("--repeats", repeats, "measurements per batch size (interleaved rounds; median and range printed)")
      ->check(CLI::Range(1, 100));
  app.add_flag("!--no-neuron-fixed", neuron_fixed, "skip the neuron-fixed mode");
  CLI11_PARSE(app, argc, argv);
  try {
    const std::vector<std::size_t> batches = parse_batches(batches_text);
    for (std::size_t b : batches)
      if (b == 0 || static_cast<std::size_t>(simulations) % b != 0)
        throw std::runtime_error("--simulations must be a multiple of every batch size");
    const Morphology morph = morphology.empty() ? builtin_l5pc_morphology().morphology : read_neurolucida(morphology);
    InputProtocolConfig protocol_config = InputProtocolConfig::preset("nmda");
    protocol_config.duration_ms = duration_ms;

    struct Mode {
      const char* name;
      bool tables;
      VoltageScheme scheme;
      double dt_ms;
    };
    std::vector<Mode> modes = {{"neurotwin (Crank-Nicolson, rate tables, dt 0.02)", true, VoltageScheme::crank_nicolson, 0.02}};
    if (neuron_fixed) modes.push_back({"neuron-fixed (backward Euler, exact rates, dt 0.025)", false, VoltageScheme::backward_euler, 0.025});

    std::printf("Hay L5PC (%s), NMDA protocol, %d simulations of %.0f ms, one core; wall s per simulated s per simulation\n",
                morphology.empty() ? "built-in stylized morphology" : morphology.c_str(), simulations, duration_ms);
    std::printf("NEURON 8.2 on this machine class (../shared/reference/timing.md): 7.25 fixed step, 12.7 CVODE\n");
    for (const Mode& mode : modes) {
      const CellModel cell = build_described_cell(morph, hay_l5pc_description(), {}, mode.tables);
      const InputProtocol protocol(protocol_config, cell, 1);
      std::vector<std::vector<InputEvent>> inputs;
      std::size_t events = 0;
      for (int k = 0; k < simulations; ++k) {
        inputs.push_back(protocol.events(static_cast<std::uint64_t>(k)));
        events += inputs.back().size();
      }
      RunOptions options;
      options.dt_ms = mode.dt_ms;
      options.scheme = mode.scheme;
      options.duration_ms = duration_ms;
      std::printf("%s, %zu input events per simulation on average\n", mode.name, events / static_cast<std::size_t>(simulations));
      std::vector<RunResult> single;
      std::vector<std::vector<double>> rates(batches.size());
      for (int round = 0; round < repeats; ++round)
        for (std::size_t b = 0; b < batches.size(); ++b) {
          const std::size_t batch = batches[b];
          std::vector<RunResult> results;
          const auto start = std::chrono::steady_clock::now();
          for (std::size_t first = 0; first < inputs.size(); first += batch) {
            std::vector<std::vector<InputEvent>> group(inputs.begin() + static_cast<std::ptrdiff_t>(first),
                                                       inputs.begin() + static_cast<std::ptrdiff_t>(first + batch));
            std::vector<RunResult> r = run_cells(cell, std::move(group), options, std::vector<std::uint64_t>(batch, 0));
            for (RunResult& x : r) results.push_back(std::move(x));
          }
          const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          rates[b].push_back(wall / (static_cast<double>(simulations) * duration_ms / 1000.0));
          if (single.empty()) single = results;
          bool identical = results.size() == single.size();
          for (std::size_t k = 0; identical && k < results.size(); ++k) identical = same_result(results[k], single[k]);
          if (!identical) {
            std::printf("  batch %zu: RESULTS DIFFER FROM THE FIRST MEASUREMENT\n", batch);
            return 1;
          }
        }
      std::size_t spikes = 0;
      for (const RunResult& r : single) spikes += r.spike_times_ms.size();
      auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
      };
      const double first_rate = median(rates.front());
      for (std::size_t b = 0; b < batches.size(); ++b) {
        const double rate = median(rates[b]);
        const auto [low, high] = std::minmax_element(rates[b].begin(), rates[b].end());
        std::printf("  batch %zu: %6.3f s/s", batches[b], rate);
        if (repeats > 1) std::printf(" (median of %d, range %.3f-%.3f)", repeats, *low, *high);
        std::printf("   %.2fx batch %zu; %.1fx faster than NEURON's CVODE run   %zu output spikes\n", first_rate / rate,
                    batches.front(), 12.7 / rate, spikes);
      }
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}
