// SlowLog: Redis's SLOWLOG, the last `slowlog-max-len` commands that took
// longer than `slowlog-log-slower-than` microseconds to execute (the
// command and its transaction, retries included; not the time spent
// reading the request or writing the reply).
//
// Entries are what Redis records: a unique id, the Unix time, the duration,
// the arguments (at most 32, the last one then saying how many more; each
// at most 128 bytes, then how many more bytes), the client's address and
// name. Passwords (AUTH, HELLO ... AUTH, CONFIG SET requirepass) are
// recorded as "(redacted)".
//
// CONCURRENCY. Every worker thread records into the one log. The threshold
// is a relaxed atomic read on every command: a standalone number, a CONFIG
// SET reaching a worker a command late is fine. Only a command that is slow
// takes mu_, so the fast path stays lock-free; SLOWLOG GET/LEN/RESET and
// the length limit take it too.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tmkv::server {

struct SlowLogEntry {
  uint64_t id = 0;
  int64_t unix_s = 0;
  uint64_t duration_us = 0;
  std::vector<std::string> args;
  std::string client_addr, client_name;
};

class SlowLog {
 public:
  static constexpr size_t kMaxArgs = 32;         // Redis's SLOWLOG_ENTRY_MAX_ARGC
  static constexpr size_t kMaxArgBytes = 128;    // Redis's SLOWLOG_ENTRY_MAX_STRING

  // < 0: off; 0: every command.
  void set_threshold_us(int64_t us) { threshold_us_.store(us, std::memory_order_relaxed); }
  int64_t threshold_us() const { return threshold_us_.load(std::memory_order_relaxed); }
  // Trims at once if the log is longer.
  void set_max_len(size_t n);

  bool enabled() const { return threshold_us() >= 0; }
  // Whether a command that took duration_us belongs in the log (a relaxed
  // load): the caller gathers the client's name only then.
  bool is_slow(uint64_t duration_us) const {
    const int64_t t = threshold_us();
    return t >= 0 && duration_us >= static_cast<uint64_t>(t);
  }
  void record(uint64_t duration_us, std::span<const std::string_view> args, std::string_view client_addr,
              std::string_view client_name);

  // The newest `count` entries, newest first (count < 0: all).
  std::vector<SlowLogEntry> newest(int64_t count) const;
  size_t size() const;
  void reset();

 private:
  std::atomic<int64_t> threshold_us_{10000};
  mutable std::mutex mu_;
  std::deque<SlowLogEntry> entries_;  // guarded by mu_; newest at the front
  size_t max_len_ = 128;              // guarded by mu_
  uint64_t next_id_ = 0;              // guarded by mu_
};

// The arguments as the log shows them: truncated as Redis does, and
// passwords redacted. Exposed for the unit test.
std::vector<std::string> slowlog_args(std::span<const std::string_view> args);

}  // namespace tmkv::server
