#include "stm/serial_gate.h"

#include "stm/cpu_relax.h"

namespace tmkv::stm {

constinit SerialGate g_serial_gate;

void SerialGate::acquire() {
  uint64_t ticket = next_ticket_.fetch_add(1, std::memory_order_relaxed);
  unsigned spins = 0;
  // Acquire pairs with release(): the previous holder's commit is visible.
  while (now_serving_.load(std::memory_order_acquire) != ticket) wait_step(spins);
  // seq_cst: see the protocol in the header.
  active_.store(1, std::memory_order_seq_cst);
}

void SerialGate::release() {
  active_.store(0, std::memory_order_release);
  // Only the holder writes now_serving_, so a plain increment suffices;
  // release publishes our commit to the next holder.
  now_serving_.store(now_serving_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

void SerialGate::wait_until_inactive() const {
  unsigned spins = 0;
  while (active_.load(std::memory_order_acquire) != 0) wait_step(spins);
}

}  // namespace tmkv::stm
