#pragma once
#include <string>
#include <vector>

#include <torch/torch.h>

#include "neurotwin/surrogate/simulation_source.hpp"
#include "neurotwin/surrogate/training_batch.hpp"

namespace neurotwin {

struct ReportOptions {
  std::string output_dir;  // the run: <output_dir>/sweep is read, <output_dir>/report written
  std::string test_file;   // the run's test split (predictions, ROC curves)
  std::string title;       // first line of the report, e.g. "neurotwin: l5pc, nmda protocol"
  std::string description; // a paragraph about the run (cell, data, recipe)
  TargetConventions targets;
  torch::Device device{torch::kCPU};
  InputLayer input_layer = InputLayer::events;
};

struct ReportResult {
  std::string markdown_path;
  std::vector<std::string> figures;  // PNG paths written
  std::vector<std::string> skipped;  // what was left out, and why
};

// Writes <output_dir>/report/README.md (Markdown, images inline, every number
// from the run's files) and its PNGs: accuracy vs complexity, ROC curves of
// every network on the test split, predictions of the chosen and the best
// network on the test simulations with the most spikes, the chosen network's
// first-layer filters, training curves, and the learning curve when the
// sweep has one. Rerunning regenerates it; a missing piece is skipped with a
// line in `skipped` (and in the Markdown), never an error. Throws InputError
// when the sweep has not finished (no results.json).
ReportResult write_report(const ReportOptions& options);

}  // namespace neurotwin
