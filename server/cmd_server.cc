// Server commands: INFO, CONFIG, TIME, SHUTDOWN, COMMAND.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "htm/hybrid_stats.h"
#include "htm/tm_mode.h"
#include "server/client.h"
#include "server/cmd_util.h"
#include "server/command.h"
#include "server/command_keys.h"
#include "server/memory_report.h"
#include "server/server.h"
#include "stm/tx_stats.h"
#include "store/allocator_stats.h"
#include "store/clock.h"

namespace tmkv::server {
namespace {

// An INFO value: one line, and no ',' (clients such as redis-py split
// values on ',' into sub-fields).
std::string info_safe(std::string_view v) {
  std::string out(v);
  for (char& ch : out) {
    if (ch == ',') ch = ';';
    if (ch == '\r' || ch == '\n') ch = ' ';
  }
  return out;
}

// The running binary, as Redis reports it (its absolute path).
std::string executable_path() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

void section_server(std::ostringstream& o, Server& s) {
  const ServerConfig cfg = s.config_snapshot();
  const int64_t now = store::system_unix_ms();
  o << "# Server\r\n"
    << "redis_version:7.0.0\r\n"  // the Redis protocol and command set tmkv speaks
    << "tmkv_version:0.1.0\r\n"
    << "redis_mode:standalone\r\n"
    << "os:Linux\r\n"
    << "arch_bits:64\r\n"
    << "monotonic_clock:POSIX clock_gettime\r\n"  // std::chrono::steady_clock: CLOCK_MONOTONIC
    << "multiplexing_api:epoll\r\n"
    << "gcc_version:" << __GNUC__ << "." << __GNUC_MINOR__ << "." << __GNUC_PATCHLEVEL__ << "\r\n"
    << "process_id:" << getpid() << "\r\n"
    << "run_id:" << s.run_id() << "\r\n"
    << "tcp_port:" << s.bound_port() << "\r\n"
    << "server_time_usec:"
    << std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count()
    << "\r\n"
    << "uptime_in_seconds:" << (now - s.start_ms()) / 1000 << "\r\n"
    << "uptime_in_days:" << (now - s.start_ms()) / 86400000 << "\r\n"
    // Redis's serverCron frequency; tmkv's per-thread tick (idle timeout,
    // expiry sweep, these rates) is a fixed 100 ms: 10 Hz, Redis's default.
    << "hz:10\r\n"
    << "configured_hz:10\r\n"
    << "executable:" << executable_path() << "\r\n"
    << "config_file:" << cfg.config_file << "\r\n"
    << "io_threads_active:" << s.io_threads() << "\r\n\r\n";
}

// Redis 7.2's fields. tmkv has no cluster and no client-side caching: those
// counts are truthfully 0; blocked_clients counts BLPOP and family, WAIT
// and the clients CLIENT PAUSE holds, as Redis. The
// buffer maxima are the clients' buffers now (Redis's "recent" keeps a few
// seconds of them).
void section_clients(std::ostringstream& o, Server& s) {
  const ClientsSummary c = summarize_clients(s);
  size_t watched_keys = 0;
  for (unsigned db = 0; db < s.database_count(); ++db) watched_keys += s.db(db).watched_keys();
  o << "# Clients\r\n"
    << "connected_clients:" << c.connected << "\r\n"
    << "cluster_connections:0\r\n"
    << "maxclients:" << s.limits().maxclients.load(std::memory_order_relaxed) << "\r\n"
    << "client_recent_max_input_buffer:" << c.max_input_buffer << "\r\n"
    << "client_recent_max_output_buffer:" << c.max_output_buffer << "\r\n"
    << "blocked_clients:" << s.blocking().blocked() + s.client_pause().parked() << "\r\n"
    << "tracking_clients:" << s.tracking().clients() << "\r\n"
    << "pubsub_clients:" << c.pubsub << "\r\n"
    << "watching_clients:" << c.watching << "\r\n"
    << "clients_in_timeout_table:0\r\n"
    << "total_watched_keys:" << watched_keys << "\r\n"
    << "total_blocking_keys:0\r\n"
    << "total_blocking_keys_on_nokey:0\r\n\r\n";
}

std::string fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// Redis 7's fields, in its order, where tmkv has the thing measured
// (server/memory_report.h says what each is made of here). No replication,
// no AOF: those are left out, not shown as zeros, except the two that say
// what eviction does not count and lazy freeing, which are truthfully 0
// (tmkv frees in the epoch scheme, not on a lazyfree thread). Of Lua, the
// script cache and the function libraries are shown; the Lua states' own
// memory (used_memory_lua, used_memory_vm_*) is not: each I/O thread has
// its own state, which no other thread may ask.
void section_memory(std::ostringstream& o, Server& s) {
  const MemoryReport m = memory_report(s);
  const store::AllocatorStats& a = m.allocator;
  const uint64_t maxmemory = s.limits().maxmemory.load(std::memory_order_relaxed);
  o << "# Memory\r\n"
    << "used_memory:" << m.used << "\r\n"
    << "used_memory_human:" << human_bytes(m.used) << "\r\n"
    << "used_memory_rss:" << m.rss << "\r\n"
    << "used_memory_rss_human:" << human_bytes(m.rss) << "\r\n"
    << "used_memory_peak:" << m.peak << "\r\n"
    << "used_memory_peak_human:" << human_bytes(m.peak) << "\r\n"
    << "used_memory_peak_perc:" << fixed2(m.peak_percent()) << "%\r\n"
    << "used_memory_overhead:" << m.overhead << "\r\n"
    << "used_memory_startup:" << m.startup << "\r\n"
    << "used_memory_dataset:" << m.dataset << "\r\n"
    << "used_memory_dataset_perc:" << fixed2(m.dataset_percent()) << "%\r\n"
    << "allocator_allocated:" << a.allocated << "\r\n"
    << "allocator_active:" << a.active << "\r\n"
    << "allocator_resident:" << a.resident << "\r\n"
    << "total_system_memory:" << m.system << "\r\n"
    << "total_system_memory_human:" << human_bytes(m.system) << "\r\n"
    << "used_memory_scripts_eval:" << s.scripts().bytes() << "\r\n"
    << "number_of_cached_scripts:" << s.scripts().count() << "\r\n"
    << "number_of_functions:" << s.functions().function_count() << "\r\n"
    << "number_of_libraries:" << s.functions().library_count() << "\r\n"
    << "maxmemory:" << maxmemory << "\r\n"
    << "maxmemory_human:" << human_bytes(maxmemory) << "\r\n"
    << "maxmemory_policy:" << eviction_policy_name(s.evictor().policy()) << "\r\n";
  if (a.available) {
    o << "allocator_frag_ratio:" << fixed2(a.allocated ? double(a.active) / double(a.allocated) : 0) << "\r\n"
      << "allocator_frag_bytes:" << (a.active > a.allocated ? a.active - a.allocated : 0) << "\r\n"
      << "allocator_rss_ratio:" << fixed2(a.active ? double(a.resident) / double(a.active) : 0) << "\r\n"
      << "allocator_rss_bytes:" << (a.resident > a.active ? a.resident - a.active : 0) << "\r\n"
      << "rss_overhead_ratio:" << fixed2(a.resident ? double(m.rss) / double(a.resident) : 0) << "\r\n"
      << "rss_overhead_bytes:" << static_cast<int64_t>(m.rss) - static_cast<int64_t>(a.resident) << "\r\n";
  }
  o << "mem_fragmentation_ratio:" << fixed2(m.fragmentation()) << "\r\n"
    << "mem_fragmentation_bytes:" << static_cast<int64_t>(m.rss) - static_cast<int64_t>(m.used) << "\r\n"
    << "mem_not_counted_for_evict:0\r\n"
    << "mem_clients_slaves:0\r\n"
    << "mem_clients_normal:" << m.clients.memory << "\r\n"
    << "mem_allocator:" << (a.available ? "jemalloc" : "libc (sanitizer build: jemalloc statistics unavailable)")
    << "\r\n"
    << "lazyfree_pending_objects:0\r\n\r\n";
}

// RDB snapshots (persistence.h), in Redis 7.0's fields. tmkv keeps no
// append-only file and does not fork: those fields read as Redis's with
// the feature off, and copy-on-write sizes as 0.
void section_persistence(std::ostringstream& o, const Server& s) {
  const Persistence::Info p = s.persistence().info();
  o << "# Persistence\r\n"
    << "loading:0\r\n"
    << "async_loading:0\r\n"
    << "current_cow_peak:0\r\n"
    << "current_cow_size:0\r\n"
    << "current_cow_size_age:0\r\n"
    << "current_fork_perc:0.00\r\n"
    << "current_save_keys_processed:0\r\n"
    << "current_save_keys_total:0\r\n"
    << "rdb_changes_since_last_save:" << p.changes_since_last_save << "\r\n"
    << "rdb_bgsave_in_progress:" << (p.in_progress ? 1 : 0) << "\r\n"
    << "rdb_last_save_time:" << p.last_save_unix << "\r\n"
    << "rdb_last_bgsave_status:" << (p.last_bgsave_ok ? "ok" : "err") << "\r\n"
    << "rdb_last_bgsave_time_sec:" << p.last_bgsave_seconds << "\r\n"
    << "rdb_current_bgsave_time_sec:" << p.current_bgsave_seconds << "\r\n"
    << "rdb_saves:" << p.saves << "\r\n"
    << "rdb_last_cow_size:0\r\n"
    << "rdb_last_load_keys_expired:" << p.last_load_keys_expired << "\r\n"
    << "rdb_last_load_keys_loaded:" << p.last_load_keys_loaded << "\r\n"
    << "aof_enabled:0\r\n"
    << "aof_rewrite_in_progress:0\r\n"
    << "aof_rewrite_scheduled:0\r\n"
    << "aof_last_rewrite_time_sec:-1\r\n"
    << "aof_current_rewrite_time_sec:-1\r\n"
    << "aof_last_bgrewrite_status:ok\r\n"
    << "aof_rewrites:0\r\n"
    << "aof_rewrites_consecutive_failures:0\r\n"
    << "aof_last_write_status:ok\r\n"
    << "aof_last_cow_size:0\r\n"
    << "module_fork_in_progress:0\r\n"
    << "module_fork_last_cow_size:0\r\n\r\n";
}

// A primary without replicas: what clients read to find the role.
void section_replication(std::ostringstream& o, const Server& s) {
  o << "# Replication\r\n"
    << "role:master\r\n"
    << "connected_slaves:0\r\n"
    << "master_failover_state:no-failover\r\n"
    << "master_replid:" << s.replication_id() << "\r\n"
    << "master_repl_offset:0\r\n"
    << "repl_backlog_active:0\r\n\r\n";
}

void section_cpu(std::ostringstream& o) {
  auto seconds = [](const timeval& t) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%ld.%06ld", static_cast<long>(t.tv_sec), static_cast<long>(t.tv_usec));
    return std::string(buf);
  };
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  o << "# CPU\r\n"
    << "used_cpu_sys:" << seconds(self.ru_stime) << "\r\n"
    << "used_cpu_user:" << seconds(self.ru_utime) << "\r\n"
    << "used_cpu_sys_children:" << seconds(children.ru_stime) << "\r\n"
    << "used_cpu_user_children:" << seconds(children.ru_utime) << "\r\n\r\n";
}

// Redis 7's errorstats: one line per error code replied at least once.
void section_errorstats(std::ostringstream& o, const InfoCounters& c) {
  o << "# Errorstats\r\n";
  for (size_t i = 0; i < kErrorCodes.size(); ++i) {
    if (c.errors[i] != 0) o << "errorstat_" << kErrorCodes[i] << ":count=" << c.errors[i] << "\r\n";
  }
  o << "\r\n";
}

void section_stats(std::ostringstream& o, const InfoCounters& c, const Server& s) {
  const StatsSnapshot& t = c.totals;
  const PubSub& pubsub = s.pubsub();
  const Tracking& tracking = s.tracking();
  const InstantaneousMetrics& rate = s.instantaneous();
  const Persistence::Info persistence = s.persistence().info();
  o << "# Stats\r\n"
    << "total_connections_received:" << t.connections << "\r\n"
    << "total_commands_processed:" << t.commands << "\r\n"
    << "instantaneous_ops_per_sec:" << static_cast<int64_t>(rate.per_second(InstantaneousMetrics::kCommands)) << "\r\n"
    << "total_net_input_bytes:" << t.net_in << "\r\n"
    << "total_net_output_bytes:" << t.net_out << "\r\n"
    << "instantaneous_input_kbps:" << fixed2(rate.per_second(InstantaneousMetrics::kNetInput) / 1024) << "\r\n"
    << "instantaneous_output_kbps:" << fixed2(rate.per_second(InstantaneousMetrics::kNetOutput) / 1024) << "\r\n"
    << "rejected_connections:" << c.rejected_connections << "\r\n"
    // Full syncs: snapshots sent to rdb-only clients (cmd_replication.cc);
    // there is no partial sync without a replication stream.
    << "sync_full:" << s.persistence().transfers().started() << "\r\n"
    << "sync_partial_ok:0\r\n"
    << "sync_partial_err:0\r\n"
    << "expired_keys:" << c.expired_keys << "\r\n"
    << "evicted_keys:" << c.evicted_keys << "\r\n";
  const KeyspaceStats ks = keyspace_stats(c.tx);
  o << "keyspace_hits:" << ks.hits << "\r\n"
    << "keyspace_misses:" << ks.misses << "\r\n"
    << "pubsub_channels:" << pubsub.count(PubSubKind::kChannel) << "\r\n"
    << "pubsub_patterns:" << pubsub.count(PubSubKind::kPattern) << "\r\n"
    << "pubsubshard_channels:" << pubsub.count(PubSubKind::kShard) << "\r\n"
    // tmkv does not fork: its snapshots pause writers only while they are
    // captured (snapshot.h), which is what these two fields report.
    << "latest_fork_usec:" << persistence.latest_pause_us << "\r\n"
    << "total_forks:" << persistence.snapshots << "\r\n"
    << "tracking_total_keys:" << tracking.total_keys() << "\r\n"
    << "tracking_total_items:" << tracking.total_items() << "\r\n"
    << "tracking_total_prefixes:" << tracking.total_prefixes() << "\r\n";
  uint64_t errors = 0;
  for (uint64_t n : c.errors) errors += n;
  o << "unexpected_error_replies:0\r\n"  // Redis's count of replies it should never send
    << "total_error_replies:" << errors << "\r\n\r\n";
}

// Redis's INFO commandstats: one line per command that was called or
// rejected. usec is the sum of the latency histogram (0 while
// latency-tracking is off).
void section_commandstats(std::ostringstream& o, const InfoCounters& c) {
  const std::vector<CommandTotals>& totals = c.commands;
  o << "# Commandstats\r\n";
  for (size_t i = 0; i < CommandStats::unknown_slot(); ++i) {
    const CommandTotals& t = totals[i];
    if (t.calls == 0 && t.rejected == 0) continue;
    const uint64_t usec = t.latency.sum / 1000;
    char per_call[32];
    std::snprintf(per_call, sizeof per_call, "%.2f", t.calls ? static_cast<double>(t.latency.sum) / 1000.0 / static_cast<double>(t.calls) : 0.0);
    o << "cmdstat_" << CommandStats::slot_name(i) << ":calls=" << t.calls << ",usec=" << usec << ",usec_per_call=" << per_call
      << ",rejected_calls=" << t.rejected << ",failed_calls=" << t.failed << "\r\n";
  }
  o << "\r\n";
}

// Redis's INFO latencystats: percentiles from the latency histograms
// (interpolated inside a bucket, so within a bucket's width).
void section_latencystats(std::ostringstream& o, const InfoCounters& c) {
  const std::vector<CommandTotals>& totals = c.commands;
  o << "# Latencystats\r\n";
  for (size_t i = 0; i < CommandStats::unknown_slot(); ++i) {
    const stm::LatencyCounts& h = totals[i].latency;
    if (h.count() == 0) continue;
    char line[160];
    std::snprintf(line, sizeof line, "p50=%.3f,p99=%.3f,p99.9=%.3f", h.quantile(0.5, stm::kLatencyBoundsNs) / 1000,
                  h.quantile(0.99, stm::kLatencyBoundsNs) / 1000, h.quantile(0.999, stm::kLatencyBoundsNs) / 1000);
    o << "latency_percentiles_usec_" << CommandStats::slot_name(i) << ":" << line << "\r\n";
  }
  o << "\r\n";
}

void section_keyspace(std::ostringstream& o, Server& s) {
  o << "# Keyspace\r\n";
  for (unsigned i = 0; i < s.database_count(); ++i) {
    const size_t keys = s.db(i).size();
    if (keys == 0) continue;
    const size_t expires = s.db(i).expiring_count();
    o << "db" << i << ":keys=" << keys << ",expires=" << expires
      << ",avg_ttl=" << (expires == 0 ? 0 : s.db(i).avg_ttl_ms()) << "\r\n";
  }
  o << "\r\n";
}

void section_transactions(std::ostringstream& o, const InfoCounters& c) {
  const htm::TmInfo tm = htm::tm_info();
  const stm::TxStatsSnapshot& t = c.tx;
  const StatsSnapshot& st = c.totals;
  o << "# Transactions\r\n"
    << "tm_mode:" << htm::tm_mode_name(tm.mode) << "\r\n"
    << "tm_path:" << htm::tm_path_name(tm.path) << "\r\n"
    << "htm_supported:" << (tm.htm_supported ? 1 : 0) << "\r\n"
    << "htm_backend:" << tm.htm_backend << "\r\n"
    << "tm_reason:" << info_safe(tm.reason) << "\r\n";
  for (size_t i = 0; i < stm::kCommitPathCount; ++i) {
    o << "tx_commits_" << stm::kCommitPathNames[i] << ":" << t.commits[i] << "\r\n";
  }
  for (size_t i = 0; i < stm::kAbortCauseCount; ++i) {
    o << "tx_aborts_stm_" << stm::kAbortCauseNames[i] << ":" << t.aborts[i] << "\r\n";
  }
  o << "tx_htm_started:" << htm::hw_started(t) << "\r\n";
  for (size_t i = 0; i < htm::kHwAbortNames.size(); ++i) {
    o << "tx_aborts_htm_" << htm::kHwAbortNames[i] << ":" << htm::hw_aborts(t, static_cast<htm::HwAbort>(i))
      << "\r\n";
  }
  for (size_t i = 0; i < htm::kFallbackNames.size(); ++i) {
    o << "tx_fallbacks_" << htm::kFallbackNames[i] << ":" << htm::fallbacks(t, static_cast<htm::Fallback>(i))
      << "\r\n";
  }
  const uint64_t committed = t.attempts.count();
  char mean_attempts[32], mean_width[32];
  std::snprintf(mean_attempts, sizeof mean_attempts, "%.3f",
                committed ? static_cast<double>(t.attempts.sum) / static_cast<double>(committed) : 0.0);
  std::snprintf(mean_width, sizeof mean_width, "%.3f",
                committed ? static_cast<double>(t.width.sum) / static_cast<double>(committed) : 0.0);
  o << "tx_escalations_irrevocable:" << t.escalations << "\r\n"
    << "tx_attempts_per_commit:" << mean_attempts << "\r\n"
    << "tx_width_keys_mean:" << mean_width << "\r\n";
  for (size_t i = 0; i < stm::kCommitPathCount; ++i) {
    if (t.latency[i].count() == 0) continue;
    char q[96];
    std::snprintf(q, sizeof q, "p50=%.3f,p99=%.3f", t.latency[i].quantile(0.5, stm::kLatencyBoundsNs) / 1000,
                  t.latency[i].quantile(0.99, stm::kLatencyBoundsNs) / 1000);
    o << "tx_latency_usec_" << stm::kCommitPathNames[i] << ":" << q << "\r\n";
  }
  o << "exec_committed:" << st.exec_ok << "\r\n"
    << "exec_watch_failed:" << st.exec_watch_failed << "\r\n"
    << "exec_aborted:" << st.exec_aborted << "\r\n"
    << "watch_intact:" << st.watch_intact << "\r\n"
    << "watch_violated:" << st.exec_watch_failed << "\r\n\r\n";
}

void cmd_info(CommandContext& c) {
  // As Redis: commandstats and latencystats are not in the default set,
  // only in "all"/"everything" or when named.
  struct Section {
    const char* name;
    bool in_default;
  };
  // Redis's order, with tmkv's transactions section after its stats.
  static const Section kAll[] = {{"server", true},       {"clients", true},       {"memory", true},
                                 {"persistence", true},  {"stats", true},         {"transactions", true},
                                 {"replication", true},  {"cpu", true},           {"modules", true},
                                 {"commandstats", false}, {"errorstats", true},   {"latencystats", false},
                                 {"cluster", true},      {"keyspace", true}};
  std::vector<std::string> want;
  for (size_t i = 1; i < c.argc(); ++i) want.push_back(to_lower(c.arg(i)));
  auto wanted = [&](std::string_view w) { return std::find(want.begin(), want.end(), w) != want.end(); };
  const bool all = wanted("all") || wanted("everything");
  const bool defaults = want.empty() || wanted("default");
  std::ostringstream o;
  // The counters are summed over every worker and thread once per INFO,
  // whichever sections use them.
  std::optional<InfoCounters> counters;
  auto get_counters = [&]() -> const InfoCounters& {
    if (!counters) counters = c.server.info_counters();
    return *counters;
  };
  for (const Section& sec : kAll) {
    if (!all && !(defaults && sec.in_default) && !wanted(sec.name)) continue;
    const std::string_view s(sec.name);
    if (s == "server") section_server(o, c.server);
    if (s == "clients") section_clients(o, c.server);
    if (s == "memory") section_memory(o, c.server);
    if (s == "persistence") section_persistence(o, c.server);
    if (s == "replication") section_replication(o, c.server);
    if (s == "cpu") section_cpu(o);
    if (s == "errorstats") section_errorstats(o, get_counters());
    if (s == "commandstats") section_commandstats(o, get_counters());
    if (s == "latencystats") section_latencystats(o, get_counters());
    if (s == "stats") section_stats(o, get_counters(), c.server);
    if (s == "modules") o << "# Modules\r\n\r\n";  // tmkv loads none (cmd_debug_module.cc)
    if (s == "cluster") o << "# Cluster\r\ncluster_enabled:0\r\n\r\n";
    if (s == "transactions") section_transactions(o, get_counters());
    if (s == "keyspace") section_keyspace(o, c.server);
  }
  std::string text = o.str();
  if (text.size() >= 2) text.resize(text.size() - 2);  // no blank line after the last section
  c.out.verbatim(text);
}

constexpr SubcommandArity kConfigSubcommands[] = {
        {"get", -3}, {"set", -4}, {"resetstat", 2}, {"rewrite", 2}, {"help", 2}};

void cmd_config(CommandContext& c) {
  const std::string sub = to_lower(c.arg(1));
  if (sub == "get" && c.argc() >= 3) {
    const ServerConfig cfg = c.server.config_snapshot();
    std::vector<std::pair<std::string, std::string>> found;
    for (const std::string& name : setting_names()) {
      bool match = false;
      for (size_t i = 2; i < c.argc(); ++i) match = match || glob_match(c.arg(i), name, true);
      if (match) found.emplace_back(name, *setting_value(cfg, name));
    }
    c.out.map(found.size());
    for (const auto& [k, v] : found) {
      c.out.bulk(k);
      c.out.bulk(v);
    }
  } else if (sub == "set" && c.argc() >= 4 && c.argc() % 2 != 0) {
    c.out.syntax_error();  // not directive/value pairs
  } else if (sub == "set" && c.argc() >= 4) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (size_t i = 2; i + 1 < c.argc(); i += 2) pairs.emplace_back(to_lower(c.arg(i)), std::string(c.arg(i + 1)));
    std::string error;
    // Redis's islocalClient: a loopback peer (tmkv has no unix socket).
    const std::string& addr = c.client.addr();
    const bool local = addr.rfind("127.", 0) == 0 || addr.rfind("[::1]", 0) == 0 || addr.rfind("::1", 0) == 0;
    if (c.server.config_set(pairs, &error, local)) {
      c.out.ok();
    } else {
      c.out.error(error);
    }
  } else if (sub == "resetstat" && c.argc() == 2) {
    // INFO's stats, commandstats, latencystats and transaction counters
    // restart from zero; /metrics stays monotonic (info_counters.h).
    c.server.reset_info_counters();
    c.out.ok();
  } else if (sub == "rewrite" && c.argc() == 2) {
    c.out.error("ERR The server is running without a config file");
  } else if (sub == "help" && c.argc() == 2) {
    static const char* kHelp[] = {
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value> [<directive> <value> ...]",
        "    Set the configuration <directive> to <value>, all or none.",
        "RESETSTAT",
        "    Reset INFO's statistics (the Prometheus counters stay monotonic).",
        "REWRITE",
        "    Not supported: tmkv does not rewrite its config file.",
        "HELP",
        "    Print this help."};
    reply_help(c.out, kHelp);
  } else {
    c.out.syntax_error();  // not reached: the dispatcher checked the subcommand (kConfigSubcommands)
  }
}

// MONITOR: from now on this connection receives every command that runs
// (monitor.h). As Redis: refused inside EXEC; a second MONITOR says nothing.
void cmd_monitor(CommandContext& c) {
  if (c.in_exec) {
    c.out.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  if (c.client.monitoring) return;
  c.client.monitoring = true;
  c.client.monitor_change = true;
  c.out.ok();
}

void cmd_time(CommandContext& c) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  c.out.array(2);
  c.out.bulk(std::to_string(ts.tv_sec));
  c.out.bulk(std::to_string(ts.tv_nsec / 1000));
}

// ROLE: a primary with no replicas and no replication stream (the offset
// INFO replication shows).
void cmd_role(CommandContext& c) {
  c.out.array(3);
  c.out.bulk("master");
  c.out.integer(0);
  c.out.array(0);
}

// REPLICAOF (SLAVEOF) host port | NO ONE. tmkv is always a master and does
// not replicate: NO ONE is what it already is (OK, as Redis answers a
// master), and a master to follow is refused after Redis's own port check.
void cmd_replicaof(CommandContext& c) {
  if (equals_ci(c.arg(1), "no") && equals_ci(c.arg(2), "one")) {
    c.out.ok();
    return;
  }
  const std::optional<int64_t> port = parse_ll(c.arg(2));
  if (!port || *port < 0 || *port > 65535) {
    c.out.error("ERR Invalid master port");
    return;
  }
  c.out.error("ERR tmkv does not support replication: REPLICAOF takes only NO ONE");
}

// WAIT numreplicas timeout: tmkv has no replicas, so none ever acknowledges
// and the answer is always 0, given when Redis with no replicas gives it:
// at once when 0 suffices (numreplicas <= 0) or inside MULTI/EXEC, else
// after the timeout in milliseconds (0: never, until CLIENT UNBLOCK or the
// client leaves). It blocks on no key, so nothing but those ends the wait.
void cmd_wait(CommandContext& c) {
  int64_t numreplicas;
  if (!get_ll_or_reply(c.out, c.arg(1), &numreplicas)) return;  // Redis 7.0 checks this first
  int64_t timeout;
  if (!parse_ms_timeout_or_reply(c, c.arg(2), &timeout)) return;
  if (numreplicas <= 0 || c.in_exec) {
    c.out.integer(0);
    return;
  }
  c.client.block_request =
      Client::BlockRequest{{}, block_timeout_ms(timeout), Client::BlockRequest::OnTimeout::kZero, {}};
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. With SAVE, or save points
// and no NOSAVE, the snapshot is saved here first, so that a failure is
// refused as in Redis ("Errors trying to SHUTDOWN") and the server runs
// on, unless FORCE. The process saves once more as it exits if writes
// finished after this save (Persistence::final_save). NOW (skip waiting
// for replicas) changes nothing: there are none. ABORT: no shutdown is
// ever pending, as Redis's answer when none waits for replicas.
void cmd_shutdown(CommandContext& c) {
  bool nosave = false, save = false, force = false;
  for (size_t i = 1; i < c.argc(); ++i) {
    std::string opt = to_lower(c.arg(i));
    if (opt == "nosave") {
      nosave = true;
    } else if (opt == "save") {
      save = true;
    } else if (opt == "force") {
      force = true;
    } else if (opt != "now" && opt != "abort") {
      c.out.syntax_error();
      return;
    }
    if (opt == "abort") {
      if (c.argc() != 2) {
        c.out.syntax_error();
        return;
      }
      c.out.error("ERR No shutdown in progress.");
      return;
    }
  }
  if (save && nosave) {
    c.out.syntax_error();
    return;
  }
  Persistence& p = c.server.persistence();
  if (save || (!nosave && !c.server.config_snapshot().save_points.empty())) {
    p.stop_background();
    std::string error;
    if (!p.save(&error) && !force) {
      std::fprintf(stderr, "tmkv-server: error trying to save the DB, can't exit\n");
      c.out.error("ERR Errors trying to SHUTDOWN. Check logs.");
      return;
    }
    p.set_final_save(Persistence::FinalSave::kSave);
  } else if (nosave) {
    p.set_final_save(Persistence::FinalSave::kNoSave);
  }
  // Like Redis, no reply on success: the connection just closes.
  c.client.close_after_reply = true;
  c.server.shutdown();
}

// COMMAND INFO's entry for one command, or (with `sub`) for one of a
// container's subcommands ("client|list"). tmkv reports the flags it
// models, no ACL categories, tips or key specs; the legacy key positions
// and "movablekeys" are Redis's (command_keys.h), and a container's keys
// are its subcommands' own, as Redis shows them.
void command_info(Reply& out, const CommandSpec& s, const SubcommandArity* sub = nullptr) {
  out.array(10);
  if (sub != nullptr) {
    out.bulk(std::string(s.name) + "|" + sub->name);
    out.integer(sub->arity);
    out.set(sub->admin ? 1 : 0);
    if (sub->admin) out.simple("admin");
    const int key = subcommand_takes_key(s, sub->name) ? 2 : 0;
    out.integer(key);
    out.integer(key);
    out.integer(key != 0 ? 1 : 0);
  } else {
    out.bulk(s.name);
    out.integer(s.arity);
    std::vector<const char*> flags;
    if (s.flags & kWrite) flags.push_back("write");
    if (s.flags & (kReadOnly | kMayReplicate)) flags.push_back("readonly");  // Redis 7.0 lists no may_replicate
    if (s.flags & kFast) flags.push_back("fast");
    if (s.flags & kNoAuth) flags.push_back("no_auth");
    if (s.flags & kNoMulti) flags.push_back("no_multi");
    if (command_has_movable_keys(s)) flags.push_back("movablekeys");
    out.set(flags.size());
    for (const char* f : flags) out.simple(f);
    const bool container = !s.subcommands.empty();
    out.integer(container ? 0 : s.first_key);
    out.integer(container ? 0 : s.last_key);
    out.integer(container ? 0 : s.key_step);
  }
  out.set(0);    // ACL categories
  out.set(0);    // tips
  out.array(0);  // key specs
  if (sub != nullptr) {
    out.array(0);
    return;
  }
  out.array(s.subcommands.size());
  for (const SubcommandArity& each : s.subcommands) command_info(out, s, &each);
}

void command_docs(Reply& out, const CommandSpec& s) {
  out.bulk(s.name);
  out.map(3);
  out.bulk("summary");
  out.bulk(s.summary);
  out.bulk("since");
  out.bulk("1.0.0");
  out.bulk("group");
  out.bulk(s.group);
}

constexpr SubcommandArity kCommandSubcommands[] = {{"count", 2}, {"info", -2},    {"docs", -2},
                                                {"list", -2}, {"getkeys", -4}, {"help", 2}};

// COMMAND GETKEYS command [arg ...]: Redis 7.0's checks, in its order: the
// command (a container's subcommand included), whether it ever takes keys,
// its own arity, then where the keys are (command_keys.h).
void command_getkeys(CommandContext& c) {
  const std::span<const std::string_view> line = c.args.subspan(2);
  const CommandSpec* s = find_command(line[0]);
  int arity = s != nullptr ? s->arity : 0;
  if (s != nullptr && !s->subcommands.empty()) {
    const SubcommandArity* sub = find_subcommand(*s, line[1]);
    arity = sub != nullptr ? sub->arity : 0;
    if (sub == nullptr) s = nullptr;
  }
  if (s == nullptr) {
    c.out.error("ERR Invalid command specified");
    return;
  }
  if (!command_declares_keys(*s, line[1])) {
    c.out.error("ERR The command has no key arguments");
    return;
  }
  if (!arity_allows(arity, line.size())) {
    c.out.error("ERR Invalid number of arguments specified for command");
    return;
  }
  std::vector<size_t> positions;
  switch (find_command_keys(*s, line, &positions)) {
    case KeysFound::kKeys:
    case KeysFound::kNone:  // EVAL and FCALL with no keys: an empty list
      c.out.array(positions.size());
      for (size_t i : positions) c.out.bulk(line[i]);
      return;
    case KeysFound::kInvalid:
      c.out.error("ERR Invalid arguments specified for command");
      return;
  }
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN glob].
// Redis lists each container's subcommands too, by their full names
// ("client|list"), and PATTERN matches those names without regard to case.
// tmkv loads no modules, so MODULE lists nothing; it keeps no ACL
// categories per command (cmd_acl.cc), so ACLCAT lists nothing for a name
// that is no category, as Redis, and is refused for one that is.
void command_list(CommandContext& c, const std::vector<CommandSpec>& all) {
  std::optional<std::string_view> pattern;
  if (c.argc() == 5 && equals_ci(c.arg(2), "filterby")) {
    if (equals_ci(c.arg(3), "pattern")) {
      pattern = c.arg(4);
    } else if (equals_ci(c.arg(3), "module")) {
      c.out.array(0);
      return;
    } else if (equals_ci(c.arg(3), "aclcat")) {
      if (is_acl_category(c.arg(4))) {
        c.out.error("ERR tmkv keeps no ACL categories per command: FILTERBY ACLCAT is not supported");
      } else {
        c.out.array(0);
      }
      return;
    } else {
      c.out.syntax_error();
      return;
    }
  } else if (c.argc() != 2) {
    c.out.syntax_error();
    return;
  }
  std::vector<std::string> names;
  for (const CommandSpec& s : all) {
    names.emplace_back(s.name);
    for (const SubcommandArity& sub : s.subcommands) names.push_back(std::string(s.name) + "|" + sub.name);
  }
  if (pattern) std::erase_if(names, [&](const std::string& n) { return !glob_match(*pattern, n, true); });
  c.out.array(names.size());
  for (const std::string& n : names) c.out.bulk(n);
}

void cmd_command(CommandContext& c) {
  const auto& all = all_commands();
  if (c.argc() == 1) {
    c.out.array(all.size());
    for (const CommandSpec& s : all) command_info(c.out, s);
    return;
  }
  const std::string sub = to_lower(c.arg(1));
  if (sub == "count" && c.argc() == 2) {
    c.out.integer(static_cast<int64_t>(all.size()));
  } else if (sub == "info") {
    if (c.argc() == 2) {
      c.out.array(all.size());
      for (const CommandSpec& s : all) command_info(c.out, s);
      return;
    }
    c.out.array(c.argc() - 2);
    for (size_t i = 2; i < c.argc(); ++i) {
      const CommandSpec* s = find_command(c.arg(i));
      if (s) {
        command_info(c.out, *s);
      } else {
        c.out.null_array();
      }
    }
  } else if (sub == "docs") {
    std::vector<const CommandSpec*> specs;
    if (c.argc() == 2) {
      for (const CommandSpec& s : all) specs.push_back(&s);
    } else {
      for (size_t i = 2; i < c.argc(); ++i) {
        if (const CommandSpec* s = find_command(c.arg(i))) specs.push_back(s);
      }
    }
    c.out.map(specs.size());
    for (const CommandSpec* s : specs) command_docs(c.out, *s);
  } else if (sub == "list") {
    command_list(c, all);
  } else if (sub == "help" && c.argc() == 2) {
    static const char* kHelp[] = {"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                                  "(no subcommand)", "    Return details about all commands.",
                                  "COUNT", "    Return the total number of commands in this server.",
                                  "LIST", "    Return a list of all commands in this server.",
                                  "INFO [<command-name> ...]", "    Return details about the given commands, or all if none.",
                                  "DOCS [<command-name> ...]", "    Return documentation details about the given commands, or all if none.",
                                  "GETKEYS <full-command>", "    Return the keys from a full command.",
                                  "HELP", "    Print this help."};
    reply_help(c.out, kHelp);
  } else if (sub == "getkeys" && c.argc() >= 4) {
    command_getkeys(c);
  } else {
    c.out.syntax_error();  // not reached: the dispatcher checked the subcommand (kCommandSubcommands)
  }
}

}  // namespace

void register_server_commands(std::vector<CommandSpec>& t) {
  t.push_back({"info", -1, 0, 0, 0, 0, "server", "Returns information and statistics about the server.", cmd_info});
  t.push_back({"config", -2, kAdmin, 0, 0, 0, "server", "A container for server configuration commands.", cmd_config, kConfigSubcommands});
  t.push_back({"time", 1, kFast, 0, 0, 0, "server", "Returns the server time.", cmd_time});
  t.push_back({"role", 1, kFast, 0, 0, 0, "server", "Returns the replication role.", cmd_role});
  t.push_back({"replicaof", 3, kAdmin, 0, 0, 0, "server", "Make the server a replica of another instance, or promote it as master.",
               cmd_replicaof});
  t.push_back({"slaveof", 3, kAdmin, 0, 0, 0, "server", "Make the server a replica of another instance, or promote it as master.",
               cmd_replicaof});
  t.push_back({"wait", 3, 0, 0, 0, 0, "generic", "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.", cmd_wait});
  t.push_back({"monitor", 1, kAdmin, 0, 0, 0, "server", "Listens for all requests received by the server in real-time.",
               cmd_monitor});
  t.push_back({"shutdown", -1, kAdmin | kNoMulti, 0, 0, 0, "server", "Synchronously saves the database(s) to disk and shuts down the Redis server.", cmd_shutdown});
  t.push_back({"command", -1, 0, 0, 0, 0, "server", "Returns detailed information about all commands.", cmd_command, kCommandSubcommands});
}

}  // namespace tmkv::server
