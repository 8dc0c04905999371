// Which transactional path the process runs, chosen at run time:
//   auto          hardware TM where the CPU has it, else stm
//   htm           hardware TM; refuses to configure where unsupported
//   stm           TL2 software TM only
//   global-lock   every transaction under one mutex (a benchmark baseline)
//   emulated-htm  the hybrid over the emulated HTM (tests; never a default)
// The active path and the reason for it are logged by the binaries and
// shown in INFO and metrics (tm_info()).
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <string_view>

#include "htm/emulated_htm.h"

namespace tmkv::htm {

enum class TmMode : uint8_t { kAuto, kHtm, kStm, kGlobalLock, kEmulatedHtm };

std::optional<TmMode> parse_tm_mode(std::string_view name);
std::string_view tm_mode_name(TmMode mode);

// What actually runs transactions.
enum class TmPath : uint8_t { kSoftware, kGlobalLock, kHardware, kEmulatedHardware };
std::string_view tm_path_name(TmPath path);  // "stm", "global_lock", "htm", "emulated_htm"

struct TmInfo {
  TmMode mode = TmMode::kStm;
  TmPath path = TmPath::kSoftware;
  bool htm_supported = false;  // what detection found on this CPU
  std::string htm_backend;     // "rtm", "tme" or "none"
  std::string reason;          // why this path (detection's words)
};

// Selects the mode. Returns false with *error set (and changes nothing) if
// the mode cannot run here: `htm` without hardware support.
// REQUIRES: no transaction is running on any thread.
bool configure_tm(TmMode mode, const EmulationConfig& emulation, std::string* error);

// The current configuration (a copy; safe from any thread between
// configure_tm calls).
TmInfo tm_info();

namespace detail {
// The path atomically() dispatches on. Written only by configure_tm while
// no transaction runs; relaxed loads suffice (thread start orders them).
extern std::atomic<TmPath> g_path;
}  // namespace detail

}  // namespace tmkv::htm
