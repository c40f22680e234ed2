#include "neurotwin/surrogate/allocator_tuning.hpp"

#include <malloc.h>

namespace neurotwin {

void keep_large_allocations() {
#if defined(__GLIBC__)
  // Blocks below 256 MiB come from the heap rather than fresh mappings, and
  // the heap is trimmed only when more than 512 MiB at its top are free.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
#endif
}

}  // namespace neurotwin
