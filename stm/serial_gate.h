// The irrevocable ("serial") mode: a transaction that has aborted too often
// takes the gate and then cannot abort, because no other writer may commit
// until it is done.
//
// PROTOCOL
//   Holder:    take a ticket, wait for its turn (FIFO: escalated transactions
//              are served in order, so none starves), then
//              active.store(true, seq_cst); rv = clock.load(seq_cst).
//   Committer: lock write set; take wv (clock fetch_add, or load under the
//              stamped clock; seq_cst either way);
//              if (active.load(seq_cst)) { unlock; abort(kIrrevocableWait); }
//   In the single total order of seq_cst operations, either the committer's
//   flag load precedes the holder's flag store — then the committer locked
//   its whole write set before that, and the holder's reads find those
//   words locked and wait until the committer has written and released
//   them — or the flag load follows the store and the committer aborts. So
//   once the few committers that passed before have drained, no transaction
//   commits a write while the gate is held: the holder reads a stable state
//   and its own commit cannot fail.
//   Read-only transactions never write, so they run on unhindered.
//   New transactions wait at begin while the gate is held, to spare work
//   that would be thrown away at commit.
#pragma once

#include <atomic>
#include <cstdint>

#include "stm/shared_word.h"

namespace tmkv::stm {

class SerialGate {
 public:
  // Blocks until the caller holds the gate. REQUIRES: caller does not hold it.
  void acquire();
  void release();

  // True while some transaction runs irrevocably.
  // `emulated`: whether the Shared<> hooks are installed (Tx caches it per
  // attempt), so the common build reads the plain atomic.
  bool active(bool emulated = true) const {
    return (emulated ? active_.load(std::memory_order_seq_cst) : active_.raw().load(std::memory_order_seq_cst)) != 0;
  }
  // Cheap check for begin(): acquire pairs with release() so the waiter sees
  // the holder's commit before starting.
  bool active_relaxed_hint(bool emulated = true) const {
    return (emulated ? active_.load(std::memory_order_acquire) : active_.raw().load(std::memory_order_acquire)) != 0;
  }
  void wait_until_inactive() const;

 private:
  // A Shared word: hardware transactions subscribe to it at begin.
  alignas(64) Shared<uint64_t> active_;
  alignas(64) std::atomic<uint64_t> next_ticket_{0};
  alignas(64) std::atomic<uint64_t> now_serving_{0};
};

extern SerialGate g_serial_gate;
inline SerialGate& serial_gate() { return g_serial_gate; }

}  // namespace tmkv::stm
