// The command table's vocabulary: what a command handler sees and declares.
//
// A handler runs with a CommandContext. Data commands (kTransactional) run
// inside a transaction that the dispatcher opens (dispatch.cc): every key
// they touch, through any number of store calls, commits atomically, and
// a handler may be re-run if the transaction retries, so it must not have
// effects outside transactional memory except on the Reply and on the
// client's own state that the dispatcher restores (db index). Other
// commands (connection and server administration) run outside any
// transaction.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/reply.h"
#include "stm/stm.h"
#include "store/store.h"

namespace tmkv::server {

class Client;
class Server;

enum CommandFlags : uint32_t {
  kTransactional = 1u << 0,  // runs inside a transaction (touches keys)
  kWrite = 1u << 1,          // may modify the keyspace
  kReadOnly = 1u << 2,       // never modifies: runs as a read-only transaction
  kNoAuth = 1u << 3,         // allowed before AUTH (AUTH, HELLO, QUIT)
  // Executes at once even inside MULTI instead of being queued: MULTI,
  // EXEC, DISCARD, WATCH, QUIT and RESET, the commands Redis's
  // processCommand never queues.
  kImmediateInMulti = 1u << 4,
  kAdmin = 1u << 5,
  kFast = 1u << 6,
  kDenyOom = 1u << 7,  // may grow memory: refused while over maxmemory (Redis's "denyoom")
  // Allowed to a RESP2 client with subscriptions (Redis's Pub/Sub context:
  // (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT, RESET).
  kSubscribedContext = 1u << 8,
  kPubSub = 1u << 9,  // has pub/sub effects that EXEC holds back until it commits (cmd_pubsub.h)
  // Redis's "readonly" + "may_replicate" (PFCOUNT): read-only to Redis's
  // users, but it may store bookkeeping in the value (PFCOUNT's cached
  // estimate), so it runs as a read-write transaction, and read-only
  // scripts refuse it as Redis's do.
  kMayReplicate = 1u << 10,
  // Redis 7's "protected" commands (DEBUG, MODULE's LOAD/LOADEX/UNLOAD):
  // see protected_command_refusal.
  kProtected = 1u << 11,
  // Redis's "no_multi" (SHUTDOWN, SAVE): refused inside MULTI with "Command
  // not allowed inside a transaction", which fails the EXEC. Such a command
  // has effects no transaction may hold back or retry.
  kNoMulti = 1u << 12,
};

struct CommandContext {
  std::span<const std::string_view> args;  // args[0] is the command name as sent
  Reply& out;
  Client& client;
  Server& server;
  stm::Tx* tx = nullptr;  // set for kTransactional commands
  bool in_exec = false;   // running as part of an EXEC block
  bool in_script = false;  // called by a Lua script (redis.call / redis.pcall)

  store::Store& db();  // the client's selected database
  std::string_view arg(size_t i) const { return args[i]; }
  size_t argc() const { return args.size(); }
};

using CommandHandler = void (*)(CommandContext& ctx);

// One subcommand of a container command (CLIENT, CONFIG, COMMAND, OBJECT,
// MEMORY): its name and Redis arity, counted from the container's name.
struct SubcommandArity {
  const char* name;    // lower case
  int arity;           // > 0 exact, < 0 at least -arity
  bool admin = false;  // Redis's "admin" flag on this subcommand (hidden from MONITOR)
};

struct CommandSpec {
  const char* name;  // lower case
  int arity;         // Redis convention: > 0 exact, < 0 at least -arity
  uint32_t flags;
  int first_key, last_key, key_step;  // COMMAND INFO key positions
  const char* group;                  // COMMAND DOCS group
  const char* summary;
  CommandHandler handler;
  // Containers only: the subcommands the handler serves. The dispatcher
  // rejects any other subcommand, or a wrong count of arguments, before the
  // handler runs (and at MULTI queue time, failing the EXEC), as Redis 7's
  // processCommand does.
  std::span<const SubcommandArity> subcommands = {};
  // Set by the table: this spec's position in all_commands(), which is also
  // its CommandStats slot.
  uint32_t index = 0;
};

// Registration: each cmd_*.cc file contributes its specs.
void register_string_commands(std::vector<CommandSpec>& table);
void register_hash_commands(std::vector<CommandSpec>& table);
void register_set_commands(std::vector<CommandSpec>& table);
void register_key_commands(std::vector<CommandSpec>& table);
void register_connection_commands(std::vector<CommandSpec>& table);
void register_server_commands(std::vector<CommandSpec>& table);
void register_transaction_commands(std::vector<CommandSpec>& table);
void register_lcs_command(std::vector<CommandSpec>& table);
void register_bitmap_commands(std::vector<CommandSpec>& table);
void register_latency_command(std::vector<CommandSpec>& table);
void register_introspection_commands(std::vector<CommandSpec>& table);
void register_slowlog_command(std::vector<CommandSpec>& table);
void register_dump_commands(std::vector<CommandSpec>& table);
void register_pubsub_commands(std::vector<CommandSpec>& table);
void register_scripting_commands(std::vector<CommandSpec>& table);
void register_hyperloglog_commands(std::vector<CommandSpec>& table);
void register_list_commands(std::vector<CommandSpec>& table);
void register_zset_commands(std::vector<CommandSpec>& table);
void register_zset_op_commands(std::vector<CommandSpec>& table);
void register_geo_commands(std::vector<CommandSpec>& table);
void register_sort_commands(std::vector<CommandSpec>& table);
void register_function_commands(std::vector<CommandSpec>& table);
void register_cluster_commands(std::vector<CommandSpec>& table);
void register_debug_module_commands(std::vector<CommandSpec>& table);
void register_persistence_commands(std::vector<CommandSpec>& table);
void register_replication_commands(std::vector<CommandSpec>& table);
void register_acl_commands(std::vector<CommandSpec>& table);
void register_stream_commands(std::vector<CommandSpec>& table);
void register_stream_read_commands(std::vector<CommandSpec>& table);
void register_stream_group_commands(std::vector<CommandSpec>& table);
// True for one of Redis 7.0's ACL category names (ACL CAT), any case.
bool is_acl_category(std::string_view name);
// Redis 7's protected commands (DEBUG; MODULE LOAD, LOADEX and UNLOAD)
// under enable-debug-command / enable-module-command "no", tmkv's only
// setting: the rejection to send, or empty if the command is allowed.
std::string_view protected_command_refusal(const CommandSpec& spec, std::span<const std::string_view> args);

// The table, built once; lookup is case-insensitive. nullptr if unknown.
const CommandSpec* find_command(std::string_view name);
const std::vector<CommandSpec>& all_commands();

// A container's subcommand named `name` (any case), or nullptr.
const SubcommandArity* find_subcommand(const CommandSpec& spec, std::string_view name);

// For a container command: the error Redis 7 gives for an unknown
// subcommand ("ERR unknown subcommand 'foo'. Try CLIENT HELP.") or for a
// known one with the wrong number of arguments ("ERR wrong number of
// arguments for 'client|setname' command"); empty if the call is well formed
// or the command is no container.
std::string subcommand_error(const CommandSpec& spec, std::span<const std::string_view> args);

// Redis 7's "fullname": "client|list" for a container's subcommand (args[1]
// already checked to be one of its own), the command's name otherwise.
std::string command_full_name(const CommandSpec& spec, std::span<const std::string_view> args);

// Redis's "admin" commands (CONFIG, SLOWLOG, SHUTDOWN, MONITOR, CLIENT
// LIST/KILL/NO-EVICT, ...), which MONITOR does not show.
bool is_admin_call(const CommandSpec& spec, std::span<const std::string_view> args);

// Redis's arity rule: > 0 exactly that many arguments (the name counted),
// < 0 at least -arity.
inline bool arity_allows(int arity, size_t argc) {
  return arity > 0 ? argc == static_cast<size_t>(arity) : argc >= static_cast<size_t>(-arity);
}
inline bool arity_ok(const CommandSpec& spec, size_t argc) { return arity_allows(spec.arity, argc); }

// Helpers shared by handlers.
bool equals_ci(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);
// Reply with store errors in Redis's words.
void reply_status(Reply& out, store::OpStatus s);

}  // namespace tmkv::server
