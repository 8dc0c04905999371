// Client: the protocol-level state of one connection.
//
// Owned by its Connection and touched by that connection's I/O thread only,
// except the fields marked "shared", which CLIENT LIST and INFO read from
// other threads: those are atomics (relaxed: each is a standalone statistic,
// no other data is published through them) or guarded by info_mu.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/mailbox.h"
#include "server/pubsub.h"
#include "server/tracking.h"
#include "store/store.h"

namespace tmkv::server {

struct WatchedKey {
  unsigned db;
  std::string key;
  store::Store::WatchToken token;
};

// A client's pub/sub subscriptions, by kind (channels, patterns, shard
// channels).
struct PubSubState {
  std::array<std::set<std::string>, kPubSubKinds> names;

  std::set<std::string>& of(PubSubKind k) { return names[static_cast<size_t>(k)]; }
  const std::set<std::string>& of(PubSubKind k) const { return names[static_cast<size_t>(k)]; }
  // Redis's CLIENT_PUBSUB: any subscription at all.
  size_t total() const { return names[0].size() + names[1].size() + names[2].size(); }
};

// A pub/sub effect of a command inside EXEC, applied once the block has
// committed (cmd_pubsub.h): the block may run more than once, and a
// message must go out once, after the writes it announces are visible.
struct PendingPubSub {
  enum class Op : uint8_t { kSubscribe, kUnsubscribe, kPublish };
  Op op;
  PubSubKind kind;
  std::string name;  // channel or pattern
  std::string message;  // kPublish only
};

// What a connection's buffers hold, in Redis's CLIENT LIST terms. The
// owner mirrors them after each batch of requests, when it parks or trims
// its buffers, and when an asynchronous write ends; CLIENT LIST, INFO and
// MEMORY STATS read them from any thread (relaxed: standalone statistics,
// nothing else is published through them).
struct ShownBuffers {
  std::atomic<size_t> query{0};       // qbuf: received bytes not yet run
  std::atomic<size_t> query_free{0};  // qbuf-free: room left for the next read
  std::atomic<size_t> reply_size{0};  // rbs: the reply buffer's capacity
  std::atomic<size_t> reply_peak{0};  // rbp: the most it held since the last trim check
  std::atomic<size_t> reply_bytes{0};  // obl: replies built, not yet handed to the socket
  std::atomic<size_t> writing{0};     // omem: the remainder an asynchronous write still sends
  std::atomic<size_t> total{0};       // tot-mem: all of the above's capacities, the queued
                                      // MULTI commands and the connection itself
  std::atomic<bool> reading{false};   // events: r (a read or a readiness wait is armed)
  std::atomic<bool> writing_now{false};  // events: w
};

class Client {
 public:
  Client(uint64_t id, std::string addr, std::string laddr, int64_t now_ms, int fd = -1)
      : id_(id), addr_(std::move(addr)), laddr_(std::move(laddr)), created_ms_(now_ms), fd_(fd) {
    last_active_ms.store(now_ms, std::memory_order_relaxed);
  }

  uint64_t id() const { return id_; }
  const std::string& addr() const { return addr_; }
  const std::string& laddr() const { return laddr_; }
  int64_t created_ms() const { return created_ms_; }
  int fd() const { return fd_; }

  // ---- Owner thread only. ----
  unsigned db = 0;
  int resp = 2;
  // AUTH succeeded. Whether the client may run commands also depends on
  // whether a password is set now: see Server::authenticated().
  bool authenticated = false;
  bool close_after_reply = false;
  bool in_multi = false;
  bool multi_error = false;  // a command was rejected while queuing: EXEC fails with EXECABORT
  // CLIENT REPLY (Redis's flags): OFF drops every reply until ON; SKIP
  // drops the next command's. The connection applies them per request.
  bool reply_off = false;
  bool no_touch = false;  // CLIENT NO-TOUCH ON: reads leave keys' access bits (owner thread only)
  bool reply_skip_next = false;  // set by SKIP, moves to reply_skip at the next command
  bool reply_skip = false;       // this command's replies are dropped
  // MONITOR mode; a command that enters or leaves it sets monitor_change,
  // and the connection (un)subscribes once the command returns.
  bool monitoring = false;
  bool monitor_change = false;
  std::vector<std::vector<std::string>> queued;
  size_t queued_bytes = 0;
  std::vector<WatchedKey> watched;
  // Pub/sub: what this client is subscribed to (the registry, PubSub, holds
  // the reverse index), and the effects an EXEC block is holding back.
  PubSubState pubsub;
  std::vector<PendingPubSub> pubsub_pending;
  // Commands the running script called in the current attempt, counted
  // (INFO commandstats and errorstats) once its transaction has committed:
  // how many calls, by (stats slot, outcome), so a script looping over a
  // command holds one entry. The key is script_call_key().
  std::unordered_map<uint32_t, uint64_t> script_calls;
  // outcome: 0 ran fine, 1 + an error code's index (error_stats.h), or
  // kScriptCallRejected (refused before running: arity, not allowed from
  // scripts, a write in a read-only script).
  static constexpr uint32_t kScriptCallRejected = 255;
  static uint32_t script_call_key(size_t slot, uint32_t outcome) {
    return static_cast<uint32_t>(slot << 8) | outcome;
  }
  // Blocking list commands (server/blocking.h). A handler that found every
  // key empty, outside EXEC and scripts, asks to block with block_request
  // and replies nothing; the connection registers the client and re-runs
  // the command with block_retry set until it is served or times out.
  // WAIT blocks too, on no key: only its timeout or CLIENT UNBLOCK ends it,
  // and either answers the integer 0 (no replica acknowledged anything).
  struct BlockRequest {
    enum class OnTimeout { kNullArray, kZero };
    std::vector<std::string> keys;
    int64_t timeout_ms = 0;  // 0: wait for ever
    OnTimeout on_timeout = OnTimeout::kNullArray;
    // The arguments the retries run with, if not the command's own (XREAD
    // resolves "$" to the stream's last ID before it blocks).
    std::vector<std::string> args;
  };
  std::optional<BlockRequest> block_request;
  bool block_retry = false;
  // REPLCONF rdb-only and rdb-filter-only (cmd_replication.cc): whether
  // SYNC and PSYNC may send this client a snapshot, and what it holds.
  bool repl_rdb_only = false;
  bool repl_rdb_keys = true;
  bool repl_rdb_functions = true;
  // Set by SYNC or PSYNC: once the command returns, the connection stops
  // running requests, sends `preamble` (PSYNC's +FULLRESYNC line) and the
  // snapshot as one bulk string, and closes (connection.cc).
  struct SnapshotSend {
    bool keys = true, functions = true;
    std::string preamble;
  };
  std::optional<SnapshotSend> snapshot_send;
  // CLIENT PAUSE (client_pause.h). The dispatcher held the command (no
  // reply; kWrite: held as a write, kAny: held by an ALL pause); the
  // connection parks the client and runs the request again once the pause
  // ends. pause_counted: that request was counted already (it counts once).
  // pause_wait: CLIENT PAUSE ran; the dispatcher waits for the commands
  // other threads are running before the reply can go out.
  enum class PauseHold : uint8_t { kNone, kAny, kWrite };
  PauseHold pause_hold = PauseHold::kNone;
  bool pause_counted = false;
  bool pause_wait = false;
  // Keys (db, key) this attempt made non-empty lists; after the commit,
  // blocked clients waiting on them are woken (flush_ready_keys).
  std::vector<std::pair<unsigned, std::string>> ready_keys;
  // Errors inside a script's array or map reply, in the current attempt:
  // the code's index (error_stats.h), or -1 for a command's error already
  // counted with script_calls. Once the transaction commits each is
  // counted, and the script's command counts as failed (Redis counts every
  // error reply written, nested or not).
  std::vector<int> script_reply_errors;
  // The command's error reply is a script's inner command error, already
  // counted with script_calls (Redis counts such an error once).
  bool error_counted = false;
  // CLIENT TRACKING (tracking.h). tracking_mode is the record the server's
  // table published for this client (null while off; shared and
  // immutable, so an idle client pays one pointer); tracking_caching is
  // CLIENT CACHING's flag for the next command; tracking_pending holds the
  // reads and writes an EXEC block or a script made, told after the commit
  // (cleared per attempt with pubsub_pending).
  bool tracking = false;
  bool tracking_caching = false;
  std::shared_ptr<const TrackingClient> tracking_mode;
  std::vector<TrackingEvent> tracking_pending;
  // Keyspace changes the running command made (its write events, the keys
  // a FLUSH removed): per attempt like tracking_pending, added to
  // WorkerStats::changes once the command commits. Owner thread only.
  uint64_t changes_pending = 0;
  // A FLUSHALL ran (per attempt, as changes_pending): once it commits, the
  // snapshot is saved at once when save points are set, as Redis does.
  bool flushall_pending = false;
  // The mode's options; null while tracking is off.
  const TrackingOptions* tracking_options() const { return tracking_mode ? &tracking_mode->options : nullptr; }
  // Where MONITOR lines and pub/sub messages for this client arrive;
  // made on first use by open_mailbox, which the connection provides.
  std::shared_ptr<Mailbox> mailbox;
  std::function<std::shared_ptr<Mailbox>()> open_mailbox;

  // Leaves MULTI state: drops the queue and the EXECABORT flag (not the
  // watches: callers drop those through unwatch_all, which needs the store).
  void end_multi() {
    in_multi = false;
    multi_error = false;
    queued.clear();
    queued_bytes = 0;
    shown_multi.store(-1, std::memory_order_relaxed);
    shown_multi_bytes.store(0, std::memory_order_relaxed);
  }
  // Mirrors the watch list's size (WATCH, UNWATCH, EXEC, DISCARD, RESET).
  void show_watched() { shown_watched.store(watched.size(), std::memory_order_relaxed); }

  // ---- Shared (see the file comment). ----
  std::atomic<int64_t> last_active_ms{0};
  std::atomic<unsigned> shown_db{0};        // db, mirrored for CLIENT LIST
  std::atomic<int> shown_resp{2};           // resp, mirrored
  std::atomic<int64_t> shown_multi{-1};     // queued.size() inside MULTI, else -1 (CLIENT LIST's multi=)
  std::atomic<size_t> shown_multi_bytes{0};  // queued_bytes, mirrored (multi-mem=)
  std::atomic<size_t> shown_watched{0};      // watched.size(), mirrored (INFO's watching_clients)
  ShownBuffers shown_buffers;
  std::atomic<bool> shown_monitor{false};   // monitoring, mirrored
  std::atomic<bool> shown_blocked{false};   // blocked on list keys (CLIENT LIST's "b")
  std::array<std::atomic<size_t>, kPubSubKinds> shown_pubsub{};  // pubsub's set sizes, mirrored
  std::atomic<const char*> last_command{"NULL"};  // a CommandSpec name (static storage)
  std::atomic<bool> kill_requested{false};  // set by CLIENT KILL / shutdown; the owner closes
  // CLIENT LIST's t/B flags and redir= (owner writes, mirrored after
  // CLIENT TRACKING); tracking_broken_redir ('R') is set by whichever
  // thread found the redirect target gone (tracking.h) and cleared by the
  // owner at CLIENT TRACKING ON/OFF. Relaxed: standalone flags.
  std::atomic<bool> shown_tracking{false};
  std::atomic<bool> shown_tracking_bcast{false};
  std::atomic<int64_t> shown_redir{-1};
  std::atomic<bool> tracking_broken_redir{false};

  std::string name() const {
    std::lock_guard<std::mutex> g(info_mu_);
    return name_;
  }
  void set_name(std::string n) {
    std::lock_guard<std::mutex> g(info_mu_);
    name_ = std::move(n);
  }
  std::string lib_name() const {
    std::lock_guard<std::mutex> g(info_mu_);
    return lib_name_;
  }
  std::string lib_ver() const {
    std::lock_guard<std::mutex> g(info_mu_);
    return lib_ver_;
  }
  // The mailbox, for other threads (a tracking client's REDIRECT target):
  // the owner shares it when it opens it.
  std::shared_ptr<Mailbox> shared_mailbox() const {
    std::lock_guard<std::mutex> g(info_mu_);
    return shared_mailbox_;
  }
  void share_mailbox(std::shared_ptr<Mailbox> m) {
    std::lock_guard<std::mutex> g(info_mu_);
    shared_mailbox_ = std::move(m);
  }
  void set_lib(std::string name, std::string ver, bool set_name, bool set_ver) {
    std::lock_guard<std::mutex> g(info_mu_);
    if (set_name) lib_name_ = std::move(name);
    if (set_ver) lib_ver_ = std::move(ver);
  }

 private:
  const uint64_t id_;
  const std::string addr_, laddr_;
  const int64_t created_ms_;
  const int fd_;  // the socket's descriptor (CLIENT LIST's fd=)
  mutable std::mutex info_mu_;
  std::string name_, lib_name_, lib_ver_;  // guarded by info_mu_
  std::shared_ptr<Mailbox> shared_mailbox_;  // guarded by info_mu_
};

}  // namespace tmkv::server
