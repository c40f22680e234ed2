// Streaming inference: a TorchScript export run one millisecond at a time
// equals its windowed forward pass, bin for bin.
#include "torch_first.hpp"

#include <torch/script.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <sstream>

#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/dendrite_pca.hpp"
#include "neurotwin/surrogate/exporter.hpp"
#include "neurotwin/surrogate/surrogate_stream.hpp"
#include "neurotwin/surrogate/tcn_model.hpp"
#include "test_support.hpp"

using namespace neurotwin;

namespace {

// A model with non-trivial batch-norm statistics, exported.
std::string export_model(const test::TempDir& dir, TcnConfig config, const std::string& name, bool pooled,
                         int dendrite_components = 0) {
  torch::manual_seed(21);
  config.dendrite_outputs = dendrite_components;
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
  if (dendrite_components > 0) {
    // A PCA of made-up segment voltages (one segment per excitatory/inhibitory channel pair).
    std::vector<torch::Tensor> samples{torch::randn({config.input_channels / 2, 400}, torch::kFloat32) * 4 - 65};
    const DendritePca pca = fit_dendrite_pca(samples, dendrite_components);
    export_torchscript(model, -67.5, -55.0, path, meta, false, &pca);
  } else {
    export_torchscript(model, -67.5, -55.0, path, meta, false);
  }
  return path;
}

bool s_size_ok(const SurrogateStream& stream, int neurons, int segments) {
  SurrogateStream copy(stream.weights(), neurons);
  return copy.step({}).dendritic_v_mV.size() == static_cast<std::size_t>(neurons * segments);
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
  const bool dendrites = weights.has_dendrites();
  const auto out = (dendrites ? module.get_method("forward_dendrites")({x}) : module.forward({x})).toTuple();
  const torch::Tensor p = out->elements()[0].toTensor(), v = out->elements()[1].toTensor();
  const torch::Tensor d = dendrites ? out->elements()[2].toTensor() : torch::Tensor();  // [N, S, T]
  SurrogateStream stream(weights, neurons);
  CHECK(stream.dendritic_voltages() == dendrites);
  const int S = weights.dendritic_segments();
  double max_p = 0, max_v = 0, max_d = 0;
  for (int t = 0; t < length; ++t) {
    const StreamStep& s = stream.step(events[static_cast<std::size_t>(t)]);
    for (int n = 0; n < neurons; ++n) {
      const double pw = p[n][t].item<double>(), vw = v[n][t].item<double>();
      const double ps = s.spike_probability[static_cast<std::size_t>(n)], vs = s.soma_v_mV[static_cast<std::size_t>(n)];
      max_p = std::max(max_p, std::abs(ps - pw) / std::max(1e-3, pw));
      max_v = std::max(max_v, std::abs(vs - vw) / std::abs(vw));
      CHECK(s.spike[static_cast<std::size_t>(n)] == (s.spike_probability[static_cast<std::size_t>(n)] >= 0.3f ? 1 : 0));
      for (int i = 0; i < S; ++i) {
        const double dw = d[n][i][t].item<double>();
        const double ds = s.dendritic_v_mV[static_cast<std::size_t>(n * S + i)];
        max_d = std::max(max_d, std::abs(ds - dw) / std::max(1.0, std::abs(dw)));
      }
    }
  }
  INFO("largest relative difference: spike probability " << max_p << ", soma " << max_v << ", dendrites " << max_d);
  CHECK(max_p <= 1e-5);
  CHECK(max_v <= 1e-5);
  CHECK(max_d <= 1e-5);
  CHECK(s_size_ok(stream, neurons, S));
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
    const std::string path = export_model(dir, config, "pooled" + std::to_string(depth), true);
    CHECK(load_stream_weights(path).streams_boxcars());  // running sums, not the event-driven kernel
    check_stream_equals_window(path, 4, 180, 0.05);
  }
}

TEST_CASE("streaming equals the windowed forward pass: learned projection, one neuron") {
  test::TempDir dir("stream_projection");
  TcnConfig config{30, 2, 7, 9, 3};
  config.input_projection = 4;
  check_stream_equals_window(export_model(dir, config, "projection", false), 1, 150, 0.05);
}

TEST_CASE("streaming equals the windowed forward pass: dendritic head (every segment's voltage from the PCA)") {
  test::TempDir dir("stream_dendrites");
  TcnConfig config{24, 2, 6, 10, 4};
  config.input_projection = 4;
  config.fixed_projection = true;
  const std::string path = export_model(dir, config, "dendrites", true, 5);
  check_stream_equals_window(path, 3, 120, 0.05);
  // The window's voltages equal the PCA reconstruction of its components; without the option, no voltages.
  SurrogateStream quiet(load_stream_weights(path), 2, StreamOptions{false});
  CHECK(quiet.step({}).dendritic_v_mV.empty());
  // The sidecar describes the output; a model with a head but no PCA is refused.
  std::ifstream sidecar(sidecar_path(path));
  std::ostringstream text;
  text << sidecar.rdbuf();
  const std::string yaml = text.str();
  CHECK_THAT(yaml, Catch::Contains("dendritic_v_mV") && Catch::Contains("forward_dendrites"));
  config.dendrite_outputs = 5;
  TcnModel model(config);
  model->eval();
  ExportMetadata meta;
  meta.input_descriptions.assign(24, "channel");
  CHECK_THROWS_WITH(export_torchscript(model, -67.5, -55.0, dir.file("nopca.pt"), meta, false),
                    Catch::Contains("nopca.pt") && Catch::Contains("PCA"));
}

TEST_CASE("the PCA reconstruction basis inverts the whitened projection on the principal subspace") {
  torch::manual_seed(3);
  const torch::Tensor mixing = torch::randn({6, 3}, torch::kFloat64);
  const torch::Tensor v = (torch::matmul(mixing, torch::randn({3, 500}, torch::kFloat64)) - 60).to(torch::kFloat32);
  const DendritePca pca = fit_dendrite_pca({v}, 3, /*clip_mV=*/100.0, /*component_clip=*/100.0);
  const torch::Tensor z = pca.project(v).to(torch::kFloat64);  // [3, T]
  const torch::Tensor back = torch::matmul(pca.reconstruction_basis(), z) + pca.mean_mV.view({-1, 1});
  CHECK((back - v.to(torch::kFloat64)).abs().max().item<double>() < 1e-3);
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
  const std::string model = export_model(dir, config, "l5pc_like", false, /*dendrite_components=*/4);
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
  CHECK_THAT(py.output, Catch::Contains("(dendritic voltages)"));
  // predict wrote every segment's voltage, [segments, ms].
  const auto shape = test::run_python("-c \"import h5py; f = h5py.File('" + dir.file("p.h5") +
                                      "', 'r'); print('shape', f['dendritic_v_mV'].shape, f.attrs['duration_ms'])\"");
  INFO(shape.output);
  CHECK_THAT(shape.output, Catch::Contains("shape (639, ") );
}
