// Runs the workload: starts the workers, prints the progress line, joins
// them, and merges what they measured.
#pragma once

#include <asio.hpp>
#include <memory>
#include <string>
#include <vector>

#include "loadgen/options.h"
#include "loadgen/stats.h"
#include "loadgen/workload.h"

namespace tmkv::loadgen {

class Worker;

struct RunResult {
  std::string error;               // a fatal error: the run failed
  bool interrupted = false;        // SIGINT
  std::vector<OpStats> ops;        // per operation type, measured phase
  std::vector<SecondStats> series; // per second since the start, warm-up included
  double warmup_s = 0;
  double measured_s = 0;           // from the end of warm-up to the last measured completion
  uint64_t abandoned = 0;          // operations cut off by the drain timeout
  uint64_t missed = 0;             // open loop: scheduled but never sent
  std::vector<ThreadPart*> parts;  // for verification; owned by `workers`
  std::vector<std::unique_ptr<Worker>> workers;
  RunResult();
  ~RunResult();
  RunResult(RunResult&&) noexcept;
};

RunResult run_workload(const Options& opts, Workload& workload, const asio::ip::tcp::endpoint& ep);

}  // namespace tmkv::loadgen
