// SLOWLOG GET [count] | LEN | RESET | HELP, with Redis 7's replies (the log
// itself: slowlog.h).
#include <string>

#include "server/cmd_util.h"
#include "server/command.h"
#include "server/server.h"

namespace tmkv::server {
namespace {

constexpr SubcommandArity kSlowlogSubcommands[] = {{"get", -2}, {"len", 2}, {"reset", 2}, {"help", 2}};

void reply_entry(Reply& out, const SlowLogEntry& e) {
  out.array(6);
  out.integer(static_cast<int64_t>(e.id));
  out.integer(e.unix_s);
  out.integer(static_cast<int64_t>(e.duration_us));
  out.array(e.args.size());
  for (const std::string& a : e.args) out.bulk(a);
  out.bulk(e.client_addr);
  out.bulk(e.client_name);
}

void cmd_slowlog(CommandContext& c) {
  const std::string sub = to_lower(c.arg(1));
  SlowLog& log = c.server.slowlog();
  if (sub == "get" && c.argc() <= 3) {
    int64_t count = 10;
    if (c.argc() == 3) {
      const auto n = parse_ll(c.arg(2));
      if (!n || *n < -1) {
        c.out.error("ERR count should be greater than or equal to -1");
        return;
      }
      count = *n;
    }
    const std::vector<SlowLogEntry> entries = log.newest(count);
    c.out.array(entries.size());
    for (const SlowLogEntry& e : entries) reply_entry(c.out, e);
  } else if (sub == "get") {
    // Redis 7.0's own words for SLOWLOG GET with too many arguments.
    c.out.error("ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.");
  } else if (sub == "len") {
    c.out.integer(static_cast<int64_t>(log.size()));
  } else if (sub == "reset") {
    log.reset();
    c.out.ok();
  } else {
    static const char* kHelp[] = {
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Prints this help."};
    reply_help(c.out, kHelp);
  }
}

}  // namespace

void register_slowlog_command(std::vector<CommandSpec>& t) {
  t.push_back({"slowlog", -2, kAdmin, 0, 0, 0, "server", "A container for slow log commands.", cmd_slowlog,
               kSlowlogSubcommands});
}

}  // namespace tmkv::server
