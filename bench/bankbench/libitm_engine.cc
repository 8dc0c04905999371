// The `libitm` engine: GCC's own software TM (-fgnu-tm, libitm) over a plain
// int64_t array, with the same composition as the stm engine: withdraw and
// deposit are each a transaction, and transfer runs both inside a third
// (GCC flattens nested __transaction_atomic blocks). It is the off-the-shelf
// STM that tmkv's must beat to justify existing.
//
// Built only without sanitizers (CMakeLists.txt). Everything called inside a
// transaction must be transaction_safe, so the bodies stay plain arithmetic.
#include <memory>

#include "bench/bankbench/engine.h"
#include "bench/bankbench/transfer_loop.h"

namespace tmkv::bankbench {
namespace {

// Removes `amount` from `*balance` unless that would make it negative, in
// which case it writes nothing and returns false. libitm can also cancel a
// transaction (__transaction_cancel), but refusing before the first write
// leaves the same state without paying for a rollback.
__attribute__((transaction_safe)) bool Withdraw(int64_t* balance, int64_t amount) {
  bool ok = false;
  __transaction_atomic {
    if (*balance >= amount) {
      *balance -= amount;
      ok = true;
    }
  }
  return ok;
}

// Atomic on its own; flattens into an enclosing transaction.
__attribute__((transaction_safe)) void Deposit(int64_t* balance, int64_t amount) {
  __transaction_atomic { *balance += amount; }
}

class LibitmBank {
 public:
  explicit LibitmBank(const BankConfig& config) : balances_(new int64_t[config.accounts]) {
    for (uint64_t i = 0; i < config.accounts; ++i) balances_[i] = config.initial_balance;
  }

  // Withdraw then deposit as one transaction; false when Withdraw refused.
  // Not inlined: g++ 12 with -fgnu-tm instruments loads in the caller's loop
  // too (the stop-flag load became an _ITM_RU8 call outside any transaction
  // and crashed), so the transaction must sit in a function of its own.
  __attribute__((noinline)) bool Transfer(uint64_t from, uint64_t to, int64_t amount) {
    int64_t* const balances = balances_.get();
    bool ok = false;
    __transaction_atomic {
      ok = Withdraw(&balances[from], amount);
      if (ok) Deposit(&balances[to], amount);
    }
    return ok;
  }

  // REQUIRES: no transaction is running (the workers have joined).
  int64_t Balance(uint64_t i) const { return balances_[i]; }

 private:
  std::unique_ptr<int64_t[]> balances_;
};

class LibitmEngine final : public Engine {
 public:
  explicit LibitmEngine(const BankConfig& config) : bank_(config) {}
  WorkerResult RunWorker(int thread_id, const RunControl& ctl) override {
    return RunTransferLoop(bank_, thread_id, ctl);
  }
  int64_t Balance(uint64_t i) const override { return bank_.Balance(i); }

 private:
  LibitmBank bank_;
};

}  // namespace

std::unique_ptr<Engine> NewLibitmEngine(const BankConfig& config) { return std::make_unique<LibitmEngine>(config); }

}  // namespace tmkv::bankbench
