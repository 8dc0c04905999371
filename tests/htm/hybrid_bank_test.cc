// The seeds' bank over the hybrid, in emulated-htm mode: hardware-path and
// software-path transactions interleave on the same accounts, with forced
// fallback rates of 0%, 10%, 50% and 100% and 2 to 8 threads. Every report
// (one transaction reading every account) must see the total conserved and
// no negative balance.
//
// Built twice: as hybrid_bank_test, which must pass, and with
// TMKV_TEST_BREAK_HW_LOCK_CHECK as hybrid_bank_broken_test, whose hardware
// reads skip the version-lock check; there the same workload must find a
// violation, which shows the test catches what it is for.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "htm/atomically.h"
#include "htm/hybrid_stats.h"
#include "htm/tm_mode.h"
#include "stm/stm.h"

namespace tmkv::htm {
namespace {

struct BankResult {
  long transfers = 0;
  long reports = 0;
  long bad_reports = 0;
  bool final_ok = false;
  stm::TxStatsSnapshot stats;
};

struct BankParams {
  int threads;
  unsigned fallback_percent;
  int accounts = 16;
  int64_t initial = 100;
  std::chrono::milliseconds duration{400};
};

BankResult run_bank(const BankParams& p) {
  EmulationConfig emu;
  emu.forced_fallback_percent = p.fallback_percent;
  std::string error;
  EXPECT_TRUE(configure_tm(TmMode::kEmulatedHtm, emu, &error)) << error;

  auto accounts = std::make_unique<stm::TVar<int64_t>[]>(p.accounts);
  for (int i = 0; i < p.accounts; ++i) {
    htm::atomically([&](stm::Tx& tx) { accounts[i].write(tx, p.initial); });
  }
  const int64_t expected = p.initial * p.accounts;
  auto withdraw = [&](int a, int64_t amount) {
    return htm::atomically([&](stm::Tx& tx) {
      int64_t b = accounts[a].read(tx);
      if (b < amount) tx.cancel(false);
      accounts[a].write(tx, b - amount);
      return true;
    });
  };
  auto deposit = [&](int a, int64_t amount) {
    htm::atomically([&](stm::Tx& tx) { accounts[a].write(tx, accounts[a].read(tx) + amount); });
  };

  const stm::TxStatsSnapshot before = stm::collect_tx_stats();
  std::atomic<bool> stop{false};
  std::atomic<long> transfers{0}, reports{0}, bad{0};
  std::vector<std::thread> threads;
  const int reporters = p.threads >= 4 ? 2 : 1;
  for (int t = 0; t < p.threads; ++t) {
    threads.emplace_back([&, t] {
      uint64_t x = 0x9E3779B97F4A7C15ull * (t + 1);
      while (!stop.load(std::memory_order_relaxed)) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        if (t < reporters) {
          int64_t total = 0;
          bool negative = false;
          htm::atomically([&](stm::Tx& tx) {
            total = 0;
            negative = false;
            for (int i = 0; i < p.accounts; ++i) {
              int64_t b = accounts[i].read(tx);
              total += b;
              negative |= b < 0;
            }
          });
          if (total != expected || negative) bad.fetch_add(1, std::memory_order_relaxed);
          reports.fetch_add(1, std::memory_order_relaxed);
        } else {
          int from = static_cast<int>(x % p.accounts);
          int to = static_cast<int>((x >> 16) % p.accounts);
          int64_t amount = static_cast<int64_t>((x >> 32) % 20) + 1;
          // transfer = withdraw + deposit, composed into one transaction
          htm::atomically([&](stm::Tx&) {
            if (!withdraw(from, amount)) return false;
            deposit(to, amount);
            return true;
          });
          transfers.fetch_add(1, std::memory_order_relaxed);
        }
      }
    });
  }
  std::this_thread::sleep_for(p.duration);
  stop.store(true);
  for (auto& th : threads) th.join();

  BankResult r;
  r.transfers = transfers.load();
  r.reports = reports.load();
  r.bad_reports = bad.load();
  int64_t total = 0;
  bool negative = false;
  for (int i = 0; i < p.accounts; ++i) {
    total += accounts[i].unsafe_peek();
    negative |= accounts[i].unsafe_peek() < 0;
  }
  r.final_ok = total == expected && !negative;
  stm::TxStatsSnapshot after = stm::collect_tx_stats();
  for (size_t i = 0; i < stm::kCommitPathCount; ++i) r.stats.commits[i] = after.commits[i] - before.commits[i];
  for (size_t i = 0; i < stm::kExtensionCounters; ++i) r.stats.extension[i] = after.extension[i] - before.extension[i];
  EXPECT_TRUE(configure_tm(TmMode::kStm, {}, &error)) << error;
  return r;
}

#ifndef TMKV_TEST_BREAK_HW_LOCK_CHECK

class HybridBank : public ::testing::TestWithParam<std::tuple<int, unsigned>> {};

TEST_P(HybridBank, InvariantsHoldInEveryReport) {
  auto [threads, fallback] = GetParam();
  BankResult r = run_bank({threads, fallback});
  EXPECT_EQ(r.bad_reports, 0);
  EXPECT_TRUE(r.final_ok);
  EXPECT_GT(r.transfers, 0);
  EXPECT_GT(r.reports, 0);
  const uint64_t hw = r.stats.commits_on(stm::CommitPath::kHardware);
  const uint64_t sw = r.stats.commits_on(stm::CommitPath::kSoftware) + r.stats.commits_on(stm::CommitPath::kIrrevocable);
  // Both paths really ran, in the proportions the forced rate asks for.
  if (fallback < 100) {
    EXPECT_GT(hw, 0u) << "no hardware commits";
  } else {
    EXPECT_EQ(hw, 0u);
  }
  if (fallback > 0) {
    EXPECT_GT(sw, 0u) << "no software commits";
  }
}

INSTANTIATE_TEST_SUITE_P(ThreadsAndFallbackRates, HybridBank,
                         ::testing::Combine(::testing::Values(2, 4, 8), ::testing::Values(0u, 10u, 50u, 100u)),
                         [](const auto& info) {
                           return std::to_string(std::get<0>(info.param)) + "threads_" +
                                  std::to_string(std::get<1>(info.param)) + "pct_fallback";
                         });

#else  // the deliberately broken protocol

TEST(HybridBankBroken, DroppingTheHardwareLockCheckIsCaught) {
  // Mixed paths on few accounts, repeated until a violation shows (bounded).
  long bad = 0;
  bool final_broken = false;
  for (int round = 0; round < 20 && bad == 0 && !final_broken; ++round) {
    BankResult r = run_bank({4, 50, 4, 100, std::chrono::milliseconds(300)});
    bad += r.bad_reports;
    final_broken |= !r.final_ok;
  }
  EXPECT_TRUE(bad > 0 || final_broken) << "the broken protocol went unnoticed: the bank test cannot catch it";
}

#endif

}  // namespace
}  // namespace tmkv::htm
