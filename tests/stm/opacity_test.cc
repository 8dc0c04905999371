// Opacity: user code inside a transaction never observes an inconsistent
// state, not even in an attempt that is going to abort. Writers maintain
// x + y == 0; readers assert it inside the lambda, after both reads, and
// record violations in an atomic (a zombie attempt's view must also be
// consistent, so the check is made before the attempt could be rejected).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "stm/stm.h"
#include "tests/stm/stm_test_util.h"

namespace tmkv::stm {

// Names the parameter in gtest's output (found by ADL, so not in the
// anonymous namespace).
[[maybe_unused]] static void PrintTo(TxKind k, std::ostream* os) {
  *os << (k == TxKind::kReadWrite ? "kReadWrite" : "kReadOnly");
}

namespace {

using testing::Stage;
using testing::StatsDelta;

template <class Fn>
auto run(TxKind kind, Fn&& fn) {
  return atomically(std::forward<Fn>(fn), kind);
}

class StmOpacityStaged : public ::testing::TestWithParam<TxKind> {};

// Reader reads x, pauses, a writer commits x += 5, y -= 5, reader reads y.
// The reader must be restarted before y is returned to it.
TEST_P(StmOpacityStaged, InlineSecondReadAfterConcurrentCommitRestarts) {
  TVar<int64_t> x{0};
  TVar<int64_t> y{0};
  Stage stage;
  StatsDelta delta;
  std::atomic<int> violations{0};
  int attempts = 0;
  int reached_after_y = 0;
  std::pair<int64_t, int64_t> seen{};

  std::thread reader([&] {
    seen = run(GetParam(), [&](Tx& tx) {
      int a = ++attempts;
      int64_t vx = x.read(tx);
      if (a == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
      int64_t vy = y.read(tx);
      ++reached_after_y;
      if (vx + vy != 0) violations.fetch_add(1);
      return std::pair{vx, vy};
    });
  });
  std::thread writer([&] {
    stage.wait(1);
    atomically([&](Tx& tx) {
      x.write(tx, x.read(tx) + 5);
      y.write(tx, y.read(tx) - 5);
    });
    stage.advance_to(2);
  });
  reader.join();
  writer.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(reached_after_y, 1);  // the stale attempt never got past read(y)
  EXPECT_EQ(seen, (std::pair<int64_t, int64_t>{5, -5}));
  EXPECT_EQ(delta.aborts(AbortCause::kReadValidation), 1u);
}

// Same, with the second read a boxed value: TVar::read pins the epoch first,
// and that pin may move the read version forward. It must not do so past a
// commit that invalidated the first read.
TEST_P(StmOpacityStaged, BoxedSecondReadAfterConcurrentCommitRestarts) {
  TVar<int64_t> x{0};
  TVar<std::vector<int64_t>> ys{std::vector<int64_t>{0, 0}};  // x + sum(ys) == 0
  Stage stage;
  std::atomic<int> violations{0};
  int attempts = 0;
  int reached_after_ys = 0;
  int64_t seen_x = 0;

  std::thread reader([&] {
    seen_x = run(GetParam(), [&](Tx& tx) {
      int a = ++attempts;
      int64_t vx = x.read(tx);
      if (a == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
      const std::vector<int64_t>& v = ys.read(tx);
      ++reached_after_ys;
      int64_t sum = vx;
      for (int64_t e : v) sum += e;
      if (sum != 0) violations.fetch_add(1);
      return vx;
    });
  });
  std::thread writer([&] {
    stage.wait(1);
    atomically([&](Tx& tx) {
      x.write(tx, x.read(tx) + 3);
      std::vector<int64_t> v = ys.read(tx);
      v[1] -= 3;
      ys.write(tx, std::move(v));
    });
    stage.advance_to(2);
  });
  reader.join();
  writer.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(reached_after_ys, 1);
  EXPECT_EQ(seen_x, 3);
}

// Boxed first (the pin happens before any read), inline second.
TEST_P(StmOpacityStaged, InlineReadAfterBoxedReadAndConcurrentCommitRestarts) {
  TVar<std::string> tag{std::string("v0")};
  TVar<int64_t> n{0};  // invariant: tag == "v" + n
  Stage stage;
  std::atomic<int> violations{0};
  int attempts = 0;
  int reached_after_n = 0;

  std::thread reader([&] {
    run(GetParam(), [&](Tx& tx) {
      int a = ++attempts;
      std::string t = tag.read(tx);
      if (a == 1) {
        stage.advance_to(1);
        stage.wait(2);
      }
      int64_t v = n.read(tx);
      ++reached_after_n;
      if (t != "v" + std::to_string(v)) violations.fetch_add(1);
    });
  });
  std::thread writer([&] {
    stage.wait(1);
    atomically([&](Tx& tx) {
      int64_t v = n.read(tx) + 1;
      n.write(tx, v);
      tag.write(tx, "v" + std::to_string(v));
    });
    stage.advance_to(2);
  });
  reader.join();
  writer.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(reached_after_n, 1);
}

INSTANTIATE_TEST_SUITE_P(Kinds, StmOpacityStaged, ::testing::Values(TxKind::kReadWrite, TxKind::kReadOnly),
                         [](const ::testing::TestParamInfo<TxKind>& info) {
                           return info.param == TxKind::kReadWrite ? std::string("ReadWrite")
                                                                   : std::string("ReadOnly");
                         });

// Randomized: 2 writers move random amounts between x and y (in random
// order of writes), 1 reader alternates read-write and read-only snapshots,
// yielding between its two reads now and then to widen the window. Bounded:
// the writers keep going until the reader has made kReads snapshots (so the
// two really overlap) and each writer has made at least kMinWrites commits.
TEST(StmOpacityStress, TwoWritersOneReaderNeverSeeBrokenInvariant) {
  constexpr int64_t kReads = 20000;
  constexpr int64_t kMinWrites = 5000;
  TVar<int64_t> x{0};
  TVar<int64_t> y{0};
  StatsDelta delta;
  std::atomic<int> violations{0};
  std::atomic<int> writers_done{0};
  std::atomic<int64_t> reads{0};
  int64_t delta_sum[2] = {0, 0};
  int64_t writes[2] = {0, 0};

  auto writer = [&](int id) {
    std::mt19937_64 rng(1234 + id);
    for (int64_t i = 0; i < kMinWrites || reads.load(std::memory_order_relaxed) < kReads; ++i) {
      int64_t d = static_cast<int64_t>(rng() % 201) - 100;
      bool y_first = (rng() & 1) != 0;
      atomically([&](Tx& tx) {
        if (y_first) {
          y.write(tx, y.read(tx) - d);
          x.write(tx, x.read(tx) + d);
        } else {
          x.write(tx, x.read(tx) + d);
          y.write(tx, y.read(tx) - d);
        }
      });
      delta_sum[id] += d;
      ++writes[id];
    }
    writers_done.fetch_add(1);
  };
  std::thread w0(writer, 0);
  std::thread w1(writer, 1);
  std::thread reader([&] {
    std::mt19937 rng(99);
    for (int64_t i = 0; writers_done.load() < 2; ++i) {
      auto body = [&](Tx& tx) {
        int64_t vx = x.read(tx);
        if ((rng() & 7) == 0) std::this_thread::yield();
        int64_t vy = y.read(tx);
        if (vx + vy != 0) violations.fetch_add(1);
        return vx + vy;
      };
      int64_t s = (i & 1) ? atomically_read_only(body) : atomically(body);
      if (s != 0) violations.fetch_add(1);
      reads.fetch_add(1, std::memory_order_relaxed);
    }
  });
  w0.join();
  w1.join();
  reader.join();

  EXPECT_EQ(violations.load(), 0);
  EXPECT_GE(reads.load(), kReads);
  EXPECT_GE(writes[0], kMinWrites);
  EXPECT_GE(writes[1], kMinWrites);
  EXPECT_EQ(x.unsafe_peek(), delta_sum[0] + delta_sum[1]);
  EXPECT_EQ(x.unsafe_peek() + y.unsafe_peek(), 0);
  std::printf("[ stress   ] %lld snapshots, %llu validation aborts\n", static_cast<long long>(reads.load()),
              static_cast<unsigned long long>(delta.aborts(AbortCause::kReadValidation)));
}

// Boxed invariant: two strings that writers always set equal. A torn or
// freed box would show up as a mismatch (or as a use-after-free under ASan).
TEST(StmOpacityStress, BoxedPairStaysEqualUnderConcurrentWriters) {
  constexpr int64_t kReads = 10000;
  constexpr int64_t kMinWrites = 2000;
  TVar<std::string> a{std::string("init")};
  TVar<std::string> b{std::string("init")};
  std::atomic<int> violations{0};
  std::atomic<int> writers_done{0};
  std::atomic<int64_t> reads{0};

  auto writer = [&](int id) {
    for (int64_t i = 0; i < kMinWrites || reads.load(std::memory_order_relaxed) < kReads; ++i) {
      std::string v = "writer-" + std::to_string(id) + "-value-" + std::to_string(i) + std::string(i % 40, 'x');
      atomically([&](Tx& tx) {
        if (i & 1) {
          a.write(tx, v);
          b.write(tx, v);
        } else {
          b.write(tx, v);
          a.write(tx, v);
        }
      });
    }
    writers_done.fetch_add(1);
  };
  std::thread w0(writer, 0);
  std::thread w1(writer, 1);
  std::thread reader([&] {
    for (int64_t i = 0; writers_done.load() < 2; ++i) {
      auto body = [&](Tx& tx) {
        const std::string& va = a.read(tx);
        if ((i & 7) == 0) std::this_thread::yield();
        const std::string& vb = b.read(tx);
        if (va != vb) violations.fetch_add(1);
        return va == vb;
      };
      bool eq = (i & 1) ? atomically_read_only(body) : atomically(body);
      if (!eq) violations.fetch_add(1);
      reads.fetch_add(1, std::memory_order_relaxed);
    }
  });
  w0.join();
  w1.join();
  reader.join();

  EXPECT_EQ(violations.load(), 0);
  EXPECT_GE(reads.load(), kReads);
  EXPECT_EQ(a.unsafe_peek(), b.unsafe_peek());
}

}  // namespace
}  // namespace tmkv::stm
