// Mailbox: bytes that other threads address to one connection (MONITOR
// lines, pub/sub messages), waiting for that connection's own thread to
// move them into its output.
//
// A publisher on any worker appends under the mailbox's mutex and posts one
// wake-up to the owner's io_context; the owner takes everything at once.
// The owner also takes what is waiting before and after each command it
// runs, so a message published before a command started reaches the client
// before that command's reply (as in Redis, which writes it to the client's
// buffer at once).
//
// LIMITS. A reader that stops reading cannot grow the server. Each push
// states the limit that applies to what it brings (MONITOR's, or Redis's
// client-output-buffer-limit for pub/sub): past the hard limit, or above
// the soft limit for longer than its seconds, the mailbox stops taking
// bytes, drops what it holds and marks itself overflowed; the owner then
// closes the connection, as Redis closes a client over its output limit.
//
// CONCURRENCY. buf_, the wake flag, the overflow state and the soft-limit
// clock are guarded by mu_. resp3_ is written by the owner after each
// command (HELLO may change the protocol) and read by publishers to pick
// the message's encoding: relaxed, a standalone flag (a message that races
// with HELLO may go out in the old protocol, as it would have a moment
// earlier).
#pragma once

#include <asio.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace tmkv::server {

struct OutputLimit {
  uint64_t hard = 0;          // bytes; 0 = none
  uint64_t soft = 0;          // bytes; 0 = none
  uint64_t soft_seconds = 0;  // how long the soft limit may be exceeded
};

class Mailbox {
 public:
  // `wake` runs on `executor` (the owning connection's thread) after bytes
  // arrive or the mailbox overflows.
  Mailbox(asio::any_io_executor executor, std::function<void()> wake)
      : executor_(std::move(executor)), wake_(std::move(wake)) {}

  // Any thread. False if the bytes were refused (overflowed, now or before).
  bool push(std::string_view bytes, const OutputLimit& limit);
  // Owner thread: the waiting bytes (and re-arms the wake-up).
  std::string take();
  bool overflowed() const;

  void set_resp3(bool on) { resp3_.store(on, std::memory_order_relaxed); }
  bool resp3() const { return resp3_.load(std::memory_order_relaxed); }

 private:
  asio::any_io_executor executor_;
  std::function<void()> wake_;
  std::atomic<bool> resp3_{false};
  mutable std::mutex mu_;
  std::string buf_;              // guarded by mu_
  bool wake_posted_ = false;     // guarded by mu_
  bool overflowed_ = false;      // guarded by mu_
  int64_t over_soft_since_ = 0;  // guarded by mu_; steady ms when buf_ first passed the soft limit, 0 if under
};

}  // namespace tmkv::server
