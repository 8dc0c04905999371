// ListValue: the body of a Redis list (LPUSH, RPOP, LRANGE, ...) as a
// persistent rope: a tree whose leaves hold runs of elements and whose
// inner nodes know how many elements lie below each child.
//
// WHY PERSISTENT. As for hashes (hash_value.h): a committed value is
// immutable, so readers on other threads hold it without a lock, and a write
// builds a new version. Copying a whole list per LPUSH would make a queue's
// every push O(n); the rope copies only the path to the changed position (a
// leaf of at most 64 elements and one inner node of at most 32 children per
// level) and shares the rest with the version it read.
//
// SHAPE. Leaves hold up to kLeafMax elements and, unless a single element is
// bigger, kLeafMaxBytes of them (Redis's quicklist keeps 8 KB listpacks).
// A push onto a full leaf at either end of the list starts a new leaf, so a
// list built by pushes has full leaves; an insert inside a full leaf splits
// it in halves. Inner nodes split in halves past kFanout children. Erasing
// drops leaves and inner nodes that become empty and lets a root with one
// child give way to that child; nodes are not merged, so the depth stays
// O(log n) of the largest size the list had. Position i is found by one walk
// down the counts: LINDEX, LSET and pushes and pops at either end are
// O(log n); LINSERT and LREM find their place by a scan, as Redis's do.
//
// OWNERSHIP AND CONCURRENCY. Exactly hash_value.h's scheme: one atomic
// reference count per node, one count per parent, Blob (type kList) or
// handle pointing at it; relaxed increments by a holder, acq_rel decrements,
// and readers never touch counts (the epoch reclaimer keeps the Blob they
// reached alive, and the Blob keeps the nodes). Node contents are published
// by the commit's release store of the record's word.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tmkv::store {

struct ListNode;

// What a kList Blob's bytes hold (blob.h): trivially copyable, so generic
// code may copy a value's bytes (RENAME, COPY, MOVE, EXPIRE's rewrite);
// Blob::make takes its own reference on the root and Blob::destroy drops it.
struct ListBody {
  ListNode* root = nullptr;  // nullptr only for an empty list (never stored)
};

// Called by Blob::make / Blob::destroy / Blob::node_bytes for kList.
void list_body_retain(const char* body_bytes);
void list_body_release(const char* body_bytes);
size_t list_body_node_bytes(const char* body_bytes);

// A handle on one version of a list: owns a reference to its root. Copying
// shares the version; the mutators build a new version and leave every
// other handle's version as it was.
class List {
 public:
  static constexpr size_t kLeafMax = 64;
  static constexpr size_t kLeafMaxBytes = 4096;
  static constexpr size_t kFanout = 32;

  List() = default;
  // A handle on the version a stored value holds (takes a reference).
  static List from_body(std::string_view body_bytes);
  // A list of `values`, in order, with full leaves.
  static List build(std::span<const std::string_view> values);
  List(const List& o);
  List& operator=(const List& o);
  List(List&& o) noexcept;
  List& operator=(List&& o) noexcept;
  ~List();

  uint64_t size() const;
  bool empty() const { return root_ == nullptr; }
  // Bytes of a Blob body (ListBody) for this version, to store with
  // Store::put(..., ValueType::kList, ...). Only for a non-empty list.
  std::string body_bytes() const;
  // Memory of this version's nodes, by the allocator's size classes
  // (MEMORY USAGE, eviction); shared nodes count in every version.
  uint64_t node_bytes() const;

  // Element i, 0 <= i < size(); valid while this handle keeps the version.
  std::string_view at(uint64_t i) const;
  // Inserts `value` before position i (0 <= i <= size()).
  void insert(uint64_t i, std::string_view value);
  void push_front(std::string_view value) { insert(0, value); }
  void push_back(std::string_view value) { insert(size(), value); }
  // Removes element i (0 <= i < size()).
  void erase(uint64_t i);
  // Replaces element i (0 <= i < size()).
  void set(uint64_t i, std::string_view value);

  // For a list whose elements are ordered so that `after` is false on a
  // prefix and true on the rest (a sorted set's order, zset_value.h): the
  // position of the first element where it holds, size() if none. One walk
  // down, binary-searching each inner node's children by their first
  // elements and the leaf by its items: O(height^2 * log(fan-out)) steps of
  // pointer chasing but only O(log n) calls of `after`.
  uint64_t partition_point(const std::function<bool(std::string_view)>& after) const;

  // Calls fn on elements from..to (inclusive, from <= to < size()) in order,
  // forward, or backward from `from` down to `to` (from >= to), until fn
  // returns false. The views are valid while this handle keeps the version.
  void walk(uint64_t from, uint64_t to, const std::function<bool(std::string_view)>& fn) const;
  void walk_backward(uint64_t from, uint64_t to, const std::function<bool(std::string_view)>& fn) const;

  // Tests only: the tree's height (1 for a single leaf, 0 when empty), and
  // whether every node's counts and sizes agree with its children's.
  int height_for_testing() const;
  bool consistent_for_testing() const;

 private:
  void reset(ListNode* root);  // takes over `root`'s reference
  ListNode* root_ = nullptr;
};

}  // namespace tmkv::store
