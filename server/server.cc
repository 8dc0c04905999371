#include "server/server.h"

#include "server/keyspace_events.h"
#include "store/expiry_log.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "htm/atomically.h"
#include "server/client.h"
#include "server/cmd_util.h"
#include "server/connection.h"
#include "server/sha256.h"
#include "store/access_clock.h"
#include "store/allocator_stats.h"
#include "store/clock.h"

namespace tmkv::server {
namespace {
thread_local int t_worker = -1;
constexpr auto kTick = std::chrono::milliseconds(100);
// Expiry sweep per tick and worker: buckets examined. A 1M-key keyspace
// (about 1M buckets) is covered in about 10 s with 2 workers.
constexpr size_t kSweepBuckets = 5000;

std::string protected_mode_message() {
  return "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set "
         "for the default user. In this mode connections are only accepted from the loopback interface. If you "
         "want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just "
         "disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface "
         "by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not "
         "publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
         "Alternatively you can just disable the protected mode by editing the Redis configuration file, and "
         "setting the protected mode option to 'no', and then restarting the server. 3) If you started the server "
         "manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an "
         "authentication password for the default user. NOTE: You only need to do one of the above things in "
         "order for the server to start accepting connections from the outside.\r\n";
}

std::string endpoint_text(const asio::ip::tcp::endpoint& ep) {
  auto addr = ep.address();
  std::string a = addr.to_string();
  if (addr.is_v6()) a = "[" + a + "]";
  return a + ":" + std::to_string(ep.port());
}
}  // namespace

int current_worker() { return t_worker; }

Server::Server(ServerConfig config) : config_(std::move(config)) {
  store::StoreOptions opts;
  opts.max_value_bytes = config_.proto_max_bulk_len;
  for (unsigned i = 0; i < config_.databases; ++i) {
    databases_.push_back(std::make_unique<store::Store>(opts));
    databases_.back()->set_create_observer(notify_key_created, this);  // keyspace "new" events
  }
  publish_settings();
  unsigned n = config_.io_threads != 0 ? config_.io_threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) workers_.push_back(std::make_unique<Worker>());
  client_pause_ = std::make_unique<ClientPause>(n);
  persistence_ = std::make_unique<Persistence>(*this);
  if (!random_hex(40, &replication_id_) || !random_hex(40, &run_id_)) {
    throw std::runtime_error("cannot read random bytes from the kernel (getrandom)");
  }
  used_memory_startup_ = refresh_used_memory();
}

uint64_t Server::refresh_used_memory() {
  const uint64_t used = store::used_memory_bytes();
  used_memory_.store(used, std::memory_order_relaxed);
  uint64_t peak = used_memory_peak_.load(std::memory_order_relaxed);
  while (used > peak && !used_memory_peak_.compare_exchange_weak(peak, used, std::memory_order_relaxed)) {
  }
  return used;
}

Server::~Server() {
  shutdown();
  wait();
  persistence_->stop_background();
  // Before the io_contexts go: a producer posts its result to one.
  persistence_->transfers().stop();
  // Explicit order: I/O objects before their io_context, and the workers
  // (whose io_contexts may still own connections, which unregister from
  // clients_) before the registry that members declared later would
  // otherwise destroy first.
  acceptor_.reset();
  signals_.reset();
  for (auto& w : workers_) w->tick.reset();
  workers_.clear();
}

bool Server::start(std::string* error) {
  start_ms_ = store::system_unix_ms();
  try {
    asio::ip::tcp::endpoint ep(asio::ip::make_address(config_.bind), config_.port);
    acceptor_ = std::make_unique<asio::ip::tcp::acceptor>(accept_io_);
    acceptor_->open(ep.protocol());
    acceptor_->set_option(asio::ip::tcp::acceptor::reuse_address(true));
    acceptor_->bind(ep);
    acceptor_->listen(511);  // Redis's tcp-backlog default
    bound_port_ = acceptor_->local_endpoint().port();
  } catch (const std::exception& e) {
    *error = "cannot listen on " + config_.bind + ":" + std::to_string(config_.port) + ": " + e.what();
    return false;
  }
  signals_ = std::make_unique<asio::signal_set>(accept_io_, SIGINT, SIGTERM);
  signals_->async_wait([this](const std::error_code& ec, int sig) {
    if (ec) return;
    std::fprintf(stderr, "tmkv-server: received %s, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    shutdown();
  });
  accept_next();
  // Accepting and signals have a thread of their own: a worker busy with a
  // long command (a script's loop, KEYS over millions of keys) must not
  // stop new clients from connecting, nor SIGTERM from being handled.
  accept_thread_ = std::thread([this] { accept_io_.run(); });
  for (size_t i = 0; i < workers_.size(); ++i) {
    Worker& w = *workers_[i];
    w.tick = std::make_unique<asio::steady_timer>(w.io);
    w.sweep_db = static_cast<unsigned>(i % databases_.size());
    schedule_tick(w);
    w.thread = std::thread([this, &w, i] {
      t_worker = static_cast<int>(i);
      w.io.run();
    });
  }
  return true;
}

void Server::wait() {
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
  if (accept_thread_.joinable()) accept_thread_.join();
}

void Server::shutdown() {
  if (stopping_.exchange(true, std::memory_order_acq_rel)) return;
  if (workers_.empty() || !acceptor_) return;
  // The accept thread owns the acceptor and the signal set; once both are
  // closed its io_context runs out of work and the thread ends.
  asio::post(accept_io_, [this] {
    std::error_code ignored;
    if (acceptor_) acceptor_->close(ignored);
    if (signals_) signals_->cancel(ignored);
  });
  for (auto& w : workers_) {
    Worker* wp = w.get();
    asio::post(wp->io, [this, wp] {
      if (wp->tick) wp->tick->cancel();
      close_all_connections(*wp);
    });
  }
}

void Server::close_all_connections(Worker& w) {
  for (auto& weak : w.connections) {
    if (auto c = weak.lock()) c->close_gracefully();
  }
  w.connections.clear();
}

void Server::accept_next() {
  Worker& target = *workers_[next_worker_];
  next_worker_ = (next_worker_ + 1) % workers_.size();
  acceptor_->async_accept(target.io, [this](const std::error_code& ec, asio::ip::tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping()) return;
      // Out of descriptors and the like: keep accepting after a pause.
      std::fprintf(stderr, "tmkv-server: accept failed: %s\n", ec.message().c_str());
    } else {
      on_accept(std::move(socket));
    }
    if (!stopping()) accept_next();
  });
}

bool Server::refuse_protected(const asio::ip::tcp::socket& socket) const {
  std::lock_guard<std::mutex> g(config_mu_);
  if (!config_.protected_mode || !config_.requirepass.empty()) return false;
  std::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  if (ec) return false;
  auto addr = peer.address();
  if (addr.is_loopback()) return false;
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    return !asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6()).is_loopback();
  }
  return true;
}

namespace {

// tcp-keepalive: after `idle_s` seconds without traffic the kernel probes
// the peer every idle_s / 3 seconds (at least 1) and drops the connection
// after 3 unanswered probes, so a peer that vanished is found in about
// twice idle_s, as with Redis's setting. Linux caps the idle time at 32767
// seconds; a larger setting is capped rather than left to fail. Best
// effort, as Redis's: a socket that refuses an option keeps the rest.
void enable_keepalive(asio::ip::tcp::socket& s, uint64_t idle_s) {
  if (idle_s == 0) return;
  const int fd = s.native_handle();
  const int on = 1;
  const int idle = static_cast<int>(std::min<uint64_t>(idle_s, 32767));
  const int interval = std::max(1, idle / 3);
  const int probes = 3;
  (void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  (void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  (void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  (void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
}

}  // namespace

void Server::on_accept(asio::ip::tcp::socket socket) {
  // The socket belongs to the target worker's io_context: finish there.
  auto* io = &static_cast<asio::io_context&>(socket.get_executor().context());
  Worker* w = nullptr;
  for (auto& cand : workers_) {
    if (&cand->io == io) w = cand.get();
  }
  asio::post(*io, [this, w, s = std::move(socket)]() mutable {
    std::error_code ec;
    s.set_option(asio::ip::tcp::no_delay(true), ec);
    enable_keepalive(s, limits_.tcp_keepalive_s.load(std::memory_order_relaxed));
    std::string addr, laddr;
    auto peer = s.remote_endpoint(ec);
    if (!ec) addr = endpoint_text(peer);
    auto local = s.local_endpoint(ec);
    if (!ec) laddr = endpoint_text(local);
    std::string refusal;
    if (stopping()) return;
    if (refuse_protected(s)) {
      refusal = protected_mode_message();
      rejected_protected_.fetch_add(1, std::memory_order_relaxed);
    }
    WorkerStats::bump(w->stats.connections);
    auto conn = std::make_shared<Connection>(*this, std::move(s), w->stats, next_client_id(), addr, laddr);
    w->connections.push_back(conn);
    conn->start(std::move(refusal));
  });
}

void Server::update_expiry_log() {
  // Recomputed from both sources under one lock, so the last update always
  // reflects the latest of both (CONFIG SET and CLIENT TRACKING race).
  std::lock_guard<std::mutex> g(expiry_log_mu_);
  const uint32_t notify = limits_.notify_flags.load(std::memory_order_relaxed);
  store::set_expiry_log(((notify & kNotifyExpired) && (notify & (kNotifyKeyspace | kNotifyKeyevent))) ||
                        tracking_.active());
}

bool Server::register_client(Client* c) {
  std::lock_guard<std::mutex> g(clients_mu_);
  if (clients_.size() >= limits_.maxclients.load(std::memory_order_relaxed)) {
    rejected_maxclients_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  clients_.emplace(c->id(), c);
  return true;
}

void Server::unregister_client(Client* c) {
  std::lock_guard<std::mutex> g(clients_mu_);
  clients_.erase(c->id());
}

size_t Server::client_count() const {
  std::lock_guard<std::mutex> g(clients_mu_);
  return clients_.size();
}

bool Server::killed(const Client& c) { return c.kill_requested.load(std::memory_order_relaxed); }

bool Server::kill_client(uint64_t id) {
  std::lock_guard<std::mutex> g(clients_mu_);
  auto it = clients_.find(id);
  if (it == clients_.end()) return false;
  // Relaxed: the flag publishes nothing; the registry's lock orders kills
  // among themselves, so exactly one CLIENT KILL counts a client.
  return !it->second->kill_requested.exchange(true, std::memory_order_relaxed);
}

void Server::schedule_tick(Worker& w) {
  w.tick->expires_after(kTick);
  w.tick->async_wait([this, &w](const std::error_code& ec) {
    if (ec || stopping()) return;
    on_tick(w);
    schedule_tick(w);
  });
}

void Server::on_tick(Worker& w) {
  const int64_t now = store::system_unix_ms();
  const uint64_t timeout = limits_.timeout_s.load(std::memory_order_relaxed);
  size_t kept = 0;
  for (size_t i = 0; i < w.connections.size(); ++i) {
    auto c = w.connections[i].lock();
    if (!c) continue;
    if (c->should_close(now, timeout)) {
      c->close_gracefully();
      continue;
    }
    c->trim_buffers(now);
    w.connections[kept++] = w.connections[i];
  }
  w.connections.resize(kept);
  client_pause_->end_if_due(now);  // resumes the held clients once the pause's time is over
  {
    // No active expiry while clients are paused, as Redis. In a Scope, so
    // a sweep already running when CLIENT PAUSE is stored ends before it
    // replies (client_pause.h).
    const ClientPause::Scope pause(*client_pause_, t_worker);
    if (pause.mode() == ClientPause::Mode::kNone) sweep_expired(w);
  }
  // What deletes on this thread (FLUSHALL, eviction, expiry) left for
  // reclamation comes back even while the thread serves no more writes
  // (writes run these jobs too, in batches): the absent records and the
  // replaced values whose grace periods are over.
  for (auto& db : databases_) db->reap_now();
  if (&w == workers_.front().get()) {
    InstantaneousMetrics::Totals totals{};
    for (const auto& worker : workers_) {
      totals[InstantaneousMetrics::kCommands] += worker->stats.commands.load(std::memory_order_relaxed);
      totals[InstantaneousMetrics::kNetInput] += worker->stats.net_in.load(std::memory_order_relaxed);
      totals[InstantaneousMetrics::kNetOutput] += worker->stats.net_out.load(std::memory_order_relaxed);
    }
    instantaneous_.sample(std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now().time_since_epoch())
                              .count(),
                          totals);
    used_memory_ms_.store(store::system_unix_ms(), std::memory_order_relaxed);
    refresh_used_memory();
    evictor_.clear_pending();
    persistence_->tick();
  }
}

uint64_t Server::used_memory_fresh() {
  const int64_t now = store::system_unix_ms();
  int64_t last = used_memory_ms_.load(std::memory_order_relaxed);
  // One refresh per millisecond however many threads ask: the winner of
  // the exchange refreshes, the others use the figure they find.
  if (now != last && used_memory_ms_.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
    refresh_used_memory();
    // What was evicted before this refresh is in the figure now, or still
    // waiting for reclamation, in which case it is evicted for again
    // (eviction.h, MEMORY FIGURE).
    evictor_.clear_pending();
  }
  return used_memory_.load(std::memory_order_relaxed);
}

void Server::sweep_expired(Worker& w) {
  // Like Redis's active expire cycle: keep sweeping while the last slice
  // found expired keys, within a time budget per tick (a quarter of it), so
  // deletion keeps up with workloads that create expiring keys quickly.
  // Databases without expiring keys are skipped without scanning.
  const auto deadline = std::chrono::steady_clock::now() + kTick / 4;
  // Redis's "expire-cycle" latency event: one sweep's duration.
  const ScopedLatencyEvent sample(latency_monitor_, "expire-cycle");
  std::vector<std::string> candidates;
  for (unsigned idle_dbs = 0; idle_dbs < databases_.size();) {
    store::Store& s = *databases_[w.sweep_db];
    bool found = false;
    if (s.expiring_count() != 0) {
      candidates.clear();
      w.sweep_cursor = s.expired_candidates(w.sweep_cursor, kSweepBuckets, &candidates);
      store::ScopedCommandTime at;
      for (const std::string& key : candidates) {
        htm::atomically([&](stm::Tx& tx) { s.delete_if_expired(tx, key); });
      }
      publish_expired_events(*this);
      found = !candidates.empty();
    } else {
      w.sweep_cursor = 0;
      s.forget_avg_ttl();
    }
    if (w.sweep_cursor == 0) w.sweep_db = (w.sweep_db + 1) % databases_.size();
    idle_dbs = found ? 0 : idle_dbs + 1;
    if (!found && s.expiring_count() != 0) break;  // a slice with nothing to do: enough for this tick
    if (std::chrono::steady_clock::now() >= deadline) break;
  }
}

ServerConfig Server::config_snapshot() const {
  std::lock_guard<std::mutex> g(config_mu_);
  return config_;
}

bool Server::config_set(const std::vector<std::pair<std::string, std::string>>& pairs, std::string* error,
                        bool local_client) {
  std::lock_guard<std::mutex> g(config_mu_);
  ServerConfig next = config_;
  for (const auto& [name, value] : pairs) {
    if (setting_is_protected(name) && config_.enable_protected_configs != "yes" &&
        !(config_.enable_protected_configs == "local" && local_client)) {
      *error = "ERR CONFIG SET failed (possibly related to argument '" + name + "') - can't set protected config";
      return false;
    }
    if (!setting_is_mutable(name)) {
      *error = setting_value(next, name) ? "ERR CONFIG SET failed (possibly related to argument '" + name +
                                               "') - can't set immutable config"
                                         : "ERR Unknown option or number of arguments for CONFIG SET - '" +
                                               name + "'";
      return false;
    }
    std::string why;
    if (!apply_setting(next, name, value, &why)) {
      *error = "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why;
      return false;
    }
  }
  config_ = next;
  publish_settings();
  return true;
}

void Server::publish_settings() {
  limits_.proto_max_bulk_len.store(config_.proto_max_bulk_len, std::memory_order_relaxed);
  limits_.client_query_buffer_limit.store(config_.client_query_buffer_limit, std::memory_order_relaxed);
  limits_.max_multibulk_len.store(config_.max_multibulk_len, std::memory_order_relaxed);
  limits_.max_inline_size.store(config_.max_inline_size, std::memory_order_relaxed);
  limits_.maxclients.store(config_.maxclients, std::memory_order_relaxed);
  limits_.timeout_s.store(config_.timeout_s, std::memory_order_relaxed);
  limits_.repl_timeout_s.store(config_.repl_timeout_s, std::memory_order_relaxed);
  limits_.tcp_keepalive_s.store(config_.tcp_keepalive_s, std::memory_order_relaxed);
  limits_.acllog_max_len.store(config_.acllog_max_len, std::memory_order_relaxed);
  limits_.requirepass_set.store(!config_.requirepass.empty(), std::memory_order_relaxed);
  limits_.maxmemory.store(config_.maxmemory, std::memory_order_relaxed);
  limits_.prefetch_batch_max_size.store(config_.prefetch_batch_max_size, std::memory_order_relaxed);
  limits_.pubsub_hard.store(config_.pubsub_output_limit.hard, std::memory_order_relaxed);
  limits_.pubsub_soft.store(config_.pubsub_output_limit.soft, std::memory_order_relaxed);
  limits_.pubsub_soft_seconds.store(config_.pubsub_output_limit.soft_seconds, std::memory_order_relaxed);
  limits_.notify_flags.store(config_.notify_keyspace_events, std::memory_order_relaxed);
  limits_.hll_sparse_max_bytes.store(config_.hll_sparse_max_bytes, std::memory_order_relaxed);
  limits_.tracking_table_max_keys.store(config_.tracking_table_max_keys, std::memory_order_relaxed);
  limits_.monitor_output_buffer_limit.store(config_.monitor_output_buffer_limit, std::memory_order_relaxed);
  update_expiry_log();
  const uint32_t notify = config_.notify_keyspace_events;
  // Writes read the key they write only while "new" events can go out.
  const bool tell_new = (notify & kNotifyNew) && (notify & (kNotifyKeyspace | kNotifyKeyevent));
  for (auto& db : databases_) db->observe_creations(tell_new);
  const EvictionPolicy policy = parse_eviction_policy(config_.maxmemory_policy).value_or(EvictionPolicy::kNoEviction);
  evictor_.configure(policy, config_.maxmemory_samples, config_.maxmemory_eviction_tenacity);
  // New values and reads carry the LFU counter under an LFU policy, the LRU
  // clock otherwise (as in Redis, OBJECT IDLETIME works under noeviction).
  store::set_access_mode(is_lfu_policy(policy) ? store::AccessMode::kLfu : store::AccessMode::kLru);
  store::set_lfu_parameters(config_.lfu_log_factor, config_.lfu_decay_time);
  store::set_hash_listpack_limits(config_.hash_max_listpack_entries, config_.hash_max_listpack_value);
  store::set_set_intset_limit(config_.set_max_intset_entries);
  store::set_zset_listpack_limits(config_.zset_max_listpack_entries, config_.zset_max_listpack_value);
  store::set_stream_node_max_entries(config_.stream_node_max_entries);
  slowlog_.set_threshold_us(config_.slowlog_log_slower_than);
  slowlog_.set_max_len(config_.slowlog_max_len);
  latency_monitor_.set_threshold_ms(config_.latency_monitor_threshold_ms);
  stm::set_latency_tracking(config_.latency_tracking);
  stm::set_tx_sample_rate(config_.tx_sample_rate);
  for (auto& db : databases_) db->set_max_value_bytes(config_.proto_max_bulk_len);
}

bool Server::authenticated(const Client& c) const {
  return c.authenticated || !limits_.requirepass_set.load(std::memory_order_relaxed);
}

std::string Server::password_hash() const {
  std::lock_guard<std::mutex> g(config_mu_);
  return config_.requirepass.empty() ? std::string() : sha256_hex(config_.requirepass);
}

bool Server::check_password(std::string_view given) const {
  std::string expected;
  {
    std::lock_guard<std::mutex> g(config_mu_);
    expected = config_.requirepass;
  }
  if (expected.empty()) return true;
  // Constant time in the password's contents: always walks the longer
  // length and folds every difference (and the length mismatch) into one word.
  const size_t n = std::max(expected.size(), given.size());
  unsigned diff = expected.size() != given.size() ? 1u : 0u;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char a = i < expected.size() ? static_cast<unsigned char>(expected[i]) : 0;
    const unsigned char b = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= static_cast<unsigned>(a ^ b);
  }
  volatile unsigned sink = diff;  // keep the loop from being short-circuited
  return sink == 0;
}

WorkerStats& Server::stats_of_this_thread() {
  const int w = t_worker;
  return workers_[w >= 0 ? static_cast<size_t>(w) : 0]->stats;
}

uint64_t Server::changes_total() const {
  uint64_t n = 0;
  for (const auto& w : workers_) n += w->stats.changes.load(std::memory_order_relaxed);
  return n;
}

StatsSnapshot Server::totals() const {
  StatsSnapshot t;
  for (const auto& w : workers_) {
    const WorkerStats& s = w->stats;
    t.commands += s.commands.load(std::memory_order_relaxed);
    t.connections += s.connections.load(std::memory_order_relaxed);
    t.net_in += s.net_in.load(std::memory_order_relaxed);
    t.net_out += s.net_out.load(std::memory_order_relaxed);
    t.exec_ok += s.exec_ok.load(std::memory_order_relaxed);
    t.exec_watch_failed += s.exec_watch_failed.load(std::memory_order_relaxed);
    t.exec_aborted += s.exec_aborted.load(std::memory_order_relaxed);
    t.watch_intact += s.watch_intact.load(std::memory_order_relaxed);
  }
  return t;
}

KeyspaceStats keyspace_stats(const stm::TxStatsSnapshot& s) {
  return {s.tallies[store::kTallyKeyspaceHits], s.tallies[store::kTallyKeyspaceMisses]};
}

ErrorTotals Server::error_totals() const {
  ErrorTotals t{};
  for (const auto& w : workers_) {
    for (size_t i = 0; i < t.size(); ++i) t[i] += w->stats.errors.by_code[i].get();
  }
  return t;
}

InfoCounters Server::info_counters() const {
  InfoCounters base;
  {
    std::lock_guard<std::mutex> g(baseline_mu_);
    base = baseline_;
  }
  // Read after the baseline was: every counter is at least its baseline.
  return counters_since(read_info_counters(*this), base);
}

void Server::reset_info_counters() {
  InfoCounters now = read_info_counters(*this);
  std::lock_guard<std::mutex> g(baseline_mu_);
  baseline_ = std::move(now);
}

std::vector<CommandTotals> Server::command_totals() const {
  std::vector<CommandTotals> totals(CommandStats::slot_count());
  for (const auto& w : workers_) w->stats.cmds.add_to(totals);
  return totals;
}

}  // namespace tmkv::server
