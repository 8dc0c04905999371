// Server: tmkv-server's process-wide state and its I/O threads.
//
// THREADS. N workers, each running its own asio::io_context on one thread,
// and an accept thread (the acceptor and the SIGINT/SIGTERM handler), which
// hands each new socket to the next worker in turn; from then on a
// connection lives on that worker's thread only, and its commands run
// there, directly against the store. Nothing on the command path takes a
// lock: commands synchronize through transactions. Each worker runs a
// 100 ms tick: closes idle clients (timeout) and sweeps a slice of the
// keyspace for expired keys.
//
// SHARED STATE, and who writes it:
//   config_        guarded by config_mu_ (CONFIG SET, rare); the limits that
//                  every request checks are mirrored in atomics (limits()).
//   databases_     created before the workers start; immutable after.
//   clients_       the registry for CLIENT LIST/KILL and maxclients; guarded
//                  by clients_mu_ (connect and disconnect only).
//   WorkerStats    one per worker, written by its thread only (relaxed
//                  load + store, no read-modify-write), summed by INFO.
//   slowlog_       every worker records its slow commands; own mutex,
//                  taken only by slow commands and SLOWLOG (slowlog.h).
//   latency_monitor_  every worker samples events at or above the
//                  threshold; own mutex, taken only by such samples and
//                  LATENCY (latency_monitor.h).
//   monitors_      MONITOR's subscribers; own mutex, taken per command
//                  only while a client monitors (monitor.h).
//   client_pause_  CLIENT PAUSE's state: atomics and its own mutex, taken
//                  only by PAUSE, UNPAUSE, the end and held clients
//                  (client_pause.h).
//   pubsub_        the channel registry; own reader-writer lock, taken by
//                  pub/sub commands only (pubsub.h).
//   tracking_      CLIENT TRACKING's table; own locks, taken only while a
//                  client tracks (tracking.h).
//   scripts_       Lua script bodies and the running scripts; own mutex,
//                  taken by EVAL (twice per script run), EVALSHA and SCRIPT
//                  (script_cache.h).
//   baseline_      CONFIG RESETSTAT's snapshot; guarded by baseline_mu_
//                  (RESETSTAT and INFO only).
#pragma once

#include <asio.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/blocking.h"
#include "server/client_pause.h"
#include "server/command_stats.h"
#include "server/config.h"
#include "server/eviction.h"
#include "server/function_registry.h"
#include "server/error_stats.h"
#include "server/info_counters.h"
#include "server/persistence.h"
#include "server/monitor.h"
#include "server/pubsub.h"
#include "server/resp_parser.h"
#include "server/script_cache.h"
#include "server/acl_log.h"
#include "server/instantaneous_metrics.h"
#include "server/latency_monitor.h"
#include "server/slowlog.h"
#include "server/tracking.h"
#include "store/store.h"

namespace tmkv::server {

class Client;
class Connection;

// Single-writer counters (see the file comment).
struct alignas(64) WorkerStats {
  std::atomic<uint64_t> commands{0};
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> net_in{0};
  std::atomic<uint64_t> net_out{0};
  std::atomic<uint64_t> exec_ok{0};
  std::atomic<uint64_t> exec_watch_failed{0};
  std::atomic<uint64_t> exec_aborted{0};  // EXECABORT
  // EXECs with WATCHed keys that held. (Those whose watch broke are
  // exec_watch_failed: nothing else makes an EXEC return nil.)
  std::atomic<uint64_t> watch_intact{0};
  // Committed keyspace changes (persistence.h, CHANGES); never reset.
  std::atomic<uint64_t> changes{0};
  CommandStats cmds;
  ErrorCounters errors;  // error replies by code (error_stats.h)

  static void bump(std::atomic<uint64_t>& c, uint64_t n = 1) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};


// Request limits read on every request: relaxed atomics (each is an
// independent number; a CONFIG SET may reach a connection a request late).
struct Limits {
  std::atomic<uint64_t> proto_max_bulk_len;
  std::atomic<uint64_t> client_query_buffer_limit;
  std::atomic<uint64_t> max_multibulk_len;
  std::atomic<uint64_t> max_inline_size;
  std::atomic<uint64_t> maxclients;
  std::atomic<uint64_t> timeout_s;
  std::atomic<uint64_t> repl_timeout_s;  // read by the tick, for snapshot transfers
  std::atomic<uint64_t> tcp_keepalive_s;  // read when a connection is accepted
  std::atomic<uint64_t> acllog_max_len;   // read when a failed AUTH is logged
  std::atomic<bool> requirepass_set;
  std::atomic<uint64_t> maxmemory;
  std::atomic<uint64_t> prefetch_batch_max_size;  // requests per key prefetch; < 2 = off
  // client-output-buffer-limit's pubsub class (mailbox.h).
  std::atomic<uint64_t> pubsub_hard, pubsub_soft, pubsub_soft_seconds;
  std::atomic<uint32_t> notify_flags;  // notify-keyspace-events (keyspace_events.h)
  std::atomic<uint64_t> hll_sparse_max_bytes;  // hll-sparse-max-bytes (hyperloglog.h)
  std::atomic<uint64_t> tracking_table_max_keys;  // tracking-table-max-keys (tracking.h)
  std::atomic<uint64_t> monitor_output_buffer_limit;  // monitor-output-buffer-limit (monitor.h)

  OutputLimit pubsub_output_limit() const {
    return OutputLimit{pubsub_hard.load(std::memory_order_relaxed), pubsub_soft.load(std::memory_order_relaxed),
                       pubsub_soft_seconds.load(std::memory_order_relaxed)};
  }

  ParserLimits parser_limits(bool authenticated) const {
    ParserLimits l;
    l.max_bulk_len = proto_max_bulk_len.load(std::memory_order_relaxed);
    l.max_multibulk_len = max_multibulk_len.load(std::memory_order_relaxed);
    l.max_inline_len = max_inline_size.load(std::memory_order_relaxed);
    l.authenticated = authenticated;
    return l;
  }
};

class Server {
 public:
  explicit Server(ServerConfig config);
  ~Server();

  // Binds and starts the workers; false with *error if it cannot listen.
  bool start(std::string* error);
  // Blocks until shutdown() and every worker has finished.
  void wait();
  // Graceful stop from any thread: stop accepting, let requests in flight
  // finish and their replies flush, then close every connection.
  void shutdown();
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  store::Store& db(unsigned i) { return *databases_[i]; }
  const store::Store& db(unsigned i) const { return *databases_[i]; }
  unsigned database_count() const { return static_cast<unsigned>(databases_.size()); }

  const Limits& limits() const { return limits_; }
  ServerConfig config_snapshot() const;
  // CONFIG SET: applies the pairs all or nothing; false with *error.
  // Protected settings (config.h) need enable-protected-configs yes, or
  // local and a loopback client.
  bool config_set(const std::vector<std::pair<std::string, std::string>>& pairs, std::string* error,
                  bool local_client = false);
  // Redis's authRequired(): judged per command against the current
  // requirepass, so CONFIG SET requirepass "" frees waiting clients.
  bool authenticated(const Client& c) const;
  // Constant-time comparison with requirepass; true if none is set.
  bool check_password(std::string_view given) const;

  // The store logs the keys that expire (store/expiry_log.h) only while
  // someone hears of them: "expired" keyspace events, or a tracking client.
  // Called when either changes.
  void update_expiry_log();

  // ---- Client registry. ----
  // False if maxclients is reached (the caller rejects the connection).
  bool register_client(Client* c);
  void unregister_client(Client* c);
  uint64_t next_client_id() { return next_client_id_.fetch_add(1, std::memory_order_relaxed); }
  size_t client_count() const;
  // A killed client (kill_client) is skipped by for_each_client and
  // with_client from the kill on, though its thread closes it only at its
  // next tick: to every later command it is gone, as in Redis, whose CLIENT
  // KILL frees the client at once.
  template <class Fn>
  void for_each_client(Fn&& fn) const {
    std::lock_guard<std::mutex> g(clients_mu_);
    for (const auto& [id, c] : clients_) {
      if (!killed(*c)) fn(*c);
    }
  }
  // Runs fn(client) on client `id` under the registry's lock; false if
  // there is no such client.
  template <class Fn>
  bool with_client(uint64_t id, Fn&& fn) const {
    std::lock_guard<std::mutex> g(clients_mu_);
    auto it = clients_.find(id);
    if (it == clients_.end() || killed(*it->second)) return false;
    fn(*it->second);
    return true;
  }
  // CLIENT KILL: asks the owner thread to close client `id`, which runs no
  // further command (Connection::run_requests). True if found and not
  // killed already.
  bool kill_client(uint64_t id);
  static bool killed(const Client& c);

  WorkerStats& stats_of_this_thread();
  StatsSnapshot totals() const;
  // Per-command totals over every worker, indexed as CommandStats slots.
  std::vector<CommandTotals> command_totals() const;
  // Error replies by code over every worker, indexed as kErrorCodes.
  ErrorTotals error_totals() const;
  uint64_t rejected_connections() const { return rejected_maxclients() + rejected_protected(); }
  uint64_t rejected_maxclients() const { return rejected_maxclients_.load(std::memory_order_relaxed); }
  uint64_t rejected_protected() const { return rejected_protected_.load(std::memory_order_relaxed); }

  // store::used_memory_bytes() as of the last refresh: worker 0's tick
  // (every 100 ms), or used_memory_fresh().
  uint64_t used_memory() const { return used_memory_.load(std::memory_order_relaxed); }
  // The same, refreshed first if the last refresh is a millisecond old or
  // more (what maxmemory is checked against; eviction.h).
  uint64_t used_memory_fresh();
  // The most any refresh of used_memory() found (INFO's used_memory_peak).
  uint64_t used_memory_peak() const { return used_memory_peak_.load(std::memory_order_relaxed); }
  // used_memory() once the server was built, before any client: what an
  // empty server takes (INFO's used_memory_startup).
  uint64_t used_memory_startup() const { return used_memory_startup_; }
  // Refreshes used_memory() now (and the peak); returns it. For INFO and
  // MEMORY STATS, which should not show a figure up to 100 ms old.
  uint64_t refresh_used_memory();
  // Before a command that may add memory: evicts per maxmemory-policy
  // while over maxmemory; false if the command must be refused with OOM.
  // Outside transactions.
  bool make_room() { return evictor_.make_room(*this); }
  const Evictor& evictor() const { return evictor_; }

  SlowLog& slowlog() { return slowlog_; }
  LatencyMonitor& latency_monitor() { return latency_monitor_; }
  MonitorFeed& monitors() { return monitors_; }
  BlockingRegistry& blocking() { return blocking_; }
  ClientPause& client_pause() { return *client_pause_; }
  const ClientPause& client_pause() const { return *client_pause_; }
  PubSub& pubsub() { return pubsub_; }
  Tracking& tracking() { return tracking_; }
  const Tracking& tracking() const { return tracking_; }
  ScriptCache& scripts() { return scripts_; }
  const ScriptCache& scripts() const { return scripts_; }
  FunctionRegistry& functions() { return functions_; }
  Persistence& persistence() { return *persistence_; }
  const Persistence& persistence() const { return *persistence_; }
  // Every worker's WorkerStats::changes: keyspace changes since the start.
  uint64_t changes_total() const;
  const FunctionRegistry& functions() const { return functions_; }
  const PubSub& pubsub() const { return pubsub_; }

  // What INFO shows: the counters since the last CONFIG RESETSTAT (or the
  // start); the raw ones above stay monotonic for /metrics.
  InfoCounters info_counters() const;
  void reset_info_counters();

  int64_t start_ms() const { return start_ms_; }
  // INFO replication's master_replid: 40 random hex digits per start, as
  // Redis makes it (there are no replicas to share it with).
  const std::string& replication_id() const { return replication_id_; }
  // INFO server's run_id: another 40 random hex digits per start, which
  // tools compare to notice a restart.
  const std::string& run_id() const { return run_id_; }
  // INFO stats' instantaneous rates (instantaneous_metrics.h).
  const InstantaneousMetrics& instantaneous() const { return instantaneous_; }
  AclLog& acl_log() { return acl_log_; }
  // The default user's password as ACL LIST shows it: the SHA-256 of
  // requirepass in hex, or empty when there is none (nopass).
  std::string password_hash() const;
  uint16_t bound_port() const { return bound_port_; }
  unsigned io_threads() const { return static_cast<unsigned>(workers_.size()); }

 private:
  struct Worker {
    asio::io_context io{1};
    std::thread thread;
    WorkerStats stats;
    std::unique_ptr<asio::steady_timer> tick;
    uint64_t sweep_cursor = 0;   // owner thread only
    unsigned sweep_db = 0;       // owner thread only
    std::vector<std::weak_ptr<Connection>> connections;  // owner thread only
  };

  void accept_next();
  void on_accept(asio::ip::tcp::socket socket);
  void close_all_connections(Worker& w);
  void schedule_tick(Worker& w);
  void on_tick(Worker& w);
  void sweep_expired(Worker& w);
  bool refuse_protected(const asio::ip::tcp::socket& socket) const;
  // Copies config_'s run-time settings where the request path reads them
  // (limits_, the stores, stm's telemetry switches). At construction and
  // under config_mu_ in config_set.
  void publish_settings();

  mutable std::mutex config_mu_;
  ServerConfig config_;  // guarded by config_mu_
  Limits limits_;
  std::vector<std::unique_ptr<store::Store>> databases_;
  std::vector<std::unique_ptr<Worker>> workers_;
  asio::io_context accept_io_{1};  // the acceptor's and the signal set's
  std::thread accept_thread_;       // runs accept_io_
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor_;  // the accept thread only
  size_t next_worker_ = 0;                             // the accept thread only
  std::unique_ptr<asio::signal_set> signals_;          // the accept thread only

  mutable std::mutex clients_mu_;
  std::map<uint64_t, Client*> clients_;  // guarded by clients_mu_
  std::atomic<uint64_t> next_client_id_{1};
  // Connections refused: bumped with fetch_add by whichever thread refuses
  // (rare, off the command path); relaxed: independent counters.
  std::atomic<uint64_t> rejected_maxclients_{0};
  std::atomic<uint64_t> rejected_protected_{0};
  std::atomic<bool> stopping_{false};
  // Written by worker 0's tick and by used_memory_fresh() (the thread that
  // wins used_memory_ms_'s exchange for this millisecond), read by every
  // command that writes; relaxed: a standalone number, a request may see
  // the previous refresh's value.
  std::atomic<uint64_t> used_memory_{0};
  std::atomic<int64_t> used_memory_ms_{0};  // when used_memory_ was refreshed (Unix ms); relaxed, as above
  // Raised (compare-exchange, relaxed: a standalone maximum) by every
  // refresh of used_memory_.
  std::atomic<uint64_t> used_memory_peak_{0};
  uint64_t used_memory_startup_ = 0;  // immutable after construction
  Evictor evictor_;  // its own atomics (eviction.h); settings from publish_settings
  SlowLog slowlog_;  // its own lock (slowlog.h); settings from publish_settings
  LatencyMonitor latency_monitor_;  // its own lock (latency_monitor.h); threshold from publish_settings
  MonitorFeed monitors_;  // its own lock (monitor.h)
  BlockingRegistry blocking_;  // its own lock (blocking.h)
  std::unique_ptr<ClientPause> client_pause_;  // its own lock and atomics (client_pause.h); sized by the workers
  PubSub pubsub_;         // its own lock (pubsub.h)
  Tracking tracking_;     // its own locks (tracking.h)
  std::mutex expiry_log_mu_;  // serializes update_expiry_log
  ScriptCache scripts_;   // its own lock (script_cache.h)
  FunctionRegistry functions_;  // its own lock (function_registry.h)
  mutable std::mutex baseline_mu_;
  InfoCounters baseline_;  // guarded by baseline_mu_; written by CONFIG RESETSTAT
  int64_t start_ms_ = 0;
  // Last member: destroyed first, its background save stopped while the
  // stores and libraries it reads still exist.
  std::unique_ptr<Persistence> persistence_;
  std::string replication_id_;  // immutable after construction
  std::string run_id_;          // immutable after construction
  InstantaneousMetrics instantaneous_;  // sampled by worker 0's tick (instantaneous_metrics.h)
  AclLog acl_log_;                      // its own lock (acl_log.h)
  uint16_t bound_port_ = 0;

  friend class Connection;
};

// Keyspace hits and misses over every thread (committed lookups of read
// commands; store::kTallyKeyspaceHits/Misses).
struct KeyspaceStats {
  uint64_t hits = 0, misses = 0;
};
KeyspaceStats keyspace_stats(const stm::TxStatsSnapshot& s);

// The worker index of the calling thread, or -1 off the I/O threads.
int current_worker();

}  // namespace tmkv::server
