// The interface every bankbench engine implements, and the factories of the
// engines built into the binary.
//
// An engine owns the accounts and decides how a transfer is made atomic. The
// workload itself (which accounts, how much, when to stop) is shared by every
// engine through RunTransferLoop() in transfer_loop.h, so that engines differ
// only in their synchronization.
#pragma once

#include <atomic>
#include <barrier>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>

namespace tmkv::bankbench {

// What the user asked for; fixed for the whole run.
struct BankConfig {
  int threads = 1;
  uint64_t accounts = 1000000;
  int64_t initial_balance = 1000;
  uint64_t seed = 1;
};

// Shared by the driver and every worker thread of one run.
struct RunControl {
  const BankConfig* config = nullptr;
  // Every worker and the driver arrive here; the clock starts when all have.
  std::barrier<>* start = nullptr;
  // Set by the driver when the time is up; workers poll it per transaction.
  std::atomic<bool>* stop = nullptr;
};

// What one worker did. Every transaction is either a committed transfer or a
// refused one (insufficient funds: a no-op that still completed).
struct WorkerResult {
  uint64_t transfers = 0;
  uint64_t refused = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;

  // Runs one worker thread: any per-thread set-up, then the shared transfer
  // loop, which waits at ctl.start and runs until *ctl.stop. Called
  // concurrently from config.threads threads with distinct thread_ids.
  virtual WorkerResult RunWorker(int thread_id, const RunControl& ctl) = 0;

  // The final balance of account i. Called by the driver only after every
  // worker has joined, so no engine needs synchronization here.
  virtual int64_t Balance(uint64_t i) const = 0;

  // Called on the driver thread just before the workers are started and just
  // after they have joined, so an engine can take before/after snapshots of
  // counters that live outside it (the STM's per-thread statistics).
  virtual void BeginRun() {}
  virtual void EndRun() {}

  // Prints engine-specific report lines (each ending in '\n'). Must not print
  // the txns_per_sec line, which the driver owns and prints last.
  virtual void ReportDetails(std::FILE* out) const { (void)out; }
};

// Builds an engine with config.accounts accounts each holding
// config.initial_balance. One per engine family; see main.cc for the
// registry that maps --engine names to these.
using EngineFactory = std::unique_ptr<Engine> (*)(const BankConfig& config);

std::unique_ptr<Engine> NewStmEngine(const BankConfig& config);
std::unique_ptr<Engine> NewHtmEngine(const BankConfig& config);
std::unique_ptr<Engine> NewEmulatedHtmEngine(const BankConfig& config);
std::unique_ptr<Engine> NewAutoEngine(const BankConfig& config);

// Thrown by a factory whose engine cannot run on this machine (e.g. `htm`
// without hardware TM); the driver prints it and exits 1.
struct EngineUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};
std::unique_ptr<Engine> NewGlobalLockEngine(const BankConfig& config);
std::unique_ptr<Engine> NewOrderedLocksEngine(const BankConfig& config);
std::unique_ptr<Engine> NewSequentialEngine(const BankConfig& config);
#if TMKV_BANKBENCH_LIBITM
std::unique_ptr<Engine> NewLibitmEngine(const BankConfig& config);
#endif

}  // namespace tmkv::bankbench
