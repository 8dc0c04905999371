#include "store/expiry_log.h"

#include <atomic>
#include <cstdint>

namespace tmkv::store {
namespace {

std::atomic<bool> g_on{false};

// This thread's entries: those of running or aborted attempts, and those of
// committed ones. Indexes into t_attempts stay valid until take, which runs
// outside transactions only.
thread_local std::vector<ExpiredKey> t_attempts;
thread_local std::vector<ExpiredKey> t_committed;

void on_commit(void* index, uint64_t /*write_version*/) {
  t_committed.push_back(std::move(t_attempts[reinterpret_cast<uintptr_t>(index)]));
}

}  // namespace

void set_expiry_log(bool on) { g_on.store(on, std::memory_order_relaxed); }
bool expiry_log_on() { return g_on.load(std::memory_order_relaxed); }

void log_expired(stm::Tx& tx, const Store* store, std::string_view key) {
  const uintptr_t index = t_attempts.size();
  t_attempts.push_back(ExpiredKey{store, std::string(key)});
  tx.on_commit(on_commit, reinterpret_cast<void*>(index));
}

void take_expired_log(std::vector<ExpiredKey>* out) {
  t_attempts.clear();
  if (t_committed.empty()) return;
  for (ExpiredKey& e : t_committed) out->push_back(std::move(e));
  t_committed.clear();
}

}  // namespace tmkv::store
