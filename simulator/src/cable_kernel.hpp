#pragma once
// The cable equation's per-step node loops (spec §11.2 steps 4-7) over every
// node and lane, the lanes of a node as vectors: the capacitive and axial
// terms, the Hines solve (§11.5) and the voltage update. Compiled once per
// instruction set (cable_kernel.cpp, as hay_table_kernel.cpp). Plain
// structs and pointers only.
#include <cstddef>

namespace neurotwin {

struct CableSweep {
  std::size_t nodes = 0, lanes = 1;
  const int* parent = nullptr;        // per node, parent-first order (parent[0] = -1)
  const int* order = nullptr;         // solve: the nodes in an order with every parent before its children,
                                      // children of one parent in ascending index (root first)
  const std::size_t* level_start = nullptr;  // solve, when not null: order[level_start[k] ...
  std::size_t levels = 0;                    // level_start[k + 1] - 1] are the nodes of depth k
  const double* a = nullptr;          // per node: the parent row's coupling a_i
  const double* b = nullptr;          // per node: the node row's coupling b_i
  const double* capacitance = nullptr;  // per node: C/dt (0 for nodes without membrane)
  const double* leak_g = nullptr;     // per node: the folded leak's g (S/cm²) and e (mV), 0 where none
  const double* leak_e = nullptr;
  double* v_mV = nullptr;             // node * lanes + lane
  double* rhs = nullptr;
  double* d = nullptr;
  double update_factor = 1;           // v += factor * solution (2 for Crank-Nicolson)
};

namespace cable_kernels {
struct Kernels {
  void (*assemble)(const CableSweep&);  // d, rhs <- the leak, C/dt and the axial terms of every node
  void (*solve)(const CableSweep&);     // Hines: rhs <- the solution, d overwritten
  void (*update)(const CableSweep&);    // v += factor * rhs
};
Kernels generic_kernels();
Kernels avx2_kernels();
Kernels avx512_kernels();
}  // namespace cable_kernels

}  // namespace neurotwin
