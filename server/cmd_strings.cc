// String commands: GET, SET and friends, with Redis 7's semantics and error
// texts. Every handler runs inside the dispatcher's transaction (ctx.tx), so
// read-check-write sequences such as SET NX GET or MSETNX are atomic.
#include <cmath>
#include <cstring>

#include "server/cmd_util.h"
#include "server/command.h"
#include "server/keyspace_events.h"
#include "server/server.h"
#include "store/clock.h"

namespace tmkv::server {
namespace {

using store::Blob;
using store::OpStatus;
using store::ValueType;

bool born_expired(int64_t expire_at) { return expire_at != 0 && expire_at <= store::now_ms(); }

// Writes a string with an absolute expiry (0 = none); a time already in the
// past deletes the key instead (see born_expired).
bool write_string(CommandContext& c, std::string_view key, std::string_view value, int64_t expire_at) {
  const bool gone = born_expired(expire_at);
  OpStatus s = c.db().put(*c.tx, key, ValueType::kString, value, gone ? 0 : expire_at);
  if (s != OpStatus::kOk) {
    reply_status(c.out, s);
    return false;
  }
  // Already expired: Redis stores it and lets it expire, which WATCH sees as
  // a modification even of a key that was absent. Writing then deleting in
  // the same transaction commits exactly that: a new version, no value.
  // (A plain delete: whether it counts as an expiry is the caller's call.)
  if (gone) c.db().del(*c.tx, key);
  return true;
}

void cmd_get(CommandContext& c) {
  const Blob* b;
  if (!lookup_string_or_reply(c, c.arg(1), &b, true)) return;
  if (b == nullptr) {
    c.out.null();
  } else {
    c.out.bulk(b->view());
  }
}

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms-ts|KEEPTTL]
void cmd_set(CommandContext& c) {
  bool nx = false, xx = false, get = false, keepttl = false;
  std::string expire_kind;  // "ex", "px", "exat" or "pxat"; the last one given wins
  size_t expire_value = 0;  // its argument index
  for (size_t i = 3; i < c.argc(); ++i) {
    std::string opt = to_lower(c.arg(i));
    const bool has_next = i + 1 < c.argc();
    if (opt == "nx" && !xx) {
      nx = true;
    } else if (opt == "xx" && !nx) {
      xx = true;
    } else if (opt == "get") {
      get = true;
    } else if (opt == "keepttl" && expire_kind.empty()) {
      keepttl = true;
    } else if ((opt == "ex" || opt == "px" || opt == "exat" || opt == "pxat") && !keepttl &&
               (expire_kind.empty() || expire_kind == opt) && has_next) {
      // Redis accepts the same unit twice (the later wins) but not two units.
      expire_kind = opt;
      expire_value = ++i;
    } else {
      c.out.syntax_error();
      return;
    }
  }
  // The value is checked only once the whole option list parsed (Redis
  // reports a syntax error before a bad number).
  int64_t expire_at = 0;
  if (!expire_kind.empty()) {
    const bool seconds = expire_kind == "ex" || expire_kind == "exat";
    const bool absolute = expire_kind == "exat" || expire_kind == "pxat";
    if (!parse_expire_or_reply(c.out, c.arg(expire_value), seconds ? 1000 : 1, absolute, store::now_ms(), "set",
                               &expire_at)) {
      return;
    }
  }
  const std::string_view key = c.arg(1);
  const Blob* old = nullptr;
  if (get) {
    if (!lookup_string_or_reply(c, key, &old, true)) return;
  } else if (nx || xx || keepttl) {
    old = c.db().lookup(*c.tx, key);
  }
  const bool exists = old != nullptr;
  auto reply_skipped = [&] {
    if (get) {
      if (old) {
        c.out.bulk(old->view());
      } else {
        c.out.null();
      }
    } else {
      c.out.null();
    }
  };
  if ((nx && exists) || (xx && !exists)) {
    reply_skipped();
    return;
  }
  std::string old_value = old ? std::string(old->view()) : std::string();
  if (keepttl && old) expire_at = old->expire_at_ms();
  if (!write_string(c, key, c.arg(2), expire_at)) return;
  notify_keyspace_event(c, kNotifyString, "set", key);
  if (!expire_kind.empty()) notify_keyspace_event(c, kNotifyGeneric, "expire", key);
  if (born_expired(expire_at)) {
    // Redis keeps it until it reclaims it as expired: the same count and
    // event, told now (tmkv deleted it already).
    c.db().count_expired_at_commit(*c.tx);
    notify_keyspace_event(c, kNotifyExpired, "expired", key);
  }
  if (get) {
    if (exists) {
      c.out.bulk(old_value);
    } else {
      c.out.null();
    }
  } else {
    c.out.ok();
  }
}

void cmd_setnx(CommandContext& c) {
  if (c.db().lookup(*c.tx, c.arg(1)) != nullptr) {
    c.out.integer(0);
    return;
  }
  if (!write_string(c, c.arg(1), c.arg(2), 0)) return;
  notify_keyspace_event(c, kNotifyString, "set", c.arg(1));
  c.out.integer(1);
}

void setex_generic(CommandContext& c, int64_t unit_ms, std::string_view name) {
  int64_t at;
  if (!parse_expire_or_reply(c.out, c.arg(2), unit_ms, false, store::now_ms(), name, &at)) return;
  if (!write_string(c, c.arg(1), c.arg(3), at)) return;
  notify_keyspace_event(c, kNotifyString, "set", c.arg(1));
  notify_keyspace_event(c, kNotifyGeneric, "expire", c.arg(1));
  c.out.ok();
}
void cmd_setex(CommandContext& c) { setex_generic(c, 1000, "setex"); }
void cmd_psetex(CommandContext& c) { setex_generic(c, 1, "psetex"); }

void cmd_getset(CommandContext& c) {
  const Blob* old;
  if (!lookup_string_or_reply(c, c.arg(1), &old, true)) return;
  std::string prev = old ? std::string(old->view()) : std::string();
  const bool existed = old != nullptr;
  if (!write_string(c, c.arg(1), c.arg(2), 0)) return;
  notify_keyspace_event(c, kNotifyString, "set", c.arg(1));
  if (existed) {
    c.out.bulk(prev);
  } else {
    c.out.null();
  }
}

void cmd_getdel(CommandContext& c) {
  const Blob* old;
  if (!lookup_string_or_reply(c, c.arg(1), &old, true)) return;
  if (old == nullptr) {
    c.out.null();
    return;
  }
  std::string prev(old->view());
  c.db().del(*c.tx, c.arg(1));
  notify_keyspace_event(c, kNotifyGeneric, "del", c.arg(1));
  c.out.bulk(prev);
}

// GETEX key [EX s|PX ms|EXAT ts|PXAT ms-ts|PERSIST]. Redis's order: option
// syntax, then nil for a missing key, then the type, then the time value. A
// repeated option is accepted and the last one wins.
void cmd_getex(CommandContext& c) {
  enum { kNone, kSet, kPersist } action = kNone;
  size_t value_index = 0;
  std::string unit;
  for (size_t i = 2; i < c.argc(); ++i) {
    std::string opt = to_lower(c.arg(i));
    if ((opt == "ex" || opt == "px" || opt == "exat" || opt == "pxat") && action != kPersist &&
        (action == kNone || unit == opt) && i + 1 < c.argc()) {
      action = kSet;
      unit = opt;
      value_index = ++i;
    } else if (opt == "persist" && action != kSet) {
      action = kPersist;
    } else {
      c.out.syntax_error();
      return;
    }
  }
  const Blob* b;
  if (!lookup_string_or_reply(c, c.arg(1), &b, true)) return;
  if (b == nullptr) {
    c.out.null();
    return;
  }
  int64_t at = 0;
  if (action == kSet) {
    const bool seconds = unit == "ex" || unit == "exat";
    const bool absolute = unit == "exat" || unit == "pxat";
    if (!parse_expire_or_reply(c.out, c.arg(value_index), seconds ? 1000 : 1, absolute, store::now_ms(), "getex",
                               &at)) {
      return;
    }
  }
  std::string value(b->view());
  if (action == kSet) {
    if (!write_string(c, c.arg(1), value, at)) return;
    // A time already past deletes the key (write_string), as in Redis.
    notify_keyspace_event(c, kNotifyGeneric, born_expired(at) ? "del" : "expire", c.arg(1));
  } else if (action == kPersist && b->expire_at_ms() != 0) {
    if (!write_string(c, c.arg(1), value, 0)) return;
    notify_keyspace_event(c, kNotifyGeneric, "persist", c.arg(1));
  }
  c.out.bulk(value);
}

void cmd_mget(CommandContext& c) {
  c.out.array(c.argc() - 1);
  for (size_t i = 1; i < c.argc(); ++i) {
    const Blob* b = lookup_for_read(c, c.arg(i));
    if (b == nullptr || b->type() != ValueType::kString) {
      c.out.null();
    } else {
      c.out.bulk(b->view());
    }
  }
}

void cmd_mset(CommandContext& c) {
  if (c.argc() % 2 == 0) {
    c.out.wrong_arity("mset");
    return;
  }
  for (size_t i = 2; i < c.argc(); i += 2) {
    if (c.arg(i).size() > c.db().max_value_bytes()) {
      reply_status(c.out, OpStatus::kValueTooLarge);
      return;
    }
  }
  for (size_t i = 1; i < c.argc(); i += 2) {
    if (!write_string(c, c.arg(i), c.arg(i + 1), 0)) return;
    notify_keyspace_event(c, kNotifyString, "set", c.arg(i));
  }
  c.out.ok();
}

void cmd_msetnx(CommandContext& c) {
  if (c.argc() % 2 == 0) {
    c.out.wrong_arity("msetnx");
    return;
  }
  for (size_t i = 1; i < c.argc(); i += 2) {
    if (c.db().lookup(*c.tx, c.arg(i)) != nullptr) {
      c.out.integer(0);
      return;
    }
  }
  for (size_t i = 1; i < c.argc(); i += 2) {
    if (!write_string(c, c.arg(i), c.arg(i + 1), 0)) return;
    notify_keyspace_event(c, kNotifyString, "set", c.arg(i));
  }
  c.out.integer(1);
}

void incr_generic(CommandContext& c, int64_t delta) {
  auto r = c.db().incrby(*c.tx, c.arg(1), delta);
  if (!r.ok()) {
    reply_status(c.out, r.status());
    return;
  }
  notify_keyspace_event(c, kNotifyString, "incrby", c.arg(1));
  c.out.integer(r.value());
}

void cmd_incr(CommandContext& c) { incr_generic(c, 1); }
void cmd_decr(CommandContext& c) { incr_generic(c, -1); }
void cmd_incrby(CommandContext& c) {
  int64_t d;
  if (get_ll_or_reply(c.out, c.arg(2), &d)) incr_generic(c, d);
}
void cmd_decrby(CommandContext& c) {
  int64_t d;
  if (!get_ll_or_reply(c.out, c.arg(2), &d)) return;
  if (d == INT64_MIN) {
    c.out.error("ERR decrement would overflow");
    return;
  }
  incr_generic(c, -d);
}

void cmd_incrbyfloat(CommandContext& c) {
  auto incr = parse_ld(c.arg(2));
  const Blob* b;
  if (!lookup_string_or_reply(c, c.arg(1), &b, false)) return;
  long double cur = 0;
  if (b != nullptr) {
    auto v = parse_ld(b->view());
    if (!v) {
      c.out.error("ERR value is not a valid float");
      return;
    }
    cur = *v;
  }
  if (!incr) {
    c.out.error("ERR value is not a valid float");
    return;
  }
  long double result = cur + *incr;
  if (std::isnan(result) || std::isinf(result)) {
    c.out.error("ERR increment would produce NaN or Infinity");
    return;
  }
  std::string text = format_ld(result);
  if (!write_string(c, c.arg(1), text, b ? b->expire_at_ms() : 0)) return;
  notify_keyspace_event(c, kNotifyString, "incrbyfloat", c.arg(1));
  c.out.bulk(text);
}

void cmd_append(CommandContext& c) {
  const Blob* b;
  if (!lookup_string_or_reply(c, c.arg(1), &b, false)) return;
  std::string_view add = c.arg(2);
  const size_t old_len = b ? b->size : 0;
  if (old_len + add.size() > c.db().max_value_bytes()) {
    reply_status(c.out, OpStatus::kValueTooLarge);
    return;
  }
  std::string v;
  v.reserve(old_len + add.size());
  if (b) v.append(b->view());
  v.append(add);
  if (!write_string(c, c.arg(1), v, b ? b->expire_at_ms() : 0)) return;
  notify_keyspace_event(c, kNotifyString, "append", c.arg(1));
  c.out.integer(static_cast<int64_t>(v.size()));
}

void cmd_strlen(CommandContext& c) {
  const Blob* b;
  if (!lookup_string_or_reply(c, c.arg(1), &b, true)) return;
  c.out.integer(b ? static_cast<int64_t>(b->size) : 0);
}

void cmd_getrange(CommandContext& c) {
  int64_t start, end;
  if (!get_ll_or_reply(c.out, c.arg(2), &start) || !get_ll_or_reply(c.out, c.arg(3), &end)) return;
  const Blob* b;
  if (!lookup_string_or_reply(c, c.arg(1), &b, true)) return;
  std::string_view s = b ? b->view() : std::string_view();
  const int64_t len = static_cast<int64_t>(s.size());
  // Redis 7.0's getrangeCommand arithmetic.
  if (start < 0 && end < 0 && start > end) {
    c.out.bulk("");
    return;
  }
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) {
    c.out.bulk("");
    return;
  }
  c.out.bulk(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1)));
}

void cmd_setrange(CommandContext& c) {
  int64_t offset;
  if (!get_ll_or_reply(c.out, c.arg(2), &offset)) return;
  if (offset < 0) {
    c.out.error("ERR offset is out of range");
    return;
  }
  std::string_view value = c.arg(3);
  const Blob* b;
  if (!lookup_string_or_reply(c, c.arg(1), &b, false)) return;
  if (b == nullptr && value.empty()) {
    c.out.integer(0);
    return;
  }
  if (static_cast<uint64_t>(offset) + value.size() > c.db().max_value_bytes()) {
    reply_status(c.out, OpStatus::kValueTooLarge);
    return;
  }
  if (value.empty()) {
    c.out.integer(b ? static_cast<int64_t>(b->size) : 0);
    return;
  }
  std::string v = b ? std::string(b->view()) : std::string();
  const size_t need = static_cast<size_t>(offset) + value.size();
  if (v.size() < need) v.resize(need, '\0');
  std::memcpy(v.data() + offset, value.data(), value.size());
  if (!write_string(c, c.arg(1), v, b ? b->expire_at_ms() : 0)) return;
  notify_keyspace_event(c, kNotifyString, "setrange", c.arg(1));
  c.out.integer(static_cast<int64_t>(v.size()));
}

}  // namespace

void register_string_commands(std::vector<CommandSpec>& t) {
  const uint32_t R = kTransactional | kReadOnly | kFast;
  const uint32_t W = kTransactional | kWrite;
  t.push_back({"get", 2, R, 1, 1, 1, "string", "Returns the string value of a key.", cmd_get});
  t.push_back({"set", -3, W | kDenyOom, 1, 1, 1, "string", "Sets the string value of a key, ignoring its type.", cmd_set});
  t.push_back({"setnx", 3, W | kFast | kDenyOom, 1, 1, 1, "string", "Set the string value of a key only when the key doesn't exist.", cmd_setnx});
  t.push_back({"setex", 4, W | kDenyOom, 1, 1, 1, "string", "Sets the string value and expiration time of a key.", cmd_setex});
  t.push_back({"psetex", 4, W | kDenyOom, 1, 1, 1, "string", "Sets the string value and expiration time in milliseconds of a key.", cmd_psetex});
  t.push_back({"getset", 3, W | kFast | kDenyOom, 1, 1, 1, "string", "Returns the previous string value of a key after setting it to a new value.", cmd_getset});
  t.push_back({"getdel", 2, W | kFast, 1, 1, 1, "string", "Returns the string value of a key after deleting the key.", cmd_getdel});
  t.push_back({"getex", -2, W | kFast, 1, 1, 1, "string", "Returns the string value of a key after setting its expiration time.", cmd_getex});
  t.push_back({"mget", -2, R, 1, -1, 1, "string", "Atomically returns the string values of one or more keys.", cmd_mget});
  t.push_back({"mset", -3, W | kDenyOom, 1, -1, 2, "string", "Atomically creates or modifies the string values of one or more keys.", cmd_mset});
  t.push_back({"msetnx", -3, W | kDenyOom, 1, -1, 2, "string", "Atomically modifies the string values of one or more keys only when all keys don't exist.", cmd_msetnx});
  t.push_back({"incr", 2, W | kFast | kDenyOom, 1, 1, 1, "string", "Increments the integer value of a key by one.", cmd_incr});
  t.push_back({"decr", 2, W | kFast | kDenyOom, 1, 1, 1, "string", "Decrements the integer value of a key by one.", cmd_decr});
  t.push_back({"incrby", 3, W | kFast | kDenyOom, 1, 1, 1, "string", "Increments the integer value of a key by a number.", cmd_incrby});
  t.push_back({"decrby", 3, W | kFast | kDenyOom, 1, 1, 1, "string", "Decrements a number from the integer value of a key.", cmd_decrby});
  t.push_back({"incrbyfloat", 3, W | kFast | kDenyOom, 1, 1, 1, "string", "Increment the floating point value of a key by a number.", cmd_incrbyfloat});
  t.push_back({"append", 3, W | kFast | kDenyOom, 1, 1, 1, "string", "Appends a string to the value of a key.", cmd_append});
  t.push_back({"strlen", 2, R, 1, 1, 1, "string", "Returns the length of a string value.", cmd_strlen});
  t.push_back({"getrange", 4, R, 1, 1, 1, "string", "Returns a substring of the string stored at a key.", cmd_getrange});
  t.push_back({"substr", 4, R, 1, 1, 1, "string", "Returns a substring from a string value.", cmd_getrange});
  t.push_back({"setrange", 4, W | kDenyOom, 1, 1, 1, "string", "Overwrites a part of a string value with another by an offset.", cmd_setrange});
}

}  // namespace tmkv::server
