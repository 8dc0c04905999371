// The bank: N accounts, transfers composed from withdraw + deposit under one
// atomically(), and reports that read every account in one transaction and
// check, inside it, that money is conserved and no balance is negative.
// Each configuration runs for a bounded time; at the end every account must
// hold exactly its initial balance plus the net of the transfers that the
// transfer threads saw succeed.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "stm/stm.h"
#include "tests/stm/stm_test_util.h"

namespace tmkv::stm {
namespace {

using testing::RetryPolicyGuard;
using testing::StatsDelta;

constexpr int64_t kInitialBalance = 100;

struct Bank {
  explicit Bank(int n) {
    for (int i = 0; i < n; ++i) accounts.push_back(std::make_unique<TVar<int64_t>>(kInitialBalance));
  }
  int size() const { return static_cast<int>(accounts.size()); }
  TVar<int64_t>& at(int i) { return *accounts[i]; }
  std::vector<std::unique_ptr<TVar<int64_t>>> accounts;
};

// Atomic alone; inside a transfer it cancels the whole transfer with false.
bool withdraw(TVar<int64_t>& acc, int64_t amount) {
  return atomically([&](Tx& tx) {
    int64_t b = acc.read(tx);
    if (b < amount) tx.cancel(false);
    acc.write(tx, b - amount);
    return true;
  });
}

void deposit(TVar<int64_t>& acc, int64_t amount) {
  atomically([&](Tx& tx) { acc.write(tx, acc.read(tx) + amount); });
}

bool transfer(TVar<int64_t>& from, TVar<int64_t>& to, int64_t amount) {
  return atomically([&](Tx&) {
    withdraw(from, amount);
    deposit(to, amount);
    return true;
  });
}

struct BankConfig {
  const char* name;
  int accounts;
  int transfer_threads;
  int report_threads;
  // -1: keep the default escalation limit.
  int max_aborts_before_irrevocable;
};

void PrintTo(const BankConfig& c, std::ostream* os) { *os << c.name; }

class StmBank : public ::testing::TestWithParam<BankConfig> {};

TEST_P(StmBank, TransfersConserveMoneyAndReportsSeeConsistentTotals) {
  const BankConfig cfg = GetParam();
  // Long enough for real contention, short enough for TSan on 2 cores.
  constexpr auto kDuration = std::chrono::milliseconds(1200);
  constexpr auto kHardCap = std::chrono::seconds(10);

  RetryPolicyGuard guard;
  if (cfg.max_aborts_before_irrevocable >= 0) {
    testing::set_max_aborts_before_irrevocable(static_cast<uint32_t>(cfg.max_aborts_before_irrevocable));
  }
  Bank bank(cfg.accounts);
  const int64_t expected_total = kInitialBalance * cfg.accounts;

  std::atomic<bool> stop{false};
  std::atomic<int64_t> transfers{0};
  std::atomic<int64_t> declined{0};
  std::atomic<int64_t> reports{0};
  std::atomic<int64_t> violations{0};
  std::atomic<int64_t> final_violations{0};
  // Per transfer thread: net change per account of its successful transfers.
  std::vector<std::vector<int64_t>> net(cfg.transfer_threads, std::vector<int64_t>(cfg.accounts, 0));
  StatsDelta delta;

  std::vector<std::thread> threads;
  for (int t = 0; t < cfg.transfer_threads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(1000 + t);
      std::uniform_int_distribution<int> pick(0, cfg.accounts - 1);
      std::uniform_int_distribution<int64_t> amount(1, 60);
      while (!stop.load(std::memory_order_relaxed)) {
        int from = pick(rng);
        int to = pick(rng);
        if (from == to) to = (to + 1) % cfg.accounts;
        int64_t amt = amount(rng);
        if (transfer(bank.at(from), bank.at(to), amt)) {
          net[t][from] -= amt;
          net[t][to] += amt;
          transfers.fetch_add(1, std::memory_order_relaxed);
        } else {
          declined.fetch_add(1, std::memory_order_relaxed);
        }
      }
    });
  }
  for (int r = 0; r < cfg.report_threads; ++r) {
    threads.emplace_back([&, r] {
      for (int64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const bool backwards = (i & 1) != 0;
        auto report = [&](Tx& tx) {
          int64_t total = 0;
          bool negative = false;
          for (int k = 0; k < cfg.accounts; ++k) {
            int64_t b = bank.at(backwards ? cfg.accounts - 1 - k : k).read(tx);
            total += b;
            negative |= b < 0;
          }
          // Checked inside the transaction: opacity means even an attempt
          // that is about to abort must see a consistent state.
          if (total != expected_total || negative) violations.fetch_add(1);
          return total;
        };
        // Alternate read-only and read-write reports; the second reporter
        // starts with the other kind.
        int64_t total = ((i + r) & 1) ? atomically_read_only(report) : atomically(report);
        if (total != expected_total) violations.fetch_add(1);
        reports.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }

  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(kDuration);
  // Make sure both kinds of work really happened before stopping.
  testing::wait_for([&] { return transfers.load() > 0 && reports.load() > 0; }, kHardCap);
  stop.store(true);
  for (auto& th : threads) th.join();
  const auto elapsed = std::chrono::steady_clock::now() - start;

  // Final audit, in a transaction as well as with unsafe_peek.
  int64_t final_total = atomically_read_only([&](Tx& tx) {
    int64_t s = 0;
    for (int k = 0; k < cfg.accounts; ++k) s += bank.at(k).read(tx);
    return s;
  });
  EXPECT_EQ(final_total, expected_total);
  for (int k = 0; k < cfg.accounts; ++k) {
    int64_t want = kInitialBalance;
    for (int t = 0; t < cfg.transfer_threads; ++t) want += net[t][k];
    int64_t have = bank.at(k).unsafe_peek();
    if (have < 0) final_violations.fetch_add(1);
    EXPECT_EQ(have, want) << "account " << k;
  }
  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(final_violations.load(), 0);
  EXPECT_GT(transfers.load(), 0);
  EXPECT_GT(reports.load(), 0);
  // Every successful transfer and every report committed exactly once;
  // declined transfers were user aborts, not commits.
  EXPECT_EQ(delta.total_commits(), static_cast<uint64_t>(transfers.load() + reports.load() + 1));
  EXPECT_EQ(delta.aborts(AbortCause::kUserAbort), static_cast<uint64_t>(declined.load()));
  EXPECT_EQ(delta.aborts(AbortCause::kException), 0u);
  if (cfg.max_aborts_before_irrevocable == 0) {
    // Every transaction ran irrevocably, so none could abort on a conflict.
    EXPECT_EQ(delta.total_aborts(), delta.aborts(AbortCause::kUserAbort));
    EXPECT_EQ(delta.commits(CommitPath::kIrrevocable), delta.total_commits());
  }
  ::testing::Test::RecordProperty("transfers", std::to_string(transfers.load()));
  ::testing::Test::RecordProperty("reports", std::to_string(reports.load()));
  std::printf("[ bank     ] %s: %lld transfers, %lld declined, %lld reports, %llu aborts, %llu escalations in %lld ms\n",
              cfg.name, static_cast<long long>(transfers.load()), static_cast<long long>(declined.load()),
              static_cast<long long>(reports.load()), static_cast<unsigned long long>(delta.total_aborts()),
              static_cast<unsigned long long>(delta.escalations()),
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
}

INSTANTIATE_TEST_SUITE_P(
    Configs, StmBank,
    ::testing::Values(BankConfig{"TwoAccountsFourTransferers", 2, 4, 1, -1},
                      BankConfig{"FewAccounts", 4, 3, 1, -1},
                      BankConfig{"SixtyFourAccounts", 64, 3, 2, -1},
                      BankConfig{"ManyAccounts", 1024, 2, 2, -1},
                      BankConfig{"EagerEscalation", 8, 3, 1, 1},
                      BankConfig{"AllIrrevocable", 16, 2, 2, 0}),
    [](const ::testing::TestParamInfo<BankConfig>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace tmkv::stm
