// Abort statuses of each backend, decoded into the hybrid's portable causes
// (hybrid_stats.h: HwAbort). Pure functions over integers, so both decoders
// compile and are unit-tested on every architecture; the bit values mirror
// the intrinsic headers (static_assert'ed where the header is available).
#pragma once

#include <cstdint>

#include "htm/hybrid_stats.h"

namespace tmkv::htm {

// Intel RTM (immintrin.h; Intel SDM vol. 1, "RTM abort status definition").
namespace rtm_bits {
inline constexpr uint32_t kStarted = ~0u;       // _XBEGIN_STARTED
inline constexpr uint32_t kExplicit = 1u << 0;  // _XABORT_EXPLICIT: XABORT executed
inline constexpr uint32_t kRetry = 1u << 1;     // _XABORT_RETRY: may succeed on retry
inline constexpr uint32_t kConflict = 1u << 2;  // _XABORT_CONFLICT
inline constexpr uint32_t kCapacity = 1u << 3;  // _XABORT_CAPACITY
inline constexpr uint32_t kDebug = 1u << 4;     // _XABORT_DEBUG: breakpoint hit
inline constexpr uint32_t kNested = 1u << 5;    // _XABORT_NESTED
constexpr uint8_t code_of(uint64_t status) { return static_cast<uint8_t>(status >> 24); }  // _XABORT_CODE
}  // namespace rtm_bits

// Arm TME (arm_acle.h, ACLE "Transactional Memory Extension").
namespace tme_bits {
inline constexpr uint64_t kReason = 0x7fff;      // _TMFAILURE_REASON: __tcancel's argument
inline constexpr uint64_t kRetry = 1u << 15;     // _TMFAILURE_RTRY
inline constexpr uint64_t kCancel = 1u << 16;    // _TMFAILURE_CNCL: __tcancel executed
inline constexpr uint64_t kMemory = 1u << 17;    // _TMFAILURE_MEM: conflict
inline constexpr uint64_t kImpl = 1u << 18;      // _TMFAILURE_IMP: implementation-defined
inline constexpr uint64_t kError = 1u << 19;     // _TMFAILURE_ERR: e.g. a fault
inline constexpr uint64_t kSize = 1u << 20;      // _TMFAILURE_SIZE: capacity
inline constexpr uint64_t kNest = 1u << 21;      // _TMFAILURE_NEST: nesting depth
inline constexpr uint64_t kDebug = 1u << 22;     // _TMFAILURE_DBG
inline constexpr uint64_t kInterrupt = 1u << 23; // _TMFAILURE_INT
inline constexpr uint64_t kTrivial = 1u << 24;   // _TMFAILURE_TRIVIAL
}  // namespace tme_bits

// An RTM status (also the emulation's, which uses RTM's layout). Explicit
// aborts map by their code (hw_ops.h); RTM status 0 means no cause bit:
// an interrupt, a fault or an instruction RTM does not allow.
HwAbort decode_rtm_status(uint64_t status);

// A TME failure status from __tstart.
HwAbort decode_tme_status(uint64_t status);

// Maps an explicit abort code (ours, hw_ops.h and stm/tx.h) to its cause.
HwAbort decode_explicit_code(uint8_t code);

}  // namespace tmkv::htm
