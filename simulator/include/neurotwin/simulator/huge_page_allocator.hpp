#pragma once
#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace neurotwin {

// An allocator for the per-step arrays (node and lane values, gate states, synapse states, rate tables):
// every block starts on a cache line (64 bytes), so that a vector of lanes never straddles two lines and
// the kernels' speed does not depend on where the heap happens to put an array; blocks of
// 1 MiB or more start on a 2-MiB boundary and are advised to the kernel as transparent huge pages
// (madvise MADV_HUGEPAGE, before the first touch), so that a step's scattered reads across megabytes of
// tables and states do not miss the TLB at every 4-KiB page. Where the operating system has no
// transparent huge pages the advice is ignored and the memory is ordinary.
inline constexpr std::size_t kHugePageBytes = std::size_t{1} << 21;

// `bytes` (the block rounded up to its alignment): below 1 MiB aligned to the larger of `alignment` and
// 64 bytes; from 1 MiB to 2 MiB, with the huge-page advice. Throws std::bad_alloc. Free with std::free.
void* allocate_huge_page_advised(std::size_t bytes, std::size_t alignment);

template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() noexcept = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(allocate_huge_page_advised(n * sizeof(T), alignof(T)));
  }
  void deallocate(T* p, std::size_t) noexcept { std::free(p); }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const HugePageAllocator<U>&) const noexcept { return false; }
};

// A per-step array: cache-line aligned, huge pages from 1 MiB.
template <class T>
using KernelVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace neurotwin
