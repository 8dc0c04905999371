#include "stm/epoch.h"

#include <atomic>
#include <cassert>

namespace tmkv::stm {
namespace {

// Starts at 2 so that 0 can mean "not pinned" and tag + 2 never wraps.
alignas(64) std::atomic<uint64_t> g_epoch{2};

// Retire this many objects before trying to advance the epoch: amortizes the
// scan of every thread context over many retirements.
constexpr size_t kReclaimBatch = 128;

bool try_advance(uint64_t observed) {
  for (ThreadContext* c = first_thread_context(); c != nullptr; c = c->next) {
    uint64_t e = c->pinned_epoch.load(std::memory_order_seq_cst);
    if (e != 0 && e != observed) return false;  // someone still in an older epoch
  }
  uint64_t expected = observed;
  return g_epoch.compare_exchange_strong(expected, observed + 1, std::memory_order_seq_cst);
}

struct ExitDrain {
  ~ExitDrain() { epoch_drain_all_for_testing(); }
} g_exit_drain;

}  // namespace

void epoch_pin(ThreadContext& ctx) {
  if (ctx.pin_depth++ != 0) return;
  // seq_cst store: ordered before every later load of a protected pointer in
  // the single total order the advancer's scan participates in.
  ctx.pinned_epoch.store(g_epoch.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
}

void epoch_unpin(ThreadContext& ctx) {
  assert(ctx.pin_depth > 0);
  if (--ctx.pin_depth != 0) return;
  // Release: every load of protected memory made while pinned happens before
  // an advancer that reads 0 here and then frees.
  ctx.pinned_epoch.store(0, std::memory_order_release);
}

void epoch_retire(ThreadContext& ctx, void* ptr, void (*deleter)(void*)) {
  // No reclaiming here: retire runs inside commits, under version locks.
  ctx.limbo.push_back(Retired{ptr, deleter, g_epoch.load(std::memory_order_seq_cst)});
}

void epoch_poll(ThreadContext& ctx) {
  if (ctx.limbo.size() < ctx.next_reclaim) return;
  epoch_reclaim(ctx);
  ctx.next_reclaim = ctx.limbo.size() + kReclaimBatch;
}

void epoch_reclaim(ThreadContext& ctx) {
  uint64_t now = g_epoch.load(std::memory_order_seq_cst);
  if (try_advance(now)) ++now;
  // Objects tagged `now - 2` or older have had two advances since they were
  // unlinked: every thread pinned at unlink time has unpinned since.
  size_t kept = 0;
  for (size_t i = 0; i < ctx.limbo.size(); ++i) {
    Retired& r = ctx.limbo[i];
    if (r.epoch + 2 <= now) {
      r.deleter(r.ptr);
    } else {
      ctx.limbo[kept++] = r;
    }
  }
  ctx.limbo.resize(kept);
  // A mass delete (FLUSHALL, a burst of evictions) can grow the list to
  // millions of entries; give that memory back once they are freed, keeping
  // the room a normal batch needs.
  if (ctx.limbo.capacity() > 4096 && kept < ctx.limbo.capacity() / 4) ctx.limbo.shrink_to_fit();
}

void epoch_drain_all_for_testing() {
  for (ThreadContext* c = first_thread_context(); c != nullptr; c = c->next) {
    assert(c->pinned_epoch.load(std::memory_order_relaxed) == 0);
    for (Retired& r : c->limbo) r.deleter(r.ptr);
    c->limbo.clear();
  }
}

uint64_t epoch_current() { return g_epoch.load(std::memory_order_seq_cst); }

}  // namespace tmkv::stm
