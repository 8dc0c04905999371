#include "server/cmd_util.h"

#include "server/client.h"
#include "server/command_keys.h"
#include "server/keyspace_events.h"
#include "server/server.h"
#include "store/store.h"

#include <sys/random.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <limits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <unordered_set>
#include <vector>

#include "store/int_codec.h"

namespace tmkv::server {

const store::Blob* lookup_for_read(CommandContext& c, std::string_view key, bool notify_miss) {
  const store::Blob* b = c.db().lookup(*c.tx, key);
  c.tx->tally(b != nullptr ? store::kTallyKeyspaceHits : store::kTallyKeyspaceMisses);
  if (b == nullptr && notify_miss) notify_keyspace_event(c, kNotifyKeyMiss, "keymiss", key);
  return b;
}

bool lookup_string_or_reply(CommandContext& c, std::string_view key, const store::Blob** blob, bool for_read) {
  *blob = for_read ? lookup_for_read(c, key) : c.db().lookup(*c.tx, key);
  if (*blob != nullptr && (*blob)->type() != store::ValueType::kString) {
    c.out.error(kWrongTypeError);
    return false;
  }
  return true;
}

bool trie_at(CommandContext& c, std::string_view key, store::ValueType type, bool for_read, store::Hash* h,
             const store::Blob** blob) {
  const store::Blob* b = for_read ? lookup_for_read(c, key) : c.db().lookup(*c.tx, key);
  if (blob != nullptr) *blob = b;
  if (b == nullptr) return true;
  if (b->type() != type) {
    c.out.error(kWrongTypeError);
    return false;
  }
  *h = store::Hash::from_body(b->view());
  return true;
}

bool store_trie(CommandContext& c, std::string_view key, store::ValueType type, const store::Hash& h,
                const store::Blob* old) {
  if (h.empty()) {
    c.db().del(*c.tx, key);
    return true;
  }
  const store::OpStatus s = c.db().put(*c.tx, key, type, h.body_bytes(), old != nullptr ? old->expire_at_ms() : 0);
  if (s != store::OpStatus::kOk) {
    reply_status(c.out, s);
    return false;
  }
  return true;
}

void erase_from_trie(CommandContext& c, store::ValueType type, uint32_t notify_class, const char* event) {
  store::Hash h;
  const store::Blob* old;
  if (!trie_at(c, c.arg(1), type, false, &h, &old)) return;
  int64_t removed = 0;
  for (size_t i = 2; i < c.argc() && !h.empty(); ++i) removed += h.erase(c.arg(i)) ? 1 : 0;
  if (removed > 0) {
    if (!store_trie(c, c.arg(1), type, h, old)) return;
    notify_keyspace_event(c, notify_class, event, c.arg(1));
    if (h.empty()) notify_keyspace_event(c, kNotifyGeneric, "del", c.arg(1));
  }
  c.out.integer(removed);
}

void wake_waiters_on_written_keys(CommandContext& c, const CommandSpec& spec) {
  if (!(spec.flags & kWrite) || c.client.block_request || c.server.blocking().blocked() == 0) return;
  std::vector<size_t> positions;
  if (find_command_keys(spec, c.args, &positions) != KeysFound::kKeys) return;
  for (size_t i : positions) blocking_key_ready(c, c.arg(i), c.client.db);
}

void blocking_key_ready(CommandContext& c, std::string_view key, unsigned db) {
  c.client.ready_keys.emplace_back(db, std::string(key));
}

bool CollectionScan::matches(std::string_view s) const {
  return !pattern || *pattern == "*" || glob_match(*pattern, s);
}

bool begin_collection_scan(CommandContext& c, store::ValueType type, CollectionScan* scan) {
  if (!parse_cursor_or_reply(c.out, c.arg(2), &scan->cursor)) return false;
  const store::Blob* b;
  if (!trie_at(c, c.arg(1), type, true, &scan->value, &b)) return false;
  if (b == nullptr) {
    c.out.array(2);
    c.out.bulk("0");
    c.out.array(0);
    return false;
  }
  return parse_scan_options_or_reply(c, scan);
}

bool parse_scan_options_or_reply(CommandContext& c, CollectionScan* scan) {
  for (size_t i = 3; i < c.argc(); i += 2) {
    if (i + 1 >= c.argc()) {
      c.out.syntax_error();
      return false;
    }
    if (equals_ci(c.arg(i), "count")) {
      int64_t count;
      if (!get_ll_or_reply(c.out, c.arg(i + 1), &count)) return false;
      if (count < 1) {
        c.out.syntax_error();
        return false;
      }
      scan->count = static_cast<size_t>(std::min<int64_t>(count, 1 << 20));
    } else if (equals_ci(c.arg(i), "match")) {
      scan->pattern = c.arg(i + 1);
    } else {
      c.out.syntax_error();
      return false;
    }
  }
  return true;
}

std::mt19937_64& random_engine() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

bool random_hex(size_t digits, std::string* out) {
  std::string bytes((digits + 1) / 2, '\0');  // one byte gives two digits
  size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    got += static_cast<size_t>(n);
  }
  static const char kHex[] = "0123456789abcdef";
  out->clear();
  for (size_t i = 0; i < digits; ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i / 2]);
    out->push_back(kHex[(i % 2 == 0 ? byte >> 4 : byte) & 15]);
  }
  return true;
}

void reply_random_header(CommandContext& c, uint64_t n, bool with_pairs) {
  c.out.array(with_pairs && !c.out.resp3() ? n * 2 : n);
}

std::vector<uint64_t> distinct_positions(uint64_t n, uint64_t size) {
  if (n * 3 > size) {
    std::vector<uint64_t> all(size);
    for (uint64_t i = 0; i < size; ++i) all[i] = i;
    std::shuffle(all.begin(), all.end(), random_engine());
    all.resize(n);
    return all;
  }
  std::vector<uint64_t> chosen;
  std::unordered_set<uint64_t> seen;
  std::uniform_int_distribution<uint64_t> pick(0, size - 1);
  while (chosen.size() < n) {
    const uint64_t i = pick(random_engine());
    if (seen.insert(i).second) chosen.push_back(i);
  }
  return chosen;
}

bool parse_cursor_or_reply(Reply& out, std::string_view s, uint64_t* cursor) {
  // Redis's parseScanCursorOrReply is strtoul's grammar: an optional sign
  // ("-1" is 2^64 - 1), no leading space, nothing after the digits, no
  // overflow; "" is cursor 0.
  const std::string text(s);
  bool ok = text.find('\0') == std::string::npos && (text.empty() || !std::isspace(static_cast<unsigned char>(text[0])));
  if (ok) {
    char* end = nullptr;
    errno = 0;
    *cursor = std::strtoull(text.c_str(), &end, 10);
    ok = *end == '\0' && errno != ERANGE;
  }
  if (!ok) out.error("ERR invalid cursor");
  return ok;
}

std::optional<int64_t> parse_ll(std::string_view s) { return store::parse_int64(s); }

bool get_ll_or_reply(Reply& out, std::string_view s, int64_t* v) {
  auto p = parse_ll(s);
  if (!p) {
    out.error("ERR value is not an integer or out of range");
    return false;
  }
  *v = *p;
  return true;
}

bool get_int_or_reply(Reply& out, std::string_view s, int64_t* v) {
  if (!get_ll_or_reply(out, s, v)) return false;
  if (*v < INT32_MIN || *v > INT32_MAX) {
    out.error("ERR value is out of range, value must between -2147483648 and 2147483647");
    return false;
  }
  return true;
}

bool get_db_index_or_reply(CommandContext& c, std::string_view arg, unsigned* db) {
  int64_t d;
  if (!get_int_or_reply(c.out, arg, &d)) return false;
  if (d < 0 || d >= static_cast<int64_t>(c.server.database_count())) {
    c.out.error("ERR DB index is out of range");
    return false;
  }
  *db = static_cast<unsigned>(d);
  return true;
}

void reply_help(Reply& out, std::span<const char* const> lines) {
  out.array(lines.size());
  for (const char* line : lines) out.simple(line);
}

std::optional<long double> parse_ld(std::string_view s) {
  if (s.empty() || s.size() >= 5 * 1024) return std::nullopt;
  std::string buf(s);
  if (std::isspace(static_cast<unsigned char>(buf[0]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long double v = std::strtold(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size()) return std::nullopt;
  if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || std::fpclassify(v) == FP_ZERO)) return std::nullopt;
  if (std::isnan(v)) return std::nullopt;
  return v;
}

std::string format_ld(long double v) {
  // Redis ld2string(LD_STR_HUMAN): %.17Lf, then drop trailing zeros and a
  // trailing dot; "-0" becomes "0".
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[5 * 1024 + 64];
  int len = std::snprintf(buf, sizeof buf, "%.17Lf", v);
  if (len <= 0 || static_cast<size_t>(len) >= sizeof buf) return "0";
  std::string s(buf, static_cast<size_t>(len));
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

bool parse_expire_or_reply(Reply& out, std::string_view value, int64_t unit_ms, bool absolute, int64_t now_ms,
                           std::string_view command, int64_t* at_ms) {
  int64_t v;
  if (!get_ll_or_reply(out, value, &v)) return false;
  auto invalid = [&] {
    out.error("ERR invalid expire time in '" + std::string(command) + "' command");
    return false;
  };
  if (v <= 0 || (unit_ms == 1000 && v > INT64_MAX / 1000)) return invalid();
  int64_t ms = v * unit_ms;
  if (!absolute) {
    if (ms > INT64_MAX - now_ms) return invalid();
    ms += now_ms;
  }
  *at_ms = ms;
  return true;
}

// A direct port of the algorithm of Redis's stringmatchlen (glob with *, ?,
// [...] classes with ranges and ^, and \ escapes), written for string_view.
static bool match_impl(const char* p, size_t plen, const char* s, size_t slen, bool nocase, int depth) {
  if (depth > 1000) return false;  // Redis caps recursion too
  auto eq = [nocase](char a, char b) {
    return nocase ? std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b))
                  : a == b;
  };
  while (plen > 0 && slen > 0) {
    switch (p[0]) {
      case '*':
        while (plen > 1 && p[1] == '*') {
          ++p;
          --plen;
        }
        if (plen == 1) return true;
        while (slen > 0) {
          if (match_impl(p + 1, plen - 1, s, slen, nocase, depth + 1)) return true;
          ++s;
          --slen;
        }
        return false;
      case '?':
        ++s;
        --slen;
        break;
      case '[': {
        ++p;
        --plen;
        bool negate = plen > 0 && p[0] == '^';
        if (negate) {
          ++p;
          --plen;
        }
        bool match = false;
        for (;;) {
          if (plen == 0) {
            // Unterminated class: Redis treats the end as closing it.
            break;
          }
          if (p[0] == '\\' && plen >= 2) {
            ++p;
            --plen;
            if (eq(p[0], s[0])) match = true;
          } else if (p[0] == ']') {
            break;
          } else if (plen >= 3 && p[1] == '-') {
            int start = static_cast<unsigned char>(p[0]);
            int end = static_cast<unsigned char>(p[2]);
            int c = static_cast<unsigned char>(s[0]);
            if (start > end) std::swap(start, end);
            if (nocase) {
              start = std::tolower(start);
              end = std::tolower(end);
              c = std::tolower(c);
            }
            p += 2;
            plen -= 2;
            if (c >= start && c <= end) match = true;
          } else if (eq(p[0], s[0])) {
            match = true;
          }
          ++p;
          --plen;
        }
        if (plen == 0) {
          // Redis: "[" reaching the end of the pattern leaves p at the end.
          --p;
          ++plen;
        }
        if (negate) match = !match;
        if (!match) return false;
        ++s;
        --slen;
        break;
      }
      case '\\':
        if (plen >= 2) {
          ++p;
          --plen;
        }
        [[fallthrough]];
      default:
        if (!eq(p[0], s[0])) return false;
        ++s;
        --slen;
        break;
    }
    ++p;
    --plen;
    if (slen == 0) {
      while (plen > 0 && *p == '*') {
        ++p;
        --plen;
      }
      break;
    }
  }
  return plen == 0 && slen == 0;
}

bool glob_match(std::string_view pattern, std::string_view s, bool nocase) {
  return match_impl(pattern.data(), pattern.size(), s.data(), s.size(), nocase, 0);
}

// Redis's getRangeLongFromObjectOrReply: an integer in [lo, hi], else
// `message` (or Redis's own texts when there is none).
bool get_range_or_reply(CommandContext& c, std::string_view arg, int64_t lo, int64_t hi, const char* message,
                        int64_t* v) {
  const auto n = parse_ll(arg);
  if (!n) {
    c.out.error(message ? std::string("ERR ") + message : "ERR value is not an integer or out of range");
    return false;
  }
  if (*n < lo || *n > hi) {
    c.out.error(message ? std::string("ERR ") + message
                        : "ERR value is out of range, must be between " + std::to_string(lo) + " and " +
                              std::to_string(hi));
    return false;
  }
  *v = *n;
  return true;
}

// Redis 7.0's getTimeoutFromObjectOrReply in seconds (fractions allowed):
// the timeout in milliseconds, rounded up; 0 waits for ever. 7.0 has no
// "out of range" check (7.2 added one): a value past the 64-bit range
// converts, on x86, to the most negative integer ("negative"), and one
// whose deadline would overflow the clock waits, in effect, for ever, as
// here.
bool parse_timeout_or_reply(CommandContext& c, std::string_view arg, int64_t* ms) {
  const auto v = parse_ld(arg);
  if (!v) {
    c.out.error("ERR timeout is not a float or out of range");
    return false;
  }
  const long double t = std::ceil(*v * 1000.0L);
  constexpr auto kMax = static_cast<long double>(std::numeric_limits<int64_t>::max());
  if (t < 0 || t >= kMax) {
    c.out.error("ERR timeout is negative");
    return false;
  }
  *ms = block_timeout_ms(static_cast<int64_t>(t));
  return true;
}

bool parse_ms_timeout_or_reply(CommandContext& c, std::string_view arg, int64_t* ms) {
  const auto timeout = parse_ll(arg);
  if (!timeout) {
    c.out.error("ERR timeout is not an integer or out of range");
    return false;
  }
  if (*timeout < 0) {
    c.out.error("ERR timeout is negative");
    return false;
  }
  *ms = *timeout;
  return true;
}

int64_t block_timeout_ms(int64_t ms) {
  constexpr int64_t kForever = int64_t{100} * 365 * 24 * 3600 * 1000;  // past this, the timer's own arithmetic overflows
  return ms > kForever ? 0 : ms;
}

bool parse_multi_pop_or_reply(CommandContext& c, size_t numkeys_at, size_t timeout_at,
                              const std::function<bool(std::string_view)>& parse_where, MultiPopArgs* out) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t numkeys;
  if (!get_range_or_reply(c, c.arg(numkeys_at), 1, kMax, "numkeys should be greater than 0", &numkeys)) return false;
  // Capped: a huge numkeys only has to point past the arguments.
  const size_t where_at =
      numkeys_at + 1 + static_cast<size_t>(std::min<int64_t>(numkeys, static_cast<int64_t>(c.argc())));
  if (where_at >= c.argc()) {
    c.out.syntax_error();
    return false;
  }
  if (!parse_where(c.arg(where_at))) return false;
  int64_t count = -1;
  for (size_t j = where_at + 1; j < c.argc(); ++j) {
    if (count == -1 && equals_ci(c.arg(j), "count") && j + 1 < c.argc()) {
      if (!get_range_or_reply(c, c.arg(++j), 1, kMax, "count should be greater than 0", &count)) return false;
    } else {
      c.out.syntax_error();
      return false;
    }
  }
  out->count = count == -1 ? 1 : count;
  if (timeout_at != 0 && !parse_timeout_or_reply(c, c.arg(timeout_at), &out->timeout_ms)) return false;
  out->keys = c.args.subspan(numkeys_at + 1, where_at - numkeys_at - 1);
  return true;
}

// Nothing to pop: inside EXEC or a script, the null reply at once (Redis
// does not block there, whatever the timeout); otherwise ask to block.
void block_or_reply_null(CommandContext& c, std::vector<std::string> keys, int64_t timeout_ms, bool null_array) {
  if (c.in_exec) {
    if (null_array) {
      c.out.null_array();
    } else {
      c.out.null();
    }
    return;
  }
  Client::BlockRequest req;
  req.keys = std::move(keys);
  req.timeout_ms = timeout_ms;
  c.client.block_request = std::move(req);
}

// isspace() in the C locale: what sdssplitargs skips between words.
static bool is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f'; }

bool split_redis_args(std::string_view s, std::vector<std::string>* out) {
  size_t i = 0;
  while (true) {
    while (i < s.size() && is_space(s[i])) ++i;
    if (i == s.size()) return true;
    std::string cur;
    bool in_dq = false, in_sq = false;
    while (true) {
      if (in_dq) {
        if (i == s.size()) return false;
        if (s[i] == '\\' && i + 1 < s.size()) {
          const char n = s[i + 1];
          cur += n == 'n' ? '\n' : n == 'r' ? '\r' : n == 't' ? '\t' : n == 'b' ? '\b' : n == 'a' ? '\a' : n;
          i += 2;
        } else if (s[i] == '"') {
          if (i + 1 < s.size() && !is_space(s[i + 1])) return false;
          ++i;
          break;
        } else {
          cur += s[i++];
        }
      } else if (in_sq) {
        if (i == s.size()) return false;
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '\'') {
          cur += '\'';
          i += 2;
        } else if (s[i] == '\'') {
          if (i + 1 < s.size() && !is_space(s[i + 1])) return false;
          ++i;
          break;
        } else {
          cur += s[i++];
        }
      } else {
        if (i == s.size() || is_space(s[i])) break;
        if (s[i] == '"') {
          in_dq = true;
        } else if (s[i] == '\'') {
          in_sq = true;
        } else {
          cur += s[i];
        }
        ++i;
      }
    }
    out->push_back(std::move(cur));
  }
}

}  // namespace tmkv::server
