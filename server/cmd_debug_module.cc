// DEBUG and MODULE as redis-server 7.0 answers them with its defaults
// (enable-debug-command no, enable-module-command no), which are what tmkv
// has: DEBUG is refused whatever it asks; MODULE LIST lists no modules, and
// loading or unloading one is refused. The refusals are Redis's "protected
// command" rejections: the dispatcher makes them right after the arity
// checks, before authentication, and inside MULTI they fail the EXEC. Tools probe with MODULE LIST to see
// which modules a server has (RedisInsight, client libraries' module_list),
// and an "unknown command" would read as a broken server. The config
// options stay "no" (config.cc refuses anything else).
#include "server/cmd_util.h"
#include "server/command.h"
#include "server/reply.h"

namespace tmkv::server {
namespace {

constexpr SubcommandArity kModuleSubcommands[] = {
    {"help", 2}, {"list", 2, true}, {"load", -3, true}, {"loadex", -3, true}, {"unload", 3, true},
};

constexpr std::string_view kDebugRefusal =
    "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from "
    "a local connection, otherwise you need to set this option in the configuration file, and then restart the "
    "server.";
constexpr std::string_view kModuleRefusal =
    "ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", you can run it "
    "from a local connection, otherwise you need to set this option in the configuration file, and then restart "
    "the server.";

// Not reached from a client (the dispatcher refuses first, see
// protected_command_refusal); kept so that no path runs anything else.
void cmd_debug(CommandContext& c) { c.out.error(kDebugRefusal); }

void cmd_module(CommandContext& c) {
  // The dispatcher checked the subcommand and its arity (kModuleSubcommands).
  if (equals_ci(c.arg(1), "list")) {
    c.out.array(0);  // no modules are loaded, or can be
  } else if (equals_ci(c.arg(1), "help")) {
    static const char* kHelp[] = {
        "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LIST",
        "    Return the loaded modules: always none, tmkv loads no modules.",
        "LOAD <path> [<arg> ...]",
        "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
        "UNLOAD <name>",
        "    Refused, as by Redis with enable-module-command no (tmkv's only setting).",
        "HELP",
        "    Print this help."};
    reply_help(c.out, kHelp);
  } else {
    c.out.error(kModuleRefusal);  // LOAD, LOADEX, UNLOAD: refused by the dispatcher first
  }
}

}  // namespace

std::string_view protected_command_refusal(const CommandSpec& spec, std::span<const std::string_view> args) {
  const std::string_view name = spec.name;
  if (name == "debug") return kDebugRefusal;
  if (name == "module" && args.size() >= 2 &&
      (equals_ci(args[1], "load") || equals_ci(args[1], "loadex") || equals_ci(args[1], "unload"))) {
    return kModuleRefusal;
  }
  return {};
}

void register_debug_module_commands(std::vector<CommandSpec>& t) {
  t.push_back({"debug", -2, kAdmin | kProtected, 0, 0, 0, "server", "A container for debugging commands", cmd_debug});
  t.push_back({"module", -2, kProtected, 0, 0, 0, "server", "A container for module commands", cmd_module,
               kModuleSubcommands});
}

}  // namespace tmkv::server
