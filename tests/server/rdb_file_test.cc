// Snapshot files (server/rdb_file.h, server/snapshot.h) without a network:
// a server's stores filled through transactions, captured, written and read
// back; every truncation and every flipped byte of a file refused; and
// cuts captured while threads transfer between keys, each of which must
// hold the transfers' invariant (the total), as the capture is one
// transaction. (tests/server/persistence_test.py exchanges the files with
// a real redis-server.)
#include "server/rdb_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "htm/atomically.h"
#include "server/config.h"
#include "server/server.h"
#include "server/snapshot.h"
#include "store/clock.h"
#include "store/list_value.h"

namespace tmkv::server {
namespace {

std::string temp_path(const char* tag) {
  return "/tmp/tmkv-rdb-file-test-" + std::to_string(::getpid()) + "-" + tag + ".rdb";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

ServerConfig small_config() {
  ServerConfig cfg;
  cfg.io_threads = 1;
  cfg.databases = 4;
  return cfg;
}

std::string save(Server& srv, const char* tag, bool compression) {
  const std::string path = temp_path(tag);
  std::unique_ptr<Snapshot> snap = Snapshot::capture(srv);
  RdbWriteOptions o;
  o.compression = compression;
  o.redis_version = "7.0.0";
  std::string error;
  EXPECT_TRUE(write_rdb_file(path, *snap, o, &error)) << error;
  snap.reset();
  std::string bytes = read_file(path);
  std::remove(path.c_str());
  return bytes;
}

// What a file holds, as (db, key) -> (type, value summary, expiry).
using Contents = std::map<std::pair<unsigned, std::string>, std::string>;

bool parse(const std::string& file, Contents* out, std::string* error) {
  RdbReadHandlers h;
  h.key = [&](RdbKey&& k, std::string*) {
    std::string v = std::to_string(static_cast<int>(k.value.type)) + "|" + k.value.value;
    for (const auto& [f, x] : k.value.fields) v += "|" + f + "=" + x;
    for (double s : k.value.scores) v += "|" + std::to_string(s);
    v += "|ttl=" + std::to_string(k.expire_at_ms);
    (*out)[{k.db, k.key}] = v;
    return true;
  };
  h.function = [](std::string&&, std::string*) { return true; };
  return read_rdb_file(file, 4, UINT32_MAX, true, h, error);
}

void fill(Server& srv) {
  htm::atomically([&](stm::Tx& tx) {
    store::Store& db0 = srv.db(0);
    db0.set(tx, "plain", "hello");
    db0.set(tx, "number", "12345");
    db0.set(tx, std::string("bin\0key", 7), std::string(300, 'z'));  // compressible
    const store::List l = store::List::build(std::vector<std::string_view>{"a", "b", "-7"});
    db0.put(tx, "list", store::ValueType::kList, l.body_bytes(), store::now_ms() + 3'600'000);
    srv.db(3).set(tx, "in-db-3", "x");
  });
}

TEST(RdbFile, RoundTripsEveryKeyWithItsExpiry) {
  Server srv(small_config());
  fill(srv);
  for (bool compression : {true, false}) {
    const std::string file = save(srv, "roundtrip", compression);
    ASSERT_EQ(file.substr(0, 9), "REDIS0010");
    Contents c;
    std::string error;
    ASSERT_TRUE(parse(file, &c, &error)) << error;
    ASSERT_EQ(c.size(), 5u);
    EXPECT_EQ(c[std::make_pair(0u, std::string("plain"))], "0|hello|ttl=0");
    EXPECT_EQ(c[std::make_pair(0u, std::string("number"))], "0|12345|ttl=0");
    EXPECT_EQ(c[std::make_pair(0u, std::string("bin\0key", 7))], "0|" + std::string(300, 'z') + "|ttl=0");
    EXPECT_EQ(c[std::make_pair(3u, std::string("in-db-3"))], "0|x|ttl=0");
    const std::string list = c[std::make_pair(0u, std::string("list"))];
    EXPECT_EQ(list.substr(0, list.find("|ttl=")), "3||a=|b=|-7=");
    EXPECT_NE(list.find("|ttl=") + 5, list.size());
    EXPECT_NE(list.substr(list.find("|ttl=") + 5), "0");
  }
}

TEST(RdbFile, RefusesEveryTruncationAndEveryFlippedByte) {
  Server srv(small_config());
  fill(srv);
  const std::string file = save(srv, "hostile", true);
  Contents c;
  std::string error;
  for (size_t n = 0; n < file.size(); ++n) {
    c.clear();
    EXPECT_FALSE(parse(file.substr(0, n), &c, &error)) << "truncated to " << n;
  }
  for (size_t i = 0; i < file.size(); ++i) {
    std::string bad = file;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    c.clear();
    EXPECT_FALSE(parse(bad, &c, &error)) << "flipped byte " << i;
  }
  // A file written with rdbchecksum off stores 0, which is never checked.
  std::string unchecked = file;
  for (size_t i = unchecked.size() - 8; i < unchecked.size(); ++i) unchecked[i] = 0;
  EXPECT_TRUE(parse(unchecked, &c, &error)) << error;
  EXPECT_FALSE(parse("REDIS0012" + file.substr(9), &c, &error));
  EXPECT_EQ(error, "Can't handle RDB format version 12");
}

TEST(RdbFile, EachSnapshotIsAConsistentCutUnderConcurrentTransfers) {
  Server srv(small_config());
  constexpr int kAccounts = 16;
  constexpr int64_t kEach = 1000;
  htm::atomically([&](stm::Tx& tx) {
    for (int i = 0; i < kAccounts; ++i) srv.db(0).set(tx, "acct:" + std::to_string(i), std::to_string(kEach));
  });
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> transfers{0};
  std::vector<std::thread> movers;
  for (int t = 0; t < 3; ++t) {
    movers.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t));
      while (!stop.load(std::memory_order_relaxed)) {
        const int a = static_cast<int>(rng() % kAccounts), b = static_cast<int>(rng() % kAccounts);
        const int64_t amount = static_cast<int64_t>(rng() % 50);
        htm::atomically([&](stm::Tx& tx) {
          srv.db(0).incrby(tx, "acct:" + std::to_string(a), -amount);
          srv.db(0).incrby(tx, "acct:" + std::to_string(b), amount);
        });
        transfers.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  // Enough rounds, with transfers committing between and during them.
  for (int round = 0; round < 30 || transfers.load(std::memory_order_relaxed) < 20000; ++round) {
    std::unique_ptr<Snapshot> snap = Snapshot::capture(srv);
    int64_t total = 0;
    ASSERT_EQ(snap->dbs[0].size(), static_cast<size_t>(kAccounts));
    for (const auto& e : snap->dbs[0]) total += std::stoll(std::string(e.value->view()));
    EXPECT_EQ(total, kAccounts * kEach) << "round " << round;
  }
  stop.store(true);
  for (auto& t : movers) t.join();
  EXPECT_GE(transfers.load(), 20000u);
}

}  // namespace
}  // namespace tmkv::server
