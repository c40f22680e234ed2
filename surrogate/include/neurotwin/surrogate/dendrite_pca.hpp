#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

namespace neurotwin {

// Beniaguev's dendritic-voltage target (spec §10.5; fit_CNN.py): every input
// segment's voltage clipped from above at clip_mV, projected on the leading
// principal components of the training set, whitened (unit variance per
// component, as sklearn's PCA(whiten=True)) and clipped to ±component_clip.
struct DendritePca {
  torch::Tensor mean_mV;           // [S] float64
  torch::Tensor whitened_axes;     // [K, S] float64: principal axis / sqrt(its variance)
  torch::Tensor explained_variance_ratio;  // [K] float64
  double clip_mV = 2.0;
  double component_clip = 3.0;

  std::int64_t components() const { return whitened_axes.defined() ? whitened_axes.size(0) : 0; }
  // v_mV: [S, T] float (segment voltages) -> [K, T] float targets.
  torch::Tensor project(const torch::Tensor& v_mV) const;
  // The reconstruction basis [S, K] float64: voltage (clipped at clip_mV)
  // ≈ mean_mV + basis · z for whitened components z; column k is
  // axis_k · sqrt(variance_k) = whitened_axis_k / |whitened_axis_k|².
  torch::Tensor reconstruction_basis() const;
  void save(torch::serialize::OutputArchive& archive) const;
  static DendritePca load(torch::serialize::InputArchive& archive);
};

// Fits the PCA on segment-voltage samples: `samples` is a list of [S, T_i]
// float tensors (e.g. simulations after the ignored transient, every few ms).
// Axes are ordered by decreasing variance; each axis's sign makes its
// largest-magnitude entry positive (deterministic). Throws InputError when
// there are fewer samples than components or components > S.
DendritePca fit_dendrite_pca(const std::vector<torch::Tensor>& samples, int components, double clip_mV = 2.0,
                             double component_clip = 3.0);

}  // namespace neurotwin
