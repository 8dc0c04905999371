// The persistence commands: RDB snapshots (persistence.h). tmkv keeps no
// append-only file, so BGREWRITEAOF is refused with an error that says why
// (an "OK" would be a lie that loses data).
//
// SAVE is Redis's "no_multi": the dispatcher refuses it inside MULTI, which
// fails the EXEC, as Redis does. BGSAVE inside EXEC is scheduled, as Redis
// schedules it (its in_exec rule), and starts at the next tick.
#include "server/cmd_util.h"
#include "server/command.h"
#include "server/persistence.h"
#include "server/reply.h"
#include "server/server.h"

namespace tmkv::server {
namespace {

// SAVE: on this client's thread (persistence.h); Redis's texts.
void cmd_save(CommandContext& c) {
  std::string error;
  if (!c.server.persistence().save(&error)) {
    c.out.error(error);
    return;
  }
  c.out.ok();
}

// BGSAVE [SCHEDULE]: anything else is Redis's syntax error.
void cmd_bgsave(CommandContext& c) {
  if (c.argc() > 2 || (c.argc() == 2 && !equals_ci(c.arg(1), "schedule"))) {
    c.out.syntax_error();
    return;
  }
  // Redis schedules only when another kind of child (an AOF rewrite)
  // runs; a BGSAVE already running is an error even with SCHEDULE. tmkv
  // has no other kind, so SCHEDULE starts at once or errs the same way.
  // Inside EXEC, Redis never forks: the save is scheduled.
  if (c.in_exec) {
    if (c.server.persistence().in_progress()) {
      c.out.error("ERR Background save already in progress");
    } else {
      c.server.persistence().bgsave(true);
      c.out.simple("Background saving scheduled");
    }
    return;
  }
  switch (c.server.persistence().bgsave(false)) {
    case Persistence::BgsaveStart::kStarted:
      c.out.simple("Background saving started");
      break;
    case Persistence::BgsaveStart::kAlreadyRunning:
    case Persistence::BgsaveStart::kScheduled:
      c.out.error("ERR Background save already in progress");
      break;
  }
}

void cmd_bgrewriteaof(CommandContext& c) {
  c.out.error("ERR BGREWRITEAOF is not supported: tmkv keeps RDB snapshots (SAVE, BGSAVE), not an append-only file");
}

// LASTSAVE: the time of the last successful save, the start time until one.
void cmd_lastsave(CommandContext& c) { c.out.integer(c.server.persistence().last_save_unix()); }

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
