// Scoring beyond the AUC (operating threshold, bootstrap interval over
// simulations, spike timing), NEURON reference files as simulations, and the
// sweep's plan (rows, shards, learning curve).
#include "torch_first.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/evaluator.hpp"
#include "neurotwin/surrogate/metrics.hpp"
#include "neurotwin/surrogate/reference_simulations.hpp"
#include "neurotwin/surrogate/sweep_plan.hpp"
#include "neurotwin/surrogate/trainer.hpp"
#include "test_support.hpp"

using namespace neurotwin;

namespace {
std::string shared(const std::string& relative) { return std::string(NEUROTWIN_SHARED_DIR) + "/" + relative; }
}  // namespace

TEST_CASE("operating threshold: the lowest score whose false-positive rate stays within the target") {
  // Descending: P(0.9) N(0.8) P(0.7) P(0.6) N(0.5) N(0.4); 3 negatives.
  const std::vector<float> s = {0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f};
  const std::vector<char> l = {1, 0, 1, 1, 0, 0};
  CHECK(threshold_at_fpr(s, l, 0.0) == Approx(0.9));    // 0.8 would be a false positive
  CHECK(threshold_at_fpr(s, l, 0.34) == Approx(0.6));   // one false positive allowed: down to 0.6
  CHECK(threshold_at_fpr(s, l, 1.0) == Approx(0.4));
  CHECK(std::isinf(threshold_at_fpr({0.5f, 0.9f}, {1, 0}, 0.0)));  // the top score is a negative
  CHECK(std::isnan(threshold_at_fpr({0.5f, 0.9f}, {0, 0}, 0.1)));
  // Ties: a tied block is admitted or refused whole (here its one negative of two is a rate of 0.5).
  CHECK(std::isinf(threshold_at_fpr({0.7f, 0.7f, 0.2f}, {1, 0, 0}, 0.4)));
  CHECK(threshold_at_fpr({0.7f, 0.7f, 0.2f}, {1, 0, 0}, 0.5) == Approx(0.7));
}

TEST_CASE("ROC curve: one point per distinct threshold, from the highest") {
  // Descending: P(0.9) N(0.8) P(0.7) P(0.6) N(0.5) N(0.4).
  const RocPoints roc = roc_curve({0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f}, {1, 0, 1, 1, 0, 0});
  CHECK(roc.fpr == std::vector<double>{0, 1.0 / 3, 1.0 / 3, 1.0 / 3, 2.0 / 3, 1});
  CHECK(roc.tpr == std::vector<double>{1.0 / 3, 1.0 / 3, 2.0 / 3, 1, 1, 1});
  const RocPoints tied = roc_curve({0.5f, 0.5f}, {1, 0});
  CHECK(tied.fpr == std::vector<double>{1});
  CHECK(roc_curve({0.5f}, {1}).fpr.empty());
}

TEST_CASE("spike timing: a true spike counts when a bin within the tolerance reaches the threshold, in its own simulation") {
  // Two simulations of 8 bins; spikes at bins 3 (sim 0) and 0 (sim 1).
  std::vector<float> p(16, 0.0f);
  std::vector<char> y(16, 0);
  y[3] = 1;
  y[8] = 1;
  p[6] = 0.9f;  // 3 bins after the first spike
  p[7] = 0.9f;  // last bin of sim 0: 1 bin before sim 1's spike, but in another simulation
  CHECK(fraction_detected_within(p, y, {8, 8}, 0.5, 2) == Approx(0.0));
  CHECK(fraction_detected_within(p, y, {8, 8}, 0.5, 3) == Approx(0.5));
  CHECK(fraction_detected_within(p, y, {16}, 0.5, 3) == Approx(1.0));  // one simulation: bin 7 is next to bin 8
  CHECK(std::isnan(fraction_detected_within(p, std::vector<char>(16, 0), {16}, 0.5, 2)));
  CHECK_THROWS(fraction_detected_within(p, y, {8, 7}, 0.5, 2));
}

TEST_CASE("bootstrap AUC interval over simulations: contains the AUC, reproducible, wider with fewer simulations") {
  std::mt19937 random(5);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  auto make = [&](int simulations, std::vector<float>& scores, std::vector<char>& labels, std::vector<std::size_t>& sizes) {
    for (int k = 0; k < simulations; ++k) {
      for (int t = 0; t < 200; ++t) {
        const char spike = (t % 37 == 5) ? 1 : 0;
        labels.push_back(spike);
        scores.push_back(noise(random) + (spike ? 1.5f : 0.0f));
      }
      sizes.push_back(200);
    }
  };
  std::vector<float> s;
  std::vector<char> l;
  std::vector<std::size_t> sizes;
  make(40, s, l, sizes);
  const double auc = roc_auc(s, l);
  const Interval ci = bootstrap_auc_interval(s, l, sizes, 300, 0.95, 7);
  CHECK(ci.low < auc);
  CHECK(ci.high > auc);
  CHECK(ci.high - ci.low < 0.1);
  const Interval again = bootstrap_auc_interval(s, l, sizes, 300, 0.95, 7);
  CHECK(again.low == ci.low);
  CHECK(again.high == ci.high);
  // The same bins as 4 simulations: fewer independent units, a wider interval.
  const Interval coarse = bootstrap_auc_interval(s, l, {2000, 2000, 2000, 2000}, 300, 0.95, 7);
  CHECK(coarse.high - coarse.low > ci.high - ci.low);
  // One simulation: no interval.
  CHECK(std::isnan(bootstrap_auc_interval(s, l, {8000}, 300, 0.95, 7).low));
  // score_predictions puts the pieces together.
  SplitPredictions pred;
  pred.probability = s;
  pred.labels = l;
  pred.bins_per_simulation = sizes;
  pred.soma_predicted_mV.assign(s.size(), -70.0f);
  pred.soma_target_mV.assign(s.size(), -70.0f);
  ScoringOptions options;
  options.bootstrap_replicates = 300;
  options.bootstrap_seed = 7;
  options.operating_threshold = operating_threshold(pred);
  const EvaluationMetrics m = score_predictions(pred, options);
  CHECK(m.spike_auc == Approx(auc));
  CHECK(m.spike_auc_ci_low == ci.low);
  CHECK(m.operating_fpr <= kOperatingFalsePositiveRate);
  CHECK(m.operating_tpr == Approx(m.tpr_at_fpr_0p25));
  CHECK(m.spikes_within_5ms >= m.spikes_within_2ms);
  CHECK(m.spikes_within_2ms >= m.operating_tpr);
  CHECK(m.simulations == 40);
}

TEST_CASE("NEURON reference files as simulations: events per channel, 1-ms soma, the datasets' spike bins") {
  const std::string nmda = shared("reference/nmda_seed1_cvode.h5");
  const std::string ampa = shared("reference/ampa_seed1_cvode.h5");
  const TargetConventions targets;
  const ReferenceSimulations r = ReferenceSimulations::open({nmda, ampa}, 639, targets);
  REQUIRE(r.size() == 2);
  CHECK(r.bins() == 6000);
  CHECK(r.input_count() == 1278);
  const SurrogateSimulation s = r.simulation(0);
  CHECK(s.input_times_ms.size() == 47695 + 37569);
  CHECK(std::is_sorted(s.input_times_ms.begin(), s.input_times_ms.end()));
  CHECK(*std::max_element(s.input_channels.begin(), s.input_channels.end()) < 1278);
  CHECK(s.spike_count == 4);  // spike_times_8perms_ms: 2611.625 2638.875 4405.25 4800.875
  CHECK(s.spike_bins[2611] == 1);
  CHECK(s.spike_bins[4800] == 1);
  CHECK(s.soma_clipped_mV.size() == 6000);
  CHECK(*std::max_element(s.soma_clipped_mV.begin(), s.soma_clipped_mV.end()) <= -55.0f);
  CHECK(s.soma_clipped_mV[0] == Approx(-76.0f).margin(0.5));  // finitialize(-76)
  CHECK_THROWS_WITH(ReferenceSimulations::open({nmda}, 100, targets),
                    Catch::Contains("nmda_seed1_cvode.h5") && Catch::Contains("100 synapse segments"));
  CHECK_THROWS_WITH(ReferenceSimulations::open({shared("reference/step_1p0nA_cvode.h5")}, 639, targets),
                    Catch::Contains("step_1p0nA_cvode.h5") && Catch::Contains("inputs"));
  CHECK_THROWS_WITH(ReferenceSimulations::open({"/nonexistent.h5"}, 639, targets), Catch::Contains("/nonexistent.h5"));
}

TEST_CASE("sweep plan: GLM first, kernels x depths x widths, plain TCNs; names; row networks") {
  SweepSpec spec;
  spec.depths = {1, 3};
  spec.widths = {8};
  TcnConfig base;
  base.input_channels = 40;
  base.first_kernel_ms = 100;
  base.kernel_ms = 11;
  base.input_pooling_band_um = 200;
  base.detach_soma_head = true;
  base.first_layer_windows_ms = {2, 5, 10, 20, 50, 100};
  std::vector<SweepRow> plan = plan_sweep(spec, base);
  REQUIRE(plan.size() == 3);
  CHECK(plan[0].name() == "glm");
  CHECK(plan[1].name() == "d1_w8");
  CHECK(plan[2].name() == "d3_w8");
  spec.first_kernels_ms = {60, 200};
  spec.plain_depths = {2};
  spec.plain_widths = {4, 8};
  plan = plan_sweep(spec, base);
  std::vector<std::string> names;
  for (const SweepRow& r : plan) names.push_back(r.name());
  CHECK(names == std::vector<std::string>{"glm", "d1_w8_k60", "d3_w8_k60", "d1_w8_k200", "d3_w8_k200", "d2_w4_plain",
                                          "d2_w8_plain"});
  const TcnConfig k60 = row_model_config(plan[1], base);
  CHECK(k60.first_kernel_ms == 60);
  CHECK(k60.first_layer_windows_ms == std::vector<int>{2, 5, 10, 20, 50, 60});
  const TcnConfig k200 = row_model_config(plan[3], base);
  CHECK(k200.first_layer_windows_ms == std::vector<int>{2, 5, 10, 20, 50, 100, 200});
  const TcnConfig plain = row_model_config(plan[5], base);
  CHECK(plain.depth == 2);
  CHECK(plain.width == 4);
  CHECK(plain.input_pooling_band_um == 0);
  CHECK(plain.input_projection == 0);
  CHECK(plain.first_layer_windows_ms.empty());
  CHECK_FALSE(plain.detach_soma_head);
  CHECK(row_cost(plan[5], base) > row_cost(plan[1], base));  // a kernel per synapse costs more than pooled boxcars
  CHECK_NOTHROW(TcnModel(k200));
  spec.learning_curve_fractions = {0.0};
  CHECK_THROWS_AS(spec.validate(), InputError);
  spec.plain_widths.clear();
  spec.learning_curve_fractions = {0.5};
  CHECK_THROWS_WITH(spec.validate(), Catch::Contains("plain_depths"));
  spec.plain_depths.clear();
  spec.learning_curve_network = "largest";
  CHECK_THROWS_WITH(spec.validate(), Catch::Contains("learning_curve_network") && Catch::Contains("chosen, best"));
}

TEST_CASE("sweep shards: the costliest rows spread first, every row owned once, deterministic") {
  const std::vector<double> cost = {1, 100, 90, 10, 10, 80};
  const std::vector<int> two = assign_rows_to_shards(cost, 2);
  CHECK(two == assign_rows_to_shards(cost, 2));
  // Longest first: 100 -> 0, 90 -> 1, 80 -> 1 (90 < 100), then 10, 10, 1 -> 0 (100 < 170): 121 vs 170.
  CHECK(two == std::vector<int>{0, 0, 1, 0, 0, 1});
  const std::vector<int> one = assign_rows_to_shards(cost, 1);
  CHECK(std::all_of(one.begin(), one.end(), [](int s) { return s == 0; }));
  const std::vector<int> many = assign_rows_to_shards(cost, 10);  // more shards than rows: some get none
  CHECK(std::set<int>(many.begin(), many.end()).size() == cost.size());
  CHECK(learning_curve_sizes({0.125, 0.25, 0.5, 1.0}, 600) == std::vector<int>{75, 150, 300, 600});
  CHECK(learning_curve_sizes({0.001}, 600) == std::vector<int>{1});
}

TEST_CASE("evaluate --reference scores a trained model on NEURON's files (library and command line)") {
  test::TempDir dir("reference_eval");
  torch::manual_seed(11);
  TcnConfig config;
  config.input_channels = 1278;
  config.depth = 2;
  config.width = 4;
  config.first_kernel_ms = 20;
  config.kernel_ms = 5;
  TcnModel model(config);
  model->eval();
  const std::string path = dir.file("l5pc_model.pt");
  save_trained(model, -70.0, -55.0, nullptr, path);
  TrainedSurrogate trained = load_trained(path, torch::kCPU);
  CHECK(trained.input_count() == 1278);
  const TargetConventions targets;
  const ReferenceSimulations reference =
      ReferenceSimulations::open({shared("reference/nmda_seed1_cvode.h5"), shared("reference/ampa_seed1_cvode.h5")}, 639, targets);
  ScoringOptions options;
  options.bootstrap_replicates = 50;
  const EvaluationMetrics m = evaluate_trained(trained, reference, targets, torch::kCPU, InputLayer::events, options);
  CHECK(m.simulations == 2);
  CHECK(m.bins == 2 * 5500);
  CHECK(m.spikes > 4);
  CHECK(std::isfinite(m.spike_auc));
  CHECK(std::isfinite(m.soma_rmse_mV));
  CHECK(m.spike_auc_ci_low <= m.spike_auc_ci_high);

  const auto cli = test::run_command(std::string(NEUROTWIN_BINARY) + " evaluate -o " + dir.file("out") + " --model " + path +
                                     " --reference " + shared("reference/nmda_seed1_cvode.h5") + " " +
                                     shared("reference/ampa_seed1_cvode.h5"));
  INFO(cli.output);
  CHECK(cli.status == 0);
  CHECK_THAT(cli.output, Catch::Contains("on 2 NEURON reference file(s)") && Catch::Contains("nmda_seed1_cvode.h5: spike AUC") &&
                             Catch::Contains("all: spike AUC") && Catch::Contains("95% CI") &&
                             Catch::Contains("no operating threshold"));
  CHECK(std::filesystem::exists(dir.file("out/evaluation/reference_metrics.json")));
  const auto wrong = test::run_command(std::string(NEUROTWIN_BINARY) + " evaluate -o " + dir.file("out") + " --model " + path +
                                       " --reference " + shared("reference/step_1p0nA_cvode.h5"));
  CHECK(wrong.status == 2);
  CHECK_THAT(wrong.output, Catch::Contains("step_1p0nA_cvode.h5"));
}
