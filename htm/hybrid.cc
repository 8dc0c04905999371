#include "htm/hybrid.h"

#include <algorithm>

#include "htm/emulated_htm.h"
#include "htm/hw_ops.h"
#include "stm/cpu_relax.h"
#include "stm/serial_gate.h"
#include "stm/xorshift.h"

namespace tmkv::htm {

HybridPolicy& hybrid_policy() {
  static HybridPolicy policy;
  return policy;
}

namespace detail {

const HardwareOps* g_hardware_ops = nullptr;

void abort_hardware(uint8_t code) {
  g_hardware_ops->abort(code);
  __builtin_unreachable();
}

namespace {

Fallback fallback_for(HwAbort cause) {
  switch (cause) {
    case HwAbort::kCapacity:
      return Fallback::kCapacity;
    case HwAbort::kNested:
      return Fallback::kNested;
    case HwAbort::kNeedsSoftware:
      return Fallback::kNeedsSoftware;
    case HwAbort::kUserAbort:
      return Fallback::kUserAbort;
    default:
      return Fallback::kRetriesExhausted;
  }
}

// Transient causes: the same transaction may well commit if retried.
bool transient(HwAbort cause) {
  switch (cause) {
    case HwAbort::kConflict:
    case HwAbort::kRetryHint:
    case HwAbort::kInterrupt:
    case HwAbort::kLockedLocation:
    case HwAbort::kUnknown:
      return true;
    default:
      return false;
  }
}

void backoff(stm::ThreadContext& ctx, uint32_t attempt) {
  uint64_t limit = uint64_t{hybrid_policy().backoff_base.load(std::memory_order_relaxed)} << std::min(attempt, 10u);
  if (limit == 0) return;
  for (uint64_t i = stm::xorshift64(ctx.rng_state) % limit; i > 0; --i) stm::cpu_relax();
}

}  // namespace

RetryDecision decide_after_abort(HwAbort cause, uint32_t* attempts, uint32_t* gate_waits,
                                 const HybridPolicy& policy) {
  if (cause == HwAbort::kSerialBusy) {
    // An irrevocable transaction holds the gate: wait it out and retry in
    // hardware, rather than joining everyone else in software.
    if (++*gate_waits <= policy.max_gate_waits.load(std::memory_order_relaxed)) {
      return {RetryDecision::kWaitGateThenRetry, Fallback::kCount};
    }
    return {RetryDecision::kFallback, Fallback::kRetriesExhausted};
  }
  if (transient(cause)) {
    if (++*attempts < policy.max_hw_attempts.load(std::memory_order_relaxed)) {
      return {RetryDecision::kRetryHardware, Fallback::kCount};
    }
    return {RetryDecision::kFallback, Fallback::kRetriesExhausted};
  }
  return {RetryDecision::kFallback, fallback_for(cause)};
}

bool run_hardware(stm::Tx& tx, void (*body)(void* ctx, stm::Tx& tx), void* ctx, SiteState& site) {
  stm::TxStats& stats = tx.context().stats;
  if (site.skip_remaining > 0) {
    --site.skip_remaining;
    count_fallback(stats, Fallback::kAdaptiveSkip);
    return false;
  }
  const HardwareOps& ops = *g_hardware_ops;
  HybridPolicy& policy = hybrid_policy();
  stm::SerialGate& gate = stm::serial_gate();
  uint32_t attempts = 0;
  uint32_t gate_waits = 0;
  for (;;) {
    // Do not start while an irrevocable transaction runs: we would only
    // abort. Waiting here, instead of falling back, is what keeps threads
    // from piling into the software path together (the lemming effect).
    if (gate.active_relaxed_hint()) {
      stats.extension[kSlotGateWaits].add();
      gate.wait_until_inactive();
    }
    tx.prepare_hardware(&abort_hardware);
    stats.extension[kSlotHwStarted].add();
    uint64_t status = 0;
    if (ops.begin(&status)) {
      try {
        // Subscribe to the serial gate first: an irrevocable transaction
        // that starts later aborts us through this line.
        if (gate.active()) abort_hardware(kCodeSerialBusy);
        body(ctx, tx);
        tx.stamp_hardware_writes();
        ops.commit();
        tx.finish_hardware_commit();
        site.skip_window = 0;
        return true;
      } catch (const emu::EmulatedAbort& a) {
        status = a.status;
      } catch (...) {
        // tx.cancel() or a user exception inside the hardware transaction:
        // abort it and let the software path run the transaction, where the
        // cancel or exception takes its documented effect. Real HTM rewinds
        // to begin() here; the emulation discards and we continue.
        if (!ops.emulated) abort_hardware(kCodeUserAbort);
        emu::discard();
        status = emu::explicit_status(kCodeUserAbort);
      }
    }
    tx.abandon_hardware();
    const HwAbort cause = ops.classify(status);
    count_hw_abort(stats, cause);
    const RetryDecision d = decide_after_abort(cause, &attempts, &gate_waits, policy);
    if (d.action == RetryDecision::kRetryHardware) {
      backoff(tx.context(), attempts);
      continue;
    }
    if (d.action == RetryDecision::kWaitGateThenRetry) continue;  // waits at the top of the loop
    count_fallback(stats, d.fallback);
    if (d.fallback != Fallback::kUserAbort) {
      // This call site keeps failing in hardware: skip it for a window that
      // doubles with each failure, so a shape that never fits stops paying
      // for doomed attempts, yet is probed again now and then.
      const uint32_t cap = policy.max_skip.load(std::memory_order_relaxed);
      site.skip_window = std::min(cap, site.skip_window == 0 ? 1u : site.skip_window * 2);
      site.skip_remaining = site.skip_window;
    }
    return false;
  }
}

}  // namespace detail
}  // namespace tmkv::htm
