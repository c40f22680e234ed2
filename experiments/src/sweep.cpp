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

// Fills a row's architecture and test columns from its trained model.
SweepRow finish_row(Context& ctx, const TrainingResult& tr, const SurrogateData& test, SweepRow row) {
  TrainedSurrogate best = load_trained(tr.best_model_path, ctx.device);
  row.parameters = best.parameter_count();
  row.macs_per_ms = best.macs_per_ms();
  row.receptive_field_ms = best.receptive_field_ms();
  if (!best.is_glm()) row.input_projection = best.model->config().input_projection;
  row.valid_auc = tr.best_valid_auc;
  row.best_step = tr.best_step;
  row.test = evaluate_trained(best, test, ctx.config.training.targets, ctx.device, ctx.config.training.input_layer);
  row.training_seconds = tr.wall_seconds;
  row.model_path = tr.best_model_path;
  return row;
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

  // The GLM baseline first, then every depth x width.
  std::vector<SweepRow> plan;
  SweepRow glm;
  glm.model = "glm";
  plan.push_back(glm);
  for (int depth : c.sweep.depths)
    for (int width : c.sweep.widths) {
      SweepRow row;
      row.depth = depth;
      row.width = width;
      row.first_kernel_ms = c.model.first_kernel_ms;
      row.kernel_ms = c.model.kernel_ms;
      row.input_projection = c.model.input_projection;
      plan.push_back(row);
    }
  std::vector<SweepRow> rows;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const std::string name = plan[i].name();
    const std::string label = "sweep " + std::to_string(i + 1) + "/" + std::to_string(plan.size()) + " " + name;
    const fs::path run_dir = dir / name;
    const std::string result_path = (run_dir / "result.yaml").string();
    if (fs::exists(result_path)) {
      rows.push_back(load_sweep_row(result_path));
      log_line(label + ": done earlier, kept");
      continue;
    }
    SweepRow row;
    if (plan[i].is_glm()) {
      log_line(label + ": fitting the GLM baseline (" + std::to_string(c.glm.windows_ms.size()) +
               " counting windows per input group)");
      const TrainingResult tr = train_glm(c.glm, c.training.targets, train, valid, run_dir.string());
      row = finish_row(ctx, tr, test, plan[i]);
      log_line(label + ": " + describe_metrics(row.test));
    } else {
      TcnConfig model = c.model;
      model.depth = plan[i].depth;
      model.width = plan[i].width;
      model.input_channels = static_cast<int>(train.input_count());
      Progress progress(label, static_cast<std::size_t>(c.training.total_steps()), "steps");
      SingleProcess one;
      const TrainingResult tr = train_with_progress(ctx, model, train, valid, run_dir.string(), &progress, one);
      row = finish_row(ctx, tr, test, plan[i]);
      progress.finish(describe_metrics(row.test));
    }
    save_sweep_row(row, result_path);
    rows.push_back(row);
  }

  // Selection on validation data only; test metrics are reported, not used.
  const int chosen = choose_smallest_within_margin(rows, c.sweep.auc_margin);
  write_text_file((dir / "results.csv").string(), sweep_results_csv(rows, chosen));
  write_text_file((dir / "results.json").string(), sweep_results_json(rows, chosen, c.sweep.auc_margin));
  std::printf("\nSweep results (%s):\n%s", (dir / "results.csv").string().c_str(), sweep_results_table(rows, chosen).c_str());
  if (chosen >= 0) {
    const SweepRow& best = rows[static_cast<std::size_t>(chosen)];
    std::printf("Smallest network within %.3g AUC of the best (validation): depth %d x width %d, %lld parameters, test AUC %.4f"
                " (GLM baseline: %.4f)\n",
                c.sweep.auc_margin, best.depth, best.width, static_cast<long long>(best.parameters), best.test.spike_auc,
                rows.front().test.spike_auc);
    if (chosen_out) *chosen_out = best;
  } else {
    std::printf("No network has a finite validation AUC (no spikes in the validation data?)\n");
  }
  std::fflush(stdout);
  return chosen >= 0 ? 0 : 1;
}

int run_experiment(Context& ctx, const MpiWorld& world) {
  log_line("experiment in " + ctx.config.output_dir + " (configuration: " +
           (fs::path(ctx.config.output_dir) / "config.resolved.yaml").string() + ")");
  run_simulate(ctx, world);
  SweepRow chosen;
  if (run_sweep(ctx, &chosen) != 0) return 1;
  write_evaluation_json(ctx.config, chosen.model_path, chosen.test);
  const std::string output = fs::path(ctx.config.export_.file).is_absolute()
                                 ? ctx.config.export_.file
                                 : (fs::path(ctx.config.output_dir) / "export" / ctx.config.export_.file).string();
  Context export_ctx = ctx;
  export_ctx.overwrite = true;  // the export belongs to this run's chosen model
  return run_export(export_ctx, chosen.model_path, output);
}

}  // namespace neurotwin::cli
