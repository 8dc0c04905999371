#include "server/instantaneous_metrics.h"

namespace tmkv::server {

void InstantaneousMetrics::sample(int64_t now_ms, const Totals& totals) {
  if (!started_ || now_ms <= last_ms_) {
    // First call, or a clock that did not move (or stepped back): no rate
    // to take, only a new starting point.
    started_ = true;
    last_ms_ = now_ms;
    last_ = totals;
    return;
  }
  const double elapsed_s = static_cast<double>(now_ms - last_ms_) / 1000.0;
  for (size_t m = 0; m < kMetricCount; ++m) {
    // The totals are monotonic (CONFIG RESETSTAT keeps them, info_counters.h).
    const uint64_t delta = totals[m] >= last_[m] ? totals[m] - last_[m] : 0;
    Series& s = series_[m];
    s.rates[s.next] = static_cast<double>(delta) / elapsed_s;
    s.next = (s.next + 1) % kSamples;
    double sum = 0;
    for (double r : s.rates) sum += r;
    mean_[m].store(sum / kSamples, std::memory_order_relaxed);
  }
  last_ms_ = now_ms;
  last_ = totals;
}

}  // namespace tmkv::server
