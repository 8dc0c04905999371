// Lua scripting (EVAL and friends): one Lua 5.1 state per I/O thread, in
// which a script runs as part of its command's transaction.
//
// Redis keeps a script atomic by running it alone on its one thread. Here
// the script's EVAL is a transactional command like MSET: every
// redis.call() inside it runs its command's handler on the same
// transaction, so the script's reads and writes commit together, while
// scripts and commands on other threads run at the same time. A conflict
// restarts the transaction, and with it the script, from the start; the
// retry policy's irrevocable fallback bounds how often (stm/retry_policy.h).
// A script never sees inconsistent data (TL2's opacity): the read that
// would expose it throws instead of returning, and the script is unwound.
//
// Unwinding through Lua: a C++ exception must not cross Lua's C frames.
// redis.call catches whatever its command throws (a transaction restart),
// keeps it, and raises a Lua error instead; from then on every
// redis.call fails and a hook raises the error again at every line, so
// pcall() in the script cannot swallow it; once the script has unwound,
// the kept exception is rethrown to the transaction.
//
// As in Redis: a script error does not undo the writes before it (they
// commit with the error reply); scripts may not create globals; KEYS and
// ARGV are globals; redis.call raises command errors and redis.pcall
// returns them; SELECT inside a script changes only the script's database;
// the conversion rules between Lua values and replies are Redis's. Scripts
// whose transaction has written cannot be killed (SCRIPT KILL answers
// UNKILLABLE), as in Redis.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tmkv::server {

class Server;

struct CommandContext;
struct FunctionInfo;
struct Library;

// Compiles `body` in this thread's Lua state (caching it under `sha`).
// Empty on success, else Redis's error reply text. *fresh: it was not
// compiled on this thread since the last SCRIPT FLUSH (so the server's
// cache may not have it yet).
std::string compile_script(CommandContext& c, const std::string& sha, std::string_view body, bool* fresh);

// Runs the script in c.tx's transaction and writes its reply to c.out.
// REQUIRES: compile_script succeeded for (sha, body) on this server.
// May throw what a transaction throws on conflict (the caller's atomically
// retries the whole command).
void run_script(CommandContext& c, const std::string& sha, std::string_view body,
                std::span<const std::string_view> keys, std::span<const std::string_view> argv, bool read_only);

// FUNCTION LOAD's validation: runs the library's load step (its code but
// the shebang line, in Redis's load-time sandbox, bounded by Redis's 500 ms
// load timeout) in this thread's Lua state. Empty on success, with what it
// registered in *functions; else Redis's error reply. Changes nothing else.
std::string validate_library(CommandContext& c, std::string_view code, std::vector<FunctionInfo>* functions);
std::string validate_library(Server& server, std::string_view code, std::vector<FunctionInfo>* functions);

// FCALL: runs `fn` of `lib` (published; loaded into this thread's state on
// its first call here) with the keys and args tables as its arguments, as
// run_script runs a script (same transaction rules). read_only: FCALL_RO
// or a no-writes function (its writes are refused).
void run_function(CommandContext& c, const Library& lib, const FunctionInfo& fn,
                  std::span<const std::string_view> keys, std::span<const std::string_view> argv, bool read_only);

}  // namespace tmkv::server
