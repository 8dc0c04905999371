// Blob: the immutable heap box holding one value. A write builds a new Blob
// and commit swaps the record's pointer; the old one is retired to the epoch
// reclaimer, so readers holding a view never see it change or vanish.
//
// 8-byte header + bytes, one allocation: a 32-byte value takes jemalloc's
// 48-byte class. The type tag is here so later Redis types (hash, list, ...)
// can share the record layout.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

namespace tmkv::store {

enum class ValueType : uint8_t { kString = 0 };

struct Blob {
  uint32_t size;
  ValueType type;
  uint8_t reserved[3];
  char data[];  // `size` bytes (GNU flexible array member)

  std::string_view view() const { return {data, size}; }

  static Blob* make(ValueType type, std::string_view bytes) {
    void* mem = std::malloc(sizeof(Blob) + bytes.size());
    if (mem == nullptr) throw std::bad_alloc();
    auto* b = static_cast<Blob*>(mem);
    b->size = static_cast<uint32_t>(bytes.size());
    b->type = type;
    std::memset(b->reserved, 0, sizeof b->reserved);
    if (!bytes.empty()) std::memcpy(b->data, bytes.data(), bytes.size());
    return b;
  }
  static void destroy(void* b) { std::free(b); }
};
static_assert(sizeof(Blob) == 8);

}  // namespace tmkv::store
