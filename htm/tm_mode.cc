#include "htm/tm_mode.h"

#include <mutex>

#include "htm/emulated_htm.h"
#include "htm/hw_ops.h"
#include "htm/hw_detect.h"
#include "htm/status_decode.h"
#include "stm/retry_policy.h"
#include "stm/shared_word.h"

namespace tmkv::htm {

namespace detail {
constinit std::atomic<TmPath> g_path{TmPath::kSoftware};
}  // namespace detail

namespace {

std::mutex g_info_mu;
TmInfo g_info;  // guarded by g_info_mu

bool emulated_begin(uint64_t* status) {
  uint32_t s = emu::begin();
  if (s == emu::kStarted) return true;
  *status = s;
  return false;
}
void emulated_abort(uint8_t code) { emu::abort(code); }

constexpr detail::HardwareOps kEmulatedOps{true, &emulated_begin, &emu::commit, &emulated_abort,
                                           &decode_rtm_status, &emu::in_transaction};

}  // namespace

std::optional<TmMode> parse_tm_mode(std::string_view name) {
  if (name == "auto") return TmMode::kAuto;
  if (name == "htm") return TmMode::kHtm;
  if (name == "stm") return TmMode::kStm;
  if (name == "global-lock") return TmMode::kGlobalLock;
  if (name == "emulated-htm") return TmMode::kEmulatedHtm;
  return std::nullopt;
}

std::string_view tm_mode_name(TmMode mode) {
  switch (mode) {
    case TmMode::kAuto:
      return "auto";
    case TmMode::kHtm:
      return "htm";
    case TmMode::kStm:
      return "stm";
    case TmMode::kGlobalLock:
      return "global-lock";
    case TmMode::kEmulatedHtm:
      return "emulated-htm";
  }
  return "?";
}

std::string_view tm_path_name(TmPath path) {
  switch (path) {
    case TmPath::kSoftware:
      return "stm";
    case TmPath::kGlobalLock:
      return "global_lock";
    case TmPath::kHardware:
      return "htm";
    case TmPath::kEmulatedHardware:
      return "emulated_htm";
  }
  return "?";
}

bool configure_tm(TmMode mode, const EmulationConfig& emulation, std::string* error) {
  const HardwareSupport& hw = detect_hardware_support();
  TmInfo info;
  info.mode = mode;
  info.htm_supported = hw.supported;
  info.htm_backend = hw.backend;
  switch (mode) {
    case TmMode::kAuto:
      info.path = hw.supported ? TmPath::kHardware : TmPath::kSoftware;
      info.reason = hw.supported ? "auto: hardware TM available (" + hw.reason + ")"
                                 : "auto: no hardware TM, using stm (" + hw.reason + ")";
      break;
    case TmMode::kHtm:
      if (!hw.supported) {
        if (error != nullptr) *error = "htm mode: hardware TM unsupported on this CPU: " + hw.reason;
        return false;
      }
      info.path = TmPath::kHardware;
      info.reason = "htm requested: " + hw.reason;
      break;
    case TmMode::kStm:
      info.path = TmPath::kSoftware;
      info.reason = "stm requested";
      break;
    case TmMode::kGlobalLock:
      info.path = TmPath::kGlobalLock;
      info.reason = "global-lock requested (baseline: one mutex)";
      break;
    case TmMode::kEmulatedHtm:
#if TMKV_HTM_EMULATION
      info.path = TmPath::kEmulatedHardware;
      info.reason = "emulated-htm requested (software model of HTM, for tests)";
      break;
#else
      if (error != nullptr) *error = "emulated-htm: built with TMKV_HTM_EMULATION=OFF";
      return false;
#endif
  }
  const bool hardware = info.path == TmPath::kHardware || info.path == TmPath::kEmulatedHardware;
  if (info.path == TmPath::kEmulatedHardware) {
    emu::enable(emulation);
    detail::g_hardware_ops = &kEmulatedOps;
  } else {
    if (emu::enabled()) emu::disable();
    detail::g_hardware_ops = hardware ? hardware_ops_for(hw) : nullptr;
  }
  // Hardware commits stamp versions without advancing the clock: software
  // transactions must not take TL2's commit shortcut, and must move the
  // clock up when they meet a hardware stamp (docs/ARCHITECTURE.md).
  stm::retry_policy().commit_shortcut.store(!hardware, std::memory_order_relaxed);
  stm::retry_policy().hardware_stamps.store(hardware, std::memory_order_relaxed);
  detail::g_path.store(info.path, std::memory_order_seq_cst);
  std::lock_guard<std::mutex> lock(g_info_mu);
  g_info = std::move(info);
  return true;
}

TmInfo tm_info() {
  std::lock_guard<std::mutex> lock(g_info_mu);
  return g_info;
}

}  // namespace tmkv::htm
