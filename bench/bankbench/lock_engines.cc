// The lock-based baselines: what a programmer writes without a TM.
//
//   global-lock    one mutex around every transfer. Trivially correct, and
//                  the floor a TM must clear once there is any parallelism.
//   ordered-locks  a mutex per account, both taken lowest address first so
//                  two opposite transfers cannot deadlock. The hand-tuned
//                  fine-grained design a TM competes with; note that it is
//                  not composable: withdraw and deposit cannot each lock
//                  their own account, the caller must know both up front.
#include <memory>
#include <mutex>

#include "bench/bankbench/engine.h"
#include "bench/bankbench/transfer_loop.h"

namespace tmkv::bankbench {
namespace {

// Removes `amount` from `*balance` unless that would make it negative.
// REQUIRES: the caller holds whatever lock protects *balance.
bool WithdrawLocked(int64_t* balance, int64_t amount) {
  if (*balance < amount) return false;
  *balance -= amount;
  return true;
}

// REQUIRES: the caller holds whatever lock protects *balance.
void DepositLocked(int64_t* balance, int64_t amount) { *balance += amount; }

class GlobalLockBank {
 public:
  explicit GlobalLockBank(const BankConfig& config) : balances_(new int64_t[config.accounts]) {
    for (uint64_t i = 0; i < config.accounts; ++i) balances_[i] = config.initial_balance;
  }

  // Withdraw then deposit under the one lock.
  bool Transfer(uint64_t from, uint64_t to, int64_t amount) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!WithdrawLocked(&balances_[from], amount)) return false;
    DepositLocked(&balances_[to], amount);
    return true;
  }

  // REQUIRES: no concurrent Transfer.
  int64_t Balance(uint64_t i) const { return balances_[i]; }

 private:
  std::mutex mu_;
  std::unique_ptr<int64_t[]> balances_;
};

class OrderedLocksBank {
 public:
  explicit OrderedLocksBank(const BankConfig& config) : accounts_(new Account[config.accounts]) {
    for (uint64_t i = 0; i < config.accounts; ++i) accounts_[i].balance = config.initial_balance;
  }

  // Locks both accounts, lower address first, then withdraw then deposit.
  // Explicit rather than std::scoped_lock, whose deadlock avoidance is a
  // try-and-back-off algorithm, not the address-order discipline measured.
  bool Transfer(uint64_t from, uint64_t to, int64_t amount) {
    Account& a = accounts_[from];
    Account& b = accounts_[to];
    std::mutex& first = &a < &b ? a.mu : b.mu;
    std::mutex& second = &a < &b ? b.mu : a.mu;
    std::lock_guard<std::mutex> l1(first);
    std::lock_guard<std::mutex> l2(second);
    if (!WithdrawLocked(&a.balance, amount)) return false;
    DepositLocked(&b.balance, amount);
    return true;
  }

  // REQUIRES: no concurrent Transfer.
  int64_t Balance(uint64_t i) const { return accounts_[i].balance; }

 private:
  // The balance next to its lock: one cache line per account touched.
  struct Account {
    std::mutex mu;
    int64_t balance = 0;
  };
  std::unique_ptr<Account[]> accounts_;
};

// Adapts a bank type to the Engine interface.
template <class Bank>
class LockEngine final : public Engine {
 public:
  explicit LockEngine(const BankConfig& config) : bank_(config) {}
  WorkerResult RunWorker(int thread_id, const RunControl& ctl) override {
    return RunTransferLoop(bank_, thread_id, ctl);
  }
  int64_t Balance(uint64_t i) const override { return bank_.Balance(i); }

 private:
  Bank bank_;
};

}  // namespace

std::unique_ptr<Engine> NewGlobalLockEngine(const BankConfig& config) {
  return std::make_unique<LockEngine<GlobalLockBank>>(config);
}

std::unique_ptr<Engine> NewOrderedLocksEngine(const BankConfig& config) {
  return std::make_unique<LockEngine<OrderedLocksBank>>(config);
}

}  // namespace tmkv::bankbench
