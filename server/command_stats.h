// Per-command statistics: calls, failures, rejections and a latency
// histogram for every command in the table, kept per worker.
//
// One CommandStats belongs to one worker and is written only by that
// worker's thread (stm::Counter / stm::Histogram: single writer, relaxed
// load + store); INFO commandstats/latencystats and the metrics scrape sum
// every worker's with relaxed loads. No shared word is written per command.
//
// As in Redis 7, a container's subcommands are counted apart ("client|list",
// "config|get"): each has its own slot. The container's own slot counts only
// calls rejected before a subcommand was named (CLIENT alone: wrong arity).
// A call naming an unknown subcommand is counted with the unknown commands,
// as Redis, which resolves it to no command, does not count it at all.
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
#include <span>
#include <string_view>
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
  // The counters of the call `args` of spec's command (see slot_of).
  CommandCounters& of(const CommandSpec* spec, std::span<const std::string_view> args) {
    return slots_[slot_of(spec, args)];
  }
  CommandCounters& at(size_t slot) { return slots_[slot]; }
  // Adds these counters into totals (sized slot_count()).
  void add_to(std::vector<CommandTotals>& totals) const;

  // The slot of a call: its subcommand's for a container called with one of
  // its subcommands, the container's when args name none (args.size() < 2),
  // unknown_slot() for an unknown subcommand or spec == nullptr (an unknown
  // command).
  // Inline for a plain command: it runs for every request.
  static size_t slot_of(const CommandSpec* spec, std::span<const std::string_view> args) {
    if (spec != nullptr && (spec->subcommands.empty() || args.size() < 2)) [[likely]] return spec->index;
    return subcommand_slot(spec, args);
  }
  // Redis's name of a slot: "get", "client|list"; "unknown" for the last.
  // Static storage: it may be kept as a const char*.
  static const char* slot_name(size_t slot);
  // What CLIENT LIST shows as cmd= for a call in `slot` of spec's command:
  // its name, a subcommand's full name, or "NULL" for an unknown command or
  // subcommand (as Redis).
  static const char* shown_name(const CommandSpec* spec, size_t slot) {
    if (spec != nullptr && slot == spec->index) [[likely]] return spec->name;
    return slot == unknown_slot() ? "NULL" : slot_name(slot);
  }
  static size_t slot_count();
  static size_t unknown_slot();
  // True for the unknown slot and a container's own: nothing ever runs
  // there, so only rejections are counted.
  static bool only_rejections(size_t slot);

 private:
  static size_t subcommand_slot(const CommandSpec* spec, std::span<const std::string_view> args);
  std::unique_ptr<CommandCounters[]> slots_;
};

}  // namespace tmkv::server
