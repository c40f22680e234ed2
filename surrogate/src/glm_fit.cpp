// Fitting the GLM baseline (glm_model.hpp): pooled, windowed input counts of
// every training bin, standardized; logistic regression by Newton's method
// with an L2 penalty (the intercept unpenalized), soma voltage by ridge
// regression (normal equations). Float64 throughout the fit.
#include <chrono>
#include <cmath>

#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/glm_model.hpp"
#include "neurotwin/surrogate/training_data.hpp"

namespace neurotwin {
namespace {

namespace F = torch::nn::functional;

// Features [bins after `first`, groups x windows] of one simulation: the
// count of each group's input events over the last w ms (bin t included).
// Events are binned as the networks see them (floor of the time; one per
// channel and bin).
torch::Tensor simulation_features(const SurrogateSimulation& sim, const GlmModelImpl& model, std::int64_t bins,
                                  std::int64_t first) {
  const auto& group_of = model.pooling().group_of_channel;
  const auto groups = static_cast<std::int64_t>(model.pooling().group_names.size());
  InputEventsBuilder builder(1, static_cast<std::int64_t>(group_of.size()), bins);
  for (std::size_t i = 0; i < sim.input_times_ms.size(); ++i) {
    const auto t = static_cast<std::int64_t>(std::floor(sim.input_times_ms[i]));
    if (t >= 0 && t < bins) builder.add(0, sim.input_channels[i], t);
  }
  const InputEvents events = builder.finish();
  torch::Tensor counts = torch::zeros({groups, bins}, torch::kFloat64);
  double* c = counts.data_ptr<double>();
  const std::int32_t* rows = events.rows.data_ptr<std::int32_t>();
  for (std::int64_t e = 0; e < events.count(); ++e)
    c[group_of[static_cast<std::size_t>(rows[3 * e + 1])] * bins + rows[3 * e + 2]] += 1;
  // cumulative[:, j] = count of bins < j; window sum over t-w+1..t =
  // cumulative[t + 1] - cumulative[t + 1 - w] (0 before the start).
  const torch::Tensor cumulative = F::pad(torch::cumsum(counts, 1), F::PadFuncOptions({1, 0}));
  std::vector<torch::Tensor> features;
  for (int w : model.config().windows_ms) {
    const torch::Tensor shifted = F::pad(cumulative, F::PadFuncOptions({w, 0})).narrow(1, 0, bins + 1);
    features.push_back((cumulative - shifted).narrow(1, 1 + first, bins - first));
  }
  // [groups, windows, T'] -> [T', groups * windows] (feature = group * W + window)
  return torch::stack(features, 1).reshape({groups * static_cast<std::int64_t>(features.size()), bins - first}).t().contiguous();
}

}  // namespace

GlmModel fit_glm(const GlmConfig& config, const SurrogateData& train, const TargetConventions& targets, double soma_bias_mV,
                 GlmFitReport* report, const std::function<void(int, double)>& progress) {
  config.validate();
  const auto start = std::chrono::steady_clock::now();
  if (train.size() == 0) throw InputError("glm: no training simulations");
  GlmModel model(config, pool_inputs(train.segments(), config.distance_edges_um));
  if (model->pooling().group_of_channel.size() != train.input_count())
    throw InputError(train.files().front() + ": segment table of " + std::to_string(train.segments().size()) +
                     " segments does not match its " + std::to_string(train.input_count()) + " inputs");
  const auto bins = static_cast<std::int64_t>(train.bins());
  const auto first = static_cast<std::int64_t>(targets.ignore_first_ms);
  const std::int64_t f = model->feature_count();

  std::vector<torch::Tensor> xs, ys, vs;
  for (std::size_t k = 0; k < train.size(); ++k) {
    const SurrogateSimulation sim = train.simulation(k);
    xs.push_back(simulation_features(sim, *model, bins, first).to(torch::kFloat32));
    ys.push_back(torch::from_blob(const_cast<std::uint8_t*>(sim.spike_bins.data()), {bins}, torch::kUInt8)
                     .narrow(0, first, bins - first)
                     .to(torch::kFloat64));
    vs.push_back(torch::from_blob(const_cast<float*>(sim.soma_clipped_mV.data()), {bins}, torch::kFloat32)
                     .narrow(0, first, bins - first)
                     .to(torch::kFloat64) -
                 soma_bias_mV);
  }
  const torch::Tensor x = torch::cat(xs);  // [N, F] float32
  const torch::Tensor y = torch::cat(ys), v = torch::cat(vs);
  xs.clear();
  const std::int64_t n = x.size(0);

  // Standardization (a constant feature keeps sigma 1).
  torch::Tensor mean = torch::zeros({f}, torch::kFloat64), square = torch::zeros({f}, torch::kFloat64);
  const std::int64_t chunk = 1 << 16;
  for (std::int64_t r = 0; r < n; r += chunk) {
    const torch::Tensor xc = x.narrow(0, r, std::min(chunk, n - r)).to(torch::kFloat64);
    mean += xc.sum(0);
    square += (xc * xc).sum(0);
  }
  mean /= static_cast<double>(n);
  torch::Tensor sd = torch::sqrt(torch::clamp_min(square / static_cast<double>(n) - mean * mean, 0.0));
  sd = torch::where(sd > 1e-12, sd, torch::ones_like(sd));
  // Design chunk: standardized features and a column of ones.
  auto design = [&](std::int64_t r, std::int64_t len) {
    const torch::Tensor xc = (x.narrow(0, r, len).to(torch::kFloat64) - mean) / sd;
    return torch::cat({xc, torch::ones({len, 1}, torch::kFloat64)}, 1);
  };
  torch::Tensor penalty = torch::full({f + 1}, config.l2, torch::kFloat64);
  penalty[f] = 0.0;  // the intercept is not penalized

  // Soma: ridge regression, (X'X + P) beta = X'v.
  torch::Tensor gram = torch::diag(penalty), xv = torch::zeros({f + 1}, torch::kFloat64);
  for (std::int64_t r = 0; r < n; r += chunk) {
    const std::int64_t len = std::min(chunk, n - r);
    const torch::Tensor d = design(r, len);
    gram += d.t().mm(d);
    xv += d.t().mv(v.narrow(0, r, len));
  }
  gram[f][f] += 1e-12;  // no data: keep it solvable
  const torch::Tensor soma_beta = torch::linalg_solve(gram, xv);

  // Spike: penalized negative log-likelihood
  //   L(beta) = sum_t [log(1 + e^z_t) - y_t z_t] + 0.5 sum_f P_f beta_f^2,  z = X beta,
  // minimized by Newton steps beta -= (X' S X + P)^-1 grad, S = p (1 - p),
  // halving a step that does not decrease L.
  const double rate = std::clamp(y.mean().item<double>(), 1e-9, 1 - 1e-9);
  torch::Tensor beta = torch::zeros({f + 1}, torch::kFloat64);
  beta[f] = std::log(rate / (1 - rate));
  auto evaluate = [&](const torch::Tensor& b, torch::Tensor* grad, torch::Tensor* hessian) {
    double loss = 0.5 * (penalty * b * b).sum().item<double>();
    if (grad) *grad = penalty * b;
    if (hessian) *hessian = torch::diag(penalty);
    for (std::int64_t r = 0; r < n; r += chunk) {
      const std::int64_t len = std::min(chunk, n - r);
      const torch::Tensor d = design(r, len);
      const torch::Tensor z = d.mv(b), yc = y.narrow(0, r, len);
      loss += (F::softplus(z) - yc * z).sum().item<double>();
      if (grad) {
        const torch::Tensor p = torch::sigmoid(z);
        *grad += d.t().mv(p - yc);
        *hessian += d.t().mm(d * (p * (1 - p)).unsqueeze(1));
      }
    }
    return loss;
  };
  torch::Tensor grad, hessian;
  double loss = evaluate(beta, &grad, &hessian);
  int iteration = 0;
  while (iteration < config.max_newton_iterations) {
    ++iteration;
    hessian[f][f] += 1e-12;
    torch::Tensor step = torch::linalg_solve(hessian, grad);
    double next = evaluate(beta - step, nullptr, nullptr);
    for (int halving = 0; halving < 30 && !(next <= loss); ++halving) {
      step = step * 0.5;
      next = evaluate(beta - step, nullptr, nullptr);
    }
    if (!(next <= loss)) break;  // no descent left: at the optimum to rounding
    beta -= step;
    const bool converged = step.abs().max().item<double>() < 1e-8 || loss - next < 1e-10 * std::abs(loss);
    loss = evaluate(beta, &grad, &hessian);
    if (progress) progress(iteration, loss);
    if (converged) break;
  }
  if (!std::isfinite(loss)) throw InputError("glm: the logistic regression diverged (non-finite likelihood)");
  model->set_coefficients(beta, soma_beta, mean, sd);
  if (report) {
    report->newton_iterations = iteration;
    report->training_bins = n;
    report->wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return model;
}

}  // namespace neurotwin
