// Internal: the Arm TME backend (AArch64 only).
#pragma once

#include <cstdint>

#include "htm/hw_ops.h"

namespace tmkv::htm::detail {

#if defined(__aarch64__)
// ID_AA64ISAR0_EL1.TME (bits 27:24), or -1 if the kernel does not emulate
// ID register reads (no HWCAP_CPUID).
int read_tme_field();
// REQUIRES before any call through it: read_tme_field() > 0 (else an
// undefined-instruction trap).
const HardwareOps* tme_ops();
#endif

}  // namespace tmkv::htm::detail
