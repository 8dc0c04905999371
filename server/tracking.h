// Tracking: Redis's client-side caching (CLIENT TRACKING), server side.
//
// DEFAULT MODE. The keys each read-only command of a tracking client reads
// are remembered in a server-wide table (key name -> client ids; one table
// for every database, as Redis keeps it). When a remembered key is
// modified, each remembered client is sent one invalidation and forgotten
// for that key. BCAST MODE. A client registers prefixes instead (none: the
// empty prefix, every key); each modified key that matches one is sent to
// it, batched per committed command (Redis batches per event-loop turn).
//
// WHEN. Writes are told after their transaction commits, through the same
// per-attempt queue as keyspace events (Client::tracking_pending, cleared
// with pubsub_pending before every attempt): an aborted attempt tells
// nothing and a committed one tells each key once. Reads of a top-level
// read-only command are remembered before its transaction runs (so a
// writer that commits after the read finds the reader in the table);
// reads inside EXEC and scripts are queued in order with the writes and
// replayed after the commit, so a block that writes and then reads a key
// keeps it remembered, and one that reads and then writes it invalidates
// it, as in Redis.
//
// DELIVERY. A RESP3 client gets `>2 invalidate [keys]` in its own mailbox
// (mailbox.h: the owner thread writes it out). With REDIRECT the message
// goes to the target's mailbox instead: a push if the target speaks RESP3,
// a pub/sub message on __redis__:invalidate if it speaks RESP2 and has a
// subscription, nothing otherwise; a target that is gone marks the redirect
// broken and sends `tracking-redir-broken` to a RESP3 tracking client.
//
// CONCURRENCY. Every I/O thread reads and writes here.
//   clients_mu_ (reader-writer) guards clients_ and prefixes_: the tracking
//     clients' records and the BCAST prefix table. Written by a client's own
//     thread (CLIENT TRACKING ON/OFF, disconnect); read shared by every
//     writer that sends invalidations. A record (TrackingClient) is
//     immutable once published, but for broken_redirect.
//   shards_[i].mu guards shard i of the key table. Lock order: clients_mu_
//     (shared) before a shard's mutex; a mailbox's own mutex after either.
//   keys_, items_ count the table's keys and (key, client) pairs; updated
//     under the shard lock that changed them, read by INFO and the limit
//     check: relaxed, standalone statistics (the limit check tolerates a
//     count a moment old: it only decides whether to evict a little more).
//   tracking_clients_ is written under clients_mu_ (exclusive) and read
//     without it by every writer deciding whether to queue its keys at all:
//     seq_cst, so that a writer that sees a client counted also sees the
//     records published before the count, and for the quiescence handshake
//     of NO MISSED WRITE below.
//
// NO MISSED WRITE. A reader is remembered before its read can see a value:
// a top-level read before its transaction runs, a read inside EXEC or a
// script as its command runs in the attempt (an attempt that aborts leaves
// at worst a spurious entry). A writer takes the key's entry after its
// commit, so it finds every reader that saw the old value. A writer queues
// its keys only while some client tracks (active()); CLIENT TRACKING ON
// returns only after every command already running on other threads has
// finished (ClientPause::wait_quiescent, the same handshake as CLIENT
// PAUSE), so no writer that saw no tracking client can commit after the
// new client's first read.
//
// THE ORDER OF ONE BLOCK'S EVENTS. Reads inside EXEC and scripts are also
// queued in order with the writes and replayed after the commit, so a
// block that reads then writes a key is told of its own write, and one
// that writes then reads it is not (its early registration is skipped for
// that write) and keeps it remembered, as in Redis. Keys stay remembered
// only while tracking is on.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/mailbox.h"

namespace tmkv::server {

class Server;
class Client;
struct CommandContext;
struct CommandSpec;

struct TrackingOptions {
  uint64_t redirect = 0;  // client id; 0: the client's own connection
  bool bcast = false;
  bool optin = false;
  bool optout = false;
  bool noloop = false;
  std::vector<std::string> prefixes;  // BCAST only; sorted, as Redis lists them
};

// One tracking client as every thread sees it.
struct TrackingClient {
  uint64_t id = 0;
  std::shared_ptr<Mailbox> mailbox;  // the client's own
  TrackingOptions options;
  // The client's Client::tracking_broken_redir (the redirect target is
  // gone): set by any writer, read by CLIENT LIST and TRACKINGINFO; a
  // relaxed flag. Valid while the record is in the table: the client leaves
  // the table (disable) before it is destroyed.
  std::atomic<bool>* broken_redirect = nullptr;
};

// A read or a write a command made inside EXEC or a script, or a flush,
// waiting for the commit (Client::tracking_pending).
struct TrackingEvent {
  enum class Kind : uint8_t { kRead, kWrite, kFlush };
  Kind kind;
  std::string key;
  // kRead: this read remembered the client for the key when it ran (it was
  // not remembered before), so an earlier write of the key in the same
  // block must not tell the client (it had not read the key yet).
  bool fresh = false;
};

class Tracking {
 public:
  // Any client tracking now (writers queue their keys only then). seq_cst,
  // as the store in enable: part of the quiescence handshake (file comment).
  bool active() const { return tracking_clients_.load(std::memory_order_seq_cst) != 0; }
  size_t clients() const { return tracking_clients_.load(std::memory_order_acquire); }
  size_t total_keys() const { return keys_.load(std::memory_order_relaxed); }
  size_t total_items() const { return items_.load(std::memory_order_relaxed); }
  size_t total_prefixes() const;

  // The client's own thread. ON (again): replaces the options; BCAST
  // prefixes add to those it had (Redis's enableTracking). True if the
  // client was not tracking before (the caller then waits for quiescence).
  bool enable(uint64_t id, std::shared_ptr<Mailbox> mailbox, std::atomic<bool>* broken_redirect,
              TrackingOptions options);
  // The client's own thread (OFF, RESET, disconnect): forgets the client
  // everywhere, its remembered keys included.
  void disable(uint64_t id);
  std::shared_ptr<const TrackingClient> find(uint64_t id) const;
  // Redis's prefix overlap checks for CLIENT TRACKING ON BCAST: the error
  // text, or empty.
  std::string prefix_collision(uint64_t id, const std::vector<std::string>& prefixes) const;

  // Default mode: remember that client `id` read `key`; true if it was not
  // remembered yet.
  bool remember(uint64_t id, std::string_view key);
  void forget(uint64_t id, std::string_view key);
  // After a commit: the keys written, in order, by client `writer` (0: no
  // client, as expiry and eviction). Sends the default-mode invalidations
  // at once and the BCAST ones batched. `not_to_writer`: keys whose
  // default-mode invalidation the writer itself is not sent (it read them
  // only after writing them, in the same block).
  void invalidate(Server& server, uint64_t writer, std::span<const std::string> keys,
                  const std::set<std::string_view>* not_to_writer = nullptr);
  // FLUSHDB / FLUSHALL: a null invalidation to every tracking client, and
  // the table emptied.
  void invalidate_all(Server& server);
  // tracking-table-max-keys: while over `max_keys` (0: no limit), random
  // keys are invalidated.
  void enforce_limit(Server& server, uint64_t max_keys);

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, std::set<uint64_t>> keys;  // guarded by mu
  };
  Shard& shard_of(std::string_view key);
  // Sends `payload` (an encoded key array or null) as one invalidation to
  // client c. clients_mu_ held shared.
  void send(Server& server, const TrackingClient& c, std::string_view payload) const;
  // Removes the key's entry from its shard; the ids that were in it.
  std::set<uint64_t> take_key(std::string_view key);

  mutable std::shared_mutex clients_mu_;
  std::unordered_map<uint64_t, std::shared_ptr<TrackingClient>> clients_;  // guarded by clients_mu_
  std::map<std::string, std::set<uint64_t>> prefixes_;  // BCAST prefix -> clients; guarded by clients_mu_
  std::atomic<size_t> tracking_clients_{0};
  std::atomic<size_t> keys_{0};
  std::atomic<size_t> items_{0};
  std::array<Shard, kShards> shards_;
  std::atomic<unsigned> limit_effort_{0};  // Redis's growing effort while over the limit; relaxed, a hint
};

// ---- Hooks for the dispatcher, EXEC, scripts and handlers. ----

// Before a read-only command runs for a tracking client: true if its keys
// are to be remembered (default mode, OPTIN/OPTOUT with CLIENT CACHING, not
// EVAL_RO / FCALL_RO themselves, whose commands are tracked instead).
bool tracking_reads(const Client& client, const CommandSpec& spec);
// A top-level read-only command: remembers its keys now.
void tracking_before_read(Server& server, Client& client, const CommandSpec& spec,
                          std::span<const std::string_view> args);
// A top-level read found keys expired, and the dispatcher is about to
// delete them: Redis deletes such a key (telling whoever had it) before it
// remembers the read, so the reader hears of it only if it had it before.
// Forgets the keys this command remembered first, to remember them again
// in tracking_after_expiry, once the deletes have been told.
void tracking_expiring_reads(Server& server, Client& client, std::span<const std::string> expired);
void tracking_after_expiry(Server& server, Client& client);
// A read-only command's keys: remembers them now and appends their events
// (with TrackingEvent::fresh) to `reads`.
void tracking_register_reads(Server& server, const Client& client, const CommandSpec& spec,
                             std::span<const std::string_view> args, std::vector<TrackingEvent>* reads);
// Inside EXEC or a script: remembers the command's reads now and queues
// them for the replay after the commit.
void tracking_note_read(CommandContext& c, const CommandSpec& spec);
// A handler's write of key (from notify_keyspace_event and the writes that
// have no keyspace event), queued for the commit.
void tracking_note_write(CommandContext& c, std::string_view key);
// FLUSHDB / FLUSHALL, queued for the commit.
void tracking_note_flush(CommandContext& c);
// After the command's transaction committed: replays the queue.
void apply_tracking(Server& server, Client& client);

// CLIENT TRACKING ON (options checked) and OFF / RESET / disconnect, on the
// client's own thread: its own state, its CLIENT LIST mirror and the table.
void client_tracking_on(Server& server, Client& client, TrackingOptions options);
void client_tracking_off(Server& server, Client& client);

}  // namespace tmkv::server
