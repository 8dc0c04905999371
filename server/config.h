// ServerConfig: every tunable of tmkv-server, from flags, a Redis-style
// config file (`key value` lines, # comments) and CONFIG SET.
//
// Names are Redis's where Redis has the option (port, bind, requirepass,
// maxclients, timeout, databases, proto-max-bulk-len,
// client-query-buffer-limit, protected-mode, maxmemory, maxmemory-policy,
// maxmemory-samples, maxmemory-eviction-tenacity, lfu-log-factor,
// lfu-decay-time, latency-tracking, prefetch-batch-max-size), tmkv's own
// otherwise
// (io-threads, tm-mode, max-inline-size, max-multibulk-len, metrics-*).
// Flags are the same names with "--": `--port 7379`.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tmkv::server {

struct ServerConfig {
  std::string bind = "127.0.0.1";
  uint16_t port = 7379;
  unsigned io_threads = 0;  // 0: one per core
  std::string tm_mode = "auto";
  std::string requirepass;
  bool protected_mode = true;
  unsigned databases = 16;
  uint64_t maxclients = 10000;
  uint64_t timeout_s = 0;  // idle clients are closed after this; 0 = never
  // TCP keepalive probes on client connections after this many idle
  // seconds (Redis's tcp-keepalive, default 300); 0 = off. Finds peers that
  // vanished without a FIN (a crashed host, a dropped NAT entry), whose
  // connections would otherwise stay open for good with timeout 0.
  uint64_t tcp_keepalive_s = 300;
  uint64_t acllog_max_len = 128;  // ACL LOG entries kept (acl_log.h)
  uint64_t proto_max_bulk_len = uint64_t{512} << 20;
  uint64_t client_query_buffer_limit = uint64_t{1} << 30;
  uint64_t max_multibulk_len = INT32_MAX;  // Redis 7 accepts up to INT_MAX arguments
  uint64_t max_inline_size = 64 * 1024;
  std::string metrics_bind = "127.0.0.1";
  uint16_t metrics_port = 9379;  // 0: no metrics endpoint
  uint64_t maxmemory = 0;        // bytes; over it, keys are evicted or writes fail (OOM); 0 = no limit
  // Redis's eviction settings (eviction.h), names, defaults and ranges.
  std::string maxmemory_policy = "noeviction";
  uint32_t maxmemory_samples = 5;
  uint32_t maxmemory_eviction_tenacity = 10;
  uint32_t lfu_log_factor = 10;
  uint32_t lfu_decay_time = 1;  // minutes
  bool latency_tracking = true;  // per-command and per-transaction latency histograms
  uint32_t tx_sample_rate = 16;  // width/latency histograms sample one transaction in N per thread
  // Pipelined requests whose keys are prefetched together (Redis 8's name
  // and default); 0 or 1 turns it off (pipeline_prefetch.h).
  uint64_t prefetch_batch_max_size = 16;
  // Redis's hash listpack limits: a hash with more fields, or a longer field
  // or value, reports the "hashtable" encoding from then on and lists its
  // entries in trie order instead of insertion order (store/hash_value.h).
  // tmkv keeps one representation; these decide only what it reports.
  uint64_t hash_max_listpack_entries = 512;
  uint64_t hash_max_listpack_value = 64;
  // Redis's sorted-set listpack limits (zset-max-listpack-*, 7.0 also
  // takes the zset-max-ziplist-* names): a sorted set that outgrows them
  // reports "skiplist" from then on and DUMPs as RDB type 5 instead of a
  // listpack (store/zset_value.h). Again they decide only what is reported.
  uint64_t zset_max_listpack_entries = 128;
  uint64_t zset_max_listpack_value = 64;
  // Redis's stream-node-max-entries: where the emulated listpack nodes of a
  // stream end, which decides what approximate trimming (MAXLEN ~, MINID ~)
  // removes (store/stream_value.h, NODES); 0 = no limit. Its partner
  // stream-node-max-bytes is kept and shown for Redis's clients but not
  // emulated (tmkv has no listpacks to measure).
  uint64_t stream_node_max_entries = 100;
  uint64_t stream_node_max_bytes = 4096;
  // Redis 7.0's set-max-intset-entries: a set of at most this many members,
  // all 64-bit integers, reports "intset" and lists its members in numeric
  // order, as Redis's intset does; otherwise "hashtable" and trie order.
  uint64_t set_max_intset_entries = 512;
  // Redis's hll-sparse-max-bytes: a sparse HyperLogLog that would grow past
  // this many bytes (header included) becomes dense (hyperloglog.h).
  uint64_t hll_sparse_max_bytes = 3000;
  // Redis's tracking-table-max-keys (tracking.h): past this many remembered
  // keys, random ones are invalidated; 0: no limit.
  uint64_t tracking_table_max_keys = 1000000;
  // MONITOR lines waiting for one monitoring client (monitor.h): past this,
  // the client is disconnected. tmkv's own setting: Redis counts monitors
  // as normal clients, whose output it does not limit by default.
  uint64_t monitor_output_buffer_limit = uint64_t{64} << 20;
  // SLOWLOG (slowlog.h), Redis's names and defaults: commands slower than
  // this many microseconds are logged (-1: none, 0: all), the newest
  // slowlog-max-len of them kept.
  int64_t slowlog_log_slower_than = 10000;
  uint64_t slowlog_max_len = 128;
  // The latency monitor (latency_monitor.h): events lasting at least this
  // many milliseconds are sampled; 0 (Redis's default) turns it off.
  uint64_t latency_monitor_threshold_ms = 0;
  // client-output-buffer-limit, Redis's classes and defaults (bytes, bytes,
  // seconds). Only pubsub applies: tmkv has no replicas, and a normal
  // client's replies never pile up (a connection stops reading requests
  // while its replies wait to be written), so its limit must stay 0 0 0.
  struct OutputLimitClass {
    uint64_t hard = 0, soft = 0, soft_seconds = 0;
  };
  OutputLimitClass replica_output_limit{uint64_t{256} << 20, uint64_t{64} << 20, 60};
  OutputLimitClass pubsub_output_limit{uint64_t{32} << 20, uint64_t{8} << 20, 60};
  // notify-keyspace-events (keyspace_events.h flags); 0 = off, as in Redis.
  uint32_t notify_keyspace_events = 0;
  // RDB snapshot files (persistence.h). `dir` is absolute: the working
  // directory at start unless set. tmkv's default has no save points, so a
  // server started without configuration writes no file until asked
  // (Redis's default is "3600 1 300 100 60 10000"); SAVE, BGSAVE and
  // SHUTDOWN SAVE work either way.
  std::string dir;
  std::string dbfilename = "dump.rdb";
  std::vector<std::pair<uint64_t, uint64_t>> save_points;  // (seconds, changes)
  bool rdbcompression = true;
  bool rdbchecksum = true;
  bool stop_writes_on_bgsave_error = true;
  uint64_t rdb_key_save_delay_us = 0;  // a pause per key written (Redis's test knob)
  // A snapshot transfer (SYNC for redis-cli --rdb) whose client takes no
  // byte for this long is closed, as Redis drops a replica (repl-timeout).
  uint64_t repl_timeout_s = 60;
  // Redis 7's enable-protected-configs: no, yes or local (startup only).
  std::string enable_protected_configs = "no";
  std::string config_file;       // where the settings came from, if any
};

// Parses argv (after the program name). A first argument that does not
// start with "--" is a config file, read before the flags (flags win).
// Returns nullopt with *error set on a bad option; *help_requested for
// --help / -h.
std::optional<ServerConfig> parse_command_line(const std::vector<std::string>& args, std::string* error,
                                               bool* help_requested);
std::string usage_text();

// Applies one `name value` setting (file, flag or CONFIG SET).
bool apply_setting(ServerConfig& cfg, std::string_view name, std::string_view value, std::string* error);

// The value CONFIG GET reports for a name; nullopt if unknown.
std::optional<std::string> setting_value(const ServerConfig& cfg, std::string_view name);
// Every name CONFIG GET knows, including Redis's persistence ones that
// clients ask for (save, appendonly), which report persistence is off.
const std::vector<std::string>& setting_names();
// Redis 7's protected configs (dir, dbfilename): CONFIG SET changes them
// only as enable-protected-configs allows.
bool setting_is_protected(std::string_view name);
// Names CONFIG SET may change while the server runs.
bool setting_is_mutable(std::string_view name);

}  // namespace tmkv::server
