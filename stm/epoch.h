// Epoch-based reclamation (Fraser, "Practical lock-freedom", 2004).
//
// A thread *pins* before it loads a pointer to memory that writers may
// replace (a boxed TVar value, a store record, an index bucket array) and
// unpins when it holds no such pointer any more; transactions pin for their
// whole attempt. Writers *retire* what they unlink; it is freed only after
// the global epoch has advanced twice since, which cannot happen while any
// thread that could still hold it stays pinned. Readers never block or write
// shared lines other than their own announcement.
//
// Memory orders: pin's announcement store and the advancer's scan loads are
// seq_cst, and so is the epoch load that tags a retired object. That is the
// standard argument: if the advancer's scan misses a pin, the pinned thread's
// later loads come after the unlink in the single total order and cannot
// return the unlinked pointer.
#pragma once

#include <cstdint>

#include "stm/thread_context.h"

namespace tmkv::stm {

// REQUIRES: called by the owner of `ctx`. Re-entrant (counts depth).
void epoch_pin(ThreadContext& ctx);
void epoch_unpin(ThreadContext& ctx);

// Schedules `deleter(ptr)` for after a grace period.
// REQUIRES: `ptr` is no longer reachable from shared structures.
void epoch_retire(ThreadContext& ctx, void* ptr, void (*deleter)(void*));

template <class T>
void epoch_retire_delete(ThreadContext& ctx, T* p) {
  epoch_retire(ctx, p, [](void* q) { delete static_cast<T*>(q); });
}

// Tries to advance the epoch and frees what the caller's limbo allows.
void epoch_reclaim(ThreadContext& ctx);

// Reclaims once enough has been retired since the last time (amortizes the
// scan of every thread context). Transactions call it when an attempt ends,
// unpinned and holding no lock.
void epoch_poll(ThreadContext& ctx);

// Frees every retired object of every context. For tests and process exit.
// REQUIRES: no thread is pinned.
void epoch_drain_all_for_testing();

uint64_t epoch_current();

}  // namespace tmkv::stm
