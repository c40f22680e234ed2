#pragma once
#include <torch/torch.h>

namespace neurotwin {

// The processes of a data-parallel training run (an MPI world, say): every
// process runs the same training loop on its share of each global batch,
// and sums over the processes go through allreduce_sum. The library holds no
// communication code; the program supplies the group.
class ProcessGroup {
 public:
  virtual ~ProcessGroup() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // In place: t = Σ over processes of t. t is a contiguous CPU float32 or
  // float64 tensor of the same shape on every process. Collective.
  virtual void allreduce_sum(torch::Tensor& t) = 0;
};

class SingleProcess final : public ProcessGroup {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void allreduce_sum(torch::Tensor&) override {}
};

// Batch normalization in training mode with the statistics of the global
// batch (the union of every process's local batch), as one process holding
// the whole batch would compute them; backward reduces the two per-channel
// sums it needs the same way. The returned weight and bias gradients are the
// local contributions (the caller sums gradients over processes). Updates
// the module's running statistics as torch's BatchNorm1d does.
torch::Tensor synced_batch_norm(const torch::Tensor& x, torch::nn::BatchNorm1d& norm, ProcessGroup& group);

}  // namespace neurotwin
