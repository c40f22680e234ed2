#pragma once
#include <string>
#include <vector>

#include "neurotwin/surrogate/sweep_plan.hpp"
#include "neurotwin/surrogate/sweep_results.hpp"

namespace neurotwin {

// One row of a training_log.csv (written by train_tcn at every validation).
struct TrainingLogRow {
  int step = 0;
  double wall_seconds = 0, learning_rate = 0, train_loss = 0, valid_auc = 0, valid_soma_rmse_mV = 0;
};
// Throws InputError naming the file and line for a malformed file.
std::vector<TrainingLogRow> read_training_log(const std::string& path);

// What a finished sweep left in <output_dir>/sweep: its rows in table order
// (each read from <name>/result.yaml), the chosen one, the margin, and the
// learning curve when there is one.
struct SweepRecord {
  std::string sweep_dir;
  std::vector<SweepRow> rows;
  int chosen = -1;
  double auc_margin = 0;
  std::vector<LearningCurvePoint> learning_curve;  // empty without learning_curve.csv
  // Index of the network (not the GLM) with the best validation AUC; -1 if none.
  int best_network() const;
  int glm() const;  // index of the GLM row; -1 if none
};
// Reads <sweep_dir>/results.json and the rows' result.yaml; throws InputError
// naming the missing or malformed file (the sweep has not finished).
SweepRecord read_sweep_record(const std::string& sweep_dir);

}  // namespace neurotwin
