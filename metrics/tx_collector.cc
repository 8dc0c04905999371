#include "metrics/tx_collector.h"

#include <string>

#include "htm/hybrid_stats.h"
#include "htm/tm_mode.h"
#include "metrics/families.h"

namespace tmkv::metrics {

using prometheus::MetricType;

namespace {
constexpr double kNsToSeconds = 1e-9;
}

void append_tx_families(const stm::TxStatsSnapshot& s, std::vector<prometheus::MetricFamily>& out) {
  auto commits = family("tmkv_tx_commits_total", "Committed transactions by the path that committed them.",
                        MetricType::Counter);
  for (size_t p = 0; p < stm::kCommitPathCount; ++p) {
    add_counter(commits, {{"path", stm::kCommitPathNames[p]}}, static_cast<double>(s.commits[p]));
  }
  out.push_back(std::move(commits));

  auto aborts = family("tmkv_tx_aborts_total",
                       "Aborted transaction attempts by path (htm: hardware attempts; stm: software attempts, "
                       "irrevocable included) and cause.",
                       MetricType::Counter);
  for (size_t a = 0; a < static_cast<size_t>(htm::HwAbort::kCount); ++a) {
    add_counter(aborts, {{"path", "htm"}, {"cause", std::string(htm::kHwAbortNames[a])}},
                static_cast<double>(htm::hw_aborts(s, static_cast<htm::HwAbort>(a))));
  }
  for (size_t c = 0; c < stm::kAbortCauseCount; ++c) {
    add_counter(aborts, {{"path", "stm"}, {"cause", std::string(stm::kAbortCauseNames[c])}},
                static_cast<double>(s.aborts[c]));
  }
  out.push_back(std::move(aborts));

  auto fallbacks = family("tmkv_tx_fallbacks_total",
                          "Transactions that left the hardware path for software, by the reason.",
                          MetricType::Counter);
  for (size_t f = 0; f < static_cast<size_t>(htm::Fallback::kCount); ++f) {
    add_counter(fallbacks, {{"reason", std::string(htm::kFallbackNames[f])}},
                static_cast<double>(htm::fallbacks(s, static_cast<htm::Fallback>(f))));
  }
  out.push_back(std::move(fallbacks));

  out.push_back(single_counter("tmkv_tx_hw_attempts_total", "Hardware transaction attempts started.",
                               static_cast<double>(htm::hw_started(s))));
  out.push_back(single_counter("tmkv_tx_escalations_total",
                               "Transactions that ran irrevocably after too many aborts.",
                               static_cast<double>(s.escalations)));
  out.push_back(single_counter("tmkv_tx_gate_waits_total",
                               "Hardware attempts that first waited for an irrevocable transaction.",
                               static_cast<double>(htm::gate_waits(s))));

  auto attempts = family("tmkv_tx_attempts", "Attempts (hardware and software) per committed transaction.",
                         MetricType::Histogram);
  add_histogram(attempts, {}, s.attempts, stm::kAttemptBounds, 1.0);
  out.push_back(std::move(attempts));

  auto width = family("tmkv_tx_width_keys",
                      "Keys touched by the attempt that committed; one transaction in tx-sample-rate per "
                      "thread is measured, so _count counts sampled transactions.",
                      MetricType::Histogram);
  add_histogram(width, {}, s.width, stm::kWidthBounds, 1.0);
  out.push_back(std::move(width));

  auto latency = family("tmkv_tx_duration_seconds",
                        "Transaction latency from its first attempt to its commit, by commit path; one "
                        "transaction in tx-sample-rate per thread is timed (while latency-tracking "
                        "is on), so _count counts sampled transactions.",
                        MetricType::Histogram);
  for (size_t p = 0; p < stm::kCommitPathCount; ++p) {
    add_histogram(latency, {{"path", stm::kCommitPathNames[p]}}, s.latency[p], stm::kLatencyBoundsNs, kNsToSeconds);
  }
  out.push_back(std::move(latency));
}

void append_info_families(std::vector<prometheus::MetricFamily>& out) {
  const htm::TmInfo tm = htm::tm_info();
  auto info = family("tmkv_tm_info", "The active transactional-memory mode and why (value 1).", MetricType::Gauge);
  add_gauge(info,
            {{"mode", std::string(htm::tm_mode_name(tm.mode))},
             {"path", std::string(htm::tm_path_name(tm.path))},
             {"htm_supported", tm.htm_supported ? "true" : "false"},
             {"htm_backend", tm.htm_backend},
             {"reason", tm.reason}},
            1);
  out.push_back(std::move(info));

  auto build = family("tmkv_build_info", "How this binary was built (value 1).", MetricType::Gauge);
  add_gauge(build,
            {{"version", TMKV_VERSION},
             {"compiler", "g++ " __VERSION__},
             {"build_type", TMKV_BUILD_TYPE},
             {"sanitizer", TMKV_SANITIZER[0] != '\0' ? TMKV_SANITIZER : "none"}},
            1);
  out.push_back(std::move(build));
}

}  // namespace tmkv::metrics
