#include "server/command_keys.h"

#include <algorithm>
#include <climits>
#include <optional>
#include <string_view>

#include "server/cmd_util.h"

namespace tmkv::server {

namespace {

// Commands whose keys follow a count: [dest] numkeys key [key ...].
struct CountedKeys {
  std::string_view name;
  size_t dest_at;   // a destination key before the count, or 0
  size_t count_at;  // the count; the keys follow it
  bool may_have_none;  // Redis's "no_mandatory_keys": numkeys 0 is a valid call
};
constexpr CountedKeys kCountedKeys[] = {
    {"zunion", 0, 1, false},      {"zinter", 0, 1, false},      {"zdiff", 0, 1, false},
    {"zunionstore", 1, 2, false}, {"zinterstore", 1, 2, false}, {"zdiffstore", 1, 2, false},
    {"zintercard", 0, 1, false},  {"sintercard", 0, 1, false},  {"lmpop", 0, 1, false},
    {"zmpop", 0, 1, false},       {"blmpop", 0, 2, false},      {"bzmpop", 0, 2, false},
    {"eval", 0, 2, true},         {"evalsha", 0, 2, true},      {"eval_ro", 0, 2, true},
    {"evalsha_ro", 0, 2, true},   {"fcall", 0, 2, true},        {"fcall_ro", 0, 2, true},
};

// Containers whose listed subcommands take a key at position 2.
struct SubcommandKey {
  std::string_view container;
  std::string_view subcommand;
};
constexpr SubcommandKey kSubcommandKeys[] = {
    {"object", "encoding"}, {"object", "freq"},      {"object", "idletime"},      {"object", "refcount"},
    {"memory", "usage"},    {"xinfo", "consumers"},  {"xinfo", "groups"},         {"xinfo", "stream"},
    {"xgroup", "create"},   {"xgroup", "setid"},     {"xgroup", "destroy"},       {"xgroup", "createconsumer"},
    {"xgroup", "delconsumer"},
};

// Shard channels sit where the table puts keys; Redis flags them "not a key".
constexpr std::string_view kChannelsNotKeys[] = {"spublish", "ssubscribe", "sunsubscribe"};

const CountedKeys* counted_keys_of(std::string_view name) {
  for (const CountedKeys& c : kCountedKeys) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

bool listed_subcommand_key(std::string_view container, std::string_view sub) {
  return std::any_of(std::begin(kSubcommandKeys), std::end(kSubcommandKeys), [&](const SubcommandKey& k) {
    return k.container == container && equals_ci(k.subcommand, sub);
  });
}

// C's atoi, which Redis's getkeys procedures use when a key spec fails:
// leading white space, a sign, then as many digits as there are ("2abc" is
// 2, "x" is 0). Saturates instead of overflowing; any huge count is out of
// range either way.
int64_t atoi_count(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  int64_t v = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) v = std::min<int64_t>(v * 10 + (s[i] - '0'), INT_MAX);
  return negative ? -v : v;
}

// [dest] numkeys key ...: Redis's key specs (destination first) when the
// count is a well-formed number of keys that all exist; otherwise its
// getkeys procedure (genericGetKeys: atoi, and the destination last).
KeysFound counted_keys(const CountedKeys& c, std::span<const std::string_view> args, std::vector<size_t>* out) {
  const size_t argc = args.size();
  if (c.count_at >= argc) return c.may_have_none ? KeysFound::kNone : KeysFound::kInvalid;
  const size_t first = c.count_at + 1;
  const size_t available = argc - first;
  // parse_ll is Redis's string2ll, what a key spec's count must satisfy.
  if (const std::optional<int64_t> n = parse_ll(args[c.count_at]);
      n && *n >= 1 && static_cast<uint64_t>(*n) <= available) {
    if (c.dest_at != 0) out->push_back(c.dest_at);
    for (size_t i = 0; i < static_cast<size_t>(*n); ++i) out->push_back(first + i);
    return KeysFound::kKeys;
  }
  const int64_t n = atoi_count(args[c.count_at]);
  if (n < 1 || static_cast<uint64_t>(n) > available) return c.may_have_none ? KeysFound::kNone : KeysFound::kInvalid;
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) out->push_back(first + i);
  if (c.dest_at != 0) out->push_back(c.dest_at);
  return KeysFound::kKeys;
}

// SORT key [BY p] [LIMIT o c] [GET p ...] [ASC|DESC] [ALPHA] [STORE dest]:
// the key, and the last STORE's destination (Redis's sortGetKeys, whose
// scan skips LIMIT's two arguments and BY's and GET's one).
void sort_keys(std::span<const std::string_view> args, std::vector<size_t>* out) {
  out->push_back(1);
  size_t store = 0;
  for (size_t i = 2; i < args.size(); ++i) {
    if (equals_ci(args[i], "limit")) {
      i += 2;
    } else if (equals_ci(args[i], "store") && i + 1 < args.size()) {
      store = i + 1;  // not skipped: the scan goes on from the destination
    } else if (equals_ci(args[i], "get") || equals_ci(args[i], "by")) {
      i += 1;
    }
  }
  if (store != 0) out->push_back(store);
}

// XREAD / XREADGROUP ... STREAMS key [key ...] id [id ...]: the first
// half of what follows STREAMS, found past the options as Redis's
// xreadGetKeys finds it. False for a call that cannot hold the keys.
bool xread_keys(std::span<const std::string_view> args, std::vector<size_t>* out) {
  size_t streams = 0;
  for (size_t i = 1; i < args.size(); ++i) {
    if (equals_ci(args[i], "block") || equals_ci(args[i], "count")) {
      ++i;
    } else if (equals_ci(args[i], "group")) {
      i += 2;
    } else if (equals_ci(args[i], "noack")) {
      continue;
    } else if (equals_ci(args[i], "streams")) {
      streams = i;
      break;
    } else {
      break;
    }
  }
  const size_t n = streams == 0 ? 0 : args.size() - streams - 1;
  if (n == 0 || n % 2 != 0) return false;
  for (size_t i = 0; i < n / 2; ++i) out->push_back(streams + 1 + i);
  return true;
}

// GEORADIUS key lon lat radius unit ... / GEORADIUSBYMEMBER key member
// radius unit ...: the key, then the argument after the first STORE and
// the one after the first STOREDIST among the options (Redis's keyword key
// specs; the last argument is never taken for a keyword).
void georadius_keys(std::span<const std::string_view> args, size_t options_at, std::vector<size_t>* out) {
  out->push_back(1);
  for (std::string_view keyword : {"store", "storedist"}) {
    for (size_t i = options_at; i + 1 < args.size(); ++i) {
      if (equals_ci(args[i], keyword)) {
        out->push_back(i + 1);
        break;
      }
    }
  }
}

}  // namespace

bool command_declares_keys(const CommandSpec& spec, std::string_view sub) {
  const std::string_view name = spec.name;
  if (!spec.subcommands.empty()) return listed_subcommand_key(name, sub);
  if (std::find(std::begin(kChannelsNotKeys), std::end(kChannelsNotKeys), name) != std::end(kChannelsNotKeys)) {
    return false;
  }
  return spec.first_key > 0 || counted_keys_of(name) != nullptr || name == "xread" || name == "xreadgroup";
}

bool command_has_movable_keys(const CommandSpec& spec) {
  const std::string_view name = spec.name;
  // SORT_RO too, as Redis flags it: its BY and GET patterns read keys that
  // no position names (GETKEYS still lists only the sorted key).
  return counted_keys_of(name) != nullptr || name == "sort" || name == "sort_ro" || name == "georadius" ||
         name == "georadiusbymember" || name == "xread" || name == "xreadgroup";
}

bool subcommand_takes_key(const CommandSpec& spec, std::string_view sub) { return listed_subcommand_key(spec.name, sub); }

KeysFound find_command_keys(const CommandSpec& spec, std::span<const std::string_view> args,
                            std::vector<size_t>* positions) {
  const std::string_view name = spec.name;
  const size_t before = positions->size();
  if (!command_declares_keys(spec, args.size() > 1 ? args[1] : std::string_view())) return KeysFound::kInvalid;
  if (const CountedKeys* c = counted_keys_of(name)) return counted_keys(*c, args, positions);
  if (name == "xread" || name == "xreadgroup") {
    if (!xread_keys(args, positions)) return KeysFound::kInvalid;
  } else if (name == "sort") {
    sort_keys(args, positions);
  } else if (name == "georadius" || name == "georadiusbymember") {
    georadius_keys(args, name == "georadius" ? 6 : 5, positions);
  } else if (!spec.subcommands.empty()) {
    if (args.size() > 2) positions->push_back(2);
  } else {
    for_each_fixed_key_position(spec, args.size(), [&](size_t i) {
      positions->push_back(i);
      return true;
    });
  }
  return positions->size() > before ? KeysFound::kKeys : KeysFound::kInvalid;
}

void command_keys(const CommandSpec& spec, std::span<const std::string_view> args,
                  std::vector<std::string_view>* keys) {
  std::vector<size_t> positions;
  if (find_command_keys(spec, args, &positions) != KeysFound::kKeys) return;
  for (size_t i : positions) keys->push_back(args[i]);
}

}  // namespace tmkv::server
