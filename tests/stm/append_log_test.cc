// AppendLog: the read set's and redo log's array (stm/append_log.h).
#include "stm/append_log.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace tmkv::stm {
namespace {

struct Entry {
  uint64_t a;
  uint32_t b;
};

TEST(AppendLog, GrowsKeepingEveryEntryInOrder) {
  AppendLog<Entry> log(2);
  for (uint32_t i = 0; i < 100000; ++i) log.push_back(Entry{i * 3ull, i});
  ASSERT_EQ(log.size(), 100000u);
  EXPECT_GE(log.capacity(), 100000u);
  uint32_t i = 0;
  for (const Entry& e : log) {
    ASSERT_EQ(e.a, i * 3ull);
    ASSERT_EQ(e.b, i);
    ++i;
  }
  EXPECT_EQ(log.back().b, 99999u);
  log.pop_back();
  EXPECT_EQ(log.size(), 99999u);
  EXPECT_EQ(log.back().b, 99998u);
}

TEST(AppendLog, ClearKeepsCapacityAndShrinkGivesItBack) {
  AppendLog<int> log(4);
  for (int i = 0; i < 1000; ++i) log.push_back(i);
  const size_t grown = log.capacity();
  log.clear();
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(log.capacity(), grown);
  log.shrink_to(16);
  EXPECT_EQ(log.capacity(), 16u);
  log.shrink_to(64);  // never grows
  EXPECT_EQ(log.capacity(), 16u);
  for (int i = 0; i < 40; ++i) log.push_back(-i);
  EXPECT_EQ(log.size(), 40u);
  EXPECT_EQ(log[39], -39);
}

}  // namespace
}  // namespace tmkv::stm
