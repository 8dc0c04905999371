// Blob: the immutable heap box holding one value. A write builds a new Blob
// and commit swaps the record's pointer; the old one is retired to the epoch
// reclaimer, so readers holding a view never see it change or vanish.
//
// Layout: 8-byte header, then the expiry time (8 bytes) only if the key has
// one, then the bytes, in one allocation. A 32-byte value without a TTL
// takes jemalloc's 48-byte class; keys without a TTL pay nothing for expiry.
// The type tag is here so later Redis types (hash, list, ...) can share the
// record layout.
//
// Expiry lives in the value, not the record, so that setting or clearing a
// TTL is an ordinary transactional write of the record's word: it commits or
// aborts with the rest of the transaction, and WATCH sees it as a change.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

namespace tmkv::store {

enum class ValueType : uint8_t { kString = 0 };

struct Blob {
  static constexpr uint8_t kHasExpiry = 1;

  uint32_t size;
  ValueType type;
  uint8_t flags;
  uint8_t reserved[2];
  // Followed by: int64_t expire_at_ms if (flags & kHasExpiry), then `size` bytes.

  const char* bytes() const { return reinterpret_cast<const char*>(this) + header_size(flags); }
  std::string_view view() const { return {bytes(), size}; }
  // Absolute Unix time in milliseconds at which the key expires; 0 = never.
  int64_t expire_at_ms() const {
    if ((flags & kHasExpiry) == 0) return 0;
    int64_t t;
    std::memcpy(&t, reinterpret_cast<const char*>(this) + sizeof(Blob), sizeof t);
    return t;
  }
  bool expired_at(int64_t now_ms) const {
    int64_t t = expire_at_ms();
    return t != 0 && t <= now_ms;
  }

  // expire_at_ms: 0 for no expiry.
  static Blob* make(ValueType type, std::string_view bytes, int64_t expire_at_ms = 0) {
    const uint8_t flags = expire_at_ms != 0 ? kHasExpiry : 0;
    void* mem = std::malloc(header_size(flags) + bytes.size());
    if (mem == nullptr) throw std::bad_alloc();
    auto* b = static_cast<Blob*>(mem);
    b->size = static_cast<uint32_t>(bytes.size());
    b->type = type;
    b->flags = flags;
    std::memset(b->reserved, 0, sizeof b->reserved);
    if (flags & kHasExpiry) std::memcpy(b + 1, &expire_at_ms, sizeof expire_at_ms);
    if (!bytes.empty()) std::memcpy(const_cast<char*>(b->bytes()), bytes.data(), bytes.size());
    return b;
  }
  static void destroy(void* b) { std::free(b); }
  // Bytes of one allocation: header (with the expiry, if any) and value.
  size_t allocation_bytes() const { return header_size(flags) + size; }

 private:
  static size_t header_size(uint8_t flags) { return sizeof(Blob) + ((flags & kHasExpiry) ? sizeof(int64_t) : 0); }
};
static_assert(sizeof(Blob) == 8);

}  // namespace tmkv::store
