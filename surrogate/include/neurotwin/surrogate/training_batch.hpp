#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "neurotwin/surrogate/input_events.hpp"
#include "neurotwin/surrogate/tcn_model.hpp"

namespace neurotwin {

// How the first layer sees the input: as events (event_conv1d, CPU) or as a
// dense 0/1 tensor (torch's conv1d; the reference).
enum class InputLayer { events, dense };
InputLayer parse_input_layer(const std::string& name);  // "events" | "dense"; throws InputError
std::string to_string(InputLayer layer);

// One batch of training windows. Each window's input covers `history` bins
// before its `window` target bins, so that every target bin sees its whole
// receptive field (history = receptive field − 1).
struct TrainingBatch {
  InputEvents inputs;          // [B, C, history + window]
  torch::Tensor spike_target;  // [B, window] float 0/1
  torch::Tensor soma_target;   // [B, window] float, clipped soma voltage minus the bias (mV)
  torch::Tensor dendrite_target;  // [B, K, window] PCA components, or undefined
  std::int64_t history = 0;
};

struct LossWeights {
  double spike = 1.0;  // binary cross-entropy of the spike logit
  double soma = 0.02;  // mean squared error of the soma voltage (mV²)
  double dendrite = 0;  // mean squared error of the dendritic PCA components
};

// The batch of `windows` (each history + window bins long, read by a
// WindowReader): events, spike bins (spec §10.5), soma clipped at
// targets.soma_clip_mV minus soma_bias_mV, and, with `pca`, the dendritic
// components of the target bins.
struct DataWindow;
struct TargetConventions;
struct DendritePca;
TrainingBatch make_training_batch(const std::vector<DataWindow>& windows, std::int64_t channels, std::int64_t history,
                                  const TargetConventions& targets, double soma_bias_mV, const DendritePca* pca);

// The weighted training loss of `model` on `batch` (scalar tensor with
// gradient), the model's forward pass in its current mode.
torch::Tensor batch_loss(TcnModel& model, const TrainingBatch& batch, const LossWeights& weights, InputLayer layer,
                         torch::Device device);

}  // namespace neurotwin
