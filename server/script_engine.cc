#include "server/script_engine.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
// Debian's lua-cjson and lua-bitop, linked as libraries (server/CMakeLists.txt).
int luaopen_cjson(lua_State* L);
int luaopen_bit(lua_State* L);
}

#include <chrono>
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "server/client.h"
#include "server/cmd_util.h"
#include "server/command.h"
#include "server/command_stats.h"
#include "server/error_stats.h"
#include "server/function_registry.h"
#include "server/keyspace_events.h"
#include "server/script_cache.h"
#include "server/server.h"
#include "server/tracking.h"
#include "server/sha1.h"

namespace tmkv::server {
namespace {

constexpr const char* kChunkName = "@user_script";
constexpr const char* kFunctionChunkName = "@user_function";  // a library's code (FUNCTION LOAD)
// Redis's bound on a library's load step.
constexpr std::chrono::milliseconds kLoadTimeout{500};
// Nesting converted either way (a script's table that contains itself
// would recurse forever: it gets Redis's "reached lua stack limit").
constexpr int kMaxReplyDepth = 1000;
// Marks an error table made from a command's error reply (counted already).
constexpr const char* kCountedField = "ignore_err_stats_update";

// Commands a script may not call (Redis 7.0's "noscript" flag): transactions,
// subscriptions, scripting itself, connection state, administration
// (CONFIG, LATENCY, SAVE, ...), and the blocking list and sorted-set
// commands but BLMPOP and BZMPOP (Redis 7.0 lets scripts call those; they
// do not block there). Of the containers, only HELP is allowed.
bool allowed_from_script(std::string_view name, std::span<const std::string_view> args) {
  static const char* kDenied[] = {"multi",     "exec",       "discard",     "watch",    "unwatch",  "subscribe",
                                  "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe",
                                  "monitor",   "eval",       "evalsha",     "eval_ro",  "evalsha_ro",
                                  "auth",      "hello",      "quit",        "reset",    "shutdown", "save",
                                  "bgsave",    "bgrewriteaof", "debug",     "role",     "replicaof", "slaveof",
                                  "wait",      "sync",       "psync",       "replconf",       "failover", "fcall",    "fcall_ro",
                                  "blpop",     "brpop",      "blmove",      "brpoplpush", "bzpopmin", "bzpopmax"};
  static const char* kDeniedButHelp[] = {"script", "client", "config", "latency", "acl", "function", "module"};
  for (const char* d : kDenied) {
    if (name == d) return false;
  }
  for (const char* d : kDeniedButHelp) {
    if (name == d) return args.size() >= 2 && equals_ci(args[1], "help");
  }
  return true;
}

struct Engine {
  lua_State* L = nullptr;
  const Server* server = nullptr;
  uint64_t generation = 0;
  // The running script (one at a time per thread).
  CommandContext* ctx = nullptr;
  bool read_only = false;
  int resp = 2;  // redis.setresp()
  RunningScript running;
  std::exception_ptr pending;  // what a command threw (a transaction restart)
  bool killed = false;
  int error_line = 0;  // the script's line when the last error was raised
  // Functions (function_registry.h): the registry generation this thread's
  // loaded libraries were checked against, and a library's load step.
  uint64_t fn_generation = 0;
  bool loading = false;     // a load step runs: only its sandbox is visible
  bool quiet_load = false;  // a thread's reload of a published library: no redis.log
  std::vector<FunctionInfo>* collecting = nullptr;  // what register_function registered
  std::chrono::steady_clock::time_point load_deadline;

  ~Engine() {
    if (L != nullptr) lua_close(L);
  }
};

thread_local std::unique_ptr<Engine> t_engine;

Engine& engine() { return *t_engine; }

// ---------------------------------------------------------------------------
// Replies -> Lua values (Redis's rules): integer -> number, bulk -> string,
// null -> false, array -> table, status -> {ok=...}, error -> {err=...};
// RESP3 (redis.setresp(3)): map -> {map={...}}, set -> {set={k=true}},
// double -> {double=n}, boolean -> boolean, null -> nil, big number ->
// {big_number="..."}, verbatim -> string.

const char* line_end(const char* p) {
  while (!(p[0] == '\r' && p[1] == '\n')) ++p;
  return p;
}

void push_table_with(lua_State* L, const char* field, const char* s, size_t n) {
  lua_newtable(L);
  lua_pushstring(L, field);
  lua_pushlstring(L, s, n);
  lua_settable(L, -3);
}

// Past `n` replies starting at p (what a cut-off level holds).
const char* skip_reply(const char* p, long long n) {
  for (long long i = 0; i < n; ++i) {
    const char type = *p++;
    const char* eol = line_end(p);
    const long long len = std::strtoll(std::string(p, eol).c_str(), nullptr, 10);
    p = eol + 2;
    if (type == '$' || type == '=' || type == '!') {
      if (len >= 0) p += len + 2;
    } else if (type == '*' || type == '~' || type == '>') {
      if (len > 0) p = skip_reply(p, len);
    } else if (type == '%') {
      if (len > 0) p = skip_reply(p, 2 * len);
    }
  }
  return p;
}

const char* push_reply(lua_State* L, const char* p, int depth) {
  const char type = *p++;
  const char* eol = line_end(p);
  const std::string head(p, eol);
  const char* next = eol + 2;
  switch (type) {
    case '+':
      push_table_with(L, "ok", p, static_cast<size_t>(eol - p));
      return next;
    case '-':
      push_table_with(L, "err", p, static_cast<size_t>(eol - p));
      return next;
    case ':':
      lua_pushnumber(L, static_cast<lua_Number>(std::strtoll(head.c_str(), nullptr, 10)));
      return next;
    case '$':
    case '=':
    case '!': {
      const long long n = std::strtoll(head.c_str(), nullptr, 10);
      if (n < 0) {
        lua_pushboolean(L, 0);
        return next;
      }
      if (type == '!') {
        push_table_with(L, "err", next, static_cast<size_t>(n));
      } else if (type == '=') {
        lua_pushlstring(L, next + 4, static_cast<size_t>(n) - 4);  // "txt:" prefix
      } else {
        lua_pushlstring(L, next, static_cast<size_t>(n));
      }
      return next + n + 2;
    }
    case '_':
      lua_pushnil(L);
      return next;
    case '#':
      lua_pushboolean(L, head == "t");
      return next;
    case ',':
      lua_newtable(L);
      lua_pushstring(L, "double");
      lua_pushnumber(L, std::strtod(head.c_str(), nullptr));
      lua_settable(L, -3);
      return next;
    case '(':
      push_table_with(L, "big_number", p, static_cast<size_t>(eol - p));
      return next;
    case '*':
    case '~':
    case '>':
    case '%': {
      const long long n = std::strtoll(head.c_str(), nullptr, 10);
      if (n < 0) {
        lua_pushboolean(L, 0);
        return next;
      }
      // Room for this level (no reply of ours nests anywhere near the
      // limit; deeper is cut off as an empty table rather than raised:
      // a raise would longjmp past the caller's C++ objects).
      if (depth >= kMaxReplyDepth || !lua_checkstack(L, 8)) {
        lua_newtable(L);
        return skip_reply(next, type == '%' ? 2 * n : n);
      }
      if (type == '%' || type == '~') {
        lua_newtable(L);  // the wrapper
        lua_pushstring(L, type == '%' ? "map" : "set");
        lua_newtable(L);
        for (long long i = 0; i < n; ++i) {
          next = push_reply(L, next, depth + 1);
          if (type == '%') {
            next = push_reply(L, next, depth + 1);
          } else {
            lua_pushboolean(L, 1);
          }
          lua_settable(L, -3);
        }
        lua_settable(L, -3);
        return next;
      }
      lua_newtable(L);
      for (long long i = 0; i < n; ++i) {
        lua_pushnumber(L, static_cast<lua_Number>(i + 1));
        next = push_reply(L, next, depth + 1);
        lua_settable(L, -3);
      }
      return next;
    }
    default:  // not a type tmkv writes
      lua_pushnil(L);
      return next;
  }
}

// ---------------------------------------------------------------------------
// Lua values -> replies (Redis's rules).

std::string number_arg(lua_Number n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(n));
  return buf;
}

bool table_string_field(lua_State* L, int index, const char* field, std::string* out) {
  lua_pushstring(L, field);
  lua_rawget(L, index);
  const bool found = lua_type(L, -1) == LUA_TSTRING;
  if (found) {
    size_t n;
    const char* s = lua_tolstring(L, -1, &n);
    out->assign(s, n);
  }
  lua_pop(L, 1);
  return found;
}

// A status or error line from a script's {ok=...} / {err=...}: as Redis
// writes it, up to the first NUL (a C string there), with CR and LF as
// spaces (a line cannot hold them; raw, they would break the protocol).
std::string reply_line(std::string s) {
  if (size_t nul = s.find('\0'); nul != std::string::npos) s.resize(nul);
  for (char& ch : s) {
    if (ch == '\r' || ch == '\n') ch = ' ';
  }
  return s;
}

// Redis's conversion of a Lua number to an integer reply: truncation; what
// has no integer value (NaN, infinities, out of range) is what x86's
// conversion gives, INT64_MIN.
int64_t lua_integer(lua_Number n) {
  if (!(n >= -9223372036854775808.0 && n < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(n);
}

// {verbatim_string={format="txt", string="..."}}: a verbatim string (a bulk
// string for RESP2). False if the table is not one.
bool reply_verbatim_from_lua(lua_State* L, int index, Reply& out) {
  lua_pushstring(L, "verbatim_string");
  lua_rawget(L, index);
  bool done = false;
  if (lua_type(L, -1) == LUA_TTABLE) {
    const int t = lua_gettop(L);
    std::string format, text;
    if (table_string_field(L, t, "format", &format) && table_string_field(L, t, "string", &text)) {
      if (out.resp3()) {
        format.resize(3, ' ');  // RESP3's format is three characters
        out.raw("=" + std::to_string(text.size() + 4) + "\r\n" + format + ":");
        out.raw(text);
        out.raw("\r\n");
      } else {
        out.bulk(text);
      }
      done = true;
    }
  }
  lua_pop(L, 1);
  return done;
}

// `nested_errors` collects the error tables inside an array or map reply
// (Redis counts each error a client receives: see Client::script_reply_errors).
void reply_from_lua(lua_State* L, Reply& out, int depth, std::vector<int>* nested_errors) {
  const int index = lua_gettop(L);
  if (!lua_checkstack(L, 4)) {
    out.error("ERR reached lua stack limit");
    return;
  }
  switch (lua_type(L, index)) {
    case LUA_TSTRING: {
      size_t n;
      const char* s = lua_tolstring(L, index, &n);
      out.bulk(std::string_view(s, n));
      return;
    }
    case LUA_TNUMBER:
      out.integer(lua_integer(lua_tonumber(L, index)));
      return;
    case LUA_TBOOLEAN:
      if (engine().resp == 3) {
        // After redis.setresp(3), a boolean (RESP2 clients get 1 / 0), as Redis.
        const bool v = lua_toboolean(L, index) != 0;
        if (out.resp3()) {
          out.raw(v ? "#t\r\n" : "#f\r\n");
        } else {
          out.integer(v ? 1 : 0);
        }
      } else if (lua_toboolean(L, index)) {
        out.integer(1);
      } else {
        out.null();
      }
      return;
    case LUA_TTABLE: {
      std::string s;
      if (table_string_field(L, index, "err", &s)) {
        s = reply_line(std::move(s));
        if (depth > 0) {
          // A command's error that pcall handed back was counted with the
          // command: it only makes the script's call a failed one.
          lua_getfield(L, index, kCountedField);
          const bool counted = lua_toboolean(L, -1) != 0;
          lua_pop(L, 1);
          nested_errors->push_back(counted ? -1 : static_cast<int>(error_code_index(s)));
        }
        out.error(s);
        return;
      }
      if (table_string_field(L, index, "ok", &s)) {
        out.simple(reply_line(std::move(s)));
        return;
      }
      if (depth >= kMaxReplyDepth) {
        out.error("ERR reached lua stack limit");
        return;
      }
      lua_pushstring(L, "double");
      lua_rawget(L, index);
      if (lua_type(L, -1) == LUA_TNUMBER) {
        out.dbl(lua_tonumber(L, -1));
        lua_pop(L, 1);
        return;
      }
      lua_pop(L, 1);
      if (table_string_field(L, index, "big_number", &s)) {
        s = reply_line(std::move(s));
        if (out.resp3()) {
          out.raw("(" + s + "\r\n");
        } else {
          out.bulk(s);
        }
        return;
      }
      if (reply_verbatim_from_lua(L, index, out)) return;
      // {map={k=v, ...}} and {set={k=true, ...}}: Lua's iteration order, as
      // Redis's (the same Lua 5.1 tables); a RESP2 client gets arrays.
      for (const char* kind : {"map", "set"}) {
        lua_pushstring(L, kind);
        lua_rawget(L, index);
        if (lua_type(L, -1) != LUA_TTABLE) {
          lua_pop(L, 1);
          continue;
        }
        const bool map = kind[0] == 'm';
        const int t = lua_gettop(L);
        size_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, t) != 0) {
          lua_pop(L, 1);
          ++n;
        }
        if (map) {
          out.map(n);
        } else {
          out.set(n);
        }
        lua_pushnil(L);
        while (lua_next(L, t) != 0) {  // stack: ..., t, key, value
          lua_pushvalue(L, -2);        // a copy of the key, converted and dropped
          reply_from_lua(L, out, depth + 1, nested_errors);
          lua_pop(L, 1);
          if (map) reply_from_lua(L, out, depth + 1, nested_errors);
          lua_pop(L, 1);  // the value; the key stays for lua_next
        }
        lua_pop(L, 1);  // t
        return;
      }
      // An array: elements 1, 2, ... up to the first nil.
      size_t n = 0;
      for (;;) {
        lua_rawgeti(L, index, static_cast<int>(n + 1));
        const bool end = lua_isnil(L, -1);
        lua_pop(L, 1);
        if (end) break;
        ++n;
      }
      out.array(n);
      for (size_t i = 1; i <= n; ++i) {
        lua_rawgeti(L, index, static_cast<int>(i));
        reply_from_lua(L, out, depth + 1, nested_errors);
        lua_pop(L, 1);
      }
      return;
    }
    default:
      out.null();
      return;
  }
}

// ---------------------------------------------------------------------------
// redis.* functions. Each does its C++ work in a function that returns the
// number of results, or -1 with the error value pushed: the Lua entry
// point raises it (lua_error longjmps, and must not skip C++ destructors).

int script_line(lua_State* L) {
  lua_Debug ar;
  for (int level = 0; lua_getstack(L, level, &ar); ++level) {
    lua_getinfo(L, "Sl", &ar);
    if (std::string_view(ar.source) == kChunkName || std::string_view(ar.source) == kFunctionChunkName) {
      return ar.currentline;
    }
  }
  return 0;
}

void push_error_table(lua_State* L, std::string_view msg) { push_table_with(L, "err", msg.data(), msg.size()); }

void stop_hook(lua_State* L, lua_Debug*);
constexpr int kHookInstructions = 100000;

// From now on the hook raises the stop at every line (see the file comment
// of script_engine.h).
void stop_at_every_line(lua_State* L) { lua_sethook(L, stop_hook, LUA_MASKLINE | LUA_MASKCOUNT, kHookInstructions); }

int redis_call_impl(lua_State* L, bool raise) {
  Engine& e = engine();
  if (e.pending || e.killed) {
    lua_pushstring(L, "tmkv: the script is being unwound");
    return -1;
  }
  const int argc = lua_gettop(L);
  if (argc == 0) {
    push_error_table(L, "ERR Please specify at least one argument for this redis lib call");
    return -1;
  }
  std::vector<std::string> args;
  args.reserve(static_cast<size_t>(argc));
  for (int i = 1; i <= argc; ++i) {
    const int t = lua_type(L, i);
    if (t == LUA_TNUMBER) {
      args.push_back(number_arg(lua_tonumber(L, i)));
    } else if (t == LUA_TSTRING) {
      size_t n;
      const char* s = lua_tolstring(L, i, &n);
      args.emplace_back(s, n);
    } else {
      push_error_table(L, "ERR Lua redis lib command arguments must be strings or integers");
      return -1;
    }
  }
  std::vector<std::string_view> views(args.begin(), args.end());
  const CommandSpec* spec = find_command(views[0]);
  // A refused call counts as rejected (Redis's rejected_calls).
  auto fail = [&](std::string_view msg) {
    if (spec != nullptr) {
      ++e.ctx->client.script_calls[Client::script_call_key(CommandStats::slot_of(spec, views),
                                                           Client::kScriptCallRejected)];
    }
    push_error_table(L, msg);
    return raise ? -1 : 1;
  };
  if (spec == nullptr) return fail("ERR Unknown Redis command called from script");
  if (!arity_allows(spec->arity, views.size())) return fail("ERR Wrong number of args calling Redis command from script");
  if (!spec->subcommands.empty()) {
    if (std::string error = subcommand_error(*spec, views); !error.empty()) return fail(error);
  }
  if (!allowed_from_script(spec->name, views)) return fail("ERR This Redis command is not allowed from script");
  // Redis counts may-replicate commands (PFCOUNT) as writes here.
  if (e.read_only && (spec->flags & (kWrite | kMayReplicate))) return fail("ERR Write commands are not allowed from read-only scripts.");
  if ((spec->flags & kWrite) && e.ctx->server.persistence().writes_refused()) {
    return fail(kMisconfError);  // Redis's scriptVerifyWriteCommandAllow
  }
  if (spec->flags & kWrite) {
    // SCRIPT KILL may only stop a script that has not written: say so
    // before writing, then look for a kill (script_cache.h, RunningScript).
    e.running.wrote.store(true, std::memory_order_seq_cst);
    if (e.running.kill.load(std::memory_order_seq_cst)) {
      e.killed = true;
      stop_at_every_line(L);
      lua_pushstring(L, "ERR Script killed by user with SCRIPT KILL...");
      return -1;
    }
  }
  std::string buf;
  try {
    Reply reply(&buf);
    reply.set_resp3(e.resp == 3);
    CommandContext& outer = *e.ctx;
    CommandContext ctx{views, reply, outer.client, outer.server};
    ctx.in_exec = true;  // pub/sub effects wait for the commit, as inside EXEC
    ctx.in_script = true;
    if (spec->flags & kTransactional) ctx.tx = outer.tx;
    const ScopedCurrentCommand current(ctx);
    // CLIENT TRACKING remembers what the script's commands read (tracking.h).
    if (!(spec->flags & kMayReplicate)) tracking_note_read(ctx, *spec);
    spec->handler(ctx);
    wake_waiters_on_written_keys(ctx, *spec);
    if (spec->flags & kMayReplicate) tracking_note_read(ctx, *spec);
    const bool failed = reply.error_at(0);
    const uint32_t outcome = failed ? static_cast<uint32_t>(1 + error_code_index(reply.error_line_at(0))) : 0;
    ++outer.client.script_calls[Client::script_call_key(CommandStats::slot_of(spec, views), outcome)];
  } catch (...) {
    e.pending = std::current_exception();
    stop_at_every_line(L);
    lua_pushstring(L, "tmkv: the script is being unwound");
    return -1;
  }
  push_reply(L, buf.data(), 0);
  const bool is_error = !buf.empty() && (buf[0] == '-' || buf[0] == '!');
  if (is_error) {
    // Counted with the call: a script that returns or raises it does not
    // count it again.
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, kCountedField);
  }
  return is_error && raise ? -1 : 1;
}

// redis.call raises a command's error; redis.pcall returns it. Both raise
// what stops the script (see redis_call_impl).
template <bool kRaise>
int redis_call(lua_State* L) {
  const int n = redis_call_impl(L, kRaise);
  if (n < 0) {
    engine().error_line = script_line(L);
    return lua_error(L);
  }
  return n;
}

// The script's pcall(): Lua's, except that an error a command raised
// through redis.call ({err = "..."}) reaches the handler as its message
// string, as in Redis 7; and the stops the script cannot catch (SCRIPT
// KILL, a transaction restart) are raised again at once.
int script_pcall(lua_State* L) {
  luaL_checkany(L, 1);
  const int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
  Engine& e = engine();
  if (status != 0 && (e.pending || e.killed)) return lua_error(L);
  // A caught error's line is no longer the script's error line: a later
  // uncaught error reports its own.
  if (status != 0) e.error_line = 0;
  if (status != 0 && lua_istable(L, -1)) {
    lua_getfield(L, -1, "err");
    if (lua_isstring(L, -1)) lua_replace(L, -2);
    else lua_pop(L, 1);
  }
  lua_pushboolean(L, status == 0);
  lua_insert(L, 1);
  return lua_gettop(L);
}

int redis_error_reply(lua_State* L) {
  size_t n;
  const char* s = luaL_checklstring(L, 1, &n);
  push_table_with(L, "err", s, n);
  return 1;
}

int redis_status_reply(lua_State* L) {
  size_t n;
  const char* s = luaL_checklstring(L, 1, &n);
  push_table_with(L, "ok", s, n);
  return 1;
}

int redis_sha1hex(lua_State* L) {
  if (lua_gettop(L) != 1) return luaL_error(L, "wrong number of arguments");
  size_t n;
  const char* s = lua_tolstring(L, 1, &n);
  const std::string hex = sha1_hex(std::string_view(s != nullptr ? s : "", s != nullptr ? n : 0));
  lua_pushlstring(L, hex.data(), hex.size());
  return 1;
}

int redis_setresp(lua_State* L) {
  const int v = static_cast<int>(luaL_checknumber(L, 1));
  if (v != 2 && v != 3) {
    lua_pushstring(L, "RESP version must be 2 or 3.");  // no position, as Redis
    return lua_error(L);
  }
  engine().resp = v;
  return 0;
}

// redis.log(level, message...): tmkv logs to stderr, as its other lines.
int redis_log(lua_State* L) {
  const int argc = lua_gettop(L);
  if (argc < 2) return luaL_error(L, "redis.log() requires two arguments or more.");
  std::string line;
  for (int i = 2; i <= argc; ++i) {
    size_t n;
    const char* s = lua_tolstring(L, i, &n);
    if (s == nullptr) continue;
    if (!line.empty()) line += ' ';
    line.append(s, n);
  }
  std::fprintf(stderr, "tmkv-server: script log: %s\n", line.c_str());
  return 0;
}

int redis_noop_true(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

int redis_noop(lua_State*) { return 0; }

// Globals are read-only and reading an undefined one is an error, as in
// Redis 7 (scripts must not keep state between runs).
int global_newindex(lua_State* L) {
  luaL_where(L, 1);
  lua_pushstring(L, "Attempt to modify a readonly table");
  lua_concat(L, 2);
  return lua_error(L);
}

int global_index(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  luaL_where(L, 1);
  lua_pushfstring(L, "Script attempted to access nonexistent global variable '%s'", name != nullptr ? name : "?");
  lua_concat(L, 2);
  return lua_error(L);
}

// Polled every kHookInstructions instructions while a script runs; once the
// script must stop (SCRIPT KILL, or a transaction restart being unwound),
// at every line, so that pcall() cannot hold it.
void stop_hook(lua_State* L, lua_Debug*) {
  Engine& e = engine();
  // A script that wrote is never killed (only this thread sets `wrote`, so
  // the check is exact, whatever SCRIPT KILL saw).
  if (!e.killed && !e.pending && e.running.kill.load(std::memory_order_seq_cst) &&
      !e.running.wrote.load(std::memory_order_relaxed)) {
    e.killed = true;
  }
  if (!e.killed && !e.pending) return;
  stop_at_every_line(L);
  e.error_line = script_line(L);
  if (e.killed) {
    lua_pushstring(L, "ERR Script killed by user with SCRIPT KILL...");
  } else {
    lua_pushstring(L, "tmkv: the script is being unwound");
  }
  lua_error(L);
}

// lua_pcall's message handler: notes the script's line where the error was
// raised (the stack is still there).
int error_handler(lua_State* L) {
  Engine& e = engine();
  if (e.error_line == 0) e.error_line = script_line(L);
  return 1;
}

// ---------------------------------------------------------------------------
// Functions: the load step's sandbox and redis.register_function.

int raise_plain(lua_State* L, const char* msg) {
  lua_pushstring(L, msg);
  return lua_error(L);
}

// Globals as a library's code sees them (its chunk's environment, which its
// functions inherit). During the load step only `redis` exists, and it is
// the load-time table (register_function, log and the constants); when a
// function runs, the script globals, but KEYS and ARGV (EVAL's).
int function_env_index(lua_State* L) {
  Engine& e = engine();
  const char* name = lua_tostring(L, 2);
  if (e.loading) {
    if (name != nullptr && std::strcmp(name, "redis") == 0) {
      lua_getfield(L, LUA_REGISTRYINDEX, "tmkv_load_redis");
      return 1;
    }
  } else if (name == nullptr || (std::strcmp(name, "KEYS") != 0 && std::strcmp(name, "ARGV") != 0)) {
    lua_pushvalue(L, 2);
    lua_rawget(L, LUA_GLOBALSINDEX);
    if (!lua_isnil(L, -1)) return 1;
    lua_pop(L, 1);
  }
  luaL_where(L, 1);
  lua_pushfstring(L, "Script attempted to access nonexistent global variable '%s'", name != nullptr ? name : "?");
  lua_concat(L, 2);
  return lua_error(L);
}

bool valid_function_name(std::string_view name) {
  if (name.empty()) return false;
  for (char ch : name) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
  }
  return true;
}

constexpr const char* kBadNameError =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

// redis.register_function(name, callback) or
// redis.register_function{function_name=, callback=, flags=, description=}.
// Returns nullptr, or the error to raise (raised by the caller, once the
// C++ objects here are gone: lua_error longjmps).
const char* register_function_impl(lua_State* L) {
  Engine& e = engine();
  if (!e.loading || e.collecting == nullptr) {
    return ("redis.register_function can only be called on FUNCTION LOAD command");
  }
  FunctionInfo info;
  const int argc = lua_gettop(L);
  if (argc == 1) {
    if (!lua_istable(L, 1)) {
      return ("calling redis.register_function with a single argument is only applicable to Lua table "
                            "(representing named arguments).");
    }
    lua_settop(L, 1);
    lua_pushnil(L);  // 2: the callback
    bool named = false;
    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {
      if (lua_type(L, -2) != LUA_TSTRING) {
        return ("named argument key given to redis.register_function is not a string");
      }
      const std::string key = lua_tostring(L, -2);
      if (key == "function_name") {
        if (!lua_isstring(L, -1)) return ("function_name argument given to redis.register_function must be a string");
        size_t n;
        const char* v = lua_tolstring(L, -1, &n);
        info.name.assign(v, n);
        named = true;
      } else if (key == "description") {
        if (!lua_isstring(L, -1)) return ("description argument given to redis.register_function must be a string");
        size_t n;
        const char* v = lua_tolstring(L, -1, &n);
        info.description = std::string(v, n);
      } else if (key == "callback") {
        if (!lua_isfunction(L, -1)) return ("callback argument given to redis.register_function must be a function");
        lua_pushvalue(L, -1);
        lua_replace(L, 2);
      } else if (key == "flags") {
        if (!lua_istable(L, -1)) {
          return ("flags argument to redis.register_function must be a table representing function flags");
        }
        const int t = lua_gettop(L);
        lua_pushnil(L);
        while (lua_next(L, t) != 0) {
          uint32_t bit = 0;
          if (lua_type(L, -1) == LUA_TSTRING) {
            const char* flag = lua_tostring(L, -1);
            for (size_t i = 0; i < std::size(kFunctionFlagNames); ++i) {
              if (std::strcmp(flag, kFunctionFlagNames[i]) == 0) bit = 1u << i;
            }
          }
          if (bit == 0) return ("unknown flag given");
          info.flags |= bit;
          lua_pop(L, 1);
        }
      } else {
        return ("unknown argument given to redis.register_function");
      }
      lua_pop(L, 1);
    }
    if (!named) return ("redis.register_function must get a function name argument");
    if (lua_isnil(L, 2)) return ("redis.register_function must get a callback argument");
  } else if (argc == 2) {
    if (!lua_isstring(L, 1)) return ("first argument to redis.register_function must be a string");
    if (!lua_isfunction(L, 2)) return ("second argument to redis.register_function must be a function");
    size_t n;
    const char* v = lua_tolstring(L, 1, &n);
    info.name.assign(v, n);
  } else {
    return ("wrong number of arguments to redis.register_function");
  }
  if (!valid_function_name(info.name)) return (kBadNameError);
  for (const FunctionInfo& f : *e.collecting) {
    if (f.name == info.name) return ("Function already exists in the library");
  }
  lua_getfield(L, LUA_REGISTRYINDEX, "tmkv_loading");
  lua_pushlstring(L, info.name.data(), info.name.size());
  lua_pushvalue(L, 2);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  e.collecting->push_back(std::move(info));
  return nullptr;
}

int redis_register_function(lua_State* L) {
  if (const char* error = register_function_impl(L)) return raise_plain(L, error);
  return 0;
}

int load_redis_log(lua_State* L) {
  if (engine().quiet_load) return 0;
  return redis_log(L);
}

// The load step's bound (Redis's 500 ms "FUNCTION LOAD timeout").
void load_hook(lua_State* L, lua_Debug*) {
  if (std::chrono::steady_clock::now() < engine().load_deadline) return;
  raise_plain(L, "FUNCTION LOAD timeout");
}

void set_function(lua_State* L, const char* name, lua_CFunction f) {
  lua_pushstring(L, name);
  lua_pushcfunction(L, f);
  lua_settable(L, -3);
}

void set_number(lua_State* L, const char* name, lua_Number v) {
  lua_pushstring(L, name);
  lua_pushnumber(L, v);
  lua_settable(L, -3);
}

// What both `redis` tables (a script's, and a library's load step's) carry:
// the log levels and the version tmkv reports (7.0.0, as HELLO and INFO).
void set_log_levels_and_version(lua_State* L) {
  set_number(L, "LOG_DEBUG", 0);
  set_number(L, "LOG_VERBOSE", 1);
  set_number(L, "LOG_NOTICE", 2);
  set_number(L, "LOG_WARNING", 3);
  lua_pushstring(L, "REDIS_VERSION");
  lua_pushstring(L, "7.0.0");
  lua_settable(L, -3);
  set_number(L, "REDIS_VERSION_NUM", 0x070000);
}

// Gives the table on top of the stack a metatable that refuses new keys
// (global_newindex) and answers reads of missing ones with `index`.
void make_read_only(lua_State* L, lua_CFunction index) {
  lua_newtable(L);
  lua_pushcfunction(L, global_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, index);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
}

void open_library(lua_State* L, lua_CFunction open, const char* name) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 0);
}

lua_State* new_state() {
  lua_State* L = luaL_newstate();
  open_library(L, luaopen_base, "");
  open_library(L, luaopen_table, LUA_TABLIBNAME);
  open_library(L, luaopen_string, LUA_STRLIBNAME);
  open_library(L, luaopen_math, LUA_MATHLIBNAME);
  // cjson and bit register globals of those names (and return the table).
  lua_pushcfunction(L, luaopen_cjson);
  lua_call(L, 0, 1);
  lua_setglobal(L, "cjson");
  lua_pushcfunction(L, luaopen_bit);
  lua_call(L, 0, 1);
  lua_setglobal(L, "bit");
  lua_pushcfunction(L, script_pcall);
  lua_setglobal(L, "pcall");
  // No files, modules, printing or environment tampering, as in Redis 7
  // (which keeps load, loadstring and collectgarbage: they see the same
  // read-only globals).
  for (const char* name : {"dofile", "loadfile", "print", "module", "require", "getfenv", "setfenv", "newproxy"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
  lua_newtable(L);
  set_function(L, "call", redis_call<true>);
  set_function(L, "pcall", redis_call<false>);
  set_function(L, "error_reply", redis_error_reply);
  set_function(L, "status_reply", redis_status_reply);
  set_function(L, "sha1hex", redis_sha1hex);
  set_function(L, "setresp", redis_setresp);
  set_function(L, "log", redis_log);
  set_function(L, "replicate_commands", redis_noop_true);  // effects replication is the only kind (no replicas here)
  set_function(L, "set_repl", redis_noop);
  set_function(L, "breakpoint", redis_noop);  // no script debugger
  set_function(L, "debug", redis_noop);
  set_log_levels_and_version(L);
  set_number(L, "REPL_NONE", 0);
  set_number(L, "REPL_AOF", 1);
  set_number(L, "REPL_SLAVE", 2);
  set_number(L, "REPL_REPLICA", 2);
  set_number(L, "REPL_ALL", 3);
  lua_setglobal(L, "redis");
  // Compiled scripts, by SHA-1.
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, "tmkv_scripts");
  // Loaded libraries: library id -> {function name = callback}.
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, "tmkv_libs");
  // The load step's `redis`: read-only, and reading anything else in it is
  // Redis's "nonexistent global variable" error.
  lua_newtable(L);
  set_function(L, "register_function", redis_register_function);
  set_function(L, "log", load_redis_log);
  set_log_levels_and_version(L);
  make_read_only(L, global_index);
  lua_setfield(L, LUA_REGISTRYINDEX, "tmkv_load_redis");
  // Libraries' environment (function_env_index).
  lua_newtable(L);
  make_read_only(L, function_env_index);
  lua_setfield(L, LUA_REGISTRYINDEX, "tmkv_fenv");
  // Globals become read-only last.
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  make_read_only(L, global_index);
  lua_pop(L, 1);
  return L;
}

Engine& engine_for(const Server& server) {
  const uint64_t generation = server.scripts().generation();
  if (!t_engine || t_engine->server != &server) {
    t_engine = std::make_unique<Engine>();
    t_engine->L = new_state();
    t_engine->server = &server;
    t_engine->generation = generation;
  } else if (t_engine->generation != generation) {
    // SCRIPT FLUSH: drop what this thread compiled.
    lua_newtable(t_engine->L);
    lua_setfield(t_engine->L, LUA_REGISTRYINDEX, "tmkv_scripts");
    lua_gc(t_engine->L, LUA_GCCOLLECT, 0);
    t_engine->generation = generation;
  }
  // A library changed: drop the loaded ones (they are keyed by library
  // id, so this only frees them; see function_registry.h).
  const uint64_t fn_generation = server.functions().generation();
  if (t_engine->fn_generation != fn_generation) {
    lua_newtable(t_engine->L);
    lua_setfield(t_engine->L, LUA_REGISTRYINDEX, "tmkv_libs");
    lua_gc(t_engine->L, LUA_GCCOLLECT, 0);
    t_engine->fn_generation = fn_generation;
  }
  return *t_engine;
}

// Pushes the compiled function for `sha`, compiling `body` if this thread
// has not yet; on a compile error pushes nothing and returns the message.
std::string push_function(lua_State* L, const std::string& sha, std::string_view body) {
  lua_getfield(L, LUA_REGISTRYINDEX, "tmkv_scripts");
  lua_getfield(L, -1, sha.c_str());
  if (lua_isfunction(L, -1)) {
    lua_remove(L, -2);
    return {};
  }
  lua_pop(L, 1);
  if (luaL_loadbuffer(L, body.data(), body.size(), kChunkName) != 0) {
    std::string msg = lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "?";
    lua_pop(L, 2);
    return "ERR Error compiling script (new function): " + msg;
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, sha.c_str());
  lua_remove(L, -2);
  return {};
}

void set_global_array(lua_State* L, const char* name, std::span<const std::string_view> values) {
  lua_pushstring(L, name);
  lua_createtable(L, static_cast<int>(values.size()), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    lua_pushlstring(L, values[i].data(), values[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  lua_rawset(L, LUA_GLOBALSINDEX);
}

// Redis 7's error reply for a failed script: the error (a command's
// error as it was, a Lua error prefixed with ERR), the script and the line.
std::string script_error(lua_State* L, const std::string& sha, int line, const char* chunk = kChunkName) {
  std::string msg;
  if (lua_istable(L, -1)) {
    if (!table_string_field(L, lua_gettop(L), "err", &msg)) msg = "ERR unknown error";
  } else if (const char* s = lua_tostring(L, -1); s != nullptr) {
    msg = s;
    if (msg.rfind("ERR ", 0) != 0) msg = "ERR " + msg;
  } else {
    msg = "ERR unknown error";
  }
  return reply_line(std::move(msg)) + " script: " + sha + ", on " + chunk + ":" + std::to_string(line) + ".";
}

// Runs a library's load step in this thread's state: on success pushes the
// table {function name = callback} and returns true; else sets *error to
// Redis's reply. `functions` gets what it registered.
bool load_library_code(Engine& e, std::string_view code, bool quiet, std::vector<FunctionInfo>* functions,
                       std::string* error) {
  lua_State* L = e.L;
  // The shebang line goes (Lua would not parse it); its newline stays, so
  // line numbers count it as Redis's do.
  const size_t nl = code.find('\n');
  const std::string_view body = nl == std::string_view::npos ? std::string_view() : code.substr(nl);
  if (luaL_loadbuffer(L, body.data(), body.size(), kFunctionChunkName) != 0) {
    const char* msg = lua_tostring(L, -1);
    *error = std::string("ERR Error compiling function: ") + (msg != nullptr ? msg : "?");
    lua_pop(L, 1);
    return false;
  }
  lua_getfield(L, LUA_REGISTRYINDEX, "tmkv_fenv");
  lua_setfenv(L, -2);
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, "tmkv_loading");
  e.loading = true;
  e.quiet_load = quiet;
  e.collecting = functions;
  e.load_deadline = std::chrono::steady_clock::now() + kLoadTimeout;
  lua_sethook(L, load_hook, LUA_MASKCOUNT, kHookInstructions);
  const int status = lua_pcall(L, 0, 0, 0);
  lua_sethook(L, nullptr, 0, 0);
  e.loading = false;
  e.collecting = nullptr;
  if (status != 0) {
    const char* msg = lua_tostring(L, -1);
    *error = "ERR Error registering functions: ERR " + reply_line(msg != nullptr ? msg : "unknown error");
    lua_pop(L, 1);
  } else if (functions->empty()) {
    *error = "ERR No functions registered";
  }
  lua_getfield(L, LUA_REGISTRYINDEX, "tmkv_loading");
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, "tmkv_loading");
  if (!error->empty()) {
    lua_pop(L, 1);
    return false;
  }
  return true;
}

// Runs the function on top of the stack (above error_handler at 1, with
// its `nargs` arguments above it) in c.tx, as run_script's scripts.
void run_prepared(CommandContext& c, Engine& e, int nargs, const std::string& name, const char* chunk,
                  bool read_only) {
  lua_State* L = e.L;
  e.ctx = &c;
  e.read_only = read_only;
  e.resp = 2;
  e.pending = nullptr;
  e.killed = false;
  e.error_line = 0;
  e.running.wrote.store(false, std::memory_order_relaxed);
  e.running.kill.store(false, std::memory_order_relaxed);
  ScriptCache& scripts = c.server.scripts();
  e.running.function = chunk == kFunctionChunkName;
  if (e.running.function) {
    e.running.name = name;
    e.running.command.assign(c.args.begin(), c.args.end());
    e.running.start = std::chrono::steady_clock::now();
  }
  scripts.started(&e.running);
  const unsigned db0 = c.client.db;
  lua_sethook(L, stop_hook, LUA_MASKCOUNT, kHookInstructions);
  const int status = lua_pcall(L, nargs, 1, 1);
  lua_sethook(L, nullptr, 0, 0);
  scripts.finished(&e.running);
  c.client.db = db0;  // SELECT inside the script was the script's own
  e.ctx = nullptr;
  if (e.pending) {
    std::exception_ptr p = std::move(e.pending);
    e.pending = nullptr;
    lua_settop(L, 0);
    std::rethrow_exception(p);  // the transaction restarts, and the script with it
  }
  // An error that is a command's error, returned or raised as it came, was
  // counted with the command (dispatch.cc counts the reply otherwise).
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, kCountedField);
    c.client.error_counted = lua_toboolean(L, -1) != 0;
    lua_pop(L, 1);
  }
  if (status == 0) {
    reply_from_lua(L, c.out, 0, &c.client.script_reply_errors);
  } else if (status == LUA_ERRMEM) {
    c.out.error("ERR Error running script: out of memory");
  } else {
    c.out.error(script_error(L, name, e.error_line, chunk));
  }
  lua_settop(L, 0);
  lua_gc(L, LUA_GCSTEP, 1);
}

void push_array(lua_State* L, std::span<const std::string_view> values) {
  lua_createtable(L, static_cast<int>(values.size()), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    lua_pushlstring(L, values[i].data(), values[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}

}  // namespace

std::string validate_library(CommandContext& c, std::string_view code, std::vector<FunctionInfo>* functions) {
  return validate_library(c.server, code, functions);
}

std::string validate_library(Server& server, std::string_view code, std::vector<FunctionInfo>* functions) {
  Engine& e = engine_for(server);
  lua_settop(e.L, 0);
  std::string error;
  if (load_library_code(e, code, false, functions, &error)) lua_pop(e.L, 1);
  lua_settop(e.L, 0);
  return error;
}

void run_function(CommandContext& c, const Library& lib, const FunctionInfo& fn,
                  std::span<const std::string_view> keys, std::span<const std::string_view> argv, bool read_only) {
  Engine& e = engine_for(c.server);
  lua_State* L = e.L;
  c.tx->require_software();
  lua_settop(L, 0);
  lua_pushcfunction(L, error_handler);
  lua_getfield(L, LUA_REGISTRYINDEX, "tmkv_libs");
  lua_pushnumber(L, static_cast<lua_Number>(lib.id));
  lua_rawget(L, -2);
  if (!lua_istable(L, -1)) {
    // First call on this thread of this library (version): its load step
    // again, here; FUNCTION LOAD ran it once already, so it passes.
    lua_pop(L, 1);
    std::vector<FunctionInfo> ignored;
    std::string error;
    if (!load_library_code(e, lib.code, true, &ignored, &error)) {
      lua_settop(L, 0);
      c.out.error(error);
      return;
    }
    lua_pushnumber(L, static_cast<lua_Number>(lib.id));
    lua_pushvalue(L, -2);
    lua_rawset(L, -4);
  }
  lua_getfield(L, -1, fn.name.c_str());
  lua_replace(L, 2);
  lua_settop(L, 2);
  if (!lua_isfunction(L, 2)) {
    lua_settop(L, 0);
    c.out.error("ERR Function not found");
    return;
  }
  push_array(L, keys);
  push_array(L, argv);
  run_prepared(c, e, 2, fn.name, kFunctionChunkName, read_only);
}

std::string compile_script(CommandContext& c, const std::string& sha, std::string_view body, bool* fresh) {
  Engine& e = engine_for(c.server);
  lua_getfield(e.L, LUA_REGISTRYINDEX, "tmkv_scripts");
  lua_getfield(e.L, -1, sha.c_str());
  *fresh = !lua_isfunction(e.L, -1);
  lua_pop(e.L, 2);
  if (!*fresh) return {};
  std::string error = push_function(e.L, sha, body);
  if (error.empty()) lua_pop(e.L, 1);
  return error;
}

void run_script(CommandContext& c, const std::string& sha, std::string_view body,
                std::span<const std::string_view> keys, std::span<const std::string_view> argv, bool read_only) {
  Engine& e = engine_for(c.server);
  lua_State* L = e.L;
  // Lua allocates and may run long: a hardware attempt would abort anyway.
  c.tx->require_software();
  lua_settop(L, 0);
  lua_pushcfunction(L, error_handler);
  if (std::string error = push_function(L, sha, body); !error.empty()) {
    lua_settop(L, 0);
    c.out.error(error);
    return;
  }
  set_global_array(L, "KEYS", keys);
  set_global_array(L, "ARGV", argv);
  run_prepared(c, e, 0, sha, kChunkName, read_only);
}

}  // namespace tmkv::server
