// The HyperLogLog codec (server/hyperloglog.h): Redis's register choice,
// both encodings and the switch between them, the estimate's accuracy, and
// corrupt values. Byte-for-byte agreement with redis-server over random
// command sequences is the differential test's job (scenario hyperloglog).
#include "server/hyperloglog.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tmkv::server::hll {
namespace {

constexpr size_t kNoLimit = 1u << 30;

Registers registers_of(std::string_view v) {
  Registers r{};
  EXPECT_TRUE(merge_into(&r, v));
  return r;
}

std::string element(uint64_t i) { return "element:" + std::to_string(i); }

TEST(HyperLogLog, EmptyIsAnEighteenByteSparseValueCountingZero) {
  const std::string e = make_empty();
  EXPECT_EQ(e.size(), kHeaderBytes + 2);
  EXPECT_TRUE(looks_like_hll(e));
  EXPECT_EQ(encoding_of(e), kSparse);
  EXPECT_EQ(decode_sparse(e), "Z:16384");
  EXPECT_EQ(cached_count(e), 0u);
  EXPECT_EQ(count(e), 0u);
}

// Each element's register and value, as redis-server 7.0.15 reported them
// (PFADD k <element>, then PFDEBUG DECODE k): MurmurHash64A over tails of
// 0, 1, 5, 0 (one block), 1 and 4 bytes.
TEST(HyperLogLog, ElementsLandInTheRegistersRedisPicks) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "Z:5938 v:2,1 Z:10445"},          {"a", "Z:12711 v:2,1 Z:3672"},
      {"hello", "Z:9216 v:1,1 Z:7167"},      {"abcdefgh", "Z:1383 v:1,1 Z:15000"},
      {"abcdefghi", "Z:6903 v:1,1 Z:9480"}, {"0123456789abcdef0123", "Z:1401 v:3,1 Z:14982"},
  };
  for (const auto& [elem, decoded] : cases) {
    std::string h = make_empty();
    EXPECT_EQ(add(&h, elem, kNoLimit), Change::kChanged) << elem;
    EXPECT_EQ(decode_sparse(h), decoded) << "'" << elem << "'";
    EXPECT_EQ(add(&h, elem, kNoLimit), Change::kUnchanged) << elem;
  }
}

TEST(HyperLogLog, DenseRegistersPackSixBitsEach) {
  std::string d = make_empty();
  ASSERT_TRUE(to_dense(&d));
  ASSERT_EQ(d.size(), kDenseBytes);
  EXPECT_TRUE(looks_like_hll(d));
  for (uint32_t i = 0; i < kRegisters; ++i) {
    const auto v = static_cast<uint8_t>(i * 7 % 63 + 1);
    EXPECT_EQ(raise_register(&d, i, v, kNoLimit), Change::kChanged);
  }
  for (uint32_t i = 0; i < kRegisters; ++i) {
    ASSERT_EQ(dense_register(d, i), i * 7 % 63 + 1) << "register " << i;
    EXPECT_EQ(raise_register(&d, i, 1, kNoLimit), Change::kUnchanged);
  }
  EXPECT_EQ(d.size(), kDenseBytes);
}

TEST(HyperLogLog, NeighbouringValuesMergeIntoRunsOfAtMostFour) {
  std::string h = make_empty();
  for (uint32_t i = 0; i < 4; ++i) raise_register(&h, i, 1, kNoLimit);
  EXPECT_EQ(decode_sparse(h), "v:1,4 Z:16380");
  raise_register(&h, 4, 1, kNoLimit);
  EXPECT_EQ(decode_sparse(h), "v:1,4 v:1,1 Z:16379");
  // The split leaves v:1,2 next to v:1,1: they merge.
  raise_register(&h, 1, 3, kNoLimit);
  EXPECT_EQ(decode_sparse(h), "v:1,1 v:3,1 v:1,3 Z:16379");
  // Zero runs over 64 take an XZERO, shorter ones a ZERO.
  raise_register(&h, 100, 2, kNoLimit);
  EXPECT_EQ(decode_sparse(h), "v:1,1 v:3,1 v:1,3 Z:95 v:2,1 Z:16283");
  raise_register(&h, 60, 2, kNoLimit);
  EXPECT_EQ(decode_sparse(h), "v:1,1 v:3,1 v:1,3 z:55 v:2,1 z:39 v:2,1 Z:16283");
  EXPECT_EQ(raise_register(&h, 100, 2, kNoLimit), Change::kUnchanged);
}

TEST(HyperLogLog, SparseAndDenseHoldTheSameRegistersAndEstimate) {
  std::string sparse = make_empty();
  std::string dense = make_empty();
  ASSERT_TRUE(to_dense(&dense));
  for (uint64_t i = 0; i < 3000; ++i) {
    const Change a = add(&sparse, element(i), kNoLimit);
    const Change b = add(&dense, element(i), kNoLimit);
    ASSERT_EQ(a, b) << i;
  }
  ASSERT_EQ(encoding_of(sparse), kSparse);
  EXPECT_EQ(registers_of(sparse), registers_of(dense));
  EXPECT_EQ(count(sparse), count(dense));
  EXPECT_EQ(count(sparse), count_registers(registers_of(dense)));
}

TEST(HyperLogLog, EstimatesAreWithinAFewStandardErrors) {
  // The standard error is 1.04 / sqrt(16384), 0.81%; 4% is five of them.
  std::string h = make_empty();
  uint64_t added = 0;
  for (uint64_t n : {10, 100, 1000, 10000, 100000, 1000000}) {
    for (; added < n; ++added) add(&h, element(added), 3000);
    const double estimate = static_cast<double>(count(h).value());
    EXPECT_NEAR(estimate, static_cast<double>(n), n * 0.04 + 1) << n;
  }
  EXPECT_EQ(encoding_of(h), kDense);
}

TEST(HyperLogLog, SparseTurnsDenseAtTheByteLimitWithItsRegisters) {
  constexpr size_t kLimit = 100;
  std::string h = make_empty();
  std::string reference = make_empty();
  ASSERT_TRUE(to_dense(&reference));
  uint64_t i = 0;
  while (encoding_of(h) == kSparse) {
    ASSERT_LE(h.size(), kLimit);
    add(&h, element(i), kLimit);
    add(&reference, element(i), kLimit);
    ++i;
  }
  EXPECT_EQ(h.size(), kDenseBytes);
  EXPECT_EQ(registers_of(h), registers_of(reference));
}

TEST(HyperLogLog, ARegisterAboveThirtyTwoMakesItDense) {
  std::string h = make_empty();
  EXPECT_EQ(raise_register(&h, 5, 40, kNoLimit), Change::kChanged);
  EXPECT_EQ(encoding_of(h), kDense);
  EXPECT_EQ(dense_register(h, 5), 40);
}

TEST(HyperLogLog, CachedCountIsLittleEndianWithAStaleBit) {
  std::string h = make_empty();
  store_cached_count(&h, 0x0102030405);
  EXPECT_EQ(cached_count(h), 0x0102030405u);
  EXPECT_EQ(static_cast<uint8_t>(h[8]), 0x05);
  invalidate_cached_count(&h);
  EXPECT_EQ(cached_count(h), std::nullopt);
  add(&h, "x", kNoLimit);  // a sparse change marks it stale too
  EXPECT_EQ(cached_count(h), std::nullopt);
}

TEST(HyperLogLog, OnlyRedisLayoutsLookLikeHyperLogLogs) {
  const std::string e = make_empty();
  EXPECT_FALSE(looks_like_hll(""));
  EXPECT_FALSE(looks_like_hll(e.substr(0, kHeaderBytes - 1)));
  std::string bad = e;
  bad[0] = 'h';
  EXPECT_FALSE(looks_like_hll(bad));
  bad = e;
  bad[4] = 2;  // no such encoding
  EXPECT_FALSE(looks_like_hll(bad));
  std::string dense = e;
  ASSERT_TRUE(to_dense(&dense));
  EXPECT_FALSE(looks_like_hll(dense + "x"));
  EXPECT_FALSE(looks_like_hll(dense.substr(0, kDenseBytes - 1)));
  EXPECT_TRUE(looks_like_hll(e.substr(0, kHeaderBytes)));  // the opcodes are checked on use
}

TEST(HyperLogLog, CorruptSparseValuesAreRefusedAndLeftAsTheyWere) {
  // Opcodes covering too few registers: the first 64 only.
  std::string shorter = make_empty().substr(0, kHeaderBytes) + std::string(1, '\x3f');
  // ... and too many: 16384 zeros, then a value.
  std::string longer = make_empty() + std::string(1, '\x80');
  for (const std::string& bad : {shorter, longer}) {
    std::string h = bad;
    EXPECT_EQ(count(h), std::nullopt);
    Registers r{};
    EXPECT_FALSE(merge_into(&r, h));
    EXPECT_FALSE(to_dense(&h));
    EXPECT_EQ(raise_register(&h, kRegisters - 1, 1, kNoLimit), bad == shorter ? Change::kCorrupt : Change::kChanged);
    EXPECT_EQ(raise_register(&h, 3, 40, kNoLimit), Change::kCorrupt);  // promotion fails
  }
  std::string h = shorter;
  EXPECT_EQ(raise_register(&h, 200, 1, kNoLimit), Change::kCorrupt);
  EXPECT_EQ(h, shorter);
  // A register inside the covered part can still change, as in Redis.
  EXPECT_EQ(raise_register(&h, 10, 1, kNoLimit), Change::kChanged);
}

TEST(HyperLogLog, MergeIsTheUnion) {
  std::string a = make_empty(), b = make_empty(), both = make_empty();
  for (uint64_t i = 0; i < 2000; ++i) {
    add(i % 2 ? &a : &b, element(i), kNoLimit);
    add(&both, element(i), kNoLimit);
  }
  Registers r{};
  ASSERT_TRUE(merge_into(&r, a));
  ASSERT_TRUE(merge_into(&r, b));
  EXPECT_EQ(r, registers_of(both));
  EXPECT_EQ(count_registers(r), count(both));
}

// PFSELFTEST's checks at a smaller size (PFSELFTEST itself runs Redis's
// full size): the dense packing, sparse/dense agreement while sparse, and
// the error bound at every power of ten up to 1,000,000, for three seeds.
TEST(HyperLogLog, SelfTestPasses) {
  for (uint64_t seed : {1ull, 20240601ull, 0xdeadbeefcafeull}) {
    EXPECT_EQ(self_test(3000, seed, 20, 1000000), std::nullopt) << "seed " << seed;
  }
}

}  // namespace
}  // namespace tmkv::server::hll
