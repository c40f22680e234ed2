#include "neurotwin/report/report_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "neurotwin/datasets/dataset_reader.hpp"
#include "neurotwin/report/png_figure.hpp"
#include "neurotwin/report/report_data.hpp"
#include "neurotwin/report/report_figures.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/evaluator.hpp"
#include "neurotwin/surrogate/metrics.hpp"
#include "neurotwin/surrogate/trainer.hpp"
#include "neurotwin/surrogate/training_data.hpp"

namespace neurotwin {

namespace fs = std::filesystem;

namespace {

// v with `decimals` decimals; "–" when not finite.
std::string fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "–";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string interval(double low, double high) {
  if (!std::isfinite(low) || !std::isfinite(high)) return "–";
  return fixed(low, 4) + "–" + fixed(high, 4);
}

std::string kernels_of(const SweepRow& r) {
  if (r.is_glm()) return std::to_string(r.receptive_field_ms);
  return std::to_string(r.first_kernel_ms) + "/" + std::to_string(r.kernel_ms);
}

std::string input_of(const SweepRow& r) {
  if (r.is_glm()) return "pooled counts";
  if (r.plain_tcn) return "per synapse";
  return r.input_projection > 0 ? "pooled (" + std::to_string(r.input_projection) + ")" : "per synapse";
}

// The Markdown table of the sweep (the numbers of results.csv, rounded for reading).
std::string sweep_table(const SweepRecord& s) {
  std::ostringstream md;
  md << "| network | depth | width | kernels (ms) | input | parameters | MACs/ms | valid AUC | test AUC | 95% CI | FCI | "
        "TPR@0.25% | TPR@1% | spikes ±2 ms | spikes ±5 ms | soma RMSE (mV) | expl. var. | training (s) |\n";
  md << "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    const SweepRow& r = s.rows[i];
    std::string name = "`" + r.name() + "`";
    if (static_cast<int>(i) == s.chosen) name = "**" + name + " (chosen)**";
    md << "| " << name << " | " << (r.is_glm() ? "–" : std::to_string(r.depth)) << " | "
       << (r.is_glm() ? "–" : std::to_string(r.width)) << " | " << kernels_of(r) << " | " << input_of(r) << " | " << r.parameters
       << " | " << r.macs_per_ms << " | " << fixed(r.valid_auc, 4) << " | " << fixed(r.test.spike_auc, 4) << " | "
       << interval(r.test.spike_auc_ci_low, r.test.spike_auc_ci_high) << " | "
       << fixed(functional_complexity_index(r.test.spike_auc), 3) << " | " << fixed(r.test.tpr_at_fpr_0p25, 3)
       << " | " << fixed(r.test.tpr_at_fpr_1, 3) << " | " << fixed(r.test.spikes_within_2ms, 3) << " | "
       << fixed(r.test.spikes_within_5ms, 3) << " | " << fixed(r.test.soma_rmse_mV, 3) << " | "
       << fixed(r.test.soma_explained_variance, 3) << " | " << fixed(r.training_seconds, 0) << " |\n";
  }
  return md.str();
}

// The first-layer filters of a TCN per input channel: [unit][channel][lag], lag 0 = the output bin.
std::vector<std::vector<std::vector<double>>> channel_filters(TcnModel& model) {
  torch::NoGradGuard no_grad;
  auto [weight, bias] = model->folded_layer(0);  // [U, G, K]
  (void)bias;
  torch::Tensor w = weight.to(torch::kFloat64).cpu();
  if (model->config().input_projection > 0) {
    const torch::Tensor p = model->input_projection_weight().detach().to(torch::kFloat64).cpu().squeeze(-1);  // [G, C]
    w = torch::einsum("ugk,gc->uck", {w, p});
  }
  w = w.flip({2}).contiguous();  // tap K-1 is the output bin: lag 0 first
  const auto U = w.size(0), C = w.size(1), K = w.size(2);
  std::vector<std::vector<std::vector<double>>> out(static_cast<std::size_t>(U));
  const double* data = w.data_ptr<double>();
  for (std::int64_t u = 0; u < U; ++u) {
    out[static_cast<std::size_t>(u)].resize(static_cast<std::size_t>(C));
    for (std::int64_t c = 0; c < C; ++c)
      out[static_cast<std::size_t>(u)][static_cast<std::size_t>(c)].assign(data + (u * C + c) * K, data + (u * C + c + 1) * K);
  }
  return out;
}

}  // namespace

ReportResult write_report(const ReportOptions& o) {
  const fs::path out_dir = fs::path(o.output_dir) / "report";
  const SweepRecord sweep = read_sweep_record((fs::path(o.output_dir) / "sweep").string());
  require_png_driver();
  fs::create_directories(out_dir);
  // The report directory is the report's own: the figures of an earlier report go first, so that a rerun
  // after the sweep changed its choice leaves no figure of the previous network beside the new ones.
  std::vector<fs::path> old_figures;
  for (const auto& entry : fs::directory_iterator(out_dir))
    if (entry.is_regular_file() && entry.path().extension() == ".png") old_figures.push_back(entry.path());
  for (const fs::path& f : old_figures) fs::remove(f);
  ReportResult result;
  result.markdown_path = (out_dir / "README.md").string();
  std::ostringstream md;
  md << "# neurotwin report: " << o.title << "\n\n" << o.description << "\n\n";
  auto figure = [&](const std::string& file) {
    const std::string path = (out_dir / file).string();
    result.figures.push_back(path);
    return path;
  };
  auto skip = [&](const std::string& why) {
    result.skipped.push_back(why);
    md << "*Not drawn: " << why << ".*\n\n";
  };

  // The table and accuracy against size.
  const int glm = sweep.glm();
  md << "## Networks against the GLM baseline\n\n"
     << "Every network of the sweep and the GLM baseline, scored on the test split (" << sweep.rows.front().test.bins
     << " bins of 1 ms after the first " << o.targets.ignore_first_ms << " ms of each simulation). The choice uses validation data only: the network with the fewest parameters whose validation AUC is "
        "within "
     << sweep.auc_margin << " of the best network's and above the GLM's (when none is, the best network). The 95% interval is a bootstrap over test simulations; the operating "
        "threshold gives 0.25% false positives on validation data, and \"spikes ±2/±5 ms\" are the fractions of true spikes "
        "with a predicted one that close at it. FCI = log10(1000 (1 − AUC)) / 2.\n\n"
     << sweep_table(sweep) << "\n";
  if (sweep.chosen >= 0) {
    const SweepRow& c = sweep.rows[static_cast<std::size_t>(sweep.chosen)];
    md << "Chosen: `" << c.name() << "`, " << c.parameters << " parameters, test AUC " << fixed(c.test.spike_auc, 4)
       << " (95% CI " << interval(c.test.spike_auc_ci_low, c.test.spike_auc_ci_high) << ")";
    if (glm >= 0) md << "; GLM baseline " << fixed(sweep.rows[static_cast<std::size_t>(glm)].test.spike_auc, 4);
    md << ".\n\n";
  }
  plot_accuracy_vs_complexity(sweep, o.title + ": accuracy against size", figure("accuracy_vs_complexity.png"));
  md << "![accuracy against size](accuracy_vs_complexity.png)\n\n";

  // ROC curves and predictions need the models and the test split.
  const bool have_test = fs::exists(o.test_file);
  std::vector<float> dummy;
  if (!have_test) {
    skip("ROC curves and predictions: the test split " + o.test_file + " is not there");
  } else {
    const SurrogateData test = SurrogateData::open({o.test_file}, o.targets);
    std::vector<RocCurve> curves;
    for (std::size_t i = 0; i < sweep.rows.size(); ++i) {
      const SweepRow& r = sweep.rows[i];
      if (!fs::exists(r.model_path)) {
        result.skipped.push_back("ROC of " + r.name() + ": " + r.model_path + " is not there");
        continue;
      }
      TrainedSurrogate trained = load_trained(r.model_path, o.device);
      const SplitPredictions p = predict_forward(trained_forward(trained, o.device, o.input_layer), trained.soma_bias_mV, test, o.targets);
      const RocPoints roc = roc_curve(p.probability, p.labels);
      char label[96];
      std::snprintf(label, sizeof label, "%s (AUC %.4f)%s", r.is_glm() ? "GLM baseline" : r.name().c_str(), r.test.spike_auc,
                    static_cast<int>(i) == sweep.chosen ? ", chosen" : "");
      curves.push_back({label, roc.fpr, roc.tpr, static_cast<int>(i) == sweep.chosen});
    }
    md << "## ROC curves\n\nTest split, every 1-ms bin after the first " << o.targets.ignore_first_ms
       << " ms; the false-positive axis is logarithmic so that the operating points (0.25% and 1%) are visible.\n\n";
    plot_roc_curves(curves, o.title + ": ROC curves on the test split", figure("roc.png"));
    md << "![ROC curves](roc.png)\n\n";

    // Predictions of the chosen and the best network on the test simulations with the most spikes.
    std::vector<std::size_t> order(test.size());
    std::iota(order.begin(), order.end(), 0);
    std::vector<std::size_t> spikes(test.size());
    for (std::size_t k = 0; k < test.size(); ++k) spikes[k] = test.spike_count(k);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return spikes[a] > spikes[b]; });
    order.resize(std::min<std::size_t>(2, order.size()));
    const DatasetReader reader(o.test_file);
    std::vector<int> shown;
    if (sweep.chosen >= 0) shown.push_back(sweep.chosen);
    if (sweep.best_network() >= 0 && sweep.best_network() != sweep.chosen) shown.push_back(sweep.best_network());
    md << "## Predictions on test simulations\n\nThe test simulations with the most output spikes; the zoom shows the 500 ms "
          "with the most spikes. The surrogate predicts the soma voltage clipped at "
       << o.targets.soma_clip_mV << " mV (its training target); ticks mark the true spikes, the dashed line the operating threshold.\n\n";
    for (int index : shown) {
      const SweepRow& r = sweep.rows[static_cast<std::size_t>(index)];
      if (!fs::exists(r.model_path)) continue;
      TrainedSurrogate trained = load_trained(r.model_path, o.device);
      TargetConventions whole = o.targets;
      whole.ignore_first_ms = 0;
      const SimulationSubset selection(test, order);
      const SplitPredictions p = predict_forward(trained_forward(trained, o.device, o.input_layer), trained.soma_bias_mV, selection, whole);
      std::vector<PredictionTrace> traces;
      std::size_t offset = 0;
      for (std::size_t j = 0; j < order.size(); ++j) {
        const std::size_t bins = p.bins_per_simulation[j];
        PredictionTrace t;
        t.soma_true_mV = reader.read_soma(order[j]);
        t.soma_true_mV.resize(bins);
        t.soma_predicted_mV.assign(p.soma_predicted_mV.begin() + static_cast<long>(offset),
                                   p.soma_predicted_mV.begin() + static_cast<long>(offset + bins));
        t.spike_probability.assign(p.probability.begin() + static_cast<long>(offset), p.probability.begin() + static_cast<long>(offset + bins));
        t.spike_times_ms = reader.read_spikes(order[j]);
        t.zoom_start_ms = burst_window_start(t.spike_times_ms, static_cast<double>(bins), 500, o.targets.ignore_first_ms);
        char label[96];
        std::snprintf(label, sizeof label, "test simulation %zu: %zu spikes", order[j], t.spike_times_ms.size());
        t.label = label;
        traces.push_back(std::move(t));
        offset += bins;
      }
      const std::string file = "predictions_" + r.name() + ".png";
      const std::string role = index == sweep.chosen ? "chosen" : "best validation AUC";
      plot_predictions(traces, r.test.operating_threshold, r.name() + " (" + role + ") on the test split", figure(file));
      md << "**" << r.name() << "** (" << role << "):\n\n![predictions of " << r.name() << "](" << file << ")\n\n";
    }

    // What the chosen network's first layer learned.
    md << "## First-layer filters\n\n";
    if (sweep.chosen < 0) {
      skip("first-layer filters: no network was chosen");
    } else {
      const SweepRow& r = sweep.rows[static_cast<std::size_t>(sweep.chosen)];
      TrainedSurrogate trained = load_trained(r.model_path, torch::kCPU);
      const auto filters = channel_filters(trained.model);
      const std::vector<SegmentInfo>& segments = reader.header().segments;
      const std::size_t S = segments.size();
      std::vector<std::size_t> by_distance(S);
      std::iota(by_distance.begin(), by_distance.end(), 0);
      std::stable_sort(by_distance.begin(), by_distance.end(), [&](std::size_t a, std::size_t b) {
        if (segments[a].tree != segments[b].tree) return segments[a].tree == "basal";
        return segments[a].distance_um < segments[b].distance_um;
      });
      // The two units with the largest filters.
      std::vector<std::size_t> units(filters.size());
      std::iota(units.begin(), units.end(), 0);
      auto norm = [&](std::size_t u) {
        double n = 0;
        for (const auto& c : filters[u])
          for (double v : c) n += v * v;
        return n;
      };
      std::stable_sort(units.begin(), units.end(), [&](std::size_t a, std::size_t b) { return norm(a) > norm(b); });
      units.resize(std::min<std::size_t>(2, units.size()));
      std::vector<FilterImage> images;
      for (std::size_t u : units)
        for (int inhibitory = 0; inhibitory < 2; ++inhibitory) {
          FilterImage im;
          im.title = "unit " + std::to_string(u) + ", " + (inhibitory ? "inhibitory" : "excitatory");
          for (std::size_t s : by_distance) {
            im.rows.push_back(filters[u][s + (inhibitory ? S : 0)]);
            im.row_groups.push_back(segments[s].tree);
            im.row_distance_um.push_back(segments[s].distance_um);
          }
          images.push_back(std::move(im));
        }
      std::vector<BandFilter> bands;
      const double edges[] = {0, 200, 600, 1e9};
      for (int inhibitory = 0; inhibitory < 2; ++inhibitory)
        for (int b = 0; b < 3; ++b) {
          BandFilter band;
          band.inhibitory = inhibitory == 1;
          band.label = std::string(inhibitory ? "inhibitory " : "excitatory ") +
                       (b == 2 ? "> 600 um" : std::to_string(static_cast<int>(edges[b])) + "-" + std::to_string(static_cast<int>(edges[b + 1])) + " um");
          std::size_t count = 0;
          for (std::size_t s = 0; s < S; ++s) {
            if (segments[s].distance_um < edges[b] || segments[s].distance_um >= edges[b + 1]) continue;
            const auto& f = filters[units.front()][s + (inhibitory ? S : 0)];
            if (band.mean.empty()) band.mean.assign(f.size(), 0.0);
            for (std::size_t k = 0; k < f.size(); ++k) band.mean[k] += f[k];
            ++count;
          }
          if (count == 0) continue;
          for (double& v : band.mean) v /= static_cast<double>(count);
          bands.push_back(std::move(band));
        }
      plot_first_layer(images, bands, r.name() + " (chosen): first-layer temporal filters per input channel", figure("first_layer.png"));
      md << "The chosen network's first layer (batch norm folded in" << (r.input_projection > 0 ? "; the pooling of synapses into groups applied, so every synapse of a group shares its filter" : "")
         << "), for its two units with the largest weights: one row per synapse, basal then apical, by path distance from the "
            "soma; time runs back from the output bin. Below: the mean filter of the first unit per distance band.\n\n"
         << "![first-layer filters](first_layer.png)\n\n";
    }
  }

  // Training curves.
  std::vector<std::pair<std::string, std::vector<TrainingLogRow>>> logs;
  for (const SweepRow& r : sweep.rows) {
    if (r.is_glm()) continue;
    const fs::path log = fs::path(r.model_path).parent_path() / "training_log.csv";
    if (fs::exists(log)) logs.emplace_back(r.name(), read_training_log(log.string()));
  }
  md << "## Training curves\n\n";
  if (logs.empty()) {
    skip("training curves: no training_log.csv beside the models");
  } else {
    plot_training_curves(logs, o.title + ": training loss and validation AUC", figure("training_curves.png"));
    md << "Mean training loss since the previous validation, and validation AUC, at every validation.\n\n"
       << "![training curves](training_curves.png)\n\n";
  }

  // Learning curve.
  md << "## Learning curve\n\n";
  if (sweep.learning_curve.empty()) {
    skip("learning curve: the sweep has none (sweep.learning_curve_fractions)");
  } else {
    const double glm_auc = glm >= 0 ? sweep.rows[static_cast<std::size_t>(glm)].test.spike_auc : std::nan("");
    // The whole-data point is the sweep's own row of the network the curve trains.
    const LearningCurvePoint& full = *std::max_element(
        sweep.learning_curve.begin(), sweep.learning_curve.end(),
        [](const LearningCurvePoint& a, const LearningCurvePoint& b) { return a.train_simulations < b.train_simulations; });
    plot_learning_curve(sweep.learning_curve, glm_auc, o.title + ": " + full.row.name() + " against data volume",
                        figure("learning_curve.png"));
    md << "Network: " << full.row.name() << ".\n\n";
    md << "| training simulations | hours | valid AUC | test AUC | 95% CI |\n|---|---|---|---|---|\n";
    for (const LearningCurvePoint& p : sweep.learning_curve)
      md << "| " << p.train_simulations << " | " << fixed(p.train_hours, 2) << " | " << fixed(p.row.valid_auc, 4) << " | "
         << fixed(p.row.test.spike_auc, 4) << " | " << interval(p.row.test.spike_auc_ci_low, p.row.test.spike_auc_ci_high)
         << " |\n";
    md << "\n![learning curve](learning_curve.png)\n\n";
  }
  md << "---\nWritten by `neurotwin report` from " << fs::absolute(fs::path(o.output_dir) / "sweep").string() << ".\n";
  const std::string tmp = result.markdown_path + ".partial";
  {
    std::ofstream out(tmp);
    out << md.str();
    if (!out) throw InputError(result.markdown_path + ": cannot write");
  }
  fs::rename(tmp, result.markdown_path);
  return result;
}

}  // namespace neurotwin
