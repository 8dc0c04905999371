#include "server/rdb_stream.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace tmkv::server {

using store::Stream;
using store::StreamEntry;
using store::StreamId;

namespace {

// An entry's flags in its listpack (t_stream.c's STREAM_ITEM_FLAG_*).
constexpr int64_t kFlagDeleted = 1;
constexpr int64_t kFlagSameFields = 2;
constexpr size_t kIdBytes = 16;
constexpr const char* kBadData = "ERR Bad data format";
constexpr const char* kTooLarge = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
constexpr const char* kTooBig = "ERR the stream in this payload expands past what tmkv's RESTORE accepts";

// ---- Writing ----

void put_raw_id(std::string& out, StreamId id) {
  char buf[kIdBytes];
  id.encode(buf);
  out.append(buf, kIdBytes);
}

// Redis's rdbSaveMillisecondTime: 8 bytes, little endian.
void put_ms_time(std::string& out, int64_t ms) { rdb::put_le(out, static_cast<uint64_t>(ms), 8); }

bool same_fields(const StreamEntry& a, const StreamEntry& master) {
  if (a.fields.size() != master.fields.size()) return false;
  for (size_t i = 0; i < a.fields.size(); i += 2) {
    if (a.fields[i] != master.fields[i]) return false;
  }
  return true;
}

// One node's listpack as streamAppendItem builds it: the master entry
// (taken from the first entry, whose ID keys the node), then each entry,
// with only its values when its field names are the master's.
std::string node_listpack(std::span<const StreamEntry> node) {
  const StreamEntry& master = node.front();
  const uint64_t master_fields = master.fields.size() / 2;
  std::string lp(6, '\0');  // header, filled in by finish_listpack
  rdb::put_listpack_integer(lp, static_cast<int64_t>(node.size()));
  rdb::put_listpack_integer(lp, 0);  // deleted: tmkv keeps none
  rdb::put_listpack_integer(lp, static_cast<int64_t>(master_fields));
  for (size_t i = 0; i < master.fields.size(); i += 2) rdb::put_listpack_string(lp, master.fields[i]);
  rdb::put_listpack_integer(lp, 0);
  uint64_t elements = master_fields + 4;
  for (const StreamEntry& e : node) {
    const bool same = same_fields(e, master);
    const auto fields = static_cast<int64_t>(e.fields.size() / 2);
    rdb::put_listpack_integer(lp, same ? kFlagSameFields : 0);
    // The differences wrap as Redis's (int64_t)(id.ms - master_id.ms) does.
    rdb::put_listpack_integer(lp, static_cast<int64_t>(e.id.ms - master.id.ms));
    rdb::put_listpack_integer(lp, static_cast<int64_t>(e.id.seq - master.id.seq));
    if (!same) rdb::put_listpack_integer(lp, fields);
    for (size_t i = 0; i < e.fields.size(); i += 2) {
      if (!same) rdb::put_listpack_string(lp, e.fields[i]);
      rdb::put_listpack_string(lp, e.fields[i + 1]);
    }
    const int64_t lp_count = fields + 3 + (same ? 0 : fields + 1);
    rdb::put_listpack_integer(lp, lp_count);
    elements += static_cast<uint64_t>(lp_count) + 1;
  }
  rdb::finish_listpack(lp, elements);
  return lp;
}

// ---- Reading ----

// Redis's string2ll, as lpGetIntegerIfValid applies it to a string
// element: the canonical decimal of an int64 only.
bool parse_int(std::string_view s, int64_t* v) {
  if (s.empty() || s.size() > 20) return false;
  int64_t x = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  char buf[24];
  const auto [out, ec2] = std::to_chars(buf, buf + sizeof buf, x);
  if (ec2 != std::errc() || std::string_view(buf, static_cast<size_t>(out - buf)) != s) return false;
  *v = x;
  return true;
}

// What a decode accumulates across nodes.
struct Load {
  std::vector<std::string> elements;  // the live entries, as the rope holds them
  StreamId last_seen;                 // the last entry read, deleted or not
  bool any_seen = false;
  uint64_t live = 0;
  uint64_t tail_appends = 0;  // the last listpack's entries, live and deleted
  // The budget: what the entries expand to may not pass kBudgetFloor plus
  // kBudgetFactor times the input (listpacks as read, after LZF).
  uint64_t input_bytes = 0;
  uint64_t decoded_bytes = 0;
  bool over_budget = false;

  static constexpr uint64_t kBudgetFloor = uint64_t{64} << 20;
  static constexpr uint64_t kBudgetFactor = 16;
  bool charge(uint64_t bytes) {
    decoded_bytes += bytes;
    if (decoded_bytes > kBudgetFloor + kBudgetFactor * input_bytes) over_budget = true;
    return !over_budget;
  }
};

// A listpack's header count: exact, or 65535 once it stopped counting.
bool header_count_ok(std::string_view lp, size_t elements) {
  if (lp.size() < 6) return false;
  const unsigned n = static_cast<uint8_t>(lp[4]) | (static_cast<unsigned>(static_cast<uint8_t>(lp[5])) << 8);
  return n == 65535 || n == elements;
}

// One node (its master ID and listpack) as streamValidateListpackIntegrity
// checks it deep, and what else tmkv relies on: the counts match the
// entries, every entry has a field, IDs ascend from the master ID and past
// every earlier entry. Its live entries join ld.elements in node `node`.
bool read_node(std::string_view key, std::string_view lp, uint64_t node, Load& ld) {
  if (key.size() != kIdBytes) return false;
  const StreamId master = StreamId::decode(key.data());
  std::vector<std::string> items;
  if (!rdb::read_listpack(lp, &items) || !header_count_ok(lp, items.size())) return false;
  size_t i = 0;
  auto next_int = [&](int64_t* v) { return i < items.size() && parse_int(items[i++], v); };
  int64_t count, deleted, master_fields, zero;
  if (!next_int(&count) || !next_int(&deleted) || !next_int(&master_fields)) return false;
  if (count < 0 || deleted < 0 || master_fields < 0) return false;
  if (static_cast<uint64_t>(master_fields) > items.size() - i) return false;
  const size_t master_at = i;
  i += static_cast<size_t>(master_fields);
  if (!next_int(&zero) || zero != 0) return false;
  uint64_t live = 0, dead = 0;
  std::vector<std::string_view> fields;
  while (i < items.size()) {
    int64_t flags, ms_diff, seq_diff;
    if (!next_int(&flags) || !next_int(&ms_diff) || !next_int(&seq_diff)) return false;
    if ((flags & ~(kFlagDeleted | kFlagSameFields)) != 0) return false;
    const bool same = (flags & kFlagSameFields) != 0;
    int64_t n = master_fields;
    if (!same && !next_int(&n)) return false;
    // XADD never makes an entry without a field; nothing here expects one.
    if (n < 1 || static_cast<uint64_t>(n) > items.size()) return false;
    const auto nf = static_cast<size_t>(n);
    if ((same ? nf : 2 * nf) > items.size() - i) return false;
    fields.clear();
    for (size_t k = 0; k < nf; ++k) {
      fields.emplace_back(same ? items[master_at + k] : items[i++]);
      fields.emplace_back(items[i++]);
    }
    int64_t lp_count;
    if (!next_int(&lp_count) || lp_count != n + 3 + (same ? 0 : n + 1)) return false;
    const StreamId id{master.ms + static_cast<uint64_t>(ms_diff), master.seq + static_cast<uint64_t>(seq_diff)};
    if (id < master || (ld.any_seen && id <= ld.last_seen)) return false;
    ld.last_seen = id;
    ld.any_seen = true;
    if ((flags & kFlagDeleted) != 0) {
      ++dead;
      continue;
    }
    ++live;
    uint64_t bytes = 48;  // the element's header and a rope slot, roughly
    for (std::string_view f : fields) bytes += f.size() + 2;
    if (!ld.charge(bytes)) return false;
    ld.elements.push_back(Stream::entry_element(id, node, fields));
  }
  if (live != static_cast<uint64_t>(count) || dead != static_cast<uint64_t>(deleted)) return false;
  ld.live += live;
  ld.tail_appends = live + dead;
  return true;
}

class Decoder {
 public:
  Decoder(rdb::Reader& r, uint8_t type, uint64_t max_value) : r_(r), type_(type), max_value_(max_value) {}

  std::string run(Stream* out) {
    Stream s;
    if (read_entries(s) && read_groups(s)) {
      *out = std::move(s);
      return {};
    }
    if (too_large_) return kTooLarge;
    if (ld_.over_budget) return kTooBig;
    return kBadData;
  }

 private:
  bool len(uint64_t* v) {
    bool encoded;
    return r_.length(v, &encoded) && !encoded;
  }
  bool id(StreamId* id) { return len(&id->ms) && len(&id->seq); }
  bool str(std::string* s) { return rdb::read_string(r_, max_value_, s, &too_large_); }
  bool raw_id(StreamId* id) {
    std::string_view raw;
    if (!r_.bytes(kIdBytes, &raw)) return false;
    *id = StreamId::decode(raw.data());
    return true;
  }
  bool ms_time(int64_t* ms) {
    std::string_view raw;
    if (!r_.bytes(8, &raw)) return false;
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(raw[static_cast<size_t>(i)]);
    *ms = static_cast<int64_t>(v);
    return true;
  }

  // The nodes and the counters after them.
  bool read_entries(Stream& s) {
    uint64_t nodes;
    if (!len(&nodes)) return false;
    // No reserve from the claimed count: each node takes input bytes, so a
    // false count ends at the input's end.
    for (uint64_t n = 1; n <= nodes; ++n) {
      std::string key, lp;
      if (!str(&key) || !str(&lp)) return false;
      ld_.input_bytes += lp.size() + key.size();
      if (!read_node(key, lp, n, ld_)) return false;
    }
    uint64_t length, entries_added;
    StreamId last, first, max_deleted;
    if (!len(&length) || !id(&last)) return false;
    if (type_ == kRdbTypeStreamListpacks) {
      entries_added = length;  // as Redis's loader: no tombstones, every entry counted
    } else if (!id(&first) || !id(&max_deleted) || !len(&entries_added)) {
      return false;
    }
    // recorded-first-entry-id is the first entry's (tmkv derives it), so
    // the field is read and not kept.
    if (length != ld_.live) return false;
    if (ld_.any_seen && last < ld_.last_seen) return false;  // XADD's next ID must pass every entry
    if (entries_added < length || entries_added > static_cast<uint64_t>(INT64_MAX)) return false;
    if (last < max_deleted) return false;
    std::vector<std::string_view> views(ld_.elements.begin(), ld_.elements.end());
    if (!s.load_entries(views, nodes, ld_.tail_appends)) return false;
    ld_.elements = {};
    s.set_last_id(last);
    s.set_max_deleted_id(max_deleted);
    s.set_entries_added(entries_added);
    return true;
  }

  struct Pending {
    StreamId id;
    int64_t delivery_ms = 0;
    uint64_t delivery_count = 0;
    size_t owner = SIZE_MAX;  // index into the group's consumers
  };

  bool read_groups(Stream& s) {
    uint64_t groups;
    if (!len(&groups)) return false;
    for (uint64_t n = 0; n < groups; ++n) {
      if (!read_group(s)) return false;
    }
    return true;
  }

  bool read_group(Stream& s) {
    std::string name;
    StreamId last;
    if (!str(&name) || !id(&last)) return false;
    int64_t entries_read;
    if (type_ == kRdbTypeStreamListpacks) {
      entries_read = s.estimate_distance(last);  // type 15 records none: Redis estimates it
    } else {
      uint64_t v;
      if (!len(&v)) return false;
      entries_read = static_cast<int64_t>(v);  // Redis saves -1 as 2^64-1
      if (entries_read < -1) return false;
    }
    if (!s.create_group(name, last, entries_read)) return false;  // a repeated name
    // The group's PEL: delivery time and count; owners come with the consumers.
    std::vector<Pending> pel;
    uint64_t size;
    if (!len(&size)) return false;
    for (uint64_t i = 0; i < size; ++i) {
      Pending p;
      if (!raw_id(&p.id) || !ms_time(&p.delivery_ms) || !len(&p.delivery_count)) return false;
      pel.push_back(p);
    }
    std::sort(pel.begin(), pel.end(), [](const Pending& a, const Pending& b) { return a.id < b.id; });
    for (size_t i = 1; i < pel.size(); ++i) {
      if (pel[i].id == pel[i - 1].id) return false;
    }
    // The consumers, each listing the PEL entries it owns.
    struct Consumer {
      std::string name;
      int64_t seen_ms = 0;
    };
    std::vector<Consumer> consumers;
    uint64_t count;
    if (!len(&count)) return false;
    for (uint64_t c = 0; c < count; ++c) {
      Consumer consumer;
      int64_t active_ms;
      if (!str(&consumer.name) || !ms_time(&consumer.seen_ms)) return false;
      if (type_ == kRdbTypeStreamListpacks3 && !ms_time(&active_ms)) return false;  // not kept
      if (!len(&size)) return false;
      for (uint64_t i = 0; i < size; ++i) {
        StreamId pid;
        if (!raw_id(&pid)) return false;
        auto it = std::lower_bound(pel.begin(), pel.end(), pid, [](const Pending& p, StreamId v) { return p.id < v; });
        // In the group's PEL, and owned by no one yet (Redis would let a
        // second consumer take it over, leaving the first one's list wrong).
        if (it == pel.end() || it->id != pid || it->owner != SIZE_MAX) return false;
        it->owner = consumers.size();
        // Each owned entry repeats the owner's name in the PEL.
        ld_.input_bytes += kIdBytes;
        if (!ld_.charge(consumer.name.size() + 64)) return false;
      }
      consumers.push_back(std::move(consumer));
    }
    std::vector<std::string_view> names;
    for (const Consumer& c : consumers) names.push_back(c.name);
    std::sort(names.begin(), names.end());
    if (std::adjacent_find(names.begin(), names.end()) != names.end()) return false;
    // Built whole: the PEL and each consumer's list of its IDs, ascending.
    std::vector<std::string> elements;
    std::vector<std::vector<std::string>> owned(consumers.size());
    elements.reserve(pel.size());
    for (const Pending& p : pel) {
      if (p.owner == SIZE_MAX) return false;  // Redis: "Stream CG PEL entry without consumer"
      elements.push_back(Stream::pel_element(p.id, p.delivery_ms, p.delivery_count, consumers[p.owner].name));
      owned[p.owner].push_back(Stream::id_element(p.id));
    }
    store::StreamGroup* g = s.mutable_group(name);
    g->pel = store::List::build(std::vector<std::string_view>(elements.begin(), elements.end()));
    for (size_t c = 0; c < consumers.size(); ++c) {
      store::StreamConsumer& sc = g->consumers[consumers[c].name];
      sc.seen_ms = consumers[c].seen_ms;
      sc.pending = store::List::build(std::vector<std::string_view>(owned[c].begin(), owned[c].end()));
    }
    return true;
  }

  rdb::Reader& r_;
  const uint8_t type_;
  const uint64_t max_value_;
  bool too_large_ = false;
  Load ld_;
};

}  // namespace

std::optional<std::string> encode_stream_rdb(const Stream& s, bool compress) {
  auto put_string = [compress](std::string& out, std::string_view v) {
    if (compress) {
      rdb::put_string_compressed(out, v);
    } else {
      rdb::put_string(out, v);
    }
  };
  // The nodes first (their count leads, and is counted as they are
  // written), each from its run of entries: the walk's views stay valid
  // while s holds its version.
  std::string nodes;
  uint64_t node_count = 0;
  bool fits = true;
  std::vector<StreamEntry> run;
  uint64_t run_node = 0;
  auto flush = [&] {
    if (run.empty()) return;
    const std::string lp = node_listpack(run);
    if (lp.size() > UINT32_MAX) fits = false;
    std::string key;
    put_raw_id(key, run.front().id);
    put_string(nodes, key);
    put_string(nodes, lp);
    ++node_count;
    run.clear();
  };
  s.walk_entries([&](const StreamEntry& e, uint64_t node) {
    if (node != run_node) flush();
    run_node = node;
    run.push_back(e);
    return true;
  });
  flush();
  if (!fits) return std::nullopt;

  std::string out;
  out.push_back(static_cast<char>(kRdbTypeStreamListpacks2));
  rdb::put_length(out, node_count);
  out += nodes;
  nodes = {};
  rdb::put_length(out, s.length());
  for (StreamId id : {s.last_id(), s.first_id(), s.max_deleted_id()}) {
    rdb::put_length(out, id.ms);
    rdb::put_length(out, id.seq);
  }
  rdb::put_length(out, s.entries_added());
  rdb::put_length(out, s.group_count());
  s.for_each_group([&](std::string_view name, const store::StreamGroup& g) {
    put_string(out, name);
    rdb::put_length(out, g.last_id.ms);
    rdb::put_length(out, g.last_id.seq);
    rdb::put_length(out, static_cast<uint64_t>(g.entries_read));  // -1 as 2^64-1, as Redis writes it
    rdb::put_length(out, g.pel.size());
    for (uint64_t i = 0; i < g.pel.size(); ++i) {
      const store::StreamPending p = Stream::pel_at(g.pel, i);
      put_raw_id(out, p.id);
      put_ms_time(out, p.delivery_ms);
      rdb::put_length(out, p.delivery_count);
    }
    rdb::put_length(out, g.consumers.size());
    for (const auto& [cname, consumer] : g.consumers) {
      put_string(out, cname);
      put_ms_time(out, consumer.seen_ms);
      rdb::put_length(out, consumer.pending.size());
      if (!consumer.pending.empty()) {
        consumer.pending.walk(0, consumer.pending.size() - 1, [&](std::string_view e) {
          out.append(e.substr(0, kIdBytes));
          return true;
        });
      }
    }
  });
  return out;
}

std::string decode_stream_rdb(rdb::Reader& r, uint8_t type, uint64_t max_value, Stream* out) {
  if (type != kRdbTypeStreamListpacks && type != kRdbTypeStreamListpacks2 && type != kRdbTypeStreamListpacks3) {
    return kBadData;
  }
  return Decoder(r, type, max_value).run(out);
}

}  // namespace tmkv::server
