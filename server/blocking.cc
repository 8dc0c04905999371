#include "server/blocking.h"

#include <algorithm>

namespace tmkv::server {

std::string BlockingRegistry::slot(unsigned db, std::string_view key) {
  std::string s(reinterpret_cast<const char*>(&db), sizeof db);
  s.append(key);
  return s;
}

void BlockingRegistry::wake_first_locked(const std::string& slot) {
  auto it = by_key_.find(slot);
  if (it == by_key_.end() || it->second.empty()) return;
  wake(*it->second.front());
}

void BlockingRegistry::wake(BlockedWaiter& w) {
  if (!w.pending.exchange(true, std::memory_order_seq_cst)) asio::post(w.executor, w.retry);
}

void BlockingRegistry::pass_on(const std::shared_ptr<BlockedWaiter>& w) {
  std::lock_guard<std::mutex> g(mu_);
  for (const std::string& k : w->keys) {
    auto it = by_key_.find(slot(w->db, k));
    if (it == by_key_.end()) continue;
    auto& q = it->second;
    auto at = std::find(q.begin(), q.end(), w);
    if (at != q.end() && ++at != q.end()) wake(**at);
  }
}

void BlockingRegistry::add(const std::shared_ptr<BlockedWaiter>& w) {
  std::lock_guard<std::mutex> g(mu_);
  for (const std::string& k : w->keys) {
    auto& q = by_key_[slot(w->db, k)];
    if (std::find(q.begin(), q.end(), w) == q.end()) q.push_back(w);  // a key named twice waits once
  }
  by_client_[w->client_id] = w;  // a client blocks once at a time
  blocked_.fetch_add(1, std::memory_order_seq_cst);  // see anyone_waiting
  w->pending.store(true, std::memory_order_seq_cst);
  asio::post(w->executor, w->retry);
}

void BlockingRegistry::remove(const std::shared_ptr<BlockedWaiter>& w) {
  std::lock_guard<std::mutex> g(mu_);
  for (const std::string& k : w->keys) {
    const std::string s = slot(w->db, k);
    auto it = by_key_.find(s);
    if (it == by_key_.end()) continue;
    auto& q = it->second;
    q.erase(std::remove(q.begin(), q.end(), w), q.end());
    if (q.empty()) by_key_.erase(it);
  }
  if (auto it = by_client_.find(w->client_id); it != by_client_.end() && it->second == w) by_client_.erase(it);
  blocked_.fetch_sub(1, std::memory_order_seq_cst);
  // A wake this waiter will never use goes to whoever is first now.
  if (w->pending.load(std::memory_order_seq_cst)) {
    for (const std::string& k : w->keys) wake_first_locked(slot(w->db, k));
  }
}

void BlockingRegistry::signal(unsigned db, std::string_view key) {
  std::lock_guard<std::mutex> g(mu_);
  wake_first_locked(slot(db, key));
}

bool BlockingRegistry::unblock(uint64_t client_id, int mode) {
  std::lock_guard<std::mutex> g(mu_);
  const auto it = by_client_.find(client_id);
  if (it == by_client_.end()) return false;
  BlockedWaiter& w = *it->second;
  w.unblock.store(mode, std::memory_order_release);
  w.pending.store(true, std::memory_order_seq_cst);
  asio::post(w.executor, w.retry);
  return true;
}

}  // namespace tmkv::server
