#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "stm/stm.h"

namespace tmkv::stm {
namespace {

TEST(StmSmoke, ReadWriteCommit) {
  TVar<int64_t> a{5};
  int64_t r = atomically([&](Tx& tx) {
    a.write(tx, a.read(tx) + 1);
    return a.read(tx);
  });
  EXPECT_EQ(r, 6);
  EXPECT_EQ(a.unsafe_peek(), 6);
}

TEST(StmSmoke, BoxedAndCancel) {
  TVar<std::string> s{"x"};
  bool ok = atomically([&](Tx& tx) {
    s.write(tx, s.read(tx) + "y");
    if (s.read(tx) == "xy") tx.cancel(false);
    return true;
  });
  EXPECT_FALSE(ok);
  EXPECT_EQ(s.unsafe_peek(), "x");
}

TEST(StmSmoke, Counter2Threads) {
  TVar<int64_t> c{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 2; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 100000; ++i) atomically([&](Tx& tx) { c.write(tx, c.read(tx) + 1); });
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(c.unsafe_peek(), 200000);
}

}  // namespace
}  // namespace tmkv::stm
