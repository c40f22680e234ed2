#pragma once
#include <string>

namespace neurotwin {

// The instruction set the simulator's vector kernels use: "avx512" (AVX-512 F
// and DQ, with FMA), "avx2" (with FMA) or "generic" (SSE2), the best this processor runs, or the
// one the environment variable NEUROTWIN_SIMD names (for tests and
// comparisons). Throws InputError for a name that is not one of the three or
// that the processor does not run.
std::string kernel_instruction_set();

// The kernel built for kernel_instruction_set(), from the three builds' factories.
template <class Kernel>
Kernel kernel_for_instruction_set(Kernel (*generic)(), Kernel (*avx2)(), Kernel (*avx512)()) {
  const std::string isa = kernel_instruction_set();
  return isa == "avx512" ? avx512() : isa == "avx2" ? avx2() : generic();
}

}  // namespace neurotwin
