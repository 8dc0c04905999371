// Eviction: Redis's maxmemory policies (maxmemory-policy).
//
// Before a command that may add memory (kDenyOom) runs, the dispatcher calls
// make_room(). While used memory is over maxmemory it deletes keys the
// policy picks, each in its own transaction, until the keys deleted cover
// the excess, as Redis's performEvictions does:
//
//   noeviction         nothing: the command fails with OOM
//   allkeys-lru        the least recently used key (OBJECT IDLETIME)
//   volatile-lru       the same among keys with a TTL
//   allkeys-lfu        the least frequently used (OBJECT FREQ)
//   volatile-lfu       the same among keys with a TTL
//   allkeys-random     any key
//   volatile-random    any key with a TTL
//   volatile-ttl       the key with a TTL that expires soonest
//
// LRU, LFU and TTL are approximated as in Redis: each round samples
// maxmemory-samples keys of every database (store::Store::sample) into a
// pool of the 16 best candidates seen, per thread, and evicts the best. The
// command is refused with OOM only when no key is left to evict (an empty
// keyspace, or no key with a TTL under a volatile policy). A round stops
// after a time budget set by maxmemory-eviction-tenacity (Redis's formula);
// the command then runs and the next one carries on.
//
// MEMORY FIGURE. jemalloc's allocated bytes less the free blocks in its
// thread caches (store/allocator_stats.h, AllocatorStats::in_use),
// refreshed at most once per millisecond while writes arrive over the
// limit (Server::used_memory_fresh). A deleted key's memory comes back only
// after the epoch grace period (stm/epoch.h) and the record's reaping, so
// the bytes evicted since the last refresh count as freed until the next
// refresh; what the refresh still finds unreclaimed is evicted for again.
// So it errs toward evicting a little too much; it runs over the limit by
// what is written between two refreshes, and while a round that ran out of
// its time budget leaves work to the next command.
//
// An evicted key is an ordinary transactional delete: WATCH sees it, and it
// raises "evicted" keyspace events (class e), counted in INFO's
// evicted_keys.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace tmkv::server {

class Server;

enum class EvictionPolicy : uint8_t {
  kNoEviction,
  kAllKeysLru,
  kVolatileLru,
  kAllKeysLfu,
  kVolatileLfu,
  kAllKeysRandom,
  kVolatileRandom,
  kVolatileTtl,
};

std::optional<EvictionPolicy> parse_eviction_policy(std::string_view name);
const char* eviction_policy_name(EvictionPolicy p);
bool is_lfu_policy(EvictionPolicy p);

class Evictor {
 public:
  // publish_settings: standalone values, relaxed (a command racing with
  // CONFIG SET may use either).
  void configure(EvictionPolicy policy, uint32_t samples, uint32_t tenacity);
  EvictionPolicy policy() const { return policy_.load(std::memory_order_relaxed); }

  // Outside any transaction, before a command that may add memory: evicts
  // while over maxmemory. False if the command must be refused (over the
  // limit and nothing left to evict, or noeviction).
  bool make_room(Server& server);

  // Keys evicted since start (monotonic, for INFO and /metrics).
  uint64_t evicted_keys() const { return evicted_keys_.load(std::memory_order_relaxed); }
  // Bytes of keys evicted since used memory was last refreshed: counted as
  // freed until the refresh (see MEMORY FIGURE).
  uint64_t pending_bytes() const { return pending_bytes_.load(std::memory_order_relaxed); }
  void clear_pending() { pending_bytes_.store(0, std::memory_order_relaxed); }

 private:
  struct Candidate {
    unsigned db;
    std::string key;
    uint64_t score;  // higher is evicted first
    size_t bytes;
  };
  // Fills this thread's pool from every database and takes out the best
  // candidate; false if the databases offered none.
  bool pick_from_pool(Server& server, EvictionPolicy p, Candidate* out);
  bool pick_random(Server& server, bool volatile_only, Candidate* out);
  // Up to n candidates of one database, walking on from this thread's
  // cursor there; false if a whole pass over it found none.
  bool sample_db(Server& server, unsigned db, size_t n, bool volatile_only, std::vector<store::Store::Sample>* out);
  // Deletes the candidate in its own transaction; the bytes freed, 0 if the
  // key was gone already.
  size_t evict(Server& server, const Candidate& c);

  std::atomic<EvictionPolicy> policy_{EvictionPolicy::kNoEviction};
  std::atomic<uint32_t> samples_{5};
  std::atomic<uint32_t> tenacity_{10};
  // Bumped by whichever worker evicts (rare, off the common path): relaxed
  // read-modify-writes of independent counters.
  std::atomic<uint64_t> evicted_keys_{0};
  std::atomic<uint64_t> pending_bytes_{0};
  // Which database random eviction takes from next: shared by the workers;
  // relaxed (any database will do, this only spreads the choice).
  std::atomic<unsigned> next_db_{0};
};

}  // namespace tmkv::server
