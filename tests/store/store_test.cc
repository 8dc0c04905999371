#include "store/store.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "store/int_codec.h"

namespace tmkv::store {
namespace {

using stm::atomically;
using stm::Tx;

std::optional<std::string> get_str(Store& s, std::string_view key) {
  return atomically([&](Tx& tx) -> std::optional<std::string> {
    auto r = s.get(tx, key);
    EXPECT_TRUE(r.ok());
    if (!r.value()) return std::nullopt;
    return std::string(*r.value());
  });
}

TEST(Store, SetGetDelExists) {
  Store s;
  EXPECT_EQ(get_str(s, "a"), std::nullopt);
  atomically([&](Tx& tx) { EXPECT_EQ(s.set(tx, "a", "1"), OpStatus::kOk); });
  EXPECT_EQ(get_str(s, "a"), "1");
  EXPECT_EQ(s.size(), 1u);
  EXPECT_TRUE(atomically([&](Tx& tx) { return s.exists(tx, "a"); }));
  EXPECT_TRUE(atomically([&](Tx& tx) { return s.del(tx, "a"); }));
  EXPECT_FALSE(atomically([&](Tx& tx) { return s.del(tx, "a"); }));
  EXPECT_FALSE(atomically([&](Tx& tx) { return s.exists(tx, "a"); }));
  EXPECT_EQ(s.size(), 0u);
}

TEST(Store, BinarySafeKeysAndValues) {
  Store s;
  std::string key("k\0ey\r\n", 6), value("\0\x01\xff\0", 4);
  atomically([&](Tx& tx) { s.set(tx, key, value); });
  EXPECT_EQ(get_str(s, key), value);
  EXPECT_EQ(get_str(s, std::string("k\0ex\r\n", 6)), std::nullopt);
  atomically([&](Tx& tx) { s.set(tx, "", ""); });
  EXPECT_EQ(get_str(s, ""), "");
}

TEST(Store, ValueSizeLimitIsEnforcedAndConfigurable) {
  Store s(StoreOptions{.max_value_bytes = 8});
  EXPECT_EQ(atomically([&](Tx& tx) { return s.set(tx, "k", "123456789"); }), OpStatus::kValueTooLarge);
  EXPECT_EQ(get_str(s, "k"), std::nullopt);
  EXPECT_EQ(atomically([&](Tx& tx) { return s.set(tx, "k", "12345678"); }), OpStatus::kOk);
  std::pair<std::string_view, std::string_view> pairs[] = {{"a", "1"}, {"b", "too long value"}};
  EXPECT_EQ(atomically([&](Tx& tx) { return s.mset(tx, pairs); }), OpStatus::kValueTooLarge);
  EXPECT_EQ(get_str(s, "a"), std::nullopt) << "a rejected MSET writes nothing";
  EXPECT_EQ(Store().options().max_value_bytes, size_t{512} << 20);
}

TEST(Store, InsertInAbortedTransactionNeverBecomesVisible) {
  Store s;
  bool r = atomically([&](Tx& tx) {
    s.set(tx, "ghost", "boo");
    EXPECT_EQ(*s.get(tx, "ghost").value(), "boo");  // read-your-writes
    tx.cancel(false);
    return true;
  });
  EXPECT_FALSE(r);
  EXPECT_EQ(get_str(s, "ghost"), std::nullopt);
  EXPECT_EQ(s.size(), 0u);
  // The absent record left behind is reaped.
  for (int i = 0; i < 4; ++i) s.reap_now();
  EXPECT_EQ(s.record_count(), 0u);
}

TEST(Store, DeleteIsAtomicWithOtherWrites) {
  Store s;
  atomically([&](Tx& tx) {
    s.set(tx, "a", "1");
    s.set(tx, "b", "2");
  });
  // An aborted delete leaves both keys.
  atomically([&](Tx& tx) {
    s.del(tx, "a");
    s.set(tx, "b", "3");
    EXPECT_FALSE(s.exists(tx, "a"));
    tx.cancel();
  });
  EXPECT_EQ(get_str(s, "a"), "1");
  EXPECT_EQ(get_str(s, "b"), "2");
  atomically([&](Tx& tx) {
    s.del(tx, "a");
    s.set(tx, "b", "3");
  });
  EXPECT_EQ(get_str(s, "a"), std::nullopt);
  EXPECT_EQ(get_str(s, "b"), "3");
}

TEST(Store, MgetMset) {
  Store s;
  std::pair<std::string_view, std::string_view> pairs[] = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
  EXPECT_EQ(atomically([&](Tx& tx) { return s.mset(tx, pairs); }), OpStatus::kOk);
  std::string_view keys[] = {"a", "x", "c"};
  auto got = atomically([&](Tx& tx) {
    std::vector<std::optional<std::string>> out;
    for (auto& v : s.mget(tx, keys)) out.push_back(v ? std::optional<std::string>(*v) : std::nullopt);
    return out;
  });
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], "1");
  EXPECT_EQ(got[1], std::nullopt);
  EXPECT_EQ(got[2], "3");
  EXPECT_EQ(s.size(), 3u);
}

TEST(Store, IncrbySemantics) {
  Store s;
  auto incr = [&](std::string_view k, int64_t d) { return atomically([&](Tx& tx) { return s.incrby(tx, k, d); }); };
  EXPECT_EQ(incr("n", 5).value(), 5);
  EXPECT_EQ(incr("n", -7).value(), -2);
  EXPECT_EQ(get_str(s, "n"), "-2");
  atomically([&](Tx& tx) { s.set(tx, "max", "9223372036854775807"); });
  EXPECT_EQ(incr("max", 1).status(), OpStatus::kOverflow);
  EXPECT_EQ(get_str(s, "max"), "9223372036854775807") << "a failed INCRBY changes nothing";
  atomically([&](Tx& tx) { s.set(tx, "min", "-9223372036854775808"); });
  EXPECT_EQ(incr("min", -1).status(), OpStatus::kOverflow);
  EXPECT_EQ(incr("min", 1).value(), INT64_MIN + 1);
  for (const char* bad : {"abc", " 1", "1 ", "+1", "01", "-0", "", "1.5", "9223372036854775808"}) {
    atomically([&](Tx& tx) { s.set(tx, "bad", bad); });
    EXPECT_EQ(incr("bad", 1).status(), OpStatus::kNotInteger) << '"' << bad << '"';
  }
  EXPECT_EQ(op_status_message(OpStatus::kNotInteger), "ERR value is not an integer or out of range");
  EXPECT_EQ(op_status_message(OpStatus::kOverflow), "ERR increment or decrement would overflow");
}

TEST(IntCodec, RoundTripsExtremes) {
  char buf[24];
  for (int64_t v : {INT64_MIN, INT64_MIN + 1, int64_t{-1}, int64_t{0}, int64_t{7}, INT64_MAX}) {
    auto parsed = parse_int64(format_int64(v, buf));
    ASSERT_TRUE(parsed.has_value()) << v;
    EXPECT_EQ(*parsed, v);
  }
}

TEST(Store, ScanReturnsEveryKeyAcrossResizes) {
  Store s;
  std::set<std::string> expected;
  for (int i = 0; i < 500; ++i) expected.insert("key:" + std::to_string(i));
  atomically([&](Tx& tx) {
    for (const auto& k : expected) s.set(tx, k, "v");
  });
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    std::vector<std::string> batch;
    cursor = atomically([&](Tx& tx) { return s.scan(tx, cursor, 10, &batch); });
    seen.insert(batch.begin(), batch.end());
    // Grow the index mid-scan: keys present throughout must still appear.
    if (++calls == 20) {
      atomically([&](Tx& tx) {
        for (int i = 0; i < 5000; ++i) s.set(tx, "extra:" + std::to_string(i), "v");
      });
    }
  } while (cursor != 0);
  for (const auto& k : expected) EXPECT_TRUE(seen.count(k)) << k;
}

TEST(Store, ScanSkipsAbsentKeys) {
  Store s;
  atomically([&](Tx& tx) {
    s.set(tx, "live", "1");
    s.set(tx, "dead", "1");
  });
  atomically([&](Tx& tx) { s.del(tx, "dead"); });
  std::vector<std::string> keys;
  uint64_t cursor = 0;
  do {
    cursor = atomically([&](Tx& tx) { return s.scan(tx, cursor, 100, &keys); });
  } while (cursor != 0);
  EXPECT_EQ(keys, std::vector<std::string>{"live"});
}

TEST(Store, DeletedRecordsAreReaped) {
  Store s;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 300; ++i) atomically([&](Tx& tx) { s.set(tx, "k" + std::to_string(i), "v"); });
    for (int i = 0; i < 300; ++i) atomically([&](Tx& tx) { s.del(tx, "k" + std::to_string(i)); });
  }
  for (int i = 0; i < 4; ++i) s.reap_now();
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.record_count(), 0u);
  // And the keyspace still works after reaping.
  atomically([&](Tx& tx) { s.set(tx, "k1", "again"); });
  EXPECT_EQ(get_str(s, "k1"), "again");
}

}  // namespace
}  // namespace tmkv::store
