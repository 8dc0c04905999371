#include "bench/bankbench/memory_report.h"

#include <algorithm>
#include <cinttypes>
#include <memory>
#include <cstdio>
#include <string_view>

#include "stm/stm.h"
#include "store/allocator_stats.h"
#include "store/store.h"

namespace tmkv::bankbench {
namespace {

constexpr size_t kKeyBytes = 16;
constexpr size_t kValueBytes = 32;
constexpr uint64_t kKeysPerTransaction = 1000;

}  // namespace

MemoryReport MeasureStoreMemory(uint64_t keys) {
  MemoryReport r;
  r.keys = keys;
  const store::AllocatorStats before = store::read_allocator_stats();
  if (!before.available || keys == 0) return r;
  auto s = std::make_unique<store::Store>();
  char key[32];  // room for any uint64_t; the key is the first 16 bytes
  char value[48];
  for (uint64_t first = 0; first < keys; first += kKeysPerTransaction) {
    const uint64_t last = std::min(keys, first + kKeysPerTransaction);
    stm::atomically([&](stm::Tx& tx) {
      for (uint64_t i = first; i < last; ++i) {
        std::snprintf(key, sizeof key, "key:%012" PRIu64, i);
        std::snprintf(value, sizeof value, "value:%026" PRIu64, i);
        s->set(tx, std::string_view(key, kKeyBytes), std::string_view(value, kValueBytes));
      }
    });
  }
  const store::AllocatorStats after = store::read_allocator_stats();
  r.available = after.available && s->size() == keys;
  r.bytes_per_key = static_cast<double>(after.allocated - before.allocated) / static_cast<double>(keys);
  r.overhead_per_key = r.bytes_per_key - static_cast<double>(kKeyBytes + kValueBytes);
  return r;
}

void PrintMemoryReport(std::FILE* out, const MemoryReport& r) {
  if (r.keys == 0) return;
  if (!r.available) {
    std::fprintf(out, "memory: unavailable (no jemalloc statistics in this build)\n");
    return;
  }
  std::fprintf(out,
               "memory: %" PRIu64 " keys of %zu B with %zu B values: %.1f B/key in jemalloc, "
               "%.1f B/key beyond the key and value bytes\n",
               r.keys, kKeyBytes, kValueBytes, r.bytes_per_key, r.overhead_per_key);
  std::fprintf(out, "memory_overhead_per_key=%.1f\n", r.overhead_per_key);
}

}  // namespace tmkv::bankbench
