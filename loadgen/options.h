// Command-line options of tmkv-loadgen and their parser.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/key_chooser.h"

namespace tmkv::loadgen {

struct Options {
  // Server and connections.
  std::string host = "127.0.0.1";
  uint16_t port = 7379;
  std::string password;  // AUTH <password> on every connection when set
  std::string user;      // AUTH <user> <password> when set too
  int threads = 1;
  int connections = 50;  // per thread
  int pipeline = 1;      // operations in flight per connection

  // How long and how fast.
  double duration_s = 10;   // measured phase, unless requests > 0
  uint64_t requests = 0;    // measured operations in all, instead of a duration
  double warmup_s = 0;      // run but not measured, before the measured phase
  double rate = 0;          // open loop: scheduled operations per second in all; 0 = closed loop
  uint64_t seed = 1;

  // What to send.
  std::string workload = "bank";
  uint64_t key_count = 0;   // 0: the workload's default
  std::string key_prefix;   // empty: the workload's default
  KeyDistSpec key_dist;     // key_count is filled in from key_count above
  bool key_dist_given = false;
  uint32_t value_min = 32, value_max = 32;
  uint32_t keys_per_op = 4;
  std::vector<std::string> commands;  // custom templates
  bool load = true;                   // run the load phase

  // bank
  int64_t initial_balance = 1000;
  int64_t max_amount = 100;
  double report_ratio = 0.01;
  bool unsafe_transfers = false;  // hidden: non-atomic transfers, for the tests
  uint32_t unsafe_pause_us = 2000;

  // Output.
  std::string json_path;
  std::string plot_path;
  std::string metrics_url;
};

// Parses argv. Returns nullopt after printing help (exit 0, `help` set) or
// an error (exit 2) to stderr.
std::optional<Options> parse_options(int argc, char** argv, bool& help);
void print_usage(std::FILE* out);

}  // namespace tmkv::loadgen
