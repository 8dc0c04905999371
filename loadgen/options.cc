#include "loadgen/options.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>

namespace tmkv::loadgen {

void print_usage(std::FILE* out) {
  std::fputs(R"(Usage: tmkv-loadgen [options]
A load generator for Redis-protocol servers (tmkv, Redis) that checks
transactional results and measures latency without coordinated omission.

Server and connections:
  --host HOST               server address (default 127.0.0.1)
  --port N                  server port (default 7379, tmkv's)
  --password PW             AUTH with this password on every connection
  --user NAME               AUTH NAME PW (ACL user) instead
  --threads N               worker threads, one event loop each (default 1)
  --connections N           connections per thread (default 50)
  --pipeline N              operations in flight per connection (default 1)

How long and how fast:
  --duration T              measured time: 10, 10s, 500ms, 2m (default 10s)
  --requests N              measured operations in all, instead of --duration
  --warmup T                run this long first without measuring (default 0)
  --rate R                  open loop: R scheduled operations/s in all; latency
                            counts from each operation's scheduled start
                            (default: closed loop, fixed concurrency)
  --seed N                  random seed (default 1)

Workload:
  --workload NAME           bank | ycsb-a | ycsb-b | ycsb-c | ycsb-f | mset |
                            mget | custom (default bank)
  --key-count N             keys, or accounts for bank (default 100000; bank 100)
  --key-prefix S            key names are S<number> (default key:; bank bank:acct:)
  --key-dist D              uniform | zipfian | hotspot (default uniform;
                            ycsb-* zipfian, as YCSB)
  --zipf-theta X            zipfian exponent, > 0 (default 0.99)
  --hot-fraction F          hotspot: fraction of keys that are hot (default 0.2)
  --hot-op-fraction F       hotspot: fraction of operations on them (default 0.8)
  --value-size N | N-M      value bytes, fixed or uniform in [N, M] (default 32)
  --keys-per-op K           mset/mget: keys per command (default 4)
  --command "TEMPLATE"      custom: a command, repeatable (each operation picks
                            one at random); "A; B" sends several as one batch.
                            __key__, __key1__..__key9__: keys (one draw each per
                            operation); __value__: a value; __rand_int__: a
                            number below --key-count
  --no-load                 skip the load phase (bank: set every account;
                            ycsb-*, mget: set every key)

bank:
  --initial-balance N       each account's balance after loading (default 1000)
  --max-amount N            transfers move 1..N (default 100)
  --report-ratio F          fraction of operations that are full reports (default 0.01)

Output:
  --json FILE               write the report as JSON
  --plot FILE.svg           write throughput and p99 per second as an SVG chart
  --metrics-url URL         scrape http://HOST:PORT/PATH (Prometheus text) before
                            and after; report the transaction counters' deltas
  -h, --help                this text

A progress line is printed to stderr about once a second when stderr is a
terminal. Exit status: 0 ok; 1 the bank's verification failed; 2 bad
options; 3 the run failed (connection, protocol or load error).
)",
             out);
}

namespace {

struct ParseError {
  std::string message;
};

[[noreturn]] void fail(const std::string& flag, const std::string& why) { throw ParseError{flag + ": " + why}; }

template <typename T>
T parse_integer(const std::string& flag, const std::string& v, T lo, T hi) {
  T out{};
  auto r = std::from_chars(v.data(), v.data() + v.size(), out);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size())
    fail(flag, "expected an integer, got '" + v + "'");
  if (out < lo || out > hi)
    fail(flag, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + v);
  return out;
}

double parse_double(const std::string& flag, const std::string& v, double lo, double hi) {
  double out = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), out);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size() || !std::isfinite(out))
    fail(flag, "expected a number, got '" + v + "'");
  if (out < lo || out > hi) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "must be between %g and %g, got %s", lo, hi, v.c_str());
    fail(flag, buf);
  }
  return out;
}

// "10", "10s", "500ms", "2m", "1h" -> seconds.
double parse_seconds(const std::string& flag, const std::string& v) {
  static const std::pair<const char*, double> kUnits[] = {{"ms", 1e-3}, {"s", 1}, {"m", 60}, {"h", 3600}};
  for (auto [suffix, scale] : kUnits) {
    const size_t n = std::strlen(suffix);
    if (v.size() > n && v.compare(v.size() - n, n, suffix) == 0 &&
        (n == 2 || v[v.size() - n - 1] != 'm'))  // "ms" is not "m" + "s"
      return parse_double(flag, v.substr(0, v.size() - n), 0, 1e9) * scale;
  }
  return parse_double(flag, v, 0, 1e9);
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, bool& help) {
  help = false;
  Options o;
  bool key_count_given = false, duration_given = false;
  using Setter = std::function<void(const std::string& flag, const std::string& value)>;
  const std::map<std::string, Setter> with_value = {
      {"--host", [&](auto&, auto& v) { o.host = v; }},
      {"--port", [&](auto& f, auto& v) { o.port = parse_integer<uint16_t>(f, v, 1, 65535); }},
      {"--password", [&](auto&, auto& v) { o.password = v; }},
      {"--user", [&](auto&, auto& v) { o.user = v; }},
      {"--threads", [&](auto& f, auto& v) { o.threads = parse_integer<int>(f, v, 1, 1024); }},
      {"--connections", [&](auto& f, auto& v) { o.connections = parse_integer<int>(f, v, 1, 100000); }},
      {"--pipeline", [&](auto& f, auto& v) { o.pipeline = parse_integer<int>(f, v, 1, 100000); }},
      {"--duration",
       [&](auto& f, auto& v) {
         o.duration_s = parse_seconds(f, v);
         duration_given = true;
         if (o.duration_s <= 0) fail(f, "must be positive");
       }},
      {"--requests", [&](auto& f, auto& v) { o.requests = parse_integer<uint64_t>(f, v, 1, UINT64_MAX); }},
      {"--warmup", [&](auto& f, auto& v) { o.warmup_s = parse_seconds(f, v); }},
      {"--rate", [&](auto& f, auto& v) { o.rate = parse_double(f, v, 1e-3, 1e9); }},
      {"--seed", [&](auto& f, auto& v) { o.seed = parse_integer<uint64_t>(f, v, 0, UINT64_MAX); }},
      {"--workload", [&](auto&, auto& v) { o.workload = v; }},
      {"--key-count",
       [&](auto& f, auto& v) {
         o.key_count = parse_integer<uint64_t>(f, v, 1, uint64_t{1} << 40);
         key_count_given = true;
       }},
      {"--key-prefix", [&](auto&, auto& v) { o.key_prefix = v; }},
      {"--key-dist",
       [&](auto& f, auto& v) {
         if (!parse_key_dist(v, o.key_dist.dist)) fail(f, "expected uniform, zipfian or hotspot, got '" + v + "'");
         o.key_dist_given = true;
       }},
      {"--zipf-theta", [&](auto& f, auto& v) { o.key_dist.zipf_theta = parse_double(f, v, 1e-6, 100); }},
      {"--hot-fraction", [&](auto& f, auto& v) { o.key_dist.hot_fraction = parse_double(f, v, 1e-9, 1); }},
      {"--hot-op-fraction", [&](auto& f, auto& v) { o.key_dist.hot_op_fraction = parse_double(f, v, 0, 1); }},
      {"--value-size",
       [&](auto& f, auto& v) {
         const auto dash = v.find('-');
         o.value_min = parse_integer<uint32_t>(f, v.substr(0, dash), 0, 512u << 20);
         o.value_max = dash == std::string::npos ? o.value_min
                                                 : parse_integer<uint32_t>(f, v.substr(dash + 1), 0, 512u << 20);
         if (o.value_max < o.value_min) fail(f, "range N-M needs N <= M, got " + v);
       }},
      {"--keys-per-op", [&](auto& f, auto& v) { o.keys_per_op = parse_integer<uint32_t>(f, v, 1, 100000); }},
      {"--command", [&](auto&, auto& v) { o.commands.push_back(v); }},
      {"--initial-balance",
       [&](auto& f, auto& v) { o.initial_balance = parse_integer<int64_t>(f, v, 0, int64_t{1} << 40); }},
      {"--max-amount", [&](auto& f, auto& v) { o.max_amount = parse_integer<int64_t>(f, v, 1, int64_t{1} << 40); }},
      {"--report-ratio", [&](auto& f, auto& v) { o.report_ratio = parse_double(f, v, 0, 1); }},
      {"--unsafe-pause-us",
       [&](auto& f, auto& v) { o.unsafe_pause_us = parse_integer<uint32_t>(f, v, 0, 10'000'000); }},
      {"--json", [&](auto&, auto& v) { o.json_path = v; }},
      {"--plot", [&](auto&, auto& v) { o.plot_path = v; }},
      {"--metrics-url", [&](auto&, auto& v) { o.metrics_url = v; }},
  };
  try {
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "-h" || arg == "--help") {
        help = true;
        print_usage(stdout);
        return std::nullopt;
      }
      if (arg == "--no-load") {
        o.load = false;
        continue;
      }
      if (arg == "--unsafe-transfers") {  // deliberately not in --help: it breaks the bank on purpose
        o.unsafe_transfers = true;
        continue;
      }
      std::string value;
      bool has_value = false;
      if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        has_value = true;
      }
      auto it = with_value.find(arg);
      if (it == with_value.end()) fail(arg, "unknown option (see --help)");
      if (!has_value) {
        if (i + 1 >= argc) fail(arg, "needs a value");
        value = argv[++i];
      }
      it->second(arg, value);
    }
    static const char* kWorkloads[] = {"bank", "ycsb-a", "ycsb-b", "ycsb-c", "ycsb-f", "mset", "mget", "custom"};
    bool known = false;
    for (auto* w : kWorkloads) known |= o.workload == w;
    if (!known) fail("--workload", "unknown workload '" + o.workload + "' (see --help)");
    if (o.workload == "custom" && o.commands.empty()) fail("--workload custom", "needs at least one --command");
    if (o.workload != "custom" && !o.commands.empty()) fail("--command", "only used with --workload custom");
    if (o.requests > 0 && duration_given) fail("--requests", "give either --duration or --requests, not both");
    if (o.rate > 0 && o.requests > 0) fail("--rate", "an open-loop run is timed: use --duration, not --requests");
    const bool bank = o.workload == "bank";
    if (!key_count_given) o.key_count = bank ? 100 : 100000;
    if (o.key_prefix.empty()) o.key_prefix = bank ? "bank:acct:" : "key:";
    if (bank && o.key_count < 2) fail("--key-count", "the bank needs at least 2 accounts");
    if (!o.key_dist_given && o.workload.rfind("ycsb-", 0) == 0) o.key_dist.dist = KeyDist::kZipfian;
    if (o.key_dist.dist == KeyDist::kZipfian && o.key_dist.zipf_theta <= 0) fail("--zipf-theta", "must be > 0");
    o.key_dist.key_count = o.key_count;
    if ((bank || o.workload == "ycsb-f") && o.pipeline > 1)
      fail("--pipeline", "the " + o.workload +
                             " workload holds WATCH across round trips, so a connection runs one operation at a "
                             "time; use more --connections instead");
  } catch (const ParseError& e) {
    std::fprintf(stderr, "tmkv-loadgen: %s\n", e.message.c_str());
    return std::nullopt;
  }
  return o;
}

}  // namespace tmkv::loadgen
