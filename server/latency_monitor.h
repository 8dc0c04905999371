// LatencyMonitor: Redis's latency monitor, the store behind LATENCY LATEST,
// HISTORY, RESET and DOCTOR. While `latency-monitor-threshold` is above 0
// ms, every event that lasts at least that long is sampled into the event's
// series: "command" and "fast-command" (a command, or one inside EXEC, and
// EXEC itself, by the command's fast flag, as Redis names them) and
// "expire-cycle" (one active expiry sweep of a worker), "eviction-cycle"
// (one round of evictions before a command, eviction.h) and "eviction-del"
// (one evicted key's delete).
//
// Each series keeps Redis's 160 samples, at most one per second (the
// largest latency of that second), and the all-time maximum.
//
// CONCURRENCY. Every worker records into the one monitor. The threshold is
// a relaxed atomic read on every command (a standalone number: a CONFIG SET
// reaching a worker a command late is fine); only a sample at or above it
// takes mu_, as does every LATENCY subcommand.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace tmkv::server {

class LatencyMonitor {
 public:
  static constexpr size_t kSamples = 160;  // Redis's LATENCY_TS_LEN

  struct Sample {
    int64_t unix_s = 0;  // 0: an unused slot
    uint64_t ms = 0;
  };
  struct Latest {
    std::string event;
    Sample last;
    uint64_t max_ms = 0;
    size_t samples = 0;
    uint64_t sum_ms = 0;  // over the samples kept
  };

  // 0 turns the monitor off (Redis's default).
  void set_threshold_ms(uint64_t ms) { threshold_ms_.store(ms, std::memory_order_relaxed); }
  uint64_t threshold_ms() const { return threshold_ms_.load(std::memory_order_relaxed); }
  bool enabled() const { return threshold_ms() != 0; }

  // Whether an event of `ms` is sampled: the monitor is on and ms reaches
  // the threshold (Redis's latencyAddSampleIfNeeded).
  bool is_spike(uint64_t ms) const {
    const uint64_t t = threshold_ms();
    return t != 0 && ms >= t;
  }
  // Records a spike (call only when is_spike(ms)).
  void add(std::string_view event, uint64_t ms, int64_t now_unix_s);
  void maybe_add(std::string_view event, uint64_t ms, int64_t now_unix_s) {
    if (is_spike(ms)) add(event, ms, now_unix_s);
  }

  // Every event's latest sample and maximum (LATENCY LATEST), by name.
  std::vector<Latest> latest() const;
  // The event's samples, oldest first; empty for an unknown event.
  std::vector<Sample> history(std::string_view event) const;
  // Forgets one event (returns 1 if it existed) or all (returns how many).
  size_t reset(std::string_view event);
  size_t reset_all();

 private:
  struct Series {
    size_t next = 0;  // the slot the next new second goes to
    uint64_t max_ms = 0;
    std::array<Sample, kSamples> samples{};
  };

  std::atomic<uint64_t> threshold_ms_{0};
  mutable std::mutex mu_;
  std::map<std::string, Series, std::less<>> events_;  // guarded by mu_
};

// Samples its own lifetime as one `event` (a static name) when it ends.
// Reads no clock while the monitor is off (the default).
class ScopedLatencyEvent {
 public:
  ScopedLatencyEvent(LatencyMonitor& m, const char* event) : m_(m), event_(event) {
    if (m_.enabled()) start_ = std::chrono::steady_clock::now();
  }
  ~ScopedLatencyEvent() {
    if (start_ == std::chrono::steady_clock::time_point{}) return;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_);
    const int64_t now_s =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    m_.maybe_add(event_, static_cast<uint64_t>(ms.count()), now_s);
  }
  ScopedLatencyEvent(const ScopedLatencyEvent&) = delete;
  ScopedLatencyEvent& operator=(const ScopedLatencyEvent&) = delete;

 private:
  LatencyMonitor& m_;
  const char* event_;
  std::chrono::steady_clock::time_point start_{};  // zero: not timing
};

}  // namespace tmkv::server
