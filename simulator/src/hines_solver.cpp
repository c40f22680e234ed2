#include "neurotwin/simulator/hines_solver.hpp"

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

HinesSolver::HinesSolver(std::vector<int> parent) : parent_(std::move(parent)) {
  if (parent_.empty() || parent_[0] != -1) throw InputError("Hines solver: node 0 must be the root");
  for (std::size_t i = 1; i < parent_.size(); ++i)
    if (parent_[i] < 0 || parent_[i] >= static_cast<int>(i))
      throw InputError("Hines solver: nodes are not in parent-first order");
}

void HinesSolver::solve(double* d, double* rhs, const double* a, const double* b) const {
  const std::size_t n = parent_.size();
  // Triangularization, leaves to root: eliminate a_i from the parent's row.
  for (std::size_t i = n - 1; i >= 1; --i) {
    const auto p = static_cast<std::size_t>(parent_[i]);
    const double f = a[i] / d[i];
    d[p] -= f * b[i];
    rhs[p] -= f * rhs[i];
  }
  // Back substitution, root to leaves.
  rhs[0] /= d[0];
  for (std::size_t i = 1; i < n; ++i) {
    const auto p = static_cast<std::size_t>(parent_[i]);
    rhs[i] = (rhs[i] - b[i] * rhs[p]) / d[i];
  }
}

}  // namespace neurotwin
