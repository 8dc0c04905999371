// Command-line flags of tmkv-bankbench. Both "--flag=value" and
// "--flag value" are accepted; the driver turns any error into exit code 2.
#pragma once

#include <cstdio>
#include <string>

#include "bench/bankbench/engine.h"

namespace tmkv::bankbench {

struct Flags {
  std::string engine = "stm";
  BankConfig bank;     // --threads, --accounts, --initial-balance, --seed
  double seconds = 2;  // --seconds; fractional values allowed
  bool help = false;   // --help: print usage and exit 0
  // --memory-keys: keys loaded into a fresh store for the memory-per-key
  // report after the run (0 skips it).
  uint64_t memory_keys = 1000000;
  // --latency-tracking: time every transaction for the latency histograms,
  // as tmkv-server does by default (off measures what that costs).
  bool latency_tracking = true;
};

// Parses argv[1..argc) into *flags (which holds the defaults on entry).
// Returns false with a one-line message in *error on an unknown flag, a
// missing or malformed value, or values that do not fit together. Does not
// check the engine name: the engine registry lives in main.cc.
bool ParseFlags(int argc, char** argv, Flags* flags, std::string* error);

// Writes the --help text. `engines_help` is the list of engines, one
// "  name  description" line each, supplied by the driver's registry.
void PrintUsage(std::FILE* out, const std::string& engines_help);

}  // namespace tmkv::bankbench
