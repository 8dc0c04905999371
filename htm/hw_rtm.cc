// Intel RTM backend. Only the functions that execute RTM instructions carry
// target("rtm"), so the rest of the binary needs no -mrtm and runs on every
// x86-64 CPU; these run only after detection said yes (hw_detect.cc).
#include "htm/hw_rtm.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

#include "htm/status_decode.h"
#include "stm/tx.h"

namespace tmkv::htm::detail {
namespace {

__attribute__((target("rtm"))) bool rtm_begin(uint64_t* status) {
  const unsigned s = _xbegin();
  if (s == _XBEGIN_STARTED) return true;
  *status = s;  // an abort anywhere in the transaction resumes here
  return false;
}

__attribute__((target("rtm"))) void rtm_commit() { _xend(); }

// XABORT takes an immediate, hence one call per code.
__attribute__((target("rtm"))) void rtm_abort(uint8_t code) {
  switch (code) {
    case stm::kHwLockedLocation:
      _xabort(stm::kHwLockedLocation);
      break;
    case stm::kHwNeedsSoftware:
      _xabort(stm::kHwNeedsSoftware);
      break;
    case kCodeSerialBusy:
      _xabort(kCodeSerialBusy);
      break;
    case kCodeUserAbort:
      _xabort(kCodeUserAbort);
      break;
    default:
      _xabort(0xff);
      break;
  }
  __builtin_unreachable();  // XABORT inside a transaction never returns
}

HwAbort rtm_classify(uint64_t status) { return decode_rtm_status(status); }

__attribute__((target("rtm"))) bool rtm_in_transaction() { return _xtest() != 0; }

constexpr HardwareOps kRtmOps{false, &rtm_begin, &rtm_commit, &rtm_abort, &rtm_classify, &rtm_in_transaction};

}  // namespace

const HardwareOps* rtm_ops() { return &kRtmOps; }

RtmCpuid read_rtm_cpuid() {
  RtmCpuid c;
  unsigned a, b, cx, d;
  if (__get_cpuid_max(0, nullptr) < 7) return c;
  __cpuid(0, a, b, cx, d);
  c.genuine_intel = b == 0x756e6547 && d == 0x49656e69 && cx == 0x6c65746e;  // "GenuineIntel"
  __cpuid(1, a, b, cx, d);
  c.family = (a >> 8) & 0x0f;
  c.model = ((a >> 4) & 0x0f) | ((a >> 12) & 0xf0);
  c.stepping = a & 0x0f;
  __cpuid_count(7, 0, a, b, cx, d);
  c.rtm = (b & (1u << 11)) != 0;
  c.rtm_always_abort = (d & (1u << 11)) != 0;
  return c;
}

}  // namespace tmkv::htm::detail
#endif  // __x86_64__
