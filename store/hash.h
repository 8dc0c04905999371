// Key hashing for the index: 64 bits, fast on short keys, good avalanche.
// The top bits pick the shard and the low bits the bucket, so both must be
// well mixed; the final multiply-xorshift rounds do that.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace tmkv::store {

inline uint64_t mix64(uint64_t x) {
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ull;
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ull;
  x ^= x >> 32;
  return x;
}

// `seed` varies the function (a hash's fields use a per-process seed,
// hash_value.cc); hash_key is seed 0.
inline uint64_t hash_key_seeded(std::string_view key, uint64_t seed) {
  const auto* p = reinterpret_cast<const unsigned char*>(key.data());
  size_t n = key.size();
  uint64_t h = 0x9e3779b97f4a7c15ull ^ seed ^ (n * 0xff51afd7ed558ccdull);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ mix64(w)) * 0x9e3779b97f4a7c15ull;
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, p, n);
  h = (h ^ mix64(tail ^ (uint64_t{n} << 59))) * 0x9e3779b97f4a7c15ull;
  return mix64(h);
}

inline uint64_t hash_key(std::string_view key) { return hash_key_seeded(key, 0); }

}  // namespace tmkv::store
