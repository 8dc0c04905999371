// The `sequential` engine: a plain array and no synchronization at all, one
// thread only. It is the cost of the workload itself (random numbers, two
// cache misses, a compare), so every other engine's single-thread number
// read against it is that engine's instrumentation overhead.
#include <memory>

#include "bench/bankbench/engine.h"
#include "bench/bankbench/transfer_loop.h"

namespace tmkv::bankbench {
namespace {

class SequentialBank {
 public:
  explicit SequentialBank(const BankConfig& config) : balances_(new int64_t[config.accounts]) {
    for (uint64_t i = 0; i < config.accounts; ++i) balances_[i] = config.initial_balance;
  }

  // Withdraw then deposit; correct only because one thread runs.
  bool Transfer(uint64_t from, uint64_t to, int64_t amount) {
    if (!Withdraw(from, amount)) return false;
    Deposit(to, amount);
    return true;
  }

  int64_t Balance(uint64_t i) const { return balances_[i]; }

 private:
  bool Withdraw(uint64_t i, int64_t amount) {
    if (balances_[i] < amount) return false;
    balances_[i] -= amount;
    return true;
  }
  void Deposit(uint64_t i, int64_t amount) { balances_[i] += amount; }

  std::unique_ptr<int64_t[]> balances_;
};

class SequentialEngine final : public Engine {
 public:
  explicit SequentialEngine(const BankConfig& config) : bank_(config) {}
  // REQUIRES: thread_id == 0 and no other worker (main.cc enforces threads=1).
  WorkerResult RunWorker(int thread_id, const RunControl& ctl) override {
    return RunTransferLoop(bank_, thread_id, ctl);
  }
  int64_t Balance(uint64_t i) const override { return bank_.Balance(i); }

 private:
  SequentialBank bank_;
};

}  // namespace

std::unique_ptr<Engine> NewSequentialEngine(const BankConfig& config) {
  return std::make_unique<SequentialEngine>(config);
}

}  // namespace tmkv::bankbench
