// A single-writer monotonic counter, the building block of every per-thread
// statistic in tmkv.
//
// Exactly one thread (the owner) writes it, with a relaxed load + relaxed
// store: no lock prefix and no cache-line transfer, since the structures
// holding counters are cache-line aligned and owned by one thread. Readers
// on other threads (metrics scrapes, INFO) load with relaxed order and sum.
// Relaxed is enough because no other data is published through these words:
// each is an independent monotonic number.
#pragma once

#include <atomic>
#include <cstdint>

namespace tmkv::stm {

class Counter {
 public:
  void add(uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

}  // namespace tmkv::stm
