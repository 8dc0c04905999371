// InfoCounters: every counter INFO shows, read once per INFO call, and
// CONFIG RESETSTAT's baseline.
//
// Redis's CONFIG RESETSTAT zeroes INFO's statistics (stats, commandstats,
// latencystats). tmkv's counters are monotonic, because the Prometheus
// endpoint (metrics/) exports them as counters and Prometheus requires that.
// So RESETSTAT does not touch them: it records a baseline, and INFO shows
// each counter minus its baseline. /metrics is unaffected.
//
// Subtraction cannot go below zero: every counter is monotonic, each sum
// over workers is a sum of monotonic counters, and the baseline was read
// before the current values (it is clamped at zero all the same).
#pragma once

#include <cstdint>
#include <vector>

#include "server/command_stats.h"
#include "server/error_stats.h"
#include "stm/tx_stats.h"

namespace tmkv::server {

class Server;

// A sum of every worker's WorkerStats, for INFO.
struct StatsSnapshot {
  uint64_t commands = 0, connections = 0, net_in = 0, net_out = 0, exec_ok = 0, exec_watch_failed = 0,
           exec_aborted = 0, watch_intact = 0;
};

struct InfoCounters {
  StatsSnapshot totals;
  uint64_t rejected_connections = 0;
  uint64_t expired_keys = 0;
  uint64_t evicted_keys = 0;
  std::vector<CommandTotals> commands;  // CommandStats slots
  ErrorTotals errors{};                 // error replies by code
  stm::TxStatsSnapshot tx;              // commits, aborts, keyspace hits/misses (tallies), ...
};

// The raw, monotonic counters now.
InfoCounters read_info_counters(const Server& s);
// now - base, counter by counter (histograms bucket by bucket).
InfoCounters counters_since(const InfoCounters& now, const InfoCounters& base);

}  // namespace tmkv::server
