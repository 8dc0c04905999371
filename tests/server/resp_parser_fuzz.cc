// libFuzzer target for RespParser (built and run by scripts/fuzz-parser).
//
// Input layout: byte 0 picks the limits, byte 1 seeds how the rest is cut
// into reads; the rest is what a client sent. Each input is parsed the way
// a connection would (parse until kNeedMore, drop consumed bytes, stop at
// the first error) three ways: in one read, in reads cut at pseudo-random
// points, and (for short inputs) one byte per read. It traps when
//   - the three runs do not see the same commands, skips, error and
//     leftover bytes (the parser's answer must not depend on the reads);
//   - consumed() is 0 for a command/skip, or more than the bytes given, or
//     not 0 for kNeedMore/kError;
//   - a command has no args, or more than the limits allow (multibulk count
//     and bulk length; an inline request cannot have more words than bytes);
//   - a multibulk arg does not lie inside the bytes the command consumed;
//   - an error text is not one of Redis's.
// ASan and UBSan (-fsanitize=fuzzer,address,undefined) catch the rest; the
// parser is handed a fresh copy of the buffer at every read, so a pointer it
// kept across reads would be a use-after-free.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "server/resp_parser.h"

namespace {

using tmkv::server::ParserLimits;
using tmkv::server::ParseStatus;
using tmkv::server::RespParser;

struct Event {
  ParseStatus status;
  std::vector<std::string> args;
  size_t consumed;
  std::string text;  // kError: the error; kNeedMore (last): the leftover bytes
  bool operator==(const Event&) const = default;
};

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool known_error(const std::string& e) {
  static const char* const kErrors[] = {
      "Protocol error: invalid multibulk length",     "Protocol error: invalid bulk length",
      "Protocol error: too big inline request",       "Protocol error: too big mbulk count string",
      "Protocol error: too big bulk count string",    "Protocol error: unbalanced quotes in request",
      "Protocol error: unauthenticated multibulk length", "Protocol error: unauthenticated bulk length",
  };
  for (const char* k : kErrors) {
    if (e == k) return true;
  }
  static const std::string kExpected = "Protocol error: expected '$', got '";
  return e.size() == kExpected.size() + 2 && e.compare(0, kExpected.size(), kExpected) == 0 && e.back() == '\'' &&
         e[kExpected.size()] != '\r' && e[kExpected.size()] != '\n' && e[kExpected.size()] != '\0';
}

// cut(len_left) says how many bytes the next read brings.
template <typename Cut>
std::vector<Event> drive(std::string_view input, const ParserLimits& limits, Cut cut) {
  RespParser p(limits);
  std::vector<Event> events;
  std::string buf;
  size_t from = 0;
  while (from < input.size()) {
    size_t n = cut(input.size() - from);
    buf.append(input.substr(from, n));
    from += n;
    std::string moved(buf);  // the caller's buffer may move between reads
    buf.swap(moved);
    for (;;) {
      const bool multibulk = !buf.empty() && buf[0] == '*';
      ParseStatus st = p.parse(buf);
      if (st == ParseStatus::kNeedMore) {
        check(p.consumed() == 0);
        break;
      }
      if (st == ParseStatus::kError) {
        check(p.consumed() == 0);
        check(known_error(p.error()));
        events.push_back(Event{st, {}, 0, p.error()});
        return events;
      }
      const size_t used = p.consumed();
      check(used > 0 && used <= buf.size());
      Event e{st, {}, used, {}};
      if (st == ParseStatus::kCommand) {
        const auto& args = p.args();
        check(!args.empty());
        if (multibulk) {
          check(args.size() <= limits.max_multibulk_len);
          check(limits.authenticated || args.size() <= 10);
          for (auto a : args) {
            check(a.size() <= limits.max_bulk_len);
            check(limits.authenticated || a.size() <= 16384);
            check(a.data() >= buf.data() && a.data() + a.size() <= buf.data() + used);
          }
        } else {
          check(args.size() <= used);
          check(used <= limits.max_inline_len + 1);
        }
        for (auto a : args) e.args.emplace_back(a);
      } else {
        check(p.args().empty());
      }
      events.push_back(std::move(e));
      buf.erase(0, used);
    }
  }
  events.push_back(Event{ParseStatus::kNeedMore, {}, 0, buf});
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t config = data[0];
  uint32_t seed = data[1] | 1u;
  std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);

  ParserLimits limits;
  limits.authenticated = (config & 1) == 0;
  if (config & 2) {
    // Small limits, so the "too big" and "invalid length" paths are reached
    // with short inputs.
    limits.max_inline_len = 16 + (config >> 4);
    limits.max_bulk_len = 8 + (config >> 4);
    limits.max_multibulk_len = 4;
  } else if (config & 4) {
    limits.max_inline_len = 64;
  }

  auto whole = drive(input, limits, [](size_t left) { return left; });
  auto split = drive(input, limits, [&](size_t left) {
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    size_t n = 1 + seed % ((config & 8) ? 7 : 40);
    return n < left ? n : left;
  });
  check(split == whole);
  if (input.size() <= 2048) {
    check(drive(input, limits, [](size_t) { return size_t{1}; }) == whole);
  }
  return 0;
}
