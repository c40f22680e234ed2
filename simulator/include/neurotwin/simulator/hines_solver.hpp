#pragma once
#include <cstddef>
#include <vector>

namespace neurotwin {

struct CableSweep;  // cable_kernel.hpp

// Direct solver for the tree-structured linear system of the cable equation
// (Hines 1984; spec §11.5). Node i's parent p(i) < i. The matrix has diagonal
// d, entry b_i at (row i, column p) and a_i at (row p, column i). O(n).
class HinesSolver {
 public:
  explicit HinesSolver(std::vector<int> parent);
  std::size_t size() const { return parent_.size(); }
  // Solves in place: on return rhs holds the solution; d is overwritten.
  // With lanes > 1, d and rhs hold `lanes` independent systems with the same
  // a and b, node k of lane l at [k * lanes + l] (each lane's arithmetic is
  // that of a one-lane solve); a node's lanes are solved as vectors.
  void solve(double* d, double* rhs, const double* a, const double* b, std::size_t lanes = 1) const;
  const std::vector<int>& parents() const { return parent_; }
  // The order the solve visits the nodes in: by depth in the tree (the root,
  // its children, theirs, ...), by index within a depth.
  const std::vector<int>& level_order() const { return level_order_; }

 private:
  std::vector<int> parent_;
  std::vector<int> level_order_;
  std::vector<std::size_t> level_start_;  // where each depth begins in level_order_, then size()
  void (*solve_)(const CableSweep&) = nullptr;  // the instruction set's kernel
};

}  // namespace neurotwin
