// Redis lists: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LINDEX,
// LRANGE, LSET, LREM, LTRIM, LINSERT, LPOS, LMOVE, RPOPLPUSH and LMPOP, with
// Redis 7.0's replies, errors, order of checks, lookups (which count as
// keyspace hits and misses) and keyspace events.
//
// A list is one value of one key (store/list_value.h, a persistent rope),
// so it commits, aborts, conflicts and is WATCHed at the key's granularity,
// like a string or a hash; LMOVE and RPOPLPUSH move an element between two
// keys in one transaction, and EXEC and scripts compose list commands with
// any others. The blocking forms (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP)
// ask their connection to block when every key is empty, and run again
// each time they are woken (server/blocking.h).
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "server/client.h"
#include "server/cmd_util.h"
#include "server/command.h"
#include "server/keyspace_events.h"
#include "store/clock.h"
#include "store/list_value.h"

namespace tmkv::server {
namespace {

using store::Blob;
using store::List;
using store::OpStatus;
using store::ValueType;

enum class End { kHead, kTail };

// The list at key: *l stays empty if the key is absent (*blob says which:
// nullptr). False, after replying WRONGTYPE, if the key holds another type.
// `for_read`: a read's lookup (a keyspace hit or miss).
bool list_at(CommandContext& c, std::string_view key, bool for_read, List* l, const Blob** blob) {
  const Blob* b = for_read ? lookup_for_read(c, key) : c.db().lookup(*c.tx, key);
  *blob = b;
  if (b == nullptr) return true;
  if (b->type() != ValueType::kList) {
    c.out.error(kWrongTypeError);
    return false;
  }
  *l = List::from_body(b->view());
  return true;
}

// Stores the new version at key, keeping the key's expiry (`old`'s); an
// empty list deletes the key and tells "del", as Redis does.
bool store_list(CommandContext& c, std::string_view key, const List& l, const Blob* old) {
  if (l.empty()) {
    c.db().del(*c.tx, key);
    notify_keyspace_event(c, kNotifyGeneric, "del", key);
    return true;
  }
  const OpStatus s = c.db().put(*c.tx, key, ValueType::kList, l.body_bytes(), old ? old->expire_at_ms() : 0);
  if (s != OpStatus::kOk) {
    reply_status(c.out, s);
    return false;
  }
  // A new list: clients blocked on the key may be served (blocking.h).
  if (old == nullptr) blocking_key_ready(c, key, c.client.db);
  return true;
}

// LEFT or RIGHT, case-insensitively; replies a syntax error otherwise.
bool parse_end_or_reply(CommandContext& c, std::string_view arg, End* end) {
  if (equals_ci(arg, "left")) {
    *end = End::kHead;
  } else if (equals_ci(arg, "right")) {
    *end = End::kTail;
  } else {
    c.out.syntax_error();
    return false;
  }
  return true;
}

// Redis's index arithmetic for LRANGE and LTRIM: negative indices count
// from the tail, both ends are clamped; the inclusive range, or nullopt if
// it is empty.
std::optional<std::pair<int64_t, int64_t>> redis_range(int64_t len, int64_t start, int64_t end) {
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return std::nullopt;
  if (end >= len) end = len - 1;
  return std::make_pair(start, end);
}

// Redis's addListRangeReply: [start, end] after redis_range, forward, or
// backward from `end` (`reverse`, RPOP with a count).
void reply_range(CommandContext& c, const List& l, int64_t start, int64_t end, bool reverse) {
  const auto range = redis_range(static_cast<int64_t>(l.size()), start, end);
  if (!range) {
    c.out.array(0);
    return;
  }
  std::tie(start, end) = *range;
  c.out.array(static_cast<size_t>(end - start + 1));
  auto emit = [&](std::string_view v) {
    c.out.bulk(v);
    return true;
  };
  if (reverse) {
    l.walk_backward(static_cast<uint64_t>(end), static_cast<uint64_t>(start), emit);
  } else {
    l.walk(static_cast<uint64_t>(start), static_cast<uint64_t>(end), emit);
  }
}

// Removes `left` elements from the head and `right` from the tail (their
// sum <= size). One erase copies a leaf and the inner nodes above it, some
// 64 times the work of copying one element into a new list, so past that
// ratio the kept range is built anew instead.
void drop_ends(List* l, uint64_t left, uint64_t right) {
  const uint64_t kept = l->size() - left - right;
  if (kept == 0) {
    *l = List();
    return;
  }
  if ((left + right) * 64 > kept) {
    std::vector<std::string_view> values;
    values.reserve(kept);
    l->walk(left, left + kept - 1, [&](std::string_view v) {
      values.push_back(v);
      return true;
    });
    *l = List::build(values);  // the views stay valid: the old version lives until this assignment
    return;
  }
  for (uint64_t i = 0; i < left; ++i) l->erase(0);
  for (uint64_t i = 0; i < right; ++i) l->erase(l->size() - 1);
}

// Removes n elements from one end (n <= size).
void pop_n(List* l, End end, uint64_t n) {
  if (end == End::kHead) {
    drop_ends(l, n, 0);
  } else {
    drop_ends(l, 0, n);
  }
}

// Redis's listElementsRemoved: the pop's event, the key stored (or deleted
// with "del" once empty).
bool elements_removed(CommandContext& c, std::string_view key, End end, const List& l, const Blob* old) {
  notify_keyspace_event(c, kNotifyList, end == End::kHead ? "lpop" : "rpop", key);
  return store_list(c, key, l, old);
}

// Replies n elements popped from one end and pops them (LPOP/RPOP with a
// count, LMPOP): RPOP's come last element first.
void pop_range_reply(CommandContext& c, List* l, End end, uint64_t n) {
  const auto len = static_cast<int64_t>(l->size());
  const auto k = static_cast<int64_t>(n);
  if (end == End::kHead) {
    reply_range(c, *l, 0, k - 1, false);
  } else {
    reply_range(c, *l, len - k, len - 1, true);
  }
  pop_n(l, end, n);
}

void push_generic(CommandContext& c, End end, bool only_existing) {
  List l;
  const Blob* b;
  if (!list_at(c, c.arg(1), false, &l, &b)) return;
  if (b == nullptr && only_existing) {
    c.out.integer(0);
    return;
  }
  for (size_t i = 2; i < c.argc(); ++i) {
    if (end == End::kHead) {
      l.push_front(c.arg(i));
    } else {
      l.push_back(c.arg(i));
    }
  }
  if (!store_list(c, c.arg(1), l, b)) return;
  notify_keyspace_event(c, kNotifyList, end == End::kHead ? "lpush" : "rpush", c.arg(1));
  c.out.integer(static_cast<int64_t>(l.size()));
}

void cmd_lpush(CommandContext& c) { push_generic(c, End::kHead, false); }
void cmd_rpush(CommandContext& c) { push_generic(c, End::kTail, false); }
void cmd_lpushx(CommandContext& c) { push_generic(c, End::kHead, true); }
void cmd_rpushx(CommandContext& c) { push_generic(c, End::kTail, true); }

// LPOP/RPOP key [count]
void pop_generic(CommandContext& c, End end) {
  if (c.argc() > 3) {
    c.out.wrong_arity(c.arg(0));
    return;
  }
  const bool has_count = c.argc() == 3;
  int64_t count = 0;
  if (has_count && !get_range_or_reply(c, c.arg(2), 0, std::numeric_limits<int64_t>::max(),
                                       "value is out of range, must be positive", &count)) {
    return;
  }
  List l;
  const Blob* b;
  if (!list_at(c, c.arg(1), false, &l, &b)) return;
  if (b == nullptr) {
    if (has_count) {
      c.out.null_array();
    } else {
      c.out.null();
    }
    return;
  }
  if (has_count && count == 0) {
    c.out.array(0);
    return;
  }
  if (!has_count) {
    const uint64_t at = end == End::kHead ? 0 : l.size() - 1;
    c.out.bulk(l.at(at));
    l.erase(at);
  } else {
    pop_range_reply(c, &l, end, std::min<uint64_t>(static_cast<uint64_t>(count), l.size()));
  }
  elements_removed(c, c.arg(1), end, l, b);
}

void cmd_lpop(CommandContext& c) { pop_generic(c, End::kHead); }
void cmd_rpop(CommandContext& c) { pop_generic(c, End::kTail); }

void cmd_llen(CommandContext& c) {
  List l;
  const Blob* b;
  if (!list_at(c, c.arg(1), true, &l, &b)) return;
  c.out.integer(static_cast<int64_t>(l.size()));
}

// A list index (negative: from the tail) as a position, if in range.
std::optional<uint64_t> position(const List& l, int64_t index) {
  const auto len = static_cast<int64_t>(l.size());
  if (index < 0) index += len;
  if (index < 0 || index >= len) return std::nullopt;
  return static_cast<uint64_t>(index);
}

// LINDEX key index: the key is looked up before the index is parsed.
void cmd_lindex(CommandContext& c) {
  List l;
  const Blob* b;
  if (!list_at(c, c.arg(1), true, &l, &b)) return;
  if (b == nullptr) {
    c.out.null();
    return;
  }
  int64_t index;
  if (!get_ll_or_reply(c.out, c.arg(2), &index)) return;
  if (const auto at = position(l, index)) {
    c.out.bulk(l.at(*at));
  } else {
    c.out.null();
  }
}

void cmd_lset(CommandContext& c) {
  List l;
  const Blob* b;
  if (!list_at(c, c.arg(1), false, &l, &b)) return;
  if (b == nullptr) {
    c.out.error("ERR no such key");
    return;
  }
  int64_t index;
  if (!get_ll_or_reply(c.out, c.arg(2), &index)) return;
  const auto at = position(l, index);
  if (!at) {
    c.out.error("ERR index out of range");
    return;
  }
  l.set(*at, c.arg(3));
  if (!store_list(c, c.arg(1), l, b)) return;
  notify_keyspace_event(c, kNotifyList, "lset", c.arg(1));
  c.out.ok();
}

void cmd_lrange(CommandContext& c) {
  int64_t start, end;
  if (!get_ll_or_reply(c.out, c.arg(2), &start) || !get_ll_or_reply(c.out, c.arg(3), &end)) return;
  List l;
  const Blob* b;
  if (!list_at(c, c.arg(1), true, &l, &b)) return;
  if (b == nullptr) {
    c.out.array(0);
    return;
  }
  reply_range(c, l, start, end, false);
}

// LTRIM key start stop. As in Redis 7.0, the key counts as modified (WATCH,
// the "ltrim" event) even when nothing is trimmed.
void cmd_ltrim(CommandContext& c) {
  int64_t start, end;
  if (!get_ll_or_reply(c.out, c.arg(2), &start) || !get_ll_or_reply(c.out, c.arg(3), &end)) return;
  List l;
  const Blob* b;
  if (!list_at(c, c.arg(1), false, &l, &b)) return;
  if (b == nullptr) {
    c.out.ok();
    return;
  }
  const auto len = static_cast<int64_t>(l.size());
  const auto range = redis_range(len, start, end);
  // Elements to drop at each end: all of them for an empty range.
  const int64_t left = range ? range->first : len;
  const int64_t right = range ? len - range->second - 1 : 0;
  drop_ends(&l, static_cast<uint64_t>(left), static_cast<uint64_t>(right));
  notify_keyspace_event(c, kNotifyList, "ltrim", c.arg(1));
  if (!store_list(c, c.arg(1), l, b)) return;
  c.out.ok();
}

// Rebuilds l without the positions in `drop` (ascending).
List without(const List& l, const std::vector<uint64_t>& drop) {
  std::vector<std::string_view> kept;
  kept.reserve(l.size() - drop.size());
  uint64_t i = 0;
  size_t d = 0;
  l.walk(0, l.size() - 1, [&](std::string_view v) {
    if (d < drop.size() && drop[d] == i) {
      ++d;
    } else {
      kept.push_back(v);
    }
    ++i;
    return true;
  });
  return List::build(kept);
}

// LREM key count element: count > 0 from the head, < 0 from the tail, 0 all.
void cmd_lrem(CommandContext& c) {
  int64_t count;
  if (!get_ll_or_reply(c.out, c.arg(2), &count)) return;
  List l;
  const Blob* b;
  if (!list_at(c, c.arg(1), false, &l, &b)) return;
  if (b == nullptr) {
    c.out.integer(0);
    return;
  }
  const std::string_view element = c.arg(3);
  // |count|, with Redis's LONG_MIN (its negation overflows and stays
  // negative, so nothing stops the scan): all matches.
  const uint64_t limit = count == std::numeric_limits<int64_t>::min() ? 0
                         : count < 0                                  ? static_cast<uint64_t>(-count)
                                                                      : static_cast<uint64_t>(count);
  std::vector<uint64_t> drop;
  auto match = [&](uint64_t i, std::string_view v) {
    if (v == element) drop.push_back(i);
    return limit == 0 || drop.size() < limit;
  };
  if (count < 0) {
    uint64_t i = l.size();
    l.walk_backward(l.size() - 1, 0, [&](std::string_view v) { return match(--i, v); });
    std::reverse(drop.begin(), drop.end());
  } else {
    uint64_t i = 0;
    l.walk(0, l.size() - 1, [&](std::string_view v) { return match(i++, v); });
  }
  if (!drop.empty()) {
    if (drop.size() == 1) {
      l.erase(drop.front());
    } else {
      l = without(l, drop);
    }
    notify_keyspace_event(c, kNotifyList, "lrem", c.arg(1));
    if (!store_list(c, c.arg(1), l, b)) return;
  }
  c.out.integer(static_cast<int64_t>(drop.size()));
}

// LINSERT key BEFORE|AFTER pivot element: the first pivot from the head.
void cmd_linsert(CommandContext& c) {
  bool after;
  if (equals_ci(c.arg(2), "after")) {
    after = true;
  } else if (equals_ci(c.arg(2), "before")) {
    after = false;
  } else {
    c.out.syntax_error();
    return;
  }
  List l;
  const Blob* b;
  if (!list_at(c, c.arg(1), false, &l, &b)) return;
  if (b == nullptr) {
    c.out.integer(0);
    return;
  }
  std::optional<uint64_t> found;
  uint64_t i = 0;
  l.walk(0, l.size() - 1, [&](std::string_view v) {
    if (v == c.arg(3)) {
      found = i;
      return false;
    }
    ++i;
    return true;
  });
  if (!found) {
    c.out.integer(-1);
    return;
  }
  l.insert(*found + (after ? 1 : 0), c.arg(4));
  if (!store_list(c, c.arg(1), l, b)) return;
  notify_keyspace_event(c, kNotifyList, "linsert", c.arg(1));
  c.out.integer(static_cast<int64_t>(l.size()));
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void cmd_lpos(CommandContext& c) {
  int64_t rank = 1, count = -1, maxlen = 0;  // count -1: no COUNT option
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  for (size_t j = 3; j < c.argc(); ++j) {
    const bool more = j + 1 < c.argc();
    if (equals_ci(c.arg(j), "rank") && more) {
      // Redis 7.0 takes any 64-bit integer (7.2 refuses the most negative).
      if (!get_range_or_reply(c, c.arg(++j), std::numeric_limits<int64_t>::min(), kMax, nullptr, &rank)) return;
      if (rank == 0) {
        c.out.error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to "
            "start from the end of the list");
        return;
      }
    } else if (equals_ci(c.arg(j), "count") && more) {
      if (!get_range_or_reply(c, c.arg(++j), 0, kMax, "COUNT can't be negative", &count)) return;
    } else if (equals_ci(c.arg(j), "maxlen") && more) {
      if (!get_range_or_reply(c, c.arg(++j), 0, kMax, "MAXLEN can't be negative", &maxlen)) return;
    } else {
      c.out.syntax_error();
      return;
    }
  }
  const bool from_tail = rank < 0;
  // Redis 7.0 negates the most negative rank into itself: every match is
  // past the rank, and its COUNT test overflows and never stops the scan.
  const bool any_rank = rank == std::numeric_limits<int64_t>::min();
  if (from_tail && !any_rank) rank = -rank;
  List l;
  const Blob* b;
  if (!list_at(c, c.arg(1), true, &l, &b)) return;
  if (b == nullptr) {
    if (count != -1) {
      c.out.array(0);
    } else {
      c.out.null();
    }
    return;
  }
  const std::string_view element = c.arg(2);
  const uint64_t len = l.size();
  std::vector<uint64_t> found;
  int64_t matches = 0;
  uint64_t seen = 0;
  auto visit = [&](std::string_view v) {
    if (maxlen != 0 && seen >= static_cast<uint64_t>(maxlen)) return false;
    const uint64_t index = from_tail ? len - seen - 1 : seen;
    ++seen;
    if (v != element) return true;
    ++matches;
    if (!any_rank && matches < rank) return true;
    found.push_back(index);
    if (count == -1) return false;  // the first match from rank on
    return any_rank || count == 0 || matches - rank + 1 < count;
  };
  if (from_tail) {
    l.walk_backward(len - 1, 0, visit);
  } else {
    l.walk(0, len - 1, visit);
  }
  if (count != -1) {
    c.out.array(found.size());
    for (uint64_t i : found) c.out.integer(static_cast<int64_t>(i));
  } else if (found.empty()) {
    c.out.null();
  } else {
    c.out.integer(static_cast<int64_t>(found.front()));
  }
}

// LMOVE / RPOPLPUSH: pops from one end of the source and pushes onto one end
// of the destination, which may be the same key (a rotation).
void move_generic(CommandContext& c, End from, End to) {
  const std::string_view src_key = c.arg(1), dst_key = c.arg(2);
  List src;
  const Blob* sb;
  if (!list_at(c, src_key, false, &src, &sb)) return;
  if (sb == nullptr) {
    c.out.null();
    return;
  }
  const bool same = src_key == dst_key;
  List dst;
  const Blob* db = sb;
  if (!same && !list_at(c, dst_key, false, &dst, &db)) return;
  const uint64_t at = from == End::kHead ? 0 : src.size() - 1;
  const std::string value(src.at(at));
  src.erase(at);
  List& target = same ? src : dst;
  if (to == End::kHead) {
    target.push_front(value);
  } else {
    target.push_back(value);
  }
  if (!same && !store_list(c, dst_key, dst, db)) return;
  notify_keyspace_event(c, kNotifyList, to == End::kHead ? "lpush" : "rpush", dst_key);
  notify_keyspace_event(c, kNotifyList, from == End::kHead ? "lpop" : "rpop", src_key);
  if (!store_list(c, src_key, src, sb)) return;
  // A blocked BLMOVE served from a list that still has elements passes the
  // wake-up on to the next client blocked on it (blocking.h).
  if (c.client.block_retry && !src.empty()) blocking_key_ready(c, src_key, c.client.db);
  c.out.bulk(value);
}

void cmd_lmove(CommandContext& c) {
  End from, to;
  if (!parse_end_or_reply(c, c.arg(3), &from) || !parse_end_or_reply(c, c.arg(4), &to)) return;
  move_generic(c, from, to);
}

void cmd_rpoplpush(CommandContext& c) { move_generic(c, End::kTail, End::kHead); }

// The list at key for a blocking command: like list_at with a write's
// lookup, but when the client was woken (block_retry) a key of another type
// counts as empty, as Redis serves blocked clients from lists only.
bool blocking_list_at(CommandContext& c, std::string_view key, List* l, const Blob** blob) {
  const Blob* b = c.db().lookup(*c.tx, key);
  *blob = nullptr;
  if (b != nullptr && b->type() != ValueType::kList) {
    if (c.client.block_retry) return true;
    c.out.error(kWrongTypeError);
    return false;
  }
  *blob = b;
  if (b != nullptr) *l = List::from_body(b->view());
  return true;
}

// Pops from the first non-empty list of keys [first, last): one element as
// [key, value] (count -1: BLPOP/BRPOP), or up to `count` as [key, [values]]
// (LMPOP/BLMPOP). False if every list was empty or absent, after replying
// if one held another type.
bool pop_first_nonempty(CommandContext& c, size_t first, size_t last, End end, int64_t count, bool blocking,
                        bool* replied) {
  *replied = false;
  for (size_t k = first; k < last; ++k) {
    List l;
    const Blob* b;
    if (blocking) {
      if (!blocking_list_at(c, c.arg(k), &l, &b)) {
        *replied = true;
        return false;
      }
    } else if (!list_at(c, c.arg(k), false, &l, &b)) {
      *replied = true;
      return false;
    }
    if (b == nullptr) continue;
    c.out.array(2);
    c.out.bulk(c.arg(k));
    if (count == -1) {
      const uint64_t at = end == End::kHead ? 0 : l.size() - 1;
      c.out.bulk(l.at(at));
      l.erase(at);
    } else {
      pop_range_reply(c, &l, end, std::min<uint64_t>(static_cast<uint64_t>(count), l.size()));
    }
    elements_removed(c, c.arg(k), end, l, b);
    // What a woken client leaves goes to the next one blocked on the key.
    if (c.client.block_retry && !l.empty()) blocking_key_ready(c, c.arg(k), c.client.db);
    return true;
  }
  return false;
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count], and BLMPOP's same
// arguments after its timeout (`timeout_at`, 0 for LMPOP), which Redis 7.0
// parses last: pops from the first non-empty list.
void lmpop_generic(CommandContext& c, size_t numkeys_at, size_t timeout_at) {
  const bool blocking = timeout_at != 0;
  End end;
  MultiPopArgs args;
  if (!parse_multi_pop_or_reply(
          c, numkeys_at, timeout_at, [&](std::string_view arg) { return parse_end_or_reply(c, arg, &end); }, &args)) {
    return;
  }
  const size_t first = static_cast<size_t>(args.keys.data() - c.args.data());
  const size_t where_at = first + args.keys.size();
  const int64_t count = args.count;
  const int64_t timeout_ms = args.timeout_ms;
  bool replied;
  if (pop_first_nonempty(c, numkeys_at + 1, where_at, end, count, blocking, &replied) || replied) return;
  if (!blocking) {
    c.out.null_array();
    return;
  }
  block_or_reply_null(c, std::vector<std::string>(c.args.begin() + static_cast<std::ptrdiff_t>(numkeys_at + 1),
                                                  c.args.begin() + static_cast<std::ptrdiff_t>(where_at)),
                      timeout_ms, true);
}

void cmd_lmpop(CommandContext& c) { lmpop_generic(c, 1, 0); }

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
void cmd_blmpop(CommandContext& c) { lmpop_generic(c, 2, 1); }

// BLPOP / BRPOP key [key ...] timeout
void blocking_pop(CommandContext& c, End end) {
  int64_t timeout_ms;
  if (!parse_timeout_or_reply(c, c.arg(c.argc() - 1), &timeout_ms)) return;
  bool replied;
  if (pop_first_nonempty(c, 1, c.argc() - 1, end, -1, true, &replied) || replied) return;
  block_or_reply_null(c, std::vector<std::string>(c.args.begin() + 1, c.args.end() - 1), timeout_ms, true);
}

void cmd_blpop(CommandContext& c) { blocking_pop(c, End::kHead); }
void cmd_brpop(CommandContext& c) { blocking_pop(c, End::kTail); }

// BLMOVE / BRPOPLPUSH: LMOVE once the source has an element.
void blocking_move(CommandContext& c, End from, End to, int64_t timeout_ms) {
  List src;
  const Blob* sb;
  if (!blocking_list_at(c, c.arg(1), &src, &sb)) return;
  if (sb == nullptr) {
    block_or_reply_null(c, {std::string(c.arg(1))}, timeout_ms, false);
    return;
  }
  move_generic(c, from, to);
}

void cmd_blmove(CommandContext& c) {
  End from, to;
  if (!parse_end_or_reply(c, c.arg(3), &from) || !parse_end_or_reply(c, c.arg(4), &to)) return;
  int64_t timeout_ms;
  if (!parse_timeout_or_reply(c, c.arg(5), &timeout_ms)) return;
  blocking_move(c, from, to, timeout_ms);
}

void cmd_brpoplpush(CommandContext& c) {
  int64_t timeout_ms;
  if (!parse_timeout_or_reply(c, c.arg(3), &timeout_ms)) return;
  blocking_move(c, End::kTail, End::kHead, timeout_ms);
}

}  // namespace

void register_list_commands(std::vector<CommandSpec>& t) {
  const uint32_t R = kTransactional | kReadOnly;
  const uint32_t W = kTransactional | kWrite;
  t.push_back({"lpush", -3, W | kFast | kDenyOom, 1, 1, 1, "list", "Prepends one or more elements to a list. Creates the key if it doesn't exist.", cmd_lpush});
  t.push_back({"rpush", -3, W | kFast | kDenyOom, 1, 1, 1, "list", "Appends one or more elements to a list. Creates the key if it doesn't exist.", cmd_rpush});
  t.push_back({"lpushx", -3, W | kFast | kDenyOom, 1, 1, 1, "list", "Prepends one or more elements to a list only when the list exists.", cmd_lpushx});
  t.push_back({"rpushx", -3, W | kFast | kDenyOom, 1, 1, 1, "list", "Appends an element to a list only when the list exists.", cmd_rpushx});
  t.push_back({"lpop", -2, W | kFast, 1, 1, 1, "list", "Returns the first elements in a list after removing it. Deletes the list if the last element was popped.", cmd_lpop});
  t.push_back({"rpop", -2, W | kFast, 1, 1, 1, "list", "Returns and removes the last elements of a list. Deletes the list if the last element was popped.", cmd_rpop});
  t.push_back({"llen", 2, R | kFast, 1, 1, 1, "list", "Returns the length of a list.", cmd_llen});
  t.push_back({"lindex", 3, R, 1, 1, 1, "list", "Returns an element from a list by its index.", cmd_lindex});
  t.push_back({"lrange", 4, R, 1, 1, 1, "list", "Returns a range of elements from a list.", cmd_lrange});
  t.push_back({"lset", 4, W | kDenyOom, 1, 1, 1, "list", "Sets the value of an element in a list by its index.", cmd_lset});
  t.push_back({"lrem", 4, W, 1, 1, 1, "list", "Removes elements from a list. Deletes the list if the last element was removed.", cmd_lrem});
  t.push_back({"ltrim", 4, W, 1, 1, 1, "list", "Removes elements from both ends a list. Deletes the list if all elements were trimmed.", cmd_ltrim});
  t.push_back({"linsert", 5, W | kDenyOom, 1, 1, 1, "list", "Inserts an element before or after another element in a list.", cmd_linsert});
  t.push_back({"lpos", -3, R, 1, 1, 1, "list", "Returns the index of matching elements in a list.", cmd_lpos});
  t.push_back({"lmove", 5, W | kDenyOom, 1, 2, 1, "list", "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.", cmd_lmove});
  t.push_back({"rpoplpush", 3, W | kDenyOom, 1, 2, 1, "list", "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.", cmd_rpoplpush});
  t.push_back({"blpop", -3, W, 1, -2, 1, "list", "Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", cmd_blpop});
  t.push_back({"brpop", -3, W, 1, -2, 1, "list", "Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", cmd_brpop});
  t.push_back({"blmove", 6, W | kDenyOom, 1, 2, 1, "list", "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.", cmd_blmove});
  t.push_back({"brpoplpush", 4, W | kDenyOom, 1, 2, 1, "list", "Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.", cmd_brpoplpush});
  t.push_back({"blmpop", -5, W, 0, 0, 0, "list", "Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", cmd_blmpop});
  t.push_back({"lmpop", -4, W, 0, 0, 0, "list", "Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.", cmd_lmpop});
}

}  // namespace tmkv::server
