// The telemetry histograms: bucket placement (the fast indices agree with
// the generic search on every value that matters), cumulative-free counts,
// and quantile interpolation as Prometheus's histogram_quantile does it.
#include <gtest/gtest.h>

#include <thread>

#include "stm/histogram.h"
#include "stm/tx_stats.h"

namespace tmkv::stm {
namespace {

template <size_t N>
size_t searched(const Bounds<N>& b, uint64_t v) {
  return static_cast<size_t>(std::lower_bound(b.begin(), b.end(), v) - b.begin());
}

TEST(Histogram, FastIndicesMatchTheSearch) {
  for (uint64_t v = 0; v <= 5000; ++v) {
    ASSERT_EQ(attempt_bucket(v), searched(kAttemptBounds, v)) << v;
    ASSERT_EQ(width_bucket(v), searched(kWidthBounds, v)) << v;
  }
  for (uint64_t v : {uint64_t{1} << 20, uint64_t{1} << 40, ~uint64_t{0}}) {
    EXPECT_EQ(attempt_bucket(v), kAttemptBounds.size());
    EXPECT_EQ(width_bucket(v), kWidthBounds.size());
  }
}

TEST(Histogram, CountsBucketsAndSum) {
  Histogram<3> h;
  const Bounds<3> b = {10, 20, 40};
  for (uint64_t v : {0, 10, 11, 20, 21, 40, 41, 1000}) h.observe(b, v);
  HistogramCounts<3> c;
  h.add_to(c);
  EXPECT_EQ(c.buckets, (std::array<uint64_t, 4>{2, 2, 2, 2}));
  EXPECT_EQ(c.sum, 0u + 10 + 11 + 20 + 21 + 40 + 41 + 1000);
  EXPECT_EQ(c.count(), 8u);
}

TEST(Histogram, QuantileInterpolatesInsideTheBucket) {
  HistogramCounts<2> c;
  const Bounds<2> b = {100, 200};
  EXPECT_EQ(c.quantile(0.5, b), 0.0) << "empty";
  c.buckets = {0, 10, 0};
  EXPECT_DOUBLE_EQ(c.quantile(0.5, b), 150.0);  // halfway through (100, 200]
  EXPECT_DOUBLE_EQ(c.quantile(1.0, b), 200.0);
  c.buckets = {10, 0, 5};
  EXPECT_DOUBLE_EQ(c.quantile(0.5, b), 75.0);
  EXPECT_DOUBLE_EQ(c.quantile(0.99, b), 200.0) << "a rank in +Inf answers the top finite bound";
}

TEST(Histogram, ReadersSeeMonotonicCountsWhileTheOwnerWrites) {
  Histogram<1> h;
  const Bounds<1> b = {5};
  std::thread writer([&] {
    for (int i = 0; i < 200000; ++i) h.observe(b, static_cast<uint64_t>(i % 10));
  });
  uint64_t last = 0;
  for (int i = 0; i < 1000; ++i) {
    HistogramCounts<1> c;
    h.add_to(c);
    ASSERT_GE(c.count(), last);
    last = c.count();
  }
  writer.join();
  HistogramCounts<1> c;
  h.add_to(c);
  EXPECT_EQ(c.count(), 200000u);
  EXPECT_EQ(c.buckets[0], 120000u);  // 0..5 of every 10
}

}  // namespace
}  // namespace tmkv::stm
