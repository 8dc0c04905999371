// Helpers shared by the STM tests: staging two threads step by step, stats
// deltas, and scoped changes to the global retry policy.
//
// Staging follows libitm's testsuite and leveldb's skiplist_test: threads
// hand a monotonically increasing step counter back and forth, so every
// interleaving a test claims to exercise is the one that actually ran.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include "stm/stm.h"

namespace tmkv::stm::testing {

// Generous: only reached when the code under test blocks where it must not.
inline constexpr std::chrono::seconds kStageTimeout{10};

// Spins (yielding) until pred() or the timeout. Returns pred()'s last value.
template <class Pred>
bool wait_for(Pred pred, std::chrono::milliseconds timeout = kStageTimeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return pred();
    std::this_thread::yield();
  }
  return true;
}

// A step counter two or more threads use to run in a fixed order:
// `stage.wait(n)` blocks until some thread called `stage.advance_to(n)` (or
// beyond). Timeouts are reported as test failures instead of hanging.
class Stage {
 public:
  void advance_to(int n) { step_.store(n, std::memory_order_release); }
  int get() const { return step_.load(std::memory_order_acquire); }
  // Returns false (after recording a failure) on timeout.
  bool wait(int n, std::chrono::milliseconds timeout = kStageTimeout) {
    bool ok = wait_for([&] { return get() >= n; }, timeout);
    if (!ok) timed_out_.store(true, std::memory_order_relaxed);
    return ok;
  }
  // True if any wait() gave up. Tests assert this is false from the main
  // thread (gtest assertions from worker threads are fine too, but this keeps
  // the failure message in one place).
  bool timed_out() const { return timed_out_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int> step_{0};
  std::atomic<bool> timed_out_{false};
};

// Counters accumulated since construction, summed over all threads. Valid
// only while this test is the only one running transactions (gtest runs
// tests one at a time and our tests join their threads).
class StatsDelta {
 public:
  StatsDelta() : base_(collect_tx_stats()) {}
  uint64_t aborts(AbortCause c) const { return collect_tx_stats().aborts_of(c) - base_.aborts_of(c); }
  uint64_t total_aborts() const { return collect_tx_stats().total_aborts() - base_.total_aborts(); }
  uint64_t commits(CommitPath p) const { return collect_tx_stats().commits_on(p) - base_.commits_on(p); }
  uint64_t total_commits() const { return collect_tx_stats().total_commits() - base_.total_commits(); }
  uint64_t escalations() const { return collect_tx_stats().escalations - base_.escalations; }

 private:
  TxStatsSnapshot base_;
};

// Restores the whole retry policy when the test ends, however it ends.
class RetryPolicyGuard {
 public:
  RetryPolicyGuard() {
    RetryPolicy& p = retry_policy();
    max_aborts_ = p.max_aborts_before_irrevocable.load();
    backoff_base_ = p.backoff_base.load();
    backoff_cap_ = p.backoff_cap.load();
    lock_spin_ = p.lock_spin.load();
    shortcut_ = p.commit_shortcut.load();
    stamp_ = p.stamp_clock.load();
  }
  ~RetryPolicyGuard() { restore(); }
  RetryPolicyGuard(const RetryPolicyGuard&) = delete;
  RetryPolicyGuard& operator=(const RetryPolicyGuard&) = delete;

  void restore() const {
    RetryPolicy& p = retry_policy();
    p.max_aborts_before_irrevocable.store(max_aborts_);
    p.backoff_base.store(backoff_base_);
    p.backoff_cap.store(backoff_cap_);
    p.lock_spin.store(lock_spin_);
    p.commit_shortcut.store(shortcut_);
    p.stamp_clock.store(stamp_);
  }
  uint32_t original_max_aborts() const { return max_aborts_; }

 private:
  uint32_t max_aborts_;
  uint32_t backoff_base_;
  uint32_t backoff_cap_;
  uint32_t lock_spin_;
  bool shortcut_;
  bool stamp_;
};

inline void set_max_aborts_before_irrevocable(uint32_t n) { retry_policy().max_aborts_before_irrevocable.store(n); }

}  // namespace tmkv::stm::testing
