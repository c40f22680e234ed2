#pragma once
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "neurotwin/surrogate/dendrite_pca.hpp"
#include "neurotwin/surrogate/evaluator.hpp"
#include "neurotwin/surrogate/glm_model.hpp"
#include "neurotwin/surrogate/optimizer.hpp"
#include "neurotwin/surrogate/process_group.hpp"
#include "neurotwin/surrogate/tcn_model.hpp"
#include "neurotwin/surrogate/training_batch.hpp"
#include "neurotwin/surrogate/training_data.hpp"

namespace neurotwin {

// One row of the stage table: `steps` optimizer steps with this learning
// rate and these loss weights (Beniaguev's schedule is five such stages).
struct TrainingStage {
  int steps = 300;
  double learning_rate = 2e-3;
  LossWeights loss;
};

// Training keeps the validation split decoded in memory (LoadedSimulations)
// up to this size; a larger split is read from disk at every validation.
inline constexpr std::size_t kValidationMemoryBytes = std::size_t{2} << 30;

struct TrainingConfig {
  std::vector<TrainingStage> stages{TrainingStage{}};
  OptimizerKind optimizer = OptimizerKind::adam;
  double weight_decay = 0.0;  // L2, added to the gradient
  int batch_size = 8;         // global batch (split over data-parallel processes)
  int window_ms = 200;        // target bins per window (plus receptive-field history)
  InputLayer input_layer = InputLayer::events;
  int dendrite_pca_components = 0;       // > 0: a dendritic head on this many PCA components
  int dendrite_pca_simulations = 8;      // training simulations the PCA is fitted on
  int early_stopping_validations = 0;    // stop after this many validations without a better AUC (0: never)
  int validate_every = 50;
  int checkpoint_every = 50;
  double window_cache_mb = 256;  // decoded training simulations kept in memory (WindowSampling::cache_bytes)
  // Start the spike head's bias at the logit of the training data's spike-bin
  // fraction (false: at -4, p = 0.018, as before).
  bool spike_bias_at_base_rate = true;
  std::uint64_t seed = 1;
  TargetConventions targets;

  int total_steps() const;
  // The stage that step `step` (1-based) belongs to.
  std::size_t stage_of(int step) const;
  void validate() const;  // throws InputError
};

struct TrainingProgress {
  int step = 0;
  int total_steps = 0;
  std::size_t stage = 0;
  double learning_rate = 0;
  double train_loss = 0;
  bool validated = false;
  double valid_auc = 0;
  double valid_soma_rmse_mV = 0;
  bool improved = false;
  bool stopped_early = false;
};

struct TrainingResult {
  int steps_done = 0;
  int best_step = 0;
  double best_valid_auc = 0;
  double soma_bias_mV = 0;
  double wall_seconds = 0;  // training time of this and earlier (resumed) runs
  bool stopped_early = false;
  double dendrite_pca_explained_variance = 0;  // fraction, when a dendritic head is trained
  std::string best_model_path;
};

// A training failure that keeps the last good checkpoint (non-finite loss or
// gradient).
class TrainingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Trains a TCN on random windows of `train`, streamed from its files (batch
// number n is a pure function of (seed, n)), validating on whole simulations
// of `valid` every validate_every steps. In out_dir it writes best_model.pt
// (best validation AUC: model, config, soma bias, dendritic PCA) and
// checkpoint.pt (model, optimizer state, torch RNG state, step, early-stopping
// state) every checkpoint_every steps; if checkpoint.pt exists training
// resumes from it and ends with the same weights as an uninterrupted run.
// With a group of several processes, each computes its share of every global
// batch, gradients and batch-norm statistics are summed over the group, and
// only rank 0 writes files: the result equals one process's to float
// rounding. A non-finite loss or gradient throws TrainingError.
// training_log.csv (step, wall seconds, learning rate, mean training loss
// since the previous validation, validation AUC and soma RMSE) gets a row at
// every validation; a resumed training drops rows after its checkpoint.
TrainingResult train_tcn(TcnConfig model_config, const TrainingConfig& config, const SurrogateData& train,
                         const SurrogateData& valid, const std::string& out_dir, torch::Device device,
                         ProcessGroup& group, const std::function<void(const TrainingProgress&)>& on_progress = {});

// Fits the GLM baseline on `train` (fit_glm), scores it on `valid` and saves
// it as <out_dir>/best_model.pt. steps_done counts Newton iterations.
TrainingResult train_glm(const GlmConfig& config, const TargetConventions& targets, const SurrogateData& train,
                         const SurrogateData& valid, const std::string& out_dir);

// A trained surrogate read back from best_model.pt: a TCN or the GLM
// baseline (exactly one of the two is set).
struct TrainedSurrogate {
  TcnModel model{nullptr};
  GlmModel glm{nullptr};
  double soma_bias_mV = 0;
  double soma_clip_mV = -55;
  DendritePca dendrite_pca;  // empty without a dendritic head

  bool is_glm() const { return !model; }
  std::int64_t parameter_count() const;
  std::int64_t macs_per_ms() const;
  int receptive_field_ms() const;
  std::size_t input_count() const;  // input channels (2 x synapse segments)
};
TrainedSurrogate load_trained(const std::string& path, torch::Device device);
void save_trained(const TcnModel& model, double soma_bias_mV, double soma_clip_mV, const DendritePca* pca,
                  const std::string& path);
void save_trained(const GlmModel& model, double soma_bias_mV, double soma_clip_mV, const std::string& path);
// The forward pass of either kind (a TCN with the given input layer).
EventForward trained_forward(TrainedSurrogate& surrogate, torch::Device device, InputLayer layer);
// Metrics of either kind on `data`.
EvaluationMetrics evaluate_trained(TrainedSurrogate& surrogate, const SimulationSource& data, const TargetConventions& targets,
                                   torch::Device device, InputLayer layer, const ScoringOptions& options = {});
// What a sweep row and `neurotwin evaluate` report: metrics on `test` with the
// bootstrap AUC interval (kAucBootstrapReplicates) and the operating point
// (threshold at kOperatingFalsePositiveRate) chosen on `valid`.
EvaluationMetrics score_trained(TrainedSurrogate& surrogate, const SimulationSource& valid, const SimulationSource& test,
                                const TargetConventions& targets, torch::Device device, InputLayer layer);

}  // namespace neurotwin
