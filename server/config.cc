#include "server/config.h"

#include <cstdlib>

#include <unistd.h>

#include <sys/stat.h>

#include <cerrno>

#include <cstring>

#include <climits>

#include "server/eviction.h"
#include "server/keyspace_events.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace tmkv::server {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Redis memory units: 1k = 1000, 1kb = 1024, and so on (util.c memtoull).
bool parse_memory(std::string_view v, uint64_t* out) {
  std::string s = lower(v);
  uint64_t mul = 1;
  struct Unit {
    const char* suffix;
    uint64_t mul;
  };
  static const Unit kUnits[] = {{"gb", 1ull << 30}, {"mb", 1ull << 20}, {"kb", 1ull << 10},
                                {"g", 1000000000ull}, {"m", 1000000ull}, {"k", 1000ull}, {"b", 1}};
  for (const Unit& u : kUnits) {
    size_t n = std::char_traits<char>::length(u.suffix);
    if (s.size() > n && s.compare(s.size() - n, n, u.suffix) == 0) {
      mul = u.mul;
      s.erase(s.size() - n);
      break;
    }
  }
  // No digits reads as 0, as Redis's strtoull of an empty buffer ("" and
  // "kb" are valid memory values there).
  uint64_t x = 0;
  if (!s.empty()) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (ec != std::errc() || p != s.data() + s.size()) return false;
  }
  if (mul != 0 && x > UINT64_MAX / mul) return false;
  *out = x * mul;
  return true;
}

bool parse_uint(std::string_view v, uint64_t max, uint64_t* out) {
  uint64_t x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || p != v.data() + v.size() || v.empty() || x > max) return false;
  *out = x;
  return true;
}

// An integer setting in [lo, hi] with Redis 7.0's error texts: a value
// that is no integer, and one out of range, which names the bounds (tmkv's
// own where they are tighter than Redis's: those are the ones that hold).
bool parse_bounded(std::string_view v, int64_t lo, int64_t hi, uint64_t* out, std::string* error) {
  int64_t x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size()) {
    *error = "argument couldn't be parsed into an integer";
    return false;
  }
  if (x < lo || x > hi) {
    *error = "argument must be between " + std::to_string(lo) + " and " + std::to_string(hi) + " inclusive";
    return false;
  }
  *out = static_cast<uint64_t>(x);
  return true;
}

// Redis 7.0's size settings (SIZE_T_CONFIG, 0..LONG_MAX: the listpack and
// intset limits, hll-sparse-max-bytes), with its error texts: a memory
// setting takes units ("1kb"), a plain one an integer, and a parsed value
// out of range gets the bounds.
bool parse_size_setting(std::string_view v, bool memory, uint64_t* out, std::string* error) {
  if (!memory) return parse_bounded(v, 0, INT64_MAX, out, error);
  uint64_t x = 0;
  if (!parse_memory(v, &x)) {
    *error = "argument must be a memory value";
    return false;
  }
  if (x > uint64_t{INT64_MAX}) {
    *error = "argument must be between 0 and 9223372036854775807 inclusive";
    return false;
  }
  *out = x;
  return true;
}

bool parse_bool(std::string_view v, bool* out) {
  std::string s = lower(v);
  if (s == "yes") {
    *out = true;
  } else if (s == "no") {
    *out = false;
  } else {
    return false;
  }
  return true;
}

const char* kMutable[] = {"requirepass", "maxclients", "timeout", "tcp-keepalive", "acllog-max-len", "proto-max-bulk-len",
                          "client-query-buffer-limit", "max-multibulk-len", "max-inline-size", "protected-mode", "maxmemory",
                          "latency-tracking", "tx-sample-rate", "prefetch-batch-max-size",
                          "slowlog-log-slower-than", "slowlog-max-len", "maxmemory-policy", "maxmemory-samples",
                          "maxmemory-eviction-tenacity", "lfu-log-factor", "lfu-decay-time",
                          "client-output-buffer-limit", "notify-keyspace-events", "latency-monitor-threshold",
                          "hash-max-listpack-entries", "hash-max-listpack-value", "hash-max-ziplist-entries",
                          "hash-max-ziplist-value", "set-max-intset-entries", "hll-sparse-max-bytes", "tracking-table-max-keys",
                          "monitor-output-buffer-limit", "zset-max-listpack-entries", "zset-max-listpack-value", "zset-max-ziplist-entries",
                          "zset-max-ziplist-value", "stream-node-max-entries", "stream-node-max-bytes", "dir", "dbfilename", "save",
                          "rdbcompression", "rdbchecksum", "stop-writes-on-bgsave-error", "rdb-key-save-delay",
                          "repl-timeout"};

// client-output-buffer-limit: "<class> <hard> <soft> <soft-seconds>" groups,
// classes normal, replica (or slave) and pubsub, as Redis takes it; the
// classes not named keep their values. Redis's error texts.
bool apply_output_limits(ServerConfig& cfg, std::string_view value, std::string* error) {
  std::istringstream in{std::string(value)};
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  if (words.empty() || words.size() % 4 != 0) {
    *error = "Wrong number of arguments in buffer limit configuration.";
    return false;
  }
  // All or nothing: the classes change only once every group parsed.
  ServerConfig::OutputLimitClass pubsub = cfg.pubsub_output_limit, replica = cfg.replica_output_limit;
  for (size_t i = 0; i < words.size(); i += 4) {
    const std::string cls = lower(words[i]);
    ServerConfig::OutputLimitClass limit;
    if (!parse_memory(words[i + 1], &limit.hard) || !parse_memory(words[i + 2], &limit.soft) ||
        !parse_uint(words[i + 3], INT64_MAX, &limit.soft_seconds)) {
      *error = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
      return false;
    }
    if (cls == "pubsub") {
      pubsub = limit;
    } else if (cls == "replica" || cls == "slave") {
      replica = limit;  // no replicas: kept and reported only
    } else if (cls == "normal") {
      if (limit.hard != 0 || limit.soft != 0 || limit.soft_seconds != 0) {
        *error = "tmkv does not limit normal clients' output (a client's replies never pile up: its requests "
                 "wait while they do); only \"normal 0 0 0\" is accepted";
        return false;
      }
    } else {
      *error = "Invalid client class specified in buffer limit configuration.";
      return false;
    }
  }
  cfg.pubsub_output_limit = pubsub;
  cfg.replica_output_limit = replica;
  return true;
}

std::string output_limits_text(const ServerConfig& cfg) {
  auto group = [](const char* cls, const ServerConfig::OutputLimitClass& l) {
    return std::string(cls) + " " + std::to_string(l.hard) + " " + std::to_string(l.soft) + " " +
           std::to_string(l.soft_seconds);
  };
  return group("normal", {}) + " " + group("slave", cfg.replica_output_limit) + " " +
         group("pubsub", cfg.pubsub_output_limit);
}

// `save`: "<seconds> <changes>" pairs separated by spaces; "" clears them
// (Redis 7's setConfigSaveOption and its error text).
bool parse_save_points(std::string_view value, std::vector<std::pair<uint64_t, uint64_t>>* out, std::string* error) {
  std::istringstream in{std::string(value)};
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  if (words.size() == 1 && (words[0] == "\"\"" || words[0] == "''")) words.clear();
  std::vector<std::pair<uint64_t, uint64_t>> points;
  if (words.size() % 2 != 0) {
    *error = "Invalid save parameters";
    return false;
  }
  for (size_t i = 0; i < words.size(); i += 2) {
    uint64_t seconds, changes;
    if (!parse_uint(words[i], INT64_MAX, &seconds) || !parse_uint(words[i + 1], INT32_MAX, &changes)) {
      *error = "Invalid save parameters";
      return false;
    }
    points.emplace_back(seconds, changes);
  }
  *out = std::move(points);
  return true;
}

std::string save_points_text(const std::vector<std::pair<uint64_t, uint64_t>>& points) {
  std::string out;
  for (const auto& [seconds, changes] : points) {
    if (!out.empty()) out += ' ';
    out += std::to_string(seconds) + " " + std::to_string(changes);
  }
  return out;
}

std::string current_dir() {
  char buf[PATH_MAX];
  return ::getcwd(buf, sizeof buf) != nullptr ? std::string(buf) : std::string(".");
}

// `dir`: an existing directory, kept as its absolute path; a relative one
// is taken from the current `dir`. (Redis chdirs into it; tmkv keeps the
// path and writes its files there, leaving the process's working directory
// alone, with the same result for every path given.)
bool resolve_dir(std::string_view value, std::string* out, std::string* error) {
  char buf[PATH_MAX];
  // Relative to the current `dir`, as Redis's chdir makes it.
  const std::string path =
      !value.empty() && value.front() != '/' && !out->empty() ? *out + "/" + std::string(value) : std::string(value);
  if (::realpath(path.c_str(), buf) == nullptr) {
    *error = std::strerror(errno);
    return false;
  }
  struct stat st;
  if (::stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
    *error = std::strerror(ENOTDIR);
    return false;
  }
  *out = buf;
  return true;
}

}  // namespace

bool apply_setting(ServerConfig& cfg, std::string_view name_in, std::string_view value, std::string* error) {
  const std::string name = lower(name_in);
  uint64_t n = 0;
  bool ok = true;
  if (name == "bind") {
    // Redis accepts several addresses; tmkv listens on the first.
    std::istringstream in{std::string(value)};
    std::string first;
    in >> first;
    if (first.empty()) ok = false;
    cfg.bind = first;
  } else if (name == "port") {
    ok = parse_uint(value, 65535, &n);
    cfg.port = static_cast<uint16_t>(n);
  } else if (name == "io-threads") {
    ok = parse_uint(value, 1024, &n);
    cfg.io_threads = static_cast<unsigned>(n);
  } else if (name == "tm-mode") {
    static const char* kModes[] = {"auto", "htm", "stm", "global-lock", "emulated-htm"};
    ok = std::find(std::begin(kModes), std::end(kModes), lower(value)) != std::end(kModes);
    if (ok) cfg.tm_mode = lower(value);
  } else if (name == "requirepass") {
    cfg.requirepass = std::string(value);
  } else if (name == "protected-mode") {
    ok = parse_bool(value, &cfg.protected_mode);
  } else if (name == "databases") {
    if (!parse_bounded(value, 1, 1024, &n, error)) return false;
    cfg.databases = static_cast<unsigned>(n);
  } else if (name == "maxclients") {
    if (!parse_bounded(value, 1, 1000000, &n, error)) return false;
    cfg.maxclients = n;
  } else if (name == "timeout") {
    if (!parse_bounded(value, 0, INT32_MAX, &n, error)) return false;
    cfg.timeout_s = n;
  } else if (name == "tcp-keepalive") {
    if (!parse_bounded(value, 0, INT32_MAX, &n, error)) return false;
    cfg.tcp_keepalive_s = n;
  } else if (name == "acllog-max-len") {
    if (!parse_bounded(value, 0, INT64_MAX, &n, error)) return false;
    cfg.acllog_max_len = n;
  } else if (name == "proto-max-bulk-len") {
    // Redis's bounds: at least 1 MiB; values are 32-bit sized in the store.
    ok = parse_memory(value, &n) && n >= (1u << 20) && n <= UINT32_MAX;
    cfg.proto_max_bulk_len = n;
  } else if (name == "client-query-buffer-limit") {
    ok = parse_memory(value, &n) && n >= (1u << 20);
    cfg.client_query_buffer_limit = n;
  } else if (name == "monitor-output-buffer-limit") {
    ok = parse_memory(value, &n) && n >= (1u << 20);
    cfg.monitor_output_buffer_limit = n;
  } else if (name == "max-multibulk-len") {
    ok = parse_uint(value, INT32_MAX, &n) && n >= 1;
    cfg.max_multibulk_len = n;
  } else if (name == "max-inline-size") {
    ok = parse_memory(value, &n) && n >= 1024;
    cfg.max_inline_size = n;
  } else if (name == "metrics-bind") {
    cfg.metrics_bind = std::string(value);
  } else if (name == "metrics-port") {
    ok = parse_uint(value, 65535, &n);
    cfg.metrics_port = static_cast<uint16_t>(n);
  } else if (name == "maxmemory") {
    ok = parse_memory(value, &n);
    cfg.maxmemory = n;
  } else if (name == "latency-tracking") {
    ok = parse_bool(value, &cfg.latency_tracking);
  } else if (name == "tx-sample-rate") {
    ok = parse_uint(value, 1u << 20, &n) && n >= 1;
    cfg.tx_sample_rate = static_cast<uint32_t>(n);
  } else if (name == "prefetch-batch-max-size") {
    // Redis's range; the prefetch itself uses at most Index::kMaxPrefetch keys.
    ok = parse_uint(value, 128, &n);
    cfg.prefetch_batch_max_size = n;
  } else if (name == "hash-max-listpack-entries" || name == "hash-max-ziplist-entries" ||
             name == "hash-max-listpack-value" || name == "hash-max-ziplist-value" ||
             name == "zset-max-listpack-entries" || name == "zset-max-ziplist-entries" ||
             name == "zset-max-listpack-value" || name == "zset-max-ziplist-value" ||
             name == "set-max-intset-entries" || name == "hll-sparse-max-bytes" ||
             name == "tracking-table-max-keys" || name == "stream-node-max-entries" ||
             name == "stream-node-max-bytes") {
    // Redis's ranges, units and texts (the old ziplist names are aliases,
    // as there): the *-value limits and hll-sparse-max-bytes are memory
    // values to Redis ("1kb").
    const bool memory = name.ends_with("-value") || name == "hll-sparse-max-bytes" || name == "stream-node-max-bytes";
    if (!parse_size_setting(value, memory, &n, error)) return false;
    uint64_t& field = name.starts_with("hash-max-") && name.ends_with("-entries") ? cfg.hash_max_listpack_entries
                      : name.starts_with("hash-max-")                             ? cfg.hash_max_listpack_value
                      : name.starts_with("zset-max-") && name.ends_with("-entries") ? cfg.zset_max_listpack_entries
                      : name.starts_with("zset-max-")                             ? cfg.zset_max_listpack_value
                      : name == "set-max-intset-entries"                          ? cfg.set_max_intset_entries
                      : name == "tracking-table-max-keys"                         ? cfg.tracking_table_max_keys
                      : name == "stream-node-max-entries"                         ? cfg.stream_node_max_entries
                      : name == "stream-node-max-bytes"                           ? cfg.stream_node_max_bytes
                                                                                  : cfg.hll_sparse_max_bytes;
    field = n;
  } else if (name == "slowlog-log-slower-than") {
    // Redis's range: -1 (off) and up.
    const bool negative = !value.empty() && value[0] == '-';
    ok = parse_uint(negative ? value.substr(1) : value, INT64_MAX, &n) && (!negative || n <= 1);
    cfg.slowlog_log_slower_than = negative ? -static_cast<int64_t>(n) : static_cast<int64_t>(n);
  } else if (name == "slowlog-max-len") {
    // Each entry holds at most 32 arguments of 128 bytes: a million of
    // them bound the log to a few GiB at worst.
    if (!parse_bounded(value, 0, 1000000, &n, error)) return false;
    cfg.slowlog_max_len = n;
  } else if (name == "latency-monitor-threshold") {
    if (!parse_bounded(value, 0, INT64_MAX, &n, error)) return false;  // Redis's range: 0 and up
    cfg.latency_monitor_threshold_ms = n;
  } else if (name == "maxmemory-policy") {
    const std::optional<EvictionPolicy> p = parse_eviction_policy(value);
    if (!p) {
      *error = "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, "
               "volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction";  // Redis's text
      return false;
    }
    cfg.maxmemory_policy = eviction_policy_name(*p);
  } else if (name == "maxmemory-samples" || name == "maxmemory-eviction-tenacity" || name == "lfu-log-factor" ||
             name == "lfu-decay-time") {
    // Redis's ranges, but samples: at most 64 (Redis allows up to INT_MAX;
    // each eviction walks about ten buckets per sample).
    const uint64_t lo = name == "maxmemory-samples" ? 1 : 0;
    const uint64_t hi = name == "maxmemory-samples" ? 64 : name == "maxmemory-eviction-tenacity" ? 100 : INT32_MAX;
    if (!parse_uint(value, hi, &n) || n < lo) {
      *error = "argument must be between " + std::to_string(lo) + " and " + std::to_string(hi) + " inclusive";
      return false;
    }
    uint32_t& field = name == "maxmemory-samples"             ? cfg.maxmemory_samples
                      : name == "maxmemory-eviction-tenacity" ? cfg.maxmemory_eviction_tenacity
                      : name == "lfu-log-factor"              ? cfg.lfu_log_factor
                                                              : cfg.lfu_decay_time;
    field = static_cast<uint32_t>(n);
  } else if (name == "client-output-buffer-limit") {
    return apply_output_limits(cfg, value, error);
  } else if (name == "notify-keyspace-events") {
    const std::optional<uint32_t> flags = parse_notify_flags(value, error);
    if (flags) cfg.notify_keyspace_events = *flags;
    return flags.has_value();
  } else if (name == "save") {
    return parse_save_points(value, &cfg.save_points, error);
  } else if (name == "dir") {
    return resolve_dir(value, &cfg.dir, error);
  } else if (name == "dbfilename") {
    // Redis's isValidDBfilename.
    if (value.find('/') != std::string_view::npos) {
      *error = "dbfilename can't be a path, just a filename";
      return false;
    }
    if (value.empty() || value == "." || value == "..") {
      *error = "Invalid dbfilename";
      return false;
    }
    cfg.dbfilename = std::string(value);
  } else if (name == "rdbcompression") {
    ok = parse_bool(value, &cfg.rdbcompression);
  } else if (name == "rdbchecksum") {
    ok = parse_bool(value, &cfg.rdbchecksum);
  } else if (name == "stop-writes-on-bgsave-error") {
    ok = parse_bool(value, &cfg.stop_writes_on_bgsave_error);
  } else if (name == "repl-timeout") {
    if (!parse_bounded(value, 1, INT32_MAX, &n, error)) return false;
    cfg.repl_timeout_s = n;
  } else if (name == "rdb-key-save-delay") {
    // Redis takes any int; tmkv only pauses, so no negative (Redis's
    // "yield" mode) and at most a second per key.
    if (!parse_bounded(value, 0, 1000000, &n, error)) return false;
    cfg.rdb_key_save_delay_us = n;
  } else if (name == "appendonly" || name == "daemonize") {
    // Accepted for redis.conf compatibility; tmkv keeps no append-only
    // file and does not fork. "yes" is refused rather than ignored.
    std::string v = lower(value);
    ok = v.empty() || v == "\"\"" || v == "no";
    if (!ok) *error = "'" + name + "' is not supported: tmkv does not keep an append-only file or daemonize";
    return ok;
  } else if (name == "enable-protected-configs") {
    // Redis 7: whether CONFIG SET may change the protected settings (dir,
    // dbfilename: with them a client could make SAVE write a file anywhere
    // the server may write): no, yes, or local (loopback clients only).
    const std::string v = lower(value);
    ok = v == "no" || v == "yes" || v == "local";
    if (ok) cfg.enable_protected_configs = v;
  } else if (name == "enable-debug-command" || name == "enable-module-command") {
    // Redis 7's defaults, which are what tmkv has: no DEBUG and no modules
    // to load. "yes" or "local" would promise what is not there, so they
    // are refused.
    ok = lower(value) == "no";
    if (!ok) *error = "'" + name + "' can only be no: tmkv has no DEBUG command or modules";
    return ok;
  } else {
    *error = "unknown option '" + std::string(name_in) + "'";
    return false;
  }
  if (!ok) *error = "invalid value '" + std::string(value) + "' for '" + name + "'";
  return ok;
}

std::optional<std::string> setting_value(const ServerConfig& cfg, std::string_view name_in) {
  const std::string name = lower(name_in);
  if (name == "bind") return cfg.bind;
  if (name == "port") return std::to_string(cfg.port);
  if (name == "io-threads") return std::to_string(cfg.io_threads);
  if (name == "tm-mode") return cfg.tm_mode;
  if (name == "requirepass") return cfg.requirepass;
  if (name == "protected-mode") return cfg.protected_mode ? "yes" : "no";
  if (name == "databases") return std::to_string(cfg.databases);
  if (name == "maxclients") return std::to_string(cfg.maxclients);
  if (name == "timeout") return std::to_string(cfg.timeout_s);
  if (name == "tcp-keepalive") return std::to_string(cfg.tcp_keepalive_s);
  if (name == "acllog-max-len") return std::to_string(cfg.acllog_max_len);
  if (name == "proto-max-bulk-len") return std::to_string(cfg.proto_max_bulk_len);
  if (name == "client-query-buffer-limit") return std::to_string(cfg.client_query_buffer_limit);
  if (name == "max-multibulk-len") return std::to_string(cfg.max_multibulk_len);
  if (name == "max-inline-size") return std::to_string(cfg.max_inline_size);
  if (name == "metrics-bind") return cfg.metrics_bind;
  if (name == "metrics-port") return std::to_string(cfg.metrics_port);
  if (name == "maxmemory") return std::to_string(cfg.maxmemory);
  if (name == "latency-tracking") return cfg.latency_tracking ? "yes" : "no";
  if (name == "tx-sample-rate") return std::to_string(cfg.tx_sample_rate);
  if (name == "prefetch-batch-max-size") return std::to_string(cfg.prefetch_batch_max_size);
  if (name == "hash-max-listpack-entries" || name == "hash-max-ziplist-entries") {
    return std::to_string(cfg.hash_max_listpack_entries);
  }
  if (name == "hash-max-listpack-value" || name == "hash-max-ziplist-value") {
    return std::to_string(cfg.hash_max_listpack_value);
  }
  if (name == "zset-max-listpack-entries" || name == "zset-max-ziplist-entries") {
    return std::to_string(cfg.zset_max_listpack_entries);
  }
  if (name == "zset-max-listpack-value" || name == "zset-max-ziplist-value") {
    return std::to_string(cfg.zset_max_listpack_value);
  }
  if (name == "set-max-intset-entries") return std::to_string(cfg.set_max_intset_entries);
  if (name == "hll-sparse-max-bytes") return std::to_string(cfg.hll_sparse_max_bytes);
  if (name == "tracking-table-max-keys") return std::to_string(cfg.tracking_table_max_keys);
  if (name == "stream-node-max-entries") return std::to_string(cfg.stream_node_max_entries);
  if (name == "stream-node-max-bytes") return std::to_string(cfg.stream_node_max_bytes);
  if (name == "monitor-output-buffer-limit") return std::to_string(cfg.monitor_output_buffer_limit);
  if (name == "slowlog-log-slower-than") return std::to_string(cfg.slowlog_log_slower_than);
  if (name == "slowlog-max-len") return std::to_string(cfg.slowlog_max_len);
  if (name == "latency-monitor-threshold") return std::to_string(cfg.latency_monitor_threshold_ms);
  if (name == "maxmemory-policy") return cfg.maxmemory_policy;
  if (name == "maxmemory-samples") return std::to_string(cfg.maxmemory_samples);
  if (name == "maxmemory-eviction-tenacity") return std::to_string(cfg.maxmemory_eviction_tenacity);
  if (name == "lfu-log-factor") return std::to_string(cfg.lfu_log_factor);
  if (name == "lfu-decay-time") return std::to_string(cfg.lfu_decay_time);
  if (name == "client-output-buffer-limit") return output_limits_text(cfg);
  if (name == "notify-keyspace-events") return notify_flags_text(cfg.notify_keyspace_events);
  if (name == "save") return save_points_text(cfg.save_points);
  if (name == "dir") return cfg.dir.empty() ? current_dir() : cfg.dir;
  if (name == "dbfilename") return cfg.dbfilename;
  if (name == "rdbcompression") return std::string(cfg.rdbcompression ? "yes" : "no");
  if (name == "rdbchecksum") return std::string(cfg.rdbchecksum ? "yes" : "no");
  if (name == "stop-writes-on-bgsave-error") return std::string(cfg.stop_writes_on_bgsave_error ? "yes" : "no");
  if (name == "rdb-key-save-delay") return std::to_string(cfg.rdb_key_save_delay_us);
  if (name == "repl-timeout") return std::to_string(cfg.repl_timeout_s);
  if (name == "appendonly") return std::string("no");
  if (name == "daemonize") return std::string("no");
  if (name == "enable-protected-configs") return cfg.enable_protected_configs;
  if (name == "enable-debug-command" || name == "enable-module-command") return std::string("no");
  return std::nullopt;
}

const std::vector<std::string>& setting_names() {
  static const std::vector<std::string> kNames = {
      "bind",       "port",     "io-threads", "tm-mode",  "requirepass", "protected-mode",
      "databases",  "maxclients", "timeout",  "tcp-keepalive", "acllog-max-len", "proto-max-bulk-len", "client-query-buffer-limit",
      "max-multibulk-len", "max-inline-size", "metrics-bind", "metrics-port", "maxmemory", "latency-tracking", "tx-sample-rate", "prefetch-batch-max-size", "hash-max-listpack-entries", "hash-max-listpack-value", "hash-max-ziplist-entries", "hash-max-ziplist-value", "zset-max-listpack-entries", "zset-max-listpack-value", "zset-max-ziplist-entries", "zset-max-ziplist-value", "stream-node-max-entries", "stream-node-max-bytes", "set-max-intset-entries", "hll-sparse-max-bytes", "tracking-table-max-keys", "monitor-output-buffer-limit", "slowlog-log-slower-than", "slowlog-max-len", "latency-monitor-threshold", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity", "lfu-log-factor", "lfu-decay-time", "client-output-buffer-limit", "notify-keyspace-events", "save", "dir", "dbfilename", "rdbcompression", "rdbchecksum", "stop-writes-on-bgsave-error", "rdb-key-save-delay", "repl-timeout", "appendonly", "daemonize", "enable-protected-configs", "enable-debug-command", "enable-module-command"};
  return kNames;
}

bool setting_is_protected(std::string_view name) {
  const std::string n = lower(name);
  return n == "dir" || n == "dbfilename";
}

bool setting_is_mutable(std::string_view name) {
  const std::string n = lower(name);
  return std::find(std::begin(kMutable), std::end(kMutable), n) != std::end(kMutable);
}

std::string usage_text() {
  return "Usage: tmkv-server [/path/to/tmkv.conf] [--option value ...]\n"
         "\n"
         "Options (also valid as `option value` lines in the config file and,\n"
         "where marked *, with CONFIG SET while running):\n"
         "  --bind ADDR                    listen address (default 127.0.0.1)\n"
         "  --port N                       RESP port (default 7379)\n"
         "  --io-threads N                 I/O threads, each with its own event loop (default: cores)\n"
         "  --tm-mode MODE                 auto|htm|stm|global-lock|emulated-htm (default auto)\n"
         "  --requirepass PASSWORD       * clients must AUTH first\n"
         "  --protected-mode yes|no      * refuse remote clients without a password (default yes)\n"
         "  --databases N                  numbered databases for SELECT (default 16)\n"
         "  --maxclients N               * connected clients at most (default 10000)\n"
         "  --timeout SECONDS            * close clients idle this long; 0 = never (default 0)\n"
         "  --tcp-keepalive SECONDS      * TCP keepalive probes after this idle time, to find vanished\n"
         "                                 peers; 0 = off (default 300; new connections)\n"
         "  --acllog-max-len N           * ACL LOG entries kept: failed authentications (default 128)\n"
         "  --proto-max-bulk-len BYTES   * largest bulk string (default 512mb)\n"
         "  --client-query-buffer-limit B* unparsed input per client (default 1gb)\n"
         "  --max-multibulk-len N        * arguments per command (default 2147483647)\n"
         "  --max-inline-size BYTES      * longest inline command (default 64kb)\n"
         "  --metrics-bind ADDR            Prometheus endpoint address (default 127.0.0.1)\n"
         "  --metrics-port N               Prometheus endpoint port; 0 = off (default 9379)\n"
         "  --maxmemory BYTES            * limit on used memory (jemalloc's allocated bytes less its\n"
         "                                 thread caches): over it, keys are evicted\n"
         "                                 (maxmemory-policy) or writes fail with OOM; 0 = no\n"
         "                                 limit (default 0)\n"
         "  --maxmemory-policy POLICY    * noeviction (default), allkeys-lru, volatile-lru,\n"
         "                                 allkeys-lfu, volatile-lfu, allkeys-random,\n"
         "                                 volatile-random or volatile-ttl, as in Redis\n"
         "  --maxmemory-samples N        * keys sampled per database and eviction (default 5, 1..64)\n"
         "  --maxmemory-eviction-tenacity N * time one eviction round may take: 0..100, 100 = no\n"
         "                                 limit (default 10: 500 us)\n"
         "  --lfu-log-factor N           * LFU counter's logarithm factor (default 10)\n"
         "  --lfu-decay-time MINUTES     * LFU counter decays by one per this period; 0 = never\n"
         "                                 (default 1)\n"
         "  --hash-max-listpack-entries N * hashes with more fields report the hashtable\n"
         "                                 encoding and list in trie order (default 512)\n"
         "  --hash-max-listpack-value N  * the same for a field or value longer than N bytes\n"
         "                                 (default 64)\n"
         "  --zset-max-listpack-entries N * sorted sets with more members report the skiplist\n"
         "                                 encoding (default 128)\n"
         "  --zset-max-listpack-value N  * the same for a member longer than N bytes (default 64)\n"
         "  --stream-node-max-entries N  * a stream's nodes (what MAXLEN ~ / MINID ~ trim\n"
         "                                 whole) end after N appends; 0 = no limit (default 100)\n"
         "  --stream-node-max-bytes N    * kept and shown as Redis's, not emulated: nodes end\n"
         "                                 by entry count only (default 4096)\n"
         "  --set-max-intset-entries N   * sets of at most N integers report the intset\n"
         "                                 encoding and list in numeric order (default 512)\n"
         "  --hll-sparse-max-bytes N     * a sparse HyperLogLog growing past N bytes turns dense\n"
         "                                 (default 3000)\n"
         "  --tracking-table-max-keys N  * keys CLIENT TRACKING remembers before it invalidates\n"
         "                                 random ones (default 1000000; 0: no limit)\n"
         "  --monitor-output-buffer-limit B* MONITOR output waiting for one client before it\n"
         "                                 is disconnected (default 64mb, at least 1mb)\n"
         "  --latency-tracking yes|no    * command and transaction latency histograms (default yes)\n"
         "  --tx-sample-rate N           * transactions sampled for the width and latency\n"
         "                                 histograms: one in N per thread (default 16; 1 = all)\n"
         "  --prefetch-batch-max-size N  * pipelined requests whose keys are prefetched together\n"
         "                                 before they run; 0 or 1 = off (default 16, max 128)\n"
         "  --slowlog-log-slower-than US * SLOWLOG records commands slower than this; -1 = none,\n"
         "                                 0 = all (default 10000)\n"
         "  --slowlog-max-len N          * SLOWLOG entries kept (default 128, max 1000000)\n"
         "  --latency-monitor-threshold MS * LATENCY samples events lasting at least this many\n"
         "                                 ms (commands, expiry sweeps); 0 = off (default 0)\n"
         "  --notify-keyspace-events FLAGS * keyspace notifications, Redis's classes: K, E and\n"
         "                                 g $ x e l s h z t (A = all), m (key misses), n (new\n"
         "                                 keys); d never fires here (no modules)\n"
         "                                 (default \"\": off)\n"
         "  --client-output-buffer-limit \"CLASS HARD SOFT SECONDS ...\"\n"
         "                               * a pub/sub subscriber whose unsent messages exceed HARD\n"
         "                                 bytes, or SOFT for SECONDS, is disconnected (default\n"
         "                                 \"pubsub 32mb 8mb 60\"); the replica class is kept but\n"
         "                                 unused (no replicas), normal must be 0 0 0\n"
         "  --dir PATH                   * where the RDB snapshot is saved and loaded from\n"
         "                                 (default: the working directory at start)\n"
         "  --dbfilename NAME            * the snapshot's file name (default dump.rdb); loaded at\n"
         "                                 start if it exists, and a file that cannot be read\n"
         "                                 whole stops the start\n"
         "  --save \"SECONDS CHANGES ...\"  * save in the background after SECONDS if at least\n"
         "                                 CHANGES writes happened; \"\" = never (default \"\":\n"
         "                                 unlike Redis's \"3600 1 300 100 60 10000\", no file is\n"
         "                                 written unless asked; SAVE, BGSAVE and SHUTDOWN SAVE\n"
         "                                 work either way)\n"
         "  --rdbcompression yes|no      * LZF-compress strings in the snapshot (default yes)\n"
         "  --rdbchecksum yes|no         * write and check the snapshot's CRC-64 (default yes)\n"
         "  --stop-writes-on-bgsave-error yes|no * refuse writes (MISCONF) after a failed\n"
         "                                 background save while save points are set (default yes)\n"
         "  --rdb-key-save-delay US      * pause per key written while saving (testing; default 0)\n"
         "  --repl-timeout S             * close a snapshot transfer (redis-cli --rdb) whose\n"
         "                                 client takes nothing for S seconds (default 60)\n"
         "  --enable-protected-configs no|yes|local  whether CONFIG SET may change dir and\n"
         "                                 dbfilename (local: from loopback clients only; default no)\n"
         "  --appendonly, --daemonize, --enable-debug-command, --enable-module-command\n"
         "                                 accepted for redis.conf's sake with Redis's \"off\" value\n"
         "                                 only (\"\" or no): tmkv keeps no append-only file, does\n"
         "                                 not fork, and has no DEBUG command or modules\n"
         "  -h, --help                     this text\n";
}

std::optional<ServerConfig> parse_command_line(const std::vector<std::string>& args, std::string* error,
                                               bool* help_requested) {
  ServerConfig cfg;
  *help_requested = false;
  size_t i = 0;
  if (!args.empty() && args[0].rfind("--", 0) != 0 && args[0] != "-h") {
    cfg.config_file = args[0];
    std::ifstream in(cfg.config_file);
    if (!in) {
      *error = "cannot open config file '" + cfg.config_file + "'";
      return std::nullopt;
    }
    std::string line;
    std::string file_save;  // the save points of the file's `save` lines so far
    int lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      size_t start = line.find_first_not_of(" \t\r");
      if (start == std::string::npos || line[start] == '#') continue;
      size_t end = line.find_last_not_of(" \t\r");
      std::string body = line.substr(start, end - start + 1);
      size_t sp = body.find_first_of(" \t");
      std::string name = body.substr(0, sp);
      std::string value = sp == std::string::npos ? "" : body.substr(body.find_first_not_of(" \t", sp));
      if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
        value = value.substr(1, value.size() - 2);
      }
      // Several `save` lines add up, as in redis.conf ("save 900 1" then
      // "save 300 10"); `save ""` clears what came before.
      if (lower(name) == "save") {
        if (value.empty() || value == "\"\"") {
          file_save.clear();
        } else {
          file_save += (file_save.empty() ? "" : " ") + value;
        }
        value = file_save;
      }
      std::string why;
      if (!apply_setting(cfg, name, value, &why)) {
        *error = cfg.config_file + ":" + std::to_string(lineno) + ": " + why;
        return std::nullopt;
      }
    }
    i = 1;
  }
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      *help_requested = true;
      return cfg;
    }
    if (a.rfind("--", 0) != 0) {
      *error = "unexpected argument '" + a + "' (options look like --port 7379)";
      return std::nullopt;
    }
    if (i + 1 >= args.size()) {
      *error = "option '" + a + "' needs a value";
      return std::nullopt;
    }
    std::string why;
    if (!apply_setting(cfg, a.substr(2), args[i + 1], &why)) {
      *error = why;
      return std::nullopt;
    }
    ++i;
  }
  if (cfg.dir.empty()) cfg.dir = current_dir();
  return cfg;
}

}  // namespace tmkv::server
