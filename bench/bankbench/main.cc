// tmkv-bankbench: runs the bank-transfer workload on one engine for a fixed
// time, checks that money was conserved, and reports throughput. See
// bench/README.md for what each engine is and why it is here.
//
//   tmkv-bankbench --engine=stm --threads 2 --accounts 1000000 --seconds 3
//
// The last line of stdout is always `txns_per_sec=<number>` on success, so
// scripts can take it with `tail -n1`.
#include <atomic>
#include <barrier>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/bankbench/cross_core_probe.h"
#include "bench/bankbench/engine.h"
#include "bench/bankbench/flags.h"
#include "bench/bankbench/memory_report.h"
#include "stm/tx_stats.h"

namespace tmkv::bankbench {
namespace {

// One --engine choice.
struct EngineEntry {
  const char* name;
  // nullptr: known, but not built in this configuration (see `missing`).
  EngineFactory factory;
  // The most worker threads the engine is correct with; 0 means no limit.
  int max_threads;
  const char* help;
  // Why `factory` is nullptr, for the error message.
  const char* missing;
};

// ===========================================================================
// ENGINE REGISTRY — EXTENSION POINT.
// To add an engine family (the HTM engines `htm`, `emulated-htm` and `auto`
// are next): implement Engine (engine.h) in its own <family>_engine.cc,
// declare its factory in engine.h, add the file to CMakeLists.txt, and add
// one row per engine here. A family that only builds in some configurations
// gets its row under both branches of an #if, with a nullptr factory and a
// `missing` reason in the branch where it is absent, as libitm does below.
// ===========================================================================
const EngineEntry kEngines[] = {
    {"stm", NewStmEngine, 0, "tmkv's TL2 STM: TVar accounts, withdraw/deposit composed by nesting", nullptr},
    {"global-lock", NewGlobalLockEngine, 0, "one std::mutex around every transfer", nullptr},
    {"ordered-locks", NewOrderedLocksEngine, 0, "a mutex per account, taken in address order", nullptr},
#if TMKV_BANKBENCH_LIBITM
    {"libitm", NewLibitmEngine, 0, "GCC __transaction_atomic (-fgnu-tm, libitm)", nullptr},
#else
    {"libitm", nullptr, 0, "GCC __transaction_atomic (-fgnu-tm, libitm)",
     "g++ cannot combine -fgnu-tm with sanitizers, so sanitizer builds leave it out"},
#endif
    {"sequential", NewSequentialEngine, 1, "plain array, no synchronization; --threads 1 only", nullptr},
    {"htm", NewHtmEngine, 0, "hybrid on real hardware TM (RTM/TME); exits 1 where the CPU has none", nullptr},
    {"emulated-htm", NewEmulatedHtmEngine, 0, "hybrid over the emulated HTM (tests the protocol, not speed)", nullptr},
    {"auto", NewAutoEngine, 0, "hybrid where the CPU has HTM, else stm through the same dispatch", nullptr},
};

const EngineEntry* FindEngine(std::string_view name) {
  for (const EngineEntry& e : kEngines) {
    if (name == e.name) return &e;
  }
  return nullptr;
}

std::string EngineNames() {
  std::string names;
  for (const EngineEntry& e : kEngines) {
    if (!names.empty()) names += ", ";
    names += e.name;
  }
  return names;
}

// The engine lines of --help, aligned under the flag descriptions.
std::string EnginesHelp() {
  std::string text;
  for (const EngineEntry& e : kEngines) {
    char line[256];
    std::snprintf(line, sizeof line, "      %-17s %s%s\n", e.name, e.help,
                  e.factory == nullptr ? " [not built here]" : "");
    text += line;
  }
  return text;
}

// Prints a usage error and returns the exit status for it.
int UsageError(const std::string& message) {
  std::fprintf(stderr, "tmkv-bankbench: %s\nRun 'tmkv-bankbench --help' for usage.\n", message.c_str());
  return 2;
}

// Reads every final balance (single-threaded: workers have joined) and
// checks that money was conserved and nothing went negative. Prints the
// result; returns false if an invariant is broken.
bool VerifyInvariants(const Engine& engine, const BankConfig& config) {
  const int64_t expected = static_cast<int64_t>(config.accounts) * config.initial_balance;  // checked in flags
  int64_t sum = 0;
  bool overflow = false;
  int64_t min_balance = std::numeric_limits<int64_t>::max();
  uint64_t negative = 0;
  for (uint64_t i = 0; i < config.accounts; ++i) {
    const int64_t b = engine.Balance(i);
    if (b < min_balance) min_balance = b;
    if (b < 0) ++negative;
    overflow |= __builtin_add_overflow(sum, b, &sum);
  }
  if (overflow || sum != expected || negative != 0) {
    std::printf("invariants: VIOLATED\n");
    std::fprintf(stderr,
                 "tmkv-bankbench: INVARIANT VIOLATED: sum of balances %" PRId64 "%s, expected %" PRId64
                 "; %" PRIu64 " negative balances (minimum %" PRId64 ")\n",
                 sum, overflow ? " (overflowed)" : "", expected, negative, min_balance);
    return false;
  }
  std::printf("invariants: ok (sum %" PRId64 " = %" PRIu64 " x %" PRId64 ", minimum balance %" PRId64 ")\n", sum,
              config.accounts, config.initial_balance, min_balance);
  return true;
}

// Runs the benchmark on `entry`'s engine; returns the process exit status.
int RunBenchmark(const Flags& flags, const EngineEntry& entry) {
  const BankConfig& config = flags.bank;
  std::unique_ptr<Engine> engine;
  try {
    engine = entry.factory(config);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "tmkv-bankbench: out of memory creating %" PRIu64 " accounts\n", config.accounts);
    return 1;
  } catch (const EngineUnavailable& e) {
    std::fprintf(stderr, "tmkv-bankbench: engine %s unavailable: %s\n", entry.name, e.what());
    return 1;
  }

  // The driver is a participant too, so the clock starts only once every
  // worker has finished its set-up and is about to run.
  std::barrier<> start(config.threads + 1);
  std::atomic<bool> stop{false};
  const RunControl ctl{&config, &start, &stop};
  std::vector<WorkerResult> results(config.threads);

  // Where the hypervisor has put the two vCPUs decides T=2 results more
  // than anything else here (cross_core_probe.h), so multi-threaded runs say.
  const bool probe = config.threads > 1;
  const std::optional<double> rtt_before = probe ? MeasureCrossCoreRoundTripNs() : std::nullopt;
  engine->BeginRun();
  std::vector<std::thread> workers;
  workers.reserve(config.threads);
  for (int t = 0; t < config.threads; ++t) {
    workers.emplace_back([&, t] { results[t] = engine->RunWorker(t, ctl); });
  }
  start.arrive_and_wait();
  const auto began = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(flags.seconds));
  // Relaxed, like the workers' loads (transfer_loop.h): nothing is published
  // through the flag.
  stop.store(true, std::memory_order_relaxed);
  for (std::thread& w : workers) w.join();
  // Elapsed until the last in-flight transaction finished, because those
  // transactions are counted too.
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  engine->EndRun();
  const std::optional<double> rtt_after = probe ? MeasureCrossCoreRoundTripNs() : std::nullopt;

  WorkerResult total;
  for (const WorkerResult& r : results) {
    total.transfers += r.transfers;
    total.refused += r.refused;
  }
  const uint64_t txns = total.transfers + total.refused;

  std::printf("engine: %s\n", entry.name);
  std::printf("threads: %d  accounts: %" PRIu64 "  initial_balance: %" PRId64 "  seed: %" PRIu64 "\n",
              config.threads, config.accounts, config.initial_balance, config.seed);
  std::printf("seconds: %.3f (requested %g)\n", elapsed, flags.seconds);
  std::printf("transactions: %" PRIu64 " (committed transfers %" PRIu64 ", refused for insufficient funds %" PRIu64
              ")\n",
              txns, total.transfers, total.refused);
  engine->ReportDetails(stdout);
  if (probe) PrintCrossCoreProbe(stdout, rtt_before, rtt_after);
  if (!VerifyInvariants(*engine, config)) return 1;

  // =========================================================================
  // REPORT EXTENSION POINT: further reports print here, after the
  // invariants and before the txns_per_sec line, which must stay the last
  // line of stdout.
  // =========================================================================
  PrintMemoryReport(stdout, MeasureStoreMemory(flags.memory_keys));

  std::printf("txns_per_sec=%.1f\n", static_cast<double>(txns) / elapsed);
  return 0;
}

int Main(int argc, char** argv) {
  Flags flags;
  std::string error;
  if (!ParseFlags(argc, argv, &flags, &error)) return UsageError(error);
  if (flags.help) {
    PrintUsage(stdout, EnginesHelp());
    return 0;
  }
  const EngineEntry* entry = FindEngine(flags.engine);
  if (entry == nullptr) {
    return UsageError("unknown engine '" + flags.engine + "'; choose one of: " + EngineNames());
  }
  if (entry->factory == nullptr) {
    return UsageError("engine '" + flags.engine + "' is not built in this configuration (" + entry->missing + ")");
  }
  if (entry->max_threads != 0 && flags.bank.threads > entry->max_threads) {
    return UsageError("engine '" + flags.engine + "' supports at most " + std::to_string(entry->max_threads) +
                      " thread(s); got --threads " + std::to_string(flags.bank.threads));
  }
  stm::set_latency_tracking(flags.latency_tracking);
  return RunBenchmark(flags, *entry);
}

}  // namespace
}  // namespace tmkv::bankbench

int main(int argc, char** argv) { return tmkv::bankbench::Main(argc, argv); }
