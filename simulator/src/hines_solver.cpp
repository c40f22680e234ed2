#include "neurotwin/simulator/hines_solver.hpp"

#include <string>

#include "cable_kernel.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/simulator/instruction_set.hpp"

namespace neurotwin {

namespace cable_kernels {
Kernels for_instruction_set(const char* isa) {
  const std::string name = isa;
  return name == "avx512" ? avx512_kernels() : name == "avx2" ? avx2_kernels() : generic_kernels();
}
}  // namespace cable_kernels

HinesSolver::HinesSolver(std::vector<int> parent) : parent_(std::move(parent)) {
  if (parent_.empty() || parent_[0] != -1) throw InputError("Hines solver: node 0 must be the root");
  for (std::size_t i = 1; i < parent_.size(); ++i)
    if (parent_[i] < 0 || parent_[i] >= static_cast<int>(i))
      throw InputError("Hines solver: nodes are not in parent-first order");
  solve_ = cable_kernels::for_instruction_set(kernel_instruction_set().c_str()).solve;
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
