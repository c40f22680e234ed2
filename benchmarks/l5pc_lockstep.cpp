// L5PC simulation throughput (issue 5): the Hay L5PC under Beniaguev's 6-s
// NMDA protocol on one core, in neurotwin's default integration mode
// (Crank-Nicolson, rate tables, dt 0.02) and in NEURON's fixed step
// (backward Euler, exact rates, dt 0.025), with batches of 1, 4, 8 and 16
// simulations advanced in lockstep as the lanes of one Simulation. Prints wall
// seconds per simulated second per simulation (lower is better) and checks
// that every lane's result equals the one-lane run bit for bit. With
// --repeats R every batch size is measured R times, the rounds interleaved
// (1, 4, 8, 16, 1, 4, ...) so that a slow spell of a shared machine does not
// fall on one batch size; the median and the range are printed.
// With --neuron-model DIR (a user's Hay / Beniaguev L5PC folder with its
// mechanisms compiled; the files are third-party and not part of neurotwin)
// NEURON is timed in the same run on the same input events (CVODE, atol 1e-3,
// Beniaguev's setting; l5pc_neuron_timing.py drives it from Python), once per
// round after the default mode's batches, and the ratios use that median.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "neurotwin/datasets/reference_file.hpp"
#include "neurotwin/simulator/instruction_set.hpp"

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

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

// One simulation's input events in the reference layout (inputs/ex_segment, ...), as NEURON's reference files.
void write_inputs(const std::string& path, const std::vector<InputEvent>& events, std::size_t segments,
                  const std::string& excitation, double duration_ms) {
  std::vector<double> ex_segment, ex_time, inh_segment, inh_time;
  for (const InputEvent& e : events) {
    const auto channel = static_cast<std::size_t>(e.channel);
    (channel < segments ? ex_segment : inh_segment).push_back(static_cast<double>(channel % segments));
    (channel < segments ? ex_time : inh_time).push_back(e.time_ms);
  }
  ReferenceLayoutFile file;
  file.float64 = {{"inputs/ex_segment", ex_segment}, {"inputs/ex_time_ms", ex_time},
                  {"inputs/inh_segment", inh_segment}, {"inputs/inh_time_ms", inh_time}};
  file.text_attributes = {{"excitation", excitation}};
  file.number_attributes = {{"duration_ms", duration_ms}};
  write_reference_layout(path, file);
}

// NEURON's wall s per simulated s on the files (sum over the simulations) and its output spikes.
struct NeuronRun {
  double seconds_per_second = 0;
  std::vector<std::vector<double>> spikes;
};
NeuronRun time_neuron(const std::string& python, const std::string& model_dir, const std::vector<std::string>& inputs,
                      const std::string& output) {
  std::string command = python + " " + NEUROTWIN_BENCHMARKS_DIR + "/l5pc_neuron_timing.py '" + model_dir + "' '" + output + "'";
  for (const std::string& f : inputs) command += " '" + f + "'";
  const std::string log = output + ".log";
  command += " > '" + log + "' 2>&1";  // the model's hoc prints to stdout
  if (std::system(command.c_str()) != 0 || !std::filesystem::exists(output)) {
    std::ifstream messages(log);
    std::string text, line;
    while (std::getline(messages, line)) text += line + "\n";
    throw std::runtime_error("NEURON timing failed: " + command + "\n" + text);
  }
  std::filesystem::remove(log);
  std::ifstream in(output);
  const nlohmann::json result = nlohmann::json::parse(in);
  NeuronRun run;
  double wall = 0, simulated_s = 0;
  for (const auto& sim : result.at("simulations")) {
    wall += sim.at("wall_s").get<double>();
    simulated_s += sim.at("duration_ms").get<double>() / 1000.0;
    run.spikes.push_back(sim.at("spike_times_ms").get<std::vector<double>>());
  }
  run.seconds_per_second = wall / simulated_s;
  std::filesystem::remove(output);
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"L5PC simulation throughput: lockstep batches of simulations on one core"};
  std::string morphology, batches_text = "1,8,16,32";
  double duration_ms = 6000;
  int simulations = 32, repeats = 1;
  bool neuron_fixed = true;
  app.add_option("--morphology", morphology, "cell1.asc (ModelDB 139653); default: the built-in stylized L5PC");
  app.add_option("--duration-ms", duration_ms, "simulated time per simulation")->check(CLI::Range(100.0, 1e6));
  app.add_option("--simulations", simulations, "simulations per measurement (a multiple of every batch size)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--batches", batches_text, "lockstep batch sizes, comma-separated");
  app.add_option("--repeats", repeats, "measurements per batch size (interleaved rounds; median and range printed)")
      ->check(CLI::Range(1, 100));
  app.add_flag("!--no-neuron-fixed", neuron_fixed, "skip the neuron-fixed mode");
  std::string neuron_model, python = "python3";
  int neuron_simulations = 2;
  app.add_option("--neuron-model", neuron_model,
                 "time NEURON (CVODE, atol 1e-3) on the same inputs in the same run: the Hay / Beniaguev L5PC model folder "
                 "(L5PCbiophys5b.hoc, L5PCtemplate_2.hoc, morphologies/cell1.asc, mechanisms compiled with nrnivmodl)")
      ->check(CLI::ExistingDirectory);
  app.add_option("--neuron-simulations", neuron_simulations, "with --neuron-model: how many of the simulations NEURON runs per round")
      ->check(CLI::Range(1, 1024));
  app.add_option("--python", python, "with --neuron-model: the Python interpreter with NEURON's module (python3 -c 'import neuron')");
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
    std::printf("kernels: %s; NEURON 8.2 on this machine class (../shared/reference/timing.md): 7.25 fixed step, 12.7 CVODE\n",
                kernel_instruction_set().c_str());
    const std::filesystem::path scratch =
        std::filesystem::temp_directory_path() / ("neurotwin-l5pc-benchmark-" + std::to_string(::getpid()));
    struct RemoveScratch {
      std::filesystem::path path;
      ~RemoveScratch() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
      }
    } remove_scratch{scratch};
    std::vector<double> neuron_rates;  // NEURON's s/s per round
    NeuronRun neuron_last;
    bool first_mode = true;
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
      std::vector<std::string> neuron_inputs;
      if (first_mode && !neuron_model.empty()) {
        std::filesystem::create_directories(scratch);
        for (int k = 0; k < std::min(neuron_simulations, simulations); ++k) {
          neuron_inputs.push_back((scratch / ("inputs" + std::to_string(k) + ".h5")).string());
          write_inputs(neuron_inputs.back(), inputs[static_cast<std::size_t>(k)], cell.input_count() / 2, "nmda", duration_ms);
        }
      }
      for (int round = 0; round < repeats; ++round) {
        if (!neuron_inputs.empty()) {  // NEURON first in every round, then the batches
          neuron_last = time_neuron(python, neuron_model, neuron_inputs, (scratch / "neuron.json").string());
          neuron_rates.push_back(neuron_last.seconds_per_second);
          std::printf("  round %d: NEURON CVODE %.3f s/s\n", round + 1, neuron_last.seconds_per_second);
        }
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
      }
      std::size_t spikes = 0;
      for (const RunResult& r : single) spikes += r.spike_times_ms.size();
      const auto median = median_of;
      const double first_rate = median(rates.front());
      // The CVODE reference: measured in this run, else timing.md's figure.
      const double cvode = neuron_rates.empty() ? 12.7 : median_of(neuron_rates);
      if (first_mode && !neuron_rates.empty()) {
        const auto [low, high] = std::minmax_element(neuron_rates.begin(), neuron_rates.end());
        std::printf("  NEURON CVODE (atol 1e-3, %zu simulations, %s): %.3f s/s (median of %zu rounds, range %.3f-%.3f)\n",
                    neuron_last.spikes.size(), neuron_model.c_str(), cvode, neuron_rates.size(), *low, *high);
        std::size_t ours = 0, theirs = 0, matched = 0;
        for (std::size_t k = 0; k < neuron_last.spikes.size(); ++k) {
          theirs += neuron_last.spikes[k].size();
          ours += single[k].spike_times_ms.size();
          for (double t : neuron_last.spikes[k])
            matched += std::any_of(single[k].spike_times_ms.begin(), single[k].spike_times_ms.end(),
                                   [t](double u) { return std::abs(u - t) <= 0.5; });
        }
        std::printf("  same inputs: NEURON %zu output spikes, neurotwin %zu, %zu of NEURON's within 0.5 ms\n", theirs, ours,
                    matched);
      }
      for (std::size_t b = 0; b < batches.size(); ++b) {
        const double rate = median(rates[b]);
        const auto [low, high] = std::minmax_element(rates[b].begin(), rates[b].end());
        std::printf("  batch %zu: %6.3f s/s", batches[b], rate);
        if (repeats > 1) std::printf(" (median of %d, range %.3f-%.3f)", repeats, *low, *high);
        std::printf("   %.2fx batch %zu; %.1fx faster than NEURON's CVODE run%s   %zu output spikes\n", first_rate / rate,
                    batches.front(), cvode / rate, neuron_rates.empty() ? " (timing.md)" : " (this run)", spikes);
      }
      first_mode = false;
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}
