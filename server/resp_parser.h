// RespParser: turns the bytes a client sent into commands, incrementally.
//
// Accepts both request forms Redis accepts:
//   multibulk  *<n>\r\n then n times $<len>\r\n<len bytes>\r\n
//   inline     words separated by spaces/tabs, ending in \n (or \r\n), with
//              Redis's quoting rules ("..." with \n \r \t \b \a \\ \" \xHH
//              escapes, '...' with \' only); a blank line is skipped.
//
// CONTRACT WITH THE CALLER (a connection's read loop)
//   The caller keeps unconsumed input in one contiguous buffer and calls
//   parse(view of the unconsumed bytes). Outcomes:
//     kCommand   one command is complete: args() holds its arguments and
//                consumed() says how many bytes it used. The args are views
//                valid until the next parse() call and, for a multibulk
//                request (they point into the caller's buffer), until the
//                caller changes or moves those bytes; an inline request's
//                point into the parser (quotes and escapes rewrite bytes).
//                The caller drops the consumed bytes and may call again.
//     kNeedMore  the bytes end mid-command. Nothing is consumed; the caller
//                appends more input and calls again with the same start.
//                The parser remembers how far it got, so a 512 MiB bulk
//                arriving in 16 KiB reads is scanned once, not once per read.
//     kSkip      consumed() bytes were a blank inline line or a multibulk
//                with a count <= 0 (*0, *-1): nothing to run; drop them and
//                call again.
//     kError     a protocol error: error() is Redis's text, e.g.
//                "Protocol error: invalid bulk length". The caller replies
//                -ERR <error()> and closes the connection.
//   After kCommand, kSkip or kError the parser is reset for the next command.
//
// LIMITS (ParserLimits) are checked as soon as a length is read, before any
// buffering, so a hostile length never makes the caller allocate.
// max_inline_len also bounds the *<n> and $<len> header lines, as Redis's
// PROTO_INLINE_MAX_SIZE does ("too big mbulk/bulk count string").
// Unauthenticated clients get Redis's small limits: multibulk count <= 10 and
// bulk length <= 16384 ("Protocol error: unauthenticated multibulk length" /
// "... bulk length").
//
// THREADING: one parser per connection; not shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tmkv::server {

struct ParserLimits {
  size_t max_bulk_len = size_t{512} << 20;  // proto-max-bulk-len
  // Arguments per command. Redis 7.0 accepts up to INT_MAX (6.x had 1M);
  // argument storage grows with the arguments that arrive, not with <n>.
  size_t max_multibulk_len = 2147483647;
  size_t max_inline_len = 64 * 1024;        // bytes in one inline request
  bool authenticated = true;                // false: Redis's small limits
};

enum class ParseStatus : uint8_t { kNeedMore, kCommand, kSkip, kError };

class RespParser {
 public:
  explicit RespParser(ParserLimits limits = {}) : limits_(limits) {}

  ParseStatus parse(std::string_view input);

  const std::vector<std::string_view>& args() const { return args_; }
  size_t consumed() const { return consumed_; }
  const std::string& error() const { return error_; }

  // Takes effect from the next command (AUTH changes `authenticated`).
  void set_limits(const ParserLimits& limits) { limits_ = limits; }
  const ParserLimits& limits() const { return limits_; }

 private:
  // Where the command being parsed is. Offsets are from the start of the
  // input, which the caller keeps fixed across kNeedMore calls (its buffer
  // may move, so nothing here points into it).
  enum class State : uint8_t {
    kIdle,        // between commands
    kCount,       // reading the *<n> line
    kBulkHeader,  // reading a $<len> line
    kBulkData,    // waiting for <len> bytes + 2 at pos_
    kInline,      // searching for the inline request's \n
  };

  ParseStatus parse_multibulk(std::string_view input);
  ParseStatus parse_inline(std::string_view input);
  ParseStatus fail(std::string_view message);
  void reset();

  ParserLimits limits_;  // what set_limits() set
  ParserLimits active_;  // what the command being parsed uses
  std::vector<std::string_view> args_;
  size_t consumed_ = 0;
  std::string error_;

  State state_ = State::kIdle;
  size_t pos_ = 0;           // start of the current line, or of the bulk data
  size_t scanned_ = 0;       // bytes of input already searched for the line end
  int64_t remaining_ = 0;    // arguments still to read
  int64_t bulk_len_ = -1;    // length of the bulk at pos_ (kBulkData)
  std::vector<std::pair<size_t, size_t>> spans_;  // (offset, length) of args so far
  // Inline words, unescaped, back to back: escapes rewrite bytes, so inline
  // arguments cannot point into the caller's input. spans_ index into it.
  std::string inline_buf_;
};

}  // namespace tmkv::server
