// InstantaneousMetrics: INFO stats' instantaneous_ops_per_sec,
// instantaneous_input_kbps and instantaneous_output_kbps, as Redis computes
// them: every 100 ms tick the rate since the previous tick is recorded, and
// INFO shows the mean of the last 16 rates (1.6 s). Dashboards read these
// (RedisInsight's commands per second, redis_exporter's gauges) rather than
// differentiating the totals themselves.
//
// THREADING: sample() is called by one thread only (worker 0's tick), which
// owns the series. The means it publishes are relaxed atomics: each is an
// independent statistic, read by INFO on any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace tmkv::server {

class InstantaneousMetrics {
 public:
  enum Metric : size_t { kCommands, kNetInput, kNetOutput, kMetricCount };
  using Totals = std::array<uint64_t, kMetricCount>;

  // The sampling thread only: the monotonic totals at now_ms. The first
  // call only records its starting point.
  void sample(int64_t now_ms, const Totals& totals);
  // Any thread: the mean rate per second over the recent samples.
  double per_second(Metric m) const { return mean_[m].load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kSamples = 16;  // Redis's STATS_METRIC_SAMPLES
  struct Series {
    std::array<double, kSamples> rates{};
    size_t next = 0;
  };
  // Sampling thread only.
  bool started_ = false;
  int64_t last_ms_ = 0;
  Totals last_{};
  std::array<Series, kMetricCount> series_{};
  // Written by the sampling thread, read by INFO.
  std::array<std::atomic<double>, kMetricCount> mean_{};
};

}  // namespace tmkv::server
