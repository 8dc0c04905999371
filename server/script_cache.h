// The server's scripts (EVAL, EVALSHA, SCRIPT LOAD): bodies by SHA-1, shared
// by every I/O thread, and the scripts running now, for SCRIPT KILL.
//
// Each thread compiles a body into its own Lua state the first time it
// runs it (script_engine.h); SCRIPT FLUSH drops the bodies and bumps the
// generation, and each thread drops its compiled functions when it sees the
// new generation.
#pragma once

#include <atomic>
#include <chrono>
#include <vector>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tmkv::server {

// One running script. Its thread sets `wrote` before a write command and
// then checks `kill`; SCRIPT KILL sets `kill` and then checks `wrote`,
// taking the kill back if it finds one. All four accesses are seq_cst, so
// in their single order at least one side sees the other's store: a
// killed script never writes (it may be killed while SCRIPT KILL answers
// UNKILLABLE, the harmless overlap). The script's thread also polls
// `kill` from a Lua hook every 100,000 instructions.
struct RunningScript {
  std::atomic<bool> wrote{false};  // it ran a write command (SCRIPT KILL refuses then, as Redis)
  std::atomic<bool> kill{false};
  // What FUNCTION STATS shows. Written by the script's thread only while
  // the script is not registered (before started(), after finished()), and
  // read by other threads only under ScriptCache::mu_ while it is: both
  // calls take mu_, so the writes happen before those reads.
  bool function = false;  // an FCALL (else EVAL*): FUNCTION KILL vs SCRIPT KILL
  std::string name;
  std::vector<std::string> command;
  std::chrono::steady_clock::time_point start;
};

class ScriptCache {
 public:
  // Stores `body` under `sha` (its SHA-1).
  void add(const std::string& sha, std::string_view body);
  std::optional<std::string> body(const std::string& sha) const;
  bool exists(const std::string& sha) const;
  void flush();
  // Bumped by flush(); threads compare it with the one they compiled under.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  size_t count() const;
  size_t bytes() const;  // bodies and names

  // SCRIPT KILL's view of running scripts.
  void started(RunningScript* s);
  void finished(RunningScript* s);
  enum class KillResult { kKilled, kNotBusy, kUnkillable };
  // SCRIPT KILL stops EVAL scripts, FUNCTION KILL functions (`functions`).
  KillResult kill(bool functions = false);
  // The reply to SCRIPT KILL / FUNCTION KILL for `r`: Redis's error text,
  // or nullptr for +OK.
  static const char* kill_error(KillResult r);
  // FUNCTION STATS's running_script: a function running now, if any.
  struct RunningFunction {
    std::string name;
    std::vector<std::string> command;
    int64_t duration_ms;
  };
  std::optional<RunningFunction> running_function() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::string> scripts_;  // guarded by mu_
  size_t bytes_ = 0;                                      // guarded by mu_
  std::set<RunningScript*> running_;                      // guarded by mu_
  // Release by flush() after clearing, acquire by readers: a thread that
  // sees the new generation drops its compiled copies.
  std::atomic<uint64_t> generation_{0};
};

}  // namespace tmkv::server
