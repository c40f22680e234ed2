// `neurotwin sweep` and `neurotwin run`: the GLM baseline and every network of
// the sweep section, each trained once (resumable: a row with result.yaml is
// kept), shared out over MPI ranks or --shard processes; the choice on
// validation data; the learning curve of the chosen network.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "commands.hpp"
#include "mpi_world.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/sweep_plan.hpp"
#include "neurotwin/surrogate/trainer.hpp"
#include "progress.hpp"

namespace neurotwin::cli {

namespace fs = std::filesystem;

namespace {

struct SweepData {
  SurrogateData train, valid, test;
};

// Fills a row's architecture and test columns from its trained model.
SweepRow finish_row(Context& ctx, const TrainingResult& tr, const SweepData& data, SweepRow row) {
  TrainedSurrogate best = load_trained(tr.best_model_path, ctx.device);
  row.parameters = best.parameter_count();
  row.macs_per_ms = best.macs_per_ms();
  row.receptive_field_ms = best.receptive_field_ms();
  if (!best.is_glm()) row.input_projection = best.model->config().input_projection;
  row.valid_auc = tr.best_valid_auc;
  row.best_step = tr.best_step;
  row.test = score_trained(best, data.valid, data.test, ctx.config.training.targets, ctx.device,
                           ctx.config.training.input_layer);
  row.training_seconds = tr.wall_seconds;
  row.model_path = tr.best_model_path;
  return row;
}

// Trains (or fits) one planned row in run_dir on `train` and writes its result.yaml.
SweepRow train_row(Context& ctx, const SweepRow& planned, const SurrogateData& train, const SweepData& data,
                   const fs::path& run_dir, const std::string& label) {
  const ExperimentConfig& c = ctx.config;
  SweepRow row;
  if (planned.is_glm()) {
    log_line(label + ": fitting the GLM baseline (" + std::to_string(c.glm.windows_ms.size()) +
             " counting windows per input group)");
    const TrainingResult tr = train_glm(c.glm, c.training.targets, train, data.valid, run_dir.string());
    row = finish_row(ctx, tr, data, planned);
    log_line(label + ": " + describe_metrics(row.test));
  } else {
    TcnConfig base = c.model;
    base.input_channels = static_cast<int>(train.input_count());
    const TcnConfig model = row_model_config(planned, base);
    Progress progress(label, static_cast<std::size_t>(c.training.total_steps()), "steps");
    SingleProcess one;
    const TrainingResult tr = train_with_progress(ctx, model, train, data.valid, run_dir.string(), &progress, one);
    row = finish_row(ctx, tr, data, planned);
    progress.finish(describe_metrics(row.test));
  }
  save_sweep_row(row, (run_dir / "result.yaml").string());
  return row;
}

// A unit of sweep work: a row to train in a directory on some training simulations.
struct Job {
  SweepRow planned;
  fs::path dir;
  std::size_t train_simulations = 0;
  std::string label;
};

// Which jobs this process trains: every one (a single process), a fixed share (--shard: shard_of[i] == shard),
// or, under MPI, whichever job no other rank has claimed yet, taken in `order` (costliest first): a rank that
// finishes early takes the next job, so one long training does not leave the other ranks idle.
struct JobAssignment {
  enum class Kind { all, fixed_share, claimed } kind = Kind::all;
  std::vector<int> shard_of;
  int shard = 0;
  std::vector<std::size_t> order;
};

fs::path claim_path(const Job& job) { return job.dir / "claimed"; }

// True if this process created the job's claim file (exclusively; a claim is never shared).
bool claim(const Job& job) {
  fs::create_directories(job.dir);
  std::FILE* f = std::fopen(claim_path(job).c_str(), "wx");
  if (!f) return false;
  std::fclose(f);
  return true;
}

// Trains this process's jobs that have no result.yaml yet. Under MPI a failure on one rank stops every rank after
// the others finish their jobs.
void run_jobs(Context& ctx, const std::vector<Job>& jobs, const JobAssignment& assignment, const SweepData& data,
              const MpiWorld& world) {
  if (assignment.kind == JobAssignment::Kind::claimed) {
    // Claims of an earlier, interrupted run are void: rank 0 clears them before anyone claims.
    if (world.rank() == 0)
      for (const Job& job : jobs) fs::remove(claim_path(job));
    world.any(false);
  }
  std::string failure;
  try {
    std::vector<std::size_t> order = assignment.order;
    if (order.empty())
      for (std::size_t i = 0; i < jobs.size(); ++i) order.push_back(i);
    for (std::size_t i : order) {
      if (assignment.kind == JobAssignment::Kind::fixed_share && assignment.shard_of[i] != assignment.shard) continue;
      if (fs::exists(jobs[i].dir / "result.yaml")) {
        if (world.rank() == 0) log_line(jobs[i].label + ": done earlier, kept");
        continue;
      }
      if (assignment.kind == JobAssignment::Kind::claimed && !claim(jobs[i])) continue;
      const SurrogateData train =
          jobs[i].train_simulations < data.train.size() ? data.train.head(jobs[i].train_simulations) : data.train;
      train_row(ctx, jobs[i].planned, train, data, jobs[i].dir, jobs[i].label);
    }
  } catch (const std::exception& e) {
    if (!world.active()) throw;
    failure = e.what();
  }
  if (world.any(!failure.empty())) {
    if (!failure.empty()) throw InputError("rank " + std::to_string(world.rank()) + ": " + failure);
    throw InputError("rank " + std::to_string(world.rank()) + ": another rank failed (see its error); rerun to resume");
  }
  if (assignment.kind == JobAssignment::Kind::claimed && world.rank() == 0)
    for (const Job& job : jobs) fs::remove(claim_path(job));
}

// The finished rows of `jobs`; with `missing` set, the names of those without a result instead of an error.
std::vector<SweepRow> collect_rows(const std::vector<Job>& jobs, std::vector<std::string>* missing) {
  std::vector<SweepRow> rows;
  for (const Job& job : jobs) {
    const fs::path result = job.dir / "result.yaml";
    if (fs::exists(result)) rows.push_back(load_sweep_row(result.string()));
    else if (missing) missing->push_back(job.dir.filename().string());
    else throw InputError(result.string() + ": missing");
  }
  return rows;
}

std::vector<double> costs_of(const std::vector<Job>& jobs, const TcnConfig& base) {
  std::vector<double> cost;
  for (const Job& job : jobs)
    cost.push_back(row_cost(job.planned, base) * static_cast<double>(std::max<std::size_t>(job.train_simulations, 1)));
  return cost;
}

// --shard i/N: a fixed share, balanced by estimated cost.
JobAssignment fixed_share(const std::vector<Job>& jobs, const TcnConfig& base, const ShardSpec& shard) {
  JobAssignment a;
  a.kind = JobAssignment::Kind::fixed_share;
  a.shard_of = assign_rows_to_shards(costs_of(jobs, base), shard.count);
  a.shard = shard.index;
  return a;
}

// One process: every job in plan order; under MPI: claimed at run time, costliest first.
JobAssignment shared_out(const std::vector<Job>& jobs, const TcnConfig& base, const MpiWorld& world) {
  JobAssignment a;
  if (!world.active()) return a;
  a.kind = JobAssignment::Kind::claimed;
  const std::vector<double> cost = costs_of(jobs, base);
  for (std::size_t i = 0; i < jobs.size(); ++i) a.order.push_back(i);
  std::stable_sort(a.order.begin(), a.order.end(), [&](std::size_t x, std::size_t y) { return cost[x] > cost[y]; });
  return a;
}

}  // namespace

int run_sweep(Context& ctx, const MpiWorld& world, const SweepOptions& options, SweepRow* chosen_out) {
  const ExperimentConfig& c = ctx.config;
  const fs::path dir = fs::path(c.output_dir) / "sweep";
  const bool root = world.rank() == 0;
  if (ctx.overwrite && root && options.shard.empty() && !options.merge_only) fs::remove_all(dir);
  world.any(false);
  SweepData data{SurrogateData::open({split_path(c, "train")}, c.training.targets),
                 SurrogateData::open({split_path(c, "valid")}, c.training.targets),
                 SurrogateData::open({split_path(c, "test")}, c.training.targets)};
  std::size_t train_spikes = 0;
  for (std::size_t k = 0; k < data.train.size(); ++k) train_spikes += data.train.spike_count(k);
  if (train_spikes == 0)
    throw InputError(split_path(c, "train") + ": no output spikes in the training data; the spike head cannot be trained "
                     "(raise the input rates or synaptic weights)");
  TcnConfig base = c.model;
  base.input_channels = static_cast<int>(data.train.input_count());

  // The GLM baseline first, then every network; shared out by estimated cost.
  const std::vector<SweepRow> plan = plan_sweep(c.sweep, base);
  std::vector<Job> jobs;
  for (std::size_t i = 0; i < plan.size(); ++i)
    jobs.push_back({plan[i], dir / plan[i].name(), data.train.size(),
                    "sweep " + std::to_string(i + 1) + "/" + std::to_string(plan.size()) + " " + plan[i].name()});
  if (!options.shard.empty()) {
    const ShardSpec shard = parse_shard(options.shard);
    const JobAssignment share = fixed_share(jobs, base, shard);
    log_line("sweep shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) + ": " +
             std::to_string(std::count(share.shard_of.begin(), share.shard_of.end(), shard.index)) + " of " +
             std::to_string(jobs.size()) + " rows; afterwards `neurotwin sweep --merge` (or a plain `neurotwin sweep`)");
    run_jobs(ctx, jobs, share, data, world);
    return 0;
  }
  if (!options.merge_only) {
    if (world.active() && root)
      log_line("sweep: " + std::to_string(jobs.size()) + " rows over " + std::to_string(world.size()) + " MPI processes, " +
               std::to_string(ctx.threads) + " threads each (each takes the next unclaimed row, costliest first)");
    run_jobs(ctx, jobs, shared_out(jobs, base, world), data, world);
  }
  std::vector<std::string> missing;
  const std::vector<SweepRow> rows = collect_rows(jobs, &missing);
  if (!missing.empty()) {
    std::string list;
    for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw InputError(dir.string() + ": no result yet for " + list + " (run the missing shards, or `neurotwin sweep` to train them)");
  }

  // Selection on validation data only; test metrics are reported, not used.
  const int chosen = choose_sweep_network(rows, c.sweep.auc_margin);
  if (root) {
    write_text_file((dir / "results.csv").string(), sweep_results_csv(rows, chosen));
    write_text_file((dir / "results.json").string(), sweep_results_json(rows, chosen, c.sweep.auc_margin));
    std::printf("\nSweep results (%s):\n%s", (dir / "results.csv").string().c_str(), sweep_results_table(rows, chosen).c_str());
  }
  if (chosen < 0) {
    if (root) std::printf("No network has a finite validation AUC (no spikes in the validation data?)\n");
    return 1;
  }
  const SweepRow& chosen_row = rows[static_cast<std::size_t>(chosen)];
  if (root) {
    if (beats_glm_on_validation(rows, chosen))
      std::printf("Smallest network within %.3g AUC of the best and above the GLM (validation): ", c.sweep.auc_margin);
    else
      std::printf("No network within %.3g AUC of the best is above the GLM on validation; the highest validation AUC: ",
                  c.sweep.auc_margin);
    std::printf("%s, %lld parameters, test AUC %.4f (95%% CI %.4f-%.4f; GLM baseline: %.4f)\n", chosen_row.name().c_str(),
                static_cast<long long>(chosen_row.parameters), chosen_row.test.spike_auc, chosen_row.test.spike_auc_ci_low,
                chosen_row.test.spike_auc_ci_high, rows.front().test.spike_auc);
    std::fflush(stdout);
  }
  if (chosen_out) *chosen_out = chosen_row;
  const auto report = [&] {
    if (root && !options.no_report) run_report(ctx);
  };

  // The learning curve: the chosen (or best) network on the first simulations of the training split.
  if (c.sweep.learning_curve_fractions.empty()) {
    report();
    return 0;
  }
  const int best_index = best_validation_network(rows);
  const SweepRow curve_row = c.sweep.learning_curve_network == "best" && best_index >= 0
                                 ? rows[static_cast<std::size_t>(best_index)]
                                 : chosen_row;
  const auto total = static_cast<int>(data.train.size());
  const std::vector<int> sizes = learning_curve_sizes(c.sweep.learning_curve_fractions, total);
  std::vector<Job> curve_jobs;
  std::vector<double> fractions;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] >= total) continue;  // the whole split: the sweep's own row
    SweepRow planned = curve_row;
    planned.variant = (curve_row.variant.empty() ? "" : curve_row.variant + "_") + "n" + std::to_string(sizes[i]);
    curve_jobs.push_back({planned, dir / "learning_curve" / planned.name(), static_cast<std::size_t>(sizes[i]),
                          "learning curve " + planned.name()});
    fractions.push_back(c.sweep.learning_curve_fractions[i]);
  }
  if (options.merge_only) {
    std::vector<std::string> missing_curve;
    collect_rows(curve_jobs, &missing_curve);
    if (!missing_curve.empty() && root) log_line("learning curve not written: " + std::to_string(missing_curve.size()) +
                                                 " points untrained (a plain `neurotwin sweep` trains them)");
    if (!missing_curve.empty()) {
      report();
      return 0;
    }
  } else {
    run_jobs(ctx, curve_jobs, shared_out(curve_jobs, base, world), data, world);
  }
  if (!root) return 0;
  const double hours_per_simulation = static_cast<double>(data.train.bins()) / 3.6e6;
  std::vector<LearningCurvePoint> points;
  const std::vector<SweepRow> curve_rows = collect_rows(curve_jobs, nullptr);
  for (std::size_t i = 0; i < curve_rows.size(); ++i) {
    const int n = static_cast<int>(curve_jobs[i].train_simulations);
    points.push_back({fractions[i], n, n * hours_per_simulation, curve_rows[i]});
  }
  points.push_back({1.0, total, total * hours_per_simulation, curve_row});
  std::sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.train_simulations < b.train_simulations; });
  write_text_file((dir / "learning_curve.csv").string(), learning_curve_csv(points));
  std::printf("\nLearning curve of %s (%s):\n", curve_row.name().c_str(), (dir / "learning_curve.csv").string().c_str());
  for (const LearningCurvePoint& p : points)
    std::printf("  %4d simulations (%.2f h): validation AUC %.4f, test AUC %.4f (95%% CI %.4f-%.4f)\n", p.train_simulations,
                p.train_hours, p.row.valid_auc, p.row.test.spike_auc, p.row.test.spike_auc_ci_low, p.row.test.spike_auc_ci_high);
  std::fflush(stdout);
  report();
  return 0;
}

int run_experiment(Context& ctx, const MpiWorld& world) {
  log_line("experiment in " + ctx.config.output_dir + " (configuration: " +
           (fs::path(ctx.config.output_dir) / "config.resolved.yaml").string() + ")");
  run_simulate(ctx, world);
  SweepRow chosen;
  if (run_sweep(ctx, world, SweepOptions{}, &chosen) != 0) return 1;
  if (world.rank() != 0) return 0;
  write_evaluation_json(ctx.config, chosen.model_path, chosen.test);
  const std::string output = fs::path(ctx.config.export_.file).is_absolute()
                                 ? ctx.config.export_.file
                                 : (fs::path(ctx.config.output_dir) / "export" / ctx.config.export_.file).string();
  Context export_ctx = ctx;
  export_ctx.overwrite = true;  // the export belongs to this run's chosen model
  return run_export(export_ctx, chosen.model_path, output, {});
}

}  // namespace neurotwin::cli
