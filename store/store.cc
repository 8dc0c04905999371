#include "store/store.h"

#include <algorithm>

#include "stm/global_clock.h"
#include "store/hash.h"
#include "store/int_codec.h"

namespace tmkv::store {
Store::Store(StoreOptions options) : options_(options) {
  options_.max_value_bytes = std::min(options_.max_value_bytes, kMaxValueBytesLimit);
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

// ---------------------------------------------------------------------------
// Lookups

Record* Store::find_pinned(stm::Tx& tx, std::string_view key, uint64_t hash) {
  tx.pin();
  Record* r = index_.find(key, hash);
  if (r == nullptr) tx.add_commit_check(&Store::still_absent, this, key);
  return r;
}

const Blob* Store::read_record(stm::Tx& tx, std::string_view key) {
  Record* r = find_pinned(tx, key, hash_key(key));
  if (r == nullptr) return nullptr;
  return reinterpret_cast<const Blob*>(tx.read_word(r->word));
}

bool Store::still_absent(const void* owner, std::string_view key, stm::Tx& tx) {
  const auto* self = static_cast<const Store*>(owner);
  Record* r = self->index_.find(key, hash_key(key));
  if (r == nullptr) return true;
  if (tx.writes(r->word)) {
    // Locked by us for this commit: the value is the pre-commit one.
    return r->word.value.load(std::memory_order_relaxed) == 0;
  }
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
  if (b->type != ValueType::kString) return OpStatus::kWrongType;
  return std::optional<std::string_view>{b->view()};
}

bool Store::exists(stm::Tx& tx, std::string_view key) { return read_record(tx, key) != nullptr; }

std::vector<std::optional<std::string_view>> Store::mget(stm::Tx& tx, std::span<const std::string_view> keys) {
  std::vector<std::optional<std::string_view>> out;
  out.reserve(keys.size());
  for (std::string_view k : keys) {
    const Blob* b = read_record(tx, k);
    if (b != nullptr && b->type == ValueType::kString) {
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
  for (Record* r : seen) {
    if (tx.read_word(r->word) != 0) out->emplace_back(r->key());
  }
  return next;
}

// ---------------------------------------------------------------------------
// Writes

OpStatus Store::check_value(std::string_view value) const {
  return value.size() > options_.max_value_bytes ? OpStatus::kValueTooLarge : OpStatus::kOk;
}

void Store::write_value(stm::Tx& tx, std::string_view key, ValueType type, std::string_view bytes) {
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
  // Allocated last, once nothing can abort before the write set owns it.
  tx.write_word(r->word, reinterpret_cast<uint64_t>(Blob::make(type, bytes)), &value_ops_);
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
  if (r == nullptr || tx.read_word(r->word) == 0) return false;
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
  if (b != nullptr) {
    if (b->type != ValueType::kString) return OpStatus::kWrongType;
    std::optional<int64_t> parsed = parse_int64(b->view());
    if (!parsed) return OpStatus::kNotInteger;
    current = *parsed;
  }
  int64_t result;
  if (__builtin_add_overflow(current, delta, &result)) return OpStatus::kOverflow;
  char buf[24];
  write_value(tx, key, ValueType::kString, format_int64(result, buf));
  return result;
}

// ---------------------------------------------------------------------------
// Presence counting and reaping

void Store::on_replace(void* ctx, stm::TWord* w, uint64_t old_value, uint64_t new_value, stm::Version wv) {
  auto* self = static_cast<Store*>(ctx);
  if ((old_value == 0) == (new_value == 0)) return;  // overwrite: count unchanged
  ThreadLocal& local = self->locals_.local();
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

void Store::queue_reap(Record* r) { queue_reap_locked(locals_.local(), r); }

void Store::maybe_run_reap_jobs(stm::Tx& tx) {
  // Not from inside a commit (on_replace): reaping there would lengthen the
  // time the committer holds its locks. Writers call this before writing.
  // Not inside a hardware transaction either: reaping locks and frees.
  if (tx.mode() == stm::TxMode::kHardware) return;
  ThreadLocal& local = locals_.local();
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
  ThreadLocal& local = locals_.local();
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
        index_.reap(r, hash_key(r->key()), lock, ctx)) {
      continue;
    }
    // Absent but too recent (or busy): try again after another grace period.
    q[kept++] = ReapJob{r, stm::global_clock().now.load(std::memory_order_seq_cst), stm::epoch_current()};
  }
  q.resize(kept);
  stm::epoch_unpin(ctx);
}

size_t Store::size() const {
  int64_t n = 0;
  for (const ThreadLocal& l : locals_) n += l.live_delta.load(std::memory_order_relaxed);
  return n < 0 ? 0 : static_cast<size_t>(n);
}

}  // namespace tmkv::store
