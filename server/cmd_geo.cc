// GEO commands: GEOADD, GEODIST, GEOHASH, GEOPOS, GEORADIUS,
// GEORADIUSBYMEMBER and their _RO forms, GEOSEARCH and GEOSEARCHSTORE,
// with Redis 7.0's replies (RESP2 and RESP3), number formats, errors and
// their order, keyspace hits and misses and keyspace events.
//
// A geo set is an ordinary sorted set whose scores are 52-bit geohashes
// (geohash.h), so ZRANGE, ZSCORE, DUMP and the rest see what they would
// see in Redis, and a geo command is a sorted-set read or write in the
// command's transaction like any other (the STORE forms write their
// destination in the same transaction). GEOADD is a ZADD of the computed
// scores (keyspace event "zadd", a write's lookup: no hit or miss); the
// other commands look their source up as reads.
//
// A search reads up to nine geohash cells (geo::search_cells), each one
// score range of the set, keeps the points inside the shape, in the order
// the cells and the set give them, and sorts them by distance as Redis
// does: a full sort is stable (glibc's qsort, a merge sort, is what Redis
// calls), a COUNT-limited one is Redis's partial quicksort
// (partial_qsort.h), so equally distant members come out as in Redis.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "server/cmd_util.h"
#include "server/command.h"
#include "server/geohash.h"
#include "server/keyspace_events.h"
#include "server/partial_qsort.h"
#include "server/zset_util.h"
#include "store/zset_value.h"

namespace tmkv::server {
namespace {

using store::Blob;
using store::ValueType;
using store::ZEntry;
using store::ZSet;

// ---------------------------------------------------------------------------
// Arguments

// Redis's getDoubleFromObjectOrReply: its float syntax (parse_score), and
// `error` (default: "value is not a valid float") when it does not parse.
bool double_or_reply(CommandContext& c, std::string_view arg, const char* error, double* v) {
  const std::optional<double> d = parse_score(arg);
  if (!d) {
    c.out.error(std::string("ERR ") + error);
    return false;
  }
  *v = *d;
  return true;
}

constexpr const char* kNotAFloat = "value is not a valid float";

// "%f": six decimals, however many digits before the point (up to 309
// for the largest doubles, or "inf").
std::string fixed6(double v) {
  char buf[400];
  const int n = std::snprintf(buf, sizeof buf, "%f", v);
  return std::string(buf, n > 0 && static_cast<size_t>(n) < sizeof buf ? static_cast<size_t>(n) : 0);
}

// A longitude and a latitude at args[at], args[at + 1]: both must parse
// before the range is checked, and the error shows them with "%f".
bool lon_lat_or_reply(CommandContext& c, size_t at, geo::Point* p) {
  if (!double_or_reply(c, c.arg(at), kNotAFloat, &p->lon) || !double_or_reply(c, c.arg(at + 1), kNotAFloat, &p->lat)) {
    return false;
  }
  if (!geo::valid_lon_lat(p->lon, p->lat)) {
    c.out.error("ERR invalid longitude,latitude pair " + fixed6(p->lon) + "," + fixed6(p->lat));
    return false;
  }
  return true;
}

// A distance unit: how many meters it is.
bool unit_or_reply(CommandContext& c, std::string_view unit, double* to_meters) {
  if (equals_ci(unit, "m")) {
    *to_meters = 1;
  } else if (equals_ci(unit, "km")) {
    *to_meters = 1000;
  } else if (equals_ci(unit, "ft")) {
    *to_meters = 0.3048;
  } else if (equals_ci(unit, "mi")) {
    *to_meters = 1609.34;
  } else {
    c.out.error("ERR unsupported unit provided. please use M, KM, FT, MI");
    return false;
  }
  return true;
}

// BYRADIUS's (and GEORADIUS's) radius and unit at args[at], args[at + 1].
bool radius_or_reply(CommandContext& c, size_t at, geo::Shape* s) {
  double r;
  if (!double_or_reply(c, c.arg(at), "need numeric radius", &r)) return false;
  if (r < 0) {
    c.out.error("ERR radius cannot be negative");
    return false;
  }
  if (!unit_or_reply(c, c.arg(at + 1), &s->to_meters)) return false;
  s->box = false;
  s->radius = r;
  return true;
}

// BYBOX's width, height and unit from args[at].
bool box_or_reply(CommandContext& c, size_t at, geo::Shape* s) {
  double w, h;
  if (!double_or_reply(c, c.arg(at), "need numeric width", &w) ||
      !double_or_reply(c, c.arg(at + 1), "need numeric height", &h)) {
    return false;
  }
  if (h < 0 || w < 0) {
    c.out.error("ERR height or width cannot be negative");
    return false;
  }
  if (!unit_or_reply(c, c.arg(at + 2), &s->to_meters)) return false;
  s->box = true;
  s->width = w;
  s->height = h;
  return true;
}

// ---------------------------------------------------------------------------
// Replies

// A distance: a bulk string with four decimals, in RESP3 too.
void reply_distance(CommandContext& c, double d) {
  char buf[128];
  const int n = std::snprintf(buf, sizeof buf, "%.4f", d);
  if (n < 0 || static_cast<size_t>(n) >= sizeof buf) {  // beyond any distance on Earth; kept whole anyway
    const std::string big = std::to_string(d);
    c.out.bulk(big);
    return;
  }
  c.out.bulk(std::string_view(buf, static_cast<size_t>(n)));
}

// A coordinate, as Redis's "human" long double: up to 17 decimals without
// trailing zeros; a bulk string in RESP2, a double in RESP3.
void reply_coordinate(CommandContext& c, double v) {
  const std::string text = format_ld(static_cast<long double>(v));
  if (!c.out.resp3()) {
    c.out.bulk(text);
    return;
  }
  c.out.raw(",");
  c.out.raw(text);
  c.out.raw("\r\n");
}

// The point of a member of z, if it is there.
std::optional<geo::Point> member_point(const ZSet& z, std::string_view member) {
  const std::optional<double> score = z.score(member);
  if (!score) return std::nullopt;
  return geo::decode_score(*score);
}

// ---------------------------------------------------------------------------
// GEOADD, GEODIST, GEOHASH, GEOPOS

// GEOADD key [NX|XX] [CH] longitude latitude member [...]: Redis turns it
// into a ZADD with the same options, so the options may repeat and come in
// any order, and the coordinates are all checked before the key is looked
// at.
void cmd_geoadd(CommandContext& c) {
  bool nx = false, xx = false, ch = false;
  size_t first = 2;
  for (; first < c.argc(); ++first) {
    const std::string_view a = c.arg(first);
    if (equals_ci(a, "nx")) {
      nx = true;
    } else if (equals_ci(a, "xx")) {
      xx = true;
    } else if (equals_ci(a, "ch")) {
      ch = true;
    } else {
      break;
    }
  }
  const size_t rest = c.argc() - first;
  if (rest % 3 != 0 || (nx && xx)) {
    c.out.syntax_error();
    return;
  }
  std::vector<double> scores;
  scores.reserve(rest / 3);  // bounded by the arguments
  for (size_t i = first; i < c.argc(); i += 3) {
    geo::Point p;
    if (!lon_lat_or_reply(c, i, &p)) return;
    scores.push_back(static_cast<double>(geo::score_of(p.lon, p.lat)));
  }
  if (scores.empty()) {  // ZADD's own check: no element at all
    c.out.syntax_error();
    return;
  }
  const std::string_view key = c.arg(1);
  ZSet z;
  const Blob* old;
  if (!zset_at(c, key, false, &z, &old)) return;
  int64_t added = 0, updated = 0;
  if (old != nullptr || !xx) {  // no key and XX: nothing to do
    for (size_t i = 0; i < scores.size(); ++i) {
      const std::string_view member = c.arg(first + 3 * i + 2);
      const std::optional<double> current = z.score(member);
      if (!current) {
        if (xx) continue;
        z.insert(member, scores[i]);
        ++added;
      } else if (!nx && *current != scores[i]) {
        z.insert(member, scores[i]);
        ++updated;
      }
    }
  }
  if (added + updated > 0) {
    if (!store_zset(c, key, z, old)) return;
    notify_keyspace_event(c, kNotifyZset, "zadd", key);
  }
  c.out.integer(ch ? added + updated : added);
}

// GEODIST key member1 member2 [unit]: the unit is checked before the key.
void cmd_geodist(CommandContext& c) {
  double to_meters = 1;
  if (c.argc() == 5) {
    if (!unit_or_reply(c, c.arg(4), &to_meters)) return;
  } else if (c.argc() > 5) {
    c.out.syntax_error();
    return;
  }
  ZSet z;
  const Blob* b;
  if (!zset_at(c, c.arg(1), true, &z, &b)) return;
  if (b == nullptr) {
    c.out.null();
    return;
  }
  const std::optional<geo::Point> p1 = member_point(z, c.arg(2));
  const std::optional<geo::Point> p2 = p1 ? member_point(z, c.arg(3)) : std::nullopt;
  if (!p2) {
    c.out.null();
    return;
  }
  reply_distance(c, geo::distance(p1->lon, p1->lat, p2->lon, p2->lat) / to_meters);
}

// GEOHASH key [member ...]: a null bulk for a missing member (or key).
void cmd_geohash(CommandContext& c) {
  ZSet z;
  const Blob* b;
  if (!zset_at(c, c.arg(1), true, &z, &b)) return;
  c.out.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) {
    const std::optional<double> score = b != nullptr ? z.score(c.arg(i)) : std::nullopt;
    if (score) {
      c.out.bulk(geo::standard_geohash(*score));
    } else {
      c.out.null();
    }
  }
}

// GEOPOS key [member ...]: a null array for a missing member (or key).
void cmd_geopos(CommandContext& c) {
  ZSet z;
  const Blob* b;
  if (!zset_at(c, c.arg(1), true, &z, &b)) return;
  c.out.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) {
    const std::optional<geo::Point> p = b != nullptr ? member_point(z, c.arg(i)) : std::nullopt;
    if (!p) {
      c.out.null_array();
      continue;
    }
    c.out.array(2);
    reply_coordinate(c, p->lon);
    reply_coordinate(c, p->lat);
  }
}

// ---------------------------------------------------------------------------
// GEORADIUS, GEORADIUSBYMEMBER, their _RO forms, GEOSEARCH, GEOSEARCHSTORE

enum SearchFlags : unsigned {
  kFromCoords = 1u << 0,   // GEORADIUS[_RO] key lon lat radius unit
  kFromMember = 1u << 1,   // GEORADIUSBYMEMBER[_RO] key member radius unit
  kNoStore = 1u << 2,      // the _RO forms: no STORE / STOREDIST
  kSearch = 1u << 3,       // GEOSEARCH's FROM* / BY* arguments
  kSearchStore = 1u << 4,  // GEOSEARCHSTORE dst src ... [STOREDIST]
};

enum class Sort { kNone, kAsc, kDesc };

// A point found inside the shape; `member` views the source set's version.
struct Found {
  std::string_view member;
  double score;
  geo::Point point;
  double dist;  // meters until the reply divides by the unit
};

// Appends the points of one cell that lie inside the shape, in the set's
// order, stopping once `limit` (0: none) points have been found.
void collect_cell(const ZSet& z, const geo::Cell& cell, const geo::Shape& shape, uint64_t limit,
                  std::vector<Found>* out) {
  double min, max;
  geo::cell_scores(cell, &min, &max);
  const uint64_t start = z.lower_bound_score(min, false);
  if (start >= z.size()) return;
  z.walk(start, z.size() - 1, [&](const ZEntry& e) {
    if (!(e.score < max)) return false;
    Found f{e.member, e.score, {}, 0};
    if (geo::within(shape, e.score, &f.point, &f.dist)) out->push_back(f);
    return !(limit != 0 && out->size() >= limit);
  });
}

// Reads the search's cells in order. A cell equal to the last one read is
// skipped (huge radii make neighbours coincide), except when that last one
// is the centre cell: Redis's check ignores index 0, and so does this.
void collect(const ZSet& z, const geo::Shape& shape, uint64_t limit, std::vector<Found>* out) {
  const std::array<geo::Cell, 9> cells = geo::search_cells(shape);
  size_t last = 0;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].none()) continue;
    if (last != 0 && cells[i] == cells[last]) continue;
    if (limit != 0 && out->size() >= limit) break;
    collect_cell(z, cells[i], shape, limit, out);
    last = i;
  }
}

// qsort-style comparison by distance.
int compare_distance(const Found& a, const Found& b) {
  if (a.dist > b.dist) return 1;
  if (a.dist == b.dist) return 0;
  return -1;
}

void sort_found(std::vector<Found>* found, Sort sort, size_t returned) {
  if (sort == Sort::kNone || found->empty()) return;
  const int sign = sort == Sort::kAsc ? 1 : -1;
  auto cmp = [sign](const Found& a, const Found& b) { return sign * compare_distance(a, b); };
  if (returned == found->size()) {
    std::stable_sort(found->begin(), found->end(), [&](const Found& a, const Found& b) { return cmp(a, b) < 0; });
  } else {
    partial_qsort(*found, 0, returned - 1, cmp);
  }
}

// What the options asked for.
struct SearchOptions {
  bool withdist = false, withhash = false, withcoord = false, any = false;
  bool frommember = false, fromlonlat = false, byradius = false, bybox = false;
  Sort sort = Sort::kNone;
  int64_t count = 0;  // 0: no COUNT
  std::optional<std::string_view> store;
  bool storedist = false;
};

// The options from args[base], in Redis's single pass: each is checked as
// it is met (a FROMMEMBER whose member is missing fails at once, unless the
// key is missing, when it is taken as given). False after replying.
bool parse_search_options(CommandContext& c, size_t base, unsigned flags, const ZSet* z, geo::Shape* shape,
                          SearchOptions* o) {
  const bool search = (flags & kSearch) != 0;
  const bool store_allowed = !(flags & kNoStore) && !search;
  const size_t remaining = c.argc() - base;
  for (size_t i = 0; i < remaining; ++i) {
    const std::string_view a = c.arg(base + i);
    const size_t at = base + i;
    if (equals_ci(a, "withdist")) {
      o->withdist = true;
    } else if (equals_ci(a, "withhash")) {
      o->withhash = true;
    } else if (equals_ci(a, "withcoord")) {
      o->withcoord = true;
    } else if (equals_ci(a, "any")) {
      o->any = true;
    } else if (equals_ci(a, "asc")) {
      o->sort = Sort::kAsc;
    } else if (equals_ci(a, "desc")) {
      o->sort = Sort::kDesc;
    } else if (equals_ci(a, "count") && i + 1 < remaining) {
      if (!get_ll_or_reply(c.out, c.arg(at + 1), &o->count)) return false;
      if (o->count <= 0) {
        c.out.error("ERR COUNT must be > 0");
        return false;
      }
      ++i;
    } else if (equals_ci(a, "store") && i + 1 < remaining && store_allowed) {
      o->store = c.arg(at + 1);
      o->storedist = false;
      ++i;
    } else if (equals_ci(a, "storedist") && i + 1 < remaining && store_allowed) {
      o->store = c.arg(at + 1);
      o->storedist = true;
      ++i;
    } else if (equals_ci(a, "storedist") && search && (flags & kSearchStore)) {
      o->storedist = true;
    } else if (equals_ci(a, "frommember") && i + 1 < remaining && search && !o->fromlonlat) {
      if (z != nullptr) {
        const std::optional<geo::Point> p = member_point(*z, c.arg(at + 1));
        if (!p) {
          c.out.error("ERR could not decode requested zset member");
          return false;
        }
        shape->center = *p;
      }
      o->frommember = true;
      ++i;
    } else if (equals_ci(a, "fromlonlat") && i + 2 < remaining && search && !o->frommember) {
      if (!lon_lat_or_reply(c, at + 1, &shape->center)) return false;
      o->fromlonlat = true;
      i += 2;
    } else if (equals_ci(a, "byradius") && i + 2 < remaining && search && !o->bybox) {
      if (!radius_or_reply(c, at + 1, shape)) return false;
      o->byradius = true;
      i += 2;
    } else if (equals_ci(a, "bybox") && i + 3 < remaining && search && !o->byradius) {
      if (!box_or_reply(c, at + 1, shape)) return false;
      o->bybox = true;
      i += 3;
    } else {
      c.out.syntax_error();
      return false;
    }
  }
  return true;
}

// The checks Redis makes once the options are read, in its order.
bool check_search_options(CommandContext& c, unsigned flags, const SearchOptions& o) {
  if (o.store && (o.withdist || o.withhash || o.withcoord)) {
    c.out.error(std::string("ERR ") + ((flags & kSearchStore) ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS") +
                " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
    return false;
  }
  // These two name the command as it was sent.
  if ((flags & kSearch) && !(o.frommember || o.fromlonlat)) {
    c.out.error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + std::string(c.arg(0)));
    return false;
  }
  if ((flags & kSearch) && !(o.byradius || o.bybox)) {
    c.out.error("ERR exactly one of BYRADIUS and BYBOX can be specified for " + std::string(c.arg(0)));
    return false;
  }
  if (o.any && o.count == 0) {
    c.out.error("ERR the ANY argument requires COUNT argument");
    return false;
  }
  return true;
}

// Writes the result to the destination, replaced whole (no TTL kept), or
// deletes it when there is none; replies the count.
void store_found(CommandContext& c, unsigned flags, const SearchOptions& o, const std::vector<Found>& found,
                 size_t returned, double to_meters) {
  const std::string_view dst = *o.store;
  std::vector<ZEntry> entries;
  entries.reserve(returned);  // at most the source set's size
  std::unordered_set<std::string_view> seen;
  for (size_t i = 0; i < returned; ++i) {
    const Found& f = found[i];
    if (!seen.insert(f.member).second) continue;  // never happens: the cells do not overlap
    entries.push_back({f.member, o.storedist ? f.dist / to_meters : f.score});
  }
  const Blob* old = c.db().lookup(*c.tx, dst);
  const ZSet result = ZSet::build(entries);
  if (!store_zset(c, dst, result, old, false)) return;
  if (!result.empty()) {
    notify_keyspace_event(c, kNotifyZset, (flags & kSearch) ? "geosearchstore" : "georadiusstore", dst);
  }
  c.out.integer(static_cast<int64_t>(returned));
}

void reply_found(CommandContext& c, const SearchOptions& o, const std::vector<Found>& found, size_t returned,
                 double to_meters) {
  const size_t extras = (o.withdist ? 1 : 0) + (o.withhash ? 1 : 0) + (o.withcoord ? 1 : 0);
  c.out.array(returned);
  for (size_t i = 0; i < returned; ++i) {
    const Found& f = found[i];
    if (extras != 0) c.out.array(extras + 1);
    c.out.bulk(f.member);
    if (o.withdist) reply_distance(c, f.dist / to_meters);
    if (o.withhash) c.out.integer(geo::score_as_integer(f.score));
    if (o.withcoord) {
      c.out.array(2);
      reply_coordinate(c, f.point.lon);
      reply_coordinate(c, f.point.lat);
    }
  }
}

// Redis's georadiusGeneric. The source (at `src_at`) is looked up first (a
// read: a hit or a miss), so WRONGTYPE comes before any argument error;
// GEORADIUSBYMEMBER of a missing key reads neither member nor radius.
void search_generic(CommandContext& c, size_t src_at, unsigned flags) {
  ZSet z;
  const Blob* b;
  if (!zset_at(c, c.arg(src_at), true, &z, &b)) return;
  const ZSet* source = b != nullptr ? &z : nullptr;

  geo::Shape shape;
  size_t base;
  SearchOptions o;
  if (flags & kFromCoords) {
    base = 6;
    if (!lon_lat_or_reply(c, 2, &shape.center) || !radius_or_reply(c, 4, &shape)) return;
  } else if (flags & kFromMember) {
    base = 5;
    if (source != nullptr) {
      const std::optional<geo::Point> p = member_point(z, c.arg(2));
      if (!p) {
        c.out.error("ERR could not decode requested zset member");
        return;
      }
      shape.center = *p;
      if (!radius_or_reply(c, 3, &shape)) return;
    }
  } else {
    base = 2;
    if (flags & kSearchStore) {
      base = 3;
      o.store = c.arg(1);
    }
  }
  if (!parse_search_options(c, base, flags, source, &shape, &o)) return;
  if (!check_search_options(c, flags, o)) return;

  if (source == nullptr) {
    if (o.store) {
      store_found(c, flags, o, {}, 0, shape.to_meters);
    } else {
      c.out.array(0);
    }
    return;
  }
  // COUNT keeps the nearest ones, unless ANY asked for any.
  if (o.count != 0 && o.sort == Sort::kNone && !o.any) o.sort = Sort::kAsc;

  std::vector<Found> found;
  collect(z, shape, o.any ? static_cast<uint64_t>(o.count) : 0, &found);
  if (found.empty() && !o.store) {
    c.out.array(0);
    return;
  }
  const size_t returned =
      o.count == 0 || found.size() < static_cast<uint64_t>(o.count) ? found.size() : static_cast<size_t>(o.count);
  sort_found(&found, o.sort, returned);
  if (o.store) {
    store_found(c, flags, o, found, returned, shape.to_meters);
  } else {
    reply_found(c, o, found, returned, shape.to_meters);
  }
}

void cmd_georadius(CommandContext& c) { search_generic(c, 1, kFromCoords); }
void cmd_georadius_ro(CommandContext& c) { search_generic(c, 1, kFromCoords | kNoStore); }
void cmd_georadiusbymember(CommandContext& c) { search_generic(c, 1, kFromMember); }
void cmd_georadiusbymember_ro(CommandContext& c) { search_generic(c, 1, kFromMember | kNoStore); }
void cmd_geosearch(CommandContext& c) { search_generic(c, 1, kSearch); }
void cmd_geosearchstore(CommandContext& c) { search_generic(c, 2, kSearch | kSearchStore); }

}  // namespace

void register_geo_commands(std::vector<CommandSpec>& t) {
  const uint32_t R = kTransactional | kReadOnly;
  const uint32_t W = kTransactional | kWrite;
  const char* g = "geo";
  // Key positions as Redis 7.0's COMMAND INFO gives them. GEORADIUS and
  // GEORADIUSBYMEMBER also name a STORE / STOREDIST key, which Redis finds
  // with its own key finder (movable keys); this table has fixed positions
  // only, so COMMAND GETKEYS and the pipeline prefetch see the source alone.
  // clang-format off
  t.push_back({"geoadd", -5, W | kDenyOom, 1, 1, 1, g, "Add one or more geospatial items in the geospatial index represented using a sorted set", cmd_geoadd});
  t.push_back({"geodist", -4, R, 1, 1, 1, g, "Returns the distance between two members of a geospatial index", cmd_geodist});
  t.push_back({"geohash", -2, R, 1, 1, 1, g, "Returns members of a geospatial index as standard geohash strings", cmd_geohash});
  t.push_back({"geopos", -2, R, 1, 1, 1, g, "Returns longitude and latitude of members of a geospatial index", cmd_geopos});
  t.push_back({"georadius", -6, W | kDenyOom, 1, 1, 1, g, "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point", cmd_georadius});
  t.push_back({"georadius_ro", -6, R, 1, 1, 1, g, "A read-only variant for GEORADIUS", cmd_georadius_ro});
  t.push_back({"georadiusbymember", -5, W | kDenyOom, 1, 1, 1, g, "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member", cmd_georadiusbymember});
  t.push_back({"georadiusbymember_ro", -5, R, 1, 1, 1, g, "A read-only variant for GEORADIUSBYMEMBER", cmd_georadiusbymember_ro});
  t.push_back({"geosearch", -7, R, 1, 1, 1, g, "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.", cmd_geosearch});
  t.push_back({"geosearchstore", -8, W | kDenyOom, 1, 2, 1, g, "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.", cmd_geosearchstore});
  // clang-format on
}

}  // namespace tmkv::server
