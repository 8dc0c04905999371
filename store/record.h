// Record: one key of the keyspace. The index links records into chains; the
// TWord holds the record's version lock and its value (a Blob*, 0 = absent).
//
// A record exists in the index whether or not its key is present: "absent"
// is value 0, which is what lets insert and delete be ordinary transactional
// writes. Absent records are reaped later (store.h, "Reaping").
//
// Layout: 32-byte header + key bytes in one allocation, so a 16-byte key
// fits jemalloc's 48-byte class.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include "stm/tword.h"
#include "store/blob.h"

namespace tmkv::store {

struct Record {
  stm::TWord word;                 // lock + Blob* (see stm/tword.h for who writes)
  stm::Shared<Record*> next;       // chain link; written under the shard mutex only
  uint32_t hash;                   // low 32 bits of hash_key(key); immutable
  // Bits 0..30: key size (immutable). Bit 31: a reap job for this record is
  // queued (set with fetch_or by the thread that queues it, cleared by that
  // thread's job), so at most one job ever refers to a record.
  std::atomic<uint32_t> meta{0};
  char key_bytes[];                // immutable

  static constexpr uint32_t kReapQueued = 1u << 31;
  static constexpr uint32_t kMaxKeySize = kReapQueued - 1;

  size_t key_size() const { return meta.load(std::memory_order_relaxed) & kMaxKeySize; }
  std::string_view key() const { return {key_bytes, key_size()}; }
  bool matches(uint32_t h, std::string_view k) const {
    return hash == h && key_size() == k.size() && std::string_view(key_bytes, k.size()) == k;
  }
  static Record* from_word(stm::TWord* w) { return reinterpret_cast<Record*>(w); }
};
static_assert(sizeof(Record) == 32);
static_assert(offsetof(Record, word) == 0);

}  // namespace tmkv::store
