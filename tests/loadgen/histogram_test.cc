// The latency histogram against exact order statistics: every percentile
// within the stated relative error, across many magnitudes, at the
// extremes, and after merging.
#include "loadgen/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "loadgen/rng.h"

using tmkv::loadgen::Histogram;
using tmkv::loadgen::Rng;

namespace {

// The exact nearest-rank percentile of sorted data (the definition the
// histogram implements).
uint64_t exact(const std::vector<uint64_t>& sorted, double q) {
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

void expect_within(uint64_t got, uint64_t want, const char* what, double q) {
  const double err = std::abs(static_cast<double>(got) - static_cast<double>(want));
  EXPECT_LE(err, Histogram::kMaxRelativeError * static_cast<double>(want) + 0.5)
      << what << " q=" << q << ": got " << got << ", exact " << want;
}

void check_all_percentiles(const Histogram& h, std::vector<uint64_t> data, const char* what) {
  std::sort(data.begin(), data.end());
  for (double q : {0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999, 1.0})
    expect_within(h.percentile(q), exact(data, q), what, q);
  EXPECT_EQ(h.min(), data.front());
  EXPECT_EQ(h.max(), data.back());
  EXPECT_EQ(h.count(), data.size());
}

}  // namespace

TEST(Histogram, BucketsTileTheRangeWithBoundedWidth) {
  // Consecutive buckets touch, and each is at most 1/128 of its lower bound wide.
  for (int i = 1; i < Histogram::bucket_count(); ++i) {
    ASSERT_EQ(Histogram::bucket_low(i), Histogram::bucket_high(i - 1) + 1) << i;
    const double width = static_cast<double>(Histogram::bucket_high(i) - Histogram::bucket_low(i) + 1);
    ASSERT_LE(width, std::max(1.0, static_cast<double>(Histogram::bucket_low(i)) / 128.0)) << i;
  }
  EXPECT_GE(Histogram::bucket_high(Histogram::bucket_count() - 1), uint64_t{600} * 1000 * 1000 * 1000)
      << "must reach 10 minutes in nanoseconds";
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{129}, uint64_t{1000},
                     uint64_t{123456789}, Histogram::kMaxTrackable}) {
    const int i = Histogram::index_of(v);
    EXPECT_LE(Histogram::bucket_low(i), v);
    EXPECT_GE(Histogram::bucket_high(i), v);
  }
}

TEST(Histogram, PercentilesMatchSortedDataOverManyMagnitudes) {
  Rng rng(42);
  Histogram h;
  std::vector<uint64_t> data;
  for (int i = 0; i < 200000; ++i) {
    // Log-uniform from 1 ns to about 10 minutes: every range is exercised.
    const double e = rng.unit() * std::log(6e11);
    const auto v = static_cast<uint64_t>(std::exp(e));
    data.push_back(v);
    h.record(v);
  }
  check_all_percentiles(h, data, "log-uniform");
}

TEST(Histogram, PercentilesOfTypicalLatencies) {
  Rng rng(7);
  Histogram h;
  std::vector<uint64_t> data;
  for (int i = 0; i < 100000; ++i) {
    // ~50 us with a long tail, as on loopback.
    uint64_t v = 30000 + rng.below(40000);
    if (rng.unit() < 0.01) v += rng.below(50'000'000);
    data.push_back(v);
    h.record(v);
  }
  check_all_percentiles(h, data, "latency-like");
}

TEST(Histogram, ExtremeValues) {
  Histogram h;
  h.record(0);
  EXPECT_EQ(h.percentile(0.5), 0u);
  EXPECT_EQ(h.max(), 0u);
  const uint64_t ten_minutes = uint64_t{600} * 1000 * 1000 * 1000;
  h.record(ten_minutes);
  expect_within(h.percentile(1.0), ten_minutes, "10 min", 1.0);
  EXPECT_EQ(h.max(), ten_minutes);
  // Beyond the trackable range: counted in the top bucket, max exact.
  Histogram big;
  big.record(1);
  big.record(UINT64_MAX / 2);
  EXPECT_EQ(big.count(), 2u);
  EXPECT_EQ(big.max(), UINT64_MAX / 2);
  const int top = Histogram::bucket_count() - 1;
  EXPECT_EQ(big.percentile(1.0), Histogram::bucket_low(top) + (Histogram::bucket_high(top) - Histogram::bucket_low(top)) / 2);
  EXPECT_EQ(big.percentile(0.5), 1u);
  Histogram huge_only;  // one value: reported exactly (clamped to min = max)
  huge_only.record(UINT64_MAX / 2);
  EXPECT_EQ(huge_only.percentile(0.5), UINT64_MAX / 2);
  Histogram empty;
  EXPECT_EQ(empty.percentile(0.99), 0u);
  EXPECT_EQ(empty.count(), 0u);
  // A single value is reported exactly at every percentile (clamped to min/max).
  Histogram one;
  one.record(987654321);
  for (double q : {0.0, 0.5, 1.0}) EXPECT_EQ(one.percentile(q), 987654321u);
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
  Rng rng(3);
  Histogram a, b, all;
  std::vector<uint64_t> data;
  for (int i = 0; i < 50000; ++i) {
    const uint64_t v = rng.below(1u << 20) * (i % 2 ? 1 : 1000);
    data.push_back(v);
    (i % 3 ? a : b).record(v);
    all.record(v);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_DOUBLE_EQ(a.mean(), all.mean());
  for (double q : {0.1, 0.5, 0.9, 0.99, 0.999}) EXPECT_EQ(a.percentile(q), all.percentile(q)) << q;
  check_all_percentiles(a, data, "merged");
  a.reset();
  EXPECT_EQ(a.count(), 0u);
  EXPECT_EQ(a.percentile(0.5), 0u);
}
