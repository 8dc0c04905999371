#include "server/dispatch.h"

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "htm/atomically.h"
#include "server/client.h"
#include "server/client_pause.h"
#include "server/cmd_pubsub.h"
#include "server/cmd_util.h"
#include "server/command.h"
#include "server/keyspace_events.h"
#include "server/reply.h"
#include "server/server.h"
#include "server/tracking.h"
#include "store/access_clock.h"
#include "store/clock.h"

namespace tmkv::server {
namespace {

// Redis formats these with C strings: text stops at a NUL byte.
std::string_view c_string(std::string_view s) { return s.substr(0, s.find('\0')); }

// Redis: "unknown command 'foo', with args beginning with: 'a' 'b' ". The
// 128-byte budget covers the quoted list as written so far, as in Redis.
void reply_unknown_command(Reply& out, std::span<const std::string_view> args) {
  std::string list;
  for (size_t i = 1; i < args.size() && list.size() < 128; ++i) {
    list += "'";
    list.append(c_string(args[i]).substr(0, 128 - list.size() + 1));
    list += "' ";
  }
  std::string msg = "ERR unknown command '";
  msg.append(c_string(args[0]).substr(0, 128));
  msg += "', with args beginning with: ";
  msg += list;
  out.error(msg);
}

// Redis's rejectCommand: a rejected command inside MULTI fails the
// transaction; a rejected EXEC discards it at once with EXECABORT and, as
// Redis's discardTransaction does, forgets the client's WATCHes, in MULTI
// or not (EXEC with arguments after WATCH, say).
// `slot`: the call's CommandStats slot.
void reject(Server& server, Client& client, Reply& out, const CommandSpec* spec, size_t slot, std::string_view error) {
  server.stats_of_this_thread().cmds.at(slot).rejected.add();
  if (client.in_multi) client.multi_error = true;
  if (spec != nullptr && std::string_view(spec->name) == "exec") {
    client.end_multi();
    unwatch_all(server, client);
    std::string_view reason = error;
    if (reason.substr(0, 4) == "ERR ") reason.remove_prefix(4);
    out.error("EXECABORT Transaction discarded because of: " + std::string(reason));
    return;
  }
  out.error(error);
}

bool is_exec(const CommandSpec& spec) { return std::string_view(spec.name) == "exec"; }

// The commands Redis still takes inside MULTI when over maxmemory (besides
// EXEC, which is refused only if a queued command may grow memory): each
// ends the block or the connection and frees the queue.
bool leaves_multi(const CommandSpec& spec) {
  const std::string_view name = spec.name;
  return name == "discard" || name == "quit" || name == "reset";
}

// True if pred(spec, args) holds for a queued command (every queued
// command was found at queue time; an unknown one fails the block anyway).
template <class Pred>
bool any_queued(const Client& client, Pred pred) {
  for (const auto& cmd : client.queued) {
    const CommandSpec* spec = find_command(cmd[0]);
    if (spec == nullptr) continue;
    std::vector<std::string_view> args(cmd.begin(), cmd.end());
    if (pred(*spec, std::span<const std::string_view>(args))) return true;
  }
  return false;
}

// True if a queued command may grow memory (Redis's EXEC check against
// maxmemory).
bool queued_may_grow(const Server& server, const Client& client) {
  // FCALL of a function that may write counts too (function_registry.h).
  return any_queued(client, [&](const CommandSpec& spec, std::span<const std::string_view> args) {
    return (spec.flags & kDenyOom) || fcall_may_grow(server, spec, args);
  });
}

bool queued_writes(const Client& client) {
  return any_queued(client, [](const CommandSpec& spec, std::span<const std::string_view>) {
    return (spec.flags & kWrite) != 0;
  });
}

// Whether a command, run inside EXEC, changes something outside the
// transactional store: client or server state (CLIENT SETNAME, KILL,
// PAUSE, TRACKING; CONFIG SET; AUTH, HELLO; SCRIPT and FUNCTION loads;
// SLOWLOG/LATENCY RESET). Those must happen once, and only if the block
// commits; an optimistic attempt may run the block and then fail its
// commit (a WATCHed key written meanwhile), so such a block runs
// irrevocably instead (run_exec). Commands that touch keys are
// transactional; pub/sub's effects and SELECT are held or reset per
// attempt. The rest is listed here as free of effects; anything not listed,
// a new command included, counts as having them: the safe default.
bool effects_outside_store(const CommandSpec& spec, std::span<const std::string_view> args) {
  if (spec.flags & (kTransactional | kPubSub)) return false;
  struct Pure {
    std::string_view command;
    std::initializer_list<std::string_view> subcommands;  // empty: every call
  };
  static const Pure kPure[] = {
      {"ping", {}},     {"echo", {}},     {"select", {}},   {"info", {}},      {"time", {}},
      {"role", {}},     {"wait", {}},     {"lastsave", {}}, {"command", {}},   {"pubsub", {}},
      {"cluster", {}},  {"readonly", {}}, {"readwrite", {}}, {"asking", {}},   {"unwatch", {}},
      {"replicaof", {}}, {"slaveof", {}},  // NO ONE changes nothing; anything else is refused
      {"debug", {}},    {"module", {}},    // refused, or an empty list (cmd_debug_module.cc)
      {"bgsave", {}},   {"bgrewriteaof", {}},  // in EXEC: scheduled (idempotent), or refused (cmd_persistence.cc)
      {"client", {"id", "getname", "list", "info", "getredir", "trackinginfo", "help"}},
      {"config", {"get", "help"}},
      {"acl", {"whoami", "users", "list", "getuser", "cat", "genpass", "dryrun", "deluser", "setuser", "load", "save", "help"}},
      {"script", {"exists", "help"}},
      {"function", {"list", "dump", "stats", "help"}},
      {"latency", {"latest", "history", "doctor", "graph", "histogram", "help"}},
      {"slowlog", {"get", "len", "help"}},
  };
  for (const Pure& p : kPure) {
    if (p.command != spec.name) continue;
    if (p.subcommands.size() == 0) return false;
    for (std::string_view sub : p.subcommands) {
      if (args.size() > 1 && equals_ci(args[1], sub)) return false;
    }
    return true;
  }
  return true;
}

void feed_monitors(Server& server, const Client& client, unsigned db, std::span<const std::string_view> args) {
  server.monitors().publish(monitor_line(db, client.addr(), args),
                            server.limits().monitor_output_buffer_limit.load(std::memory_order_relaxed));
}

void log_if_slow(Server& server, const Client& client, uint64_t ns, std::span<const std::string_view> args) {
  if (!server.slowlog().is_slow(ns / 1000)) return;
  server.slowlog().record(ns / 1000, args, client.addr(), client.name());
}

// The latency monitor's "command" / "fast-command" events (Redis's names,
// by the command's fast flag).
void sample_latency(Server& server, const CommandSpec& spec, uint64_t ns) {
  LatencyMonitor& m = server.latency_monitor();
  const uint64_t ms = ns / 1000000;
  if (!m.is_spike(ms)) return;
  m.add((spec.flags & kFast) ? "fast-command" : "command", ms, store::system_unix_ms() / 1000);
}

// Runs a key-touching command as one transaction. Client state a handler may
// change (the selected db, for SELECT inside EXEC) is restored per attempt,
// and so are the pub/sub effects it holds back (keyspace events), which
// dispatch_command publishes once the command is done.
void run_transactional(const CommandSpec& spec, CommandContext& ctx) {
  const size_t mark = ctx.out.mark();
  const unsigned db0 = ctx.client.db;
  auto body = [&](stm::Tx& tx) {
    ctx.out.truncate(mark);
    ctx.client.db = db0;
    ctx.client.pubsub_pending.clear();
    ctx.client.tracking_pending.clear();
    ctx.client.changes_pending = 0;
    ctx.client.flushall_pending = false;
    ctx.client.script_calls.clear();
    ctx.client.ready_keys.clear();
    ctx.client.block_request.reset();
    ctx.client.script_reply_errors.clear();
    ctx.client.error_counted = false;
    ctx.tx = &tx;
    spec.handler(ctx);
    wake_waiters_on_written_keys(ctx, spec);
  };
  if (spec.flags & kReadOnly) {
    htm::atomically_read_only(body);
  } else {
    htm::atomically(body);
  }
  ctx.tx = nullptr;
}

void queue_command(Server& server, Client& client, Reply& out, std::span<const std::string_view> args) {
  // The queue lives in server memory until EXEC: bound it like the query
  // buffer it came through, or a client could grow it without limit.
  size_t bytes = 0;
  for (std::string_view a : args) bytes += a.size();
  if (client.queued_bytes + bytes > server.limits().client_query_buffer_limit.load(std::memory_order_relaxed)) {
    client.multi_error = true;
    out.error("ERR MULTI queue exceeds client-query-buffer-limit; the transaction will be discarded");
    return;
  }
  std::vector<std::string> copy;
  copy.reserve(args.size());
  for (std::string_view a : args) {
    copy.emplace_back(a);
    client.queued_bytes += a.size();
  }
  client.queued.push_back(std::move(copy));
  client.shown_multi.store(static_cast<int64_t>(client.queued.size()), std::memory_order_relaxed);
  client.shown_multi_bytes.store(client.queued_bytes, std::memory_order_relaxed);
  out.simple("QUEUED");
}

// Lazy expiry, as Redis does it on access: keys the command found expired
// are deleted now, each in its own small transaction (the command's own may
// have been read-only). Only the current db: EXEC blocks that SELECT leave
// theirs to the sweep.
// While clients are paused the dataset stays as it is, as in Redis: the
// keys still read as expired, and are deleted after the pause.
void delete_expired_seen(Server& server, Client& client, bool paused) {
  thread_local std::vector<std::string> keys;
  store::Store& db = server.db(client.db);
  db.take_expired_seen(&keys);
  if (paused) keys.clear();
  if (client.tracking && !keys.empty()) tracking_expiring_reads(server, client, keys);
  for (const std::string& k : keys) htm::atomically([&](stm::Tx& tx) { db.delete_if_expired(tx, k); });
  keys.clear();
}

// CLIENT CACHING YES|NO holds for the next command only (inside MULTI,
// until the block's EXEC), and survives other CLIENT subcommands, as
// Redis's resetClient clears it.
class ExpireTrackingCaching {
 public:
  ExpireTrackingCaching(Client& client, std::string_view name) : client_(client), name_(name) {}
  ~ExpireTrackingCaching() {
    // Only a client that set the flag pays for the name test. A command a
    // pause held has not run yet: the flag waits for it.
    if (client_.tracking_caching && !client_.in_multi && client_.pause_hold == Client::PauseHold::kNone &&
        !equals_ci(name_, "client")) {
      client_.tracking_caching = false;
    }
  }
  ExpireTrackingCaching(const ExpireTrackingCaching&) = delete;
  ExpireTrackingCaching& operator=(const ExpireTrackingCaching&) = delete;

 private:
  Client& client_;
  const std::string_view name_;  // the command's name; args outlive the guard
};

// Counts the reply that one top-level request produced if it is an error
// (INFO errorstats), on every way out of dispatch_command: rejected,
// queued (a queuing error), or run. EXEC's array counts the errors of its
// commands itself (run_exec).
class CountErrorReply {
 public:
  CountErrorReply(const Reply& out, ErrorCounters& errors, Client& client)
      : out_(out), at_(out.mark()), errors_(errors), client_(client) {
    client_.error_counted = false;
  }
  ~CountErrorReply() {
    // A script's reply that is one of its commands' errors was counted
    // with that command (apply_script_calls).
    if (out_.error_at(at_) && !client_.error_counted) errors_.count(out_.error_line_at(at_));
    client_.error_counted = false;
  }
  CountErrorReply(const CountErrorReply&) = delete;
  CountErrorReply& operator=(const CountErrorReply&) = delete;

 private:
  const Reply& out_;
  const size_t at_;
  ErrorCounters& errors_;
  Client& client_;
};

// The commands scripts ran in the command's committed transaction: counted
// as Redis counts them (calls, failed calls, error replies by code).
void apply_script_calls(WorkerStats& stats, Client& client) {
  for (const auto& [key, n] : client.script_calls) {
    CommandCounters& counters = stats.cmds.at(key >> 8);
    const uint32_t outcome = key & 0xff;
    if (outcome == Client::kScriptCallRejected) {
      counters.rejected.add(n);
      continue;
    }
    counters.calls.add(n);
    if (outcome != 0) {
      counters.failed.add(n);
      stats.errors.by_code[outcome - 1].add(n);
    }
  }
  client.script_calls.clear();
}

// Whether a WRITE pause holds this command (client_pause.h): EXEC too when
// its queue holds a command that would be held (Redis's MULTI flags).
bool held_as_write(const Client& client, const CommandSpec& spec, std::span<const std::string_view> args) {
  if (held_by_write_pause(spec, args)) return true;
  return is_exec(spec) && any_queued(client, held_by_write_pause);
}

void dispatch_in_scope(Server& server, Client& client, Reply& out, std::span<const std::string_view> args,
                       ClientPause::Mode pause) {
  WorkerStats& stats = server.stats_of_this_thread();
  const CountErrorReply count_error(out, stats.errors, client);
  const ExpireTrackingCaching expire_caching(client, args[0]);
  // A blocked command, or one a pause held, counts once.
  const bool counted = std::exchange(client.pause_counted, false);
  if (!client.block_retry && !counted) WorkerStats::bump(stats.commands);
  const CommandSpec* spec = find_command(args[0]);
  // CLIENT LIST's cmd=: Redis's fullname ("client|list"), or NULL for a
  // command or subcommand it does not know.
  const size_t slot = CommandStats::slot_of(spec, args);
  client.last_command.store(CommandStats::shown_name(spec, slot), std::memory_order_relaxed);
  if (spec == nullptr) {
    stats.cmds.at(slot).rejected.add();
    if (client.in_multi) client.multi_error = true;
    reply_unknown_command(out, args);
    return;
  }
  if (!arity_ok(*spec, args.size())) {
    reject(server, client, out, spec, slot, "ERR wrong number of arguments for '" + std::string(spec->name) + "' command");
    return;
  }
  if (!spec->subcommands.empty()) {
    if (std::string error = subcommand_error(*spec, args); !error.empty()) {
      reject(server, client, out, spec, slot, error);
      return;
    }
  }
  // Before authentication, as Redis's processCommand checks them.
  if (spec->flags & kProtected) {
    if (const std::string_view refusal = protected_command_refusal(*spec, args); !refusal.empty()) {
      reject(server, client, out, spec, slot, refusal);
      return;
    }
  }
  if (!server.authenticated(client) && !(spec->flags & kNoAuth)) {
    reject(server, client, out, spec, slot, "NOAUTH Authentication required.");
    return;
  }
  // Redis 7's no_multi, checked where its processCommand checks it: right
  // after authentication, before maxmemory and the pub/sub context.
  if (client.in_multi && (spec->flags & kNoMulti)) {
    reject(server, client, out, spec, slot, "ERR Command not allowed inside a transaction");
    return;
  }
  // Redis's maxmemory: over it, keys are evicted per maxmemory-policy
  // (eviction.h); if none can be, writes fail and reads go on. Checked at
  // queue time too (Redis rejects there, failing the EXEC), and again at
  // an EXEC that would run a write (EXECABORT if it cannot make room).
  // Inside MULTI every command but EXEC, DISCARD, QUIT and RESET is refused,
  // reads included, as Redis 7's processCommand does: the queue itself
  // would otherwise grow without bound while the server is out of memory.
  // No eviction and no OOM during a pause: the dataset stays as it is, as
  // Redis's (the command is held below, or is a read).
  if (pause == ClientPause::Mode::kNone && server.limits().maxmemory.load(std::memory_order_relaxed) != 0 &&
      ((spec->flags & kDenyOom) || fcall_may_grow(server, *spec, args) ||
       (client.in_multi && (is_exec(*spec) ? queued_may_grow(server, client) : !leaves_multi(*spec)))) &&
      !server.make_room()) {
    reject(server, client, out, spec, slot, "OOM command not allowed when used memory > 'maxmemory'.");
    return;
  }
  // Redis's stop-writes-on-bgsave-error: after a failed background save,
  // with save points configured, writes (and EXEC of a block with one, and
  // PING, as Redis) are refused until a save succeeds (persistence.h).
  // Scripts are judged per call inside them (script_engine.cc), as Redis
  // judges scripts without a shebang: a read-only script still runs.
  if (server.persistence().writes_refused() &&
      (((spec->flags & kWrite) && std::string_view(spec->group) != "scripting") ||
       std::string_view(spec->name) == "ping" || (is_exec(*spec) && client.in_multi && queued_writes(client)))) {
    reject(server, client, out, spec, slot, std::string(kMisconfError));
    return;
  }
  // A RESP2 client with subscriptions reads messages on its connection: it
  // may only change its subscriptions, PING, QUIT or RESET (RESP3 clients
  // tell pushes from replies and may send anything).
  if (client.resp == 2 && client.pubsub.total() != 0 && !(spec->flags & kSubscribedContext)) {
    reject(server, client, out, spec, slot,
           "ERR Can't execute '" + command_full_name(*spec, args) +
               "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
    return;
  }
  // A monitoring connection is a replica to Redis: it may not touch keys.
  if (client.monitoring && (spec->flags & kTransactional)) {
    reject(server, client, out, spec, slot, "ERR Replica can't interact with the keyspace");
    return;
  }
  // CLIENT PAUSE: held after the checks that reject, before MULTI queuing
  // (a write is held even as it is queued), as Redis's processCommand.
  if (pause != ClientPause::Mode::kNone) {
    const bool write = held_as_write(client, *spec, args);
    if (write || pause == ClientPause::Mode::kAll) {
      client.pause_hold = write ? Client::PauseHold::kWrite : Client::PauseHold::kAny;
      client.pause_counted = !client.block_retry;
      return;
    }
  }
  if (client.in_multi && !(spec->flags & kImmediateInMulti)) {
    queue_command(server, client, out, args);
    return;
  }
  store::ScopedCommandTime now;  // one instant for every expiry decision
  std::optional<store::ScopedNoTouch> no_touch;  // CLIENT NO-TOUCH: this client's reads leave the access bits
  if (client.no_touch) no_touch.emplace();
  CommandContext ctx{args, out, client, server};
  const ScopedCurrentCommand current(ctx);  // for the store's "new key" events
  // Timing covers the command and its transaction, retries included.
  const bool timed = stm::latency_tracking() || server.slowlog().enabled() || server.latency_monitor().enabled();
  const uint64_t t0 = timed ? stm::ticks() : 0;
  const size_t reply_at = out.mark();
  // CLIENT TRACKING: a read-only command's keys are remembered before it
  // reads them (tracking.h). PFCOUNT's too, and its read event is replayed
  // after its cache write, as Redis orders them (it is not told of its own
  // cache write).
  std::vector<TrackingEvent> late_reads;
  if (client.tracking) {
    if (spec->flags & kMayReplicate) {
      tracking_register_reads(server, client, *spec, args, &late_reads);
    } else {
      tracking_before_read(server, client, *spec, args);
    }
  }
  if (spec->flags & kTransactional) {
    run_transactional(*spec, ctx);
  } else {
    spec->handler(ctx);
  }
  for (TrackingEvent& e : late_reads) client.tracking_pending.push_back(std::move(e));
  if (client.block_request) {
    // Blocked (blocking.h): nothing ran that counts yet. MONITOR shows the
    // command now, once; its call is counted when it is served or times out.
    if (server.monitors().active() && !is_admin_call(*spec, args) && !client.block_retry) {
      feed_monitors(server, client, client.db, args);
    }
    client.ready_keys.clear();
    return;
  }
  CommandCounters& counters = stats.cmds.at(slot);
  counters.calls.add();
  // EXEC's own reply is an array; its commands' errors count for them.
  if (out.error_at(reply_at) || !client.script_reply_errors.empty()) counters.failed.add();
  for (int code : client.script_reply_errors) {
    if (code >= 0) stats.errors.by_code[static_cast<size_t>(code)].add();
  }
  client.script_reply_errors.clear();
  if (t0 != 0) {
    const uint64_t ns = stm::ticks_to_ns(stm::ticks() - t0);
    if (stm::latency_tracking()) counters.latency.observe(stm::kLatencyBoundsNs, ns);
    // EXEC logs the commands it ran instead (run_exec), as Redis does.
    if (!is_exec(*spec)) log_if_slow(server, client, ns, args);
    sample_latency(server, *spec, ns);
  }
  // MONITOR shows what ran, after it ran (so SELECT shows its new db), but
  // not the admin commands, as Redis.
  if (server.monitors().active() && !is_admin_call(*spec, args) && !client.block_retry) {
    feed_monitors(server, client, client.db, args);
  }
  delete_expired_seen(server, client, pause != ClientPause::Mode::kNone);
  // What the committed transactions of this command did, told once: keys
  // that expired (found by the command, by its lazy deletes or WATCH's)
  // before the command's own keyspace events and EXEC's messages, as Redis
  // tells them. An aborted attempt or a failed EXEC left nothing pending.
  publish_expired_events(server);
  if (client.tracking) tracking_after_expiry(server, client);
  if (!client.pubsub_pending.empty()) apply_pending_pubsub(server, client);
  if (client.changes_pending != 0) {
    WorkerStats::bump(stats.changes, client.changes_pending);
    client.changes_pending = 0;
  }
  if (client.flushall_pending) {
    client.flushall_pending = false;
    server.persistence().after_flushall();
  }
  if (!client.tracking_pending.empty()) apply_tracking(server, client);
  if (server.tracking().active()) {
    server.tracking().enforce_limit(server, server.limits().tracking_table_max_keys.load(std::memory_order_relaxed));
  }
  if (!client.script_calls.empty()) apply_script_calls(stats, client);
  // A served retry wakes the next waiter itself, once it has left the
  // queue (Connection::retry_blocked).
  if (!client.ready_keys.empty() && !client.block_retry) flush_ready_keys(server, client);
  client.shown_db.store(client.db, std::memory_order_relaxed);
  client.shown_resp.store(client.resp, std::memory_order_relaxed);
}

}  // namespace

void dispatch_command(Server& server, Client& client, Reply& out, std::span<const std::string_view> args) {
  {
    const ClientPause::Scope pause(server.client_pause(), current_worker());
    dispatch_in_scope(server, client, out, args, pause.mode());
  }
  // CLIENT PAUSE replies only once what other threads were running has
  // finished; outside the Scope, so two pausers never wait for each other.
  if (client.pause_wait) {
    client.pause_wait = false;
    server.client_pause().wait_quiescent();
  }
}

void flush_ready_keys(Server& server, Client& client) {
  if (server.blocking().anyone_waiting()) {
    for (const auto& [db, key] : client.ready_keys) server.blocking().signal(db, key);
  }
  client.ready_keys.clear();
}

void count_blocked_command(Server& server, std::span<const std::string_view> args, std::string_view error,
                           bool failed) {
  WorkerStats& stats = server.stats_of_this_thread();
  const CommandSpec* spec = find_command(args[0]);
  CommandCounters& counters = stats.cmds.at(CommandStats::slot_of(spec, args));
  counters.calls.add();
  if (failed) counters.failed.add();
  if (!error.empty()) stats.errors.count(error);
}

void unwatch_all(Server& server, Client& client) {
  for (const WatchedKey& w : client.watched) server.db(w.db).unwatch(w.token);
  client.watched.clear();
  client.show_watched();
}

void run_exec(Server& server, Client& client, Reply& out) {
  WorkerStats& stats = server.stats_of_this_thread();
  if (client.multi_error) {
    client.end_multi();
    unwatch_all(server, client);
    WorkerStats::bump(stats.exec_aborted);
    out.error("EXECABORT Transaction discarded because of previous errors.");
    return;
  }
  // Resolve every queued command first (all were valid when queued).
  std::vector<std::vector<std::string>> queued = std::move(client.queued);
  client.end_multi();
  std::vector<const CommandSpec*> specs;
  std::vector<std::vector<std::string_view>> argvs;
  bool read_only = true;
  bool has_pubsub = false;
  bool irrevocable = false;  // effects_outside_store: the block must not run unless it commits
  for (const auto& cmd : queued) {
    specs.push_back(find_command(cmd[0]));
    argvs.emplace_back(cmd.begin(), cmd.end());
    if (!(specs.back()->flags & kReadOnly)) read_only = false;
    if (specs.back()->flags & kPubSub) has_pubsub = true;
    if (effects_outside_store(*specs.back(), argvs.back())) irrevocable = true;
  }
  // Pub/sub commands change the client's subscriptions as they run and
  // hold their registry changes and messages back (cmd_pubsub.h): every
  // attempt starts from the subscriptions the client had.
  std::optional<PubSubState> pubsub0;
  if (has_pubsub) pubsub0 = client.pubsub;

  const size_t mark = out.mark();
  const unsigned db0 = client.db;
  const bool has_watches = !client.watched.empty();
  // Which commands replied with an error, in the attempt that committed
  // (each attempt overwrites every entry): 0, or 1 + the error's code
  // (error_stats.h).
  std::vector<uint8_t> failed(specs.size(), 0);
  // Each command's own time in that attempt, for SLOWLOG and the latency
  // monitor (0: not timed).
  const bool timed = server.slowlog().enabled() || server.latency_monitor().enabled();
  std::vector<uint64_t> took_ns(specs.size(), 0);
  // Each command's db once it ran, for MONITOR (SELECT inside EXEC).
  std::vector<unsigned> db_after(specs.size(), db0);
  // Which commands' error replies scripts counted already (EVAL returning
  // one of its commands' errors).
  std::vector<bool> counted(specs.size(), false);
  // Which commands (EVALs) replied with errors nested in their replies
  // (Client::script_reply_errors): failed calls, whatever the top level.
  std::vector<bool> nested_failed(specs.size(), false);
  // The whole block, watches included, is one transaction.
  auto body = [&](stm::Tx& tx) -> bool {
    out.truncate(mark);
    client.db = db0;
    if (pubsub0) client.pubsub = *pubsub0;
    client.pubsub_pending.clear();
    client.tracking_pending.clear();
    client.changes_pending = 0;
    client.flushall_pending = false;
    client.script_calls.clear();
    client.ready_keys.clear();
    client.script_reply_errors.clear();
    for (const WatchedKey& w : client.watched) {
      if (!server.db(w.db).watch_intact(tx, w.token)) return false;
    }
    out.array(specs.size());
    for (size_t i = 0; i < specs.size(); ++i) {
      CommandContext ctx{argvs[i], out, client, server};
      const ScopedCurrentCommand current(ctx);
      ctx.in_exec = true;
      if (specs[i]->flags & kTransactional) ctx.tx = &tx;
      const size_t reply_at = out.mark();
      const uint64_t t0 = timed ? stm::ticks() : 0;
      const size_t nested_before = client.script_reply_errors.size();
      if (!(specs[i]->flags & kMayReplicate)) tracking_note_read(ctx, *specs[i]);
      specs[i]->handler(ctx);
      wake_waiters_on_written_keys(ctx, *specs[i]);
      if (specs[i]->flags & kMayReplicate) tracking_note_read(ctx, *specs[i]);
      if (timed) took_ns[i] = stm::ticks_to_ns(stm::ticks() - t0);
      db_after[i] = client.db;
      counted[i] = client.error_counted;
      client.error_counted = false;
      nested_failed[i] = client.script_reply_errors.size() > nested_before;
      failed[i] = out.error_at(reply_at) ? static_cast<uint8_t>(1 + error_code_index(out.error_line_at(reply_at))) : 0;
    }
    return true;
  };
  bool committed;
  if (irrevocable) {
    // Holding the serial gate from its first attempt, the block commits
    // once it has started: its WATCH checks, taken while no other writer
    // can commit, still hold at the end, and the effects happen once.
    committed = htm::atomically(body, stm::TxKind::kIrrevocable);
  } else if (read_only && !has_watches) {
    committed = htm::atomically_read_only(body);
  } else {
    committed = htm::atomically(body);
  }
  unwatch_all(server, client);
  if (has_watches && committed) WorkerStats::bump(stats.watch_intact);
  // Committed: dispatch_command applies what the block held back.
  if (!committed) {
    if (pubsub0) client.pubsub = std::move(*pubsub0);
    client.pubsub_pending.clear();
    client.tracking_pending.clear();
    client.changes_pending = 0;
    client.flushall_pending = false;
    client.script_calls.clear();
    client.ready_keys.clear();
    client.script_reply_errors.clear();
  }
  if (pubsub0) mirror_pubsub_counts(client);
  if (!committed) {
    out.truncate(mark);
    out.null_array();
    WorkerStats::bump(stats.exec_watch_failed);
    return;
  }
  WorkerStats::bump(stats.exec_ok);
  for (size_t i = 0; i < specs.size(); ++i) {
    CommandCounters& counters = stats.cmds.of(specs[i], argvs[i]);
    counters.calls.add();
    if (failed[i] || nested_failed[i]) counters.failed.add();
    if (failed[i] && !counted[i]) stats.errors.by_code[failed[i] - 1].add();
    if (timed) {
      log_if_slow(server, client, took_ns[i], argvs[i]);
      sample_latency(server, *specs[i], took_ns[i]);
    }
    if (server.monitors().active() && !is_admin_call(*specs[i], argvs[i])) {
      feed_monitors(server, client, db_after[i], argvs[i]);
    }
  }
  // The nested errors were the queued scripts' (nested_failed), not EXEC's.
  for (int code : client.script_reply_errors) {
    if (code >= 0) stats.errors.by_code[static_cast<size_t>(code)].add();
  }
  client.script_reply_errors.clear();
}

}  // namespace tmkv::server
