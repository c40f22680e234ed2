#include "neurotwin/surrogate/training_batch.hpp"

#include <algorithm>
#include <cmath>

#include "neurotwin/datasets/window_reader.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/dendrite_pca.hpp"
#include "neurotwin/surrogate/training_data.hpp"

namespace neurotwin {

InputLayer parse_input_layer(const std::string& name) {
  if (name == "events") return InputLayer::events;
  if (name == "dense") return InputLayer::dense;
  throw InputError("input layer \"" + name + "\" is not one of: events, dense");
}

std::string to_string(InputLayer layer) { return layer == InputLayer::events ? "events" : "dense"; }

torch::Tensor batch_loss(TcnModel& model, const TrainingBatch& batch, const LossWeights& weights, InputLayer layer,
                         torch::Device device) {
  const std::int64_t window = batch.spike_target.size(1);
  if (batch.inputs.length != batch.history + window || batch.soma_target.sizes() != batch.spike_target.sizes() ||
      batch.inputs.batch_size != batch.spike_target.size(0))
    throw InputError("training batch: inputs of " + std::to_string(batch.inputs.length) + " bins do not match history " +
                     std::to_string(batch.history) + " + window " + std::to_string(window));
  const TcnModelImpl::Output out =
      layer == InputLayer::events ? model->forward(batch.inputs) : model->forward(batch.inputs.to_dense(device));
  const torch::Tensor logit = out.spike_logit.narrow(1, batch.history, window);
  const torch::Tensor soma = out.soma.narrow(1, batch.history, window);
  torch::Tensor loss = weights.spike * torch::binary_cross_entropy_with_logits(logit, batch.spike_target.to(device)) +
                      weights.soma * torch::mse_loss(soma, batch.soma_target.to(device));
  if (batch.dendrite_target.defined()) {
    if (!out.dendrite.defined() || out.dendrite.size(1) != batch.dendrite_target.size(1))
      throw InputError("training batch: dendritic targets of " + std::to_string(batch.dendrite_target.size(1)) +
                       " components, the model has no matching head");
    loss = loss + weights.dendrite * torch::mse_loss(out.dendrite.narrow(2, batch.history, window),
                                                     batch.dendrite_target.to(device));
  }
  return loss;
}

TrainingBatch make_training_batch(const std::vector<DataWindow>& windows, std::int64_t channels, std::int64_t history,
                                  const TargetConventions& targets, double soma_bias_mV, const DendritePca* pca) {
  if (windows.empty()) throw InputError("training batch: no windows");
  const auto length = static_cast<std::int64_t>(windows.front().length_ms);
  const std::int64_t window = length - history;
  const auto batch = static_cast<std::int64_t>(windows.size());
  if (window < 1) throw InputError("training batch: windows no longer than the history");
  TrainingBatch tb;
  tb.history = history;
  tb.spike_target = torch::zeros({batch, window});
  tb.soma_target = torch::empty({batch, window});
  if (pca) tb.dendrite_target = torch::empty({batch, pca->components(), window});
  InputEventsBuilder events(batch, channels, length);
  std::vector<float> spikes(static_cast<std::size_t>(length));
  for (std::int64_t b = 0; b < batch; ++b) {
    const DataWindow& w = windows[static_cast<std::size_t>(b)];
    if (static_cast<std::int64_t>(w.length_ms) != length) throw InputError("training batch: windows of different lengths");
    for (std::size_t i = 0; i < w.input_times_ms.size(); ++i)
      events.add(b, w.input_channels[i], static_cast<std::int64_t>(std::floor(w.input_times_ms[i])));
    fill_dense_spikes(w, spikes.data());
    float* st = tb.spike_target[b].data_ptr<float>();
    float* vt = tb.soma_target[b].data_ptr<float>();
    for (std::int64_t t = 0; t < window; ++t) {
      const auto bin = static_cast<std::size_t>(history + t);
      st[t] = spikes[bin];
      vt[t] = static_cast<float>(std::min(static_cast<double>(w.soma_v_mV[bin]), targets.soma_clip_mV) - soma_bias_mV);
    }
    if (pca) {
      const auto segments = static_cast<std::int64_t>(w.segment_v_mV.size()) / length;
      const torch::Tensor v = torch::from_blob(const_cast<float*>(w.segment_v_mV.data()), {segments, length}).narrow(1, history, window);
      tb.dendrite_target[b].copy_(pca->project(v));
    }
  }
  tb.inputs = events.finish();
  return tb;
}

}  // namespace neurotwin
