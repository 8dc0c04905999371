// Where a command line's keys are, as Redis 7.0 finds them for COMMAND
// GETKEYS and for client-side caching (getKeysFromCommandWithSpecs).
//
// Most commands have their keys at fixed positions: the command table's
// first_key, last_key and key_step (COMMAND INFO's legacy triple). The rest
// (Redis's "movablekeys") are known here by name:
//   - a count of keys, then the keys: ZUNION/ZINTER/ZDIFF and their STORE
//     forms (after the destination), ZINTERCARD, SINTERCARD, LMPOP, ZMPOP,
//     BLMPOP and BZMPOP (after the timeout), EVAL and FCALL in every form;
//   - SORT ... STORE dest (the last STORE), GEORADIUS[BYMEMBER] ... STORE
//     and STOREDIST;
//   - XREAD and XREADGROUP: the first half of what follows STREAMS;
//   - OBJECT, MEMORY, XINFO and XGROUP, whose key follows some subcommands
//     only.
// SPUBLISH, SSUBSCRIBE and SUNSUBSCRIBE name shard channels where the table
// puts keys: Redis marks them "not a key", so they have none here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "server/command.h"

namespace tmkv::server {

// Calls fn(i) for each fixed key position i of `spec` over argc arguments,
// while fn returns true. Inline: the pipeline prefetch runs it for every
// pipelined command.
template <class Fn>
void for_each_fixed_key_position(const CommandSpec& spec, size_t argc, Fn&& fn) {
  if (spec.first_key <= 0) return;
  const auto n = static_cast<int64_t>(argc);
  const int64_t last = spec.last_key < 0 ? n + spec.last_key : spec.last_key;
  const int64_t step = spec.key_step > 0 ? spec.key_step : 1;
  for (int64_t i = spec.first_key; i <= last && i < n; i += step) {
    if (!fn(static_cast<size_t>(i))) return;
  }
}

enum class KeysFound : uint8_t {
  kKeys,     // at least one key
  kNone,     // a valid call without keys (EVAL or FCALL with numkeys 0)
  kInvalid,  // the arguments cannot hold the keys ("numkeys" out of range)
};

// The positions in `args` (args[0] is the command's name) of the command's
// keys, appended to `positions` in Redis's order. `spec` is args[0]'s entry;
// for a container (OBJECT, MEMORY) args[1] names the subcommand.
KeysFound find_command_keys(const CommandSpec& spec, std::span<const std::string_view> args,
                            std::vector<size_t>* positions);

// Whether the command (the subcommand `sub` of a container) ever takes a
// key: Redis's doesCommandHaveKeys, COMMAND GETKEYS's second check.
bool command_declares_keys(const CommandSpec& spec, std::string_view sub);

// Whether the keys of `spec` move with its arguments (COMMAND INFO's
// "movablekeys" flag): a count of keys, SORT's STORE, GEORADIUS's STORE.
bool command_has_movable_keys(const CommandSpec& spec);

// Whether subcommand `sub` of container `spec` takes a key (at position 2).
bool subcommand_takes_key(const CommandSpec& spec, std::string_view sub);

// The keys themselves, appended to `keys` (none for an invalid call).
void command_keys(const CommandSpec& spec, std::span<const std::string_view> args,
                  std::vector<std::string_view>* keys);

}  // namespace tmkv::server
