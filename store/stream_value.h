// StreamValue: the body of a Redis stream (XADD, XRANGE, XREADGROUP, ...):
// its entries, its counters and its consumer groups, as one persistent value.
//
// WHY PERSISTENT. As for every other type (hash_value.h): a committed value
// is immutable, so readers on other threads hold it without a lock, and a
// write builds a new version. The entries live in a persistent rope
// (list_value.h) kept in ID order, so an XADD copies one leaf and the path
// above it, and a lookup by ID is one walk down (List::partition_point).
// Each consumer group is a separate immutable object shared between
// versions; a write that changes one group (XREADGROUP, XACK, XCLAIM)
// copies that group's header and consumer map, and its pending-entries
// lists (PELs, ropes again) copy only the path they change. A version that
// changes no group shares them all.
//
// ENTRY. One rope element per entry: the ID (16 bytes, big-endian ms then
// seq, so byte order is ID order), the emulated node it sits in (8 bytes;
// see NODES) and the field-value pairs, each string as a varint length and
// its bytes.
//
// NODES. Redis keeps a stream as a radix tree of listpacks of at most
// stream-node-max-entries (100; 0 = no limit) appended entries, and approximate trimming
// (MAXLEN ~, MINID ~) removes whole listpacks only, so how much `~` trims
// depends on where those boundaries fall. tmkv's rope has no such nodes;
// it numbers them instead: an append starts a new node when the tail node
// has had stream-node-max-entries appends, or holds no entry any more
// (deleted or trimmed), as Redis's would. Redis also closes a node past
// stream-node-max-bytes (4 KB of listpack), which tmkv does not emulate
// (the setting is kept and shown, and changes nothing): for streams of
// small entries `~` trims exactly what Redis trims, for big entries it may
// keep more (never fewer than asked, which is all `~` promises).
//
// PEL. A group's pending entries, ascending by ID: ID, delivery time (ms),
// delivery count and the owning consumer's name. Each consumer keeps the IDs
// it owns, ascending, so XPENDING ... consumer and XREADGROUP's history read
// walk only that consumer's entries, as Redis's per-consumer PELs do.
//
// OWNERSHIP AND CONCURRENCY. A kStream Blob's bytes are a StreamBody: one
// pointer to a StreamState, which holds an atomic reference count: one per
// Blob (taken by Blob::make, dropped by Blob::destroy) and one per Stream
// handle that reaches it. As for list nodes, increments are relaxed (the
// incrementer holds a reference already), decrements acq_rel (every use
// happens before the free), and readers never touch the count (the epoch
// reclaimer keeps the Blob, and so the state, alive while they read). Groups
// are shared through std::shared_ptr, whose counts are atomic. A handle
// changes a state or a group in place only if it made that object itself
// since it last published (body_bytes()); otherwise it copies first. So no
// object any other thread can reach is ever written.
#pragma once

#include <compare>
#include <functional>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/list_value.h"

namespace tmkv::store {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;

  auto operator<=>(const StreamId&) const = default;
  bool is_zero() const { return ms == 0 && seq == 0; }
  static constexpr StreamId max() { return {UINT64_MAX, UINT64_MAX}; }
  // Redis's streamIncrID / streamDecrID: false (and unchanged) at the ends.
  bool incr();
  bool decr();
  // "ms-seq", as replies show it.
  std::string text() const;
  // 16 bytes, big-endian: byte order is ID order.
  void encode(char* out) const;
  static StreamId decode(const char* in);
};

// One pending entry of a group (a view: valid while the handle that gave
// it keeps its version).
struct StreamPending {
  StreamId id;
  int64_t delivery_ms = 0;
  uint64_t delivery_count = 0;
  std::string_view consumer;
};

struct StreamConsumer {
  int64_t seen_ms = 0;  // last time it read or claimed (XINFO's idle)
  List pending;         // the IDs (16 bytes each) it owns in the group's PEL, ascending
};

struct StreamGroup {
  StreamId last_id;            // last-delivered-id
  int64_t entries_read = -1;   // -1: unknown (Redis's SCG_INVALID_ENTRIES_READ)
  List pel;                    // see PEL above
  std::map<std::string, StreamConsumer, std::less<>> consumers;  // by name, bytewise (Redis's rax order)
};

struct StreamState;
using StreamGroups = std::map<std::string, std::shared_ptr<StreamGroup>, std::less<>>;

// What a kStream Blob's bytes hold (blob.h): trivially copyable, so generic
// code may copy a value's bytes (RENAME, COPY, MOVE, EXPIRE's rewrite).
struct StreamBody {
  StreamState* state = nullptr;
};

// Called by Blob::make / Blob::destroy / Blob::node_bytes for kStream.
void stream_body_retain(const char* body_bytes);
void stream_body_release(const char* body_bytes);
size_t stream_body_node_bytes(const char* body_bytes);

// An entry as a read returns it (views valid while the handle keeps its version).
struct StreamEntry {
  StreamId id;
  std::vector<std::string_view> fields;  // field, value, field, value, ...
};

// Redis's stream-node-max-entries (default 100; 0: no limit), for the
// emulated nodes (NODES). Relaxed atomics: CONFIG SET applies to appends
// that follow it, as in Redis, with no ordering needed against anything.
void set_stream_node_max_entries(uint64_t n);
uint64_t stream_node_max_entries();

class Stream {
 public:

  Stream();  // a new, empty stream
  static Stream from_body(std::string_view body_bytes);
  Stream(const Stream& o);
  Stream& operator=(const Stream& o);
  Stream(Stream&& o) noexcept;
  Stream& operator=(Stream&& o) noexcept;
  ~Stream();

  // Bytes of a Blob body for this version (Store::put(..., kStream, ...)).
  // The version is shared from then on: later changes copy first.
  std::string body_bytes() const;
  // Memory of this version: the state, the entries' rope, the groups.
  uint64_t node_bytes() const;

  // ---- Entries and counters ----
  uint64_t length() const;
  StreamId last_id() const;             // last-generated-id
  StreamId max_deleted_id() const;      // max-deleted-entry-id
  uint64_t entries_added() const;
  // Redis's streamEstimateDistanceFromFirstEverEntry: the logical read
  // counter of id (a group's entries-read there), or -1 if it cannot be
  // known.
  int64_t estimate_distance(StreamId id) const;
  void set_last_id(StreamId id);
  void set_max_deleted_id(StreamId id);
  void set_entries_added(uint64_t n);
  // The first entry's ID, 0-0 when empty (recorded-first-entry-id).
  StreamId first_id() const;
  // The last entry's ID; only when length() > 0.
  StreamId last_entry_id() const;
  // The emulated listpack nodes now holding entries (XINFO's radix-tree-keys):
  // kept as entries come and go, O(1).
  uint64_t node_count() const;
  // The same, counted by walking every entry (tests).
  uint64_t node_count_by_walk() const;

  // Appends an entry with id > last_id(); sets last_id and counts it in
  // entries_added. `fields` alternates field and value.
  void append(StreamId id, std::span<const std::string_view> fields);
  // Position of the first entry with ID >= id (length() if none).
  uint64_t lower_bound(StreamId id) const;
  StreamId id_at(uint64_t pos) const;
  StreamEntry entry_at(uint64_t pos) const;
  bool contains(StreamId id) const;
  // XDEL of one ID: true if it was there (max_deleted_id follows it).
  bool erase(StreamId id);
  // Redis's streamTrim: drops entries from the head while the stream is
  // longer than maxlen (kMaxLen) or they are older than minid (kMinId).
  // approx: only whole emulated nodes, stopping at the first that cannot
  // go, and at most `limit` entries when limit > 0. The count removed.
  enum class Trim { kNone, kMaxLen, kMinId };
  uint64_t trim(Trim strategy, uint64_t maxlen, StreamId minid, bool approx, uint64_t limit);

  // ---- The serialized form (server/rdb_stream.h: DUMP, RESTORE) ----
  // Calls fn(entry, node) for each entry in ID order, `node` being its
  // emulated node's number (NODES); stops when fn returns false.
  void walk_entries(const std::function<bool(const StreamEntry&, uint64_t node)>& fn) const;
  // An entry as the rope holds it (ENTRY), for load_entries.
  static std::string entry_element(StreamId id, uint64_t node, std::span<const std::string_view> fields);
  // Replaces the entries with `elements` (entry_element's; IDs strictly
  // ascending, node numbers from 1 and not descending), node `tail_node`
  // (>= the last entry's) being the one the next append may join after the
  // `tail_appends` it has had, deleted entries included, as a loaded Redis
  // listpack counts them. The counters (last ID, entries added, max deleted)
  // are set apart. False, and nothing changed, if the IDs or nodes are out
  // of order.
  bool load_entries(std::span<const std::string_view> elements, uint64_t tail_node, uint64_t tail_appends);

  // ---- Groups ----
  size_t group_count() const;
  const StreamGroup* group(std::string_view name) const;
  // A group this handle may change (copied first if shared); nullptr if none.
  StreamGroup* mutable_group(std::string_view name);
  // False if a group of that name exists.
  bool create_group(std::string_view name, StreamId last_id, int64_t entries_read);
  bool destroy_group(std::string_view name);
  // Calls fn(name, group) in name order.
  template <class Fn>
  void for_each_group(Fn&& fn) const;

  // ---- Pending-entries list helpers (on a group of this stream) ----
  static uint64_t pel_lower_bound(const List& pel, StreamId id);
  static StreamPending pel_at(const List& pel, uint64_t pos);
  static std::string pel_element(StreamId id, int64_t delivery_ms, uint64_t count, std::string_view consumer);
  // A consumer's ID list.
  static uint64_t ids_lower_bound(const List& ids, StreamId id);
  static std::string id_element(StreamId id);
  // Moves pending `id` (present in g.pel at `pos`) to consumer `to` with the
  // given delivery time and count, keeping both consumers' ID lists right.
  static void pel_assign(StreamGroup& g, uint64_t pos, std::string_view to, int64_t delivery_ms, uint64_t count);
  // Inserts pending `id` (not yet in g.pel) for consumer `to`.
  static void pel_insert(StreamGroup& g, StreamId id, std::string_view to, int64_t delivery_ms, uint64_t count);
  // Removes the pending entry at `pos` from g.pel and its consumer's list.
  static void pel_erase(StreamGroup& g, uint64_t pos);

 private:
  Stream(StreamState* st, bool exclusive) : st_(st), exclusive_(exclusive) {}  // takes over a reference
  StreamState* writable();
  const StreamGroups& groups() const;

  StreamState* st_ = nullptr;  // one reference held
  // st_ was made by this handle since it last published (body_bytes), so no
  // other thread can reach it: changes go in place.
  mutable bool exclusive_ = false;
  // Groups this handle made since it last published (same rule).
  mutable std::vector<const StreamGroup*> own_groups_;
};

template <class Fn>
void Stream::for_each_group(Fn&& fn) const {
  for (const auto& [name, g] : groups()) fn(std::string_view(name), *g);
}

}  // namespace tmkv::store
