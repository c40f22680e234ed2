// Streaming inference: a TorchScript export run one millisecond at a time
// equals its windowed forward pass, bin for bin.
#include "torch_first.hpp"

#include <torch/script.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <random>

#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/exporter.hpp"
#include "neurotwin/surrogate/surrogate_stream.hpp"
#include "neurotwin/surrogate/tcn_model.hpp"
#include "test_support.hpp"

using namespace neurotwin;

namespace {

// A model with non-trivial batch-norm statistics, exported.
std::string export_model(const test::TempDir& dir, TcnConfig config, const std::string& name, bool pooled) {
  torch::manual_seed(21);
  TcnModel model(config);
  if (pooled) {
    std::vector<std::int64_t> group(static_cast<std::size_t>(config.input_channels));
    for (std::size_t c = 0; c < group.size(); ++c) group[c] = static_cast<std::int64_t>(c % static_cast<std::size_t>(config.input_projection));
    model->set_input_pooling(group);
  }
  model->train();
  for (int i = 0; i < 4; ++i) model->forward((torch::rand({4, config.input_channels, 80}) < 0.1).to(torch::kFloat32));
  model->eval();
  ExportMetadata meta;
  meta.input_descriptions.assign(static_cast<std::size_t>(config.input_channels), "channel");
  meta.operating_threshold = 0.3;
  const std::string path = dir.file(name + ".pt");
  export_torchscript(model, -67.5, -55.0, path, meta, false);
  return path;
}

// Streams `neurons` random inputs for `length` ms and compares every bin with the export's forward pass.
void check_stream_equals_window(const std::string& path, int neurons, int length, double density) {
  StreamWeights weights = load_stream_weights(path);
  CHECK(weights.soma_bias_mV == Approx(-67.5));
  CHECK(weights.operating_threshold == Approx(0.3));
  const int C = weights.input_channels();
  std::mt19937 random(5);
  std::bernoulli_distribution spike(density);
  torch::Tensor x = torch::zeros({neurons, C, length});
  std::vector<std::vector<std::pair<int, int>>> events(static_cast<std::size_t>(length));
  for (int t = 0; t < length; ++t)
    for (int n = 0; n < neurons; ++n)
      for (int c = 0; c < C; ++c)
        if (spike(random)) {
          x.index_put_({n, c, t}, 1.0f);
          events[static_cast<std::size_t>(t)].emplace_back(n, c);
        }
  torch::jit::Module module = torch::jit::load(path);
  const auto out = module.forward({x}).toTuple();
  const torch::Tensor p = out->elements()[0].toTensor(), v = out->elements()[1].toTensor();
  SurrogateStream stream(weights, neurons);
  double max_p = 0, max_v = 0;
  for (int t = 0; t < length; ++t) {
    const StreamStep& s = stream.step(events[static_cast<std::size_t>(t)]);
    for (int n = 0; n < neurons; ++n) {
      const double pw = p[n][t].item<double>(), vw = v[n][t].item<double>();
      const double ps = s.spike_probability[static_cast<std::size_t>(n)], vs = s.soma_v_mV[static_cast<std::size_t>(n)];
      max_p = std::max(max_p, std::abs(ps - pw) / std::max(1e-3, pw));
      max_v = std::max(max_v, std::abs(vs - vw) / std::abs(vw));
      CHECK(s.spike[static_cast<std::size_t>(n)] == (s.spike_probability[static_cast<std::size_t>(n)] >= 0.3f ? 1 : 0));
    }
  }
  INFO("largest relative difference: spike probability " << max_p << ", soma " << max_v);
  CHECK(max_p <= 1e-5);
  CHECK(max_v <= 1e-5);
  CHECK(stream.time_ms() == length);
  stream.reset();
  CHECK(stream.time_ms() == 0);
}

}  // namespace

TEST_CASE("streaming equals the windowed forward pass: plain TCN (a kernel per input channel)") {
  test::TempDir dir("stream_plain");
  TcnConfig config{40, 3, 8, 12, 5};
  check_stream_equals_window(export_model(dir, config, "plain", false), 3, 200, 0.03);
}

TEST_CASE("streaming equals the windowed forward pass: pooled inputs with boxcar first kernels, depth 1 and 4") {
  test::TempDir dir("stream_pooled");
  for (int depth : {1, 4}) {
    TcnConfig config{60, depth, 6, 20, 4};
    config.input_projection = 5;
    config.fixed_projection = true;
    config.first_layer_windows_ms = {2, 5, 10, 20};
    check_stream_equals_window(export_model(dir, config, "pooled" + std::to_string(depth), true), 4, 180, 0.05);
  }
}

TEST_CASE("streaming equals the windowed forward pass: learned projection, one neuron") {
  test::TempDir dir("stream_projection");
  TcnConfig config{30, 2, 7, 9, 3};
  config.input_projection = 4;
  check_stream_equals_window(export_model(dir, config, "projection", false), 1, 150, 0.05);
}

TEST_CASE("streaming: bad events and files are named") {
  test::TempDir dir("stream_bad");
  TcnConfig config{10, 2, 4, 5, 3};
  const std::string path = export_model(dir, config, "m", false);
  SurrogateStream stream(load_stream_weights(path), 2);
  CHECK_THROWS_WITH(stream.step({{2, 0}}), Catch::Contains("neuron 2"));
  CHECK_THROWS_WITH(stream.step({{0, 10}}), Catch::Contains("channel 10"));
  CHECK_THROWS_WITH(load_stream_weights(dir.file("none.pt")), Catch::Contains("none.pt"));
  std::ofstream(dir.file("junk.pt")) << "not a model";
  CHECK_THROWS_WITH(load_stream_weights(dir.file("junk.pt")), Catch::Contains("junk.pt"));
  CHECK_THROWS_AS(SurrogateStream(load_stream_weights(path), 0), InputError);
}

TEST_CASE("the Python example streams an export over a NEURON reference file, equal to the window, as neurotwin predict scores it", "[python]") {
  test::TempDir dir("stream_python");
  TcnConfig config{1278, 2, 6, 30, 5};
  config.input_projection = 8;
  const std::string model = export_model(dir, config, "l5pc_like", false);
  const std::string reference = std::string(NEUROTWIN_SHARED_DIR) + "/reference/nmda_seed1_cvode.h5";
  const auto py = test::run_python(std::string(NEUROTWIN_SOURCE_DIR) + "/examples/python/predict_reference.py " + model + " " +
                                   reference + " --stream");
  INFO(py.output);
  REQUIRE(py.status == 0);
  CHECK_THAT(py.output, Catch::Contains("streaming vs windowed") && Catch::Contains("spike AUC"));
  const auto cpp = test::run_command(std::string(NEUROTWIN_BINARY) + " predict --model " + model + " --inputs " + reference +
                                     " --output " + dir.file("p.h5"));
  INFO(cpp.output);
  REQUIRE(cpp.status == 0);
  // The same AUC, printed by both (4 decimals).
  auto auc_in = [](const std::string& text) {
    const auto at = text.find("spike AUC ");
    return at == std::string::npos ? std::string() : text.substr(at + 10, 6);
  };
  CHECK_FALSE(auc_in(py.output).empty());
  CHECK(auc_in(py.output) == auc_in(cpp.output));
}
