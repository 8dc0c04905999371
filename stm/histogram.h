// Fixed-bucket histograms for telemetry, Prometheus-shaped: each bucket
// counts observations <= its upper bound (and above the previous one), the
// last bucket is +Inf, and a sum of observed values is kept.
//
// Histogram<N> has one writer, the owning thread (like Counter: relaxed
// load + relaxed store, no read-modify-write), and any number of readers
// that add it into a HistogramCounts<N> with relaxed loads. A reader racing
// the writer may see a bucket bumped and the sum not yet (or the reverse):
// each is a monotonic counter on its own, which is all Prometheus asks of a
// histogram between scrapes.
//
// Lives in stm/ because stm is the lowest layer that keeps one (transaction
// latency, attempts and width); the server's command latency reuses it.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "stm/counter.h"

namespace tmkv::stm {

// Upper bounds of the finite buckets, increasing, in integer units (ns,
// attempts, keys); the exporter scales them.
template <size_t N>
using Bounds = std::array<uint64_t, N>;

// A plain, summable copy.
template <size_t N>
struct HistogramCounts {
  std::array<uint64_t, N + 1> buckets{};  // per bucket, not cumulative; [N] is +Inf
  uint64_t sum = 0;

  uint64_t count() const {
    uint64_t c = 0;
    for (uint64_t b : buckets) c += b;
    return c;
  }
  // The q-quantile estimated as Prometheus's histogram_quantile does:
  // linear interpolation inside the bucket that holds the rank (the first
  // bucket's lower bound is 0). A rank in +Inf answers the top finite bound.
  // 0 when empty.
  double quantile(double q, const Bounds<N>& bounds) const {
    const uint64_t total = count();
    if (total == 0) return 0;
    const double rank = q * static_cast<double>(total);
    uint64_t below = 0;
    for (size_t i = 0; i < N; ++i) {
      const uint64_t here = buckets[i];
      if (static_cast<double>(below + here) >= rank && here > 0) {
        const double lo = i == 0 ? 0.0 : static_cast<double>(bounds[i - 1]);
        const double hi = static_cast<double>(bounds[i]);
        return lo + (hi - lo) * ((rank - static_cast<double>(below)) / static_cast<double>(here));
      }
      below += here;
    }
    return static_cast<double>(bounds[N - 1]);
  }
};

template <size_t N>
class Histogram {
 public:
  // Owner thread only.
  void observe(const Bounds<N>& bounds, uint64_t v) {
    const size_t i = static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), v) - bounds.begin());
    observe_in(i, v);
  }
  // Owner thread only: v goes into bucket i, which the caller computed
  // (for shapes with a cheaper index than a binary search).
  void observe_in(size_t i, uint64_t v) {
    buckets_[i].add();
    sum_.add(v);
  }
  // Any thread.
  void add_to(HistogramCounts<N>& out) const {
    for (size_t i = 0; i <= N; ++i) out.buckets[i] += buckets_[i].get();
    out.sum += sum_.get();
  }

 private:
  // The sum first: with the low buckets it shares the first cache line,
  // which small values (most observations) touch alone.
  Counter sum_;
  std::array<Counter, N + 1> buckets_;
};

// Latency buckets in nanoseconds: 250 ns to 10 s, about three per decade.
inline constexpr Bounds<24> kLatencyBoundsNs = {
    250,         500,         1'000,         2'500,         5'000,         10'000,
    25'000,      50'000,      100'000,       250'000,       500'000,       1'000'000,
    2'500'000,   5'000'000,   10'000'000,    25'000'000,    50'000'000,    100'000'000,
    250'000'000, 500'000'000, 1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};
using LatencyHistogram = Histogram<kLatencyBoundsNs.size()>;
using LatencyCounts = HistogramCounts<kLatencyBoundsNs.size()>;

}  // namespace tmkv::stm
