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
  return a.available ? a.allocated : process_resident_bytes();
}

}  // namespace tmkv::store
