// REPLCONF, SYNC and PSYNC: the part of Redis's replication handshake that
// takes a snapshot over the wire. `redis-cli --rdb FILE` sends
// "REPLCONF capa eof", "REPLCONF rdb-only 1" and SYNC, and saves the bulk
// string that comes back; `--functions-rdb` adds "REPLCONF rdb-filter-only
// functions". tmkv serves exactly that (snapshot_transfer.h): the snapshot,
// then the connection closes, as Redis closes an rdb-only client.
//
// tmkv has no replication stream, so SYNC and PSYNC from a real replica
// (no rdb-only) are refused with an error saying so, rather than sending a
// snapshot and then nothing, which a replica would take for an idle
// primary while it drifts out of date. REPLCONF's replies and errors are
// Redis 7.0's, checked against redis-server by snapshot_transfer_test.py.
// FAILOVER answers as a Redis primary without replicas does.
#include <optional>
#include <string>
#include <vector>

#include "server/cmd_util.h"
#include "server/command.h"
#include "server/reply.h"
#include "server/server.h"

namespace tmkv::server {
namespace {

constexpr std::string_view kNoReplication =
    "ERR tmkv does not replicate: SYNC and PSYNC only send a snapshot, to a client that sent REPLCONF rdb-only 1 "
    "first (redis-cli --rdb)";

// REPLCONF <option> <value> ...: options apply in order until one fails
// (as in Redis). ack and getack come from replicas and masters, which a
// tmkv client never is: like Redis for such a client, no reply at all.
void cmd_replconf(CommandContext& c) {
  if (c.argc() % 2 == 0) {
    c.out.syntax_error();
    return;
  }
  for (size_t j = 1; j < c.argc(); j += 2) {
    const std::string_view opt = c.arg(j), value = c.arg(j + 1);
    if (equals_ci(opt, "listening-port")) {
      if (!parse_ll(value)) {
        c.out.error("ERR value is not an integer or out of range");
        return;
      }
    } else if (equals_ci(opt, "ip-address")) {
      if (value.size() >= 256) {  // Redis's NET_HOST_STR_LEN
        c.out.error("ERR REPLCONF ip-address provided by replica instance is too long: " +
                    std::to_string(value.size()) + " bytes");
        return;
      }
    } else if (equals_ci(opt, "capa")) {
      // eof and psync2 describe a replica's abilities; a snapshot sent
      // with its length needs neither.
    } else if (equals_ci(opt, "ack") || equals_ci(opt, "getack")) {
      return;
    } else if (equals_ci(opt, "rdb-only")) {
      const std::optional<int64_t> v = parse_ll(value);
      if (!v) {
        c.out.error("ERR value is not an integer or out of range");
        return;
      }
      if (*v < 0 || *v > 1) {
        c.out.error("ERR value is out of range, value must between 0 and 1");
        return;
      }
      c.client.repl_rdb_only = *v == 1;
    } else if (equals_ci(opt, "rdb-filter-only")) {
      std::vector<std::string> filters;
      if (!split_redis_args(value, &filters)) {
        c.out.error("ERR Missing rdb-filter-only values");
        return;
      }
      // Everything is left out but what the filters name ("" leaves an
      // empty snapshot); set before the check, as Redis does.
      c.client.repl_rdb_keys = false;
      c.client.repl_rdb_functions = false;
      for (const std::string& f : filters) {
        if (!equals_ci(f, "functions")) {
          c.out.error("ERR Unsupported rdb-filter-only option: " + f);
          return;
        }
        c.client.repl_rdb_functions = true;
      }
    } else {
      c.out.error("ERR Unrecognized REPLCONF option: " + std::string(opt));
      return;
    }
  }
  c.out.ok();
}

// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: hands the primary
// role to a replica, and tmkv never has one. The arguments are checked as
// Redis 7.0 checks them, in its order, so every call gets Redis's answer
// for a primary without replicas.
void cmd_failover(CommandContext& c) {
  if (c.argc() == 2 && equals_ci(c.arg(1), "abort")) {
    c.out.error("ERR No failover in progress.");
    return;
  }
  bool have_timeout = false, have_host = false, force = false;
  for (size_t j = 1; j < c.argc(); ++j) {
    if (equals_ci(c.arg(j), "timeout") && j + 1 < c.argc() && !have_timeout) {
      const std::optional<int64_t> ms = parse_ll(c.arg(++j));
      if (!ms) {
        c.out.error("ERR value is not an integer or out of range");
        return;
      }
      if (*ms <= 0) {
        c.out.error("ERR FAILOVER timeout must be greater than 0");
        return;
      }
      have_timeout = true;
    } else if (equals_ci(c.arg(j), "to") && j + 2 < c.argc() && !have_host) {
      if (!parse_ll(c.arg(j + 2))) {
        c.out.error("ERR value is not an integer or out of range");
        return;
      }
      have_host = true;
      j += 2;
    } else if (equals_ci(c.arg(j), "force") && !force) {
      force = true;
    } else {
      c.out.syntax_error();
      return;
    }
  }
  c.out.error("ERR FAILOVER requires connected replicas.");
}

// SYNC, and PSYNC <replid> <offset>: always a full snapshot (there is no
// backlog to continue from), announced by PSYNC as Redis announces one.
void send_snapshot(CommandContext& c, std::string preamble) {
  if (!c.client.repl_rdb_only) {
    c.out.error(kNoReplication);
    return;
  }
  Client::SnapshotSend send;
  send.keys = c.client.repl_rdb_keys;
  send.functions = c.client.repl_rdb_functions;
  send.preamble = std::move(preamble);
  c.client.snapshot_send = std::move(send);
}

void cmd_sync(CommandContext& c) { send_snapshot(c, ""); }

void cmd_psync(CommandContext& c) {
  if (!parse_ll(c.arg(2))) {
    c.out.error("ERR value is not an integer or out of range");
    return;
  }
  send_snapshot(c, "+FULLRESYNC " + c.server.replication_id() + " 0\r\n");
}

}  // namespace

void register_replication_commands(std::vector<CommandSpec>& t) {
  t.push_back({"replconf", -1, kAdmin, 0, 0, 0, "server", "An internal command for configuring the replication stream",
               cmd_replconf});
  t.push_back({"sync", 1, kAdmin | kNoMulti, 0, 0, 0, "server", "An internal command used in replication", cmd_sync});
  t.push_back({"failover", -1, kAdmin, 0, 0, 0, "server",
               "Start a coordinated failover between this server and one of its replicas.", cmd_failover});
  t.push_back({"psync", -3, kAdmin | kNoMulti, 0, 0, 0, "server", "An internal command used in replication",
               cmd_psync});
}

}  // namespace tmkv::server
