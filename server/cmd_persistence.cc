// The persistence commands of a server that keeps no files. tmkv holds its
// data in memory only (no RDB snapshot, no append-only file: INFO's
// persistence section says tmkv_persistence:none), so SAVE, BGSAVE and
// BGREWRITEAOF are refused with an error that says why, after Redis's own
// argument checks. A clear refusal instead of "unknown command": an
// operator's script or a backup tool that sends BGSAVE learns that nothing
// was saved, and why, instead of concluding that the server is broken. An
// "OK" would be a lie that loses data.
//
// SAVE is Redis's "no_multi": the dispatcher refuses it inside MULTI, which
// fails the EXEC, as Redis does. BGSAVE and BGREWRITEAOF may be queued; in
// EXEC they answer the same refusal as an error reply, and the block's other
// commands run (Redis's runtime-error rule).
#include "server/cmd_util.h"
#include "server/command.h"
#include "server/reply.h"
#include "server/server.h"

namespace tmkv::server {
namespace {

void refuse(CommandContext& c, std::string_view command) {
  c.out.error("ERR " + std::string(command) +
              " is not supported: tmkv keeps its data in memory only, with no RDB or AOF files");
}

void cmd_save(CommandContext& c) { refuse(c, "SAVE"); }

// BGSAVE [SCHEDULE]: anything else is Redis's syntax error.
void cmd_bgsave(CommandContext& c) {
  if (c.argc() > 2 || (c.argc() == 2 && !equals_ci(c.arg(1), "schedule"))) {
    c.out.syntax_error();
    return;
  }
  refuse(c, "BGSAVE");
}

void cmd_bgrewriteaof(CommandContext& c) { refuse(c, "BGREWRITEAOF"); }

// LASTSAVE: Redis answers the time of the last successful save, which is
// the start time until one happens. tmkv never saves, so it is always the
// start time, as INFO's rdb_last_save_time.
void cmd_lastsave(CommandContext& c) { c.out.integer(c.server.start_ms() / 1000); }

}  // namespace

void register_persistence_commands(std::vector<CommandSpec>& t) {
  t.push_back({"save", 1, kAdmin | kNoMulti, 0, 0, 0, "server", "Synchronously saves the database(s) to disk.", cmd_save});
  t.push_back({"bgsave", -1, kAdmin, 0, 0, 0, "server", "Asynchronously saves the database(s) to disk.", cmd_bgsave});
  t.push_back({"bgrewriteaof", 1, kAdmin, 0, 0, 0, "server", "Asynchronously rewrites the append-only file to disk.",
               cmd_bgrewriteaof});
  t.push_back({"lastsave", 1, kFast, 0, 0, 0, "server", "Returns the Unix timestamp of the last successful save to disk.",
               cmd_lastsave});
}

}  // namespace tmkv::server
