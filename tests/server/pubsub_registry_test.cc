// Pub/sub's building blocks without the network: the Mailbox (wake-ups,
// hard and soft output limits) and the PubSub registry (who receives what,
// Redis's counts and encodings), then the registry under concurrent
// publishing and (un)subscribing, where its locks matter (and what TSan
// checks in that build). tests/server/pubsub_test.py checks the commands
// against redis-server.
#include <gtest/gtest.h>

#include <asio.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/mailbox.h"
#include "server/pubsub.h"

namespace tmkv::server {
namespace {

size_t count_of(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

class Inbox {
 public:
  explicit Inbox(asio::io_context& io)
      : mailbox_(std::make_shared<Mailbox>(io.get_executor(), [this] { wakes_.fetch_add(1); })) {}
  const std::shared_ptr<Mailbox>& mailbox() const { return mailbox_; }
  int wakes() const { return wakes_.load(); }

 private:
  std::shared_ptr<Mailbox> mailbox_;
  std::atomic<int> wakes_{0};
};

const OutputLimit kNoLimit{};

TEST(Mailbox, OneWakeUpUntilTaken) {
  asio::io_context io;
  Inbox in(io);
  EXPECT_TRUE(in.mailbox()->push("a", kNoLimit));
  EXPECT_TRUE(in.mailbox()->push("b", kNoLimit));
  io.poll();
  EXPECT_EQ(in.wakes(), 1);
  EXPECT_EQ(in.mailbox()->take(), "ab");
  EXPECT_TRUE(in.mailbox()->push("c", kNoLimit));
  io.restart();
  io.poll();
  EXPECT_EQ(in.wakes(), 2);
  EXPECT_EQ(in.mailbox()->take(), "c");
  EXPECT_EQ(in.mailbox()->take(), "");
}

TEST(Mailbox, HardLimitOverflowsAndDropsEverything) {
  asio::io_context io;
  Inbox in(io);
  const OutputLimit limit{10, 0, 0};
  EXPECT_TRUE(in.mailbox()->push("12345", limit));
  EXPECT_TRUE(in.mailbox()->push("67890", limit));  // exactly 10: still within
  EXPECT_FALSE(in.mailbox()->overflowed());
  EXPECT_FALSE(in.mailbox()->push("x", limit));
  EXPECT_TRUE(in.mailbox()->overflowed());
  EXPECT_EQ(in.mailbox()->take(), "");           // what it held is dropped
  EXPECT_FALSE(in.mailbox()->push("y", kNoLimit));  // and it takes nothing more
  io.poll();
  EXPECT_GE(in.wakes(), 1);  // the owner is told, to close the connection
}

TEST(Mailbox, SoftLimitNeedsItsSeconds) {
  asio::io_context io;
  Inbox in(io);
  const OutputLimit limit{0, 4, 1};
  EXPECT_TRUE(in.mailbox()->push("12345", limit));  // over soft: the clock starts
  EXPECT_TRUE(in.mailbox()->push("6", limit));
  EXPECT_EQ(in.mailbox()->take(), "123456");  // drained: the clock stops
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_TRUE(in.mailbox()->push("12345", limit));  // over again: a new second starts
  EXPECT_FALSE(in.mailbox()->overflowed());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_FALSE(in.mailbox()->push("6", limit));
  EXPECT_TRUE(in.mailbox()->overflowed());
}

TEST(PubSubRegistry, CountsAndEncodesAsRedis) {
  asio::io_context io;
  Inbox a(io), b(io), c(io);
  b.mailbox()->set_resp3(true);
  PubSub ps;
  EXPECT_TRUE(ps.subscribe(PubSubKind::kChannel, "news", a.mailbox()));
  EXPECT_FALSE(ps.subscribe(PubSubKind::kChannel, "news", a.mailbox()));
  EXPECT_TRUE(ps.subscribe(PubSubKind::kPattern, "n*", a.mailbox()));
  EXPECT_TRUE(ps.subscribe(PubSubKind::kPattern, "n?ws", b.mailbox()));
  EXPECT_TRUE(ps.subscribe(PubSubKind::kShard, "news", c.mailbox()));

  // One per channel subscription and one per matching pattern, a client
  // matching twice counted twice; shard channels apart.
  EXPECT_EQ(ps.receivers(false, "news", nullptr), 3u);
  EXPECT_EQ(ps.receivers(false, "news", a.mailbox().get()), 1u);
  EXPECT_EQ(ps.publish(false, "news", "hi", kNoLimit), 3u);
  EXPECT_EQ(a.mailbox()->take(),
            "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n"
            "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
  EXPECT_EQ(b.mailbox()->take(), ">4\r\n$8\r\npmessage\r\n$4\r\nn?ws\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
  EXPECT_EQ(c.mailbox()->take(), "");
  EXPECT_EQ(ps.publish(true, "news", "s", kNoLimit), 1u);
  EXPECT_EQ(c.mailbox()->take(), "*3\r\n$8\r\nsmessage\r\n$4\r\nnews\r\n$1\r\ns\r\n");
  EXPECT_EQ(ps.publish(false, "other", "x", kNoLimit), 0u);
  EXPECT_EQ(ps.publish(false, "nx", "x", kNoLimit), 1u);  // n* only

  EXPECT_EQ(ps.count(PubSubKind::kChannel), 1u);
  EXPECT_EQ(ps.count(PubSubKind::kPattern), 2u);
  EXPECT_EQ(ps.count(PubSubKind::kShard), 1u);
  EXPECT_EQ(ps.subscribers(false, "news"), 1u);
  EXPECT_EQ(ps.subscribers(true, "news"), 1u);
  EXPECT_EQ(ps.channels(false, std::nullopt), std::vector<std::string>{"news"});
  EXPECT_TRUE(ps.channels(false, std::string_view("x*")).empty());

  EXPECT_TRUE(ps.unsubscribe(PubSubKind::kChannel, "news", a.mailbox().get()));
  EXPECT_FALSE(ps.unsubscribe(PubSubKind::kChannel, "news", a.mailbox().get()));
  EXPECT_EQ(ps.count(PubSubKind::kChannel), 0u);  // a channel without subscribers is gone
  EXPECT_EQ(ps.subscribers(false, "news"), 0u);
}

// Two publishers on one channel while a third thread keeps subscribing and
// unsubscribing a second mailbox: every message reaches the steady
// subscriber exactly once, and what PUBLISH counted is exactly what was
// delivered, whichever way each race went.
TEST(PubSubRegistry, ConcurrentPublishAndChurn) {
  asio::io_context io;
  Inbox steady(io), churn(io);
  PubSub ps;
  ps.subscribe(PubSubKind::kChannel, "c", steady.mailbox());
  constexpr int kPerPublisher = 5000;
  std::atomic<size_t> counted{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> publishers;
  for (int p = 0; p < 2; ++p) {
    publishers.emplace_back([&] {
      size_t n = 0;
      for (int i = 0; i < kPerPublisher; ++i) n += ps.publish(false, "c", "m", kNoLimit);
      counted.fetch_add(n);
    });
  }
  std::thread churner([&] {
    while (!done.load()) {
      ps.subscribe(PubSubKind::kChannel, "c", churn.mailbox());
      ps.subscribe(PubSubKind::kPattern, "*", churn.mailbox());
      ps.unsubscribe(PubSubKind::kChannel, "c", churn.mailbox().get());
      ps.unsubscribe(PubSubKind::kPattern, "*", churn.mailbox().get());
    }
  });
  // The owner side drains meanwhile, as a connection would.
  std::string got_steady, got_churn;
  for (int spins = 0; spins < 1000; ++spins) {
    got_steady += steady.mailbox()->take();
    got_churn += churn.mailbox()->take();
    std::this_thread::yield();
  }
  for (auto& t : publishers) t.join();
  done.store(true);
  churner.join();
  got_steady += steady.mailbox()->take();
  got_churn += churn.mailbox()->take();
  const size_t steady_n = count_of(got_steady, "$7\r\nmessage\r\n");
  const size_t churn_n = count_of(got_churn, "$7\r\nmessage\r\n") + count_of(got_churn, "$8\r\npmessage\r\n");
  EXPECT_EQ(steady_n, 2u * kPerPublisher);
  EXPECT_EQ(counted.load(), steady_n + churn_n);
  EXPECT_EQ(ps.count(PubSubKind::kPattern), 0u);
  EXPECT_EQ(ps.subscribers(false, "c"), 1u);
}

}  // namespace
}  // namespace tmkv::server
