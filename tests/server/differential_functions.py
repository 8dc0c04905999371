"""Differential scenarios for Redis 7.0's functions: FUNCTION LOAD (the
shebang, the load-time sandbox, redis.register_function in both forms and
every error), FCALL / FCALL_RO (keys and args, flags, read-only refusals,
maxmemory and allow-oom, errors and their lines), FUNCTION LIST / DELETE /
FLUSH / STATS / KILL / HELP, RESP3 shapes, FCALL inside MULTI/EXEC, and
FUNCTION DUMP / RESTORE (payloads compared byte for byte, hostile ones,
every policy, and each server's dump restored on the other).

FUNCTION LIST's order of libraries and of the functions in a library is
the order of Redis's hash tables (seeded per process): it is compared with
every list of aggregates sorted (same_up_to_order)."""
from differential_core import SAME_TYPE
from differential_resp import fmt
from differential_scenarios import fresh, scenario
from raw_resp import crc64_jones


def _canon(r):
    if r[0] in "*~" and r[1] is not None:
        items = [_canon(x) for x in r[1]]
        if items and all(x[0] in "*%~" for x in items):
            items.sort(key=lambda x: fmt(x, limit=10**9))
        return (r[0], items)
    if r[0] == "%":
        return ("%", [(_canon(k), _canon(v)) for k, v in r[1]])
    return r


def same_up_to_order(a, b):
    return _canon(a) == _canon(b)


LIST = same_up_to_order


def start(r, proto=2):
    fresh(r, proto)
    r.do("A", "FUNCTION", "FLUSH")


def lib(name, body):
    return "#!lua name=%s\n%s" % (name, body)


F = "redis.register_function('h', function() return 1 end)"


@scenario
def functions_load_metadata(r):
    start(r)
    for code in ["return 1", "#!lua", "#!lua name=", "#!lua name=a b", "#!lua\n", "#!lua\n" + F, "#!\n" + F,
                 "#! name=x\n" + F, "#!lua name=a name=b\n" + F, "#!lua name=a=b\n" + F, "#!lua  name=x\r\n" + F,
                 "#!lua name=\"x y\"\n" + F, "#!lua name=xx foo\n" + F, "#!lua foo=bar name=x\n" + F,
                 "#!Lua name=x2\n" + F, "#!lua NAME=x3\n" + F, "#!lua name=\n" + F, "#!lua name=a-b name=c\n" + F,
                 "#!js name=a-b\n" + F, "#!js\n" + F, "#!js name=q\n" + F, "#!lua name=\"x\n" + F,
                 "#!lua name=x4 foo=1 name=y\n" + F, " #!lua name=x5\n" + F, "#!lua name=x6\tfoo\n" + F,
                 "#!lua  name='q7'\n" + F, "#!lua name=" + "a" * 300 + "\n" + F, "#!lua name=\xfc\n" + F]:
        r.do("A", "FUNCTION", "FLUSH")
        r.do("A", "FUNCTION", "LOAD", code)
        r.do("A", "FUNCTION", "LIST", mode=LIST)
    r.do("A", "FUNCTION", "LOAD")
    r.do("A", "FUNCTION", "LOAD", "REPLACE")
    r.do("A", "FUNCTION", "LOAD", "FOO", lib("z", F))
    r.do("A", "FUNCTION", "LOAD", "REPLACE", "REPLACE", lib("z", F))
    r.do("A", "FUNCTION", "LOAD", "replace", lib("z", F))
    r.do("A", "FUNCTION", "LOAD", lib("z", F))


@scenario
def functions_register_errors(r):
    start(r)
    bodies = [
        "redis.register_function('h', function() return 1 end)\nredis.register_function('h', function() end)",
        "redis.register_function('h', 5)", "redis.register_function('h')", "redis.register_function()",
        "redis.register_function(5, function() end)", "redis.register_function('h', function() end, 3)",
        "redis.register_function{function_name='h'}", "redis.register_function{callback=function() end}",
        "redis.register_function{function_name='h', callback=function() end, flags={'bad'}}",
        "redis.register_function{function_name='h', callback=function() end, flags='no-writes'}",
        "redis.register_function{function_name='h', callback=function() end, flags={5}}",
        "redis.register_function{function_name='h', callback=function() end, description=5}",
        "redis.register_function{function_name='h', callback=function() end, foo=5}",
        "redis.register_function{function_name=5, callback=function() end}",
        "redis.register_function{function_name='h', callback=5}",
        "redis.register_function({function_name='h', callback=function() end}, 5)",
        "redis.register_function('x y', function() end)", "redis.register_function('', function() end)",
        "redis.register_function('f-f', function() end)",
        "redis.register_function('A', function() end)\nredis.register_function('a', function() end)",
        "redis.call('set','x','y')", "redis.pcall('set','x','y')", "local a = redis.sha1hex('x')",
        "redis.log(redis.LOG_WARNING, 'load log')\n" + F, "redis.setresp(3)",
        "local x = redis.error_reply('x')", "error('boom')", "foo bar", "x = 5", "local x = undefinedvar",
        "while true do end", F + "\nerror('late')", F + "\nfoo = 1", F + "\nreturn 5", "",
        "local x = redis.REDIS_VERSION_NUM + redis.LOG_NOTICE\n" + F,
        "local function f() return 1 end\nredis.register_function('a', f)\nredis.register_function('b', f)",
    ]
    for name in ["string", "math", "table", "bit", "cjson", "os", "pcall", "error", "type", "tostring", "pairs",
                 "ipairs", "next", "unpack", "select", "assert", "rawget", "setmetatable", "loadstring", "_G",
                 "KEYS", "ARGV", "print"]:
        bodies.append("local x = %s\n%s" % (name, F))
    for flags in ["'no-writes'", "'allow-oom'", "'allow-stale'", "'no-cluster'", "'allow-cross-slot-keys'",
                  "'no-writes','allow-oom','allow-stale','no-cluster','allow-cross-slot-keys'", ""]:
        bodies.append("redis.register_function{function_name='fl', callback=function() return 1 end, "
                      "flags={%s}, description='d'}" % flags)
    for body in bodies:
        r.do("A", "FUNCTION", "FLUSH")
        r.do("A", "FUNCTION", "LOAD", lib("b", body))
        r.do("A", "FUNCTION", "LIST", "WITHCODE", mode=LIST)
        r.do("A", "FUNCTION", "STATS")


@scenario
def functions_library_collisions(r):
    start(r)
    r.do("A", "FUNCTION", "LOAD", lib("a", "redis.register_function('f', function() return 'a' end)"))
    r.do("A", "FUNCTION", "LOAD", lib("A", "redis.register_function('g', function() return 'A' end)"))
    r.do("A", "FUNCTION", "LOAD", lib("a", "redis.register_function('f2', function() return 1 end)"))
    r.do("A", "FUNCTION", "LOAD", lib("b", "redis.register_function('f', function() return 1 end)"))
    r.do("A", "FUNCTION", "LOAD", lib("b", "redis.register_function('F', function() return 1 end)"))
    r.do("A", "FUNCTION", "LOAD", "REPLACE", lib("b", "redis.register_function('g', function() return 1 end)"))
    r.do("A", "FUNCTION", "LOAD", "REPLACE", lib("a", "redis.register_function('g', function() return 1 end)"))
    r.do("A", "FCALL", "f", 0)
    r.do("A", "FUNCTION", "LOAD", "REPLACE", lib("a", "redis.register_function('f', function() return 'a2' end)\n"
                                                 "redis.register_function('f3', function() return 3 end)"))
    r.do("A", "FCALL", "f", 0)
    r.do("A", "FCALL", "F", 0)
    r.do("A", "FCALL", "f3", 0)
    r.do("A", "FCALL", "g", 0)
    r.do("A", "FUNCTION", "LIST", mode=LIST)
    r.do("A", "FUNCTION", "LIST", "LIBRARYNAME", "a", mode=LIST)
    r.do("A", "FUNCTION", "LIST", "libraryname", "*", "withcode", mode=LIST)
    r.do("A", "FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "[aA]", mode=LIST)
    r.do("A", "FUNCTION", "LIST", "LIBRARYNAME")
    r.do("A", "FUNCTION", "LIST", "foo")
    r.do("A", "FUNCTION", "LIST", "WITHCODE", "WITHCODE")
    r.do("A", "FUNCTION", "LIST", "LIBRARYNAME", "a", "LIBRARYNAME", "c")
    r.do("A", "FUNCTION", "STATS")
    r.do("A", "FUNCTION", "DELETE", "nope")
    r.do("A", "FUNCTION", "DELETE", "A")
    r.do("A", "FUNCTION", "DELETE", "A")
    r.do("A", "FCALL", "g", 0)
    r.do("A", "FUNCTION", "DELETE")
    r.do("A", "FUNCTION", "DELETE", "a", "b")
    r.do("A", "FUNCTION", "STATS")
    for args in [("FLUSH", "bad"), ("FLUSH", "async", "x"), ("flush", "sync", "x"), ("FLUSH", "ASYNC"),
                 ("FLUSH", "sync"), ("FLUSH",), ("STATS", "x"), ("KILL",), ("KILL", "x"), ("FOO",), ("HELP",),
                 ("HELP", "x")]:
        r.do("A", "FUNCTION", *args)
    r.do("A", "FUNCTION")
    r.do("A", "FUNCTION", "STATS")


LIBRARY = lib("lib", """
redis.register_function('echo', function(keys, args) return {#keys, #args, keys, args} end)
redis.register_function('w', function(k, a) return redis.call('set', k[1], a[1]) end)
redis.register_function{function_name='ro', callback=function(k, a) return redis.call('set', k[1], a[1]) end,
  flags={'no-writes'}}
redis.register_function{function_name='r', callback=function(k, a) return redis.call('get', k[1]) end,
  flags={'no-writes'}, description='reads'}
redis.register_function{function_name='oom', callback=function(k, a) return redis.call('set', k[1], a[1]) end,
  flags={'allow-oom'}}
redis.register_function{function_name='pc', callback=function(k) return redis.pcall('pfcount', k[1]) end,
  flags={'no-writes'}}
redis.register_function('errs', function(k, a)
  if a[1] == 'raise' then error('boom') end
  if a[1] == 'table' then return redis.error_reply('ERR my own') end
  if a[1] == 'status' then return redis.status_reply('FINE') end
  if a[1] == 'global' then return nosuch end
  if a[1] == 'setglobal' then x = 1 end
  if a[1] == 'keys' then return KEYS end
  if a[1] == 'call' then return redis.call('nosuch') end
  if a[1] == 'wrongtype' then return redis.call('lpush', k[1], 'x') end
  if a[1] == 'pcall' then return redis.pcall('incr', k[1]) end
  if a[1] == 'register' then redis.register_function('z', function() end) end
  return 'none'
end)
redis.register_function('kinds', function(k, a)
  local out = {}
  table.insert(out, redis.call('set', k[1], '10'))
  table.insert(out, redis.call('incrby', k[1], 5))
  table.insert(out, redis.call('hset', k[2], 'f', 'v', 'g', 'w'))
  table.insert(out, redis.call('hgetall', k[2]))
  table.insert(out, redis.call('rpush', k[3], 'a', 'b', 'c'))
  table.insert(out, redis.call('lrange', k[3], 0, -1))
  table.insert(out, redis.call('sadd', k[4], 'm'))
  table.insert(out, redis.call('smembers', k[4]))
  table.insert(out, redis.call('zadd', k[5], 1.5, 'x', 2, 'y'))
  table.insert(out, redis.call('zrange', k[5], 0, -1, 'WITHSCORES'))
  table.insert(out, redis.call('pfadd', k[6], 'a', 'b'))
  table.insert(out, redis.call('pfcount', k[6]))
  table.insert(out, redis.call('expire', k[1], 100))
  table.insert(out, redis.call('exists', k[1], k[2], 'nokey'))
  table.insert(out, redis.call('type', k[2]))
  table.insert(out, redis.call('del', k[4]))
  table.insert(out, redis.call('get', 'nokey'))
  table.insert(out, redis.call('ping'))
  table.insert(out, redis.sha1hex('x'))
  table.insert(out, cjson.encode({1, 2}))
  table.insert(out, string.format('%d', #a))
  return out
end)
redis.register_function('resp3', function(k, a)
  redis.setresp(3)
  return {redis.call('hgetall', k[1]), redis.call('smembers', k[2]), {double = 3.5}, true, false}
end)
redis.register_function('rename', function(k) return redis.call('rename', k[1], k[2]) end)
""")


@scenario
def functions_fcall(r):
    start(r)
    r.do("A", "FUNCTION", "LOAD", LIBRARY)
    r.do("A", "FUNCTION", "LIST", "WITHCODE", mode=LIST)
    r.do("A", "FUNCTION", "STATS")
    for args in [("nope", 0), ("nope", "x"), ("echo", -1), ("echo", "x"), ("echo", 5, "a"), ("echo", 1),
                 ("echo", 0), ("echo", 0, "x"), ("ECHO", 2, "x", "y", "z"), ("Echo", 1, "k", "a1", "a2"),
                 ("echo", "01", "k"), ("echo", "1.0", "k")]:
        r.do("A", "FCALL", *args)
        r.do("A", "FCALL_RO", *args)
    r.do("A", "FCALL")
    r.do("A", "FCALL", "echo")
    r.do("A", "FCALL_RO", "echo")
    r.do("A", "FCALL", "w", 1, "k", "v")
    r.do("A", "FCALL", "ro", 1, "k", "v")
    r.do("A", "FCALL_RO", "ro", 1, "k", "v")
    r.do("A", "FCALL_RO", "r", 1, "k")
    r.do("A", "FCALL", "r", 1, "k")
    r.do("A", "FCALL", "pc", 1, "k")
    r.do("A", "FCALL_RO", "w", 1, "k", "v")
    r.do("A", "GET", "k")
    for a in ["raise", "table", "status", "global", "setglobal", "keys", "call", "wrongtype", "pcall", "register",
              "other"]:
        r.do("A", "FCALL", "errs", 1, "k", a)
    r.do("A", "FCALL", "kinds", 6, "s", "h", "l", "st", "z", "hll", "x", "y")
    r.do("A", "TTL", "s")
    r.do("A", "KEYS", "*", mode="sorted")
    r.do("A", "FCALL", "rename", 2, "s", "s2")
    r.do("A", "FCALL", "rename", 2, "nokey", "s3")
    r.do("A", "FCALL", "resp3", 2, "h", "st")
    r.do("A", "EVAL", "return redis.call('fcall', 'echo', 0)", 0)
    r.do("A", "EVAL", "return redis.call('function', 'list')", 0)
    r.do("A", "EVAL", "return redis.call('function', 'help')[1]", 0)
    r.do("A", "FUNCTION", "LOAD", lib("l2", "redis.register_function('nested', function() "
                                             "return redis.call('fcall', 'echo', 0) end)"))
    r.do("A", "FCALL", "nested", 0)
    r.do("A", "DBSIZE")


@scenario
def functions_maxmemory(r):
    start(r)
    r.do("A", "FUNCTION", "LOAD", LIBRARY)
    r.do("A", "SET", "k", "v")
    r.do("A", "CONFIG", "SET", "maxmemory", "1")
    r.do("A", "FCALL", "w", 1, "k", "v")
    r.do("A", "FCALL", "r", 1, "k")
    r.do("A", "FCALL_RO", "r", 1, "k")
    r.do("A", "FCALL", "oom", 1, "k", "v2")
    r.do("A", "FCALL", "ro", 1, "k", "v")
    r.do("A", "FCALL", "nope", 0)
    r.do("A", "MULTI")
    r.do("A", "FCALL", "w", 1, "k", "v")
    r.do("A", "EXEC")
    r.do("A", "CONFIG", "SET", "maxmemory", "0")
    r.do("A", "GET", "k")


@scenario
def functions_multi_exec(r):
    start(r)
    r.do("A", "FUNCTION", "LOAD", LIBRARY)
    r.do("A", "MULTI")
    r.do("A", "FCALL", "w", 1, "m", "1")
    r.do("A", "FCALL_RO", "r", 1, "m")
    r.do("A", "FCALL", "nope", 0)
    r.do("A", "FCALL", "errs", 1, "m", "raise")
    r.do("A", "FUNCTION", "LOAD", lib("zz", "redis.register_function('zz', function() return 'zz' end)"))
    r.do("A", "FCALL", "zz", 0)
    r.do("A", "FUNCTION", "DELETE", "zz")
    r.do("A", "FCALL", "zz", 0)
    r.do("A", "FUNCTION", "DELETE", "zz")
    r.do("A", "INCR", "m")
    r.do("A", "EXEC")
    r.do("A", "MULTI")
    r.do("A", "FCALL")
    r.do("A", "FUNCTION", "FOO")
    r.do("A", "EXEC")
    r.do("A", "WATCH", "m")
    r.do("B", "FCALL", "w", 1, "m", "2")
    r.do("A", "MULTI")
    r.do("A", "FCALL", "r", 1, "m")
    r.do("A", "EXEC")
    r.do("A", "FUNCTION", "LIST", mode=LIST)
    r.do("A", "FUNCTION", "STATS")


@scenario
def functions_resp3(r):
    start(r, proto=3)
    r.do("A", "FUNCTION", "LOAD", LIBRARY)
    r.do("A", "FUNCTION", "LIST", mode=LIST)
    r.do("A", "FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "l*", mode=LIST)
    r.do("A", "FUNCTION", "STATS")
    r.do("A", "FUNCTION", "HELP")
    r.do("A", "FCALL", "echo", 2, "a", "b", "c")
    r.do("A", "FCALL", "kinds", 6, "s", "h", "l", "st", "z", "hll")
    r.do("A", "FCALL", "resp3", 2, "h", "st")
    r.do("A", "FCALL", "errs", 1, "k", "table")
    r.do("A", "FCALL", "errs", 1, "k", "status")
    r.do("A", "FCALL_RO", "r", 1, "nokey")
    r.do("A", "FUNCTION", "DELETE", "lib")
    r.do("A", "FUNCTION", "STATS")
    r.do("A", "FUNCTION", "LIST")
    r.do("A", "FUNCTION", "KILL")


def payload(body, version=10):
    """body + RDB version + CRC-64: a payload whose footer is right."""
    body += version.to_bytes(2, "little")
    return body + crc64_jones(body).to_bytes(8, "little")


def rdb_str(b):
    """An RDB string: 6- or 14-bit length, then the bytes."""
    return (bytes([len(b)]) if len(b) < 64 else bytes([0x40 | (len(b) >> 8), len(b) & 0xFF])) + b


def fn_record(code):
    return b"\xf5" + rdb_str(code)


def pre_ga_record(name, engine, body, desc=None):
    return b"\xf6" + rdb_str(name) + rdb_str(engine) + (b"\x00" if desc is None else b"\x01" + rdb_str(desc)) + \
        rdb_str(body)


DUMP_A = lib("la", "redis.register_function('fa', function() return 'a' end)").encode()
DUMP_B = lib("lb", "redis.register_function{function_name='fb', callback=function(k, a) return #k end, "
                   "flags={'no-writes'}, description='b'}").encode()
# Long and repetitive: Redis's dump holds it LZF-compressed.
DUMP_LONG = lib("llong", "".join("redis.register_function('fl%d', function() return %d end)\n" % (i, i)
                                 for i in range(20))).encode()
FA_UPPER = lib("lc", "redis.register_function('FA', function() return 'c' end)").encode()


@scenario
def functions_dump_restore(r):
    start(r)
    r.do("A", "FUNCTION", "DUMP")  # just the footer
    for code in (DUMP_A, DUMP_B, DUMP_LONG):
        r.do("A", "FUNCTION", "FLUSH")
        r.do("A", "FUNCTION", "LOAD", code)
        r.do("A", "FUNCTION", "DUMP")  # one library: Redis's bytes
    r.do("A", "FUNCTION", "DUMP", "x")
    r.do("A", "FUNCTION", "RESTORE")
    r.do("A", "FUNCTION", "RESTORE", payload(b""), "FLUSH", "x")
    r.do("A", "FUNCTION", "RESTORE", b"garbage", "bad")  # the policy is checked first
    # Each policy, from an existing library llong.
    for policy in ((), ("APPEND",), ("append",), ("REPLACE",), ("FLUSH",)):
        r.do("A", "FUNCTION", "FLUSH")
        r.do("A", "FUNCTION", "LOAD", DUMP_LONG)
        r.do("A", "FUNCTION", "LOAD", DUMP_A)
        for body in (fn_record(DUMP_A), fn_record(DUMP_B) + fn_record(DUMP_LONG), fn_record(FA_UPPER),
                     fn_record(DUMP_B), b""):
            r.do("A", "FUNCTION", "RESTORE", payload(body), *policy)
            r.do("A", "FUNCTION", "LIST", "WITHCODE", mode=LIST)
    r.do("A", "FCALL", "fb", 2, "x", "y")
    # Bad payloads: none changes anything.
    bad = [b"", b"abc", payload(b"")[:-1] + b"x", payload(fn_record(DUMP_A), version=11),
           payload(b"\xf5"), payload(b"\xf5\x00"), payload(b"\xf5\xc4"), payload(b"\xf5\xc0\x05"),
           payload(fn_record(DUMP_A) + b"\x00"), payload(b"\x00" + rdb_str(DUMP_A)),
           payload(b"\xf5" + bytes([len(DUMP_A) + 3]) + DUMP_A),  # would reach into the footer
           payload(b"\xf5\x80\xff\xff\xff\xffabc"), payload(b"\xf5\x81" + b"\xff" * 8 + b"x"),
           payload(b"\xf5\xc3\x05\x10abcde"), payload(b"\xf5\xc3\x85\xff\xff\xff\xff\x03abcde"),
           payload(b"\xf5\xc3\x05\x03abcde"),
           payload(fn_record(lib("lx", "return 1").encode())), payload(fn_record(b"#!lua name=lx\nerror('x')")),
           payload(fn_record(b"#!js name=lx\n")), payload(fn_record(DUMP_B) + fn_record(DUMP_B)),
           payload(fn_record(DUMP_A) + fn_record(FA_UPPER)), payload(fn_record(lib("lx", "return 1").encode()) + b"\xf5\xc4"),
           payload(fn_record(DUMP_B) + b"\xf5\xc4"), payload(b"\xf5\xc4" + fn_record(DUMP_B)),
           payload(b"\xf6"), payload(b"\xf6" + rdb_str(b"lp")), payload(b"\xf6" + rdb_str(b"lp") + rdb_str(b"LUA")),
           payload(b"\xf6" + rdb_str(b"lp") + rdb_str(b"LUA") + b"\x01"),
           payload(b"\xf6" + rdb_str(b"lp") + rdb_str(b"LUA") + b"\x01" + rdb_str(b"d")),
           payload(pre_ga_record(b"a b", b"lua", b"redis.register_function('fp', function() return 1 end)")),
           payload(pre_ga_record(b"", b"lua", b"redis.register_function('fp', function() return 1 end)")),
           payload(pre_ga_record(b"lp", b"js", b"redis.register_function('fp', function() return 1 end)"))]
    for p in bad:
        for policy in ((), ("FLUSH",)):
            r.do("A", "FUNCTION", "RESTORE", p, *policy)
    r.do("A", "FUNCTION", "LIST", "WITHCODE", mode=LIST)
    # Pre-GA records: Redis 7.0 rebuilds the shebang from their name and engine.
    body = b"redis.register_function('fp', function() return 'p' end)"
    r.do("A", "FUNCTION", "RESTORE", payload(pre_ga_record(b"lp", b"LUA", body, desc=b"d")))
    r.do("A", "FUNCTION", "RESTORE", payload(pre_ga_record(b"lq", b"lua", body.replace(b"fp", b"fq"))), "REPLACE")
    r.do("A", "FUNCTION", "LIST", "WITHCODE", mode=LIST)
    r.do("A", "FCALL", "fp", 0)
    # Inside MULTI / EXEC.
    r.do("A", "MULTI")
    r.do("A", "FUNCTION", "RESTORE", payload(fn_record(DUMP_A)), "FLUSH")
    r.do("A", "FUNCTION", "RESTORE", payload(fn_record(DUMP_A)))
    r.do("A", "FCALL", "fa", 0)
    r.do("A", "FUNCTION", "DUMP")
    r.do("A", "EXEC")


def SOME_LIBRARY_EXISTS(a, b):
    """APPEND of several libraries that all exist: Redis names the first in
    its hash table's order."""
    return all(x[0] == "-" and x[1].startswith(b"ERR Library ") and x[1].endswith(b" already exists") for x in (a, b))


@scenario
def functions_dump_restore_cross(r):
    """Each server's FUNCTION DUMP restored on the other: the same libraries
    and code, and their functions run."""
    start(r)
    for code in (DUMP_A, DUMP_B, DUMP_LONG):
        r.do("A", "FUNCTION", "LOAD", code)
    ref, test = r.do("A", "FUNCTION", "DUMP", mode=SAME_TYPE)  # order of libraries: each server's own
    for policy in ("FLUSH", "REPLACE"):
        r.do_split("A", ("FUNCTION", "RESTORE", test[1], policy), ("FUNCTION", "RESTORE", ref[1], policy),
                   "FUNCTION RESTORE <the other server's FUNCTION DUMP> " + policy)
        r.do("A", "FUNCTION", "LIST", "WITHCODE", mode=LIST)
        r.do("A", "FCALL", "fa", 0)
        r.do("A", "FCALL_RO", "fb", 1, "k")
        r.do("A", "FCALL", "fl19", 0)
    r.do_split("A", ("FUNCTION", "RESTORE", test[1]), ("FUNCTION", "RESTORE", ref[1]),
               "FUNCTION RESTORE <the other server's FUNCTION DUMP>", mode=SOME_LIBRARY_EXISTS)
    r.do("A", "FUNCTION", "FLUSH")
    r.do_split("A", ("FUNCTION", "RESTORE", test[1]), ("FUNCTION", "RESTORE", ref[1]),
               "FUNCTION RESTORE <the other server's FUNCTION DUMP>")
    r.do("A", "FUNCTION", "LIST", "WITHCODE", mode=LIST)
    r.do("A", "FUNCTION", "STATS")
    # One library: the dumps are the same bytes, restored anywhere.
    r.do("A", "FUNCTION", "DELETE", "la")
    r.do("A", "FUNCTION", "DELETE", "lb")
    ref, test = r.do("A", "FUNCTION", "DUMP")
    r.do("A", "FUNCTION", "FLUSH")
    r.do("A", "FUNCTION", "RESTORE", test[1])
    r.do("A", "FUNCTION", "LIST", "WITHCODE", mode=LIST)
    r.do("A", "FCALL", "fl7", 0)
