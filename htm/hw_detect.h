// Run-time detection of hardware TM, and the function tables that drive it.
//
// x86-64 (RTM): CPUID.07H.0:EBX bit 11 (RTM) must be set and EDX bit 11
//   (RTM_ALWAYS_ABORT: TSX disabled by microcode) clear; Intel family-6
//   models with broken TSX are refused as glibc and GCC's libitm refuse them
//   (Haswell 0x3c, 0x45, 0x46; Haswell-EX 0x3f before stepping 4); then a few
//   trial transactions must commit. Linux hides RTM unless booted with
//   tsx=on (or tsx=auto on unaffected CPUs), which shows as a clear CPUID
//   bit. XBEGIN is never executed unless all of that passed: on AMD, and on
//   Intel CPUs without RTM, it raises SIGILL.
// AArch64 (TME): mainline Linux has no HWCAP2_TME, so read the TME field
//   (bits 27:24) of ID_AA64ISAR0_EL1, which the kernel emulates for user
//   space when HWCAP_CPUID is set, then confirm with a trial __tstart.
//   Arm has withdrawn FEAT_TME; no shipping core implements it.
// Elsewhere: unsupported.
//
// TMKV_HTM=off forces "unsupported" (for tests and for operators who want
// the software path); nothing can force "supported".
#pragma once

#include <string>

#include "htm/hw_ops.h"

namespace tmkv::htm {

struct HardwareSupport {
  bool supported = false;
  std::string backend = "none";  // "rtm", "tme" or "none"
  std::string reason;            // why, in words fit for a log line and INFO
};

// Detects once per process (thread-safe) and returns the cached result.
const HardwareSupport& detect_hardware_support();

// The function table for a supported backend; nullptr otherwise.
const detail::HardwareOps* hardware_ops_for(const HardwareSupport& hw);

}  // namespace tmkv::htm
