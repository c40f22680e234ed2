#include "neurotwin/surrogate/optimizer.hpp"

#include <cmath>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

OptimizerKind parse_optimizer(const std::string& name) {
  if (name == "adam") return OptimizerKind::adam;
  if (name == "nadam") return OptimizerKind::nadam;
  throw InputError("optimizer \"" + name + "\" is not one of: adam, nadam");
}

std::string to_string(OptimizerKind kind) { return kind == OptimizerKind::adam ? "adam" : "nadam"; }

AdaptiveMomentOptimizer::AdaptiveMomentOptimizer(std::vector<torch::Tensor> parameters, Options options)
    : parameters_(std::move(parameters)), options_(options) {
  for (const torch::Tensor& p : parameters_) {
    first_moment_.push_back(torch::zeros_like(p));
    second_moment_.push_back(torch::zeros_like(p));
  }
}

void AdaptiveMomentOptimizer::zero_grad() {
  for (torch::Tensor& p : parameters_)
    if (p.grad().defined()) p.mutable_grad() = torch::Tensor();
}

void AdaptiveMomentOptimizer::step() {
  torch::NoGradGuard no_grad;
  ++steps_;
  const double t = static_cast<double>(steps_);
  const double b1 = options_.beta1, b2 = options_.beta2, lr = options_.learning_rate;
  const double bias2 = 1.0 - std::pow(b2, t);
  // Nadam's momentum schedule: μ_t = β1 (1 − ½ 0.96^(t ψ)).
  double mu = 0, mu_next = 0;
  if (options_.kind == OptimizerKind::nadam) {
    mu = b1 * (1.0 - 0.5 * std::pow(0.96, t * options_.momentum_decay));
    mu_next = b1 * (1.0 - 0.5 * std::pow(0.96, (t + 1.0) * options_.momentum_decay));
    momentum_product_ *= mu;
  }
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    torch::Tensor& p = parameters_[i];
    if (!p.grad().defined()) continue;
    torch::Tensor g = p.grad();
    if (options_.weight_decay != 0) g = g.add(p, options_.weight_decay);
    torch::Tensor& m = first_moment_[i];
    torch::Tensor& v = second_moment_[i];
    m.mul_(b1).add_(g, 1.0 - b1);         // m_t = β1 m + (1 − β1) g
    v.mul_(b2).addcmul_(g, g, 1.0 - b2);  // v_t = β2 v + (1 − β2) g²
    const torch::Tensor denom = (v / bias2).sqrt_().add_(options_.eps);
    if (options_.kind == OptimizerKind::adam) {
      // θ −= lr / (1 − β1^t) · m / (sqrt(v / (1 − β2^t)) + ε)
      p.addcdiv_(m, denom, -lr / (1.0 - std::pow(b1, t)));
    } else {
      // θ −= lr (1 − μ_t)/(1 − Πμ) g/denom + lr μ_{t+1}/(1 − Πμ μ_{t+1}) m/denom
      p.addcdiv_(g, denom, -lr * (1.0 - mu) / (1.0 - momentum_product_));
      p.addcdiv_(m, denom, -lr * mu_next / (1.0 - momentum_product_ * mu_next));
    }
  }
}

void AdaptiveMomentOptimizer::save(torch::serialize::OutputArchive& archive) const {
  archive.write("kind", torch::tensor(static_cast<std::int64_t>(options_.kind)));
  archive.write("steps", torch::tensor(steps_));
  archive.write("momentum_product", torch::tensor(momentum_product_, torch::kFloat64));
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    archive.write("m" + std::to_string(i), first_moment_[i], true);
    archive.write("v" + std::to_string(i), second_moment_[i], true);
  }
}

void AdaptiveMomentOptimizer::load(torch::serialize::InputArchive& archive) {
  torch::Tensor kind, steps, product;
  archive.read("kind", kind);
  if (kind.item<std::int64_t>() != static_cast<std::int64_t>(options_.kind))
    throw InputError("the checkpoint's optimizer is not " + to_string(options_.kind));
  archive.read("steps", steps);
  archive.read("momentum_product", product);
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    torch::Tensor m, v;
    archive.read("m" + std::to_string(i), m, true);
    archive.read("v" + std::to_string(i), v, true);
    if (m.sizes() != parameters_[i].sizes() || v.sizes() != parameters_[i].sizes())
      throw InputError("the checkpoint's optimizer state does not fit the model");
    first_moment_[i].copy_(m);
    second_moment_[i].copy_(v);
  }
  steps_ = steps.item<std::int64_t>();
  momentum_product_ = product.item<double>();
}

}  // namespace neurotwin
