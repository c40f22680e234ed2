#include "neurotwin/surrogate/dendrite_pca.hpp"

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

torch::Tensor DendritePca::project(const torch::Tensor& v_mV) const {
  const torch::Tensor v = v_mV.to(torch::kFloat64).clamp_max(clip_mV);
  const torch::Tensor z = torch::matmul(whitened_axes, v - mean_mV.view({-1, 1}));
  return z.clamp(-component_clip, component_clip).to(torch::kFloat32);
}

torch::Tensor DendritePca::reconstruction_basis() const {
  const torch::Tensor norm2 = whitened_axes.to(torch::kFloat64).square().sum(1, /*keepdim=*/true);  // [K, 1]
  return (whitened_axes.to(torch::kFloat64) / norm2).t().contiguous();
}

void DendritePca::save(torch::serialize::OutputArchive& archive) const {
  archive.write("mean_mV", mean_mV, true);
  archive.write("whitened_axes", whitened_axes, true);
  archive.write("explained_variance_ratio", explained_variance_ratio, true);
  archive.write("clip_mV", torch::tensor(clip_mV, torch::kFloat64), true);
  archive.write("component_clip", torch::tensor(component_clip, torch::kFloat64), true);
}

DendritePca DendritePca::load(torch::serialize::InputArchive& archive) {
  DendritePca pca;
  torch::Tensor clip, component_clip;
  archive.read("mean_mV", pca.mean_mV, true);
  archive.read("whitened_axes", pca.whitened_axes, true);
  archive.read("explained_variance_ratio", pca.explained_variance_ratio, true);
  archive.read("clip_mV", clip, true);
  archive.read("component_clip", component_clip, true);
  pca.clip_mV = clip.item<double>();
  pca.component_clip = component_clip.item<double>();
  return pca;
}

DendritePca fit_dendrite_pca(const std::vector<torch::Tensor>& samples, int components, double clip_mV, double component_clip) {
  if (samples.empty()) throw InputError("dendritic PCA: no voltage samples");
  const std::int64_t segments = samples.front().size(0);
  if (components < 1 || components > segments)
    throw InputError("dendritic PCA: " + std::to_string(components) + " components asked of " + std::to_string(segments) +
                     " segments");
  // Σv and Σ v vᵀ in double, one sample block at a time.
  torch::Tensor sum = torch::zeros({segments}, torch::kFloat64);
  torch::Tensor outer = torch::zeros({segments, segments}, torch::kFloat64);
  double n = 0;
  for (const torch::Tensor& s : samples) {
    if (s.dim() != 2 || s.size(0) != segments) throw InputError("dendritic PCA: samples of different segment counts");
    const torch::Tensor v = s.to(torch::kFloat64).clamp_max(clip_mV);
    sum += v.sum(1);
    outer += torch::matmul(v, v.t());
    n += static_cast<double>(v.size(1));
  }
  if (n <= components) throw InputError("dendritic PCA: fewer samples than components");
  const torch::Tensor mean = sum / n;
  const torch::Tensor covariance = (outer - n * torch::outer(mean, mean)) / (n - 1);
  const auto [eigenvalues, eigenvectors] = torch::linalg_eigh(covariance);  // ascending
  const torch::Tensor order = torch::arange(segments - 1, segments - 1 - components, -1);
  const torch::Tensor variance = eigenvalues.index_select(0, order).clamp_min(1e-12);
  torch::Tensor axes = eigenvectors.index_select(1, order).t().contiguous();  // [K, S]
  const torch::Tensor largest = axes.gather(1, axes.abs().argmax(1, true));
  axes = axes * torch::sign(largest);
  DendritePca pca;
  pca.mean_mV = mean;
  pca.whitened_axes = axes / variance.sqrt().view({-1, 1});
  pca.explained_variance_ratio = variance / eigenvalues.clamp_min(0).sum();
  pca.clip_mV = clip_mV;
  pca.component_clip = component_clip;
  return pca;
}

}  // namespace neurotwin
