// Flattened nesting: an atomically() inside another joins the enclosing
// transaction. withdraw() and deposit() are atomic on their own; transfer()
// composes them and is atomic as a whole.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "stm/stm.h"
#include "tests/stm/stm_test_util.h"

namespace tmkv::stm {
namespace {

using testing::RetryPolicyGuard;
using testing::Stage;
using testing::StatsDelta;

struct FrozenAccount : std::runtime_error {
  FrozenAccount() : std::runtime_error("account frozen") {}
};

struct Account {
  explicit Account(int64_t b) : balance(b) {}
  TVar<int64_t> balance;
  TVar<bool> frozen{false};
};

// Cancels the whole (outermost) transaction with false on insufficient funds.
bool withdraw(Account& a, int64_t amount) {
  return atomically([&](Tx& tx) {
    int64_t b = a.balance.read(tx);
    if (b < amount) tx.cancel(false);
    a.balance.write(tx, b - amount);
    return true;
  });
}

// Throws (rolling back the outermost transaction) into a frozen account.
void deposit(Account& a, int64_t amount) {
  atomically([&](Tx& tx) {
    if (a.frozen.read(tx)) throw FrozenAccount();
    a.balance.write(tx, a.balance.read(tx) + amount);
  });
}

// Deposits first so that a failing withdraw has something to roll back.
bool transfer(Account& from, Account& to, int64_t amount) {
  return atomically([&](Tx&) {
    deposit(to, amount);
    withdraw(from, amount);
    return true;
  });
}

TEST(StmNesting, WithdrawAndDepositAreAtomicAlone) {
  Account a{100};
  EXPECT_TRUE(withdraw(a, 30));
  EXPECT_EQ(a.balance.unsafe_peek(), 70);
  EXPECT_FALSE(withdraw(a, 71));
  EXPECT_EQ(a.balance.unsafe_peek(), 70);
  deposit(a, 5);
  EXPECT_EQ(a.balance.unsafe_peek(), 75);
}

TEST(StmNesting, TransferComposesIntoOneCommit) {
  Account from{100};
  Account to{0};
  StatsDelta delta;
  EXPECT_TRUE(transfer(from, to, 40));
  EXPECT_EQ(from.balance.unsafe_peek(), 60);
  EXPECT_EQ(to.balance.unsafe_peek(), 40);
  // One transaction, not three.
  EXPECT_EQ(delta.total_commits(), 1u);
  EXPECT_EQ(delta.total_aborts(), 0u);
}

TEST(StmNesting, CancelInInnerRollsBackOuterEntirely) {
  Account from{10};
  Account to{0};
  StatsDelta delta;
  EXPECT_FALSE(transfer(from, to, 40));
  EXPECT_EQ(from.balance.unsafe_peek(), 10);
  EXPECT_EQ(to.balance.unsafe_peek(), 0);  // the deposit was rolled back
  EXPECT_EQ(delta.aborts(AbortCause::kUserAbort), 1u);
  EXPECT_EQ(delta.total_aborts(), 1u);
  EXPECT_EQ(delta.total_commits(), 0u);
}

TEST(StmNesting, ExceptionInInnerRollsBackOuterAndPropagates) {
  Account from{100};
  Account to{0};
  atomically([&](Tx& tx) { to.frozen.write(tx, true); });
  StatsDelta delta;
  int outer_runs = 0;
  EXPECT_THROW(atomically([&](Tx&) {
                 ++outer_runs;
                 withdraw(from, 40);  // succeeds, buffered
                 deposit(to, 40);     // throws
                 return true;
               }),
               FrozenAccount);
  EXPECT_EQ(outer_runs, 1);
  EXPECT_EQ(from.balance.unsafe_peek(), 100);
  EXPECT_EQ(to.balance.unsafe_peek(), 0);
  EXPECT_EQ(delta.aborts(AbortCause::kException), 1u);
  EXPECT_EQ(delta.total_commits(), 0u);
  // The descriptor is clean afterwards: nothing of the rolled-back attempt
  // is still buffered in this thread's next transaction.
  bool leftover = atomically([&](Tx& tx) { return tx.writes(from.balance.word()); });
  EXPECT_FALSE(leftover);
}

TEST(StmNesting, NestedAtomicallyReturnsInnerValueAndSeesOuterWrites) {
  TVar<int64_t> x{1};
  int64_t inner_saw = 0;
  std::string r = atomically([&](Tx& tx) {
    x.write(tx, 5);
    int64_t v = atomically([&](Tx& inner) {
      EXPECT_EQ(&inner, &tx);  // same descriptor: flattened
      inner_saw = x.read(inner);
      x.write(inner, inner_saw + 1);
      return int64_t{42};
    });
    return std::to_string(v) + "/" + std::to_string(x.read(tx));
  });
  EXPECT_EQ(r, "42/6");
  EXPECT_EQ(inner_saw, 5);
  EXPECT_EQ(x.unsafe_peek(), 6);
}

TEST(StmNesting, ThreeLevelsCancelAtInnermostRollsBackAll) {
  TVar<int64_t> a{0};
  TVar<int64_t> b{0};
  TVar<int64_t> c{0};
  int runs = 0;
  int after_inner = 0;
  int r = atomically([&](Tx& tx) {
    ++runs;
    a.write(tx, 1);
    atomically([&](Tx& tx2) {
      b.write(tx2, 2);
      atomically([&](Tx& tx3) {
        c.write(tx3, 3);
        tx3.cancel(-7);  // the outermost result type is int
      });
      ++after_inner;
    });
    ++after_inner;
    return 1;
  });
  EXPECT_EQ(r, -7);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(after_inner, 0);
  EXPECT_EQ(a.unsafe_peek(), 0);
  EXPECT_EQ(b.unsafe_peek(), 0);
  EXPECT_EQ(c.unsafe_peek(), 0);
}

// tx.cancel(v) must match the outermost result type; an inner cancel of
// another type is just an exception to the outermost atomically: rolled
// back and propagated, counted as kException.
TEST(StmNesting, InnerCancelOfOtherTypePropagatesAsException) {
  Account from{10};
  Account to{0};
  StatsDelta delta;
  EXPECT_THROW(atomically([&](Tx&) {  // returns void, withdraw cancels bool
                 deposit(to, 50);
                 withdraw(from, 50);
               }),
               Cancelled<bool>);
  EXPECT_EQ(from.balance.unsafe_peek(), 10);
  EXPECT_EQ(to.balance.unsafe_peek(), 0);
  EXPECT_EQ(delta.aborts(AbortCause::kException), 1u);
  EXPECT_EQ(delta.aborts(AbortCause::kUserAbort), 0u);
}

// A conflict found inside the inner call restarts the whole outer
// transaction, not just the inner lambda.
TEST(StmNesting, ConflictInInnerRestartsOuter) {
  RetryPolicyGuard guard;
  retry_policy().stamp_clock.store(false);  // classic TL2: the stale read restarts
  TVar<int64_t> x{0};
  TVar<int64_t> y{0};
  Stage stage;
  int outer_attempts = 0;
  int inner_attempts = 0;
  int after_inner = 0;

  std::thread t1([&] {
    atomically([&](Tx& tx) {
      int a = ++outer_attempts;
      y.write(tx, a);
      if (a == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
      int64_t v = atomically([&](Tx& inner) {
        ++inner_attempts;
        return x.read(inner);  // stale in attempt 1: restarts here
      });
      ++after_inner;
      y.write(tx, y.read(tx) * 100 + v);
    });
  });
  std::thread t2([&] {
    stage.wait(1);
    atomically([&](Tx& tx) { x.write(tx, 9); });
    stage.advance_to(2);
  });
  t1.join();
  t2.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(outer_attempts, 2);
  EXPECT_EQ(inner_attempts, 2);
  EXPECT_EQ(after_inner, 1);
  EXPECT_EQ(y.unsafe_peek(), 2 * 100 + 9);
}

// A write in an inner read-write atomically inside an outer read-only one
// upgrades the whole (outer) transaction.
TEST(StmNesting, InnerWriteUpgradesOuterReadOnly) {
  TVar<int64_t> x{1};
  StatsDelta delta;
  int outer_runs = 0;
  std::vector<TxMode> modes;
  int64_t r = atomically_read_only([&](Tx& tx) {
    ++outer_runs;
    modes.push_back(tx.mode());
    int64_t v = x.read(tx);
    atomically([&](Tx& inner) { x.write(inner, v + 1); });
    return x.read(tx);
  });
  EXPECT_EQ(r, 2);
  EXPECT_EQ(x.unsafe_peek(), 2);
  EXPECT_EQ(outer_runs, 2);
  EXPECT_EQ(modes, (std::vector<TxMode>{TxMode::kReadOnly, TxMode::kReadWrite}));
  EXPECT_EQ(delta.aborts(AbortCause::kReadOnlyUpgrade), 1u);
  EXPECT_EQ(delta.commits(CommitPath::kSoftware), 1u);
}

}  // namespace
}  // namespace tmkv::stm
