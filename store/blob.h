// Blob: the heap box holding one value. Immutable but for its access bits
// (access_clock.h): a write builds a new Blob and commit swaps the record's
// pointer; the old one is retired to the epoch reclaimer, so readers holding
// a view never see it change or vanish.
//
// Layout: 8-byte header (size; type, flags and the access-tracking bits of
// access_clock.h), then the expiry time (8 bytes) only if the key has one,
// then the bytes, in one allocation. A 32-byte value without a TTL
// takes jemalloc's 48-byte class; keys without a TTL pay nothing for expiry.
// The type tag is here so Redis's types share the record layout. A string's
// bytes are the string; a hash's or set's are a HashBody (hash_value.h), a
// list's a ListBody, a sorted set's a ZSetBody, a stream's a StreamBody, whose root
// this box holds one reference to: make() takes it, destroy() drops it, so
// code that copies a value's bytes into a new box (RENAME, COPY, EXPIRE)
// stays correct for every type.
//
// Expiry lives in the value, not the record, so that setting or clearing a
// TTL is an ordinary transactional write of the record's word: it commits or
// aborts with the rest of the transaction, and WATCH sees it as a change.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <string_view>

#include "store/access_clock.h"
#include "store/clock.h"
#include "store/hash_value.h"
#include "store/list_value.h"
#include "store/stream_value.h"
#include "store/zset_value.h"

namespace tmkv::store {

enum class ValueType : uint8_t { kString = 0, kHash = 1, kSet = 2, kList = 3, kZSet = 4, kStream = 5 };

// Hashes and sets share one representation: a persistent trie (hash_value.h;
// a set's members are fields with empty values).
inline bool is_trie(ValueType t) { return t == ValueType::kHash || t == ValueType::kSet; }

class Blob {
 public:
  static constexpr uint8_t kHasExpiry = 1;

  uint32_t size;  // immutable

  ValueType type() const { return static_cast<ValueType>(meta() & kTypeMask); }
  const char* bytes() const { return reinterpret_cast<const char*>(this) + header_size(flags()); }
  std::string_view view() const { return {bytes(), size}; }
  // Absolute Unix time in milliseconds at which the key expires; 0 = never.
  int64_t expire_at_ms() const {
    if ((flags() & kHasExpiry) == 0) return 0;
    int64_t t;
    std::memcpy(&t, reinterpret_cast<const char*>(this) + sizeof(Blob), sizeof t);
    return t;
  }
  bool expired_at(int64_t now_ms) const {
    int64_t t = expire_at_ms();
    return t != 0 && t <= now_ms;
  }

  // The access-tracking bits (access_clock.h): LRU clock or LFU word.
  uint32_t access() const { return meta() >> kAccessShift; }
  // Records one access at now_ms (a read's lookup). Not transactional and
  // not ordered with anything: see access_clock.h, CONCURRENCY. Stores only
  // when the bits change, and keeps the immutable low byte as it is, so
  // racing touches can lose an update but never change the type or flags.
  void touch(int64_t now_ms) const {
    const uint32_t m = meta();
    const uint32_t current = m >> kAccessShift;
    const uint32_t next = touched_access(current, now_ms);
    if (next != current) meta_ref().store((m & kImmutableMask) | (next << kAccessShift), std::memory_order_relaxed);
  }
  // Overwrites the access bits (LFU: an overwritten key keeps its
  // frequency, as in Redis). Same rules as touch().
  void set_access(uint32_t bits) const {
    const uint32_t m = meta();
    meta_ref().store((m & kImmutableMask) | ((bits & kAccessMask) << kAccessShift), std::memory_order_relaxed);
  }

  // True if make() was given the access bits (a value moved or restored
  // with its own), so an overwrite must not carry the old key's over.
  bool access_given() const { return (meta() & kAccessGiven) != 0; }

  // expire_at_ms: 0 for no expiry. The access bits start as a new key's
  // at now_ms (clock.h), the command's instant, unless given.
  static Blob* make(ValueType type, std::string_view bytes, int64_t expire_at_ms = 0,
                    std::optional<uint32_t> access = std::nullopt) {
    const uint8_t flags = expire_at_ms != 0 ? kHasExpiry : 0;
    void* mem = std::malloc(header_size(flags) + bytes.size());
    if (mem == nullptr) throw std::bad_alloc();
    auto* b = static_cast<Blob*>(mem);
    b->size = static_cast<uint32_t>(bytes.size());
    // Not yet shared: a plain store (commit publishes the box with a
    // release store of the record's word).
    const uint32_t bits = access ? *access & kAccessMask : initial_access(now_ms());
    b->meta_ = static_cast<uint32_t>(type) | (uint32_t{flags} << kFlagsShift) | (access ? kAccessGiven : 0) |
               (bits << kAccessShift);
    if (flags & kHasExpiry) std::memcpy(static_cast<char*>(mem) + sizeof(Blob), &expire_at_ms, sizeof expire_at_ms);
    if (!bytes.empty()) std::memcpy(const_cast<char*>(b->bytes()), bytes.data(), bytes.size());
    if (is_trie(type)) hash_body_retain(b->bytes());
    if (type == ValueType::kList) list_body_retain(b->bytes());
    if (type == ValueType::kZSet) zset_body_retain(b->bytes());
    if (type == ValueType::kStream) stream_body_retain(b->bytes());
    return b;
  }
  static void destroy(void* p) {
    auto* b = static_cast<Blob*>(p);
    if (is_trie(b->type())) hash_body_release(b->bytes());
    if (b->type() == ValueType::kList) list_body_release(b->bytes());
    if (b->type() == ValueType::kZSet) zset_body_release(b->bytes());
    if (b->type() == ValueType::kStream) stream_body_release(b->bytes());
    std::free(p);
  }
  // Bytes of this box's one allocation: header (with the expiry, if any)
  // and value.
  size_t allocation_bytes() const { return header_size(flags()) + size; }
  // For a hash, set, list, sorted set or stream, the bytes of its nodes (hash_value.h: already by
  // size class; shared with other versions, if any); 0 for a string.
  size_t node_bytes() const {
    if (is_trie(type())) return hash_body_node_bytes(bytes());
    if (type() == ValueType::kZSet) return zset_body_node_bytes(bytes());
    if (type() == ValueType::kStream) return stream_body_node_bytes(bytes());
    return type() == ValueType::kList ? list_body_node_bytes(bytes()) : 0;
  }

 private:
  // meta_: bits 0..5 the type, bit 6 kAccessGiven, bit 7 the flags
  // (kHasExpiry), all written once by make(); bits 8..31 the access bits,
  // rewritten by readers (touch) with relaxed atomic stores that carry the
  // low byte unchanged.
  static constexpr uint32_t kTypeMask = 0x3f;
  static constexpr uint32_t kAccessGiven = 0x40;
  static constexpr uint32_t kFlagsShift = 7;
  static constexpr uint32_t kImmutableMask = 0xff;
  static constexpr uint32_t kAccessShift = 8;

  uint32_t meta() const { return meta_ref().load(std::memory_order_relaxed); }
  std::atomic_ref<uint32_t> meta_ref() const { return std::atomic_ref<uint32_t>(meta_); }
  uint8_t flags() const { return static_cast<uint8_t>((meta() >> kFlagsShift) & 1); }
  static size_t header_size(uint8_t flags) { return sizeof(Blob) + ((flags & kHasExpiry) ? sizeof(int64_t) : 0); }

  mutable uint32_t meta_;
};
static_assert(sizeof(Blob) == 8);

}  // namespace tmkv::store
