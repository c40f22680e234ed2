#include "neurotwin/simulator/hines_solver.hpp"

#include <algorithm>

#include "cable_kernel.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/simulator/instruction_set.hpp"

namespace neurotwin {


HinesSolver::HinesSolver(std::vector<int> parent) : parent_(std::move(parent)) {
  if (parent_.empty() || parent_[0] != -1) throw InputError("Hines solver: node 0 must be the root");
  for (std::size_t i = 1; i < parent_.size(); ++i)
    if (parent_[i] < 0 || parent_[i] >= static_cast<int>(i))
      throw InputError("Hines solver: nodes are not in parent-first order");
  // Level order (a counting sort by depth, stable in the index): the nodes of one depth depend on no
  // other node of that depth, so the out-of-order core overlaps their divisions, where index order
  // runs down one cable's chain of dependent divisions after another. Each parent still receives its
  // children's terms in descending index order, as in index order: the same numbers, bit for bit.
  std::vector<int> depth(parent_.size(), 0);
  int deepest = 0;
  for (std::size_t i = 1; i < parent_.size(); ++i) {
    depth[i] = depth[static_cast<std::size_t>(parent_[i])] + 1;
    deepest = std::max(deepest, depth[i]);
  }
  std::vector<std::size_t> start(static_cast<std::size_t>(deepest) + 2, 0);
  for (const int k : depth) ++start[static_cast<std::size_t>(k) + 1];
  for (std::size_t k = 1; k < start.size(); ++k) start[k] += start[k - 1];
  level_start_ = start;  // depth k from level_start_[k]; level_start_.back() = size()
  level_order_.resize(parent_.size());
  for (std::size_t i = 0; i < parent_.size(); ++i)
    level_order_[start[static_cast<std::size_t>(depth[i])]++] = static_cast<int>(i);
  solve_ = kernel_for_instruction_set(cable_kernels::generic_kernels, cable_kernels::avx2_kernels,
                                      cable_kernels::avx512_kernels).solve;
}

void HinesSolver::solve(double* d, double* rhs, const double* a, const double* b, std::size_t lanes) const {
  CableSweep s;
  s.nodes = parent_.size();
  s.lanes = lanes;
  s.parent = parent_.data();
  s.order = level_order_.data();
  s.level_start = level_start_.data();
  s.levels = level_start_.size() - 1;
  s.a = a;
  s.b = b;
  s.rhs = rhs;
  s.d = d;
  solve_(s);
}

}  // namespace neurotwin
