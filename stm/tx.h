// Tx: one thread's transaction descriptor, running the TL2 algorithm
// (Dice, Shalev, Shavit, DISC 2006) over TWords.
//
// ALGORITHM (software path)
//   begin     rv = clock. Pin the reclamation epoch lazily (pin()).
//   read(w)   from the redo log if written; else sample lock, value, lock:
//             unlocked, unchanged and version <= rv, else abort at once.
//             This is what makes the STM opaque: user code never sees a
//             value that is inconsistent with the others it has read.
//             Read-write transactions log w in the read set.
//   write(w)  buffer in the redo log (write_set.h).
//   commit    lock the write set (bounded spin, then abort), take wv (GV5:
//             clock + 1 without writing the clock; or classic ++clock),
//             check the serial gate, validate the read set (each entry
//             unlocked or ours, version <= rv; skipped under the classic
//             clock when wv == rv + 1), run the commit checks, write back,
//             release each lock with version wv.
//   version > rv at a read: move the clock up to it and extend rv if every
//             logged read is still current (TinySTM), else abort.
//   read-only transactions keep no read set and commit for free: every read
//             was already consistent with rv.
//   irrevocable (serial) attempts hold the serial gate (serial_gate.h): reads
//             wait for a committer's lock instead of aborting, and commit
//             cannot fail.
//
// Aborts found while user code runs unwind it with a private exception
// (detail::Restart); never catch (...) inside a transaction without
// rethrowing. Aborts found at commit just return false.
//
// THREADING: a Tx belongs to one thread (Tx::current()). Nothing in it is
// read by other threads except through its ThreadContext.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stm/abort_cause.h"
#include "stm/append_log.h"
#include "stm/tick_clock.h"
#include "stm/thread_context.h"
#include "stm/tx_stats.h"
#include "stm/tword.h"
#include "stm/write_set.h"

namespace tmkv::stm {

enum class TxKind : uint8_t {
  kReadWrite,  // logs reads; may write
  kReadOnly,   // logs nothing; a write restarts the attempt as kReadWrite
  // Holds the serial gate from the first attempt, so that attempt commits:
  // for a body with effects outside transactional memory (an EXEC block
  // with CLIENT PAUSE or CONFIG SET) that must happen only if it commits.
  // Serializes against every other writer; for rare transactions only.
  // (An irrevocable attempt can still restart on a dead location, the
  // store's reclaimed record: it then runs again, still irrevocable.)
  kIrrevocable,
};

enum class TxMode : uint8_t {
  kIdle,
  kReadWrite,
  kReadOnly,
  kIrrevocable,  // holds the serial gate (or the global lock): cannot abort
  kHardware,     // inside a hardware (or emulated hardware) transaction, htm/
};

// Explicit abort codes a hardware attempt may raise from inside stm/store
// code (htm/ adds its own above kFirstHtmCode).
enum HardwareAbortCode : uint8_t {
  kHwLockedLocation = 1,  // a version lock was held by a software committer
  kHwNeedsSoftware = 2,   // the operation cannot run in hardware (index insert)
  kFirstHtmCode = 16,
};

// How stm/ aborts the running hardware transaction; installed by htm/.
// Must not return.
using HardwareAbortFn = void (*)(uint8_t code);

namespace detail {
// Thrown to unwind user code after the attempt has been rolled back.
struct Restart {};
}  // namespace detail

// Thrown by Tx::cancel(value); caught by the outermost atomically().
template <class R>
struct Cancelled {
  R value;
};
template <>
struct Cancelled<void> {};

class Tx {
 public:
  // The calling thread's descriptor. Inline and guard-free on the hot path:
  // a constinit thread_local pointer, set on first use.
  static Tx& current() {
    Tx* t = t_current_;
    return t != nullptr ? *t : make_current();
  }

  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;

  // ---- Used by TVar and the store. --------------------------------------
  // The word's value in this transaction's snapshot; unwinds on conflict.
  uint64_t read_word(const TWord& w) {
    // Inline fast path, the hottest code in tmkv: a read-write transaction
    // reading a word it has not written, found unlocked and not newer than
    // rv. With the emulated HTM off (checked once per attempt) it uses plain
    // atomics and makes no call. Everything else: read_word_slow.
    if (mode_ == TxMode::kReadWrite && !emulated_ && !writes_.may_contain(&w)) [[likely]] {
      const uint64_t l1 = w.lock.raw().load(std::memory_order_acquire);
      const uint64_t v = w.value.raw().load(std::memory_order_acquire);  // see read_word_slow
      const uint64_t l2 = w.lock.raw().load(std::memory_order_relaxed);
      if (l1 == l2 && !is_locked(l1) && version_of(l1) <= rv_) [[likely]] {
        log_read(w, l1);
        return v;
      }
    }
    return read_word_slow(w);
  }
  // Buffers a write. `ops` describes boxed values (nullptr when inline);
  // every write to one word must pass the same ops.
  void write_word(TWord& w, uint64_t value, const ValueOps* ops) {
    // Inline fast path: first write of a word by a read-write transaction.
    if (mode_ == TxMode::kReadWrite && !writes_.may_contain(&w)) [[likely]] {
      // Read, then written (a read-modify-write: the usual case). The read
      // leaves the read set for the write entry, which keeps the lock word
      // it saw: commit checks it when it locks the word (unchanged means
      // not written since the read; versions only grow once read, since a
      // read moves the clock up to the version it sees). So commit neither
      // validates it again nor searches the write set to tell that the
      // locked word is its own.
      if (last_read_ == &w) [[likely]] {
        reads_.pop_back();
        last_read_ = nullptr;
        writes_.add(&w, value, ops, last_read_lock_);
        return;
      }
      writes_.add(&w, value, ops);
      return;
    }
    write_word_slow(w, value, ops);
  }
  // True if this transaction has buffered a write to `w`.
  bool writes(const TWord& w) { return writes_.find(&w) != nullptr; }
  // True while commit holds (or is taking) the write set's locks: a commit
  // check then finds its own written words locked by itself.
  bool holds_write_locks() const { return holds_write_locks_; }

  // Enters the reclamation epoch so that pointers read from now on stay
  // valid until the attempt ends. Cheap after the first call. If the clock
  // moved since begin, extends rv (validating reads so far) so that records
  // reaped before the pin are older than rv.
  void pin();

  // A check re-run during commit validation, for facts TL2 cannot see in a
  // lock word (the store uses it for "key was absent"). Returns true if the
  // fact still holds. `key` is copied.
  using CommitCheck = bool (*)(const void* owner, std::string_view key, Tx& tx);
  void add_commit_check(CommitCheck fn, const void* owner, std::string_view key);

  // Runs after a successful commit, with the commit's write version.
  using CommitHook = void (*)(void* arg, uint64_t write_version);
  void on_commit(CommitHook fn, void* arg);

  // Rolls back and makes the outermost atomically() return `result`
  // without retrying. REQUIRES: R is that atomically()'s result type.
  template <class R>
  [[noreturn]] void cancel(R result) {
    throw Cancelled<R>{std::move(result)};
  }
  [[noreturn]] void cancel() { throw Cancelled<void>{}; }

  // In hardware mode: aborts the hardware transaction with `code`. Else a
  // no-op. Store operations that cannot run in hardware call it first.
  void require_software() {
    if (mode_ == TxMode::kHardware) hw_abort_(kHwNeedsSoftware);
  }

  bool active() const { return mode_ != TxMode::kIdle; }
  TxMode mode() const { return mode_; }
  bool irrevocable() const { return mode_ == TxMode::kIrrevocable; }
  Version read_version() const { return rv_; }
  ThreadContext& context() { return *ctx_; }
  // True while commits may stamp versions above the clock (GV5 software
  // commits or hardware commits): readers then move the clock up.
  static bool readers_move_clock();
  // Moves the global clock up to at least v (never down).
  static void raise_clock_to(Version v);

  // Aborts so far in the current atomically() call.
  uint32_t attempt_aborts() const { return aborts_; }

  // ---- Telemetry (tx_stats.h). --------------------------------------------
  // Adds n to tally `slot`; the sum reaches TxStats::tallies only if this
  // attempt commits (an aborted attempt's tallies are dropped).
  void tally(size_t slot, uint32_t n = 1) {
    pending_tallies_[slot] += n;
    tallied_ = true;
  }
  // The store looked up a key that does not exist: it counts toward the
  // attempt's width although no word was read.
  void note_absent_key() { ++absent_keys_; }
  // Marks the start of a transaction run for telemetry (the first call of a
  // run wins: htm::atomically calls it before the hardware attempts, and
  // stm::atomically again when it takes over). One run in tx_sample_rate()
  // per thread is sampled: its width, and with latency tracking its
  // latency, are recorded at commit (tx_stats.h says why sampled).
  void start_run_telemetry() {
    if (run_started_) return;
    run_started_ = true;
    run_start_ticks_ = 0;
    run_sampled_ = false;
    if (++runs_since_sample_ < tx_sample_rate()) return;
    runs_since_sample_ = 0;
    run_sampled_ = true;
    if (latency_tracking()) run_start_ticks_ = ticks();
  }

  // ---- Used by atomically(). ---------------------------------------------
  void run_begin(TxKind kind);  // starts a new atomically() call
  void begin_attempt();
  bool commit();                // false: rolled back, retry
  void rollback(AbortCause c);  // user abort or exception: no retry
  void prepare_retry();         // backoff, maybe escalate
  void run_end();

  // ---- Used by htm/ (the hardware fast path). -----------------------------
  // Before the hardware begin: pins the epoch and enters hardware mode.
  void prepare_hardware(HardwareAbortFn abort_fn);
  // Inside the hardware transaction, last step before its commit: stamps
  // every written lock word with GV + 1 (read here, inside the transaction).
  void stamp_hardware_writes();
  // After the hardware commit: retires replaced values, runs observers.
  void finish_hardware_commit();
  // After a hardware abort: frees what the attempt allocated and still
  // remembers (the emulation keeps its memory; real HTM rolled it back).
  void abandon_hardware();
  // Uses the global lock instead of the serial gate for irrevocable attempts
  // and makes every attempt irrevocable (the global-lock baseline mode).
  void set_global_lock_mode(bool on) { global_lock_mode_ = on; }

 private:
  Tx();
  friend struct TxHolder;
  static Tx& make_current();
  static constinit thread_local Tx* t_current_;

  [[noreturn]] void restart(AbortCause c);
  // Logs a validated read of w that saw lock word `lock` (read-write mode).
  void log_read(const TWord& w, uint64_t lock) {
    reads_.push_back(&w);
    last_read_ = &w;
    last_read_lock_ = lock;
  }
  uint64_t read_word_slow(const TWord& w);
  void write_word_slow(TWord& w, uint64_t value, const ValueOps* ops);
  void abort_attempt(AbortCause c);
  uint64_t read_irrevocable(const TWord& w);
  bool lock_write_set(AbortCause* why);
  void unlock_write_set(size_t locked);
  bool validate_reads();
  bool validate_reads_unlocked();
  bool extend_for(Version seen);
  uint64_t read_hardware(const TWord& w);
  void write_hardware(TWord& w, uint64_t value, const ValueOps* ops);
  void write_back_and_release(Version wv);
  void run_commit_hooks(Version wv);
  CommitPath commit_path() const;
  // Counts a commit with its attempts (and, for a sampled run, its width
  // and latency; pending tallies too); ends the run's telemetry. Inline:
  // it runs on every commit. Call before end_attempt() (the width reads
  // the read and write sets).
  void record_commit(CommitPath p) {
    TxStats& s = ctx_->stats;
    s.count_commit(p);
    s.attempts.observe_in(attempt_bucket(run_attempts_), run_attempts_);
    if (run_sampled_ || tallied_) [[unlikely]] record_commit_extras(p);
    reset_run_telemetry();
  }
  void record_commit_extras(CommitPath p);
  size_t attempt_width();
  void reset_run_telemetry() {
    run_attempts_ = 0;
    run_started_ = false;
  }
  void begin_attempt_telemetry() {
    ++run_attempts_;
    absent_keys_ = 0;
    if (tallied_) {
      pending_tallies_ = {};
      tallied_ = false;
    }
  }
  void discard_buffered();
  void end_attempt();
  void backoff();

  struct PendingCheck {
    CommitCheck fn;
    const void* owner;
    std::string key;
  };
  struct PendingHook {
    CommitHook fn;
    void* arg;
  };

  ThreadContext* ctx_;
  TxMode mode_ = TxMode::kIdle;
  TxKind kind_ = TxKind::kReadWrite;  // of the current attempt
  bool pinned_ = false;
  bool emulated_ = false;  // Shared<> hooks installed (emulated HTM): set per attempt
  bool holds_serial_ = false;
  bool holds_write_locks_ = false;  // see holds_write_locks()
  bool holds_global_lock_ = false;
  bool global_lock_mode_ = false;
  HardwareAbortFn hw_abort_ = nullptr;
  Version hw_stamp_ = 0;
  uint32_t aborts_ = 0;
  AbortCause last_cause_{};
  uint32_t ro_reads_ = 0;  // reads in a read-only attempt (it keeps no read set)
  static constexpr size_t kInitialReads = 256;
  static constexpr size_t kMaxKeptReads = 1 << 16;  // a bigger read set is given back at the attempt's end
  Version rv_ = 0;
  AppendLog<const TWord*> reads_{kInitialReads};
  // The newest entry of reads_ and the lock word its read saw, or nullptr
  // once that entry moved to the write set or the attempt ended. Only
  // log_read() sets it, so last_read_ != nullptr means reads_.back() is it.
  const TWord* last_read_ = nullptr;
  uint64_t last_read_lock_ = 0;
  WriteSet writes_;
  std::vector<PendingCheck> checks_;
  size_t checks_used_ = 0;
  std::vector<PendingHook> hooks_;
  // Boxed values this attempt buffered and then overwrote: freed at the end
  // of the attempt (never published, but this attempt may still use them).
  std::vector<std::pair<uint64_t, const ValueOps*>> garbage_;

  // Telemetry of the current run (one atomically() call) and attempt: kept
  // after the protocol's state so the hot fields above stay where they were.
  uint32_t run_attempts_ = 0;     // attempts so far, hardware ones included
  bool run_started_ = false;
  uint64_t run_start_ticks_ = 0;  // 0: latency not tracked for this run
  bool run_sampled_ = false;      // record width (and latency) at commit
  uint32_t runs_since_sample_ = 0;  // sampling (start_run_telemetry)
  uint32_t absent_keys_ = 0;      // note_absent_key() calls this attempt
  bool tallied_ = false;          // some pending tally is non-zero
  std::array<uint32_t, kTallySlots> pending_tallies_{};
};

}  // namespace tmkv::stm
