#include "torch_first.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <set>
#include <utility>

#include "neurotwin/datasets/dataset_generation.hpp"
#include "neurotwin/simulator/builtin_cell.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/glm_model.hpp"
#include "neurotwin/surrogate/sweep_results.hpp"
#include "neurotwin/surrogate/trainer.hpp"
#include "builtin_dataset.hpp"
#include "test_support.hpp"

using namespace neurotwin;

namespace {

SegmentInfo segment(const std::string& tree, double distance_um) {
  SegmentInfo s;
  s.tree = tree;
  s.distance_um = distance_um;
  return s;
}

// Four simulations of 1.5 s of the built-in cell (NMDA protocol).
struct GlmData {
  test::TempDir dir{"glm"};
  TargetConventions targets;
  SurrogateData train;
  GlmData() {
    test::write_builtin_dataset(dir.file("train.h5"), 9, 1500, 0, 4, false);
    train = SurrogateData::open({dir.file("train.h5")}, targets);
  }
};

// The features as the GLM defines them, computed the slow way: for bin t,
// the number of distinct (channel, bin) input events of group g in bins
// t - w + 1 .. t.
torch::Tensor brute_force_features(const SurrogateSimulation& sim, const GlmModelImpl& model, std::int64_t bins,
                                   std::int64_t first) {
  const auto& group_of = model.pooling().group_of_channel;
  const auto groups = static_cast<std::int64_t>(model.pooling().group_names.size());
  const auto& windows = model.config().windows_ms;
  std::set<std::pair<std::int64_t, std::int64_t>> events;  // (bin, channel)
  for (std::size_t i = 0; i < sim.input_times_ms.size(); ++i)
    events.insert({static_cast<std::int64_t>(std::floor(sim.input_times_ms[i])), sim.input_channels[i]});
  torch::Tensor x = torch::zeros({bins - first, groups * static_cast<std::int64_t>(windows.size())}, torch::kFloat64);
  for (const auto& [bin, channel] : events)
    for (std::size_t w = 0; w < windows.size(); ++w)
      for (std::int64_t t = std::max(first, bin); t < std::min(bins, bin + windows[w]); ++t)
        x[t - first][group_of[static_cast<std::size_t>(channel)] * static_cast<std::int64_t>(windows.size()) +
                     static_cast<std::int64_t>(w)] += 1.0;
  return x;
}

}  // namespace

TEST_CASE("GLM pooling: excitatory/inhibitory x tree x distance band, empty groups dropped") {
  const std::vector<SegmentInfo> segments = {segment("basal", 50), segment("apical", 250), segment("apical", 900),
                                             segment("basal", 199.9)};
  const InputPooling p = pool_inputs(segments, {200, 600});
  CHECK(p.group_names == std::vector<std::string>{"excitatory basal 0-200 um", "excitatory apical 200-600 um",
                                                  "excitatory apical >600 um", "inhibitory basal 0-200 um",
                                                  "inhibitory apical 200-600 um", "inhibitory apical >600 um"});
  CHECK(p.group_of_channel == std::vector<std::int64_t>{0, 1, 2, 0, 3, 4, 5, 3});
  GlmConfig bad;
  bad.distance_edges_um = {600, 200};
  CHECK_THROWS_WITH(bad.validate(), Catch::Contains("distance_edges_um"));
  bad = GlmConfig{};
  bad.windows_ms = {};
  CHECK_THROWS_WITH(bad.validate(), Catch::Contains("windows_ms"));
}

TEST_CASE("GLM: the fit is the penalized optimum, and its convolution equals the regression on the features") {
  GlmData data;
  torch::set_num_threads(1);
  GlmConfig config;
  config.windows_ms = {2, 10, 50};
  config.l2 = 3.0;
  const double soma_bias = data.train.mean_clipped_soma_mV();
  GlmFitReport report;
  GlmModel glm = fit_glm(config, data.train, data.targets, soma_bias, &report);
  const auto bins = static_cast<std::int64_t>(data.train.bins());
  const std::int64_t first = 500;
  CHECK(report.training_bins == 4 * (bins - first));
  CHECK(report.newton_iterations >= 2);
  const std::int64_t f = glm->feature_count();
  CHECK(f == static_cast<std::int64_t>(glm->pooling().group_names.size()) * 3);
  CHECK(glm->parameter_count() == 2 * (f + 1));

  std::vector<torch::Tensor> xs, ys, vs;
  std::size_t spikes = 0;
  for (std::size_t k = 0; k < data.train.size(); ++k) {
    const SurrogateSimulation sim = data.train.simulation(k);
    xs.push_back(brute_force_features(sim, *glm, bins, first));
    std::vector<double> y(sim.spike_bins.begin() + first, sim.spike_bins.end());
    std::vector<double> v(sim.soma_clipped_mV.begin() + first, sim.soma_clipped_mV.end());
    for (double s : y) spikes += s > 0 ? 1 : 0;
    ys.push_back(torch::tensor(y, torch::kFloat64));
    vs.push_back(torch::tensor(v, torch::kFloat64) - soma_bias);
  }
  REQUIRE(spikes >= 3);
  const torch::Tensor x = torch::cat(xs), y = torch::cat(ys), v = torch::cat(vs);
  // Standardization as documented: mean and (population) standard deviation.
  const torch::Tensor mean = x.mean(0), sd = (x - mean).pow(2).mean(0).sqrt();
  const torch::Tensor xs_std = (x - mean) / torch::where(sd > 1e-12, sd, torch::ones_like(sd));
  const torch::Tensor design = torch::cat({xs_std, torch::ones({x.size(0), 1}, torch::kFloat64)}, 1);
  torch::Tensor penalty = torch::full({f + 1}, config.l2, torch::kFloat64);
  penalty[f] = 0.0;

  // Gradient of the penalized negative log-likelihood at the fitted
  // coefficients: zero (relative to the data's own gradient scale).
  const torch::Tensor beta = glm->spike_coefficients();
  const torch::Tensor p = torch::sigmoid(design.mv(beta));
  const torch::Tensor grad = design.t().mv(p - y) + penalty * beta;
  const double scale = design.abs().t().mv(y).abs().max().item<double>();
  INFO("max |gradient| " << grad.abs().max().item<double>() << " (scale " << scale << ")");
  CHECK(grad.abs().max().item<double>() < 1e-6 * scale);
  // Soma: the ridge normal equations hold.
  const torch::Tensor soma_beta = glm->soma_coefficients();
  const torch::Tensor normal = design.t().mv(design.mv(soma_beta) - v) + penalty * soma_beta;
  CHECK(normal.abs().max().item<double>() < 1e-6 * design.abs().t().mv(v.abs()).max().item<double>());
  // A different coefficient vector has a larger objective (the test can fail).
  auto objective = [&](const torch::Tensor& b) {
    const torch::Tensor z = design.mv(b);
    return (torch::nn::functional::softplus(z) - y * z).sum().item<double>() + 0.5 * (penalty * b * b).sum().item<double>();
  };
  torch::Tensor nudged = beta.clone();
  nudged[0] += 0.05;
  CHECK(objective(nudged) > objective(beta));

  // The model's convolution on the events gives the regression's outputs.
  InputEventsBuilder builder(static_cast<std::int64_t>(data.train.size()), static_cast<std::int64_t>(data.train.input_count()), bins);
  for (std::size_t k = 0; k < data.train.size(); ++k) {
    const SurrogateSimulation sim = data.train.simulation(k);
    for (std::size_t i = 0; i < sim.input_times_ms.size(); ++i)
      builder.add(static_cast<std::int64_t>(k), sim.input_channels[i], static_cast<std::int64_t>(std::floor(sim.input_times_ms[i])));
  }
  const InputEvents events = builder.finish();
  torch::NoGradGuard no_grad;
  const auto out = glm->forward(events);
  const torch::Tensor logit = out.spike_logit.narrow(1, first, bins - first).reshape({-1}).to(torch::kFloat64);
  const torch::Tensor soma = out.soma.narrow(1, first, bins - first).reshape({-1}).to(torch::kFloat64);
  CHECK(torch::allclose(logit, design.mv(beta), 1e-4, 1e-3));
  CHECK(torch::allclose(soma, design.mv(soma_beta), 1e-4, 1e-3));
  const auto dense = glm->forward(events.to_dense(torch::kCPU));
  CHECK(torch::allclose(dense.spike_logit, out.spike_logit, 1e-5, 1e-4));

  // Saved and read back as a trained surrogate: the same outputs.
  const std::string path = data.dir.file("glm.pt");
  save_trained(glm, soma_bias, -55.0, path);
  TrainedSurrogate loaded = load_trained(path, torch::kCPU);
  REQUIRE(loaded.is_glm());
  CHECK(loaded.soma_bias_mV == soma_bias);
  CHECK(loaded.parameter_count() == glm->parameter_count());
  CHECK(loaded.receptive_field_ms() == 50);
  CHECK(loaded.glm->pooling().group_names == glm->pooling().group_names);
  CHECK(torch::equal(loaded.glm->forward(events).spike_logit, out.spike_logit));
}

TEST_CASE("sweep results: the GLM is a row, never the chosen network; CSV and JSON say so") {
  auto row = [](const std::string& model, int depth, int width, std::int64_t parameters, double valid_auc, double test_auc) {
    SweepRow r;
    r.model = model;
    r.depth = depth;
    r.width = width;
    r.parameters = parameters;
    r.valid_auc = valid_auc;
    r.test.spike_auc = test_auc;
    return r;
  };
  const std::vector<SweepRow> rows = {row("glm", 0, 0, 146, 0.89, 0.915), row("tcn", 1, 8, 5000, 0.90, 0.91),
                                      row("tcn", 3, 8, 7000, 0.92, 0.93), row("tcn", 3, 16, 15000, 0.925, 0.92)};
  // Best TCN 0.925; within 0.01: the 3x8 (fewer parameters than 3x16); the
  // GLM (0.89, below them all) is never a candidate.
  CHECK(choose_sweep_network(rows, 0.01) == 2);
  CHECK(choose_sweep_network(rows, 0.05) == 1);
  CHECK(choose_sweep_network({rows[0]}, 0.01) == -1);
  CHECK(best_validation_network(rows) == 3);
  CHECK(best_validation_network({rows[0]}) == -1);
  CHECK(glm_validation_auc(rows) == 0.89);
  CHECK(std::isnan(glm_validation_auc({rows[1], rows[2]})));
  CHECK(choice_validation_floor(rows, 0.01) == Approx(0.915));
  CHECK(choice_validation_floor(rows, 0.05) == Approx(0.89));  // the GLM's, above 0.925 - 0.05

  SECTION("a network the GLM beats on validation is not chosen, however small") {
    std::vector<SweepRow> above = rows;
    above[0].valid_auc = 0.91;  // the GLM now beats the 1x8 (0.90), not the 3x8 (0.92)
    CHECK(choose_sweep_network(above, 0.05) == 2);
    CHECK_FALSE(beats_glm_on_validation(above, 1));
    CHECK(beats_glm_on_validation(above, 2));
    CHECK(choice_validation_floor(above, 0.05) == Approx(0.91));
    above[0].valid_auc = 0.92;  // equal is not above
    CHECK(choose_sweep_network(above, 0.05) == 3);
    above[0].valid_auc = 0.99;  // above every network: the best network, and it is said
    CHECK(choose_sweep_network(above, 0.05) == 3);
    CHECK_FALSE(beats_glm_on_validation(above, 3));
    CHECK_THAT(describe_sweep_selection(above, "d3_w16", 0.05), Catch::Contains("by default") && Catch::Contains("highest validation AUC"));
    CHECK_THAT(sweep_results_json(above, 3, 0.05), Catch::Contains("\"chosen_beats_glm\": false"));
    CHECK_THAT(sweep_results_json(rows, 2, 0.01), Catch::Contains("\"chosen_beats_glm\": true"));
  }
  CHECK_THAT(describe_sweep_selection(rows, "d3_w8", 0.01), Catch::Contains("the sweep's choice"));
  CHECK_THAT(describe_sweep_selection(rows, "d3_w16", 0.01), Catch::Contains("highest validation AUC"));
  CHECK_THAT(describe_sweep_selection(rows, "d1_w8", 0.01), Catch::Contains("neither"));
  const std::string csv = sweep_results_csv(rows, 2);
  CHECK_THAT(csv, Catch::StartsWith("name,model,plain_tcn,depth,width") && Catch::Contains("\nglm,glm,0,0,0,") &&
                      Catch::Contains("\nd3_w8,tcn,0,3,8,") && Catch::Contains(",test_auc,test_auc_ci95_low,test_auc_ci95_high,test_fci,") &&
                      Catch::Contains(",0.93,nan,nan,0.922549,") /* no interval; FCI of 0.93: log10(70) / 2 */);
  const std::string json = sweep_results_json(rows, 2, 0.01);
  CHECK_THAT(json, Catch::Contains("\"model\": \"glm\"") && Catch::Contains("\"chosen\": true"));
  const std::string table = sweep_results_table(rows, 2);
  CHECK_THAT(table, Catch::Contains("<- chosen") && Catch::Contains("(not above the GLM)"));

  test::TempDir dir("sweeprow");
  save_sweep_row(rows[0], dir.file("r.yaml"));
  const SweepRow back = load_sweep_row(dir.file("r.yaml"));
  CHECK(back.is_glm());
  CHECK(back.valid_auc == Approx(0.89));
  SweepRow plain = rows[1];
  plain.plain_tcn = true;
  plain.variant = "plain";
  plain.test.spike_auc_ci_low = 0.9;
  plain.test.spike_auc_ci_high = 0.92;
  plain.test.operating_threshold = 0.3;
  plain.test.spikes_within_5ms = 0.5;
  plain.test.simulations = 12;
  save_sweep_row(plain, dir.file("p.yaml"));
  const SweepRow p = load_sweep_row(dir.file("p.yaml"));
  CHECK(p.name() == "d1_w8_plain");
  CHECK(p.plain_tcn);
  CHECK(p.test.spike_auc_ci_low == Approx(0.9));
  CHECK(p.test.spike_auc_ci_high == Approx(0.92));
  CHECK(p.test.operating_threshold == Approx(0.3));
  CHECK(p.test.spikes_within_5ms == Approx(0.5));
  CHECK(std::isnan(p.test.spikes_within_2ms));
  CHECK(p.test.simulations == 12);
}
