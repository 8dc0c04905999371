// Internal: joins detection (detect.h) to the hybrid's function table.
// TEMPORARY STUB until the hardware backends land.
#pragma once

#include <string>

#include "htm/hw_ops.h"

namespace tmkv::htm {

struct HardwareSupport {
  bool supported = false;
  std::string backend = "none";
  std::string reason;
};

inline HardwareSupport detect_hardware_support() { return {false, "none", "detection pending"}; }
inline const detail::HardwareOps* hardware_ops_for(const HardwareSupport&) { return nullptr; }

}  // namespace tmkv::htm
