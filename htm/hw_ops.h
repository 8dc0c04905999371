// Internal: the hardware the hybrid drives, as a table of functions so that
// real RTM/TME and the emulation share one retry loop (hybrid.cc).
#pragma once

#include <cstdint>

#include "htm/hybrid_stats.h"

namespace tmkv::htm::detail {

// Explicit abort codes raised by htm/ itself (stm/ uses codes below 16).
inline constexpr uint8_t kCodeSerialBusy = 16;
inline constexpr uint8_t kCodeUserAbort = 17;

struct HardwareOps {
  bool emulated;
  // Starts a transaction: true inside it; false with *status on abort
  // (for real HTM, an abort anywhere later also returns here with false).
  bool (*begin)(uint64_t* status);
  // Commits; the emulation throws EmulatedAbort if it cannot.
  void (*commit)();
  // Aborts with an explicit code. Never returns.
  void (*abort)(uint8_t code);
  // Maps a status to the hybrid's cause.
  HwAbort (*classify)(uint64_t status);
  // Whether the calling thread is inside a transaction (XTEST, TTEST).
  bool (*in_transaction)();
};

// Set by configure_tm while no transaction runs.
extern const HardwareOps* g_hardware_ops;

// The abort function handed to stm::Tx for hardware mode.
void abort_hardware(uint8_t code);

}  // namespace tmkv::htm::detail
