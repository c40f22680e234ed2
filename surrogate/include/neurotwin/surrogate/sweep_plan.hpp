#pragma once
#include <string>
#include <vector>

#include "neurotwin/surrogate/sweep_results.hpp"
#include "neurotwin/surrogate/tcn_model.hpp"

namespace neurotwin {

// The `sweep` section: which networks a sweep trains beside the GLM baseline.
struct SweepSpec {
  std::vector<int> depths = {1, 3};
  std::vector<int> widths = {16, 32};
  // First-layer kernels (ms) to sweep; empty: the model's first_kernel_ms only.
  std::vector<int> first_kernels_ms{};
  // Beniaguev's plain TCN (a kernel per synapse, no pooling, no boxcars, soma
  // loss through the hidden layers) at every depth x width of these lists, as
  // a reference beside ours; empty: none.
  std::vector<int> plain_depths{}, plain_widths{};
  double auc_margin = 0.01;
  // After the choice: the chosen network trained again on these fractions of
  // the training simulations (the first ones); empty: no learning curve.
  std::vector<double> learning_curve_fractions{};
  // Which network the learning curve trains: "chosen" (the choice above) or
  // "best" (the highest validation AUC).
  std::string learning_curve_network = "chosen";

  void validate() const;  // throws InputError naming the key
};

// The rows a sweep trains, in order: the GLM, every first kernel x depth x
// width (names d<depth>_w<width>, with _k<first kernel> when several first
// kernels are swept), then the plain TCNs (_plain).
std::vector<SweepRow> plan_sweep(const SweepSpec& spec, const TcnConfig& model);

// The network of a planned TCN row: `base` (the model section, input
// channels set) with the row's depth, width, first kernel, and for a plain row
// Beniaguev's architecture (the first kernel then a free weight per ms).
TcnConfig row_model_config(const SweepRow& row, const TcnConfig& base);

// Which of `shards` processes trains each row: rows taken from the most to
// the least costly (ties: plan order), each to the process with the least
// cost so far (the longest-processing-time rule). Deterministic.
std::vector<int> assign_rows_to_shards(const std::vector<double>& cost, int shards);

// A planned row's cost estimate for assign_rows_to_shards: the network's
// multiply-accumulates per ms (a few for the GLM).
double row_cost(const SweepRow& row, const TcnConfig& base);

// One point of a learning curve: the chosen network on the first
// `train_simulations` training simulations.
struct LearningCurvePoint {
  double fraction = 1;
  int train_simulations = 0;
  double train_hours = 0;  // simulated hours of training data
  SweepRow row;            // its metrics (row.name(): "<chosen>_n<train_simulations>")
};
// The simulations of each fraction: round(fraction x total), at least 1.
std::vector<int> learning_curve_sizes(const std::vector<double>& fractions, int train_simulations);
std::string learning_curve_csv(const std::vector<LearningCurvePoint>& points);

}  // namespace neurotwin
