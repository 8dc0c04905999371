#include "server/command_stats.h"

#include <string>

namespace tmkv::server {

namespace {

// Slots in order: every command of the table (all_commands()[i] is slot i),
// then each container's subcommands, container by container, then the
// unknown slot. Built once from the table, which never changes after.
struct SlotTable {
  std::vector<std::string> names;
  std::vector<size_t> first_subcommand;  // per command: slot of its subcommands[0]
  size_t unknown = 0;

  SlotTable() {
    const auto& specs = all_commands();
    for (const CommandSpec& s : specs) names.emplace_back(s.name);
    for (const CommandSpec& s : specs) {
      first_subcommand.push_back(names.size());
      for (const SubcommandArity& sub : s.subcommands) names.push_back(std::string(s.name) + "|" + sub.name);
    }
    unknown = names.size();
    names.emplace_back("unknown");
  }
};

const SlotTable& slot_table() {
  static const SlotTable t;
  return t;
}

}  // namespace

size_t CommandStats::slot_count() { return slot_table().names.size(); }
size_t CommandStats::unknown_slot() { return slot_table().unknown; }
const char* CommandStats::slot_name(size_t slot) { return slot_table().names[slot].c_str(); }

bool CommandStats::only_rejections(size_t slot) {
  const auto& specs = all_commands();
  return slot == unknown_slot() || (slot < specs.size() && !specs[slot].subcommands.empty());
}

size_t CommandStats::subcommand_slot(const CommandSpec* spec, std::span<const std::string_view> args) {
  const SlotTable& t = slot_table();
  if (spec == nullptr) return t.unknown;
  for (size_t i = 0; i < spec->subcommands.size(); ++i) {
    if (equals_ci(args[1], spec->subcommands[i].name)) return t.first_subcommand[spec->index] + i;
  }
  return t.unknown;
}

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
