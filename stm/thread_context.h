// Per-thread state shared with other threads: the epoch announcement, the
// transaction counters, and a free flag so exited threads' slots are reused.
//
// Contexts live in a global push-only list and are never freed while the
// process runs (an exited thread's slot is marked free and claimed by the
// next new thread), so other threads may walk the list at any time without
// reclamation worries. Counters survive thread exit for the same reason.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "stm/tx_stats.h"

namespace tmkv::stm {

// An object unlinked from shared structures, waiting for a grace period.
struct Retired {
  void* ptr;
  void (*deleter)(void*);
  uint64_t epoch;  // global epoch read after the object was unlinked
};

struct ThreadContext {
  // Written by the owner (seq_cst store on pin, release store on unpin);
  // read by epoch advancers with seq_cst. 0 means "not pinned".
  alignas(64) std::atomic<uint64_t> pinned_epoch{0};

  // Written by the owner only (see tx_stats.h for the single-writer scheme).
  TxStats stats;

  // Set by the claiming thread (CAS false->true), cleared by it at exit with
  // release so the next claimer (acquire CAS) sees the owner-only state below
  // in the state the previous owner left it.
  std::atomic<bool> in_use{false};

  // Immutable once the context is published in the list.
  ThreadContext* next = nullptr;

  // ---- Owner-only state (touched only by the thread that claimed it). ----
  uint32_t pin_depth = 0;
  std::vector<Retired> limbo;
  size_t next_reclaim = 128;  // limbo size at which epoch_poll reclaims
  uint64_t rng_state = 0;
};

// The calling thread's context, claimed on first use and released at exit.
ThreadContext& this_thread_context();

// Head of the list of every context ever created (acquire load; contexts are
// published with a release CAS, so their constant fields are visible).
ThreadContext* first_thread_context();

}  // namespace tmkv::stm
