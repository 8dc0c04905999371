// TVar values: inline and boxed representations, read-after-write, large
// write sets, and that boxes are freed (aborts, cancels, exceptions,
// overwrites within an attempt, replaced committed values).
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "stm/stm.h"
#include "tests/stm/stm_test_util.h"
#include "tests/stm/tracked.h"

namespace tmkv::stm {
namespace {

using testing::Stage;
using testing::Tracked;

struct Small {
  int32_t a;
  int16_t b;
  bool operator==(const Small&) const = default;
};
struct Big {
  int64_t a, b;
  bool operator==(const Big&) const = default;
};

static_assert(kInlineTVar<int64_t>);
static_assert(kInlineTVar<double>);
static_assert(kInlineTVar<Small>);
static_assert(kInlineTVar<int*>);
static_assert(!kInlineTVar<Big>);
static_assert(!kInlineTVar<std::string>);
static_assert(!kInlineTVar<std::vector<int>>);

TEST(StmTVar, InlineValuesRoundTrip) {
  int target = 0;
  TVar<int64_t> i{-5};
  TVar<int8_t> c{-1};
  TVar<double> d{1.5};
  TVar<Small> s{Small{-7, 3}};
  TVar<int*> p{nullptr};
  TVar<bool> flag{true};
  atomically([&](Tx& tx) {
    i.write(tx, i.read(tx) * 3);
    c.write(tx, static_cast<int8_t>(c.read(tx) - 1));
    d.write(tx, d.read(tx) / 4);
    s.write(tx, Small{s.read(tx).a * 2, static_cast<int16_t>(-1)});
    p.write(tx, &target);
    flag.write(tx, !flag.read(tx));
  });
  EXPECT_EQ(i.unsafe_peek(), -15);
  EXPECT_EQ(c.unsafe_peek(), -2);
  EXPECT_EQ(d.unsafe_peek(), 0.375);
  EXPECT_EQ(s.unsafe_peek(), (Small{-14, -1}));
  EXPECT_EQ(p.unsafe_peek(), &target);
  EXPECT_FALSE(flag.unsafe_peek());
}

TEST(StmTVar, BoxedValuesRoundTrip) {
  TVar<std::string> s{std::string("hello")};
  TVar<std::vector<int>> v{std::vector<int>{1, 2}};
  TVar<Big> b{Big{1, 2}};
  TVar<std::string> empty;
  auto r = atomically([&](Tx& tx) {
    s.write(tx, s.read(tx) + ", world");
    std::vector<int> w = v.read(tx);
    w.insert(w.end(), {3, 4, 5});
    v.write(tx, std::move(w));
    b.write(tx, Big{b.read(tx).b, b.read(tx).a});
    return empty.read(tx);
  });
  EXPECT_EQ(r, "");
  EXPECT_EQ(s.unsafe_peek(), "hello, world");
  EXPECT_EQ(v.unsafe_peek(), (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(b.unsafe_peek(), (Big{2, 1}));
  std::string seen = atomically_read_only([&](Tx& tx) { return s.read(tx); });
  EXPECT_EQ(seen, "hello, world");
}

// Within one attempt a read returns the attempt's latest write; references
// obtained earlier stay valid (and unchanged) until the attempt ends, both
// to the committed box and to a buffered box that was overwritten since.
TEST(StmTVar, BoxedReadAfterWriteAndEarlierReferencesStayValid) {
  TVar<std::string> s{std::string("committed")};
  TVar<std::vector<int>> v{std::vector<int>{}};
  std::vector<std::string> log;
  atomically([&](Tx& tx) {
    log.clear();
    const std::string& committed = s.read(tx);
    s.write(tx, std::string(64, 'a'));
    const std::string& first = s.read(tx);
    s.write(tx, std::string(64, 'b'));
    const std::string& second = s.read(tx);
    s.write(tx, std::string(64, 'c'));
    log.push_back(committed);
    log.push_back(first);
    log.push_back(second);
    log.push_back(s.read(tx));
    for (int i = 0; i < 50; ++i) {
      std::vector<int> w = v.read(tx);
      w.push_back(i);
      v.write(tx, std::move(w));
    }
  });
  EXPECT_EQ(log, (std::vector<std::string>{"committed", std::string(64, 'a'), std::string(64, 'b'),
                                           std::string(64, 'c')}));
  EXPECT_EQ(s.unsafe_peek(), std::string(64, 'c'));
  ASSERT_EQ(v.unsafe_peek().size(), 50u);
  EXPECT_EQ(v.unsafe_peek()[49], 49);
}

// One transaction writing far more words than the write set's linear limit:
// read-after-write must find every entry through the hash index.
TEST(StmTVar, LargeWriteSetReadAfterWrite) {
  constexpr int kN = 1000;
  std::vector<std::unique_ptr<TVar<int64_t>>> vars;
  for (int i = 0; i < kN; ++i) vars.push_back(std::make_unique<TVar<int64_t>>(i));
  TVar<std::string> boxed{std::string("x")};
  int64_t mismatches = atomically([&](Tx& tx) {
    for (int i = 0; i < kN; ++i) vars[i]->write(tx, vars[i]->read(tx) * 2);
    boxed.write(tx, std::string("y"));
    int64_t bad = 0;
    for (int i = kN - 1; i >= 0; --i) {
      if (!tx.writes(vars[i]->word())) ++bad;
      if (vars[i]->read(tx) != 2 * i) ++bad;
    }
    if (boxed.read(tx) != "y") ++bad;
    return bad;
  });
  EXPECT_EQ(mismatches, 0);
  for (int i = 0; i < kN; ++i) ASSERT_EQ(vars[i]->unsafe_peek(), 2 * i) << i;
  EXPECT_EQ(boxed.unsafe_peek(), "y");
  // The next (small) transaction does not see the old entries as its own.
  bool stale = atomically([&](Tx& tx) {
    vars[0]->write(tx, -1);
    return tx.writes(vars[1]->word()) || tx.writes(vars[kN - 1]->word());
  });
  EXPECT_FALSE(stale);
}

// Every box ever created is freed exactly once: overwritten within an
// attempt, discarded by a conflict abort, a cancel or an exception, or
// replaced at commit (freed after the grace period; drained here).
TEST(StmTVar, BoxesAreFreedOnEveryPath) {
  epoch_drain_all_for_testing();  // no thread is in a transaction
  const int64_t base = Tracked::live().load();
  {
    TVar<Tracked> t{Tracked{0}};
    EXPECT_EQ(Tracked::live().load(), base + 1);
    // Commits, each overwriting twice within the attempt.
    for (int i = 0; i < 300; ++i) {
      atomically([&](Tx& tx) {
        t.write(tx, Tracked{t.read(tx).value + 1});
        t.write(tx, Tracked{t.read(tx).value + 1});
      });
    }
    // Cancel and exception.
    atomically([&](Tx& tx) {
      t.write(tx, Tracked{-1});
      tx.cancel();
    });
    EXPECT_THROW(atomically([&](Tx& tx) {
                   t.write(tx, Tracked{-2});
                   t.write(tx, Tracked{-3});
                   throw std::runtime_error("x");
                 }),
                 std::runtime_error);
    // A conflict abort after two buffered writes.
    Stage stage;
    int attempts = 0;
    std::thread t1([&] {
      atomically([&](Tx& tx) {
        int a = ++attempts;
        int64_t v = t.read(tx).value;
        t.write(tx, Tracked{v + 100});
        t.write(tx, Tracked{v + 1000});
        if (a == 1) {
          stage.advance_to(1);
          stage.wait(2);
        }
      });
    });
    std::thread t2([&] {
      stage.wait(1);
      atomically([&](Tx& tx) { t.write(tx, Tracked{t.read(tx).value + 1}); });
      stage.advance_to(2);
    });
    t1.join();
    t2.join();
    ASSERT_FALSE(stage.timed_out());
    EXPECT_EQ(attempts, 2);
    EXPECT_EQ(t.unsafe_peek().value, 600 + 1 + 1000);
    epoch_drain_all_for_testing();
    EXPECT_EQ(Tracked::live().load(), base + 1);  // just t's current box
  }
  EXPECT_EQ(Tracked::live().load(), base);
}

// Regression: a boxed write inside a read-only transaction used to leak the
// new box (it was allocated before write_word restarted the attempt).
TEST(StmTVar, BoxedWriteInReadOnlyTransactionDoesNotLeak) {
  epoch_drain_all_for_testing();
  TVar<Tracked> t{Tracked{0}};
  const int64_t before = Tracked::live().load();
  atomically_read_only([&](Tx& tx) { t.write(tx, Tracked{t.read(tx).value + 1}); });
  epoch_drain_all_for_testing();
  EXPECT_EQ(t.unsafe_peek().value, 1);
  EXPECT_EQ(Tracked::live().load(), before) << "the box allocated by the read-only attempt's write leaked";
}

// Replaced boxes are reclaimed while the program runs, not only at a drain:
// after many overwrites by one thread, only a bounded number are pending.
TEST(StmTVar, ReplacedBoxesAreReclaimedDuringTheRun) {
  epoch_drain_all_for_testing();
  const int64_t base = Tracked::live().load();
  TVar<Tracked> t{Tracked{0}};
  constexpr int kWrites = 20000;
  for (int i = 0; i < kWrites; ++i) {
    if (i & 1) {
      atomically([&](Tx& tx) { t.write(tx, Tracked{t.read(tx).value + 1}); });
    } else {
      atomically([&](Tx& tx) { t.write(tx, Tracked{i}); });  // blind: not pinned
    }
  }
  int64_t pending = Tracked::live().load() - base - 1;
  EXPECT_GE(pending, 0);
  EXPECT_LT(pending, 2000) << "retired boxes are not being reclaimed";
  EXPECT_EQ(t.unsafe_peek().value, kWrites - 2 + 1);
  epoch_drain_all_for_testing();
  EXPECT_EQ(Tracked::live().load(), base + 1);
}

}  // namespace
}  // namespace tmkv::stm
