// The workload, shared by every engine: random transfers between two
// distinct accounts until the driver says stop.
//
// It is a template over the engine's bank type rather than a loop calling
// virtual functions so that each engine's transfer is inlined into the loop:
// a virtual call per transaction would be a fixed cost that hides exactly
// the differences between engines this benchmark exists to show.
#pragma once

#include <cstdint>

#include "bench/bankbench/engine.h"
#include "bench/bankbench/rng.h"

namespace tmkv::bankbench {

// Smallest and largest transfer amounts; the range is part of the workload's
// definition (bench/README.md), so it is not a flag.
inline constexpr int64_t kMinAmount = 1;
inline constexpr int64_t kMaxAmount = 10;

// Runs transfers on `bank` until *ctl.stop. Bank must provide
//   bool Transfer(uint64_t from, uint64_t to, int64_t amount);
// written as withdraw(from) then deposit(to), atomic as a whole, returning
// false (and changing nothing) when `from` holds less than `amount`.
template <class Bank>
WorkerResult RunTransferLoop(Bank& bank, int thread_id, const RunControl& ctl) {
  const uint64_t accounts = ctl.config->accounts;
  Rng rng(ctl.config->seed, static_cast<uint64_t>(thread_id));
  WorkerResult result;
  ctl.start->arrive_and_wait();
  // Relaxed: the flag publishes no data (results travel back through
  // thread join, which synchronizes), and a worker only has to notice it
  // eventually; an acquire here would add nothing but ordering we never use.
  while (!ctl.stop->load(std::memory_order_relaxed)) {
    const uint64_t from = rng.Uniform(accounts);
    uint64_t to = rng.Uniform(accounts - 1);  // skip `from`: distinct accounts
    if (to >= from) ++to;
    const int64_t amount = kMinAmount + static_cast<int64_t>(rng.Uniform(kMaxAmount - kMinAmount + 1));
    if (bank.Transfer(from, to, amount)) {
      ++result.transfers;
    } else {
      ++result.refused;
    }
  }
  return result;
}

}  // namespace tmkv::bankbench
