// Redis 7.0's functions: FUNCTION (LOAD, DELETE, LIST, STATS, KILL, FLUSH,
// DUMP, RESTORE, HELP), FCALL and FCALL_RO.
//
// The libraries live in the server's FunctionRegistry (function_registry.h);
// the Lua side (load-time sandbox, redis.register_function, running a
// function in its command's transaction) is script_engine's. An FCALL is a
// transactional command like EVAL: one transaction, restarted from the
// start on conflict, each attempt running the library version it looked up.
#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/cmd_util.h"
#include "server/command.h"
#include "server/function_registry.h"
#include "server/rdb_string.h"
#include "server/script_cache.h"
#include "server/script_engine.h"
#include "server/server.h"
#include "stm/tx.h"

namespace tmkv::server {
namespace {

// ---------------------------------------------------------------------------
// FUNCTION LOAD's shebang: "#!<engine> name=<library> ...".

bool valid_library_name(std::string_view name) {
  if (name.empty()) return false;
  for (char ch : name) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
  }
  return true;
}

// Empty on success (*name set), else the error reply; Redis's order of checks.
std::string parse_shebang(std::string_view code, std::string* name) {
  if (code.substr(0, 2) != "#!") return "ERR Missing library metadata";
  const size_t nl = code.find('\n');
  if (nl == std::string_view::npos) return "ERR Invalid library metadata";
  std::string_view line = code.substr(2, nl - 2);
  const size_t sp = line.find(' ');
  const std::string_view engine = line.substr(0, sp);
  std::vector<std::string> parts;
  if (sp != std::string_view::npos && !split_redis_args(line.substr(sp + 1), &parts)) return "ERR Invalid library metadata";
  bool named = false;
  for (const std::string& part : parts) {
    const size_t eq = part.find('=');
    if (eq == std::string::npos || !equals_ci(std::string_view(part).substr(0, eq), "name")) {
      return "ERR Invalid metadata value given: " + part;
    }
    if (named) return "ERR Invalid metadata value, name argument was given multiple times";
    *name = part.substr(eq + 1);
    named = true;
  }
  if (!named) return "ERR Library name was not given";
  if (!valid_library_name(*name)) {
    return "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one "
           "character long";
  }
  if (!equals_ci(engine, "lua")) return "ERR Engine '" + std::string(engine) + "' not found";
  return {};
}

// ---------------------------------------------------------------------------
// Inside EXEC a FUNCTION subcommand that changes the registry runs in the
// block's transaction, which may restart: its effect must happen once. The
// first software attempt applies it and keeps its reply; a restart of the
// same block (the same argument array, Tx::attempt_aborts() > 0) replays the
// reply instead of applying it again.
struct ExecMemo {
  const void* key;
  std::string reply;
};
thread_local std::vector<ExecMemo> t_exec_memo;

template <class F>
void once_per_exec(CommandContext& c, F&& apply) {
  if (!c.in_exec || c.in_script) {
    apply(c.out);
    return;
  }
  stm::Tx& tx = stm::Tx::current();
  tx.require_software();  // a hardware attempt aborts here, before any effect
  const void* key = c.args.data();
  if (tx.attempt_aborts() > 0) {
    for (const ExecMemo& m : t_exec_memo) {
      if (m.key == key) {
        c.out.raw(m.reply);
        return;
      }
    }
  }
  std::string buf;
  Reply reply(&buf);
  reply.set_resp3(c.out.resp3());
  apply(reply);
  std::erase_if(t_exec_memo, [&](const ExecMemo& m) { return m.key == key; });
  if (t_exec_memo.size() >= 256) t_exec_memo.erase(t_exec_memo.begin());
  t_exec_memo.push_back({key, buf});
  c.out.raw(buf);
}

void function_load(CommandContext& c) {
  bool replace = false;
  for (size_t i = 2; i + 1 < c.argc(); ++i) {
    if (!equals_ci(c.arg(i), "replace")) {
      c.out.error("ERR Unknown option given: " + std::string(c.arg(i)));
      return;
    }
    replace = true;
  }
  const std::string_view code = c.arg(c.argc() - 1);
  once_per_exec(c, [&](Reply& out) {
    std::string name;
    if (std::string error = parse_shebang(code, &name); !error.empty()) {
      out.error(error);
      return;
    }
    FunctionRegistry& registry = c.server.functions();
    if (!replace && registry.exists(name)) {
      out.error("ERR Library '" + name + "' already exists");
      return;
    }
    auto lib = std::make_shared<Library>();
    if (std::string error = validate_library(c, code, &lib->functions); !error.empty()) {
      out.error(error);
      return;
    }
    lib->id = registry.next_id();
    lib->name = name;
    lib->engine = "LUA";
    lib->code = std::string(code);
    if (std::string error = registry.publish(std::move(lib), replace); !error.empty()) {
      out.error(error);
      return;
    }
    out.bulk(name);
  });
}

// FUNCTION DUMP: every library, by name (Redis's order is its hash
// table's; one library's payload is Redis's bytes).
void function_dump(CommandContext& c) {
  const std::vector<std::shared_ptr<const Library>> libs = c.server.functions().libraries();
  std::vector<std::string_view> codes;
  codes.reserve(libs.size());
  for (const auto& lib : libs) codes.push_back(lib->code);
  c.out.bulk(encode_functions_dump_payload(codes));
}

}  // namespace

// Loads libraries' code as FUNCTION RESTORE does: each validated as by
// FUNCTION LOAD into a set of its own (a library or function name twice is
// an error), then the set joined to the server's all at once; an error
// changes nothing. `read_error`: the payload's own error after the last
// library it could read, reported once those have validated (Redis's
// order). Also how a snapshot file's libraries load (persistence.h).
std::string restore_function_libraries(Server& server, const std::vector<std::string>& codes,
                                       FunctionRegistry::RestorePolicy policy, const std::string& read_error) {
  std::vector<std::shared_ptr<const Library>> libs;
  std::unordered_map<std::string, std::string> functions;  // lower-cased name -> its library, in the payload
  FunctionRegistry& registry = server.functions();
  for (const std::string& code : codes) {
    std::string name;
    if (std::string error = parse_shebang(code, &name); !error.empty()) return error;
    if (std::any_of(libs.begin(), libs.end(), [&](const auto& lib) { return lib->name == name; })) {
      return "ERR Library '" + name + "' already exists";
    }
    auto lib = std::make_shared<Library>();
    if (std::string error = validate_library(server, code, &lib->functions); !error.empty()) return error;
    for (const FunctionInfo& f : lib->functions) {
      auto found = functions.find(to_lower(f.name));
      if (found != functions.end() && found->second != name) return "ERR Function " + f.name + " already exists";
    }
    for (const FunctionInfo& f : lib->functions) functions.emplace(to_lower(f.name), name);
    lib->id = registry.next_id();
    lib->name = std::move(name);
    lib->engine = "LUA";
    lib->code = code;
    libs.push_back(std::move(lib));
  }
  if (!read_error.empty()) return read_error;
  return registry.publish_all(libs, policy);
}

namespace {

// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]. As in Redis, each
// library of the payload is loaded in turn as by FUNCTION LOAD, into a set
// of its own (a library or function name twice in the payload is an
// error), and only then is the set joined to the server's libraries,
// all at once (FunctionRegistry::publish_all). Any error changes nothing.
void function_restore(CommandContext& c) {
  if (c.argc() > 4) {
    c.out.error("ERR unknown subcommand or wrong number of arguments for '" + std::string(c.arg(1)) +
                "'. Try FUNCTION HELP.");
    return;
  }
  auto policy = FunctionRegistry::RestorePolicy::kAppend;
  if (c.argc() == 4) {
    if (equals_ci(c.arg(3), "flush")) {
      policy = FunctionRegistry::RestorePolicy::kFlush;
    } else if (equals_ci(c.arg(3), "replace")) {
      policy = FunctionRegistry::RestorePolicy::kReplace;
    } else if (!equals_ci(c.arg(3), "append")) {
      c.out.error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
      return;
    }
  }
  const std::string_view payload = c.arg(2);
  once_per_exec(c, [&](Reply& out) {
    DecodedFunctions decoded = decode_functions_dump_payload(payload, c.db().max_value_bytes());
    if (std::string error = restore_function_libraries(c.server, decoded.codes, policy, decoded.error);
        !error.empty()) {
      out.error(error);
      return;
    }
    out.ok();
  });
}

void function_list(CommandContext& c) {
  bool with_code = false;
  std::optional<std::string> pattern;
  for (size_t i = 2; i < c.argc(); ++i) {
    if (!with_code && equals_ci(c.arg(i), "withcode")) {
      with_code = true;
    } else if (!pattern && equals_ci(c.arg(i), "libraryname")) {
      if (i + 1 == c.argc()) {
        c.out.error("ERR library name argument was not given");
        return;
      }
      pattern = std::string(c.arg(++i));
    } else {
      c.out.error("ERR Unknown argument " + std::string(c.arg(i)));
      return;
    }
  }
  std::vector<std::shared_ptr<const Library>> libs = c.server.functions().libraries();
  if (pattern) {
    std::erase_if(libs, [&](const auto& lib) { return !glob_match(*pattern, lib->name, true); });
  }
  c.out.array(libs.size());
  for (const auto& lib : libs) {
    c.out.map(with_code ? 4 : 3);
    c.out.bulk("library_name");
    c.out.bulk(lib->name);
    c.out.bulk("engine");
    c.out.bulk(lib->engine);
    c.out.bulk("functions");
    // By name (Redis's order is its hash table's, which varies by process).
    std::vector<const FunctionInfo*> fns;
    for (const FunctionInfo& f : lib->functions) fns.push_back(&f);
    std::sort(fns.begin(), fns.end(), [](const FunctionInfo* a, const FunctionInfo* b) { return a->name < b->name; });
    c.out.array(fns.size());
    for (const FunctionInfo* f : fns) {
      c.out.map(3);
      c.out.bulk("name");
      c.out.bulk(f->name);
      c.out.bulk("description");
      if (f->description) {
        c.out.bulk(*f->description);
      } else {
        c.out.null();
      }
      c.out.bulk("flags");
      size_t n = 0;
      for (size_t i = 0; i < std::size(kFunctionFlagNames); ++i) n += (f->flags >> i) & 1u;
      c.out.set(n);
      for (size_t i = 0; i < std::size(kFunctionFlagNames); ++i) {
        if ((f->flags >> i) & 1u) c.out.simple(kFunctionFlagNames[i]);
      }
    }
    if (with_code) {
      c.out.bulk("library_code");
      c.out.bulk(lib->code);
    }
  }
}

void function_stats(CommandContext& c) {
  const FunctionRegistry& registry = c.server.functions();
  c.out.map(2);
  c.out.bulk("running_script");
  if (std::optional<ScriptCache::RunningFunction> f = c.server.scripts().running_function()) {
    c.out.map(3);
    c.out.bulk("name");
    c.out.bulk(f->name);
    c.out.bulk("command");
    c.out.array(f->command.size());
    for (const std::string& a : f->command) c.out.bulk(a);
    c.out.bulk("duration_ms");
    c.out.integer(f->duration_ms);
  } else {
    c.out.null();
  }
  c.out.bulk("engines");
  c.out.map(1);
  c.out.bulk("LUA");
  c.out.map(2);
  c.out.bulk("libraries_count");
  c.out.integer(static_cast<int64_t>(registry.library_count()));
  c.out.bulk("functions_count");
  c.out.integer(static_cast<int64_t>(registry.function_count()));
}

constexpr SubcommandArity kFunctionSubcommands[] = {{"load", -3},  {"delete", 3}, {"list", -2},
                                                    {"stats", 2},  {"kill", 2},   {"flush", -2},
                                                    {"dump", 2},  {"restore", -3}, {"help", 2}};

void cmd_function(CommandContext& c) {
  const std::string sub = to_lower(c.arg(1));
  FunctionRegistry& registry = c.server.functions();
  if (sub == "load") {
    function_load(c);
  } else if (sub == "delete") {
    const std::string name(c.arg(2));
    once_per_exec(c, [&](Reply& out) {
      if (registry.remove(name)) {
        out.ok();
      } else {
        out.error("ERR Library not found");
      }
    });
  } else if (sub == "list") {
    function_list(c);
  } else if (sub == "dump") {
    function_dump(c);
  } else if (sub == "restore") {
    function_restore(c);
  } else if (sub == "stats") {
    function_stats(c);
  } else if (sub == "flush") {
    if (c.argc() > 3) {
      c.out.error("ERR unknown subcommand or wrong number of arguments for '" + std::string(c.arg(1)) +
                  "'. Try FUNCTION HELP.");
      return;
    }
    // ASYNC and SYNC both drop the libraries at once.
    if (c.argc() == 3 && !equals_ci(c.arg(2), "async") && !equals_ci(c.arg(2), "sync")) {
      c.out.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
      return;
    }
    once_per_exec(c, [&](Reply& out) {
      registry.flush();
      out.ok();
    });
  } else if (sub == "kill") {
    if (const char* error = ScriptCache::kill_error(c.server.scripts().kill(true))) {
      c.out.error(error);
    } else {
      c.out.ok();
    }
  } else {
    static const char* kHelp[] = {
        "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored using FUNCTION "
        "RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a chance of failure",
        "      in case of functions name collision with another library).",
        "HELP",
        "    Prints this help."};
    reply_help(c.out, kHelp);
  }
}

// FCALL / FCALL_RO function numkeys key... arg...
void fcall_generic(CommandContext& c, bool ro) {
  std::optional<FunctionRegistry::Found> found = c.server.functions().find(c.arg(1));
  if (!found) {
    c.out.error("ERR Function not found");
    return;
  }
  const std::optional<int64_t> parsed = parse_ll(c.arg(2));
  if (!parsed) {
    c.out.error("ERR Bad number of keys provided");
    return;
  }
  const int64_t numkeys = *parsed;
  if (numkeys < 0) {
    c.out.error("ERR Number of keys can't be negative");
    return;
  }
  if (static_cast<uint64_t>(numkeys) > c.argc() - 3) {
    c.out.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  const FunctionInfo& fn = *found->function;
  const bool no_writes = (fn.flags & kFnNoWrites) != 0;
  if (ro && !no_writes) {
    c.out.error("ERR Can not execute a script with write flag using *_ro command.");
    return;
  }
  const auto keys = c.args.subspan(3, static_cast<size_t>(numkeys));
  const auto argv = c.args.subspan(3 + static_cast<size_t>(numkeys));
  run_function(c, *found->library, fn, keys, argv, ro || no_writes);
}

void cmd_fcall(CommandContext& c) { fcall_generic(c, false); }
void cmd_fcall_ro(CommandContext& c) { fcall_generic(c, true); }

}  // namespace

void register_function_commands(std::vector<CommandSpec>& t) {
  // FCALL is a transaction that may write; whether it is refused over
  // maxmemory depends on the function's flags (dispatch.cc asks
  // fcall_may_grow). FCALL_RO runs only no-writes functions, read-only.
  t.push_back({"fcall", -3, kTransactional | kWrite, 0, 0, 0, "scripting", "Invokes a function.", cmd_fcall});
  t.push_back({"fcall_ro", -3, kTransactional | kReadOnly, 0, 0, 0, "scripting", "Invokes a read-only function.",
               cmd_fcall_ro});
  t.push_back({"function", -2, 0, 0, 0, 0, "scripting", "A container for function commands.", cmd_function,
               kFunctionSubcommands});
}

}  // namespace tmkv::server
