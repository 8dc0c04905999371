// The hybrid's per-thread counters, kept in the stm::TxStats extension
// slots (single writer, summed on read; see stm/tx_stats.h). Commits on the
// hardware path are stm::CommitPath::kHardware.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "stm/tx_stats.h"

namespace tmkv::htm {

// Why a hardware attempt aborted (metrics label `cause`, path="htm").
enum class HwAbort : unsigned {
  kConflict = 0,
  kCapacity,
  kRetryHint,       // no cause bit, but the hardware says a retry may succeed
  kInterrupt,       // status 0 (interrupt, fault, unfriendly instruction) or debug
  kNested,
  kLockedLocation,  // explicit: a software committer held a version lock
  kSerialBusy,      // explicit: an irrevocable transaction held the gate
  kNeedsSoftware,   // explicit: the operation cannot run in hardware
  kUserAbort,       // explicit: cancel or an exception inside the transaction
  kUnknown,
  kCount
};
inline constexpr std::array<std::string_view, static_cast<size_t>(HwAbort::kCount)> kHwAbortNames = {
    "conflict",    "capacity",      "retry_hint",     "interrupt",  "nested",
    "locked_location", "serial_busy", "needs_software", "user_abort", "unknown"};

// Why a transaction left the hardware path for software (label `reason`).
enum class Fallback : unsigned {
  kCapacity = 0,      // at once: it will not fit
  kRetriesExhausted,  // conflicts / interrupts past the attempt budget
  kNeedsSoftware,
  kUserAbort,
  kNested,
  kAdaptiveSkip,      // this call site kept failing; skipped hardware
  kCount
};
inline constexpr std::array<std::string_view, static_cast<size_t>(Fallback::kCount)> kFallbackNames = {
    "capacity", "retries_exhausted", "needs_software", "user_abort", "nested", "adaptive_skip"};

// Slot layout inside stm::TxStats::extension.
inline constexpr size_t kSlotHwStarted = 0;
inline constexpr size_t kSlotHwAbortBase = 1;
inline constexpr size_t kSlotFallbackBase = kSlotHwAbortBase + static_cast<size_t>(HwAbort::kCount);
inline constexpr size_t kSlotGateWaits = kSlotFallbackBase + static_cast<size_t>(Fallback::kCount);
static_assert(kSlotGateWaits < stm::kExtensionCounters, "grow stm::kExtensionCounters");

inline void count_hw_abort(stm::TxStats& s, HwAbort a) {
  s.extension[kSlotHwAbortBase + static_cast<size_t>(a)].add();
}
inline void count_fallback(stm::TxStats& s, Fallback f) {
  s.extension[kSlotFallbackBase + static_cast<size_t>(f)].add();
}

// Read side, from a summed snapshot.
inline uint64_t hw_started(const stm::TxStatsSnapshot& s) { return s.extension[kSlotHwStarted]; }
inline uint64_t hw_aborts(const stm::TxStatsSnapshot& s, HwAbort a) {
  return s.extension[kSlotHwAbortBase + static_cast<size_t>(a)];
}
inline uint64_t fallbacks(const stm::TxStatsSnapshot& s, Fallback f) {
  return s.extension[kSlotFallbackBase + static_cast<size_t>(f)];
}
inline uint64_t gate_waits(const stm::TxStatsSnapshot& s) { return s.extension[kSlotGateWaits]; }

}  // namespace tmkv::htm
