// The irrevocable fallback: escalation after repeated aborts, and what the
// serial gate guarantees while an irrevocable transaction runs.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

#include "stm/serial_gate.h"
#include "stm/stm.h"
#include "tests/stm/stm_test_util.h"

namespace tmkv::stm {
namespace {

using testing::RetryPolicyGuard;
using testing::set_max_aborts_before_irrevocable;
using testing::Stage;
using testing::StatsDelta;
using testing::wait_for;

// T1 reads x; a conflicting writer commits x after every software attempt's
// read, so every software attempt must abort. With the limit at 2, attempts 1
// and 2 abort and attempt 3 runs irrevocably and commits.
TEST(StmIrrevocable, EscalatesAfterMaxAbortsAndCommitsIrrevocably) {
  RetryPolicyGuard guard;
  constexpr uint32_t kLimit = 2;
  // T2 conflicts with at most this many attempts, so that a broken
  // escalation fails the test instead of livelocking it.
  constexpr int kMaxConflicts = static_cast<int>(kLimit) + 3;
  set_max_aborts_before_irrevocable(kLimit);
  TVar<int64_t> x{0};
  TVar<int64_t> y{0};
  Stage stage;
  StatsDelta delta;
  std::vector<bool> irrevocable;          // per attempt, T1 only
  std::vector<uint32_t> aborts_so_far;    // per attempt, T1 only
  std::atomic<bool> t1_done{false};

  std::thread t1([&] {
    atomically([&](Tx& tx) {
      irrevocable.push_back(tx.irrevocable());
      aborts_so_far.push_back(tx.attempt_aborts());
      int a = static_cast<int>(irrevocable.size());
      int64_t v = x.read(tx);
      if (!tx.irrevocable() && a <= kMaxConflicts) {
        stage.advance_to(2 * a - 1);  // 1, 3, ...: T2 may commit x now
        stage.wait(2 * a);
      }
      y.write(tx, v);
    });
    t1_done.store(true);
  });
  std::thread t2([&] {
    // Commit to x once per software attempt of T1, while it is paused.
    for (int a = 1; a <= kMaxConflicts && !t1_done.load(); ++a) {
      if (!wait_for([&] { return stage.get() >= 2 * a - 1 || t1_done.load(); })) break;
      if (t1_done.load()) break;
      atomically([&](Tx& tx) { x.write(tx, x.read(tx) + 1); });
      stage.advance_to(2 * a);
    }
  });
  t1.join();
  t2.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(irrevocable, (std::vector<bool>{false, false, true}));
  EXPECT_EQ(aborts_so_far, (std::vector<uint32_t>{0, 1, 2}));
  EXPECT_EQ(x.unsafe_peek(), 2);
  EXPECT_EQ(y.unsafe_peek(), 2);  // the irrevocable attempt saw both commits
  EXPECT_EQ(delta.escalations(), 1u);
  EXPECT_EQ(delta.commits(CommitPath::kIrrevocable), 1u);
  EXPECT_EQ(delta.aborts(AbortCause::kReadValidation), kLimit);
  EXPECT_FALSE(serial_gate().active());
}

// With the limit at 0 every transaction is irrevocable from its first attempt
// and none can abort: a multi-threaded counter needs exactly one commit per
// increment and no retries.
TEST(StmIrrevocable, LimitZeroMakesEveryTransactionIrrevocableWithoutAborts) {
  RetryPolicyGuard guard;
  set_max_aborts_before_irrevocable(0);
  constexpr int kThreads = 3;
  constexpr int kIncrements = 500;
  TVar<int64_t> counter{0};
  std::atomic<int> not_irrevocable{0};
  StatsDelta delta;
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        atomically([&](Tx& tx) {
          if (!tx.irrevocable()) not_irrevocable.fetch_add(1);
          counter.write(tx, counter.read(tx) + 1);
        });
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(counter.unsafe_peek(), kThreads * kIncrements);
  EXPECT_EQ(not_irrevocable.load(), 0);
  EXPECT_EQ(delta.total_aborts(), 0u);
  EXPECT_EQ(delta.commits(CommitPath::kIrrevocable), uint64_t{kThreads * kIncrements});
  EXPECT_EQ(delta.escalations(), uint64_t{kThreads * kIncrements});
}

// TxKind::kIrrevocable: every attempt, the first included, holds the gate,
// with the default limit. Alone, it commits on the irrevocable path and is
// not counted as an escalation (no transaction aborted). Beside a writer
// that keeps committing, it still runs its body once per call and commits:
// effects outside the TVars (here a plain counter) happen exactly once.
TEST(StmIrrevocable, IrrevocableKindHoldsTheGateFromTheFirstAttempt) {
  TVar<int64_t> x{0};  // both write it
  TVar<int64_t> y{0};  // only the irrevocable calls write it
  constexpr int kCalls = 200;
  int runs = 0;
  int not_irrevocable = 0;
  auto call = [&] {
    atomically(
        [&](Tx& tx) {
          ++runs;
          if (!tx.irrevocable()) ++not_irrevocable;
          x.write(tx, x.read(tx) + 1);
          y.write(tx, y.read(tx) + 1);
        },
        TxKind::kIrrevocable);
  };
  {
    StatsDelta delta;  // no other thread: these counts are the calls'
    for (int i = 0; i < 10; ++i) call();
    EXPECT_EQ(delta.commits(CommitPath::kIrrevocable), 10u);
    EXPECT_EQ(delta.escalations(), 0u);
    EXPECT_EQ(delta.total_aborts(), 0u);
  }
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    while (!stop.load()) atomically([&](Tx& tx) { x.write(tx, x.read(tx) + 1); });
  });
  for (int i = 10; i < kCalls; ++i) call();
  stop.store(true);
  writer.join();
  EXPECT_EQ(not_irrevocable, 0);
  EXPECT_EQ(runs, kCalls);
  EXPECT_EQ(y.unsafe_peek(), kCalls);
}

// T2 begins a writing transaction and reads x; then T1 goes irrevocable and
// reads x; T2 writes x and tries to commit. T2's commit must fail with
// kIrrevocableWait (it may not commit in between), T1 sees x unchanged for
// its whole run and commits; T2 then re-runs on top of T1's result.
TEST(StmIrrevocable, WriterCannotCommitWhileIrrevocableRuns) {
  RetryPolicyGuard guard;
  TVar<int64_t> x{0};
  Stage stage;
  StatsDelta delta;
  std::vector<int64_t> t2_saw;
  std::vector<int64_t> t1_saw;
  bool t1_was_irrevocable = false;
  bool saw_wait = false;

  std::thread t2([&] {
    atomically([&](Tx& tx) {
      int64_t v = x.read(tx);
      t2_saw.push_back(v);
      if (t2_saw.size() == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
      x.write(tx, v + 1);
    });
  });
  stage.wait(1);
  set_max_aborts_before_irrevocable(0);  // T1's first attempt escalates
  std::thread t1([&] {
    atomically([&](Tx& tx) {
      t1_was_irrevocable = tx.irrevocable();
      guard.restore();  // later attempts of T2 must not escalate
      t1_saw.push_back(x.read(tx));
      stage.advance_to(2);
      // T2's commit attempt is rejected by the gate.
      saw_wait = wait_for([&] { return delta.aborts(AbortCause::kIrrevocableWait) >= 1; });
      t1_saw.push_back(x.read(tx));
      x.write(tx, x.read(tx) + 10);
    });
  });
  t1.join();
  t2.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_TRUE(t1_was_irrevocable);
  EXPECT_TRUE(saw_wait);
  EXPECT_EQ(t1_saw, (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(t2_saw, (std::vector<int64_t>{0, 10}));
  EXPECT_EQ(x.unsafe_peek(), 11);
  EXPECT_EQ(delta.aborts(AbortCause::kIrrevocableWait), 1u);
  EXPECT_EQ(delta.commits(CommitPath::kIrrevocable), 1u);
  EXPECT_EQ(delta.commits(CommitPath::kSoftware), 1u);
}

// A writing transaction that starts while the gate is held does not commit
// (or even get to run) until the irrevocable transaction is done.
TEST(StmIrrevocable, WriterStartedWhileGateHeldRunsAfterIt) {
  RetryPolicyGuard guard;
  TVar<int64_t> x{0};
  Stage stage;
  std::atomic<bool> t2_done{false};
  std::atomic<int64_t> t2_saw{-1};
  bool t2_done_during_t1 = true;
  int64_t t1_reread = -1;

  set_max_aborts_before_irrevocable(0);
  std::thread t1([&] {
    atomically([&](Tx& tx) {
      guard.restore();
      x.write(tx, x.read(tx) + 1);
      stage.advance_to(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      t2_done_during_t1 = t2_done.load();
      t1_reread = x.read(tx);
    });
  });
  std::thread t2([&] {
    stage.wait(1);
    atomically([&](Tx& tx) {
      t2_saw.store(x.read(tx));
      x.write(tx, x.read(tx) + 100);
    });
    t2_done.store(true);
  });
  t1.join();
  t2.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_FALSE(t2_done_during_t1);
  EXPECT_EQ(t1_reread, 1);  // its own write, nothing of T2's
  EXPECT_EQ(t2_saw.load(), 1);
  EXPECT_EQ(x.unsafe_peek(), 101);
}

// A read-only transaction that was already running when T1 took the gate
// goes on and commits while T1 is still inside, with a consistent snapshot.
TEST(StmIrrevocable, RunningReadOnlyTransactionCompletesWhileIrrevocableRuns) {
  RetryPolicyGuard guard;
  TVar<int64_t> x{0};
  TVar<int64_t> y{0};
  Stage stage;
  StatsDelta delta;
  std::atomic<int> violations{0};
  int ro_attempts = 0;
  bool ro_done_during_t1 = false;

  std::thread ro([&] {
    atomically_read_only([&](Tx& tx) {
      ++ro_attempts;
      int64_t vx = x.read(tx);
      if (ro_attempts == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
      int64_t vy = y.read(tx);
      if (vx + vy != 0) violations.fetch_add(1);
    });
    stage.advance_to(3);
  });
  stage.wait(1);
  set_max_aborts_before_irrevocable(0);
  std::thread t1([&] {
    atomically([&](Tx& tx) {
      guard.restore();
      x.write(tx, x.read(tx) + 1);
      y.write(tx, y.read(tx) - 1);
      stage.advance_to(2);
      ro_done_during_t1 = stage.wait(3);
    });
  });
  ro.join();
  t1.join();

  EXPECT_TRUE(ro_done_during_t1);
  EXPECT_EQ(ro_attempts, 1);
  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(delta.commits(CommitPath::kReadOnly), 1u);
  EXPECT_EQ(delta.commits(CommitPath::kIrrevocable), 1u);
  EXPECT_EQ(x.unsafe_peek(), 1);
}

// Regression: read-only transactions used to wait at begin while the gate
// was held, although their commit never consults it (serial_gate.h).
TEST(StmIrrevocable, ReadOnlyTransactionStartedWhileGateHeldStillRuns) {
  RetryPolicyGuard guard;
  TVar<int64_t> x{5};
  Stage stage;
  std::atomic<int64_t> ro_saw{-1};
  bool ro_done_during_t1 = false;

  set_max_aborts_before_irrevocable(0);
  std::thread t1([&] {
    atomically([&](Tx& tx) {
      guard.restore();
      x.write(tx, 6);
      stage.advance_to(1);
      ro_done_during_t1 = stage.wait(2, std::chrono::milliseconds(2000));
    });
  });
  std::thread ro([&] {
    stage.wait(1);
    ro_saw.store(atomically_read_only([&](Tx& tx) { return x.read(tx); }));
    stage.advance_to(2);
  });
  t1.join();
  ro.join();

  EXPECT_TRUE(ro_done_during_t1) << "read-only transaction was blocked by the serial gate";
  EXPECT_EQ(ro_saw.load(), 5);  // T1 had not committed yet
}

// Cancel and exceptions in an irrevocable transaction roll back and release
// the gate, so other writers can commit again.
TEST(StmIrrevocable, CancelAndExceptionReleaseTheGate) {
  RetryPolicyGuard guard;
  set_max_aborts_before_irrevocable(0);
  TVar<int64_t> x{1};
  bool was_irrevocable = false;
  bool r = atomically([&](Tx& tx) {
    was_irrevocable = tx.irrevocable();
    x.write(tx, 2);
    tx.cancel(false);
    return true;
  });
  EXPECT_FALSE(r);
  EXPECT_TRUE(was_irrevocable);
  EXPECT_FALSE(serial_gate().active());
  EXPECT_EQ(x.unsafe_peek(), 1);

  EXPECT_THROW(atomically([&](Tx& tx) {
                 x.write(tx, 3);
                 throw std::runtime_error("boom");
               }),
               std::runtime_error);
  EXPECT_FALSE(serial_gate().active());
  EXPECT_EQ(x.unsafe_peek(), 1);

  // Another thread's software transaction commits without waiting.
  guard.restore();
  std::atomic<bool> done{false};
  std::thread t([&] {
    atomically([&](Tx& tx) { x.write(tx, 4); });
    done.store(true);
  });
  EXPECT_TRUE(wait_for([&] { return done.load(); }));
  t.join();
  EXPECT_EQ(x.unsafe_peek(), 4);
}

}  // namespace
}  // namespace tmkv::stm
