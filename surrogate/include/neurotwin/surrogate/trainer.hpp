#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "neurotwin/surrogate/tcn_model.hpp"
#include "neurotwin/surrogate/training_data.hpp"

namespace neurotwin {

struct TrainingConfig {
  int steps = 300;
  int batch_size = 8;
  int window_ms = 200;          // target bins per window (plus receptive-field history)
  double learning_rate = 2e-3;  // Adam
  double weight_decay = 0.0;
  double spike_loss_weight = 1.0;   // binary cross-entropy
  double soma_loss_weight = 0.02;   // MSE on centred, clipped soma voltage (mV²)
  int validate_every = 50;
  int checkpoint_every = 50;
  std::uint64_t seed = 1;
  TargetConventions targets;

  void validate() const;  // throws InputError
};

struct TrainingProgress {
  int step = 0;
  int total_steps = 0;
  double train_loss = 0;
  bool validated = false;
  double valid_auc = 0;
  double valid_soma_rmse_mV = 0;
  bool improved = false;
};

struct TrainingResult {
  int steps_done = 0;
  int best_step = 0;
  double best_valid_auc = 0;
  double soma_bias_mV = 0;
  double wall_seconds = 0;  // training time of this and earlier (resumed) runs
  std::string best_model_path;
};

// A training failure that keeps the last good checkpoint (non-finite loss).
class TrainingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Trains a TCN on random windows of `train`, validating on whole simulations
// of `valid` every validate_every steps. In out_dir it writes
// best_model.pt (best validation AUC; the model, its config and the soma
// bias) and checkpoint.pt (model, optimizer, step, sampler state) every
// checkpoint_every steps; if checkpoint.pt exists training resumes from it
// and ends with the same weights as an uninterrupted run.
TrainingResult train_tcn(const TcnConfig& model_config, const TrainingConfig& config, const SurrogateData& train,
                         const SurrogateData& valid, const std::string& out_dir, torch::Device device,
                         const std::function<void(const TrainingProgress&)>& on_progress = {});

// A trained surrogate read back from best_model.pt.
struct TrainedSurrogate {
  TcnModel model{nullptr};
  double soma_bias_mV = 0;
  double soma_clip_mV = -55;
};
TrainedSurrogate load_trained(const std::string& path, torch::Device device);
void save_trained(const TcnModel& model, double soma_bias_mV, double soma_clip_mV, const std::string& path);

}  // namespace neurotwin
