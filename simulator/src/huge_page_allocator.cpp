#include "neurotwin/simulator/huge_page_allocator.hpp"

#include <sys/mman.h>

namespace neurotwin {

void* allocate_huge_page_advised(std::size_t bytes, std::size_t alignment) {
  if (bytes >= kHugePageBytes / 2) {
    const std::size_t rounded = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
    void* p = std::aligned_alloc(kHugePageBytes, rounded);
    if (p == nullptr) throw std::bad_alloc();
    madvise(p, rounded, MADV_HUGEPAGE);  // advice only: its failure leaves ordinary pages
    return p;
  }
  const std::size_t align = alignment < 64 ? 64 : alignment;
  const std::size_t rounded = bytes == 0 ? align : (bytes + align - 1) / align * align;  // a block even for 0
  void* p = std::aligned_alloc(align, rounded);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace neurotwin
