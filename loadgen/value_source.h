// Values for SET-like commands: --value-size N (fixed) or N-M (uniform).
// One random printable pool, made once and then only read (by every
// worker thread); a value is a slice of it at a random offset, so drawing
// one costs two random numbers and no copy.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "loadgen/rng.h"

namespace tmkv::loadgen {

class ValueSource {
 public:
  ValueSource(uint32_t min_size, uint32_t max_size, uint64_t seed) : min_(min_size), max_(max_size) {
    Rng rng(seed);
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    pool_.resize(static_cast<size_t>(max_size) + kSlack);
    for (auto& c : pool_) c = kAlphabet[rng.below(sizeof kAlphabet - 1)];
  }
  std::string_view next(Rng& rng) const {
    const auto size = static_cast<size_t>(min_ == max_ ? min_ : rng.between(min_, max_));
    return std::string_view(pool_).substr(rng.below(kSlack), size);
  }

 private:
  static constexpr size_t kSlack = 4096;  // distinct starting offsets
  uint32_t min_, max_;
  std::string pool_;
};

}  // namespace tmkv::loadgen
