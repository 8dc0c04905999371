#include "metrics/families.h"

namespace tmkv::metrics {

prometheus::MetricFamily family(std::string name, std::string help, prometheus::MetricType type) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

prometheus::ClientMetric labelled(const Labels& labels) {
  prometheus::ClientMetric m;
  for (const auto& [k, v] : labels) m.label.push_back({k, v});
  return m;
}

void add_counter(prometheus::MetricFamily& f, const Labels& labels, double value) {
  prometheus::ClientMetric m = labelled(labels);
  m.counter.value = value;
  f.metric.push_back(std::move(m));
}

void add_gauge(prometheus::MetricFamily& f, const Labels& labels, double value) {
  prometheus::ClientMetric m = labelled(labels);
  m.gauge.value = value;
  f.metric.push_back(std::move(m));
}

prometheus::MetricFamily single_counter(std::string name, std::string help, double value) {
  prometheus::MetricFamily f = family(std::move(name), std::move(help), prometheus::MetricType::Counter);
  add_counter(f, {}, value);
  return f;
}

prometheus::MetricFamily single_gauge(std::string name, std::string help, double value) {
  prometheus::MetricFamily f = family(std::move(name), std::move(help), prometheus::MetricType::Gauge);
  add_gauge(f, {}, value);
  return f;
}

}  // namespace tmkv::metrics
