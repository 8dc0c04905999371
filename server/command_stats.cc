#include "server/command_stats.h"

namespace tmkv::server {

size_t CommandStats::slot_count() { return all_commands().size() + 1; }
size_t CommandStats::unknown_slot() { return all_commands().size(); }

// The table is one vector built once (command_table.cc), so a spec's
// position in it is its index.
size_t CommandStats::index_of(const CommandSpec* spec) { return static_cast<size_t>(spec - all_commands().data()); }

CommandStats::CommandStats() : slots_(new CommandCounters[slot_count()]) {}

void CommandStats::add_to(std::vector<CommandTotals>& totals) const {
  totals.resize(slot_count());
  for (size_t i = 0; i < slot_count(); ++i) {
    const CommandCounters& c = slots_[i];
    totals[i].calls += c.calls.get();
    totals[i].failed += c.failed.get();
    totals[i].rejected += c.rejected.get();
    c.latency.add_to(totals[i].latency);
  }
}

}  // namespace tmkv::server
