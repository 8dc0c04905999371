#include "metrics/server_collector.h"

#include <string>

#include "metrics/families.h"
#include "server/memory_report.h"
#include "stm/tx_stats.h"

namespace tmkv::metrics {

using prometheus::MetricType;

namespace {

void append_commands(const server::Server& srv, std::vector<prometheus::MetricFamily>& out) {
  const std::vector<server::CommandTotals> totals = srv.command_totals();
  auto calls = family("tmkv_commands_total", "Commands executed (inside EXEC: counted when the block commits).",
                      MetricType::Counter);
  auto failed = family("tmkv_command_failed_total", "Commands that ran and replied with an error.",
                       MetricType::Counter);
  auto rejected = family("tmkv_command_rejected_total",
                         "Commands refused before running (arity, NOAUTH, unknown command, OOM).",
                         MetricType::Counter);
  auto latency = family("tmkv_command_duration_seconds",
                        "Latency of top-level command calls, transaction retries included "
                        "(kept while latency-tracking is on).",
                        MetricType::Histogram);
  for (size_t i = 0; i < totals.size(); ++i) {
    const bool only_rejections = server::CommandStats::only_rejections(i);
    // Redis's names: "get", "client|list" (a container's subcommands apart).
    const Labels labels = {{"cmd", server::CommandStats::slot_name(i)}};
    const server::CommandTotals& t = totals[i];
    if (!only_rejections) {
      add_counter(calls, labels, static_cast<double>(t.calls));
      add_counter(failed, labels, static_cast<double>(t.failed));
      add_histogram(latency, labels, t.latency, stm::kLatencyBoundsNs, 1e-9);
    }
    add_counter(rejected, labels, static_cast<double>(t.rejected));
  }
  out.push_back(std::move(calls));
  out.push_back(std::move(failed));
  out.push_back(std::move(rejected));
  out.push_back(std::move(latency));

  const server::ErrorTotals errors = srv.error_totals();
  auto by_code = family("tmkv_error_replies_total",
                        "Error replies sent, by error code (INFO errorstats): failed and rejected commands, "
                        "errors inside EXEC, protocol errors.",
                        MetricType::Counter);
  for (size_t i = 0; i < errors.size(); ++i) {
    add_counter(by_code, {{"code", std::string(server::kErrorCodes[i])}}, static_cast<double>(errors[i]));
  }
  out.push_back(std::move(by_code));
}

void append_clients_and_exec(const server::Server& srv, std::vector<prometheus::MetricFamily>& out) {
  const server::StatsSnapshot t = srv.totals();
  out.push_back(single_gauge("tmkv_connected_clients", "Clients connected now.",
                             static_cast<double>(srv.client_count())));
  out.push_back(single_counter("tmkv_connections_opened_total", "Connections accepted.",
                               static_cast<double>(t.connections)));
  auto rejected = family("tmkv_connections_rejected_total", "Connections refused, by reason.", MetricType::Counter);
  add_counter(rejected, {{"reason", "maxclients"}}, static_cast<double>(srv.rejected_maxclients()));
  add_counter(rejected, {{"reason", "protected_mode"}}, static_cast<double>(srv.rejected_protected()));
  out.push_back(std::move(rejected));
  out.push_back(single_counter("tmkv_net_input_bytes_total", "Bytes read from clients.", static_cast<double>(t.net_in)));
  out.push_back(
      single_counter("tmkv_net_output_bytes_total", "Bytes written to clients.", static_cast<double>(t.net_out)));

  auto pubsub = family("tmkv_pubsub_channels",
                       "Pub/sub channels, patterns and shard channels with at least one subscriber "
                       "(INFO's pubsub_channels, pubsub_patterns, pubsubshard_channels).",
                       MetricType::Gauge);
  add_gauge(pubsub, {{"kind", "channel"}}, static_cast<double>(srv.pubsub().count(server::PubSubKind::kChannel)));
  add_gauge(pubsub, {{"kind", "pattern"}}, static_cast<double>(srv.pubsub().count(server::PubSubKind::kPattern)));
  add_gauge(pubsub, {{"kind", "shard"}}, static_cast<double>(srv.pubsub().count(server::PubSubKind::kShard)));
  out.push_back(std::move(pubsub));

  auto exec = family("tmkv_exec_total", "EXEC outcomes.", MetricType::Counter);
  add_counter(exec, {{"outcome", "committed"}}, static_cast<double>(t.exec_ok));
  add_counter(exec, {{"outcome", "watch_failed"}}, static_cast<double>(t.exec_watch_failed));
  add_counter(exec, {{"outcome", "execabort"}}, static_cast<double>(t.exec_aborted));
  out.push_back(std::move(exec));
  auto watch = family("tmkv_watch_checks_total", "EXECs that had WATCHed keys, by whether the watch held.",
                      MetricType::Counter);
  add_counter(watch, {{"outcome", "intact"}}, static_cast<double>(t.watch_intact));
  add_counter(watch, {{"outcome", "violated"}}, static_cast<double>(t.exec_watch_failed));
  out.push_back(std::move(watch));
}

void append_keyspace(const server::Server& srv, const stm::TxStatsSnapshot& tx,
                     std::vector<prometheus::MetricFamily>& out) {
  auto keys = family("tmkv_keys", "Keys per database.", MetricType::Gauge);
  auto expiring = family("tmkv_expiring_keys", "Keys with a time to live, per database.", MetricType::Gauge);
  uint64_t expired = 0;
  for (unsigned i = 0; i < srv.database_count(); ++i) {
    const Labels db = {{"db", std::to_string(i)}};
    add_gauge(keys, db, static_cast<double>(srv.db(i).size()));
    add_gauge(expiring, db, static_cast<double>(srv.db(i).expiring_count()));
    expired += srv.db(i).expired_count();
  }
  out.push_back(std::move(keys));
  out.push_back(std::move(expiring));
  out.push_back(single_counter("tmkv_expired_keys_total", "Keys deleted because they expired.",
                               static_cast<double>(expired)));
  out.push_back(single_counter("tmkv_evicted_keys_total", "Keys deleted by the maxmemory policy.",
                               static_cast<double>(srv.evictor().evicted_keys())));
  const server::KeyspaceStats ks = server::keyspace_stats(tx);
  out.push_back(single_counter("tmkv_keyspace_hits_total", "Read lookups that found the key (committed only).",
                               static_cast<double>(ks.hits)));
  out.push_back(single_counter("tmkv_keyspace_misses_total", "Read lookups that did not find the key.",
                               static_cast<double>(ks.misses)));
  out.push_back(single_gauge("tmkv_memory_used_bytes",
                             "The memory figure maxmemory is checked against: jemalloc's allocated bytes less the "
                             "free blocks in its thread caches (the resident set size in builds without jemalloc), "
                             "as of the last 100 ms tick.",
                             static_cast<double>(srv.used_memory())));
  out.push_back(single_gauge("tmkv_memory_clients_bytes",
                             "Memory the client connections hold: input and reply buffers, queued MULTI commands "
                             "and the connection objects (INFO mem_clients_normal).",
                             static_cast<double>(server::summarize_clients(srv).memory)));
  out.push_back(single_gauge("tmkv_memory_limit_bytes", "maxmemory: the memory limit for writes (0 = none).",
                             static_cast<double>(srv.limits().maxmemory.load(std::memory_order_relaxed))));
}

// RDB snapshots (server/persistence.h), INFO persistence's figures.
void append_persistence(const server::Server& srv, std::vector<prometheus::MetricFamily>& out) {
  const server::Persistence::Info p = srv.persistence().info();
  out.push_back(single_gauge("tmkv_rdb_changes_since_last_save", "Keyspace changes not yet in a saved snapshot.",
                             static_cast<double>(p.changes_since_last_save)));
  out.push_back(single_gauge("tmkv_rdb_bgsave_in_progress", "1 while a background save runs.", p.in_progress ? 1 : 0));
  out.push_back(single_gauge("tmkv_rdb_last_save_timestamp_seconds",
                             "Unix time of the last successful save (the start time until one).",
                             static_cast<double>(p.last_save_unix)));
  out.push_back(single_gauge("tmkv_rdb_last_bgsave_ok", "0 after a failed background save (writes may get MISCONF).",
                             p.last_bgsave_ok ? 1 : 0));
  out.push_back(single_counter("tmkv_rdb_saves_total", "Snapshots saved by SAVE, BGSAVE and save points.",
                               static_cast<double>(p.saves)));
  out.push_back(single_gauge("tmkv_rdb_last_snapshot_pause_seconds",
                             "How long the last snapshot's capture held writers (INFO latest_fork_usec).",
                             static_cast<double>(p.latest_pause_us) / 1e6));
  const server::SnapshotTransfers& t = srv.persistence().transfers();
  out.push_back(single_counter("tmkv_rdb_transfers_total",
                               "Snapshots sent to clients by SYNC and PSYNC (redis-cli --rdb; INFO sync_full).",
                               static_cast<double>(t.started())));
  out.push_back(single_gauge("tmkv_rdb_transfers_active", "Snapshot transfers being prepared or sent (at most 4).",
                             static_cast<double>(t.active())));
}

}  // namespace

void append_server_families(const server::Server& srv, const stm::TxStatsSnapshot& tx,
                            std::vector<prometheus::MetricFamily>& out) {
  append_commands(srv, out);
  append_persistence(srv, out);
  append_clients_and_exec(srv, out);
  append_keyspace(srv, tx, out);
}

}  // namespace tmkv::metrics
