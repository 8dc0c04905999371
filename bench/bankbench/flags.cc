#include "bench/bankbench/flags.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <system_error>

namespace tmkv::bankbench {
namespace {

constexpr int kMaxThreads = 4096;
// Far beyond any machine's memory at 16+ bytes an account; the bound only
// keeps size arithmetic (accounts * sizeof(Account)) from overflowing.
constexpr uint64_t kMaxAccounts = uint64_t{1} << 40;
// A run longer than this is a typo, not a benchmark.
constexpr double kMaxSeconds = 1e6;

// Parses all of `text` as a base-10 integer of type T within [lo, hi].
template <class T>
bool ParseInteger(std::string_view text, T lo, T hi, T* out) {
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < lo || value > hi) return false;
  *out = value;
  return true;
}

// Parses all of `text` as a finite decimal number within (0, kMaxSeconds].
bool ParseSeconds(std::string_view text, double* out) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value) || value <= 0 || value > kMaxSeconds) return false;
  *out = value;
  return true;
}

std::string BadValue(std::string_view flag, std::string_view value, std::string_view expected) {
  std::string msg = "bad value '";
  msg.append(value).append("' for --").append(flag).append(": expected ").append(expected);
  return msg;
}

// Applies one flag that takes a value. Returns false with *error set.
bool ApplyValue(std::string_view name, std::string_view value, Flags* flags, std::string* error) {
  if (name == "engine") {
    if (value.empty()) {
      *error = BadValue(name, value, "an engine name");
      return false;
    }
    flags->engine.assign(value);
    return true;
  }
  if (name == "threads") {
    if (ParseInteger(value, 1, kMaxThreads, &flags->bank.threads)) return true;
    *error = BadValue(name, value, "an integer in [1, " + std::to_string(kMaxThreads) + "]");
    return false;
  }
  if (name == "accounts") {
    // Two at least: a transfer needs two distinct accounts.
    if (ParseInteger<uint64_t>(value, 2, kMaxAccounts, &flags->bank.accounts)) return true;
    *error = BadValue(name, value, "an integer in [2, 2^40]");
    return false;
  }
  if (name == "seconds") {
    if (ParseSeconds(value, &flags->seconds)) return true;
    *error = BadValue(name, value, "a number of seconds > 0 (fractions allowed)");
    return false;
  }
  if (name == "initial-balance") {
    if (ParseInteger<int64_t>(value, 0, std::numeric_limits<int64_t>::max(), &flags->bank.initial_balance)) {
      return true;
    }
    *error = BadValue(name, value, "a non-negative integer");
    return false;
  }
  if (name == "memory-keys") {
    // Keys are "key:" and 12 digits: 10^12 distinct 16-byte keys at most.
    if (ParseInteger<uint64_t>(value, 0, 999999999999ull, &flags->memory_keys)) return true;
    *error = BadValue(name, value, "an integer in [0, 10^12)");
    return false;
  }
  if (name == "latency-tracking") {
    if (value == "on" || value == "off") {
      flags->latency_tracking = value == "on";
      return true;
    }
    *error = BadValue(name, value, "on or off");
    return false;
  }
  if (name == "seed") {
    if (ParseInteger<uint64_t>(value, 0, std::numeric_limits<uint64_t>::max(), &flags->bank.seed)) return true;
    *error = BadValue(name, value, "an unsigned 64-bit integer");
    return false;
  }
  *error = "unknown flag --" + std::string(name);
  return false;
}

bool TakesValue(std::string_view name) {
  return name == "engine" || name == "threads" || name == "accounts" || name == "seconds" ||
         name == "initial-balance" || name == "seed" || name == "memory-keys" || name == "latency-tracking";
}

}  // namespace

bool ParseFlags(int argc, char** argv, Flags* flags, std::string* error) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      flags->help = true;
      continue;
    }
    if (arg.size() < 3 || arg.substr(0, 2) != "--") {
      *error = "unexpected argument '" + std::string(arg) + "' (flags start with --)";
      return false;
    }
    arg.remove_prefix(2);
    std::string_view name = arg;
    std::string_view value;
    const size_t eq = arg.find('=');
    if (eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else if (TakesValue(name)) {
      if (i + 1 >= argc) {
        *error = "flag --" + std::string(name) + " needs a value";
        return false;
      }
      value = argv[++i];
    }
    if (!TakesValue(name)) {
      *error = name == "help" ? "flag --help takes no value" : "unknown flag --" + std::string(name);
      return false;
    }
    if (!ApplyValue(name, value, flags, error)) return false;
  }
  // The invariant check sums every balance; the expected total must be
  // representable, or a correct run could not be told from a broken one.
  int64_t total = 0;
  if (__builtin_mul_overflow(static_cast<int64_t>(flags->bank.accounts), flags->bank.initial_balance, &total)) {
    *error = "--accounts x --initial-balance overflows a 64-bit balance total";
    return false;
  }
  return true;
}

void PrintUsage(std::FILE* out, const std::string& engines_help) {
  std::fprintf(out,
               "Usage: tmkv-bankbench [--flag=value | --flag value]...\n"
               "\n"
               "Bank-transfer benchmark: each thread moves a random amount in [1, 10]\n"
               "between two distinct random accounts (withdraw, then deposit), atomically,\n"
               "for a fixed time. A transfer from an account that cannot cover it is\n"
               "refused (no balance goes negative) and still counts as a transaction.\n"
               "At the end money must be conserved; the last line of stdout is\n"
               "txns_per_sec=<number>.\n"
               "\n"
               "Flags:\n"
               "  --engine=NAME           how transfers are made atomic (default stm):\n"
               "%s"
               "  --threads=N             worker threads (default 1)\n"
               "  --accounts=N            number of accounts, >= 2 (default 1000000); few\n"
               "                          accounts means high contention\n"
               "  --seconds=S             measured run time, fractions allowed (default 2)\n"
               "  --initial-balance=N     starting balance of every account (default 1000)\n"
               "  --seed=N                seeds the per-thread random generators, so runs\n"
               "                          with the same flags draw the same transfers (default 1)\n"
               "  --memory-keys=N         after the run, load N keys (16 B, 32 B values) into a\n"
               "                          fresh store and report heap bytes per key from\n"
               "                          jemalloc (default 1000000; 0 skips it)\n"
               "  --latency-tracking=on|off  time every transaction for the latency\n"
               "                          histograms, as tmkv-server does (default on)\n"
               "  --help                  print this text and exit\n"
               "\n"
               "Exit status: 0 ok, 1 invariant violated, 2 usage error.\n",
               engines_help.c_str());
}

}  // namespace tmkv::bankbench
