#include "torch_first.hpp"

#include <catch2/catch.hpp>
#include <algorithm>
#include <array>
#include <random>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "neurotwin/datasets/dataset_generation.hpp"
#include "neurotwin/simulator/builtin_cell.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/evaluator.hpp"
#include "neurotwin/surrogate/exporter.hpp"
#include "neurotwin/surrogate/input_events.hpp"
#include "neurotwin/surrogate/metrics.hpp"
#include "neurotwin/surrogate/tcn_model.hpp"
#include "neurotwin/surrogate/trainer.hpp"
#include "neurotwin/surrogate/dendrite_pca.hpp"
#include "builtin_dataset.hpp"
#include "test_support.hpp"

using namespace neurotwin;
namespace fs = std::filesystem;

TEST_CASE("metrics against values worked out by hand") {
  // Positives score 0.35 and 0.8; negatives 0.1 and 0.4: 3 of 4 pairs ordered.
  CHECK(roc_auc({0.1f, 0.4f, 0.35f, 0.8f}, {0, 0, 1, 1}) == Approx(0.75));
  CHECK(roc_auc({0.5f, 0.5f, 0.5f, 0.5f}, {0, 1, 0, 1}) == Approx(0.5));  // ties count half
  CHECK(roc_auc({1.f, 2.f, 3.f}, {1, 0, 0}) == Approx(0.0));
  CHECK(std::isnan(roc_auc({1.f, 2.f}, {0, 0})));
  // Descending: P(0.9) N(0.8) P(0.7) P(0.6) N(0.5) N(0.4).
  const std::vector<float> s = {0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f};
  const std::vector<char> l = {1, 0, 1, 1, 0, 0};
  CHECK(tpr_at_fpr(s, l, 0.0) == Approx(1.0 / 3));
  CHECK(tpr_at_fpr(s, l, 0.3) == Approx(1.0 / 3));
  CHECK(tpr_at_fpr(s, l, 0.34) == Approx(1.0));
  CHECK(functional_complexity_index(0.9) == Approx(1.0));
  CHECK(functional_complexity_index(0.99) == Approx(0.5));
  CHECK(functional_complexity_index(0.999) == Approx(0.0).margin(1e-12));
  CHECK(std::isnan(functional_complexity_index(1.0)));
  CHECK(rmse({1, 2, 3}, {1, 2, 5}) == Approx(std::sqrt(4.0 / 3)));
  CHECK(explained_variance({2, 3, 4, 5}, {1, 2, 3, 4}) == Approx(1.0));  // a constant offset is not variance
  CHECK(explained_variance({2.5f, 2.5f, 2.5f, 2.5f}, {1, 2, 3, 4}) == Approx(0.0));
  CHECK(explained_variance({1, 2, 3, 5}, {1, 2, 3, 4}) == Approx(1.0 - 0.1875 / 1.25));
}

namespace {

TcnModel trained_looking_model(int channels, int input_projection = 0) {
  torch::manual_seed(3);
  TcnConfig config{channels, 3, 6, 7, 4};
  config.input_projection = input_projection;
  TcnModel model(config);
  // Give batch norm non-trivial running statistics.
  model->train();
  for (int i = 0; i < 5; ++i) model->forward(torch::rand({4, channels, 50}).round());
  model->eval();
  return model;
}

}  // namespace

namespace {

// Binary input with events at the first and last bins of every channel's
// reach, and duplicates given to the builder.
InputEvents sparse_input(std::int64_t batch, std::int64_t channels, std::int64_t length, double density, std::uint64_t seed) {
  torch::manual_seed(seed);
  torch::Tensor x = (torch::rand({batch, channels, length}) < density).to(torch::kFloat32);
  x.index_put_({0, 0, 0}, 1.0f);
  x.index_put_({batch - 1, channels - 1, length - 1}, 1.0f);
  InputEvents e = InputEvents::from_dense(x);
  REQUIRE(torch::equal(e.to_dense(torch::kCPU), x));
  return e;
}

}  // namespace

TEST_CASE("event-driven input convolution equals the dense causal conv1d, forward and backward") {
  const std::int64_t batch = 3, channels = 37, length = 90, out_channels = 11, kernel = 13;
  const InputEvents events = sparse_input(batch, channels, length, 0.03, 7);
  CHECK(events.count() > 200);
  torch::manual_seed(3);
  const torch::Tensor w0 = torch::randn({out_channels, channels, kernel});
  const torch::Tensor b0 = torch::randn({out_channels});
  const torch::Tensor upstream = torch::randn({batch, out_channels, length});

  auto run = [&](bool event_driven) {
    torch::Tensor w = w0.clone().requires_grad_(true), b = b0.clone().requires_grad_(true);
    torch::Tensor y;
    if (event_driven) {
      y = event_conv1d(events, w, b);
    } else {
      namespace F = torch::nn::functional;
      const torch::Tensor x = F::pad(events.to_dense(torch::kCPU), F::PadFuncOptions({kernel - 1, 0}));
      y = F::conv1d(x, w, F::Conv1dFuncOptions().bias(b));
    }
    (y * upstream).sum().backward();
    return std::vector<torch::Tensor>{y.detach(), w.grad(), b.grad()};
  };
  torch::set_num_threads(1);
  const auto dense = run(false);
  const auto sparse = run(true);
  REQUIRE(sparse[0].sizes() == dense[0].sizes());
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("tensor " << i << " max |difference| " << (sparse[i] - dense[i]).abs().max().item<float>());
    CHECK(torch::allclose(sparse[i], dense[i], 1e-5, 1e-4));
  }
  // Weights of channel-time pairs without events get exactly zero gradient.
  torch::Tensor only_first = torch::zeros({1, channels, length});
  only_first.index_put_({0, 5, 0}, 1.0f);
  torch::Tensor w = w0.clone().requires_grad_(true), b = b0.clone().requires_grad_(true);
  event_conv1d(InputEvents::from_dense(only_first), w, b).sum().backward();
  const torch::Tensor touched = w.grad().abs().sum(std::vector<std::int64_t>{0, 2}) > 0;
  CHECK(touched.sum().item<std::int64_t>() == 1);
  CHECK(touched[5].item<bool>());

  // The same numbers, bit for bit, with more threads.
  torch::set_num_threads(2);
  const auto threaded = run(true);
  for (std::size_t i = 0; i < 3; ++i) CHECK(torch::equal(threaded[i], sparse[i]));
  torch::set_num_threads(1);

  CHECK_THROWS_AS(InputEventsBuilder(1, 2, 3).add(0, 2, 0), InputError);
  CHECK_THROWS_WITH(event_conv1d(events, torch::zeros({2, channels + 1, 3}), torch::zeros({2})), Catch::Contains("input channels"));
}

TEST_CASE("input events: rows come out ordered by item, channel, bin, without duplicates, whatever the order added") {
  std::mt19937 random(7);
  std::vector<std::array<std::int32_t, 3>> rows;
  for (int i = 0; i < 3000; ++i)
    rows.push_back({static_cast<std::int32_t>(random() % 3), static_cast<std::int32_t>(random() % 17),
                    static_cast<std::int32_t>(random() % 50)});
  for (bool time_sorted : {false, true}) {
    if (time_sorted)  // the usual case: a simulation's events in time order
      std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a[2] < b[2]; });
    InputEventsBuilder builder(3, 17, 50);
    for (const auto& r : rows) builder.add(r[0], r[1], r[2]);
    const InputEvents e = builder.finish();
    std::vector<std::array<std::int32_t, 3>> expected = rows;
    std::sort(expected.begin(), expected.end());
    expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
    REQUIRE(e.count() == static_cast<std::int64_t>(expected.size()));
    const std::int32_t* got = e.rows.data_ptr<std::int32_t>();
    bool same = true;
    for (std::size_t i = 0; i < expected.size(); ++i)
      for (std::size_t j = 0; j < 3; ++j) same = same && got[3 * i + j] == expected[i][j];
    CHECK(same);
  }
}

TEST_CASE("TCN: output at time t does not depend on inputs after t") {
  TcnModel model = trained_looking_model(10);
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::rand({2, 10, 80}).lt(0.1).to(torch::kFloat);
  const auto a = model->forward(x);
  CHECK((a.spike_logit.sizes() == std::vector<std::int64_t>{2, 80}));
  const int t0 = 40;
  torch::Tensor y = x.clone();
  y.narrow(2, t0 + 1, 80 - t0 - 1).fill_(1.0);
  const auto b = model->forward(y);
  CHECK(torch::equal(a.spike_logit.narrow(1, 0, t0 + 1), b.spike_logit.narrow(1, 0, t0 + 1)));
  CHECK(torch::equal(a.soma.narrow(1, 0, t0 + 1), b.soma.narrow(1, 0, t0 + 1)));
  // ... and does depend on inputs at and before t (the test can fail).
  CHECK_FALSE(torch::equal(a.spike_logit.narrow(1, t0 + 1, 10), b.spike_logit.narrow(1, t0 + 1, 10)));
  CHECK(model->config().receptive_field_ms() == 7 + 2 * 3);
  CHECK(model->macs_per_ms() == 10 * 6 * 7 + 2 * 6 * 6 * 4 + 2 * 6);
}

TEST_CASE("factorized input layer: events equal dense, causal, counted, and the base-rate bias") {
  const int channels = 23, branches = 3;
  TcnModel model = trained_looking_model(channels, branches);
  CHECK(model->input_projection_weight().sizes() == std::vector<std::int64_t>{branches, channels, 1});
  CHECK(model->parameter_count() == channels * branches + (branches * 6 * 7 + 6) + 2 * (6 * 6 * 4 + 6) + 3 * 2 * 6 + 2 * 7);
  CHECK(model->macs_per_ms() == channels * branches + branches * 6 * 7 + 2 * 6 * 6 * 4 + 2 * 6);
  torch::NoGradGuard no_grad;
  const InputEvents events = sparse_input(2, channels, 70, 0.05, 11);
  const auto a = model->forward(events);
  const auto b = model->forward(events.to_dense(torch::kCPU));
  CHECK(torch::allclose(a.spike_logit, b.spike_logit, 1e-5, 1e-5));
  CHECK(torch::allclose(a.soma, b.soma, 1e-5, 1e-5));
  // Output bin t does not see inputs after t.
  torch::Tensor later = events.to_dense(torch::kCPU);
  later.narrow(2, 41, 29).fill_(1.0);
  const auto c = model->forward(later);
  CHECK(torch::equal(b.spike_logit.narrow(1, 0, 41), c.spike_logit.narrow(1, 0, 41)));
  CHECK_FALSE(torch::equal(b.spike_logit.narrow(1, 41, 10), c.spike_logit.narrow(1, 41, 10)));

  model->set_spike_base_rate(0.001);
  CHECK(model->spike_head()->bias.item<double>() == Approx(std::log(0.001 / 0.999)));
  CHECK_THROWS_WITH(TcnModel(TcnConfig{channels, 1, 4, 5, 3, 0, -1}), Catch::Contains("input_projection"));
}

TEST_CASE("pooled input layer: a fixed 0/1 projection, not learned, events equal dense") {
  const int channels = 6;
  TcnConfig config{channels, 2, 4, 5, 3};
  config.input_projection = 2;
  config.fixed_projection = true;
  TcnModel model(config);
  model->set_input_pooling({0, 1, 1, 0, 1, 1});
  const torch::Tensor w = model->input_projection_weight();
  CHECK(torch::equal(w.squeeze(2), torch::tensor({1.f, 0.f, 0.f, 1.f, 0.f, 0.f, 0.f, 1.f, 1.f, 0.f, 1.f, 1.f}).view({2, 6})));
  for (const auto& p : model->named_parameters()) CHECK(p.key().find("pooling") == std::string::npos);
  CHECK(model->parameter_count() == (2 * 4 * 5 + 4) + (4 * 4 * 3 + 4) + 2 * 2 * 4 + 2 * 5);
  CHECK_THROWS_WITH(model->set_input_pooling({0, 1, 2, 0, 1, 1}), Catch::Contains("out of range"));
  model->eval();
  torch::NoGradGuard no_grad;
  const InputEvents events = sparse_input(2, channels, 40, 0.1, 5);
  CHECK(torch::allclose(model->forward(events).spike_logit, model->forward(events.to_dense(torch::kCPU)).spike_logit, 1e-5,
                        1e-5));
}

TEST_CASE("boxcar first layer: kernels are sums of boxcars; saved, loaded and counted as such") {
  const int channels = 5;
  TcnConfig config{channels, 2, 3, 6, 3};
  config.first_layer_windows_ms = {2, 6};
  TcnModel model(config);
  // Coefficients [3, 5, 2]: the kernel (last tap = current bin) is c0 + c1
  // at lags 0-1 and c1 at lags 2-5.
  torch::Tensor c;
  for (const auto& p : model->named_parameters())
    if (p.key() == "conv0_boxcar_coefficients") c = p.value();
  REQUIRE(c.defined());
  CHECK(c.sizes() == std::vector<std::int64_t>{3, channels, 2});
  {
    torch::NoGradGuard no_grad;
    const torch::Tensor w = model->folded_layer(0).first;  // batch norm at init: scale 1/sqrt(1 + eps)
    const torch::Tensor expected_lag0 = (c.select(2, 0) + c.select(2, 1)) / std::sqrt(1 + 1e-5);
    const torch::Tensor expected_lag5 = c.select(2, 1) / std::sqrt(1 + 1e-5);
    CHECK(torch::allclose(w.select(2, 5), expected_lag0, 1e-5, 1e-6));
    CHECK(torch::allclose(w.select(2, 4), expected_lag0, 1e-5, 1e-6));
    CHECK(torch::allclose(w.select(2, 0), expected_lag5, 1e-5, 1e-6));
  }
  // conv0's own weight is derived, not trained or counted.
  CHECK(model->parameter_count() == (3 * channels * 2 + 3) + (3 * 3 * 3 + 3) + 2 * 2 * 3 + 2 * 4);
  model->eval();
  torch::NoGradGuard no_grad;
  const InputEvents events = sparse_input(2, channels, 30, 0.1, 4);
  const auto a = model->forward(events);
  CHECK(torch::allclose(a.spike_logit, model->forward(events.to_dense(torch::kCPU)).spike_logit, 1e-5, 1e-5));
  test::TempDir dir("boxcar");
  save_trained(model, -60.0, -55.0, nullptr, dir.file("m.pt"));
  TrainedSurrogate t = load_trained(dir.file("m.pt"), torch::kCPU);
  CHECK(t.model->config().first_layer_windows_ms == std::vector<int>{2, 6});
  CHECK(torch::equal(t.model->forward(events).spike_logit, a.spike_logit));
  config.first_layer_windows_ms = {7};
  CHECK_THROWS_WITH(TcnModel(config), Catch::Contains("first_layer_windows_ms"));
}

TEST_CASE("TorchScript export: Python's torch.jit.load gives the C++ model's outputs", "[python]") {
  const int channels = 12, bins = 90;
  const int projection = GENERATE(0, 4);
  INFO("input_projection " << projection);
  TcnModel model = trained_looking_model(channels, projection);
  test::TempDir dir("export");
  const std::string path = dir.file("model.pt");
  ExportMetadata meta;
  for (int c = 0; c < channels; ++c) meta.input_descriptions.push_back("channel " + std::to_string(c));
  export_torchscript(model, -67.5, -55.0, path, meta, false);
  CHECK(fs::exists(path));
  CHECK(fs::exists(dir.file("model.yaml")));
  {
    std::ifstream sidecar(dir.file("model.yaml"));
    std::ostringstream buffer;
    buffer << sidecar.rdbuf();
    const std::string text = buffer.str();
    CHECK_THAT(text, Catch::Contains("input_projection: " + std::to_string(projection)) &&
                         Catch::Contains(projection > 0 ? "learned 1x1 projection" : "one kernel per input channel"));
  }
  CHECK_THROWS_WITH(export_torchscript(model, -67.5, -55.0, path, meta, false), Catch::Contains("already exists"));
  CHECK_NOTHROW(export_torchscript(model, -67.5, -55.0, path, meta, true));

  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::rand({3, channels, bins}).lt(0.15).to(torch::kFloat).contiguous();
  const auto out = model->forward(x);
  const torch::Tensor p = torch::sigmoid(out.spike_logit).contiguous();
  const torch::Tensor v = (out.soma + -67.5).contiguous();
  auto dump = [&](const torch::Tensor& t, const std::string& name) {
    std::ofstream f(dir.file(name), std::ios::binary);
    f.write(reinterpret_cast<const char*>(t.data_ptr<float>()), static_cast<std::streamsize>(t.numel() * 4));
  };
  dump(x, "x.f32");
  dump(p, "p.f32");
  dump(v, "v.f32");
  const auto result = test::run_python(std::string(NEUROTWIN_TESTS_DIR) + "/python/check_export.py " + path + " " +
                                       dir.path().string() + " 3 " + std::to_string(channels) + " " + std::to_string(bins));
  INFO(result.output);
  CHECK(result.status == 0);
}

namespace {

// Two short datasets (train: 3 simulations, valid: 2) of the built-in cell
// with dendritic voltages.
struct TinyData {
  test::TempDir dir{"train"};
  TargetConventions targets;
  SurrogateData train, valid;
  TinyData() {
    test::write_builtin_dataset(dir.file("train.h5"), 5, 700, 0, 3, true);
    test::write_builtin_dataset(dir.file("valid.h5"), 5, 700, 3, 2, true);
    train = SurrogateData::open({dir.file("train.h5")}, targets);
    valid = SurrogateData::open({dir.file("valid.h5")}, targets);
  }
};

void require_same_weights(const std::string& a_path, const std::string& b_path) {
  const TrainedSurrogate a = load_trained(a_path, torch::kCPU);
  const TrainedSurrogate b = load_trained(b_path, torch::kCPU);
  const auto pa = a.model->named_parameters(), pb = b.model->named_parameters();
  REQUIRE(pa.size() == pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    INFO(pa[i].key());
    CHECK(torch::equal(pa[i].value(), pb[i].value()));
  }
  CHECK(a.soma_bias_mV == b.soma_bias_mV);
}

}  // namespace

TEST_CASE("training: stage table, Nadam, dendritic PCA head; a resumed run ends with the same weights") {
  TinyData data;
  TcnConfig mc{static_cast<int>(data.train.input_count()), 2, 4, 9, 3};
  TrainingConfig tc;
  tc.batch_size = 2;
  tc.window_ms = 100;
  tc.validate_every = 3;
  tc.checkpoint_every = 3;
  tc.optimizer = OptimizerKind::nadam;
  tc.dendrite_pca_components = 3;
  tc.stages = {{4, 3e-3, {1.0, 0.02, 0.1}}, {5, 1e-3, {2.0, 0.01, 0.05}}};
  CHECK(tc.total_steps() == 9);
  CHECK(tc.stage_of(4) == 0);
  CHECK(tc.stage_of(5) == 1);
  torch::set_num_threads(1);
  SingleProcess one;

  std::vector<TrainingProgress> seen;
  const TrainingResult whole =
      train_tcn(mc, tc, data.train, data.valid, data.dir.file("whole"), torch::kCPU, one,
                [&](const TrainingProgress& p) { seen.push_back(p); });
  REQUIRE(seen.size() == 9);
  CHECK(seen[3].learning_rate == 3e-3);
  CHECK(seen[4].learning_rate == 1e-3);
  CHECK(seen[4].stage == 1);
  CHECK(whole.steps_done == 9);
  CHECK(whole.dendrite_pca_explained_variance > 0.5);
  CHECK(whole.dendrite_pca_explained_variance <= 1.0);
  const TrainedSurrogate best = load_trained(whole.best_model_path, torch::kCPU);
  CHECK(best.model->config().dendrite_outputs == 3);
  CHECK(best.dendrite_pca.components() == 3);

  // Interrupted after step 6 (a checkpoint), then rerun: same weights, even
  // across the stage change, with Nadam's state and the PCA restored.
  TrainingConfig first_part = tc;
  first_part.stages = {{4, 3e-3, {1.0, 0.02, 0.1}}, {2, 1e-3, {2.0, 0.01, 0.05}}};
  train_tcn(mc, first_part, data.train, data.valid, data.dir.file("resumed"), torch::kCPU, one);
  const TrainingResult resumed = train_tcn(mc, tc, data.train, data.valid, data.dir.file("resumed"), torch::kCPU, one);
  CHECK(resumed.steps_done == 9);
  CHECK(whole.best_step == resumed.best_step);
  require_same_weights(whole.best_model_path, resumed.best_model_path);

  // The event-driven and the dense input layer train to the same network
  // (float tolerance). The convolutions' biases are excepted: batch norm
  // removes them, so their gradient is rounding noise that Adam's
  // normalization turns into steps of the learning rate's size, and their
  // shift is cancelled by the running mean in the outputs compared below.
  TrainingConfig dense = tc;
  dense.input_layer = InputLayer::dense;
  const TrainingResult dense_result = train_tcn(mc, dense, data.train, data.valid, data.dir.file("dense"), torch::kCPU, one);
  {
    TrainedSurrogate a = load_trained(whole.best_model_path, torch::kCPU);
    TrainedSurrogate b = load_trained(dense_result.best_model_path, torch::kCPU);
    const auto pa = a.model->named_parameters(), pb = b.model->named_parameters();
    for (std::size_t i = 0; i < pa.size(); ++i) {
      if (pa[i].key().rfind("conv", 0) == 0 && pa[i].key().find(".bias") != std::string::npos) continue;
      INFO(pa[i].key() << " max |difference| " << (pa[i].value() - pb[i].value()).abs().max().item<float>());
      // 1e-4 absolute: the BLAS's rounding (OpenBLAS vs the reference BLAS differ at 1.7e-5 here after 9 Adam
      // steps) stays far below one step of the learning rate (1e-3-3e-3), which a wrong gradient would show.
      CHECK(torch::allclose(pa[i].value(), pb[i].value(), 1e-4, 1e-4));
    }
    torch::manual_seed(9);
    const torch::Tensor x = (torch::rand({2, mc.input_channels, 300}) < 0.02).to(torch::kFloat32);
    const auto oa = a.model->forward(InputEvents::from_dense(x));
    const auto ob = b.model->forward(x);
    INFO("max |difference|: spike logit " << (oa.spike_logit - ob.spike_logit).abs().max().item<float>() << ", soma "
                                          << (oa.soma - ob.soma).abs().max().item<float>() << ", dendrite "
                                          << (oa.dendrite - ob.dendrite).abs().max().item<float>());
    CHECK(torch::allclose(oa.spike_logit, ob.spike_logit, 1e-3, 1e-3));
    CHECK(torch::allclose(oa.soma, ob.soma, 1e-3, 1e-3));
    // Measured: 1.5e-3 on the dendritic components (3 of them, unit variance)
    // since the spike head starts at the base rate.
    CHECK(torch::allclose(oa.dendrite, ob.dendrite, 1e-3, 3e-3));
  }

  // A different model in the same directory is refused, not silently mixed.
  TcnConfig other = mc;
  other.width = 5;
  CHECK_THROWS_WITH(train_tcn(other, tc, data.train, data.valid, data.dir.file("resumed"), torch::kCPU, one),
                    Catch::Contains("different model"));
}

TEST_CASE("training: early stopping, and a non-finite loss keeps the last good checkpoint") {
  TinyData data;
  TcnConfig mc{static_cast<int>(data.train.input_count()), 1, 3, 9, 3};
  TrainingConfig tc;
  tc.batch_size = 2;
  tc.window_ms = 50;
  tc.validate_every = 1;
  tc.checkpoint_every = 2;
  tc.early_stopping_validations = 2;
  tc.stages = {{60, 1e-6, {1.0, 0.0, 0.0}}};  // too small a step to improve twice in a row
  torch::set_num_threads(1);
  SingleProcess one;
  const TrainingResult r = train_tcn(mc, tc, data.train, data.valid, data.dir.file("early"), torch::kCPU, one);
  CHECK(r.stopped_early);
  CHECK(r.steps_done < 60);
  CHECK(r.steps_done >= r.best_step + 2);
  // Rerunning a stopped run does not train on.
  const TrainingResult again = train_tcn(mc, tc, data.train, data.valid, data.dir.file("early"), torch::kCPU, one);
  CHECK(again.steps_done == r.steps_done);

  TrainingConfig bad = tc;
  bad.early_stopping_validations = 0;
  bad.stages = {{200, 1e30, {1.0, 1.0, 0.0}}};
  bad.checkpoint_every = 1;
  auto failure = [&] {
    try {
      train_tcn(mc, bad, data.train, data.valid, data.dir.file("nan"), torch::kCPU, one);
    } catch (const TrainingError& e) {
      return std::string(e.what());
    }
    return std::string("no TrainingError");
  };
  const std::string message = failure();
  INFO(message);
  CHECK((message.find("loss is") != std::string::npos || message.find("non-finite gradient") != std::string::npos));
  CHECK(message.find("last good checkpoint (step") != std::string::npos);
  // The checkpoint was not overwritten by the failing step: a rerun resumes
  // from it and fails at the same step, with the same message.
  CHECK(failure() == message);
}

TEST_CASE("training with pooled inputs: the trainer sets the groups from the segment table; they are saved") {
  TinyData data;
  TcnConfig mc{static_cast<int>(data.train.input_count()), 1, 4, 9, 3};
  mc.input_pooling_band_um = 100;
  TrainingConfig tc;
  tc.batch_size = 2;
  tc.window_ms = 100;
  tc.validate_every = 2;
  tc.checkpoint_every = 2;
  tc.stages = {{2, 1e-3, {1.0, 0.02, 0.0}}};
  torch::set_num_threads(1);
  SingleProcess one;
  const TrainingResult r = train_tcn(mc, tc, data.train, data.valid, data.dir.file("pooled"), torch::kCPU, one);
  const TrainedSurrogate t = load_trained(r.best_model_path, torch::kCPU);
  const InputPooling expected = pool_inputs(data.train.segments(), uniform_distance_edges_um(data.train.segments(), 100));
  CHECK(t.model->config().fixed_projection);
  CHECK(t.model->config().input_projection == static_cast<int>(expected.group_names.size()));
  const torch::Tensor w = t.model->input_projection_weight().squeeze(2);
  for (std::size_t c = 0; c < expected.group_of_channel.size(); ++c) {
    CHECK(w.select(1, static_cast<std::int64_t>(c)).sum().item<float>() == 1.0f);
    CHECK(w[expected.group_of_channel[c]][static_cast<std::int64_t>(c)].item<float>() == 1.0f);
  }
}
