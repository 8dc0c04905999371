// Arm TME backend. Built with +tme for this file only (htm/CMakeLists.txt);
// runs only after detection said yes. No shipping core implements FEAT_TME
// (Arm withdrew it), so this path has only ever been compiled, never run.
#include "htm/hw_tme.h"

#if defined(__aarch64__)
#include <arm_acle.h>
#include <sys/auxv.h>

#include "htm/status_decode.h"
#include "stm/tx.h"

#ifndef HWCAP_CPUID
#define HWCAP_CPUID (1 << 11)  // asm/hwcap.h: the kernel emulates ID register reads
#endif

namespace tmkv::htm::detail {
namespace {

bool tme_begin(uint64_t* status) {
  const uint64_t s = __tstart();
  if (s == 0) return true;
  *status = s;  // a failure anywhere in the transaction resumes here
  return false;
}

void tme_commit() { __tcommit(); }

// TCANCEL takes an immediate, hence one call per code. Bit 15 of the
// immediate would ask for a retry; ours never do.
void tme_abort(uint8_t code) {
  switch (code) {
    case stm::kHwLockedLocation:
      __tcancel(stm::kHwLockedLocation);
      break;
    case stm::kHwNeedsSoftware:
      __tcancel(stm::kHwNeedsSoftware);
      break;
    case kCodeSerialBusy:
      __tcancel(kCodeSerialBusy);
      break;
    case kCodeUserAbort:
      __tcancel(kCodeUserAbort);
      break;
    default:
      __tcancel(0xff);
      break;
  }
  __builtin_unreachable();
}

HwAbort tme_classify(uint64_t status) { return decode_tme_status(status); }

bool tme_in_transaction() { return __ttest() != 0; }  // the nesting depth

constexpr HardwareOps kTmeOps{false, &tme_begin, &tme_commit, &tme_abort, &tme_classify, &tme_in_transaction};

}  // namespace

const HardwareOps* tme_ops() { return &kTmeOps; }

int read_tme_field() {
  if ((getauxval(AT_HWCAP) & HWCAP_CPUID) == 0) return -1;
  uint64_t isar0;
  asm volatile("mrs %0, ID_AA64ISAR0_EL1" : "=r"(isar0));
  return static_cast<int>((isar0 >> 24) & 0xf);
}

}  // namespace tmkv::htm::detail
#endif  // __aarch64__
