// MULTI, EXEC, DISCARD, WATCH, UNWATCH. EXEC itself is in dispatch.cc
// (run_exec): the whole block, with its WATCH checks, is one transaction.
#include "htm/atomically.h"
#include "server/client.h"
#include "server/command.h"
#include "server/dispatch.h"
#include "server/server.h"

namespace tmkv::server {
namespace {

void cmd_multi(CommandContext& c) {
  if (c.client.in_multi) {
    c.out.error("ERR MULTI calls can not be nested");
    return;
  }
  c.client.in_multi = true;
  c.client.multi_error = false;
  c.client.shown_multi.store(0, std::memory_order_relaxed);
  c.out.ok();
}

void cmd_exec(CommandContext& c) {
  if (!c.client.in_multi) {
    c.out.error("ERR EXEC without MULTI");
    return;
  }
  run_exec(c.server, c.client, c.out);
}

void cmd_discard(CommandContext& c) {
  if (!c.client.in_multi) {
    c.out.error("ERR DISCARD without MULTI");
    return;
  }
  c.client.end_multi();
  unwatch_all(c.server, c.client);
  c.out.ok();
}

void cmd_watch(CommandContext& c) {
  if (c.client.in_multi) {
    c.out.error("ERR WATCH inside MULTI is not allowed");
    return;
  }
  store::Store& db = c.db();
  for (size_t i = 1; i < c.argc(); ++i) {
    bool dup = false;
    for (const WatchedKey& w : c.client.watched) dup = dup || (w.db == c.client.db && w.key == c.arg(i));
    if (dup) continue;  // Redis keeps the first WATCH of a key
    // A key already expired is logically absent, and Redis does not count
    // its later deletion by expiry as a modification. Delete it first, so
    // the snapshot is of the absent key and the sweep has nothing to change.
    htm::atomically([&](stm::Tx& tx) { db.delete_if_expired(tx, c.arg(i)); });
    c.client.watched.push_back(WatchedKey{c.client.db, std::string(c.arg(i)), db.watch(c.arg(i))});
    c.client.show_watched();
  }
  c.out.ok();
}

void cmd_unwatch(CommandContext& c) {
  // Inside EXEC (Redis queues UNWATCH) the block already checked its watches
  // and EXEC drops them all afterwards; dropping them mid-block would lose
  // them for a retried attempt.
  if (!c.in_exec) unwatch_all(c.server, c.client);
  c.out.ok();
}

}  // namespace

void register_transaction_commands(std::vector<CommandSpec>& t) {
  const uint32_t M = kImmediateInMulti | kFast;
  t.push_back({"multi", 1, M, 0, 0, 0, "transactions", "Starts a transaction.", cmd_multi});
  t.push_back({"exec", 1, kImmediateInMulti, 0, 0, 0, "transactions", "Executes all commands in a transaction.", cmd_exec});
  t.push_back({"discard", 1, M, 0, 0, 0, "transactions", "Discards a transaction.", cmd_discard});
  t.push_back({"watch", -2, M, 1, -1, 1, "transactions", "Monitors changes to keys to determine the execution of a transaction.", cmd_watch});
  t.push_back({"unwatch", 1, kFast, 0, 0, 0, "transactions", "Forgets about watched keys of a transaction.", cmd_unwatch});
}

}  // namespace tmkv::server
