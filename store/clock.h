// The wall clock that expiry is judged by, in Unix milliseconds.
//
// A command (or a whole EXEC block) judges every expiry against one instant,
// as Redis does: the server sets it with ScopedCommandTime, and every store
// operation on that thread reads it through now_ms(). Outside such a scope
// now_ms() reads the system clock. A retried transaction keeps the instant
// of its command: each attempt must see the same keys expired.
#pragma once

#include <chrono>
#include <cstdint>

namespace tmkv::store {

inline int64_t system_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace detail {
inline thread_local int64_t t_command_time_ms = 0;  // 0: none set (owner thread only)
}

inline int64_t now_ms() {
  const int64_t t = detail::t_command_time_ms;
  return t != 0 ? t : system_unix_ms();
}

class ScopedCommandTime {
 public:
  explicit ScopedCommandTime(int64_t t = system_unix_ms()) : saved_(detail::t_command_time_ms) {
    detail::t_command_time_ms = t;
  }
  ~ScopedCommandTime() { detail::t_command_time_ms = saved_; }
  ScopedCommandTime(const ScopedCommandTime&) = delete;
  ScopedCommandTime& operator=(const ScopedCommandTime&) = delete;

 private:
  int64_t saved_;
};

}  // namespace tmkv::store
