// The hybrid fast path: run a transaction as a hardware transaction (RTM,
// TME, or the emulation), and fall back to the TL2 software path when the
// hardware says no. Both paths run at the same time over the same records
// and version locks; docs/ARCHITECTURE.md ("Hybrid") argues why the mix is
// serializable.
//
// RETRY POLICY (HybridPolicy)
//   - conflict, retry hint, interrupt: a few hardware attempts with
//     randomized backoff;
//   - a version lock found held (a software committer is writing): short
//     backoff, retry in hardware;
//   - the serial gate held: wait until it is free, then retry in hardware —
//     not falling back with everyone else avoids the lemming effect;
//   - capacity, nested, needs-software, user abort: software at once;
//   - a call site whose transactions keep falling back skips hardware for
//     a doubling number of its next transactions, and probes again after.
// Every abort and every fallback is counted per thread (hybrid_stats.h).
#pragma once

#include <atomic>
#include <cstdint>

#include "htm/hybrid_stats.h"
#include "stm/tx.h"

namespace tmkv::htm {

struct HybridPolicy {
  std::atomic<uint32_t> max_hw_attempts{4};    // per transaction, before software
  std::atomic<uint32_t> max_gate_waits{16};    // serial-gate waits per transaction
  std::atomic<uint32_t> backoff_base{16};      // pause instructions, doubles per attempt
  std::atomic<uint32_t> max_skip{1024};        // cap of the adaptive skip window
};
HybridPolicy& hybrid_policy();

namespace detail {

// One per call site (lambda type) per thread: the adaptive skip window.
struct SiteState {
  uint32_t skip_remaining = 0;
  uint32_t skip_window = 0;
};

// What the retry policy does after a hardware abort.
struct RetryDecision {
  enum Action : uint8_t { kRetryHardware, kWaitGateThenRetry, kFallback } action;
  Fallback fallback;  // when action == kFallback
};
// The policy as a pure function (unit-tested per cause). Counts the attempt
// in *attempts or *gate_waits.
RetryDecision decide_after_abort(HwAbort cause, uint32_t* attempts, uint32_t* gate_waits,
                                 const HybridPolicy& policy);

// Runs body(ctx, tx) as a hardware transaction under the retry policy.
// Returns true if it committed in hardware; false if the caller must run it
// in software (the reason is counted). REQUIRES: hardware path configured,
// no transaction active on this thread.
bool run_hardware(stm::Tx& tx, void (*body)(void* ctx, stm::Tx& tx), void* ctx, SiteState& site);

}  // namespace detail
}  // namespace tmkv::htm
