#include "server/eviction.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "htm/atomically.h"
#include "server/keyspace_events.h"
#include "server/server.h"
#include "stm/xorshift.h"
#include "store/access_clock.h"
#include "store/clock.h"

namespace tmkv::server {
namespace {

struct PolicyName {
  EvictionPolicy policy;
  const char* name;
};
constexpr PolicyName kPolicies[] = {
    {EvictionPolicy::kNoEviction, "noeviction"},         {EvictionPolicy::kAllKeysLru, "allkeys-lru"},
    {EvictionPolicy::kVolatileLru, "volatile-lru"},       {EvictionPolicy::kAllKeysLfu, "allkeys-lfu"},
    {EvictionPolicy::kVolatileLfu, "volatile-lfu"},       {EvictionPolicy::kAllKeysRandom, "allkeys-random"},
    {EvictionPolicy::kVolatileRandom, "volatile-random"}, {EvictionPolicy::kVolatileTtl, "volatile-ttl"},
};

bool is_volatile(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kVolatileLfu ||
         p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kVolatileTtl;
}

// Redis's time budget for one round of evictions: 50 us per step of
// tenacity up to 10 (the default, 500 us), then 15% more per step, and no
// limit at 100.
std::chrono::microseconds round_budget(uint32_t tenacity) {
  if (tenacity <= 10) return std::chrono::microseconds(50 * tenacity);
  if (tenacity < 100) return std::chrono::microseconds(static_cast<int64_t>(500.0 * std::pow(1.15, tenacity - 10.0)));
  return std::chrono::microseconds::max();
}

// Per-thread xorshift for the sampling's start buckets (no shared state).
uint64_t random_bits() {
  thread_local uint64_t state = 0x2545F4914F6CDD1Dull ^ reinterpret_cast<uintptr_t>(&state);
  return stm::xorshift64(state);
}

// What ranks a sampled key for eviction: higher goes first (Redis's "idle"
// of its eviction pool).
uint64_t score_of(EvictionPolicy p, const store::Store::Sample& s, int64_t now_ms) {
  switch (p) {
    case EvictionPolicy::kAllKeysLfu:
    case EvictionPolicy::kVolatileLfu:
      return 255 - store::lfu_counter(s.access, now_ms);
    case EvictionPolicy::kVolatileTtl:
      return std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(s.expire_at_ms);
    default:
      return store::lru_idle_ms(s.access, now_ms);
  }
}

constexpr size_t kPoolSize = 16;  // Redis's EVPOOL_SIZE

// The databases the running round may still evict from (make_room fills
// it): per worker thread.
std::vector<unsigned>& candidate_dbs() {
  thread_local std::vector<unsigned> dbs;
  return dbs;
}

}  // namespace

std::optional<EvictionPolicy> parse_eviction_policy(std::string_view name) {
  std::string lower(name);
  for (char& ch : lower) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch);
  for (const PolicyName& p : kPolicies) {
    if (lower == p.name) return p.policy;
  }
  return std::nullopt;
}

const char* eviction_policy_name(EvictionPolicy p) {
  for (const PolicyName& n : kPolicies) {
    if (n.policy == p) return n.name;
  }
  return "noeviction";
}

bool is_lfu_policy(EvictionPolicy p) { return p == EvictionPolicy::kAllKeysLfu || p == EvictionPolicy::kVolatileLfu; }

void Evictor::configure(EvictionPolicy policy, uint32_t samples, uint32_t tenacity) {
  policy_.store(policy, std::memory_order_relaxed);
  samples_.store(samples, std::memory_order_relaxed);
  tenacity_.store(tenacity, std::memory_order_relaxed);
}

bool Evictor::make_room(Server& server) {
  const uint64_t limit = server.limits().maxmemory.load(std::memory_order_relaxed);
  if (limit == 0) return true;
  const uint64_t used = server.used_memory_fresh();
  if (used <= limit + pending_bytes()) return true;
  const EvictionPolicy p = policy();
  if (p == EvictionPolicy::kNoEviction) return false;
  const uint64_t to_free = used - limit - std::min(pending_bytes(), used - limit);
  const auto start = std::chrono::steady_clock::now();
  const auto budget = round_budget(tenacity_.load(std::memory_order_relaxed));
  // Redis's "eviction-cycle" latency event: one round's duration.
  const ScopedLatencyEvent sample(server.latency_monitor(), "eviction-cycle");
  const bool volatile_only = is_volatile(p);
  // The databases that may offer a candidate, once per round: a database
  // leaves the list when a whole pass over it finds none.
  std::vector<unsigned>& dbs = candidate_dbs();
  dbs.clear();
  for (unsigned db = 0; db < server.database_count(); ++db) {
    const store::Store& s = server.db(db);
    if (volatile_only ? s.expiring_count() != 0 : s.size() != 0) dbs.push_back(db);
  }
  std::vector<bool> touched(server.database_count(), false);
  // Gives back what this round deleted without waiting for later writes on
  // this thread: the next refresh of used memory then sees it freed (see
  // MEMORY FIGURE).
  struct ReclaimOnExit {
    Server& server;
    const std::vector<bool>& touched;
    ~ReclaimOnExit() {
      for (unsigned db = 0; db < touched.size(); ++db) {
        if (touched[db]) server.db(db).reap_now();
      }
    }
  } reclaim{server, touched};
  const bool random = p == EvictionPolicy::kAllKeysRandom || p == EvictionPolicy::kVolatileRandom;
  // One instant for the round's expiry decisions and access ages, as for
  // a command (store/clock.h).
  const store::ScopedCommandTime at;
  uint64_t freed = 0;
  unsigned evicted = 0;
  while (freed < to_free) {
    Candidate c;
    const bool found = random ? pick_random(server, volatile_only, &c) : pick_from_pool(server, p, &c);
    if (!found) return false;  // nothing left to evict: the command is refused
    const size_t bytes = evict(server, c);
    if (bytes != 0) {
      freed += bytes;
      touched[c.db] = true;
      ++evicted;
    }
    // Out of time with work left: let this command run; the next one
    // carries on (Redis lets it run too, and goes on in a timer). Checked
    // every 16 keys, as Redis does, so a round always makes progress.
    if (evicted % 16 == 0 && std::chrono::steady_clock::now() - start >= budget) return true;
  }
  return true;
}

bool Evictor::sample_db(Server& server, unsigned db, size_t n, bool volatile_only,
                        std::vector<store::Store::Sample>* out) {
  // Where this thread's walk over each database stands: consecutive calls
  // sample consecutive stretches of buckets (keys in hash order, so in no
  // order of their own), starting from a random one.
  thread_local std::vector<uint64_t> cursors;
  if (cursors.size() < server.database_count()) cursors.resize(server.database_count(), 0);
  uint64_t& cursor = cursors[db];
  if (cursor == 0) cursor = random_bits();
  store::Store& s = server.db(db);
  bool passed_start = false;
  for (;;) {
    out->clear();
    cursor = htm::atomically_read_only([&](stm::Tx& tx) {
      out->clear();
      return s.sample(tx, cursor, n, volatile_only, out);
    });
    if (!out->empty()) return true;
    if (cursor == 0) {
      // The walk reached the table's end; one more pass from its start
      // covers it all, after which the database has no candidate.
      if (passed_start) return false;
      passed_start = true;
    }
  }
}

bool Evictor::pick_from_pool(Server& server, EvictionPolicy p, Candidate* out) {
  // Per worker thread: candidates carried from round to round, best last.
  thread_local std::vector<Candidate> pool;
  thread_local std::vector<store::Store::Sample> samples;
  std::vector<unsigned>& dbs = candidate_dbs();
  const bool volatile_only = is_volatile(p);
  const size_t n = samples_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < dbs.size();) {
    const unsigned db = dbs[i];
    if (!sample_db(server, db, n, volatile_only, &samples)) {
      dbs.erase(dbs.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    ++i;
    const int64_t now = store::now_ms();
    for (store::Store::Sample& smp : samples) {
      const uint64_t score = score_of(p, smp, now);
      // A key may enter the pool twice (sampled again before it was
      // evicted), as in Redis: the second pick finds it gone and frees
      // nothing.
      if (pool.size() == kPoolSize) {
        if (score <= pool.front().score) continue;
        pool.erase(pool.begin());
      }
      auto at_pos = std::upper_bound(pool.begin(), pool.end(), score,
                                     [](uint64_t v, const Candidate& c) { return v < c.score; });
      pool.insert(at_pos, Candidate{db, std::move(smp.key), score, smp.bytes});
    }
  }
  if (pool.empty()) return false;
  *out = std::move(pool.back());
  pool.pop_back();
  return true;
}

bool Evictor::pick_random(Server& server, bool volatile_only, Candidate* out) {
  thread_local std::vector<store::Store::Sample> samples;
  std::vector<unsigned>& dbs = candidate_dbs();
  while (!dbs.empty()) {
    const size_t i = next_db_.fetch_add(1, std::memory_order_relaxed) % dbs.size();
    if (!sample_db(server, dbs[i], 1, volatile_only, &samples)) {
      dbs.erase(dbs.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    store::Store::Sample& smp = samples[random_bits() % samples.size()];
    *out = Candidate{dbs[i], std::move(smp.key), 0, smp.bytes};
    return true;
  }
  return false;
}

size_t Evictor::evict(Server& server, const Candidate& c) {
  store::Store& s = server.db(c.db);
  bool deleted = false;
  {
    const ScopedLatencyEvent sample(server.latency_monitor(), "eviction-del");
    deleted = htm::atomically([&](stm::Tx& tx) { return s.del(tx, c.key); });
  }
  publish_expired_events(server);  // the delete may have found it expired instead
  if (!deleted) return 0;
  evicted_keys_.fetch_add(1, std::memory_order_relaxed);
  pending_bytes_.fetch_add(c.bytes, std::memory_order_relaxed);
  publish_evicted_event(server, c.db, c.key);
  return c.bytes;
}

}  // namespace tmkv::server
