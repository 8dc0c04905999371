// ACL as a Redis 7.0 server with only its "default" user answers it. tmkv
// has no other users and no per-command rules: the default user may run
// everything (+@all ~* &*), with requirepass as its one password. So:
//   WHOAMI, USERS, LIST, GETUSER   that user, as Redis shows it (a password
//                                  as the SHA-256 of it, never the text)
//   DRYRUN                         OK for the default user and any known
//                                  command with a valid argument count
//   LOG                            failed authentications (acl_log.h)
//   GENPASS                        random hex from the kernel's CSPRNG
//   CAT                            the category names; the commands of one
//                                  category are refused: tmkv keeps no
//                                  categories per command (COMMAND INFO
//                                  lists none either)
//   SETUSER                        refused: other users and rules do not
//                                  exist here (CONFIG SET requirepass sets
//                                  the default user's password)
//   DELUSER                        deletes nothing (no user but default,
//                                  which Redis refuses to delete too)
//   LOAD, SAVE                     Redis's "no ACL file" error, which is
//                                  true here
#include <array>

#include "server/acl_log.h"
#include "server/client.h"
#include "server/cmd_util.h"
#include "server/command.h"
#include "server/reply.h"
#include "server/server.h"
#include "store/clock.h"

namespace tmkv::server {
namespace {

constexpr SubcommandArity kAclSubcommands[] = {
    {"cat", -2},          {"deluser", -3, true}, {"dryrun", -4, true}, {"genpass", -2},  {"getuser", 3, true},
    {"help", 2},          {"list", 2, true},     {"load", 2, true},    {"log", -2, true}, {"save", 2, true},
    {"setuser", -3, true}, {"users", 2, true},   {"whoami", 2},
};

// Redis 7.0's categories, in its order (ACL CAT).
constexpr std::array<const char*, 21> kCategories = {
    "keyspace", "read",   "write", "set",      "sortedset", "list",       "hash",        "string",
    "bitmap",   "hyperloglog", "geo", "stream", "pubsub",   "admin",      "fast",        "slow",
    "blocking", "dangerous",   "connection", "transaction", "scripting"};

constexpr std::string_view kDefaultUser = "default";

constexpr std::string_view kNoAclFile =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL "
    "SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order "
    "to store users in the Redis configuration.";

bool is_default_user(std::string_view name) { return name == kDefaultUser; }

// CAT, LOG and GENPASS take one optional argument; Redis's error for more
// names the subcommand as sent.
void too_many_arguments(CommandContext& c) {
  c.out.error("ERR unknown subcommand or wrong number of arguments for '" + std::string(c.arg(1)) +
              "'. Try ACL HELP.");
}

void acl_list(CommandContext& c) {
  const std::string hash = c.server.password_hash();
  c.out.array(1);
  c.out.bulk("user default on " + (hash.empty() ? std::string("nopass") : "#" + hash) + " ~* &* +@all");
}

void acl_getuser(CommandContext& c) {
  if (!is_default_user(c.arg(2))) {
    c.out.null();
    return;
  }
  const std::string hash = c.server.password_hash();
  c.out.map(6);
  c.out.bulk("flags");
  c.out.set(hash.empty() ? 2 : 1);  // a set in RESP3, as Redis sends it
  c.out.bulk("on");
  if (hash.empty()) c.out.bulk("nopass");
  c.out.bulk("passwords");
  c.out.array(hash.empty() ? 0 : 1);
  if (!hash.empty()) c.out.bulk(hash);
  c.out.bulk("commands");
  c.out.bulk("+@all");
  c.out.bulk("keys");
  c.out.bulk("~*");
  c.out.bulk("channels");
  c.out.bulk("&*");
  c.out.bulk("selectors");
  c.out.array(0);
}

void acl_cat(CommandContext& c) {
  if (c.argc() == 2) {
    c.out.array(kCategories.size());
    for (const char* name : kCategories) c.out.bulk(name);
    return;
  }
  if (c.argc() > 3) {
    too_many_arguments(c);
    return;
  }
  if (is_acl_category(c.arg(2))) {
    c.out.error("ERR tmkv keeps no ACL categories per command: ACL CAT <category> is not supported");
    return;
  }
  c.out.error("ERR Unknown category '" + std::string(c.arg(2)) + "'");
}

void acl_log(CommandContext& c) {
  if (c.argc() > 3) {
    too_many_arguments(c);
    return;
  }
  int64_t count = 10;
  if (c.argc() == 3) {
    if (equals_ci(c.arg(2), "reset")) {
      c.server.acl_log().reset();
      c.out.ok();
      return;
    }
    if (!get_ll_or_reply(c.out, c.arg(2), &count)) return;
  }
  const std::vector<AclLogEntry> entries =
      count > 0 ? c.server.acl_log().newest(static_cast<size_t>(count)) : std::vector<AclLogEntry>{};
  const int64_t now = store::system_unix_ms();
  c.out.array(entries.size());
  for (const AclLogEntry& e : entries) {
    c.out.map(7);
    c.out.bulk("count");
    c.out.integer(static_cast<int64_t>(e.count));
    c.out.bulk("reason");
    c.out.bulk(e.reason);
    c.out.bulk("context");
    c.out.bulk(e.context);
    c.out.bulk("object");
    c.out.bulk(e.object);
    c.out.bulk("username");
    c.out.bulk(e.username);
    c.out.bulk("age-seconds");
    c.out.dbl(static_cast<double>(now - e.updated_ms) / 1000);
    c.out.bulk("client-info");
    c.out.bulk(e.client_info);
  }
}

void acl_genpass(CommandContext& c) {
  constexpr int64_t kMaxBits = 4096;
  int64_t bits = 256;
  if (c.argc() > 3) {
    too_many_arguments(c);
    return;
  }
  if (c.argc() == 3 && !get_ll_or_reply(c.out, c.arg(2), &bits)) return;
  if (bits <= 0 || bits > kMaxBits) {
    c.out.error(
        "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to "
        "4096");
    return;
  }
  std::string password;
  if (!random_hex(static_cast<size_t>((bits + 3) / 4), &password)) {  // one hex digit per 4 bits, rounded up
    c.out.error("ERR cannot read random bytes from the kernel");
    return;
  }
  c.out.bulk(password);
}

// DRYRUN <user> <command> [arg ...]: Redis's checks, in its order.
void acl_dryrun(CommandContext& c) {
  if (!is_default_user(c.arg(2))) {
    c.out.error("ERR User '" + std::string(c.arg(2)) + "' not found");
    return;
  }
  const std::span<const std::string_view> call = c.args.subspan(3);
  const CommandSpec* spec = find_command(call[0]);
  // An unknown subcommand is an unknown command to DRYRUN, which names the
  // container.
  if (spec == nullptr ||
      (!spec->subcommands.empty() && call.size() >= 2 && find_subcommand(*spec, call[1]) == nullptr)) {
    c.out.error("ERR Command '" + std::string(call[0]) + "' not found");
    return;
  }
  // Then the dispatcher's own arity checks, and their texts.
  if (!arity_ok(*spec, call.size())) {
    c.out.error("ERR wrong number of arguments for '" + std::string(spec->name) + "' command");
    return;
  }
  if (const std::string error = subcommand_error(*spec, call); !error.empty()) {
    c.out.error(error);
    return;
  }
  c.out.ok();  // the default user may run every command (+@all ~* &*)
}

void cmd_acl(CommandContext& c) {
  // The dispatcher checked the subcommand and its arity (kAclSubcommands).
  const std::string sub = to_lower(c.arg(1));
  if (sub == "whoami") {
    c.out.bulk(kDefaultUser);  // every connection is the default user's
  } else if (sub == "users") {
    c.out.array(1);
    c.out.bulk(kDefaultUser);
  } else if (sub == "list") {
    acl_list(c);
  } else if (sub == "getuser") {
    acl_getuser(c);
  } else if (sub == "cat") {
    acl_cat(c);
  } else if (sub == "log") {
    acl_log(c);
  } else if (sub == "genpass") {
    acl_genpass(c);
  } else if (sub == "dryrun") {
    acl_dryrun(c);
  } else if (sub == "deluser") {
    for (size_t i = 2; i < c.argc(); ++i) {
      if (is_default_user(c.arg(i))) {
        c.out.error("ERR The 'default' user cannot be removed");
        return;
      }
    }
    c.out.integer(0);  // no other user exists, so none was deleted
  } else if (sub == "setuser") {
    c.out.error(
        "ERR tmkv has only the 'default' user, allowed every command: ACL SETUSER is not supported (CONFIG SET "
        "requirepass sets the default user's password)");
  } else if (sub == "load" || sub == "save") {
    c.out.error(kNoAclFile);
  } else {
    static const char* kHelp[] = {
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT",
        "    List all command categories. (tmkv keeps no categories per command: CAT <category> is refused.)",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users. tmkv has only 'default', which cannot be deleted.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "SAVE",
        "    Refused: there is no ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries: failed authentications.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Refused: tmkv has only the 'default' user (CONFIG SET requirepass sets its password).",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        "HELP",
        "    Print this help."};
    reply_help(c.out, kHelp);
  }
}

}  // namespace

bool is_acl_category(std::string_view name) {
  for (const char* category : kCategories) {
    if (equals_ci(name, category)) return true;
  }
  return false;
}

void register_acl_commands(std::vector<CommandSpec>& t) {
  t.push_back({"acl", -2, 0, 0, 0, 0, "server", "A container for Access List Control commands", cmd_acl,
               kAclSubcommands});
}

}  // namespace tmkv::server
