// Set commands: SADD, SREM, SMEMBERS, SINTER/SUNION/SDIFF (and STORE),
// SINTERCARD, SMOVE, SPOP, SRANDMEMBER, SSCAN, ...
//
// A set is the persistent trie of store/hash_value.h with empty values, one
// value in the keyspace like a hash: a command reads the version its
// transaction sees and stores a new one, so SMOVE and the STORE commands
// change their keys atomically with each other and with anything else in
// the same EXEC or script. Replies, errors and keyspace events follow Redis
// 7.0's t_set.c. A set Redis would keep as an intset (at most
// set-max-intset-entries members, all 64-bit integers) reports "intset" and
// lists its members in numeric order, as Redis's intset does.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
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
using store::ValueType;

bool set_at(CommandContext& c, std::string_view key, bool for_read, Hash* s, const Blob** blob = nullptr) {
  return trie_at(c, key, ValueType::kSet, for_read, s, blob);
}

bool store_set(CommandContext& c, std::string_view key, const Hash& s, const Blob* old) {
  return store_trie(c, key, ValueType::kSet, s, old);
}

// The members in the order Redis lists them: ascending while an intset,
// otherwise the trie's order.
std::vector<std::string_view> members_of(const Hash& s) {
  std::vector<std::string_view> out;
  for (const HashEntry& e : s.entries()) out.push_back(e.field);
  if (std::string_view(s.set_encoding()) == "intset") {
    std::sort(out.begin(), out.end(), [](std::string_view a, std::string_view b) {
      return *store::parse_int64(a) < *store::parse_int64(b);
    });
  }
  return out;
}

// A set reply (RESP3 `~`, an array for RESP2) of every member.
void reply_members(CommandContext& c, const Hash& s) {
  const std::vector<std::string_view> members = members_of(s);
  c.out.set(members.size());
  for (std::string_view m : members) c.out.bulk(m);
}

void cmd_sadd(CommandContext& c) {
  Hash s;
  const Blob* old;
  if (!set_at(c, c.arg(1), false, &s, &old)) return;
  int64_t added = 0;
  for (size_t i = 2; i < c.argc(); ++i) added += s.add_member(c.arg(i)) ? 1 : 0;
  if (added > 0) {
    if (!store_set(c, c.arg(1), s, old)) return;
    notify_keyspace_event(c, kNotifySet, "sadd", c.arg(1));
  }
  c.out.integer(added);
}

void cmd_srem(CommandContext& c) { erase_from_trie(c, ValueType::kSet, kNotifySet, "srem"); }

void cmd_scard(CommandContext& c) {
  Hash s;
  if (set_at(c, c.arg(1), true, &s)) c.out.integer(static_cast<int64_t>(s.size()));
}

void cmd_sismember(CommandContext& c) {
  Hash s;
  if (set_at(c, c.arg(1), true, &s)) c.out.integer(s.contains(c.arg(2)) ? 1 : 0);
}

void cmd_smismember(CommandContext& c) {
  Hash s;
  if (!set_at(c, c.arg(1), true, &s)) return;
  c.out.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) c.out.integer(s.contains(c.arg(i)) ? 1 : 0);
}

// SMOVE source destination member: one transaction over both keys.
void cmd_smove(CommandContext& c) {
  const std::string_view src_key = c.arg(1), dst_key = c.arg(2), member = c.arg(3);
  const Blob* src_blob = c.db().lookup(*c.tx, src_key);
  const Blob* dst_blob = c.db().lookup(*c.tx, dst_key);
  if (src_blob == nullptr) {
    c.out.integer(0);
    return;
  }
  if (src_blob->type() != ValueType::kSet || (dst_blob != nullptr && dst_blob->type() != ValueType::kSet)) {
    c.out.error(kWrongTypeError);
    return;
  }
  Hash src = Hash::from_body(src_blob->view());
  if (src_key == dst_key) {
    c.out.integer(src.contains(member) ? 1 : 0);
    return;
  }
  if (!src.erase(member)) {
    c.out.integer(0);
    return;
  }
  if (!store_set(c, src_key, src, src_blob)) return;
  notify_keyspace_event(c, kNotifySet, "srem", src_key);
  if (src.empty()) notify_keyspace_event(c, kNotifyGeneric, "del", src_key);
  Hash dst = dst_blob != nullptr ? Hash::from_body(dst_blob->view()) : Hash();
  if (dst.add_member(member)) {
    if (!store_set(c, dst_key, dst, dst_blob)) return;
    notify_keyspace_event(c, kNotifySet, "sadd", dst_key);
  }
  c.out.integer(1);
}

// The sets at keys (read lookups, each counted), type-checked all before
// any is used, as Redis's set-algebra commands do: present[i] false for a
// missing key. False after replying WRONGTYPE.
bool sets_at(CommandContext& c, std::span<const std::string_view> keys, std::vector<Hash>* sets,
             std::vector<bool>* present) {
  for (std::string_view key : keys) {
    Hash s;
    const Blob* b;
    if (!set_at(c, key, true, &s, &b)) return false;
    sets->push_back(std::move(s));
    present->push_back(b != nullptr);
  }
  return true;
}

// Stores a STORE command's result at dst (any old value of any type is
// replaced, without its TTL), or deletes dst for an empty result; replies
// the result's size. `event`: "sinterstore", "sunionstore" or "sdiffstore".
void store_result(CommandContext& c, std::string_view dst, const Hash& result, const char* event) {
  if (result.empty()) {
    c.out.integer(0);
    if (c.db().del(*c.tx, dst)) notify_keyspace_event(c, kNotifyGeneric, "del", dst);
    return;
  }
  c.db().del(*c.tx, dst);  // a new value, as Redis's setKey: no TTL kept
  const store::OpStatus st = c.db().put(*c.tx, dst, ValueType::kSet, result.body_bytes(), 0);
  if (st != store::OpStatus::kOk) {
    reply_status(c.out, st);
    return;
  }
  c.out.integer(static_cast<int64_t>(result.size()));
  notify_keyspace_event(c, kNotifySet, event, dst);
}

// SINTER, SMEMBERS, SINTERSTORE and SINTERCARD. `limit`: SINTERCARD's
// (0 = none).
void inter_generic(CommandContext& c, std::span<const std::string_view> keys, const std::string_view* dst,
                   bool cardinality_only, uint64_t limit) {
  std::vector<Hash> sets;
  std::vector<bool> present;
  if (!sets_at(c, keys, &sets, &present)) return;
  Hash result;
  uint64_t cardinality = 0;
  if (std::all_of(present.begin(), present.end(), [](bool p) { return p; })) {
    // Walk the smallest set; keep what every other set holds.
    size_t smallest = 0;
    for (size_t i = 1; i < sets.size(); ++i) {
      if (sets[i].size() < sets[smallest].size()) smallest = i;
    }
    for (std::string_view m : members_of(sets[smallest])) {
      bool everywhere = true;
      for (size_t i = 0; i < sets.size() && everywhere; ++i) everywhere = i == smallest || sets[i].contains(m);
      if (!everywhere) continue;
      ++cardinality;
      if (cardinality_only) {
        if (limit != 0 && cardinality >= limit) break;
      } else {
        result.add_member(m);
      }
    }
  }
  if (cardinality_only) {
    c.out.integer(static_cast<int64_t>(cardinality));
  } else if (dst != nullptr) {
    store_result(c, *dst, result, "sinterstore");
  } else {
    reply_members(c, result);
  }
}

void cmd_sinter(CommandContext& c) { inter_generic(c, c.args.subspan(1), nullptr, false, 0); }
void cmd_sinterstore(CommandContext& c) { inter_generic(c, c.args.subspan(2), &c.args[1], false, 0); }

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void cmd_sintercard(CommandContext& c) {
  const auto numkeys = parse_ll(c.arg(1));
  if (!numkeys || *numkeys < 1) {
    c.out.error("ERR numkeys should be greater than 0");
    return;
  }
  if (static_cast<uint64_t>(*numkeys) > c.argc() - 2) {
    c.out.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  uint64_t limit = 0;
  for (size_t i = 2 + static_cast<size_t>(*numkeys); i < c.argc(); ++i) {
    if (equals_ci(c.arg(i), "limit") && i + 1 < c.argc()) {
      const auto l = parse_ll(c.arg(++i));
      if (!l || *l < 0) {
        c.out.error("ERR LIMIT can't be negative");
        return;
      }
      limit = static_cast<uint64_t>(*l);
    } else {
      c.out.syntax_error();
      return;
    }
  }
  inter_generic(c, c.args.subspan(2, static_cast<size_t>(*numkeys)), nullptr, true, limit);
}

// SUNION, SDIFF and their STORE forms.
void union_diff_generic(CommandContext& c, std::span<const std::string_view> keys, const std::string_view* dst,
                        bool is_union) {
  std::vector<Hash> sets;
  std::vector<bool> present;
  if (!sets_at(c, keys, &sets, &present)) return;
  Hash result;
  if (is_union) {
    for (size_t i = 0; i < sets.size(); ++i) {
      for (const HashEntry& e : sets[i].entries()) result.add_member(e.field);
    }
  } else if (present[0]) {
    // Redis 7.0 picks one of two algorithms by the sizes, and they differ in
    // what the result reports as its encoding: the first adds only the
    // members that survive (an intset if they are all integers), the second
    // copies the first set and removes the others' members (a hashtable
    // stays one). Same choice here, so OBJECT ENCODING (and with it the
    // listing order) agrees.
    uint64_t one = 0, two = 0;
    for (size_t i = 0; i < sets.size(); ++i) {
      if (!present[i]) continue;
      one += sets[0].size();
      two += sets[i].size();
    }
    const bool copy_then_remove = one / 2 > two;
    if (copy_then_remove) {
      for (const HashEntry& e : sets[0].entries()) result.add_member(e.field);
      for (size_t i = 1; i < sets.size() && !result.empty(); ++i) {
        for (const HashEntry& e : sets[i].entries()) result.erase(e.field);
      }
    } else {
      for (const HashEntry& e : sets[0].entries()) {
        bool elsewhere = false;
        for (size_t i = 1; i < sets.size() && !elsewhere; ++i) elsewhere = sets[i].contains(e.field);
        if (!elsewhere) result.add_member(e.field);
      }
    }
  }
  if (dst != nullptr) {
    store_result(c, *dst, result, is_union ? "sunionstore" : "sdiffstore");
  } else {
    reply_members(c, result);
  }
}

void cmd_sunion(CommandContext& c) { union_diff_generic(c, c.args.subspan(1), nullptr, true); }
void cmd_sunionstore(CommandContext& c) { union_diff_generic(c, c.args.subspan(2), &c.args[1], true); }
void cmd_sdiff(CommandContext& c) { union_diff_generic(c, c.args.subspan(1), nullptr, false); }
void cmd_sdiffstore(CommandContext& c) { union_diff_generic(c, c.args.subspan(2), &c.args[1], false); }

// SRANDMEMBER key [count]
void cmd_srandmember(CommandContext& c) {
  if (c.argc() > 3) {
    c.out.syntax_error();
    return;
  }
  if (c.argc() == 2) {
    Hash s;
    const Blob* b;
    if (!set_at(c, c.arg(1), true, &s, &b)) return;
    if (b == nullptr) {
      c.out.null();
    } else {
      c.out.bulk(s.at(std::uniform_int_distribution<uint64_t>(0, s.size() - 1)(random_engine())).field);
    }
    return;
  }
  int64_t l;
  if (!get_ll_or_reply(c.out, c.arg(2), &l)) return;
  if (l == INT64_MIN) {  // Redis's range is -LONG_MAX..LONG_MAX
    c.out.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
    return;
  }
  Hash s;
  const Blob* b;
  if (!set_at(c, c.arg(1), true, &s, &b)) return;
  if (b == nullptr || l == 0) {
    c.out.array(0);
    return;
  }
  const uint64_t n = l < 0 ? static_cast<uint64_t>(-l) : static_cast<uint64_t>(l);
  const uint64_t size = s.size();
  if (l < 0) {  // repetitions allowed
    if (n > kMaxRandomReplyEntries) {
      c.out.error("ERR value is out of range: tmkv's SRANDMEMBER returns at most 10000000 members");
      return;
    }
    std::uniform_int_distribution<uint64_t> pick(0, size - 1);
    c.out.array(n);
    for (uint64_t i = 0; i < n; ++i) c.out.bulk(s.at(pick(random_engine())).field);
    return;
  }
  if (n >= size) {  // the whole set, as an array
    const std::vector<std::string_view> members = members_of(s);
    c.out.array(members.size());
    for (std::string_view m : members) c.out.bulk(m);
    return;
  }
  const std::vector<uint64_t> chosen = distinct_positions(n, size);
  c.out.array(chosen.size());
  for (uint64_t i : chosen) c.out.bulk(s.at(i).field);
}

// SPOP key [count]
void cmd_spop(CommandContext& c) {
  if (c.argc() > 3) {
    c.out.syntax_error();
    return;
  }
  const std::string_view key = c.arg(1);
  if (c.argc() == 2) {
    Hash s;
    const Blob* b;
    if (!set_at(c, key, false, &s, &b)) return;
    if (b == nullptr) {
      c.out.null();
      return;
    }
    const std::string member(s.at(std::uniform_int_distribution<uint64_t>(0, s.size() - 1)(random_engine())).field);
    s.erase(member);
    if (!store_set(c, key, s, b)) return;
    notify_keyspace_event(c, kNotifySet, "spop", key);
    if (s.empty()) notify_keyspace_event(c, kNotifyGeneric, "del", key);
    c.out.bulk(member);
    return;
  }
  const std::optional<int64_t> l = parse_ll(c.arg(2));
  if (!l || *l < 0) {  // Redis's getPositiveLongFromObjectOrReply: one text for both
    c.out.error("ERR value is out of range, must be positive");
    return;
  }
  Hash s;
  const Blob* b;
  if (!set_at(c, key, false, &s, &b)) return;
  if (b == nullptr || *l == 0) {
    c.out.set(0);
    return;
  }
  const uint64_t n = static_cast<uint64_t>(*l), size = s.size();
  notify_keyspace_event(c, kNotifySet, "spop", key);
  if (n >= size) {  // the whole set, through SUNION's code in Redis (one more lookup)
    lookup_for_read(c, key);
    reply_members(c, s);
    c.db().del(*c.tx, key);
    notify_keyspace_event(c, kNotifyGeneric, "del", key);
    return;
  }
  std::vector<std::string> popped;
  for (uint64_t i : distinct_positions(n, size)) popped.emplace_back(s.at(i).field);
  for (const std::string& m : popped) s.erase(m);
  if ((size - n) * 5 <= n) {
    // Redis 7.0 pops most of a set by building a new one from the members
    // that stay, which judges the encoding afresh (a hashtable of a few
    // integers becomes an intset): the same here.
    Hash rebuilt;
    for (const HashEntry& e : s.entries()) rebuilt.add_member(e.field);
    s = std::move(rebuilt);
  }
  if (!store_set(c, key, s, b)) return;
  c.out.set(popped.size());
  for (const std::string& m : popped) c.out.bulk(m);
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
void cmd_sscan(CommandContext& c) {
  CollectionScan scan;
  if (!begin_collection_scan(c, ValueType::kSet, &scan)) return;
  std::vector<std::string_view> members;
  uint64_t next = 0;
  if (std::string_view(scan.value.set_encoding()) == "intset") {
    members = members_of(scan.value);  // as Redis: an intset is returned whole, cursor 0
  } else {
    std::vector<HashEntry> entries;
    next = scan.value.scan(scan.cursor, scan.count, &entries);
    for (const HashEntry& e : entries) members.push_back(e.field);
  }
  std::vector<std::string_view> shown;
  for (std::string_view m : members) {
    if (scan.matches(m)) shown.push_back(m);
  }
  c.out.array(2);
  c.out.bulk(std::to_string(next));
  c.out.array(shown.size());
  for (std::string_view m : shown) c.out.bulk(m);
}

}  // namespace

void register_set_commands(std::vector<CommandSpec>& t) {
  const uint32_t R = kTransactional | kReadOnly;
  const uint32_t W = kTransactional | kWrite;
  const char* g = "set";
  t.push_back({"sadd", -3, W | kFast | kDenyOom, 1, 1, 1, g, "Adds one or more members to a set. Creates the key if it doesn't exist.", cmd_sadd});
  t.push_back({"srem", -3, W | kFast, 1, 1, 1, g, "Removes one or more members from a set. Deletes the set if the last member was removed.", cmd_srem});
  t.push_back({"scard", 2, R | kFast, 1, 1, 1, g, "Returns the number of members in a set.", cmd_scard});
  t.push_back({"sismember", 3, R | kFast, 1, 1, 1, g, "Determines whether a member belongs to a set.", cmd_sismember});
  t.push_back({"smismember", -3, R | kFast, 1, 1, 1, g, "Determines whether multiple members belong to a set.", cmd_smismember});
  t.push_back({"smembers", 2, R, 1, 1, 1, g, "Returns all members of a set.", cmd_sinter});
  t.push_back({"smove", 4, W | kFast, 1, 2, 1, g, "Moves a member from one set to another.", cmd_smove});
  t.push_back({"sinter", -2, R, 1, -1, 1, g, "Returns the intersect of multiple sets.", cmd_sinter});
  t.push_back({"sinterstore", -3, W | kDenyOom, 1, -1, 1, g, "Stores the intersect of multiple sets in a key.", cmd_sinterstore});
  t.push_back({"sintercard", -3, R, 0, 0, 0, g, "Returns the number of members of the intersect of multiple sets.", cmd_sintercard});
  t.push_back({"sunion", -2, R, 1, -1, 1, g, "Returns the union of multiple sets.", cmd_sunion});
  t.push_back({"sunionstore", -3, W | kDenyOom, 1, -1, 1, g, "Stores the union of multiple sets in a key.", cmd_sunionstore});
  t.push_back({"sdiff", -2, R, 1, -1, 1, g, "Returns the difference of multiple sets.", cmd_sdiff});
  t.push_back({"sdiffstore", -3, W | kDenyOom, 1, -1, 1, g, "Stores the difference of multiple sets in a key.", cmd_sdiffstore});
  t.push_back({"srandmember", -2, R, 1, 1, 1, g, "Get one or multiple random members from a set", cmd_srandmember});
  t.push_back({"spop", -2, W | kFast, 1, 1, 1, g, "Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.", cmd_spop});
  t.push_back({"sscan", -3, R, 1, 1, 1, g, "Iterates over members of a set.", cmd_sscan});
}

}  // namespace tmkv::server
