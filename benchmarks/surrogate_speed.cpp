// Surrogate against simulator (issue 15): simulated milliseconds per wall second
// per neuron, one core, on Hay-cell inputs under the NMDA protocol: neurotwin's
// L5PC simulation (default integration, lockstep batch 8) beside TCN surrogates
// streamed one millisecond at a time (SurrogateStream) for N = 1, 64, 1024
// neurons, and, when python3 with torch is there, the same exports' windowed
// TorchScript forward in PyTorch. The timed networks have the study's
// architecture (inputs pooled into 18 groups, boxcar first kernel; --plain adds
// Beniaguev's plain TCN) and random weights (speed does not depend on them);
// --model adds a trained export. Every repeat times everything once
// (interleaved); medians are printed, with ratios to the simulation.
#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "neurotwin/datasets/input_protocol.hpp"
#include "neurotwin/simulator/builtin_cell.hpp"
#include "neurotwin/simulator/cell_description.hpp"
#include "neurotwin/simulator/neurolucida.hpp"
#include "neurotwin/simulator/recording.hpp"
#include "neurotwin/surrogate/exporter.hpp"
#include "neurotwin/surrogate/surrogate_stream.hpp"
#include "neurotwin/surrogate/tcn_model.hpp"

using namespace neurotwin;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(item);
  return out;
}

// "3x64" -> {3, 64}
std::pair<int, int> shape_of(const std::string& text) {
  const auto x = text.find('x');
  if (x == std::string::npos) throw std::runtime_error("network '" + text + "': expected DEPTHxWIDTH, e.g. 3x64");
  return {std::stoi(text.substr(0, x)), std::stoi(text.substr(x + 1))};
}

std::string python_window(const std::string& script, const std::string& model, int neurons, int ms, double density) {
  std::ostringstream cmd;
  cmd << "/usr/bin/python3 " << script << " " << model << " " << neurons << " " << ms << " " << density << " 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.str().c_str(), "r"), pclose);
  if (!pipe) return "";
  char buf[256];
  std::string out;
  while (fgets(buf, sizeof buf, pipe.get())) out += buf;
  const auto at = out.find("neuron_ms_per_s ");
  return at == std::string::npos ? "" : out.substr(at + 16, out.find('\n', at) - at - 16);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n == 0 ? std::nan("") : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// A random-weight export of `depth` x `width`: the study's architecture (inputs pooled into 18 groups, boxcar
// first kernel) or Beniaguev's plain TCN (a first kernel per input channel).
std::string export_network(const fs::path& dir, int channels, int depth, int width, int first_kernel, int kernel, bool plain) {
  torch::manual_seed(1);
  TcnConfig config{channels, depth, width, first_kernel, kernel};
  if (!plain) {
    config.input_projection = 18;
    config.fixed_projection = true;
    config.first_layer_windows_ms = {2, 5, 10, 20, 50, 100};
    for (int& w : config.first_layer_windows_ms) w = std::min(w, first_kernel);
  }
  TcnModel m(config);
  if (!plain) {
    std::vector<std::int64_t> group(static_cast<std::size_t>(channels));
    for (std::size_t c = 0; c < group.size(); ++c) group[c] = static_cast<std::int64_t>(c % 18);
    m->set_input_pooling(group);
  }
  m->eval();
  ExportMetadata meta;
  meta.input_descriptions.assign(static_cast<std::size_t>(channels), "synapse");
  const std::string path = (dir / (std::to_string(depth) + "x" + std::to_string(width) + (plain ? "-plain" : "-pooled") + ".pt")).string();
  export_torchscript(m, -70.0, -55.0, path, meta, true);
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"surrogate streaming speed against the L5PC simulation, one core: medians of interleaved repeats"};
  std::string morphology, networks_text = "1x128,3x64,7x128", neurons_text = "1,64,1024", model;
  double duration_ms = 500;
  int first_kernel = 100, kernel = 11, repeats = 3;
  bool python = true, plain = false;
  app.add_option("--morphology", morphology, "cell1.asc (ModelDB 139653); default: the built-in stylized L5PC");
  app.add_option("--duration-ms", duration_ms, "simulated ms per measurement")->check(CLI::Range(100.0, 1e5));
  app.add_option("--networks", networks_text, "networks to time (random weights), DEPTHxWIDTH, comma-separated");
  app.add_flag("--plain", plain, "also time them as Beniaguev's plain TCN (a first kernel per input channel)");
  app.add_option("--neurons", neurons_text, "neurons per stream, comma-separated");
  app.add_option("--first-kernel-ms", first_kernel, "first-layer kernel of the timed networks");
  app.add_option("--kernel-ms", kernel, "later kernels of the timed networks");
  app.add_option("--model", model, "also time this trained export (e.g. models/l5pc-nmda-d7_w32.pt)");
  app.add_option("--repeats", repeats, "interleaved repeats of every measurement (medians are printed)")->check(CLI::Range(1, 100));
  app.add_flag("!--no-python", python, "skip the windowed forward in PyTorch");
  CLI11_PARSE(app, argc, argv);
  try {
    torch::set_num_threads(1);
    const Morphology morph = morphology.empty() ? builtin_l5pc_morphology().morphology : read_neurolucida(morphology);
    const CellModel cell = build_described_cell(morph, hay_l5pc_description(), {}, true);
    InputProtocolConfig protocol_config = InputProtocolConfig::preset("nmda");
    protocol_config.duration_ms = duration_ms;
    const InputProtocol protocol(protocol_config, cell, 1);
    const int distinct = 8;  // input patterns, reused round-robin over the neurons
    std::vector<std::vector<InputEvent>> inputs;
    std::size_t events = 0;
    for (int k = 0; k < distinct; ++k) {
      inputs.push_back(protocol.events(static_cast<std::uint64_t>(k)));
      events += inputs.back().size();
    }
    const auto channels = static_cast<int>(cell.input_count());
    const auto T = static_cast<int>(duration_ms);
    const double density = static_cast<double>(events) / distinct / T / channels;
    // Events per pattern per ms.
    std::vector<std::vector<std::vector<int>>> per_ms(distinct, std::vector<std::vector<int>>(static_cast<std::size_t>(T)));
    for (int k = 0; k < distinct; ++k)
      for (const InputEvent& e : inputs[static_cast<std::size_t>(k)]) {
        const auto t = static_cast<int>(e.time_ms);
        if (t >= 0 && t < T) per_ms[static_cast<std::size_t>(k)][static_cast<std::size_t>(t)].push_back(e.channel);
      }

    const fs::path tmp = fs::temp_directory_path() / ("neurotwin-surrogate-speed-" + std::to_string(std::random_device{}()));
    fs::create_directories(tmp);
    std::vector<std::pair<std::string, std::string>> exports;
    for (const std::string& net : split(networks_text)) {
      const auto [depth, width] = shape_of(net);
      exports.emplace_back(net + " pooled", export_network(tmp, channels, depth, width, first_kernel, kernel, false));
      if (plain) exports.emplace_back(net + " plain", export_network(tmp, channels, depth, width, first_kernel, kernel, true));
    }
    if (!model.empty()) exports.emplace_back(fs::path(model).stem().string(), model);
    std::vector<int> neuron_counts;
    for (const std::string& n_text : split(neurons_text)) neuron_counts.push_back(std::stoi(n_text));
    std::vector<StreamWeights> weights;
    for (const auto& e : exports) {
      weights.push_back(load_stream_weights(e.second));
      if (weights.back().input_channels() != channels) throw std::runtime_error(e.second + ": not a model of this cell's inputs");
    }
    const std::string script = (fs::path(NEUROTWIN_BENCHMARKS_DIR) / "surrogate_window.py").string();

    // Every repeat times the simulation and then every (network, N), so that load changes hit all alike.
    RunOptions options;
    options.duration_ms = duration_ms;
    options.dt_ms = 0.02;
    options.scheme = VoltageScheme::crank_nicolson;
    std::vector<double> sim_rates;
    std::vector<std::vector<double>> stream_rates(exports.size() * neuron_counts.size()),
        window_rates(exports.size() * neuron_counts.size());
    for (int r = 0; r < repeats; ++r) {
      auto start = Clock::now();
      run_cells(cell, std::vector<std::vector<InputEvent>>(inputs), options, std::vector<std::uint64_t>(inputs.size(), 0));
      sim_rates.push_back(distinct * duration_ms / seconds_since(start));  // neuron-ms per wall s
      for (std::size_t e = 0; e < exports.size(); ++e)
        for (std::size_t i = 0; i < neuron_counts.size(); ++i) {
          const int N = neuron_counts[i];
          SurrogateStream stream(weights[e], N);
          std::vector<std::pair<int, int>> step_events;
          double stepping = 0;
          for (int t = 0; t < T; ++t) {
            step_events.clear();
            for (int n = 0; n < N; ++n)
              for (int c : per_ms[static_cast<std::size_t>(n % distinct)][static_cast<std::size_t>(t)]) step_events.emplace_back(n, c);
            start = Clock::now();
            stream.step(step_events);
            stepping += seconds_since(start);
          }
          stream_rates[e * neuron_counts.size() + i].push_back(N * duration_ms / stepping);
          if (python) {
            // The dense window holds N x channels x ms floats: at most 2e8 (800 MB).
            const int ms = std::max(200, std::min(T, static_cast<int>(2e8 / (static_cast<double>(N) * channels))));
            const std::string py = python_window(script, exports[e].second, N, ms, density);
            if (!py.empty()) window_rates[e * neuron_counts.size() + i].push_back(std::stod(py));
          }
        }
    }
    fs::remove_all(tmp);

    const double sim_rate = median(sim_rates);
    std::printf("Hay L5PC (%s), NMDA protocol, %d input channels, %.2f input spikes per ms; one core; medians of %d "
                "interleaved repeats of %.0f simulated ms\n",
                morphology.empty() ? "built-in stylized morphology" : morphology.c_str(), channels,
                static_cast<double>(events) / distinct / T, repeats, duration_ms);
    std::printf("%-30s %8s %9s %16s %10s\n", "", "neurons", "MACs/ms", "neuron-ms/wall s", "vs sim");
    std::printf("%-30s %8d %9s %16.1f %10s   (lockstep batch 8, default integration)\n", "simulation", distinct, "-", sim_rate, "1.0x");
    for (std::size_t e = 0; e < exports.size(); ++e)
      for (std::size_t i = 0; i < neuron_counts.size(); ++i) {
        const std::size_t k = e * neuron_counts.size() + i;
        const std::int64_t macs = weights[e].dense_macs_per_ms();
        const double rate = median(stream_rates[k]);
        std::printf("%-30s %8d %9lld %16.1f %9.1fx   streamed (C++ SurrogateStream%s)\n", exports[e].first.c_str(),
                    neuron_counts[i], static_cast<long long>(macs), rate, rate / sim_rate,
                    weights[e].streams_boxcars() ? ", boxcar sums" : ", event-driven first layer");
        if (!window_rates[k].empty()) {
          const double w = median(window_rates[k]);
          std::printf("%-30s %8d %9s %16.1f %9.1fx   windowed forward, PyTorch (Python)\n", exports[e].first.c_str(),
                      neuron_counts[i], "", w, w / sim_rate);
        }
      }
    std::printf("MACs/ms: the layers after the first, per neuron (the first layer's cost depends on the input instead)\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}
