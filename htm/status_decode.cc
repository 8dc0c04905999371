#include "htm/status_decode.h"

#include "htm/hw_ops.h"
#include "stm/tx.h"

#if defined(__x86_64__) && defined(__RTM__)
#include <immintrin.h>
static_assert(tmkv::htm::rtm_bits::kExplicit == _XABORT_EXPLICIT && tmkv::htm::rtm_bits::kRetry == _XABORT_RETRY &&
              tmkv::htm::rtm_bits::kConflict == _XABORT_CONFLICT && tmkv::htm::rtm_bits::kCapacity == _XABORT_CAPACITY &&
              tmkv::htm::rtm_bits::kDebug == _XABORT_DEBUG && tmkv::htm::rtm_bits::kNested == _XABORT_NESTED);
#endif
#if defined(__aarch64__) && defined(__ARM_FEATURE_TME)
#include <arm_acle.h>
static_assert(tmkv::htm::tme_bits::kRetry == _TMFAILURE_RTRY && tmkv::htm::tme_bits::kCancel == _TMFAILURE_CNCL &&
              tmkv::htm::tme_bits::kMemory == _TMFAILURE_MEM && tmkv::htm::tme_bits::kSize == _TMFAILURE_SIZE &&
              tmkv::htm::tme_bits::kNest == _TMFAILURE_NEST && tmkv::htm::tme_bits::kInterrupt == _TMFAILURE_INT);
#endif

namespace tmkv::htm {

HwAbort decode_explicit_code(uint8_t code) {
  switch (code) {
    case stm::kHwLockedLocation:
      return HwAbort::kLockedLocation;
    case stm::kHwNeedsSoftware:
      return HwAbort::kNeedsSoftware;
    case detail::kCodeSerialBusy:
      return HwAbort::kSerialBusy;
    case detail::kCodeUserAbort:
      return HwAbort::kUserAbort;
    default:
      return HwAbort::kUnknown;
  }
}

HwAbort decode_rtm_status(uint64_t status) {
  using namespace rtm_bits;
  if ((status & kExplicit) != 0) return decode_explicit_code(code_of(status));
  if ((status & kCapacity) != 0) return HwAbort::kCapacity;
  if ((status & kConflict) != 0) return HwAbort::kConflict;
  if ((status & kNested) != 0) return HwAbort::kNested;
  if ((status & kDebug) != 0) return HwAbort::kInterrupt;
  if ((status & kRetry) != 0) return HwAbort::kRetryHint;
  return HwAbort::kInterrupt;  // status 0
}

HwAbort decode_tme_status(uint64_t status) {
  using namespace tme_bits;
  if ((status & kCancel) != 0) return decode_explicit_code(static_cast<uint8_t>(status & kReason));
  if ((status & kSize) != 0) return HwAbort::kCapacity;
  if ((status & kMemory) != 0) return HwAbort::kConflict;
  if ((status & kNest) != 0) return HwAbort::kNested;
  if ((status & (kInterrupt | kDebug)) != 0) return HwAbort::kInterrupt;
  if ((status & kRetry) != 0) return HwAbort::kRetryHint;
  return HwAbort::kUnknown;  // kImpl, kError, kTrivial: nothing to act on
}

}  // namespace tmkv::htm
