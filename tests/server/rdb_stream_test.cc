// A stream's RDB object (server/rdb_stream.h): redis-server 7.0's own DUMP
// of a stream read back exactly (a deleted entry, a negative sequence
// difference, a group with two consumers); random streams with groups
// surviving DUMP and RESTORE whole, node boundaries included; type 15 with
// its derived counters; every refusal the loader owes (disorder, counts,
// orphaned or doubly owned pending entries, an expansion bomb); and
// damaged payloads (cut, bit-flipped, spliced) that must decode to an
// error or to a stream every command can rely on, never crash (run this
// under the ASan tree too).
#include "server/rdb_stream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "server/rdb_string.h"

namespace tmkv::server {
namespace {

using namespace std::string_literals;
using store::Stream;
using store::StreamEntry;
using store::StreamGroup;
using store::StreamId;

// `redis-cli DUMP v` (redis-server 7.0.15) after
//   XADD v 1-1 f 1 name ann; XADD v 1-2 f 2 name bob; XADD v 5-0 other x
//   XADD v 7-3 f 3 name cy; XDEL v 1-2; XGROUP CREATE v grp 0
//   XREADGROUP GROUP grp c1 COUNT 2 STREAMS v >
//   XREADGROUP GROUP grp c2 COUNT 1 STREAMS v >
const std::string kRedisPayload =
    "\x13\x01\x10\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x40\x59\x59\x00\x00\x00\x1f"
    "\x00\x03\x01\x01\x01\x02\x01\x81\x66\x02\x84\x6e\x61\x6d\x65\x05\x00\x01\x02\x01\x00\x01\x00\x01\x01\x01"
    "\x83\x61\x6e\x6e\x04\x05\x01\x03\x01\x00\x01\x01\x01\x02\x01\x83\x62\x6f\x62\x04\x05\x01\x00\x01\x04\x01"
    "\xdf\xff\x02\x01\x01\x85\x6f\x74\x68\x65\x72\x06\x81\x78\x02\x06\x01\x02\x01\x06\x01\x02\x01\x03\x01\x82"
    "\x63\x79\x03\x05\x01\xff\x03\x07\x03\x01\x01\x01\x02\x04\x01\x03\x67\x72\x70\x07\x03\x04\x03\x00\x00\x00"
    "\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x60\x05\x41\x36\xa2\x01\x00\x00\x01\x00\x00\x00\x00"
    "\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00\x60\x05\x41\x36\xa2\x01\x00\x00\x01\x00\x00\x00\x00\x00"
    "\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x03\x61\x05\x41\x36\xa2\x01\x00\x00\x01\x02\x02\x63\x31\x60\x05"
    "\x41\x36\xa2\x01\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00"
    "\x00\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00\x02\x63\x32\x61\x05\x41\x36\xa2\x01\x00\x00\x01\x00"
    "\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x03\x0a\x00\x0b\x62\x9b\xfa\x32\xb3\x4a\x66"s;

std::string payload_of(const Stream& s, bool compress = false) {
  std::optional<std::string> body = encode_stream_rdb(s, compress);
  EXPECT_TRUE(body.has_value());
  return add_dump_footer(body.value_or(""));
}

// A body (type byte and encoding) wrapped in a valid footer.
std::string with_footer(std::string body) { return add_dump_footer(std::move(body)); }

std::string text(const StreamEntry& e) {
  std::string t = e.id.text() + ":";
  for (std::string_view f : e.fields) t += std::string(f) + ",";
  return t;
}

// Everything XINFO STREAM FULL shows, the node partition as runs (numbers
// are renumbered by a round trip), plus each consumer's own ID list.
std::string describe(const Stream& s) {
  std::string d = "len " + std::to_string(s.length()) + " last " + s.last_id().text() + " maxdel " +
                  s.max_deleted_id().text() + " added " + std::to_string(s.entries_added()) + " first " +
                  s.first_id().text() + " nodes " + std::to_string(s.node_count()) + "\n";
  uint64_t prev_node = 0, run = 0;
  s.walk_entries([&](const StreamEntry& e, uint64_t node) {
    if (node != prev_node) ++run;
    prev_node = node;
    d += "  [" + std::to_string(run) + "] " + text(e) + "\n";
    return true;
  });
  s.for_each_group([&](std::string_view name, const StreamGroup& g) {
    d += "group " + std::string(name) + " " + g.last_id.text() + " read " + std::to_string(g.entries_read) + "\n";
    for (uint64_t i = 0; i < g.pel.size(); ++i) {
      const auto p = Stream::pel_at(g.pel, i);
      d += "  pel " + p.id.text() + " " + std::to_string(p.delivery_ms) + " " + std::to_string(p.delivery_count) +
           " " + std::string(p.consumer) + "\n";
    }
    for (const auto& [cname, c] : g.consumers) {
      d += "  consumer " + cname + " seen " + std::to_string(c.seen_ms) + ":";
      for (uint64_t i = 0; i < c.pending.size(); ++i) d += " " + StreamId::decode(c.pending.at(i).data()).text();
      d += "\n";
    }
  });
  return d;
}

// What every command relies on; on failure, says what broke.
std::string inconsistency(const Stream& s) {
  if (s.node_count() != s.node_count_by_walk()) return "node count";
  uint64_t n = 0;
  StreamId prev;
  std::string bad;
  s.walk_entries([&](const StreamEntry& e, uint64_t) {
    if (n > 0 && e.id <= prev) bad = "entry order";
    if (e.fields.empty() || e.fields.size() % 2 != 0) bad = "fields";
    prev = e.id;
    ++n;
    return bad.empty();
  });
  if (!bad.empty()) return bad;
  if (n != s.length()) return "length";
  if (n > 0 && s.last_id() < prev) return "last id below the last entry";
  if (s.entries_added() < s.length()) return "entries added";
  s.for_each_group([&](std::string_view, const StreamGroup& g) {
    uint64_t owned = 0;
    for (const auto& [cname, c] : g.consumers) {
      owned += c.pending.size();
      for (uint64_t i = 0; i < c.pending.size(); ++i) {
        const StreamId id = StreamId::decode(c.pending.at(i).data());
        if (i > 0 && id <= StreamId::decode(c.pending.at(i - 1).data())) bad = "consumer order";
        const uint64_t pos = Stream::pel_lower_bound(g.pel, id);
        if (pos >= g.pel.size() || Stream::pel_at(g.pel, pos).id != id ||
            Stream::pel_at(g.pel, pos).consumer != cname) {
          bad = "consumer's ID not owned in the PEL";
        }
      }
    }
    if (owned != g.pel.size()) bad = "PEL entries without a consumer";
    for (uint64_t i = 1; i < g.pel.size(); ++i) {
      if (Stream::pel_at(g.pel, i).id <= Stream::pel_at(g.pel, i - 1).id) bad = "PEL order";
    }
  });
  return bad;
}

// A random stream: appends (some fields the same as their node's first,
// some not, integers and binary), deletions, trims, groups with pending
// entries, consumers with and without any.
Stream random_stream(std::mt19937_64& rng) {
  Stream s;
  std::uniform_int_distribution<int> pct(0, 99);
  StreamId id{static_cast<uint64_t>(rng() % 1000), 0};
  const int n = static_cast<int>(rng() % 400);
  for (int i = 0; i < n; ++i) {
    if (pct(rng) < 30 && id.seq < UINT64_MAX - 3) {
      id.seq += 1 + rng() % 3;
    } else {
      id.ms += 1 + rng() % 50;
      id.seq = rng() % 4 == 0 ? UINT64_MAX - rng() % 3 : rng() % 5;  // wraps the seq difference
    }
    std::vector<std::string> fields;
    const int pairs = pct(rng) < 70 ? 2 : 1 + static_cast<int>(rng() % 4);
    for (int p = 0; p < pairs; ++p) {
      fields.push_back(pct(rng) < 80 ? "field" + std::to_string(p) : std::string("\0\xff", 2) + std::to_string(rng() % 9));
      const int kind = pct(rng);
      fields.push_back(kind < 40   ? std::to_string(static_cast<int64_t>(rng()))
                       : kind < 60 ? std::string(rng() % 200, 'v')
                       : kind < 62 ? std::string(5000, 'w')
                                   : "x" + std::to_string(i));
    }
    const std::vector<std::string_view> views(fields.begin(), fields.end());
    s.append(id, views);
  }
  for (int i = 0; i < n / 10; ++i) {
    if (s.length() > 0) s.erase(s.id_at(rng() % s.length()));
  }
  if (pct(rng) < 30) s.trim(Stream::Trim::kMaxLen, rng() % (n + 1), {}, pct(rng) < 50, 0);
  if (pct(rng) < 20) s.set_last_id({id.ms + 10, 0});
  if (pct(rng) < 20) s.set_entries_added(s.entries_added() + rng() % 100);
  const int groups = static_cast<int>(rng() % 4);
  for (int g = 0; g < groups; ++g) {
    const std::string name = g == 2 ? std::string(30, 'G') : "g" + std::to_string(g);
    const int64_t read = pct(rng) < 30 ? -1 : static_cast<int64_t>(rng() % 1000);
    s.create_group(name, s.length() > 0 ? s.id_at(rng() % s.length()) : StreamId{}, read);
    StreamGroup* grp = s.mutable_group(name);
    const int consumers = static_cast<int>(rng() % 4);
    for (int c = 0; c < consumers; ++c) grp->consumers["c" + std::to_string(c)].seen_ms = static_cast<int64_t>(rng() % 100000);
    if (consumers == 0) continue;
    for (int k = 0; k < 30 && s.length() > 0; ++k) {
      const StreamId pid = pct(rng) < 80 ? s.id_at(rng() % s.length()) : StreamId{rng() % 5000, rng() % 3};
      const uint64_t pos = Stream::pel_lower_bound(grp->pel, pid);
      if (pos < grp->pel.size() && Stream::pel_at(grp->pel, pos).id == pid) continue;
      Stream::pel_insert(*grp, pid, "c" + std::to_string(rng() % consumers), static_cast<int64_t>(rng() % 1000000),
                         1 + rng() % 5);
    }
  }
  return s;
}

TEST(RdbStream, ReadsRedisPayload) {
  const DecodedPayload d = decode_dump_payload(kRedisPayload);
  ASSERT_EQ(d.error, "");
  ASSERT_EQ(d.type, store::ValueType::kStream);
  ASSERT_TRUE(d.stream.has_value());
  const Stream& s = *d.stream;
  EXPECT_EQ(describe(s),
            "len 3 last 7-3 maxdel 1-2 added 4 first 1-1 nodes 1\n"
            "  [1] 1-1:f,1,name,ann,\n"
            "  [1] 5-0:other,x,\n"
            "  [1] 7-3:f,3,name,cy,\n"
            "group grp 7-3 read 4\n"
            "  pel 1-1 1796206560608 1 c1\n"
            "  pel 5-0 1796206560608 1 c1\n"
            "  pel 7-3 1796206560609 1 c2\n"
            "  consumer c1 seen 1796206560608: 1-1 5-0\n"
            "  consumer c2 seen 1796206560609: 7-3\n");
  EXPECT_EQ(inconsistency(s), "");
  // The listpack had four appends (one deleted since): with
  // stream-node-max-entries 4 the next XADD opens a node, as in Redis.
  const uint64_t saved = store::stream_node_max_entries();
  store::set_stream_node_max_entries(4);
  Stream more = s;
  const std::vector<std::string_view> f{"a", "b"};
  more.append({8, 0}, f);
  EXPECT_EQ(more.node_count(), 2u);
  store::set_stream_node_max_entries(5);
  Stream joined = s;
  joined.append({8, 0}, f);
  EXPECT_EQ(joined.node_count(), 1u);
  store::set_stream_node_max_entries(saved);
  // And back: the same stream from tmkv's own payload.
  const DecodedPayload again = decode_dump_payload(payload_of(s));
  ASSERT_EQ(again.error, "");
  EXPECT_EQ(describe(*again.stream), describe(s));
}

TEST(RdbStream, RandomStreamsRoundTrip) {
  const uint64_t saved = store::stream_node_max_entries();
  std::mt19937_64 rng(7);
  for (int round = 0; round < 300; ++round) {
    store::set_stream_node_max_entries(round % 3 == 0 ? 100 : 1 + rng() % 12);
    const Stream s = random_stream(rng);
    ASSERT_EQ(inconsistency(s), "") << round;
    for (bool compress : {false, true}) {
      const std::string p = payload_of(s, compress);
      const DecodedPayload d = decode_dump_payload(p);
      ASSERT_EQ(d.error, "") << round;
      ASSERT_TRUE(d.stream.has_value());
      EXPECT_EQ(describe(*d.stream), describe(s)) << round;
      EXPECT_EQ(inconsistency(*d.stream), "") << round;
      // Writing the restored stream again gives the same bytes.
      EXPECT_EQ(payload_of(*d.stream, compress), p) << round;
    }
  }
  store::set_stream_node_max_entries(saved);
}

TEST(RdbStream, EmptyStreamWithGroup) {
  Stream s;
  s.set_last_id({5, 5});
  s.set_entries_added(3);
  s.set_max_deleted_id({5, 5});
  s.create_group("g", {5, 5}, 3);
  const DecodedPayload d = decode_dump_payload(payload_of(s));
  ASSERT_EQ(d.error, "");
  EXPECT_EQ(describe(*d.stream), describe(s));
  Stream t = *d.stream;
  const std::vector<std::string_view> f{"a", "b"};
  t.append({6, 0}, f);
  EXPECT_EQ(t.node_count(), 1u);
  EXPECT_EQ(inconsistency(t), "");
}

// ---- hand-made bodies ----

// One node: its master ID and listpack, written as Redis writes them.
struct Node {
  StreamId master;
  std::vector<std::string> items;  // the listpack's elements, integers in decimal
};

std::string node_bytes(const Node& n) {
  std::string out, key(16, '\0');
  n.master.encode(key.data());
  rdb::put_string(out, key);
  std::string lp(6, '\0');
  for (const std::string& it : n.items) rdb::put_listpack_string(lp, it);
  rdb::finish_listpack(lp, n.items.size());
  rdb::put_string(out, lp);
  return out;
}

struct Tail {
  uint64_t length = 0;
  StreamId last, first, max_deleted;
  uint64_t added = 0;
  std::string groups = "\x00"s;  // the group count and groups, raw
};

std::string body(uint8_t type, const std::vector<Node>& nodes, const Tail& t) {
  std::string out(1, static_cast<char>(type));
  rdb::put_length(out, nodes.size());
  for (const Node& n : nodes) out += node_bytes(n);
  rdb::put_length(out, t.length);
  rdb::put_length(out, t.last.ms);
  rdb::put_length(out, t.last.seq);
  if (type != kRdbTypeStreamListpacks) {
    for (StreamId id : {t.first, t.max_deleted}) {
      rdb::put_length(out, id.ms);
      rdb::put_length(out, id.seq);
    }
    rdb::put_length(out, t.added);
  }
  return out + t.groups;
}

// A node of entries with one field "f" (the master's), values v<seq>.
Node simple_node(StreamId master, const std::vector<StreamId>& ids, const std::vector<bool>& deleted = {}) {
  Node n{master, {}};
  uint64_t live = 0, dead = 0;
  for (size_t i = 0; i < ids.size(); ++i) (i < deleted.size() && deleted[i] ? dead : live)++;
  n.items = {std::to_string(live), std::to_string(dead), "1", "f", "0"};
  for (size_t i = 0; i < ids.size(); ++i) {
    const int flags = 2 | (i < deleted.size() && deleted[i] ? 1 : 0);
    n.items.push_back(std::to_string(flags));
    n.items.push_back(std::to_string(static_cast<int64_t>(ids[i].ms - master.ms)));
    n.items.push_back(std::to_string(static_cast<int64_t>(ids[i].seq - master.seq)));
    n.items.push_back("v" + std::to_string(ids[i].seq));
    n.items.push_back("4");
  }
  return n;
}

std::string group_bytes(std::string_view name, StreamId last, uint64_t read,
                        const std::vector<StreamId>& pel,
                        const std::vector<std::pair<std::string, std::vector<StreamId>>>& consumers,
                        bool with_read = true) {
  std::string out;
  rdb::put_string(out, name);
  rdb::put_length(out, last.ms);
  rdb::put_length(out, last.seq);
  if (with_read) rdb::put_length(out, read);
  rdb::put_length(out, pel.size());
  for (StreamId id : pel) {
    std::string raw(16, '\0');
    id.encode(raw.data());
    out += raw;
    rdb::put_le(out, 1000, 8);
    rdb::put_length(out, 1);
  }
  rdb::put_length(out, consumers.size());
  for (const auto& [cname, ids] : consumers) {
    rdb::put_string(out, cname);
    rdb::put_le(out, 2000, 8);
    rdb::put_length(out, ids.size());
    for (StreamId id : ids) {
      std::string raw(16, '\0');
      id.encode(raw.data());
      out += raw;
    }
  }
  return out;
}

std::string error_of(const std::string& b) { return decode_dump_payload(with_footer(b)).error; }

TEST(RdbStream, HandMadeBodyIsRead) {
  Tail t{3, {9, 0}, {1, 1}, {2, 0}, 5};
  t.groups = "\x01"s + group_bytes("g", {1, 1}, 1, {{1, 1}, {3, 0}}, {{"a", {{1, 1}}}, {"b", {{3, 0}}}});
  const std::string b =
      body(19, {simple_node({1, 1}, {{1, 1}, {2, 0}}, {false, true}), simple_node({3, 0}, {{3, 0}, {4, 7}})}, t);
  const DecodedPayload d = decode_dump_payload(with_footer(b));
  ASSERT_EQ(d.error, "");
  EXPECT_EQ(describe(*d.stream),
            "len 3 last 9-0 maxdel 2-0 added 5 first 1-1 nodes 2\n"
            "  [1] 1-1:f,v1,\n"
            "  [2] 3-0:f,v0,\n"
            "  [2] 4-7:f,v7,\n"
            "group g 1-1 read 1\n"
            "  pel 1-1 1000 1 a\n"
            "  pel 3-0 1000 1 b\n"
            "  consumer a seen 2000: 1-1\n"
            "  consumer b seen 2000: 3-0\n");
}

TEST(RdbStream, Type15DerivesCounters) {
  // Redis 5/6: no first ID, max-deleted ID, entries-added or entries-read.
  // entries-added is the length; a group's entries-read is estimated as
  // streamEstimateDistanceFromFirstEverEntry does.
  Tail t{2, {4, 7}, {}, {}, 0};
  t.groups = "\x03"s + group_bytes("at-first", {3, 0}, 0, {}, {}, false) +
             group_bytes("at-last", {4, 7}, 0, {}, {}, false) + group_bytes("between", {4, 0}, 0, {}, {}, false);
  const DecodedPayload d = decode_dump_payload(with_footer(body(15, {simple_node({3, 0}, {{3, 0}, {4, 7}})}, t)));
  ASSERT_EQ(d.error, "");
  const Stream& s = *d.stream;
  EXPECT_EQ(s.entries_added(), 2u);
  EXPECT_EQ(s.max_deleted_id(), StreamId{});
  EXPECT_EQ(s.group("at-first")->entries_read, 1);
  EXPECT_EQ(s.group("at-last")->entries_read, 2);
  EXPECT_EQ(s.group("between")->entries_read, -1);
}

TEST(RdbStream, Type21SkipsActiveTime) {
  Tail t{1, {3, 0}, {3, 0}, {}, 1};
  std::string g = group_bytes("g", {3, 0}, 1, {{3, 0}}, {{"c", {{3, 0}}}});
  // The consumer's active-time goes after its seen-time, before its count
  // of IDs (1 byte) and its one ID (16).
  const size_t seen_end = g.size() - 16 - 1;
  g.insert(seen_end, std::string("\x11\x22\x33\x44\x00\x00\x00\x00", 8));
  t.groups = "\x01"s + g;
  const DecodedPayload d = decode_dump_payload(with_footer(body(21, {simple_node({3, 0}, {{3, 0}})}, t)));
  ASSERT_EQ(d.error, "");
  EXPECT_EQ(d.stream->group("g")->consumers.at("c").seen_ms, 2000);
}

TEST(RdbStream, RefusesWhatCouldBreakCommands) {
  const std::string bad = "ERR Bad data format";
  const Node one = simple_node({3, 0}, {{3, 0}, {4, 0}});
  Tail ok{2, {4, 0}, {3, 0}, {}, 2};
  ASSERT_EQ(error_of(body(19, {one}, ok)), "");
  // Entries out of order, in one node and across two.
  EXPECT_EQ(error_of(body(19, {simple_node({3, 0}, {{4, 0}, {3, 5}})}, ok)), bad);
  EXPECT_EQ(error_of(body(19, {simple_node({5, 0}, {{5, 0}}), simple_node({3, 0}, {{3, 0}})}, ok)), bad);
  EXPECT_EQ(error_of(body(19, {simple_node({3, 0}, {{3, 0}, {3, 0}})}, ok)), bad) << "a repeated ID";
  EXPECT_EQ(error_of(body(19, {simple_node({3, 5}, {{3, 0}})}, ok)), bad) << "below the master ID";
  // Counts that do not match the entries.
  Node miscount = one;
  miscount.items[0] = "3";
  EXPECT_EQ(error_of(body(19, {miscount}, ok)), bad);
  Node lp_count = one;
  lp_count.items[9] = "5";
  EXPECT_EQ(error_of(body(19, {lp_count}, ok)), bad);
  Node no_zero = one;
  no_zero.items[4] = "1";
  EXPECT_EQ(error_of(body(19, {no_zero}, ok)), bad);
  Node flags = one;
  flags.items[5] = "6";
  EXPECT_EQ(error_of(body(19, {flags}, ok)), bad) << "an unknown flag";
  Node no_fields = one;
  no_fields.items[2] = "0";
  no_fields.items.erase(no_fields.items.begin() + 3);
  EXPECT_EQ(error_of(body(19, {no_fields}, ok)), bad) << "entries without fields";
  Node not_int = one;
  not_int.items[6] = "01";
  EXPECT_EQ(error_of(body(19, {not_int}, ok)), bad);
  EXPECT_EQ(error_of("\x13\x01\x05" "abcde"s), bad);
  // Counters: length, last ID, entries-added, max-deleted.
  Tail t = ok;
  t.length = 3;
  EXPECT_EQ(error_of(body(19, {one}, t)), bad);
  t = ok;
  t.last = {3, 9};
  EXPECT_EQ(error_of(body(19, {one}, t)), bad) << "last ID below the last entry";
  t = ok;
  t.added = 1;
  EXPECT_EQ(error_of(body(19, {one}, t)), bad);
  t = ok;
  t.max_deleted = {9, 0};
  EXPECT_EQ(error_of(body(19, {one}, t)), bad);
  // Groups: a repeated name, entries-read below -1, a consumer's ID not in
  // the PEL, a PEL entry no consumer owns, one owned twice, a repeated
  // consumer, a repeated PEL entry.
  auto with_groups = [&](std::string g) {
    Tail x = ok;
    x.groups = std::move(g);
    return error_of(body(19, {one}, x));
  };
  const std::string good = group_bytes("g", {3, 0}, 1, {{3, 0}}, {{"c", {{3, 0}}}});
  EXPECT_EQ(with_groups("\x01"s + good), "");
  EXPECT_EQ(with_groups("\x02"s + good + good), bad);
  EXPECT_EQ(with_groups("\x01"s + group_bytes("g", {3, 0}, UINT64_MAX - 1, {}, {})), bad);
  EXPECT_EQ(with_groups("\x01"s + group_bytes("g", {3, 0}, UINT64_MAX, {}, {})), "") << "-1: unknown";
  EXPECT_EQ(with_groups("\x01"s + group_bytes("g", {3, 0}, 1, {{3, 0}}, {{"c", {{4, 0}}}})), bad);
  EXPECT_EQ(with_groups("\x01"s + group_bytes("g", {3, 0}, 1, {{3, 0}}, {{"c", {}}})), bad);
  EXPECT_EQ(with_groups("\x01"s + group_bytes("g", {3, 0}, 1, {{3, 0}}, {{"c", {{3, 0}}}, {"d", {{3, 0}}}})), bad);
  EXPECT_EQ(with_groups("\x01"s + group_bytes("g", {3, 0}, 1, {{3, 0}}, {{"c", {{3, 0}, {3, 0}}}})), bad);
  EXPECT_EQ(with_groups("\x01"s + group_bytes("g", {3, 0}, 1, {{3, 0}, {4, 0}}, {{"c", {{3, 0}}}, {"c", {{4, 0}}}})), bad);
  EXPECT_EQ(with_groups("\x01"s + group_bytes("g", {3, 0}, 1, {{3, 0}, {3, 0}}, {{"c", {{3, 0}}}})), bad);
  // Trailing groups missing, and claimed counts far past the input.
  EXPECT_EQ(with_groups("\x02"s + good), bad);
  EXPECT_EQ(error_of("\x13\x81\xff\xff\xff\xff\xff\xff\xff\xff"s), bad);
  EXPECT_EQ(with_groups("\x01"s + "\x01g\x00\x00\x00\x81\xff\xff\xff\xff\xff\xff\xff\xff"s), bad);
}

TEST(RdbStream, RefusesAnExpansionBomb) {
  // A 60 KB master field name and 30000 same-field entries of one byte
  // each: a small listpack that would expand to 1.8 GB of entries.
  Node n{{1, 0}, {"30000", "0", "1", std::string(60000, 'F'), "0"}};
  for (int i = 0; i < 30000; ++i) {
    for (const char* it : {"2", "0", "", "x", "4"}) n.items.push_back(it);
    n.items[n.items.size() - 3] = std::to_string(i);
  }
  Tail t{30000, {1, 29999}, {1, 0}, {}, 30000};
  EXPECT_EQ(error_of(body(19, {n}, t)), "ERR the stream in this payload expands past what tmkv's RESTORE accepts");
}

TEST(RdbStream, StringLimitApplies) {
  Stream s;
  const std::string big(200, 'v');
  const std::vector<std::string_view> g{"field", big};
  s.append({1, 0}, g);
  EXPECT_EQ(decode_dump_payload(payload_of(s), 100).error,
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
}

// Damaged payloads: an error, or a stream that holds together and takes
// further commands.
void exercise(const Stream& decoded) {
  ASSERT_EQ(inconsistency(decoded), "");
  Stream s = decoded;
  const std::vector<std::string_view> f{"a", "1"};
  StreamId next = s.last_id();
  if (next.incr()) s.append(next, f);
  if (s.length() > 0) s.erase(s.id_at(s.length() / 2));
  s.trim(Stream::Trim::kMaxLen, s.length() / 2, {}, true, 0);
  s.for_each_group([&](std::string_view name, const StreamGroup&) {
    Stream t = s;
    StreamGroup* g = t.mutable_group(name);
    if (g->pel.size() > 0) Stream::pel_erase(*g, 0);
    if (g->pel.size() > 0) Stream::pel_assign(*g, 0, "newcomer", 5, 2);
    EXPECT_EQ(inconsistency(t), "");
  });
  EXPECT_EQ(inconsistency(s), "");
  // And it writes and reads back to itself.
  const DecodedPayload again = decode_dump_payload(payload_of(decoded));
  ASSERT_EQ(again.error, "");
  EXPECT_EQ(describe(*again.stream), describe(decoded));
}

TEST(RdbStream, DamagedPayloadsNeverBreak) {
  std::mt19937_64 rng(11);
  std::vector<std::string> bodies;
  bodies.push_back(kRedisPayload.substr(0, kRedisPayload.size() - 10));
  for (int i = 0; i < 12; ++i) {
    const Stream s = random_stream(rng);
    const std::string p = payload_of(s, i % 2 == 0);
    if (p.size() < 20000) bodies.push_back(p.substr(0, p.size() - 10));
  }
  ASSERT_GE(bodies.size(), 4u);
  int accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string b = bodies[rng() % bodies.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !b.empty(); ++e) {
      const size_t at = 1 + rng() % (b.size() - 1 + (b.size() == 1));
      switch (rng() % 5) {
        case 0: b.resize(std::min(b.size(), at)); break;                           // cut short
        case 1: if (at < b.size()) b[at] = static_cast<char>(b[at] ^ (1 << (rng() % 8))); break;  // a bit
        case 2: if (at < b.size()) b[at] = static_cast<char>(rng()); break;        // a byte
        case 3: b.insert(std::min(at, b.size()), 1, static_cast<char>(rng())); break;
        default: if (at < b.size()) b.erase(at, 1 + rng() % 8); break;
      }
    }
    const DecodedPayload d = decode_dump_payload(with_footer(b));
    if (!d.error.empty()) {
      EXPECT_FALSE(d.stream.has_value());
      continue;
    }
    if (d.type != store::ValueType::kStream) continue;  // the type byte itself was hit
    ++accepted;
    ASSERT_TRUE(d.stream.has_value());
    exercise(*d.stream);
    if (HasFatalFailure()) return;
  }
  // Some edits (a value's byte, a time) leave a valid stream.
  EXPECT_GT(accepted, 100);
}

}  // namespace
}  // namespace tmkv::server
