// xorshift64 (Marsaglia): a fast per-thread pseudo-random stream for
// backoff waits, sampling and coin tosses, where a shared source would be a
// contended word and quality beyond "spread out" does not matter.
#pragma once

#include <cstdint>

namespace tmkv::stm {

// Advances `state` (never 0) and returns the new value.
inline uint64_t xorshift64(uint64_t& state) {
  uint64_t x = state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  state = x;
  return x;
}

}  // namespace tmkv::stm
