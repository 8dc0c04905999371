// Per-command statistics: calls, failures, rejections and a latency
// histogram for every command in the table, kept per worker.
//
// One CommandStats belongs to one worker and is written only by that
// worker's thread (stm::Counter / stm::Histogram: single writer, relaxed
// load + store); INFO commandstats/latencystats and the metrics scrape sum
// every worker's with relaxed loads. No shared word is written per command.
//
// What counts, as Redis's commandstats:
//   calls     the command ran (inside EXEC: once, when the block commits)
//   failed    it ran and replied with an error
//   rejected  it never ran: wrong arity, NOAUTH, unknown command
//   latency   top-level calls only (EXEC is timed as one call), with
//             latency-tracking on
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "server/command.h"
#include "stm/counter.h"
#include "stm/histogram.h"

namespace tmkv::server {

struct alignas(64) CommandCounters {
  stm::Counter calls;
  stm::Counter failed;
  stm::Counter rejected;
  stm::LatencyHistogram latency;
};

// A plain sum over workers.
struct CommandTotals {
  uint64_t calls = 0, failed = 0, rejected = 0;
  stm::LatencyCounts latency;
};

class CommandStats {
 public:
  CommandStats();
  // The counters of spec's command; nullptr means an unknown command.
  CommandCounters& of(const CommandSpec* spec) { return slots_[spec == nullptr ? unknown_slot() : index_of(spec)]; }
  // Adds these counters into totals (sized slot_count()).
  void add_to(std::vector<CommandTotals>& totals) const;

  // Slot i < all_commands().size() is all_commands()[i]; the last slot
  // counts unknown commands.
  static size_t slot_count();
  static size_t unknown_slot();

 private:
  static size_t index_of(const CommandSpec* spec);
  std::unique_ptr<CommandCounters[]> slots_;
};

}  // namespace tmkv::server
