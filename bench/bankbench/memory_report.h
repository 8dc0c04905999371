// The store's memory cost per key, measured with jemalloc's own statistics:
// load N keys of 16 bytes with 32-byte values into a fresh store and divide
// the growth of jemalloc's "stats.allocated" by N.
#pragma once

#include <cstdint>
#include <cstdio>

namespace tmkv::bankbench {

struct MemoryReport {
  bool available = false;  // false without jemalloc (sanitizer builds)
  uint64_t keys = 0;
  double bytes_per_key = 0;     // all heap bytes per key
  double overhead_per_key = 0;  // minus the 16 + 32 key and value bytes
};

// REQUIRES: no other thread allocates meanwhile (the workers have joined).
MemoryReport MeasureStoreMemory(uint64_t keys);
void PrintMemoryReport(std::FILE* out, const MemoryReport& r);

}  // namespace tmkv::bankbench
