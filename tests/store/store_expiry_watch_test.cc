// Expiry (values carrying a deadline, judged at the command's instant) and
// WATCH tokens (exact modification detection, records kept from reaping).
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "store/clock.h"
#include "store/expiry_log.h"
#include "store/store.h"

namespace tmkv::store {
namespace {

using stm::atomically;
using stm::Tx;

constexpr int64_t kT0 = 1'700'000'000'000;  // a fixed "now" for the tests

bool exists_at(Store& s, std::string_view key, int64_t now) {
  ScopedCommandTime at(now);
  return atomically([&](Tx& tx) { return s.exists(tx, key); });
}

void put_at(Store& s, std::string_view key, std::string_view value, int64_t expire_at, int64_t now) {
  ScopedCommandTime at(now);
  atomically([&](Tx& tx) { ASSERT_EQ(s.put(tx, key, ValueType::kString, value, expire_at), OpStatus::kOk); });
}

bool intact(Store& s, const Store::WatchToken& t, int64_t now) {
  ScopedCommandTime at(now);
  return atomically([&](Tx& tx) { return s.watch_intact(tx, t); });
}

TEST(StoreExpiry, ExpiredValueReadsAsAbsent) {
  Store s;
  put_at(s, "k", "v", kT0 + 100, kT0);
  EXPECT_TRUE(exists_at(s, "k", kT0 + 99));
  EXPECT_FALSE(exists_at(s, "k", kT0 + 100));
  EXPECT_EQ(s.expiring_count(), 1u);
  ScopedCommandTime at(kT0 + 50);
  int64_t when = atomically([&](Tx& tx) { return s.lookup(tx, "k")->expire_at_ms(); });
  EXPECT_EQ(when, kT0 + 100);
}

TEST(StoreExpiry, DelOfExpiredKeyRemovesItAndCountsIt) {
  Store s;
  put_at(s, "k", "v", kT0 + 10, kT0);
  ScopedCommandTime at(kT0 + 20);
  EXPECT_FALSE(atomically([&](Tx& tx) { return s.del(tx, "k"); }));
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.expired_count(), 1u);
  EXPECT_EQ(s.expiring_count(), 0u);
}

TEST(StoreExpiry, IncrbyKeepsTheDeadline) {
  Store s;
  put_at(s, "n", "41", kT0 + 1000, kT0);
  ScopedCommandTime at(kT0 + 1);
  EXPECT_EQ(atomically([&](Tx& tx) { return s.incrby(tx, "n", 1).value(); }), 42);
  EXPECT_EQ(atomically([&](Tx& tx) { return s.lookup(tx, "n")->expire_at_ms(); }), kT0 + 1000);
}

TEST(StoreExpiry, SweepDeletesOnlyExpiredKeys) {
  Store s;
  for (int i = 0; i < 100; ++i) {
    put_at(s, "e" + std::to_string(i), "v", i % 2 == 0 ? kT0 + 5 : 0, kT0);
  }
  ScopedCommandTime at(kT0 + 10);
  std::vector<std::string> candidates;
  uint64_t cursor = 0;
  do {
    cursor = s.expired_candidates(cursor, 64, &candidates);
  } while (cursor != 0);
  EXPECT_EQ(candidates.size(), 50u);
  size_t deleted = 0;
  for (const auto& k : candidates) deleted += atomically([&](Tx& tx) { return s.delete_if_expired(tx, k); });
  EXPECT_EQ(deleted, 50u);
  EXPECT_EQ(s.size(), 50u);
  EXPECT_EQ(s.expired_count(), 50u);
}

TEST(StoreWatch, UntouchedKeyStaysIntact) {
  Store s;
  put_at(s, "a", "1", 0, kT0);
  auto t = s.watch("a");
  EXPECT_TRUE(t.alive);
  put_at(s, "other", "x", 0, kT0);
  EXPECT_TRUE(intact(s, t, kT0));
  s.unwatch(t);
}

TEST(StoreWatch, AnyWriteBreaksIt) {
  Store s;
  put_at(s, "a", "1", 0, kT0);
  auto t = s.watch("a");
  put_at(s, "a", "1", 0, kT0);  // same value: still a modification
  EXPECT_FALSE(intact(s, t, kT0));
  s.unwatch(t);
}

TEST(StoreWatch, CreateThenDeleteOfAnAbsentKeyIsSeenEvenAfterReaping) {
  Store s;
  auto t = s.watch("ghost");
  EXPECT_FALSE(t.alive);
  put_at(s, "ghost", "boo", 0, kT0);
  atomically([&](Tx& tx) { s.del(tx, "ghost"); });
  // Give the reaper every chance to remove the (absent) record; the watch
  // must keep it, or the delete would go unseen.
  for (int i = 0; i < 5; ++i) s.reap_now();
  EXPECT_FALSE(intact(s, t, kT0));
  s.unwatch(t);
  for (int i = 0; i < 5; ++i) s.reap_now();
  EXPECT_EQ(s.record_count(), 0u);  // reaped once nobody watches
}

TEST(StoreWatch, AbsentKeyLeftAloneStaysIntact) {
  Store s;
  auto t = s.watch("nobody");
  for (int i = 0; i < 5; ++i) s.reap_now();
  EXPECT_TRUE(intact(s, t, kT0));
  s.unwatch(t);
}

TEST(StoreWatch, ExpiryAfterWatchCountsAsModification) {
  Store s;
  put_at(s, "t", "v", kT0 + 100, kT0);
  Store::WatchToken t;
  {
    ScopedCommandTime at(kT0 + 1);
    t = s.watch("t");
  }
  EXPECT_TRUE(t.alive);
  EXPECT_TRUE(intact(s, t, kT0 + 50));
  EXPECT_FALSE(intact(s, t, kT0 + 100));
  s.unwatch(t);
}

TEST(StoreWatch, ConcurrentWritersAreNeverMissed) {
  // A writer thread keeps overwriting; every token taken before a write it
  // completes must read as broken afterwards.
  Store s;
  put_at(s, "hot", "0", 0, kT0);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> writes{0};
  std::thread writer([&] {
    uint64_t i = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      atomically([&](Tx& tx) { s.set(tx, "hot", std::to_string(++i)); });
      writes.fetch_add(1, std::memory_order_release);
    }
  });
  for (int round = 0; round < 2000; ++round) {
    auto t = s.watch("hot");
    const uint64_t w0 = writes.load(std::memory_order_acquire);
    while (writes.load(std::memory_order_acquire) < w0 + 2) std::this_thread::yield();
    EXPECT_FALSE(intact(s, t, kT0)) << "round " << round;
    s.unwatch(t);
  }
  stop = true;
  writer.join();
}

}  // namespace
}  // namespace tmkv::store

// The expiry log (store/expiry_log.h) behind "expired" notifications: only
// committed attempts' expiries reach it, in the order they happened, and
// nothing is logged while it is off.
namespace tmkv::store {
namespace {

std::vector<std::string> take_keys(const Store& s) {
  std::vector<ExpiredKey> log;
  take_expired_log(&log);
  std::vector<std::string> keys;
  for (const ExpiredKey& e : log) {
    EXPECT_EQ(e.store, &s);
    keys.push_back(e.key);
  }
  return keys;
}

TEST(StoreExpiryLog, OnlyCommittedExpiriesInOrder) {
  Store s;
  set_expiry_log(true);
  put_at(s, "a", "v", kT0 + 10, kT0);
  put_at(s, "b", "v", kT0 + 10, kT0);
  put_at(s, "c", "v", kT0 + 10, kT0);
  {
    ScopedCommandTime at(kT0 + 20);
    // An attempt that expires "a" and then does not commit tells nothing.
    atomically([&](Tx& tx) {
      s.del(tx, "a");
      tx.cancel();
    });
    EXPECT_EQ(take_keys(s), std::vector<std::string>{});
    atomically([&](Tx& tx) {
      s.del(tx, "b");
      s.del(tx, "a");
    });
  }
  EXPECT_EQ(take_keys(s), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(take_keys(s), std::vector<std::string>{});  // taken once
  EXPECT_EQ(s.expired_count(), 2u);
  set_expiry_log(false);
  {
    ScopedCommandTime at(kT0 + 20);
    EXPECT_TRUE(atomically([&](Tx& tx) { return s.delete_if_expired(tx, "c"); }));
  }
  EXPECT_EQ(take_keys(s), std::vector<std::string>{});  // off: counted, not logged
  EXPECT_EQ(s.expired_count(), 3u);
}

}  // namespace
}  // namespace tmkv::store
