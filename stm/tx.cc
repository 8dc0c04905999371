#include "stm/tx.h"

#include <cassert>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "stm/cpu_relax.h"
#include "stm/epoch.h"
#include "stm/global_clock.h"
#include "stm/retry_policy.h"
#include "stm/serial_gate.h"
#include "stm/xorshift.h"

namespace tmkv::stm {

constinit GlobalClock g_global_clock;
constinit RetryPolicy g_retry_policy;

namespace {
// The global-lock baseline mode's one lock (Tx::set_global_lock_mode).
std::mutex g_global_lock;

// TMKV_STM_CLOCK=stamp|increment overrides RetryPolicy::stamp_clock at
// start-up, so tests and benchmarks can pin either clock (as libitm's
// ITM_DEFAULT_METHOD pins a TM method).
struct ClockFromEnvironment {
  ClockFromEnvironment() {
    const char* v = std::getenv("TMKV_STM_CLOCK");
    if (v == nullptr) return;
    if (std::strcmp(v, "stamp") == 0) g_retry_policy.stamp_clock.store(true, std::memory_order_relaxed);
    if (std::strcmp(v, "increment") == 0) g_retry_policy.stamp_clock.store(false, std::memory_order_relaxed);
  }
} g_clock_from_environment;
}  // namespace

namespace {
// Accessors for the commit and validation loops: plain atomics unless the
// emulated HTM is installed (Tx::emulated_, fixed for the attempt), so the
// common build pays no hook check per word there either.
inline uint64_t load_word(const Shared<uint64_t>& w, std::memory_order mo, bool emulated) {
  return emulated ? w.load(mo) : w.raw().load(mo);
}
inline void store_word(Shared<uint64_t>& w, uint64_t v, std::memory_order mo, bool emulated) {
  if (emulated) {
    w.store(v, mo);
  } else {
    w.raw().store(v, mo);
  }
}
inline bool cas_word(Shared<uint64_t>& w, uint64_t& expected, uint64_t desired, std::memory_order mo,
                     bool emulated) {
  if (emulated) return w.compare_exchange_strong(expected, desired, mo);
  return w.raw().compare_exchange_strong(expected, desired, mo, std::memory_order_relaxed);
}
}  // namespace

struct TxHolder {
  Tx tx;
  ~TxHolder() { Tx::t_current_ = nullptr; }
};

constinit thread_local Tx* Tx::t_current_ = nullptr;

Tx& Tx::make_current() {
  thread_local TxHolder holder;
  t_current_ = &holder.tx;
  return holder.tx;
}

Tx::Tx() : ctx_(&this_thread_context()) {
  if (ctx_->rng_state == 0) ctx_->rng_state = reinterpret_cast<uintptr_t>(ctx_) | 1;
}

// ---------------------------------------------------------------------------
// Attempt lifecycle

void Tx::run_begin(TxKind kind) {
  assert(mode_ == TxMode::kIdle);
  start_run_telemetry();
  kind_ = kind;
  aborts_ = 0;
  holds_serial_ = false;
}

void Tx::begin_attempt() {
  begin_attempt_telemetry();
  RetryPolicy& policy = retry_policy();
  // Hooks change only while no transaction runs (htm::configure_tm).
  emulated_ = shared_memory_hooks() != nullptr;
  if (global_lock_mode_) {
    if (!holds_global_lock_) {
      g_global_lock.lock();
      holds_global_lock_ = true;
    }
    mode_ = TxMode::kIrrevocable;  // alone: reads never wait, commit cannot fail
    rv_ = global_clock().now.load(std::memory_order_acquire);
    ro_reads_ = 0;
    return;
  }
  if (!holds_serial_ && (kind_ == TxKind::kIrrevocable ||
                         aborts_ >= policy.max_aborts_before_irrevocable.load(std::memory_order_relaxed))) {
    serial_gate().acquire();
    holds_serial_ = true;
    // An escalation is a transaction that aborted too often; one that asked
    // to run irrevocably shows in the irrevocable commits only.
    if (kind_ != TxKind::kIrrevocable) ctx_->stats.escalations.add();
  }
  if (holds_serial_) {
    mode_ = TxMode::kIrrevocable;
    // seq_cst: after our gate store in the total order (serial_gate.h).
    rv_ = global_clock().now.load(std::memory_order_seq_cst);
  } else {
    // Starting a writer while an irrevocable transaction runs would only
    // waste work: its commit would abort. Wait instead (not counted as an
    // abort). Read-only transactions never check the gate, so they run on.
    if (kind_ != TxKind::kReadOnly && serial_gate().active_relaxed_hint(emulated_)) {
      serial_gate().wait_until_inactive();
    }
    mode_ = kind_ == TxKind::kReadOnly ? TxMode::kReadOnly : TxMode::kReadWrite;
    // Acquire: a transaction that begins after another's commit returned
    // reads a clock at least that commit's write version (real-time order).
    rv_ = load_word(global_clock().now, std::memory_order_acquire, emulated_);
  }
  ro_reads_ = 0;
}

void Tx::end_attempt() {
  holds_write_locks_ = false;
  reads_.clear();
  last_read_ = nullptr;
  if (reads_.capacity() > kMaxKeptReads) reads_.shrink_to(kInitialReads);
  writes_.clear();
  checks_used_ = 0;
  hooks_.clear();
  for (auto& [value, ops] : garbage_) ops->destroy(reinterpret_cast<void*>(value));
  garbage_.clear();
  if (pinned_) {
    epoch_unpin(*ctx_);
    pinned_ = false;
  }
  mode_ = TxMode::kIdle;
  epoch_poll(*ctx_);
}

void Tx::run_end() {
  assert(mode_ == TxMode::kIdle);
  reset_run_telemetry();  // a cancelled or throwing run records no commit
  if (holds_serial_) {
    serial_gate().release();
    holds_serial_ = false;
  }
  if (holds_global_lock_) {
    g_global_lock.unlock();
    holds_global_lock_ = false;
  }
}

void Tx::discard_buffered() {
  for (WriteEntry& e : writes_.entries()) {
    if (e.ops != nullptr && e.ops->destroy != nullptr && e.value != 0) e.ops->destroy(reinterpret_cast<void*>(e.value));
  }
}

void Tx::abort_attempt(AbortCause c) {
  discard_buffered();
  ctx_->stats.count_abort(c);
  if (c != AbortCause::kReadOnlyUpgrade) ++aborts_;
  last_cause_ = c;
  end_attempt();
}

void Tx::restart(AbortCause c) {
  abort_attempt(c);
  throw detail::Restart{};
}

void Tx::rollback(AbortCause c) {
  if (mode_ == TxMode::kIdle) return;
  discard_buffered();
  ctx_->stats.count_abort(c);
  end_attempt();
}

void Tx::prepare_retry() {
  if (last_cause_ == AbortCause::kReadOnlyUpgrade) {
    kind_ = TxKind::kReadWrite;  // retry at once: nothing conflicted
    return;
  }
  if (!holds_serial_) backoff();
}

void Tx::backoff() {
  RetryPolicy& policy = retry_policy();
  uint32_t shift = aborts_ < 20 ? aborts_ : 20;
  uint64_t limit = uint64_t{policy.backoff_base.load(std::memory_order_relaxed)} << shift;
  uint64_t cap = policy.backoff_cap.load(std::memory_order_relaxed);
  if (limit > cap) limit = cap;
  if (limit == 0) return;
  // Per-thread, so threads that collided pick different waits.
  for (uint64_t i = xorshift64(ctx_->rng_state) % limit; i > 0; --i) cpu_relax();
}

// ---------------------------------------------------------------------------
// Reads and writes

uint64_t Tx::read_word_slow(const TWord& w) {
  assert(active());
  switch (mode_) {
    case TxMode::kReadOnly:
    case TxMode::kReadWrite: {
      const bool logging = mode_ == TxMode::kReadWrite;
      if (logging) {
        if (WriteEntry* e = writes_.find(&w)) return e->value;
      }
      for (;;) {
        uint64_t l1 = w.lock.load(std::memory_order_acquire);
        // Acquire on the value: if we read a committer's new value we also
        // see its lock, so the second sample below cannot miss the change.
        uint64_t v = w.value.load(std::memory_order_acquire);
        uint64_t l2 = w.lock.load(std::memory_order_relaxed);
        if (l1 != l2 || is_locked(l1)) restart(l2 == kDeadLock ? AbortCause::kDeadLocation : AbortCause::kLockBusy);
        if (version_of(l1) > rv_) {
          if (!extend_for(version_of(l1))) restart(AbortCause::kReadValidation);
          continue;  // rv now covers the version: sample again
        }
        if (logging) {
          log_read(w, l1);
        } else {
          ++ro_reads_;
        }
        return v;
      }
    }
    case TxMode::kIrrevocable:
      return read_irrevocable(w);
    case TxMode::kHardware:
      return read_hardware(w);
    case TxMode::kIdle:
      break;
  }
  __builtin_unreachable();
}

bool Tx::extend_for(Version seen) {
  // Hardware commits stamp GV + 1 without advancing GV (htm/), so a version
  // above rv may be older than the clock says. As GV5 readers do, move the
  // clock up to it, so that this and every later transaction can get past;
  // then extend rv if what we read so far is still current (TinySTM).
  if (!readers_move_clock()) return false;  // classic TL2: abort
  raise_clock_to(seen);
  const Version now = global_clock().now.load(std::memory_order_seq_cst);
  // `now` is read before validating: if everything read is still current
  // after this point, the snapshot is valid at `now` (TinySTM's extension).
  // A read-only attempt logs nothing, so it can extend only before its
  // first read, a miss included (a key it found absent may have appeared).
  if (mode_ == TxMode::kReadOnly ? ro_reads_ != 0 || absent_keys_ != 0 : !validate_reads_unlocked()) return false;
  rv_ = now;
  return true;
}

uint64_t Tx::read_irrevocable(const TWord& w) {
  if (WriteEntry* e = writes_.find(&w)) return e->value;
  unsigned spins = 0;
  for (;;) {
    uint64_t l1 = w.lock.load(std::memory_order_acquire);
    if (l1 == kDeadLock) restart(AbortCause::kDeadLocation);  // retried, still irrevocable
    if (!is_locked(l1)) {
      uint64_t v = w.value.load(std::memory_order_acquire);
      if (w.lock.load(std::memory_order_relaxed) == l1) {
        // Only committers that passed the gate before we took it can have
        // written here, and they have released this word: the value is
        // final for as long as we hold the gate (serial_gate.h). Its version
        // may exceed rv (stamped clocks), which does not matter here.
        if (run_sampled_) reads_.push_back(&w);  // for the width only: nothing validates it
        return v;
      }
    }
    // A committer that passed the gate is writing back: it will release
    // soon and never waits for us, so waiting cannot deadlock.
    wait_step(spins);
  }
}

void Tx::write_word_slow(TWord& w, uint64_t value, const ValueOps* ops) {
  assert(active());
  if (mode_ == TxMode::kReadOnly) {
    if (ops != nullptr && ops->destroy != nullptr && value != 0) ops->destroy(reinterpret_cast<void*>(value));
    restart(AbortCause::kReadOnlyUpgrade);
  }
  if (mode_ == TxMode::kHardware) return write_hardware(w, value, ops);
  if (WriteEntry* e = writes_.find(&w)) {
    assert(e->ops == ops);
    if (ops != nullptr && ops->destroy != nullptr && e->value != 0) garbage_.emplace_back(e->value, ops);
    e->value = value;
    return;
  }
  writes_.add(&w, value, ops);
}

void Tx::pin() {
  if (pinned_) return;
  epoch_pin(*ctx_);
  pinned_ = true;
  // The store reaps absent records only after a grace period, so a record
  // reaped before this pin may carry a version above an rv taken before it.
  // Move rv up to a clock value read after the pin; that is sound only if
  // everything read so far is still current (TinySTM's extension).
  Version now = global_clock().now.load(std::memory_order_seq_cst);
  if (now == rv_) return;
  switch (mode_) {
    case TxMode::kIrrevocable:
      rv_ = now;  // nothing committed since rv but aborted committers' ticks
      return;
    case TxMode::kReadOnly:
      // No read set to revalidate (misses included).
      if (ro_reads_ != 0 || absent_keys_ != 0) restart(AbortCause::kReadValidation);
      rv_ = now;
      return;
    case TxMode::kReadWrite:
      if (!validate_reads_unlocked()) restart(AbortCause::kReadValidation);
      rv_ = now;
      return;
    case TxMode::kHardware:  // pinned before the hardware begin
    case TxMode::kIdle:
      break;
  }
}

void Tx::add_commit_check(CommitCheck fn, const void* owner, std::string_view key) {
  // Read-only snapshots need no re-check; hardware tracks what it read.
  if (mode_ != TxMode::kReadWrite) return;
  if (checks_used_ == checks_.size()) checks_.emplace_back();
  PendingCheck& c = checks_[checks_used_++];
  c.fn = fn;
  c.owner = owner;
  c.key.assign(key);
}

void Tx::on_commit(CommitHook fn, void* arg) { hooks_.push_back(PendingHook{fn, arg}); }

// ---------------------------------------------------------------------------
// Commit

bool Tx::lock_write_set(AbortCause* why) {
  const uint32_t max_spin = retry_policy().lock_spin.load(std::memory_order_relaxed);
  auto& entries = writes_.entries();
  for (size_t i = 0; i < entries.size(); ++i) {
    Shared<uint64_t>& lock = entries[i].word->lock;
    uint64_t cur = load_word(lock, std::memory_order_relaxed, emulated_);
    unsigned spins = 0;
    for (;;) {
      if (cur == kDeadLock) {
        *why = AbortCause::kDeadLocation;
        unlock_write_set(i);
        return false;
      }
      // A read moved into this entry (write_word) is valid only while the
      // word is as that read saw it; locking it keeps it so until release.
      if (!is_locked(cur) && entries[i].read_lock != kNoRead && cur != entries[i].read_lock) {
        *why = AbortCause::kReadValidation;
        unlock_write_set(i);
        return false;
      }
      // Acquire: we are about to read the value the previous owner wrote
      // back (to retire it) and overwrite it.
      if (!is_locked(cur) && cas_word(lock, cur, locked_word(cur), std::memory_order_acquire, emulated_)) {
        break;
      }
      if (is_locked(cur)) {
        if (mode_ == TxMode::kIrrevocable) {
          wait_step(spins);  // the holder is a committer; it never waits on us
        } else if (++spins > max_spin) {
          *why = AbortCause::kLockBusy;
          unlock_write_set(i);
          return false;
        } else {
          cpu_relax();
        }
        cur = load_word(lock, std::memory_order_relaxed, emulated_);
      }
    }
    entries[i].unlocked_word = cur;
  }
  return true;
}

void Tx::unlock_write_set(size_t locked) {
  auto& entries = writes_.entries();
  // Restores the old word; nothing was written, so relaxed would do, but
  // release keeps the lock's usual pairing simple to reason about.
  for (size_t i = 0; i < locked; ++i) {
    store_word(entries[i].word->lock, entries[i].unlocked_word, std::memory_order_release, emulated_);
  }
}

bool Tx::validate_reads() {
  for (const TWord* w : reads_) {
    uint64_t l = load_word(w->lock, std::memory_order_acquire, emulated_);
    if (is_locked(l)) {
      if (l == kDeadLock) return false;
      const WriteEntry* mine = writes_.find(w);
      if (mine == nullptr || version_of(mine->unlocked_word) > rv_) return false;
    } else if (version_of(l) > rv_) {
      return false;
    }
  }
  return true;
}

bool Tx::validate_reads_unlocked() {
  for (const TWord* w : reads_) {
    uint64_t l = load_word(w->lock, std::memory_order_acquire, emulated_);
    if (is_locked(l) || version_of(l) > rv_) return false;
  }
  // The reads that moved into write entries (write_word): still as read.
  for (const WriteEntry& e : writes_.entries()) {
    if (e.read_lock != kNoRead && load_word(e.word->lock, std::memory_order_acquire, emulated_) != e.read_lock) {
      return false;
    }
  }
  // The facts TL2 cannot see in a lock word (a key found absent): a new rv
  // must not come after one of them stopped holding, or the attempt would
  // see a state that never existed (a key absent next to another key the
  // same commit created).
  for (size_t i = 0; i < checks_used_; ++i) {
    if (!checks_[i].fn(checks_[i].owner, checks_[i].key, *this)) return false;
  }
  return true;
}

void Tx::write_back_and_release(Version wv) {
  for (WriteEntry& e : writes_.entries()) {
    // We own the lock, so the value is stable; relaxed is enough to read it.
    uint64_t old = load_word(e.word->value, std::memory_order_relaxed, emulated_);
    // Release: a reader that acquires the new value (a boxed pointer
    // included) sees it fully built, and sees our lock (tx.h, read_word).
    store_word(e.word->value, e.value, std::memory_order_release, emulated_);
    if (e.ops != nullptr) {
      if (e.ops->on_replace != nullptr) e.ops->on_replace(e.ops->ctx, e.word, old, e.value, wv);
      if (e.ops->destroy != nullptr && old != 0) epoch_retire(*ctx_, reinterpret_cast<void*>(old), e.ops->destroy);
    }
    // Release: the new version becomes visible only with the value.
    store_word(e.word->lock, unlocked_word(wv), std::memory_order_release, emulated_);
#ifdef TMKV_TEST_BREAK_HW_LOCK_CHECK
    // Test-only build (tests/htm/hybrid_bank_test.cc, broken protocol):
    // widen the window in which a write-back is half done, so that the
    // broken hardware read is caught in every run, not just in most.
    std::this_thread::yield();
#endif
  }
}

void Tx::run_commit_hooks(Version wv) {
  for (const PendingHook& h : hooks_) h.fn(h.arg, wv);
}

bool Tx::commit() {
  assert(active());
  if (mode_ == TxMode::kReadOnly) {
    record_commit(CommitPath::kReadOnly);
    end_attempt();
    return true;
  }
  const bool irrevocable = mode_ == TxMode::kIrrevocable;
  if (writes_.empty()) {
    // Every read was consistent with rv: the snapshot at rv is our
    // serialization point; nothing to validate.
    record_commit(commit_path());
    end_attempt();
    return true;
  }
  AbortCause why{};
  holds_write_locks_ = true;  // from here to end_attempt (commit checks read it)
  if (!lock_write_set(&why)) {
    abort_attempt(why);
    return false;
  }
  // seq_cst: pairs with the serial gate's flag store (serial_gate.h).
  const bool stamp = retry_policy().stamp_clock.load(std::memory_order_relaxed);
  const Version wv = stamp ? load_word(global_clock().now, std::memory_order_seq_cst, emulated_) + 1
                           : global_clock().now.fetch_add(1, std::memory_order_seq_cst) + 1;
  if (!irrevocable) {
    if (serial_gate().active(emulated_)) {
      unlock_write_set(writes_.size());
      abort_attempt(AbortCause::kIrrevocableWait);
      return false;
    }
    // TL2 shortcut: no writer committed since we began, so nothing we read
    // can have changed and no recorded miss can have been filled.
    const bool quiet = !stamp && wv == rv_ + 1 && retry_policy().commit_shortcut.load(std::memory_order_relaxed);
    if (!quiet) {
      bool ok = validate_reads();
      for (size_t i = 0; ok && i < checks_used_; ++i) ok = checks_[i].fn(checks_[i].owner, checks_[i].key, *this);
      if (!ok) {
        unlock_write_set(writes_.size());
        abort_attempt(AbortCause::kReadValidation);
        return false;
      }
    }
  }
  write_back_and_release(wv);
  run_commit_hooks(wv);
  record_commit(commit_path());
  end_attempt();
  return true;
}

}  // namespace tmkv::stm

namespace tmkv::stm {

bool Tx::readers_move_clock() {
  const RetryPolicy& p = retry_policy();
  return p.stamp_clock.load(std::memory_order_relaxed) || p.hardware_stamps.load(std::memory_order_relaxed);
}

void Tx::raise_clock_to(Version v) {
  Shared<Version>& clock = global_clock().now;
  Version now = clock.load(std::memory_order_seq_cst);
  while (now < v) {
    if (clock.compare_exchange_strong(now, v, std::memory_order_seq_cst)) return;
  }
}

size_t Tx::attempt_width() {
  if (mode_ == TxMode::kReadOnly) return ro_reads_ + absent_keys_;
  // Keys read and then written count once; a key read twice counts twice
  // (rare in practice, and deduplicating every read costs more).
  size_t width = writes_.size() + absent_keys_;
  for (const TWord* r : reads_) {
    if (!writes_.may_contain(r) || writes_.find(r) == nullptr) ++width;
  }
  return width;
}

void Tx::record_commit_extras(CommitPath p) {
  TxStats& s = ctx_->stats;
  if (run_sampled_) {
    const size_t width = attempt_width();
    s.width.observe_in(width_bucket(width), width);
    if (run_start_ticks_ != 0) {
      s.latency[static_cast<size_t>(p)].observe(kLatencyBoundsNs, ticks_to_ns(ticks() - run_start_ticks_));
    }
  }
  if (tallied_) {
    for (size_t i = 0; i < kTallySlots; ++i) {
      if (pending_tallies_[i] != 0) s.tallies[i].add(pending_tallies_[i]);
    }
    pending_tallies_ = {};
    tallied_ = false;
  }
}

CommitPath Tx::commit_path() const {
  if (mode_ != TxMode::kIrrevocable) return CommitPath::kSoftware;
  return holds_global_lock_ ? CommitPath::kGlobalLock : CommitPath::kIrrevocable;
}

// ---------------------------------------------------------------------------
// Hardware mode (protocol in docs/ARCHITECTURE.md, "Hybrid"). Everything
// between prepare_hardware() and the backend's commit runs inside the
// hardware transaction: its loads and stores are tracked by the hardware (or
// the emulation through Shared<>), and an abort discards them all.

void Tx::prepare_hardware(HardwareAbortFn abort_fn) {
  assert(mode_ == TxMode::kIdle);
  hw_abort_ = abort_fn;
  begin_attempt_telemetry();
  // Pin outside the hardware transaction: a pin made inside would stay
  // invisible to reclaimers until commit.
  epoch_pin(*ctx_);
  pinned_ = true;
  mode_ = TxMode::kHardware;
}

uint64_t Tx::read_hardware(const TWord& w) {
  // Subscribe to the version lock before using the value (early
  // subscription): a software committer that locks it later aborts us.
#ifndef TMKV_TEST_BREAK_HW_LOCK_CHECK  // defined only in tests/htm's broken build
  if (is_locked(w.lock.load(std::memory_order_acquire))) hw_abort_(kHwLockedLocation);
#endif
  // Logged only to count a sampled attempt's width (record_commit); the
  // hardware tracks the read itself. Thread-private memory, no conflicts.
  if (run_sampled_) reads_.push_back(&w);
  return w.value.load(std::memory_order_acquire);
}

void Tx::write_hardware(TWord& w, uint64_t value, const ValueOps* ops) {
  // Take ownership of `value` before any tracked access: under the
  // emulation any access may abort (by exception), and what the write set
  // holds is freed when the attempt is abandoned. (Real HTM rolls the
  // allocation back instead; the write set's growth rolls back with it.)
  WriteEntry* e = writes_.find(&w);
  const bool first = e == nullptr;
  if (first) {
    writes_.add(&w, value, ops);
    e = &writes_.entries().back();
  } else {
    // Our earlier new value was never visible to anyone: free it after the
    // attempt (this attempt may still hold a view of it).
    if (ops != nullptr && ops->destroy != nullptr && e->value != 0) garbage_.emplace_back(e->value, ops);
    e->value = value;
  }
  if (is_locked(w.lock.load(std::memory_order_acquire))) hw_abort_(kHwLockedLocation);
  // unlocked_word holds the replaced value in hardware mode.
  if (first) e->unlocked_word = w.value.load(std::memory_order_acquire);
  w.value.store(value, std::memory_order_release);
}

void Tx::stamp_hardware_writes() {
  // Read GV as late as possible, and never write it: a write would put the
  // clock's line into every hardware transaction's write set and serialize
  // them all. Stamping GV + 1 makes every software transaction whose rv
  // predates our commit (rv <= GV) treat our writes as newer than its
  // snapshot; software readers that meet GV + 1 move the clock up
  // (Tx::extend_for).
  hw_stamp_ = global_clock().now.load(std::memory_order_acquire) + 1;
  for (WriteEntry& e : writes_.entries()) e.word->lock.store(unlocked_word(hw_stamp_), std::memory_order_release);
}

void Tx::finish_hardware_commit() {
  assert(mode_ == TxMode::kHardware);
  for (WriteEntry& e : writes_.entries()) {
    if (e.ops == nullptr) continue;
    const uint64_t old = e.unlocked_word;
    if (e.ops->on_replace != nullptr) e.ops->on_replace(e.ops->ctx, e.word, old, e.value, hw_stamp_);
    if (e.ops->destroy != nullptr && old != 0) epoch_retire(*ctx_, reinterpret_cast<void*>(old), e.ops->destroy);
  }
  run_commit_hooks(hw_stamp_);
  record_commit(CommitPath::kHardware);
  end_attempt();
}

void Tx::abandon_hardware() {
  assert(mode_ == TxMode::kHardware);
  discard_buffered();
  end_attempt();
}

}  // namespace tmkv::stm
