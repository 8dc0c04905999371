// atomically(fn): runs fn(tx) as one transaction, re-running it on conflict
// until it commits, and returns what fn returned.
//
//   - Nesting flattens: an atomically() inside another just calls fn with the
//     enclosing transaction, so withdraw() and deposit() are atomic alone and
//     transfer() calling both is atomic as a whole. No caller manages a lock.
//   - tx.cancel(result) rolls everything back and makes the outermost
//     atomically() return `result` without retrying. `result` must have the
//     outermost fn's return type (or tx.cancel() with no argument for void);
//     anything else propagates as an exception.
//   - Any other exception from fn rolls back and propagates.
//   - Progress: randomized exponential backoff after each abort; after
//     retry_policy().max_aborts_before_irrevocable aborts the next attempt is
//     irrevocable and commits. No transaction retries without bound.
#pragma once

#include <type_traits>
#include <utility>

#include "stm/tx.h"

namespace tmkv::stm {

namespace detail {

// The outermost call: begin, attempts, retries. Out of line so that a nested
// atomically() (the common case inside composed operations) inlines to the
// active() test and fn itself, without this function's register saves.
template <class Fn>
[[gnu::noinline]] auto run_outermost(Tx& tx, Fn& fn, TxKind kind) -> std::invoke_result_t<Fn&, Tx&> {
  using R = std::invoke_result_t<Fn&, Tx&>;
  struct RunGuard {
    Tx& tx;
    ~RunGuard() { tx.run_end(); }
  };
  tx.run_begin(kind);
  RunGuard guard{tx};
  for (;;) {
    tx.begin_attempt();
    try {
      if constexpr (std::is_void_v<R>) {
        fn(tx);
        if (tx.commit()) return;
      } else {
        R result = fn(tx);
        if (tx.commit()) return result;
      }
    } catch (const Restart&) {
      // Already rolled back; fall through to retry.
    } catch (Cancelled<R>& c) {
      tx.rollback(AbortCause::kUserAbort);
      if constexpr (std::is_void_v<R>) {
        return;
      } else {
        return std::move(c.value);
      }
    } catch (...) {
      tx.rollback(AbortCause::kException);
      throw;
    }
    tx.prepare_retry();
  }
}

}  // namespace detail

template <class Fn>
auto atomically(Fn&& fn, TxKind kind = TxKind::kReadWrite) -> std::invoke_result_t<Fn&, Tx&> {
  static_assert(!std::is_reference_v<std::invoke_result_t<Fn&, Tx&>>,
                "a transaction must not return a reference into transactional memory");
  Tx& tx = Tx::current();
  if (tx.active()) return fn(tx);  // flattened nesting
  return detail::run_outermost(tx, fn, kind);
}

// A read-only transaction: keeps no read set and commits without validation.
// A write inside it restarts it once as a read-write transaction.
template <class Fn>
auto atomically_read_only(Fn&& fn) {
  return atomically(std::forward<Fn>(fn), TxKind::kReadOnly);
}

}  // namespace tmkv::stm
