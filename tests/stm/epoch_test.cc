// Epoch-based reclamation: a retired object outlives every thread that was
// pinned when it was retired, and is freed once they have all unpinned.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>

#include "stm/epoch.h"
#include "stm/stm.h"
#include "stm/thread_context.h"
#include "tests/stm/stm_test_util.h"
#include "tests/stm/tracked.h"

namespace tmkv::stm {
namespace {

using testing::Stage;
using testing::Tracked;

void set_flag(void* p) { static_cast<std::atomic<bool>*>(p)->store(true); }

TEST(StmEpoch, RetiredObjectWaitsForPinnedThread) {
  std::atomic<bool> freed{false};
  Stage stage;
  bool freed_while_pinned = true;
  bool freed_after_unpin = false;

  std::thread reader([&] {
    ThreadContext& ctx = this_thread_context();
    epoch_pin(ctx);
    stage.advance_to(1);
    stage.wait(2);
    epoch_unpin(ctx);
    stage.advance_to(3);
  });
  std::thread retirer([&] {
    ThreadContext& ctx = this_thread_context();
    stage.wait(1);
    epoch_retire(ctx, &freed, &set_flag);
    for (int i = 0; i < 10; ++i) epoch_reclaim(ctx);
    freed_while_pinned = freed.load();
    stage.advance_to(2);
    stage.wait(3);
    for (int i = 0; i < 3 && !freed.load(); ++i) epoch_reclaim(ctx);
    freed_after_unpin = freed.load();
  });
  reader.join();
  retirer.join();

  ASSERT_FALSE(stage.timed_out());
  EXPECT_FALSE(freed_while_pinned);
  EXPECT_TRUE(freed_after_unpin);
}

// A read-only transaction holds a reference to a boxed value while another
// thread replaces it many times (enough to trigger reclamation repeatedly).
// The box it holds must stay alive and unchanged until its attempt ends.
TEST(StmEpoch, ReaderKeepsBoxAliveWhileWriterReplacesIt) {
  epoch_drain_all_for_testing();
  const int64_t base = Tracked::live().load();
  {
    TVar<Tracked> t{Tracked{42}};
    Stage stage;
    int attempts = 0;
    bool alive_after = false;
    int64_t value_after = -1;

    std::thread reader([&] {
      atomically_read_only([&](Tx& tx) {
        ++attempts;
        const Tracked& r = t.read(tx);
        stage.advance_to(1);
        stage.wait(2);
        alive_after = r.alive();
        value_after = r.value;
      });
    });
    std::thread writer([&] {
      stage.wait(1);
      for (int i = 0; i < 1000; ++i) atomically([&](Tx& tx) { t.write(tx, Tracked{i}); });
      for (int i = 0; i < 5; ++i) epoch_reclaim(this_thread_context());
      stage.advance_to(2);
    });
    reader.join();
    writer.join();

    ASSERT_FALSE(stage.timed_out());
    EXPECT_EQ(attempts, 1);  // read once before the writes: still a valid snapshot
    EXPECT_TRUE(alive_after);
    EXPECT_EQ(value_after, 42);
    EXPECT_EQ(t.unsafe_peek().value, 999);
    epoch_drain_all_for_testing();
    EXPECT_EQ(Tracked::live().load(), base + 1);
  }
  EXPECT_EQ(Tracked::live().load(), base);
}

TEST(StmEpoch, TransactionsUnpinWhenTheyEnd) {
  TVar<std::string> s{std::string("v")};
  ThreadContext& ctx = this_thread_context();
  EXPECT_EQ(ctx.pinned_epoch.load(), 0u);
  uint64_t pinned_inside = 0;
  atomically([&](Tx& tx) {
    (void)s.read(tx);
    pinned_inside = ctx.pinned_epoch.load();
  });
  EXPECT_NE(pinned_inside, 0u);
  EXPECT_EQ(ctx.pinned_epoch.load(), 0u);
  atomically([&](Tx& tx) {
    (void)s.read(tx);
    tx.cancel();
  });
  EXPECT_EQ(ctx.pinned_epoch.load(), 0u);
  EXPECT_EQ(ctx.pin_depth, 0u);
}

}  // namespace
}  // namespace tmkv::stm
