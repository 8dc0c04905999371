#!/usr/bin/python3
"""Lua scripts (EVAL, EVALSHA, SCRIPT) against the real tmkv-server, in what
a reply-by-reply comparison with Redis cannot show (the differential test's
"scripting" scenario and random EVALs compare the replies themselves):

  (a) other clients are served while a script runs (on another I/O thread):
      a script is a transaction, not a stop of the server;
  (b) SCRIPT KILL stops a script that has not written, even one that loops
      inside pcall(); its client gets Redis's error; then NOTBUSY;
  (c) a script that has written cannot be killed (UNKILLABLE) and finishes;
  (d) a PUBLISH in a script reaches a subscriber once, after the commit,
      also from a script that then fails, and also from a script whose
      transaction was restarted by conflicts;
  (e) the script cache is the server's: EVAL on one thread, EVALSHA on
      another; SCRIPT FLUSH drops what every thread compiled;
  (f) SELECT inside a script does not change the client's database; a
      script inside MULTI runs in the EXEC transaction;
  (g) INFO commandstats count the commands a script ran, once, however
      often its transaction restarted;
  (h) a returned table that contains itself ends in "reached lua stack
      limit", and the connection goes on;
  (i) errors inside a script's array reply count as redis-server counts
      them (errorstats, total_error_replies, EVAL's failed calls; a
      command's error returned by pcall only once), EXEC included.

SCRIPTING_AGAINST_REDIS=1 runs what applies to redis-server 7 as well ((b),
(d) partly, (e), (f), (g) on one thread; (a) and the concurrent parts are
tmkv's own: Redis runs nothing else while a script runs).

Run: TMKV_SERVER=build/bin/tmkv-server /usr/bin/python3 tests/server/scripting_test.py [a b ...]
"""
import os
import random
import socket
import sys
import threading
import time

import redis

import harness
from raw_resp import RawConn, check, check_eq, run_tests

AGAINST_REDIS = os.environ.get("SCRIPTING_AGAINST_REDIS") == "1"

LOOP_FOREVER = "local i = 0\nwhile true do i = i + 1 end"
LOOP_IN_PCALL = "while true do pcall(function() local x = 0 for i = 1, 1000 do x = x + i end end) end"


def start():
    # Two I/O threads: connections alternate between them, so a second
    # client is served by the thread the first one's script is not on.
    return harness.start_redis() if AGAINST_REDIS else harness.start_tmkv("--io-threads", "2")


def client(s):
    return s.client(decode_responses=True)


def run_in_thread(fn):
    result = {}

    def body():
        try:
            result["value"] = fn()
        except Exception as e:  # noqa: BLE001
            result["error"] = e

    t = threading.Thread(target=body)
    t.start()
    return t, result


def eval_from_threads(s, script, threads, each):
    """Runs `script` `each` times on each of `threads` connections at once;
    returns the errors."""
    errors = []

    def run():
        try:
            c = client(s)
            for _ in range(each):
                c.eval(script, 0)
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(60)
    return errors


def wait_running(r, timeout=5.0):
    """Until SCRIPT KILL would find a script (probing with a harmless
    command: SCRIPT KILL itself would kill it). redis-server answers nothing
    but BUSY while a script runs: there, a pause."""
    if AGAINST_REDIS:
        time.sleep(0.5)
        return
    deadline = time.time() + timeout
    while time.time() < deadline:
        busy = [c for c in r.client_list() if c.get("cmd") in ("eval", "evalsha")]
        if busy:
            return
        time.sleep(0.05)
    raise AssertionError("the script did not start")


def kill_when_registered(r, timeout=5.0):
    """SCRIPT KILL, again while it answers NOTBUSY: CLIENT LIST names the
    command as soon as it is dispatched, a moment before the script is
    registered as running (on a loaded machine with a sanitizer, that moment
    can be long). A NOTBUSY before the registration harms nothing."""
    deadline = time.time() + timeout
    while True:
        try:
            return r.execute_command("SCRIPT", "KILL")
        except redis.ResponseError as e:
            if "NOTBUSY" not in str(e) and "No scripts in execution" not in str(e) or time.time() > deadline:
                raise
            time.sleep(0.02)


def test_others_served_while_a_script_runs():
    if AGAINST_REDIS:
        print("  (a) skipped: redis-server serves no one while a script runs")
        return
    with start() as s:
        runner = RawConn(s.port)  # first connection: I/O thread 0
        other = client(s)         # the next ones alternate
        other.ping()
        helper = client(s)
        helper.ping()
        runner.send(b"*3\r\n$4\r\nEVAL\r\n$%d\r\n%s\r\n$1\r\n0\r\n" % (len(LOOP_FOREVER), LOOP_FOREVER.encode()))
        time.sleep(0.3)
        # Whichever of the two others shares the runner's thread waits; the
        # one on the other thread is served at once.
        served = []

        def probe(c, name):
            t0 = time.time()
            c.set(f"during:{name}", "x")
            served.append((name, time.time() - t0))

        threads = [threading.Thread(target=probe, args=(c, n)) for c, n in ((other, "other"), (helper, "helper"))]
        for t in threads:
            t.start()
        time.sleep(1.0)
        check(len(served) >= 1 and served[0][1] < 1.0, f"a client on the other thread was served meanwhile: {served}")
        killer = client(s)
        # The killer may share the runner's thread too: then it waits like
        # the rest, and the script would run forever. Try from every client
        # on the other thread (one of `other`/`helper` is there).
        done_name = served[0][0]
        (other if done_name == "other" else helper).execute_command("SCRIPT", "KILL")
        reply = runner.read_reply()
        check(isinstance(reply, tuple) and reply[1].startswith("ERR Script killed by user with SCRIPT KILL..."),
              f"the script was killed: {reply}")
        for t in threads:
            t.join(10)
        check_eq(len(served), 2, "both clients served in the end")
        check_eq(killer.get("during:other"), "x", "the writes made meanwhile are there")
        runner.close()


def test_script_kill():
    with start() as s:
        for body in (LOOP_FOREVER, LOOP_IN_PCALL):
            # Connected in this order, the two are on different I/O threads
            # (they alternate), so `r` is served while the script runs.
            victim = client(s)
            victim.ping()
            r = client(s)
            r.ping()
            t, result = run_in_thread(lambda b=body, v=victim: v.eval(b, 0))
            wait_running(r)
            check_eq(kill_when_registered(r), "OK", "SCRIPT KILL")
            t.join(10)
            check(not t.is_alive(), "the killed script's client got its reply")
            err = str(result.get("error"))
            check(err.startswith("Script killed by user with SCRIPT KILL..."),
                  f"the killed script's reply: {result}")
            check(", on @user_script:" in err, f"with the script and line: {err}")
            try:
                r.execute_command("SCRIPT", "KILL")
                check(False, "a second SCRIPT KILL finds nothing")
            except redis.ResponseError as e:
                check(str(e).endswith("No scripts in execution right now."), f"NOTBUSY: {e}")
            check_eq(victim.ping(), True, "the victim's connection works on")


def test_unkillable_after_a_write():
    if AGAINST_REDIS:
        print("  (c) skipped: redis-server answers BUSY to everything but SCRIPT KILL / SHUTDOWN NOSAVE here")
        return
    with start() as s:
        writer = client(s)
        writer.ping()
        r = client(s)  # on the other I/O thread (see test_script_kill)
        r.ping()
        body = ("redis.call('set', 'w', 'written')\n"
                "local t0 = tonumber(redis.call('time')[1])\n"
                "while tonumber(redis.call('time')[1]) - t0 < 3 do end\n"
                "return 'done'")
        t, result = run_in_thread(lambda: writer.eval(body, 0))
        wait_running(r)
        # Dispatched is not yet registered, nor yet past its SET: a moment
        # later it is both (the script then loops for 3 s).
        time.sleep(0.6)
        try:
            r.execute_command("SCRIPT", "KILL")
            check(False, "SCRIPT KILL refused")
        except redis.ResponseError as e:
            check("Sorry the script already executed write commands" in str(e), f"UNKILLABLE: {e}")
        t.join(15)
        check_eq(result.get("value"), "done", "the script finished")
        check_eq(r.get("w"), "written", "its write is there")


def test_publish_from_scripts():
    with start() as s:
        r = client(s)
        sub = client(s).pubsub()
        sub.subscribe("news")
        check_eq(sub.get_message(timeout=5)["type"], "subscribe", "subscribed")
        check_eq(r.eval("return redis.call('publish', 'news', 'one')", 0), 1, "one subscriber")
        try:
            r.eval("redis.call('publish', 'news', 'two')\nreturn redis.call('incr', 'news-not-a-number')", 0)
        except redis.ResponseError:
            check(False, "INCR of a missing key works")
        r.set("s", "abc")
        try:
            r.eval("redis.call('publish', 'news', 'three')\nreturn redis.call('incr', 's')", 0)
            check(False, "the script fails")
        except redis.ResponseError as e:
            check("value is not an integer" in str(e), f"its error: {e}")
        got = []
        deadline = time.time() + 5
        while len(got) < 3 and time.time() < deadline:
            m = sub.get_message(timeout=1)
            if m and m["type"] == "message":
                got.append(m["data"])
        check_eq(got, ["one", "two", "three"], "each message once, in order (a failed script's too, as in Redis)")
        if AGAINST_REDIS:
            sub.close()
            return
        # Conflicting scripts: each publishes once per committed run.
        r.set("counter", 0)
        script = "local v = redis.call('incr', 'counter')\nredis.call('publish', 'news', v)\nreturn v"
        check_eq(eval_from_threads(s, script, 4, 150), [], "no errors")
        check_eq(r.get("counter"), "600", "every increment once")
        seen = []
        deadline = time.time() + 10
        while len(seen) < 600 and time.time() < deadline:
            m = sub.get_message(timeout=1)
            if m and m["type"] == "message":
                seen.append(int(m["data"]))
        check_eq(sorted(seen), list(range(1, 601)), "one message per committed increment, none from a restarted run")
        sub.close()


def test_script_cache_across_threads():
    with start() as s:
        a, b = client(s), client(s)  # on different I/O threads in tmkv
        a.ping()
        b.ping()
        body = "return 'cached ' .. ARGV[1]"
        check_eq(a.eval(body, 0, "a"), "cached a", "EVAL")
        sha = a.script_load(body)
        check_eq(b.evalsha(sha, 0, "b"), "cached b", "EVALSHA on the other thread")
        check_eq(a.evalsha(sha, 0, "a"), "cached a", "and on the first")
        check_eq(b.script_exists(sha, "0" * 40), [True, False], "SCRIPT EXISTS")
        mem = a.info("memory")
        check(mem["number_of_cached_scripts"] == 1 and mem["used_memory_scripts_eval"] >= len(body),
              f"INFO memory counts the cached script: {mem}")
        check_eq(a.script_flush(), True, "SCRIPT FLUSH")
        mem = a.info("memory")
        check(mem["number_of_cached_scripts"] == 0 and mem["used_memory_scripts_eval"] == 0, f"and forgets it: {mem}")
        for c, name in ((a, "first"), (b, "second")):
            try:
                c.evalsha(sha, 0, "x")
                check(False, f"NOSCRIPT on the {name} thread")
            except redis.exceptions.NoScriptError:
                pass
        check_eq(b.eval(body, 0, "again"), "cached again", "EVAL compiles it again")


def test_select_and_multi():
    with start() as s:
        r = client(s)
        check_eq(r.eval("redis.call('select', 5)\nredis.call('set', 'k5', 'v')\nreturn redis.call('dbsize')", 0), 1,
                 "the script's own SELECT")
        check_eq(r.get("k5"), None, "the client is still on db 0")
        r.select(5)
        check_eq(r.get("k5"), "v", "the write went to db 5")
        r.select(0)
        p = r.pipeline(transaction=True)
        p.set("m", 1)
        p.eval("return redis.call('incrby', 'm', 10)", 0)
        p.get("m")
        check_eq(p.execute(), [True, 11, "11"], "EVAL inside MULTI/EXEC")


def test_commandstats_count_once():
    with start() as s:
        r = client(s)
        r.config_resetstat()
        r.set("hot", 0)
        script = "redis.call('get', 'hot')\nreturn redis.call('incr', 'hot')"
        threads = 1 if AGAINST_REDIS else 4
        check_eq(eval_from_threads(s, script, threads, 200), [], "no errors")
        runs = 200 * threads
        stats = r.info("commandstats")
        check_eq(stats["cmdstat_eval"]["calls"], runs, "EVAL calls")
        check_eq(stats["cmdstat_incr"]["calls"], runs, "INCR counted once per committed run")
        check_eq(stats["cmdstat_get"]["calls"], runs, "GET counted once per committed run")
        check_eq(r.get("hot"), str(runs), "every increment once")


def test_self_containing_table():
    """A script returning a table that contains itself: the reply nests
    arrays until the limit, then Redis's error (Redis cuts it off where its
    Lua stack runs out, deeper); the server and the connection go on."""
    with start() as s:
        conn = socket.create_connection(("127.0.0.1", s.port))
        body = b"local t = {}\nt[1] = t\nreturn t"
        conn.sendall(b"*3\r\n$4\r\nEVAL\r\n$%d\r\n%s\r\n$1\r\n0\r\nPING\r\n" % (len(body), body))
        data = b""
        deadline = time.time() + 10
        while not data.endswith(b"+PONG\r\n") and time.time() < deadline:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        check(b"-ERR reached lua stack limit\r\n" in data, f"the cut-off error: ...{data[-120:]!r}")
        check(data.startswith(b"*1\r\n*1\r\n"), f"nested arrays first: {data[:40]!r}")
        check(data.endswith(b"+PONG\r\n"), "the connection goes on")
        conn.close()


def nested_error_stats(port):
    r = redis.Redis(port=port, decode_responses=True)
    r.config_resetstat()
    r.set("s", "abc")
    replies = [r.execute_command("EVAL", "return {1, {err='ERR x'}}", 0),
               r.execute_command("EVAL", "return {1, redis.pcall('incr', KEYS[1])}", 1, "s")]
    p = r.pipeline(transaction=True)
    p.execute_command("EVAL", "return {1, {err='WRONGTYPE y'}}", 0)
    replies.append(p.execute(raise_on_error=False))
    stats = r.info("commandstats")
    calls = {k: (v["calls"], v["failed_calls"]) for k, v in stats.items() if k in
             ("cmdstat_eval", "cmdstat_exec", "cmdstat_incr", "cmdstat_set")}
    return ([repr(x) for x in replies], calls, sorted(r.info("errorstats").items()),
            r.info("stats")["total_error_replies"])


def test_nested_errors_count():
    with harness.start_tmkv() as tmkv, harness.start_redis() as peer:
        check_eq(nested_error_stats(tmkv.port), nested_error_stats(peer.port),
                 "replies, failed calls and error counts of errors inside a script's reply")


def _bank_library(version):
    # VERSION is set at the top and TAIL by the library's last line: a call
    # that ran a half-loaded or mixed library would return two versions.
    return f"""#!lua name=bank
local VERSION = '{version}'
local TAIL = nil
local function total(keys)
  local sum = 0
  for _, k in ipairs(keys) do sum = sum + tonumber(redis.call('get', k) or '0') end
  return sum
end
redis.register_function('transfer', function(keys, args)
  local amount = tonumber(args[1])
  local have = tonumber(redis.call('get', keys[1]) or '0')
  if have < amount then return {{VERSION, 0}} end
  redis.call('decrby', keys[1], amount)
  redis.call('incrby', keys[2], amount)
  return {{VERSION, amount}}
end)
redis.register_function{{function_name='report', flags={{'no-writes'}}, callback=function(keys)
  return {{VERSION, total(keys), TAIL}}
end}}
TAIL = '{version}'
"""


def test_functions_across_threads():
    """FCALL transfer on both I/O threads while FCALL_RO report reads every
    account and FUNCTION LOAD REPLACE swaps the library: the total is
    conserved in every report, and every call runs one whole version."""
    accounts = [f"acct:{i}" for i in range(8)]
    with start() as s:
        admin = client(s)
        lib = _bank_library
        check_eq(admin.execute_command("FUNCTION", "LOAD", lib("v1")), "bank", "FUNCTION LOAD")
        mem = admin.info("memory")
        check(mem["number_of_libraries"] == 1 and mem["number_of_functions"] >= 2,
              f"INFO memory counts the library and its functions: {mem}")
        for a in accounts:
            admin.set(a, 100)
        errors, reports, versions = [], [], set()
        stop = threading.Event()

        def transfers(seed):
            try:
                rng = random.Random(seed)
                c = client(s)
                for _ in range(300):
                    src, dst = rng.sample(accounts, 2)
                    v, _moved = c.execute_command("FCALL", "transfer", 2, src, dst, rng.randint(1, 30))
                    versions.add(v)
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

        def report():
            try:
                c = client(s)
                while not stop.is_set():
                    v, total, v2 = c.execute_command("FCALL_RO", "report", len(accounts), *accounts)
                    reports.append((v, int(total), v2))
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

        def reload():
            try:
                c = client(s)
                n = 0
                while not stop.is_set():
                    n += 1
                    c.execute_command("FUNCTION", "LOAD", "REPLACE", lib(f"v{n % 3 + 1}"))
                    time.sleep(0.005)
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

        movers = [threading.Thread(target=transfers, args=(i,)) for i in range(4)]
        others = [threading.Thread(target=report) for _ in range(2)] + [threading.Thread(target=reload)]
        for t in movers + others:
            t.start()
        for t in movers:
            t.join(120)
        stop.set()
        for t in others:
            t.join(30)
        check(not errors, f"no client errors: {errors[:3]}")
        check(len(reports) > 0, "reports ran")
        bad = [r for r in reports if r[1] != 800 or r[0] != r[2] or r[0] not in ("v1", "v2", "v3")]
        check(not bad, f"every report conserves the total and sees one version: {bad[:3]}")
        check(versions <= {"v1", "v2", "v3"}, f"versions seen: {versions}")
        total = sum(int(admin.get(a)) for a in accounts)
        check_eq(total, 800, "the total at the end")
        check_eq(admin.execute_command("FCALL_RO", "report", len(accounts), *accounts)[1], 800, "final report")


TESTS = [
    ("a", "other clients are served while a script runs", test_others_served_while_a_script_runs),
    ("b", "SCRIPT KILL stops a script that has not written, even in pcall", test_script_kill),
    ("c", "a script that wrote is UNKILLABLE and finishes", test_unkillable_after_a_write),
    ("d", "PUBLISH from scripts: once, after the commit", test_publish_from_scripts),
    ("e", "the script cache across I/O threads, SCRIPT FLUSH", test_script_cache_across_threads),
    ("f", "SELECT inside a script; EVAL inside MULTI", test_select_and_multi),
    ("g", "commandstats count a script's commands once", test_commandstats_count_once),
    ("h", "a table that contains itself is cut off with an error", test_self_containing_table),
    ("i", "errors inside a script's reply count as Redis counts them", test_nested_errors_count),
    ("j", "FCALL transfers and FCALL_RO reports across threads, LOAD REPLACE meanwhile", test_functions_across_threads),
]

if __name__ == "__main__":
    sys.exit(run_tests(TESTS, sys.argv[1:]))
