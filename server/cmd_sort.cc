// SORT and SORT_RO: the elements of a list, set or sorted set, ordered by
// themselves or by weights that BY names in other keys, cut by LIMIT,
// mapped through GET patterns, and returned or (SORT ... STORE) stored as a
// list; with Redis 7.0's option syntax, errors, order of checks, lookups
// (each key a pattern names is a read: a keyspace hit or miss) and
// keyspace events.
//
// ATOMICITY. The dispatcher runs the handler in one transaction (command.h),
// and every key a pattern names is read through that transaction, so
// "SORT src BY w_* GET d_* STORE dst" reads the source, every weight and
// every GET value and writes dst as one atomic step, even beside other
// threads' writes to those keys. The handler writes nothing but the Reply
// and dst, so a retried attempt starts afresh.
//
// WHAT IS SPECIFIED. Redis gives these orders: a numeric sort breaks ties
// of equal weights by comparing the elements byte by byte, so its result is
// fully determined; an ALPHA sort by BY weights does not break ties (equal
// weights, or missing ones, which sort first). Redis's full sort is glibc's
// stable merge sort, so such ties keep the order the elements were read in;
// with BY and a LIMIT that cuts the range it runs its own partial
// quicksort, whose steps tmkv repeats (partial_qsort.h). Either way the
// result depends on the order of reading: a list's own, an intset's
// ascending one, and for other sets and sorted sets Redis's hash-table
// order, which tmkv cannot reproduce (it reads them in its own order).
// BY with a pattern that has no '*' ("BY nosort") skips the sort: a list
// or sorted set keeps its order (DESC reverses it, LIMIT takes the range
// directly); a set lists in its iteration order (an intset ascending, as in
// Redis; otherwise unspecified), except where Redis must be deterministic
// (STORE, or a call from a script), where it sorts the set ALPHA instead.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/client.h"
#include "server/cmd_util.h"
#include "server/command.h"
#include "server/keyspace_events.h"
#include "server/partial_qsort.h"
#include "store/hash_value.h"
#include "store/int_codec.h"
#include "store/list_value.h"
#include "store/zset_value.h"

namespace tmkv::server {
namespace {

using store::Blob;
using store::ValueType;

// Redis handles patterns and ALPHA comparisons as C strings: whatever
// follows a NUL byte is invisible to them (a '*' after it is no '*', and
// "a\0x" collates equal to "a"). This is the part such code sees.
std::string_view c_string_part(std::string_view s) {
  const size_t nul = s.find('\0');
  return nul == std::string_view::npos ? s : s.substr(0, nul);
}

struct SortOptions {
  bool desc = false;
  bool alpha = false;
  // BY named a pattern without '*': nothing to sort by. Once set it stays
  // set even if a later BY names a real pattern, as in Redis.
  bool dont_sort = false;
  std::optional<std::string_view> by;
  int64_t limit_start = 0;
  int64_t limit_count = -1;  // negative: to the end
  std::vector<std::string_view> gets;
  std::optional<std::string_view> store;  // SORT only
};

// The options from argument 2 on, in Redis's grammar: each keyword may
// repeat (the last wins), LIMIT needs two integers, BY / GET / STORE one
// argument each; SORT_RO has no STORE. False after replying an error.
bool parse_options_or_reply(CommandContext& c, bool read_only, SortOptions* o) {
  for (size_t j = 2; j < c.argc(); ++j) {
    const std::string_view a = c.arg(j);
    const size_t left = c.argc() - j - 1;
    if (equals_ci(a, "asc")) {
      o->desc = false;
    } else if (equals_ci(a, "desc")) {
      o->desc = true;
    } else if (equals_ci(a, "alpha")) {
      o->alpha = true;
    } else if (equals_ci(a, "limit") && left >= 2) {
      if (!get_ll_or_reply(c.out, c.arg(j + 1), &o->limit_start) ||
          !get_ll_or_reply(c.out, c.arg(j + 2), &o->limit_count)) {
        return false;
      }
      j += 2;
    } else if (!read_only && equals_ci(a, "store") && left >= 1) {
      o->store = c.arg(++j);
    } else if (equals_ci(a, "by") && left >= 1) {
      o->by = c.arg(++j);
      if (c_string_part(*o->by).find('*') == std::string_view::npos) o->dont_sort = true;
    } else if (equals_ci(a, "get") && left >= 1) {
      o->gets.push_back(c.arg(++j));
    } else {
      c.out.syntax_error();
      return false;
    }
  }
  return true;
}

// What `pattern` names for `element`, copied into *out; false for nothing
// (a nil). "#" is the element itself. Otherwise the first '*' is replaced
// by the element to make a key, read through this transaction (a keyspace
// hit or miss): the string there, or with "->field" after the '*' the
// field of the hash there. A pattern without '*', a missing key, field or
// a key of another type name nothing: Redis answers no WRONGTYPE here.
bool pattern_value(CommandContext& c, std::string_view pattern, std::string_view element, std::string* out) {
  const std::string_view visible = c_string_part(pattern);
  if (visible == "#") {
    out->assign(element);
    return true;
  }
  const size_t star = visible.find('*');
  if (star == std::string_view::npos) return false;
  // "->" after the '*' with at least one (visible) byte after it starts a
  // field name, which runs to the pattern's real end.
  size_t field_len = 0;
  const size_t arrow = visible.find("->", star + 1);
  if (arrow != std::string_view::npos && arrow + 2 < visible.size()) field_len = pattern.size() - arrow - 2;
  const size_t suffix_end = field_len != 0 ? arrow : pattern.size();
  std::string key;
  key.reserve(star + element.size() + (suffix_end - star - 1));
  key.append(pattern.substr(0, star));
  key.append(element);
  key.append(pattern.substr(star + 1, suffix_end - star - 1));
  const Blob* b = lookup_for_read(c, key);
  if (b == nullptr) return false;
  if (field_len != 0) {
    if (b->type() != ValueType::kHash) return false;
    const store::Hash h = store::Hash::from_body(b->view());
    std::string_view v;
    if (!h.find(pattern.substr(arrow + 2), &v)) return false;
    out->assign(v);
    return true;
  }
  if (b->type() != ValueType::kString) return false;
  out->assign(b->view());
  return true;
}

// Redis's numeric weight: strtod over the C string (leading spaces, hex,
// "inf" accepted; trailing bytes, NaN, overflow and underflow refused).
// Redis does not clear errno first, so one ERANGE makes its later numeric
// sorts fail until something else sets errno (a new connection's accept);
// that is a Redis bug, not copied: every conversion here starts clean.
bool parse_weight(std::string_view s, std::string* buf, double* v) {
  buf->assign(c_string_part(s));
  errno = 0;
  char* end = nullptr;
  *v = std::strtod(buf->c_str(), &end);
  return *end == '\0' && errno != ERANGE && !std::isnan(*v);
}

struct Item {
  explicit Item(std::string_view e) : element(e) {}
  std::string_view element;  // valid while the source value's handle lives
  double score = 0;          // numeric: the weight (0 for a missing one)
  std::optional<std::string> weight;  // ALPHA BY: the weight, none if missing
};

void sort_generic(CommandContext& c, bool read_only) {
  SortOptions o;
  if (!parse_options_or_reply(c, read_only, &o)) return;

  // The source, after the options (a syntax error wins over WRONGTYPE and
  // looks nothing up). Read as a read, with STORE too, as Redis does. A
  // missing key sorts as an empty list.
  const Blob* src = lookup_for_read(c, c.arg(1));
  ValueType type = ValueType::kList;
  if (src != nullptr) {
    type = src->type();
    if (type != ValueType::kList && type != ValueType::kSet && type != ValueType::kZSet) {
      c.out.error(kWrongTypeError);
      return;
    }
  }
  // Handles that keep the version read alive while Items point into it.
  store::List list;
  store::Hash set;
  store::ZSet zset;
  uint64_t n = 0;
  if (src != nullptr && type == ValueType::kList) {
    list = store::List::from_body(src->view());
    n = list.size();
  } else if (src != nullptr && type == ValueType::kSet) {
    set = store::Hash::from_body(src->view());
    n = set.size();
  } else if (src != nullptr) {
    zset = store::ZSet::from_body(src->view());
    n = zset.size();
  }

  // A set has no order of its own for "BY nosort" to keep; where the
  // result must be reproducible (STORE, scripts) Redis sorts it ALPHA.
  if (o.dont_sort && type == ValueType::kSet && (o.store || c.in_script)) {
    o.dont_sort = false;
    o.alpha = true;
    o.by.reset();
  }

  // LIMIT, clamped to the size first (so huge numbers cannot overflow),
  // as the inclusive range [start, end] of the sorted sequence; empty when
  // end < start.
  const int64_t size = static_cast<int64_t>(n);
  int64_t start = std::min(std::max<int64_t>(o.limit_start, 0), size);
  const int64_t count = std::min(std::max<int64_t>(o.limit_count, -1), size);
  int64_t end = count < 0 ? size - 1 : start + count - 1;
  if (start >= size) {
    start = size - 1;
    end = size - 2;
  }
  if (end >= size) end = size - 1;

  std::vector<Item> items;
  if (o.dont_sort && type != ValueType::kSet) {
    // A list or sorted set in its own order (reversed by DESC): only the
    // range is read, and it becomes the whole sequence.
    if (end >= start) {
      const uint64_t len = static_cast<uint64_t>(end - start + 1);
      items.reserve(len);
      auto take = [&](std::string_view e) {
        items.emplace_back(e);
        return true;
      };
      const uint64_t first = static_cast<uint64_t>(start);
      const uint64_t last = static_cast<uint64_t>(end);
      if (type == ValueType::kList) {
        if (o.desc) {
          list.walk_backward(n - 1 - first, n - 1 - last, take);
        } else {
          list.walk(first, last, take);
        }
      } else {
        auto take_member = [&](const store::ZEntry& e) { return take(e.member); };
        if (o.desc) {
          zset.walk_backward(n - 1 - first, n - 1 - last, take_member);
        } else {
          zset.walk(first, last, take_member);
        }
      }
      end -= start;
      start = 0;
    }
  } else {
    items.reserve(n);
    if (type == ValueType::kList && n > 0) {
      list.walk(0, n - 1, [&](std::string_view e) {
        items.emplace_back(e);
        return true;
      });
    } else if (type == ValueType::kSet) {
      // An intset lists ascending, as Redis iterates one (cmd_sets.cc).
      for (const store::HashEntry& e : set.entries()) items.emplace_back(e.field);
      if (std::string_view(set.set_encoding()) == "intset") {
        std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
          return *store::parse_int64(a.element) < *store::parse_int64(b.element);
        });
      }
    } else if (type == ValueType::kZSet && n > 0) {
      zset.walk(0, n - 1, [&](const store::ZEntry& e) {
        items.emplace_back(e.member);
        return true;
      });
    }
  }

  bool conversion_error = false;
  if (!o.dont_sort) {
    // Every element's weight is read, even after a bad one, as Redis does
    // (each lookup counts as a keyspace hit or miss).
    std::string value;
    std::string buf;
    for (Item& it : items) {
      std::string_view weight = it.element;
      if (o.by) {
        if (!pattern_value(c, *o.by, it.element, &value)) continue;  // missing: 0, or first under ALPHA
        weight = value;
      }
      if (o.alpha) {
        if (o.by) it.weight = value;
      } else if (!parse_weight(weight, &buf, &it.score)) {
        conversion_error = true;
      }
    }
    // With a bad weight the reply is an error: no need to order anything
    // (and a NaN would break the comparison's ordering).
    if (!conversion_error) {
      // ALPHA compares C strings (strcoll in the C.UTF-8 locale Redis runs
      // in: byte order up to the first NUL), but STORE compares whole
      // strings byte by byte, as Redis's does.
      const bool binary = o.store.has_value();
      auto text_cmp = [binary](std::string_view a, std::string_view b) {
        return binary ? a.compare(b) : c_string_part(a).compare(c_string_part(b));
      };
      // <0, 0 or >0 as qsort's comparators (both sorts below take one).
      auto cmp = [&](const Item& a, const Item& b) {
        int r;
        if (!o.alpha) {
          r = a.score < b.score ? -1 : a.score > b.score ? 1 : a.element.compare(b.element);
        } else if (o.by) {
          if (!a.weight || !b.weight) {
            r = a.weight.has_value() == b.weight.has_value() ? 0 : !a.weight ? -1 : 1;
          } else {
            r = text_cmp(*a.weight, *b.weight);
          }
        } else {
          r = text_cmp(a.element, b.element);
        }
        r = (r > 0) - (r < 0);
        return o.desc ? -r : r;
      };
      if (o.by && (start != 0 || end != size - 1)) {
        // Redis sorts only as far as the range needs, by its own partial
        // quicksort; its steps decide the order of equal ALPHA weights, so
        // the same steps are taken here (partial_qsort.h).
        if (end >= start) partial_qsort(items, static_cast<size_t>(start), static_cast<size_t>(end), cmp);
      } else {
        // Redis's full sort is glibc's qsort, a stable merge sort.
        std::stable_sort(items.begin(), items.end(), [&](const Item& a, const Item& b) { return cmp(a, b) < 0; });
      }
    }
  }

  const size_t range = end >= start ? static_cast<size_t>(end - start + 1) : 0;
  const size_t output_len = o.gets.empty() ? range : o.gets.size() * range;
  if (conversion_error) {
    c.out.error("ERR One or more scores can't be converted into double");
    return;
  }
  std::string value;
  if (!o.store) {
    c.out.array(output_len);
    for (size_t j = 0; j < range; ++j) {
      const Item& it = items[static_cast<size_t>(start) + j];
      if (o.gets.empty()) c.out.bulk(it.element);
      for (std::string_view get : o.gets) {
        if (pattern_value(c, get, it.element, &value)) {
          c.out.bulk(value);
        } else {
          c.out.null();
        }
      }
    }
    return;
  }

  // STORE: the result becomes a list at dst, replacing any value (and its
  // TTL); a GET that names nothing stores an empty string. An empty result
  // deletes dst.
  std::vector<std::string> values;
  values.reserve(range);
  for (size_t j = 0; j < range; ++j) {
    const Item& it = items[static_cast<size_t>(start) + j];
    if (o.gets.empty()) values.emplace_back(it.element);
    for (std::string_view get : o.gets) {
      if (!pattern_value(c, get, it.element, &value)) value.clear();
      values.push_back(value);
    }
  }
  const std::string_view dst = *o.store;
  if (values.empty()) {
    if (c.db().del(*c.tx, dst)) notify_keyspace_event(c, kNotifyGeneric, "del", dst);
    c.out.integer(0);
    return;
  }
  const std::vector<std::string_view> views(values.begin(), values.end());
  const store::List result = store::List::build(views);
  c.db().del(*c.tx, dst);  // a new value, as Redis's setKey: no TTL kept
  const store::OpStatus st = c.db().put(*c.tx, dst, ValueType::kList, result.body_bytes(), 0);
  if (st != store::OpStatus::kOk) {
    reply_status(c.out, st);
    return;
  }
  blocking_key_ready(c, dst, c.client.db);  // a client blocked on dst may pop now
  notify_keyspace_event(c, kNotifyList, "sortstore", dst);
  c.out.integer(static_cast<int64_t>(output_len));
}

void cmd_sort(CommandContext& c) { sort_generic(c, false); }
void cmd_sort_ro(CommandContext& c) { sort_generic(c, true); }

}  // namespace

void register_sort_commands(std::vector<CommandSpec>& t) {
  const char* g = "generic";
  // Keys: the source only. Redis also reports STORE's destination
  // (movable keys, its own key finder); the table has fixed positions, so
  // COMMAND GETKEYS and the pipeline prefetch see the source alone.
  t.push_back({"sort", -2, kTransactional | kWrite | kDenyOom, 1, 1, 1, g,
               "Sorts the elements in a list, a set, or a sorted set, optionally storing the result.", cmd_sort});
  t.push_back({"sort_ro", -2, kTransactional | kReadOnly, 1, 1, 1, g,
               "Returns the sorted elements of a list, a set, or a sorted set.", cmd_sort_ro});
}

}  // namespace tmkv::server
