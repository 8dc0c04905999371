#include "server/monitor.h"

#include <sys/time.h>

#include <algorithm>
#include <cstdio>

#include "server/redact.h"

namespace tmkv::server {
namespace {

// Redis's sdscatrepr: a double-quoted string with \\ \" \n \r \t \a \b
// escaped and every other non-printable byte as \xHH.
void append_repr(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out.push_back(ch);
        } else {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        }
    }
  }
  out.push_back('"');
}

}  // namespace

std::string monitor_line(unsigned db, std::string_view client_addr, std::span<const std::string_view> args) {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  char head[64];
  std::snprintf(head, sizeof head, "+%ld.%06ld [%u ", static_cast<long>(tv.tv_sec), static_cast<long>(tv.tv_usec),
                db);
  std::string line = head;
  line.append(client_addr);
  line += "] ";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i != 0) line.push_back(' ');
    append_repr(line, is_secret_argument(args, i) ? std::string_view("(redacted)") : args[i]);
  }
  line += "\r\n";
  return line;
}

void MonitorFeed::subscribe(std::shared_ptr<Mailbox> sink) {
  std::lock_guard<std::mutex> g(mu_);
  sinks_.push_back(std::move(sink));
  count_.store(sinks_.size(), std::memory_order_relaxed);
}

void MonitorFeed::unsubscribe(const Mailbox* sink) {
  std::lock_guard<std::mutex> g(mu_);
  sinks_.erase(std::remove_if(sinks_.begin(), sinks_.end(), [&](const auto& s) { return s.get() == sink; }),
               sinks_.end());
  count_.store(sinks_.size(), std::memory_order_relaxed);
}

void MonitorFeed::publish(std::string_view line, uint64_t limit) {
  std::lock_guard<std::mutex> g(mu_);
  for (const auto& s : sinks_) s->push(line, OutputLimit{limit, 0, 0});
}

}  // namespace tmkv::server
