#include "loadgen/run.h"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <thread>

#include "loadgen/progress.h"
#include "loadgen/worker.h"

namespace tmkv::loadgen {

RunResult::RunResult() = default;
RunResult::~RunResult() = default;
RunResult::RunResult(RunResult&&) noexcept = default;

namespace {
// Set by the SIGINT handler, polled by the main thread. A lock-free atomic
// is async-signal-safe; relaxed, since it guards no data.
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_sigint(int) {
  g_interrupted.store(true, std::memory_order_relaxed);
  std::signal(SIGINT, SIG_DFL);  // a second ^C ends the process at once
}
}  // namespace

RunResult run_workload(const Options& opts, Workload& workload, const asio::ip::tcp::endpoint& ep) {
  RunResult r;
  RunShared shared(opts.threads);
  for (int i = 0; i < opts.threads; ++i)
    r.workers.push_back(std::make_unique<Worker>(opts, i, workload, shared, ep));
  std::vector<std::thread> threads;
  for (auto& w : r.workers) threads.emplace_back([&w] { w->run(); });

  shared.connected.wait();
  shared.t0 = Clock::now();
  shared.go.count_down();
  std::signal(SIGINT, on_sigint);

  // The progress line: second s is shown once every worker has sealed it.
  Progress progress(isatty(STDERR_FILENO) == 1, workload.op_names().size() > 1);
  size_t shown = 0;
  while (shared.finished.load(std::memory_order_acquire) < opts.threads) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (g_interrupted.load(std::memory_order_relaxed)) {
      r.interrupted = true;
      shared.stop.store(true, std::memory_order_relaxed);
    }
    size_t sealed = SIZE_MAX;
    for (auto& w : r.workers) sealed = std::min(sealed, w->stats() ? w->stats()->sealed() : 0);
    if (sealed == 0 || sealed == SIZE_MAX || sealed <= shown) continue;
    SecondStats merged;
    for (auto& w : r.workers)
      if (const SecondStats* s = w->stats()->second(sealed - 1)) merged.merge(*s);
    shown = sealed;
    progress.show(static_cast<double>(sealed), opts.warmup_s, merged);
  }
  for (auto& t : threads) t.join();
  std::signal(SIGINT, SIG_DFL);
  progress.finish();

  // Everything below reads the workers' results after join.
  size_t op_types = workload.op_names().size();
  r.ops.resize(op_types);
  r.warmup_s = opts.warmup_s;
  const Clock::time_point measure_from =
      shared.t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opts.warmup_s));
  Clock::time_point last = measure_from;
  size_t seconds = 0;
  for (auto& w : r.workers) {
    if (!w->error().empty() && r.error.empty()) r.error = w->error();
    r.parts.push_back(w->part());
    r.abandoned += w->abandoned();
    r.missed += w->missed();
    if (!w->stats()) continue;
    for (size_t i = 0; i < op_types; ++i) r.ops[i].merge(w->stats()->ops()[i]);
    last = std::max(last, w->stats()->last_finish());
    seconds = std::max(seconds, w->stats()->seconds_used());
  }
  // A last, partial second (the drain after the end) would read as a drop
  // in throughput: the series keeps whole seconds only.
  const auto whole = static_cast<size_t>(std::chrono::duration<double>(last - shared.t0).count());
  seconds = std::min(seconds, std::max<size_t>(whole, 1));
  r.series.resize(seconds);
  for (auto& w : r.workers) {
    if (!w->stats()) continue;
    for (size_t s = 0; s < seconds; ++s)
      if (const SecondStats* x = w->stats()->second(s)) r.series[s].merge(*x);
  }
  r.measured_s = std::chrono::duration<double>(last - measure_from).count();
  return r;
}

}  // namespace tmkv::loadgen
