#include "htm/hw_detect.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "htm/hw_rtm.h"
#include "htm/hw_tme.h"

namespace tmkv::htm {
namespace {

constexpr int kTrials = 16;

// Runs empty transactions; returns how many committed. REQUIRES: the
// backend's instructions exist on this CPU (checked by the caller).
int trial_commits(const detail::HardwareOps& ops, int attempts) {
  int committed = 0;
  for (int i = 0; i < attempts; ++i) {
    uint64_t status = 0;
    if (ops.begin(&status)) {
      ops.commit();
      ++committed;
    }
  }
  return committed;
}

std::string format(const char* fmt, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

#if defined(__x86_64__)
// GCC's libitm and glibc refuse these Intel family-6 models: their TSX is
// broken (errata HSD136/HSW136) unless fixed by microcode, which cannot be
// detected reliably.
bool broken_tsx_model(const detail::RtmCpuid& c) {
  if (!c.genuine_intel || c.family != 6) return false;
  return c.model == 0x3c || c.model == 0x45 || c.model == 0x46 || (c.model == 0x3f && c.stepping < 4);
}

HardwareSupport detect_rtm() {
  HardwareSupport hw;
  hw.backend = "rtm";
  const detail::RtmCpuid c = detail::read_rtm_cpuid();
  if (!c.rtm) {
    hw.reason =
        "CPUID.07H:EBX.RTM[bit 11] = 0: this CPU has no RTM (or Linux hides it: tsx=off, the default on "
        "TAA-affected CPUs)";
    return hw;
  }
  if (c.rtm_always_abort) {
    hw.reason = "CPUID.07H:EDX.RTM_ALWAYS_ABORT[bit 11] = 1: TSX disabled by microcode";
    return hw;
  }
  if (broken_tsx_model(c)) {
    hw.reason = format("Intel family 6 model 0x%x stepping %u has broken TSX (refused, as glibc and libitm do)",
                       c.model, c.stepping);
    return hw;
  }
  const int committed = trial_commits(*detail::rtm_ops(), kTrials);
  if (committed == 0) {
    hw.reason = format("RTM advertised but %d of %d trial transactions aborted", kTrials, kTrials);
    return hw;
  }
  hw.supported = true;
  hw.reason = format("RTM: CPUID bit set, %d of %d trial transactions committed", committed, kTrials);
  return hw;
}
#endif

#if defined(__aarch64__)
HardwareSupport detect_tme() {
  HardwareSupport hw;
  hw.backend = "tme";
  const int field = detail::read_tme_field();
  if (field < 0) {
    hw.reason = "cannot read ID registers (kernel lacks HWCAP_CPUID emulation)";
    return hw;
  }
  if (field == 0) {
    hw.reason = "FEAT_TME not implemented (ID_AA64ISAR0_EL1.TME = 0; Arm has withdrawn TME)";
    return hw;
  }
  const int committed = trial_commits(*detail::tme_ops(), kTrials);
  if (committed == 0) {
    hw.reason = format("TME advertised but %d of %d trial transactions failed", kTrials, kTrials);
    return hw;
  }
  hw.supported = true;
  hw.reason = format("TME: ID_AA64ISAR0_EL1.TME = %d, %d of %d trial transactions committed", field, committed,
                     kTrials);
  return hw;
}
#endif

HardwareSupport detect() {
  if (const char* v = std::getenv("TMKV_HTM"); v != nullptr && std::strcmp(v, "off") == 0) {
    HardwareSupport hw;
#if defined(__x86_64__)
    hw.backend = "rtm";
#elif defined(__aarch64__)
    hw.backend = "tme";
#endif
    hw.reason = "disabled by TMKV_HTM=off";
    return hw;
  }
#if defined(__x86_64__)
  return detect_rtm();
#elif defined(__aarch64__)
  return detect_tme();
#else
  HardwareSupport hw;
  hw.reason = "no hardware TM backend for this architecture";
  return hw;
#endif
}

}  // namespace

const HardwareSupport& detect_hardware_support() {
  static const HardwareSupport hw = detect();  // thread-safe, once
  return hw;
}

const detail::HardwareOps* hardware_ops_for(const HardwareSupport& hw) {
  if (!hw.supported) return nullptr;
#if defined(__x86_64__)
  return detail::rtm_ops();
#elif defined(__aarch64__)
  return detail::tme_ops();
#else
  return nullptr;
#endif
}

}  // namespace tmkv::htm
