// The expiry log: keys that this thread's committed transactions deleted
// because they had expired, for "expired" keyspace notifications.
//
// A key can expire inside any transaction that touches it (a write finding
// it expired deletes it first, as Redis's expireIfNeeded does), so the log
// is filled from inside transactions: each entry is kept for its attempt
// and moves to the committed list only when that attempt commits (a
// Tx::on_commit hook); entries of aborted attempts are dropped at the next
// take. The server takes the log after every transaction it runs.
//
// Off by default; when off, log_expired is never called (one relaxed load
// per expiry). Per thread, so no synchronization beyond the switch, which
// is a standalone flag (relaxed: an expiry racing with CONFIG SET may or
// may not be logged).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "stm/tx.h"

namespace tmkv::store {

class Store;

struct ExpiredKey {
  const Store* store;
  std::string key;
};

void set_expiry_log(bool on);
bool expiry_log_on();

// Inside a transaction: `key` of `store` expired and is deleted by this
// attempt.
void log_expired(stm::Tx& tx, const Store* store, std::string_view key);

// Outside transactions: appends the committed entries to *out and forgets
// the rest.
void take_expired_log(std::vector<ExpiredKey>* out);

}  // namespace tmkv::store
