// Store: the transactional keyspace. Start here.
//
// Every operation takes the caller's stm::Tx and is one more step of that
// transaction, so any sequence composes atomically:
//
//   stm::atomically([&](stm::Tx& tx) {
//     auto v = store.get(tx, "a");
//     store.set(tx, "b", v.value().value_or(""));
//     store.del(tx, "a");
//   });
//
// Keys and values are binary-safe. Inserts and deletes are ordinary
// transactional writes of a record's value (record.h): a key created by an
// aborted transaction never becomes visible, and a deleted key vanishes
// atomically with the transaction's other writes. Views returned by reads
// stay valid until the transaction attempt ends.
//
// MISSES. A lookup that finds no record leaves nothing in TL2's read set, so
// read-write transactions register a commit check (stm::Tx::add_commit_check)
// that fails if the key appeared meanwhile; it also runs whenever the read
// version extends. Read-only transactions need none: a key missing from the
// index was absent at their read version (records are reaped only when
// every running transaction is newer than their delete), and one that has
// missed a key never extends its read version.
//
// REAPING. A record whose value becomes 0 (deleted, or created by a
// transaction that aborted) is queued, once, on the thread that saw it. After
// an epoch grace period, if it is still absent and its version is no newer
// than the clock at queue time, the index marks it dead and unlinks it.
//
// EXPIRY. A value may carry an absolute expiry time (blob.h). Reads judge it
// against the command's instant (clock.h): an expired value reads as absent.
// Writes that find an expired value delete it first, as Redis's lazy expiry
// does; sweep_expired() deletes the rest in the background.
//
// WATCH. watch() snapshots a key's record and version outside any
// transaction; watch_intact() re-reads it inside the EXEC transaction, so
// the check and the block commit atomically. A watched record is never
// reaped (Index::reap's veto), and versions of one record never repeat after
// a snapshot (watch() raises the clock to the version it saw, so every later
// commit stamps a higher one), so equality means "not modified" exactly.
//
// THREAD SAFETY: all operations from any thread inside atomically(); the
// destructor only when no thread uses the store.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <mutex>
#include <unordered_map>

#include <tbb/enumerable_thread_specific.h>

#include "stm/stm.h"
#include "store/blob.h"
#include "store/index.h"
#include "store/op_status.h"

namespace tmkv::store {

// Keyspace hits and misses are stm tallies (stm::Tx::tally): counted only
// when the looking-up attempt commits, so retries never double count.
// Which lookups count is the caller's choice (the server counts those of
// read commands, as Redis does); these are the slots they use.
inline constexpr size_t kTallyKeyspaceHits = 0;
inline constexpr size_t kTallyKeyspaceMisses = 1;

struct StoreOptions {
  // Largest value accepted by set/append-style writes (Redis's
  // proto-max-bulk-len default). Blob sizes are 32-bit, hence the cap.
  size_t max_value_bytes = size_t{512} << 20;
};

class Store {
  // Run reap jobs once this many more are queued on a thread: amortizes the
  // epoch scan, and bounds the absent records a thread leaves behind.
  static constexpr size_t kReapBatch = 64;

 public:
  static constexpr size_t kMaxValueBytesLimit = UINT32_MAX;

  explicit Store(StoreOptions options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // All operations: REQUIRES an active transaction on the calling thread.
  // "Absent" includes expired at now_ms() (clock.h).

  // The string at key, nullopt if absent; kWrongType for other types.
  OpResult<std::optional<std::string_view>> get(stm::Tx& tx, std::string_view key);
  // The raw value box (any type, with its expiry), nullptr if absent.
  const Blob* lookup(stm::Tx& tx, std::string_view key);
  bool exists(stm::Tx& tx, std::string_view key);
  // Sets a string without expiry (SET's plain form: clears any TTL).
  OpStatus set(stm::Tx& tx, std::string_view key, std::string_view value);
  // Writes any value with an absolute expiry (0 = none). `access`: the
  // value's access bits (access_clock.h) when it keeps its own (RENAME,
  // MOVE, RESTORE IDLETIME/FREQ); otherwise it starts as a new key's, or
  // under LFU keeps the overwritten key's frequency.
  OpStatus put(stm::Tx& tx, std::string_view key, ValueType type, std::string_view bytes, int64_t expire_at_ms,
               std::optional<uint32_t> access = std::nullopt);
  // True if the key existed (an expired value is deleted too, returning false).
  bool del(stm::Tx& tx, std::string_view key);
  // Deletes every key; returns how many were present.
  size_t flush(stm::Tx& tx);
  // Eviction candidates (the server's maxmemory policies): the present keys
  // (only those with a TTL if volatile_only) of the buckets from `cursor`
  // on, until it has at least n or has visited a bounded number of
  // buckets; returns the next cursor (0: the walk reached the table's
  // end). Any 64-bit value is a valid cursor to start from. Leaves the
  // keys' access bits alone.
  struct Sample {
    std::string key;
    uint32_t access;       // Blob::access(): LRU clock or LFU word
    int64_t expire_at_ms;  // 0 = none
    size_t bytes;          // what deleting it frees: record and value box, as allocated
  };
  uint64_t sample(stm::Tx& tx, uint64_t cursor, size_t n, bool volatile_only, std::vector<Sample>* out);
  // A uniformly chosen bucket's first present key, nullopt if none found.
  std::optional<std::string> random_key(stm::Tx& tx, uint64_t random_bits);
  // One entry per key, in order; non-strings read as nullopt (as MGET does).
  std::vector<std::optional<std::string_view>> mget(stm::Tx& tx, std::span<const std::string_view> keys);
  // All or nothing: a rejected pair rejects the whole call (and the caller
  // may cancel the transaction); nothing is written on error.
  OpStatus mset(stm::Tx& tx, std::span<const std::pair<std::string_view, std::string_view>> pairs);
  // Adds delta to the integer at key (absent = 0); the new value. Keeps the
  // key's expiry, as Redis does.
  OpResult<int64_t> incrby(stm::Tx& tx, std::string_view key, int64_t delta);
  // Appends to out the keys of present records in the buckets the cursor
  // walks (see Index::scan); returns the next cursor, 0 when done.
  uint64_t scan(stm::Tx& tx, uint64_t cursor, size_t count, std::vector<std::string>* out);
  // Every present key with its value box, each key once (the server's
  // snapshot files; keys past their expiry are included, for the caller to
  // judge at its own instant). The key views and boxes stay valid after the
  // transaction for as long as the calling thread stays pinned
  // (stm/epoch.h): pin before the transaction, unpin when done with them.
  // A consistent cut like any transaction's reads; over a large keyspace the
  // caller runs it irrevocably (stm::TxKind::kIrrevocable), or it would
  // rarely commit under concurrent writes.
  struct SnapshotEntry {
    std::string_view key;
    const Blob* value;
  };
  void snapshot(stm::Tx& tx, std::vector<SnapshotEntry>* out);

  // ---- WATCH (see the class comment). ---------------------------------------
  struct WatchToken {
    Record* record = nullptr;  // kept from reaping until unwatch()
    uint64_t lock = 0;         // the record's lock word at the snapshot
    bool alive = false;        // present and not expired at the snapshot
    int64_t expire_at_ms = 0;  // its expiry then (0 = none)
  };
  // Outside transactions.
  WatchToken watch(std::string_view key);
  void unwatch(const WatchToken& token);
  // Inside the EXEC transaction: true if the key was not modified since
  // watch() and, if it was alive then, has not expired since.
  bool watch_intact(stm::Tx& tx, const WatchToken& token);
  // Distinct keys some client watches (INFO's total_watched_keys). A
  // statistic: relaxed, may lag a concurrent WATCH.
  size_t watched_keys() const { return watched_any_.load(std::memory_order_relaxed); }

  // ---- Active expiry: the server's sweeper calls these. --------------------
  // Outside transactions: appends keys that look expired in the buckets the
  // cursor walks (at least `buckets` of them); returns the next cursor (0 =
  // a pass ended). A hint only: delete each with delete_if_expired. The
  // live keys with a TTL it passes feed avg_ttl_ms().
  uint64_t expired_candidates(uint64_t cursor, size_t buckets, std::vector<std::string>* out);
  // INFO keyspace's avg_ttl: Redis's estimate of the keys' remaining time to
  // live in ms, a running average (2% weight per sample) of what the active
  // expiry sweep sees; 0 from the sweep that finds no key with a TTL (INFO
  // shows 0 as soon as expiring_count() is 0). A statistic, as Redis's.
  int64_t avg_ttl_ms() const { return avg_ttl_ms_.load(std::memory_order_relaxed); }
  // The sweeper found no key with a TTL: the next estimate starts afresh.
  void forget_avg_ttl() { avg_ttl_ms_.store(0, std::memory_order_relaxed); }
  // Inside a transaction: deletes key if it is expired now; true if it did.
  bool delete_if_expired(stm::Tx& tx, std::string_view key);
  // Inside a transaction: counts one more expired key (expired_count())
  // if it commits. For a write that stores a value already past its expiry
  // and deletes it at once: Redis counts that key when it reclaims it.
  void count_expired_at_commit(stm::Tx& tx);
  // Keys this thread found expired while reading (read-only transactions
  // cannot delete them): the caller deletes them after its command, which
  // is Redis's lazy expiry. Moves them into *out.
  void take_expired_seen(std::vector<std::string>* out);
  // Present keys counted inside a transaction (sees its own writes; O(keys)).
  size_t count_keys(stm::Tx& tx);

  // ---- Outside transactions. ----------------------------------------------
  // Present keys with an expiry (approximate under concurrency, like size()).
  size_t expiring_count() const;
  // Keys deleted because they expired (by a write finding them, or a sweep).
  uint64_t expired_count() const;
  // Present keys. Exact when no transaction is committing; otherwise a sum
  // of per-thread deltas that may be off by the commits in flight.
  size_t size() const;
  // The key index's own memory (Index::overhead_bytes): Redis's
  // overhead.hashtable.main. Expiry times live in the value boxes, so there
  // is no second table for them.
  size_t index_overhead_bytes() const { return index_.overhead_bytes(); }
  // Records in the index, absent ones included.
  size_t record_count() const { return index_.record_count(); }
  // Runs the calling thread's pending reap jobs whose grace period is over.
  void reap_now();
  // Starts fetching into the cache what looking up `keys` will touch (index
  // slot, record, value box), for all of them at once, so that commands run
  // right after (a pipelined batch) find their keys cached instead of
  // taking each miss in turn. A hint: no effect on any result. Uses at most
  // Index::kMaxPrefetch keys. Pins the epoch for its own duration (pins
  // nest), so it may be called from any thread, in a transaction or not.
  void prefetch(std::span<const std::string_view> keys) const;

  // Keyspace "new" events: while on, a write that creates its key (absent,
  // or present but expired, which the write then deletes first, as Redis)
  // calls `fn` inside the writing transaction, before the write. The
  // observer is set once, before any transaction runs; `on` may change at
  // any time (relaxed: a standalone switch, a write may see it a little
  // late). Off, writes stay blind: they read nothing.
  using CreateObserver = void (*)(void* arg, const Store& store, std::string_view key);
  void set_create_observer(CreateObserver fn, void* arg) {
    create_fn_ = fn;
    create_arg_ = arg;
  }
  void observe_creations(bool on) { observe_creations_.store(on, std::memory_order_relaxed); }

  const StoreOptions& options() const { return options_; }
  // The largest value accepted now (CONFIG SET proto-max-bulk-len changes it).
  size_t max_value_bytes() const { return max_value_bytes_.load(std::memory_order_relaxed); }
  void set_max_value_bytes(size_t n) {
    max_value_bytes_.store(std::min(n, kMaxValueBytesLimit), std::memory_order_relaxed);
  }

 private:
  struct ReapJob {
    Record* record;
    stm::Version safe_version;  // clock when queued
    uint64_t epoch;             // epoch when queued
  };
  struct alignas(64) ThreadLocal {
    std::atomic<int64_t> live_delta{0};  // written by the owner; read by size()
    std::atomic<int64_t> expiring_delta{0};  // owner-written; read by expiring_count()
    std::atomic<uint64_t> expired{0};        // owner-written; read by expired_count()
    std::vector<ReapJob> reap_queue;     // owner only
    size_t next_reap_run = kReapBatch;   // owner only: queue size that triggers a run
    std::vector<std::string> expired_seen;  // owner only (take_expired_seen)
  };

  Record* find_pinned(stm::Tx& tx, std::string_view key, uint64_t hash);
  const Blob* read_record(stm::Tx& tx, std::string_view key);
  // Reads r's value; an expired one is deleted (a write) and reads as null.
  const Blob* read_for_write(stm::Tx& tx, Record* r);
  // If b (r's value in tx) has expired: deletes it in tx, counts it at
  // commit, and returns true.
  bool expire_if_due(stm::Tx& tx, Record* r, const Blob* b);
  // Sums one per-thread counter over the registered slots.
  template <class T>
  T sum_over_threads(std::atomic<T> ThreadLocal::*counter) const;
  void count_expired();
  static bool is_watched(const void* self, const Record* r);
  OpStatus check_value(std::string_view value) const;
  void write_value(stm::Tx& tx, std::string_view key, ValueType type, std::string_view bytes,
                   int64_t expire_at_ms = 0, std::optional<uint32_t> access = std::nullopt);
  void queue_reap(Record* r);
  void maybe_run_reap_jobs(stm::Tx& tx);
  void queue_reap_locked(ThreadLocal& local, Record* r);  // no batch run
  void run_reap_jobs(bool force_advance);

  static void on_replace(void* ctx, stm::TWord* w, uint64_t old_value, uint64_t new_value, stm::Version wv);
  static bool still_absent(const void* owner, std::string_view key, stm::Tx& tx);

  // Set when this thread queued a key in expired_seen (of any store);
  // lets take_expired_seen skip the per-thread slot lookup. Thread-local.
  // Draining one store clears it; another store's leftovers (an EXEC that
  // SELECTed) wait for the next expired read there or for the sweep, and
  // stay bounded at 1024 keys per thread.
  static inline thread_local bool t_expired_seen_ = false;

  StoreOptions options_;
  // A standalone limit: relaxed is enough (no data is published through it;
  // a request racing with CONFIG SET may see either value).
  std::atomic<size_t> max_value_bytes_;
  std::atomic<bool> observe_creations_{false};  // see observe_creations()
  CreateObserver create_fn_ = nullptr;          // set before any transaction, then read-only
  void* create_arg_ = nullptr;
  Index index_;
  stm::ValueOps value_ops_;
  // The calling thread's slot, registered on first use.
  ThreadLocal& local();

  tbb::enumerable_thread_specific<ThreadLocal> locals_;
  // Slots that counter readers (size(), expiring_count(), expired_count())
  // sum; appended by a slot's thread on first use. Guarded by registry_mu_.
  mutable std::mutex registry_mu_;
  std::vector<const ThreadLocal*> registry_;

  // Records held by WATCH, with their watcher counts. watched_any_ lets the
  // reaper skip the map when nobody watches (the common case).
  mutable std::mutex watch_mu_;
  std::unordered_map<const Record*, uint32_t> watched_;  // guarded by watch_mu_
  std::atomic<size_t> watched_any_{0};  // entries in watched_; seq_cst (see watch())
  // avg_ttl_ms(): written by any sweeping thread (expired_candidates,
  // forget_avg_ttl), read by INFO; relaxed, a statistic.
  std::atomic<int64_t> avg_ttl_ms_{0};
};

}  // namespace tmkv::store
