// Heap statistics from jemalloc (mallctl "stats.*"), the allocator of every
// tmkv binary. Sanitizer builds use the sanitizer's allocator instead; there
// available() is false and the numbers are 0, never invented.
#pragma once

#include <cstddef>
#include <string>

namespace tmkv::store {

struct AllocatorStats {
  bool available = false;
  size_t allocated = 0;      // jemalloc's stats.allocated: live blocks, and free ones in thread caches
  size_t thread_cached = 0;  // of which free blocks in thread caches (tcache_bytes)
  size_t active = 0;         // bytes in active pages
  size_t resident = 0;       // bytes resident in physical memory

  // Bytes the program holds: what Redis's used_memory counts. Each thread
  // keeps freed blocks in its cache for reuse, and jemalloc counts those as
  // allocated until the cache hands them back: up to a few hundred KiB per
  // thread that come and go with no change in what the program holds.
  size_t in_use() const { return allocated - (thread_cached < allocated ? thread_cached : allocated); }
};

// Refreshes jemalloc's cached statistics and reads them. Thread-safe.
AllocatorStats read_allocator_stats();

// The process's resident set size (/proc/self/statm), in bytes.
size_t process_resident_bytes();

// The memory figure limits are checked against: the bytes in use per
// jemalloc (AllocatorStats::in_use), or, where jemalloc is not the allocator
// (sanitizer builds), the resident set size, which over-counts but never
// under-counts the heap.
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
