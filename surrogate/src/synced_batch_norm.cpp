#include "neurotwin/surrogate/process_group.hpp"

namespace neurotwin {

namespace {

std::vector<std::int64_t> reduced_dims() { return {0, 2}; }

// y = γ (x − μ) / sqrt(σ² + ε) + β with μ, σ² over the global batch
// (biased variance, as torch's training-mode batch norm).
class SyncedBatchNormFunction : public torch::autograd::Function<SyncedBatchNormFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight,
                               const torch::Tensor& bias, torch::nn::BatchNorm1dImpl* norm, ProcessGroup* group) {
    const std::int64_t channels = x.size(1);
    // Per-channel Σx, Σx² and the element count, in double, summed over processes.
    const torch::Tensor xd = x.detach().to(torch::kFloat64);
    torch::Tensor sums = torch::cat({xd.sum(reduced_dims()), (xd * xd).sum(reduced_dims()),
                                     torch::full({1}, static_cast<double>(x.size(0) * x.size(2)), torch::kFloat64)})
                             .contiguous();
    group->allreduce_sum(sums);
    const double n = sums[2 * channels].item<double>();
    const torch::Tensor mean = sums.narrow(0, 0, channels) / n;
    const torch::Tensor var = (sums.narrow(0, channels, channels) / n - mean * mean).clamp_min(0.0);
    const double eps = norm->options.eps();
    const torch::Tensor invstd = (var + eps).rsqrt();
    const torch::Tensor xhat = (x.detach() - mean.to(x.scalar_type()).view({1, -1, 1})) * invstd.to(x.scalar_type()).view({1, -1, 1});
    {
      torch::NoGradGuard no_grad;
      const double momentum = norm->options.momentum().value_or(0.1);
      norm->num_batches_tracked.add_(1);
      norm->running_mean.mul_(1 - momentum).add_(mean.to(norm->running_mean.scalar_type()), momentum);
      norm->running_var.mul_(1 - momentum).add_((var * (n / std::max(n - 1, 1.0))).to(norm->running_var.scalar_type()), momentum);
    }
    ctx->save_for_backward({xhat, invstd.to(x.scalar_type()), weight});
    ctx->saved_data["n"] = n;
    ctx->saved_data["group"] = reinterpret_cast<std::int64_t>(group);
    return xhat * weight.detach().view({1, -1, 1}) + bias.detach().view({1, -1, 1});
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& xhat = saved[0];
    const torch::Tensor& invstd = saved[1];
    const torch::Tensor& weight = saved[2];
    const double n = ctx->saved_data["n"].toDouble();
    auto* group = reinterpret_cast<ProcessGroup*>(ctx->saved_data["group"].toInt());
    const torch::Tensor& dy = grads[0];
    const std::int64_t channels = dy.size(1);
    const torch::Tensor grad_bias = dy.sum(reduced_dims());
    const torch::Tensor grad_weight = (dy * xhat).sum(reduced_dims());
    // dx = γ/(n σ) (n dy − Σdy − x̂ Σ(dy x̂)), the sums over the global batch.
    torch::Tensor sums = torch::cat({grad_bias, grad_weight}).to(torch::kFloat64).contiguous();
    group->allreduce_sum(sums);
    const torch::Tensor sum_dy = sums.narrow(0, 0, channels).to(dy.scalar_type()).view({1, -1, 1});
    const torch::Tensor sum_dy_xhat = sums.narrow(0, channels, channels).to(dy.scalar_type()).view({1, -1, 1});
    const torch::Tensor scale = (weight.detach() * invstd / static_cast<float>(n)).view({1, -1, 1});
    const torch::Tensor dx = scale * (static_cast<float>(n) * dy - sum_dy - xhat * sum_dy_xhat);
    return {dx, grad_weight, grad_bias, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor synced_batch_norm(const torch::Tensor& x, torch::nn::BatchNorm1d& norm, ProcessGroup& group) {
  return SyncedBatchNormFunction::apply(x, norm->weight, norm->bias, norm.get(), &group);
}

}  // namespace neurotwin
