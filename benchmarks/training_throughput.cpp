// Training-throughput benchmark (issue 4): one training step (forward, loss,
// backward, Adam) of TCNs on L5PC-like input, with the event-driven and the
// dense first layer, beside the same step written in PyTorch Python (dense,
// Debian's python3-torch: the same LibTorch version) with the same threads,
// measured in the same run. Prints input ms per wall second and ratios.
#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "neurotwin/datasets/input_protocol.hpp"
#include "neurotwin/datasets/random_stream.hpp"
#include "neurotwin/simulator/builtin_cell.hpp"
#include "neurotwin/simulator/cell_description.hpp"
#include "neurotwin/simulator/neurolucida.hpp"
#include "neurotwin/surrogate/allocator_tuning.hpp"
#include "neurotwin/surrogate/training_batch.hpp"

using namespace neurotwin;

namespace {

struct Network {
  int depth, width;
};

std::vector<Network> parse_networks(const std::string& text) {
  std::vector<Network> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    Network n{};
    if (std::sscanf(item.c_str(), "%dx%d", &n.depth, &n.width) != 2) throw std::runtime_error("bad network \"" + item + "\" (want DEPTHxWIDTH)");
    out.push_back(n);
  }
  return out;
}

std::string peak_rss() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return line.substr(6);
  return "unknown";
}

// Seconds per step of the Python reference, run as a child process.
double python_seconds_per_step(const std::string& python, const TcnConfig& c, int batch, long length, int steps, int threads,
                               double density) {
  // The same allocator settings as keep_large_allocations() gives this
  // process (glibc tunables), so that the comparison is of the step alone.
  const std::string command = "GLIBC_TUNABLES=glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=536870912 " +
                              python + " " + NEUROTWIN_BENCHMARKS_DIR "/training_step_reference.py" + " --channels " +
                              std::to_string(c.input_channels) + " --depth " + std::to_string(c.depth) + " --width " +
                              std::to_string(c.width) + " --first-kernel " + std::to_string(c.first_kernel_ms) + " --kernel " +
                              std::to_string(c.kernel_ms) + " --batch " + std::to_string(batch) + " --length " +
                              std::to_string(length) + " --steps " + std::to_string(steps) + " --threads " +
                              std::to_string(threads) + " --density " + std::to_string(density);
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return -1;
  char buf[512];
  double seconds = -1;
  while (std::fgets(buf, sizeof buf, pipe.get()))
    if (std::sscanf(buf, "seconds_per_step %lf", &seconds) == 1) break;
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Training throughput of the event-driven and the dense input layer, against PyTorch Python"};
  std::string morphology, networks_text = "1x128,3x64,7x128", python = "/usr/bin/python3";
  int threads = 2, steps = 4, batch = 8, window = 400, first_kernel = 45, kernel = 19;
  app.add_option("--morphology", morphology, "Neurolucida .asc of the L5PC (cell1.asc: 1278 inputs); default: the embedded stylized L5PC");
  app.add_option("--networks", networks_text, "comma-separated DEPTHxWIDTH")->capture_default_str();
  app.add_option("--threads", threads, "LibTorch threads (both languages)")->capture_default_str();
  app.add_option("--steps", steps, "timed steps per measurement (after 1 warm-up step)")->capture_default_str();
  app.add_option("--batch", batch, "windows per step")->capture_default_str();
  app.add_option("--window", window, "target bins per window (the input adds the receptive field)")->capture_default_str();
  app.add_option("--first-kernel", first_kernel, "first-layer kernel (ms)")->capture_default_str();
  app.add_option("--kernel", kernel, "kernel of the other layers (ms)")->capture_default_str();
  app.add_option("--python", python, "Python with torch for the reference; \"\" to skip it")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    keep_large_allocations();
    torch::set_num_threads(threads);
    const std::vector<Network> networks = parse_networks(networks_text);
    const Morphology morph = morphology.empty() ? builtin_l5pc_morphology().morphology : read_neurolucida(morphology);
    const CellModel cell = build_described_cell(morph, hay_l5pc_description());
    const InputProtocol protocol(InputProtocolConfig::preset("nmda"), cell, 1);
    const long channels = 2 * static_cast<long>(protocol.segment_count());
    const int simulations = 8;
    std::vector<std::vector<InputEvent>> sims;
    double event_count = 0;
    for (int k = 0; k < simulations; ++k) {
      sims.push_back(protocol.events(static_cast<std::uint64_t>(k)));
      event_count += static_cast<double>(sims.back().size());
    }
    const double duration = protocol.config().duration_ms;
    const double density = event_count / (simulations * duration * static_cast<double>(channels));
    std::printf("input: %s, %ld channels, Beniaguev NMDA protocol, %.4f%% of input bins hold a spike (%.1f events/ms)\n",
                morphology.empty() ? "embedded stylized L5PC" : morphology.c_str(), channels, 100 * density,
                event_count / (simulations * duration));
    std::printf("step: batch %d x (%d target ms + receptive field - 1), BCE + MSE loss, backward, Adam; %d LibTorch threads (%d intra-op)\n",
                batch, window, threads, torch::get_num_threads());
    std::printf("%-8s %9s %10s %13s %13s %13s %9s %9s\n", "network", "params", "input ms", "events ms/s", "dense ms/s",
                "python ms/s", "ev/python", "ev/dense");

    for (const Network& n : networks) {
      TcnConfig c{static_cast<int>(channels), n.depth, n.width, first_kernel, kernel};
      const long history = c.receptive_field_ms() - 1;
      const long length = history + window;
      // The same random windows for both layers.
      RandomStream rng(1, 0, 0x62656e63ULL);
      std::vector<TrainingBatch> batches;
      for (int s = 0; s < steps + 1; ++s) {
        TrainingBatch tb;
        tb.history = history;
        InputEventsBuilder builder(batch, channels, length);
        for (int b = 0; b < batch; ++b) {
          const auto& sim = sims[rng.below(static_cast<std::uint64_t>(simulations))];
          const long end = 500 + window + static_cast<long>(rng.below(static_cast<std::uint64_t>(duration - 500 - window)));
          const long begin = end - length;
          for (const InputEvent& e : sim) {
            const auto t = static_cast<long>(e.time_ms);
            if (t >= begin && t < end) builder.add(b, e.channel, t - begin);
          }
        }
        tb.inputs = builder.finish();
        tb.spike_target = (torch::rand({batch, static_cast<long>(window)}) < 0.004).to(torch::kFloat32);
        tb.soma_target = torch::randn({batch, static_cast<long>(window)});
        batches.push_back(std::move(tb));
      }
      double seconds[2] = {0, 0};
      std::int64_t params = 0;
      for (int layer = 0; layer < 2; ++layer) {
        const InputLayer input_layer = layer == 0 ? InputLayer::events : InputLayer::dense;
        torch::manual_seed(1);
        TcnModel model(c);
        params = model->parameter_count();
        torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-4));
        model->train();
        auto start = std::chrono::steady_clock::now();
        for (int s = 0; s < steps + 1; ++s) {
          if (s == 1) start = std::chrono::steady_clock::now();  // step 0 warms up
          const torch::Tensor loss = batch_loss(model, batches[static_cast<std::size_t>(s)], LossWeights{}, input_layer, torch::kCPU);
          optimizer.zero_grad();
          loss.backward();
          optimizer.step();
        }
        seconds[layer] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / steps;
      }
      const double python_seconds = python.empty() ? -1 : python_seconds_per_step(python, c, batch, length, steps, threads, density);
      const double ms = static_cast<double>(batch) * static_cast<double>(length);
      char name[32];
      std::snprintf(name, sizeof name, "%dx%d", n.depth, n.width);
      std::printf("%-8s %9lld %10.0f %13.0f %13.0f %13.0f %9.2f %9.2f\n", name, static_cast<long long>(params), ms,
                  ms / seconds[0], ms / seconds[1], python_seconds > 0 ? ms / python_seconds : 0.0,
                  python_seconds > 0 ? python_seconds / seconds[0] : 0.0, seconds[1] / seconds[0]);
      std::fflush(stdout);
    }
    std::printf("peak RSS of this process:%s\n", peak_rss().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "neurotwin_training_benchmark: %s\n", e.what());
    return 1;
  }
  return 0;
}
