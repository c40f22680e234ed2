#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

namespace neurotwin {

enum class OptimizerKind { adam, nadam };
OptimizerKind parse_optimizer(const std::string& name);  // "adam" | "nadam"; throws InputError
std::string to_string(OptimizerKind kind);

// Adam (Kingma & Ba) and Nadam (Dozat 2016, as Keras' Nadam used by
// Beniaguev and PyTorch's NAdam: momentum decay 0.004) with L2 weight decay
// added to the gradient. The update formulas are PyTorch's (torch.optim.Adam,
// torch.optim.NAdam). The state (moments, step, Nadam's momentum product)
// saves to and loads from an archive, so that a resumed run continues
// exactly. The learning rate may change between steps (stage tables).
class AdaptiveMomentOptimizer {
 public:
  struct Options {
    OptimizerKind kind = OptimizerKind::adam;
    double learning_rate = 1e-3;
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
    double weight_decay = 0;
    double momentum_decay = 4e-3;  // Nadam's ψ
  };
  AdaptiveMomentOptimizer(std::vector<torch::Tensor> parameters, Options options);

  void set_learning_rate(double lr) { options_.learning_rate = lr; }
  const Options& options() const { return options_; }
  void zero_grad();
  // One update from the parameters' .grad (parameters without one are left alone).
  void step();

  void save(torch::serialize::OutputArchive& archive) const;
  // Throws InputError when the archive's state does not fit the parameters.
  void load(torch::serialize::InputArchive& archive);

 private:
  std::vector<torch::Tensor> parameters_;
  std::vector<torch::Tensor> first_moment_, second_moment_;
  Options options_;
  std::int64_t steps_ = 0;
  double momentum_product_ = 1.0;  // Nadam: Π μ_t
};

}  // namespace neurotwin
