// Small builders for prometheus-cpp MetricFamily values, so that collectors
// read like the list of what they export. Everything here is plain data:
// collectors build families from snapshots at scrape time.
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "stm/histogram.h"

namespace tmkv::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

prometheus::MetricFamily family(std::string name, std::string help, prometheus::MetricType type);
void add_counter(prometheus::MetricFamily& f, const Labels& labels, double value);
void add_gauge(prometheus::MetricFamily& f, const Labels& labels, double value);

// A histogram sample from fixed-bucket counts. Bounds and the sum are in
// integer units; `scale` turns them into the exported unit (1e-9 for ns ->
// seconds, 1 for counts).
template <size_t N>
void add_histogram(prometheus::MetricFamily& f, const Labels& labels, const stm::HistogramCounts<N>& h,
                   const stm::Bounds<N>& bounds, double scale);

// Convenience for a family with a single unlabeled sample.
prometheus::MetricFamily single_counter(std::string name, std::string help, double value);
prometheus::MetricFamily single_gauge(std::string name, std::string help, double value);

// ---- template definition ----
prometheus::ClientMetric labelled(const Labels& labels);

template <size_t N>
void add_histogram(prometheus::MetricFamily& f, const Labels& labels, const stm::HistogramCounts<N>& h,
                   const stm::Bounds<N>& bounds, double scale) {
  prometheus::ClientMetric m = labelled(labels);
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= N; ++i) {
    cumulative += h.buckets[i];
    prometheus::ClientMetric::Bucket b;
    b.cumulative_count = cumulative;
    b.upper_bound = i < N ? static_cast<double>(bounds[i]) * scale : std::numeric_limits<double>::infinity();
    m.histogram.bucket.push_back(b);
  }
  m.histogram.sample_count = cumulative;
  m.histogram.sample_sum = static_cast<double>(h.sum) * scale;
  f.metric.push_back(std::move(m));
}

}  // namespace tmkv::metrics
