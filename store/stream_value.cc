#include "store/stream_value.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstring>
#include <functional>

namespace tmkv::store {

struct StreamState {
  // References: Blobs holding this state and Stream handles (see the header).
  std::atomic<uint32_t> refs{1};
  List entries;  // see ENTRY in the header
  StreamId last_id;
  StreamId max_deleted_id;
  uint64_t entries_added = 0;
  // NODES: the emulated node the next append may join, how many appends it
  // has had, and the next node number to hand out.
  uint64_t tail_node = 0;
  uint64_t tail_node_appends = 0;
  uint64_t next_node = 1;
  uint64_t nodes = 0;  // emulated nodes holding at least one entry (XINFO)
  StreamGroups groups;

  StreamState() = default;
  // A private copy for a writer: shares the rope and the groups.
  StreamState(const StreamState& o)
      : entries(o.entries),
        last_id(o.last_id),
        max_deleted_id(o.max_deleted_id),
        entries_added(o.entries_added),
        tail_node(o.tail_node),
        tail_node_appends(o.tail_node_appends),
        next_node(o.next_node),
        nodes(o.nodes),
        groups(o.groups) {}
};

namespace {

constexpr size_t kIdBytes = 16;
constexpr size_t kEntryHeader = kIdBytes + 8;  // ID, node number

void put_be64(char* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}
uint64_t get_be64(const char* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
uint64_t get_varint(const char*& p) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const auto b = static_cast<unsigned char>(*p++);
    v |= uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) return v;
  }
}

StreamId element_id(std::string_view e) { return StreamId::decode(e.data()); }
uint64_t element_node(std::string_view e) { return get_be64(e.data() + kIdBytes); }
// An element's entry: its ID and its fields' views into the element.
StreamEntry decode_element(std::string_view e) {
  StreamEntry out;
  out.id = element_id(e);
  const char* p = e.data() + kEntryHeader;
  const uint64_t pairs = get_varint(p);
  out.fields.reserve(pairs * 2);
  for (uint64_t i = 0; i < pairs * 2; ++i) {
    const uint64_t len = get_varint(p);
    out.fields.emplace_back(p, len);
    p += len;
  }
  return out;
}

StreamState* body_state(const char* body_bytes) {
  StreamBody b;
  std::memcpy(&b, body_bytes, sizeof b);
  return b.state;
}

void retain(StreamState* s) { s->refs.fetch_add(1, std::memory_order_relaxed); }
void release(StreamState* s) {
  if (s != nullptr && s->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete s;
}

// Position of the first element whose leading 16 ID bytes are >= id.
uint64_t id_lower_bound(const List& l, StreamId id) {
  char key[kIdBytes];
  id.encode(key);
  const std::string_view k(key, kIdBytes);
  return l.partition_point([k](std::string_view e) { return e.substr(0, kIdBytes) >= k; });
}

// How many runs of one node number elements [from, to) make (to > from).
uint64_t node_runs(const List& l, uint64_t from, uint64_t to) {
  uint64_t runs = 0;
  uint64_t current = 0;
  l.walk(from, to - 1, [&](std::string_view e) {
    const uint64_t node = element_node(e);
    if (runs == 0 || node != current) {
      ++runs;
      current = node;
    }
    return true;
  });
  return runs;
}

// Drops the first k elements. One erase copies a leaf and the path above
// it; past the point where that costs more than copying what stays, the
// rest is rebuilt instead (list_value.h).
void drop_head(List& l, uint64_t k) {
  const uint64_t n = l.size();
  if (k == 0) return;
  if (k >= n) {
    l = List();
    return;
  }
  if (k * List::kLeafMax < n - k) {
    for (uint64_t i = 0; i < k; ++i) l.erase(0);
    return;
  }
  std::vector<std::string_view> rest;
  rest.reserve(n - k);
  l.walk(k, n - 1, [&](std::string_view v) {
    rest.push_back(v);
    return true;
  });
  l = List::build(rest);
}

}  // namespace

namespace {
std::atomic<uint64_t> g_node_max_entries{100};
}  // namespace

void set_stream_node_max_entries(uint64_t n) { g_node_max_entries.store(n, std::memory_order_relaxed); }
uint64_t stream_node_max_entries() { return g_node_max_entries.load(std::memory_order_relaxed); }

// ---- StreamId ----

bool StreamId::incr() {
  if (seq == UINT64_MAX) {
    if (ms == UINT64_MAX) return false;
    ++ms;
    seq = 0;
  } else {
    ++seq;
  }
  return true;
}

bool StreamId::decr() {
  if (seq == 0) {
    if (ms == 0) return false;
    --ms;
    seq = UINT64_MAX;
  } else {
    --seq;
  }
  return true;
}

std::string StreamId::text() const { return std::to_string(ms) + "-" + std::to_string(seq); }

void StreamId::encode(char* out) const {
  put_be64(out, ms);
  put_be64(out + 8, seq);
}

StreamId StreamId::decode(const char* in) { return {get_be64(in), get_be64(in + 8)}; }

// ---- Blob hooks ----

void stream_body_retain(const char* body_bytes) { retain(body_state(body_bytes)); }
void stream_body_release(const char* body_bytes) { release(body_state(body_bytes)); }
size_t stream_body_node_bytes(const char* body_bytes) {
  return Stream::from_body(std::string_view(body_bytes, sizeof(StreamBody))).node_bytes();
}

// ---- Stream: lifetime ----

Stream::Stream() : st_(new StreamState), exclusive_(true) {}

Stream Stream::from_body(std::string_view body_bytes) {
  assert(body_bytes.size() == sizeof(StreamBody));
  StreamState* s = body_state(body_bytes.data());
  retain(s);
  return Stream(s, false);
}

Stream::Stream(const Stream& o) : st_(o.st_), exclusive_(false) {
  retain(st_);
  o.exclusive_ = false;  // shared by two handles now: neither may write in place
  o.own_groups_.clear();
}

Stream& Stream::operator=(const Stream& o) {
  if (this != &o) {
    Stream copy(o);
    *this = std::move(copy);
  }
  return *this;
}

Stream::Stream(Stream&& o) noexcept
    : st_(o.st_), exclusive_(o.exclusive_), own_groups_(std::move(o.own_groups_)) {
  o.st_ = nullptr;
  o.exclusive_ = false;
  o.own_groups_.clear();
}

Stream& Stream::operator=(Stream&& o) noexcept {
  if (this != &o) {
    release(st_);
    st_ = o.st_;
    exclusive_ = o.exclusive_;
    own_groups_ = std::move(o.own_groups_);
    o.st_ = nullptr;
    o.exclusive_ = false;
    o.own_groups_.clear();
  }
  return *this;
}

Stream::~Stream() { release(st_); }

std::string Stream::body_bytes() const {
  // Published from here on (the caller stores it): copy before any change.
  exclusive_ = false;
  own_groups_.clear();
  StreamBody b{st_};
  return std::string(reinterpret_cast<const char*>(&b), sizeof b);
}

StreamState* Stream::writable() {
  if (!exclusive_) {
    auto* copy = new StreamState(*st_);
    release(st_);
    st_ = copy;
    exclusive_ = true;
    own_groups_.clear();
  }
  return st_;
}

uint64_t Stream::node_bytes() const {
  uint64_t n = sizeof(StreamState) + st_->entries.node_bytes();
  for (const auto& [name, g] : st_->groups) {
    n += sizeof(StreamGroup) + name.size() + 64 + g->pel.node_bytes();  // 64: a map node
    for (const auto& [cname, consumer] : g->consumers) {
      n += sizeof(StreamConsumer) + cname.size() + 64 + consumer.pending.node_bytes();
    }
  }
  return n;
}

// ---- Entries ----

uint64_t Stream::length() const { return st_->entries.size(); }
StreamId Stream::last_id() const { return st_->last_id; }
StreamId Stream::max_deleted_id() const { return st_->max_deleted_id; }
uint64_t Stream::entries_added() const { return st_->entries_added; }
void Stream::set_last_id(StreamId id) { writable()->last_id = id; }
void Stream::set_max_deleted_id(StreamId id) { writable()->max_deleted_id = id; }
void Stream::set_entries_added(uint64_t n) { writable()->entries_added = n; }

StreamId Stream::first_id() const { return length() == 0 ? StreamId{} : id_at(0); }
StreamId Stream::last_entry_id() const { return id_at(length() - 1); }

uint64_t Stream::node_count() const { return st_->nodes; }

uint64_t Stream::node_count_by_walk() const {
  return length() == 0 ? 0 : node_runs(st_->entries, 0, length());
}

void Stream::append(StreamId id, std::span<const std::string_view> fields) {
  StreamState* s = writable();
  const bool tail_gone = s->entries.empty() || element_node(s->entries.at(s->entries.size() - 1)) != s->tail_node;
  const uint64_t node_max = stream_node_max_entries();
  if (tail_gone || (node_max != 0 && s->tail_node_appends >= node_max)) {
    s->tail_node = s->next_node++;
    s->tail_node_appends = 0;
    ++s->nodes;  // a tail that is gone was uncounted when it lost its last entry
  }
  ++s->tail_node_appends;
  std::string e(kEntryHeader, '\0');
  id.encode(e.data());
  put_be64(e.data() + kIdBytes, s->tail_node);
  size_t bytes = 0;
  for (std::string_view f : fields) bytes += f.size() + 10;
  e.reserve(e.size() + bytes + 10);
  put_varint(e, fields.size() / 2);
  for (std::string_view f : fields) {
    put_varint(e, f.size());
    e.append(f);
  }
  s->entries.push_back(e);
  s->last_id = id;
  ++s->entries_added;
}

uint64_t Stream::lower_bound(StreamId id) const { return id_lower_bound(st_->entries, id); }

StreamId Stream::id_at(uint64_t pos) const { return element_id(st_->entries.at(pos)); }

StreamEntry Stream::entry_at(uint64_t pos) const { return decode_element(st_->entries.at(pos)); }

bool Stream::contains(StreamId id) const {
  const uint64_t pos = lower_bound(id);
  return pos < length() && id_at(pos) == id;
}

bool Stream::erase(StreamId id) {
  const uint64_t pos = lower_bound(id);
  if (pos >= length() || id_at(pos) != id) return false;
  StreamState* s = writable();
  // The entry's node goes with it if no neighbour shares it.
  const uint64_t node = element_node(s->entries.at(pos));
  const bool alone = (pos == 0 || element_node(s->entries.at(pos - 1)) != node) &&
                     (pos + 1 == s->entries.size() || element_node(s->entries.at(pos + 1)) != node);
  if (alone) --s->nodes;
  s->entries.erase(pos);
  if (s->max_deleted_id < id) s->max_deleted_id = id;
  return true;
}

uint64_t Stream::trim(Trim strategy, uint64_t maxlen, StreamId minid, bool approx, uint64_t limit) {
  if (strategy == Trim::kNone) return 0;
  const List& l = st_->entries;
  const uint64_t n = l.size();
  if (strategy == Trim::kMaxLen && n <= maxlen) return 0;
  uint64_t drop = 0;
  if (!approx) {
    drop = strategy == Trim::kMaxLen ? n - maxlen : lower_bound(minid);
  } else {
    // Redis's streamTrim over the emulated nodes: whole nodes from the
    // head while one may go, within `limit` entries.
    uint64_t pos = 0;
    while (pos < n) {
      if (strategy == Trim::kMaxLen && n - pos <= maxlen) break;
      const uint64_t node = element_node(l.at(pos));
      uint64_t end = pos;
      l.walk(pos, n - 1, [&](std::string_view e) {
        if (element_node(e) != node) return false;
        ++end;
        return true;
      });
      const uint64_t entries = end - pos;
      if (limit > 0 && drop + entries > limit) break;
      const bool whole = strategy == Trim::kMaxLen ? (n - pos) - entries >= maxlen : id_at(end - 1) < minid;
      if (!whole) break;
      drop += entries;
      pos = end;
    }
  }
  if (drop == 0) return 0;
  // Nodes that go: the runs among the dropped entries, less the last if
  // its node goes on past them.
  uint64_t gone = node_runs(l, 0, drop);
  if (drop < n && element_node(l.at(drop)) == element_node(l.at(drop - 1))) --gone;
  StreamState* s = writable();
  s->nodes -= gone;
  drop_head(s->entries, drop);
  return drop;
}

int64_t Stream::estimate_distance(StreamId id) const {
  const auto added = static_cast<int64_t>(entries_added());
  if (added == 0) return 0;
  if (length() == 0 && id <= last_id()) return added;
  if (id == last_id()) return added;
  if (id > last_id()) return -1;
  const StreamId first = first_id();
  if (max_deleted_id().is_zero() || max_deleted_id() < first) {
    if (id < first) return added - static_cast<int64_t>(length());
    if (id == first) return added - static_cast<int64_t>(length()) + 1;
  }
  return -1;
}

// ---- The serialized form ----

void Stream::walk_entries(const std::function<bool(const StreamEntry&, uint64_t)>& fn) const {
  if (length() == 0) return;
  st_->entries.walk(0, length() - 1, [&](std::string_view e) {
    return fn(decode_element(e), element_node(e));
  });
}

std::string Stream::entry_element(StreamId id, uint64_t node, std::span<const std::string_view> fields) {
  std::string e(kEntryHeader, '\0');
  id.encode(e.data());
  put_be64(e.data() + kIdBytes, node);
  size_t bytes = 10;
  for (std::string_view f : fields) bytes += f.size() + 10;
  e.reserve(e.size() + bytes);
  put_varint(e, fields.size() / 2);
  for (std::string_view f : fields) {
    put_varint(e, f.size());
    e.append(f);
  }
  return e;
}

bool Stream::load_entries(std::span<const std::string_view> elements, uint64_t tail_node, uint64_t tail_appends) {
  // The invariants every other method relies on: ID order (the lookups
  // are binary searches) and one run per node (the node count).
  uint64_t nodes = 0;
  for (size_t i = 0; i < elements.size(); ++i) {
    const uint64_t node = element_node(elements[i]);
    if (node == 0) return false;
    if (i > 0) {
      if (element_id(elements[i]) <= element_id(elements[i - 1])) return false;
      const uint64_t prev = element_node(elements[i - 1]);
      if (node < prev) return false;
      if (node == prev) continue;
    }
    ++nodes;
  }
  if (!elements.empty() && tail_node < element_node(elements.back())) return false;
  if (tail_node == UINT64_MAX) return false;
  StreamState* s = writable();
  s->entries = List::build(elements);
  s->nodes = nodes;
  s->tail_node = tail_node;
  s->tail_node_appends = tail_appends;
  s->next_node = tail_node + 1;
  return true;
}

// ---- Groups ----

const StreamGroups& Stream::groups() const { return st_->groups; }

size_t Stream::group_count() const { return st_->groups.size(); }

const StreamGroup* Stream::group(std::string_view name) const {
  auto it = st_->groups.find(name);
  return it == st_->groups.end() ? nullptr : it->second.get();
}

StreamGroup* Stream::mutable_group(std::string_view name) {
  if (st_->groups.find(name) == st_->groups.end()) return nullptr;
  StreamState* s = writable();
  auto it = s->groups.find(name);
  if (std::find(own_groups_.begin(), own_groups_.end(), it->second.get()) == own_groups_.end()) {
    it->second = std::make_shared<StreamGroup>(*it->second);
    own_groups_.push_back(it->second.get());
  }
  return it->second.get();
}

bool Stream::create_group(std::string_view name, StreamId last_id, int64_t entries_read) {
  if (st_->groups.find(name) != st_->groups.end()) return false;
  StreamState* s = writable();  // first: making the state writable forgets the groups it owned
  auto g = std::make_shared<StreamGroup>();
  g->last_id = last_id;
  g->entries_read = entries_read;
  own_groups_.push_back(g.get());
  s->groups.emplace(std::string(name), std::move(g));
  return true;
}

bool Stream::destroy_group(std::string_view name) {
  if (st_->groups.find(name) == st_->groups.end()) return false;
  StreamState* s = writable();
  auto it = s->groups.find(name);
  std::erase(own_groups_, it->second.get());
  s->groups.erase(it);
  return true;
}

// ---- PEL helpers ----

uint64_t Stream::pel_lower_bound(const List& pel, StreamId id) { return id_lower_bound(pel, id); }
uint64_t Stream::ids_lower_bound(const List& ids, StreamId id) { return id_lower_bound(ids, id); }

StreamPending Stream::pel_at(const List& pel, uint64_t pos) {
  const std::string_view e = pel.at(pos);
  StreamPending p;
  p.id = StreamId::decode(e.data());
  p.delivery_ms = static_cast<int64_t>(get_be64(e.data() + kIdBytes));
  p.delivery_count = get_be64(e.data() + kIdBytes + 8);
  p.consumer = e.substr(kIdBytes + 16);
  return p;
}

std::string Stream::pel_element(StreamId id, int64_t delivery_ms, uint64_t count, std::string_view consumer) {
  std::string e(kIdBytes + 16, '\0');
  id.encode(e.data());
  put_be64(e.data() + kIdBytes, static_cast<uint64_t>(delivery_ms));
  put_be64(e.data() + kIdBytes + 8, count);
  e.append(consumer);
  return e;
}

std::string Stream::id_element(StreamId id) {
  std::string e(kIdBytes, '\0');
  id.encode(e.data());
  return e;
}

namespace {
void ids_insert(List& ids, StreamId id) { ids.insert(id_lower_bound(ids, id), Stream::id_element(id)); }
void ids_erase(List& ids, StreamId id) {
  const uint64_t pos = id_lower_bound(ids, id);
  if (pos < ids.size() && element_id(ids.at(pos)) == id) ids.erase(pos);
}
}  // namespace

void Stream::pel_assign(StreamGroup& g, uint64_t pos, std::string_view to, int64_t delivery_ms, uint64_t count) {
  const StreamPending old = pel_at(g.pel, pos);
  if (old.consumer != to) {
    auto from = g.consumers.find(old.consumer);
    if (from != g.consumers.end()) ids_erase(from->second.pending, old.id);
    ids_insert(g.consumers[std::string(to)].pending, old.id);
  }
  g.pel.set(pos, pel_element(old.id, delivery_ms, count, to));
}

void Stream::pel_insert(StreamGroup& g, StreamId id, std::string_view to, int64_t delivery_ms, uint64_t count) {
  g.pel.insert(pel_lower_bound(g.pel, id), pel_element(id, delivery_ms, count, to));
  ids_insert(g.consumers[std::string(to)].pending, id);
}

void Stream::pel_erase(StreamGroup& g, uint64_t pos) {
  const StreamPending old = pel_at(g.pel, pos);
  auto from = g.consumers.find(old.consumer);
  if (from != g.consumers.end()) ids_erase(from->second.pending, old.id);
  g.pel.erase(pos);
}

}  // namespace tmkv::store
