// MONITOR: every command any client runs, streamed to the clients that
// asked, in Redis's line format:
//   +1700000000.123456 [0 127.0.0.1:50000] "SET" "key" "v\x00"
//
// MonitorFeed (one per server) holds the subscribed MonitorSinks; a command
// that ran on any worker formats its line once and publishes it to each.
// MonitorSink (one per monitoring connection) is that connection's mailbox:
// publishers append under its mutex and post one wake-up to the owner's
// io_context, whose thread moves the lines into the socket's output.
//
// CONCURRENCY. active() is one relaxed load per command: a standalone
// count, so a command that races with a new MONITOR may or may not be
// shown (a monitor sees the commands that start after it subscribed).
// mu_ guards the sink list; publish holds it while appending, so a sink
// that unsubscribe() returned from is never touched again. Each sink's
// buffer, wake flag and overflow flag are guarded by the sink's own mutex.
//
// LIMIT. A monitor that does not read cannot grow the server: past
// kBufferLimit bytes waiting, its sink stops taking lines and the
// connection is closed (Redis's monitors have no limit by default).
#pragma once

#include <asio.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tmkv::server {

class MonitorSink {
 public:
  static constexpr size_t kBufferLimit = 64u << 20;

  // `wake` runs on `executor` (the monitoring connection's thread) after
  // lines arrive or the buffer overflows.
  MonitorSink(asio::any_io_executor executor, std::function<void()> wake)
      : executor_(std::move(executor)), wake_(std::move(wake)) {}

  // Any thread.
  void push(std::string_view line);
  // Owner thread: the waiting lines (and re-arms the wake-up).
  std::string take();
  bool overflowed() const;

 private:
  asio::any_io_executor executor_;
  std::function<void()> wake_;
  mutable std::mutex mu_;
  std::string buf_;           // guarded by mu_
  bool wake_posted_ = false;  // guarded by mu_
  bool overflowed_ = false;   // guarded by mu_
};

class MonitorFeed {
 public:
  bool active() const { return count_.load(std::memory_order_relaxed) != 0; }
  void subscribe(std::shared_ptr<MonitorSink> sink);
  void unsubscribe(const MonitorSink* sink);
  void publish(std::string_view line);

 private:
  std::atomic<size_t> count_{0};  // sinks_.size(), for active()
  std::mutex mu_;
  std::vector<std::shared_ptr<MonitorSink>> sinks_;  // guarded by mu_
};

// One MONITOR line (with its CRLF): the time now, the db and client address,
// and the arguments quoted as Redis's sdscatrepr does, passwords redacted.
std::string monitor_line(unsigned db, std::string_view client_addr, std::span<const std::string_view> args);

}  // namespace tmkv::server
