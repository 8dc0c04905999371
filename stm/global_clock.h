// The two words every transaction shares.
//
// g_clock (TL2's GV): advanced with fetch_add by each committing writer to
//   obtain its write version; loaded by every transaction at begin for its
//   read version. seq_cst on the increment and on the serial check below is
//   what the irrevocable protocol relies on (see serial_gate.h).
// Each word has its own cache line so that the clock's ping-pong between
// committers does not also evict the read-mostly serial flag.
#pragma once

#include <atomic>
#include <cstdint>

#include "stm/tword.h"

namespace tmkv::stm {

struct alignas(64) GlobalClock {
  Shared<Version> now;
};

extern GlobalClock g_global_clock;
inline GlobalClock& global_clock() { return g_global_clock; }

}  // namespace tmkv::stm
