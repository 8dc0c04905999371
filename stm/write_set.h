// The redo log of a TL2 transaction: one entry per written word, in first-
// write order, with O(1) lookup for read-after-write and for "is this locked
// word mine?" during validation. Owner-thread only.
#pragma once

#include <cstdint>
#include <vector>

#include "stm/append_log.h"
#include "stm/tword.h"

namespace tmkv::stm {

// How the STM treats the values of one kind of TWord. Shared, immutable.
struct ValueOps {
  // Frees a boxed value; never called with 0. nullptr: values are inline.
  // New values are freed at abort; replaced ones after a grace period.
  void (*destroy)(void* boxed) = nullptr;
  // Called at commit write-back, while this transaction still holds the
  // word's lock, with the replaced value, the installed value and the
  // commit's write version. nullptr: nothing observes writes.
  void (*on_replace)(void* ctx, TWord* word, uint64_t old_value, uint64_t new_value, Version wv) = nullptr;
  void* ctx = nullptr;
};

// WriteEntry::read_lock when the entry carries no read of its word.
inline constexpr uint64_t kNoRead = kDeadLock;  // never the lock word of a readable word

struct WriteEntry {
  TWord* word;
  uint64_t value;          // the buffered new value
  const ValueOps* ops;     // nullptr: inline value, nobody observes
  uint64_t unlocked_word;  // lock word seen when we locked it (commit only)
  // A read of `word` moved here from the read set when the transaction
  // wrote the word right after reading it (tx.h, write_word): the lock word
  // that read saw. The read stays valid while the lock word is unchanged,
  // which commit checks when it locks the word and rv extension checks with
  // the read set. kNoRead: nothing to check.
  uint64_t read_lock;
};

class WriteSet {
 public:
  // False means w is certainly not in the set (a one-word Bloom filter).
  bool may_contain(const TWord* w) const { return (filter_ & filter_bit(w)) != 0; }

  WriteEntry* find(const TWord* w) {
    if ((filter_ & filter_bit(w)) == 0) return nullptr;
    if (entries_.size() <= kLinearMax) {
      for (WriteEntry& e : entries_)
        if (e.word == w) return &e;
      return nullptr;
    }
    for (size_t i = slot_of(w);; i = (i + 1) & mask_) {
      uint32_t idx = table_[i];
      if (idx == kEmpty) return nullptr;
      if (entries_[idx].word == w) return &entries_[idx];
    }
  }

  // REQUIRES: find(w) == nullptr.
  void add(TWord* w, uint64_t value, const ValueOps* ops, uint64_t read_lock = kNoRead) {
    entries_.push_back(WriteEntry{w, value, ops, 0, read_lock});
    filter_ |= filter_bit(w);
    if (entries_.size() > kLinearMax) [[unlikely]] index_last();
  }

  void clear() {
    entries_.clear();
    if (entries_.capacity() > kMaxKeptEntries) entries_.shrink_to(kInitialEntries);
    filter_ = 0;
    // The table is rebuilt whenever a transaction crosses kLinearMax, so a
    // stale one is harmless; only drop a huge one.
    if (table_.size() > 4096) {
      table_ = {};
      mask_ = 0;
    }
  }

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  AppendLog<WriteEntry>& entries() { return entries_; }

 private:
  static constexpr size_t kLinearMax = 16;
  static constexpr size_t kInitialEntries = 64;
  static constexpr size_t kMaxKeptEntries = 1 << 16;  // a bigger log is given back at clear()
  static constexpr uint32_t kEmpty = ~uint32_t{0};

  static uint64_t filter_bit(const TWord* w) {
    return uint64_t{1} << ((reinterpret_cast<uintptr_t>(w) >> 4) & 63);
  }
  size_t slot_of(const TWord* w) const {
    uint64_t h = reinterpret_cast<uintptr_t>(w) * 0x9E3779B97F4A7C15ull;
    return (h >> 32) & mask_;
  }
  void insert_index(uint32_t idx) {
    size_t i = slot_of(entries_[idx].word);
    while (table_[i] != kEmpty) i = (i + 1) & mask_;
    table_[i] = idx;
  }
  // Out of line, so add()'s inlined fast path stays small (append_log.h).
  [[gnu::noinline]] void index_last() {
    // Crossing the linear limit indexes every entry; past it, grow at half load.
    if (entries_.size() == kLinearMax + 1 || entries_.size() * 2 > table_.size()) {
      rebuild();
    } else {
      insert_index(static_cast<uint32_t>(entries_.size() - 1));
    }
  }
  void rebuild() {
    size_t n = 64;
    while (n < entries_.size() * 4) n <<= 1;
    table_.assign(n, kEmpty);
    mask_ = n - 1;
    for (uint32_t i = 0; i < entries_.size(); ++i) insert_index(i);
  }

  AppendLog<WriteEntry> entries_{kInitialEntries};
  uint64_t filter_ = 0;
  std::vector<uint32_t> table_;
  size_t mask_ = 0;
};

}  // namespace tmkv::stm
