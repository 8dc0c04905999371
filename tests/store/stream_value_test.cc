// The stream value (store/stream_value.h) against ordered models: entries
// appended, looked up, deleted and trimmed exactly; approximate trimming by
// emulated 100-entry nodes as Redis's listpacks; consumer groups and their
// pending-entries lists kept consistent with each consumer's own list; every
// old version left as it was (copies and stored Blobs); and one stored
// version changed by several threads at once (TSan build: no shared object
// is written, the counts are atomic).
#include "store/stream_value.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/blob.h"

namespace tmkv::store {
namespace {

using Model = std::map<StreamId, std::vector<std::string>>;

std::vector<std::string_view> views(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

void expect_same(const Stream& s, const Model& m) {
  ASSERT_EQ(s.length(), m.size());
  uint64_t i = 0;
  for (const auto& [id, fields] : m) {
    const StreamEntry e = s.entry_at(i++);
    EXPECT_EQ(e.id, id);
    ASSERT_EQ(e.fields.size(), fields.size());
    for (size_t f = 0; f < fields.size(); ++f) EXPECT_EQ(e.fields[f], fields[f]);
  }
  EXPECT_EQ(s.first_id(), m.empty() ? StreamId{} : m.begin()->first);
  EXPECT_EQ(s.node_count(), s.node_count_by_walk());  // the kept count follows every change
}

TEST(StreamId, OrderTextAndEncoding) {
  EXPECT_LT((StreamId{1, 5}), (StreamId{2, 0}));
  EXPECT_LT((StreamId{2, 0}), (StreamId{2, 1}));
  EXPECT_EQ((StreamId{12, 34}).text(), "12-34");
  StreamId max = StreamId::max();
  EXPECT_FALSE(max.incr());
  StreamId zero;
  EXPECT_FALSE(zero.decr());
  StreamId carry{3, UINT64_MAX};
  ASSERT_TRUE(carry.incr());
  EXPECT_EQ(carry, (StreamId{4, 0}));
  ASSERT_TRUE(carry.decr());
  EXPECT_EQ(carry, (StreamId{3, UINT64_MAX}));
  char a[16], b[16];
  StreamId{1, UINT64_MAX}.encode(a);
  StreamId{2, 0}.encode(b);
  EXPECT_LT(std::string(a, 16), std::string(b, 16));  // byte order is ID order
  EXPECT_EQ(StreamId::decode(a), (StreamId{1, UINT64_MAX}));
}

TEST(StreamValue, RandomAppendsDeletesAndTrimsMatchAModelAndKeepOldVersions) {
  std::mt19937_64 rng(11);
  Stream s;
  Model m;
  std::vector<std::pair<Stream, Model>> snapshots;
  uint64_t ms = 1;
  for (int step = 0; step < 6000; ++step) {
    const uint64_t op = rng() % 100;
    if (op < 60 || m.empty()) {
      ms += rng() % 3;
      const StreamId id{ms, s.last_id().ms == ms ? s.last_id().seq + 1 : 0};
      std::vector<std::string> fields;
      for (uint64_t f = 0, n = 1 + rng() % 3; f < n; ++f) {
        fields.push_back("f" + std::to_string(f));
        fields.push_back(std::string(rng() % 40, static_cast<char>('a' + step % 26)));
      }
      s.append(id, views(fields));
      m[id] = fields;
      EXPECT_EQ(s.last_id(), id);
    } else if (op < 80) {
      auto it = m.begin();
      std::advance(it, static_cast<std::ptrdiff_t>(rng() % m.size()));
      const StreamId id = it->first;
      EXPECT_TRUE(s.contains(id));
      EXPECT_TRUE(s.erase(id));
      EXPECT_FALSE(s.erase(id));
      m.erase(id);
      EXPECT_GE(s.max_deleted_id(), id);
    } else if (op < 90) {
      const uint64_t maxlen = rng() % (m.size() + 5);
      const uint64_t before = m.size();
      const uint64_t dropped = s.trim(Stream::Trim::kMaxLen, maxlen, {}, false, 0);
      while (m.size() > maxlen) m.erase(m.begin());
      EXPECT_EQ(dropped, before - m.size());
    } else if (op < 95) {
      const StreamId minid{ms > 20 ? ms - rng() % 20 : 0, 0};
      const uint64_t before = m.size();
      const bool approx = rng() % 2 == 0;
      const uint64_t dropped = s.trim(Stream::Trim::kMinId, 0, minid, approx, approx ? rng() % 300 : 0);
      if (approx) {  // whole nodes only, never an entry at or past minid
        for (uint64_t i = 0; i < dropped; ++i) {
          EXPECT_LT(m.begin()->first, minid);
          m.erase(m.begin());
        }
        EXPECT_EQ(s.node_count(), s.node_count_by_walk());
        continue;
      }
      while (!m.empty() && m.begin()->first < minid) m.erase(m.begin());
      EXPECT_EQ(dropped, before - m.size());
    } else {
      snapshots.emplace_back(s, m);
    }
    if (step % 500 == 0) expect_same(s, m);
  }
  expect_same(s, m);
  for (const auto& [old, model] : snapshots) expect_same(old, model);
}

TEST(StreamValue, ApproximateTrimRemovesWholeHundredEntryNodes) {
  Stream s;
  const std::vector<std::string> fields{"f", "v"};
  for (uint64_t i = 1; i <= 250; ++i) s.append({i, 1}, views(fields));
  EXPECT_EQ(s.node_count(), 3u);
  // 250 entries in nodes of 100, 100, 50: MAXLEN ~ 120 may drop only the
  // first node; ~ 10 then the second; never into the last.
  EXPECT_EQ(s.trim(Stream::Trim::kMaxLen, 120, {}, true, 10000), 100u);
  EXPECT_EQ(s.trim(Stream::Trim::kMaxLen, 10, {}, true, 10000), 100u);
  EXPECT_EQ(s.trim(Stream::Trim::kMaxLen, 10, {}, true, 10000), 0u);
  EXPECT_EQ(s.length(), 50u);
  EXPECT_EQ(s.node_count(), 1u);
  // The tail node has had 50 appends: 50 more fill it, the next starts one.
  for (uint64_t i = 251; i <= 301; ++i) s.append({i, 1}, views(fields));
  EXPECT_EQ(s.node_count(), 2u);
  // LIMIT: a node bigger than what is left of the limit stops the trim.
  EXPECT_EQ(s.trim(Stream::Trim::kMinId, 0, {400, 0}, true, 50), 0u);
  EXPECT_EQ(s.trim(Stream::Trim::kMinId, 0, {400, 0}, true, 100), 100u);
  EXPECT_EQ(s.length(), 1u);
  // A tail node whose entries are all deleted is gone: the next append
  // starts a new one.
  ASSERT_TRUE(s.erase({301, 1}));
  s.append({302, 1}, views(fields));
  EXPECT_EQ(s.node_count(), 1u);
}

// Every PEL entry belongs to exactly the consumer whose list holds its ID.
void expect_consistent(const StreamGroup& g) {
  uint64_t owned = 0;
  for (const auto& [name, consumer] : g.consumers) {
    owned += consumer.pending.size();
    for (uint64_t i = 0; i < consumer.pending.size(); ++i) {
      const StreamId id = StreamId::decode(consumer.pending.at(i).data());
      const uint64_t pos = Stream::pel_lower_bound(g.pel, id);
      ASSERT_LT(pos, g.pel.size());
      const StreamPending p = Stream::pel_at(g.pel, pos);
      EXPECT_EQ(p.id, id);
      EXPECT_EQ(p.consumer, name);
      if (i > 0) {
        EXPECT_LT(StreamId::decode(consumer.pending.at(i - 1).data()), id);
      }
    }
  }
  EXPECT_EQ(owned, g.pel.size());
}

TEST(StreamValue, GroupsArePerVersionAndPelsStayConsistent) {
  std::mt19937_64 rng(5);
  Stream s;
  ASSERT_TRUE(s.create_group("g", {}, -1));
  EXPECT_FALSE(s.create_group("g", {}, -1));
  ASSERT_TRUE(s.create_group("a", {7, 0}, 3));
  const Stream before = s;  // shares everything
  std::map<StreamId, std::string> model;  // id -> owner
  const char* names[] = {"c1", "c2", "c3"};
  for (int step = 0; step < 3000; ++step) {
    StreamGroup* g = s.mutable_group("g");
    ASSERT_NE(g, nullptr);
    const StreamId id{static_cast<uint64_t>(rng() % 400), 0};
    const std::string to = names[rng() % 3];
    const uint64_t pos = Stream::pel_lower_bound(g->pel, id);
    const bool present = pos < g->pel.size() && Stream::pel_at(g->pel, pos).id == id;
    ASSERT_EQ(present, model.count(id) == 1);
    if (!present) {
      Stream::pel_insert(*g, id, to, step, 1);
      model[id] = to;
    } else if (rng() % 2 == 0) {
      Stream::pel_assign(*g, pos, to, step, Stream::pel_at(g->pel, pos).delivery_count + 1);
      model[id] = to;
    } else {
      Stream::pel_erase(*g, pos);
      model.erase(id);
    }
    if (step % 300 == 0) {
      expect_consistent(*g);
      (void)s.body_bytes();  // published: the next change must copy the group again
    }
  }
  const StreamGroup* g = s.group("g");
  expect_consistent(*g);
  EXPECT_EQ(g->pel.size(), model.size());
  // The copy taken before never saw any of it; the other group is shared.
  EXPECT_TRUE(before.group("g")->pel.empty());
  EXPECT_EQ(before.group("a"), s.group("a"));
  std::vector<std::string> order;
  s.for_each_group([&](std::string_view name, const StreamGroup&) { order.emplace_back(name); });
  EXPECT_EQ(order, (std::vector<std::string>{"a", "g"}));
  EXPECT_TRUE(s.destroy_group("a"));
  EXPECT_FALSE(s.destroy_group("a"));
  EXPECT_NE(before.group("a"), nullptr);
}

// A version stored in a Blob, as the keyspace holds it, read and changed by
// several threads at once: each builds its own versions from the shared
// one, which must stay as it was.
TEST(StreamValue, ThreadsDeriveVersionsFromOneStoredValue) {
  Stream base;
  const std::vector<std::string> fields{"f", "v"};
  for (uint64_t i = 1; i <= 500; ++i) base.append({i, 0}, views(fields));
  ASSERT_TRUE(base.create_group("g", {}, -1));
  Blob* blob = Blob::make(ValueType::kStream, base.body_bytes());
  base = Stream();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([blob, t, &fields] {
      for (int round = 0; round < 200; ++round) {
        Stream s = Stream::from_body(blob->view());
        s.append({1000 + static_cast<uint64_t>(round), static_cast<uint64_t>(t)}, views(fields));
        StreamGroup* g = s.mutable_group("g");
        Stream::pel_insert(*g, {static_cast<uint64_t>(round % 500 + 1), 0}, "c" + std::to_string(t), 0, 1);
        s.trim(Stream::Trim::kMaxLen, 400, {}, round % 2 == 0, 0);
        Blob* mine = Blob::make(ValueType::kStream, s.body_bytes());
        EXPECT_EQ(Stream::from_body(mine->view()).group("g")->pel.size(), 1u);
        Blob::destroy(mine);
      }
    });
  }
  for (auto& th : threads) th.join();
  const Stream after = Stream::from_body(blob->view());
  EXPECT_EQ(after.length(), 500u);
  EXPECT_TRUE(after.group("g")->pel.empty());
  EXPECT_GT(blob->node_bytes(), 500u * 16);
  Blob::destroy(blob);
}

}  // namespace
}  // namespace tmkv::store
