// The small text formats loadgen reads: Prometheus exposition (for
// --metrics-url), http:// URLs, and --command templates.
#include <gtest/gtest.h>

#include <cmath>

#include "loadgen/command_template.h"
#include "loadgen/http_get.h"
#include "loadgen/prom_text.h"

using namespace tmkv::loadgen;

TEST(PromText, ParsesSamplesLabelsAndComments) {
  const std::string text =
      "# HELP tmkv_tx_commits_total committed\n"
      "# TYPE tmkv_tx_commits_total counter\n"
      "tmkv_tx_commits_total{path=\"stm\"} 10\n"
      "tmkv_tx_commits_total{path=\"htm\"} 2.5e3\n"
      "tmkv_tx_aborts_total{cause=\"lock_busy\",path=\"stm\"} 7 1700000000000\n"
      "tmkv_tx_aborts_total{path=\"stm\", cause=\"read_validation\"} 1\n"
      "process_open_fds 12\r\n"
      "weird{msg=\"a\\\"b\\\\c\"} +Inf\n"
      "\n";
  Samples s;
  std::string error;
  ASSERT_TRUE(parse_prom_text(text, s, error)) << error;
  EXPECT_EQ(s.at("tmkv_tx_commits_total{path=\"stm\"}"), 10);
  EXPECT_EQ(s.at("tmkv_tx_commits_total{path=\"htm\"}"), 2500);
  EXPECT_EQ(s.at("tmkv_tx_aborts_total{cause=\"lock_busy\",path=\"stm\"}"), 7);
  // Labels in another order name the same series.
  EXPECT_EQ(s.at("tmkv_tx_aborts_total{cause=\"read_validation\",path=\"stm\"}"), 1);
  EXPECT_EQ(s.at("process_open_fds"), 12);
  EXPECT_TRUE(std::isinf(s.at("weird{msg=\"a\"b\\c\"}")));
}

TEST(PromText, RejectsMalformedLines) {
  for (std::string bad : {"name{path=\"x} 1\n", "name 1x\n", "{a=\"b\"} 1\n", "name{a=b} 1\n", "name\n"}) {
    Samples s;
    std::string error;
    EXPECT_FALSE(parse_prom_text(bad, s, error)) << bad;
    EXPECT_NE(error.find("line 1"), std::string::npos) << error;
  }
}

TEST(PromText, CounterDeltasOfTheNamedFamiliesOnly) {
  Samples before = {{"tmkv_tx_commits_total{path=\"stm\"}", 10}, {"tmkv_tx_commits_total{path=\"htm\"}", 5},
                    {"other_total", 1}};
  Samples after = {{"tmkv_tx_commits_total{path=\"stm\"}", 25}, {"tmkv_tx_commits_total{path=\"htm\"}", 5},
                   {"tmkv_tx_aborts_total{cause=\"lock_busy\",path=\"stm\"}", 3}, {"other_total", 9}};
  auto d = counter_deltas(before, after, {"tmkv_tx_commits_total", "tmkv_tx_aborts_total"});
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].series, "tmkv_tx_aborts_total{cause=\"lock_busy\",path=\"stm\"}");
  EXPECT_EQ(d[0].delta, 3);
  EXPECT_EQ(d[1].series, "tmkv_tx_commits_total{path=\"stm\"}");
  EXPECT_EQ(d[1].delta, 15);
}

TEST(HttpUrl, Parses) {
  Url u;
  std::string error;
  ASSERT_TRUE(parse_http_url("http://127.0.0.1:9379/metrics", u, error));
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, "9379");
  EXPECT_EQ(u.path, "/metrics");
  ASSERT_TRUE(parse_http_url("http://localhost", u, error));
  EXPECT_EQ(u.port, "80");
  EXPECT_EQ(u.path, "/");
  EXPECT_FALSE(parse_http_url("https://x/metrics", u, error));
  EXPECT_FALSE(parse_http_url("http://:80/", u, error));
}

TEST(CommandTemplate, SplitsCommandsArgumentsAndPlaceholders) {
  CommandTemplate t;
  std::string error;
  ASSERT_TRUE(parse_command_template("MULTI; SET __key__ \"a b\"; INCRBY user:__key1__:n 5 ;EXEC", t, error));
  ASSERT_EQ(t.commands.size(), 4u);
  EXPECT_EQ(t.key_slots, 2);
  ASSERT_EQ(t.commands[1].size(), 3u);
  EXPECT_EQ(t.commands[1][1].parts[0].kind, TemplatePart::kKey);
  EXPECT_EQ(t.commands[1][1].parts[0].key_slot, 0);
  EXPECT_TRUE(t.commands[1][2].literal());
  EXPECT_EQ(t.commands[1][2].parts[0].text, "a b");
  const auto& arg = t.commands[2][1].parts;  // user:__key1__:n
  ASSERT_EQ(arg.size(), 3u);
  EXPECT_EQ(arg[0].text, "user:");
  EXPECT_EQ(arg[1].kind, TemplatePart::kKey);
  EXPECT_EQ(arg[1].key_slot, 1);
  EXPECT_EQ(arg[2].text, ":n");
  ASSERT_TRUE(parse_command_template("SET k __value__ __rand_int__ __other__", t, error));
  EXPECT_EQ(t.commands[0][2].parts[0].kind, TemplatePart::kValue);
  EXPECT_EQ(t.commands[0][3].parts[0].kind, TemplatePart::kRandInt);
  EXPECT_TRUE(t.commands[0][4].literal());
  EXPECT_EQ(t.key_slots, 0);
}

TEST(CommandTemplate, RejectsEmptyCommandsAndOpenQuotes) {
  CommandTemplate t;
  std::string error;
  EXPECT_FALSE(parse_command_template("", t, error));
  EXPECT_FALSE(parse_command_template("GET a;;GET b", t, error));
  EXPECT_FALSE(parse_command_template("SET a \"b", t, error));
  EXPECT_NE(error.find("unterminated"), std::string::npos);
}
