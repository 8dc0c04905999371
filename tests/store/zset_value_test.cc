// The persistent sorted set (store/zset_value.h) against a std::set model of
// (score, member): random adds, score moves, removals and rank-range
// removals; ranks, bounds and walks; old versions left as they were; the
// sign of zero; the encoding rule; and versions shared between threads.
#include "store/zset_value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/blob.h"

namespace tmkv::store {
namespace {

using Model = std::set<std::pair<double, std::string>>;

std::vector<std::pair<double, std::string>> contents(const ZSet& z) {
  std::vector<std::pair<double, std::string>> out;
  if (z.empty()) return out;
  z.walk(0, z.size() - 1, [&](const ZEntry& e) {
    out.emplace_back(e.score, std::string(e.member));
    return true;
  });
  return out;
}

std::vector<std::pair<double, std::string>> model_contents(const Model& m) { return {m.begin(), m.end()}; }

// Few distinct scores, so equal scores (ordered by member) are common.
double score_for(std::mt19937_64& rng) {
  const uint64_t pick = rng() % 20;
  if (pick == 0) return std::numeric_limits<double>::infinity();
  if (pick == 1) return -std::numeric_limits<double>::infinity();
  return static_cast<double>(static_cast<int64_t>(rng() % 41) - 20) / 4;
}

std::string member_for(std::mt19937_64& rng) {
  std::string m = "m" + std::to_string(rng() % 400);
  if (rng() % 10 == 0) m.append(rng() % 3, '\0');  // binary-safe, and a prefix of others
  return m;
}

void erase_from_model(Model& m, std::map<std::string, double>& scores, const std::string& member) {
  m.erase({scores[member], member});
  scores.erase(member);
}

TEST(ZSetValue, RandomOperationsMatchAnOrderedModelAndKeepOldVersions) {
  std::mt19937_64 rng(11);
  ZSet z;
  Model model;
  std::map<std::string, double> scores;
  std::vector<std::pair<ZSet, Model>> snapshots;
  for (int step = 0; step < 6000; ++step) {
    const uint64_t op = rng() % 100;
    const std::string member = member_for(rng);
    if (op < 60) {
      const double s = score_for(rng);
      const bool fresh = scores.count(member) == 0;
      if (!fresh) erase_from_model(model, scores, member);
      model.insert({s, member});
      scores[member] = s;
      EXPECT_EQ(z.insert(member, s), fresh);
    } else if (op < 85) {
      const bool there = scores.count(member) != 0;
      if (there) erase_from_model(model, scores, member);
      EXPECT_EQ(z.erase(member), there);
    } else if (op < 90 && !model.empty()) {
      const uint64_t from = rng() % model.size();
      const uint64_t to = from + rng() % std::min<uint64_t>(model.size() - from, rng() % 2 ? 3 : 200);
      std::vector<std::string> gone;
      auto it = std::next(model.begin(), static_cast<std::ptrdiff_t>(from));
      for (uint64_t r = from; r <= to; ++r, ++it) gone.push_back(it->second);
      for (const std::string& g : gone) erase_from_model(model, scores, g);
      z.erase_ranks(from, to);
    } else if (op < 95) {
      const auto r = z.rank(member);
      const auto it = scores.find(member);
      ASSERT_EQ(r.has_value(), it != scores.end());
      if (r) {
        EXPECT_EQ(*r, static_cast<uint64_t>(std::distance(model.begin(), model.find({it->second, member}))));
        EXPECT_EQ(z.at(*r).member, member);
        EXPECT_EQ(*z.score(member), it->second);
      }
    } else {
      snapshots.emplace_back(z, model);
    }
    ASSERT_EQ(z.size(), model.size());
    if (step % 500 == 0) {
      ASSERT_TRUE(z.consistent_for_testing());
      ASSERT_EQ(contents(z), model_contents(model));
    }
  }
  ASSERT_TRUE(z.consistent_for_testing());
  EXPECT_EQ(contents(z), model_contents(model));
  for (const auto& [version, m] : snapshots) {
    ASSERT_TRUE(version.consistent_for_testing());
    EXPECT_EQ(contents(version), model_contents(m));
  }
}

TEST(ZSetValue, BoundsByScoreAndByMember) {
  ZSet z;
  z.insert("a", 1);
  z.insert("b", 2);
  z.insert("c", 2);
  z.insert("d", 3);
  EXPECT_EQ(z.lower_bound_score(2, false), 1u);
  EXPECT_EQ(z.lower_bound_score(2, true), 3u);
  EXPECT_EQ(z.lower_bound_score(-std::numeric_limits<double>::infinity(), false), 0u);
  EXPECT_EQ(z.lower_bound_score(3, true), 4u);
  ZSet lex;
  for (const char* m : {"", "a", "aa", "ab", "b"}) lex.insert(m, 0);
  EXPECT_EQ(lex.lower_bound_member("a", false), 1u);
  EXPECT_EQ(lex.lower_bound_member("a", true), 2u);
  EXPECT_EQ(lex.lower_bound_member("ab", true), 4u);
  EXPECT_EQ(lex.lower_bound_member("c", false), 5u);
  std::vector<std::string> backward;
  lex.walk_backward(3, 1, [&](const ZEntry& e) {
    backward.emplace_back(e.member);
    return true;
  });
  EXPECT_EQ(backward, (std::vector<std::string>{"ab", "aa", "a"}));
}

// Redis compares scores numerically, so -0 and 0 tie and order by member,
// but in a skiplist each member keeps the score it was given (ZSCORE says
// "-0").
TEST(ZSetValue, NegativeZeroTiesWithZeroAndKeepsItsSign) {
  ZSet z;
  z.mark_big();
  z.insert("b", -0.0);
  z.insert("a", 0.0);
  z.insert("c", -1);
  EXPECT_EQ(z.at(1).member, "a");
  EXPECT_EQ(z.at(2).member, "b");
  EXPECT_TRUE(std::signbit(z.at(2).score));
  EXPECT_FALSE(z.insert("b", 0.0));  // same place: only the sign changes
  EXPECT_FALSE(std::signbit(*z.score("b")));
  EXPECT_EQ(*z.rank("b"), 2u);
  EXPECT_TRUE(z.consistent_for_testing());
}

// A listpack keeps no -0: Redis 7.0 reads it back as 0, whether ZADD wrote
// it or a set built whole (ZUNIONSTORE) came out small.
TEST(ZSetValue, ListpackStoresNegativeZeroAsZero) {
  ZSet z;
  z.insert("b", -0.0);
  EXPECT_FALSE(std::signbit(*z.score("b")));
  const ZEntry entries[] = {{"x", -0.0}, {"y", 0.0}, {"w", -1}};
  ZSet small = ZSet::build(entries);
  EXPECT_STREQ(small.encoding(), "listpack");
  EXPECT_FALSE(std::signbit(*small.score("x")));
  EXPECT_FALSE(std::signbit(small.at(1).score));
  EXPECT_TRUE(small.consistent_for_testing());
  set_zset_listpack_limits(2, 64);
  ZSet big = ZSet::build(entries);
  EXPECT_STREQ(big.encoding(), "skiplist");
  EXPECT_TRUE(std::signbit(*big.score("x")));
  set_zset_listpack_limits(128, 64);
}

TEST(ZSetValue, EncodingFollowsRedisRules) {
  set_zset_listpack_limits(4, 8);
  ZSet z;
  for (int i = 0; i < 4; ++i) z.insert("m" + std::to_string(i), i);
  EXPECT_STREQ(z.encoding(), "listpack");
  z.insert("m4", 4);
  EXPECT_STREQ(z.encoding(), "skiplist");
  z.erase("m4");
  EXPECT_STREQ(z.encoding(), "skiplist");  // never back by itself, as Redis
  z.judge_encoding();
  EXPECT_STREQ(z.encoding(), "listpack");  // a set built whole: by its contents
  z.insert("a-long-member", 9);
  EXPECT_STREQ(z.encoding(), "skiplist");
  const ZEntry small[] = {{"x", 1}, {"y", 2}};
  EXPECT_STREQ(ZSet::build(small).encoding(), "listpack");
  // RESTORE of a listpack (type 17) judges by the count only.
  const ZEntry long_member[] = {{"a-long-member", 1}};
  ZSet loaded = ZSet::build(long_member);
  EXPECT_STREQ(loaded.encoding(), "skiplist");
  loaded.judge_encoding_by_entries();
  EXPECT_STREQ(loaded.encoding(), "listpack");
  set_zset_listpack_limits(128, 64);
}

TEST(ZSetValue, BuildSortsAndStoresThroughABlob) {
  const ZEntry entries[] = {{"c", 3}, {"a", 1}, {"b", 1}, {"z", -5}};
  ZSet built = ZSet::build(entries);
  EXPECT_TRUE(built.consistent_for_testing());
  EXPECT_EQ(contents(built), (std::vector<std::pair<double, std::string>>{{-5, "z"}, {1, "a"}, {1, "b"}, {3, "c"}}));
  Blob* b = Blob::make(ValueType::kZSet, built.body_bytes());
  EXPECT_GT(b->node_bytes(), 0u);
  built = ZSet();  // the blob keeps the version alive on its own
  {
    ZSet back = ZSet::from_body(b->view());
    EXPECT_EQ(back.size(), 4u);
    EXPECT_EQ(*back.score("c"), 3);
    back.insert("d", 0);  // a new version; the stored one stays
  }
  EXPECT_EQ(ZSet::from_body(b->view()).size(), 4u);
  Blob::destroy(b);
}

// Threads build new versions from one shared base and read it meanwhile:
// the shared nodes' reference counts (TSan checks the build).
TEST(ZSetValue, VersionsSharedBetweenThreads) {
  ZSet base;
  for (int i = 0; i < 1000; ++i) base.insert("m" + std::to_string(i), i % 17);
  const auto expected = contents(base);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        ZSet mine = base;
        mine.insert("t" + std::to_string(t), round);
        mine.erase("m" + std::to_string(round));
        mine.erase_ranks(0, 10);
        EXPECT_EQ(mine.size(), 1000u - 11u);
        EXPECT_EQ(base.size(), 1000u);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(contents(base), expected);
}

}  // namespace
}  // namespace tmkv::store
