#include "loadgen/stats.h"

#include <algorithm>

namespace tmkv::loadgen {

void OpStats::merge(const OpStats& o) {
  latency.merge(o.latency);
  ok += o.ok;
  if (errors == 0 && o.errors > 0) first_error = o.first_error;
  errors += o.errors;
  retries += o.retries;
}

void SecondStats::merge(const SecondStats& o) {
  ops += o.ops;
  errors += o.errors;
  retries += o.retries;
  latency.merge(o.latency);
}

ThreadStats::ThreadStats(size_t op_types, size_t max_seconds) : ops_(op_types), seconds_(max_seconds) {}

void ThreadStats::seal_until(Clock::time_point now) {
  const auto passed = static_cast<size_t>(std::chrono::duration_cast<std::chrono::seconds>(now - t0_).count());
  const size_t n = std::min(passed, seconds_.size());
  if (n > sealed_.load(std::memory_order_relaxed))  // only this thread writes it
    sealed_.store(n, std::memory_order_release);
}

size_t ThreadStats::seconds_used() const {
  size_t n = seconds_.size();
  while (n > 0 && !seconds_[n - 1]) --n;
  return n;
}

}  // namespace tmkv::loadgen
