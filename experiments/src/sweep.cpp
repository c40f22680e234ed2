#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "commands.hpp"
#include "mpi_world.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/trainer.hpp"
#include "progress.hpp"

namespace neurotwin::cli {

namespace fs = std::filesystem;

namespace {

std::string number(double v) {
  if (!std::isfinite(v)) return "nan";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// A finished combination's result, kept beside its model so that an
// interrupted sweep skips it when rerun.
void save_row(const SweepRow& r, const std::string& path) {
  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "depth" << YAML::Value << r.depth << YAML::Key << "width" << YAML::Value << r.width;
  y << YAML::Key << "first_kernel_ms" << YAML::Value << r.first_kernel_ms << YAML::Key << "kernel_ms" << YAML::Value << r.kernel_ms;
  y << YAML::Key << "parameters" << YAML::Value << r.parameters << YAML::Key << "macs_per_ms" << YAML::Value << r.macs_per_ms;
  y << YAML::Key << "valid_auc" << YAML::Value << number(r.valid_auc);
  y << YAML::Key << "test_auc" << YAML::Value << number(r.test.spike_auc);
  y << YAML::Key << "test_tpr_at_fpr_0p25" << YAML::Value << number(r.test.tpr_at_fpr_0p25);
  y << YAML::Key << "test_tpr_at_fpr_1" << YAML::Value << number(r.test.tpr_at_fpr_1);
  y << YAML::Key << "test_soma_rmse_mV" << YAML::Value << number(r.test.soma_rmse_mV);
  y << YAML::Key << "test_soma_explained_variance" << YAML::Value << number(r.test.soma_explained_variance);
  y << YAML::Key << "test_bins" << YAML::Value << r.test.bins << YAML::Key << "test_spike_bins" << YAML::Value << r.test.spikes;
  y << YAML::Key << "training_seconds" << YAML::Value << number(r.training_seconds);
  y << YAML::Key << "model_path" << YAML::Value << r.model_path;
  y << YAML::EndMap;
  write_text_file(path, std::string(y.c_str()) + "\n");
}

double as_number(const YAML::Node& n) {
  const std::string s = n.Scalar();
  return s == "nan" ? std::nan("") : n.as<double>();
}

SweepRow load_row(const std::string& path) {
  try {
    const YAML::Node y = YAML::LoadFile(path);
    SweepRow r;
    r.depth = y["depth"].as<int>();
    r.width = y["width"].as<int>();
    r.first_kernel_ms = y["first_kernel_ms"].as<int>();
    r.kernel_ms = y["kernel_ms"].as<int>();
    r.parameters = y["parameters"].as<std::int64_t>();
    r.macs_per_ms = y["macs_per_ms"].as<std::int64_t>();
    r.valid_auc = as_number(y["valid_auc"]);
    r.test.spike_auc = as_number(y["test_auc"]);
    r.test.tpr_at_fpr_0p25 = as_number(y["test_tpr_at_fpr_0p25"]);
    r.test.tpr_at_fpr_1 = as_number(y["test_tpr_at_fpr_1"]);
    r.test.soma_rmse_mV = as_number(y["test_soma_rmse_mV"]);
    r.test.soma_explained_variance = as_number(y["test_soma_explained_variance"]);
    r.test.bins = y["test_bins"].as<std::size_t>();
    r.test.spikes = y["test_spike_bins"].as<std::size_t>();
    r.training_seconds = as_number(y["training_seconds"]);
    r.model_path = y["model_path"].as<std::string>();
    return r;
  } catch (const YAML::Exception& e) {
    throw InputError(path + ": unreadable sweep result (" + std::string(e.what()) + "); delete it to retrain that network");
  }
}

std::string table_text(const std::vector<SweepRow>& rows, const SweepRow* chosen) {
  std::ostringstream o;
  char line[320];
  std::snprintf(line, sizeof line, "%5s %5s %7s %9s %9s %9s %9s %9s %9s %9s %8s %9s\n", "depth", "width", "kernels", "params",
                "MACs/ms", "validAUC", "testAUC", "TP@.25%", "TP@1%", "RMSE_mV", "ExplVar", "train_s");
  o << line;
  for (const SweepRow& r : rows) {
    const std::string kernels = std::to_string(r.first_kernel_ms) + "/" + std::to_string(r.kernel_ms);
    std::snprintf(line, sizeof line, "%5d %5d %7s %9lld %9lld %9.4f %9.4f %9.3f %9.3f %9.3f %8.3f %9.1f%s\n", r.depth, r.width,
                  kernels.c_str(), static_cast<long long>(r.parameters), static_cast<long long>(r.macs_per_ms), r.valid_auc,
                  r.test.spike_auc, r.test.tpr_at_fpr_0p25, r.test.tpr_at_fpr_1, r.test.soma_rmse_mV,
                  r.test.soma_explained_variance, r.training_seconds,
                  chosen && chosen->depth == r.depth && chosen->width == r.width ? "  <- smallest within margin" : "");
    o << line;
  }
  return o.str();
}

}  // namespace

int run_sweep(Context& ctx, SweepRow* chosen_out) {
  const ExperimentConfig& c = ctx.config;
  const fs::path dir = fs::path(c.output_dir) / "sweep";
  if (ctx.overwrite) fs::remove_all(dir);
  const SurrogateData train = SurrogateData::open({split_path(c, "train")}, c.training.targets);
  const SurrogateData valid = SurrogateData::open({split_path(c, "valid")}, c.training.targets);
  const SurrogateData test = SurrogateData::open({split_path(c, "test")}, c.training.targets);
  std::size_t train_spikes = 0;
  for (std::size_t k = 0; k < train.size(); ++k) train_spikes += train.spike_count(k);
  if (train_spikes == 0)
    throw InputError(split_path(c, "train") + ": no output spikes in the training data; the spike head cannot be trained "
                     "(raise the input rates or synaptic weights)");

  std::vector<SweepRow> rows;
  const std::size_t total = c.sweep.depths.size() * c.sweep.widths.size();
  std::size_t index = 0;
  for (int depth : c.sweep.depths)
    for (int width : c.sweep.widths) {
      ++index;
      const std::string name = "d" + std::to_string(depth) + "_w" + std::to_string(width);
      const fs::path run_dir = dir / name;
      const std::string result_path = (run_dir / "result.yaml").string();
      if (fs::exists(result_path)) {
        rows.push_back(load_row(result_path));
        log_line("sweep " + std::to_string(index) + "/" + std::to_string(total) + " " + name + ": done earlier, kept");
        continue;
      }
      TcnConfig model = c.model;
      model.depth = depth;
      model.width = width;
      model.input_channels = static_cast<int>(train.input_count());
      Progress progress("sweep " + std::to_string(index) + "/" + std::to_string(total) + " " + name,
                        static_cast<std::size_t>(c.training.total_steps()), "steps");
      SingleProcess one;
      const TrainingResult tr = train_with_progress(ctx, model, train, valid, run_dir.string(), &progress, one);
      TrainedSurrogate best = load_trained(tr.best_model_path, ctx.device);
      SweepRow row;
      row.depth = depth;
      row.width = width;
      row.first_kernel_ms = model.first_kernel_ms;
      row.kernel_ms = model.kernel_ms;
      row.parameters = best.model->parameter_count();
      row.macs_per_ms = best.model->macs_per_ms();
      row.valid_auc = tr.best_valid_auc;
      row.test = evaluate_tcn(best.model, best.soma_bias_mV, test, c.training.targets, ctx.device, c.training.input_layer);
      row.training_seconds = tr.wall_seconds;
      row.model_path = tr.best_model_path;
      save_row(row, result_path);
      progress.finish(describe_metrics(row.test));
      rows.push_back(row);
    }

  // Smallest network whose validation AUC is within the margin of the best
  // (selection on validation data; test metrics are reported, not used).
  double best_auc = -1;
  for (const SweepRow& r : rows)
    if (std::isfinite(r.valid_auc)) best_auc = std::max(best_auc, r.valid_auc);
  const SweepRow* chosen = nullptr;
  for (const SweepRow& r : rows)
    if (std::isfinite(r.valid_auc) && r.valid_auc >= best_auc - c.sweep.auc_margin &&
        (!chosen || r.parameters < chosen->parameters))
      chosen = &r;

  std::ostringstream csv, json;
  csv << "depth,width,first_kernel_ms,kernel_ms,parameters,macs_per_ms,valid_auc,test_auc,test_tpr_at_fpr_0.25pct,"
         "test_tpr_at_fpr_1pct,test_soma_rmse_mV,test_soma_explained_variance,training_seconds,chosen,model_path\n";
  json << "{\n  \"auc_margin\": " << number(c.sweep.auc_margin) << ",\n  \"selection\": \"fewest parameters with validation AUC >= best - auc_margin\",\n  \"rows\": [\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const SweepRow& r = rows[i];
    const bool is_chosen = chosen == &r;
    csv << r.depth << ',' << r.width << ',' << r.first_kernel_ms << ',' << r.kernel_ms << ',' << r.parameters << ','
        << r.macs_per_ms << ',' << number(r.valid_auc) << ',' << number(r.test.spike_auc) << ','
        << number(r.test.tpr_at_fpr_0p25) << ',' << number(r.test.tpr_at_fpr_1) << ',' << number(r.test.soma_rmse_mV) << ','
        << number(r.test.soma_explained_variance) << ',' << number(r.training_seconds) << ',' << (is_chosen ? 1 : 0) << ','
        << r.model_path << '\n';
    json << "    {\"depth\": " << r.depth << ", \"width\": " << r.width << ", \"first_kernel_ms\": " << r.first_kernel_ms
         << ", \"kernel_ms\": " << r.kernel_ms << ", \"parameters\": " << r.parameters << ", \"macs_per_ms\": " << r.macs_per_ms
         << ", \"valid_auc\": " << (std::isfinite(r.valid_auc) ? number(r.valid_auc) : "null") << ", \"test\": " << metrics_json(r.test)
         << ", \"training_seconds\": " << number(r.training_seconds) << ", \"chosen\": " << (is_chosen ? "true" : "false")
         << ", \"model_path\": \"" << r.model_path << "\"}" << (i + 1 < rows.size() ? "," : "") << "\n";
  }
  json << "  ]\n}\n";
  write_text_file((dir / "results.csv").string(), csv.str());
  write_text_file((dir / "results.json").string(), json.str());
  std::printf("\nSweep results (%s):\n%s", (dir / "results.csv").string().c_str(), table_text(rows, chosen).c_str());
  if (chosen) {
    std::printf("Smallest network within %.3g AUC of the best (validation): depth %d x width %d, %lld parameters, test AUC %.4f\n",
                c.sweep.auc_margin, chosen->depth, chosen->width, static_cast<long long>(chosen->parameters), chosen->test.spike_auc);
    if (chosen_out) *chosen_out = *chosen;
  } else {
    std::printf("No network has a finite validation AUC (no spikes in the validation data?)\n");
  }
  std::fflush(stdout);
  return chosen ? 0 : 1;
}

int run_experiment(Context& ctx, const MpiWorld& world) {
  log_line("experiment in " + ctx.config.output_dir + " (configuration: " +
           (fs::path(ctx.config.output_dir) / "config.resolved.yaml").string() + ")");
  run_simulate(ctx, world);
  SweepRow chosen;
  if (run_sweep(ctx, &chosen) != 0) return 1;
  write_text_file((fs::path(ctx.config.output_dir) / "evaluation" / "metrics.json").string(),
                  "{\"model\": \"" + chosen.model_path + "\", \"test\": \"" + split_path(ctx.config, "test") +
                      "\", \"metrics\": " + metrics_json(chosen.test) + "}\n");
  const std::string output = fs::path(ctx.config.export_.file).is_absolute()
                                 ? ctx.config.export_.file
                                 : (fs::path(ctx.config.output_dir) / "export" / ctx.config.export_.file).string();
  Context export_ctx = ctx;
  export_ctx.overwrite = true;  // the export belongs to this run's chosen model
  return run_export(export_ctx, chosen.model_path, output);
}

}  // namespace neurotwin::cli
