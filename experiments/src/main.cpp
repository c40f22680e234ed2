// neurotwin: simulate a neuron, fit deep-network surrogates, sweep their size,
// export the smallest faithful one. The only place that parses the command
// line, prints and exits.
#include <CLI/CLI.hpp>
#include <H5Cpp.h>

#include <cstdio>
#include <exception>

#include "commands.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/trainer.hpp"
#include "neurotwin/version.hpp"

namespace {

using neurotwin::cli::CommonOptions;

void add_common(CLI::App* app, CommonOptions& o, bool takes_config = true) {
  if (takes_config)
    app->add_option("config", o.config_path, "experiment YAML (default: the embedded default experiment)")
        ->check(CLI::ExistingFile);
  app->add_option("--set", o.set, "override one key, e.g. --set training.steps=500 (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app->add_option("-o,--output-dir", o.output_dir, "output directory (overrides output_dir)");
  app->add_option("--threads", o.threads, "threads for simulation and LibTorch (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  app->add_option("--device", o.device, "auto, cpu, cuda or cuda:N (default: auto)");
  app->add_flag("--overwrite", o.overwrite, "replace existing outputs (and a different saved configuration)");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"neurotwin: how small can a deep network be and still reproduce a neuron spike for spike?\n"
               "Simulates a compartmental neuron, writes HDF5 datasets, trains temporal convolutional\n"
               "surrogates, sweeps depth x width, and exports the smallest faithful one as TorchScript."};
  app.set_version_flag("--version", std::string("neurotwin ") + neurotwin::kVersion + " (" + neurotwin::kBuild + ")");
  app.require_subcommand(1);
  CommonOptions common;
  std::string model_path, export_path;

  auto* simulate = app.add_subcommand("simulate", "simulate the cell under the input protocol; write train/valid/test HDF5 files");
  add_common(simulate, common);
  auto* train = app.add_subcommand("train", "train the TCN of the `model` section on the training files");
  add_common(train, common);
  auto* evaluate = app.add_subcommand("evaluate", "score a trained model on the test file (AUC, TPR at low FPR, soma RMSE)");
  add_common(evaluate, common);
  evaluate->add_option("--model", model_path, "trained model (default: <output_dir>/train/best_model.pt)");
  auto* sweep = app.add_subcommand("sweep", "train every depth x width of the `sweep` section; write the results table");
  add_common(sweep, common);
  auto* exporter = app.add_subcommand("export", "write a trained model as TorchScript plus a YAML sidecar");
  add_common(exporter, common);
  exporter->add_option("--model", model_path, "trained model (default: <output_dir>/train/best_model.pt)");
  exporter->add_option("--output", export_path, "TorchScript file (default: <output_dir>/export/<export.file>)");
  auto* run = app.add_subcommand("run", "the whole experiment: simulate, sweep, export the smallest faithful network");
  add_common(run, common);
  auto* config = app.add_subcommand("config", "print the fully resolved configuration (every key) and exit");
  config->add_option("config", common.config_path, "experiment YAML (default: the embedded default experiment)")
      ->check(CLI::ExistingFile);
  config->add_option("--set", common.set, "override one key (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  auto* dataset = app.add_subcommand("dataset", "inspect dataset files");
  dataset->require_subcommand(1);
  std::vector<std::string> dataset_files;
  auto* dataset_info = dataset->add_subcommand(
      "info", "simulations, simulated time, output rate, ISI CV, input rates per tree, bytes per simulated second");
  dataset_info->add_option("files", dataset_files, "HDF5 dataset files")->required();
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
  try {
    if (info->parsed()) return neurotwin::cli::run_info(common);
    if (config->parsed()) return neurotwin::cli::run_print_config(common);
    if (dataset_info->parsed()) return neurotwin::cli::run_dataset_info(dataset_files);
    if (dataset_verify->parsed()) return neurotwin::cli::run_dataset_verify(dataset_files);
    neurotwin::cli::Context ctx = neurotwin::cli::make_context(common);
    if (simulate->parsed()) return neurotwin::cli::run_simulate(ctx);
    if (train->parsed()) return neurotwin::cli::run_train(ctx);
    if (evaluate->parsed()) return neurotwin::cli::run_evaluate(ctx, model_path);
    if (sweep->parsed()) return neurotwin::cli::run_sweep(ctx);
    if (exporter->parsed()) return neurotwin::cli::run_export(ctx, model_path, export_path);
    if (run->parsed()) return neurotwin::cli::run_experiment(ctx);
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
