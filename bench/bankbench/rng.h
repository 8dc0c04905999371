// The workload's random numbers: one generator per worker thread, so that
// drawing accounts costs a few instructions and no shared cache line.
#pragma once

#include <cstdint>

namespace tmkv::bankbench {

// xorshift64* (Vigna), seeded through splitmix64 so that nearby (seed,
// thread) pairs still start from unrelated states. Not for cryptography.
class Rng {
 public:
  // The stream of worker `stream` under user seed `seed`; the same pair
  // always yields the same sequence.
  Rng(uint64_t seed, uint64_t stream) {
    uint64_t x = seed + (stream + 1) * 0x9E3779B97F4A7C15ull;
    state_ = SplitMix64(&x);
    if (state_ == 0) state_ = 1;  // xorshift's one fixed point
  }

  // The next 64 random bits.
  uint64_t Next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1Dull;
  }

  // A value in [0, n). Lemire's multiply-shift: no division on the hot
  // path, and the bias for n far below 2^64 is negligible for a benchmark.
  uint64_t Uniform(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

 private:
  static uint64_t SplitMix64(uint64_t* x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  uint64_t state_;
};

}  // namespace tmkv::bankbench
