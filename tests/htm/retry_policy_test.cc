// The hybrid's retry policy, one case per abort cause, and the behaviours
// built on it: adaptive skipping, cancel inside hardware, the serial gate.
#include <gtest/gtest.h>

#include <string>

#include "htm/atomically.h"
#include "htm/hybrid.h"
#include "htm/hybrid_stats.h"
#include "htm/tm_mode.h"
#include "stm/stm.h"

namespace tmkv::htm {
namespace {

using D = detail::RetryDecision;

D decide(HwAbort cause, uint32_t attempts_so_far = 0, uint32_t gate_waits_so_far = 0) {
  HybridPolicy policy;  // defaults: 4 attempts, 16 gate waits
  uint32_t attempts = attempts_so_far, waits = gate_waits_so_far;
  return detail::decide_after_abort(cause, &attempts, &waits, policy);
}

TEST(RetryPolicy, TransientCausesRetryInHardwareUntilTheBudget) {
  for (HwAbort c : {HwAbort::kConflict, HwAbort::kRetryHint, HwAbort::kInterrupt, HwAbort::kLockedLocation,
                    HwAbort::kUnknown}) {
    EXPECT_EQ(decide(c, 0).action, D::kRetryHardware) << kHwAbortNames[static_cast<size_t>(c)];
    EXPECT_EQ(decide(c, 2).action, D::kRetryHardware);
    D last = decide(c, 3);
    EXPECT_EQ(last.action, D::kFallback);
    EXPECT_EQ(last.fallback, Fallback::kRetriesExhausted);
  }
}

TEST(RetryPolicy, CapacityFallsBackAtOnce) {
  D d = decide(HwAbort::kCapacity);
  EXPECT_EQ(d.action, D::kFallback);
  EXPECT_EQ(d.fallback, Fallback::kCapacity);
}

TEST(RetryPolicy, NonRetryableCausesFallBackAtOnceWithTheirReason) {
  EXPECT_EQ(decide(HwAbort::kNested).fallback, Fallback::kNested);
  EXPECT_EQ(decide(HwAbort::kNeedsSoftware).fallback, Fallback::kNeedsSoftware);
  EXPECT_EQ(decide(HwAbort::kUserAbort).fallback, Fallback::kUserAbort);
  for (HwAbort c : {HwAbort::kNested, HwAbort::kNeedsSoftware, HwAbort::kUserAbort}) {
    EXPECT_EQ(decide(c).action, D::kFallback);
  }
}

TEST(RetryPolicy, SerialGateWaitsThenRetriesInHardware) {
  EXPECT_EQ(decide(HwAbort::kSerialBusy, 0, 0).action, D::kWaitGateThenRetry);
  EXPECT_EQ(decide(HwAbort::kSerialBusy, 3, 15).action, D::kWaitGateThenRetry) << "gate waits are not attempts";
  D d = decide(HwAbort::kSerialBusy, 0, 16);
  EXPECT_EQ(d.action, D::kFallback);
  EXPECT_EQ(d.fallback, Fallback::kRetriesExhausted);
}

class HybridBehaviour : public ::testing::Test {
 protected:
  void configure(const EmulationConfig& c) {
    std::string error;
    ASSERT_TRUE(configure_tm(TmMode::kEmulatedHtm, c, &error)) << error;
  }
  void TearDown() override {
    std::string error;
    ASSERT_TRUE(configure_tm(TmMode::kStm, {}, &error));
  }
};

TEST_F(HybridBehaviour, CapacityFailuresMakeTheSiteSkipHardware) {
  EmulationConfig c;
  c.max_write_lines = 2;
  configure(c);
  struct alignas(64) Slot {
    stm::TVar<int64_t> v{0};
  };
  static Slot slots[8];
  auto big = [] {
    htm::atomically([](stm::Tx& tx) {
      for (auto& s : slots) s.v.write(tx, s.v.read(tx) + 1);
    });
  };
  const auto before = stm::collect_tx_stats();
  for (int i = 0; i < 64; ++i) big();
  const auto after = stm::collect_tx_stats();
  EXPECT_EQ(slots[0].v.unsafe_peek(), 64);
  const uint64_t capacity = fallbacks(after, Fallback::kCapacity) - fallbacks(before, Fallback::kCapacity);
  const uint64_t skipped = fallbacks(after, Fallback::kAdaptiveSkip) - fallbacks(before, Fallback::kAdaptiveSkip);
  EXPECT_EQ(capacity + skipped, 64u) << "every one ran in software";
  EXPECT_GT(skipped, capacity) << "after repeated capacity aborts, most skip hardware";
  EXPECT_GE(capacity, 2u) << "the site is probed again after its skip window";
}

TEST_F(HybridBehaviour, CancelInsideHardwareRerunsInSoftwareAndReturnsTheResult) {
  configure({});
  stm::TVar<int64_t> v{10};
  const auto before = stm::collect_tx_stats();
  int r = htm::atomically([&](stm::Tx& tx) {
    v.write(tx, 99);
    tx.cancel(7);
    return 1;
  });
  const auto after = stm::collect_tx_stats();
  EXPECT_EQ(r, 7);
  EXPECT_EQ(v.unsafe_peek(), 10);
  EXPECT_EQ(hw_aborts(after, HwAbort::kUserAbort) - hw_aborts(before, HwAbort::kUserAbort), 1u);
  EXPECT_EQ(fallbacks(after, Fallback::kUserAbort) - fallbacks(before, Fallback::kUserAbort), 1u);
}

TEST_F(HybridBehaviour, ExceptionInsideHardwarePropagatesFromSoftware) {
  configure({});
  stm::TVar<int64_t> v{10};
  EXPECT_THROW(htm::atomically([&](stm::Tx& tx) {
                 v.write(tx, 99);
                 throw std::runtime_error("boom");
               }),
               std::runtime_error);
  EXPECT_EQ(v.unsafe_peek(), 10);
}

TEST_F(HybridBehaviour, ForcedFallbackSendsThatShareToSoftware) {
  EmulationConfig c;
  c.forced_fallback_percent = 100;
  configure(c);
  stm::TVar<int64_t> v{0};
  const auto before = stm::collect_tx_stats();
  for (int i = 0; i < 50; ++i) htm::atomically([&](stm::Tx& tx) { v.write(tx, v.read(tx) + 1); });
  const auto after = stm::collect_tx_stats();
  EXPECT_EQ(v.unsafe_peek(), 50);
  EXPECT_EQ(after.commits_on(stm::CommitPath::kHardware), before.commits_on(stm::CommitPath::kHardware));
}

TEST(TmMode, HtmModeRefusesWhereUnsupportedAndInfoSaysWhy) {
  std::string error;
  TmInfo info_before = tm_info();
  if (!info_before.htm_supported) {
    EXPECT_FALSE(configure_tm(TmMode::kHtm, {}, &error));
    EXPECT_NE(error.find("unsupported"), std::string::npos) << error;
  }
  ASSERT_TRUE(configure_tm(TmMode::kAuto, {}, &error)) << error;
  TmInfo info = tm_info();
  EXPECT_EQ(info.path, info.htm_supported ? TmPath::kHardware : TmPath::kSoftware);
  EXPECT_FALSE(info.reason.empty());
  ASSERT_TRUE(configure_tm(TmMode::kStm, {}, &error));
  EXPECT_EQ(parse_tm_mode("emulated-htm"), TmMode::kEmulatedHtm);
  EXPECT_EQ(parse_tm_mode("bogus"), std::nullopt);
}

TEST(TmMode, GlobalLockModeCommitsOnTheGlobalLockPath) {
  std::string error;
  ASSERT_TRUE(configure_tm(TmMode::kGlobalLock, {}, &error));
  stm::TVar<int64_t> v{0};
  const auto before = stm::collect_tx_stats();
  htm::atomically([&](stm::Tx& tx) { v.write(tx, 5); });
  const auto after = stm::collect_tx_stats();
  EXPECT_EQ(v.unsafe_peek(), 5);
  EXPECT_EQ(after.commits_on(stm::CommitPath::kGlobalLock) - before.commits_on(stm::CommitPath::kGlobalLock), 1u);
  ASSERT_TRUE(configure_tm(TmMode::kStm, {}, &error));
}

}  // namespace
}  // namespace tmkv::htm
