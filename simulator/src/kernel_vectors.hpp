#pragma once
// What every per-instruction-set kernel file (hay_table_kernel.cpp, synapse_kernel.cpp, cable_kernel.cpp)
// shares: the vector of NEUROTWIN_VECTOR_BYTES (16, 32 or 64, set by CMake with the -m flags) and loads
// and stores that take either such a vector or one double, so that a kernel runs whole vectors of lanes
// and then the remaining lanes one by one with the same operations. Internal linkage: each kernel file
// compiles its own copy for its instruction set, and no two copies meet at link time.
#include <cstddef>
#include <cstring>

#define NEUROTWIN_CONCAT2(a, b) a##b
#define NEUROTWIN_CONCAT(a, b) NEUROTWIN_CONCAT2(a, b)

namespace neurotwin {
namespace {

constexpr std::size_t kDoubleWidth = NEUROTWIN_VECTOR_BYTES / sizeof(double);
typedef double Doubles __attribute__((vector_size(NEUROTWIN_VECTOR_BYTES)));

inline Doubles load(const double* p, Doubles) {
  Doubles v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline double load(const double* p, double) { return *p; }
inline void store(double* p, const Doubles& v) { std::memcpy(p, &v, sizeof v); }
inline void store(double* p, double v) { *p = v; }

}  // namespace
}  // namespace neurotwin
