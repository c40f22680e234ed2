#pragma once
// Subnormal numbers read and written as zero while a FlushSubnormals lives (the x86 MXCSR's FTZ and DAZ
// bits, this thread only); the previous mode comes back when it ends. A simulation step runs under one:
// an idle synapse's decaying states pass through the subnormal range (below 2.2e-308) after about a
// second without input, where this CPU's arithmetic costs many times its normal speed, while currents
// of 1e-300 change no voltage. Without SSE (not x86) it does nothing.
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace neurotwin {

class FlushSubnormals {
 public:
#if defined(__SSE__)
  FlushSubnormals() : previous_(_mm_getcsr()) { _mm_setcsr(previous_ | kFlushToZero | kDenormalsAreZero); }
  ~FlushSubnormals() { _mm_setcsr(previous_); }
#else
  FlushSubnormals() = default;
#endif
  FlushSubnormals(const FlushSubnormals&) = delete;
  FlushSubnormals& operator=(const FlushSubnormals&) = delete;

 private:
#if defined(__SSE__)
  static constexpr unsigned kFlushToZero = 0x8000, kDenormalsAreZero = 0x0040;
  unsigned previous_;
#endif
};

}  // namespace neurotwin
