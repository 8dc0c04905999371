// OBJECT and MEMORY: what clients and tools (redis-cli --memkeys, RedisInsight,
// scripts that check encodings) ask about one key, and the allocator.
//
// tmkv stores every string the same way (store/blob.h), so OBJECT ENCODING
// answers with the encoding Redis would give the same value when SET stores
// it (int, embstr or raw), and OBJECT REFCOUNT with Redis's shared-integer
// count for the values Redis shares. OBJECT IDLETIME and OBJECT FREQ read
// the key's access bits (store/access_clock.h), with Redis's errors for the
// one the maxmemory policy does not track.
#include <malloc.h>

#include <iterator>
#include <string>
#include <variant>

#include "server/cmd_util.h"
#include "server/command.h"
#include "server/memory_report.h"
#include "server/server.h"
#include "store/access_clock.h"
#include "store/allocator_stats.h"
#include "store/clock.h"
#include "store/int_codec.h"
#include "store/record.h"

namespace tmkv::server {
namespace {

// Redis's tryObjectEncoding for a string value: an integer of at most 20
// characters that fits a long is "int", anything else up to 44 bytes (the
// embedded-string limit) "embstr", longer "raw".
const char* redis_string_encoding(std::string_view v) {
  if (v.size() <= 20 && store::parse_int64(v).has_value()) return "int";
  return v.size() <= 44 ? "embstr" : "raw";
}

// Redis shares the objects of the integers 0..9999 (OBJ_SHARED_INTEGERS),
// whose refcount reads INT_MAX (OBJ_SHARED_REFCOUNT).
int64_t redis_refcount(std::string_view v) {
  if (v.size() > 20) return 1;
  const auto n = store::parse_int64(v);
  return n && *n >= 0 && *n < 10000 ? 2147483647 : 1;
}

constexpr SubcommandArity kObjectSubcommands[] = {
        {"encoding", 3}, {"freq", 3}, {"idletime", 3}, {"refcount", 3}, {"help", 2}};

void cmd_object(CommandContext& c) {
  const std::string sub = to_lower(c.arg(1));
  if (sub == "help" && c.argc() == 2) {
    static const char* kHelp[] = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation Redis would use to store the value",
        "    associated with a <key> (tmkv stores all strings alike).",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help."};
    reply_help(c.out, kHelp);
    return;
  }
  const bool known = sub == "encoding" || sub == "freq" || sub == "idletime" || sub == "refcount";
  if (!known || c.argc() != 3) {
    c.out.syntax_error();  // not reached: the dispatcher checked the subcommand (kObjectSubcommands)
    return;
  }
  // Redis counts these lookups too, but tells no keymiss (LOOKUP_NONOTIFY)
  // and leaves the access time alone (LOOKUP_NOTOUCH).
  const store::ScopedNoTouch no_touch;
  const store::Blob* b = lookup_for_read(c, c.arg(2), false);
  if (b == nullptr) {
    c.out.null();
    return;
  }
  const bool is_string = b->type() == store::ValueType::kString;
  if (sub == "encoding") {
    if (is_string) {
      c.out.bulk(redis_string_encoding(b->view()));
    } else if (b->type() == store::ValueType::kStream) {
      c.out.bulk("stream");
    } else if (b->type() == store::ValueType::kList) {
      c.out.bulk("quicklist");  // Redis 7.0 keeps every list as a quicklist
    } else if (b->type() == store::ValueType::kZSet) {
      // The encoding Redis would have moved the set to by now (zset_value.h).
      c.out.bulk(store::ZSet::from_body(b->view()).encoding());
    } else {
      const store::Hash h = store::Hash::from_body(b->view());
      c.out.bulk(b->type() == store::ValueType::kSet ? h.set_encoding() : h.encoding());
    }
  } else if (sub == "refcount") {
    c.out.integer(is_string ? redis_refcount(b->view()) : 1);
  } else if (sub == "freq") {
    if (!is_lfu_policy(c.server.evictor().policy())) {
      c.out.error(
          "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when "
          "switching between policies at runtime LRU and LFU data will take some time to adjust.");
      return;
    }
    c.out.integer(store::lfu_counter(b->access(), store::now_ms()));
  } else {
    if (is_lfu_policy(c.server.evictor().policy())) {
      c.out.error(
          "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching "
          "between policies at runtime LRU and LFU data will take some time to adjust.");
      return;
    }
    c.out.integer(static_cast<int64_t>(store::lru_idle_ms(b->access(), store::now_ms()) / 1000));
  }
}

// MEMORY USAGE: the bytes one key holds in tmkv: its record (header and key,
// store/record.h), its value (store/blob.h), each rounded up to the
// allocator's size class, a collection's nodes (hash, set, list, sorted
// set), and its slot in the index.
size_t key_memory_usage(std::string_view key, const store::Blob& b) {
  const size_t record = store::allocation_size(sizeof(store::Record) + key.size());
  const size_t value = store::allocation_size(b.allocation_bytes()) + b.node_bytes();
  return record + value + sizeof(void*);
}

constexpr SubcommandArity kMemorySubcommands[] = {{"usage", -3}, {"stats", 2},  {"doctor", 2},
                                                   {"malloc-stats", 2}, {"purge", 2}, {"help", 2}};

// MEMORY STATS: Redis 7's map, in its order, for the parts tmkv has (no
// replication backlog, AOF, Lua or cluster: those are 0). The figures are
// memory_report()'s (server/memory_report.h).
void memory_stats(CommandContext& c) {
  const MemoryReport m = memory_report(c.server);
  const store::AllocatorStats& a = m.allocator;
  auto ratio = [](uint64_t x, uint64_t y) { return y == 0 ? 0.0 : static_cast<double>(x) / static_cast<double>(y); };
  auto diff = [](uint64_t x, uint64_t y) { return static_cast<int64_t>(x) - static_cast<int64_t>(y); };
  auto n = [](uint64_t v) { return static_cast<int64_t>(v); };
  struct Field {
    const char* name;
    std::variant<int64_t, double> value;
  };
  const Field before_dbs[] = {
      {"peak.allocated", n(m.peak)},   {"total.allocated", n(m.used)}, {"startup.allocated", n(m.startup)},
      {"replication.backlog", 0L},     {"clients.slaves", 0L},         {"clients.normal", n(m.clients.memory)},
      {"cluster.links", 0L},           {"aof.buffer", 0L},             {"lua.caches", 0L},
      {"functions.caches", 0L}};
  const Field after_dbs[] = {
      {"overhead.total", n(m.overhead)},
      {"keys.count", n(m.keys)},
      {"keys.bytes-per-key", m.keys == 0 ? 0 : n((m.used - std::min(m.used, m.startup)) / m.keys)},
      {"dataset.bytes", n(m.dataset)},
      {"dataset.percentage", m.dataset_percent()},
      {"peak.percentage", m.peak_percent()},
      {"allocator.allocated", n(a.allocated)},
      {"allocator.active", n(a.active)},
      {"allocator.resident", n(a.resident)},
      {"allocator-fragmentation.ratio", ratio(a.active, a.allocated)},
      {"allocator-fragmentation.bytes", diff(a.active, a.allocated)},
      {"allocator-rss.ratio", ratio(a.resident, a.active)},
      {"allocator-rss.bytes", diff(a.resident, a.active)},
      {"rss-overhead.ratio", ratio(m.rss, a.resident)},
      {"rss-overhead.bytes", diff(m.rss, a.resident)},
      {"fragmentation", m.fragmentation()},
      {"fragmentation.bytes", diff(m.rss, m.used)}};
  auto emit = [&](const Field& f) {
    c.out.bulk(f.name);
    if (const int64_t* i = std::get_if<int64_t>(&f.value)) {
      c.out.integer(*i);
    } else {
      c.out.dbl(std::get<double>(f.value));
    }
  };
  c.out.map(std::size(before_dbs) + m.db_overhead.size() + std::size(after_dbs));
  for (const Field& f : before_dbs) emit(f);
  for (const auto& [db, bytes] : m.db_overhead) {
    c.out.bulk("db." + std::to_string(db));
    c.out.map(2);
    emit({"overhead.hashtable.main", n(bytes)});
    emit({"overhead.hashtable.expires", 0L});  // expiry times live in the value boxes
  }
  for (const Field& f : after_dbs) emit(f);
}

void cmd_memory(CommandContext& c) {
  const std::string sub = to_lower(c.arg(1));
  if (sub == "usage" && c.argc() >= 3) {
    // SAMPLES matters for nested types only; it is checked as Redis does.
    for (size_t i = 3; i < c.argc(); ++i) {
      int64_t samples;
      if (!equals_ci(c.arg(i), "samples") || i + 1 >= c.argc()) {
        c.out.syntax_error();
        return;
      }
      if (!get_ll_or_reply(c.out, c.arg(++i), &samples)) return;
      if (samples < 0) {
        c.out.syntax_error();
        return;
      }
    }
    const store::ScopedNoTouch no_touch;  // Redis's dbFind: no access either
    const store::Blob* b = c.db().lookup(*c.tx, c.arg(2));  // no hit/miss: Redis's dbFind
    if (b == nullptr) {
      c.out.null();
      return;
    }
    c.out.integer(static_cast<int64_t>(key_memory_usage(c.arg(2), *b)));
  } else if (sub == "stats" && c.argc() == 2) {
    c.tx->require_software();
    memory_stats(c);
  } else if (sub == "doctor" && c.argc() == 2) {
    c.tx->require_software();
    c.out.verbatim(memory_doctor(memory_report(c.server), c.server.limits().maxmemory.load(std::memory_order_relaxed)));
  } else if (sub == "malloc-stats" && c.argc() == 2) {
    c.out.verbatim(store::allocator_report());
  } else if (sub == "purge" && c.argc() == 2) {
    store::allocator_purge();
    c.out.ok();
  } else if (sub == "help" && c.argc() == 2) {
    static const char* kHelp[] = {
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a report of memory problems.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value (record, value and index slot).",
        "HELP",
        "    Prints this help."};
    reply_help(c.out, kHelp);
  } else {
    c.out.syntax_error();  // not reached: the dispatcher checked the subcommand (kMemorySubcommands)
  }
}

}  // namespace

void register_introspection_commands(std::vector<CommandSpec>& t) {
  // Both are read-only transactions: their key subcommands read a key, and
  // the others (HELP, MEMORY STATS/DOCTOR/PURGE/MALLOC-STATS) touch no
  // transactional memory, so running them in one costs a begin and a commit
  // only. (STATS and DOCTOR read /proc and take the client registry's
  // lock: they ask for the software path, where a hardware attempt would
  // abort on the system call anyway.)
  const uint32_t R = kTransactional | kReadOnly;
  t.push_back({"object", -2, R, 2, 2, 1, "generic", "A container for object introspection commands.", cmd_object, kObjectSubcommands});
  t.push_back({"memory", -2, R, 2, 2, 1, "server", "A container for memory diagnostics commands.", cmd_memory, kMemorySubcommands});
}

}  // namespace tmkv::server
