#include "server/keyspace_events.h"

#include <vector>

#include "server/client.h"
#include "server/command.h"
#include "server/server.h"
#include "server/tracking.h"
#include "store/expiry_log.h"

namespace tmkv::server {
namespace {

struct FlagChar {
  char c;
  uint32_t flag;
};
// Redis's order for the string form (keyspaceEventsFlagsToString).
constexpr FlagChar kClassChars[] = {{'g', kNotifyGeneric}, {'$', kNotifyString}, {'l', kNotifyList},
                                    {'s', kNotifySet},     {'h', kNotifyHash},   {'z', kNotifyZset},
                                    {'x', kNotifyExpired}, {'e', kNotifyEvicted}, {'t', kNotifyStream},
                                    {'d', kNotifyModule}};

std::string keyspace_channel(unsigned db, std::string_view key) {
  std::string ch = "__keyspace@" + std::to_string(db) + "__:";
  ch.append(key);
  return ch;
}

std::string keyevent_channel(unsigned db, std::string_view event) {
  std::string ch = "__keyevent@" + std::to_string(db) + "__:";
  ch.append(event);
  return ch;
}

// The index of database `db` in the server, or nullopt.
std::optional<unsigned> db_index_of(Server& server, const store::Store& db) {
  for (unsigned i = 0; i < server.database_count(); ++i) {
    if (&server.db(i) == &db) return i;
  }
  return std::nullopt;
}

}  // namespace

std::optional<uint32_t> parse_notify_flags(std::string_view s, std::string* error) {
  uint32_t flags = 0;
  for (char ch : s) {
    if (ch == 'A') {
      flags |= kNotifyAll;
    } else if (ch == 'K') {
      flags |= kNotifyKeyspace;
    } else if (ch == 'E') {
      flags |= kNotifyKeyevent;
    } else if (ch == 'm') {
      flags |= kNotifyKeyMiss;
    } else if (ch == 'n') {
      flags |= kNotifyNew;
    } else {
      bool known = false;
      for (const FlagChar& f : kClassChars) {
        if (f.c == ch) {
          flags |= f.flag;
          known = true;
        }
      }
      if (!known) {
        *error = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
        return std::nullopt;
      }
    }
  }
  return flags;
}

std::string notify_flags_text(uint32_t flags) {
  std::string out;
  if ((flags & kNotifyAll) == kNotifyAll) {
    out += 'A';
  } else {
    for (const FlagChar& f : kClassChars) {
      if (flags & f.flag) out += f.c;
    }
  }
  if (flags & kNotifyKeyspace) out += 'K';
  if (flags & kNotifyKeyevent) out += 'E';
  // Redis 7.2's form. (7.0 leaves out the n, a bug its 7.2 fixed.)
  if (flags & kNotifyKeyMiss) out += 'm';
  if (flags & kNotifyNew) out += 'n';
  return out;
}

namespace {
thread_local CommandContext* t_current_command = nullptr;
}  // namespace

ScopedCurrentCommand::ScopedCurrentCommand(CommandContext& c) : previous_(t_current_command) {
  t_current_command = &c;
}
ScopedCurrentCommand::~ScopedCurrentCommand() { t_current_command = previous_; }

void notify_key_created(void* server, const store::Store& db, std::string_view key) {
  CommandContext* c = t_current_command;
  if (c == nullptr) return;
  if (auto i = db_index_of(*static_cast<Server*>(server), db)) notify_keyspace_event(*c, kNotifyNew, "new", key, *i);
}

void notify_keyspace_event(CommandContext& c, uint32_t cls, const char* event, std::string_view key, unsigned db) {
  // Every write event is also a CLIENT TRACKING invalidation, whatever
  // notify-keyspace-events says (a key miss is a read; "new" comes with the
  // write's own event).
  if (!(cls & (kNotifyKeyMiss | kNotifyNew))) {
    tracking_note_write(c, key);
    ++c.client.changes_pending;  // one change for the save points (persistence.h, CHANGES)
  }
  const uint32_t flags = c.server.limits().notify_flags.load(std::memory_order_relaxed);
  if (!(flags & cls)) return;
  // Redis sends the keyspace message first, then the keyevent one.
  if (flags & kNotifyKeyspace) {
    c.client.pubsub_pending.push_back(
        {PendingPubSub::Op::kPublish, PubSubKind::kChannel, keyspace_channel(db, key), event});
  }
  if (flags & kNotifyKeyevent) {
    c.client.pubsub_pending.push_back(
        {PendingPubSub::Op::kPublish, PubSubKind::kChannel, keyevent_channel(db, event), std::string(key)});
  }
}

void notify_keyspace_event(CommandContext& c, uint32_t cls, const char* event, std::string_view key) {
  notify_keyspace_event(c, cls, event, key, c.client.db);
}

namespace {
// An event no command's queue carries (expired, evicted): published at once.
void publish_now(Server& server, uint32_t flags, const OutputLimit& limit, unsigned db, const char* event,
                 std::string_view key) {
  if (flags & kNotifyKeyspace) server.pubsub().publish(false, keyspace_channel(db, key), event, limit);
  if (flags & kNotifyKeyevent) server.pubsub().publish(false, keyevent_channel(db, event), key, limit);
}
}  // namespace

void publish_expired_events(Server& server) {
  thread_local std::vector<store::ExpiredKey> expired;
  store::take_expired_log(&expired);
  if (expired.empty()) return;
  if (server.tracking().active()) {
    std::vector<std::string> keys;
    for (const store::ExpiredKey& e : expired) keys.push_back(e.key);
    server.tracking().invalidate(server, 0, keys);  // no client made the change: NOLOOP spares none
  }
  const uint32_t flags = server.limits().notify_flags.load(std::memory_order_relaxed);
  const OutputLimit limit = server.limits().pubsub_output_limit();
  for (const store::ExpiredKey& e : expired) {
    if (!(flags & kNotifyExpired)) break;
    const auto db = db_index_of(server, *e.store);
    if (db) publish_now(server, flags, limit, *db, "expired", e.key);
  }
  expired.clear();
}

void publish_evicted_event(Server& server, unsigned db, std::string_view key) {
  if (server.tracking().active()) {
    const std::string k(key);
    server.tracking().invalidate(server, 0, std::span<const std::string>(&k, 1));
  }
  const uint32_t flags = server.limits().notify_flags.load(std::memory_order_relaxed);
  if (!(flags & kNotifyEvicted)) return;
  publish_now(server, flags, server.limits().pubsub_output_limit(), db, "evicted", key);
}

}  // namespace tmkv::server
