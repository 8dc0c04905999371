// Sorted-set commands: ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZCOUNT,
// ZLEXCOUNT, ZRANK, ZREVRANK, ZRANGE and its older forms (ZREVRANGE,
// Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX), ZRANGESTORE, ZREMRANGEBYRANK/
// SCORE/LEX, ZSCAN and ZRANDMEMBER. The popping and set-algebra commands
// live in cmd_zset_ops.cc.
//
// A sorted set is one value in the keyspace (store/zset_value.h): a command
// reads the version its transaction sees, builds the next by path copying
// and stores it, so it commits or aborts with the rest of its transaction
// like any other write. Replies, errors, the order in which arguments are
// checked, keyspace hits and misses (the lookups of reads only) and
// keyspace events follow Redis 7.0's t_zset.c, including the way its range
// loops look at one bound only once they have found where to start.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/cmd_util.h"
#include "server/command.h"
#include "server/keyspace_events.h"
#include "server/zset_util.h"
#include "store/zset_value.h"

namespace tmkv::server {
namespace {

using store::Blob;
using store::HashEntry;
using store::ZEntry;
using store::ZSet;

// Stores the new version at key and tells `event` (class z), in Redis's
// order: the command's event first, then "del" when it emptied the set
// (store_zset deletes the key and tells "del" itself).
bool commit_zset(CommandContext& c, std::string_view key, const ZSet& z, const Blob* old, const char* event) {
  if (z.empty()) {
    notify_keyspace_event(c, kNotifyZset, event, key);
    return store_zset(c, key, z, old);
  }
  if (!store_zset(c, key, z, old)) return false;
  notify_keyspace_event(c, kNotifyZset, event, key);
  return true;
}

// ---------------------------------------------------------------------------
// Score and lex ranges

// One end of a score range, as Redis's zslParseRange reads it: "(" makes it
// exclusive, then strtod must reach the end of the C string (so leading
// spaces pass, "(" alone is 0, and the text stops at an embedded NUL), and
// NaN is refused. Unlike a score, overflow is allowed (to +-inf).
bool parse_score_bound(std::string_view arg, double* v, bool* ex) {
  *ex = !arg.empty() && arg[0] == '(';
  const std::string text(arg.substr(*ex ? 1 : 0));
  char* end = nullptr;
  *v = std::strtod(text.c_str(), &end);
  return *end == '\0' && !std::isnan(*v);
}

struct ScoreRange {
  double min = 0, max = 0;
  bool minex = false, maxex = false;

  bool gte_min(const ZEntry& e) const { return minex ? e.score > min : e.score >= min; }
  bool lte_max(const ZEntry& e) const { return maxex ? e.score < max : e.score <= max; }
  // zslIsInRange's first test: ranges that can hold nothing.
  bool hopeless() const { return min > max || (min == max && (minex || maxex)); }
  // Ranks [begin, end) inside the range (scores are always sorted).
  uint64_t begin(const ZSet& z) const { return z.lower_bound_score(min, minex); }
  uint64_t end(const ZSet& z) const { return z.lower_bound_score(max, !maxex); }

  // The first (last) rank in range, as zslFirstInRange (zslLastInRange).
  std::optional<uint64_t> first(const ZSet& z) const {
    if (hopeless()) return std::nullopt;
    const uint64_t r = begin(z);
    if (r >= z.size() || !lte_max(z.at(r))) return std::nullopt;
    return r;
  }
  std::optional<uint64_t> last(const ZSet& z) const {
    if (hopeless()) return std::nullopt;
    const uint64_t e = end(z);
    if (e == 0 || !gte_min(z.at(e - 1))) return std::nullopt;
    return e - 1;
  }
};

bool parse_score_range_or_reply(CommandContext& c, std::string_view min, std::string_view max, ScoreRange* r) {
  if (!parse_score_bound(min, &r->min, &r->minex) || !parse_score_bound(max, &r->max, &r->maxex)) {
    c.out.error("ERR min or max is not a float");
    return false;
  }
  return true;
}

// One end of a lex range: "-" and "+" (Redis's shared minstring and
// maxstring, below and above every string), or "[" / "(" and a string.
struct LexItem {
  enum Kind { kMinString, kMaxString, kValue } kind = kValue;
  std::string_view value;
  bool ex = false;
};

// Redis's zslParseLexRangeItem: it looks at C characters, so "+" or "-"
// followed by a NUL byte still counts as the bare sign.
bool parse_lex_item(std::string_view s, LexItem* item) {
  if (s.empty()) return false;
  const bool alone = s.size() == 1 || s[1] == '\0';
  switch (s[0]) {
    case '+':
      *item = {LexItem::kMaxString, {}, true};
      return alone;
    case '-':
      *item = {LexItem::kMinString, {}, true};
      return alone;
    case '(':
    case '[':
      *item = {LexItem::kValue, s.substr(1), s[0] == '('};
      return true;
    default:
      return false;
  }
}

// Redis's sdscmplex of a member (never a sign) against a range end.
int compare_lex(std::string_view member, const LexItem& item) {
  if (item.kind == LexItem::kMinString) return 1;
  if (item.kind == LexItem::kMaxString) return -1;
  const int cmp = member.compare(item.value);
  return cmp < 0 ? -1 : (cmp > 0 ? 1 : 0);
}

// sdscmplex of the two ends: the same sign compares equal (one shared
// string), "-" below and "+" above anything.
int compare_ends(const LexItem& a, const LexItem& b) {
  if (a.kind != LexItem::kValue && a.kind == b.kind) return 0;
  if (a.kind == LexItem::kMinString || b.kind == LexItem::kMaxString) return -1;
  if (a.kind == LexItem::kMaxString || b.kind == LexItem::kMinString) return 1;
  const int cmp = a.value.compare(b.value);
  return cmp < 0 ? -1 : (cmp > 0 ? 1 : 0);
}

// The *BYLEX commands assume every score is equal; when they are not,
// Redis's answer depends on the encoding: a listpack is searched from one
// end element by element, a skiplist by descending its levels. Here a
// listpack-encoded set is searched the listpack's way (exactly Redis's
// answer), a larger one by binary search (Redis's answer whenever the
// members are in order, which is the documented use).
struct LexRange {
  LexItem min, max;

  bool gte_min(const ZEntry& e) const {
    const int cmp = compare_lex(e.member, min);
    return min.ex ? cmp > 0 : cmp >= 0;
  }
  bool lte_max(const ZEntry& e) const {
    const int cmp = compare_lex(e.member, max);
    return max.ex ? cmp < 0 : cmp <= 0;
  }
  // zslIsInLexRange / zzlIsInLexRange.
  bool may_match(const ZSet& z) const {
    const int cmp = compare_ends(min, max);
    if (cmp > 0 || (cmp == 0 && (min.ex || max.ex))) return false;
    return !z.empty() && gte_min(z.at(z.size() - 1)) && lte_max(z.at(0));
  }
  // The first rank whose member is >= min (> min), by binary search.
  uint64_t begin(const ZSet& z) const {
    if (min.kind != LexItem::kValue) return min.kind == LexItem::kMinString ? 0 : z.size();
    return z.lower_bound_member(min.value, min.ex);
  }
  // One past the last rank whose member is <= max (< max).
  uint64_t end(const ZSet& z) const {
    if (max.kind != LexItem::kValue) return max.kind == LexItem::kMaxString ? z.size() : 0;
    return z.lower_bound_member(max.value, !max.ex);
  }

  std::optional<uint64_t> first(const ZSet& z) const {
    if (!may_match(z)) return std::nullopt;
    uint64_t r = 0;
    if (z.is_listpack()) {
      while (r < z.size() && !gte_min(z.at(r))) ++r;
    } else {
      r = begin(z);
    }
    if (r >= z.size() || !lte_max(z.at(r))) return std::nullopt;
    return r;
  }
  std::optional<uint64_t> last(const ZSet& z) const {
    if (!may_match(z)) return std::nullopt;
    uint64_t e = z.size();
    if (z.is_listpack()) {
      while (e > 0 && !lte_max(z.at(e - 1))) --e;
    } else {
      e = end(z);
    }
    if (e == 0 || !gte_min(z.at(e - 1))) return std::nullopt;
    return e - 1;
  }
};

bool parse_lex_range_or_reply(CommandContext& c, std::string_view min, std::string_view max, LexRange* r) {
  if (!parse_lex_item(min, &r->min) || !parse_lex_item(max, &r->max)) {
    c.out.error("ERR min or max not valid string range item");
    return false;
  }
  return true;
}

// Z[REV]RANGEBYSCORE / BYLEX's selection, Redis's loop: from the first
// element in range (the last, reversed), skip `offset` elements without
// looking at them (a negative offset skips past the end), then take up to
// `limit` (negative: no limit) while each is within the far end.
template <class Range>
std::vector<ZEntry> select_in_range(const ZSet& z, const Range& range, bool reverse, int64_t offset, int64_t limit) {
  std::vector<ZEntry> out;
  const std::optional<uint64_t> start = reverse ? range.last(z) : range.first(z);
  if (!start || offset < 0) return out;
  const uint64_t skip = static_cast<uint64_t>(offset);
  if (reverse ? skip > *start : skip >= z.size() - *start) return out;
  auto take = [&](const ZEntry& e) {
    if (limit >= 0 && out.size() >= static_cast<uint64_t>(limit)) return false;
    if (!(reverse ? range.gte_min(e) : range.lte_max(e))) return false;
    out.push_back(e);
    return true;
  };
  if (reverse) {
    z.walk_backward(*start - skip, 0, take);
  } else {
    z.walk(*start + skip, z.size() - 1, take);
  }
  return out;
}

// Redis's rank-range sanitizing (ZRANGE, ZREMRANGEBYRANK): negative ranks
// count from the end; false when the range is empty, else clamped to
// 0 <= *start <= *end < size.
bool clamp_ranks(uint64_t size, int64_t* start, int64_t* end) {
  const auto len = static_cast<int64_t>(size);
  if (*start < 0) *start += len;
  if (*end < 0) *end += len;
  if (*start < 0) *start = 0;
  if (*start > *end || *start >= len) return false;
  if (*end >= len) *end = len - 1;
  return true;
}

// ---------------------------------------------------------------------------
// ZADD and ZINCRBY

struct ZAddOptions {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
};

bool parse_zadd_option(std::string_view a, ZAddOptions* o) {
  const std::pair<const char*, bool*> options[] = {{"nx", &o->nx},     {"xx", &o->xx}, {"ch", &o->ch},
                                                   {"incr", &o->incr}, {"gt", &o->gt}, {"lt", &o->lt}};
  for (const auto& [name, flag] : options) {
    if (equals_ci(a, name)) {
      *flag = true;
      return true;
    }
  }
  return false;
}

bool check_zadd_options_or_reply(CommandContext& c, const ZAddOptions& o, size_t elements) {
  if (o.nx && o.xx) {
    c.out.error("ERR XX and NX options at the same time are not compatible");
    return false;
  }
  if ((o.gt && o.nx) || (o.lt && o.nx) || (o.gt && o.lt)) {
    c.out.error("ERR GT, LT, and/or NX options at the same time are not compatible");
    return false;
  }
  if (o.incr && elements > 1) {
    c.out.error("ERR INCR option supports a single increment-element pair");
    return false;
  }
  return true;
}

enum class ZAddResult { kAdded, kUpdated, kSame, kNop, kNaN };

// Redis's zsetAdd for one pair. *newscore: the member's score afterwards
// (unless kNop or kNaN). An equal score leaves the stored one alone (in a
// skiplist -0 stays -0 after ZADD 0), as Redis does.
ZAddResult zadd_one(ZSet& z, const ZAddOptions& o, std::string_view member, double score, double* newscore) {
  const std::optional<double> current = z.score(member);
  if (!current) {
    if (o.xx) return ZAddResult::kNop;
    z.insert(member, score);  // a new member takes the increment as its score
    *newscore = score;
    return ZAddResult::kAdded;
  }
  if (o.nx) return ZAddResult::kNop;
  if (o.incr) {
    score += *current;
    if (std::isnan(score)) return ZAddResult::kNaN;
  }
  if ((o.lt && score >= *current) || (o.gt && score <= *current)) return ZAddResult::kNop;
  *newscore = score;
  if (score == *current) return ZAddResult::kSame;
  z.insert(member, score);
  return ZAddResult::kUpdated;
}

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...] and
// ZINCRBY key increment member (the same parser, starting with INCR: so
// "ZINCRBY k nx m" is a syntax error, as in Redis).
void zadd_generic(CommandContext& c, bool incr) {
  ZAddOptions o;
  o.incr = incr;
  size_t first = 2;
  while (first < c.argc() && parse_zadd_option(c.arg(first), &o)) ++first;
  const size_t rest = c.argc() - first;
  if (rest == 0 || rest % 2 != 0) {
    c.out.syntax_error();
    return;
  }
  if (!check_zadd_options_or_reply(c, o, rest / 2)) return;
  // Every score is checked before anything changes: all or nothing.
  std::vector<double> scores;
  for (size_t i = first; i < c.argc(); i += 2) {
    const std::optional<double> s = parse_score(c.arg(i));
    if (!s) {
      c.out.error("ERR value is not a valid float");
      return;
    }
    scores.push_back(*s);
  }
  const std::string_view key = c.arg(1);
  ZSet z;
  const Blob* old;
  if (!zset_at(c, key, false, &z, &old)) return;
  int64_t added = 0, updated = 0, processed = 0;
  double score = 0;
  if (old != nullptr || !o.xx) {  // no key and XX: nothing to do
    for (size_t i = 0; i < scores.size(); ++i) {
      const ZAddResult r = zadd_one(z, o, c.arg(first + 2 * i + 1), scores[i], &score);
      if (r == ZAddResult::kNaN) {
        c.out.error("ERR resulting score is not a number (NaN)");
        return;
      }
      added += r == ZAddResult::kAdded ? 1 : 0;
      updated += r == ZAddResult::kUpdated ? 1 : 0;
      processed += r != ZAddResult::kNop ? 1 : 0;
    }
  }
  if (added + updated > 0 && !commit_zset(c, key, z, old, o.incr ? "zincr" : "zadd")) return;
  if (!o.incr) {
    c.out.integer(o.ch ? added + updated : added);
  } else if (processed > 0) {
    c.out.dbl(score);
  } else {
    c.out.null();
  }
}

void cmd_zadd(CommandContext& c) { zadd_generic(c, false); }
void cmd_zincrby(CommandContext& c) { zadd_generic(c, true); }

// ---------------------------------------------------------------------------
// Single-key reads and ZREM

void cmd_zrem(CommandContext& c) {
  const std::string_view key = c.arg(1);
  ZSet z;
  const Blob* old;
  if (!zset_at(c, key, false, &z, &old)) return;
  int64_t removed = 0;
  for (size_t i = 2; i < c.argc() && !z.empty(); ++i) removed += z.erase(c.arg(i)) ? 1 : 0;
  if (removed > 0 && !commit_zset(c, key, z, old, "zrem")) return;
  c.out.integer(removed);
}

void cmd_zcard(CommandContext& c) {
  ZSet z;
  const Blob* b;
  if (zset_at(c, c.arg(1), true, &z, &b)) c.out.integer(static_cast<int64_t>(z.size()));
}

void cmd_zscore(CommandContext& c) {
  ZSet z;
  const Blob* b;
  if (!zset_at(c, c.arg(1), true, &z, &b)) return;
  const std::optional<double> s = z.score(c.arg(2));
  if (s) {
    c.out.dbl(*s);
  } else {
    c.out.null();
  }
}

void cmd_zmscore(CommandContext& c) {
  ZSet z;
  const Blob* b;
  if (!zset_at(c, c.arg(1), true, &z, &b)) return;
  c.out.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) {
    const std::optional<double> s = z.score(c.arg(i));  // a missing key is an empty set
    if (s) {
      c.out.dbl(*s);
    } else {
      c.out.null();
    }
  }
}

// ZRANK and ZREVRANK (7.0: no WITHSCORE).
void rank_generic(CommandContext& c, bool reverse) {
  ZSet z;
  const Blob* b;
  if (!zset_at(c, c.arg(1), true, &z, &b)) return;
  const std::optional<uint64_t> r = z.rank(c.arg(2));
  if (r) {
    c.out.integer(static_cast<int64_t>(reverse ? z.size() - 1 - *r : *r));
  } else {
    c.out.null();
  }
}
void cmd_zrank(CommandContext& c) { rank_generic(c, false); }
void cmd_zrevrank(CommandContext& c) { rank_generic(c, true); }

// ZCOUNT key min max: the range is parsed before the key is looked up.
void cmd_zcount(CommandContext& c) {
  ScoreRange range;
  if (!parse_score_range_or_reply(c, c.arg(2), c.arg(3), &range)) return;
  ZSet z;
  const Blob* b;
  if (!zset_at(c, c.arg(1), true, &z, &b)) return;
  const std::optional<uint64_t> first = range.first(z);
  c.out.integer(first ? static_cast<int64_t>(range.end(z) - *first) : 0);
}

// ZLEXCOUNT key min max. A listpack counts from the first member in range
// while members stay <= max; a skiplist subtracts the ranks of the first
// and last members in range (the whole tail if there is no last).
void cmd_zlexcount(CommandContext& c) {
  LexRange range;
  if (!parse_lex_range_or_reply(c, c.arg(2), c.arg(3), &range)) return;
  ZSet z;
  const Blob* b;
  if (!zset_at(c, c.arg(1), true, &z, &b)) return;
  const std::optional<uint64_t> first = range.first(z);
  uint64_t count = 0;
  if (first && z.is_listpack()) {
    z.walk(*first, z.size() - 1, [&](const ZEntry& e) {
      if (!range.lte_max(e)) return false;
      ++count;
      return true;
    });
  } else if (first) {
    const std::optional<uint64_t> last = range.last(z);
    count = (last ? *last + 1 : z.size()) - *first;
  }
  c.out.integer(static_cast<int64_t>(count));
}

// ---------------------------------------------------------------------------
// ZRANGE and its forms

enum class RangeBy { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

// What a ZRANGE-family call asks, after its options.
struct RangeQuery {
  RangeBy by = RangeBy::kAuto;
  Direction dir = Direction::kAuto;
  bool withscores = false;
  int64_t offset = 0, limit = -1;  // LIMIT; -1 is also "no LIMIT given", as in Redis
};

// Redis's option loop: WITHSCORES (not for ZRANGESTORE), LIMIT offset count
// (its numbers checked at once), and REV / BYLEX / BYSCORE only where the
// command left them open (ZRANGE, ZRANGESTORE).
bool parse_range_options_or_reply(CommandContext& c, size_t from, bool store, RangeQuery* q) {
  for (size_t j = from; j < c.argc(); ++j) {
    const std::string_view a = c.arg(j);
    if (!store && equals_ci(a, "withscores")) {
      q->withscores = true;
    } else if (equals_ci(a, "limit") && c.argc() - j - 1 >= 2) {
      if (!get_ll_or_reply(c.out, c.arg(j + 1), &q->offset) || !get_ll_or_reply(c.out, c.arg(j + 2), &q->limit)) {
        return false;
      }
      j += 2;
    } else if (q->dir == Direction::kAuto && equals_ci(a, "rev")) {
      q->dir = Direction::kReverse;
    } else if (q->by == RangeBy::kAuto && equals_ci(a, "bylex")) {
      q->by = RangeBy::kLex;
    } else if (q->by == RangeBy::kAuto && equals_ci(a, "byscore")) {
      q->by = RangeBy::kScore;
    } else {
      c.out.syntax_error();
      return false;
    }
  }
  if (q->dir == Direction::kAuto) q->dir = Direction::kForward;
  if (q->by == RangeBy::kAuto) q->by = RangeBy::kRank;
  if (q->limit != -1 && q->by == RangeBy::kRank) {
    c.out.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    return false;
  }
  if (q->withscores && q->by == RangeBy::kLex) {
    c.out.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return false;
  }
  return true;
}

// The parsed range, whichever kind the query is.
struct RangeBounds {
  int64_t start = 0, end = 0;  // ranks
  ScoreRange score;
  LexRange lex;
};

bool parse_bounds_or_reply(CommandContext& c, const RangeQuery& q, std::string_view min, std::string_view max,
                           RangeBounds* r) {
  switch (q.by) {
    case RangeBy::kScore:
      return parse_score_range_or_reply(c, min, max, &r->score);
    case RangeBy::kLex:
      return parse_lex_range_or_reply(c, min, max, &r->lex);
    default:
      return get_ll_or_reply(c.out, min, &r->start) && get_ll_or_reply(c.out, max, &r->end);
  }
}

std::vector<ZEntry> select_by_rank(const ZSet& z, int64_t start, int64_t end, bool reverse) {
  std::vector<ZEntry> out;
  if (!clamp_ranks(z.size(), &start, &end)) return out;
  out.reserve(static_cast<size_t>(end - start + 1));
  auto take = [&](const ZEntry& e) {
    out.push_back(e);
    return true;
  };
  const uint64_t top = z.size() - 1;
  if (reverse) {
    z.walk_backward(top - static_cast<uint64_t>(start), top - static_cast<uint64_t>(end), take);
  } else {
    z.walk(static_cast<uint64_t>(start), static_cast<uint64_t>(end), take);
  }
  return out;
}

std::vector<ZEntry> select_entries(const ZSet& z, const RangeQuery& q, const RangeBounds& r) {
  const bool reverse = q.dir == Direction::kReverse;
  switch (q.by) {
    case RangeBy::kScore:
      return select_in_range(z, r.score, reverse, q.offset, q.limit);
    case RangeBy::kLex:
      return select_in_range(z, r.lex, reverse, q.offset, q.limit);
    default:
      return select_by_rank(z, r.start, r.end, reverse);
  }
}

// WITHSCORES: a flat member, score, ... array in RESP2; in RESP3 an array
// of [member, double] pairs (not a map: the order matters).
void reply_entries(CommandContext& c, const std::vector<ZEntry>& entries, bool withscores) {
  const bool pairs = withscores && c.out.resp3();
  c.out.array(withscores && !pairs ? entries.size() * 2 : entries.size());
  for (const ZEntry& e : entries) {
    if (pairs) c.out.array(2);
    c.out.bulk(e.member);
    if (withscores) c.out.dbl(e.score);
  }
}

// The scores ZRANGESTORE's destination ends up with. Redis 7.0 creates it
// with zsetTypeCreate(hint, 0), the hint being the result's length for a
// rank range (0 for BYSCORE / BYLEX, whose length is not known ahead), and
// adds the entries one by one: while the set is still a listpack a -0
// score is stored as 0, and it turns into a skiplist at the first entry
// past zset-max-listpack-entries or longer than zset-max-listpack-value.
std::vector<ZEntry> as_stored(std::vector<ZEntry> entries, bool rank_hint) {
  const uint64_t max_entries = store::zset_listpack_max_entries();
  if (rank_hint && entries.size() > max_entries) return entries;  // a skiplist from the start
  const uint64_t max_value = store::zset_listpack_max_value();
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i + 1 > max_entries || entries[i].member.size() > max_value) break;
    if (entries[i].score == 0) entries[i].score = 0;  // -0 becomes 0
  }
  return entries;
}

// ZRANGESTORE's destination: replaced whole (no TTL kept) by the result,
// or deleted when the result is empty.
void store_range(CommandContext& c, std::string_view dst, const std::vector<ZEntry>& entries, bool rank_hint) {
  const Blob* old = c.db().lookup(*c.tx, dst);
  const ZSet z = ZSet::build(as_stored(entries, rank_hint));
  if (!store_zset(c, dst, z, old, false)) return;
  c.out.integer(static_cast<int64_t>(entries.size()));
  if (!z.empty()) notify_keyspace_event(c, kNotifyZset, "zrangestore", dst);
}

// Redis's zrangeGenericCommand: ZRANGE and ZRANGESTORE with `by` and `dir`
// open (kAuto), the older commands with them fixed. `src` is the index of
// the source key; min and max follow it.
void range_generic(CommandContext& c, size_t src, bool store, RangeBy by, Direction dir) {
  RangeQuery q;
  q.by = by;
  q.dir = dir;
  if (!parse_range_options_or_reply(c, src + 3, store, &q)) return;
  size_t min = src + 1, max = src + 2;
  if (q.dir == Direction::kReverse && q.by != RangeBy::kRank) std::swap(min, max);  // given as max, min
  RangeBounds bounds;
  if (!parse_bounds_or_reply(c, q, c.arg(min), c.arg(max), &bounds)) return;
  ZSet z;
  const Blob* b;
  if (!zset_at(c, c.arg(src), true, &z, &b)) return;
  const std::vector<ZEntry> entries = b != nullptr ? select_entries(z, q, bounds) : std::vector<ZEntry>{};
  if (store) {
    store_range(c, c.arg(1), entries, q.by == RangeBy::kRank);
  } else {
    reply_entries(c, entries, q.withscores);
  }
}

void cmd_zrange(CommandContext& c) { range_generic(c, 1, false, RangeBy::kAuto, Direction::kAuto); }
void cmd_zrangestore(CommandContext& c) { range_generic(c, 2, true, RangeBy::kAuto, Direction::kAuto); }
void cmd_zrevrange(CommandContext& c) { range_generic(c, 1, false, RangeBy::kRank, Direction::kReverse); }
void cmd_zrangebyscore(CommandContext& c) { range_generic(c, 1, false, RangeBy::kScore, Direction::kForward); }
void cmd_zrevrangebyscore(CommandContext& c) { range_generic(c, 1, false, RangeBy::kScore, Direction::kReverse); }
void cmd_zrangebylex(CommandContext& c) { range_generic(c, 1, false, RangeBy::kLex, Direction::kForward); }
void cmd_zrevrangebylex(CommandContext& c) { range_generic(c, 1, false, RangeBy::kLex, Direction::kReverse); }

// ---------------------------------------------------------------------------
// ZREMRANGEBYRANK / SCORE / LEX: the range is parsed first, then the key is
// looked up (a write's lookup), as Redis's zremrangeGenericCommand.

// Removes ranks first..last (if first <= last) and replies the count.
void remove_ranks(CommandContext& c, ZSet& z, const Blob* old, std::optional<uint64_t> first, uint64_t last,
                  const char* event) {
  if (!first || *first > last) {
    c.out.integer(0);
    return;
  }
  z.erase_ranks(*first, last);
  if (!commit_zset(c, c.arg(1), z, old, event)) return;
  c.out.integer(static_cast<int64_t>(last - *first + 1));
}

void cmd_zremrangebyrank(CommandContext& c) {
  int64_t start, end;
  if (!get_ll_or_reply(c.out, c.arg(2), &start) || !get_ll_or_reply(c.out, c.arg(3), &end)) return;
  ZSet z;
  const Blob* old;
  if (!zset_at(c, c.arg(1), false, &z, &old)) return;
  if (!clamp_ranks(z.size(), &start, &end)) {
    c.out.integer(0);
    return;
  }
  remove_ranks(c, z, old, static_cast<uint64_t>(start), static_cast<uint64_t>(end), "zremrangebyrank");
}

void cmd_zremrangebyscore(CommandContext& c) {
  ScoreRange range;
  if (!parse_score_range_or_reply(c, c.arg(2), c.arg(3), &range)) return;
  ZSet z;
  const Blob* old;
  if (!zset_at(c, c.arg(1), false, &z, &old)) return;
  // From the first score >= min (> min) while scores stay within max.
  const uint64_t first = range.begin(z), end = range.end(z);
  remove_ranks(c, z, old, first < end ? std::optional<uint64_t>(first) : std::nullopt, end - 1, "zremrangebyscore");
}

void cmd_zremrangebylex(CommandContext& c) {
  LexRange range;
  if (!parse_lex_range_or_reply(c, c.arg(2), c.arg(3), &range)) return;
  ZSet z;
  const Blob* old;
  if (!zset_at(c, c.arg(1), false, &z, &old)) return;
  // From the first member in range while members stay <= max (< max).
  const std::optional<uint64_t> first = range.first(z);
  uint64_t last = 0;
  if (first) {
    last = *first;
    if (*first + 1 < z.size()) {
      z.walk(*first + 1, z.size() - 1, [&](const ZEntry& e) {
        if (!range.lte_max(e)) return false;
        ++last;
        return true;
      });
    }
  }
  remove_ranks(c, z, old, first, last, "zremrangebylex");
}

// ---------------------------------------------------------------------------
// ZSCAN and ZRANDMEMBER

// A score as Redis's ZSCAN writes it for a skiplist: "%.17Lg" of the
// double, the same digits as "%.17g" ("inf" and "-inf" included).
std::string score_text(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, "%.17g", v);
  return std::string(buf, static_cast<size_t>(n));
}

// A listpack returns the score as it stores it: Redis 7.0's double2ll
// keeps an integral score within +-(LLONG_MAX/2 as a double) as an integer
// ("100000000000000000", not "1e+17"), anything else as d2string's text.
std::string listpack_score_text(double v) {
  const auto limit = static_cast<double>(INT64_MAX / 2);
  if (v >= -limit && v <= limit) {
    const auto ll = static_cast<int64_t>(v);
    if (static_cast<double>(ll) == v) return std::to_string(ll);
  }
  return score_text(v);
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]: a listpack is returned
// whole with cursor 0, in order; a skiplist walks the member dictionary
// (Hash::scan, as HSCAN). MATCH looks at members.
void cmd_zscan(CommandContext& c) {
  CollectionScan scan;
  if (!parse_cursor_or_reply(c.out, c.arg(2), &scan.cursor)) return;
  ZSet z;
  const Blob* b;
  if (!zset_at(c, c.arg(1), true, &z, &b)) return;
  if (b == nullptr) {
    c.out.array(2);
    c.out.bulk("0");
    c.out.array(0);
    return;
  }
  if (!parse_scan_options_or_reply(c, &scan)) return;
  std::vector<ZEntry> shown;
  uint64_t next = 0;
  std::vector<HashEntry> found;
  const bool listpack = z.is_listpack();
  if (listpack) {
    z.walk(0, z.size() - 1, [&](const ZEntry& e) {
      if (scan.matches(e.member)) shown.push_back(e);
      return true;
    });
  } else {
    next = z.members().scan(scan.cursor, scan.count, &found);
    for (const HashEntry& e : found) {
      if (scan.matches(e.field)) shown.push_back({e.field, ZSet::decode_score(e.value)});
    }
  }
  c.out.array(2);
  c.out.bulk(std::to_string(next));
  c.out.array(shown.size() * 2);
  for (const ZEntry& e : shown) {
    c.out.bulk(e.member);
    c.out.bulk(listpack ? listpack_score_text(e.score) : score_text(e.score));
  }
}

// One member (and score) of ZRANDMEMBER's reply.
void reply_random_entry(CommandContext& c, const ZEntry& e, bool withscores) {
  if (withscores && c.out.resp3()) c.out.array(2);
  c.out.bulk(e.member);
  if (withscores) c.out.dbl(e.score);
}

// ZRANDMEMBER key count [WITHSCORES], once the arguments are checked.
void zrandmember_with_count(CommandContext& c, int64_t l, bool withscores) {
  ZSet z;
  const Blob* b;
  if (!zset_at(c, c.arg(1), true, &z, &b)) return;
  const uint64_t n = l < 0 ? static_cast<uint64_t>(-l) : static_cast<uint64_t>(l);
  if (b == nullptr || n == 0) {
    c.out.array(0);
    return;
  }
  if (l < 0 && n > kMaxRandomReplyEntries) {  // a positive count is at most the set
    c.out.error("ERR value is out of range: tmkv's ZRANDMEMBER returns at most 10000000 members");
    return;
  }
  const uint64_t size = z.size();
  if (l < 0 || n == 1) {  // with repetitions (or just one)
    std::uniform_int_distribution<uint64_t> pick(0, size - 1);
    reply_random_header(c, n, withscores);
    for (uint64_t i = 0; i < n; ++i) reply_random_entry(c, z.at(pick(random_engine())), withscores);
    return;
  }
  if (n >= size) {  // the whole set, highest first: Redis walks it from its tail
    reply_random_header(c, size, withscores);
    z.walk_backward(size - 1, 0, [&](const ZEntry& e) {
      reply_random_entry(c, e, withscores);
      return true;
    });
    return;
  }
  const std::vector<uint64_t> chosen = distinct_positions(n, size);
  reply_random_header(c, chosen.size(), withscores);
  for (uint64_t i : chosen) reply_random_entry(c, z.at(i), withscores);
}

// ZRANDMEMBER key [count [WITHSCORES]]. Redis's order: the count (in
// -LONG_MAX..LONG_MAX), the syntax, WITHSCORES's range, then the key.
void cmd_zrandmember(CommandContext& c) {
  if (c.argc() == 2) {
    ZSet z;
    const Blob* b;
    if (!zset_at(c, c.arg(1), true, &z, &b)) return;
    if (b == nullptr) {
      c.out.null();
    } else {
      c.out.bulk(z.at(std::uniform_int_distribution<uint64_t>(0, z.size() - 1)(random_engine())).member);
    }
    return;
  }
  int64_t l;
  if (!get_ll_or_reply(c.out, c.arg(2), &l)) return;
  if (l == INT64_MIN) {
    c.out.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
    return;
  }
  const bool withscores = c.argc() == 4 && equals_ci(c.arg(3), "withscores");
  if (c.argc() > 4 || (c.argc() == 4 && !withscores)) {
    c.out.syntax_error();
    return;
  }
  if (withscores && (l < -INT64_MAX / 2 || l > INT64_MAX / 2)) {  // the reply's length must not overflow
    c.out.error("ERR value is out of range");
    return;
  }
  zrandmember_with_count(c, l, withscores);
}

}  // namespace

void register_zset_commands(std::vector<CommandSpec>& t) {
  const uint32_t R = kTransactional | kReadOnly;
  const uint32_t W = kTransactional | kWrite;
  const char* g = "sorted_set";
  t.push_back({"zadd", -4, W | kFast | kDenyOom, 1, 1, 1, g, "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.", cmd_zadd});
  t.push_back({"zincrby", 4, W | kFast | kDenyOom, 1, 1, 1, g, "Increments the score of a member in a sorted set.", cmd_zincrby});
  t.push_back({"zrem", -3, W | kFast, 1, 1, 1, g, "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.", cmd_zrem});
  t.push_back({"zcard", 2, R | kFast, 1, 1, 1, g, "Returns the number of members in a sorted set.", cmd_zcard});
  t.push_back({"zscore", 3, R | kFast, 1, 1, 1, g, "Returns the score of a member in a sorted set.", cmd_zscore});
  t.push_back({"zmscore", -3, R | kFast, 1, 1, 1, g, "Returns the score of one or more members in a sorted set.", cmd_zmscore});
  t.push_back({"zcount", 4, R | kFast, 1, 1, 1, g, "Returns the count of members in a sorted set that have scores within a range.", cmd_zcount});
  t.push_back({"zlexcount", 4, R | kFast, 1, 1, 1, g, "Returns the number of members in a sorted set within a lexicographical range.", cmd_zlexcount});
  t.push_back({"zrank", 3, R | kFast, 1, 1, 1, g, "Returns the index of a member in a sorted set ordered by ascending scores.", cmd_zrank});
  t.push_back({"zrevrank", 3, R | kFast, 1, 1, 1, g, "Returns the index of a member in a sorted set ordered by descending scores.", cmd_zrevrank});
  t.push_back({"zrange", -4, R, 1, 1, 1, g, "Returns members in a sorted set within a range of indexes.", cmd_zrange});
  t.push_back({"zrangestore", -5, W | kDenyOom, 1, 2, 1, g, "Stores a range of members from sorted set in a key.", cmd_zrangestore});
  t.push_back({"zrevrange", -4, R, 1, 1, 1, g, "Returns members in a sorted set within a range of indexes in reverse order.", cmd_zrevrange});
  t.push_back({"zrangebyscore", -4, R, 1, 1, 1, g, "Returns members in a sorted set within a range of scores.", cmd_zrangebyscore});
  t.push_back({"zrevrangebyscore", -4, R, 1, 1, 1, g, "Returns members in a sorted set within a range of scores in reverse order.", cmd_zrevrangebyscore});
  t.push_back({"zrangebylex", -4, R, 1, 1, 1, g, "Returns members in a sorted set within a lexicographical range.", cmd_zrangebylex});
  t.push_back({"zrevrangebylex", -4, R, 1, 1, 1, g, "Returns members in a sorted set within a lexicographical range in reverse order.", cmd_zrevrangebylex});
  t.push_back({"zremrangebyrank", 4, W, 1, 1, 1, g, "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.", cmd_zremrangebyrank});
  t.push_back({"zremrangebyscore", 4, W, 1, 1, 1, g, "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.", cmd_zremrangebyscore});
  t.push_back({"zremrangebylex", 4, W, 1, 1, 1, g, "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.", cmd_zremrangebylex});
  t.push_back({"zscan", -3, R, 1, 1, 1, g, "Iterates over members and scores of a sorted set.", cmd_zscan});
  t.push_back({"zrandmember", -2, R, 1, 1, 1, g, "Returns one or more random members from a sorted set.", cmd_zrandmember});
}

}  // namespace tmkv::server
