// SLOWLOG's log (server/slowlog.h): the argument rules Redis applies
// (checked against redis-server by smoke_test.py (j)), and the log under
// concurrent recording, reading, trimming and resetting, which is where
// its mutex matters (and what TSan checks in that build).
#include "server/slowlog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace tmkv::server {
namespace {

std::vector<std::string> shown(std::vector<std::string_view> args) { return slowlog_args(args); }

TEST(SlowLogArgs, TruncatesLongArgumentsAndLongCommandsAsRedis) {
  const std::string big(200, 'x');
  const std::string truncated = std::string(128, 'x').append("... (72 more bytes)");
  EXPECT_EQ(shown({"SET", "k", big}), (std::vector<std::string>{"SET", "k", truncated}));
  const std::string exact(128, 'y');
  EXPECT_EQ(shown({"SET", "k", exact})[2], exact);
  std::vector<std::string> many_storage;
  for (int i = 0; i < 40; ++i) many_storage.push_back(std::to_string(i));
  std::vector<std::string_view> many = {"MSET"};
  for (const std::string& s : many_storage) many.push_back(s);
  const std::vector<std::string> out = slowlog_args(many);
  ASSERT_EQ(out.size(), SlowLog::kMaxArgs);
  EXPECT_EQ(out[30], "29");  // out[0] is MSET
  EXPECT_EQ(out.back(), "... (10 more arguments)");
  EXPECT_EQ(shown({"GET", "k"}), (std::vector<std::string>{"GET", "k"}));
}

TEST(SlowLogArgs, RedactsPasswords) {
  EXPECT_EQ(shown({"AUTH", "pw"}), (std::vector<std::string>{"AUTH", "(redacted)"}));
  EXPECT_EQ(shown({"auth", "user", "pw"}), (std::vector<std::string>{"auth", "(redacted)", "(redacted)"}));
  EXPECT_EQ(shown({"HELLO", "3", "AUTH", "user", "pw", "SETNAME", "n"}),
            (std::vector<std::string>{"HELLO", "3", "AUTH", "(redacted)", "(redacted)", "SETNAME", "n"}));
  EXPECT_EQ(shown({"CONFIG", "SET", "maxclients", "5", "requirepass", "pw"}),
            (std::vector<std::string>{"CONFIG", "SET", "maxclients", "5", "requirepass", "(redacted)"}));
  EXPECT_EQ(shown({"SET", "auth", "pw"}), (std::vector<std::string>{"SET", "auth", "pw"}));
}

TEST(SlowLog, ThresholdDecidesWhatIsSlow) {
  SlowLog log;
  EXPECT_TRUE(log.enabled());
  EXPECT_FALSE(log.is_slow(9999));
  EXPECT_TRUE(log.is_slow(10000));
  log.set_threshold_us(0);
  EXPECT_TRUE(log.is_slow(0));
  log.set_threshold_us(-1);
  EXPECT_FALSE(log.enabled());
  EXPECT_FALSE(log.is_slow(UINT64_MAX));
}

TEST(SlowLog, NewestFirstBoundedAndResettable) {
  SlowLog log;
  log.set_max_len(3);
  const std::vector<std::string_view> args = {"GET", "k"};
  for (uint64_t d = 0; d < 5; ++d) log.record(d, args, "127.0.0.1:1", "c");
  const auto all = log.newest(-1);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, 4u);
  EXPECT_EQ(all[0].duration_us, 4u);
  EXPECT_EQ(all[2].id, 2u);
  EXPECT_EQ(log.newest(1).size(), 1u);
  log.set_max_len(0);  // keeps nothing, as in Redis
  log.record(1, args, "a", "b");
  EXPECT_EQ(log.size(), 0u);
  log.set_max_len(10);
  log.record(1, args, "a", "b");
  EXPECT_EQ(log.newest(-1)[0].id, 5u) << "ids go on across trims";
  log.reset();
  EXPECT_EQ(log.size(), 0u);
}

TEST(SlowLog, ConcurrentRecordersReadersAndTrims) {
  SlowLog log;
  log.set_max_len(50);
  std::atomic<bool> stop{false};
  const std::vector<std::string_view> args = {"SET", "key", "value"};
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) log.record(static_cast<uint64_t>(i), args, "127.0.0.1:1", "w");
    });
  }
  std::thread admin([&] {
    size_t n = 1;
    while (!stop.load(std::memory_order_relaxed)) {
      const auto entries = log.newest(-1);
      std::set<uint64_t> ids;
      for (const SlowLogEntry& e : entries) ids.insert(e.id);
      EXPECT_EQ(ids.size(), entries.size()) << "ids are unique";
      EXPECT_LE(entries.size(), 100u);
      log.set_max_len(n % 2 ? 100 : 50);
      if (++n % 7 == 0) log.reset();
    }
  });
  for (auto& w : writers) w.join();
  stop.store(true, std::memory_order_relaxed);
  admin.join();
  EXPECT_LE(log.size(), 100u);
}

}  // namespace
}  // namespace tmkv::server
