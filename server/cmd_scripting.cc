// Scripting: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT. A script runs
// inside its command's transaction (server/script_engine.h): atomic like
// Redis's, without stopping the other threads.
#include "server/cmd_util.h"
#include "server/command.h"
#include "server/script_cache.h"
#include "server/script_engine.h"
#include "server/server.h"
#include "server/sha1.h"

namespace tmkv::server {
namespace {

// EVAL* script|sha numkeys key... arg...
void eval_generic(CommandContext& c, bool by_sha, bool read_only) {
  int64_t numkeys;
  if (!get_ll_or_reply(c.out, c.arg(2), &numkeys)) return;
  if (numkeys < 0) {
    c.out.error("ERR Number of keys can't be negative");
    return;
  }
  if (static_cast<uint64_t>(numkeys) > c.argc() - 3) {
    c.out.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  std::string sha, body;
  if (by_sha) {
    sha = to_lower(c.arg(1));
    std::optional<std::string> found = sha.size() == 40 ? c.server.scripts().body(sha) : std::nullopt;
    if (!found) {
      c.out.error("NOSCRIPT No matching script. Please use EVAL.");
      return;
    }
    body = std::move(*found);
  } else {
    body = std::string(c.arg(1));
    sha = sha1_hex(body);
    // As Redis 7.0, EVAL keeps its script for EVALSHA (once it compiles;
    // a script this thread compiled before is in the cache already).
    bool fresh = false;
    if (std::string error = compile_script(c, sha, body, &fresh); !error.empty()) {
      c.out.error(error);
      return;
    }
    if (fresh) c.server.scripts().add(sha, body);
  }
  const auto keys = c.args.subspan(3, static_cast<size_t>(numkeys));
  const auto argv = c.args.subspan(3 + static_cast<size_t>(numkeys));
  run_script(c, sha, body, keys, argv, read_only);
}

void cmd_eval(CommandContext& c) { eval_generic(c, false, false); }
void cmd_evalsha(CommandContext& c) { eval_generic(c, true, false); }
void cmd_eval_ro(CommandContext& c) { eval_generic(c, false, true); }
void cmd_evalsha_ro(CommandContext& c) { eval_generic(c, true, true); }

constexpr SubcommandArity kScriptSubcommands[] = {
    {"load", 3}, {"exists", -3}, {"flush", -2}, {"kill", 2}, {"help", 2}};

void cmd_script(CommandContext& c) {
  const std::string sub = to_lower(c.arg(1));
  ScriptCache& scripts = c.server.scripts();
  if (sub == "load") {
    const std::string sha = sha1_hex(c.arg(2));
    bool fresh = false;
    if (std::string error = compile_script(c, sha, c.arg(2), &fresh); !error.empty()) {
      c.out.error(error);
      return;
    }
    scripts.add(sha, c.arg(2));
    c.out.bulk(sha);
  } else if (sub == "exists") {
    c.out.array(c.argc() - 2);
    for (size_t i = 2; i < c.argc(); ++i) c.out.integer(scripts.exists(to_lower(c.arg(i))) ? 1 : 0);
  } else if (sub == "flush") {
    // ASYNC and SYNC are both accepted; the bodies go at once either way.
    if (c.argc() > 3 || (c.argc() == 3 && !equals_ci(c.arg(2), "async") && !equals_ci(c.arg(2), "sync"))) {
      c.out.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
      return;
    }
    scripts.flush();
    c.out.ok();
  } else if (sub == "kill") {
    if (const char* error = ScriptCache::kill_error(scripts.kill())) {
      c.out.error(error);
    } else {
      c.out.ok();
    }
  } else {
    static const char* kHelp[] = {
        "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        "HELP",
        "    Prints this help."};
    reply_help(c.out, kHelp);
  }
}

}  // namespace

void register_scripting_commands(std::vector<CommandSpec>& t) {
  // EVAL and EVALSHA are transactions that may write (so refused over
  // maxmemory when nothing can be evicted, before the script runs); the _RO
  // forms are read-only transactions whose scripts may not call writes.
  // Keys are named by numkeys (Redis's movable keys): no fixed positions.
  const uint32_t W = kTransactional | kWrite | kDenyOom;
  const uint32_t R = kTransactional | kReadOnly;
  t.push_back({"eval", -3, W, 0, 0, 0, "scripting", "Executes a server-side Lua script.", cmd_eval});
  t.push_back({"evalsha", -3, W, 0, 0, 0, "scripting", "Executes a server-side Lua script by SHA1 digest.", cmd_evalsha});
  t.push_back({"eval_ro", -3, R, 0, 0, 0, "scripting", "Executes a read-only server-side Lua script.", cmd_eval_ro});
  t.push_back({"evalsha_ro", -3, R, 0, 0, 0, "scripting",
               "Executes a read-only server-side Lua script by SHA1 digest.", cmd_evalsha_ro});
  t.push_back({"script", -2, 0, 0, 0, 0, "scripting", "A container for Lua scripts management commands.", cmd_script,
               kScriptSubcommands});
}

}  // namespace tmkv::server
