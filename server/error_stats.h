// Error replies counted by their first word, the "error code": Redis's
// INFO errorstats (errorstat_ERR:count=N) and total_error_replies, and the
// tmkv_error_replies_total{prefix} metric.
//
// tmkv replies with a fixed set of codes, so a fixed array of counters
// serves (no map, nothing allocated on the command path); a code outside
// the set counts as OTHER (only a script can make one: error_reply("MY x")
// is errorstat_MY in Redis, errorstat_OTHER here). One ErrorCounters per worker, written by
// its thread only (stm::Counter: relaxed load + store), summed by readers.
//
// What counts, as in Redis: every error reply a client receives, whether
// the command ran and failed, was rejected (unknown, arity, NOAUTH, OOM),
// failed inside EXEC (once, for the attempt that committed), or was a
// protocol error.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "stm/counter.h"

namespace tmkv::server {

inline constexpr std::array<std::string_view, 18> kErrorCodes = {
    "ERR",        "WRONGTYPE", "EXECABORT", "NOAUTH",     "WRONGPASS",  "NOPROTO", "OOM",       "DENIED",
    "BUSYKEY",    "NOSCRIPT",  "NOTBUSY",   "UNKILLABLE", "INVALIDOBJ", "NOGROUP", "BUSYGROUP", "UNBLOCKED",
    "MISCONF",
    "OTHER"};

// The index in kErrorCodes of an error line's code; `line` is the reply
// without its leading '-'.
inline size_t error_code_index(std::string_view line) {
  const std::string_view code = line.substr(0, line.find_first_of(" \r"));
  for (size_t i = 0; i + 1 < kErrorCodes.size(); ++i) {
    if (code == kErrorCodes[i]) return i;
  }
  return kErrorCodes.size() - 1;
}

struct ErrorCounters {
  std::array<stm::Counter, kErrorCodes.size()> by_code;
  void count(std::string_view line) { by_code[error_code_index(line)].add(); }
};

using ErrorTotals = std::array<uint64_t, kErrorCodes.size()>;

}  // namespace tmkv::server
