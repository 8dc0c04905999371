// A log-linear latency histogram in the style of HdrHistogram, our own.
//
// Values are nanoseconds. Below 2^kSubBits every value has its own bucket
// (exact). Above, each power-of-two range [2^k, 2^(k+1)) is cut into
// 2^kSubBits equal buckets, so a bucket is at most 1/128 of its lower bound
// wide. A percentile is reported as its bucket's midpoint, which is within
// kMaxRelativeError (1/256, under 0.4%) of every value in the bucket. The
// top range ends at 2^kMaxBits ns (about 73 minutes); larger values are
// counted in the top bucket, and min/max are kept exactly.
#pragma once

#include <cstdint>
#include <vector>

namespace tmkv::loadgen {

class Histogram {
 public:
  static constexpr int kSubBits = 7;
  static constexpr int kMaxBits = 42;
  static constexpr double kMaxRelativeError = 1.0 / 256;
  static constexpr uint64_t kMaxTrackable = (uint64_t{1} << kMaxBits) - 1;

  Histogram();

  void record(uint64_t value_ns) {
    ++counts_[index_of(value_ns < kMaxTrackable ? value_ns : kMaxTrackable)];
    ++count_;
    sum_ += value_ns;
    if (value_ns < min_) min_ = value_ns;
    if (value_ns > max_) max_ = value_ns;
  }

  void merge(const Histogram& other);
  void reset();

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }

  // The value at nearest rank ceil(q * count), q in [0, 1]: the bucket
  // midpoint, clamped to [min, max] so p0 and p100 are exact. 0 if empty.
  uint64_t percentile(double q) const;

  // Bucket arithmetic, public for the tests.
  static int index_of(uint64_t v);
  static uint64_t bucket_low(int index);
  static uint64_t bucket_high(int index);  // inclusive
  static int bucket_count();

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace tmkv::loadgen
