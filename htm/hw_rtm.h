// Internal: the RTM backend (x86-64 only).
#pragma once

#include "htm/hw_ops.h"

namespace tmkv::htm::detail {

struct RtmCpuid {
  bool genuine_intel = false;
  bool rtm = false;               // CPUID.07H.0:EBX[11]
  bool rtm_always_abort = false;  // CPUID.07H.0:EDX[11]
  unsigned family = 0, model = 0, stepping = 0;
};

#if defined(__x86_64__)
RtmCpuid read_rtm_cpuid();
// REQUIRES before any call through it: read_rtm_cpuid() says RTM is present
// (else XBEGIN raises SIGILL).
const HardwareOps* rtm_ops();
#endif

}  // namespace tmkv::htm::detail
