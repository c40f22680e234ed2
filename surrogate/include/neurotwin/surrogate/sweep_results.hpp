#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "neurotwin/surrogate/evaluator.hpp"

namespace neurotwin {

// One row of a sweep's results: a trained TCN or the GLM baseline, its
// validation AUC (the only figure the choice uses) and its test metrics.
struct SweepRow {
  std::string model = "tcn";  // "tcn" or "glm"
  std::string variant;        // suffix of the name that tells rows of one depth x width apart ("k60", "plain")
  bool plain_tcn = false;     // Beniaguev's plain TCN (a kernel per synapse, no pooling, soma loss shared)
  int depth = 0, width = 0, first_kernel_ms = 0, kernel_ms = 0, input_projection = 0;
  int receptive_field_ms = 0;
  std::int64_t parameters = 0, macs_per_ms = 0;
  double valid_auc = 0;
  int best_step = 0;
  EvaluationMetrics test;
  double training_seconds = 0;
  std::string model_path;

  bool is_glm() const { return model == "glm"; }
  std::string name() const;  // "glm" or "d<depth>_w<width>[_<variant>]"
};

// A finished row, kept beside its model (YAML) so that an interrupted sweep
// skips it when rerun; load_sweep_row throws InputError naming the file.
void save_sweep_row(const SweepRow& row, const std::string& path);
SweepRow load_sweep_row(const std::string& path);

// The network the sweep chooses, on validation AUCs only: among the TCNs
// (never the baseline) within `auc_margin` of the best TCN and above the GLM
// (when the rows have one with a finite validation AUC), the one with the
// fewest parameters. When no TCN within the margin is above the GLM, the TCN
// with the highest validation AUC (choice_beats_glm says which case holds).
// -1 when no TCN has a finite validation AUC.
int choose_sweep_network(const std::vector<SweepRow>& rows, double auc_margin);
// The TCN with the highest validation AUC (first of equals); -1 when none.
int best_validation_network(const std::vector<SweepRow>& rows);
// The GLM row's validation AUC; NaN when the rows have no GLM (or it has none).
double glm_validation_auc(const std::vector<SweepRow>& rows);
// Whether row `index` is above the GLM on validation (true when there is no GLM to beat).
bool beats_glm_on_validation(const std::vector<SweepRow>& rows, int index);
// The lowest validation AUC the rule accepts: the best TCN's minus the margin,
// raised to the GLM's when that is higher (NaN when no TCN has one).
double choice_validation_floor(const std::vector<SweepRow>& rows, double auc_margin);

// How the sweep ranks row `name` among `rows`: "the sweep's choice: ...",
// "the highest validation AUC ...", both, or neither (a sentence).
std::string describe_sweep_selection(const std::vector<SweepRow>& rows, const std::string& name, double auc_margin);

// results.csv and results.json (nlohmann::json) of the rows; `chosen` as above.
std::string sweep_results_csv(const std::vector<SweepRow>& rows, int chosen);
std::string sweep_results_json(const std::vector<SweepRow>& rows, int chosen, double auc_margin);
// The table printed at the end of a sweep: one line per row, the chosen
// network and every network below the GLM marked.
std::string sweep_results_table(const std::vector<SweepRow>& rows, int chosen);

// {"spike_auc": ..., ...}: the metrics as a JSON object's text (NaN -> null).
std::string metrics_json(const EvaluationMetrics& m);
// evaluation/metrics.json: {"model": ..., "test": ..., "metrics": {...}}.
std::string evaluation_json(const std::string& model_path, const std::string& test_path, const EvaluationMetrics& m);

}  // namespace neurotwin
