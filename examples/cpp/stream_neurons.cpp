// Streams N surrogate neurons for a while, one millisecond at a time, with
// Poisson input spikes: what a network simulation would do with a fitted
// surrogate in place of a compartmental cell.
//
//   stream_neurons MODEL.pt [--neurons 100] [--duration-ms 1000] [--rate-hz 5] [--seed 1]
//
// MODEL.pt is an export of `neurotwin export` (e.g. models/l5pc-nmda.pt).
// Each neuron draws its own mean rate per input channel, uniformly in
// [0, 2 x --rate-hz]; channel s < S is the excitatory synapse on segment s,
// S + s the inhibitory one.
#include <neurotwin/surrogate/surrogate_stream.hpp>

#include <chrono>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <random>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL.pt [--neurons N] [--duration-ms T] [--rate-hz R] [--seed S]\n", argv[0]);
    return 2;
  }
  const std::string model = argv[1];
  int neurons = 100, duration_ms = 1000;
  double rate_hz = 5.0;
  unsigned seed = 1;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--neurons") neurons = std::atoi(value.c_str());
    else if (key == "--duration-ms") duration_ms = std::atoi(value.c_str());
    else if (key == "--rate-hz") rate_hz = std::atof(value.c_str());
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

    // Per neuron and channel: the probability of an input spike in a 1-ms bin.
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<double> p_input(static_cast<std::size_t>(neurons) * static_cast<std::size_t>(channels));
    for (double& p : p_input) p = 2.0 * rate_hz * uniform(random) * 1e-3;

    // A predicted spike: a run of bins at or above the threshold (counted where it starts).
    std::vector<int> spikes(static_cast<std::size_t>(neurons), 0);
    std::vector<std::uint8_t> above(static_cast<std::size_t>(neurons), 0);
    std::vector<std::pair<int, int>> events;
    double soma_sum_mV = 0;
    std::size_t input_events = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int t = 0; t < duration_ms; ++t) {
      events.clear();
      for (int n = 0; n < neurons; ++n)
        for (int c = 0; c < channels; ++c)
          if (uniform(random) < p_input[static_cast<std::size_t>(n) * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)])
            events.emplace_back(n, c);
      input_events += events.size();
      const neurotwin::StreamStep& out = stream.step(events);
      for (int n = 0; n < neurons; ++n) {
        const auto k = static_cast<std::size_t>(n);
        spikes[k] += out.spike[k] && !above[k];
        above[k] = out.spike[k];
        soma_sum_mV += static_cast<double>(out.soma_v_mV[static_cast<std::size_t>(n)]);
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
    std::printf("%.3f s wall (one thread): %.0f neuron-ms per wall s\n", seconds,
                static_cast<double>(neurons) * duration_ms / seconds);
    return 0;
  } catch (const std::exception& e) {  // neurotwin::InputError names the file; c10::Error from LibTorch
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
