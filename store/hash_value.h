// HashValue: the body of a Redis hash (HSET, HGET, ...) as a persistent
// hash array mapped trie (Bagwell's HAMT, path-copied). A Redis set (SADD,
// ...) is the same trie with empty values (add_member).
//
// WHY PERSISTENT. A value in the keyspace is immutable once committed (a
// write builds a new Blob and commit swaps the record's word; blob.h), so
// readers on other threads never see a value change under them and need no
// lock. For a hash that would mean copying every field on every HSET. A
// persistent trie copies only the path to the changed field (at most 13
// nodes of at most 32 children, typically 2-4) and shares everything else
// with the previous version, so a write costs O(log32 n) allocations and a
// reader keeps whatever version it found.
//
// SHAPE. Fields are placed by a seeded 64-bit hash (hash_key_seeded), five
// bits per level from the low bits up (13 levels, the last with 4 bits).
// A Branch holds a 32-bit bitmap and one child per set bit; a Leaf holds one
// field and its value; two fields whose full 64-bit hashes are equal end in
// a Collision node below the last level. A branch below the root left with
// a single leaf is collapsed into that leaf, so a small hash is a root
// branch of leaves.
//
// ORDER. Walking children in bit order visits leaves in increasing
// `order key` (order_key in hash_value.cc: the hash's 5-bit chunks, first
// level most significant). HSCAN's cursor is that key, so a field present for a whole
// scan is returned once however the hash changes meanwhile, as Redis
// promises. Every leaf also carries the sequence number of its field's
// insertion: a hash that Redis would keep as a listpack (by
// hash-max-listpack-entries/-value, 512 fields and 64 bytes by default,
// never bigger since) is returned in insertion order, as Redis returns it;
// a bigger one in trie order. (Sets order their intsets numerically in the
// server, cmd_sets.cc.)
//
// OWNERSHIP AND CONCURRENCY. Nodes are immutable after construction but for
// their reference count. Each reference (a parent's child pointer, a Blob
// of type kHash or kSet, a Hash handle) owns one count. Counts are atomics because
// writers on different threads may share a node of a common base version:
// increments are relaxed (the incrementer already holds a reference, so the
// node cannot be freed meanwhile), decrements acq_rel (every use of the node
// by any thread happens before the one that frees it). Readers never touch
// counts: a reader reached the node through a Blob that the epoch reclaimer
// keeps alive until the reader is done, and the Blob's own reference keeps
// the nodes. Node contents are published by the commit's release store of
// the record's word, before any other thread can reach them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tmkv::store {

struct HashNode;
struct HashLeaf;

// What a kHash or kSet Blob's bytes hold (blob.h): trivially copyable, so generic
// code may copy a value's bytes (RENAME, COPY, MOVE, EXPIRE's rewrite);
// Blob::make takes its own reference on the root and Blob::destroy drops it.
struct HashBody {
  HashNode* root = nullptr;  // nullptr only for an empty hash (never stored)
  uint64_t count = 0;        // fields
  uint64_t node_bytes = 0;   // bytes of the nodes this version reaches, by the allocator's size classes
  uint64_t next_seq = 0;     // insertion number of the next new field
  uint64_t big = 0;          // 1 once Redis would have left listpack (a hash) or intset (a set); never reset, as in Redis
};

// Called by Blob::make / Blob::destroy / Blob::node_bytes for kHash and kSet.
void hash_body_retain(const char* body_bytes);
void hash_body_release(const char* body_bytes);
size_t hash_body_node_bytes(const char* body_bytes);

// Redis's hash-max-listpack-entries / -value (defaults 512 and 64): past
// either, a hash reports "hashtable" and lists in trie order (ORDER above).
// Relaxed atomics: a setting, read by each write; a write racing a change
// may judge by either value, as a Redis write before or after CONFIG SET.
void set_hash_listpack_limits(uint64_t entries, uint64_t value_bytes);
// Redis's set-max-intset-entries (default 512), the same way.
void set_set_intset_limit(uint64_t entries);

// One field and its value, as stored.
struct HashEntry {
  std::string_view field;
  std::string_view value;
};

// A handle on one version of a hash: owns a reference to its root. Copying
// shares the version; the mutators build a new version (path copying) and
// leave every other handle's version as it was.
class Hash {
 public:
  Hash() = default;
  // A handle on the version a stored value holds (takes a reference).
  static Hash from_body(std::string_view body_bytes);
  Hash(const Hash& o);
  Hash& operator=(const Hash& o);
  Hash(Hash&& o) noexcept;
  Hash& operator=(Hash&& o) noexcept;
  ~Hash();

  uint64_t size() const { return body_.count; }
  bool empty() const { return body_.count == 0; }
  // Bytes of a Blob body (HashBody) for this version, to store with
  // Store::put(..., ValueType::kHash, ...). Only for a non-empty hash.
  std::string body_bytes() const;
  // Approximate memory of this version's nodes (MEMORY USAGE, eviction).
  uint64_t node_bytes() const { return body_.node_bytes; }
  // Redis's encoding name for this hash: "listpack" or "hashtable".
  const char* encoding() const { return body_.big ? "hashtable" : "listpack"; }

  // True and *value (valid while this handle keeps the version) if field is there.
  bool find(std::string_view field, std::string_view* value) const;
  bool contains(std::string_view field) const;
  // Sets field to value; true if the field is new. Judges the encoding by
  // the hash rules (hash-max-listpack-*).
  bool set(std::string_view field, std::string_view value);
  // A set's SADD: adds member with an empty value; true if it is new.
  // Judges the encoding by the set rules: "intset" while every member is a
  // canonical 64-bit integer and there are at most set-max-intset-entries.
  bool add_member(std::string_view member);
  // Redis's name for this value's encoding, as a set ("intset"/"hashtable").
  const char* set_encoding() const { return body_.big ? "hashtable" : "intset"; }
  // Removes field; true if it was there.
  bool erase(std::string_view field);

  // Every entry: insertion order while the hash would be a Redis listpack,
  // trie order otherwise (see ORDER above).
  std::vector<HashEntry> entries() const;
  // HSCAN: entries with order key >= cursor, at least `count` of them (all
  // entries of one order key together); returns the cursor to continue
  // from, 0 when the walk is complete.
  uint64_t scan(uint64_t cursor, size_t count, std::vector<HashEntry>* out) const;
  // The i-th entry in trie order (HRANDFIELD), 0 <= i < size(): each branch
  // knows how many leaves it holds, so this is one walk down, O(log n).
  HashEntry at(uint64_t i) const;

 private:
  bool insert(std::string_view field, std::string_view value);  // set() without the encoding rule

  HashBody body_;
};

// Tests only: while on, fields hash to one of `distinct` values (a weak
// hash), so tests reach the collision nodes and the deepest levels. Set it
// before any hash exists and clear it after they are gone.
void hash_value_weak_hash_for_testing(uint64_t distinct);

}  // namespace tmkv::store
