// Per-thread transaction counters and histograms.
//
// Every field has exactly one writer, the owning thread (counter.h,
// histogram.h: relaxed load + store, no read-modify-write, no shared line).
// Readers on other threads (metrics scrapes, INFO) sum them with relaxed
// loads into a TxStatsSnapshot; a sum is a consistent-enough snapshot for
// monotonic counters, and relaxed is enough because no other data is
// published through these words.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>

#include "stm/abort_cause.h"
#include "stm/counter.h"
#include "stm/histogram.h"

namespace tmkv::stm {

// Which path committed a transaction. kHardware is used by htm/.
enum class CommitPath : unsigned { kSoftware = 0, kReadOnly, kIrrevocable, kHardware, kGlobalLock, kCount };
inline constexpr size_t kCommitPathCount = static_cast<size_t>(CommitPath::kCount);
inline constexpr std::array<const char*, kCommitPathCount> kCommitPathNames = {
    "stm", "stm_readonly", "irrevocable", "htm", "global_lock"};

// Counter slots for the layers above stm (htm/hybrid_stats.h names them),
// kept here so one per-thread structure holds every transaction counter.
inline constexpr size_t kExtensionCounters = 32;

// Tallies: per-attempt counts that layers above stm keep through
// Tx::tally() and that reach these counters only when the attempt commits
// (the server's read lookups count keyspace hits and misses in the slots
// store/store.h names), so a retried transaction never counts twice.
inline constexpr size_t kTallySlots = 4;

// Attempts per committed transaction (hardware and software together).
inline constexpr Bounds<10> kAttemptBounds = {1, 2, 3, 4, 6, 8, 12, 16, 32, 64};
// Keys touched by the committing attempt.
inline constexpr Bounds<10> kWidthBounds = {1, 2, 4, 8, 16, 32, 64, 128, 256, 1024};
using AttemptCounts = HistogramCounts<kAttemptBounds.size()>;

// Bucket indices for the two histograms every commit feeds, without a
// search: a table for attempts, the bit width for the power-of-two widths.
// (tests/stm/histogram_test.cc checks them against the generic search.)
inline size_t attempt_bucket(uint64_t n) {
  static constexpr auto kTable = [] {
    std::array<uint8_t, 65> t{};
    for (uint64_t v = 0; v < t.size(); ++v) {
      uint8_t i = 0;
      while (i < kAttemptBounds.size() && v > kAttemptBounds[i]) ++i;
      t[v] = i;
    }
    return t;
  }();
  return n < kTable.size() ? kTable[n] : kAttemptBounds.size();
}
inline size_t width_bucket(uint64_t n) {
  if (n <= 1) return 0;
  if (n <= 256) return static_cast<size_t>(std::bit_width(n - 1));  // 2 -> 1, 3..4 -> 2, ... 129..256 -> 8
  return n <= 1024 ? 9 : 10;
}
using WidthCounts = HistogramCounts<kWidthBounds.size()>;

// Latency tracking (transaction duration here, command duration in the
// server) reads the tick clock twice per call; it can be switched off
// (`latency-tracking no`, as in Redis). A relaxed flag: each transaction
// reads it once at its start, and a transaction that started under the old
// setting finishing under it is harmless.
//
// Transactions are sampled for the width and latency histograms: one run
// in tx_sample_rate() per thread (default 16; 1 takes every run). A bank
// transfer takes under 200 ns here; two reads of the TSC (about 40 ns) and
// the width count on every one would cost more than the 3% telemetry may
// (docs/BENCHMARKS.md, "Issue 5"). Uniform sampling leaves the quantiles
// unbiased; those histograms' _count is the number of sampled
// transactions. Commits, aborts and the attempts histogram are exact.
inline constexpr uint32_t kDefaultTxSampleRate = 16;
namespace detail {
// Read at the start of every transaction, written almost never: on a cache
// line of their own, so that no frequently written global shares it.
struct alignas(64) TelemetrySettings {
  std::atomic<bool> latency_tracking{true};  // on by default, as Redis's latency-tracking
  std::atomic<uint32_t> tx_sample_rate{kDefaultTxSampleRate};
};
extern TelemetrySettings g_telemetry;
}  // namespace detail
inline void set_latency_tracking(bool on) { detail::g_telemetry.latency_tracking.store(on, std::memory_order_relaxed); }
inline bool latency_tracking() { return detail::g_telemetry.latency_tracking.load(std::memory_order_relaxed); }
// REQUIRES: rate >= 1.
inline void set_tx_sample_rate(uint32_t rate) {
  detail::g_telemetry.tx_sample_rate.store(rate, std::memory_order_relaxed);
}
inline uint32_t tx_sample_rate() { return detail::g_telemetry.tx_sample_rate.load(std::memory_order_relaxed); }

struct alignas(64) TxStats {
  // Every commit bumps commits[path] and the attempts sum and bucket: kept
  // together, a first-attempt commit touches one cache line.
  std::array<Counter, kCommitPathCount> commits;
  Histogram<kAttemptBounds.size()> attempts;
  std::array<Counter, kAbortCauseCount> aborts;
  Counter escalations;  // transactions that went irrevocable after too many aborts
  std::array<Counter, kExtensionCounters> extension;
  std::array<Counter, kTallySlots> tallies;
  Histogram<kWidthBounds.size()> width;
  std::array<LatencyHistogram, kCommitPathCount> latency;  // by commit path; only while tracking

  void count_commit(CommitPath p) { commits[static_cast<size_t>(p)].add(); }
  void count_abort(AbortCause c) { aborts[static_cast<size_t>(c)].add(); }
};

// A plain snapshot, summed over threads.
struct TxStatsSnapshot {
  std::array<uint64_t, kCommitPathCount> commits{};
  std::array<uint64_t, kAbortCauseCount> aborts{};
  uint64_t escalations = 0;
  std::array<uint64_t, kExtensionCounters> extension{};
  std::array<uint64_t, kTallySlots> tallies{};
  AttemptCounts attempts;
  WidthCounts width;
  std::array<LatencyCounts, kCommitPathCount> latency;

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
    for (size_t i = 0; i < kTallySlots; ++i) tallies[i] += s.tallies[i].get();
    s.attempts.add_to(attempts);
    s.width.add_to(width);
    for (size_t i = 0; i < kCommitPathCount; ++i) s.latency[i].add_to(latency[i]);
  }
};

// Sums every thread's counters, live and exited (an exited thread's
// descriptor is kept for reuse, so its counts are never lost).
TxStatsSnapshot collect_tx_stats();

}  // namespace tmkv::stm
