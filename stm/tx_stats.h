// Per-thread transaction counters.
//
// Each counter has exactly one writer, the owning thread, which bumps it with
// a relaxed load + relaxed store (no lock prefix, no cache-line transfer: the
// struct is cache-line aligned and owned by one thread). Readers on other
// threads (metrics scrapes, INFO) load with relaxed order and sum; a sum is a
// consistent-enough snapshot for monotonic counters, and relaxed is enough
// because no other data is published through these words.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "stm/abort_cause.h"

namespace tmkv::stm {

// A single-writer monotonic counter.
class Counter {
 public:
  void add(uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

// Which path committed a transaction. kHardware is used by htm/.
enum class CommitPath : unsigned { kSoftware = 0, kReadOnly, kIrrevocable, kHardware, kGlobalLock, kCount };
inline constexpr size_t kCommitPathCount = static_cast<size_t>(CommitPath::kCount);
inline constexpr std::array<const char*, kCommitPathCount> kCommitPathNames = {
    "stm", "stm_readonly", "irrevocable", "htm", "global_lock"};

// Counter slots for the layers above stm (htm/hybrid_stats.h names them),
// kept here so one per-thread structure holds every transaction counter.
inline constexpr size_t kExtensionCounters = 32;

struct alignas(64) TxStats {
  std::array<Counter, kCommitPathCount> commits;
  std::array<Counter, kAbortCauseCount> aborts;
  Counter escalations;  // transactions that went irrevocable after too many aborts
  std::array<Counter, kExtensionCounters> extension;

  void count_commit(CommitPath p) { commits[static_cast<size_t>(p)].add(); }
  void count_abort(AbortCause c) { aborts[static_cast<size_t>(c)].add(); }
};

// A plain snapshot, summed over threads.
struct TxStatsSnapshot {
  std::array<uint64_t, kCommitPathCount> commits{};
  std::array<uint64_t, kAbortCauseCount> aborts{};
  uint64_t escalations = 0;
  std::array<uint64_t, kExtensionCounters> extension{};

  uint64_t total_commits() const {
    uint64_t s = 0;
    for (auto c : commits) s += c;
    return s;
  }
  uint64_t total_aborts() const {
    uint64_t s = 0;
    for (auto c : aborts) s += c;
    return s;
  }
  uint64_t commits_on(CommitPath p) const { return commits[static_cast<size_t>(p)]; }
  uint64_t aborts_of(AbortCause c) const { return aborts[static_cast<size_t>(c)]; }
  void add(const TxStats& s) {
    for (size_t i = 0; i < kCommitPathCount; ++i) commits[i] += s.commits[i].get();
    for (size_t i = 0; i < kAbortCauseCount; ++i) aborts[i] += s.aborts[i].get();
    escalations += s.escalations.get();
    for (size_t i = 0; i < kExtensionCounters; ++i) extension[i] += s.extension[i].get();
  }
};

// Sums every thread's counters, live and exited (an exited thread's
// descriptor is kept for reuse, so its counts are never lost).
TxStatsSnapshot collect_tx_stats();

}  // namespace tmkv::stm
