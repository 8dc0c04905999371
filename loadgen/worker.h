// One worker thread: an io_context, its connections and its statistics.
//
// The main thread and the workers share only a RunShared: two latches for
// the start, the start time, and three atomic flags/counters, each
// documented below. Everything else a worker owns alone until it is
// joined, after which the main thread reads its results.
#pragma once

#include <asio.hpp>
#include <atomic>
#include <latch>
#include <memory>
#include <string>
#include <vector>

#include "loadgen/connection.h"
#include "loadgen/options.h"
#include "loadgen/stats.h"
#include "loadgen/workload.h"

namespace tmkv::loadgen {

struct RunShared {
  explicit RunShared(int workers) : connected(workers), go(1) {}
  std::latch connected;  // each worker arrives once its set-up has ended (well or not)
  std::latch go;         // the main thread counts down after writing t0
  // Written by the main thread before go.count_down(), read by workers after
  // go.wait(): the latch orders the write before the reads.
  Clock::time_point t0{};
  // Set by the main thread (SIGINT, a failed set-up) or by a worker that hit
  // a fatal error; workers poll it on their tick and stop. A bare flag that
  // guards no data (results are read after join), so relaxed suffices.
  std::atomic<bool> stop{false};
  // Incremented by each worker as it finishes (release), polled by the main
  // thread's progress loop (acquire) to know when to join. Join itself is
  // what orders the workers' results before the main thread reads them.
  std::atomic<int> finished{0};
};

class Worker {
 public:
  Worker(const Options& opts, int index, Workload& workload, RunShared& shared, asio::ip::tcp::endpoint ep);
  void run();  // the thread's body

  // For the main thread: stats() after RunShared::connected (made before
  // the worker arrives there; the latch orders it), read through the
  // sealed() protocol during the run; everything after join.
  const ThreadStats* stats() const { return stats_.get(); }
  ThreadPart* part() const { return part_.get(); }
  const std::string& error() const { return error_; }
  uint64_t abandoned() const { return abandoned_; }
  uint64_t missed() const { return missed_; }

  // For its connections.
  void on_ready();
  void fatal(const std::string& what);
  bool may_start(Clock::time_point now);  // closed loop: start another operation?
  bool stopping() const { return stopping_; }
  void on_idle();
  ThreadStats& own_stats() { return *stats_; }

 private:
  void setup();
  void tick();
  void begin_stop();
  void shutdown();

  const Options& opts_;
  int index_;
  RunShared& shared_;
  asio::ip::tcp::endpoint ep_;
  asio::io_context io_{1};  // one thread runs it: no locking inside Asio
  std::unique_ptr<ThreadPart> part_;
  std::vector<std::unique_ptr<Connection>> conns_;
  std::unique_ptr<ThreadStats> stats_;
  size_t op_types_;
  asio::steady_timer tick_timer_, end_timer_;
  int ready_ = 0;
  bool setup_failed_ = false;
  bool running_ = false;  // set-up done, the run under way
  bool stopping_ = false;
  bool shut_ = false;
  Clock::time_point measure_from_{}, stop_at_{};
  uint64_t quota_ = 0;  // --requests: measured operations this worker may still start
  uint64_t abandoned_ = 0, missed_ = 0;
  std::string error_;
};

}  // namespace tmkv::loadgen
