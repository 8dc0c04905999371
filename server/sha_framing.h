// What SHA-1 and SHA-256 share (FIPS 180-4, 5.1.1 and 6): the message is
// fed to the compression function in 64-byte blocks, the last of them
// padded with 0x80, zeros and the message length in bits (big-endian), and
// the final state words are written out as big-endian hex.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tmkv::server {

// Runs compress(state, block) over data's padded 64-byte blocks, then
// returns the state as 8 hex digits per word.
template <size_t kWords, class Compress>
std::string sha_hex(std::array<uint32_t, kWords> state, std::string_view data, Compress compress) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  for (; n >= 64; n -= 64, p += 64) compress(state, p);
  // The tail, the 0x80 marker, zeros, and the length in bits.
  unsigned char last[128] = {};
  std::memcpy(last, p, n);
  last[n] = 0x80;
  const size_t blocks = n + 1 + 8 <= 64 ? 1 : 2;
  const uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
  for (int i = 0; i < 8; ++i) last[blocks * 64 - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  for (size_t b = 0; b < blocks; ++b) compress(state, last + 64 * b);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(kWords * 8);
  for (uint32_t word : state) {
    for (int shift = 28; shift >= 0; shift -= 4) out.push_back(kHex[(word >> shift) & 15]);
  }
  return out;
}

}  // namespace tmkv::server
