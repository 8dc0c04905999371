#include "server/tracking.h"

#include <algorithm>
#include <random>

#include "server/client.h"
#include "server/cmd_util.h"
#include "server/command.h"
#include "server/command_keys.h"
#include "server/reply.h"
#include "server/server.h"

namespace tmkv::server {
namespace {

// One prefix overlaps another if either starts with the other (Redis's
// stringCheckPrefix).
bool overlaps(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  return a.substr(0, n) == b.substr(0, n);
}

std::string key_array(std::span<const std::string> keys) {
  std::string out;
  Reply r(&out);
  r.array(keys.size());
  for (const std::string& k : keys) r.bulk(k);
  return out;
}

// Redis sends a flush's null in the tracking client's own protocol.
std::string null_payload(bool resp3) { return resp3 ? "_\r\n" : "$-1\r\n"; }

}  // namespace

size_t Tracking::total_prefixes() const {
  std::shared_lock g(clients_mu_);
  return prefixes_.size();
}

Tracking::Shard& Tracking::shard_of(std::string_view key) {
  return shards_[std::hash<std::string_view>{}(key) % kShards];
}

bool Tracking::enable(uint64_t id, std::shared_ptr<Mailbox> mailbox, std::atomic<bool>* broken_redirect,
                      TrackingOptions options) {
  auto rec = std::make_shared<TrackingClient>();
  rec->id = id;
  rec->mailbox = std::move(mailbox);
  rec->broken_redirect = broken_redirect;
  std::unique_lock g(clients_mu_);
  auto it = clients_.find(id);
  if (it != clients_.end() && it->second->options.bcast) {
    // Redis keeps the prefixes a BCAST client had and adds the new ones.
    for (const std::string& p : it->second->options.prefixes) options.prefixes.push_back(p);
  }
  if (options.bcast && options.prefixes.empty()) options.prefixes.emplace_back();
  std::sort(options.prefixes.begin(), options.prefixes.end());
  options.prefixes.erase(std::unique(options.prefixes.begin(), options.prefixes.end()), options.prefixes.end());
  for (const std::string& p : options.prefixes) prefixes_[p].insert(id);
  rec->options = std::move(options);
  if (it == clients_.end()) {
    clients_.emplace(id, std::move(rec));
    tracking_clients_.store(clients_.size(), std::memory_order_seq_cst);  // see active()
    return true;
  }
  it->second = std::move(rec);
  return false;
}

void Tracking::disable(uint64_t id) {
  {
    std::unique_lock g(clients_mu_);
    auto it = clients_.find(id);
    if (it == clients_.end()) return;
    for (const std::string& p : it->second->options.prefixes) {
      auto pit = prefixes_.find(p);
      if (pit == prefixes_.end()) continue;
      pit->second.erase(id);
      if (pit->second.empty()) prefixes_.erase(pit);
    }
    clients_.erase(it);
    tracking_clients_.store(clients_.size(), std::memory_order_seq_cst);
  }
  // Its remembered keys: a walk of the table, one shard locked at a time
  // (Redis leaves them to be dropped when the key changes; tmkv keeps no
  // stale entries). O(table), bounded by tracking-table-max-keys, once per
  // client that stops tracking.
  for (Shard& s : shards_) {
    std::lock_guard g(s.mu);
    for (auto it = s.keys.begin(); it != s.keys.end();) {
      if (it->second.erase(id) != 0) items_.fetch_sub(1, std::memory_order_relaxed);
      if (it->second.empty()) {
        it = s.keys.erase(it);
        keys_.fetch_sub(1, std::memory_order_relaxed);
      } else {
        ++it;
      }
    }
  }
}

std::shared_ptr<const TrackingClient> Tracking::find(uint64_t id) const {
  std::shared_lock g(clients_mu_);
  auto it = clients_.find(id);
  if (it == clients_.end()) return nullptr;
  return it->second;
}

std::string Tracking::prefix_collision(uint64_t id, const std::vector<std::string>& prefixes) const {
  std::vector<std::string> existing;
  if (auto rec = find(id)) existing = rec->options.prefixes;
  for (size_t i = 0; i < prefixes.size(); ++i) {
    for (const std::string& e : existing) {
      if (overlaps(e, prefixes[i])) {
        return "ERR Prefix '" + prefixes[i] + "' overlaps with an existing prefix '" + e +
               "'. Prefixes for a single client must not overlap.";
      }
    }
    for (size_t j = i + 1; j < prefixes.size(); ++j) {
      if (overlaps(prefixes[i], prefixes[j])) {
        return "ERR Prefix '" + prefixes[i] + "' overlaps with another provided prefix '" + prefixes[j] +
               "'. Prefixes for a single client must not overlap.";
      }
    }
  }
  return {};
}

void Tracking::forget(uint64_t id, std::string_view key) {
  Shard& s = shard_of(key);
  std::lock_guard g(s.mu);
  auto it = s.keys.find(std::string(key));
  if (it == s.keys.end() || it->second.erase(id) == 0) return;
  items_.fetch_sub(1, std::memory_order_relaxed);
  if (it->second.empty()) {
    s.keys.erase(it);
    keys_.fetch_sub(1, std::memory_order_relaxed);
  }
}

bool Tracking::remember(uint64_t id, std::string_view key) {
  Shard& s = shard_of(key);
  std::lock_guard g(s.mu);
  auto it = s.keys.find(std::string(key));
  if (it == s.keys.end()) {
    it = s.keys.emplace(std::string(key), std::set<uint64_t>{}).first;
    keys_.fetch_add(1, std::memory_order_relaxed);
  }
  if (!it->second.insert(id).second) return false;
  items_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

std::set<uint64_t> Tracking::take_key(std::string_view key) {
  Shard& s = shard_of(key);
  std::lock_guard g(s.mu);
  auto it = s.keys.find(std::string(key));
  if (it == s.keys.end()) return {};
  std::set<uint64_t> ids = std::move(it->second);
  s.keys.erase(it);
  keys_.fetch_sub(1, std::memory_order_relaxed);
  items_.fetch_sub(ids.size(), std::memory_order_relaxed);
  return ids;
}

void Tracking::send(Server& server, const TrackingClient& c, std::string_view payload) const {
  const OutputLimit limit = server.limits().pubsub_output_limit();
  std::shared_ptr<Mailbox> target = c.mailbox;
  bool subscribed = false;
  if (c.options.redirect != 0) {
    target.reset();
    const bool found = server.with_client(c.options.redirect, [&](const Client& cl) {
      target = cl.shared_mailbox();
      for (const auto& n : cl.shown_pubsub) subscribed = subscribed || n.load(std::memory_order_relaxed) != 0;
    });
    if (!found) {
      c.broken_redirect->store(true, std::memory_order_relaxed);
      if (c.mailbox->resp3()) {
        std::string msg;
        Reply r(&msg);
        r.set_resp3(true);
        r.push(2);
        r.bulk("tracking-redir-broken");
        r.integer(static_cast<int64_t>(c.options.redirect));
        c.mailbox->push(msg, limit);
      }
      return;
    }
    // A target that never opened a mailbox has no subscription and never
    // turned tracking on: see the file comment of tracking.h.
    if (target == nullptr) return;
  }
  std::string msg;
  if (target->resp3()) {
    msg = ">2\r\n$10\r\ninvalidate\r\n";
  } else if (c.options.redirect != 0 && subscribed) {
    msg = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n";
  } else {
    return;  // RESP2 without a redirect: no way to tell it (as Redis)
  }
  msg.append(payload);
  target->push(msg, limit);
}

void Tracking::invalidate(Server& server, uint64_t writer, std::span<const std::string> keys,
                          const std::set<std::string_view>* not_to_writer) {
  if (keys.empty()) return;
  std::shared_lock g(clients_mu_);
  for (const std::string& key : keys) {
    const std::set<uint64_t> ids = take_key(key);
    if (ids.empty()) continue;
    const std::string payload = key_array(std::span<const std::string>(&key, 1));
    for (uint64_t id : ids) {
      auto it = clients_.find(id);
      if (it == clients_.end() || it->second->options.bcast) continue;
      if (it->second->options.noloop && id == writer) continue;
      if (id == writer && not_to_writer != nullptr && not_to_writer->count(key) != 0) continue;
      send(server, *it->second, payload);
    }
  }
  if (prefixes_.empty()) return;
  // BCAST: per prefix, the keys it matched (sorted, once each, as Redis's
  // per-prefix radix tree holds them) and who wrote each.
  for (const auto& [prefix, ids] : prefixes_) {
    std::map<std::string_view, uint64_t> matched;
    for (const std::string& key : keys) {
      if (key.compare(0, prefix.size(), prefix) == 0) matched[key] = writer;
    }
    if (matched.empty()) continue;
    for (uint64_t id : ids) {
      auto it = clients_.find(id);
      if (it == clients_.end()) continue;
      std::vector<std::string> list;
      for (const auto& [k, by] : matched) {
        if (it->second->options.noloop && by == id) continue;  // NOLOOP: not its own writes
        list.emplace_back(k);
      }
      if (!list.empty()) send(server, *it->second, key_array(list));
    }
  }
}

void Tracking::invalidate_all(Server& server) {
  {
    std::shared_lock g(clients_mu_);
    for (const auto& [id, c] : clients_) send(server, *c, null_payload(c->mailbox->resp3()));
  }
  for (Shard& s : shards_) {
    std::lock_guard g(s.mu);
    size_t items = 0;
    for (const auto& [k, ids] : s.keys) items += ids.size();
    keys_.fetch_sub(s.keys.size(), std::memory_order_relaxed);
    items_.fetch_sub(items, std::memory_order_relaxed);
    s.keys.clear();
  }
}

void Tracking::enforce_limit(Server& server, uint64_t max_keys) {
  if (max_keys == 0 || total_keys() <= max_keys) {
    limit_effort_.store(0, std::memory_order_relaxed);
    return;
  }
  // As Redis: a bounded number of random keys per call, more each time it
  // finds the table still over the limit.
  thread_local std::minstd_rand rng{std::random_device{}()};
  const unsigned rounds = limit_effort_.load(std::memory_order_relaxed);
  int effort = 100 * static_cast<int>(rounds + 1);
  while (effort-- > 0 && total_keys() > max_keys) {
    // Every shard from a random one on: a table over the limit is never
    // empty, so this always finds a victim. (Drawing a new random shard per
    // try missed a 2-key table's two shards in 16 tries about one call in
    // eight, and the eviction then waited for a later command.)
    std::string victim;
    const size_t first = rng();
    for (size_t tries = 0; tries < kShards && victim.empty(); ++tries) {
      Shard& s = shards_[(first + tries) % kShards];
      std::lock_guard g(s.mu);
      if (s.keys.empty()) continue;
      auto it = s.keys.begin();
      std::advance(it, rng() % s.keys.size());
      victim = it->first;
    }
    if (victim.empty()) break;
    invalidate(server, 0, std::span<const std::string>(&victim, 1));
  }
  limit_effort_.store(total_keys() > max_keys ? rounds + 1 : 0, std::memory_order_relaxed);
}

// ---- Hooks. ----

namespace {
// The keys the running top-level read of a tracking client remembered (and
// whether it was the first to), and those to remember again once their
// lazy expiry was told (tracking_expiring_reads): per thread, since one
// command runs at a time on it; `client` says whose they are.
struct ThreadReads {
  uint64_t client = 0;
  std::vector<std::pair<std::string, bool>> keys;
  std::vector<std::string> again;
};
thread_local ThreadReads t_reads;
}  // namespace

bool tracking_reads(const Client& client, const CommandSpec& spec) {
  const TrackingOptions* o = client.tracking_options();
  // PFCOUNT is a read to Redis ("readonly", may-replicate) that may write
  // its cached count.
  if (o == nullptr || o->bcast || !(spec.flags & (kReadOnly | kMayReplicate))) return false;
  const std::string_view name = spec.name;
  if (name == "eval_ro" || name == "evalsha_ro" || name == "fcall_ro") return false;
  if (o->optin && !client.tracking_caching) return false;
  if (o->optout && client.tracking_caching) return false;
  return true;
}

void tracking_before_read(Server& server, Client& client, const CommandSpec& spec,
                          std::span<const std::string_view> args) {
  if (!tracking_reads(client, spec)) return;
  std::vector<std::string_view> keys;
  command_keys(spec, args, &keys);
  t_reads.client = client.id();
  t_reads.keys.clear();
  for (std::string_view k : keys) {
    const bool fresh = server.tracking().remember(client.id(), k);
    t_reads.keys.emplace_back(std::string(k), fresh);
  }
}

void tracking_expiring_reads(Server& server, Client& client, std::span<const std::string> expired) {
  if (t_reads.client != client.id()) return;
  for (const auto& [key, fresh] : t_reads.keys) {
    if (std::find(expired.begin(), expired.end(), key) == expired.end()) continue;
    if (fresh) server.tracking().forget(client.id(), key);
    t_reads.again.push_back(key);
  }
}

void tracking_after_expiry(Server& server, Client& client) {
  if (t_reads.client != client.id()) return;
  for (const std::string& k : t_reads.again) server.tracking().remember(client.id(), k);
  t_reads.again.clear();
  t_reads.keys.clear();
  t_reads.client = 0;
}

void tracking_register_reads(Server& server, const Client& client, const CommandSpec& spec,
                             std::span<const std::string_view> args, std::vector<TrackingEvent>* reads) {
  if (!tracking_reads(client, spec)) return;
  std::vector<std::string_view> keys;
  command_keys(spec, args, &keys);
  for (std::string_view k : keys) {
    // Remembered now, while the attempt runs and before its commit: a
    // writer committing after this read finds the client (tracking.h).
    const bool fresh = server.tracking().remember(client.id(), k);
    reads->push_back({TrackingEvent::Kind::kRead, std::string(k), fresh});
  }
}

void tracking_note_read(CommandContext& c, const CommandSpec& spec) {
  tracking_register_reads(c.server, c.client, spec, c.args, &c.client.tracking_pending);
}

void tracking_note_write(CommandContext& c, std::string_view key) {
  if (!c.server.tracking().active()) return;
  c.client.tracking_pending.push_back({TrackingEvent::Kind::kWrite, std::string(key)});
}

void tracking_note_flush(CommandContext& c) {
  if (!c.server.tracking().active()) return;
  c.client.tracking_pending.push_back({TrackingEvent::Kind::kFlush, {}});
}

void apply_tracking(Server& server, Client& client) {
  Tracking& t = server.tracking();
  // Keys the block wrote before a read that remembered the client afresh:
  // in Redis's order the client was not remembered yet at the write, so it
  // is not told of it (TrackingEvent::fresh).
  std::set<std::string_view> read_later_afresh;
  {
    std::set<std::string_view> written;
    for (const TrackingEvent& e : client.tracking_pending) {
      if (e.kind == TrackingEvent::Kind::kWrite) {
        written.insert(e.key);
      } else if (e.kind == TrackingEvent::Kind::kRead && e.fresh && written.count(e.key) != 0) {
        read_later_afresh.insert(e.key);
      }
    }
  }
  std::vector<std::string> writes;  // a run of writes, told together (BCAST batches them)
  auto flush_writes = [&] {
    t.invalidate(server, client.id(), writes, read_later_afresh.empty() ? nullptr : &read_later_afresh);
    writes.clear();
  };
  for (const TrackingEvent& e : client.tracking_pending) {
    switch (e.kind) {
      case TrackingEvent::Kind::kWrite:
        writes.push_back(e.key);  // copied: read_later_afresh views the events' keys
        break;
      case TrackingEvent::Kind::kRead:
        flush_writes();
        t.remember(client.id(), e.key);
        read_later_afresh.erase(e.key);  // remembered in order now: later writes tell it
        break;
      case TrackingEvent::Kind::kFlush:
        flush_writes();
        t.invalidate_all(server);
        break;
    }
  }
  flush_writes();
  client.tracking_pending.clear();
}

void client_tracking_on(Server& server, Client& client, TrackingOptions options) {
  if (!client.mailbox) client.mailbox = client.open_mailbox();
  client.mailbox->set_resp3(client.resp == 3);
  client.tracking = true;
  client.tracking_broken_redir.store(false, std::memory_order_relaxed);
  // A new tracking client is answered only once every command running on
  // other threads has finished (tracking.h, NO MISSED WRITE).
  if (server.tracking().enable(client.id(), client.mailbox, &client.tracking_broken_redir, std::move(options))) {
    client.pause_wait = true;
  }
  client.tracking_mode = server.tracking().find(client.id());
  client.shown_tracking.store(true, std::memory_order_relaxed);
  client.shown_tracking_bcast.store(client.tracking_mode->options.bcast, std::memory_order_relaxed);
  client.shown_redir.store(static_cast<int64_t>(client.tracking_mode->options.redirect), std::memory_order_relaxed);
  server.update_expiry_log();
}

void client_tracking_off(Server& server, Client& client) {
  if (!client.tracking) return;
  server.tracking().disable(client.id());
  client.tracking = client.tracking_caching = false;
  client.tracking_mode.reset();
  client.tracking_broken_redir.store(false, std::memory_order_relaxed);
  client.shown_tracking.store(false, std::memory_order_relaxed);
  client.shown_tracking_bcast.store(false, std::memory_order_relaxed);
  client.shown_redir.store(-1, std::memory_order_relaxed);
  server.update_expiry_log();
}

}  // namespace tmkv::server
