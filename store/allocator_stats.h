// Heap statistics from jemalloc (mallctl "stats.*"), the allocator of every
// tmkv binary. Sanitizer builds use the sanitizer's allocator instead; there
// available() is false and the numbers are 0, never invented.
#pragma once

#include <cstddef>

namespace tmkv::store {

struct AllocatorStats {
  bool available = false;
  size_t allocated = 0;  // bytes in live allocations
  size_t active = 0;     // bytes in active pages
  size_t resident = 0;   // bytes resident in physical memory
};

// Refreshes jemalloc's cached statistics and reads them. Thread-safe.
AllocatorStats read_allocator_stats();

}  // namespace tmkv::store
