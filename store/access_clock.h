// Access tracking: how recently (LRU) or how often (LFU) each key was used,
// for the eviction policies and for OBJECT IDLETIME / OBJECT FREQ. Redis's
// model (evict.c, object.c), in 24 bits of each value box (blob.h):
//
//   LRU  the Unix time in seconds of the last access, modulo 2^24 (a clock
//        that wraps every 194 days, as Redis's LRU clock does).
//   LFU  bits 23..8: the Unix time in minutes, modulo 2^16, of the last
//        decay; bits 7..0: a logarithmic access counter. An access first
//        decays the counter by one per lfu-decay-time minutes elapsed, then
//        raises it with probability 1 / ((counter - 5) * lfu-log-factor + 1).
//        New keys start at 5, so they are not evicted before they had a
//        chance to be used.
//
// Which kind new boxes carry, and accesses update, follows the maxmemory
// policy (set_access_mode). Boxes written under the other kind keep their
// bits until next touched, as in Redis ("LRU and LFU data will take some
// time to adjust").
//
// CONCURRENCY. The bits are not transactional data: a read updates them in
// place with relaxed atomics (Blob::touch), outside the STM's read and write
// sets, so tracking never makes transactions conflict. Two readers racing
// may lose one update, which only makes the estimate a little older (Redis's
// is an estimate too). A reader stores only when the bits change (once per
// second per key for LRU, on the counter's rare increments or once per
// decay period for LFU), so a hot key read by many threads does not bounce
// its cache line on every read. The settings below are standalone values:
// relaxed loads and stores (an access racing with CONFIG SET may use either
// value).
#pragma once

#include <atomic>
#include <cstdint>

namespace tmkv::store {

enum class AccessMode : uint8_t { kLru, kLfu };

namespace detail {
extern std::atomic<AccessMode> g_access_mode;  // set_access_mode; relaxed
inline thread_local bool t_no_touch = false;   // ScopedNoTouch; owner thread only
}  // namespace detail

inline constexpr uint32_t kAccessBits = 24;
inline constexpr uint32_t kAccessMask = (1u << kAccessBits) - 1;
inline constexpr uint32_t kLfuInitialCounter = 5;

void set_access_mode(AccessMode mode);
inline AccessMode access_mode() { return detail::g_access_mode.load(std::memory_order_relaxed); }
// Redis's lfu-log-factor and lfu-decay-time (minutes; 0 = never decay).
void set_lfu_parameters(uint32_t log_factor, uint32_t decay_minutes);

// The LRU bits for an access at now_ms.
inline uint32_t lru_clock(int64_t now_ms) {
  return static_cast<uint32_t>(static_cast<uint64_t>(now_ms) / 1000) & kAccessMask;
}

namespace detail {
uint32_t lfu_initial_access(int64_t now_ms);
uint32_t lfu_touched_access(uint32_t current, int64_t now_ms);
}  // namespace detail

// The bits a new value box starts with at now_ms, in the current mode.
// Inline, as touched_access: every write and read computes them, and the
// LRU case is a division.
inline uint32_t initial_access(int64_t now_ms) {
  return access_mode() == AccessMode::kLru ? lru_clock(now_ms) : detail::lfu_initial_access(now_ms);
}
// The bits after one more access at now_ms. Bits written under the other
// mode are read as if they were of this one, as Redis reads them.
inline uint32_t touched_access(uint32_t current, int64_t now_ms) {
  return access_mode() == AccessMode::kLru ? lru_clock(now_ms) : detail::lfu_touched_access(current, now_ms);
}

// Bits for a value restored with RESTORE's IDLETIME (LRU) or FREQ (LFU),
// as Redis's objectSetLRUOrLFU sets them.
uint32_t lru_bits_idle_for(uint64_t idle_seconds, int64_t now_ms);
uint32_t lfu_bits_with_counter(uint32_t counter, int64_t now_ms);

// LRU: milliseconds since the access recorded in `bits` (whole seconds,
// as Redis's LRU clock resolution).
uint64_t lru_idle_ms(uint32_t bits, int64_t now_ms);
// LFU: the counter in `bits` decayed to now_ms (what OBJECT FREQ shows).
// Does not store anything.
uint32_t lfu_counter(uint32_t bits, int64_t now_ms);

// While one is alive on a thread, reads on that thread leave the access
// bits alone (Redis's LOOKUP_NOTOUCH: TYPE, EXISTS, TTL, OBJECT, ...; and
// every command of a CLIENT NO-TOUCH client). ScopedNoTouch(false) turns
// touching back on inside such a scope (TOUCH always touches).
class ScopedNoTouch {
 public:
  explicit ScopedNoTouch(bool no_touch = true);
  ~ScopedNoTouch();
  ScopedNoTouch(const ScopedNoTouch&) = delete;
  ScopedNoTouch& operator=(const ScopedNoTouch&) = delete;

 private:
  bool saved_;
};
// False inside a ScopedNoTouch.
inline bool touching_enabled() { return !detail::t_no_touch; }

}  // namespace tmkv::store
