#!/usr/bin/python3
"""CLIENT PAUSE and CLIENT UNPAUSE against a real redis-server 7.0, and the
pause's guarantee under concurrency.

  (a) Arguments and replies, as redis-server: the timeout's errors, the
      mode's error (checked before the timeout), too many arguments,
      UNPAUSE's arity, CLIENT HELP's two lines.
  (b) ALL, as redis-server: every client's command waits unanswered, the
      pausing client's, another client's CLIENT UNPAUSE and a pipeline
      (answered in order afterwards) included, until the pause's time is
      over; a CLIENT REPLY SKIP still applies to the held command. A later pause keeps the later end and the stricter mode.
  (c) WRITE, as redis-server: writes wait (the pausing client's too), and
      so do EVAL and EVALSHA (even of a read-only body: a script without
      flags may write), FCALL, PFCOUNT, PUBLISH, the write FUNCTION
      subcommands, a write queued in MULTI, and an EXEC of a write queued
      before the pause; reads, EVAL_RO, FCALL_RO, SUBSCRIBE, PING, a
      read-only MULTI/EXEC and CLIENT UNPAUSE are served. A BLPOP blocked
      before the pause times out during it; one is served, after UNPAUSE,
      by the push the pause held. A key whose time
      ran out reads as missing but stays (DBSIZE) while paused. INFO's
      blocked_clients and CLIENT LIST's b flag count the held clients; a
      held client that disconnects leaves nothing. Once another client
      unpauses, every held command runs, each connection's in order, and
      the held PUBLISH reaches the subscriber.
  (d) tmkv alone, with two I/O threads: once CLIENT PAUSE WRITE has
      replied, no INCR from the writers hammering on both threads commits
      until the pause ends (the counter stands still), then they go on;
      held clients on both threads; SHUTDOWN while clients are held.
  (e) tmkv alone: CLIENT PAUSE or CLIENT SETNAME queued in MULTI takes
      effect only if EXEC commits: a broken WATCH leaves no pause, and
      against writers on the other thread the name changes exactly when
      EXEC replies with an array. Such a block runs irrevocably (INFO's
      tx_commits_irrevocable), a block of key commands does not.

Redis's pause ends in its 100 ms cron, tmkv's in its 100 ms tick: the
timings checked are lower bounds. Both servers run the same steps; tmkv
with two I/O threads, which take new connections in turn, so the clients
held in each step sit on both threads.

Differences from Redis 7.0, intended:
  - When the pause ends, Redis runs the held clients one after another in
    the order they were held; tmkv posts each back to its own I/O thread,
    where they run at once, concurrently. Two held clients' writes to the
    same key may therefore land in either order: the steps compare only
    what one client's order decides (each connection's replies in order).
  - tmkv's COMMAND INFO lists CLIENT PAUSE and UNPAUSE with their arity
    but without Redis's flags beyond "admin", and COMMAND DOCS describes
    no subcommand, as for every CLIENT subcommand; EVAL script flags are not
    supported, so every EVAL is held by WRITE, as Redis holds a script
    without flags (EVAL_RO and FCALL_RO are served).

Run: TMKV_SERVER=build/bin/tmkv-server /usr/bin/python3 tests/server/pause_test.py [a b c d]
"""
import socket
import sys
import threading
import time

import harness
from blocking_lists_test import check_same_as_redis  # tmkv with two I/O threads, step by step
from raw_resp import RawConn, check, check_eq, resp_command, run_tests


def quiet(c, t=0.08):
    """True if the server sends the connection nothing for t seconds."""
    return c.read_raw(timeout=t)[0] == b""


def args_script(port):
    a = RawConn(port)
    out = []
    for args in (["CLIENT", "PAUSE"], ["CLIENT", "PAUSE", "abc"], ["CLIENT", "PAUSE", "-1"],
                 ["CLIENT", "PAUSE", "1.5"], ["CLIENT", "PAUSE", "10", "foo"], ["CLIENT", "PAUSE", "abc", "foo"],
                 ["CLIENT", "PAUSE", "10", "ALL", "x"], ["CLIENT", "UNPAUSE", "x"],
                 ["CLIENT", "PAUSE", "99999999999999999999"], ["CLIENT", "PAUSE", "0"],
                 ["CLIENT", "PAUSE", "0", "write"], ["CLIENT", "PAUSE", "9223372036854775807"],
                 ["CLIENT", "UNPAUSE"], ["client", "unpause"], ["PING"]):
        out.append((args, a.cmd(*args)))
    lines = a.cmd("CLIENT", "HELP")
    out.append([ln for ln in lines if "PAUSE" in ln or "pause" in ln])
    a.close()
    return out


def all_script(port):
    a, b, c, d, e, f = (RawConn(port) for _ in range(6))
    out = [a.cmd("SET", "k", "v")]
    f.send(resp_command("CLIENT", "REPLY", "SKIP"))  # for its next command, which the pause holds
    time.sleep(0.05)
    t0 = time.time()
    out.append(a.cmd("CLIENT", "PAUSE", "300", "ALL"))
    b.send(resp_command("GET", "k"))
    c.send(resp_command("CLIENT", "UNPAUSE"))
    a.send(resp_command("PING"))
    d.send(resp_command("SET", "k", "w"))
    e.send(resp_command("INCR", "n") + resp_command("GET", "n") + resp_command("INCR", "n"))
    f.send(resp_command("GET", "k") + resp_command("PING"))
    time.sleep(0.1)
    out.append(("held", [quiet(x, 0.02) for x in (a, b, c, d, e)]))
    out.append(("a", a.read_reply()))
    out.append(("not before the end", time.time() - t0 >= 0.28))
    out.append(("c", c.read_reply()))
    out.append(("e", e.read_reply(), e.read_reply(), e.read_reply()))
    out.append(("f: the held GET's reply skipped", f.read_reply()))
    d.read_reply()
    b.read_reply()  # "v" or "w": Redis too resumes them in no order it promises
    # A later pause keeps the later end and the stricter mode: WRITE for
    # 400 ms, then ALL for 100 ms, holds a read for the 400.
    t0 = time.time()
    out.append(a.cmd("CLIENT", "PAUSE", "400", "WRITE"))
    out.append(a.cmd("CLIENT", "PAUSE", "100", "ALL"))
    b.send(resp_command("GET", "n"))
    time.sleep(0.2)
    out.append(("read held past the shorter end", quiet(b, 0.02)))
    out.append(("b", b.read_reply()))
    out.append(("held to the later end", time.time() - t0 >= 0.38))
    # A pause whose time is over ends by itself.
    t0 = time.time()
    out.append(a.cmd("CLIENT", "PAUSE", "150", "WRITE"))
    out.append(("write after the end", b.cmd("SET", "k", "x"), time.time() - t0 >= 0.14))
    for x in (a, b, c, d, e, f):
        x.close()
    return out


def write_script(port):
    setup = RawConn(port)
    out = [setup.cmd("FLUSHALL"), setup.cmd("SET", "k", "v"), setup.cmd("PFADD", "h", "x", "y"),
           setup.cmd("SCRIPT", "LOAD", "return 7")]
    m = RawConn(port)
    out.append((m.cmd("MULTI"), m.cmd("INCR", "queued")))
    sub = RawConn(port)
    out.append(sub.cmd("SUBSCRIBE", "ch"))
    # Blocked before the pause: one times out during it (a null, as ever),
    # one is served by a push the pause holds, after UNPAUSE.
    bl_timeout, bl_served = RawConn(port), RawConn(port)
    bl_timeout.send(resp_command("BLPOP", "bl1", "0.2"))
    bl_served.send(resp_command("BLPOP", "bl2", "0"))
    time.sleep(0.05)
    a = RawConn(port)
    # "gone" runs out during the pause, when neither lazy nor active expiry
    # may delete it.
    out.append(setup.cmd("SET", "gone", "v", "PX", "100"))
    out.append(a.cmd("CLIENT", "PAUSE", "100000", "WRITE"))
    held = {}
    for name, args in (("set", ["SET", "k", "2"]), ("eval", ["EVAL", "return redis.call('set','k','3')", "1", "k"]),
                       ("eval_read", ["EVAL", "return 1", "0"]),
                       ("evalsha", ["EVALSHA", "e5d6b2a4fa3c5d4a2a1c0d1f4a4a0c9a7d55f3c2", "0"]),
                       ("fcall", ["FCALL", "nosuch", "0"]), ("pfcount", ["PFCOUNT", "h"]),
                       ("publish", ["PUBLISH", "ch", "hello"]), ("function_flush", ["FUNCTION", "FLUSH"]),
                       ("expire", ["EXPIRE", "k", "100"]), ("lpush", ["LPUSH", "bl2", "x"])):
        c = RawConn(port)
        c.send(resp_command(*args))
        held[name] = c
    q = RawConn(port)
    out.append(q.cmd("MULTI"))
    out.append(q.cmd("GET", "k2"))
    q.send(resp_command("SET", "k2", "4"))  # held while queuing, as Redis 7.0
    q.send(resp_command("EXEC"))
    m.send(resp_command("EXEC"))  # its queued INCR is a write
    a.send(resp_command("SET", "mine", "1") + resp_command("GET", "mine"))  # the pauser's own write
    time.sleep(0.15)
    out.append(("timed out while paused", bl_timeout.read_reply()))
    out.append(("held", sorted(n for n, c in held.items() if quiet(c, 0.01)), quiet(q, 0.01), quiet(m, 0.01),
                quiet(a, 0.01), quiet(sub, 0.01)))
    r = RawConn(port)
    for args in (["GET", "k"], ["GET", "gone"], ["EXISTS", "gone"], ["TTL", "gone"], ["DBSIZE"],
                 ["EVAL_RO", "return redis.call('get', KEYS[1])", "1", "k"], ["FCALL_RO", "nosuch", "0"],
                 ["PING"], ["MULTI"], ["GET", "k"], ["EXEC"], ["DBSIZE"]):
        out.append((args, r.cmd(*args)))
    info = r.cmd("INFO", "clients").decode()
    out.append([ln for ln in info.split("\r\n") if ln.startswith("blocked_clients")])
    flags = sorted(f.split("=")[1] for ln in r.cmd("CLIENT", "LIST").decode().splitlines() for f in ln.split()
                   if f.startswith("flags="))
    out.append(flags)
    # A held client that goes away is forgotten.
    gone = RawConn(port)
    gone.send(resp_command("SET", "never", "1"))
    time.sleep(0.05)
    gone.close()
    time.sleep(0.1)
    out.append([ln for ln in r.cmd("INFO", "clients").decode().split("\r\n") if ln.startswith("blocked_clients")])
    out.append(("unpause", r.cmd("CLIENT", "UNPAUSE")))
    for name in sorted(held):
        out.append((name, held[name].read_reply()))
    out.append(("q", q.read_reply(), q.read_reply()))
    out.append(("m", m.read_reply()))
    out.append(("a", a.read_reply(), a.read_reply()))
    out.append(("sub", sub.read_reply()))
    out.append(("blpop", bl_served.read_reply()))
    # (Which held write to k ran last is not compared: held clients resume
    # in the order they were held in Redis, each on its own thread here.)
    out.append(("after", r.cmd("GET", "k2"), r.cmd("EXISTS", "never"), r.cmd("GET", "queued")))
    for c in (setup, m, sub, a, q, r, bl_timeout, bl_served, *held.values()):
        c.close()
    return out


def test_args():
    check_same_as_redis(args_script)


def test_all():
    check_same_as_redis(all_script)


def test_write():
    check_same_as_redis(write_script)


def test_quiescence_two_threads():
    """Writers on both I/O threads INCR as fast as they can; once CLIENT
    PAUSE WRITE has replied the counter must not move until UNPAUSE."""
    srv = harness.start_tmkv("--io-threads", 2)
    try:
        stop = threading.Event()
        errors = []

        def writer():
            try:
                c = RawConn(srv.port)
                batch = resp_command("INCR", "n") * 16
                while not stop.is_set():
                    c.send(batch)
                    for _ in range(16):
                        c.read_reply()
                c.close()
            except Exception as ex:  # noqa: BLE001
                errors.append(ex)

        threads = [threading.Thread(target=writer) for _ in range(4)]
        for t in threads:
            t.start()
        ctl = RawConn(srv.port)
        reader = RawConn(srv.port)  # the next connection: the other thread from ctl
        time.sleep(0.1)
        for _ in range(3):
            check_eq(ctl.cmd("CLIENT", "PAUSE", "100000", "WRITE"), "OK", "pause")
            first = reader.cmd("GET", "n")
            time.sleep(0.15)
            check_eq(reader.cmd("GET", "n"), first, "the counter while paused")
            check_eq(ctl.cmd("GET", "n"), first, "the counter while paused, the other thread")
            blocked = [ln for ln in ctl.cmd("INFO", "clients").decode().split("\r\n")
                       if ln.startswith("blocked_clients")]
            check_eq(blocked, ["blocked_clients:4"], "every writer held, on both threads")
            check_eq(ctl.cmd("CLIENT", "UNPAUSE"), "OK", "unpause")
            time.sleep(0.05)
            check(int(reader.cmd("GET", "n")) > int(first), "writes go on after UNPAUSE")
        stop.set()
        for t in threads:
            t.join(10)
        check(not errors, f"writers: {errors}")
        # SHUTDOWN while clients are held: the server exits, held clients
        # see their connections close.
        check_eq(ctl.cmd("CLIENT", "PAUSE", "100000", "WRITE"), "OK", "pause")
        held = [RawConn(srv.port) for _ in range(2)]
        for h in held:
            h.send(resp_command("SET", "x", "1"))
        time.sleep(0.1)
        ctl.send(resp_command("SHUTDOWN", "NOSAVE"))
        check_eq(srv.proc.wait(timeout=10), 0, "exit status after SHUTDOWN")
        for h in held:
            data, closed = h.read_raw(timeout=2)
            check(closed and data == b"", f"held client closed without a reply: {data!r}")
    except socket.timeout as ex:
        raise AssertionError(f"timed out: {ex}") from ex
    finally:
        srv.stop()


def irrevocable_commits(conn):
    for line in conn.cmd("INFO", "transactions").decode().split("\r\n"):
        if line.startswith("tx_commits_irrevocable:"):
            return int(line.split(":")[1])
    raise AssertionError("INFO transactions has no tx_commits_irrevocable")


def test_exec_effects_only_if_committed():
    """A MULTI block whose commands change client or server state (CLIENT
    PAUSE, CLIENT SETNAME) has those effects only if EXEC commits: a broken
    WATCH leaves no pause behind. Such a block runs irrevocably (it cannot
    fail after its commands ran), a block of key commands optimistically."""
    srv = harness.start_tmkv("--io-threads", 2)
    try:
        a, b = RawConn(srv.port), RawConn(srv.port)  # one per I/O thread
        check_eq(a.cmd("WATCH", "k"), "OK", "WATCH")
        check_eq(b.cmd("SET", "k", "1"), "OK", "the watched key changes")
        check_eq([a.cmd("MULTI"), a.cmd("CLIENT", "PAUSE", "100000", "WRITE"), a.cmd("EXEC")], ["OK", "QUEUED", None],
                 "the block fails its WATCH")
        b.sock.settimeout(2)
        check_eq(b.cmd("SET", "k", "2"), "OK", "no pause was left behind: a write goes through")
        before = irrevocable_commits(a)
        check_eq([a.cmd("MULTI"), a.cmd("CLIENT", "SETNAME", "x"), a.cmd("INCR", "k"), a.cmd("EXEC")],
                 ["OK", "QUEUED", "QUEUED", ["OK", 3]], "a block that renames the client")
        check_eq(irrevocable_commits(a), before + 1, "it ran irrevocably")
        check_eq([a.cmd("MULTI"), a.cmd("INCR", "k"), a.cmd("PING"), a.cmd("CLIENT", "GETNAME"), a.cmd("EXEC")],
                 ["OK", "QUEUED", "QUEUED", "QUEUED", [4, "PONG", b"x"]], "a block of key commands and reads")
        check_eq(irrevocable_commits(a), before + 1, "that one ran optimistically")
        # Against writers on the other thread: the name changes exactly
        # when EXEC commits.
        stop = threading.Event()

        def writer():  # a write every ~5 ms, racing the blocks' commits
            c = RawConn(srv.port)
            while not stop.is_set():
                c.cmd("INCR", "k")
                time.sleep(0.005)
            c.close()

        t = threading.Thread(target=writer)
        t.start()
        try:
            name, committed = "x", 0
            for i in range(200):
                a.cmd("WATCH", "k")
                if i % 2:
                    b.cmd("INCR", "k")  # every other block fails for certain
                a.cmd("MULTI")
                a.cmd("CLIENT", "SETNAME", f"n{i}")
                a.cmd("INCR", "k")
                reply = a.cmd("EXEC")
                if reply is not None:
                    name, committed = f"n{i}", committed + 1
                check_eq(a.cmd("CLIENT", "GETNAME"), name.encode(), f"round {i}: EXEC replied {reply}")
        finally:
            stop.set()
            t.join(10)
        print(f"  {committed} of 200 blocks committed against the writer")
        check(committed > 0, "some blocks commit (else the loop checks nothing)")
    finally:
        srv.stop()


TESTS = [
    ("a", "arguments and replies as redis-server", test_args),
    ("b", "ALL: every command held until the end, as redis-server", test_all),
    ("c", "WRITE: what is held and what is served, as redis-server", test_write),
    ("d", "no write commits after PAUSE replied (two I/O threads); SHUTDOWN", test_quiescence_two_threads),
    ("e", "a block's CLIENT PAUSE / SETNAME happen only if EXEC commits", test_exec_effects_only_if_committed),
]

if __name__ == "__main__":
    sys.exit(run_tests(TESTS, sys.argv[1:]))
