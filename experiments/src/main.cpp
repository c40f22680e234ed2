// neurotwin: simulate a neuron, fit deep-network surrogates, sweep their size,
// export the smallest faithful one. The only place that parses the command
// line, prints and exits.
#include <CLI/CLI.hpp>
#include <H5Cpp.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <memory>

#include "commands.hpp"
#include "mpi_world.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/allocator_tuning.hpp"
#include "neurotwin/surrogate/trainer.hpp"
#include "neurotwin/version.hpp"

namespace {

using neurotwin::cli::CommonOptions;

void add_common(CLI::App* app, CommonOptions& o, bool takes_config = true) {
  if (takes_config)
    app->add_option("config", o.config_path, "experiment YAML (default: the embedded default experiment)")
        ->check(CLI::ExistingFile);
  app->add_option("--set", o.set, "override one key, e.g. --set training.stages.steps=[500] (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app->add_option("-o,--output-dir", o.output_dir, "output directory (overrides output_dir)");
  app->add_option("-j,--jobs,--threads", o.threads,
                  "threads for simulation and LibTorch (default: all cores, shared among the MPI processes of a machine)")
      ->check(CLI::NonNegativeNumber);
  app->add_option("--lanes", o.lanes,
                  "most simulations each thread advances in lockstep (default " +
                      std::to_string(neurotwin::cli::kDefaultLanes) +
                      "; fewer where that gives every thread the same number of batches; the results do not depend on it)")
      ->check(CLI::Range(1, 64));
  app->add_option("--device", o.device, "auto, cpu, cuda or cuda:N (default: auto)");
  app->add_flag("--overwrite", o.overwrite, "replace existing outputs (and a different saved configuration)");
}

}  // namespace

int main(int argc, char** argv) {
  neurotwin::keep_large_allocations();
  CLI::App app{"neurotwin: how small can a deep network be and still reproduce a neuron spike for spike?\n"
               "Simulates a compartmental neuron, writes HDF5 datasets, trains temporal convolutional\n"
               "surrogates, sweeps depth x width, and exports the smallest faithful one as TorchScript."};
  app.set_version_flag("--version", std::string("neurotwin ") + neurotwin::kVersion + " (" + neurotwin::kBuild + ")");
  app.require_subcommand(1);
  CommonOptions common;
  std::string model_path, export_path;

  auto* simulate = app.add_subcommand(
      "simulate",
      "simulate the cell under the input protocol; write train/valid/test HDF5 files.\n"
      "Resumable: rerun the same command after an interruption. Parallel: --jobs N threads; `mpirun -np N neurotwin\n"
      "simulate` (each rank writes a shard, rank 0 merges them); --shard i/N for Slurm job arrays (then `dataset merge`)");
  add_common(simulate, common);
  std::string shard;
  simulate->add_option("--shard", shard, "generate only shard i of N (0 <= i < N) of every split, e.g. --shard $SLURM_ARRAY_TASK_ID/8");
  std::string replay_inputs, replay_output;
  std::size_t replay_simulation = 0;
  simulate->add_option("--inputs", replay_inputs,
                       "instead of the protocol: replay the input events of FILE (a NEURON reference file, or a dataset "
                       "with --simulation K) and write soma and dendrite voltage at every step and the output spikes");
  simulate->add_option("--simulation", replay_simulation, "with --inputs on a dataset file: which simulation (row, default 0)");
  simulate->add_option("--replay-output", replay_output, "with --inputs: output HDF5 file (default <output_dir>/<inputs>-replay.h5)");
  std::string replay_record;
  simulate->add_option("--record", replay_record,
                       "with --inputs: also record `segments`, every input segment's voltage at 1 sample/ms (t = 0, 1, ... ms) "
                       "as dendritic_v_mV [segments, ms], the input channels' segment order")
      ->check(CLI::IsMember({"segments"}));
  auto* train = app.add_subcommand(
      "train",
      "train the TCN of the `model` section on the training files (streamed windows; stage table, early stopping,\n"
      "dendritic PCA head per `training`). Resumable: rerun the same command after an interruption. Data-parallel:\n"
      "`mpirun -np N neurotwin train` splits every batch over N processes (same result as one process).\n"
      "With --set model.architecture=glm it fits the GLM baseline instead (pooled input counts, logistic regression)");
  add_common(train, common);
  auto* evaluate = app.add_subcommand(
      "evaluate",
      "score a trained model (a TCN or the GLM baseline) on the test file, or on NEURON reference files: AUC with a\n"
      "bootstrap 95% interval over simulations, TPR at 0.25%/1% FPR, spike timing within +-2/+-5 ms at the threshold\n"
      "that gives 0.25% false positives on the validation file, soma RMSE, explained variance, FCI");
  add_common(evaluate, common);
  evaluate->add_option("--model", model_path, "trained model (default: <output_dir>/train/best_model.pt)");
  std::vector<std::string> reference_files;
  evaluate->add_option("--reference", reference_files,
                       "score on these NEURON reference-layout files (inputs/*, soma_v_mV, spike_times_ms; e.g. "
                       "../shared/reference/nmda_seed1_cvode.h5) instead of the test file")
      ->check(CLI::ExistingFile);
  auto* sweep = app.add_subcommand(
      "sweep",
      "fit the GLM baseline, train every network of the `sweep` section (depth x width, first kernels, plain TCNs),\n"
      "choose, on validation data, the smallest within auc_margin of the best and above the GLM, train the learning\n"
      "curve; write the results table.\n"
      "Resumable. Parallel: `mpirun -np N neurotwin sweep` (each rank trains its share of the networks); --shard i/N\n"
      "for Slurm arrays, then `neurotwin sweep --merge`. The rows equal a one-process sweep's");
  add_common(sweep, common);
  neurotwin::cli::SweepOptions sweep_options;
  sweep->add_option("--shard", sweep_options.shard, "train only share i of N of the networks (e.g. $SLURM_ARRAY_TASK_ID/8); no results table");
  sweep->add_flag("--merge", sweep_options.merge_only,
                  "write the results of finished rows (from --shard runs) without training; fails naming missing rows");
  sweep->add_flag("--no-report", sweep_options.no_report, "do not write <output_dir>/report at the end");
  auto* report = app.add_subcommand(
      "report",
      "figures and Markdown of a finished sweep in <output_dir>/report: accuracy against size, ROC curves, predictions\n"
      "on test simulations, first-layer filters, training curves, the learning curve (README.md shows them); written by\n"
      "`sweep` and `run` at their end too. Takes the experiment's configuration or its output directory");
  add_common(report, common, /*takes_config=*/false);
  std::string report_target;
  report->add_option("target", report_target, "experiment YAML, or a run's output directory (holding config.resolved.yaml)");
  auto* predict = app.add_subcommand(
      "predict",
      "run an exported surrogate one millisecond at a time over one simulation's inputs (a dataset file with\n"
      "--simulation K, or a NEURON reference-layout file); write spike probability, soma voltage and predicted\n"
      "spike times (HDF5), print AUC, TPR, soma RMSE, explained variance and spike timing against the file's truth");
  neurotwin::cli::PredictOptions predict_options;
  predict->add_option("--model", predict_options.model_path, "exported surrogate (.pt with its .yaml sidecar)")->required();
  predict->add_option("--inputs", predict_options.inputs_path, "dataset or NEURON reference-layout HDF5 file")->required();
  predict->add_option("--simulation", predict_options.simulation, "with a dataset file: which simulation (row, default 0)");
  predict->add_option("--output", predict_options.output_path,
                      "output HDF5 (default: <inputs stem>[-sim<K>]-prediction.h5 in the working directory)");
  predict->add_flag("--plot", predict_options.plot, "also write a PNG overlay of prediction and truth beside the output");
  predict->add_flag("--overwrite", predict_options.overwrite, "replace an existing output file");
  predict->add_option("-j,--jobs,--threads", common.threads, "LibTorch threads (default: 1; one stream is sequential)");
  auto* exporter = app.add_subcommand("export", "write a trained model as TorchScript plus a YAML sidecar");
  add_common(exporter, common);
  exporter->add_option("--model", model_path, "trained model (default: <output_dir>/train/best_model.pt)");
  exporter->add_option("--output", export_path, "TorchScript file (default: <output_dir>/export/<export.file>)");
  exporter->add_option("--reference", reference_files,
                       "also score the model on these NEURON reference-layout files and record the metrics in the sidecar")
      ->check(CLI::ExistingFile);
  auto* run = app.add_subcommand("run", "the whole experiment: simulate, sweep, report, export the smallest faithful network");
  add_common(run, common);
  auto* config = app.add_subcommand("config", "print the fully resolved configuration (every key) and exit");
  config->add_option("config", common.config_path, "experiment YAML (default: the embedded default experiment)")
      ->check(CLI::ExistingFile);
  config->add_option("--set", common.set, "override one key (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  auto* dataset = app.add_subcommand("dataset", "inspect, verify, merge and plot dataset files");
  dataset->require_subcommand(1);
  std::vector<std::string> dataset_files;
  auto* dataset_info = dataset->add_subcommand(
      "info", "simulations, simulated time, output rate, ISI CV, input rates per tree, bytes per simulated second");
  dataset_info->alias("stats");
  dataset_info->add_option("files", dataset_files, "HDF5 dataset files")->required();
  auto* dataset_merge = dataset->add_subcommand(
      "merge", "combine shard files (--shard runs) into <split>.h5 files; inputs are shard files or directories holding them");
  dataset_merge->add_option("inputs", dataset_files, "shard files, or directories with <split>-shard-<i>-of-<N>.h5 files")->required();
  std::string merge_output;
  bool remove_shards = false;
  dataset_merge->add_option("-o,--output-dir", merge_output, "where <split>.h5 go (default: the first input's directory)");
  dataset_merge->add_flag("--remove-shards", remove_shards, "delete the shard files once the merged file is verified");
  auto* dataset_plot = dataset->add_subcommand(
      "plot", "PNG figures: one simulation's input raster with soma and dendrite voltage; the output-rate distribution");
  std::string plot_file;
  neurotwin::cli::PlotOptions plot;
  std::vector<int> plot_size;
  dataset_plot->add_option("file", plot_file, "HDF5 dataset file")->required();
  dataset_plot->add_option("-s,--simulation", plot.simulation, "row of the simulation to draw (default 0)");
  dataset_plot->add_option("-o,--output", plot.output_prefix,
                           "output prefix: writes PREFIX-sim<k>.png and PREFIX-output-rates.png (default: the file without .h5)");
  dataset_plot->add_option("--size", plot_size, "width and height in pixels (default 1600 1000)")->expected(2);
  auto* dataset_verify = dataset->add_subcommand(
      "verify", "check completeness and integrity (counts, shapes, sorted times, index ranges); fail on a bad file");
  dataset_verify->add_option("files", dataset_files, "HDF5 dataset files")->required();
  auto* info = app.add_subcommand("info", "versions, threads and device");
  info->add_option("--threads", common.threads, "threads (default: all cores)")->check(CLI::NonNegativeNumber);
  info->add_option("--device", common.device, "auto, cpu, cuda or cuda:N");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  H5::Exception::dontPrint();
  std::unique_ptr<neurotwin::cli::MpiWorld> world;
  try {
    world = std::make_unique<neurotwin::cli::MpiWorld>();
    common.processes_per_node = world->local_size();
    if (world->active() && !simulate->parsed() && !train->parsed() && !sweep->parsed() && !run->parsed())
      throw neurotwin::InputError(
          "under mpirun only `simulate`, `train`, `sweep` and `run` run in parallel; run the other commands as one process");
    if (!sweep_options.shard.empty() && (world->active() || sweep_options.merge_only))
      throw neurotwin::InputError("sweep --shard: one process per shard (no mpirun, no --merge)");
    if (info->parsed()) return neurotwin::cli::run_info(common);
    if (config->parsed()) return neurotwin::cli::run_print_config(common);
    if (predict->parsed()) {
      torch::set_num_threads(common.threads > 0 ? common.threads : 1);
      return neurotwin::cli::run_predict(predict_options);
    }
    if (dataset_info->parsed()) return neurotwin::cli::run_dataset_info(dataset_files);
    if (dataset_verify->parsed()) return neurotwin::cli::run_dataset_verify(dataset_files);
    if (dataset_merge->parsed()) return neurotwin::cli::run_dataset_merge(dataset_files, merge_output, remove_shards);
    if (dataset_plot->parsed()) {
      if (plot_size.size() == 2) {
        plot.width_px = plot_size[0];
        plot.height_px = plot_size[1];
      }
      return neurotwin::cli::run_dataset_plot(plot_file, plot);
    }
    if (report->parsed() && !report_target.empty()) {
      if (std::filesystem::is_directory(report_target)) {
        const auto saved = std::filesystem::path(report_target) / "config.resolved.yaml";
        if (!std::filesystem::exists(saved))
          throw neurotwin::InputError(report_target + ": no config.resolved.yaml (not a neurotwin output directory)");
        common.config_path = saved.string();
        if (common.output_dir.empty()) common.output_dir = report_target;
      } else if (std::filesystem::exists(report_target)) {
        common.config_path = report_target;
      } else {
        throw neurotwin::InputError(report_target + ": no such file or directory");
      }
    }
    if (!shard.empty()) neurotwin::cli::parse_shard(shard);  // a malformed --shard fails before any work
    if (!sweep_options.shard.empty()) neurotwin::cli::parse_shard(sweep_options.shard);
    neurotwin::cli::Context ctx = neurotwin::cli::make_context(common);
    if (simulate->parsed() && !replay_inputs.empty()) {
      if (world->active() || !shard.empty()) throw neurotwin::InputError("--inputs replays one simulation: no --shard, no mpirun");
      return neurotwin::cli::run_replay(ctx, replay_inputs, replay_simulation, replay_output, replay_record == "segments");
    }
    if (!replay_record.empty()) throw neurotwin::InputError("--record " + replay_record + " records a replay: it needs --inputs");
    if (simulate->parsed()) return neurotwin::cli::run_simulate(ctx, *world, shard);
    if (train->parsed()) return neurotwin::cli::run_train(ctx, *world);
    if (evaluate->parsed()) return neurotwin::cli::run_evaluate(ctx, model_path, reference_files);
    if (sweep->parsed()) return neurotwin::cli::run_sweep(ctx, *world, sweep_options);
    if (report->parsed()) return neurotwin::cli::run_report(ctx);
    if (exporter->parsed()) return neurotwin::cli::run_export(ctx, model_path, export_path, reference_files);
    if (run->parsed()) return neurotwin::cli::run_experiment(ctx, *world);
  } catch (const neurotwin::InputError& e) {
    std::fprintf(stderr, "neurotwin: error: %s\n", e.what());
    return 2;
  } catch (const neurotwin::TrainingError& e) {
    std::fprintf(stderr, "neurotwin: training stopped: %s\n", e.what());
    return 3;
  } catch (const c10::Error& e) {
    std::fprintf(stderr, "neurotwin: LibTorch error: %s\n", e.what_without_backtrace());
    return 4;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "neurotwin: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
