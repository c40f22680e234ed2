#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "neurotwin/datasets/dataset_schema.hpp"
#include "neurotwin/datasets/input_protocol.hpp"
#include "neurotwin/simulator/cell_model.hpp"
#include "neurotwin/simulator/discretization.hpp"
#include "neurotwin/simulator/simulation.hpp"
#include "neurotwin/surrogate/sweep_plan.hpp"
#include "neurotwin/surrogate/tcn_model.hpp"
#include "neurotwin/surrogate/trainer.hpp"

namespace neurotwin::cli {

struct CellConfig {
  // "simple" (the built-in biophysics configured by the keys below), a cell
  // preset (l5pc, l5pc-ampa, l5pc-ampa-sk) or a cell YAML file.
  std::string model = "simple";
  std::string morphology = "builtin";  // "builtin", an SWC file or a Neurolucida .asc file
  SegmentRule segments;
  SimpleBiophysics biophysics;
  std::string excitatory_synapse = "nmda";  // nmda | ampa
  double excitatory_gmax_nS = 0.25;
  double inhibitory_gmax_nS = 1.0;
  // section(x), "" for none, or "auto": apic[2](0.5) for the simple model, the
  // nexus for an L5PC (the built-in morphology's, or the cell file's record_dendrite).
  std::string record_dendrite = "auto";
};

struct SimulationConfig {
  // neurotwin | neuron-fixed: defaults of dt_ms, scheme and rate_tables.
  // neurotwin: Crank-Nicolson, rate tables, dt 0.02 (CVODE's accuracy);
  // neuron-fixed: NEURON's default fixed step, dt 0.025, exact rate functions (NEURON's numbers).
  std::string integration = "neurotwin";
  double dt_ms = 0.02;
  double duration_ms = 6000.0;
  bool store_soma_8perms = true;
  bool store_dendritic_voltages = false;  // every input segment, float16 (dendritic_v_mV)
  std::string scheme = "crank_nicolson";  // voltage solve: backward_euler (NEURON's default) | crank_nicolson
  bool rate_tables = true;  // L5PC channels: tabulated rates (faster; false = NEURON-exact rate functions)
};

// simulation.scheme as the simulator's enum.
VoltageScheme voltage_scheme(const SimulationConfig& s);

struct DatasetConfig {
  int train_simulations = 64;
  int valid_simulations = 12;
  int test_simulations = 12;
};

struct ExportConfig {
  std::string file = "surrogate.pt";  // under <output_dir>/export unless absolute
};

// The training stage table as the configuration holds it: one column per
// key, one entry per stage (all of equal length).
struct StageTable {
  std::vector<int> steps = {2000};
  std::vector<double> learning_rate = {1e-3};
  std::vector<double> spike_loss_weight = {1.0};
  std::vector<double> soma_loss_weight = {0.02};
  std::vector<double> dendrite_loss_weight = {0.0};
};

// Training keys that the library's TrainingConfig holds in typed form.
struct TrainingKeys {
  std::string recipe = "neurotwin";  // neurotwin | beniaguev: defaults of the other training keys
  std::string optimizer = "adam";
  std::string input_layer = "events";
  StageTable stages;
};

// One experiment: everything every subcommand needs. Defaults are the
// embedded default experiment (experiments/configs/default.yaml).
struct ExperimentConfig {
  std::string output_dir = "runs/default";
  std::string data_dir;  // empty: <output_dir>/data
  std::int64_t seed = 1;
  CellConfig cell;
  SimulationConfig simulation;
  std::string protocol_preset = "nmda";
  InputProtocolConfig protocol;
  DatasetConfig dataset;
  TcnConfig model;
  std::string model_architecture = "tcn";  // what `train` fits: tcn | glm (the baseline)
  GlmConfig glm;
  TrainingKeys training_keys;
  TrainingConfig training;  // built from training_keys and the training.* keys
  SweepSpec sweep;
  ExportConfig export_;

  ExperimentConfig();
  std::string resolved_data_dir() const;
};

// "key.path=value" from --set.
struct Override {
  std::string key;
  std::string value;
};

// Reads a YAML file (or the embedded defaults when path is empty), applies
// overrides, and validates strictly: unknown keys, wrong types and
// out-of-range values throw InputError naming the file, line and key.
ExperimentConfig load_config(const std::string& path, const std::vector<Override>& overrides);

// The cell, simulation and protocol keys (and the seed) as flat attributes
// for dataset files, e.g. {"protocol.jitter_ms", 20.0}.
std::vector<Attribute> dataset_attributes(const ExperimentConfig& config);

// The fully resolved configuration as YAML: every key, loadable by load_config.
std::string resolved_yaml(const ExperimentConfig& config);
// The same without the keys that change no result, only resources
// (training.window_cache_mb): what decides whether an output directory holds
// results of this configuration.
std::string results_yaml(const ExperimentConfig& config);

}  // namespace neurotwin::cli
