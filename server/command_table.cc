#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_map>

#include "server/client.h"
#include "server/command.h"
#include "server/server.h"

namespace tmkv::server {
namespace {

struct Table {
  std::vector<CommandSpec> specs;
  std::unordered_map<std::string_view, const CommandSpec*> by_name;  // keys: the specs' static names

  Table() {
    register_string_commands(specs);
    register_hash_commands(specs);
    register_set_commands(specs);
    register_key_commands(specs);
    register_connection_commands(specs);
    register_server_commands(specs);
    register_transaction_commands(specs);
    register_lcs_command(specs);
    register_bitmap_commands(specs);
    register_latency_command(specs);
    register_introspection_commands(specs);
    register_slowlog_command(specs);
    register_dump_commands(specs);
    register_pubsub_commands(specs);
    register_scripting_commands(specs);
    register_hyperloglog_commands(specs);
    register_list_commands(specs);
    register_zset_commands(specs);
    register_zset_op_commands(specs);
    register_stream_commands(specs);
    register_stream_read_commands(specs);
    register_stream_group_commands(specs);
    register_geo_commands(specs);
    register_sort_commands(specs);
    register_function_commands(specs);
    register_cluster_commands(specs);
    register_debug_module_commands(specs);
    register_persistence_commands(specs);
    register_replication_commands(specs);
    register_acl_commands(specs);
    std::sort(specs.begin(), specs.end(),
              [](const CommandSpec& a, const CommandSpec& b) { return std::string_view(a.name) < b.name; });
    for (size_t i = 0; i < specs.size(); ++i) specs[i].index = static_cast<uint32_t>(i);
    for (const CommandSpec& s : specs) by_name.emplace(s.name, &s);
  }
};

const Table& table() {
  static const Table t;  // built on first use; immutable afterwards
  return t;
}

}  // namespace

const CommandSpec* find_command(std::string_view name) {
  // Command names are short: lower-case into a stack buffer, no allocation.
  char buf[32];
  if (name.empty() || name.size() >= sizeof buf) return nullptr;
  // ASCII folding, not std::tolower: names are ASCII, and tolower is a
  // locale-aware library call per byte on the path of every request.
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    buf[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
  }
  const auto& t = table();
  auto it = t.by_name.find(std::string_view(buf, name.size()));
  return it == t.by_name.end() ? nullptr : it->second;
}

const std::vector<CommandSpec>& all_commands() { return table().specs; }

const SubcommandArity* find_subcommand(const CommandSpec& spec, std::string_view name) {
  for (const SubcommandArity& s : spec.subcommands) {
    if (equals_ci(name, s.name)) return &s;
  }
  return nullptr;
}

bool is_admin_call(const CommandSpec& spec, std::span<const std::string_view> args) {
  if (spec.flags & kAdmin) return true;
  if (args.size() < 2) return false;
  const SubcommandArity* s = find_subcommand(spec, args[1]);
  return s != nullptr && s->admin;
}

std::string command_full_name(const CommandSpec& spec, std::span<const std::string_view> args) {
  std::string name = spec.name;
  if (!spec.subcommands.empty() && args.size() >= 2) name += "|" + to_lower(args[1]);
  return name;
}

std::string subcommand_error(const CommandSpec& spec, std::span<const std::string_view> args) {
  if (spec.subcommands.empty() || args.size() < 2) return {};
  if (const SubcommandArity* s = find_subcommand(spec, args[1])) {
    if (arity_allows(s->arity, args.size())) return {};
    return "ERR wrong number of arguments for '" + command_full_name(spec, args) + "' command";
  }
  std::string upper = spec.name;
  for (char& ch : upper) ch = static_cast<char>(ch - ('a' - 'A') * (ch >= 'a' && ch <= 'z'));
  // Redis shows at most 128 bytes of what was sent.
  return "ERR unknown subcommand '" + std::string(args[1].substr(0, 128)) + "'. Try " + upper + " HELP.";
}

bool equals_ci(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void reply_status(Reply& out, store::OpStatus s) { out.error(store::op_status_message(s)); }

store::Store& CommandContext::db() { return server.db(client.db); }

}  // namespace tmkv::server
