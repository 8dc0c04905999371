// The persistent hash (store/hash_value.h) against a std::map model: random
// sets and erases, every version kept by an older handle unchanged, HSCAN's
// cursor returning each field present throughout exactly once while the hash
// changes, the i-th entry walk, node bytes, insertion order, and the nodes
// freed (ASan's leak check in the sanitizer builds). The weak hash makes
// fields share 9 levels of path and collide beyond, so the collision nodes
// and the collapsing of single-leaf branches are covered too.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/blob.h"
#include "store/hash_value.h"

namespace tmkv::store {
namespace {

using Model = std::map<std::string, std::string>;

Model as_model(const Hash& h) {
  Model m;
  for (const HashEntry& e : h.entries()) {
    EXPECT_TRUE(m.emplace(std::string(e.field), std::string(e.value)).second) << "field listed twice: " << e.field;
  }
  return m;
}

void expect_same(const Hash& h, const Model& m) {
  ASSERT_EQ(h.size(), m.size());
  EXPECT_EQ(as_model(h), m);
  for (const auto& [f, v] : m) {
    std::string_view got;
    ASSERT_TRUE(h.find(f, &got)) << f;
    EXPECT_EQ(got, v);
  }
  std::set<std::string> by_index;
  for (uint64_t i = 0; i < h.size(); ++i) by_index.insert(std::string(h.at(i).field));
  EXPECT_EQ(by_index.size(), m.size()) << "at(i) reaches every entry once";
}

class HashValue : public ::testing::TestWithParam<uint64_t> {
 protected:
  void SetUp() override { hash_value_weak_hash_for_testing(GetParam()); }
  void TearDown() override { hash_value_weak_hash_for_testing(0); }
};

TEST_P(HashValue, RandomOperationsMatchAMapAndOldVersionsStay) {
  std::mt19937_64 rng(7);
  Hash h;
  Model m;
  std::vector<std::pair<Hash, Model>> snapshots;
  for (int step = 0; step < 6000; ++step) {
    const std::string field = "f" + std::to_string(rng() % 700);
    if (rng() % 3 == 0) {
      EXPECT_EQ(h.erase(field), m.erase(field) == 1);
    } else {
      const std::string value = std::string(rng() % 20, 'v') + std::to_string(step);
      EXPECT_EQ(h.set(field, value), m.count(field) == 0);
      m[field] = value;
    }
    if (step % 500 == 0) snapshots.emplace_back(h, m);
    if (step % 250 == 0) expect_same(h, m);
  }
  expect_same(h, m);
  for (const auto& [old, model] : snapshots) expect_same(old, model);
  while (!m.empty()) {  // erase down to empty
    EXPECT_TRUE(h.erase(m.begin()->first));
    m.erase(m.begin());
  }
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.node_bytes(), 0u);
}

TEST_P(HashValue, NodeBytesAreTheSumOverABuildFromScratch) {
  Hash h;
  for (int i = 0; i < 2000; ++i) h.set("k" + std::to_string(i), std::string(static_cast<size_t>(i % 50), 'x'));
  for (int i = 0; i < 2000; i += 3) h.erase("k" + std::to_string(i));
  Hash fresh;
  for (const HashEntry& e : h.entries()) fresh.set(e.field, e.value);
  // Both versions hold the same leaves; the branches may differ by where
  // erases collapsed, so compare the leaves' share: within the branches'.
  EXPECT_GT(h.node_bytes(), 0u);
  const double ratio = static_cast<double>(h.node_bytes()) / static_cast<double>(fresh.node_bytes());
  EXPECT_GT(ratio, 0.8);
  EXPECT_LT(ratio, 1.25);
}

TEST_P(HashValue, ScanReturnsEveryFieldPresentThroughoutOnce) {
  std::mt19937_64 rng(11);
  Hash h;
  for (int i = 0; i < 3000; ++i) h.set("stay" + std::to_string(i), "v");
  std::map<std::string, int> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    std::vector<HashEntry> out;
    cursor = h.scan(cursor, 1 + rng() % 40, &out);
    for (const HashEntry& e : out) ++seen[std::string(e.field)];
    // Churn between calls: other fields come and go.
    for (int j = 0; j < 20; ++j) {
      const std::string f = "churn" + std::to_string(rng() % 500);
      if (rng() % 2) {
        h.set(f, "x");
      } else {
        h.erase(f);
      }
    }
    ASSERT_LT(++calls, 100000);
  } while (cursor != 0);
  for (int i = 0; i < 3000; ++i) EXPECT_EQ(seen["stay" + std::to_string(i)], 1) << i;
}

TEST_P(HashValue, SmallHashesKeepInsertionOrder) {
  Hash h;
  const std::vector<std::string> order = {"zeta", "alpha", "mid", "b", "a"};
  for (const auto& f : order) h.set(f, "1");
  h.set("alpha", "2");  // an update keeps its place
  h.erase("mid");
  h.set("mid", "3");  // a re-insert goes last
  std::vector<std::string> got;
  for (const HashEntry& e : h.entries()) got.emplace_back(e.field);
  EXPECT_EQ(got, (std::vector<std::string>{"zeta", "alpha", "b", "a", "mid"}));
  EXPECT_STREQ(h.encoding(), "listpack");
  h.set("long", std::string(65, 'x'));
  EXPECT_STREQ(h.encoding(), "hashtable");
  h.erase("long");
  EXPECT_STREQ(h.encoding(), "hashtable") << "never back, as in Redis";
}

TEST_P(HashValue, SetsJudgeTheIntsetEncoding) {
  Hash s;
  EXPECT_TRUE(s.add_member("5"));
  EXPECT_TRUE(s.add_member("-12"));
  EXPECT_FALSE(s.add_member("5"));
  EXPECT_STREQ(s.set_encoding(), "intset");
  std::string_view v;
  ASSERT_TRUE(s.find("-12", &v));
  EXPECT_EQ(v, "");
  EXPECT_TRUE(s.add_member("007"));  // not a canonical integer
  EXPECT_STREQ(s.set_encoding(), "hashtable");
  s.erase("007");
  EXPECT_STREQ(s.set_encoding(), "hashtable") << "never back, as in Redis";
  Hash many;
  for (int i = 0; i < 512; ++i) many.add_member(std::to_string(i));
  EXPECT_STREQ(many.set_encoding(), "intset");
  many.add_member("512");
  EXPECT_STREQ(many.set_encoding(), "hashtable") << "past set-max-intset-entries";
}

TEST_P(HashValue, BlobsShareAndReleaseTheirVersion) {
  Hash h;
  for (int i = 0; i < 100; ++i) h.set("f" + std::to_string(i), "v");
  const std::string body = h.body_bytes();
  Blob* a = Blob::make(ValueType::kHash, body, 0);
  Blob* b = Blob::make(ValueType::kHash, a->view(), 12345);  // as EXPIRE's rewrite copies the bytes
  h = Hash();                                                // only the blobs hold it now
  Hash seen = Hash::from_body(b->view());
  Blob::destroy(a);
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(b->node_bytes(), seen.node_bytes());
  Blob::destroy(b);
  std::string_view v;
  EXPECT_TRUE(seen.find("f42", &v));  // the handle keeps it after both blobs
}

// Readers walk versions other threads build from: the shared nodes' counts
// change under them, nothing else does (TSan checks the rest).
TEST_P(HashValue, ConcurrentWritersShareABaseVersion) {
  Hash base;
  for (int i = 0; i < 5000; ++i) base.set("f" + std::to_string(i), "base");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&base, t] {
      Hash mine = base;  // a new reference to the shared version
      for (int i = 0; i < 1500; ++i) {
        mine.set("f" + std::to_string((i * 7 + t) % 6000), "t" + std::to_string(t));
        if (i % 5 == 0) mine.erase("f" + std::to_string((i * 13 + t) % 5000));
        std::string_view v;
        (void)base.find("f" + std::to_string(i % 5000), &v);
      }
      EXPECT_GT(mine.size(), 0u);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(base.size(), 5000u);
  std::string_view v;
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(base.find("f" + std::to_string(i), &v));
    EXPECT_EQ(v, "base");
  }
}

INSTANTIATE_TEST_SUITE_P(Hashes, HashValue, ::testing::Values(0u, 3u, 64u),
                         [](const ::testing::TestParamInfo<uint64_t>& p) {
                           return p.param == 0 ? std::string("RealHash") : "WeakHash" + std::to_string(p.param);
                         });

}  // namespace
}  // namespace tmkv::store
