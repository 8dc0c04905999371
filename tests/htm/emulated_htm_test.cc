// The emulated HTM models what makes hybrid TM hard; each property here is
// one the hybrid's correctness argument relies on.
#include "htm/emulated_htm.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "htm/atomically.h"
#include "htm/hybrid_stats.h"
#include "htm/tm_mode.h"
#include "stm/global_clock.h"
#include "stm/stm.h"

namespace tmkv::htm {
namespace {

class EmulatedHtm : public ::testing::Test {
 protected:
  void SetUp() override { emu::enable(config_); }
  void TearDown() override { emu::disable(); }
  EmulationConfig config_;
};

uint32_t abort_status_of(auto&& body) {
  try {
    body();
  } catch (const emu::EmulatedAbort& a) {
    return a.status;
  }
  return emu::kStarted;  // did not abort
}

TEST_F(EmulatedHtm, WritesAreBufferedUntilCommit) {
  stm::Shared<uint64_t> x(1);
  ASSERT_EQ(emu::begin(), emu::kStarted);
  x.store(2);
  EXPECT_EQ(x.load(), 2u) << "a transaction reads its own writes";
  uint64_t seen_by_other = 0;
  std::thread([&] { seen_by_other = x.load(); }).join();
  EXPECT_EQ(seen_by_other, 1u) << "other threads must not see buffered writes";
  emu::commit();
  EXPECT_EQ(x.load(), 2u);
}

TEST_F(EmulatedHtm, ExplicitAbortDiscardsWrites) {
  stm::Shared<uint64_t> x(1);
  ASSERT_EQ(emu::begin(), emu::kStarted);
  x.store(5);
  uint32_t s = abort_status_of([] { emu::abort(7); });
  EXPECT_EQ(s, emu::explicit_status(7));
  EXPECT_FALSE(emu::in_transaction());
  EXPECT_EQ(x.load(), 1u);
}

TEST_F(EmulatedHtm, PlainWriteToATrackedLineDoomsTheTransaction) {
  alignas(64) stm::Shared<uint64_t> x(1);
  alignas(64) stm::Shared<uint64_t> y(1);
  ASSERT_EQ(emu::begin(), emu::kStarted);
  EXPECT_EQ(x.load(), 1u);
  std::thread([&] { x.store(9); }).join();  // a non-transactional writer
  uint32_t s = abort_status_of([&] { (void)y.load(); });
  EXPECT_EQ(s, emu::kConflict | emu::kRetry) << "doomed: the next access aborts";
}

TEST_F(EmulatedHtm, SoftwareCommitDoomsAHardwareReaderOfTheLockWord) {
  stm::TVar<int64_t> v{1};
  ASSERT_EQ(emu::begin(), emu::kStarted);
  (void)v.word().lock.load();  // what the hybrid's hardware read does first
  std::thread([&] { stm::atomically([&](stm::Tx& tx) { v.write(tx, 2); }); }).join();
  EXPECT_EQ(abort_status_of([] { emu::commit(); }), emu::kConflict | emu::kRetry);
}

TEST_F(EmulatedHtm, CommitIsAtomicForOtherThreads) {
  alignas(64) stm::Shared<uint64_t> a(0);
  alignas(64) stm::Shared<uint64_t> b(0);
  std::atomic<bool> stop{false};
  std::atomic<long> torn{0};
  std::thread reader([&] {
    while (!stop.load()) {
      // The pair is only ever changed together, by one commit.
      uint64_t x = a.load(), y = b.load();
      if (y < x) torn.fetch_add(1);  // b is written second in program order
    }
  });
  for (uint64_t i = 1; i <= 2000; ++i) {
    for (;;) {
      if (emu::begin() != emu::kStarted) continue;
      try {
        b.store(i);
        a.store(i);
        emu::commit();
        break;
      } catch (const emu::EmulatedAbort&) {
      }
    }
  }
  stop.store(true);
  reader.join();
  EXPECT_EQ(torn.load(), 0);
}

TEST(EmulatedHtmConfig, CapacityAbortPastTheConfiguredLines) {
  EmulationConfig c;
  c.max_read_lines = 4;
  emu::enable(c);
  struct alignas(64) Line {
    stm::Shared<uint64_t> w;
  };
  static Line lines[8];
  ASSERT_EQ(emu::begin(), emu::kStarted);
  uint32_t s = abort_status_of([&] {
    for (auto& l : lines) (void)l.w.load();
  });
  EXPECT_EQ(s, emu::kCapacity);
  emu::disable();
}

TEST(EmulatedHtmConfig, SpuriousAbortsAtTheConfiguredRate) {
  EmulationConfig c;
  c.spurious_aborts_per_million = 100000;  // 10% per access
  emu::enable(c);
  stm::Shared<uint64_t> x(0);
  int aborted = 0;
  for (int i = 0; i < 2000; ++i) {
    ASSERT_EQ(emu::begin(), emu::kStarted);
    uint32_t s = abort_status_of([&] {
      (void)x.load();
      emu::commit();
    });
    if (s != emu::kStarted) {
      EXPECT_TRUE(s == 0 || s == emu::kRetry) << s;
      ++aborted;
    }
  }
  EXPECT_GT(aborted, 100);
  EXPECT_LT(aborted, 350);
  emu::disable();
}

// The hardware path writes no shared line besides the data it updates: in
// particular never the global clock. So hardware transactions on disjoint
// data never conflict with each other (no funnel through one cache line).
TEST(HybridNoFunnel, DisjointHardwareTransactionsNeverConflict) {
  std::string error;
  ASSERT_TRUE(configure_tm(TmMode::kEmulatedHtm, {}, &error)) << error;
  struct alignas(64) Account {
    stm::TVar<int64_t> v{0};
  };
  static Account accounts[2];
  const stm::Version clock_before = stm::global_clock().now.load();
  const stm::TxStatsSnapshot before = stm::collect_tx_stats();
  std::latch start(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < 20000; ++i) {
        htm::atomically([&](stm::Tx& tx) { accounts[t].v.write(tx, accounts[t].v.read(tx) + 1); });
      }
    });
  }
  for (auto& th : threads) th.join();
  const stm::TxStatsSnapshot after = stm::collect_tx_stats();
  EXPECT_EQ(accounts[0].v.unsafe_peek(), 20000);
  EXPECT_EQ(accounts[1].v.unsafe_peek(), 20000);
  EXPECT_EQ(hw_aborts(after, HwAbort::kConflict) - hw_aborts(before, HwAbort::kConflict), 0u);
  EXPECT_EQ(after.commits_on(stm::CommitPath::kHardware) - before.commits_on(stm::CommitPath::kHardware), 40000u);
  EXPECT_EQ(stm::global_clock().now.load(), clock_before) << "hardware commits must not write the clock";
  ASSERT_TRUE(configure_tm(TmMode::kStm, {}, &error)) << error;
}

}  // namespace
}  // namespace tmkv::htm
