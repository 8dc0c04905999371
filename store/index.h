// Index: the concurrent hash index from key to Record.
//
// DESIGN
//   256 shards picked by the top hash bits; each shard is a chained hash
//   table (bucket array of atomic heads, chains through Record::next) that
//   doubles when it holds more records than buckets.
//
//   Readers (find, scan) take no lock and write nothing shared: they load
//   the bucket array and follow chains with acquire loads, under an epoch
//   pin (stm/epoch.h) so nothing they reach is freed under them.
//   Writers (insert, unlink, resize) hold the shard's mutex. Only keys new
//   to the index insert; writes to existing keys never touch the index.
//
// INVARIANTS
//   1. At most one live (not dead) record per key in a shard: inserts search
//      and link under the mutex, and the reaper marks a record dead and
//      unlinks it in one critical section.
//   2. A chain is acyclic at every instant, also while a resize moves
//      records from the old array to the new one (each move pushes one
//      record onto a new chain, whose records only point at new chains).
//      So a reader's walk ends after at most twice the shard's records.
//   3. A resize makes `seq` odd before moving the first record and even
//      again after publishing the new array. A reader that finds nothing
//      re-checks `seq`: a walk diverted by a moving record saw a release-
//      stored link, so its re-check sees the odd or newer `seq` and retries.
//      Hits need no check: a matching live record is the key's record.
//
// THREAD SAFETY: find/scan from any pinned thread; find_or_insert/reap from
// any pinned thread (they lock the shard); the destructor only when no other
// thread uses the index.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string_view>

#include "stm/shared_word.h"
#include "stm/thread_context.h"
#include "store/record.h"

namespace tmkv::store {

class Index {
 public:
  static constexpr unsigned kShardBits = 8;
  static constexpr size_t kShards = size_t{1} << kShardBits;

  Index();
  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  // The live record for `key`, or nullptr. REQUIRES: caller pinned.
  Record* find(std::string_view key, uint64_t hash) const;

  // The live record for `key`, creating an absent one (value 0, version 0)
  // if there is none; *created tells which. REQUIRES: caller pinned.
  Record* find_or_insert(std::string_view key, uint64_t hash, bool* created);

  // Marks `r` dead and unlinks it if its lock word still equals
  // `expected_lock` and its value is 0; the record's memory is retired to
  // the epoch reclaimer. Returns whether it did. REQUIRES: caller pinned.
  //
  // `veto(arg, r)`, if given, runs after the record is marked dead (a
  // seq_cst CAS) and before it is unlinked; returning true restores the
  // lock word and keeps the record. The store uses it for WATCHed records:
  // a watcher registers first and then checks the lock word, the reaper
  // marks first and then checks the registrations, so one of them sees the
  // other (store.cc, "WATCH").
  using ReapVeto = bool (*)(const void* arg, const Record* r);
  bool reap(Record* r, uint64_t hash, uint64_t expected_lock, stm::ThreadContext& ctx, ReapVeto veto = nullptr,
            const void* veto_arg = nullptr);

  // Redis-style cursor scan: calls fn on every live record of the buckets
  // the cursor walks, visiting at least `count` buckets' worth; returns the
  // next cursor (0 = done). A key present for the whole scan is returned at
  // least once even if shards resize in between. REQUIRES: caller pinned.
  uint64_t scan(uint64_t cursor, size_t count, const std::function<void(Record*)>& fn) const;

  // Sampling walk (eviction candidates): calls fn on the live records of up
  // to `buckets` consecutive buckets, in table order (cheap on the cache,
  // unlike scan's reverse-binary order), from `cursor` on; when fn returns
  // false, stops at the end of that bucket. Returns the next cursor, 0 after
  // the last shard. No SCAN guarantee: a concurrent resize may make it miss
  // or repeat records, which sampling does not mind. Any 64-bit value is a
  // valid cursor.
  // REQUIRES: caller pinned.
  uint64_t sample_walk(uint64_t cursor, size_t buckets, const std::function<bool(Record*)>& fn) const;

  // Cache prefetch for a batch of upcoming lookups (the server calls it for
  // pipelined commands; see Store::prefetch). For each hash: the bucket's
  // head slot, then the head record, then that record's value box (or the
  // next record in the chain when the head is another key's). Each stage
  // issues every prefetch of the batch before loading what the previous
  // stage fetched, so the batch's cache misses overlap instead of queuing
  // one behind another inside find(). A hint only: it changes nothing,
  // dereferences only memory the epoch pin keeps valid, and a stale or
  // wrong guess (a concurrent resize, a collision) just wastes a prefetch.
  // keys[i] hashes to hashes[i]; at most kMaxPrefetch are used.
  // REQUIRES: caller pinned; keys.size() == hashes.size().
  static constexpr size_t kMaxPrefetch = 64;
  void prefetch(std::span<const std::string_view> keys, std::span<const uint64_t> hashes) const;

  // Records linked, absent ones included (approximate under concurrency).
  size_t record_count() const;
  size_t bucket_count() const;
  // What the index itself takes: its bucket arrays and the records' fixed
  // headers (keys and values not counted). For INFO's used_memory_overhead
  // and MEMORY STATS; approximate under concurrency.
  size_t overhead_bytes() const;

  // Calls fn on every linked record. REQUIRES: no concurrent writers.
  void for_each_unsafe(const std::function<void(Record*)>& fn) const;

  // Every live record exactly once, one shard's batch at a time, each
  // walked in table order (sequential over the bucket array, unlike
  // scan's reverse-binary order: a whole-index walk's cost is one cache
  // miss per record). A shard's batch is gathered at one even `seq` and
  // re-gathered if a resize moved its records meanwhile (invariant 3), so
  // no record is repeated or skipped; records linked while the batch is
  // gathered may or may not be in it. The batch's records are prefetched
  // as they are found. For snapshots (Store::snapshot).
  // REQUIRES: caller pinned.
  void for_each_batch(const std::function<void(std::span<Record* const>)>& fn) const;

 private:
  struct Table {
    size_t mask;
    stm::Shared<Record*> heads[];  // mask + 1 entries
    static Table* make(size_t buckets);
    static void destroy(void* t);
  };

  struct alignas(64) Shard {
    stm::Shared<Table*> table;            // replaced by resize (under mu)
    stm::Shared<uint64_t> seq;            // odd while a resize moves records
    std::atomic<size_t> records{0};       // written under mu; read anywhere
    std::mutex mu;                        // serializes writers of this shard
  };

  static size_t shard_of(uint64_t hash) { return hash >> (64 - kShardBits); }
  static Record* find_in(const Table* t, std::string_view key, uint32_t h);
  void grow(Shard& s, stm::ThreadContext& ctx);  // REQUIRES: s.mu held

  Shard shards_[kShards];
};

}  // namespace tmkv::store
