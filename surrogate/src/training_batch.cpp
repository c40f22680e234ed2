#include "neurotwin/surrogate/training_batch.hpp"

#include "neurotwin/simulator/input_error.hpp"

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
  return weights.spike * torch::binary_cross_entropy_with_logits(logit, batch.spike_target.to(device)) +
         weights.soma * torch::mse_loss(soma, batch.soma_target.to(device));
}

}  // namespace neurotwin
