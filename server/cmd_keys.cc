// Keyspace commands: DEL, EXISTS, TOUCH, TYPE, RENAME, COPY, MOVE, KEYS, SCAN, expiry,
// DBSIZE and FLUSH. Multi-key ones (DEL k1 k2, RENAME, COPY, FLUSHALL) run
// as one transaction, so no client ever sees them half done.
#include <optional>
#include <random>

#include "server/client.h"
#include "server/cmd_util.h"
#include "server/command.h"
#include "server/keyspace_events.h"
#include "server/server.h"
#include "server/tracking.h"
#include "store/access_clock.h"
#include "store/clock.h"

namespace tmkv::server {
namespace {

using store::Blob;

void cmd_del(CommandContext& c) {
  int64_t n = 0;
  for (size_t i = 1; i < c.argc(); ++i) {
    if (!c.db().del(*c.tx, c.arg(i))) continue;
    ++n;
    notify_keyspace_event(c, kNotifyGeneric, "del", c.arg(i));
  }
  c.out.integer(n);
}

// EXISTS leaves the keys' access time alone (Redis's LOOKUP_NOTOUCH);
// TOUCH is the same count, made for updating it.
void count_present(CommandContext& c) {
  int64_t n = 0;
  for (size_t i = 1; i < c.argc(); ++i) n += lookup_for_read(c, c.arg(i)) != nullptr ? 1 : 0;
  c.out.integer(n);
}

void cmd_exists(CommandContext& c) {
  const store::ScopedNoTouch no_touch;
  count_present(c);
}

// The types a blocked client may wait for (Redis's signalKeyAsReady in
// dbAdd fires for lists, sorted sets and streams alike).
bool serves_blocked_pop(store::ValueType t) {
  return t == store::ValueType::kList || t == store::ValueType::kZSet || t == store::ValueType::kStream;
}

const char* type_name(const Blob* b) {
  if (b == nullptr) return "none";
  switch (b->type()) {
    case store::ValueType::kString:
      return "string";
    case store::ValueType::kHash:
      return "hash";
    case store::ValueType::kSet:
      return "set";
    case store::ValueType::kList:
      return "list";
    case store::ValueType::kZSet:
      return "zset";
    case store::ValueType::kStream:
      return "stream";
  }
  return "none";
}

void cmd_type(CommandContext& c) {
  const store::ScopedNoTouch no_touch;
  c.out.simple(type_name(lookup_for_read(c, c.arg(1))));
}

void rename_generic(CommandContext& c, bool nx) {
  const std::string_view src = c.arg(1), dst = c.arg(2);
  const Blob* b = c.db().lookup(*c.tx, src);
  if (b == nullptr) {
    c.out.error("ERR no such key");
    return;
  }
  if (src == dst) {
    if (nx) {
      c.out.integer(0);
    } else {
      c.out.ok();
    }
    return;
  }
  if (nx && c.db().exists(*c.tx, dst)) {
    c.out.integer(0);
    return;
  }
  // Copy out before writing: the view dies with the blob when src is deleted
  // at commit, and put() may run reap jobs.
  const store::ValueType type = b->type();
  const int64_t expire_at = b->expire_at_ms();
  const uint32_t access = b->access();  // the key moves with its access time, as Redis's object does
  std::string value(b->view());
  c.db().del(*c.tx, src);
  // As Redis: a destination that exists is deleted, then the key added (so
  // "new" keyspace events tell it either way).
  c.db().del(*c.tx, dst);
  store::OpStatus s = c.db().put(*c.tx, dst, type, value, expire_at, access);
  if (s != store::OpStatus::kOk) {
    reply_status(c.out, s);
    return;
  }
  notify_keyspace_event(c, kNotifyGeneric, "rename_from", src);
  notify_keyspace_event(c, kNotifyGeneric, "rename_to", dst);
  // As Redis's dbAdd: a list or sorted set arriving under a key serves a
  // client blocked on it (BLPOP, BZPOPMIN, ...).
  if (serves_blocked_pop(type)) blocking_key_ready(c, dst, c.client.db);
  if (nx) {
    c.out.integer(1);
  } else {
    c.out.ok();
  }
}
void cmd_rename(CommandContext& c) { rename_generic(c, false); }
void cmd_renamenx(CommandContext& c) { rename_generic(c, true); }

// COPY source destination [DB destination-db] [REPLACE]
void cmd_copy(CommandContext& c) {
  unsigned dst_db = c.client.db;
  bool replace = false;
  for (size_t i = 3; i < c.argc(); ++i) {
    std::string opt = to_lower(c.arg(i));
    if (opt == "replace") {
      replace = true;
    } else if (opt == "db" && i + 1 < c.argc()) {
      if (!get_db_index_or_reply(c, c.arg(++i), &dst_db)) return;
    } else {
      c.out.syntax_error();
      return;
    }
  }
  if (dst_db == c.client.db && c.arg(1) == c.arg(2)) {
    c.out.error("ERR source and destination objects are the same");
    return;
  }
  const Blob* b = lookup_for_read(c, c.arg(1));
  if (b == nullptr) {
    c.out.integer(0);
    return;
  }
  store::Store& to = c.server.db(dst_db);
  if (!replace && to.exists(*c.tx, c.arg(2))) {
    c.out.integer(0);
    return;
  }
  const store::ValueType type = b->type();
  const int64_t expire_at = b->expire_at_ms();
  std::string value(b->view());
  if (replace) to.del(*c.tx, c.arg(2));  // as Redis: deleted, then added ("new" either way)
  store::OpStatus s = to.put(*c.tx, c.arg(2), type, value, expire_at);
  if (s != store::OpStatus::kOk) {
    reply_status(c.out, s);
    return;
  }
  notify_keyspace_event(c, kNotifyGeneric, "copy_to", c.arg(2), dst_db);
  if (serves_blocked_pop(type)) blocking_key_ready(c, c.arg(2), dst_db);
  c.out.integer(1);
}

// TOUCH key [key ...]: Redis counts the keys that exist, each argument
// once per mention, through a read lookup (a keyspace hit or miss each).
// The lookup updates each key's access time (LRU clock or LFU counter).
void cmd_touch(CommandContext& c) {
  const store::ScopedNoTouch touch(false);  // even for a CLIENT NO-TOUCH client, as in Redis
  count_present(c);
}

// MOVE key db: one transaction over both databases, so no client ever sees
// the key in both or in neither.
void cmd_move(CommandContext& c) {
  unsigned dst_db;
  if (!get_db_index_or_reply(c, c.arg(2), &dst_db)) return;
  if (dst_db == c.client.db) {
    c.out.error("ERR source and destination objects are the same");
    return;
  }
  const std::string_view key = c.arg(1);
  const Blob* b = c.db().lookup(*c.tx, key);  // a write's lookup: no hit/miss, as in Redis
  store::Store& to = c.server.db(dst_db);
  if (b == nullptr || to.exists(*c.tx, key)) {
    c.out.integer(0);
    return;
  }
  // Copy out before writing (see rename_generic).
  const store::ValueType type = b->type();
  const int64_t expire_at = b->expire_at_ms();
  std::string value(b->view());
  store::OpStatus s = to.put(*c.tx, key, type, value, expire_at, b->access());
  if (s != store::OpStatus::kOk) {
    reply_status(c.out, s);
    return;
  }
  c.db().del(*c.tx, key);
  notify_keyspace_event(c, kNotifyGeneric, "move_from", key);
  notify_keyspace_event(c, kNotifyGeneric, "move_to", key, dst_db);
  if (serves_blocked_pop(type)) blocking_key_ready(c, key, dst_db);
  c.out.integer(1);
}

void cmd_keys(CommandContext& c) {
  std::vector<std::string> keys;
  uint64_t cursor = 0;
  do {
    cursor = c.db().scan(*c.tx, cursor, 1024, &keys);
  } while (cursor != 0);
  const std::string_view pattern = c.arg(1);
  const bool all = pattern == "*";
  size_t n = 0;
  for (const std::string& k : keys) n += (all || glob_match(pattern, k)) ? 1 : 0;
  c.out.array(n);
  for (const std::string& k : keys) {
    if (all || glob_match(pattern, k)) c.out.bulk(k);
  }
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
void cmd_scan(CommandContext& c) {
  uint64_t cursor = 0;
  if (!parse_cursor_or_reply(c.out, c.arg(1), &cursor)) return;
  std::optional<std::string_view> pattern;  // MATCH "" matches only the empty key
  std::string type;
  int64_t count = 10;
  for (size_t i = 2; i < c.argc(); i += 2) {
    std::string opt = to_lower(c.arg(i));
    if (i + 1 >= c.argc()) {
      c.out.syntax_error();
      return;
    }
    if (opt == "count") {
      if (!get_ll_or_reply(c.out, c.arg(i + 1), &count)) return;
      if (count < 1) {
        c.out.syntax_error();
        return;
      }
    } else if (opt == "match") {
      pattern = c.arg(i + 1);
    } else if (opt == "type") {
      type = to_lower(c.arg(i + 1));
    } else {
      c.out.syntax_error();
      return;
    }
  }
  // Redis's SCAN loop: walk `count` buckets at a time until `count` keys are
  // found or 10 x count buckets were visited, so a sparse table does not
  // cost a round trip per few empty buckets.
  std::vector<std::string> keys;
  const size_t step = static_cast<size_t>(std::min<int64_t>(count, 1 << 20));
  uint64_t next = cursor;
  size_t visited = 0;
  do {
    next = c.db().scan(*c.tx, next, step, &keys);
    visited += step;
  } while (next != 0 && keys.size() < step && visited < 10 * step);
  std::vector<const std::string*> shown;
  for (const std::string& k : keys) {
    if (pattern && *pattern != "*" && !glob_match(*pattern, k)) continue;
    if (!type.empty()) {
      // As Redis, the TYPE filter looks the key up as a read (a keyspace
      // hit, or a miss if it expired since the scan saw it).
      const Blob* b = lookup_for_read(c, k);
      if (b == nullptr || std::string_view(type_name(b)) != type) continue;
    }
    shown.push_back(&k);
  }
  c.out.array(2);
  c.out.bulk(std::to_string(next));
  c.out.array(shown.size());
  for (const std::string* k : shown) c.out.bulk(*k);
}

void cmd_randomkey(CommandContext& c) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  auto k = c.db().random_key(*c.tx, rng());
  if (k) {
    c.out.bulk(*k);
  } else {
    c.out.null();
  }
}

// EXPIRE key seconds [NX|XX|GT|LT] and its three siblings.
void expire_generic(CommandContext& c, int64_t unit_ms, bool absolute, const char* name) {
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t i = 3; i < c.argc(); ++i) {
    std::string opt = to_lower(c.arg(i));
    if (opt == "nx") {
      nx = true;
    } else if (opt == "xx") {
      xx = true;
    } else if (opt == "gt") {
      gt = true;
    } else if (opt == "lt") {
      lt = true;
    } else {
      c.out.error("ERR Unsupported option " + std::string(c.arg(i)));
      return;
    }
  }
  if (nx && (xx || gt || lt)) {
    c.out.error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return;
  }
  if (gt && lt) {
    c.out.error("ERR GT and LT options at the same time are not compatible");
    return;
  }
  int64_t when;
  if (!get_ll_or_reply(c.out, c.arg(2), &when)) return;
  auto invalid = [&] { c.out.error(std::string("ERR invalid expire time in '") + name + "' command"); };
  if (unit_ms == 1000) {
    if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) return invalid();
    when *= 1000;
  }
  if (!absolute) {
    const int64_t now = store::now_ms();
    if (when > INT64_MAX - now) return invalid();
    when += now;
  }
  const Blob* b = c.db().lookup(*c.tx, c.arg(1));
  if (b == nullptr) {
    c.out.integer(0);
    return;
  }
  const int64_t current = b->expire_at_ms();  // 0 = none (infinite)
  if ((nx && current != 0) || (xx && current == 0) || (gt && (current == 0 || when <= current)) ||
      (lt && current != 0 && when >= current)) {
    c.out.integer(0);
    return;
  }
  if (when <= store::now_ms()) {
    c.db().del(*c.tx, c.arg(1));
    notify_keyspace_event(c, kNotifyGeneric, "del", c.arg(1));
    c.out.integer(1);
    return;
  }
  const store::ValueType type = b->type();
  std::string value(b->view());
  store::OpStatus s = c.db().put(*c.tx, c.arg(1), type, value, when);
  if (s != store::OpStatus::kOk) {
    reply_status(c.out, s);
    return;
  }
  notify_keyspace_event(c, kNotifyGeneric, "expire", c.arg(1));
  c.out.integer(1);
}
void cmd_expire(CommandContext& c) { expire_generic(c, 1000, false, "expire"); }
void cmd_pexpire(CommandContext& c) { expire_generic(c, 1, false, "pexpire"); }
void cmd_expireat(CommandContext& c) { expire_generic(c, 1000, true, "expireat"); }
void cmd_pexpireat(CommandContext& c) { expire_generic(c, 1, true, "pexpireat"); }

void ttl_generic(CommandContext& c, bool ms) {
  const store::ScopedNoTouch no_touch;
  const Blob* b = lookup_for_read(c, c.arg(1));
  if (b == nullptr) {
    c.out.integer(-2);
    return;
  }
  const int64_t at = b->expire_at_ms();
  if (at == 0) {
    c.out.integer(-1);
    return;
  }
  int64_t left = at - store::now_ms();
  if (left < 0) left = 0;
  c.out.integer(ms ? left : (left + 500) / 1000);
}
void cmd_ttl(CommandContext& c) { ttl_generic(c, false); }
void cmd_pttl(CommandContext& c) { ttl_generic(c, true); }

void expiretime_generic(CommandContext& c, bool ms) {
  const store::ScopedNoTouch no_touch;
  const Blob* b = lookup_for_read(c, c.arg(1));
  if (b == nullptr) {
    c.out.integer(-2);
  } else if (b->expire_at_ms() == 0) {
    c.out.integer(-1);
  } else {
    c.out.integer(ms ? b->expire_at_ms() : b->expire_at_ms() / 1000);
  }
}
void cmd_expiretime(CommandContext& c) { expiretime_generic(c, false); }
void cmd_pexpiretime(CommandContext& c) { expiretime_generic(c, true); }

void cmd_persist(CommandContext& c) {
  const Blob* b = c.db().lookup(*c.tx, c.arg(1));
  if (b == nullptr || b->expire_at_ms() == 0) {
    c.out.integer(0);
    return;
  }
  const store::ValueType type = b->type();
  std::string value(b->view());
  c.db().put(*c.tx, c.arg(1), type, value, 0);
  notify_keyspace_event(c, kNotifyGeneric, "persist", c.arg(1));
  c.out.integer(1);
}

void cmd_dbsize(CommandContext& c) {
  // Inside EXEC the count must see the block's own writes: count them in
  // the transaction (O(keys), as rare as DBSIZE inside MULTI). Elsewhere the
  // per-thread presence counters answer in O(threads).
  if (c.in_exec && c.tx != nullptr) {
    c.out.integer(static_cast<int64_t>(c.db().count_keys(*c.tx)));
    return;
  }
  c.out.integer(static_cast<int64_t>(c.db().size()));
}

bool flush_args_ok(CommandContext& c) {
  if (c.argc() > 2) {
    c.out.syntax_error();
    return false;
  }
  if (c.argc() == 2) {
    std::string opt = to_lower(c.arg(1));
    if (opt != "async" && opt != "sync") {
      c.out.syntax_error();
      return false;
    }
  }
  return true;
}

void cmd_flushdb(CommandContext& c) {
  if (!flush_args_ok(c)) return;
  c.client.changes_pending += c.db().flush(*c.tx);  // Redis's dirty counts the keys removed
  tracking_note_flush(c);  // Redis invalidates every tracked key, whichever db
  c.out.ok();
}

void cmd_flushall(CommandContext& c) {
  if (!flush_args_ok(c)) return;
  for (unsigned i = 0; i < c.server.database_count(); ++i) c.client.changes_pending += c.server.db(i).flush(*c.tx);
  c.client.flushall_pending = true;
  tracking_note_flush(c);
  c.out.ok();
}

}  // namespace

void register_key_commands(std::vector<CommandSpec>& t) {
  const uint32_t R = kTransactional | kReadOnly;
  const uint32_t W = kTransactional | kWrite;
  t.push_back({"del", -2, W, 1, -1, 1, "generic", "Deletes one or more keys.", cmd_del});
  t.push_back({"unlink", -2, W | kFast, 1, -1, 1, "generic", "Asynchronously deletes one or more keys.", cmd_del});
  t.push_back({"exists", -2, R | kFast, 1, -1, 1, "generic", "Determines whether one or more keys exist.", cmd_exists});
  t.push_back({"type", 2, R | kFast, 1, 1, 1, "generic", "Determines the type of value stored at a key.", cmd_type});
  t.push_back({"rename", 3, W, 1, 2, 1, "generic", "Renames a key and overwrites the destination.", cmd_rename});
  t.push_back({"renamenx", 3, W | kFast, 1, 2, 1, "generic", "Renames a key only when the target key name doesn't exist.", cmd_renamenx});
  t.push_back({"copy", -3, W | kDenyOom, 1, 2, 1, "generic", "Copies the value of a key to a new key.", cmd_copy});
  t.push_back({"touch", -2, R | kFast, 1, -1, 1, "generic", "Returns the number of existing keys out of those specified after updating the time they were last accessed.", cmd_touch});
  t.push_back({"move", 3, W | kFast, 1, 1, 1, "generic", "Moves a key to another database.", cmd_move});
  t.push_back({"keys", 2, R, 0, 0, 0, "generic", "Returns all key names that match a pattern.", cmd_keys});
  t.push_back({"scan", -2, R, 0, 0, 0, "generic", "Iterates over the key names in the database.", cmd_scan});
  t.push_back({"randomkey", 1, R, 0, 0, 0, "generic", "Returns a random key name from the database.", cmd_randomkey});
  t.push_back({"expire", -3, W | kFast, 1, 1, 1, "generic", "Sets the expiration time of a key in seconds.", cmd_expire});
  t.push_back({"pexpire", -3, W | kFast, 1, 1, 1, "generic", "Sets the expiration time of a key in milliseconds.", cmd_pexpire});
  t.push_back({"expireat", -3, W | kFast, 1, 1, 1, "generic", "Sets the expiration time of a key to a Unix timestamp.", cmd_expireat});
  t.push_back({"pexpireat", -3, W | kFast, 1, 1, 1, "generic", "Sets the expiration time of a key to a Unix milliseconds timestamp.", cmd_pexpireat});
  t.push_back({"ttl", 2, R | kFast, 1, 1, 1, "generic", "Returns the expiration time in seconds of a key.", cmd_ttl});
  t.push_back({"pttl", 2, R | kFast, 1, 1, 1, "generic", "Returns the expiration time in milliseconds of a key.", cmd_pttl});
  t.push_back({"expiretime", 2, R | kFast, 1, 1, 1, "generic", "Returns the expiration time of a key as a Unix timestamp.", cmd_expiretime});
  t.push_back({"pexpiretime", 2, R | kFast, 1, 1, 1, "generic", "Returns the expiration time of a key as a Unix milliseconds timestamp.", cmd_pexpiretime});
  t.push_back({"persist", 2, W | kFast, 1, 1, 1, "generic", "Removes the expiration time of a key.", cmd_persist});
  t.push_back({"dbsize", 1, kTransactional | kReadOnly | kFast, 0, 0, 0, "server", "Returns the number of keys in the database.", cmd_dbsize});
  t.push_back({"flushdb", -1, W, 0, 0, 0, "server", "Removes all keys from the current database.", cmd_flushdb});
  t.push_back({"flushall", -1, W, 0, 0, 0, "server", "Removes all keys from all databases.", cmd_flushall});
}

}  // namespace tmkv::server
