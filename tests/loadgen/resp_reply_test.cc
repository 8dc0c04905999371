// The client-side RESP reply parser: every reply type, nesting (EXEC of
// MGET), replies split at every byte, and malformed input.
#include "loadgen/resp_reply.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "loadgen/resp_encode.h"

using namespace tmkv::loadgen;

namespace {
// The parsed nodes point into the text, so the text lives with them (on
// the heap: moving a Parsed must not move the bytes).
struct Parsed {
  std::unique_ptr<std::string> text;
  ReplyParser::Status status;
  size_t consumed = 0;
  std::vector<ReplyNode> nodes;
};
Parsed parse(const std::string& s) {
  Parsed p;
  p.text = std::make_unique<std::string>(s);
  ReplyParser parser;
  p.status = parser.parse(p.text->data(), p.text->size(), p.nodes, p.consumed);
  return p;
}
}  // namespace

TEST(RespReply, ScalarTypes) {
  auto p = parse("+OK\r\n");
  ASSERT_EQ(p.status, ReplyParser::Status::kOk);
  EXPECT_EQ(p.consumed, 5u);
  EXPECT_EQ(Reply(p.nodes.data()).str(), "OK");
  p = parse("-ERR wrong\r\n");
  EXPECT_TRUE(Reply(p.nodes.data()).is_error());
  EXPECT_EQ(Reply(p.nodes.data()).str(), "ERR wrong");
  p = parse(":-42\r\n");
  int64_t v = 0;
  EXPECT_TRUE(Reply(p.nodes.data()).as_int(v));
  EXPECT_EQ(v, -42);
  p = parse("$5\r\nhe\r\no\r\n");  // binary-safe: CRLF inside
  ASSERT_EQ(p.status, ReplyParser::Status::kOk);
  EXPECT_EQ(Reply(p.nodes.data()).str(), std::string("he\r\no"));
  p = parse("$-1\r\n");
  EXPECT_TRUE(Reply(p.nodes.data()).is_null());
  p = parse("*-1\r\n");
  EXPECT_EQ(Reply(p.nodes.data()).type(), ReplyType::kNullArray);
  p = parse("$3\r\n123\r\n");
  EXPECT_TRUE(Reply(p.nodes.data()).as_int(v));
  EXPECT_EQ(v, 123);
}

TEST(RespReply, NestedArraysAndSiblingWalk) {
  // EXEC replying [OK, [1, nil, "x"], 7]
  const std::string s = "*3\r\n+OK\r\n*3\r\n$1\r\n1\r\n$-1\r\n$1\r\nx\r\n:7\r\n";
  auto p = parse(s);
  ASSERT_EQ(p.status, ReplyParser::Status::kOk);
  EXPECT_EQ(p.consumed, s.size());
  Reply r(p.nodes.data());
  ASSERT_TRUE(r.is_array());
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].str(), "OK");
  EXPECT_EQ(r[1].size(), 3u);
  EXPECT_TRUE(r[1][1].is_null());
  EXPECT_EQ(r[1][2].str(), "x");
  EXPECT_EQ(r[2].integer(), 7);
  EXPECT_EQ(r.first().next().next().integer(), 7);
  EXPECT_FALSE(r.contains_error());
  EXPECT_EQ(r.describe(), "[+OK, [\"1\", (nil), \"x\"], :7]");
  auto e = parse("*2\r\n:1\r\n-ERR x\r\n");
  EXPECT_TRUE(Reply(e.nodes.data()).contains_error());
}

TEST(RespReply, EveryPrefixIsIncompleteAndLeavesNoNodes) {
  const std::string s = "*2\r\n$5\r\nhello\r\n*2\r\n:1\r\n+OK\r\n";
  for (size_t cut = 0; cut < s.size(); ++cut) {
    std::vector<ReplyNode> nodes;
    size_t consumed = 0;
    ReplyParser parser;
    EXPECT_EQ(parser.parse(s.data(), cut, nodes, consumed), ReplyParser::Status::kIncomplete) << cut;
    EXPECT_TRUE(nodes.empty()) << cut;
  }
}

TEST(RespReply, MalformedInputIsAProtocolError) {
  for (std::string bad : {"?x\r\n", ":12a\r\n", "$abc\r\n", "$3\r\nabcd\r\n", "*-2\r\n", "+OK\rX"}) {
    auto p = parse(bad);
    EXPECT_EQ(p.status, ReplyParser::Status::kProtocolError) << bad;
  }
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "*1\r\n";
  deep += ":1\r\n";
  EXPECT_EQ(parse(deep).status, ReplyParser::Status::kProtocolError);
}

TEST(RespEncode, CommandsAreRespArraysOfBulkStrings) {
  std::string out;
  RespEncoder enc(out);
  enc.command({"SET", "k", ""});
  enc.begin(3);
  enc.arg("INCRBY");
  enc.key_arg("acct:", 12);
  enc.arg(int64_t{-5});
  EXPECT_EQ(out, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n*3\r\n$6\r\nINCRBY\r\n$7\r\nacct:12\r\n$2\r\n-5\r\n");
}
