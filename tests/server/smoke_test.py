#!/usr/bin/python3
"""Smoke tests of tmkv-server with the real clients people will point at it.

  (a) redis-cli: one-shot commands, --raw / --no-raw, commands piped on
      stdin, --pipe mass insertion, -3 (RESP3), INFO transactions
  (b) redis-benchmark: -t get,set,mset at -P 1 and -P 16 completes with a
      nonzero rate for every test, and leaves keys behind (no speed asserts)
  (c) python3-redis: set/get, pipelines with and without MULTI, a WATCH
      transaction that has to retry, scan_iter, expiry
  (d) requirepass: NOAUTH / WRONGPASS texts, AUTH, HELLO 3 AUTH
  (e) a protocol error closes that connection only
  (f) SIGTERM with clients connected: exit status 0; SHUTDOWN NOSAVE
  (g) python3-redis's info() can parse every INFO section; ROLE, LASTSAVE
  (i) python3-redis: TOUCH, MOVE, LCS, OBJECT, MEMORY, and CLIENT KILL by
      ID / address / LADDR really closing the victim
  (j) SLOWLOG: what is logged, entry layout, truncation, redaction, GET,
      LEN, RESET, slowlog-max-len (thresholds 0 and -1: no timing asserted)
  (k) CONFIG RESETSTAT restarts INFO's stats and commandstats
  (l) LATENCY: the latency monitor (LATEST, HISTORY, RESET) and HISTOGRAM

Every sub-test is reported on its own; the script exits 1 if any failed.

Run:  TMKV_SERVER=build/bin/tmkv-server /usr/bin/python3 tests/server/smoke_test.py
      SMOKE_AGAINST_REDIS=1 /usr/bin/python3 tests/server/smoke_test.py
        (the same checks against Debian's redis-server, to validate the test)
Sub-tests can be picked by letter: smoke_test.py a c
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import redis

import harness
from raw_resp import Failure, RawConn, check, check_eq, resp_command

AGAINST_REDIS = os.environ.get("SMOKE_AGAINST_REDIS") == "1"
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
REDIS_BENCHMARK = shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark"


def start_server(*flags):
    """The server under test (tmkv-server, or redis-server when validating)."""
    if AGAINST_REDIS:
        return harness.start_redis(*flags)
    return harness.start_tmkv(*flags)


# ---------------------------------------------------------------- helpers

def cli(port, *args, stdin=None, timeout=60, extra=()):
    """Runs redis-cli; returns (exit status, stdout, stderr) as text."""
    argv = [REDIS_CLI, "-h", "127.0.0.1", "-p", str(port), *extra, *map(str, args)]
    p = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def cli_ok(port, *args, **kw):
    rc, out, err = cli(port, *args, **kw)
    if rc != 0:
        raise Failure(f"redis-cli {' '.join(map(str, kw.get('extra', ())))} {' '.join(map(str, args))}: "
                      f"exit {rc}, stdout {out!r}, stderr {err!r}")
    return out


def info_section(client, section):
    return client.info(section)


# ---------------------------------------------------------------- (a) redis-cli

def test_a_redis_cli(srv):
    p = srv.port
    check_eq(cli_ok(p, "SET", "a", "b").strip(), "OK", "redis-cli SET a b")
    # Not a tty: redis-cli prints raw values by default.
    check_eq(cli_ok(p, "GET", "a"), "b\n", "redis-cli GET a")
    check_eq(cli_ok(p, "GET", "a", extra=("--raw",)), "b\n", "redis-cli --raw GET a")
    check_eq(cli_ok(p, "GET", "a", extra=("--no-raw",)), '"b"\n', "redis-cli --no-raw GET a")
    check_eq(cli_ok(p, "GET", "nosuchkey", extra=("--no-raw",)), "(nil)\n", "redis-cli --no-raw GET missing")
    check_eq(cli_ok(p, "INCRBY", "n", "41", extra=("--no-raw",)), "(integer) 41\n", "INCRBY n 41")
    check_eq(cli_ok(p, "INCR", "n", extra=("--raw",)), "42\n", "--raw INCR n")
    # A binary-ish value with spaces and a newline round-trips.
    check_eq(cli_ok(p, "SET", "sp", "hello world\nline2").strip(), "OK", "SET with spaces")
    check_eq(cli_ok(p, "GET", "sp", extra=("--raw",)), "hello world\nline2\n", "--raw GET with newline")
    check_eq(cli_ok(p, "GET", "sp", extra=("--no-raw",)), '"hello world\\nline2"\n', "--no-raw GET escapes \\n")
    # An error reply.
    rc, out, err = cli(p, "INCR", "a", extra=("--no-raw",))
    check("ERR value is not an integer or out of range" in out + err,
          f"INCR on non-integer: stdout {out!r} stderr {err!r}")
    # MGET in both modes.
    cli_ok(p, "MSET", "m1", "x", "m2", "y")
    check_eq(cli_ok(p, "MGET", "m1", "nokey", "m2", extra=("--raw",)), "x\n\ny\n", "--raw MGET")
    check_eq(cli_ok(p, "MGET", "m1", "nokey", "m2", extra=("--no-raw",)),
             '1) "x"\n2) (nil)\n3) "y"\n', "--no-raw MGET")

    # Commands on stdin, one per line (redis-cli reads them when not a tty).
    script = (b"SET piped:1 one\n"
              b"SET piped:2 \"two words\"\n"
              b"INCR piped:counter\n"
              b"INCR piped:counter\n"
              b"GET piped:2\n"
              b"MULTI\n"
              b"INCR piped:counter\n"
              b"GET piped:1\n"
              b"EXEC\n"
              b"DEL piped:1 piped:2\n")
    with tempfile.NamedTemporaryFile(prefix="smoke-cli-", suffix=".txt") as f:
        f.write(script)
        f.flush()
        with open(f.name, "rb") as fin:
            pr = subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(p)], stdin=fin,
                                capture_output=True, timeout=60)
    out = pr.stdout.decode()
    check_eq(pr.returncode, 0, f"redis-cli < file exit status (stderr {pr.stderr!r})")
    check_eq(out.split("\n"), ["OK", "OK", "1", "2", "two words", "OK", "QUEUED", "QUEUED", "3", "one", "2", ""],
             "redis-cli < file output lines")

    # --pipe mass insertion.
    n = 5000
    payload = b"".join(resp_command("SET", f"mass:{i:05d}", f"value-{i}") for i in range(n))
    payload += resp_command("INCRBY", "mass:count", n)
    pr = subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(p), "--pipe"], input=payload,
                        capture_output=True, timeout=120)
    out = pr.stdout.decode() + pr.stderr.decode()
    check_eq(pr.returncode, 0, f"redis-cli --pipe exit status (output {out!r})")
    check(f"errors: 0, replies: {n + 1}" in out, f"redis-cli --pipe summary: {out!r}")
    c = srv.client()
    check_eq(c.get("mass:00000"), b"value-0", "GET mass:00000 after --pipe")
    check_eq(c.get(f"mass:{n - 1:05d}"), f"value-{n - 1}".encode(), "GET last --pipe key")
    check_eq(c.get("mass:count"), str(n).encode(), "mass:count after --pipe")
    check_eq(len(list(c.scan_iter(match="mass:*", count=1000))), n + 1, "keys mass:* after --pipe")
    # A --pipe with an error in it reports the error count.
    payload = resp_command("SET", "pipe:x", "notanumber") + resp_command("INCR", "pipe:x") + resp_command("PING")
    pr = subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(p), "--pipe"], input=payload,
                        capture_output=True, timeout=60)
    out = pr.stdout.decode() + pr.stderr.decode()
    check("errors: 1, replies: 3" in out, f"redis-cli --pipe with one error: {out!r}")

    # RESP3 mode.
    out = cli_ok(p, "HELLO", "3", extra=("-3", "--no-raw"))
    check(re.search(r'"proto"\s*\n?.*=>\s*\(integer\) 3', out) is not None,
          f"redis-cli -3 HELLO 3 shows proto => 3: {out!r}")
    check_eq(cli_ok(p, "SET", "r3", "v3", extra=("-3",)).strip(), "OK", "redis-cli -3 SET")
    check_eq(cli_ok(p, "GET", "r3", extra=("-3", "--no-raw")), '"v3"\n', "redis-cli -3 GET")
    check_eq(cli_ok(p, "GET", "nokey3", extra=("-3", "--no-raw")), "(nil)\n", "redis-cli -3 GET missing (null)")
    check_eq(cli_ok(p, "EXISTS", "r3", extra=("-3", "--no-raw")), "(integer) 1\n", "redis-cli -3 EXISTS")
    out = cli_ok(p, "CONFIG", "GET", "port", extra=("-3", "--no-raw"))
    check(f'"port" => "{p}"' in out, f"redis-cli -3 CONFIG GET port is a map: {out!r}")

    # INFO transactions.
    out = cli_ok(p, "INFO", "transactions")
    if AGAINST_REDIS:
        # redis-server has no such section; the call must still work.
        check_eq(out.strip(), "", "redis-server INFO transactions (no such section)")
    else:
        check("# Transactions" in out, f"INFO transactions has '# Transactions': {out!r}")
        fields = [ln for ln in out.splitlines() if ln and not ln.startswith("#")]
        check(fields and all(re.match(r"^[a-z0-9_]+:.*$", ln) for ln in fields),
              f"INFO transactions lines are name:value: {out!r}")
        # The whole INFO still lists it too.
        check("# Transactions" in cli_ok(p, "INFO"), "INFO (all) includes # Transactions")
        check("# Transactions" in cli_ok(p, "INFO", "everything"), "INFO everything includes # Transactions")
        check("# Transactions" not in cli_ok(p, "INFO", "server"), "INFO server has only # Server")
    check("# Server" in cli_ok(p, "INFO", "server"), "INFO server has # Server")


# ---------------------------------------------------------------- (b) redis-benchmark

BENCH_LINE = re.compile(r"^\s*([A-Za-z][^:]*?):\s+([0-9.]+) requests per second")


def test_h_redis_cli_interactive(srv):
    """redis-cli's interactive mode (it asks COMMAND DOCS for its hints at
    start-up) through a pseudo-terminal from util-linux's `script`, with
    TERM=dumb so linenoise reads plain lines."""
    script = shutil.which("script")
    if script is None:
        raise Failure("util-linux's `script` is missing")
    lines = "SET inter 41\nINCR inter\nMULTI\nGET inter\nEXEC\nquit\n"
    env = dict(os.environ, TERM="dumb")
    p = subprocess.run([script, "-qc", f"{REDIS_CLI} -h 127.0.0.1 -p {srv.port}", "/dev/null"],
                       input=lines.encode(), capture_output=True, timeout=30, env=env)
    out = p.stdout.decode("utf-8", "replace")
    for want in ["(integer) 42", "(TX)> QUEUED", '1) "42"']:
        check(want in out, f"interactive redis-cli output lacks {want!r}: {out!r}")


def run_benchmark(port, *extra):
    argv = [REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(port), "-t", "get,set,mset",
            "-n", "20000", "-c", "20", "-q", *extra]
    t0 = time.time()
    p = subprocess.run(argv, capture_output=True, timeout=240)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    check_eq(p.returncode, 0, f"{' '.join(argv)} exit status (stderr {err!r})")
    rates = {}
    # -q prints progress lines ending in \r; the final one per test ends in \n.
    for line in re.split(r"[\r\n]", out):
        m = BENCH_LINE.match(line)
        if m:
            rates[m.group(1).strip()] = float(m.group(2))
    print(f"    {' '.join(argv[1:])}: {rates} ({time.time() - t0:.1f}s)")
    for test in ("SET", "GET", "MSET (10 keys)"):
        check(test in rates, f"redis-benchmark {' '.join(extra)} reported {test}: {out!r}")
        check(rates[test] > 0, f"redis-benchmark {test} rate {rates[test]}")
    check("ERR" not in out and "error" not in out.lower(), f"redis-benchmark output has errors: {out!r}")


def test_b_redis_benchmark(srv):
    c = srv.client()
    c.flushall()
    run_benchmark(srv.port)
    run_benchmark(srv.port, "-P", "16")
    size = c.dbsize()
    check(size > 0, f"DBSIZE after redis-benchmark is {size}")
    # -t set with no -r writes the one key "key:__rand_int__"; mset writes
    # the same name too.
    check_eq(c.exists("key:__rand_int__"), 1, "key:__rand_int__ exists")
    check_eq(len(c.get("key:__rand_int__")), 3, "redis-benchmark's 3-byte value")
    # INCR from 50 connections at once (several I/O threads): no lost update.
    c.delete("counter:__rand_int__")
    p = subprocess.run([REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(srv.port), "-t", "incr", "-n", "50000",
                        "-c", "50", "-P", "8", "-q"], capture_output=True, timeout=120)
    check_eq(p.returncode, 0, "redis-benchmark -t incr exit status")
    check_eq(c.get("counter:__rand_int__"), b"50000", "counter after 50000 concurrent INCRs")
    # With -r keys are spread.
    p = subprocess.run([REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(srv.port), "-t", "set", "-n", "5000",
                        "-c", "10", "-r", "1000", "-q"], capture_output=True, timeout=120)
    check_eq(p.returncode, 0, "redis-benchmark -r 1000 exit status")
    n = c.dbsize()
    check(n > 100, f"DBSIZE after -r 1000 SET run is {n}")


# ---------------------------------------------------------------- (c) python3-redis

def test_c_python_redis(srv):
    r = srv.client(decode_responses=True)
    r.flushdb()
    check_eq(r.ping(), True, "PING")
    check_eq(r.set("py:a", "1"), True, "set")
    check_eq(r.get("py:a"), "1", "get")
    check_eq(r.get("py:none"), None, "get missing")
    check_eq(r.set("py:a", "2", nx=True), None, "set nx on existing")
    check_eq(r.set("py:a", "3", xx=True), True, "set xx on existing")
    check_eq(r.set("py:a", "4", get=True), "3", "set get")
    check_eq(r.incrby("py:n", 5), 5, "incrby")
    check_eq(r.incrbyfloat("py:f", 1.5), 1.5, "incrbyfloat")
    check_eq(r.append("py:s", "ab"), 2, "append")
    check_eq(r.strlen("py:s"), 2, "strlen")
    check_eq(r.mset({"py:m1": "x", "py:m2": "y"}), True, "mset")
    check_eq(r.mget(["py:m1", "py:missing", "py:m2"]), ["x", None, "y"], "mget")
    check_eq(r.exists("py:m1", "py:m2", "py:missing"), 2, "exists")
    check_eq(r.type("py:m1"), "string", "type")
    check_eq(r.delete("py:m1", "py:missing"), 1, "delete")
    rb = srv.client()
    blob = bytes(range(256)) * 4
    rb.set(b"py:bin\x00key", blob)
    check_eq(rb.get(b"py:bin\x00key"), blob, "binary-safe key and value")

    # Pipeline, MULTI/EXEC.
    pipe = r.pipeline(transaction=True)
    pipe.set("py:t1", "a").incr("py:tc").incr("py:tc").get("py:t1").mget("py:t1", "py:tc")
    check_eq(pipe.execute(), [True, 1, 2, "a", ["a", "2"]], "pipeline(transaction=True)")
    # Pipeline without MULTI.
    pipe = r.pipeline(transaction=False)
    for i in range(100):
        pipe.set(f"py:p{i}", i)
    for i in range(100):
        pipe.get(f"py:p{i}")
    res = pipe.execute()
    check_eq(res[:100], [True] * 100, "pipeline(transaction=False) sets")
    check_eq(res[100:], [str(i) for i in range(100)], "pipeline(transaction=False) gets")
    # An error inside a transaction: the others still run (Redis semantics).
    pipe = r.pipeline(transaction=True)
    pipe.set("py:e", "notint").incr("py:e").set("py:e2", "ok")
    res = pipe.execute(raise_on_error=False)
    check_eq(res[0], True, "MULTI: set before error")
    check(isinstance(res[1], redis.ResponseError), f"MULTI: INCR on string is an error: {res[1]!r}")
    check_eq(res[2], True, "MULTI: set after error")
    check_eq(r.get("py:e2"), "ok", "MULTI: command after a runtime error ran")

    # WATCH: r.transaction(func, *keys) retries when a watched key changes.
    r.set("py:w", "10")
    other = srv.client(decode_responses=True)
    calls = []

    def bump(pipe):
        calls.append(1)
        v = int(pipe.get("py:w"))
        if len(calls) == 1:
            other.incrby("py:w", 100)  # another client touches the watched key
        pipe.multi()
        pipe.set("py:w", v + 1)

    res = r.transaction(bump, "py:w")
    check_eq(len(calls), 2, "transaction() retried after a concurrent write to a watched key")
    check_eq(res, [True], "transaction() result")
    check_eq(r.get("py:w"), "111", "transaction() saw the concurrent write on the retry")
    # A plain WATCH ... EXEC that must fail (EXEC returns nil).
    with r.pipeline() as pipe:
        pipe.watch("py:w")
        other.set("py:w", "0")
        pipe.multi()
        pipe.set("py:w", "999")
        try:
            pipe.execute()
            raise Failure("EXEC after a watched key changed must fail")
        except redis.WatchError:
            pass
    check_eq(r.get("py:w"), "0", "failed EXEC changed nothing")
    # WATCH of a key that is only read elsewhere does not abort.
    with r.pipeline() as pipe:
        pipe.watch("py:w")
        other.get("py:w")
        other.set("py:unrelated", "1")
        pipe.multi()
        pipe.set("py:w", "5")
        check_eq(pipe.execute(), [True], "EXEC after unrelated writes succeeds")
    # UNWATCH / DISCARD.
    with r.pipeline() as pipe:
        pipe.watch("py:w")
        pipe.unwatch()
        other.set("py:w", "6")
        pipe.multi()
        pipe.set("py:w", "7")
        check_eq(pipe.execute(), [True], "EXEC after UNWATCH succeeds")
    check_eq(r.get("py:w"), "7", "value after UNWATCH'd transaction")

    # scan_iter.
    r.flushdb()
    with r.pipeline(transaction=False) as pipe:
        for i in range(1500):
            pipe.set(f"scan:{i}", i)
        for i in range(300):
            pipe.set(f"other:{i}", i)
        pipe.execute()
    keys = set(r.scan_iter(match="scan:*", count=100))
    check_eq(keys, {f"scan:{i}" for i in range(1500)}, "scan_iter(match='scan:*') returns every key once")
    check_eq(len(list(r.scan_iter(count=50))), 1800, "scan_iter() without match")
    check_eq(sorted(r.keys("other:1*"))[:3], ["other:1", "other:10", "other:100"], "KEYS pattern")
    check_eq(r.dbsize(), 1800, "dbsize")

    # Expiry.
    r.set("ex:a", "v", ex=100)
    ttl = r.ttl("ex:a")
    check(95 <= ttl <= 100, f"ttl after ex=100: {ttl}")
    r.set("ex:b", "v", px=300)
    pttl = r.pttl("ex:b")
    check(0 < pttl <= 300, f"pttl after px=300: {pttl}")
    check_eq(r.ttl("ex:nokey"), -2, "ttl of missing key")
    r.set("ex:c", "v")
    check_eq(r.ttl("ex:c"), -1, "ttl of persistent key")
    check_eq(r.expire("ex:c", 50), True, "expire")
    check_eq(r.persist("ex:c"), True, "persist")
    check_eq(r.ttl("ex:c"), -1, "ttl after persist")
    check_eq(r.pexpire("ex:c", 200), True, "pexpire")
    r.setex("ex:d", 1, "v")
    r.psetex("ex:e", 250, "v")
    check_eq(r.getex("ex:a", persist=True), "v", "getex persist")
    check_eq(r.ttl("ex:a"), -1, "ttl after getex persist")
    check_eq(r.expireat("ex:f", int(time.time()) + 100), False, "expireat on missing key")
    r.set("ex:f", "v")
    check_eq(r.pexpireat("ex:f", int(time.time() * 1000) + 400), True, "pexpireat")
    time.sleep(1.3)
    for k in ("ex:b", "ex:c", "ex:d", "ex:e", "ex:f"):
        check_eq(r.get(k), None, f"{k} expired")
        check_eq(r.exists(k), 0, f"{k} no longer exists")
    check_eq(r.get("ex:a"), "v", "persisted key survives")
    # An expired key is not in KEYS / SCAN and not counted... by SCAN at least.
    check("ex:b" not in set(r.scan_iter(match="ex:*")), "expired key not returned by SCAN")
    check_eq(r.set("ex:b", "new", nx=True), True, "SET NX on an expired key succeeds")


def test_g_python_redis_info(srv):
    """redis-py's info() parses INFO's text into a dict; a value with ','
    must be a k=v,k=v list, or parse_info raises ValueError."""
    r = srv.client(decode_responses=True)
    bad = []
    for section in (None, "server", "clients", "memory", "stats", "keyspace", "transactions", "everything"):
        try:
            info = r.info(section) if section else r.info()
            check(isinstance(info, dict), f"info({section!r}) is a dict")
        except Failure:
            raise
        except Exception as e:  # noqa: BLE001
            bad.append(f"info({section!r}): {e!r}")
    if bad:
        raw = srv.client(decode_responses=True)
        raw.set_response_callback("INFO", lambda resp, **kw: resp)
        lines = [ln for ln in raw.info("everything").splitlines()
                 if ln and not ln.startswith("#")
                 and any("=" not in item for item in ln.split(":", 1)[-1].split(",")[1:] or ["="])]
        raise Failure(f"redis-py cannot parse INFO: {bad}; lines with ',' in the value: {lines}")
    check("redis_version" in r.info("server"), "INFO server has redis_version")
    check("used_memory" in r.info("memory"), "INFO memory has used_memory")
    check("connected_clients" in r.info("clients"), "INFO clients has connected_clients")
    # ROLE and LASTSAVE, as a primary that has not saved since it started
    # (tmkv never saves): redis-py's role() and lastsave() parse them.
    check_eq(r.role(), ["master", 0, []], "ROLE of a primary without replicas")
    last = r.lastsave()
    now = r.time()[0]
    uptime = r.info("server")["uptime_in_seconds"]
    check(abs(last.timestamp() - (now - uptime)) <= 2, f"LASTSAVE {last} is the start time (now {now}, up {uptime} s)")
    check_eq(int(last.timestamp()), r.info("persistence")["rdb_last_save_time"], "LASTSAVE = INFO rdb_last_save_time")
    # INFO keyspace as Redis writes it, keys=,expires=,avg_ttl= (exporters
    # such as redis_exporter reject a line without avg_ttl): the estimate
    # comes from the expiry sweep, so it appears within a few ticks.
    r9 = srv.client(decode_responses=True, db=9)
    r9.flushdb()
    r9.set("plain", "v")
    check_eq(r.info("keyspace")["db9"], {"keys": 1, "expires": 0, "avg_ttl": 0}, "db9 without TTLs")
    for i in range(20):
        r9.set(f"ttl{i}", "v", ex=1000)
    deadline = time.time() + 5
    while r.info("keyspace")["db9"]["avg_ttl"] == 0 and time.time() < deadline:
        time.sleep(0.05)
    db9 = r.info("keyspace")["db9"]
    check(db9["keys"] == 21 and db9["expires"] == 20 and 900_000 < db9["avg_ttl"] <= 1_000_000,
          f"avg_ttl estimates the remaining TTL in ms: {db9}")
    r9.flushdb()
    # Fields tools read: INFO server's run_id (a restart changes it), hz and
    # executable; INFO cluster's cluster_enabled (clients probe it to pick
    # cluster mode); INFO stats' instantaneous rates, the mean of the last
    # 16 samples of 100 ms, so busy under load and near 0 after it.
    server = r.info("server")
    check(re.fullmatch(r"[0-9a-f]{40}", server["run_id"]) and server["run_id"] == r.info("server")["run_id"],
          f"run_id: 40 hex digits, stable: {server['run_id']}")
    check(server["hz"] == 10 and server["executable"].endswith("tmkv-server"), f"hz, executable: {server}")
    check_eq(r.info("cluster"), {"cluster_enabled": 0}, "INFO cluster")
    check("cluster_enabled" in r.info() and "cluster_enabled" in r.info("everything"), "cluster in the default INFO")
    stop = threading.Event()

    def busy():
        b = srv.client()
        while not stop.is_set():
            b.pipeline(transaction=False).ping().ping().ping().ping().execute()

    t = threading.Thread(target=busy)
    t.start()
    try:
        deadline = time.time() + 5
        while r.info("stats")["instantaneous_ops_per_sec"] == 0 and time.time() < deadline:
            time.sleep(0.1)
        stats = r.info("stats")
        check(stats["instantaneous_ops_per_sec"] > 0 and stats["instantaneous_input_kbps"] > 0
              and stats["instantaneous_output_kbps"] > 0, f"rates under load: {stats}")
    finally:
        stop.set()
        t.join()
    deadline = time.time() + 10
    while r.info("stats")["instantaneous_ops_per_sec"] >= 50 and time.time() < deadline:
        time.sleep(0.2)
    # INFO's own traffic is all that is left: a few commands per second.
    check(r.info("stats")["instantaneous_ops_per_sec"] < 50, "rates fall back once the load stops")


def wait_closed(conn, what, timeout=5.0):
    """The server closes a killed client at its next tick: wait for the
    close on a raw connection (redis-py's pool would silently reconnect)."""
    data, closed = conn.read_raw(timeout)
    if not closed:
        raise Failure(f"{what}: the connection is still open after {timeout} s (got {data[:80]!r})")


def test_i_python_redis_introspection(srv):
    """What redis-py users reach for beyond GET/SET: TOUCH, MOVE, LCS,
    OBJECT, MEMORY, and CLIENT KILL (which must really close the victim)."""
    r = srv.client(decode_responses=True)
    r.flushall()
    r.mset({"in:a": "ohmytext", "in:b": "mynewtext", "in:n": "123"})
    check_eq(r.touch("in:a", "in:b", "in:none"), 2, "touch")
    check_eq(r.lcs("in:a", "in:b"), "mytext", "lcs")
    check_eq(r.lcs("in:a", "in:b", len=True), 6, "lcs len")
    check_eq(r.lcs("in:a", "in:b", idx=True, minmatchlen=4, withmatchlen=True),
             ["matches", [[[4, 7], [5, 8], 4]], "len", 6], "lcs idx")
    check_eq(r.object("encoding", "in:n"), "int", "object encoding (int)")
    check_eq(r.object("encoding", "in:a"), "embstr", "object encoding (embstr)")
    usage = r.memory_usage("in:a")
    check(isinstance(usage, int) and usage >= len("in:a") + len("ohmytext"), f"memory usage: {usage!r}")
    check_eq(r.memory_usage("in:none"), None, "memory usage of a missing key")
    check(len(srv.client().memory_malloc_stats()) > 0, "memory malloc-stats")
    check_eq(r.memory_purge(), True, "memory purge")
    check_eq(r.move("in:n", 2), True, "move")
    check_eq(r.exists("in:n"), 0, "moved away")
    check_eq(srv.client(db=2, decode_responses=True).get("in:n"), "123", "moved here")

    victim = RawConn(srv.port)
    vid = victim.cmd("CLIENT", "ID")
    check_eq(r.client_kill_filter(_id=vid), 1, "client kill id")
    wait_closed(victim, "CLIENT KILL ID")
    victim = RawConn(srv.port)
    check_eq(victim.cmd("CLIENT", "SETNAME", "victim2"), "OK", "setname")
    addr = [c["addr"] for c in r.client_list() if c["name"] == "victim2"]
    check_eq(len(addr), 1, "the victim is listed")
    check_eq(r.client_kill(addr[0]), True, "client kill addr (old form)")
    wait_closed(victim, "CLIENT KILL addr")
    victim = RawConn(srv.port)
    check_eq(victim.cmd("CLIENT", "SETNAME", "victim3"), "OK", "setname")
    laddr = [c["laddr"] for c in r.client_list() if c["name"] == "victim3"][0]
    check(r.client_kill_filter(laddr=laddr, skipme=True) >= 1, "client kill laddr")
    wait_closed(victim, "CLIENT KILL LADDR")
    if not AGAINST_REDIS:
        # Redis 7.0 runs CLIENT REPLY OFF inside EXEC and then sends EXEC's
        # array short; tmkv refuses it there, so the array stays whole.
        conn = RawConn(srv.port)
        conn.cmd("MULTI")
        conn.cmd("CLIENT", "REPLY", "OFF")
        conn.cmd("PING")
        check_eq(conn.cmd("EXEC"), [("ERR", "ERR CLIENT REPLY is not allowed inside MULTI"), "PONG"],
                 "CLIENT REPLY inside EXEC")
        check_eq(conn.cmd("PING"), "PONG", "replies still on after that EXEC")
    me = r.client_id()
    check_eq(r.client_kill_filter(_id=me), 0, "client kill skips the caller by default")
    check_eq(r.ping(), True, "the caller is alive")


def test_j_slowlog(srv):
    """SLOWLOG as Redis keeps it: what is logged (threshold 0: every command;
    -1: none; EXEC's commands, not EXEC), the entry layout, truncation,
    redaction, GET's count, LEN, RESET and slowlog-max-len. No timing is
    asserted: thresholds 0 and -1 make the log deterministic."""
    r = srv.client(decode_responses=True)
    raw = RawConn(srv.port)
    check_eq(raw.cmd("CLIENT", "SETNAME", "slowpoke"), "OK", "setname")
    try:
        check_eq(r.config_set("slowlog-log-slower-than", -1), True, "slowlog off")
        r.slowlog_reset()
        raw.cmd("SET", "sl:a", "1")
        check_eq(r.slowlog_len(), 0, "threshold -1 logs nothing")
        check_eq(r.config_set("slowlog-log-slower-than", 0), True, "slowlog all")
        raw.cmd("SET", "sl:a", "2")
        raw.cmd("GET", "sl:a")
        raw.cmd("MSET", *[str(i) for i in range(40)])
        raw.cmd("SET", "sl:big", "x" * 200)
        raw.cmd("AUTH", "nobody", "secret")
        raw.cmd("ACL", "SETUSER", "bob", "on", ">hunter2")
        raw.cmd("MULTI")
        raw.cmd("INCR", "sl:n")
        raw.cmd("GET", "sl:a")
        check_eq(raw.cmd("EXEC"), [1, b"2"], "exec")
        entries = raw.cmd("SLOWLOG", "GET", -1)
        got = [[a.decode() for a in e[3]] for e in entries]
        want = [["GET", "sl:a"], ["INCR", "sl:n"], ["MULTI"],
                ["ACL", "SETUSER", "(redacted)", "(redacted)", "(redacted)"], ["AUTH", "(redacted)", "(redacted)"],
                ["SET", "sl:big", "x" * 128 + "... (72 more bytes)"],
                ["MSET"] + [str(i) for i in range(30)] + ["... (10 more arguments)"],
                ["GET", "sl:a"], ["SET", "sl:a", "2"], ["CONFIG", "SET", "slowlog-log-slower-than", "0"]]
        check_eq(got[:len(want)], want, "logged commands, newest first (MULTI and EXEC's commands, not EXEC)")
        ids = [e[0] for e in entries]
        check(ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids), f"ids decrease: {ids}")
        for e in entries[:len(want)]:
            check(len(e) == 6 and e[2] >= 0 and abs(e[1] - time.time()) < 60, f"entry layout: {e!r}")
        check_eq(entries[0][5], b"slowpoke", "client name")
        check(entries[0][4].startswith(b"127.0.0.1:"), f"client address: {entries[0][4]!r}")
        check_eq(len(raw.cmd("SLOWLOG", "GET")), 10, "GET's default count")
        check_eq(len(raw.cmd("SLOWLOG", "GET", 2)), 2, "GET 2")
        check_eq(raw.cmd("SLOWLOG", "GET", -2), ("ERR", "ERR count should be greater than or equal to -1"),
                 "GET -2")
        check_eq(r.config_set("slowlog-max-len", 3), True, "max-len")
        check_eq(r.slowlog_len(), 3, "trimmed to max-len")
        check_eq(r.slowlog_reset(), True, "reset")
        check(r.slowlog_len() <= 1, "empty after RESET (but for the LEN itself)")
    finally:
        r.config_set("slowlog-log-slower-than", 10000)
        r.config_set("slowlog-max-len", 128)


def test_k_config_resetstat(srv):
    """CONFIG RESETSTAT restarts INFO's statistics: stats, commandstats (the
    RESETSTAT itself then counts once, as in Redis) and keyspace hits."""
    r = srv.client(decode_responses=True)
    r.set("rs:a", "1")
    r.get("rs:a")
    r.get("rs:none")
    try:
        r.incr("rs:a", "x")
    except redis.ResponseError:
        pass
    before = r.info("stats")
    check(before["keyspace_hits"] >= 1 and before["total_commands_processed"] >= 4, f"stats before: {before}")
    check_eq(r.config_resetstat(), True, "CONFIG RESETSTAT")
    after = r.info("stats")
    for field in ("keyspace_hits", "keyspace_misses", "expired_keys", "rejected_connections"):
        check_eq(after[field], 0, f"INFO stats {field} after RESETSTAT")
    check(after["total_commands_processed"] <= 2, f"total_commands_processed after RESETSTAT: {after}")
    cmdstats = r.info("commandstats")
    check_eq(sorted(k for k in cmdstats if not k.startswith("cmdstat_info")),
             ["cmdstat_config|resetstat"],
             "commandstats after RESETSTAT: only the RESETSTAT (and INFO)")
    r.get("rs:a")
    check_eq(r.info("stats")["keyspace_hits"], 1, "hits count again from zero")


def test_l_latency(srv):
    """LATENCY: off by default; with latency-monitor-threshold 1 a slow LCS
    (two 3000-byte strings) is sampled as a "command" event in LATEST and
    HISTORY, RESET forgets it; HISTOGRAM reports per-command cumulative
    counts (tmkv's buckets, so only the shape and the totals are checked);
    GRAPH of an unknown event is refused as in Redis."""
    r = srv.client()
    lat = lambda *a: r.execute_command("LATENCY", *a)  # noqa: E731
    check_eq(r.config_get("latency-monitor-threshold"), {"latency-monitor-threshold": "0"}, "monitor off by default")
    lat("RESET")
    check_eq(lat("LATEST"), [], "LATEST while off")
    check_eq(lat("HISTORY", "command"), [], "HISTORY of an event never seen")
    check(isinstance(lat("DOCTOR"), (bytes, str)), "DOCTOR answers a text")
    try:
        lat("GRAPH", "nosuchevent")
        raise Failure("GRAPH of an unknown event must fail")
    except redis.ResponseError as e:
        check_eq(str(e), "No samples available for event 'nosuchevent'", "GRAPH error")
    try:
        r.config_set("latency-monitor-threshold", "1")
        rng = __import__("random").Random(5)
        r.set("lat:a", "".join(rng.choice("ab") for _ in range(3000)))
        r.set("lat:b", "".join(rng.choice("ab") for _ in range(3000)))
        t0 = int(time.time())
        r.execute_command("LCS", "lat:a", "lat:b", "LEN")
        latest = {e[0]: e[1:] for e in lat("LATEST")}
        check(b"command" in latest, f"LCS sampled as a 'command' event: {latest}")
        when, last_ms, max_ms = latest[b"command"]
        check(abs(when - t0) <= 5 and 1 <= last_ms <= max_ms, f"command sample: {latest[b'command']}")
        history = lat("HISTORY", "command")
        check(len(history) >= 1 and all(len(s) == 2 and s[1] >= 1 for s in history), f"HISTORY: {history}")
        check_eq(lat("RESET", "command", "nosuchevent"), 1, "RESET counts the events it forgot")
        check(b"command" not in {e[0] for e in lat("LATEST")}, "RESET forgot the event")
    finally:
        r.config_set("latency-monitor-threshold", "0")
    # HISTOGRAM: five more GETRANGE calls, and nothing for an unknown name.
    def getrange_calls():
        h = lat("HISTOGRAM", "getrange")
        return dict(zip(h[1][::2], h[1][1::2])) if h else {b"calls": 0, b"histogram_usec": []}
    before = getrange_calls()[b"calls"]
    for _ in range(5):
        r.getrange("lat:a", 0, 3)
    hist = lat("HISTOGRAM", "getrange", "nosuchcommand")
    check_eq(len(hist), 2, f"HISTOGRAM getrange nosuchcommand: one command: {hist}")
    check_eq(hist[0], b"getrange", "HISTOGRAM names the command")
    body = dict(zip(hist[1][::2], hist[1][1::2]))
    check_eq(body[b"calls"], before + 5, "HISTOGRAM counts each call")
    points = body[b"histogram_usec"]
    bounds, counts = points[::2], points[1::2]
    check(bounds == sorted(bounds) and counts == sorted(counts) and counts[-1] == before + 5,
          f"cumulative counts grow to the calls: {points}")
    config = lat("HISTOGRAM", "config")
    names = config[::2]
    check(b"config|set" in names and b"config|get" in names, f"a container's subcommands: {names}")


# ---------------------------------------------------------------- (d) requirepass

NOAUTH = "NOAUTH Authentication required."
WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."


def test_d_requirepass(_srv):
    srv = start_server("--requirepass", "s3cret")
    try:
        c = RawConn(srv.port)
        check_eq(c.cmd("GET", "x"), ("ERR", NOAUTH), "GET before AUTH")
        check_eq(c.cmd("SET", "x", "1"), ("ERR", NOAUTH), "SET before AUTH")
        check_eq(c.cmd("AUTH", "wrong"), ("ERR", WRONGPASS), "AUTH wrong")
        check_eq(c.cmd("AUTH", "default", "wrong"), ("ERR", WRONGPASS), "AUTH default wrong")
        check_eq(c.cmd("GET", "x"), ("ERR", NOAUTH), "GET after failed AUTH")
        check_eq(c.cmd("AUTH", "s3cret"), "OK", "AUTH s3cret")
        check_eq(c.cmd("SET", "x", "1"), "OK", "SET after AUTH")
        check_eq(c.cmd("GET", "x"), b"1", "GET after AUTH")
        c.close()

        c = RawConn(srv.port)
        check_eq(c.cmd("AUTH", "default", "s3cret"), "OK", "AUTH default s3cret")
        check_eq(c.cmd("GET", "x"), b"1", "GET after AUTH default")
        c.close()

        c = RawConn(srv.port)
        r = c.cmd("HELLO", "3", "AUTH", "default", "wrong")
        check_eq(r, ("ERR", WRONGPASS), "HELLO 3 AUTH default wrong")
        check_eq(c.cmd("GET", "x"), ("ERR", NOAUTH), "GET after failed HELLO AUTH")
        r = c.cmd("HELLO", "3")
        check(isinstance(r, tuple) and r[1].startswith("NOAUTH"), f"HELLO 3 without AUTH: {r!r}")
        r = c.cmd("HELLO", "3", "AUTH", "default", "s3cret")
        check(isinstance(r, dict), f"HELLO 3 AUTH default s3cret replies with a map: {r!r}")
        check_eq(r.get(b"proto"), 3, "HELLO 3 proto")
        check_eq(c.cmd("GET", "x"), b"1", "GET after HELLO 3 AUTH")
        check_eq(c.cmd("GET", "nokey"), None, "RESP3 null after HELLO 3 AUTH")
        c.close()

        # Unauthenticated clients get small protocol limits (Redis: a bulk
        # over 16384 bytes before AUTH is a protocol error).
        c = RawConn(srv.port)
        c.send(b"*2\r\n$3\r\nGET\r\n$100000\r\n")
        data, closed = c.read_raw(5.0)
        check(data.startswith(b"-ERR Protocol error"), f"big bulk before AUTH: {data!r}")
        check(closed, "connection closed after an unauthenticated big bulk")
        c.close()

        # python3-redis with a password.
        rc = srv.client(password="s3cret", decode_responses=True)
        check_eq(rc.get("x"), "1", "redis-py password=")
        try:
            srv.client(password="nope").ping()
            raise Failure("redis-py with a wrong password must fail")
        except redis.ResponseError as e:  # redis-py 4.3 raises WRONGPASS as ResponseError
            check(str(e) == WRONGPASS, f"redis-py wrong password text: {e}")
        try:
            srv.client().get("x")
            raise Failure("redis-py without a password must fail")
        except redis.AuthenticationError as e:
            check("Authentication required" in str(e), f"redis-py NOAUTH text: {e}")
        # redis-cli -a.
        rc2, out, err = cli(srv.port, "GET", "x", extra=("-a", "s3cret", "--no-auth-warning"))
        check_eq((rc2, out), (0, "1\n"), f"redis-cli -a s3cret GET x (stderr {err!r})")
        rc2, out, err = cli(srv.port, "GET", "x", extra=("--no-raw",))
        check(NOAUTH in out + err, f"redis-cli without -a: {out!r} {err!r}")
    finally:
        status = srv.stop()
    check_eq(status, 0, "requirepass server exit status after SIGTERM")


# ---------------------------------------------------------------- (e) protocol error

def protocol_error_case(port, other, garbage, what):
    c = RawConn(port)
    check_eq(c.cmd("PING"), "PONG", f"{what}: PING before garbage")
    c.send(garbage)
    data, closed = c.read_raw(5.0)
    check(data.startswith(b"-ERR Protocol error"), f"{what}: reply to {garbage!r} is {data!r}")
    check(data.endswith(b"\r\n") and data.count(b"\r\n") == 1, f"{what}: exactly one error line: {data!r}")
    check(closed, f"{what}: connection closed after the protocol error")
    c.close()
    # The other client, connected all along, still works.
    v = other.incr("proto:counter")
    check_eq(other.get("proto:counter"), str(v).encode(), f"{what}: other client still works")
    return data.decode().strip()


def test_e_protocol_error(srv):
    other = srv.client()
    check_eq(other.ping(), True, "other client PING")
    idle = RawConn(srv.port)  # an idle raw connection too
    check_eq(idle.cmd("SET", "proto:idle", "1"), "OK", "idle conn SET")
    texts = []
    texts.append(protocol_error_case(srv.port, other, b"*1\r\n$abc\r\n", "bad bulk length"))
    texts.append(protocol_error_case(srv.port, other, b"*abc\r\n", "bad multibulk length"))
    texts.append(protocol_error_case(srv.port, other, b"*1\r\nfoo\r\n", "expected $"))
    texts.append(protocol_error_case(srv.port, other, b"*1\r\n$-5\r\n", "negative bulk length"))
    texts.append(protocol_error_case(srv.port, other, b"SET a \"unbalanced\r\n", "unbalanced quotes (inline)"))
    print(f"    error texts: {texts}")
    check_eq(texts[0], "-ERR Protocol error: invalid bulk length", "text for *1 $abc")
    check_eq(texts[1], "-ERR Protocol error: invalid multibulk length", "text for *abc")
    check_eq(texts[2], "-ERR Protocol error: expected '$', got 'f'", "text for *1 foo")
    check_eq(texts[3], "-ERR Protocol error: invalid bulk length", "text for $-5")
    check_eq(texts[4], "-ERR Protocol error: unbalanced quotes in request", "text for unbalanced quotes")
    # Pipelined good commands before the garbage are answered first.
    c = RawConn(srv.port)
    c.send(resp_command("SET", "proto:k", "v") + resp_command("GET", "proto:k") + b"*1\r\n$-5\r\n")
    data, closed = c.read_raw(5.0)
    check(data.startswith(b"+OK\r\n$1\r\nv\r\n-ERR Protocol error"), f"pipelined then garbage: {data!r}")
    check(closed, "pipelined then garbage: closed")
    c.close()
    check_eq(idle.cmd("GET", "proto:idle"), b"1", "idle connection still works")
    idle.close()
    # Inline commands still work (telnet style).
    c = RawConn(srv.port)
    c.send(b"SET inl \"a b\"\r\nGET inl\r\nPING\n")
    check_eq(c.read_reply(), "OK", "inline SET")
    check_eq(c.read_reply(), b"a b", "inline GET")
    check_eq(c.read_reply(), "PONG", "inline PING")
    c.close()


# ---------------------------------------------------------------- (f) SIGTERM

def test_f_sigterm(_srv):
    srv = start_server()
    conns = []
    load = None
    try:
        for _ in range(5):
            c = RawConn(srv.port)
            check_eq(c.cmd("PING"), "PONG", "PING")
            conns.append(c)
        check_eq(conns[0].cmd("MULTI"), "OK", "MULTI on one connection")
        check_eq(conns[0].cmd("SET", "q", "1"), "QUEUED", "queued SET")
        check_eq(conns[1].cmd("WATCH", "q"), "OK", "WATCH on another")
        # A client busy sending commands while the signal arrives.
        stop = threading.Event()
        busy_errors = []

        def busy():
            try:
                r = srv.client(socket_timeout=5)
                while not stop.is_set():
                    r.incr("busy")
            except (redis.ConnectionError, redis.TimeoutError, ConnectionError, OSError):
                pass
            except Exception as e:  # noqa: BLE001
                busy_errors.append(repr(e))

        t = threading.Thread(target=busy, daemon=True)
        t.start()
        # And redis-benchmark hammering it with pipelined writes.
        load = subprocess.Popen([REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(srv.port), "-c", "50", "-P", "16",
                                 "-n", "100000000", "-r", "100000", "-t", "set,get,mset", "-q"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        srv.proc.send_signal(signal.SIGTERM)
        try:
            status = srv.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            srv.proc.kill()
            srv.proc.wait()
            raise Failure("server still running 15 s after SIGTERM with clients connected")
        stop.set()
        t.join(10)
        check_eq(status, 0, "exit status after SIGTERM")
        check(not busy_errors, f"busy client saw a non-connection error: {busy_errors}")
        for c in conns:
            data, closed = c.read_raw(2.0)
            check(closed, f"client connection closed at shutdown (got {data!r})")
    finally:
        if load is not None:
            load.kill()
            load.wait()
        for c in conns:
            c.close()
        srv.stop()
    # SHUTDOWN command too (Redis: SHUTDOWN NOSAVE; exit status 0).
    srv = start_server()
    try:
        c = RawConn(srv.port)
        c.send(resp_command("SHUTDOWN", "NOSAVE"))
        data, closed = c.read_raw(10.0)
        check(closed and data == b"", f"SHUTDOWN NOSAVE closes the connection without a reply: {data!r}")
        status = srv.proc.wait(timeout=15)
        check_eq(status, 0, "exit status after SHUTDOWN NOSAVE")
    finally:
        srv.stop()


# ---------------------------------------------------------------- main

TESTS = [
    ("a", "redis-cli", test_a_redis_cli),
    ("b", "redis-benchmark", test_b_redis_benchmark),
    ("c", "python3-redis", test_c_python_redis),
    ("g", "python3-redis info() parses INFO", test_g_python_redis_info),
    ("i", "python3-redis TOUCH/MOVE/LCS/OBJECT/MEMORY/CLIENT KILL", test_i_python_redis_introspection),
    ("j", "SLOWLOG", test_j_slowlog),
    ("k", "CONFIG RESETSTAT", test_k_config_resetstat),
    ("l", "LATENCY", test_l_latency),
    ("d", "requirepass", test_d_requirepass),
    ("e", "protocol error", test_e_protocol_error),
    ("f", "SIGTERM / SHUTDOWN", test_f_sigterm),
    ("h", "redis-cli interactive mode", test_h_redis_cli_interactive),
]


def main():
    picked = set(sys.argv[1:])
    target = "redis-server" if AGAINST_REDIS else os.environ.get("TMKV_SERVER", "?")
    print(f"smoke tests against {target}")
    results = []
    srv = start_server()
    print(f"server on port {srv.port}, log {srv.log_path}")
    try:
        for letter, name, fn in TESTS:
            if picked and letter not in picked:
                continue
            t0 = time.time()
            try:
                if srv.proc.poll() is not None:
                    raise Failure(f"the shared server died (exit {srv.proc.returncode}); log {srv.log_path}")
                fn(srv)
                results.append((letter, name, True, ""))
                print(f"PASS ({letter}) {name} [{time.time() - t0:.1f}s]", flush=True)
            except Exception as e:  # noqa: BLE001
                detail = str(e) if isinstance(e, Failure) else traceback.format_exc()
                results.append((letter, name, False, detail))
                print(f"FAIL ({letter}) {name} [{time.time() - t0:.1f}s]: {detail}", flush=True)
    finally:
        alive = srv.proc.poll() is None
        status = srv.stop()
    if alive:
        ok = status == 0
        results.append(("-", "shared server exits 0 on SIGTERM", ok, f"exit status {status}"))
        print(f"{'PASS' if ok else 'FAIL'} (-) shared server exits 0 on SIGTERM (status {status})")
    else:
        results.append(("-", "shared server alive to the end", False, f"exited early with {status}"))
        print(f"FAIL (-) shared server died during the tests with status {status}; log {srv.log_path}")
    failed = [r for r in results if not r[2]]
    print(f"\n{len(results) - len(failed)} passed, {len(failed)} failed")
    for letter, name, _, detail in failed:
        print(f"  FAILED ({letter}) {name}: {detail.splitlines()[0] if detail else ''}")
    if failed:
        print(f"server log: {srv.log_path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
