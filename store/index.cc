#include "store/index.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "stm/cpu_relax.h"
#include "stm/epoch.h"

namespace tmkv::store {
namespace {

constexpr size_t kInitialBuckets = 16;

bool is_dead(const Record* r) { return r->word.lock.load(std::memory_order_acquire) == stm::kDeadLock; }

uint64_t reverse_bits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
  v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((v & 0x0F0F0F0F0F0F0F0Full) << 4);
  return __builtin_bswap64(v);
}

}  // namespace

Index::Table* Index::Table::make(size_t buckets) {
  void* mem = std::calloc(1, sizeof(Table) + buckets * sizeof(stm::Shared<Record*>));
  if (mem == nullptr) throw std::bad_alloc();
  auto* t = static_cast<Table*>(mem);
  t->mask = buckets - 1;
  for (size_t i = 0; i < buckets; ++i) new (&t->heads[i]) stm::Shared<Record*>();
  return t;
}

void Index::Table::destroy(void* t) { std::free(t); }

Index::Index() {
  for (Shard& s : shards_) s.table.store(Table::make(kInitialBuckets), std::memory_order_relaxed);
}

Index::~Index() {
  for (Shard& s : shards_) {
    Table* t = s.table.load(std::memory_order_relaxed);
    for (size_t b = 0; b <= t->mask; ++b) {
      Record* r = t->heads[b].load(std::memory_order_relaxed);
      while (r != nullptr) {
        Record* next = r->next.load(std::memory_order_relaxed);
        std::free(r);
        r = next;
      }
    }
    Table::destroy(t);
  }
}

Record* Index::find_in(const Table* t, std::string_view key, uint32_t h) {
  for (Record* r = t->heads[h & t->mask].load(std::memory_order_acquire); r != nullptr;
       r = r->next.load(std::memory_order_acquire)) {
    if (r->matches(h, key) && !is_dead(r)) return r;
  }
  return nullptr;
}

Record* Index::find(std::string_view key, uint64_t hash) const {
  const Shard& s = shards_[shard_of(hash)];
  const auto h = static_cast<uint32_t>(hash);
  unsigned spins = 0;
  for (;;) {
    uint64_t seq = s.seq.load(std::memory_order_acquire);
    if ((seq & 1) == 0) {
      Record* r = find_in(s.table.load(std::memory_order_acquire), key, h);
      if (r != nullptr) return r;
      // Ordered after the acquire loads of the walk (invariant 3).
      if (s.seq.load(std::memory_order_relaxed) == seq) return nullptr;
    }
    stm::wait_step(spins);  // a resize is moving records; it takes microseconds
  }
}

Record* Index::find_or_insert(std::string_view key, uint64_t hash, bool* created) {
  if (Record* r = find(key, hash)) {
    *created = false;
    return r;
  }
  Shard& s = shards_[shard_of(hash)];
  const auto h = static_cast<uint32_t>(hash);
  std::lock_guard<std::mutex> guard(s.mu);
  Table* t = s.table.load(std::memory_order_relaxed);  // only we (mu) replace it
  if (Record* r = find_in(t, key, h)) {
    *created = false;
    return r;
  }
  void* mem = std::malloc(sizeof(Record) + key.size());
  if (mem == nullptr) throw std::bad_alloc();
  auto* r = new (mem) Record;
  r->hash = h;
  r->meta.store(static_cast<uint32_t>(key.size()), std::memory_order_relaxed);
  if (!key.empty()) std::memcpy(r->key_bytes, key.data(), key.size());
  stm::Shared<Record*>& head = t->heads[h & t->mask];
  r->next.store(head.load(std::memory_order_relaxed), std::memory_order_relaxed);
  // Release: a reader that acquires the new head sees the record built.
  head.store(r, std::memory_order_release);
  size_t n = s.records.load(std::memory_order_relaxed) + 1;
  s.records.store(n, std::memory_order_relaxed);
  *created = true;
  if (n > t->mask + 1) grow(s, stm::this_thread_context());
  return r;
}

void Index::grow(Shard& s, stm::ThreadContext& ctx) {
  Table* old_t = s.table.load(std::memory_order_relaxed);
  Table* new_t = Table::make((old_t->mask + 1) * 2);
  uint64_t seq = s.seq.load(std::memory_order_relaxed);
  // Odd before any record moves. The moves below are release stores, so a
  // reader that follows a moved link also sees this (invariant 3).
  s.seq.store(seq + 1, std::memory_order_relaxed);
  for (size_t b = 0; b <= old_t->mask; ++b) {
    stm::Shared<Record*>& old_head = old_t->heads[b];
    for (Record* r = old_head.load(std::memory_order_relaxed); r != nullptr;
         r = old_head.load(std::memory_order_relaxed)) {
      old_head.store(r->next.load(std::memory_order_relaxed), std::memory_order_release);
      stm::Shared<Record*>& new_head = new_t->heads[r->hash & new_t->mask];
      r->next.store(new_head.load(std::memory_order_relaxed), std::memory_order_release);
      new_head.store(r, std::memory_order_release);
    }
  }
  s.table.store(new_t, std::memory_order_release);
  s.seq.store(seq + 2, std::memory_order_release);
  stm::epoch_retire(ctx, old_t, &Table::destroy);
}

bool Index::reap(Record* r, uint64_t hash, uint64_t expected_lock, stm::ThreadContext& ctx, ReapVeto veto,
                 const void* veto_arg) {
  Shard& s = shards_[shard_of(hash)];
  std::lock_guard<std::mutex> guard(s.mu);
  uint64_t expected = expected_lock;
  // Acquire: we read the value next, written by the lock's last owner.
  // seq_cst: the veto's registration check below must be ordered after it
  // (see the veto's contract in index.h).
  if (stm::is_locked(expected) ||
      !r->word.lock.compare_exchange_strong(expected, stm::kDeadLock, std::memory_order_seq_cst)) {
    return false;
  }
  if (r->word.value.load(std::memory_order_relaxed) != 0 || (veto != nullptr && veto(veto_arg, r))) {
    // Vetoed (a WATCH holds it), or present after all (a writer re-filled it
    // without changing the version we expected: cannot happen, since every
    // commit stamps a new version).
    r->word.lock.store(expected_lock, std::memory_order_release);
    return false;
  }
  Table* t = s.table.load(std::memory_order_relaxed);
  stm::Shared<Record*>* link = &t->heads[r->hash & t->mask];
  for (Record* cur = link->load(std::memory_order_relaxed); cur != r; cur = link->load(std::memory_order_relaxed)) {
    link = &cur->next;  // r is linked (invariant 1), so the walk finds it
  }
  // Release is not needed for correctness of readers (r stays readable until
  // the grace period ends) but keeps the chain's publication uniform.
  link->store(r->next.load(std::memory_order_relaxed), std::memory_order_release);
  s.records.store(s.records.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
  stm::epoch_retire(ctx, r, [](void* p) { std::free(p); });
  return true;
}

void Index::prefetch(std::span<const std::string_view> keys, std::span<const uint64_t> hashes) const {
  const size_t n = std::min({keys.size(), hashes.size(), kMaxPrefetch});
  // Relaxed/acquire atomics on the raw words: a prefetch is not part of any
  // transaction (it must not enter the emulated HTM's conflict tracking), and
  // nothing read here is trusted beyond "an address worth fetching". The
  // acquire loads of the table and the head only make the record's fields
  // (hash, next) initialized when we look at them, as in find().
  const stm::Shared<Record*>* slots[kMaxPrefetch];
  for (size_t i = 0; i < n; ++i) {
    const Shard& s = shards_[shard_of(hashes[i])];
    const auto* t = reinterpret_cast<const Table*>(s.table.raw().load(std::memory_order_acquire));
    slots[i] = &t->heads[static_cast<uint32_t>(hashes[i]) & t->mask];
    __builtin_prefetch(slots[i]);
  }
  const Record* heads[kMaxPrefetch];
  for (size_t i = 0; i < n; ++i) {
    heads[i] = reinterpret_cast<const Record*>(slots[i]->raw().load(std::memory_order_acquire));
    if (heads[i] == nullptr) continue;
    // The header, and the key's last byte: a record is one allocation of
    // header + key and may straddle a line (48-byte records do, every other
    // one), and find() compares the key bytes.
    __builtin_prefetch(heads[i]);
    __builtin_prefetch(reinterpret_cast<const char*>(heads[i]) + sizeof(Record) + keys[i].size() -
                       (keys[i].empty() ? 0 : 1));
  }
  for (size_t i = 0; i < n; ++i) {
    const Record* r = heads[i];
    if (r == nullptr) continue;
    if (r->hash == static_cast<uint32_t>(hashes[i])) {
      // The value box's address, only to prefetch it: never dereferenced.
      const uint64_t v = r->word.value.raw().load(std::memory_order_relaxed);
      if (v != 0) __builtin_prefetch(reinterpret_cast<const void*>(v));
    } else if (const uint64_t next = r->next.raw().load(std::memory_order_relaxed); next != 0) {
      __builtin_prefetch(reinterpret_cast<const void*>(next));
    }
  }
}

uint64_t Index::scan(uint64_t cursor, size_t count, const std::function<void(Record*)>& fn) const {
  size_t shard = cursor & (kShards - 1);
  uint64_t bucket_cursor = cursor >> kShardBits;
  size_t visited = 0;
  std::vector<Record*> batch;
  while (shard < kShards) {
    const Shard& s = shards_[shard];
    const Table* t;
    unsigned spins = 0;
    for (;;) {
      // Collect first, call fn after: a walk diverted by a concurrent resize
      // is redone, and SCAN may return a key twice but never skip one.
      uint64_t seq = s.seq.load(std::memory_order_acquire);
      if ((seq & 1) == 0) {
        t = s.table.load(std::memory_order_acquire);
        batch.clear();
        for (Record* r = t->heads[bucket_cursor & t->mask].load(std::memory_order_acquire); r != nullptr;
             r = r->next.load(std::memory_order_acquire)) {
          if (!is_dead(r)) batch.push_back(r);
        }
        if (s.seq.load(std::memory_order_relaxed) == seq) break;
      }
      stm::wait_step(spins);
    }
    for (Record* r : batch) fn(r);
    const uint64_t mask = t->mask;
    // Reverse-binary increment of the bits under `mask` (Redis's dictScan):
    // high bucket bits change first, so after a doubling the two halves of
    // a visited bucket are both behind the cursor and nothing is skipped.
    bucket_cursor |= ~mask;
    bucket_cursor = reverse_bits(bucket_cursor);
    ++bucket_cursor;
    bucket_cursor = reverse_bits(bucket_cursor);
    if (bucket_cursor == 0) ++shard;  // wrapped: this shard is done
    if (++visited >= count) break;
  }
  if (shard >= kShards) return 0;
  return (bucket_cursor << kShardBits) | shard;
}

uint64_t Index::sample_walk(uint64_t cursor, size_t buckets, const std::function<bool(Record*)>& fn) const {
  size_t shard = cursor & (kShards - 1);
  uint64_t bucket = cursor >> kShardBits;
  size_t visited = 0;
  while (shard < kShards && visited < buckets) {
    // A chain is acyclic at every instant, resizes included (index.h), and
    // the caller's pin keeps every table and record we reach alive, so the
    // walk needs no retry: a record moved meanwhile is just missed or seen
    // twice.
    const Table* t = shards_[shard].table.load(std::memory_order_acquire);
    bucket &= t->mask;  // a random cursor starts at a random bucket
    bool stop = false;
    for (; bucket <= t->mask && visited < buckets && !stop; ++bucket, ++visited) {
      // fn's "enough" takes effect at the end of the bucket, so that one
      // pass sees every record once.
      for (Record* r = t->heads[bucket].load(std::memory_order_acquire); r != nullptr;
           r = r->next.load(std::memory_order_acquire)) {
        if (!is_dead(r) && !fn(r)) stop = true;
      }
    }
    if (bucket > t->mask) {
      ++shard;
      bucket = 0;
    }
    if (stop) break;
  }
  if (shard >= kShards) return 0;
  return (bucket << kShardBits) | shard;
}

size_t Index::record_count() const {
  size_t n = 0;
  for (const Shard& s : shards_) n += s.records.load(std::memory_order_relaxed);
  return n;
}

size_t Index::bucket_count() const {
  size_t n = 0;
  for (const Shard& s : shards_) n += s.table.load(std::memory_order_acquire)->mask + 1;
  return n;
}

size_t Index::overhead_bytes() const {
  return bucket_count() * sizeof(stm::Shared<Record*>) + record_count() * sizeof(Record);
}

void Index::for_each_batch(const std::function<void(std::span<Record* const>)>& fn) const {
  constexpr size_t kLookahead = 8;  // buckets whose head record is fetched ahead of the walk
  std::vector<Record*> batch;
  for (const Shard& s : shards_) {
    unsigned spins = 0;
    for (;;) {
      const uint64_t seq = s.seq.load(std::memory_order_acquire);
      if ((seq & 1) == 0) {
        const Table* t = s.table.load(std::memory_order_acquire);
        batch.clear();
        for (size_t b = 0; b <= t->mask; ++b) {
          if (b + kLookahead <= t->mask) {
            __builtin_prefetch(reinterpret_cast<const void*>(t->heads[b + kLookahead].raw().load(std::memory_order_relaxed)));
          }
          for (Record* r = t->heads[b].load(std::memory_order_acquire); r != nullptr;
               r = r->next.load(std::memory_order_acquire)) {
            if (!is_dead(r)) batch.push_back(r);
          }
        }
        // As scan's re-check: a walk diverted by a moving record read a
        // release-stored link, so this load sees the odd or newer seq.
        if (s.seq.load(std::memory_order_acquire) == seq) break;
      }
      stm::wait_step(spins);
    }
    fn(batch);
  }
}

void Index::for_each_unsafe(const std::function<void(Record*)>& fn) const {
  for (const Shard& s : shards_) {
    const Table* t = s.table.load(std::memory_order_relaxed);
    for (size_t b = 0; b <= t->mask; ++b) {
      for (Record* r = t->heads[b].load(std::memory_order_relaxed); r != nullptr;
           r = r->next.load(std::memory_order_relaxed)) {
        fn(r);
      }
    }
  }
}

}  // namespace tmkv::store
