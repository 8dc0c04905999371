// ZSetValue: the body of a Redis sorted set (ZADD, ZRANGE, ...), built from
// the two persistent structures the other collections use:
//
//   members  a Hash (hash_value.h) from member to its score (the double's
//            8 raw bytes): ZSCORE, ZMSCORE, "is it there", ZSCAN;
//   order    a List (list_value.h, a rope with counts) of the elements in
//            Redis's order: score ascending, equal scores by member bytes
//            (memcmp, shorter first), as Redis's skiplist and listpack keep
//            them. An element is an 8-byte order key of the score followed
//            by the member, so plain byte comparison of two elements is
//            exactly that order.
//
// The order key maps a double to 8 big-endian bytes whose unsigned order is
// the numeric order (positive: sign bit set; negative: every bit flipped).
// -0.0 is keyed as +0.0, since Redis compares scores numerically and -0 == 0;
// the member's own score (with its sign) stays in `members`.
//
// COST. A position is found by one walk down the rope that binary-searches
// each inner node's children by their first elements and then the leaf
// (List::partition_point): O(log n) comparisons, each child's first element
// reached by following first children (O(height^2) pointer steps; the
// height is 4 at a million members). ZADD, ZREM and ZINCRBY are that search
// plus a path copy in each structure; ZRANK is the search (the rank is the
// counts of the children passed); ZRANGE by rank is a walk down then along
// the leaves. Each member is kept twice (dictionary and order), as Redis's
// skiplist encoding also keeps it in its dict and its skiplist.
//
// WHY PERSISTENT, OWNERSHIP AND CONCURRENCY: as for hashes and lists. A
// committed value is immutable; a write builds a new version sharing most
// nodes with the old one; a ZSetBody owns one reference on each root
// (zset_body_retain / zset_body_release, called by Blob::make / destroy).
//
// ENCODING NAME. Redis 7.0 keeps a small sorted set as a listpack and moves
// it to a skiplist once it has more than zset-max-listpack-entries (128)
// members or a member longer than zset-max-listpack-value (64 bytes); it
// never moves back by itself, but a set built whole (ZUNIONSTORE, RESTORE,
// ...) starts in the encoding its contents call for. `big` records that
// state for OBJECT ENCODING and for ZSCAN, which returns a listpack whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "store/hash_value.h"
#include "store/list_value.h"

namespace tmkv::store {

// What a kZSet Blob's bytes hold (blob.h): trivially copyable, like the
// other collection bodies; it owns one reference on each root.
struct ZSetBody {
  HashBody members;
  ListBody order;
  // Bit 0: Redis would report "skiplist". Bit 1: some member may have the
  // score -0 (set when one is stored, cleared when a listpack folds them
  // to 0), so only then does a walk that meets a zero score ask the
  // dictionary for its sign.
  uint64_t flags = 0;
};

// Called by Blob::make / Blob::destroy / Blob::node_bytes for kZSet.
void zset_body_retain(const char* body_bytes);
void zset_body_release(const char* body_bytes);
size_t zset_body_node_bytes(const char* body_bytes);

// Redis's zset-max-listpack-entries / -value (defaults 128 and 64). Relaxed
// atomics, as set_hash_listpack_limits.
void set_zset_listpack_limits(uint64_t entries, uint64_t value_bytes);
uint64_t zset_listpack_max_entries();
uint64_t zset_listpack_max_value();

struct ZEntry {
  std::string_view member;
  double score;
};

class ZSet {
 public:
  ZSet() = default;
  // A handle on the version a stored value holds (takes references).
  static ZSet from_body(std::string_view body_bytes);
  // A sorted set of `entries` (members distinct, scores not NaN; any
  // order), in the encoding its contents call for.
  static ZSet build(std::span<const ZEntry> entries);

  uint64_t size() const { return members_.size(); }
  bool empty() const { return members_.empty(); }
  // Bytes of a Blob body (ZSetBody) for this version. Only when non-empty.
  std::string body_bytes() const;
  uint64_t node_bytes() const { return members_.node_bytes() + order_.node_bytes(); }
  // "listpack" or "skiplist", as Redis 7.0 would report this set.
  const char* encoding() const { return big_ ? "skiplist" : "listpack"; }
  bool is_listpack() const { return !big_; }
  // Moves to "skiplist" now (Redis creating a set for many or long
  // members, zsetTypeCreate's hints).
  void mark_big() { big_ = true; }
  // Re-judges the encoding from the contents (Redis's
  // zsetConvertToListpackIfNeeded after building a set whole). A listpack
  // holds no -0 (Redis reads it back as 0): scores of -0 become 0.
  void judge_encoding();
  // Re-judges it by the number of members only: Redis's check on a
  // listpack it loads (RESTORE of RDB type 17), which keeps long members.
  void judge_encoding_by_entries();

  // The member's score, if it is there.
  std::optional<double> score(std::string_view member) const;
  // Adds member with `score` or moves it there. True if it is new.
  // While the set is a listpack a score of -0 is stored as 0, as Redis.
  // REQUIRES: !isnan(score).
  bool insert(std::string_view member, double score);
  // Removes member; true if it was there.
  bool erase(std::string_view member);
  // The member's 0-based rank in ascending order, if it is there.
  std::optional<uint64_t> rank(std::string_view member) const;
  // The entry at rank r, 0 <= r < size(); views valid while this handle
  // keeps the version.
  ZEntry at(uint64_t r) const;

  // The first rank whose score is >= v (> v if `strict`); size() if none.
  uint64_t lower_bound_score(double v, bool strict) const;
  // The first rank whose member is >= m (> m if `strict`), comparing
  // members only: meaningful when every score is equal, which is what
  // Redis's *BYLEX commands require of their callers.
  uint64_t lower_bound_member(std::string_view m, bool strict) const;

  // Calls fn on ranks from..to (inclusive, from <= to < size()) ascending,
  // or from `from` down to `to` (walk_backward, from >= to), until fn
  // returns false.
  void walk(uint64_t from, uint64_t to, const std::function<bool(const ZEntry&)>& fn) const;
  void walk_backward(uint64_t from, uint64_t to, const std::function<bool(const ZEntry&)>& fn) const;
  // Removes ranks from..to (inclusive, from <= to < size()).
  void erase_ranks(uint64_t from, uint64_t to);

  // The member dictionary (ZSCAN of a skiplist walks it in trie order);
  // its values are 8-byte scores (decode_score).
  const Hash& members() const { return members_; }
  static double decode_score(std::string_view eight_bytes);

  // Tests only: members and order agree, the order is sorted.
  bool consistent_for_testing() const;

 private:
  std::string element(std::string_view member, double score) const;
  void fold_negative_zeros();
  ZEntry decode(std::string_view element) const;

  Hash members_;
  List order_;
  bool big_ = false;
  bool may_hold_negative_zero_ = false;  // see ZSetBody::flags
};

}  // namespace tmkv::store
