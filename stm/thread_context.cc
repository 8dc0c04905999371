#include "stm/thread_context.h"

#include <cassert>

#include "stm/epoch.h"

namespace tmkv::stm {
namespace {

std::atomic<ThreadContext*> g_contexts{nullptr};

ThreadContext* claim_context() {
  // Reuse a context left by an exited thread before creating a new one, so
  // the list stays as long as the peak number of threads.
  for (ThreadContext* c = first_thread_context(); c != nullptr; c = c->next) {
    bool expected = false;
    if (!c->in_use.load(std::memory_order_relaxed) &&
        c->in_use.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
      return c;
    }
  }
  auto* c = new ThreadContext;
  c->in_use.store(true, std::memory_order_relaxed);
  ThreadContext* head = g_contexts.load(std::memory_order_relaxed);
  do {
    c->next = head;
    // Release: a walker that acquires the new head sees `next` and the
    // constructed atomics.
  } while (!g_contexts.compare_exchange_weak(head, c, std::memory_order_release,
                                             std::memory_order_relaxed));
  return c;
}

struct ContextHolder {
  ThreadContext* ctx = claim_context();
  ~ContextHolder() {
    assert(ctx->pin_depth == 0 && "thread exited inside a transaction");
    // Free what the grace period already allows; the rest stays in the
    // context's limbo for its next owner (or the exit-time drain) to free.
    epoch_reclaim(*ctx);
    ctx->in_use.store(false, std::memory_order_release);
  }
};

}  // namespace

ThreadContext& this_thread_context() {
  thread_local ContextHolder holder;
  return *holder.ctx;
}

ThreadContext* first_thread_context() { return g_contexts.load(std::memory_order_acquire); }

}  // namespace tmkv::stm
