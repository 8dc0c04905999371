#include "store/allocator_stats.h"

#include <unistd.h>

#include <cstdint>
#include <fstream>

#if TMKV_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace tmkv::store {

AllocatorStats read_allocator_stats() {
  AllocatorStats s;
#if TMKV_WITH_JEMALLOC
  // Statistics are cached; writing "epoch" refreshes them.
  uint64_t epoch = 1;
  size_t len = sizeof(epoch);
  if (mallctl("epoch", &epoch, &len, &epoch, len) != 0) return s;
  len = sizeof(size_t);
  bool ok = mallctl("stats.allocated", &s.allocated, &len, nullptr, 0) == 0 &&
            mallctl("stats.active", &s.active, &len, nullptr, 0) == 0 &&
            mallctl("stats.resident", &s.resident, &len, nullptr, 0) == 0;
  // Merged over every arena (MALLCTL_ARENAS_ALL = 4096). Missing from a
  // jemalloc built without statistics of it: then 0, and in_use() is the
  // cruder stats.allocated.
  if (ok && mallctl("stats.arenas.4096.tcache_bytes", &s.thread_cached, &len, nullptr, 0) != 0) s.thread_cached = 0;
  s.available = ok;
#endif
  return s;
}

size_t process_resident_bytes() {
  std::ifstream in("/proc/self/statm");
  size_t pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

size_t used_memory_bytes() {
  const AllocatorStats a = read_allocator_stats();
  return a.available ? a.in_use() : process_resident_bytes();
}

size_t allocation_size(size_t request) {
#if TMKV_WITH_JEMALLOC
  if (request == 0) return 0;
  return nallocx(request, 0);
#else
  return (request + 15) & ~static_cast<size_t>(15);
#endif
}

std::string allocator_report() {
#if TMKV_WITH_JEMALLOC
  std::string out;
  malloc_stats_print(
      [](void* arg, const char* text) { static_cast<std::string*>(arg)->append(text); }, &out, nullptr);
  return out;
#else
  return "Stats not supported for the current allocator (a sanitizer build: jemalloc is not linked)\n";
#endif
}

void allocator_purge() {
#if TMKV_WITH_JEMALLOC
  // MALLCTL_ARENAS_ALL (4096) names every arena.
  mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
#endif
}

}  // namespace tmkv::store
