// Keyspace notifications (Redis's notify-keyspace-events): after a write
// commits, messages on __keyspace@<db>__:<key> (the event's name) and
// __keyevent@<db>__:<event> (the key), through the pub/sub registry.
//
// A handler calls notify_keyspace_event as its write succeeds; the event
// waits in the client's pending pub/sub effects with the attempt's other
// effects (run_transactional and run_exec clear them before each attempt)
// and is published once the transaction commits, so a subscriber never
// hears of a write that did not happen and hears of each write once. Keys
// that expire are logged by the store (store/expiry_log.h) from whichever
// transaction deleted them and published as "expired" after it committed.
//
// Classes as in Redis: g generic, $ string, x expired, e evicted (the
// maxmemory policies' deletes, eviction.h), l s h z t for lists, sets,
// hashes, sorted sets and streams, d for modules, which tmkv does not have
// (accepted: it can never fire), A for all of those; m key misses (a
// read's lookup of an absent key, where keyspace_misses counts one, but
// OBJECT's) and n new keys (a write that creates its key: the store tells,
// store.h observe_creations), both outside A as in Redis; K and E pick the
// channels.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tmkv::store {
class Store;
}

namespace tmkv::server {

class Server;
struct CommandContext;

enum NotifyFlags : uint32_t {
  kNotifyKeyspace = 1u << 0,  // K
  kNotifyKeyevent = 1u << 1,  // E
  kNotifyGeneric = 1u << 2,   // g
  kNotifyString = 1u << 3,    // $
  kNotifyList = 1u << 4,      // l
  kNotifySet = 1u << 5,       // s
  kNotifyHash = 1u << 6,      // h
  kNotifyZset = 1u << 7,      // z
  kNotifyExpired = 1u << 8,   // x
  kNotifyEvicted = 1u << 9,   // e
  kNotifyStream = 1u << 10,   // t
  kNotifyModule = 1u << 11,   // d
  kNotifyKeyMiss = 1u << 12,  // m
  kNotifyNew = 1u << 13,      // n
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash | kNotifyZset |
               kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,  // A
};

// Redis's flag string to flags; nullopt with *error for a bad one.
std::optional<uint32_t> parse_notify_flags(std::string_view s, std::string* error);
// Flags to the string CONFIG GET shows (Redis's normal form).
std::string notify_flags_text(uint32_t flags);

// A handler's successful write of `key` in database `db`.
void notify_keyspace_event(CommandContext& c, uint32_t cls, const char* event, std::string_view key, unsigned db);
// The same in the client's selected database.
void notify_keyspace_event(CommandContext& c, uint32_t cls, const char* event, std::string_view key);

// The command running on this thread, for the store's "new key" observer
// (which has no context of its own): set by the dispatcher around each
// command's execution (inside EXEC, each queued command's), cleared after.
class ScopedCurrentCommand {
 public:
  explicit ScopedCurrentCommand(CommandContext& c);
  ~ScopedCurrentCommand();
  ScopedCurrentCommand(const ScopedCurrentCommand&) = delete;
  ScopedCurrentCommand& operator=(const ScopedCurrentCommand&) = delete;

 private:
  CommandContext* previous_;
};

// The store's CreateObserver (store.h): a "new" event for `key` in the
// current command, if one runs on this thread. `server` is the Server.
void notify_key_created(void* server, const store::Store& db, std::string_view key);

// After a transaction committed on this thread: publishes the "expired"
// events of the keys it deleted (store/expiry_log.h), and forgets those of
// aborted attempts.
void publish_expired_events(Server& server);

// After the eviction of `key` from database `db` committed (eviction.h):
// its "evicted" event (class e), published at once.
void publish_evicted_event(Server& server, unsigned db, std::string_view key);

}  // namespace tmkv::server
