// The transactional engines: accounts are TVars and a transfer is the
// composition of two transactions, withdraw and deposit, inside a third.
// This is the usage the STM is built for (stm/atomically.h: nesting
// flattens), so the numbers include what composition costs rather than a
// hand-fused transaction.
//   stm           stm::atomically directly (TL2 only)
//   auto          htm::atomically after configure_tm(auto): hardware TM where
//                 the CPU has it, else the software path through the dispatch
//   emulated-htm  htm::atomically over the emulated HTM
//   htm           htm::atomically on real hardware TM; refuses where absent
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "bench/bankbench/engine.h"
#include "bench/bankbench/transfer_loop.h"
#include "htm/atomically.h"
#include "htm/hybrid_stats.h"
#include "htm/tm_mode.h"
#include "stm/stm.h"

namespace tmkv::bankbench {
namespace {

using Account = stm::TVar<int64_t>;

// Destroys and frees an array of accounts built in place by NewAccounts().
struct AccountArrayDeleter {
  size_t n;
  void operator()(Account* p) const {
    std::destroy_n(p, n);
    std::allocator<Account>().deallocate(p, n);
  }
};
using AccountArray = std::unique_ptr<Account[], AccountArrayDeleter>;

// n accounts holding `balance` each. Built in place because TVar is neither
// copyable nor assignable outside a transaction, and funding a million
// accounts through a million set-up transactions would only advance the
// global clock and pollute nothing useful.
AccountArray NewAccounts(size_t n, int64_t balance) {
  Account* p = std::allocator<Account>().allocate(n);  // honours alignas(16)
  for (size_t i = 0; i < n; ++i) std::construct_at(p + i, balance);
  return AccountArray(p, AccountArrayDeleter{n});
}

// Which atomically() a bank uses.
struct StmAtomic {
  template <class Fn>
  static auto run(Fn&& fn) {
    return stm::atomically(std::forward<Fn>(fn));
  }
};
struct HybridAtomic {
  template <class Fn>
  static auto run(Fn&& fn) {
    return htm::atomically(std::forward<Fn>(fn));
  }
};

// Atomic on its own; inside a transfer, insufficient funds cancels the whole
// enclosing transaction, whose atomically() then returns false.
template <class Atomic>
bool Withdraw(Account& account, int64_t amount) {
  return Atomic::run([&](stm::Tx& tx) {
    const int64_t balance = account.read(tx);
    if (balance < amount) tx.cancel(false);
    account.write(tx, balance - amount);
    return true;
  });
}

// Atomic on its own; flattens into an enclosing transaction.
template <class Atomic>
void Deposit(Account& account, int64_t amount) {
  Atomic::run([&](stm::Tx& tx) { account.write(tx, account.read(tx) + amount); });
}

template <class Atomic>
class StmBank {
 public:
  explicit StmBank(const BankConfig& config) : accounts_(NewAccounts(config.accounts, config.initial_balance)) {}

  // Withdraw then deposit as one transaction. False when Withdraw cancelled.
  bool Transfer(uint64_t from, uint64_t to, int64_t amount) {
    return Atomic::run([&](stm::Tx&) {
      Withdraw<Atomic>(accounts_[from], amount);
      Deposit<Atomic>(accounts_[to], amount);
      return true;
    });
  }

  // REQUIRES: no transaction is running (the workers have joined).
  int64_t Balance(uint64_t i) const { return accounts_[i].unsafe_peek(); }

 private:
  AccountArray accounts_;
};

template <class Atomic>
class StmEngine final : public Engine {
 public:
  explicit StmEngine(const BankConfig& config) : bank_(config) {}

  WorkerResult RunWorker(int thread_id, const RunControl& ctl) override {
    // Claims this thread's descriptor and context now, so that the first
    // timed transaction does not pay for the set-up.
    (void)stm::Tx::current();
    return RunTransferLoop(bank_, thread_id, ctl);
  }

  int64_t Balance(uint64_t i) const override { return bank_.Balance(i); }

  // The statistics are process-wide and cumulative, so the run's own numbers
  // are the difference of two snapshots.
  void BeginRun() override { before_ = stm::collect_tx_stats(); }
  void EndRun() override { after_ = stm::collect_tx_stats(); }

  void ReportDetails(std::FILE* out) const override {
    std::fprintf(out, "stm commits:");
    for (size_t i = 0; i < stm::kCommitPathCount; ++i) {
      std::fprintf(out, " %s=%" PRIu64, stm::kCommitPathNames[i], after_.commits[i] - before_.commits[i]);
    }
    std::fprintf(out, "\nstm aborts:");
    for (size_t i = 0; i < stm::kAbortCauseCount; ++i) {
      const std::string_view name = stm::kAbortCauseNames[i];
      std::fprintf(out, " %.*s=%" PRIu64, static_cast<int>(name.size()), name.data(),
                   after_.aborts[i] - before_.aborts[i]);
    }
    std::fprintf(out, "\nstm escalations (went irrevocable): %" PRIu64 "\n", after_.escalations - before_.escalations);
    if constexpr (std::is_same_v<Atomic, HybridAtomic>) ReportHybrid(out);
  }

 private:
  void ReportHybrid(std::FILE* out) const {
    const htm::TmInfo info = htm::tm_info();
    std::fprintf(out, "tm: mode=%s path=%s htm_supported=%d backend=%s\ntm reason: %s\n",
                 std::string(htm::tm_mode_name(info.mode)).c_str(), std::string(htm::tm_path_name(info.path)).c_str(),
                 info.htm_supported ? 1 : 0, info.htm_backend.c_str(), info.reason.c_str());
    std::fprintf(out, "htm attempts: %" PRIu64 "\nhtm aborts:", htm::hw_started(after_) - htm::hw_started(before_));
    for (size_t i = 0; i < htm::kHwAbortNames.size(); ++i) {
      const auto a = static_cast<htm::HwAbort>(i);
      std::fprintf(out, " %s=%" PRIu64, std::string(htm::kHwAbortNames[i]).c_str(),
                   htm::hw_aborts(after_, a) - htm::hw_aborts(before_, a));
    }
    std::fprintf(out, "\nhtm fallbacks:");
    for (size_t i = 0; i < htm::kFallbackNames.size(); ++i) {
      const auto f = static_cast<htm::Fallback>(i);
      std::fprintf(out, " %s=%" PRIu64, std::string(htm::kFallbackNames[i]).c_str(),
                   htm::fallbacks(after_, f) - htm::fallbacks(before_, f));
    }
    std::fprintf(out, "\n");
  }

  StmBank<Atomic> bank_;
  stm::TxStatsSnapshot before_;
  stm::TxStatsSnapshot after_;
};

}  // namespace

std::unique_ptr<Engine> NewStmEngine(const BankConfig& config) {
  return std::make_unique<StmEngine<StmAtomic>>(config);
}

namespace {
// Configures the process-wide TM mode; throws EngineUnavailable (exit 1,
// never a silent fallback) where the mode cannot run.
std::unique_ptr<Engine> NewHybridEngine(const BankConfig& config, htm::TmMode mode) {
  std::string error;
  if (!htm::configure_tm(mode, htm::EmulationConfig{}, &error)) throw EngineUnavailable(error);
  return std::make_unique<StmEngine<HybridAtomic>>(config);
}
}  // namespace

std::unique_ptr<Engine> NewHtmEngine(const BankConfig& config) { return NewHybridEngine(config, htm::TmMode::kHtm); }
std::unique_ptr<Engine> NewEmulatedHtmEngine(const BankConfig& config) {
  return NewHybridEngine(config, htm::TmMode::kEmulatedHtm);
}
std::unique_ptr<Engine> NewAutoEngine(const BankConfig& config) { return NewHybridEngine(config, htm::TmMode::kAuto); }

}  // namespace tmkv::bankbench
