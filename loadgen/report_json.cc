#include <cmath>
#include <cstdio>
#include <sstream>

#include "loadgen/format.h"
#include "loadgen/report.h"

namespace tmkv::loadgen {

namespace {
std::string num(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}
std::string str(const std::string& s) { return "\"" + json_escape(s) + "\""; }
std::string us(uint64_t ns) { return num(static_cast<double>(ns) / 1e3); }
}  // namespace

bool write_json_report(const Report& r, const std::string& path, std::string& error) {
  const Options& o = *r.opts;
  const RunResult& run = *r.run;
  std::ostringstream j;
  j << "{\n  \"tool\": \"tmkv-loadgen\",\n  \"workload\": " << str(r.workload) << ",\n";
  j << "  \"config\": {\"host\": " << str(o.host) << ", \"port\": " << o.port << ", \"threads\": " << o.threads
    << ", \"connections_per_thread\": " << o.connections << ", \"pipeline\": " << o.pipeline
    << ", \"loop\": " << str(o.rate > 0 ? "open" : "closed") << ", \"rate\": " << num(o.rate)
    << ", \"key_count\": " << o.key_count << ", \"key_dist\": " << str(key_dist_name(o.key_dist.dist))
    << ", \"zipf_theta\": " << num(o.key_dist.zipf_theta) << ", \"value_size_min\": " << o.value_min
    << ", \"value_size_max\": " << o.value_max << ", \"seed\": " << o.seed << ", \"warmup_s\": " << num(o.warmup_s)
    << "},\n";
  j << "  \"measured_s\": " << num(run.measured_s) << ",\n  \"latency_unit\": \"us\",\n  \"operations\": {";
  const double secs = run.measured_s > 0 ? run.measured_s : 1;
  for (size_t i = 0; i < r.op_names.size(); ++i) {
    const OpStats& s = run.ops[i];
    const Histogram& h = s.latency;
    j << (i ? "," : "") << "\n    " << str(r.op_names[i]) << ": {\"ok\": " << s.ok << ", \"errors\": " << s.errors
      << ", \"retries\": " << s.retries << ", \"ops_per_s\": " << num(static_cast<double>(s.ok) / secs)
      << ", \"p50\": " << us(h.percentile(0.5)) << ", \"p90\": " << us(h.percentile(0.9))
      << ", \"p99\": " << us(h.percentile(0.99)) << ", \"p999\": " << us(h.percentile(0.999))
      << ", \"max\": " << us(h.max()) << ", \"mean\": " << num(h.mean() / 1e3);
    if (s.errors) j << ", \"first_error\": " << str(s.first_error);
    j << "}";
  }
  j << "\n  },\n  \"extra\": {";
  for (size_t i = 0; i < r.extra.size(); ++i)
    j << (i ? ", " : "") << str(r.extra[i].first) << ": " << num(r.extra[i].second);
  j << "},\n  \"missed\": " << run.missed << ",\n  \"abandoned\": " << run.abandoned << ",\n";
  j << "  \"per_second\": [";
  for (size_t s = 0; s < run.series.size(); ++s) {
    const SecondStats& x = run.series[s];
    j << (s ? "," : "") << "\n    {\"t\": " << s + 1 << ", \"warmup\": " << (static_cast<double>(s) < o.warmup_s ? "true" : "false")
      << ", \"ops\": " << x.ops << ", \"errors\": " << x.errors << ", \"retries\": " << x.retries
      << ", \"p50\": " << us(x.latency.percentile(0.5)) << ", \"p99\": " << us(x.latency.percentile(0.99)) << "}";
  }
  j << "\n  ],\n";
  j << "  \"metrics\": ";
  if (r.metrics_scraped) {
    j << "{\"url\": " << str(o.metrics_url) << ", \"deltas\": {";
    for (size_t i = 0; i < r.metrics_deltas.size(); ++i)
      j << (i ? ", " : "") << str(r.metrics_deltas[i].series) << ": " << num(r.metrics_deltas[i].delta);
    j << "}}";
  } else if (!r.metrics_warning.empty()) {
    j << "{\"url\": " << str(o.metrics_url) << ", \"warning\": " << str(r.metrics_warning) << "}";
  } else {
    j << "null";
  }
  j << ",\n  \"verification\": ";
  if (r.verification.ran) {
    j << "{\"ok\": " << (r.verification.ok ? "true" : "false") << ", \"lines\": [";
    for (size_t i = 0; i < r.verification.lines.size(); ++i) j << (i ? ", " : "") << str(r.verification.lines[i]);
    j << "]}";
  } else {
    j << "null";
  }
  j << "\n}\n";
  return write_text_file(path, j.str(), error);
}

}  // namespace tmkv::loadgen
