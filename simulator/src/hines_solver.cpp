#include "neurotwin/simulator/hines_solver.hpp"

#include "cable_kernel.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/simulator/instruction_set.hpp"

namespace neurotwin {


HinesSolver::HinesSolver(std::vector<int> parent) : parent_(std::move(parent)) {
  if (parent_.empty() || parent_[0] != -1) throw InputError("Hines solver: node 0 must be the root");
  for (std::size_t i = 1; i < parent_.size(); ++i)
    if (parent_[i] < 0 || parent_[i] >= static_cast<int>(i))
      throw InputError("Hines solver: nodes are not in parent-first order");
  solve_ = kernel_for_instruction_set(cable_kernels::generic_kernels, cable_kernels::avx2_kernels,
                                      cable_kernels::avx512_kernels).solve;
}

void HinesSolver::solve(double* d, double* rhs, const double* a, const double* b, std::size_t lanes) const {
  CableSweep s;
  s.nodes = parent_.size();
  s.lanes = lanes;
  s.parent = parent_.data();
  s.a = a;
  s.b = b;
  s.rhs = rhs;
  s.d = d;
  solve_(s);
}

}  // namespace neurotwin
