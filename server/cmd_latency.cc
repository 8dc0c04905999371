// LATENCY LATEST | HISTORY | RESET | DOCTOR | HISTOGRAM | HELP, with Redis
// 7's replies (the monitor itself: latency_monitor.h). GRAPH is refused
// explicitly: LATENCY HISTORY returns the same samples.
#include <cinttypes>
#include <cstdio>
#include <string>

#include "server/cmd_util.h"
#include "server/command.h"
#include "server/server.h"
#include "stm/histogram.h"

namespace tmkv::server {
namespace {

constexpr SubcommandArity kLatencySubcommands[] = {{"latest", 2}, {"history", 3},   {"reset", -2}, {"doctor", 2},
                                                   {"graph", 3},  {"histogram", -2}, {"help", 2}};

void reply_latest(CommandContext& c) {
  const auto events = c.server.latency_monitor().latest();
  c.out.array(events.size());
  for (const auto& e : events) {
    c.out.array(4);
    c.out.bulk(e.event);
    c.out.integer(e.last.unix_s);
    c.out.integer(static_cast<int64_t>(e.last.ms));
    c.out.integer(static_cast<int64_t>(e.max_ms));
  }
}

void reply_history(CommandContext& c) {
  const auto samples = c.server.latency_monitor().history(c.arg(2));
  c.out.array(samples.size());
  for (const auto& s : samples) {
    c.out.array(2);
    c.out.integer(s.unix_s);
    c.out.integer(static_cast<int64_t>(s.ms));
  }
}

// A plain-text report for people (Redis's is prose too, not for parsing).
void reply_doctor(CommandContext& c) {
  const LatencyMonitor& m = c.server.latency_monitor();
  const auto events = m.latest();
  std::string r;
  if (events.empty() && !m.enabled()) {
    r = "Latency monitoring is off (latency-monitor-threshold is 0). Turn it on with "
        "\"CONFIG SET latency-monitor-threshold <milliseconds>\": events that last at least that long "
        "are then sampled, and LATENCY LATEST, HISTORY and DOCTOR report them.\n";
  } else if (events.empty()) {
    r = "No event has lasted " + std::to_string(m.threshold_ms()) +
        " ms or more (latency-monitor-threshold) since the monitor was turned on or reset.\n";
  } else {
    r = "Events that lasted at least latency-monitor-threshold (" + std::to_string(m.threshold_ms()) + " ms):\n\n";
    int n = 0;
    for (const auto& e : events) {
      char line[256];
      std::snprintf(line, sizeof line,
                    "%d. %s: %zu latency spikes in the samples kept (average %" PRIu64
                    " ms). Worst all time event %" PRIu64 " ms.\n",
                    ++n, e.event.c_str(), e.samples, e.samples != 0 ? e.sum_ms / e.samples : 0, e.max_ms);
      r += line;
    }
    r += "\n\"command\" and \"fast-command\" are commands (fast ones by Redis's flag; inside EXEC each "
         "command and EXEC itself), transaction retries included; \"expire-cycle\" is one worker's "
         "active expiry sweep; \"eviction-cycle\" is one round of maxmemory evictions before a command "
         "and \"eviction-del\" one evicted key's delete. SLOWLOG GET names the slow commands.\n";
  }
  c.out.verbatim(r);
}

// One command's histogram as Redis's map {calls, histogram_usec}: the
// cumulative count of calls at each bucket's upper bound in microseconds.
// The buckets are tmkv's (1-2.5-5 steps from 1 µs to 10 s; faster calls
// count at 1 µs, slower ones at 10 s, as Redis clamps to its range), not
// Redis's powers of two.
void reply_command_histogram(CommandContext& c, const stm::LatencyCounts& h) {
  const auto& bounds = stm::kLatencyBoundsNs;
  // As Redis: only the bounds where the count grows. Buckets that share a
  // bound in µs (those below 1 µs) merge into one point.
  std::vector<std::pair<uint64_t, uint64_t>> shown;  // (µs, cumulative)
  uint64_t cumulative = 0;
  for (size_t i = 0; i < h.buckets.size(); ++i) {
    cumulative += h.buckets[i];
    const uint64_t us = std::max<uint64_t>(1, bounds[std::min(i, bounds.size() - 1)] / 1000);
    if (!shown.empty() && shown.back().first == us) {
      shown.back().second = cumulative;
    } else if (cumulative > (shown.empty() ? 0 : shown.back().second)) {
      shown.emplace_back(us, cumulative);
    }
  }
  c.out.map(2);
  c.out.bulk("calls");
  c.out.integer(static_cast<int64_t>(h.count()));
  c.out.bulk("histogram_usec");
  c.out.map(shown.size());
  for (const auto& [us, n] : shown) {
    c.out.integer(static_cast<int64_t>(us));
    c.out.integer(static_cast<int64_t>(n));
  }
}

// The CommandStats slots a HISTOGRAM argument names, as Redis's
// lookupCommandBySds: "get", "config" (the container: its subcommands),
// "config|get"; nothing for an unknown name.
std::vector<size_t> slots_named(std::string_view name) {
  std::vector<size_t> out;
  const size_t bar = name.find('|');
  const CommandSpec* spec = find_command(name.substr(0, bar));
  if (spec == nullptr) return out;
  if (bar != std::string_view::npos) {
    if (spec->subcommands.empty()) return out;
    const std::string_view args[] = {name.substr(0, bar), name.substr(bar + 1)};
    const size_t slot = CommandStats::slot_of(spec, args);
    if (slot != CommandStats::unknown_slot()) out.push_back(slot);
    return out;
  }
  const std::string_view self[] = {name};
  out.push_back(CommandStats::slot_of(spec, self));
  for (const SubcommandArity& sub : spec->subcommands) {
    const std::string_view args[] = {name, sub.name};
    out.push_back(CommandStats::slot_of(spec, args));
  }
  return out;
}

void reply_histogram(CommandContext& c) {
  const std::vector<CommandTotals> totals = c.server.command_totals();
  std::vector<size_t> slots;
  if (c.argc() == 2) {
    for (size_t i = 0; i < CommandStats::unknown_slot(); ++i) slots.push_back(i);
  } else {
    for (size_t j = 2; j < c.argc(); ++j) {
      for (size_t s : slots_named(c.arg(j))) slots.push_back(s);
    }
  }
  std::vector<size_t> with_data;
  for (size_t s : slots) {
    if (totals[s].latency.count() != 0) with_data.push_back(s);
  }
  c.out.map(with_data.size());
  for (size_t s : with_data) {
    c.out.bulk(CommandStats::slot_name(s));
    reply_command_histogram(c, totals[s].latency);
  }
}

void cmd_latency(CommandContext& c) {
  const std::string sub = to_lower(c.arg(1));
  LatencyMonitor& m = c.server.latency_monitor();
  if (sub == "latest") {
    reply_latest(c);
  } else if (sub == "history") {
    reply_history(c);
  } else if (sub == "reset") {
    size_t n = 0;
    if (c.argc() == 2) {
      n = m.reset_all();
    } else {
      for (size_t j = 2; j < c.argc(); ++j) n += m.reset(c.arg(j));
    }
    c.out.integer(static_cast<int64_t>(n));
  } else if (sub == "doctor") {
    reply_doctor(c);
  } else if (sub == "graph") {
    if (m.history(c.arg(2)).empty()) {
      c.out.error("ERR No samples available for event '" + std::string(c.arg(2)) + "'");
    } else {
      c.out.error("ERR LATENCY GRAPH is not implemented by tmkv: LATENCY HISTORY " + std::string(c.arg(2)) +
                  " returns the same samples");
    }
  } else if (sub == "histogram") {
    reply_histogram(c);
  } else {
    static const char* kHelp[] = {
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Not implemented by tmkv (LATENCY HISTORY <event> returns the samples).",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
        "HELP",
        "    Prints this help."};
    reply_help(c.out, kHelp);
  }
}

}  // namespace

void register_latency_command(std::vector<CommandSpec>& t) {
  t.push_back({"latency", -2, kAdmin, 0, 0, 0, "server", "A container for latency diagnostics commands.", cmd_latency,
               kLatencySubcommands});
}

}  // namespace tmkv::server
