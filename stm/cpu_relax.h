#pragma once

#include <thread>

namespace tmkv::stm {

// One spin-wait step: tells the core we are spinning (x86 PAUSE, Arm YIELD)
// so it can favour the sibling hyper-thread and save power.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#else
  std::this_thread::yield();
#endif
}

// Spin-then-yield wait step for waits that may last longer than a commit
// (an irrevocable transaction, an oversubscribed machine).
inline void wait_step(unsigned& spins) {
  if (++spins < 64) {
    cpu_relax();
  } else {
    std::this_thread::yield();
  }
}

}  // namespace tmkv::stm
