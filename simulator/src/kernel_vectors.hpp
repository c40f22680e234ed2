#pragma once
// What every per-instruction-set kernel file (hay_table_kernel.cpp, synapse_kernel.cpp, cable_kernel.cpp)
// shares: the vector of NEUROTWIN_VECTOR_BYTES (16, 32 or 64, set by CMake with the -m flags) and loads
// and stores that take either such a vector or one double, so that a kernel runs whole vectors of lanes
// and then the remaining lanes one by one with the same operations. Internal linkage: each kernel file
// compiles its own copy for its instruction set, and no two copies meet at link time.
#include <cmath>
#include <cstddef>
#include <cstring>
#if defined(__FMA__)
#include <immintrin.h>
#endif

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

// a b + c rounded once (IEEE fused multiply-add), element by element: the FMA instructions where the
// build has them (AVX2 and AVX-512 kernels: -mfma), else the C library's fma, which is exact without them
// too; so a vector and a single lane, and every instruction set, give the same numbers.
typedef float Floats __attribute__((vector_size(NEUROTWIN_VECTOR_BYTES)));
inline double mul_add(double a, double b, double c) { return __builtin_fma(a, b, c); }
inline float mul_add(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
#if defined(__FMA__) && NEUROTWIN_VECTOR_BYTES == 64
inline Doubles mul_add(const Doubles& a, const Doubles& b, const Doubles& c) { return _mm512_fmadd_pd(a, b, c); }
inline Floats mul_add(const Floats& a, const Floats& b, const Floats& c) { return _mm512_fmadd_ps(a, b, c); }
#elif defined(__FMA__) && NEUROTWIN_VECTOR_BYTES == 32
inline Doubles mul_add(const Doubles& a, const Doubles& b, const Doubles& c) { return _mm256_fmadd_pd(a, b, c); }
inline Floats mul_add(const Floats& a, const Floats& b, const Floats& c) { return _mm256_fmadd_ps(a, b, c); }
#else
template <class V>
inline V elementwise_mul_add(const V& a, const V& b, const V& c) {
  V r;
  for (std::size_t k = 0; k < sizeof(V) / sizeof(a[0]); ++k) r[k] = mul_add(a[k], b[k], c[k]);
  return r;
}
inline Doubles mul_add(const Doubles& a, const Doubles& b, const Doubles& c) { return elementwise_mul_add(a, b, c); }
inline Floats mul_add(const Floats& a, const Floats& b, const Floats& c) { return elementwise_mul_add(a, b, c); }
#endif

}  // namespace
}  // namespace neurotwin
