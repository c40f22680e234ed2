// Streams N surrogate neurons for a while, one millisecond at a time, with
// Poisson input spikes: what a network simulation would do with a fitted
// surrogate in place of a compartmental cell.
//
//   stream_neurons MODEL.pt [--neurons 100] [--duration-ms 1000] [--exc-rate-hz 12] [--inh-rate-hz 6] [--seed 1]
//
// MODEL.pt is an export of `neurotwin export` (e.g. models/l5pc-nmda.pt).
// Each neuron draws its own rate per input channel, uniformly in
// [0, 2 x the mean rate] (excitatory channels s < S, one per synapse segment s;
// inhibitory channels S + s). The defaults are about the NMDA protocol's mean
// rates per segment (spec §9.1: 0-800 excitatory spikes per 100 ms per tree).
#include <neurotwin/surrogate/surrogate_stream.hpp>

#include <chrono>
#include <cstdio>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <exception>
#include <random>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL.pt [--neurons N] [--duration-ms T] [--exc-rate-hz R] [--inh-rate-hz R] [--seed S]\n",
                 argv[0]);
    return 2;
  }
  const std::string model = argv[1];
  int neurons = 100, duration_ms = 1000;
  double exc_rate_hz = 12.0, inh_rate_hz = 6.0;
  unsigned seed = 1;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--neurons") neurons = std::atoi(value.c_str());
    else if (key == "--duration-ms") duration_ms = std::atoi(value.c_str());
    else if (key == "--exc-rate-hz") exc_rate_hz = std::atof(value.c_str());
    else if (key == "--inh-rate-hz") inh_rate_hz = std::atof(value.c_str());
    else if (key == "--seed") seed = static_cast<unsigned>(std::atoi(value.c_str()));
    else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      return 2;
    }
  }
  try {
    torch::set_num_threads(1);
    neurotwin::SurrogateStream stream(neurotwin::load_stream_weights(model), neurons);
    const int channels = stream.weights().input_channels();
    std::printf("%s: %d input channels, receptive field %d ms, spike threshold %.4g\n", model.c_str(), channels,
                stream.weights().receptive_field_ms(), stream.weights().operating_threshold);

    // The inputs, drawn before the clock starts: per neuron and channel a Poisson train (geometric gaps between
    // 1-ms bins with an event), sorted into per-ms lists of (neuron, channel).
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<std::vector<std::pair<int, int>>> events(static_cast<std::size_t>(duration_ms));
    std::size_t input_events = 0;
    for (int n = 0; n < neurons; ++n)
      for (int c = 0; c < channels; ++c) {
        const double mean_hz = c < channels / 2 ? exc_rate_hz : inh_rate_hz;
        const double p = 2.0 * mean_hz * uniform(random) * 1e-3;  // probability of an event in a bin
        if (p <= 0) continue;
        std::geometric_distribution<int> gap(std::min(p, 1.0));
        for (int t = gap(random); t < duration_ms; t += 1 + gap(random)) {
          events[static_cast<std::size_t>(t)].emplace_back(n, c);
          ++input_events;
        }
      }

    // A predicted spike: a run of bins at or above the threshold (counted where it starts).
    std::vector<int> spikes(static_cast<std::size_t>(neurons), 0);
    std::vector<std::uint8_t> above(static_cast<std::size_t>(neurons), 0);
    double soma_sum_mV = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int t = 0; t < duration_ms; ++t) {
      const neurotwin::StreamStep& out = stream.step(events[static_cast<std::size_t>(t)]);
      for (int n = 0; n < neurons; ++n) {
        const auto k = static_cast<std::size_t>(n);
        spikes[k] += out.spike[k] && !above[k];
        above[k] = out.spike[k];
        soma_sum_mV += static_cast<double>(out.soma_v_mV[k]);
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    int total = 0, silent = 0;
    for (int s : spikes) {
      total += s;
      silent += s == 0;
    }
    std::printf("streamed %d neurons for %d ms: %zu input events, %d predicted spikes (%.2f Hz per neuron, %d silent), "
                "mean soma %.2f mV\n",
                neurons, duration_ms, input_events, total, total / (neurons * duration_ms * 1e-3), silent,
                soma_sum_mV / (static_cast<double>(neurons) * duration_ms));
    std::printf("streaming took %.3f s wall (one thread): %.0f neuron-ms per wall s\n", seconds,
                static_cast<double>(neurons) * duration_ms / seconds);
    return 0;
  } catch (const std::exception& e) {  // neurotwin::InputError names the file; c10::Error from LibTorch
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
