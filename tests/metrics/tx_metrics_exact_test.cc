// The exported transaction metrics count exactly: a known sequence of
// transactions, with aborts forced through the emulated HTM and through a
// real conflict, moves every affected series by exactly the expected amount
// and nothing else. Values are read from the metric families the /metrics
// endpoint serializes (TmkvCollectable), as deltas around the sequence.
#include <gtest/gtest.h>
#include <prometheus/metric_family.h>

#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "htm/atomically.h"
#include "htm/tm_mode.h"
#include "metrics/collectable.h"
#include "server/server.h"
#include "stm/atomically.h"
#include "stm/tvar.h"
#include "store/store.h"

namespace tmkv {
namespace {

// name{label="v",...} -> value; histograms add _count, _sum and _bucket{le}.
using Flat = std::map<std::string, double>;

std::string key_of(const std::string& name, const prometheus::ClientMetric& m, const std::string& extra = "") {
  std::string k = name + "{";
  bool first = true;
  for (const auto& l : m.label) {
    k += (first ? "" : ",") + l.name + "=" + l.value;
    first = false;
  }
  if (!extra.empty()) k += (first ? "" : ",") + extra;
  return k + "}";
}

Flat scrape() {
  metrics::TmkvCollectable c(nullptr);
  Flat out;
  for (const auto& f : c.Collect()) {
    for (const auto& m : f.metric) {
      switch (f.type) {
        case prometheus::MetricType::Counter:
          out[key_of(f.name, m)] = m.counter.value;
          break;
        case prometheus::MetricType::Gauge:
          out[key_of(f.name, m)] = m.gauge.value;
          break;
        case prometheus::MetricType::Histogram: {
          out[key_of(f.name + "_count", m)] = static_cast<double>(m.histogram.sample_count);
          out[key_of(f.name + "_sum", m)] = m.histogram.sample_sum;
          for (const auto& b : m.histogram.bucket) {
            char le[32];
            std::snprintf(le, sizeof le, "%g", b.upper_bound);
            out[key_of(f.name + "_bucket", m, std::string("le=") + le)] = static_cast<double>(b.cumulative_count);
          }
          break;
        }
        default:
          break;
      }
    }
  }
  return out;
}

// Every series whose value changed, with its change.
std::map<std::string, double> delta(const Flat& before, const Flat& after) {
  std::map<std::string, double> d;
  for (const auto& [k, v] : after) {
    auto it = before.find(k);
    const double old = it == before.end() ? 0 : it->second;
    if (v != old) d[k] = v - old;
  }
  return d;
}

class TxMetricsExact : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(htm::configure_tm(htm::TmMode::kEmulatedHtm, {}, &error)) << error;
    stm::set_latency_tracking(true);
    stm::set_tx_sample_rate(1);  // time every transaction: exact counts
  }
  void TearDown() override {
    stm::set_tx_sample_rate(stm::kDefaultTxSampleRate);
    std::string error;
    ASSERT_TRUE(htm::configure_tm(htm::TmMode::kStm, {}, &error)) << error;
  }
};

TEST_F(TxMetricsExact, KnownSequenceMovesExactlyTheExpectedSeries) {
  struct alignas(64) Var {
    stm::TVar<int64_t> v{100};
  };
  static Var a, b, c;
  const Flat before = scrape();

  // 1. Three transfers that commit in (emulated) hardware at the first
  //    attempt: each reads and writes two keys (width 2).
  for (int i = 0; i < 3; ++i) {
    htm::atomically([](stm::Tx& tx) {
      a.v.write(tx, a.v.read(tx) - 1);
      b.v.write(tx, b.v.read(tx) + 1);
    });
  }

  // 2. A cancel inside hardware: one hardware user_abort, one fallback for
  //    it, then the software run cancels too (one stm user_abort). No
  //    commit, so no attempts/width/latency observation.
  const int r = htm::atomically([](stm::Tx& tx) {
    a.v.write(tx, 0);
    tx.cancel(7);
    return 1;
  });
  ASSERT_EQ(r, 7);

  // 3. An operation that cannot run in hardware: one hardware
  //    needs_software abort and fallback, then a software commit at the
  //    second attempt (width 1). The tally in the aborted hardware attempt
  //    is dropped; the committed one counts once.
  htm::atomically([](stm::Tx& tx) {
    tx.tally(store::kTallyKeyspaceHits);
    tx.require_software();
    c.v.write(tx, c.v.read(tx) + 5);
  });

  // 4. A read-only software transaction over three keys.
  const int64_t sum = stm::atomically_read_only(
      [](stm::Tx& tx) { return a.v.read(tx) + b.v.read(tx) + c.v.read(tx); });
  ASSERT_EQ(sum, 305);

  // 5. A software read-validation abort, forced: after this transaction read
  //    a, another thread commits a write to a; our commit (it writes b)
  //    then fails validation, and the retry commits (attempts 2, width 2).
  //    The other thread's transaction commits in software (width 1).
  int attempt = 0;
  stm::atomically([&](stm::Tx& tx) {
    const int64_t seen = a.v.read(tx);
    if (attempt++ == 0) {
      std::thread([] { stm::atomically([](stm::Tx& t2) { a.v.write(t2, a.v.read(t2) + 10); }); }).join();
    }
    tx.tally(store::kTallyKeyspaceMisses, 2);
    b.v.write(tx, seen);
  });
  ASSERT_EQ(attempt, 2);

  const std::map<std::string, double> d = delta(before, scrape());
  // The exact expectation: every series that must move, by how much.
  std::map<std::string, double> want = {
      {"tmkv_tx_commits_total{path=htm}", 3},
      {"tmkv_tx_commits_total{path=stm}", 3},  // step 3, step 5's retry, the other thread
      {"tmkv_tx_commits_total{path=stm_readonly}", 1},
      {"tmkv_tx_aborts_total{path=htm,cause=user_abort}", 1},
      {"tmkv_tx_aborts_total{path=htm,cause=needs_software}", 1},
      {"tmkv_tx_aborts_total{path=stm,cause=user_abort}", 1},
      {"tmkv_tx_aborts_total{path=stm,cause=read_validation}", 1},
      {"tmkv_tx_fallbacks_total{reason=user_abort}", 1},
      {"tmkv_tx_fallbacks_total{reason=needs_software}", 1},
      {"tmkv_tx_hw_attempts_total{}", 5},  // 3 commits + 2 aborted
      // attempts: 1,1,1 (step 1), 2 (step 3), 1 (step 4), 2 (step 5), 1 (other thread)
      {"tmkv_tx_attempts_count{}", 7},
      {"tmkv_tx_attempts_sum{}", 9},
      {"tmkv_tx_attempts_bucket{le=1}", 5},
      {"tmkv_tx_attempts_bucket{le=2}", 7},
      {"tmkv_tx_attempts_bucket{le=3}", 7},
      {"tmkv_tx_attempts_bucket{le=4}", 7},
      {"tmkv_tx_attempts_bucket{le=6}", 7},
      {"tmkv_tx_attempts_bucket{le=8}", 7},
      {"tmkv_tx_attempts_bucket{le=12}", 7},
      {"tmkv_tx_attempts_bucket{le=16}", 7},
      {"tmkv_tx_attempts_bucket{le=32}", 7},
      {"tmkv_tx_attempts_bucket{le=64}", 7},
      {"tmkv_tx_attempts_bucket{le=inf}", 7},
      // width: 2,2,2 (step 1), 1 (step 3), 3 (step 4), 2 (step 5), 1 (other)
      {"tmkv_tx_width_keys_count{}", 7},
      {"tmkv_tx_width_keys_sum{}", 13},
      {"tmkv_tx_width_keys_bucket{le=1}", 2},
      {"tmkv_tx_width_keys_bucket{le=2}", 6},
      {"tmkv_tx_width_keys_bucket{le=4}", 7},
      {"tmkv_tx_width_keys_bucket{le=8}", 7},
      {"tmkv_tx_width_keys_bucket{le=16}", 7},
      {"tmkv_tx_width_keys_bucket{le=32}", 7},
      {"tmkv_tx_width_keys_bucket{le=64}", 7},
      {"tmkv_tx_width_keys_bucket{le=128}", 7},
      {"tmkv_tx_width_keys_bucket{le=256}", 7},
      {"tmkv_tx_width_keys_bucket{le=1024}", 7},
      {"tmkv_tx_width_keys_bucket{le=inf}", 7},
      {"tmkv_tx_duration_seconds_count{path=htm}", 3},
      {"tmkv_tx_duration_seconds_count{path=stm}", 3},
      {"tmkv_tx_duration_seconds_count{path=stm_readonly}", 1},
      {"tmkv_tx_duration_seconds_bucket{path=htm,le=inf}", 3},
      {"tmkv_tx_duration_seconds_bucket{path=stm,le=inf}", 3},
      {"tmkv_tx_duration_seconds_bucket{path=stm_readonly,le=inf}", 1},
  };
  // Series that change by amounts only bounded here: latency sums, the
  // finite latency buckets, and process/allocator gauges.
  auto bounded = [](const std::string& k) {
    return k.rfind("tmkv_tx_duration_seconds_sum", 0) == 0 ||
           (k.rfind("tmkv_tx_duration_seconds_bucket", 0) == 0 && k.find("le=inf") == std::string::npos) ||
           k.rfind("process_", 0) == 0 || k.rfind("tmkv_memory_", 0) == 0;
  };
  for (const auto& [k, v] : want) {
    auto it = d.find(k);
    EXPECT_TRUE(it != d.end() && it->second == v) << k << ": want +" << v << ", got +" << (it == d.end() ? 0 : it->second);
  }
  for (const auto& [k, v] : d) {
    if (want.count(k) == 0 && !bounded(k)) ADD_FAILURE() << "unexpected change: " << k << " by " << v;
  }
  EXPECT_GT(d.at("tmkv_tx_duration_seconds_sum{path=htm}"), 0.0);
}

TEST_F(TxMetricsExact, TalliesCountOnlyCommittedAttempts) {
  stm::TVar<int64_t> v{0};
  const server::KeyspaceStats before = server::keyspace_stats(stm::collect_tx_stats());
  // Hardware attempt tallies a hit, then must fall back: counted once.
  htm::atomically([&](stm::Tx& tx) {
    tx.tally(store::kTallyKeyspaceHits);
    tx.require_software();
    v.write(tx, 1);
  });
  // A cancelled run counts nothing.
  htm::atomically([&](stm::Tx& tx) {
    tx.tally(store::kTallyKeyspaceMisses, 5);
    tx.cancel();
  });
  const server::KeyspaceStats after = server::keyspace_stats(stm::collect_tx_stats());
  EXPECT_EQ(after.hits - before.hits, 1u);
  EXPECT_EQ(after.misses - before.misses, 0u);
}

TEST_F(TxMetricsExact, WidthAndLatencyAreSampledOneRunInTheRate) {
  stm::set_tx_sample_rate(4);
  stm::TVar<int64_t> v{0};
  const Flat before = scrape();
  for (int i = 0; i < 40; ++i) htm::atomically([&](stm::Tx& tx) { v.write(tx, v.read(tx) + 1); });
  const auto d = delta(before, scrape());
  EXPECT_EQ(d.at("tmkv_tx_commits_total{path=htm}"), 40);
  EXPECT_EQ(d.at("tmkv_tx_attempts_count{}"), 40) << "attempts: every commit";
  EXPECT_EQ(d.at("tmkv_tx_width_keys_count{}"), 10) << "width: one in four";
  EXPECT_EQ(d.at("tmkv_tx_width_keys_sum{}"), 10) << "each touched one key";
  EXPECT_EQ(d.at("tmkv_tx_duration_seconds_count{path=htm}"), 10) << "latency: one in four";
}

TEST_F(TxMetricsExact, LatencyTrackingOffRecordsNoDurations) {
  stm::set_latency_tracking(false);
  stm::TVar<int64_t> v{0};
  const Flat before = scrape();
  for (int i = 0; i < 4; ++i) htm::atomically([&](stm::Tx& tx) { v.write(tx, v.read(tx) + 1); });
  const auto d = delta(before, scrape());
  stm::set_latency_tracking(true);
  EXPECT_EQ(d.at("tmkv_tx_commits_total{path=htm}"), 4);
  EXPECT_EQ(d.at("tmkv_tx_attempts_count{}"), 4) << "attempts and width are kept regardless";
  EXPECT_EQ(d.at("tmkv_tx_width_keys_count{}"), 4);
  EXPECT_EQ(d.count("tmkv_tx_duration_seconds_count{path=htm}"), 0u);
}

}  // namespace
}  // namespace tmkv
