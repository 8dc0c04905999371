// Read-only transactions: no read set, commit on CommitPath::kReadOnly; a
// write restarts the attempt once as read-write.
#include <gtest/gtest.h>

#include <cstdint>
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

TEST(StmReadOnly, CommitsOnReadOnlyPath) {
  TVar<int64_t> x{4};
  TVar<std::string> s{std::string("abc")};
  StatsDelta delta;
  TxMode mode = TxMode::kIdle;
  std::string r = atomically_read_only([&](Tx& tx) {
    mode = tx.mode();
    return s.read(tx) + std::to_string(x.read(tx));
  });
  EXPECT_EQ(r, "abc4");
  EXPECT_EQ(mode, TxMode::kReadOnly);
  EXPECT_EQ(delta.commits(CommitPath::kReadOnly), 1u);
  EXPECT_EQ(delta.total_commits(), 1u);
  EXPECT_EQ(delta.total_aborts(), 0u);
  EXPECT_FALSE(Tx::current().active());
}

TEST(StmReadOnly, ReadWriteTransactionWithoutWritesIsNotReadOnlyPath) {
  TVar<int64_t> x{4};
  StatsDelta delta;
  TxMode mode = TxMode::kIdle;
  int64_t r = atomically([&](Tx& tx) {
    mode = tx.mode();
    return x.read(tx);
  });
  EXPECT_EQ(r, 4);
  EXPECT_EQ(mode, TxMode::kReadWrite);
  EXPECT_EQ(delta.commits(CommitPath::kSoftware), 1u);
  EXPECT_EQ(delta.commits(CommitPath::kReadOnly), 0u);
}

// The first write restarts the attempt as read-write; later writes in the
// same call do not upgrade again. The upgrade is counted once and the
// transaction commits on the software (read-write) path.
TEST(StmReadOnly, WriteUpgradesOnceThenCommitsReadWrite) {
  TVar<int64_t> x{1};
  TVar<std::string> s{std::string("a")};
  StatsDelta delta;
  std::vector<TxMode> modes;
  int after_first_write = 0;
  int64_t r = atomically_read_only([&](Tx& tx) {
    modes.push_back(tx.mode());
    int64_t v = x.read(tx);
    x.write(tx, v + 1);
    ++after_first_write;
    s.write(tx, s.read(tx) + "b");
    x.write(tx, x.read(tx) + 1);
    return x.read(tx);
  });
  EXPECT_EQ(r, 3);
  EXPECT_EQ(x.unsafe_peek(), 3);
  EXPECT_EQ(s.unsafe_peek(), "ab");
  EXPECT_EQ(modes, (std::vector<TxMode>{TxMode::kReadOnly, TxMode::kReadWrite}));
  EXPECT_EQ(after_first_write, 1);
  EXPECT_EQ(delta.aborts(AbortCause::kReadOnlyUpgrade), 1u);
  EXPECT_EQ(delta.total_aborts(), 1u);
  EXPECT_EQ(delta.commits(CommitPath::kSoftware), 1u);
  EXPECT_EQ(delta.commits(CommitPath::kReadOnly), 0u);
}

// The upgrade is not a conflict: it does not count towards the escalation
// limit (even a limit of 1 must not make the upgraded attempt irrevocable).
TEST(StmReadOnly, UpgradeDoesNotCountTowardsEscalation) {
  RetryPolicyGuard guard;
  testing::set_max_aborts_before_irrevocable(1);
  TVar<int64_t> x{1};
  StatsDelta delta;
  std::vector<bool> irrevocable;
  std::vector<uint32_t> aborts;
  atomically_read_only([&](Tx& tx) {
    irrevocable.push_back(tx.irrevocable());
    aborts.push_back(tx.attempt_aborts());
    x.write(tx, 2);
  });
  EXPECT_EQ(irrevocable, (std::vector<bool>{false, false}));
  EXPECT_EQ(aborts, (std::vector<uint32_t>{0, 0}));
  EXPECT_EQ(delta.escalations(), 0u);
  EXPECT_EQ(x.unsafe_peek(), 2);
}

// The upgrade lasts for one atomically() call only.
TEST(StmReadOnly, NextReadOnlyCallIsReadOnlyAgain) {
  TVar<int64_t> x{1};
  atomically_read_only([&](Tx& tx) { x.write(tx, 2); });
  StatsDelta delta;
  TxMode mode = TxMode::kIdle;
  int64_t r = atomically_read_only([&](Tx& tx) {
    mode = tx.mode();
    return x.read(tx);
  });
  EXPECT_EQ(r, 2);
  EXPECT_EQ(mode, TxMode::kReadOnly);
  EXPECT_EQ(delta.commits(CommitPath::kReadOnly), 1u);
  EXPECT_EQ(delta.total_aborts(), 0u);
}

// A read-only transaction that hits a conflict retries as read-only (not as
// read-write: that is only for writes) and then commits read-only.
TEST(StmReadOnly, ConflictRetriesAsReadOnly) {
  TVar<int64_t> x{0};
  TVar<int64_t> y{0};
  Stage stage;
  StatsDelta delta;
  std::vector<TxMode> modes;
  int64_t r = 0;
  std::thread reader([&] {
    r = atomically_read_only([&](Tx& tx) {
      modes.push_back(tx.mode());
      int64_t vx = x.read(tx);
      if (modes.size() == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
      return vx * 100 + y.read(tx);
    });
  });
  std::thread writer([&] {
    stage.wait(1);
    atomically([&](Tx& tx) {
      x.write(tx, 1);
      y.write(tx, 2);
    });
    stage.advance_to(2);
  });
  reader.join();
  writer.join();
  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(r, 102);
  EXPECT_EQ(modes, (std::vector<TxMode>{TxMode::kReadOnly, TxMode::kReadOnly}));
  EXPECT_EQ(delta.aborts(AbortCause::kReadValidation), 1u);
  EXPECT_EQ(delta.commits(CommitPath::kReadOnly), 1u);
}

// Read-only transactions keep no read set, but they still see a snapshot:
// a commit to a location they have not read yet, between two reads, is
// caught at the second read.
TEST(StmReadOnly, SnapshotIsConsistentWithoutReadSet) {
  TVar<int64_t> a{1};
  TVar<int64_t> b{1};
  Stage stage;
  std::vector<std::pair<int64_t, int64_t>> seen;
  std::thread reader([&] {
    atomically_read_only([&](Tx& tx) {
      int64_t va = a.read(tx);
      if (seen.empty()) {
        seen.emplace_back(va, -1);  // marks attempt 1
        stage.advance_to(1);
        stage.wait(2);
      }
      seen.emplace_back(va, b.read(tx));
    });
  });
  std::thread writer([&] {
    stage.wait(1);
    atomically([&](Tx& tx) {
      a.write(tx, 2);
      b.write(tx, 2);
    });
    stage.advance_to(2);
  });
  reader.join();
  writer.join();
  ASSERT_FALSE(stage.timed_out());
  // Attempt 1 never got b; attempt 2 saw the new pair.
  EXPECT_EQ(seen, (std::vector<std::pair<int64_t, int64_t>>{{1, -1}, {2, 2}}));
}

TEST(StmReadOnly, ReadOnlyTransactionWithoutReadsCommits) {
  StatsDelta delta;
  int r = atomically_read_only([](Tx&) { return 7; });
  EXPECT_EQ(r, 7);
  EXPECT_EQ(delta.commits(CommitPath::kReadOnly), 1u);
}

}  // namespace
}  // namespace tmkv::stm
