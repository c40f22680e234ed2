#pragma once
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "neurotwin/surrogate/dendrite_pca.hpp"
#include "neurotwin/surrogate/tcn_model.hpp"

namespace neurotwin {

// What the YAML sidecar says about the model's training and provenance.
struct ExportMetadata {
  std::vector<std::string> input_descriptions;  // one per input channel
  // The spike decision threshold (probability), chosen on validation data at
  // kOperatingFalsePositiveRate; NaN: not known (0.5 is then recorded).
  double operating_threshold = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::pair<std::string, std::string>> facts;  // free key/value lines (data, provenance...)
  // Structured entries: key -> the text of a JSON object (e.g. metrics_json),
  // written into the sidecar as a YAML mapping.
  std::vector<std::pair<std::string, std::string>> sections;
};

// Writes `path` (TorchScript, loadable with torch.jit.load in Python or
// torch::jit::load in C++) and `path` with extension replaced by ".yaml".
// forward(x: Tensor[B, C, T] float, 1 ms bins, 1 = input spike) returns
// (spike_probability [B, T], soma_v_mV [B, T]); bin t depends on x[..., :t+1]
// only. Batch norm is folded into the convolutions (inference form). The
// module's attributes soma_bias_mV and operating_threshold, and its
// parameters (w<i>, b<i>, projection, spike_w, ...), are what SurrogateStream
// reads to run it one millisecond at a time.
// A model with a dendritic head needs its `dendrite_pca` (the targets'
// basis): the export then also has forward_dendrites(x) returning
// (spike_probability, soma_v_mV, dendritic_v_mV [B, S, T]), every input
// segment's voltage reconstructed from the predicted PCA components
// (parameters dendrite_w, dendrite_b, dendrite_basis_mV [S, K],
// dendrite_mean_mV [S]).
// Refuses to overwrite either file unless `overwrite`.
void export_torchscript(const TcnModel& model, double soma_bias_mV, double soma_clip_mV, const std::string& path,
                        const ExportMetadata& metadata, bool overwrite, const DendritePca* dendrite_pca = nullptr);

std::string sidecar_path(const std::string& model_path);

}  // namespace neurotwin
