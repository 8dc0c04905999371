#include "store/store.h"

#include <algorithm>

#include "stm/cpu_relax.h"
#include "stm/epoch.h"

#include "stm/global_clock.h"
#include "store/access_clock.h"
#include "store/allocator_stats.h"
#include "store/clock.h"
#include "store/expiry_log.h"
#include "store/hash.h"
#include "store/int_codec.h"

namespace tmkv::store {
Store::Store(StoreOptions options) : options_(options) {
  options_.max_value_bytes = std::min(options_.max_value_bytes, kMaxValueBytesLimit);
  max_value_bytes_.store(options_.max_value_bytes, std::memory_order_relaxed);
  value_ops_.destroy = &Blob::destroy;
  value_ops_.on_replace = &Store::on_replace;
  value_ops_.ctx = this;
}

Store::~Store() {
  index_.for_each_unsafe([](Record* r) {
    uint64_t v = r->word.value.load(std::memory_order_relaxed);
    if (v != 0) Blob::destroy(reinterpret_cast<void*>(v));
  });
  // ~Index frees the records; queued reap jobs die with locals_.
}

Store::ThreadLocal& Store::local() {
  bool existed;
  ThreadLocal& l = locals_.local(existed);
  if (!existed) {
    // First use on this thread: publish the slot for the readers that sum
    // the counters. The mutex orders the slot's construction before any
    // reader's loads (iterating the ETS itself could meet a slot that
    // another thread is still constructing).
    std::lock_guard<std::mutex> g(registry_mu_);
    registry_.push_back(&l);
  }
  return l;
}

// ---------------------------------------------------------------------------
// Lookups

Record* Store::find_pinned(stm::Tx& tx, std::string_view key, uint64_t hash) {
  tx.pin();
  Record* r = index_.find(key, hash);
  if (r == nullptr) {
    tx.add_commit_check(&Store::still_absent, this, key);
    tx.note_absent_key();
  }
  return r;
}

const Blob* Store::read_record(stm::Tx& tx, std::string_view key) {
  Record* r = find_pinned(tx, key, hash_key(key));
  if (r == nullptr) return nullptr;
  const auto* b = reinterpret_cast<const Blob*>(tx.read_word(r->word));
  // Expired reads as absent. The record's word is in the read set, so a
  // write that revives the key conflicts like any other.
  if (b == nullptr) return nullptr;
  const int64_t now = now_ms();
  if (b->expired_at(now)) {
    auto& seen = local().expired_seen;
    if (seen.size() < 1024) seen.emplace_back(key);  // bounded: the sweep gets the rest
    t_expired_seen_ = true;
    return nullptr;
  }
  // Redis's lookupKey updates the key's LRU clock or LFU counter; not
  // transactional (access_clock.h), so an attempt that aborts may leave it
  // touched, as a read that happened.
  if (touching_enabled()) b->touch(now);
  return b;
}

void Store::take_expired_seen(std::vector<std::string>* out) {
  if (!t_expired_seen_) return;  // the common case: no lookup of the thread's slot
  t_expired_seen_ = false;
  auto& seen = local().expired_seen;
  if (seen.empty()) return;
  out->insert(out->end(), std::make_move_iterator(seen.begin()), std::make_move_iterator(seen.end()));
  seen.clear();
}

size_t Store::count_keys(stm::Tx& tx) {
  std::vector<std::string> keys;
  uint64_t cursor = 0;
  do {
    cursor = scan(tx, cursor, 1024, &keys);
  } while (cursor != 0);
  return keys.size();
}

void Store::prefetch(std::span<const std::string_view> keys) const {
  uint64_t hashes[Index::kMaxPrefetch];
  const size_t n = std::min(keys.size(), Index::kMaxPrefetch);
  for (size_t i = 0; i < n; ++i) hashes[i] = hash_key(keys[i]);
  stm::ThreadContext& ctx = stm::this_thread_context();
  // Pinned, so that no table, record or value box the prefetch loads a
  // pointer from is freed under it (index.h, prefetch).
  stm::epoch_pin(ctx);
  index_.prefetch(keys.first(n), std::span<const uint64_t>(hashes, n));
  stm::epoch_unpin(ctx);
}

const Blob* Store::read_for_write(stm::Tx& tx, Record* r) {
  const auto* b = reinterpret_cast<const Blob*>(tx.read_word(r->word));
  return expire_if_due(tx, r, b) ? nullptr : b;
}

bool Store::expire_if_due(stm::Tx& tx, Record* r, const Blob* b) {
  if (b == nullptr || !b->expired_at(now_ms())) return false;
  tx.write_word(r->word, 0, &value_ops_);
  count_expired_at_commit(tx);
  if (expiry_log_on()) log_expired(tx, this, r->key());
  return true;
}

void Store::count_expired_at_commit(stm::Tx& tx) {
  tx.on_commit([](void* self, uint64_t) { static_cast<Store*>(self)->count_expired(); }, this);
}

void Store::count_expired() {
  ThreadLocal& local = this->local();
  // Single writer: relaxed load + store (see on_replace).
  local.expired.store(local.expired.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

bool Store::still_absent(const void* owner, std::string_view key, stm::Tx& tx) {
  const auto* self = static_cast<const Store*>(owner);
  Record* r = self->index_.find(key, hash_key(key));
  if (r == nullptr) return true;
  if (tx.holds_write_locks() && tx.writes(r->word)) {
    // Locked by us for this commit: the value is the pre-commit one.
    return r->word.value.load(std::memory_order_relaxed) == 0;
  }
  // Otherwise (at commit, or when rv extends mid-attempt): absent now only
  // if unlocked and empty.
  uint64_t l1 = r->word.lock.load(std::memory_order_acquire);
  uint64_t v = r->word.value.load(std::memory_order_acquire);
  uint64_t l2 = r->word.lock.load(std::memory_order_relaxed);
  if (l1 == stm::kDeadLock) return true;  // being reaped: absent
  return l1 == l2 && !stm::is_locked(l1) && v == 0;
}

const Blob* Store::lookup(stm::Tx& tx, std::string_view key) { return read_record(tx, key); }

OpResult<std::optional<std::string_view>> Store::get(stm::Tx& tx, std::string_view key) {
  const Blob* b = read_record(tx, key);
  if (b == nullptr) return std::optional<std::string_view>{};
  if (b->type() != ValueType::kString) return OpStatus::kWrongType;
  return std::optional<std::string_view>{b->view()};
}

bool Store::exists(stm::Tx& tx, std::string_view key) { return read_record(tx, key) != nullptr; }

std::vector<std::optional<std::string_view>> Store::mget(stm::Tx& tx, std::span<const std::string_view> keys) {
  std::vector<std::optional<std::string_view>> out;
  out.reserve(keys.size());
  for (std::string_view k : keys) {
    const Blob* b = read_record(tx, k);
    if (b != nullptr && b->type() == ValueType::kString) {
      out.emplace_back(b->view());
    } else {
      out.emplace_back();
    }
  }
  return out;
}

uint64_t Store::scan(stm::Tx& tx, uint64_t cursor, size_t count, std::vector<std::string>* out) {
  tx.pin();
  std::vector<Record*> seen;
  uint64_t next = index_.scan(cursor, count, [&](Record* r) { seen.push_back(r); });
  const int64_t now = now_ms();
  for (Record* r : seen) {
    const auto* b = reinterpret_cast<const Blob*>(tx.read_word(r->word));
    if (b != nullptr && !b->expired_at(now)) out->emplace_back(r->key());
  }
  return next;
}

void Store::snapshot(stm::Tx& tx, std::vector<SnapshotEntry>* out) {
  tx.pin();
  // Each live record exactly once (index.h): no key is written twice into
  // a file that Redis would then refuse. A record linked after its shard's
  // batch was gathered belongs to a transaction that had not committed
  // when the walk began; whether that matters is the caller's (under the
  // serial gate it cannot commit before this transaction ends).
  out->clear();
  out->reserve(index_.record_count());  // none if the caller reserved enough
  index_.for_each_batch([&](std::span<Record* const> records) {
    for (Record* r : records) {
      const auto* b = reinterpret_cast<const Blob*>(tx.read_word(r->word));
      if (b != nullptr) out->push_back({r->key(), b});
    }
  });
}

uint64_t Store::sample(stm::Tx& tx, uint64_t cursor, size_t n, bool volatile_only, std::vector<Sample>* out) {
  // Like Redis's dictGetSomeKeys: consecutive buckets from the cursor, a
  // bounded number of them, so one call costs a bounded walk however
  // sparse the table is; the caller walks on from the cursor returned.
  tx.pin();
  const int64_t now = now_ms();
  const size_t max_buckets = std::max<size_t>(n * 10, 64);
  thread_local std::vector<Record*> records;
  size_t found = 0;
  for (size_t visited = 0; found < n && visited < max_buckets && (visited == 0 || cursor != 0); visited += 16) {
    // Gather the records still wanted (under volatile_only the whole
    // stretch, as most may be skipped), starting to fetch their value boxes,
    // then judge them: each record and box is a cache miss; gathered first,
    // the misses overlap instead of coming one after another, and no more
    // records are touched than needed.
    records.clear();
    const size_t want = volatile_only ? SIZE_MAX : n - found;
    cursor = index_.sample_walk(cursor, 16, [&](Record* r) {
      __builtin_prefetch(reinterpret_cast<const void*>(r->word.value.raw().load(std::memory_order_relaxed)));
      records.push_back(r);
      return records.size() < want;
    });
    for (Record* r : records) {
      const auto* b = reinterpret_cast<const Blob*>(tx.read_word(r->word));
      if (b == nullptr || b->expired_at(now)) continue;
      const int64_t expire_at = b->expire_at_ms();
      if (volatile_only && expire_at == 0) continue;
      const size_t bytes =
          allocation_size(sizeof(Record) + r->key_size()) + allocation_size(b->allocation_bytes()) + b->node_bytes();
      // All of them, though that may be a few more than n: the walk has
      // moved past them.
      out->push_back(Sample{std::string(r->key()), b->access(), expire_at, bytes});
      ++found;
    }
  }
  return cursor;
}

std::optional<std::string> Store::random_key(stm::Tx& tx, uint64_t random_bits) {
  // Start the scan at a random shard and bucket; walk on (wrapping once)
  // until a present key turns up. Not uniform over keys when chains differ
  // in length, like Redis's RANDOMKEY over its buckets.
  tx.pin();
  const int64_t now = now_ms();
  uint64_t cursor = random_bits;
  bool wrapped = false;
  for (;;) {
    std::vector<Record*> seen;
    cursor = index_.scan(cursor, 16, [&](Record* r) { seen.push_back(r); });
    for (Record* r : seen) {
      const auto* b = reinterpret_cast<const Blob*>(tx.read_word(r->word));
      if (b != nullptr && !b->expired_at(now)) return std::string(r->key());
    }
    if (cursor == 0) {
      if (wrapped) return std::nullopt;
      wrapped = true;
    }
  }
}

size_t Store::flush(stm::Tx& tx) {
  maybe_run_reap_jobs(tx);
  tx.pin();
  std::vector<Record*> seen;
  uint64_t cursor = 0;
  do {
    cursor = index_.scan(cursor, 1024, [&](Record* r) { seen.push_back(r); });
  } while (cursor != 0);
  // Keys created by transactions that commit after our read version make
  // the reads below (or the commit checks of their inserts) conflict.
  size_t deleted = 0;
  for (Record* r : seen) {
    if (tx.read_word(r->word) != 0) {
      tx.write_word(r->word, 0, &value_ops_);
      ++deleted;
    }
  }
  return deleted;
}

// ---------------------------------------------------------------------------
// Writes

OpStatus Store::check_value(std::string_view value) const {
  return value.size() > max_value_bytes() ? OpStatus::kValueTooLarge : OpStatus::kOk;
}

void Store::write_value(stm::Tx& tx, std::string_view key, ValueType type, std::string_view bytes,
                        int64_t expire_at_ms, std::optional<uint32_t> access) {
  maybe_run_reap_jobs(tx);
  tx.pin();
  const uint64_t hash = hash_key(key);
  Record* r = index_.find(key, hash);
  if (r == nullptr) {
    // Inserting takes the shard mutex and may resize: software only.
    tx.require_software();
    bool created = false;
    r = index_.find_or_insert(key, hash, &created);
    if (created) queue_reap(r);  // reaped if our transaction never fills it
  }
  if (observe_creations_.load(std::memory_order_relaxed) && create_fn_ != nullptr &&
      read_for_write(tx, r) == nullptr) {
    create_fn_(create_arg_, *this, key);
  }
  // Allocated last, once nothing can abort before the write set owns it.
  tx.write_word(r->word, reinterpret_cast<uint64_t>(Blob::make(type, bytes, expire_at_ms, access)), &value_ops_);
}

OpStatus Store::put(stm::Tx& tx, std::string_view key, ValueType type, std::string_view bytes, int64_t expire_at_ms,
                    std::optional<uint32_t> access) {
  if (key.size() > Record::kMaxKeySize) return OpStatus::kKeyTooLarge;
  if (OpStatus s = check_value(bytes); s != OpStatus::kOk) return s;
  write_value(tx, key, type, bytes, expire_at_ms, access);
  return OpStatus::kOk;
}

OpStatus Store::set(stm::Tx& tx, std::string_view key, std::string_view value) {
  if (key.size() > Record::kMaxKeySize) return OpStatus::kKeyTooLarge;
  if (OpStatus s = check_value(value); s != OpStatus::kOk) return s;
  write_value(tx, key, ValueType::kString, value);
  return OpStatus::kOk;
}

bool Store::del(stm::Tx& tx, std::string_view key) {
  maybe_run_reap_jobs(tx);
  Record* r = find_pinned(tx, key, hash_key(key));
  if (r == nullptr || read_for_write(tx, r) == nullptr) return false;
  tx.write_word(r->word, 0, &value_ops_);
  return true;
}

OpStatus Store::mset(stm::Tx& tx, std::span<const std::pair<std::string_view, std::string_view>> pairs) {
  for (const auto& [k, v] : pairs) {
    if (k.size() > Record::kMaxKeySize) return OpStatus::kKeyTooLarge;
    if (OpStatus s = check_value(v); s != OpStatus::kOk) return s;
  }
  for (const auto& [k, v] : pairs) write_value(tx, k, ValueType::kString, v);
  return OpStatus::kOk;
}

OpResult<int64_t> Store::incrby(stm::Tx& tx, std::string_view key, int64_t delta) {
  if (key.size() > Record::kMaxKeySize) return OpStatus::kKeyTooLarge;
  const Blob* b = read_record(tx, key);
  int64_t current = 0;
  int64_t expire_at = 0;
  if (b != nullptr) {
    expire_at = b->expire_at_ms();
    if (b->type() != ValueType::kString) return OpStatus::kWrongType;
    std::optional<int64_t> parsed = parse_int64(b->view());
    if (!parsed) return OpStatus::kNotInteger;
    current = *parsed;
  }
  int64_t result;
  if (__builtin_add_overflow(current, delta, &result)) return OpStatus::kOverflow;
  char buf[24];
  write_value(tx, key, ValueType::kString, format_int64(result, buf), expire_at);
  return result;
}

// ---------------------------------------------------------------------------
// Presence counting and reaping

void Store::on_replace(void* ctx, stm::TWord* w, uint64_t old_value, uint64_t new_value, stm::Version wv) {
  auto* self = static_cast<Store*>(ctx);
  const auto* old_blob = reinterpret_cast<const Blob*>(old_value);
  const auto* new_blob = reinterpret_cast<const Blob*>(new_value);
  const int expiring_change = int{new_blob != nullptr && new_blob->expire_at_ms() != 0} -
                              int{old_blob != nullptr && old_blob->expire_at_ms() != 0};
  if (expiring_change != 0) {
    ThreadLocal& local = self->local();
    local.expiring_delta.store(local.expiring_delta.load(std::memory_order_relaxed) + expiring_change,
                               std::memory_order_relaxed);
  }
  // An overwritten key keeps its access frequency under LFU, as in Redis
  // (dbSetValue); the box is ours until release, and the bits are not
  // transactional anyway (access_clock.h).
  if (old_blob != nullptr && new_blob != nullptr && access_mode() == AccessMode::kLfu && !new_blob->access_given()) {
    new_blob->set_access(old_blob->access());
  }
  if ((old_value == 0) == (new_value == 0)) return;  // overwrite: count unchanged
  ThreadLocal& local = self->local();
  // Single writer (this thread): relaxed load + store, no read-modify-write.
  local.live_delta.store(local.live_delta.load(std::memory_order_relaxed) + (new_value != 0 ? 1 : -1),
                         std::memory_order_relaxed);
  if (new_value == 0) {
    // Stamped commits (GV5, hardware) leave the clock below wv; the reap
    // condition needs the clock to cover the delete's version.
    stm::Tx::raise_clock_to(wv);
    self->queue_reap_locked(local, Record::from_word(w));
  }
}

void Store::queue_reap(Record* r) { queue_reap_locked(local(), r); }

void Store::maybe_run_reap_jobs(stm::Tx& tx) {
  // Not from inside a commit (on_replace): reaping there would lengthen the
  // time the committer holds its locks. Writers call this before writing.
  // Not inside a hardware transaction either: reaping locks and frees.
  if (tx.mode() == stm::TxMode::kHardware) return;
  ThreadLocal& local = this->local();
  if (local.reap_queue.size() >= local.next_reap_run) {
    run_reap_jobs(false);
    local.next_reap_run = local.reap_queue.size() + kReapBatch;
  }
}

void Store::queue_reap_locked(ThreadLocal& local, Record* r) {
  // One job per record at a time (record.h): whoever sets the bit queues it.
  if (r->meta.fetch_or(Record::kReapQueued, std::memory_order_seq_cst) & Record::kReapQueued) return;
  // seq_cst loads, after the delete's clock increment (we run inside its
  // write-back) or the record's creation: see the reap condition.
  local.reap_queue.push_back(ReapJob{r, stm::global_clock().now.load(std::memory_order_seq_cst), stm::epoch_current()});
}

void Store::reap_now() { run_reap_jobs(true); }

void Store::run_reap_jobs(bool force_advance) {
  ThreadLocal& local = this->local();
  stm::ThreadContext& ctx = stm::this_thread_context();
  stm::epoch_reclaim(ctx);  // tries to advance the epoch
  if (force_advance) {
    stm::epoch_reclaim(ctx);
    stm::epoch_reclaim(ctx);
  }
  const uint64_t now_epoch = stm::epoch_current();
  // Pinned while we touch records: once we clear a record's queued bit,
  // another thread may queue and reap it, and only our pin keeps it valid.
  stm::epoch_pin(ctx);
  size_t kept = 0;
  auto& q = local.reap_queue;
  for (size_t i = 0; i < q.size(); ++i) {
    ReapJob job = q[i];
    if (job.epoch + 2 > now_epoch) {
      q[kept++] = job;  // grace period not over
      continue;
    }
    Record* r = job.record;
    const uint64_t lock = r->word.lock.load(std::memory_order_acquire);
    if (r->word.value.load(std::memory_order_acquire) != 0) {
      // Present again: drop the job. Clear the bit before re-checking, so a
      // delete that committed in between either sees the bit clear and
      // queues its own job, or is seen by the re-check below.
      r->meta.fetch_and(~Record::kReapQueued, std::memory_order_seq_cst);
      if (r->word.value.load(std::memory_order_seq_cst) == 0) queue_reap_locked(local, r);
      continue;
    }
    // Every transaction pinned now began its epoch after the job was queued,
    // so its read version is at least job.safe_version (Tx::pin extends it):
    // if the record's version is no newer, nobody can need the record.
    if (!stm::is_locked(lock) && stm::version_of(lock) <= job.safe_version &&
        index_.reap(r, hash_key(r->key()), lock, ctx, &Store::is_watched, this)) {
      continue;
    }
    // Absent but too recent (or busy): try again after another grace period.
    q[kept++] = ReapJob{r, stm::global_clock().now.load(std::memory_order_seq_cst), stm::epoch_current()};
  }
  q.resize(kept);
  // As for the epoch's list (stm/epoch.cc): a mass delete queues a job per
  // key; once they are done, the queue gives that memory back.
  if (q.capacity() > 4096 && kept < q.capacity() / 4) q.shrink_to_fit();
  stm::epoch_unpin(ctx);
}

// ---------------------------------------------------------------------------
// WATCH
//
// Exactness rests on three facts:
//  1. The snapshot is a consistent (lock, value) pair of an unlocked word,
//     and the clock is raised to its version before the lock word is read a
//     second time and found unchanged. A commit that changes the word later
//     locks it after that second read, so it takes its write version from a
//     clock that is already >= the snapshot's version, and stamps a higher
//     one (GV5 stamps clock + 1; the classic clock increments): a modified
//     record never shows the snapshot's lock word again.
//  2. The record stays the key's record: registered records are never reaped.
//     The watcher registers, then reads the lock word (both seq_cst); the
//     reaper marks the record dead, then checks registrations (both seq_cst).
//     In the single order of those four operations, either the reaper sees
//     the registration and backs off, or the watcher sees the dead mark and
//     retries with the key's new record.
//  3. watch_intact reads the word inside the EXEC transaction: TL2's read
//     validation (or the hardware's subscription) makes "unchanged at the
//     read" hold until the commit.

bool Store::is_watched(const void* self_ptr, const Record* r) {
  const auto* self = static_cast<const Store*>(self_ptr);
  if (self->watched_any_.load(std::memory_order_seq_cst) == 0) return false;
  std::lock_guard<std::mutex> guard(self->watch_mu_);
  return self->watched_.count(r) != 0;
}

Store::WatchToken Store::watch(std::string_view key) {
  // A key longer than any record can hold can never exist: nothing to watch
  // (watch_intact treats the empty token as unmodified).
  if (key.size() > Record::kMaxKeySize) return WatchToken{};
  stm::ThreadContext& ctx = stm::this_thread_context();
  const uint64_t hash = hash_key(key);
  const int64_t now = now_ms();
  stm::epoch_pin(ctx);  // records we reach stay allocated while pinned
  WatchToken token;
  for (;;) {
    bool created = false;
    Record* r = index_.find_or_insert(key, hash, &created);
    if (created) queue_reap(r);  // an absent record: reaped once unwatched
    {
      std::lock_guard<std::mutex> guard(watch_mu_);
      if (watched_[r]++ == 0) watched_any_.fetch_add(1, std::memory_order_seq_cst);
    }
    uint64_t l1 = r->word.lock.load(std::memory_order_seq_cst);
    if (l1 == stm::kDeadLock) {  // reaped before we registered: use the new record
      unwatch(WatchToken{r});
      continue;
    }
    // A consistent snapshot of an unlocked word (fact 1).
    uint64_t value;
    for (;;) {
      l1 = r->word.lock.load(std::memory_order_seq_cst);
      value = r->word.value.load(std::memory_order_acquire);
      if (!stm::is_locked(l1) && r->word.lock.load(std::memory_order_seq_cst) == l1) {
        stm::Tx::raise_clock_to(stm::version_of(l1));
        if (r->word.lock.load(std::memory_order_seq_cst) == l1) break;
      }
      stm::cpu_relax();
    }
    const auto* b = reinterpret_cast<const Blob*>(value);
    token.record = r;
    token.lock = l1;
    token.alive = b != nullptr && !b->expired_at(now);
    token.expire_at_ms = b != nullptr ? b->expire_at_ms() : 0;
    break;
  }
  stm::epoch_unpin(ctx);
  return token;
}

void Store::unwatch(const WatchToken& token) {
  if (token.record == nullptr) return;
  std::lock_guard<std::mutex> guard(watch_mu_);
  auto it = watched_.find(token.record);
  if (it == watched_.end()) return;
  if (--it->second == 0) {
    watched_.erase(it);
    watched_any_.fetch_sub(1, std::memory_order_seq_cst);
  }
}

bool Store::watch_intact(stm::Tx& tx, const WatchToken& token) {
  Record* r = token.record;
  if (r == nullptr) return true;  // an impossible key (see watch())
  // Cannot happen while the veto holds (fact 2); if it ever did, a reaped
  // record would make read_word retry forever, so report "modified".
  if (r->word.lock.load(std::memory_order_acquire) == stm::kDeadLock) return false;
  tx.read_word(r->word);  // joins the read set (fact 3)
  // The lock word now: if it differs from the snapshot's, the record was
  // modified after watch() (a commit after our read also fails validation).
  if (r->word.lock.load(std::memory_order_acquire) != token.lock) return false;
  // Redis 7: a key that was alive at WATCH and has expired since counts as
  // modified, even though nothing wrote it.
  if (token.alive && token.expire_at_ms != 0 && token.expire_at_ms <= now_ms()) return false;
  return true;
}

// ---------------------------------------------------------------------------
// Active expiry

uint64_t Store::expired_candidates(uint64_t cursor, size_t buckets, std::vector<std::string>* out) {
  stm::ThreadContext& ctx = stm::this_thread_context();
  const int64_t now = now_ms();
  // A racy peek outside any transaction, pinned so the blobs stay valid:
  // it only nominates keys; delete_if_expired decides transactionally.
  stm::epoch_pin(ctx);
  int64_t ttl_sum = 0, ttl_samples = 0;
  uint64_t next = index_.scan(cursor, buckets, [&](Record* r) {
    const auto* b = reinterpret_cast<const Blob*>(r->word.value.load(std::memory_order_acquire));
    if (b == nullptr) return;
    if (b->expired_at(now)) {
      out->emplace_back(r->key());
    } else if (const int64_t at = b->expire_at_ms(); at != 0) {
      ttl_sum += at - now;
      ++ttl_samples;
    }
  });
  stm::epoch_unpin(ctx);
  if (ttl_samples != 0) {
    // Redis's running average: the new slice weighs 2%; the first sets it.
    // Relaxed load and store: a statistic; two threads sweeping at once
    // may each overwrite the other's update, which loses one sample.
    const int64_t slice = ttl_sum / ttl_samples;
    const int64_t avg = avg_ttl_ms_.load(std::memory_order_relaxed);
    avg_ttl_ms_.store(avg == 0 ? slice : avg / 50 * 49 + slice / 50, std::memory_order_relaxed);
  }
  return next;
}


bool Store::delete_if_expired(stm::Tx& tx, std::string_view key) {
  maybe_run_reap_jobs(tx);
  Record* r = find_pinned(tx, key, hash_key(key));
  if (r == nullptr) return false;
  return expire_if_due(tx, r, reinterpret_cast<const Blob*>(tx.read_word(r->word)));
}

template <class T>
T Store::sum_over_threads(std::atomic<T> ThreadLocal::*counter) const {
  T n = 0;
  std::lock_guard<std::mutex> g(registry_mu_);
  for (const ThreadLocal* l : registry_) n += (l->*counter).load(std::memory_order_relaxed);
  return n;
}

size_t Store::expiring_count() const {
  const int64_t n = sum_over_threads(&ThreadLocal::expiring_delta);
  return n < 0 ? 0 : static_cast<size_t>(n);
}

uint64_t Store::expired_count() const { return sum_over_threads(&ThreadLocal::expired); }

size_t Store::size() const {
  // Deltas of different threads may be summed mid-commit: clamp at 0.
  const int64_t n = sum_over_threads(&ThreadLocal::live_delta);
  return n < 0 ? 0 : static_cast<size_t>(n);
}

}  // namespace tmkv::store
