// collect_pipeline_keys: which keys of a pipelined batch get prefetched
// (server/pipeline_prefetch.h). The scan must find the key arguments the
// command table declares, stop at anything it does not fully understand,
// and never read past a request that has not fully arrived.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "server/pipeline_prefetch.h"

namespace tmkv::server {
namespace {

std::string Encode(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

std::vector<std::string> Keys(const std::vector<std::string_view>& views) { return {views.begin(), views.end()}; }

TEST(PipelinePrefetch, FindsTheKeysOfEachCommandByTheTable) {
  const std::string in = Encode({"GET", "a"}) + Encode({"set", "b", "v"}) + Encode({"MSET", "c", "1", "d", "2"}) +
                         Encode({"MGET", "e", "f", "g"}) + Encode({"PING"}) + Encode({"del", "h", "i"});
  std::vector<std::string_view> keys;
  const PipelineKeys r = collect_pipeline_keys(in, 16, 64, &keys);
  EXPECT_EQ(r.commands, 6u);
  EXPECT_EQ(r.bytes, in.size());
  EXPECT_EQ(Keys(keys), (std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g", "h", "i"}));
}

TEST(PipelinePrefetch, StopsBeforeAnIncompleteRequest) {
  const std::string first = Encode({"GET", "a"});
  const std::string second = Encode({"GET", "bb"});
  for (size_t cut = 0; cut < second.size(); ++cut) {
    const std::string in = first + second.substr(0, cut);
    std::vector<std::string_view> keys;
    const PipelineKeys r = collect_pipeline_keys(in, 16, 64, &keys);
    EXPECT_EQ(r.commands, 1u) << "cut at " << cut;
    EXPECT_EQ(r.bytes, first.size()) << "cut at " << cut;
    EXPECT_EQ(Keys(keys), std::vector<std::string>{"a"}) << "cut at " << cut;
  }
}

TEST(PipelinePrefetch, StopsAtInlineOrMalformedInput) {
  for (const std::string tail : {"GET x\r\n", "*2\r\n$3\r\nGET\r\n$x\r\n", "*-1\r\n", "*0\r\n", "$3\r\nGET\r\n",
                                 "*2\r\n$3\r\nGET\r\n$1\r\nab\r\n"}) {
    const std::string in = Encode({"GET", "a"}) + tail + Encode({"GET", "b"});
    std::vector<std::string_view> keys;
    const PipelineKeys r = collect_pipeline_keys(in, 16, 64, &keys);
    EXPECT_EQ(r.commands, 1u) << tail;
    EXPECT_EQ(Keys(keys), std::vector<std::string>{"a"}) << tail;
  }
}

TEST(PipelinePrefetch, CountsButSkipsCommandsWithoutKeys) {
  const std::string in = Encode({"NOSUCHCOMMAND", "x"}) + Encode({"CLIENT", "SETNAME", "n"}) + Encode({"GET", "k"});
  std::vector<std::string_view> keys;
  const PipelineKeys r = collect_pipeline_keys(in, 16, 64, &keys);
  EXPECT_EQ(r.commands, 3u);
  EXPECT_EQ(Keys(keys), std::vector<std::string>{"k"});
}

TEST(PipelinePrefetch, RespectsTheCommandAndKeyBounds) {
  std::string in;
  for (int i = 0; i < 10; ++i) in += Encode({"GET", "k" + std::to_string(i)});
  std::vector<std::string_view> keys;
  PipelineKeys r = collect_pipeline_keys(in, 4, 64, &keys);
  EXPECT_EQ(r.commands, 4u);
  EXPECT_EQ(keys.size(), 4u);
  EXPECT_EQ(r.bytes, 4 * Encode({"GET", "k0"}).size());

  keys.clear();
  const std::string multi = Encode({"MGET", "a", "b", "c", "d"}) + Encode({"GET", "e"});  // outlives the views
  r = collect_pipeline_keys(multi, 16, 3, &keys);
  EXPECT_EQ(Keys(keys), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(r.commands, 1u) << "no further request once the key budget is spent";
}

TEST(PipelinePrefetch, BinarySafeKeys) {
  const std::string key("a\r\n\0b", 5);
  const std::string in = Encode({"GET", key}) + Encode({"GET", "z"});
  std::vector<std::string_view> keys;
  collect_pipeline_keys(in, 16, 64, &keys);
  EXPECT_EQ(Keys(keys), (std::vector<std::string>{key, "z"}));
}

}  // namespace
}  // namespace tmkv::server
