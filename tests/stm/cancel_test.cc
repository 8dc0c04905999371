// User abort (tx.cancel) and exceptions: both roll back every buffered
// write, inline and boxed, and neither is retried.
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

using testing::Stage;
using testing::StatsDelta;

struct Vars {
  TVar<int64_t> n{1};
  TVar<std::string> s{std::string("original")};
  TVar<std::vector<int>> v{std::vector<int>{1, 2, 3}};

  void write_all(Tx& tx) {
    n.write(tx, 99);
    s.write(tx, std::string(100, 'z'));  // heap-allocated string in a heap box
    s.write(tx, s.read(tx) + "!");       // overwritten within the attempt
    std::vector<int> w = v.read(tx);
    w.push_back(4);
    v.write(tx, std::move(w));
  }
  void expect_original() const {
    EXPECT_EQ(n.unsafe_peek(), 1);
    EXPECT_EQ(s.unsafe_peek(), "original");
    EXPECT_EQ(v.unsafe_peek(), (std::vector<int>{1, 2, 3}));
  }
};

TEST(StmCancel, CancelReturnsValueRollsBackAndRunsOnce) {
  Vars vars;
  StatsDelta delta;
  int runs = 0;
  int after_cancel = 0;
  int64_t r = atomically([&](Tx& tx) -> int64_t {
    ++runs;
    vars.write_all(tx);
    EXPECT_EQ(vars.n.read(tx), 99);  // read-after-write before the cancel
    tx.cancel(int64_t{-1});
    ++after_cancel;
    return 0;
  });
  EXPECT_EQ(r, -1);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(after_cancel, 0);
  vars.expect_original();
  EXPECT_EQ(delta.aborts(AbortCause::kUserAbort), 1u);
  EXPECT_EQ(delta.total_aborts(), 1u);
  EXPECT_EQ(delta.total_commits(), 0u);
}

TEST(StmCancel, CancelWithBoxedResultType) {
  Vars vars;
  std::string r = atomically([&](Tx& tx) {
    vars.write_all(tx);
    tx.cancel(std::string("cancelled: ") + vars.s.read(tx).substr(0, 3));
    return std::string("committed");
  });
  EXPECT_EQ(r, "cancelled: zzz");
  vars.expect_original();
}

TEST(StmCancel, CancelVoid) {
  Vars vars;
  StatsDelta delta;
  int runs = 0;
  atomically([&](Tx& tx) {
    ++runs;
    vars.write_all(tx);
    tx.cancel();
  });
  EXPECT_EQ(runs, 1);
  vars.expect_original();
  EXPECT_EQ(delta.aborts(AbortCause::kUserAbort), 1u);
  EXPECT_EQ(delta.total_commits(), 0u);
}

TEST(StmCancel, CancelInReadOnlyTransaction) {
  TVar<int64_t> x{3};
  StatsDelta delta;
  int runs = 0;
  bool r = atomically_read_only([&](Tx& tx) {
    ++runs;
    if (x.read(tx) == 3) tx.cancel(false);
    return true;
  });
  EXPECT_FALSE(r);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(delta.aborts(AbortCause::kUserAbort), 1u);
  EXPECT_EQ(delta.total_commits(), 0u);
}

// The cancel is honoured on a retried attempt too: attempt 1 is aborted by a
// conflict, attempt 2 sees the new value and cancels.
TEST(StmCancel, CancelOnRetriedAttempt) {
  TVar<int64_t> x{0};
  TVar<int64_t> y{0};
  Stage stage;
  StatsDelta delta;
  int attempts = 0;
  int r = 0;
  std::thread t1([&] {
    r = atomically([&](Tx& tx) {
      int a = ++attempts;
      int64_t v = x.read(tx);
      y.write(tx, 1);
      if (a == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
      if (v != 0) tx.cancel(-static_cast<int>(v));
      return 1;
    });
  });
  std::thread t2([&] {
    stage.wait(1);
    atomically([&](Tx& tx) { x.write(tx, 5); });
    stage.advance_to(2);
  });
  t1.join();
  t2.join();
  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(r, -5);
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(y.unsafe_peek(), 0);
  EXPECT_EQ(delta.aborts(AbortCause::kReadValidation), 1u);
  EXPECT_EQ(delta.aborts(AbortCause::kUserAbort), 1u);
}

TEST(StmCancel, ExceptionPropagatesRollsBackAndRunsOnce) {
  Vars vars;
  StatsDelta delta;
  int runs = 0;
  try {
    atomically([&](Tx& tx) {
      ++runs;
      vars.write_all(tx);
      throw std::runtime_error("boom");
    });
    ADD_FAILURE() << "exception was swallowed";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "boom");
  }
  EXPECT_EQ(runs, 1);
  vars.expect_original();
  EXPECT_EQ(delta.aborts(AbortCause::kException), 1u);
  EXPECT_EQ(delta.total_aborts(), 1u);
  EXPECT_EQ(delta.total_commits(), 0u);
}

// A cancel value of the wrong type is an ordinary exception (documented in
// atomically.h): rolled back, propagated, counted as kException.
TEST(StmCancel, CancelOfOtherTypePropagatesAsException) {
  Vars vars;
  StatsDelta delta;
  EXPECT_THROW(atomically([&](Tx& tx) -> int64_t {
                 vars.write_all(tx);
                 tx.cancel(1);  // int, not int64_t
               }),
               Cancelled<int>);
  vars.expect_original();
  EXPECT_EQ(delta.aborts(AbortCause::kException), 1u);
  EXPECT_EQ(delta.aborts(AbortCause::kUserAbort), 0u);
}

// After a cancel or an exception the thread's descriptor is idle and holds
// nothing of the rolled-back attempt: the next transaction does not commit
// the old buffered writes along with its own.
TEST(StmCancel, NextTransactionDoesNotInheritRolledBackWrites) {
  Vars vars;
  TVar<int64_t> other{0};
  atomically([&](Tx& tx) {
    vars.write_all(tx);
    tx.cancel();
  });
  EXPECT_FALSE(Tx::current().active());
  EXPECT_THROW(atomically([&](Tx& tx) {
                 vars.write_all(tx);
                 throw std::logic_error("x");
               }),
               std::logic_error);
  EXPECT_FALSE(Tx::current().active());
  bool leftover = atomically([&](Tx& tx) {
    bool any = tx.writes(vars.n.word()) || tx.writes(vars.s.word()) || tx.writes(vars.v.word());
    other.write(tx, 1);
    return any;
  });
  EXPECT_FALSE(leftover);
  EXPECT_EQ(other.unsafe_peek(), 1);
  vars.expect_original();
}

}  // namespace
}  // namespace tmkv::stm
