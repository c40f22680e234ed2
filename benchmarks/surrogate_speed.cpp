// Surrogate against simulator (issue 15): simulated milliseconds per wall second
// per neuron, one core, on Hay-cell inputs under the NMDA protocol: neurotwin's
// L5PC simulation (default integration, lockstep batch 8) beside TCN surrogates
// streamed one millisecond at a time (SurrogateStream) for N = 1, 64, 1024
// neurons, and, when python3 with torch is there, the same exports' windowed
// TorchScript forward in PyTorch. The networks have random weights (speed does
// not depend on them) unless --model gives a trained export.
#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include <chrono>
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"surrogate streaming speed against the L5PC simulation, one core"};
  std::string morphology, networks_text = "1x128,3x64,7x128", neurons_text = "1,64,1024", model;
  double duration_ms = 1000;
  int first_kernel = 100, kernel = 11;
  bool python = true;
  app.add_option("--morphology", morphology, "cell1.asc (ModelDB 139653); default: the built-in stylized L5PC");
  app.add_option("--duration-ms", duration_ms, "simulated ms per measurement")->check(CLI::Range(100.0, 1e5));
  app.add_option("--networks", networks_text, "plain TCNs (a kernel per synapse) to time, DEPTHxWIDTH, comma-separated");
  app.add_option("--neurons", neurons_text, "neurons per stream, comma-separated");
  app.add_option("--first-kernel-ms", first_kernel, "first-layer kernel of the timed networks");
  app.add_option("--kernel-ms", kernel, "later kernels of the timed networks");
  app.add_option("--model", model, "also time this trained export (e.g. the L5PC study's chosen network)");
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

    // The simulator: default integration, lockstep batch 8.
    RunOptions options;
    options.duration_ms = duration_ms;
    options.dt_ms = 0.02;
    options.scheme = VoltageScheme::crank_nicolson;
    auto start = Clock::now();
    run_cells(cell, std::vector<std::vector<InputEvent>>(inputs), options, std::vector<std::uint64_t>(inputs.size(), 0));
    const double sim_rate = distinct * duration_ms / seconds_since(start);  // neuron-ms per wall s
    std::printf("Hay L5PC (%s), NMDA protocol, %d input channels, %.2f input spikes per ms; one core\n",
                morphology.empty() ? "built-in stylized morphology" : morphology.c_str(), channels,
                static_cast<double>(events) / distinct / T);
    std::printf("%-28s %8s %16s %10s\n", "", "neurons", "neuron-ms/wall s", "vs sim");
    std::printf("%-28s %8d %16.1f %10s\n", "simulation (lockstep 8)", distinct, sim_rate, "1.0x");

    const fs::path tmp = fs::temp_directory_path() / ("neurotwin-surrogate-speed-" + std::to_string(std::random_device{}()));
    fs::create_directories(tmp);
    std::vector<std::pair<std::string, std::string>> exports;
    for (const std::string& net : split(networks_text)) {
      const auto [depth, width] = shape_of(net);
      torch::manual_seed(1);
      TcnModel m(TcnConfig{channels, depth, width, first_kernel, kernel});
      m->eval();
      ExportMetadata meta;
      meta.input_descriptions.assign(static_cast<std::size_t>(channels), "synapse");
      const std::string path = (tmp / (net + ".pt")).string();
      export_torchscript(m, -70.0, -55.0, path, meta, true);
      exports.emplace_back(net + " plain TCN", path);
    }
    if (!model.empty()) exports.emplace_back(fs::path(model).stem().string() + " (trained)", model);
    const std::string script = (fs::path(NEUROTWIN_BENCHMARKS_DIR) / "surrogate_window.py").string();
    for (const auto& [label, path] : exports) {
      const StreamWeights weights = load_stream_weights(path);
      if (weights.input_channels() != channels) throw std::runtime_error(path + ": not a model of this cell's inputs");
      for (const std::string& n_text : split(neurons_text)) {
        const int N = std::stoi(n_text);
        SurrogateStream stream(weights, N);
        std::vector<std::pair<int, int>> step_events;
        start = Clock::now();
        for (int t = 0; t < T; ++t) {
          step_events.clear();
          for (int n = 0; n < N; ++n)
            for (int c : per_ms[static_cast<std::size_t>(n % distinct)][static_cast<std::size_t>(t)]) step_events.emplace_back(n, c);
          stream.step(step_events);
        }
        const double rate = N * duration_ms / seconds_since(start);
        std::printf("%-28s %8d %16.1f %9.1fx   streamed\n", label.c_str(), N, rate, rate / sim_rate);
        if (python) {
          const std::string py = python_window(script, path, N, std::min(T, 2000), density);
          if (!py.empty())
            std::printf("%-28s %8d %16s %9.1fx   windowed forward, PyTorch (Python)\n", label.c_str(), N, py.c_str(),
                        std::stod(py) / sim_rate);
        }
        std::fflush(stdout);
      }
    }
    fs::remove_all(tmp);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}
