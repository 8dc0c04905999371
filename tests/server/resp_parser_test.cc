// RespParser against Redis 7.0's behaviour. The expected results marked
// "redis" were taken from redis-server 7.0.15 by sending the same bytes over
// a socket (see the comment at the top of server/resp_parser.cc).
#include "server/resp_parser.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace tmkv::server {
namespace {

using namespace std::string_literals;
using Args = std::vector<std::string>;

// One outcome the caller saw (kNeedMore is not an event: it only ends a
// round of calls).
struct Event {
  ParseStatus status;
  Args args;           // kCommand
  size_t consumed;     // kCommand, kSkip
  std::string error;   // kError
  bool operator==(const Event&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Event& e) {
  static const char* names[] = {"NeedMore", "Command", "Skip", "Error"};
  os << names[static_cast<int>(e.status)] << " consumed=" << e.consumed;
  for (const auto& a : e.args) os << " [" << a << "]";
  if (!e.error.empty()) os << " error=" << e.error;
  return os;
}

Args to_args(const std::vector<std::string_view>& v) { return Args(v.begin(), v.end()); }

// What a connection's read loop sees when `input` arrives in pieces cut at
// `cuts` (increasing offsets): after each piece it parses until kNeedMore,
// dropping consumed bytes, and stops at the first error. The unparsed rest
// is the last event's `error` field of a kNeedMore event, so that "waiting
// on the same bytes" compares equal too.
std::vector<Event> drive(std::string_view input, const std::vector<size_t>& cuts,
                         ParserLimits limits = {}) {
  RespParser p(limits);
  std::vector<Event> events;
  std::string buf;
  size_t from = 0;
  auto pieces = cuts;
  pieces.push_back(input.size());
  for (size_t to : pieces) {
    buf.append(input.substr(from, to - from));
    // A caller's buffer may move between reads: give the parser a fresh copy
    // each round, so any pointer it kept would dangle (ASan would see it).
    buf.shrink_to_fit();
    std::string moved = buf;
    buf.swap(moved);
    from = to;
    for (;;) {
      ParseStatus st = p.parse(buf);
      if (st == ParseStatus::kNeedMore) {
        EXPECT_EQ(p.consumed(), 0u);
        break;
      }
      Event e{st, {}, p.consumed(), {}};
      if (st == ParseStatus::kCommand) e.args = to_args(p.args());
      if (st == ParseStatus::kError) {
        e.error = p.error();
        e.consumed = 0;
        events.push_back(e);
        return events;
      }
      EXPECT_GT(p.consumed(), 0u);
      EXPECT_LE(p.consumed(), buf.size());
      events.push_back(e);
      buf.erase(0, p.consumed());
    }
  }
  events.push_back(Event{ParseStatus::kNeedMore, {}, 0, buf});
  return events;
}

std::vector<Event> whole(std::string_view input, ParserLimits limits = {}) {
  return drive(input, {}, limits);
}

Event command(Args args, size_t consumed) {
  return Event{ParseStatus::kCommand, std::move(args), consumed, {}};
}
Event skip(size_t consumed) { return Event{ParseStatus::kSkip, {}, consumed, {}}; }
Event error(std::string text) { return Event{ParseStatus::kError, {}, 0, std::move(text)}; }
Event waiting(std::string rest) { return Event{ParseStatus::kNeedMore, {}, 0, std::move(rest)}; }

std::string bulk(std::string_view s) { return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n"; }
std::string mb(const Args& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += bulk(a);
  return out;
}

ParserLimits unauthenticated() {
  ParserLimits l;
  l.authenticated = false;
  return l;
}

// ---- multibulk ----

TEST(RespParser, MultibulkGet) {
  std::string in = mb({"GET", "key"});
  RespParser p;
  ASSERT_EQ(p.parse(in), ParseStatus::kCommand);
  EXPECT_EQ(to_args(p.args()), (Args{"GET", "key"}));
  EXPECT_EQ(p.consumed(), in.size());
  // Multibulk args point into the caller's buffer: no copy.
  EXPECT_EQ(p.args()[1].data(), in.data() + in.size() - 5);
}

TEST(RespParser, MultibulkCommandFollowedByMoreBytes) {
  std::string set = mb({"SET", "k", "v"});
  EXPECT_EQ(whole(set + "*1\r\n$4\r\nPI"),
            (std::vector<Event>{command({"SET", "k", "v"}, set.size()), waiting("*1\r\n$4\r\nPI")}));
}

TEST(RespParser, BinarySafeBulks) {
  std::string v = "a\r\nb\0c\r\n\0"s;
  std::string in = mb({"SET", "\0k\r\n"s, v}) + mb({""});
  EXPECT_EQ(whole(in), (std::vector<Event>{command({"SET", "\0k\r\n"s, v}, in.size() - 10),
                                           command({""}, 10), waiting("")}));
}

TEST(RespParser, CountZeroOrNegativeIsSkipped) {  // redis: *0, *-1, *-N, LLONG_MIN then PING answered
  for (std::string count : {"0", "-1", "-5", "-9223372036854775808"}) {
    std::string head = "*" + count + "\r\n";
    EXPECT_EQ(whole(head + mb({"PING"})),
              (std::vector<Event>{skip(head.size()), command({"PING"}, 14), waiting("")}))
        << count;
  }
}

TEST(RespParser, BytesAfterCrAndAfterBulkDataAreNotChecked) {
  // redis: "*1\r\n$4\r\nPINGxx" and "*1\rx$4\r\nPING\r\n" both answer +PONG.
  EXPECT_EQ(whole("*1\r\n$4\r\nPINGxx"), (std::vector<Event>{command({"PING"}, 14), waiting("")}));
  EXPECT_EQ(whole("*1\rx$4\rzPING\r\n"), (std::vector<Event>{command({"PING"}, 14), waiting("")}));
  // The two bytes must still arrive before the argument is complete.
  EXPECT_EQ(whole("*1\r\n$4\r\nPINGx"), (std::vector<Event>{waiting("*1\r\n$4\r\nPINGx")}));
  // And the byte after a header's \r.
  EXPECT_EQ(whole("*1\r"), (std::vector<Event>{waiting("*1\r")}));
  EXPECT_EQ(whole("*1\r\n$4\r"), (std::vector<Event>{waiting("*1\r\n$4\r")}));
}

TEST(RespParser, PipelineOfManyCommands) {
  std::string in;
  std::vector<Event> expected;
  for (int i = 0; i < 1000; ++i) {
    std::string c = i % 2 ? mb({"SET", "key:" + std::to_string(i), std::string(i % 37, 'v')})
                          : mb({"GET", "key:" + std::to_string(i)});
    in += c;
    expected.push_back(command(i % 2 ? Args{"SET", "key:" + std::to_string(i), std::string(i % 37, 'v')}
                                     : Args{"GET", "key:" + std::to_string(i)},
                               c.size()));
  }
  expected.push_back(waiting(""));
  EXPECT_EQ(whole(in), expected);
}

TEST(RespParser, ManyArguments) {
  Args args(100000, "x");
  args[0] = "MSET";
  auto events = whole(mb(args));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].args, args);
  // The parser gives back a huge command's argument slots at the next one.
  EXPECT_EQ(whole(mb(args) + mb({"GET", "k"}))[1].args, (Args{"GET", "k"}));
}

TEST(RespParser, NulBeforeHeaderCrWaits) {
  // redis: "*1\0\r\n", "*\0" and "*1\r\n\0x\r\n" get no reply at all (strchr
  // stops at the NUL), until the line passes the inline limit.
  for (std::string in : {"*1\0\r\n"s, "*\0"s, "*1\r\n\0x\r\n"s, "*1\r\n$3\0\r\nfoo\r\n"s}) {
    EXPECT_EQ(whole(in), (std::vector<Event>{waiting(in)})) << in;
  }
  ParserLimits small;
  small.max_inline_len = 16;
  EXPECT_EQ(whole("*1\0\r\n"s + std::string(11, 'x'), small),
            (std::vector<Event>{waiting("*1\0\r\n"s + std::string(11, 'x'))}));
  EXPECT_EQ(whole("*1\0\r\n"s + std::string(12, 'x'), small),
            (std::vector<Event>{error("Protocol error: too big mbulk count string")}));
  EXPECT_EQ(whole("*1\r\n$3\0\r\n"s + std::string(12, 'x'), small),
            (std::vector<Event>{error("Protocol error: too big bulk count string")}));
}

// ---- multibulk errors ----

TEST(RespParser, InvalidMultibulkLength) {
  // redis: each of these answers "invalid multibulk length" and closes.
  for (std::string count : {"", "01", "+1", "-0", " 1", "1 ", "1x", "2147483648", "99999999999999999999",
                            "-9223372036854775809", "000000000000000000001", "\n"}) {
    EXPECT_EQ(whole("*" + count + "\r\n"), (std::vector<Event>{error("Protocol error: invalid multibulk length")}))
        << count;
  }
  // INT_MAX itself is accepted (Redis 7.0; 6.x stopped at 1024*1024).
  EXPECT_EQ(whole("*2147483647\r\n"), (std::vector<Event>{waiting("*2147483647\r\n")}));
  EXPECT_EQ(whole("*1048577\r\n"), (std::vector<Event>{waiting("*1048577\r\n")}));
}

TEST(RespParser, InvalidBulkLength) {
  // redis: $-1, $01, $ and $ over proto-max-bulk-len answer "invalid bulk length".
  for (std::string len : {"-1", "01", "", "+1", "-0", "1 ", "536870913", "9223372036854775808", "3\n"}) {
    EXPECT_EQ(whole("*1\r\n$" + len + "\r\n"), (std::vector<Event>{error("Protocol error: invalid bulk length")}))
        << len;
  }
  EXPECT_EQ(whole("*1\r\n$536870912\r\n"), (std::vector<Event>{waiting("*1\r\n$536870912\r\n")}));
}

TEST(RespParser, ExpectedDollar) {
  // redis: the byte is sent raw, except \r and \n, which become spaces.
  EXPECT_EQ(whole("*1\r\nxyz\r\n"), (std::vector<Event>{error("Protocol error: expected '$', got 'x'")}));
  EXPECT_EQ(whole("*1\r\n\r\n"), (std::vector<Event>{error("Protocol error: expected '$', got ' '")}));
  EXPECT_EQ(whole("*1\r\n\n\r\n"), (std::vector<Event>{error("Protocol error: expected '$', got ' '")}));
  EXPECT_EQ(whole("*1\r\n\xffx\r\n"), (std::vector<Event>{error("Protocol error: expected '$', got '\xff'")}));
  EXPECT_EQ(whole("*2\r\n$1\r\na\r\n*1\r\n"), (std::vector<Event>{error("Protocol error: expected '$', got '*'")}));
  // Not before the whole line is there.
  EXPECT_EQ(whole("*1\r\nGET"), (std::vector<Event>{waiting("*1\r\nGET")}));
}

TEST(RespParser, ErrorAfterGoodCommandsInPipeline) {
  std::string in = mb({"PING"}) + mb({"GET", "a"}) + "*1\r\n$-1\r\n" + mb({"PING"});
  EXPECT_EQ(whole(in), (std::vector<Event>{command({"PING"}, 14), command({"GET", "a"}, 20),
                                           error("Protocol error: invalid bulk length")}));
}

TEST(RespParser, ResetAfterError) {
  RespParser p;
  ASSERT_EQ(p.parse("*1\r\n$x\r\n"), ParseStatus::kError);
  EXPECT_EQ(p.error(), "Protocol error: invalid bulk length");
  std::string in = mb({"PING"});
  ASSERT_EQ(p.parse(in), ParseStatus::kCommand);
  EXPECT_EQ(to_args(p.args()), Args{"PING"});
}

// ---- limits ----

TEST(RespParser, TooBigHeaderLines) {
  // redis: "*" + 65535 digits waits; 65536 digits (65537 bytes without \r)
  // answers "too big mbulk count string"; the same for a $ line.
  std::string digits(65535, '1');
  EXPECT_EQ(whole("*" + digits), (std::vector<Event>{waiting("*" + digits)}));
  EXPECT_EQ(whole("*" + digits + "1"), (std::vector<Event>{error("Protocol error: too big mbulk count string")}));
  std::string head = "*1\r\n";
  EXPECT_EQ(whole(head + "$" + digits), (std::vector<Event>{waiting(head + "$" + digits)}));
  EXPECT_EQ(whole(head + "$" + digits + "1"),
            (std::vector<Event>{error("Protocol error: too big bulk count string")}));
  EXPECT_EQ(whole(head + "x" + digits + "1"),
            (std::vector<Event>{error("Protocol error: too big bulk count string")}));
  // A line whose \r lies past the limit is too big even when it arrives in
  // one piece (Redis, reading 16 KiB at a time, would parse it and answer
  // "invalid multibulk length"; see resp_parser.cc).
  EXPECT_EQ(whole("*" + std::string(70000, '1') + "\r\n"),
            (std::vector<Event>{error("Protocol error: too big mbulk count string")}));
  // At the limit it is parsed (and here invalid).
  EXPECT_EQ(whole("*" + digits + "\r\n"), (std::vector<Event>{error("Protocol error: invalid multibulk length")}));
}

TEST(RespParser, BulkLimit) {
  ParserLimits l;
  l.max_bulk_len = 10;
  EXPECT_EQ(whole(mb({"0123456789"}), l), (std::vector<Event>{command({"0123456789"}, 21), waiting("")}));
  EXPECT_EQ(whole(mb({"0123456789a"}), l), (std::vector<Event>{error("Protocol error: invalid bulk length")}));
}

TEST(RespParser, MultibulkLimit) {
  ParserLimits l;
  l.max_multibulk_len = 3;
  EXPECT_EQ(whole(mb({"a", "b", "c"}), l), (std::vector<Event>{command({"a", "b", "c"}, 25), waiting("")}));
  EXPECT_EQ(whole("*4\r\n", l), (std::vector<Event>{error("Protocol error: invalid multibulk length")}));
  // Counts <= 0 are never over the limit.
  EXPECT_EQ(whole("*-4\r\n", l), (std::vector<Event>{skip(5), waiting("")}));
}

TEST(RespParser, UnauthenticatedLimits) {
  // redis with requirepass, before AUTH: *10 and $16384 wait, *11 and $16385
  // are refused; over the general limits the general error wins.
  ParserLimits u = unauthenticated();
  EXPECT_EQ(whole("*10\r\n$16384\r\n", u), (std::vector<Event>{waiting("*10\r\n$16384\r\n")}));
  EXPECT_EQ(whole("*11\r\n", u), (std::vector<Event>{error("Protocol error: unauthenticated multibulk length")}));
  EXPECT_EQ(whole("*10\r\n$16385\r\n", u), (std::vector<Event>{error("Protocol error: unauthenticated bulk length")}));
  EXPECT_EQ(whole("*2147483648\r\n", u), (std::vector<Event>{error("Protocol error: invalid multibulk length")}));
  EXPECT_EQ(whole("*1\r\n$536870913\r\n", u), (std::vector<Event>{error("Protocol error: invalid bulk length")}));
  EXPECT_EQ(whole("*1\r\n$-1\r\n", u), (std::vector<Event>{error("Protocol error: invalid bulk length")}));
  EXPECT_EQ(whole("*-5\r\n*0\r\n", u), (std::vector<Event>{skip(5), skip(4), waiting("")}));
  // Inline requests have no unauthenticated limit.
  std::string big(20000, 'a');
  EXPECT_EQ(whole("AUTH " + big + "\r\n", u), (std::vector<Event>{command({"AUTH", big}, 20007), waiting("")}));
}

TEST(RespParser, SetLimitsTakesEffectAtTheNextCommand) {
  RespParser p(unauthenticated());
  std::string first = "*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n";
  std::string in = first.substr(0, 10);
  ASSERT_EQ(p.parse(in), ParseStatus::kNeedMore);
  ParserLimits l;
  l.max_bulk_len = 1;  // would refuse "$2" if it applied mid-command
  p.set_limits(l);
  EXPECT_EQ(p.limits().max_bulk_len, 1u);
  ASSERT_EQ(p.parse(first), ParseStatus::kCommand);
  std::string next = mb({"GET", "k"});
  ASSERT_EQ(p.parse(next), ParseStatus::kError);
  EXPECT_EQ(p.error(), "Protocol error: invalid bulk length");
  // And authenticating lifts the small limits.
  RespParser q(unauthenticated());
  std::string eleven = "*11\r\n";
  ASSERT_EQ(q.parse(eleven), ParseStatus::kError);
  q.set_limits(ParserLimits{});
  EXPECT_EQ(q.parse(eleven), ParseStatus::kNeedMore);
}

// ---- inline ----

TEST(RespParser, InlineSimple) {
  EXPECT_EQ(whole("SET k v\r\nGET k\nPING"),
            (std::vector<Event>{command({"SET", "k", "v"}, 9), command({"GET", "k"}, 6), waiting("PING")}));
}

TEST(RespParser, InlineBlankLinesAreSkipped) {
  // redis: "\r\n", "   \r\n", "\n", "\r\r\n" produce no reply; "\rPING\n" is PING.
  EXPECT_EQ(whole("\r\n   \r\n\n\r\r\n\t\v\f\n\rPING\n"),
            (std::vector<Event>{skip(2), skip(5), skip(1), skip(3), skip(4), command({"PING"}, 6), waiting("")}));
}

TEST(RespParser, InlineCarriageReturns) {
  // redis: "PING\rX\n" is PING X (ECHO X answered $1 X); "PING \r\r\n" is PING.
  EXPECT_EQ(whole("PING\rX\nPING \r\r\n"),
            (std::vector<Event>{command({"PING", "X"}, 7), command({"PING"}, 8), waiting("")}));
}

TEST(RespParser, InlineNulWaits) {
  // redis: "PING\0\n" gets no reply (strchr stops at the NUL); "PING\n\0" is PING.
  EXPECT_EQ(whole("PING\0\n"s), (std::vector<Event>{waiting("PING\0\n"s)}));
  EXPECT_EQ(whole("PING\n\0"s), (std::vector<Event>{command({"PING"}, 5), waiting("\0"s)}));
  ParserLimits small;
  small.max_inline_len = 8;
  EXPECT_EQ(whole("PING\0\nxx"s, small), (std::vector<Event>{waiting("PING\0\nxx"s)}));
  EXPECT_EQ(whole("PING\0\nxxx"s, small), (std::vector<Event>{error("Protocol error: too big inline request")}));
}

struct QuoteCase {
  std::string line;
  Args args;  // empty: unbalanced quotes
};

TEST(RespParser, InlineQuotingMatchesRedis) {
  // Every case here was run as "RPUSH l <line>" against redis-server 7.0.15
  // and the list read back with LRANGE.
  const std::vector<QuoteCase> cases = {
      {"a b", {"a", "b"}},
      {R"("a\x41\x4g\n\r\t\b\a\\\"\q")", {"aAx4g\n\r\t\b\a\\\"q"}},
      {R"('a\'b\\c\n')", {R"(a'b\\c\n)"}},
      {R"(a"b c"d)", {}},
      {R"(x'y z'w)", {}},
      {R"("a"b)", {}},
      {R"('a'b)", {}},
      {R"("abc)", {}},
      {R"('abc)", {}},
      {"\"a\"\vb", {"a", "b"}},
      {"a\vb", {"a\vb"}},
      {"\va", {"a"}},
      {"a\fb", {"a\fb"}},
      {"a\rb", {"a", "b"}},
      {"\"a\rb\"", {"a\rb"}},
      {R"("")", {""}},
      {"''", {""}},
      {R"("" x)", {"", "x"}},
      {R"("a\)", {}},
      {R"("\x)", {}},
      {R"(a\x41)", {R"(a\x41)"}},
      {"\"a\"\tb", {"a", "b"}},
      {R"("\xfF")", {"\xff"}},
      {R"("\X41")", {"X41"}},
      {"\"\xff\xfe\"", {"\xff\xfe"}},
      {R"(a"b"c)", {}},
      {R"("a b""")", {}},
      {R"("a" "b")", {"a", "b"}},
      {"\t a \t b \t", {"a", "b"}},
      {R"(a"b c")", {"ab c"}},
      {R"(a'b c')", {"ab c"}},
      {R"("a\"b")", {"a\"b"}},
      {R"('a"b')", {"a\"b"}},
      {R"("a'b")", {"a'b"}},
  };
  for (const auto& c : cases) {
    std::string in = "RPUSH l " + c.line + "\r\n";
    std::vector<Event> expected;
    if (c.args.empty()) {
      expected = {error("Protocol error: unbalanced quotes in request")};
    } else {
      Args args{"RPUSH", "l"};
      args.insert(args.end(), c.args.begin(), c.args.end());
      expected = {command(args, in.size()), waiting("")};
    }
    EXPECT_EQ(whole(in), expected) << c.line;
  }
}

TEST(RespParser, InlineArgsStayValidUntilNextParse) {
  RespParser p;
  std::string in = "SET \"a b\" 'c d'\r\n";
  ASSERT_EQ(p.parse(in), ParseStatus::kCommand);
  in.assign(in.size(), 'z');  // the caller drops the bytes
  EXPECT_EQ(to_args(p.args()), (Args{"SET", "a b", "c d"}));
}

TEST(RespParser, InlineTooBig) {
  // redis: 65536 bytes without \n wait, 65537 are "too big inline request";
  // ECHO with a 65531-byte word + \n (the \n at offset 65536) is served.
  std::string word(65531, 'a');
  EXPECT_EQ(whole(std::string(65536, 'a')), (std::vector<Event>{waiting(std::string(65536, 'a'))}));
  EXPECT_EQ(whole(std::string(65537, 'a')), (std::vector<Event>{error("Protocol error: too big inline request")}));
  EXPECT_EQ(whole("ECHO " + word + "\n"), (std::vector<Event>{command({"ECHO", word}, 65537), waiting("")}));
  // \r\n: the \r counts, as it would have been buffered before the \n.
  EXPECT_EQ(whole("ECHO " + word + "\r\n"), (std::vector<Event>{error("Protocol error: too big inline request")}));
  ParserLimits l;
  l.max_inline_len = 4;
  EXPECT_EQ(whole("PING\nPING\r\n", l),
            (std::vector<Event>{command({"PING"}, 5), error("Protocol error: too big inline request")}));
}

// ---- incremental parsing ----

// Inputs whose outcome must not depend on how they are split.
struct SplitCase {
  std::string name;
  std::string input;
  ParserLimits limits;
};

std::vector<SplitCase> split_cases() {
  ParserLimits small;
  small.max_inline_len = 24;
  ParserLimits tiny_bulk;
  tiny_bulk.max_bulk_len = 5;
  std::string big(3000, 'x');
  for (size_t i = 0; i < big.size(); i += 97) big[i] = static_cast<char>(i % 3 == 0 ? '\r' : i % 3 == 1 ? '\n' : '\0');
  return {
      {"get", mb({"GET", "key"}), {}},
      {"pipeline",
       mb({"SET", "k", "v"}) + mb({"GET", "k"}) + "PING\r\n\r\n*0\r\n*-1\r\n" +
           "SET \"a b\" 'c\\'d' \"\\x41\\n\"\n" + mb({"ECHO", "a\r\n\0b"s}) + "*1\r\n$4\r\nPINGxx" +
           "*1\rx$4\r\nPING\r\n   \n" + mb({""}) + mb({"GET", "k"}).substr(0, 12),
       {}},
      {"big bulk", mb({"SET", "k", big}) + mb({"GET", "k"}) + mb({big, big}), {}},
      {"invalid bulk length", mb({"PING"}) + "*1\r\n$-1\r\n", {}},
      {"invalid multibulk length", mb({"PING"}) + "*01\r\n", {}},
      {"expected dollar", mb({"PING"}) + "*2\r\n$1\r\na\r\nxyz\r\n", {}},
      {"unbalanced quotes", "PING\nSET \"a\n", {}},
      {"quote then word", "PING\nSET \"a\"b c\n", {}},
      {"too big inline", "PING\r\n" + std::string(30, 'a') + "\r\n", small},
      {"inline at limit", "PING\r\n" + std::string(24, 'a') + "\nPING\n", small},
      {"too big mbulk count", "PING\r\n*" + std::string(30, '1') + "\r\n", small},
      {"too big bulk count", "PING\r\n*1\r\n$" + std::string(30, '1') + "\r\n", small},
      {"nul in inline", "PING\r\nGET\0 x\n"s + std::string(30, 'a'), small},
      {"nul in header", "*1\0\r\n"s + std::string(30, 'a'), small},
      {"bulk limit", mb({"12345"}) + mb({"123456"}), tiny_bulk},
      {"unauth multibulk", mb({"AUTH", "pw"}) + "*11\r\n", unauthenticated()},
      {"unauth bulk", mb({"AUTH", "pw"}) + "*1\r\n$16385\r\n", unauthenticated()},
      {"blank lines", "\n\n\r\n   \n\t\r\n", {}},
      {"incomplete", mb({"SET", "k", big}).substr(0, 2000), {}},
  };
}

TEST(RespParserIncremental, SplitAtEveryPosition) {
  for (const auto& c : split_cases()) {
    const auto expected = whole(c.input, c.limits);
    for (size_t cut = 1; cut < c.input.size(); ++cut) {
      ASSERT_EQ(drive(c.input, {cut}, c.limits), expected) << c.name << " cut at " << cut;
    }
  }
}

TEST(RespParserIncremental, OneByteAtATime) {
  for (const auto& c : split_cases()) {
    std::vector<size_t> cuts;
    for (size_t i = 1; i < c.input.size(); ++i) cuts.push_back(i);
    EXPECT_EQ(drive(c.input, cuts, c.limits), whole(c.input, c.limits)) << c.name;
  }
}

TEST(RespParserIncremental, RandomSplits) {
  std::mt19937 rng(12345);
  for (const auto& c : split_cases()) {
    const auto expected = whole(c.input, c.limits);
    for (int round = 0; round < 200; ++round) {
      std::vector<size_t> cuts;
      size_t at = 0;
      for (;;) {
        at += 1 + rng() % 64;
        if (at >= c.input.size()) break;
        cuts.push_back(at);
      }
      ASSERT_EQ(drive(c.input, cuts, c.limits), expected) << c.name << " round " << round;
    }
  }
}

// A buffer whose already-parsed bytes can be made unreadable. The parser
// promises to look at every byte of a command once at most, and at bulk data
// never (it only counts it), so protecting bytes it is done with must not
// fault; a parser that rescanned from the start would die with SIGSEGV.
// This checks the "no rescan" promise without timing anything.
class GuardedBuffer {
 public:
  // `prefix` ends exactly at a page boundary; `body` bytes follow it.
  GuardedBuffer(std::string_view prefix, size_t body) : page_(static_cast<size_t>(sysconf(_SC_PAGESIZE))) {
    head_pages_ = (prefix.size() + page_ - 1) / page_;
    len_ = (head_pages_ + (body + page_ - 1) / page_ + 1) * page_;
    void* m = mmap(nullptr, len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT_NE(m, MAP_FAILED);
    map_ = static_cast<char*>(m);
    start_ = map_ + head_pages_ * page_ - prefix.size();
    std::memcpy(start_, prefix.data(), prefix.size());
  }
  ~GuardedBuffer() { munmap(map_, len_); }
  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;

  char* start() const { return start_; }
  // Makes every whole page below `p` unreadable.
  void protect_below(const char* p) {
    char* end = map_ + static_cast<size_t>(p - map_) / page_ * page_;
    if (end > protected_end_) {
      ASSERT_EQ(mprotect(map_, static_cast<size_t>(end - map_), PROT_NONE), 0);
      protected_end_ = end;
    }
  }
  void unprotect() {
    ASSERT_EQ(mprotect(map_, len_, PROT_READ | PROT_WRITE), 0);
    protected_end_ = map_;
  }
  size_t page() const { return page_; }

 private:
  size_t page_;
  size_t head_pages_ = 0;
  size_t len_ = 0;
  char* map_ = nullptr;
  char* start_ = nullptr;
  char* protected_end_ = nullptr;
};

TEST(RespParserIncremental, BigBulkDataIsNeverRescanned) {
  // A 64 MiB SET value arriving in 64 KiB reads. Every data byte already
  // delivered is unreadable while the parser waits for the rest.
  constexpr size_t kLen = size_t{64} << 20;
  constexpr size_t kStep = size_t{64} << 10;
  const std::string head = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + std::to_string(kLen) + "\r\n";
  GuardedBuffer buf(head, kLen + 2);
  char* data = buf.start() + head.size();  // page aligned
  // Bytes a scanning parser would stop at.
  std::memset(data, '\r', kLen);
  for (size_t i = 0; i < kLen; i += 4099) data[i] = '\0';
  std::memcpy(data + kLen, "\r\n", 2);
  RespParser p;
  const size_t total = head.size() + kLen + 2;
  size_t calls = 0;
  for (size_t have = head.size(); have < total; have = std::min(total, have + kStep)) {
    ASSERT_EQ(p.parse(std::string_view(buf.start(), have)), ParseStatus::kNeedMore);
    buf.protect_below(buf.start() + have);
    ++calls;
  }
  ASSERT_EQ(p.parse(std::string_view(buf.start(), total)), ParseStatus::kCommand);
  EXPECT_EQ(calls, kLen / kStep + 1);
  EXPECT_EQ(p.consumed(), total);
  ASSERT_EQ(p.args().size(), 3u);
  EXPECT_EQ(p.args()[2].data(), data);
  EXPECT_EQ(p.args()[2].size(), kLen);
  buf.unprotect();
  EXPECT_EQ(p.args()[0], "SET");
  EXPECT_EQ(p.args()[1], "k");
}

TEST(RespParserIncremental, ManyArgumentsAreNotRescanned) {
  // 200000 one-byte arguments in 4 KiB reads: a header or argument the
  // parser has finished with two pages back is unreadable from then on.
  constexpr size_t kArgs = 200000;
  const std::string head = "*" + std::to_string(kArgs) + "\r\n";
  const std::string arg = "$1\r\nx\r\n";
  GuardedBuffer buf(head, kArgs * arg.size());
  for (size_t i = 0; i < kArgs; ++i) std::memcpy(buf.start() + head.size() + i * arg.size(), arg.data(), arg.size());
  const size_t total = head.size() + kArgs * arg.size();
  const size_t step = buf.page();
  RespParser p;
  for (size_t have = 1; have < total; have = std::min(total, have + step)) {
    ASSERT_EQ(p.parse(std::string_view(buf.start(), have)), ParseStatus::kNeedMore);
    if (have > 2 * step) buf.protect_below(buf.start() + have - 2 * step);
  }
  ASSERT_EQ(p.parse(std::string_view(buf.start(), total)), ParseStatus::kCommand);
  buf.unprotect();
  ASSERT_EQ(p.args().size(), kArgs);
  for (const auto& a : p.args()) ASSERT_EQ(a, "x");
}

TEST(RespParserIncremental, InlineLineIsNotRescanned) {
  // A 60000-byte inline request arriving a byte at a time: the search for
  // its \n never goes back over bytes it has searched. (Splitting the line
  // into words reads it once more, when the \n is there.)
  std::string line = "RPUSH l";
  while (line.size() < 60000) line += " word";
  GuardedBuffer buf("", line.size() + 1);
  std::memcpy(buf.start(), line.data(), line.size());
  buf.start()[line.size()] = '\n';
  RespParser p;
  for (size_t have = 1; have <= line.size(); ++have) {
    ASSERT_EQ(p.parse(std::string_view(buf.start(), have)), ParseStatus::kNeedMore);
    if (have > 2 * buf.page()) buf.protect_below(buf.start() + have - buf.page());
  }
  buf.unprotect();
  ASSERT_EQ(p.parse(std::string_view(buf.start(), line.size() + 1)), ParseStatus::kCommand);
  EXPECT_EQ(p.args().size(), (line.size() - 7) / 5 + 2);
  EXPECT_EQ(p.consumed(), line.size() + 1);
}

TEST(RespParserIncremental, NeedMoreConsumesNothing) {
  std::string in = mb({"SET", "key", "value"});
  RespParser p;
  for (size_t n = 1; n < in.size(); ++n) {
    ASSERT_EQ(p.parse(std::string_view(in.data(), n)), ParseStatus::kNeedMore) << n;
    EXPECT_EQ(p.consumed(), 0u);
  }
  ASSERT_EQ(p.parse(in), ParseStatus::kCommand);
  EXPECT_EQ(to_args(p.args()), (Args{"SET", "key", "value"}));
}

TEST(RespParser, EmptyInputNeedsMore) {
  RespParser p;
  EXPECT_EQ(p.parse(""), ParseStatus::kNeedMore);
  EXPECT_EQ(p.consumed(), 0u);
}

}  // namespace
}  // namespace tmkv::server
