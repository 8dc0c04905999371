#include <cstdio>

#include "loadgen/format.h"
#include "loadgen/report.h"

namespace tmkv::loadgen {

void print_report(const Report& r, std::FILE* out) {
  const Options& o = *r.opts;
  const RunResult& run = *r.run;
  std::fprintf(out, "\n== tmkv-loadgen: %s against %s:%u ==\n", r.workload.c_str(), o.host.c_str(), o.port);
  std::fprintf(out, "%d thread(s) x %d connection(s), pipeline %d, %s", o.threads, o.connections, o.pipeline,
               o.rate > 0 ? "open loop" : "closed loop");
  if (o.rate > 0) std::fprintf(out, " at %.0f ops/s scheduled (latency from the schedule)", o.rate);
  std::fprintf(out, "\nkeys %llu (%s), seed %llu, warm-up %.1fs, measured %.2fs\n",
               static_cast<unsigned long long>(o.key_count), key_dist_name(o.key_dist.dist),
               static_cast<unsigned long long>(o.seed), run.warmup_s, run.measured_s);
  std::fprintf(out, "\n%-22s %12s %9s %9s %9s %9s %9s %9s %8s %8s\n", "operation", "ops/s", "p50", "p90", "p99",
               "p99.9", "max", "mean", "errors", "retries");
  const double secs = run.measured_s > 0 ? run.measured_s : 1;
  for (size_t i = 0; i < r.op_names.size(); ++i) {
    const OpStats& s = run.ops[i];
    const Histogram& h = s.latency;
    std::string name = r.op_names[i].size() > 22 ? r.op_names[i].substr(0, 19) + "..." : r.op_names[i];
    std::fprintf(out, "%-22s %12.0f %9s %9s %9s %9s %9s %9s %8llu %8llu\n", name.c_str(),
                 static_cast<double>(s.ok) / secs, format_ns(h.percentile(0.5)).c_str(),
                 format_ns(h.percentile(0.9)).c_str(), format_ns(h.percentile(0.99)).c_str(),
                 format_ns(h.percentile(0.999)).c_str(), format_ns(h.max()).c_str(),
                 format_ns(static_cast<uint64_t>(h.mean())).c_str(), static_cast<unsigned long long>(s.errors),
                 static_cast<unsigned long long>(s.retries));
  }
  for (size_t i = 0; i < r.op_names.size(); ++i)
    if (run.ops[i].errors > 0)
      std::fprintf(out, "first error (%s): %s\n", r.op_names[i].c_str(), run.ops[i].first_error.c_str());
  if (r.workload == "bank" && !run.ops.empty() && run.ops[0].ok > 0)
    std::fprintf(out, "retries per committed transfer: %.3f\n",
                 static_cast<double>(run.ops[0].retries) / static_cast<double>(run.ops[0].ok));
  if (!r.extra.empty()) {
    std::fprintf(out, "whole run, warm-up included:");
    for (auto& [k, v] : r.extra) std::fprintf(out, " %s=%g", k.c_str(), v);
    std::fprintf(out, "\n");
  }
  if (run.missed > 0)
    std::fprintf(out, "open loop: %llu scheduled operations were never sent (the server fell behind the rate)\n",
                 static_cast<unsigned long long>(run.missed));
  if (run.abandoned > 0)
    std::fprintf(out, "%llu operations were still unanswered 10 s after the end and were cut off\n",
                 static_cast<unsigned long long>(run.abandoned));
  if (r.metrics_scraped) {
    std::fprintf(out, "\nserver metrics, change during the run (%s):\n", o.metrics_url.c_str());
    if (r.metrics_deltas.empty()) std::fprintf(out, "  (no change)\n");
    // The path mix: each commits series as a share of all commits.
    double commits = 0;
    for (auto& d : r.metrics_deltas)
      if (series_name(d.series) == "tmkv_tx_commits_total") commits += d.delta;
    for (auto& d : r.metrics_deltas) {
      std::fprintf(out, "  %-62s %+12.0f", d.series.c_str(), d.delta);
      if (commits > 0 && series_name(d.series) == "tmkv_tx_commits_total")
        std::fprintf(out, "  (%.1f%% of commits)", 100.0 * d.delta / commits);
      std::fprintf(out, "\n");
    }
  } else if (!r.metrics_warning.empty()) {
    std::fprintf(out, "\nserver metrics: %s\n", r.metrics_warning.c_str());
  }
  if (r.verification.ran) {
    std::fprintf(out, "\nverification: %s\n", r.verification.ok ? "PASSED" : "FAILED");
    for (auto& l : r.verification.lines) std::fprintf(out, "  %s\n", l.c_str());
  }
}

}  // namespace tmkv::loadgen
