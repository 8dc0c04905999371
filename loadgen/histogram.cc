#include "loadgen/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tmkv::loadgen {

namespace {
constexpr uint64_t kLinear = uint64_t{1} << Histogram::kSubBits;  // exact buckets below this
}

int Histogram::bucket_count() {
  return static_cast<int>(kLinear + (kMaxBits - kSubBits) * kLinear);
}

int Histogram::index_of(uint64_t v) {
  if (v < kLinear) return static_cast<int>(v);
  const int k = 63 - std::countl_zero(v);  // v in [2^k, 2^(k+1)), k >= kSubBits
  const uint64_t sub = (v >> (k - kSubBits)) - kLinear;
  return static_cast<int>(kLinear + static_cast<uint64_t>(k - kSubBits) * kLinear + sub);
}

uint64_t Histogram::bucket_low(int index) {
  const auto i = static_cast<uint64_t>(index);
  if (i < kLinear) return i;
  const uint64_t range = (i - kLinear) / kLinear;  // k - kSubBits
  const uint64_t sub = (i - kLinear) % kLinear;
  return (kLinear + sub) << range;
}

uint64_t Histogram::bucket_high(int index) {
  const auto i = static_cast<uint64_t>(index);
  if (i < kLinear) return i;
  const uint64_t range = (i - kLinear) / kLinear;
  return bucket_low(index) + (uint64_t{1} << range) - 1;
}

Histogram::Histogram() : counts_(static_cast<size_t>(bucket_count()), 0) {}

void Histogram::merge(const Histogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = sum_ = max_ = 0;
  min_ = UINT64_MAX;
}

uint64_t Histogram::percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const int idx = static_cast<int>(i);
      const uint64_t mid = bucket_low(idx) + (bucket_high(idx) - bucket_low(idx)) / 2;
      return std::clamp(mid, min(), max_);
    }
  }
  return max_;
}

}  // namespace tmkv::loadgen
