// Conflict detection, staged: two threads take turns through a Stage so each
// test runs exactly one interleaving, and the abort counts are exact.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "stm/stm.h"
#include "tests/stm/stm_test_util.h"

namespace tmkv::stm {
namespace {

using testing::Stage;
using testing::RetryPolicyGuard;
using testing::StatsDelta;

// T1 reads x and pauses; T2 commits x; T1 writes y and commits. T1's read of
// x is stale, so commit-time validation must reject it and re-run the lambda,
// which then sees T2's value.
TEST(StmConflict, StaleReadAbortsAtCommitWithReadValidationAndRetries) {
  TVar<int64_t> x{1};
  TVar<int64_t> y{0};
  Stage stage;
  StatsDelta delta;
  int attempts = 0;              // T1 only
  std::vector<int64_t> seen_x;   // T1 only: x as seen by each attempt

  std::thread t1([&] {
    atomically([&](Tx& tx) {
      int a = ++attempts;
      int64_t v = x.read(tx);
      seen_x.push_back(v);
      if (a == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
      y.write(tx, v * 10);
    });
  });
  std::thread t2([&] {
    stage.wait(1);
    atomically([&](Tx& tx) { x.write(tx, 2); });
    stage.advance_to(2);
  });
  t1.join();
  t2.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(seen_x, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(y.unsafe_peek(), 20);
  EXPECT_EQ(x.unsafe_peek(), 2);
  EXPECT_EQ(delta.aborts(AbortCause::kReadValidation), 1u);
  EXPECT_EQ(delta.total_aborts(), 1u);
  EXPECT_EQ(delta.commits(CommitPath::kSoftware), 2u);
}

// T1 begins, pauses before reading; T2 commits x; T1's read of x finds a
// version newer than its read version and must restart at once: the code
// after the read never runs in the first attempt.
// Classic TL2 clock: a version above rv aborts the read at once.
TEST(StmConflict, ReadOfLocationCommittedAfterBeginRestartsAtTheRead) {
  RetryPolicyGuard guard;
  retry_policy().stamp_clock.store(false);
  TVar<int64_t> x{1};
  Stage stage;
  StatsDelta delta;
  int attempts = 0;
  int after_read = 0;
  int64_t result = 0;

  std::thread t1([&] {
    result = atomically([&](Tx& tx) {
      int a = ++attempts;
      if (a == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
      int64_t v = x.read(tx);
      ++after_read;
      return v;
    });
  });
  std::thread t2([&] {
    stage.wait(1);
    atomically([&](Tx& tx) { x.write(tx, 7); });
    stage.advance_to(2);
  });
  t1.join();
  t2.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(after_read, 1);
  EXPECT_EQ(result, 7);
  EXPECT_EQ(delta.aborts(AbortCause::kReadValidation), 1u);
  EXPECT_EQ(delta.total_aborts(), 1u);
}

// Stamped (GV5) clock: the read moves the clock up and extends rv instead,
// because nothing read before it has changed. No abort, one attempt.
TEST(StmConflict, StampedClockExtendsInsteadOfRestartingWhenNothingElseChanged) {
  RetryPolicyGuard guard;
  retry_policy().stamp_clock.store(true);
  TVar<int64_t> x{1};
  TVar<int64_t> y{2};
  Stage stage;
  StatsDelta delta;
  int attempts = 0;
  int64_t result = 0;
  std::thread t1([&] {
    result = atomically([&](Tx& tx) {
      int a = ++attempts;
      int64_t b = y.read(tx);  // unchanged by t2: extension keeps it valid
      if (a == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
      return b + x.read(tx);
    });
  });
  std::thread t2([&] {
    stage.wait(1);
    atomically([&](Tx& tx) { x.write(tx, 7); });
    stage.advance_to(2);
  });
  t1.join();
  t2.join();
  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(result, 9);
  EXPECT_EQ(delta.total_aborts(), 0u);
}

// Stamped clock: when something already read has changed, extension fails
// and the read restarts the transaction, which then sees both new values.
TEST(StmConflict, StampedClockRestartsWhenAnEarlierReadChanged) {
  RetryPolicyGuard guard;
  retry_policy().stamp_clock.store(true);
  TVar<int64_t> x{1};
  TVar<int64_t> y{2};
  Stage stage;
  StatsDelta delta;
  int attempts = 0;
  int64_t result = 0;
  std::thread t1([&] {
    result = atomically([&](Tx& tx) {
      int a = ++attempts;
      int64_t b = y.read(tx);
      if (a == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
      return b + x.read(tx);
    });
  });
  std::thread t2([&] {
    stage.wait(1);
    atomically([&](Tx& tx) {
      x.write(tx, 7);
      y.write(tx, 30);
    });
    stage.advance_to(2);
  });
  t1.join();
  t2.join();
  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(result, 37) << "never 2 + 7: that state never existed";
  EXPECT_EQ(delta.aborts(AbortCause::kReadValidation), 1u);
}

// Read-modify-write on both sides: without conflict detection T1 would
// overwrite T2's increment (lost update).
TEST(StmConflict, ConcurrentIncrementsAreNotLost) {
  TVar<int64_t> x{10};
  Stage stage;
  StatsDelta delta;
  int attempts = 0;

  std::thread t1([&] {
    atomically([&](Tx& tx) {
      int a = ++attempts;
      int64_t v = x.read(tx);
      if (a == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
      x.write(tx, v + 1);
    });
  });
  std::thread t2([&] {
    stage.wait(1);
    atomically([&](Tx& tx) { x.write(tx, x.read(tx) + 1); });
    stage.advance_to(2);
  });
  t1.join();
  t2.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(x.unsafe_peek(), 12);
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(delta.aborts(AbortCause::kReadValidation), 1u);
  EXPECT_EQ(delta.total_aborts(), 1u);
}

// A read followed at once by a write of the same word leaves the read set
// for the write entry (tx.h, write_word), which commit checks when it locks
// the word. Here T2 commits x after T1 wrote it, before T1 commits: the lock
// check must catch it as the read set's validation would have.
TEST(StmConflict, ReadThenWrittenWordChangedBeforeCommitAbortsAtLock) {
  TVar<int64_t> x{10};
  Stage stage;
  StatsDelta delta;
  int attempts = 0;
  std::thread t1([&] {
    atomically([&](Tx& tx) {
      int a = ++attempts;
      x.write(tx, x.read(tx) + 1);
      if (a == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
    });
  });
  std::thread t2([&] {
    stage.wait(1);
    atomically([&](Tx& tx) { x.write(tx, x.read(tx) + 100); });
    stage.advance_to(2);
  });
  t1.join();
  t2.join();
  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(x.unsafe_peek(), 111);
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(delta.aborts(AbortCause::kReadValidation), 1u);
  EXPECT_EQ(delta.total_aborts(), 1u);
}

// The same moved read must also be checked when a later read extends the
// read version (stamped clock): T1 reads and writes x, T2 commits x and y,
// T1 then reads y. Extending would pair the old x with the new y, a state
// that never existed; the attempt must restart instead and see both new.
TEST(StmConflict, ReadThenWrittenWordIsCheckedWhenTheReadVersionExtends) {
  RetryPolicyGuard guard;
  retry_policy().stamp_clock.store(true);
  TVar<int64_t> x{1};
  TVar<int64_t> y{2};
  Stage stage;
  StatsDelta delta;
  int attempts = 0;
  std::vector<std::pair<int64_t, int64_t>> seen;  // T1 only: (x, y) per attempt that got to y
  std::thread t1([&] {
    atomically([&](Tx& tx) {
      int a = ++attempts;
      const int64_t vx = x.read(tx);
      x.write(tx, vx + 1);
      if (a == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
      seen.emplace_back(vx, y.read(tx));
    });
  });
  std::thread t2([&] {
    stage.wait(1);
    atomically([&](Tx& tx) {
      x.write(tx, 7);
      y.write(tx, 30);
    });
    stage.advance_to(2);
  });
  t1.join();
  t2.join();
  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(seen, (std::vector<std::pair<int64_t, int64_t>>{{7, 30}})) << "never (1, 30): that state never existed";
  EXPECT_EQ(x.unsafe_peek(), 8);
  EXPECT_EQ(delta.aborts(AbortCause::kReadValidation), 1u);
}

// Blind writes do not conflict in TL2: T1 commits after T2 and wins, with no
// abort (the schedule T2; T1 is serializable).
TEST(StmConflict, BlindWriteWriteDoesNotAbortAndLastCommitterWins) {
  TVar<int64_t> x{0};
  Stage stage;
  StatsDelta delta;
  int attempts = 0;

  std::thread t1([&] {
    atomically([&](Tx& tx) {
      int a = ++attempts;
      x.write(tx, 100);
      if (a == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
    });
  });
  std::thread t2([&] {
    stage.wait(1);
    atomically([&](Tx& tx) { x.write(tx, 200); });
    stage.advance_to(2);
  });
  t1.join();
  t2.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(x.unsafe_peek(), 100);
  EXPECT_EQ(delta.total_aborts(), 0u);
  EXPECT_EQ(delta.commits(CommitPath::kSoftware), 2u);
}

// Write skew: the constraint x + y <= 1 holds in every serial order; each
// transaction reads both and sets "its" variable only if both are 0. Under
// snapshot isolation both would commit (x = y = 1); TL2 validates reads, so
// T1 must abort and then see y == 1.
TEST(StmConflict, WriteSkewIsPrevented) {
  TVar<int64_t> x{0};
  TVar<int64_t> y{0};
  Stage stage;
  StatsDelta delta;
  int attempts = 0;
  bool t1_wrote = false;
  bool t2_wrote = false;

  std::thread t1([&] {
    t1_wrote = atomically([&](Tx& tx) {
      int a = ++attempts;
      int64_t sum = x.read(tx) + y.read(tx);
      if (a == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
      if (sum != 0) return false;
      x.write(tx, 1);
      return true;
    });
  });
  std::thread t2([&] {
    stage.wait(1);
    t2_wrote = atomically([&](Tx& tx) {
      if (x.read(tx) + y.read(tx) != 0) return false;
      y.write(tx, 1);
      return true;
    });
    stage.advance_to(2);
  });
  t1.join();
  t2.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_TRUE(t2_wrote);
  EXPECT_FALSE(t1_wrote);
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(x.unsafe_peek() + y.unsafe_peek(), 1);
  EXPECT_EQ(delta.aborts(AbortCause::kReadValidation), 1u);
}

// A commit to an unrelated location between T1's reads and T1's commit
// defeats TL2's wv == rv + 1 shortcut, so T1 validates its read set, which
// here is also its (large, hash-indexed) write set: every read word is
// locked by T1 itself and must be recognised as such. T1 commits first try.
TEST(StmConflict, UnrelatedCommitDoesNotAbortLargeReadWriteSet) {
  constexpr int kN = 40;  // past the write set's linear-search limit
  std::vector<std::unique_ptr<TVar<int64_t>>> vars;
  for (int i = 0; i < kN; ++i) vars.push_back(std::make_unique<TVar<int64_t>>(i));
  TVar<int64_t> unrelated{0};
  Stage stage;
  StatsDelta delta;
  int attempts = 0;

  std::thread t1([&] {
    atomically([&](Tx& tx) {
      int a = ++attempts;
      for (auto& v : vars) v->write(tx, v->read(tx) + 1000);
      if (a == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
    });
  });
  std::thread t2([&] {
    stage.wait(1);
    atomically([&](Tx& tx) { unrelated.write(tx, 1); });
    stage.advance_to(2);
  });
  t1.join();
  t2.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(delta.total_aborts(), 0u);
  for (int i = 0; i < kN; ++i) EXPECT_EQ(vars[i]->unsafe_peek(), i + 1000) << i;
}

// Same large read/write set, but T2 commits to one of T1's locations: T1
// must abort once and re-apply its increments on top of T2's value.
TEST(StmConflict, ConflictInLargeReadWriteSetIsDetected) {
  constexpr int kN = 40;
  constexpr int kHit = 37;
  std::vector<std::unique_ptr<TVar<int64_t>>> vars;
  for (int i = 0; i < kN; ++i) vars.push_back(std::make_unique<TVar<int64_t>>(i));
  Stage stage;
  StatsDelta delta;
  int attempts = 0;

  std::thread t1([&] {
    atomically([&](Tx& tx) {
      int a = ++attempts;
      for (auto& v : vars) v->write(tx, v->read(tx) + 1000);
      if (a == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
    });
  });
  std::thread t2([&] {
    stage.wait(1);
    atomically([&](Tx& tx) { vars[kHit]->write(tx, vars[kHit]->read(tx) + 1); });
    stage.advance_to(2);
  });
  t1.join();
  t2.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(delta.aborts(AbortCause::kReadValidation), 1u);
  for (int i = 0; i < kN; ++i) EXPECT_EQ(vars[i]->unsafe_peek(), i + 1000 + (i == kHit ? 1 : 0)) << i;
}

// A commit to an unrelated location between a read-write transaction's
// first read and its first boxed read (which pins the epoch and may move the
// read version forward after revalidating) costs no abort.
TEST(StmConflict, UnrelatedCommitBeforeFirstBoxedReadDoesNotAbortReadWrite) {
  TVar<int64_t> a{1};
  TVar<std::string> s{std::string("s")};
  TVar<int64_t> unrelated{0};
  Stage stage;
  StatsDelta delta;
  int attempts = 0;
  std::string seen;

  std::thread t1([&] {
    seen = atomically([&](Tx& tx) {
      int n = ++attempts;
      int64_t va = a.read(tx);
      if (n == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
      return s.read(tx) + std::to_string(va);
    });
  });
  std::thread t2([&] {
    stage.wait(1);
    atomically([&](Tx& tx) { unrelated.write(tx, 1); });
    stage.advance_to(2);
  });
  t1.join();
  t2.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(seen, "s1");
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(delta.total_aborts(), 0u);
}

// A word the store's reaper marked dead (kDeadLock) is never read or
// written: the attempt restarts with kDeadLocation, and the retry (which in
// the store looks the key up again) goes to a live word.
TEST(StmConflict, DeadWordRestartsWithDeadLocation) {
  alignas(16) TWord dead{1};
  alignas(16) TWord live{2};
  dead.lock.store(kDeadLock);
  StatsDelta delta;
  int attempts = 0;
  uint64_t r = atomically([&](Tx& tx) {
    ++attempts;
    const TWord& w = attempts == 1 ? dead : live;
    return tx.read_word(w);
  });
  EXPECT_EQ(r, 2u);
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(delta.aborts(AbortCause::kDeadLocation), 1u);

  attempts = 0;
  atomically([&](Tx& tx) {
    ++attempts;
    tx.write_word(attempts == 1 ? dead : live, 7, nullptr);  // fails at commit
  });
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(live.value.load(), 7u);
  EXPECT_EQ(dead.value.load(), 1u);
  EXPECT_EQ(dead.lock.load(), kDeadLock);
  EXPECT_EQ(delta.aborts(AbortCause::kDeadLocation), 2u);
}

// ---------------------------------------------------------------------------
// Lock-busy cases. A committer holds its write locks during write-back; a
// ValueOps::on_replace hook runs exactly then, so a hook that blocks on the
// stage freezes T2 with the word locked.

struct Blocker {
  Stage* stage;
  int signal;  // step to advance to once the lock is held
  int resume;  // step to wait for before releasing it
};

void block_in_write_back(void* ctx, TWord*, uint64_t, uint64_t, Version) {
  auto* b = static_cast<Blocker*>(ctx);
  b->stage->advance_to(b->signal);
  b->stage->wait(b->resume);
}

// T1 reads a word while T2 holds its lock: the read must restart with
// kLockBusy (never return the half-committed value), and the retry, after T2
// finishes, sees T2's value.
TEST(StmConflict, ReadOfLockedWordRestartsWithLockBusy) {
  alignas(16) TWord w{5};
  Stage stage;
  Blocker blocker{&stage, 1, 2};
  const ValueOps blocking_ops{nullptr, &block_in_write_back, &blocker};
  StatsDelta delta;
  int attempts = 0;
  std::vector<uint64_t> seen;

  std::thread t2([&] {
    atomically([&](Tx& tx) { tx.write_word(w, 7, &blocking_ops); });
    stage.advance_to(3);
  });
  std::thread t1([&] {
    stage.wait(1);  // T2 is inside write-back, holding w's lock
    atomically([&](Tx& tx) {
      int a = ++attempts;
      if (a >= 2) {
        stage.advance_to(2);  // let T2 finish
        stage.wait(3);
      }
      seen.push_back(tx.read_word(w));
    });
  });
  t1.join();
  t2.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(seen, (std::vector<uint64_t>{7}));
  EXPECT_EQ(delta.aborts(AbortCause::kLockBusy), 1u);
  EXPECT_EQ(delta.total_aborts(), 1u);
}

// T1 commits a write to a word whose lock T2 holds: after its bounded spin
// T1's commit fails with kLockBusy and the transaction re-runs.
TEST(StmConflict, CommitOnLockedWordAbortsWithLockBusy) {
  testing::RetryPolicyGuard guard;
  retry_policy().lock_spin.store(16);
  alignas(16) TWord w{5};
  Stage stage;
  Blocker blocker{&stage, 1, 2};
  const ValueOps blocking_ops{nullptr, &block_in_write_back, &blocker};
  StatsDelta delta;
  int attempts = 0;

  std::thread t2([&] {
    atomically([&](Tx& tx) { tx.write_word(w, 7, &blocking_ops); });
    stage.advance_to(3);
  });
  std::thread t1([&] {
    stage.wait(1);
    atomically([&](Tx& tx) {
      int a = ++attempts;
      if (a >= 2) {
        stage.advance_to(2);
        stage.wait(3);
      }
      tx.write_word(w, 9, nullptr);  // blind: no read, so no read-time check
    });
  });
  t1.join();
  t2.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(w.value.load(), 9u);
  EXPECT_EQ(delta.aborts(AbortCause::kLockBusy), 1u);
  EXPECT_EQ(delta.total_aborts(), 1u);
}

}  // namespace
}  // namespace tmkv::stm
