#include "server/latency_monitor.h"

namespace tmkv::server {

void LatencyMonitor::add(std::string_view event, uint64_t ms, int64_t now_unix_s) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = events_.find(event);
  if (it == events_.end()) it = events_.emplace(std::string(event), Series{}).first;
  Series& s = it->second;
  if (ms > s.max_ms) s.max_ms = ms;
  // One sample per second: a second's later events only raise its sample.
  Sample& prev = s.samples[(s.next + kSamples - 1) % kSamples];
  if (prev.unix_s == now_unix_s) {
    if (ms > prev.ms) prev.ms = ms;
    return;
  }
  s.samples[s.next] = Sample{now_unix_s, ms};
  s.next = (s.next + 1) % kSamples;
}

std::vector<LatencyMonitor::Latest> LatencyMonitor::latest() const {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<Latest> out;
  for (const auto& [name, s] : events_) {
    Latest l{name, s.samples[(s.next + kSamples - 1) % kSamples], s.max_ms, 0, 0};
    for (const Sample& x : s.samples) {
      if (x.unix_s == 0) continue;
      ++l.samples;
      l.sum_ms += x.ms;
    }
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<LatencyMonitor::Sample> LatencyMonitor::history(std::string_view event) const {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<Sample> out;
  auto it = events_.find(event);
  if (it == events_.end()) return out;
  const Series& s = it->second;
  for (size_t j = 0; j < kSamples; ++j) {
    const Sample& x = s.samples[(s.next + j) % kSamples];
    if (x.unix_s != 0) out.push_back(x);
  }
  return out;
}

size_t LatencyMonitor::reset(std::string_view event) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = events_.find(event);
  if (it == events_.end()) return 0;
  events_.erase(it);
  return 1;
}

size_t LatencyMonitor::reset_all() {
  std::lock_guard<std::mutex> g(mu_);
  const size_t n = events_.size();
  events_.clear();
  return n;
}

}  // namespace tmkv::server
