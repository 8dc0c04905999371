// Heap statistics from jemalloc (mallctl "stats.*"), the allocator of every
// tmkv binary. Sanitizer builds use the sanitizer's allocator instead; there
// available() is false and the numbers are 0, never invented.
#pragma once

#include <cstddef>
#include <string>

namespace tmkv::store {

struct AllocatorStats {
  bool available = false;
  size_t allocated = 0;  // bytes in live allocations
  size_t active = 0;     // bytes in active pages
  size_t resident = 0;   // bytes resident in physical memory
};

// Refreshes jemalloc's cached statistics and reads them. Thread-safe.
AllocatorStats read_allocator_stats();

// The process's resident set size (/proc/self/statm), in bytes.
size_t process_resident_bytes();

// The memory figure limits are checked against: jemalloc's allocated bytes,
// or, where jemalloc is not the allocator (sanitizer builds), the resident
// set size, which over-counts but never under-counts the heap.
size_t used_memory_bytes();

// The bytes an allocation of `request` bytes really takes: jemalloc's size
// class (nallocx), or, without jemalloc, the request rounded up to 16.
size_t allocation_size(size_t request);

// jemalloc's own statistics report (malloc_stats_print), for MEMORY
// MALLOC-STATS; without jemalloc, a line saying there is none.
std::string allocator_report();

// Returns dirty pages of every arena to the system (MEMORY PURGE); a no-op
// without jemalloc.
void allocator_purge();

}  // namespace tmkv::store
