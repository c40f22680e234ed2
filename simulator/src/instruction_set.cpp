#include "neurotwin/simulator/instruction_set.hpp"

#include <cstdlib>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

std::string kernel_instruction_set() {
  __builtin_cpu_init();
  // Both vector builds use fused multiply-adds (the kernels' mul_add).
  const bool fma = __builtin_cpu_supports("fma");
  const bool avx512 = fma && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  const bool avx2 = fma && __builtin_cpu_supports("avx2");
  const char* forced = std::getenv("NEUROTWIN_SIMD");
  if (!forced || !*forced) return avx512 ? "avx512" : avx2 ? "avx2" : "generic";
  const std::string isa = forced;
  if (isa == "generic" || (isa == "avx2" && avx2) || (isa == "avx512" && avx512)) return isa;
  throw InputError("NEUROTWIN_SIMD=" + isa + ": expected generic, avx2 or avx512, one that this processor runs");
}

}  // namespace neurotwin
