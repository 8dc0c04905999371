// tmkv-loadgen: options, load phase, run, metrics, verification, report.
#include <asio.hpp>
#include <cstdio>

#include "loadgen/http_get.h"
#include "loadgen/options.h"
#include "loadgen/prom_text.h"
#include "loadgen/report.h"
#include "loadgen/run.h"
#include "loadgen/sync_client.h"
#include "loadgen/workloads.h"

using namespace tmkv::loadgen;

namespace {

constexpr int kExitVerifyFailed = 1, kExitUsage = 2, kExitRunFailed = 3;
constexpr std::chrono::milliseconds kClientTimeout{30000}, kScrapeTimeout{5000};
const std::vector<std::string> kTxCounters = {"tmkv_tx_commits_total", "tmkv_tx_aborts_total",
                                              "tmkv_tx_fallbacks_total"};

int run_failed(const std::string& what) {
  std::fprintf(stderr, "tmkv-loadgen: %s\n", what.c_str());
  return kExitRunFailed;
}

// One scrape of --metrics-url; false (and `warning`) when it cannot be had.
bool scrape(const Url& url, Samples& out, std::string& warning) {
  std::string body, error;
  if (!http_get(url, kScrapeTimeout, body, error) || !parse_prom_text(body, out, error)) {
    warning = "could not scrape the metrics endpoint: " + error;
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  bool help = false;
  auto parsed = parse_options(argc, argv, help);
  if (!parsed) return help ? 0 : kExitUsage;
  const Options& opts = *parsed;

  std::string error;
  Url metrics_url;
  if (!opts.metrics_url.empty() && !parse_http_url(opts.metrics_url, metrics_url, error)) {
    std::fprintf(stderr, "tmkv-loadgen: --metrics-url: %s\n", error.c_str());
    return kExitUsage;
  }
  auto workload = make_workload(opts, error);
  if (!workload) {
    std::fprintf(stderr, "tmkv-loadgen: %s\n", error.c_str());
    return kExitUsage;
  }

  // The server's address, once.
  asio::ip::tcp::endpoint ep;
  {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    asio::error_code ec;
    auto results = resolver.resolve(opts.host, std::to_string(opts.port), ec);
    if (ec || results.empty()) return run_failed("cannot resolve " + opts.host + ": " + ec.message());
    ep = *results.begin();
  }

  SyncClient client(ep, kClientTimeout);
  if (!client.connect(opts.user, opts.password, error)) return run_failed(error);
  if (opts.load) {
    if (!workload->load(client, error)) return run_failed("load phase: " + error);
  }

  Report report;
  report.opts = &opts;
  report.workload = workload->name();
  report.op_names = workload->op_names();
  Samples before, after;
  bool scraped_before = false;
  if (!opts.metrics_url.empty()) {
    scraped_before = scrape(metrics_url, before, report.metrics_warning);
    if (!scraped_before) std::fprintf(stderr, "tmkv-loadgen: warning: %s\n", report.metrics_warning.c_str());
  }

  RunResult run = run_workload(opts, *workload, ep);
  report.run = &run;
  if (!run.error.empty()) return run_failed(run.error);

  if (scraped_before) {
    report.metrics_scraped = scrape(metrics_url, after, report.metrics_warning);
    if (report.metrics_scraped) report.metrics_deltas = counter_deltas(before, after, kTxCounters);
    else std::fprintf(stderr, "tmkv-loadgen: warning: %s\n", report.metrics_warning.c_str());
  }
  report.verification = workload->verify(client, run.parts, run.abandoned == 0);
  report.extra = workload->extra_numbers(run.parts);

  print_report(report, stdout);
  std::fflush(stdout);
  int status = 0;
  if (!opts.json_path.empty() && !write_json_report(report, opts.json_path, error)) status = run_failed(error);
  if (!opts.plot_path.empty() && !write_svg_plot(report, opts.plot_path, error)) status = run_failed(error);
  if (report.verification.ran && !report.verification.ok) {
    std::fprintf(stderr, "tmkv-loadgen: verification FAILED:\n");
    bool in_failure = false;  // a FAILED line and the indented examples under it
    for (auto& l : report.verification.lines) {
      if (l.rfind("FAILED: ", 0) == 0) in_failure = true;
      else if (l.rfind("  ", 0) != 0) in_failure = false;
      if (in_failure) std::fprintf(stderr, "  %s\n", l.rfind("FAILED: ", 0) == 0 ? l.c_str() + 8 : l.c_str());
    }
    return kExitVerifyFailed;
  }
  if (run.interrupted) std::fprintf(stderr, "tmkv-loadgen: interrupted\n");
  return status;
}
