// Pub/sub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, the
// sharded SSUBSCRIBE / SUNSUBSCRIBE / SPUBLISH of Redis 7, and PUBSUB.
//
// The client's own subscriptions (Client::pubsub) change as each command
// runs; the registry (pubsub.h) follows at once, or, inside EXEC, when the
// block commits: an EXEC block may run more than once, so it queues its
// registry changes and messages in Client::pubsub_pending and run_exec
// restores the client's sets before each attempt. A message published in a
// MULTI/EXEC block therefore goes out exactly once, after the block's
// writes are visible to everyone: a subscriber that reacts by reading a key
// sees the value the block wrote.
#include "server/cmd_pubsub.h"

#include <optional>
#include <string>
#include <vector>

#include "server/client.h"
#include "server/cmd_util.h"
#include "server/command.h"
#include "server/server.h"

namespace tmkv::server {
namespace {

constexpr const char* kSubscribeEvent[kPubSubKinds] = {"subscribe", "psubscribe", "ssubscribe"};
constexpr const char* kUnsubscribeEvent[kPubSubKinds] = {"unsubscribe", "punsubscribe", "sunsubscribe"};

const std::shared_ptr<Mailbox>& mailbox_of(Client& client) {
  if (!client.mailbox && client.open_mailbox) client.mailbox = client.open_mailbox();
  return client.mailbox;
}

void change_registry(Server& server, Client& client, PubSubKind kind, const std::string& name, bool add) {
  if (add) {
    if (const auto& m = mailbox_of(client)) server.pubsub().subscribe(kind, name, m);
  } else if (client.mailbox) {
    server.pubsub().unsubscribe(kind, name, client.mailbox.get());
  }
}

// Now, or once the EXEC block commits.
void follow_in_registry(CommandContext& c, PubSubKind kind, const std::string& name, bool add) {
  if (c.in_exec) {
    c.client.pubsub_pending.push_back(
        {add ? PendingPubSub::Op::kSubscribe : PendingPubSub::Op::kUnsubscribe, kind, name, {}});
  } else {
    change_registry(c.server, c.client, kind, name, add);
  }
}

// The count in Redis's (un)subscribe events: channels and patterns
// together; shard channels on their own.
size_t event_count(const Client& client, PubSubKind kind) {
  if (kind == PubSubKind::kShard) return client.pubsub.of(PubSubKind::kShard).size();
  return client.pubsub.of(PubSubKind::kChannel).size() + client.pubsub.of(PubSubKind::kPattern).size();
}

void reply_event(CommandContext& c, const char* event, const std::string* name, size_t count) {
  c.out.push(3);
  c.out.bulk(event);
  if (name != nullptr) {
    c.out.bulk(*name);
  } else {
    c.out.null();
  }
  c.out.integer(static_cast<int64_t>(count));
}

void subscribe(CommandContext& c, PubSubKind kind) {
  const auto k = static_cast<size_t>(kind);
  for (size_t i = 1; i < c.argc(); ++i) {
    const std::string name(c.arg(i));
    if (c.client.pubsub.of(kind).insert(name).second) follow_in_registry(c, kind, name, true);
    reply_event(c, kSubscribeEvent[k], &name, event_count(c.client, kind));
  }
  mirror_pubsub_counts(c.client);
}

void unsubscribe(CommandContext& c, PubSubKind kind) {
  const auto k = static_cast<size_t>(kind);
  std::set<std::string>& names = c.client.pubsub.of(kind);
  if (c.argc() == 1) {
    // All of them, one event each; none held: one event naming nothing.
    if (names.empty()) reply_event(c, kUnsubscribeEvent[k], nullptr, event_count(c.client, kind));
    while (!names.empty()) {
      const std::string name = *names.begin();
      names.erase(names.begin());
      follow_in_registry(c, kind, name, false);
      reply_event(c, kUnsubscribeEvent[k], &name, event_count(c.client, kind));
    }
  } else {
    for (size_t i = 1; i < c.argc(); ++i) {
      const std::string name(c.arg(i));
      if (names.erase(name) != 0) follow_in_registry(c, kind, name, false);
      reply_event(c, kUnsubscribeEvent[k], &name, event_count(c.client, kind));
    }
  }
  mirror_pubsub_counts(c.client);
}

// How many of the client's own subscriptions a message on `channel` reaches.
size_t own_receivers(const Client& client, bool shard, std::string_view channel) {
  const std::string ch(channel);
  if (shard) return client.pubsub.of(PubSubKind::kShard).count(ch);
  size_t n = client.pubsub.of(PubSubKind::kChannel).count(ch);
  for (const std::string& p : client.pubsub.of(PubSubKind::kPattern)) n += glob_match(p, channel) ? 1 : 0;
  return n;
}

void publish(CommandContext& c, bool shard) {
  if (c.in_exec) {
    // Sent once the block commits; counted now: the others' subscriptions
    // from the registry, the client's own from its sets (which this block
    // may have changed).
    const size_t n = c.server.pubsub().receivers(shard, c.arg(1), c.client.mailbox.get()) +
                     own_receivers(c.client, shard, c.arg(1));
    c.client.pubsub_pending.push_back({PendingPubSub::Op::kPublish, shard ? PubSubKind::kShard : PubSubKind::kChannel,
                                       std::string(c.arg(1)), std::string(c.arg(2))});
    c.out.integer(static_cast<int64_t>(n));
    return;
  }
  const size_t n = c.server.pubsub().publish(shard, c.arg(1), c.arg(2), c.server.limits().pubsub_output_limit());
  // A RESP3 client subscribed to its own channel gets the message before
  // the count, as Redis writes it.
  if (c.client.mailbox) c.out.raw(c.client.mailbox->take());
  c.out.integer(static_cast<int64_t>(n));
}

void cmd_subscribe(CommandContext& c) { subscribe(c, PubSubKind::kChannel); }
void cmd_psubscribe(CommandContext& c) { subscribe(c, PubSubKind::kPattern); }
void cmd_ssubscribe(CommandContext& c) {
  // Redis 7.0 refuses it inside EXEC (SUBSCRIBE and PSUBSCRIBE it allows).
  if (c.in_exec) {
    c.out.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
    return;
  }
  subscribe(c, PubSubKind::kShard);
}
void cmd_unsubscribe(CommandContext& c) { unsubscribe(c, PubSubKind::kChannel); }
void cmd_punsubscribe(CommandContext& c) { unsubscribe(c, PubSubKind::kPattern); }
void cmd_sunsubscribe(CommandContext& c) { unsubscribe(c, PubSubKind::kShard); }
void cmd_publish(CommandContext& c) { publish(c, false); }
void cmd_spublish(CommandContext& c) { publish(c, true); }

void pubsub_syntax_error(CommandContext& c) {
  c.out.error("ERR unknown subcommand or wrong number of arguments for '" + std::string(c.arg(1).substr(0, 128)) +
              "'. Try PUBSUB HELP.");
}

void cmd_pubsub(CommandContext& c) {
  const std::string sub = to_lower(c.arg(1));
  PubSub& registry = c.server.pubsub();
  if (sub == "channels" || sub == "shardchannels") {
    if (c.argc() > 3) return pubsub_syntax_error(c);
    std::optional<std::string_view> pattern;
    if (c.argc() == 3) pattern = c.arg(2);
    const std::vector<std::string> names = registry.channels(sub == "shardchannels", pattern);
    c.out.array(names.size());
    for (const std::string& n : names) c.out.bulk(n);
  } else if (sub == "numsub" || sub == "shardnumsub") {
    c.out.array(2 * (c.argc() - 2));
    for (size_t i = 2; i < c.argc(); ++i) {
      c.out.bulk(c.arg(i));
      c.out.integer(static_cast<int64_t>(registry.subscribers(sub == "shardnumsub", c.arg(i))));
    }
  } else if (sub == "numpat") {
    c.out.integer(static_cast<int64_t>(registry.count(PubSubKind::kPattern)));
  } else {
    static const char* kHelp[] = {
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help."};
    reply_help(c.out, kHelp);
  }
}

constexpr SubcommandArity kPubSubSubcommands[] = {
    {"channels", -2}, {"numpat", 2}, {"numsub", -2}, {"shardchannels", -2}, {"shardnumsub", -2}, {"help", 2}};

}  // namespace

void apply_pending_pubsub(Server& server, Client& client) {
  std::vector<PendingPubSub> pending = std::move(client.pubsub_pending);
  client.pubsub_pending.clear();
  for (const PendingPubSub& p : pending) {
    switch (p.op) {
      case PendingPubSub::Op::kSubscribe: change_registry(server, client, p.kind, p.name, true); break;
      case PendingPubSub::Op::kUnsubscribe: change_registry(server, client, p.kind, p.name, false); break;
      case PendingPubSub::Op::kPublish:
        server.pubsub().publish(p.kind == PubSubKind::kShard, p.name, p.message, server.limits().pubsub_output_limit());
        break;
    }
  }
}

void unsubscribe_all_silently(Server& server, Client& client) {
  for (size_t k = 0; k < kPubSubKinds; ++k) {
    for (const std::string& name : client.pubsub.names[k]) {
      change_registry(server, client, static_cast<PubSubKind>(k), name, false);
    }
    client.pubsub.names[k].clear();
  }
  client.pubsub_pending.clear();
  mirror_pubsub_counts(client);
}

void mirror_pubsub_counts(Client& client) {
  for (size_t k = 0; k < kPubSubKinds; ++k) {
    client.shown_pubsub[k].store(client.pubsub.names[k].size(), std::memory_order_relaxed);
  }
}

void register_pubsub_commands(std::vector<CommandSpec>& t) {
  // kSubscribedContext: what a RESP2 client may still send while subscribed.
  const uint32_t S = kSubscribedContext | kPubSub;
  t.push_back({"subscribe", -2, S, 0, 0, 0, "pubsub", "Listens for messages published to channels.", cmd_subscribe});
  t.push_back({"unsubscribe", -1, S, 0, 0, 0, "pubsub", "Stops listening to messages posted to channels.", cmd_unsubscribe});
  t.push_back({"psubscribe", -2, S, 0, 0, 0, "pubsub", "Listens for messages published to channels that match one or more patterns.", cmd_psubscribe});
  t.push_back({"punsubscribe", -1, S, 0, 0, 0, "pubsub", "Stops listening to messages published to channels that match one or more patterns.", cmd_punsubscribe});
  t.push_back({"ssubscribe", -2, S, 1, -1, 1, "pubsub", "Listens for messages published to shard channels.", cmd_ssubscribe});
  t.push_back({"sunsubscribe", -1, S, 1, -1, 1, "pubsub", "Stops listening to messages posted to shard channels.", cmd_sunsubscribe});
  t.push_back({"publish", 3, kPubSub | kFast, 0, 0, 0, "pubsub", "Posts a message to a channel.", cmd_publish});
  t.push_back({"spublish", 3, kPubSub | kFast, 1, 1, 1, "pubsub", "Post a message to a shard channel", cmd_spublish});
  t.push_back({"pubsub", -2, 0, 0, 0, 0, "pubsub", "A container for Pub/Sub commands.", cmd_pubsub, kPubSubSubcommands});
}

}  // namespace tmkv::server
