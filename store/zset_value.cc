#include "store/zset_value.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

namespace tmkv::store {

namespace {

std::atomic<uint64_t> g_zset_listpack_entries{128};
std::atomic<uint64_t> g_zset_listpack_value{64};

constexpr size_t kKeyBytes = 8;

const ZSetBody& zset_body_of(const char* bytes) { return *reinterpret_cast<const ZSetBody*>(bytes); }

std::string_view hash_part(const char* bytes) {
  return {bytes + offsetof(ZSetBody, members), sizeof(HashBody)};
}
std::string_view list_part(const char* bytes) { return {bytes + offsetof(ZSetBody, order), sizeof(ListBody)}; }

// The order key: unsigned big-endian order equals numeric order (see the
// header); -0.0 keys as +0.0.
uint64_t order_bits(double score) {
  if (score == 0) score = 0;  // folds -0.0 into +0.0
  const auto u = std::bit_cast<uint64_t>(score);
  return (u >> 63) != 0 ? ~u : (u | (uint64_t{1} << 63));
}

double score_of_bits(uint64_t k) {
  const uint64_t u = (k >> 63) != 0 ? (k & ~(uint64_t{1} << 63)) : ~k;
  return std::bit_cast<double>(u);
}

void put_key(char* out, uint64_t k) {
  for (size_t i = 0; i < kKeyBytes; ++i) out[i] = static_cast<char>(k >> (56 - 8 * i));
}

uint64_t get_key(std::string_view e) {
  uint64_t k = 0;
  for (size_t i = 0; i < kKeyBytes; ++i) k = (k << 8) | static_cast<unsigned char>(e[i]);
  return k;
}

std::string score_bytes(double score) {
  std::string s(sizeof score, '\0');
  std::memcpy(s.data(), &score, sizeof score);
  return s;
}

}  // namespace

void set_zset_listpack_limits(uint64_t entries, uint64_t value_bytes) {
  g_zset_listpack_entries.store(entries, std::memory_order_relaxed);
  g_zset_listpack_value.store(value_bytes, std::memory_order_relaxed);
}
uint64_t zset_listpack_max_entries() { return g_zset_listpack_entries.load(std::memory_order_relaxed); }
uint64_t zset_listpack_max_value() { return g_zset_listpack_value.load(std::memory_order_relaxed); }

void zset_body_retain(const char* bytes) {
  hash_body_retain(hash_part(bytes).data());
  list_body_retain(list_part(bytes).data());
}
void zset_body_release(const char* bytes) {
  hash_body_release(hash_part(bytes).data());
  list_body_release(list_part(bytes).data());
}
size_t zset_body_node_bytes(const char* bytes) {
  return hash_body_node_bytes(hash_part(bytes).data()) + list_body_node_bytes(list_part(bytes).data());
}

ZSet ZSet::from_body(std::string_view body_bytes) {
  ZSet z;
  if (body_bytes.size() != sizeof(ZSetBody)) return z;  // not a zset body: empty
  z.members_ = Hash::from_body(hash_part(body_bytes.data()));
  z.order_ = List::from_body(list_part(body_bytes.data()));
  const uint64_t flags = zset_body_of(body_bytes.data()).flags;
  z.big_ = (flags & 1) != 0;
  z.may_hold_negative_zero_ = (flags & 2) != 0;
  return z;
}

ZSet ZSet::build(std::span<const ZEntry> entries) {
  ZSet z;
  std::vector<std::string> elements;
  elements.reserve(entries.size());
  for (const ZEntry& e : entries) {
    z.members_.set(e.member, score_bytes(e.score));
    if (e.score == 0 && std::signbit(e.score)) z.may_hold_negative_zero_ = true;
    elements.push_back(z.element(e.member, e.score));
  }
  std::sort(elements.begin(), elements.end());
  std::vector<std::string_view> views(elements.begin(), elements.end());
  z.order_ = List::build(views);
  z.judge_encoding();
  return z;
}

std::string ZSet::body_bytes() const {
  // Each part's bytes carry no reference of their own: the Blob made from
  // this body takes one per root (zset_body_retain).
  const std::string h = members_.body_bytes();
  const std::string l = order_.body_bytes();
  std::string out(sizeof(ZSetBody), '\0');
  std::memcpy(out.data() + offsetof(ZSetBody, members), h.data(), sizeof(HashBody));
  std::memcpy(out.data() + offsetof(ZSetBody, order), l.data(), sizeof(ListBody));
  const uint64_t flags = (big_ ? 1 : 0) | (may_hold_negative_zero_ ? 2 : 0);
  std::memcpy(out.data() + offsetof(ZSetBody, flags), &flags, sizeof flags);
  return out;
}

void ZSet::judge_encoding() {
  const uint64_t max_entries = zset_listpack_max_entries();
  const uint64_t max_value = zset_listpack_max_value();
  if (size() > max_entries) {
    big_ = true;
    return;
  }
  bool fits = true;
  if (!empty()) {
    walk(0, size() - 1, [&](const ZEntry& e) {
      fits = e.member.size() <= max_value;
      return fits;
    });
  }
  big_ = !fits;
  if (!big_) fold_negative_zeros();
}

void ZSet::judge_encoding_by_entries() {
  big_ = size() > zset_listpack_max_entries();
  if (!big_) fold_negative_zeros();
}

void ZSet::fold_negative_zeros() {
  if (empty() || !may_hold_negative_zero_) return;
  const uint64_t from = lower_bound_score(0, false);
  const uint64_t to = lower_bound_score(0, true);
  std::vector<std::string> negative;
  if (from < to) {
    walk(from, to - 1, [&](const ZEntry& e) {
      if (std::signbit(e.score)) negative.emplace_back(e.member);
      return true;
    });
  }
  // Same order key: only the dictionary's bits change.
  for (const std::string& m : negative) members_.set(m, score_bytes(0.0));
  may_hold_negative_zero_ = false;
}

std::string ZSet::element(std::string_view member, double score) const {
  std::string e(kKeyBytes + member.size(), '\0');
  put_key(e.data(), order_bits(score));
  std::memcpy(e.data() + kKeyBytes, member.data(), member.size());
  return e;
}

double ZSet::decode_score(std::string_view eight_bytes) {
  double d = 0;
  if (eight_bytes.size() == sizeof d) std::memcpy(&d, eight_bytes.data(), sizeof d);
  return d;
}

ZEntry ZSet::decode(std::string_view e) const {
  ZEntry z{e.substr(kKeyBytes), score_of_bits(get_key(e))};
  if (z.score == 0 && may_hold_negative_zero_) {
    // The key folded the sign of zero away; the dictionary keeps it.
    if (const auto s = score(z.member)) z.score = *s;
  }
  return z;
}

std::optional<double> ZSet::score(std::string_view member) const {
  std::string_view v;
  if (!members_.find(member, &v)) return std::nullopt;
  return decode_score(v);
}

std::optional<uint64_t> ZSet::rank(std::string_view member) const {
  const auto s = score(member);
  if (!s) return std::nullopt;
  const std::string key = element(member, *s);
  return order_.partition_point([&](std::string_view e) { return e >= key; });
}

bool ZSet::insert(std::string_view member, double score) {
  const auto old = this->score(member);
  if (!old && (size() + 1 > zset_listpack_max_entries() || member.size() > zset_listpack_max_value())) {
    big_ = true;
  }
  // Redis 7.0 reads a -0 written into a listpack back as 0 (ZSCORE says
  // "0"); only a skiplist keeps the sign.
  if (!big_ && score == 0) score = 0;
  if (std::signbit(score) && score == 0) may_hold_negative_zero_ = true;
  if (old) {
    // Same place (an equal score; -0 and +0 included): only the stored
    // score's bits may change.
    if (order_bits(*old) == order_bits(score)) {
      if (std::bit_cast<uint64_t>(*old) != std::bit_cast<uint64_t>(score)) members_.set(member, score_bytes(score));
      return false;
    }
    order_.erase(*rank(member));
  }
  const std::string key = element(member, score);
  const uint64_t at = order_.partition_point([&](std::string_view e) { return e >= key; });
  order_.insert(at, key);
  members_.set(member, score_bytes(score));
  return !old;
}

bool ZSet::erase(std::string_view member) {
  const auto r = rank(member);
  if (!r) return false;
  order_.erase(*r);
  members_.erase(member);
  return true;
}

ZEntry ZSet::at(uint64_t r) const { return decode(order_.at(r)); }

uint64_t ZSet::lower_bound_score(double v, bool strict) const {
  return order_.partition_point([&](std::string_view e) {
    const double s = score_of_bits(get_key(e));
    return strict ? s > v : s >= v;
  });
}

uint64_t ZSet::lower_bound_member(std::string_view m, bool strict) const {
  return order_.partition_point([&](std::string_view e) {
    const std::string_view member = e.substr(kKeyBytes);
    return strict ? member > m : member >= m;
  });
}

void ZSet::walk(uint64_t from, uint64_t to, const std::function<bool(const ZEntry&)>& fn) const {
  order_.walk(from, to, [&](std::string_view e) { return fn(decode(e)); });
}

void ZSet::walk_backward(uint64_t from, uint64_t to, const std::function<bool(const ZEntry&)>& fn) const {
  order_.walk_backward(from, to, [&](std::string_view e) { return fn(decode(e)); });
}

void ZSet::erase_ranks(uint64_t from, uint64_t to) {
  const uint64_t n = to - from + 1;
  std::vector<std::string_view> kept;
  const uint64_t keep = size() - n;
  // One rope erase copies a leaf and the path above it; past about 64
  // erases per kept element it is cheaper to build the rest anew (as LTRIM).
  const bool rebuild = n * 64 > keep;
  order_.walk(from, to, [&](std::string_view e) {
    members_.erase(e.substr(kKeyBytes));
    return true;
  });
  if (!rebuild) {
    for (uint64_t i = 0; i < n; ++i) order_.erase(from);
    return;
  }
  kept.reserve(keep);
  auto add = [&](std::string_view e) {
    kept.push_back(e);
    return true;
  };
  if (from > 0) order_.walk(0, from - 1, add);
  if (to + 1 < order_.size()) order_.walk(to + 1, order_.size() - 1, add);
  order_ = List::build(kept);  // the views stay valid: the old version lives until this assignment
}

bool ZSet::consistent_for_testing() const {
  if (!order_.consistent_for_testing() || order_.size() != members_.size()) return false;
  bool ok = true;
  std::string previous;
  for (uint64_t r = 0; r < order_.size() && ok; ++r) {
    const std::string_view e = order_.at(r);
    if (r > 0 && !(std::string_view(previous) < e)) ok = false;
    const auto s = score(e.substr(kKeyBytes));
    if (!s || order_bits(*s) != get_key(e)) ok = false;
    previous.assign(e);
  }
  return ok;
}

}  // namespace tmkv::store
