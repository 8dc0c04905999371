// The keyspace under the hybrid (emulated-htm): lookups, overwrites and
// deletes run in hardware; inserts fall back to software (they take the
// index's shard mutex). The store's guarantees must hold across the mix.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "htm/atomically.h"
#include "htm/hybrid_stats.h"
#include "htm/tm_mode.h"
#include "store/store.h"

namespace tmkv::htm {
namespace {

class StoreHybrid : public ::testing::TestWithParam<unsigned> {
 protected:
  void SetUp() override {
    EmulationConfig c;
    c.forced_fallback_percent = GetParam();
    std::string error;
    ASSERT_TRUE(configure_tm(TmMode::kEmulatedHtm, c, &error)) << error;
  }
  void TearDown() override {
    std::string error;
    ASSERT_TRUE(configure_tm(TmMode::kStm, {}, &error));
  }
};

TEST_P(StoreHybrid, SetIfAbsentHasExactlyOneWinnerPerKey) {
  store::Store s;
  constexpr int kKeys = 3000, kThreads = 3;
  std::atomic<int> wins{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int k = 0; k < kKeys; ++k) {
        std::string key = "nx:" + std::to_string(k);
        bool won = htm::atomically([&](stm::Tx& tx) {
          if (s.exists(tx, key)) return false;
          s.set(tx, key, std::to_string(t));
          return true;
        });
        if (won) wins.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wins.load(), kKeys);
  EXPECT_EQ(s.size(), static_cast<size_t>(kKeys));
}

TEST_P(StoreHybrid, PairedInsertsAndDeletesStayAtomicAndPathsMix) {
  store::Store s;
  constexpr int kPairs = 32;
  std::atomic<bool> stop{false};
  std::atomic<long> torn{0}, reads{0};
  const auto before = stm::collect_tx_stats();
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      uint64_t x = 0x2545F4914F6CDD1Dull * (t + 1);
      while (!stop.load(std::memory_order_relaxed)) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        std::string i = std::to_string(x % kPairs);
        htm::atomically([&](stm::Tx& tx) {
          if (s.exists(tx, "a" + i)) {
            if ((x >> 40) & 1) {  // overwrite in place (hardware-friendly)...
              s.set(tx, "a" + i, "x2");
              s.set(tx, "b" + i, "y2");
            } else {  // ...or delete both
              s.del(tx, "a" + i);
              s.del(tx, "b" + i);
            }
          } else {
            s.set(tx, "a" + i, "x");
            s.set(tx, "b" + i, "y");
          }
        });
      }
    });
  }
  threads.emplace_back([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      int bad = htm::atomically([&](stm::Tx& tx) {
        int n = 0;
        for (int i = 0; i < kPairs; ++i) {
          std::string k = std::to_string(i);
          n += s.exists(tx, "a" + k) != s.exists(tx, "b" + k);
        }
        return n;
      });
      torn.fetch_add(bad);
      reads.fetch_add(1);
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  stop.store(true);
  for (auto& th : threads) th.join();
  const auto after = stm::collect_tx_stats();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(reads.load(), 0);
  if (GetParam() < 100) {
    EXPECT_GT(after.commits_on(stm::CommitPath::kHardware) - before.commits_on(stm::CommitPath::kHardware), 0u);
    EXPECT_GT(fallbacks(after, Fallback::kNeedsSoftware) + fallbacks(after, Fallback::kAdaptiveSkip) -
                  fallbacks(before, Fallback::kNeedsSoftware) - fallbacks(before, Fallback::kAdaptiveSkip),
              0u)
        << "inserts must leave hardware";
  }
  size_t present = 0;
  htm::atomically([&](stm::Tx& tx) {
    present = 0;
    for (int i = 0; i < kPairs; ++i) present += s.exists(tx, "a" + std::to_string(i)) ? 2 : 0;
  });
  EXPECT_EQ(s.size(), present);
}

INSTANTIATE_TEST_SUITE_P(FallbackRates, StoreHybrid, ::testing::Values(0u, 50u, 100u),
                         [](const auto& info) { return std::to_string(info.param) + "pct_fallback"; });

}  // namespace
}  // namespace tmkv::htm
