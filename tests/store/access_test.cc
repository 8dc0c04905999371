// Access tracking (store/access_clock.h, Blob's access bits) and the
// eviction sampler (Store::sample).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/access_clock.h"
#include "store/blob.h"
#include "store/clock.h"
#include "store/store.h"

namespace tmkv::store {
namespace {

using stm::atomically;
using stm::Tx;

constexpr int64_t kMinute = 60'000;
constexpr int64_t kT0 = 1'764'000'000'000;  // some Unix time in ms

// Restores the process-wide mode after each test.
class AccessTest : public ::testing::Test {
 protected:
  void TearDown() override {
    set_access_mode(AccessMode::kLru);
    set_lfu_parameters(10, 1);
  }
};

TEST_F(AccessTest, LruIdleTimeInWholeSeconds) {
  const uint32_t bits = lru_clock(kT0);
  EXPECT_EQ(lru_idle_ms(bits, kT0), 0u);
  EXPECT_EQ(lru_idle_ms(bits, kT0 + 999), 0u);
  EXPECT_EQ(lru_idle_ms(bits, kT0 + 1000), 1000u);
  EXPECT_EQ(lru_idle_ms(bits, kT0 + 3'600'000), 3'600'000u);
}

TEST_F(AccessTest, LruIdleTimeAcrossTheClockWrap) {
  // Pick a `then` just before the 24-bit seconds clock wraps.
  const int64_t wrap_s = (kT0 / 1000 / (int64_t{kAccessMask} + 1) + 1) * (int64_t{kAccessMask} + 1);
  const int64_t then = (wrap_s - 5) * 1000;
  const uint32_t bits = lru_clock(then);
  EXPECT_EQ(lru_idle_ms(bits, then + 10'000), 10'000u);
}

TEST_F(AccessTest, RestoredIdleTimeReadsBack) {
  EXPECT_EQ(lru_idle_ms(lru_bits_idle_for(1000, kT0), kT0), 1'000'000u);
  EXPECT_EQ(lru_idle_ms(lru_bits_idle_for(0, kT0), kT0), 0u);
}

TEST_F(AccessTest, LfuNewKeysStartAtFiveAndDecayPerPeriod) {
  set_access_mode(AccessMode::kLfu);
  const uint32_t bits = initial_access(kT0);
  EXPECT_EQ(lfu_counter(bits, kT0), kLfuInitialCounter);
  EXPECT_EQ(lfu_counter(bits, kT0 + 2 * kMinute), 3u);
  EXPECT_EQ(lfu_counter(bits, kT0 + 10 * kMinute), 0u);
  set_lfu_parameters(10, 2);  // one step per two minutes
  EXPECT_EQ(lfu_counter(bits, kT0 + 4 * kMinute), 3u);
  set_lfu_parameters(10, 0);  // never decays
  EXPECT_EQ(lfu_counter(bits, kT0 + 1000 * kMinute), kLfuInitialCounter);
}

TEST_F(AccessTest, LfuCounterGrowsLogarithmically) {
  set_access_mode(AccessMode::kLfu);
  set_lfu_parameters(10, 0);
  uint32_t bits = initial_access(kT0);
  bits = touched_access(bits, kT0);
  EXPECT_EQ(lfu_counter(bits, kT0), kLfuInitialCounter + 1) << "from the initial value the first access counts for sure";
  for (int i = 1; i < 1000; ++i) bits = touched_access(bits, kT0);
  // Redis's table for lfu-log-factor 10: 1K hits reach about 18. A coin
  // toss per hit: 2,000 simulated runs of the same rule ranged 13..28 (mean
  // 19.4), so a band around that; linear counting would be at 255.
  const uint32_t c = lfu_counter(bits, kT0);
  EXPECT_GE(c, 11u);
  EXPECT_LE(c, 32u);
  for (int i = 0; i < 2'000'000; ++i) bits = touched_access(bits, kT0);
  EXPECT_LE(lfu_counter(bits, kT0), 255u);
  EXPECT_GE(lfu_counter(bits, kT0), 100u);
}

TEST_F(AccessTest, TouchChangesOnlyTheAccessBits) {
  const ScopedCommandTime at(kT0);
  Blob* b = Blob::make(ValueType::kString, "hello", kT0 + 5000);
  EXPECT_EQ(b->access(), lru_clock(kT0));
  EXPECT_FALSE(b->access_given());
  b->touch(kT0 + 7000);
  EXPECT_EQ(b->access(), lru_clock(kT0 + 7000));
  EXPECT_EQ(b->type(), ValueType::kString);
  EXPECT_EQ(b->expire_at_ms(), kT0 + 5000);
  EXPECT_EQ(b->view(), "hello");
  b->set_access(kAccessMask);
  EXPECT_EQ(b->access(), kAccessMask);
  EXPECT_EQ(b->expire_at_ms(), kT0 + 5000);
  Blob::destroy(b);
  // 16 bytes of value: g++ cannot tell that expire_at_ms() reads no expiry
  // from a box without one, and would warn about a 9-byte allocation.
  Blob* given = Blob::make(ValueType::kString, "0123456789abcdef", 0, 1234u);
  EXPECT_EQ(given->access(), 1234u);
  EXPECT_TRUE(given->access_given());
  EXPECT_EQ(given->expire_at_ms(), 0);
  Blob::destroy(given);
}

// Many threads touching one box: the type, flags and bytes never change.
TEST_F(AccessTest, ConcurrentTouchesKeepTheImmutableBits) {
  set_access_mode(AccessMode::kLfu);
  Blob* b = Blob::make(ValueType::kString, "value", kT0 + 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([b, t] {
      for (int i = 0; i < 20000; ++i) b->touch(kT0 + (i % 7) * kMinute + t);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(b->type(), ValueType::kString);
  EXPECT_EQ(b->expire_at_ms(), kT0 + 1);
  EXPECT_EQ(b->view(), "value");
  Blob::destroy(b);
}

const Blob* lookup(Store& s, std::string_view key) {
  return atomically([&](Tx& tx) { return s.lookup(tx, key); });
}

TEST_F(AccessTest, ReadsTouchUnlessTold) {
  Store s;
  {
    const ScopedCommandTime at(kT0);
    atomically([&](Tx& tx) { s.set(tx, "k", "v"); });
  }
  uint32_t created = 0;
  {
    const ScopedCommandTime at(kT0 + 5000);
    const ScopedNoTouch no_touch;
    atomically([&](Tx& tx) { created = s.lookup(tx, "k")->access(); });
  }
  EXPECT_EQ(created, lru_clock(kT0));
  {
    const ScopedCommandTime at(kT0 + 9000);
    atomically([&](Tx& tx) { s.lookup(tx, "k"); });
  }
  atomically([&](Tx& tx) {
    const ScopedNoTouch no_touch;
    EXPECT_EQ(s.lookup(tx, "k")->access(), lru_clock(kT0 + 9000));
  });
}

TEST_F(AccessTest, LfuOverwriteKeepsTheFrequencyUnlessGiven) {
  set_access_mode(AccessMode::kLfu);
  set_lfu_parameters(10, 0);
  Store s;
  const ScopedCommandTime at(kT0);
  atomically([&](Tx& tx) { s.set(tx, "k", "v"); });
  for (int i = 0; i < 50; ++i) lookup(s, "k");
  const ScopedNoTouch no_touch;
  const uint32_t before = lfu_counter(lookup(s, "k")->access(), kT0);
  EXPECT_GT(before, kLfuInitialCounter);
  atomically([&](Tx& tx) { s.set(tx, "k", "w"); });
  EXPECT_EQ(lfu_counter(lookup(s, "k")->access(), kT0), before) << "SET over a key keeps its counter, as Redis";
  atomically([&](Tx& tx) { s.put(tx, "k", ValueType::kString, "z", 0, lfu_bits_with_counter(200, kT0)); });
  EXPECT_EQ(lfu_counter(lookup(s, "k")->access(), kT0), 200u) << "given bits win";
  atomically([&](Tx& tx) { s.del(tx, "k"); });
  atomically([&](Tx& tx) { s.set(tx, "k", "new"); });
  EXPECT_EQ(lfu_counter(lookup(s, "k")->access(), kT0), kLfuInitialCounter) << "a new key starts afresh";
}

// Walks the whole table in calls of bounded length: every key once per
// pass, with its size; volatile_only keeps only keys with a TTL.
TEST_F(AccessTest, SampleWalksEveryKeyAndFiltersVolatile) {
  Store s;
  const ScopedCommandTime at(kT0);
  for (int i = 0; i < 1000; ++i) {
    atomically([&](Tx& tx) {
      const std::string k = "k" + std::to_string(i);
      if (i % 10 == 0) {
        s.put(tx, k, ValueType::kString, "v", kT0 + 100'000);
      } else {
        s.set(tx, k, "v");
      }
    });
  }
  for (bool volatile_only : {false, true}) {
    std::set<std::string> seen;
    std::vector<Store::Sample> out;
    uint64_t cursor = 0;
    size_t calls = 0;
    do {
      out.clear();
      cursor = atomically([&](Tx& tx) {
        out.clear();
        return s.sample(tx, cursor, 5, volatile_only, &out);
      });
      for (const Store::Sample& smp : out) {
        EXPECT_TRUE(seen.insert(smp.key).second) << smp.key << " twice in one pass";
        EXPECT_GT(smp.bytes, sizeof(Record));
        EXPECT_EQ(smp.expire_at_ms != 0, std::stoi(smp.key.substr(1)) % 10 == 0) << smp.key;
      }
      ++calls;
    } while (cursor != 0);
    EXPECT_EQ(seen.size(), volatile_only ? 100u : 1000u);
    EXPECT_GT(calls, 1u) << "each call walks a bounded stretch";
  }
}

TEST_F(AccessTest, SampleSkipsExpiredAndDeletedKeys) {
  Store s;
  {
    const ScopedCommandTime at(kT0);
    atomically([&](Tx& tx) {
      s.put(tx, "soon", ValueType::kString, "v", kT0 + 10);
      s.set(tx, "gone", "v");
      s.set(tx, "kept", "v");
    });
    atomically([&](Tx& tx) { s.del(tx, "gone"); });
  }
  const ScopedCommandTime later(kT0 + 20);
  std::vector<Store::Sample> out;
  uint64_t cursor = 0;
  do {
    cursor = atomically([&](Tx& tx) { return s.sample(tx, cursor, 100, false, &out); });
  } while (cursor != 0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].key, "kept");
}

}  // namespace
}  // namespace tmkv::store
