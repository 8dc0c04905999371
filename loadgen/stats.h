// What a worker thread measures, and how the main thread reads it.
//
// Each worker owns a ThreadStats and is the only writer. Totals per
// operation type cover the measured phase only and are read by the main
// thread after the worker is joined. The per-second series (all operations,
// warm-up included, for the progress line and the plot) is read while the
// run goes on, through a publication protocol: a second's entry is written
// only while it is the current second; the worker then "seals" it by a
// release store of `sealed_`, and the main thread reads only entries below
// an acquire load of `sealed_`, which are never written again.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loadgen/histogram.h"

namespace tmkv::loadgen {

using Clock = std::chrono::steady_clock;

struct OpStats {
  Histogram latency;        // successful operations, ns
  uint64_t ok = 0;
  uint64_t errors = 0;
  uint64_t retries = 0;
  std::string first_error;  // the first error reply's text
  void merge(const OpStats& o);
};

struct SecondStats {
  uint64_t ops = 0;       // finished operations, errors included
  uint64_t errors = 0;
  uint64_t retries = 0;
  Histogram latency;      // all operation types together
  void merge(const SecondStats& o);
};

class ThreadStats {
 public:
  // Made by the worker during set-up, before the main thread may look.
  ThreadStats(size_t op_types, size_t max_seconds);
  // The worker, once the start time is known: seconds count from t0,
  // operations that start before measure_from are warm-up.
  void start(Clock::time_point t0, Clock::time_point measure_from) {
    t0_ = t0;
    measure_from_ = measure_from;
  }

  // One finished operation that started (or was scheduled to start) at
  // `intended` and finished at `now`.
  void record(int op_type, bool error, uint32_t retries, const std::string* error_message,
              Clock::time_point intended, Clock::time_point now) {
    const auto ns = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now - intended).count());
    if (intended >= measure_from_) {
      OpStats& s = ops_[static_cast<size_t>(op_type)];
      s.retries += retries;
      if (error) {
        if (s.errors++ == 0 && error_message) s.first_error = *error_message;
      } else {
        ++s.ok;
        s.latency.record(ns);
      }
      if (now > last_finish_) last_finish_ = now;
    }
    const auto sec = static_cast<size_t>(std::chrono::duration_cast<std::chrono::seconds>(now - t0_).count());
    if (sec < seconds_.size()) {
      auto& slot = seconds_[sec];
      if (!slot) slot = std::make_unique<SecondStats>();
      ++slot->ops;
      slot->errors += error;
      slot->retries += retries;
      if (!error) slot->latency.record(ns);
    }
  }

  // Worker: publishes every second that has fully passed by `now`.
  void seal_until(Clock::time_point now);
  // Main thread, during the run: seconds [0, sealed()) may be read.
  size_t sealed() const { return sealed_.load(std::memory_order_acquire); }  // whole seconds passed
  const SecondStats* second(size_t i) const { return seconds_[i].get(); }  // null: nothing happened

  // After the worker is joined.
  const std::vector<OpStats>& ops() const { return ops_; }
  Clock::time_point last_finish() const { return last_finish_; }
  size_t seconds_used() const;

 private:
  Clock::time_point t0_{}, measure_from_{};  // worker only
  Clock::time_point last_finish_{};
  std::vector<OpStats> ops_;
  std::vector<std::unique_ptr<SecondStats>> seconds_;  // fixed size: never reallocated while read
  // Written by the worker (release), read by the main thread (acquire): the
  // release orders every write to seconds_[< sealed_] before the store, so
  // a reader that sees the new count sees those entries complete.
  std::atomic<size_t> sealed_{0};
};

}  // namespace tmkv::loadgen
