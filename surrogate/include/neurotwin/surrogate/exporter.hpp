#pragma once
#include <string>
#include <utility>
#include <vector>

#include "neurotwin/surrogate/tcn_model.hpp"

namespace neurotwin {

// What the YAML sidecar says about the model's training and provenance.
struct ExportMetadata {
  std::vector<std::string> input_descriptions;  // one per input channel
  std::vector<std::pair<std::string, std::string>> facts;  // free key/value lines (data, metrics...)
};

// Writes `path` (TorchScript, loadable with torch.jit.load in Python or
// torch::jit::load in C++) and `path` with extension replaced by ".yaml".
// forward(x: Tensor[B, C, T] float, 1 ms bins, 1 = input spike) returns
// (spike_probability [B, T], soma_v_mV [B, T]); bin t depends on x[..., :t+1]
// only. Batch norm is folded into the convolutions (inference form).
// Refuses to overwrite either file unless `overwrite`.
void export_torchscript(const TcnModel& model, double soma_bias_mV, double soma_clip_mV, const std::string& path,
                        const ExportMetadata& metadata, bool overwrite);

std::string sidecar_path(const std::string& model_path);

}  // namespace neurotwin
