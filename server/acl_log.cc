#include "server/acl_log.h"

#include <algorithm>
#include <utility>

namespace tmkv::server {

void AclLog::add(AclLogEntry entry, size_t max_len) {
  std::lock_guard<std::mutex> g(mu_);
  auto same = std::find_if(entries_.begin(), entries_.end(), [&](const AclLogEntry& e) {
    return e.reason == entry.reason && e.context == entry.context && e.object == entry.object &&
           e.username == entry.username && entry.updated_ms - e.updated_ms < kGroupingMs;
  });
  if (same != entries_.end()) {
    entry.count = same->count + 1;
    entries_.erase(same);
  }
  entries_.push_front(std::move(entry));
  while (entries_.size() > max_len) entries_.pop_back();
}

std::vector<AclLogEntry> AclLog::newest(size_t n) const {
  std::lock_guard<std::mutex> g(mu_);
  const size_t k = std::min(n, entries_.size());
  return std::vector<AclLogEntry>(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(k));
}

void AclLog::reset() {
  std::lock_guard<std::mutex> g(mu_);
  entries_.clear();
}

}  // namespace tmkv::server
