// Why a transaction attempt did not commit. Every abort is counted per thread
// under exactly one cause (see tx_stats.h); the metrics layer exports them
// with a bounded `cause` label, so add a name to kAbortCauseNames with any
// new enumerator.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace tmkv::stm {

enum class AbortCause : unsigned {
  // A read found a version newer than the read version, or commit-time
  // validation found a read location changed (or a recorded miss filled).
  kReadValidation = 0,
  // A location was locked by another committer: at a read, or when commit
  // could not take a write lock within its bounded spin.
  kLockBusy,
  // An irrevocable (serial) transaction held the system when this one tried
  // to commit; it rolled back and waited for the serial one to finish.
  kIrrevocableWait,
  // The user called Tx::cancel(): rolled back, not retried.
  kUserAbort,
  // User code threw: rolled back, exception propagated, not retried.
  kException,
  // A read-only transaction tried to write; restarted in read-write mode.
  kReadOnlyUpgrade,
  // A location was reaped by the store while we held it; retry from the index.
  kDeadLocation,
  kCount
};

inline constexpr size_t kAbortCauseCount = static_cast<size_t>(AbortCause::kCount);

inline constexpr std::array<std::string_view, kAbortCauseCount> kAbortCauseNames = {
    "read_validation", "lock_busy", "irrevocable_wait", "user_abort",
    "exception",       "readonly_upgrade", "dead_location"};

constexpr std::string_view abort_cause_name(AbortCause c) {
  return kAbortCauseNames[static_cast<size_t>(c)];
}

}  // namespace tmkv::stm
