#include "server/slowlog.h"

#include <algorithm>
#include <ctime>

#include "server/redact.h"

namespace tmkv::server {

std::vector<std::string> slowlog_args(std::span<const std::string_view> args) {
  std::vector<std::string> out;
  const size_t shown = std::min(args.size(), SlowLog::kMaxArgs);
  for (size_t i = 0; i < shown; ++i) {
    if (shown != args.size() && i == shown - 1) {
      out.push_back("... (" + std::to_string(args.size() - shown + 1) + " more arguments)");
      break;
    }
    if (is_secret_argument(args, i)) {
      out.emplace_back("(redacted)");
    } else if (args[i].size() > SlowLog::kMaxArgBytes) {
      out.push_back(std::string(args[i].substr(0, SlowLog::kMaxArgBytes)) + "... (" +
                    std::to_string(args[i].size() - SlowLog::kMaxArgBytes) + " more bytes)");
    } else {
      out.emplace_back(args[i]);
    }
  }
  return out;
}

void SlowLog::record(uint64_t duration_us, std::span<const std::string_view> args, std::string_view client_addr,
                     std::string_view client_name) {
  // Built outside the lock: only the push and trim are serialized.
  SlowLogEntry e;
  e.unix_s = static_cast<int64_t>(std::time(nullptr));
  e.duration_us = duration_us;
  e.args = slowlog_args(args);
  e.client_addr = client_addr;
  e.client_name = client_name;
  std::lock_guard<std::mutex> g(mu_);
  if (max_len_ == 0) return;
  e.id = next_id_++;
  entries_.push_front(std::move(e));
  while (entries_.size() > max_len_) entries_.pop_back();
}

void SlowLog::set_max_len(size_t n) {
  std::lock_guard<std::mutex> g(mu_);
  max_len_ = n;
  while (entries_.size() > max_len_) entries_.pop_back();
}

std::vector<SlowLogEntry> SlowLog::newest(int64_t count) const {
  std::lock_guard<std::mutex> g(mu_);
  const size_t n = count < 0 ? entries_.size() : std::min(entries_.size(), static_cast<size_t>(count));
  return std::vector<SlowLogEntry>(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(n));
}

size_t SlowLog::size() const {
  std::lock_guard<std::mutex> g(mu_);
  return entries_.size();
}

void SlowLog::reset() {
  std::lock_guard<std::mutex> g(mu_);
  entries_.clear();
}

}  // namespace tmkv::server
