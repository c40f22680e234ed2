#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "experiment_config.hpp"
#include "progress.hpp"
#include "neurotwin/datasets/dataset_schema.hpp"
#include "neurotwin/simulator/cell_model.hpp"
#include "neurotwin/surrogate/evaluator.hpp"
#include "neurotwin/surrogate/sweep_results.hpp"
#include "neurotwin/surrogate/trainer.hpp"

namespace neurotwin::cli {

// Simulations a thread advances in lockstep by default: the fastest batch of the L5PC lockstep benchmark
// (README "Lockstep simulations"); the results do not depend on it.
inline constexpr int kDefaultLanes = 64;

struct CommonOptions {
  std::string config_path;  // empty: embedded defaults
  std::vector<std::string> set;  // "key=value"
  std::string output_dir;   // overrides output_dir when not empty
  int threads = 0;          // 0: all cores (shared among the MPI processes on this machine)
  int processes_per_node = 1;
  int lanes = kDefaultLanes;  // simulations per thread in lockstep (Simulation lanes)
  std::string device = "auto";
  bool overwrite = false;
};

struct Context {
  ExperimentConfig config;
  int threads = 1;
  int lanes = kDefaultLanes;
  torch::Device device{torch::kCPU};
  bool overwrite = false;
};

// Parses --set key=value pairs.
std::vector<Override> parse_overrides(const std::vector<std::string>& set);

// Loads and validates the configuration, sets LibTorch's thread count, picks
// the device, and prepares the output directory (its config.resolved.yaml
// must match unless --overwrite).
Context make_context(const CommonOptions& options);

// The experiment's cell: the model (simple biophysics, a preset or a cell
// file) on the morphology, the SHA-256 of the morphology's canonical text, and
// the resolved dendritic recording site ("" for none).
struct BuiltCell {
  CellModel cell;
  std::string morphology_sha256;
  std::string record_dendrite;
};
BuiltCell build_cell(const ExperimentConfig& config);
// The cable node of a "section(x)" location such as apic[2](0.5); -1 for "".
int dendrite_node(const CellModel& cell, const std::string& location);
std::string split_path(const ExperimentConfig& config, const std::string& split);

// Which part of every split this process generates: shard `index` of
// `count` (contiguous blocks of simulations).
struct ShardSpec {
  int index = 0, count = 1;
};
ShardSpec parse_shard(const std::string& text);  // "i/N", 0 <= i < N
// Path of shard i/N of a split: <data_dir>/<split>-shard-<i>-of-<N>.h5.
std::string shard_path(const ExperimentConfig& config, const std::string& split, const ShardSpec& shard);

class MpiWorld;
// Generates the train/valid/test files. Under MPI every rank writes its shard
// and rank 0 merges them into the split files; with --shard (Slurm arrays)
// only this shard's files are written, for `dataset merge`.
int run_simulate(Context& ctx, const MpiWorld& world, const std::string& shard = "");
// simulate --inputs FILE: replays recorded inputs (a reference-layout file or
// one simulation of a dataset); writes voltages at every step and spikes.
int run_replay(Context& ctx, const std::string& inputs_path, std::size_t simulation, const std::string& output,
               bool record_segments);
// Under mpirun: data-parallel over the ranks (rank 0 writes and reports).
int run_train(Context& ctx, const MpiWorld& world);
// Scores a trained model on the test split, or on NEURON reference-layout
// files when `reference_files` is not empty (the operating threshold then
// still comes from the validation split, when there is one).
int run_evaluate(Context& ctx, const std::string& model_path, const std::vector<std::string>& reference_files = {});
int run_export(Context& ctx, const std::string& model_path, const std::string& output_path,
               const std::vector<std::string>& reference_files);
struct SweepOptions {
  std::string shard;        // "i/N": train only this share of the rows (Slurm arrays), write no results
  bool merge_only = false;  // collect the rows' results (from shards) without training any
  bool no_report = false;   // skip <output_dir>/report at the end
};
// Under mpirun every rank trains its share of the rows (one process each),
// rank 0 writes the results; the rows equal a one-process sweep's.
int run_sweep(Context& ctx, const MpiWorld& world, const SweepOptions& options, SweepRow* chosen = nullptr);
int run_experiment(Context& ctx, const MpiWorld& world);
// <output_dir>/report/: README.md and PNGs of a finished sweep (write_report);
// prints where they are and what was skipped.
int run_report(const Context& ctx);
struct PredictOptions {
  std::string model_path;   // an export (TorchScript + sidecar)
  std::string inputs_path;  // a dataset file or a NEURON reference-layout file
  std::size_t simulation = 0;
  std::string output_path;  // default: <inputs stem>[-sim<k>]-prediction.h5 in the working directory
  bool plot = false;
  bool overwrite = false;
};
// Streams the export over the inputs (SurrogateStream); writes spike
// probability, soma voltage and predicted spike times; prints the metrics.
int run_predict(const PredictOptions& options);
int run_info(const CommonOptions& options);
int run_print_config(const CommonOptions& options);
int run_dataset_info(const std::vector<std::string>& files);
int run_dataset_verify(const std::vector<std::string>& files);
// Merges shard files (files or directories holding <split>-shard-*.h5) into
// <output_dir>/<split>.h5 per split; removes the shards if asked.
int run_dataset_merge(const std::vector<std::string>& inputs, const std::string& output_dir, bool remove_shards);
struct PlotOptions {
  std::size_t simulation = 0;
  std::string output_prefix;  // default: the file's path without .h5
  int width_px = 1600, height_px = 1000;
};
int run_dataset_plot(const std::string& file, const PlotOptions& options);

// Helpers shared by the commands.
// Trains with a progress line (loss, last validation AUC) when `progress`
// is given; data-parallel over `group`.
TrainingResult train_with_progress(const Context& ctx, const TcnConfig& model, const SurrogateData& train,
                                   const SurrogateData& valid, const std::string& dir, Progress* progress,
                                   ProcessGroup& group);
std::string describe_metrics(const EvaluationMetrics& m);
// <output_dir>/evaluation/metrics.json: the model, the test file, its metrics; returns the path.
std::string write_evaluation_json(const ExperimentConfig& config, const std::string& model_path, const EvaluationMetrics& m);
void write_text_file(const std::string& path, const std::string& text);  // atomic (temp + rename)

}  // namespace neurotwin::cli
