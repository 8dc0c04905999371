// RespParser: Redis 7.0's request parsing (src/networking.c
// processMultibulkBuffer, processInlineBuffer; src/sds.c sdssplitargs;
// src/util.c string2ll), made incremental.
//
// REDIS BEHAVIOURS KEPT ON PURPOSE (each checked against redis-server 7.0.15
// with raw bytes over a socket; tests/server/resp_parser_test.cc has them)
//   - Line ends are found the way Redis's strchr() finds them: a NUL byte
//     ends the search with nothing found. So a NUL before the \r of a *<n>
//     or $<len> line, or before the \n of an inline request, leaves the
//     request waiting for more input until the line exceeds the inline limit
//     ("PING\0\n" gets no reply; "*1\0\r\n" neither). Bulk data is binary
//     safe: it is never searched.
//   - The byte after the \r of a header line and the two bytes after bulk
//     data are skipped unread: "*1\rx$4\r\nPINGxx" is PING.
//   - Numbers follow string2ll: optional '-', no '+', no leading zeros, no
//     "-0", at most 20 characters. *<n> may be any value <= the multibulk
//     limit (Redis: INT_MAX); n <= 0 is an empty request (skipped). $<len>
//     must be 0..max_bulk_len.
//   - The limit checks come in Redis's order: invalid length first, then
//     the unauthenticated limits (so an unauthenticated *2147483648 is
//     "invalid multibulk length", *11 is "unauthenticated multibulk length").
//   - "expected '$', got 'c'" sends the byte raw, except \r and \n, which
//     Redis's addReplyErrorFormat turns into spaces.
//   - Inline: a line is split by sdssplitargs after dropping one \r before
//     the \n. Blanks between words are isspace() (space \t \n \v \f \r);
//     an unquoted word ends only at space, \t, \r (\v and \f stay in it);
//     quotes may start mid-word (a"b c" is "ab c"); a closing quote must be
//     followed by a blank or the end of line, else "unbalanced quotes".
//
// ONE DELIBERATE DIFFERENCE: line length limits do not depend on how the
// bytes were split into reads. Redis checks "no line end yet and more than
// 64 KiB buffered" after each read of up to 16 KiB, so a line whose end lies
// a little past 64 KiB is accepted when it arrives in one burst (we measured
// a 70000-byte inline ECHO being served, and *<70000 digits>\r\n answered
// "invalid multibulk length") but rejected when it trickles in. Here a line
// whose end lies more than the limit past its start is always "too big":
// Redis's answer when the line arrives slowly, and the same answer however
// the input is split, which the fuzz target checks.
//
// INCREMENTAL PARSING: state_/pos_/scanned_ say where the last call stopped.
// A line end is searched for only in bytes not searched before, and bulk
// data is only counted, never read, so a command costs O(its bytes) however
// many calls it takes.
#include "server/resp_parser.h"

#include <algorithm>
#include <cassert>
#include <climits>
#include <cstring>

namespace tmkv::server {
namespace {

// Redis's limits for clients that have not authenticated yet (networking.c).
constexpr int64_t kUnauthMaxMultibulk = 10;
constexpr int64_t kUnauthMaxBulk = 16384;

// Argument slots kept between commands; a connection that once sent a huge
// command gives the memory back at its next command.
constexpr size_t kKeepArgSlots = 4096;

constexpr size_t kNotFound = static_cast<size_t>(-1);

// Finds `term` in in[*scanned, in.size()) as Redis's strchr() would from
// the line start: a NUL byte before it means "not found" for good, so
// *scanned stops at the NUL and later calls find it again at once.
// Otherwise *scanned moves to the end of the bytes searched, so no byte is
// searched twice. Returns term's index or kNotFound.
inline size_t find_line_end(std::string_view in, size_t* scanned, char term) {
  // Header lines are a few bytes ("$3\r"): a plain loop beats two memchr
  // calls there. Long lines (inline requests) go to memchr.
  const size_t short_end = std::min(in.size(), *scanned + 24);
  for (size_t i = *scanned; i < short_end; ++i) {
    if (in[i] == term) {
      *scanned = i;
      return i;
    }
    if (in[i] == '\0') {
      *scanned = i;
      return kNotFound;
    }
  }
  *scanned = short_end;
  size_t n = in.size() - *scanned;
  if (n == 0) return kNotFound;
  const char* begin = in.data() + *scanned;
  const void* hit = std::memchr(begin, term, n);
  size_t len = hit ? static_cast<size_t>(static_cast<const char*>(hit) - begin) : n;
  if (const void* nul = std::memchr(begin, '\0', len)) {
    *scanned += static_cast<size_t>(static_cast<const char*>(nul) - begin);
    return kNotFound;
  }
  *scanned += len;
  return hit ? *scanned : kNotFound;
}

// Redis's string2ll (util.c): the whole of s must be a decimal long long
// with no sign but an optional '-', no leading zeros and no "-0".
bool string2ll(const char* s, size_t len, int64_t* value) {
  if (len == 0 || len >= 21) return false;  // 21: Redis's LONG_STR_SIZE
  if (len == 1 && s[0] == '0') {
    *value = 0;
    return true;
  }
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    if (++i == len) return false;
  }
  if (s[i] < '1' || s[i] > '9') return false;
  uint64_t v = static_cast<uint64_t>(s[i++] - '0');
  for (; i < len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (negative) {
    if (v > uint64_t{1} << 63) return false;
    *value = static_cast<int64_t>(0 - v);  // two's complement; covers INT64_MIN
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *value = static_cast<int64_t>(v);
  }
  return true;
}

// isspace() in the C locale, which is what sdssplitargs skips between words.
inline bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

inline bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

inline int hex_value(char c) {
  if (c <= '9') return c - '0';
  if (c <= 'F') return c - 'A' + 10;
  return c - 'a' + 10;
}

// sdssplitargs over `line` (which holds no NUL: find_line_end stops at one),
// writing the unescaped words back to back from `out` (room for
// line.size() bytes: no word is longer than its source) and their
// (offset, length) to *spans. Returns false on unbalanced quotes. at(i) is 0
// past the end, as the C string sdssplitargs walks would be.
bool split_args(std::string_view line, char* out, std::vector<std::pair<size_t, size_t>>* spans) {
  const size_t n = line.size();
  auto at = [&](size_t i) -> char { return i < n ? line[i] : '\0'; };
  char* const base = out;
  size_t p = 0;
  for (;;) {
    while (p < n && is_blank(line[p])) ++p;
    if (p == n) return true;
    const size_t start = static_cast<size_t>(out - base);
    bool in_dq = false;  // inside "..."
    bool in_sq = false;  // inside '...'
    for (bool done = false; !done;) {
      const char c = at(p);
      if (in_dq) {
        if (c == '\\' && at(p + 1) == 'x' && is_hex(at(p + 2)) && is_hex(at(p + 3))) {
          *out++ = static_cast<char>(hex_value(at(p + 2)) * 16 + hex_value(at(p + 3)));
          p += 3;
        } else if (c == '\\' && at(p + 1) != '\0') {
          ++p;
          switch (line[p]) {
            case 'n': *out++ = '\n'; break;
            case 'r': *out++ = '\r'; break;
            case 't': *out++ = '\t'; break;
            case 'b': *out++ = '\b'; break;
            case 'a': *out++ = '\a'; break;
            default: *out++ = line[p]; break;
          }
        } else if (c == '"') {
          // The closing quote must be followed by a blank or the end.
          if (at(p + 1) != '\0' && !is_blank(at(p + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;  // unterminated quotes
        } else {
          *out++ = c;
        }
      } else if (in_sq) {
        if (c == '\\' && at(p + 1) == '\'') {
          ++p;
          *out++ = '\'';
        } else if (c == '\'') {
          if (at(p + 1) != '\0' && !is_blank(at(p + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          *out++ = c;
        }
      } else {
        switch (c) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0': done = true; break;
          case '"': in_dq = true; break;
          case '\'': in_sq = true; break;
          default: *out++ = c; break;
        }
      }
      if (p < n) ++p;
    }
    spans->emplace_back(start, static_cast<size_t>(out - base) - start);
  }
}

}  // namespace

ParseStatus RespParser::parse(std::string_view input) {
  consumed_ = 0;
  if (state_ == State::kIdle) {
    if (input.empty()) return ParseStatus::kNeedMore;
    // A new command: the previous one's args are dead now.
    args_.clear();
    if (spans_.capacity() > kKeepArgSlots) {
      spans_ = {};
      args_ = {};
    }
    active_ = limits_;
    pos_ = 0;
    scanned_ = 0;
    state_ = input[0] == '*' ? State::kCount : State::kInline;
  }
  assert(input.size() >= scanned_ && input.size() >= pos_);
  return state_ == State::kInline ? parse_inline(input) : parse_multibulk(input);
}

ParseStatus RespParser::parse_multibulk(std::string_view input) {
  if (state_ == State::kCount) {
    size_t cr = find_line_end(input, &scanned_, '\r');
    // pos_ is 0 here: the line starts the input.
    if (cr == kNotFound ? input.size() > active_.max_inline_len : cr > active_.max_inline_len) {
      return fail("Protocol error: too big mbulk count string");
    }
    if (cr == kNotFound || cr + 1 >= input.size()) return ParseStatus::kNeedMore;
    int64_t n;
    if (!string2ll(input.data() + 1, cr - 1, &n) ||
        (n > 0 && static_cast<uint64_t>(n) > active_.max_multibulk_len)) {
      return fail("Protocol error: invalid multibulk length");
    }
    if (n > kUnauthMaxMultibulk && !active_.authenticated) {
      return fail("Protocol error: unauthenticated multibulk length");
    }
    if (n <= 0) {
      consumed_ = cr + 2;
      reset();
      return ParseStatus::kSkip;
    }
    // Nothing is reserved for n arguments: spans_ grows as they arrive, so
    // a hostile *2147483647 costs nothing until its arguments come (Redis
    // likewise allocates argv for at most 1024 up front).
    remaining_ = n;
    pos_ = scanned_ = cr + 2;
    state_ = State::kBulkHeader;
  }

  for (;;) {
    if (state_ == State::kBulkHeader) {
      size_t cr = find_line_end(input, &scanned_, '\r');
      if (cr == kNotFound ? input.size() - pos_ > active_.max_inline_len
                          : cr - pos_ > active_.max_inline_len) {
        return fail("Protocol error: too big bulk count string");
      }
      if (cr == kNotFound || cr + 1 >= input.size()) return ParseStatus::kNeedMore;
      if (input[pos_] != '$') {
        // addReplyErrorFormat maps \r and \n to spaces; other bytes go raw.
        // (A NUL cannot be here: find_line_end stops at one.)
        char got = input[pos_];
        if (got == '\r' || got == '\n') got = ' ';
        std::string msg = "Protocol error: expected '$', got '";
        msg += got;
        msg += '\'';
        return fail(msg);
      }
      int64_t len;
      if (!string2ll(input.data() + pos_ + 1, cr - pos_ - 1, &len) || len < 0 ||
          static_cast<uint64_t>(len) > active_.max_bulk_len) {
        return fail("Protocol error: invalid bulk length");
      }
      if (len > kUnauthMaxBulk && !active_.authenticated) {
        return fail("Protocol error: unauthenticated bulk length");
      }
      bulk_len_ = len;
      pos_ = cr + 2;
      state_ = State::kBulkData;
    }
    // kBulkData: the data and the two bytes after it (not checked, as in
    // Redis) must all be here. Only counted, so a big bulk arriving in many
    // reads costs O(1) per call.
    if (input.size() - pos_ < static_cast<uint64_t>(bulk_len_) + 2) return ParseStatus::kNeedMore;
    spans_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ += static_cast<size_t>(bulk_len_) + 2;
    scanned_ = pos_;
    if (--remaining_ == 0) break;
    state_ = State::kBulkHeader;
  }

  // args_ was cleared when the command began and keeps its capacity.
  for (const auto& [offset, len] : spans_) args_.emplace_back(input.data() + offset, len);
  consumed_ = pos_;
  reset();
  return ParseStatus::kCommand;
}

ParseStatus RespParser::parse_inline(std::string_view input) {
  size_t nl = find_line_end(input, &scanned_, '\n');
  // The line starts the input; see the file comment on why the limit is on
  // where the \n lies rather than on what has been buffered.
  if (nl == kNotFound ? input.size() > active_.max_inline_len : nl > active_.max_inline_len) {
    return fail("Protocol error: too big inline request");
  }
  if (nl == kNotFound) return ParseStatus::kNeedMore;
  size_t line_len = nl > 0 && input[nl - 1] == '\r' ? nl - 1 : nl;
  // Grown, never shrunk: at most max_inline_len bytes, and a byte-by-byte
  // push_back would cost more than the split itself.
  if (inline_buf_.size() < line_len) inline_buf_.resize(line_len);
  spans_.clear();
  if (!split_args(input.substr(0, line_len), inline_buf_.data(), &spans_)) {
    return fail("Protocol error: unbalanced quotes in request");
  }
  consumed_ = nl + 1;
  if (spans_.empty()) {
    reset();
    return ParseStatus::kSkip;
  }
  // inline_buf_ is complete, so views into it stay valid until the next call.
  for (const auto& [offset, len] : spans_) args_.emplace_back(inline_buf_.data() + offset, len);
  reset();
  return ParseStatus::kCommand;
}

ParseStatus RespParser::fail(std::string_view message) {
  error_.assign(message);
  consumed_ = 0;
  args_.clear();
  reset();
  return ParseStatus::kError;
}

void RespParser::reset() {
  state_ = State::kIdle;
  pos_ = 0;
  scanned_ = 0;
  remaining_ = 0;
  bulk_len_ = -1;
  spans_.clear();
}

}  // namespace tmkv::server
