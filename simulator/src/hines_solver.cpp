#include "neurotwin/simulator/hines_solver.hpp"

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

HinesSolver::HinesSolver(std::vector<int> parent) : parent_(std::move(parent)) {
  if (parent_.empty() || parent_[0] != -1) throw InputError("Hines solver: node 0 must be the root");
  for (std::size_t i = 1; i < parent_.size(); ++i)
    if (parent_[i] < 0 || parent_[i] >= static_cast<int>(i))
      throw InputError("Hines solver: nodes are not in parent-first order");
}

namespace {

// The lane count as a compile-time constant where it is a common one, so
// that the lane loops become straight vector code.
template <std::size_t kLanes>
void solve_lanes(const std::vector<int>& parent, double* d, double* rhs, const double* a, const double* b,
                 std::size_t runtime_lanes) {
  const std::size_t lanes = kLanes ? kLanes : runtime_lanes;
  const std::size_t n = parent.size();
  // Triangularization, leaves to root: eliminate a_i from the parent's row,
  // d_p -= (a_i b_i) / d_i (a division and a subtraction on the chain of
  // dependent updates), rhs_p -= a_i (1 / d_i) rhs_i; d_i then holds its
  // reciprocal for the back substitution.
  for (std::size_t i = n - 1; i >= 1; --i) {
    const std::size_t p = static_cast<std::size_t>(parent[i]) * lanes, c = i * lanes;
    const double ab = a[i] * b[i];
    for (std::size_t l = 0; l < lanes; ++l) {
      const double d_i = d[c + l];
      const double reciprocal = 1.0 / d_i;
      d[p + l] -= ab / d_i;
      rhs[p + l] -= a[i] * reciprocal * rhs[c + l];
      d[c + l] = reciprocal;
    }
  }
  // Back substitution, root to leaves: a multiplication by the stored
  // reciprocal instead of a division on the dependent chain.
  for (std::size_t l = 0; l < lanes; ++l) rhs[l] /= d[l];
  for (std::size_t i = 1; i < n; ++i) {
    const std::size_t p = static_cast<std::size_t>(parent[i]) * lanes, c = i * lanes;
    for (std::size_t l = 0; l < lanes; ++l) rhs[c + l] = (rhs[c + l] - b[i] * rhs[p + l]) * d[c + l];
  }
}

}  // namespace

void HinesSolver::solve(double* d, double* rhs, const double* a, const double* b, std::size_t lanes) const {
  switch (lanes) {
    case 1: return solve_lanes<1>(parent_, d, rhs, a, b, 1);
    case 4: return solve_lanes<4>(parent_, d, rhs, a, b, 4);
    case 8: return solve_lanes<8>(parent_, d, rhs, a, b, 8);
    default: return solve_lanes<0>(parent_, d, rhs, a, b, lanes);
  }
}

}  // namespace neurotwin
