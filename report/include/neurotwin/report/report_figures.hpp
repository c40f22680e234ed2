#pragma once
#include <string>
#include <vector>

#include "neurotwin/report/report_data.hpp"

namespace neurotwin {

// The figures of a report (Beniaguev et al. 2021 styles), each drawn from
// plain data into one PNG. Sizes are in pixels.

// Test AUC (with its bootstrap interval) and TPR at 1 % FPR against
// parameters and against multiply-accumulates per ms (log axes): one line per
// depth, points labelled by width, plain TCNs apart, the GLM as a dashed
// line, the band of the choice (validation AUC within the margin of the best)
// shaded, the chosen network ringed; FCI on the right axis.
void plot_accuracy_vs_complexity(const SweepRecord& sweep, const std::string& title, const std::string& path);

// A ROC curve of a network on the test split.
struct RocCurve {
  std::string label;
  std::vector<double> fpr, tpr;
  bool highlighted = false;
};
// False-positive axis logarithmic from 1e-4; the 0.25 % and 1 % operating
// points marked.
void plot_roc_curves(const std::vector<RocCurve>& curves, const std::string& title, const std::string& path);

// One test simulation for the prediction figure: the whole run and a zoom.
struct PredictionTrace {
  std::string label;                 // e.g. "test simulation 17 (23 spikes)"
  std::vector<float> soma_true_mV;   // 1 sample per ms, unclipped
  std::vector<float> soma_predicted_mV;
  std::vector<float> spike_probability;
  std::vector<double> spike_times_ms;
  double zoom_start_ms = 0, zoom_length_ms = 500;
};
// Start (ms, >= from_ms) of the length_ms window holding the most spikes: the zoom of a prediction figure.
double burst_window_start(const std::vector<double>& spikes_ms, double duration_ms, double length_ms, double from_ms);

// True and predicted soma voltage, spike probability with true spikes and
// the operating threshold, for the whole run and the zoomed window.
void plot_predictions(const std::vector<PredictionTrace>& traces, double threshold, const std::string& title,
                      const std::string& path);

// First-layer temporal filters of one hidden unit, per input channel, in the
// order of `rows` (excitatory then inhibitory; basal then apical; by path
// distance within a tree).
struct FilterImage {
  std::string title;                       // e.g. "unit 3: excitatory"
  std::vector<std::vector<double>> rows;   // [channel][lag]: lag 0 = the output bin
  std::vector<std::string> row_groups;     // label of each row's group (basal/apical), for the axis
  std::vector<double> row_distance_um;
};
struct BandFilter {
  std::string label;        // e.g. "excitatory 0-200 um"
  std::vector<double> mean; // [lag]
  bool inhibitory = false;
};
void plot_first_layer(const std::vector<FilterImage>& images, const std::vector<BandFilter>& bands, const std::string& title,
                      const std::string& path);

// Training loss and validation AUC against step, one line per network.
void plot_training_curves(const std::vector<std::pair<std::string, std::vector<TrainingLogRow>>>& logs,
                          const std::string& title, const std::string& path);

// Test AUC (with interval) and validation AUC against hours of training data.
void plot_learning_curve(const std::vector<LearningCurvePoint>& points, double glm_test_auc, const std::string& title,
                         const std::string& path);

}  // namespace neurotwin
