#include "store/access_clock.h"

#include <atomic>

#include "stm/xorshift.h"

namespace tmkv::store {

std::atomic<AccessMode> detail::g_access_mode{AccessMode::kLru};

namespace {

// Standalone settings (see the header): relaxed.
std::atomic<uint32_t> g_lfu_log_factor{10};
std::atomic<uint32_t> g_lfu_decay_minutes{1};

// LFU bits: the decay time in the high 16 of the 24, the counter in the low 8.
constexpr uint32_t lfu_bits(uint32_t minutes, uint32_t counter) { return ((minutes & 0xffff) << 8) | counter; }
constexpr uint32_t lfu_minutes_of(uint32_t bits) { return (bits >> 8) & 0xffff; }
constexpr uint32_t lfu_counter_of(uint32_t bits) { return bits & 0xff; }

uint32_t minutes_clock(int64_t now_ms) { return static_cast<uint32_t>(static_cast<uint64_t>(now_ms) / 60000) & 0xffff; }

// Owner-thread only: the LFU coin's state.
thread_local uint64_t t_coin = 0x9E3779B97F4A7C15ull;

// A uniform draw in [0, 1) from a per-thread xorshift: the LFU increment is
// a coin toss, and a shared random source would be a contended word.
double coin() { return static_cast<double>(stm::xorshift64(t_coin) >> 11) * 0x1.0p-53; }

uint32_t lfu_decayed(uint32_t bits, int64_t now_ms) {
  const uint32_t decay = g_lfu_decay_minutes.load(std::memory_order_relaxed);
  const uint32_t counter = lfu_counter_of(bits);
  if (decay == 0) return counter;
  // Minutes wrap at 2^16 (45 days), as Redis's do.
  const uint32_t elapsed = (minutes_clock(now_ms) - lfu_minutes_of(bits)) & 0xffff;
  const uint32_t periods = elapsed / decay;
  return periods >= counter ? 0 : counter - periods;
}

}  // namespace

void set_access_mode(AccessMode mode) { detail::g_access_mode.store(mode, std::memory_order_relaxed); }

void set_lfu_parameters(uint32_t log_factor, uint32_t decay_minutes) {
  g_lfu_log_factor.store(log_factor, std::memory_order_relaxed);
  g_lfu_decay_minutes.store(decay_minutes, std::memory_order_relaxed);
}

uint32_t detail::lfu_initial_access(int64_t now_ms) { return lfu_bits(minutes_clock(now_ms), kLfuInitialCounter); }

uint32_t detail::lfu_touched_access(uint32_t current, int64_t now_ms) {
  uint32_t counter = lfu_decayed(current, now_ms);
  if (counter < 255) {
    const uint32_t base = counter > kLfuInitialCounter ? counter - kLfuInitialCounter : 0;
    const double p = 1.0 / (static_cast<double>(base) * g_lfu_log_factor.load(std::memory_order_relaxed) + 1.0);
    if (coin() < p) ++counter;
  }
  return lfu_bits(minutes_clock(now_ms), counter);
}

uint32_t lru_bits_idle_for(uint64_t idle_seconds, int64_t now_ms) {
  // The clock keeps 24 bits: an idle time past its wrap reads as the
  // longest it can tell.
  const uint64_t idle = idle_seconds < kAccessMask ? idle_seconds : kAccessMask;
  return static_cast<uint32_t>((lru_clock(now_ms) + uint64_t{kAccessMask} + 1 - idle) & kAccessMask);
}

uint32_t lfu_bits_with_counter(uint32_t counter, int64_t now_ms) {
  return lfu_bits(minutes_clock(now_ms), counter > 255 ? 255 : counter);
}

uint64_t lru_idle_ms(uint32_t bits, int64_t now_ms) {
  const uint32_t now = lru_clock(now_ms);
  const uint32_t then = bits & kAccessMask;
  // One wrap of the 24-bit clock is told apart, as Redis's estimate does.
  const uint32_t seconds = now >= then ? now - then : now + (kAccessMask + 1) - then;
  return uint64_t{seconds} * 1000;
}

uint32_t lfu_counter(uint32_t bits, int64_t now_ms) { return lfu_decayed(bits, now_ms); }

ScopedNoTouch::ScopedNoTouch(bool no_touch) : saved_(detail::t_no_touch) { detail::t_no_touch = no_touch; }
ScopedNoTouch::~ScopedNoTouch() { detail::t_no_touch = saved_; }

}  // namespace tmkv::store
