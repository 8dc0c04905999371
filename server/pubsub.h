// PubSub: the server's channel registry for PUBLISH / SUBSCRIBE /
// PSUBSCRIBE and Redis 7's sharded SPUBLISH / SSUBSCRIBE.
//
// Each subscription maps a channel (or a glob pattern, or a shard channel)
// to the subscribing connections' mailboxes (mailbox.h). PUBLISH looks the
// channel up, encodes the message once per protocol (RESP2 array, RESP3
// push) and pushes it into each subscriber's mailbox; the subscriber's own
// thread writes it out. Patterns are matched one by one on every PUBLISH,
// as Redis does.
//
// Which client holds which subscriptions is the client's own state
// (Client::pubsub, owner thread); this registry is the reverse index that
// publishers read. Only the owner thread of a mailbox subscribes or
// unsubscribes it.
//
// CONCURRENCY. mu_ is a reader-writer lock: PUBLISH and the PUBSUB
// introspection take it shared, so publishers on different threads do not
// serialize; SUBSCRIBE and UNSUBSCRIBE take it exclusive. Publishers push
// while holding it shared, so a mailbox that unsubscribe() returned from
// gets nothing more. Lock order: mu_, then a mailbox's own mutex (a mailbox
// never calls back into the registry).
//
// Pub/sub is outside the transactional keyspace: messages are not stored,
// and a subscriber that is not connected misses them, as in Redis.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/mailbox.h"

namespace tmkv::server {

enum class PubSubKind : uint8_t { kChannel = 0, kPattern = 1, kShard = 2 };
inline constexpr size_t kPubSubKinds = 3;

class PubSub {
 public:
  // The mailbox's owner thread. True if it was not subscribed yet.
  bool subscribe(PubSubKind kind, std::string_view name, const std::shared_ptr<Mailbox>& mailbox);
  // The mailbox's owner thread. True if it was subscribed.
  bool unsubscribe(PubSubKind kind, std::string_view name, const Mailbox* mailbox);

  // PUBLISH (shard = false: the channel's subscribers and every matching
  // pattern's, each pattern match counting as one more receiver, as Redis
  // counts) or SPUBLISH (shard = true: the shard channel's subscribers).
  // Returns the number of deliveries; a mailbox over its limit refuses the
  // message and is counted all the same (Redis counts a client it is about
  // to disconnect too).
  size_t publish(bool shard, std::string_view channel, std::string_view message, const OutputLimit& limit);
  // What publish() would return now, leaving out one mailbox (the caller's,
  // whose subscriptions it counts itself).
  size_t receivers(bool shard, std::string_view channel, const Mailbox* except) const;

  // PUBSUB CHANNELS / SHARDCHANNELS: channels with at least one subscriber,
  // optionally only those matching a glob pattern.
  std::vector<std::string> channels(bool shard, std::optional<std::string_view> pattern) const;
  // PUBSUB NUMSUB / SHARDNUMSUB: subscribers of one channel.
  size_t subscribers(bool shard, std::string_view channel) const;
  // Distinct channels / patterns / shard channels with a subscriber (PUBSUB
  // NUMPAT, INFO's pubsub_channels, pubsub_patterns, pubsub_shardchannels).
  size_t count(PubSubKind kind) const;

 private:
  using Subscribers = std::vector<std::shared_ptr<Mailbox>>;
  using Table = std::unordered_map<std::string, Subscribers>;
  const Table& table(PubSubKind kind) const { return tables_[static_cast<size_t>(kind)]; }
  // The one receiving rule of publish() and receivers(): calls
  // fn(pattern, subscribers) for the channel's own subscribers (pattern
  // nullptr), then, unless shard, for each pattern matching it. mu_ held.
  template <class Fn>
  void for_each_receiving(bool shard, std::string_view channel, Fn&& fn) const;
  Table& table(PubSubKind kind) { return tables_[static_cast<size_t>(kind)]; }

  mutable std::shared_mutex mu_;
  std::array<Table, kPubSubKinds> tables_;  // guarded by mu_
};

}  // namespace tmkv::server
