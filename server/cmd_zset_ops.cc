// Sorted-set pops and set algebra: ZPOPMIN, ZPOPMAX, ZMPOP, their blocking
// forms BZPOPMIN, BZPOPMAX, BZMPOP, and ZUNION, ZINTER, ZDIFF, their STORE
// forms and ZINTERCARD, with Redis 7.0's replies, errors, order of checks,
// lookups (which count as keyspace hits and misses) and keyspace events.
//
// The pops read their keys with a write's lookup (no hit or miss), as
// Redis's genericZpopCommand; ZUNION, ZINTER, ZDIFF, ZINTERCARD and the
// STORE forms read their inputs as reads (the destination is a write's
// lookup, no hit or miss). The set algebra accepts
// plain sets as inputs, each member scoring 1.0, as Redis does.
//
// The blocking forms ask their connection to block when every key is empty
// and run again each time they are woken (server/blocking.h), as the
// blocking list commands do (cmd_lists.cc).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/client.h"
#include "server/cmd_util.h"
#include "server/command.h"
#include "server/keyspace_events.h"
#include "server/zset_util.h"
#include "store/hash_value.h"
#include "store/zset_value.h"

namespace tmkv::server {
namespace {

using store::Blob;
using store::Hash;
using store::HashEntry;
using store::ValueType;
using store::ZEntry;
using store::ZSet;

constexpr int64_t kLongMax = std::numeric_limits<int64_t>::max();

enum class Where { kMin, kMax };

// ---------------------------------------------------------------------------
// Pops

// How a pop's reply is shaped (Redis's genericZpopCommand flags):
// `emit_key` names the key first (the B* and M* forms); `nested` gives
// each member and score their own pair (RESP3 ZPOPMIN with a count, and
// ZMPOP/BZMPOP in every protocol).
struct PopShape {
  bool emit_key = false;
  bool nested = false;
};

void pop_header(CommandContext& c, std::string_view key, uint64_t n, PopShape shape) {
  if (!shape.emit_key) {
    c.out.array(shape.nested ? n : n * 2);
  } else if (!shape.nested) {
    c.out.array(n * 2 + 1);
    c.out.bulk(key);
  } else {
    c.out.array(2);
    c.out.bulk(key);
    c.out.array(n);
  }
}

// Pops up to `count` (>= 1) entries from the lowest or highest end of the
// non-empty set z at key, replies them, tells "zpopmin"/"zpopmax" (then
// "del" once emptied) and stores what is left, keeping the key's expiry.
void pop_entries(CommandContext& c, std::string_view key, ZSet* z, const Blob* old, Where where, int64_t count,
                 PopShape shape) {
  const uint64_t size = z->size();
  const uint64_t n = std::min(static_cast<uint64_t>(count), size);
  pop_header(c, key, n, shape);
  auto emit = [&](const ZEntry& e) {
    if (shape.nested) c.out.array(2);
    c.out.bulk(e.member);
    c.out.dbl(e.score);
    return true;
  };
  if (where == Where::kMin) {
    z->walk(0, n - 1, emit);
    z->erase_ranks(0, n - 1);
  } else {
    z->walk_backward(size - 1, size - n, emit);
    z->erase_ranks(size - n, size - 1);
  }
  notify_keyspace_event(c, kNotifyZset, where == Where::kMin ? "zpopmin" : "zpopmax", key);
  store_zset(c, key, *z, old);
}

// The sorted set at key for a pop: a write's lookup. A blocking command
// woken from its wait (block_retry) treats a key of another type as empty,
// as Redis serves blocked clients from sorted sets only.
bool pop_source_at(CommandContext& c, std::string_view key, bool blocking, ZSet* z, const Blob** blob) {
  if (blocking && c.client.block_retry) {
    const Blob* b = c.db().lookup(*c.tx, key);
    if (b != nullptr && b->type() != ValueType::kZSet) {
      *blob = nullptr;
      return true;
    }
  }
  return zset_at(c, key, false, z, blob);
}

// Pops from the first non-empty set among keys. False if there was none,
// or after replying WRONGTYPE (*replied).
bool pop_first_nonempty(CommandContext& c, std::span<const std::string_view> keys, Where where, int64_t count,
                        PopShape shape, bool blocking, bool* replied) {
  *replied = false;
  for (std::string_view key : keys) {
    ZSet z;
    const Blob* b;
    if (!pop_source_at(c, key, blocking, &z, &b)) {
      *replied = true;
      return false;
    }
    if (b == nullptr) continue;
    pop_entries(c, key, &z, b, where, count, shape);
    // What a woken client leaves goes to the next one blocked on the key.
    if (c.client.block_retry && !z.empty()) blocking_key_ready(c, key, c.client.db);
    return true;
  }
  return false;
}

// ZPOPMIN / ZPOPMAX key [count]
void zpop_generic(CommandContext& c, Where where) {
  if (c.argc() > 3) {
    c.out.syntax_error();
    return;
  }
  int64_t count = -1;  // -1: no count given, one flat pair
  if (c.argc() == 3 && !get_range_or_reply(c, c.arg(2), 0, kLongMax, "value is out of range, must be positive",
                                           &count)) {
    return;
  }
  ZSet z;
  const Blob* b;
  if (!zset_at(c, c.arg(1), false, &z, &b)) return;
  if (b == nullptr || count == 0) {
    c.out.array(0);
    return;
  }
  // RESP3 nests the pairs when a count was given, even a count of 1.
  const PopShape shape{false, c.out.resp3() && count != -1};
  pop_entries(c, c.arg(1), &z, b, where, count == -1 ? 1 : count, shape);
}

void cmd_zpopmin(CommandContext& c) { zpop_generic(c, Where::kMin); }
void cmd_zpopmax(CommandContext& c) { zpop_generic(c, Where::kMax); }

// BZPOPMIN / BZPOPMAX key [key ...] timeout: the timeout is parsed first.
void bzpop_generic(CommandContext& c, Where where) {
  int64_t timeout_ms;
  if (!parse_timeout_or_reply(c, c.arg(c.argc() - 1), &timeout_ms)) return;
  const auto keys = c.args.subspan(1, c.argc() - 2);
  bool replied;
  if (pop_first_nonempty(c, keys, where, 1, PopShape{true, false}, true, &replied) || replied) return;
  block_or_reply_null(c, std::vector<std::string>(keys.begin(), keys.end()), timeout_ms, true);
}

void cmd_bzpopmin(CommandContext& c) { bzpop_generic(c, Where::kMin); }
void cmd_bzpopmax(CommandContext& c) { bzpop_generic(c, Where::kMax); }

bool parse_where_or_reply(CommandContext& c, std::string_view arg, Where* where) {
  if (equals_ci(arg, "min")) {
    *where = Where::kMin;
  } else if (equals_ci(arg, "max")) {
    *where = Where::kMax;
  } else {
    c.out.syntax_error();
    return false;
  }
  return true;
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count], and BZMPOP's same
// arguments after its timeout (`timeout_at`, 0 for ZMPOP), which Redis 7.0
// parses last.
void zmpop_generic(CommandContext& c, size_t numkeys_at, size_t timeout_at) {
  const bool blocking = timeout_at != 0;
  Where where;
  MultiPopArgs args;
  if (!parse_multi_pop_or_reply(
          c, numkeys_at, timeout_at, [&](std::string_view arg) { return parse_where_or_reply(c, arg, &where); },
          &args)) {
    return;
  }
  const auto keys = args.keys;
  const int64_t count = args.count;
  const int64_t timeout_ms = args.timeout_ms;
  bool replied;
  if (pop_first_nonempty(c, keys, where, count, PopShape{true, true}, blocking, &replied) || replied) return;
  if (!blocking) {
    c.out.null_array();
    return;
  }
  block_or_reply_null(c, std::vector<std::string>(keys.begin(), keys.end()), timeout_ms, true);
}

void cmd_zmpop(CommandContext& c) { zmpop_generic(c, 1, 0); }
// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
void cmd_bzmpop(CommandContext& c) { zmpop_generic(c, 2, 1); }

// ---------------------------------------------------------------------------
// Set algebra

enum class SetOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

// One input: a sorted set, a plain set (every member scoring 1.0), or an
// absent key (empty).
struct Source {
  ZSet zset;
  Hash set;
  bool is_set = false;
  double weight = 1.0;

  uint64_t size() const { return is_set ? set.size() : zset.size(); }
  // The member's score in this input (unweighted), if it is there.
  std::optional<double> find(std::string_view member) const {
    if (!is_set) return zset.score(member);
    if (set.contains(member)) return 1.0;
    return std::nullopt;
  }
  // Every (member, score); the views live as long as this Source.
  std::vector<ZEntry> entries() const {
    std::vector<ZEntry> out;
    out.reserve(size());
    if (is_set) {
      for (const HashEntry& e : set.entries()) out.push_back({e.field, 1.0});
    } else if (!zset.empty()) {
      zset.walk(0, zset.size() - 1, [&](const ZEntry& e) {
        out.push_back(e);
        return true;
      });
    }
    return out;
  }
};

// Redis's zunionInterAggregate: a sum of +inf and -inf is 0, not NaN; a
// NaN `val` leaves MIN and MAX as they were (its comparisons are false).
void aggregate_into(double* target, double val, Aggregate agg) {
  switch (agg) {
    case Aggregate::kSum:
      *target += val;
      if (std::isnan(*target)) *target = 0.0;
      break;
    case Aggregate::kMin:
      *target = val < *target ? val : *target;
      break;
    case Aggregate::kMax:
      *target = val > *target ? val : *target;
      break;
  }
}

// A weighted score; 0 * inf is taken as 0, as Redis does for the first
// score of a member.
double weighted(double score, double weight) {
  const double v = score * weight;
  return std::isnan(v) ? 0.0 : v;
}

struct SetOpArgs {
  std::vector<Source> sources;  // in argument order until sorted
  Aggregate aggregate = Aggregate::kSum;
  bool withscores = false;
  int64_t limit = 0;  // ZINTERCARD's; 0: none
};

// Looks up the input keys in order, each a read's lookup (the STORE forms'
// too, as Redis 7.0), stopping at the first of another type with WRONGTYPE.
bool load_sources(CommandContext& c, std::span<const std::string_view> keys, std::vector<Source>* out) {
  for (std::string_view key : keys) {
    const Blob* b = lookup_for_read(c, key);
    Source s;
    if (b != nullptr) {
      if (b->type() == ValueType::kZSet) {
        s.zset = ZSet::from_body(b->view());
      } else if (b->type() == ValueType::kSet) {
        s.is_set = true;
        s.set = Hash::from_body(b->view());
      } else {
        c.out.error(kWrongTypeError);
        return false;
      }
    }
    out->push_back(std::move(s));
  }
  return true;
}

// The options after the keys, in Redis's order and with its rules: WEIGHTS
// and AGGREGATE for ZUNION/ZINTER and their STORE forms, WITHSCORES for
// the forms that reply, LIMIT for ZINTERCARD; anything else is a syntax
// error.
bool parse_setop_options(CommandContext& c, size_t from, SetOp op, bool stores, bool cardinality_only,
                         SetOpArgs* a) {
  const size_t setnum = a->sources.size();
  const bool weighs = op != SetOp::kDiff && !cardinality_only;
  for (size_t j = from; j < c.argc();) {
    const size_t remaining = c.argc() - j;
    const std::string_view opt = c.arg(j);
    if (weighs && remaining >= setnum + 1 && equals_ci(opt, "weights")) {
      ++j;
      for (size_t i = 0; i < setnum; ++i, ++j) {
        const auto w = parse_score(c.arg(j));
        if (!w) {
          c.out.error("ERR weight value is not a float");
          return false;
        }
        a->sources[i].weight = *w;
      }
    } else if (weighs && remaining >= 2 && equals_ci(opt, "aggregate")) {
      const std::string_view v = c.arg(j + 1);
      if (equals_ci(v, "sum")) {
        a->aggregate = Aggregate::kSum;
      } else if (equals_ci(v, "min")) {
        a->aggregate = Aggregate::kMin;
      } else if (equals_ci(v, "max")) {
        a->aggregate = Aggregate::kMax;
      } else {
        c.out.syntax_error();
        return false;
      }
      j += 2;
    } else if (!stores && !cardinality_only && equals_ci(opt, "withscores")) {
      a->withscores = true;
      ++j;
    } else if (cardinality_only && remaining >= 2 && equals_ci(opt, "limit")) {
      if (!get_range_or_reply(c, c.arg(j + 1), 0, kLongMax, "LIMIT can't be negative", &a->limit)) return false;
      j += 2;
    } else {
      c.out.syntax_error();
      return false;
    }
  }
  return true;
}

using Result = std::vector<ZEntry>;  // member views into the sources

// ZINTER: each member of the smallest input found in every other input,
// scores aggregated in the inputs' order (smallest first). ZINTERCARD
// counts instead, stopping at `limit`.
uint64_t intersect(const std::vector<Source>& src, Aggregate agg, bool count_only, int64_t limit, Result* out) {
  uint64_t cardinality = 0;
  if (src[0].size() == 0) return 0;
  for (const ZEntry& e : src[0].entries()) {
    double score = weighted(e.score, src[0].weight);
    size_t j = 1;
    for (; j < src.size(); ++j) {
      const auto v = src[j].find(e.member);
      if (!v) break;
      // Unlike the first score, a later NaN product reaches the aggregate.
      aggregate_into(&score, *v * src[j].weight, agg);
    }
    if (j != src.size()) continue;
    if (count_only) {
      ++cardinality;
      if (limit != 0 && cardinality >= static_cast<uint64_t>(limit)) break;
    } else {
      out->push_back({e.member, score});
    }
  }
  return cardinality;
}

// ZUNION: every member of any input, scores aggregated in the inputs'
// order (smallest first).
void unite(const std::vector<Source>& src, Aggregate agg, Result* out) {
  std::unordered_map<std::string_view, size_t> at;  // member -> index in *out
  for (const Source& s : src) {
    if (s.size() == 0) continue;
    for (const ZEntry& e : s.entries()) {
      const double score = weighted(e.score, s.weight);
      const auto [it, added] = at.try_emplace(e.member, out->size());
      if (added) {
        out->push_back({e.member, score});
      } else {
        aggregate_into(&(*out)[it->second].score, score, agg);
      }
    }
  }
}

// ZDIFF: the members of the first input that no other input holds, with
// their first-input scores.
void subtract(const std::vector<Source>& src, Result* out) {
  if (src[0].size() == 0) return;
  for (const ZEntry& e : src[0].entries()) {
    bool elsewhere = false;
    for (size_t j = 1; j < src.size() && !elsewhere; ++j) elsewhere = src[j].find(e.member).has_value();
    if (!elsewhere) out->push_back(e);
  }
}

// Replies the result in Redis's order: score, then member bytes (-0 and 0
// tie). Not through a ZSet: Redis replies from a skiplist, which keeps the
// sign of a -0 score that a small stored set would lose.
void reply_result(CommandContext& c, Result* r, bool withscores) {
  std::sort(r->begin(), r->end(), [](const ZEntry& x, const ZEntry& y) {
    return x.score < y.score || (x.score == y.score && x.member < y.member);
  });
  const bool pairs = withscores && c.out.resp3();
  c.out.array(withscores && !pairs ? r->size() * 2 : r->size());
  for (const ZEntry& e : *r) {
    if (pairs) c.out.array(2);
    c.out.bulk(e.member);
    if (withscores) c.out.dbl(e.score);
  }
}

const char* store_event(SetOp op) {
  switch (op) {
    case SetOp::kUnion:
      return "zunionstore";
    case SetOp::kInter:
      return "zinterstore";
    case SetOp::kDiff:
      break;
  }
  return "zdiffstore";
}

// The destination is replaced whole and loses its TTL; an empty result
// deletes it ("del" only if there was something to delete).
void store_result(CommandContext& c, std::string_view dst, const ZSet& z, SetOp op) {
  const Blob* old = c.db().lookup(*c.tx, dst);
  if (!store_zset(c, dst, z, old, false)) return;
  c.out.integer(static_cast<int64_t>(z.size()));
  if (!z.empty()) notify_keyspace_event(c, kNotifyZset, store_event(op), dst);
}

// Redis's zunionInterDiffGenericCommand: numkeys at `numkeys_at`, the keys
// after it, then the options; `dst` for the STORE forms.
void setop_generic(CommandContext& c, const std::string_view* dst, size_t numkeys_at, SetOp op,
                   bool cardinality_only) {
  int64_t setnum;
  if (!get_ll_or_reply(c.out, c.arg(numkeys_at), &setnum)) return;
  if (setnum < 1) {
    c.out.error("ERR at least 1 input key is needed for '" + to_lower(c.arg(0)) + "' command");
    return;
  }
  if (static_cast<uint64_t>(setnum) > c.argc() - (numkeys_at + 1)) {
    c.out.syntax_error();
    return;
  }
  const size_t n = static_cast<size_t>(setnum);
  SetOpArgs a;
  a.sources.reserve(n);
  if (!load_sources(c, c.args.subspan(numkeys_at + 1, n), &a.sources)) return;
  if (!parse_setop_options(c, numkeys_at + 1 + n, op, dst != nullptr, cardinality_only, &a)) return;
  // Smallest first, as Redis sorts them (a stable sort, as glibc's qsort
  // is for these sizes): the order in which scores are summed.
  if (op != SetOp::kDiff) {
    std::stable_sort(a.sources.begin(), a.sources.end(),
                     [](const Source& x, const Source& y) { return x.size() < y.size(); });
  }
  Result r;
  if (op == SetOp::kInter) {
    const uint64_t card = intersect(a.sources, a.aggregate, cardinality_only, a.limit, &r);
    if (cardinality_only) {
      c.out.integer(static_cast<int64_t>(card));
      return;
    }
  } else if (op == SetOp::kUnion) {
    unite(a.sources, a.aggregate, &r);
  } else {
    subtract(a.sources, &r);
  }
  if (dst != nullptr) {
    // Its encoding follows the contents, as Redis's
    // zsetConvertToListpackIfNeeded.
    store_result(c, *dst, ZSet::build(r), op);
  } else {
    reply_result(c, &r, a.withscores);
  }
}

void cmd_zunion(CommandContext& c) { setop_generic(c, nullptr, 1, SetOp::kUnion, false); }
void cmd_zinter(CommandContext& c) { setop_generic(c, nullptr, 1, SetOp::kInter, false); }
void cmd_zdiff(CommandContext& c) { setop_generic(c, nullptr, 1, SetOp::kDiff, false); }
void cmd_zintercard(CommandContext& c) { setop_generic(c, nullptr, 1, SetOp::kInter, true); }
void cmd_zunionstore(CommandContext& c) { setop_generic(c, &c.args[1], 2, SetOp::kUnion, false); }
void cmd_zinterstore(CommandContext& c) { setop_generic(c, &c.args[1], 2, SetOp::kInter, false); }
void cmd_zdiffstore(CommandContext& c) { setop_generic(c, &c.args[1], 2, SetOp::kDiff, false); }

}  // namespace

void register_zset_op_commands(std::vector<CommandSpec>& t) {
  const uint32_t R = kTransactional | kReadOnly;
  const uint32_t W = kTransactional | kWrite;
  const char* g = "sorted_set";
  // Key positions as Redis 7.0's COMMAND INFO gives them: the numkeys
  // commands declare none (0, 0, 0) but the STORE forms' destination.
  // clang-format off
  t.push_back({"zpopmin", -2, W | kFast, 1, 1, 1, g, "Remove and return members with the lowest scores in a sorted set", cmd_zpopmin});
  t.push_back({"zpopmax", -2, W | kFast, 1, 1, 1, g, "Remove and return members with the highest scores in a sorted set", cmd_zpopmax});
  t.push_back({"zmpop", -4, W, 0, 0, 0, g, "Remove and return members with scores in a sorted set", cmd_zmpop});
  t.push_back({"bzpopmin", -3, W | kFast, 1, -2, 1, g, "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", cmd_bzpopmin});
  t.push_back({"bzpopmax", -3, W | kFast, 1, -2, 1, g, "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", cmd_bzpopmax});
  t.push_back({"bzmpop", -5, W, 0, 0, 0, g, "Remove and return members with scores in a sorted set or block until one is available", cmd_bzmpop});
  t.push_back({"zunion", -3, R, 0, 0, 0, g, "Add multiple sorted sets", cmd_zunion});
  t.push_back({"zinter", -3, R, 0, 0, 0, g, "Intersect multiple sorted sets", cmd_zinter});
  t.push_back({"zdiff", -3, R, 0, 0, 0, g, "Subtract multiple sorted sets", cmd_zdiff});
  t.push_back({"zintercard", -3, R, 0, 0, 0, g, "Intersect multiple sorted sets and return the cardinality of the result", cmd_zintercard});
  t.push_back({"zunionstore", -4, W | kDenyOom, 1, 1, 1, g, "Add multiple sorted sets and store the resulting sorted set in a new key", cmd_zunionstore});
  t.push_back({"zinterstore", -4, W | kDenyOom, 1, 1, 1, g, "Intersect multiple sorted sets and store the resulting sorted set in a new key", cmd_zinterstore});
  t.push_back({"zdiffstore", -4, W | kDenyOom, 1, 1, 1, g, "Subtract multiple sorted sets and store the resulting sorted set in a new key", cmd_zdiffstore});
  // clang-format on
}

}  // namespace tmkv::server
