// Hash commands: HSET, HGET, HDEL, HINCRBY, HGETALL, HSCAN, HRANDFIELD, ...
//
// A hash is one value in the keyspace (store/hash_value.h): a command reads
// the version its transaction sees, builds the next version by path copying,
// and stores it with Store::put, so it commits or aborts with the rest of
// the transaction (an EXEC block, a script, a retry) like a string write.
// Replies and errors follow Redis 7.0's t_hash.c; a hash Redis would keep as
// a listpack is returned in insertion order, as Redis returns it.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "server/cmd_util.h"
#include "server/command.h"
#include "server/keyspace_events.h"
#include "server/server.h"
#include "store/hash_value.h"
#include "store/int_codec.h"

namespace tmkv::server {
namespace {

using store::Blob;
using store::Hash;
using store::HashEntry;
using store::OpStatus;
using store::ValueType;

bool hash_at(CommandContext& c, std::string_view key, bool for_read, Hash* h, const Blob** blob = nullptr) {
  return trie_at(c, key, ValueType::kHash, for_read, h, blob);
}

bool store_hash(CommandContext& c, std::string_view key, const Hash& h, const Blob* old) {
  return store_trie(c, key, ValueType::kHash, h, old);
}

// HSET key field value [field value ...] / HMSET: the same, replying OK.
void hset_generic(CommandContext& c, bool reply_ok) {
  if (c.argc() % 2 != 0) {
    c.out.wrong_arity(reply_ok ? "hmset" : "hset");
    return;
  }
  Hash h;
  const Blob* old;
  if (!hash_at(c, c.arg(1), false, &h, &old)) return;
  int64_t created = 0;
  for (size_t i = 2; i + 1 < c.argc(); i += 2) created += h.set(c.arg(i), c.arg(i + 1)) ? 1 : 0;
  if (!store_hash(c, c.arg(1), h, old)) return;
  notify_keyspace_event(c, kNotifyHash, "hset", c.arg(1));
  if (reply_ok) {
    c.out.ok();
  } else {
    c.out.integer(created);
  }
}
void cmd_hset(CommandContext& c) { hset_generic(c, false); }
void cmd_hmset(CommandContext& c) { hset_generic(c, true); }

void cmd_hsetnx(CommandContext& c) {
  Hash h;
  const Blob* old;
  if (!hash_at(c, c.arg(1), false, &h, &old)) return;
  if (h.contains(c.arg(2))) {
    c.out.integer(0);
    return;
  }
  h.set(c.arg(2), c.arg(3));
  if (!store_hash(c, c.arg(1), h, old)) return;
  notify_keyspace_event(c, kNotifyHash, "hset", c.arg(1));
  c.out.integer(1);
}

void cmd_hget(CommandContext& c) {
  Hash h;
  if (!hash_at(c, c.arg(1), true, &h)) return;
  std::string_view v;
  if (h.find(c.arg(2), &v)) {
    c.out.bulk(v);
  } else {
    c.out.null();
  }
}

void cmd_hmget(CommandContext& c) {
  Hash h;
  if (!hash_at(c, c.arg(1), true, &h)) return;
  c.out.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) {
    std::string_view v;
    if (h.find(c.arg(i), &v)) {
      c.out.bulk(v);
    } else {
      c.out.null();
    }
  }
}

void cmd_hdel(CommandContext& c) { erase_from_trie(c, ValueType::kHash, kNotifyHash, "hdel"); }

void cmd_hlen(CommandContext& c) {
  Hash h;
  if (hash_at(c, c.arg(1), true, &h)) c.out.integer(static_cast<int64_t>(h.size()));
}

void cmd_hstrlen(CommandContext& c) {
  Hash h;
  if (!hash_at(c, c.arg(1), true, &h)) return;
  std::string_view v;
  c.out.integer(h.find(c.arg(2), &v) ? static_cast<int64_t>(v.size()) : 0);
}

void cmd_hexists(CommandContext& c) {
  Hash h;
  if (hash_at(c, c.arg(1), true, &h)) c.out.integer(h.contains(c.arg(2)) ? 1 : 0);
}

void cmd_hincrby(CommandContext& c) {
  int64_t incr;
  if (!get_ll_or_reply(c.out, c.arg(3), &incr)) return;
  Hash h;
  const Blob* old;
  if (!hash_at(c, c.arg(1), false, &h, &old)) return;
  int64_t value = 0;
  std::string_view current;
  if (h.find(c.arg(2), &current)) {
    auto parsed = store::parse_int64(current);
    if (!parsed) {
      c.out.error("ERR hash value is not an integer");
      return;
    }
    value = *parsed;
  }
  if ((incr < 0 && value < 0 && incr < INT64_MIN - value) || (incr > 0 && value > 0 && incr > INT64_MAX - value)) {
    c.out.error("ERR increment or decrement would overflow");
    return;
  }
  value += incr;
  char buf[24];
  h.set(c.arg(2), store::format_int64(value, buf));
  if (!store_hash(c, c.arg(1), h, old)) return;
  notify_keyspace_event(c, kNotifyHash, "hincrby", c.arg(1));
  c.out.integer(value);
}

void cmd_hincrbyfloat(CommandContext& c) {
  auto incr = parse_ld(c.arg(3));
  if (!incr) {
    c.out.error("ERR value is not a valid float");
    return;
  }
  if (std::isnan(*incr) || std::isinf(*incr)) {
    c.out.error("ERR value is NaN or Infinity");
    return;
  }
  Hash h;
  const Blob* old;
  if (!hash_at(c, c.arg(1), false, &h, &old)) return;
  long double value = 0;
  std::string_view current;
  if (h.find(c.arg(2), &current)) {
    auto parsed = parse_ld(current);
    if (!parsed) {
      c.out.error("ERR hash value is not a float");
      return;
    }
    value = *parsed;
  }
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) {
    c.out.error("ERR increment would produce NaN or Infinity");
    return;
  }
  const std::string text = format_ld(value);
  h.set(c.arg(2), text);
  if (!store_hash(c, c.arg(1), h, old)) return;
  notify_keyspace_event(c, kNotifyHash, "hincrbyfloat", c.arg(1));
  c.out.bulk(text);
}

// HGETALL, HKEYS, HVALS.
void hgetall_generic(CommandContext& c, bool fields, bool values) {
  Hash h;
  if (!hash_at(c, c.arg(1), true, &h)) return;
  const std::vector<HashEntry> entries = h.entries();
  if (fields && values) {
    c.out.map(entries.size());
  } else {
    c.out.array(entries.size());
  }
  for (const HashEntry& e : entries) {
    if (fields) c.out.bulk(e.field);
    if (values) c.out.bulk(e.value);
  }
}
void cmd_hgetall(CommandContext& c) { hgetall_generic(c, true, true); }
void cmd_hkeys(CommandContext& c) { hgetall_generic(c, true, false); }
void cmd_hvals(CommandContext& c) { hgetall_generic(c, false, true); }

// One field (and value) of HRANDFIELD's reply.
void reply_random_entry(CommandContext& c, const HashEntry& e, bool withvalues) {
  if (withvalues && c.out.resp3()) c.out.array(2);
  c.out.bulk(e.field);
  if (withvalues) c.out.bulk(e.value);
}

// HRANDFIELD key [count [WITHVALUES]]
void cmd_hrandfield(CommandContext& c) {
  std::mt19937_64& rng = random_engine();
  if (c.argc() == 2) {
    Hash h;
    if (!hash_at(c, c.arg(1), true, &h)) return;
    if (h.empty()) {
      c.out.null();
    } else {
      c.out.bulk(h.at(std::uniform_int_distribution<uint64_t>(0, h.size() - 1)(rng)).field);
    }
    return;
  }
  // Redis's order: the count, then the syntax, then WITHVALUES's range.
  int64_t l;
  if (!get_ll_or_reply(c.out, c.arg(2), &l)) return;
  if (l == INT64_MIN) {  // Redis's range is -LONG_MAX..LONG_MAX
    c.out.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
    return;
  }
  bool withvalues = false;
  if (c.argc() == 4 && equals_ci(c.arg(3), "withvalues")) {
    withvalues = true;
  } else if (c.argc() >= 4) {
    c.out.syntax_error();
    return;
  }
  const uint64_t magnitude = l < 0 ? static_cast<uint64_t>(-l) : static_cast<uint64_t>(l);
  if (withvalues && magnitude > static_cast<uint64_t>(INT64_MAX) / 2) {  // the pairs' count must not overflow
    c.out.error("ERR value is out of range");
    return;
  }
  Hash h;
  const Blob* b;
  if (!hash_at(c, c.arg(1), true, &h, &b)) return;
  if (b == nullptr || magnitude == 0) {
    c.out.array(0);
    return;
  }
  if (l < 0 && magnitude > kMaxRandomReplyEntries) {  // a positive count is at most the hash
    c.out.error("ERR value is out of range: tmkv's HRANDFIELD returns at most 10000000 fields");
    return;
  }
  const uint64_t size = h.size();
  std::uniform_int_distribution<uint64_t> pick(0, size - 1);
  if (l < 0 || magnitude == 1) {  // with repetitions (or just one)
    reply_random_header(c, magnitude, withvalues);
    for (uint64_t i = 0; i < magnitude; ++i) reply_random_entry(c, h.at(pick(rng)), withvalues);
    return;
  }
  if (magnitude >= size) {  // the whole hash
    const std::vector<HashEntry> all = h.entries();
    reply_random_header(c, all.size(), withvalues);
    for (const HashEntry& e : all) reply_random_entry(c, e, withvalues);
    return;
  }
  const std::vector<uint64_t> chosen = distinct_positions(magnitude, size);
  reply_random_header(c, chosen.size(), withvalues);
  for (uint64_t i : chosen) reply_random_entry(c, h.at(i), withvalues);
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
void cmd_hscan(CommandContext& c) {
  CollectionScan scan;
  if (!begin_collection_scan(c, ValueType::kHash, &scan)) return;
  std::vector<HashEntry> entries;
  uint64_t next = 0;
  if (std::string_view(scan.value.encoding()) == "listpack") {
    entries = scan.value.entries();  // as Redis: a listpack is returned whole, cursor 0
  } else {
    next = scan.value.scan(scan.cursor, scan.count, &entries);
  }
  std::vector<const HashEntry*> shown;
  for (const HashEntry& e : entries) {
    if (scan.matches(e.field)) shown.push_back(&e);
  }
  c.out.array(2);
  c.out.bulk(std::to_string(next));
  c.out.array(shown.size() * 2);
  for (const HashEntry* e : shown) {
    c.out.bulk(e->field);
    c.out.bulk(e->value);
  }
}

}  // namespace

void register_hash_commands(std::vector<CommandSpec>& t) {
  const uint32_t R = kTransactional | kReadOnly;
  const uint32_t W = kTransactional | kWrite;
  const char* g = "hash";
  t.push_back({"hset", -4, W | kFast | kDenyOom, 1, 1, 1, g, "Creates or modifies the value of a field in a hash.", cmd_hset});
  t.push_back({"hmset", -4, W | kFast | kDenyOom, 1, 1, 1, g, "Sets the values of multiple fields.", cmd_hmset});
  t.push_back({"hsetnx", 4, W | kFast | kDenyOom, 1, 1, 1, g, "Sets the value of a field in a hash only when the field doesn't exist.", cmd_hsetnx});
  t.push_back({"hget", 3, R | kFast, 1, 1, 1, g, "Returns the value of a field in a hash.", cmd_hget});
  t.push_back({"hmget", -3, R | kFast, 1, 1, 1, g, "Returns the values of all fields in a hash.", cmd_hmget});
  t.push_back({"hdel", -3, W | kFast, 1, 1, 1, g, "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.", cmd_hdel});
  t.push_back({"hlen", 2, R | kFast, 1, 1, 1, g, "Returns the number of fields in a hash.", cmd_hlen});
  t.push_back({"hstrlen", 3, R | kFast, 1, 1, 1, g, "Returns the length of the value of a field.", cmd_hstrlen});
  t.push_back({"hexists", 3, R | kFast, 1, 1, 1, g, "Determines whether a field exists in a hash.", cmd_hexists});
  t.push_back({"hincrby", 4, W | kFast | kDenyOom, 1, 1, 1, g, "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.", cmd_hincrby});
  t.push_back({"hincrbyfloat", 4, W | kFast | kDenyOom, 1, 1, 1, g, "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.", cmd_hincrbyfloat});
  t.push_back({"hgetall", 2, R, 1, 1, 1, g, "Returns all fields and values in a hash.", cmd_hgetall});
  t.push_back({"hkeys", 2, R, 1, 1, 1, g, "Returns all fields in a hash.", cmd_hkeys});
  t.push_back({"hvals", 2, R, 1, 1, 1, g, "Returns all values in a hash.", cmd_hvals});
  t.push_back({"hrandfield", -2, R, 1, 1, 1, g, "Returns one or more random fields from a hash.", cmd_hrandfield});
  t.push_back({"hscan", -3, R, 1, 1, 1, g, "Iterates over fields and values of a hash.", cmd_hscan});
}

}  // namespace tmkv::server
