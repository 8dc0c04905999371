// MONITOR: every command any client runs, streamed to the clients that
// asked, in Redis's line format:
//   +1700000000.123456 [0 127.0.0.1:50000] "SET" "key" "v\x00"
//
// MonitorFeed (one per server) holds the monitoring connections' mailboxes
// (mailbox.h); a command that ran on any worker formats its line once and
// pushes it to each.
//
// CONCURRENCY. active() is one relaxed load per command: a standalone
// count, so a command that races with a new MONITOR may or may not be
// shown (a monitor sees the commands that start after it subscribed).
// mu_ guards the mailbox list; publish holds it while pushing, so a mailbox
// that unsubscribe() returned from gets no more lines.
//
// LIMIT. A monitor that does not read cannot grow the server: past
// monitor-output-buffer-limit bytes waiting (64 MiB by default), its
// mailbox overflows and the connection is closed (Redis's monitors have no
// limit by default).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/mailbox.h"

namespace tmkv::server {

class MonitorFeed {
 public:
  bool active() const { return count_.load(std::memory_order_relaxed) != 0; }
  void subscribe(std::shared_ptr<Mailbox> sink);
  void unsubscribe(const Mailbox* sink);
  // Pushes `line` to every monitor; one with more than `limit` bytes
  // waiting is disconnected.
  void publish(std::string_view line, uint64_t limit);

 private:
  std::atomic<size_t> count_{0};  // sinks_.size(), for active()
  std::mutex mu_;
  std::vector<std::shared_ptr<Mailbox>> sinks_;  // guarded by mu_
};

// One MONITOR line (with its CRLF): the time now, the db and client address,
// and the arguments quoted as Redis's sdscatrepr does, passwords redacted.
std::string monitor_line(unsigned db, std::string_view client_addr, std::span<const std::string_view> args);

}  // namespace tmkv::server
