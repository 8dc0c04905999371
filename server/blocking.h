// Clients blocked on keys (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, the
// sorted-set BZPOP*s, XREAD and XREADGROUP with BLOCK): who waits for which
// key, in the order they blocked, and their wake-ups.
//
// PROTOCOL. A blocking command that finds every key empty (in its own
// transaction) asks to block (Client::block_request). Its connection then
// registers a waiter here and re-runs the command whenever the waiter is
// woken (Connection::retry_blocked), each time in a new transaction, until
// one serves it or its timeout passes.
//   - A transaction that creates a list key records the key
//     (Client::ready_keys); once it has committed, signal() wakes the
//     FIRST waiter on that key: the one that blocked first, as Redis
//     serves them.
//   - A waiter served while the list still holds elements signals the key
//     again once it has left the queue, so one push of n elements serves
//     the first n waiters in turn.
//   - Lost wake-ups: `pending` says a retry is owed. signal() sets it and
//     posts a retry only if it was clear; the retry clears it BEFORE its
//     transaction begins, so any commit whose signal finds it clear is
//     either seen by that transaction or posts another retry. add() wakes
//     the new waiter once, covering a push that committed between the
//     command's empty check and the registration. A waiter that leaves with
//     a wake it did not use (timed out, closed) passes it on.
// Which element a client gets can differ from Redis when several clients
// race (a client that pops without blocking may take an element a woken
// waiter would have got, where Redis serves waiters before the next
// command); no element is lost or popped twice, because every pop is a
// transaction.
#pragma once

#include <asio.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tmkv::server {

struct BlockedWaiter {
  // Set before add(), then constant.
  uint64_t client_id = 0;
  unsigned db = 0;
  std::vector<std::string> keys;
  asio::any_io_executor executor;  // the connection's thread
  std::function<void()> retry;      // posted to executor (holds a weak reference)
  // A retry is owed: set by signal() (any thread), cleared by the owner's
  // retry before its transaction (seq_cst both ways, so a signal either
  // sees it clear and posts, or set after the clear and the transaction
  // that follows the clear sees the signaller's commit).
  std::atomic<bool> pending{false};
  // CLIENT UNBLOCK's request (kUnblockTimeout or kUnblockError), set by
  // unblock() on any thread before it posts a retry (release), read by
  // the retry first (acquire).
  static constexpr int kUnblockTimeout = 1, kUnblockError = 2;
  std::atomic<int> unblock{0};
};

class BlockingRegistry {
 public:
  // Registers w behind every waiter already on its keys, and wakes it once.
  void add(const std::shared_ptr<BlockedWaiter>& w);
  // Unregisters w (its owner's thread). A wake it owed is passed on.
  void remove(const std::shared_ptr<BlockedWaiter>& w);
  // Wakes the first waiter on (db, key), if any (after a commit that made
  // the key a non-empty list or sorted set).
  void signal(unsigned db, std::string_view key);
  // A woken waiter found nothing for itself and stays: the wake may have
  // been meant for a waiter behind it (a BLPOP queued behind a BZPOPMIN on
  // a key that became a list, which the BZPOPMIN cannot take), so it goes
  // to the next waiter on each of w's keys. A wake thus walks a queue at
  // most once, each waiter retrying once, and ends at its tail.
  void pass_on(const std::shared_ptr<BlockedWaiter>& w);
  // CLIENT UNBLOCK: asks the blocked client `client_id` to end its wait as
  // a timeout or an error; false if it is not blocked.
  bool unblock(uint64_t client_id, int mode);
  // Clients blocked now (INFO blocked_clients). Relaxed: a figure to show.
  size_t blocked() const { return blocked_.load(std::memory_order_relaxed); }
  // For a committer that made list keys: may anyone be waiting? A seq_cst
  // read-modify-write, not a load: it reads the latest count, and if it
  // reads 0, the add() that follows it in the count's order synchronizes
  // with it, so the waiter's first retry sees this committer's writes (a
  // plain load could be ordered before the commit's release store).
  bool anyone_waiting() { return blocked_.fetch_add(0, std::memory_order_seq_cst) != 0; }

 private:
  static std::string slot(unsigned db, std::string_view key);
  void wake_first_locked(const std::string& slot);
  static void wake(BlockedWaiter& w);

  std::mutex mu_;
  std::unordered_map<std::string, std::deque<std::shared_ptr<BlockedWaiter>>> by_key_;  // guarded by mu_
  // Every registered waiter by its client's id, keyless ones (WAIT)
  // included, for CLIENT UNBLOCK. Guarded by mu_.
  std::unordered_map<uint64_t, std::shared_ptr<BlockedWaiter>> by_client_;
  std::atomic<size_t> blocked_{0};  // waiters registered; changed under mu_ (seq_cst, see anyone_waiting)
};

}  // namespace tmkv::server
