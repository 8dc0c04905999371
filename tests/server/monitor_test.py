#!/usr/bin/python3
"""MONITOR against a real redis-server, and its limits.

  (1) The same command script runs against tmkv-server and redis-server
      7.0, each watched by a MONITOR connection; the two streams must be
      identical once timestamps and client ports are masked: which commands
      appear (admin ones and rejected ones do not; EXEC's commands appear
      when it runs, then EXEC), in which order, with which db, and quoted
      byte for byte (binary, quotes, backslashes, redacted passwords). Also
      the monitor's own replies: PING works, key commands are refused,
      RESET leaves monitor mode, MONITOR inside MULTI fails at EXEC.
  (2) Two monitors at once, each on whichever I/O thread it landed, see the
      same lines as commands run on every thread.
  (3) A monitor that does not read cannot grow the server: once
      monitor-output-buffer-limit bytes of lines wait for it (64 MiB by
      default; CONFIG SET to 2 MiB here), it is disconnected, and other
      clients go on.

Run: TMKV_SERVER=build/bin/tmkv-server /usr/bin/python3 tests/server/monitor_test.py
"""
import re
import socket
import sys
import time

import harness
from raw_resp import RawConn, check, check_eq, resp_command, rss_kib, run_tests

MASK = re.compile(rb"^\+\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\]")


def masked(lines):
    return [MASK.sub(rb"+T [\1 ADDR]", ln) for ln in lines]


def read_lines(conn, want, timeout=5.0):
    """Reads `want` status lines (monitor lines or replies) from a RawConn."""
    out = []
    deadline = time.time() + timeout
    while len(out) < want and time.time() < deadline:
        try:
            out.append(conn.read_line())
        except socket.timeout:
            break
    return out


SCRIPT = [
    ["SET", b"k", b"v\x00\"\\\n\x7f\xff ok"],
    ["SELECT", "1"], ["GET", "k"], ["SELECT", "0"],
    ["FOO"], ["GET"],                                   # rejected: not shown
    ["AUTH", "x", "y"], ["HELLO", "3", "AUTH", "default", "pw"], ["HELLO", "2"],
    ["CONFIG", "GET", "maxmemory"], ["CLIENT", "LIST"], ["SLOWLOG", "LEN"],  # admin: not shown
    ["CLIENT", "ID"], ["CLIENT", "SETNAME", "n"], ["INFO", "server"], ["DBSIZE"], ["PING"],
    ["MULTI"], ["SET", "a", "1"], ["INCR", "a"], ["SELECT", "2"], ["SET", "b", "2"], ["EXEC"],
    ["SELECT", "0"],
    ["MULTI"], ["SET", "a"], ["EXEC"],                 # EXECABORT: only MULTI and EXEC shown
    ["WATCH", "a"], ["UNWATCH"],
    ["MSET", "x", "1", "y", "2"], ["DEL", "x", "y", "z"],
    ["COMMAND", "COUNT"], ["OBJECT", "ENCODING", "a"], ["CLIENT", "KILL", "ID", "999999"],
    ["QUIT"],
]
# Commands that produce no line: rejected (FOO, GET), admin (CONFIG,
# CLIENT LIST, SLOWLOG, CLIENT KILL), queued (never run on their own).
SHOWN = 28


def run_script(port):
    mon = RawConn(port)
    mon.send(b"MONITOR\r\n")
    check_eq(mon.read_line(), b"+OK", "MONITOR")
    c = RawConn(port)
    for cmd in SCRIPT:
        c.send(resp_command(*cmd))
        c.read_reply()
    lines = read_lines(mon, SHOWN, timeout=5.0)
    # Nothing more may follow (QUIT's own line is never sent).
    mon.sock.settimeout(0.3)
    lines += read_lines(mon, 1, timeout=0.3)
    mon.sock.settimeout(5.0)
    # The monitor's own session: PING works and shows, key commands are
    # refused, a second MONITOR says nothing, RESET leaves monitor mode.
    mon.send(b"PING\r\nGET k\r\nMONITOR\r\nRESET\r\nPING\r\n")
    own = read_lines(mon, 5, timeout=3.0)
    mon.close()
    c = RawConn(port)
    c.send(b"MULTI\r\nMONITOR\r\nEXEC\r\n")
    multi = [c.read_reply() for _ in range(3)]
    c.close()
    return masked(lines), masked(own), multi


def test_same_stream_as_redis():
    tmkv = harness.start_tmkv("--io-threads", 2)
    redis = harness.start_redis()
    try:
        got = run_script(tmkv.port)
        want = run_script(redis.port)
        check_eq(len(want[0]), SHOWN, f"redis-server's stream has {SHOWN} lines (the test's own expectation)")
        for i, (g, w) in enumerate(zip(got[0], want[0])):
            check_eq(g, w, f"monitor line {i + 1}")
        check_eq(len(got[0]), len(want[0]), "number of monitor lines")
        check_eq(got[1], want[1], "the monitor's own session")
        check_eq(got[2], want[2], "MONITOR inside MULTI")
    finally:
        tmkv.stop()
        redis.stop()


def test_two_monitors_across_threads():
    srv = harness.start_tmkv("--io-threads", 2)
    try:
        mons = [RawConn(srv.port) for _ in range(2)]
        for m in mons:
            m.send(b"MONITOR\r\n")
            check_eq(m.read_line(), b"+OK", "MONITOR")
        listing = RawConn(srv.port).cmd("CLIENT", "LIST").decode()
        check_eq(listing.count("flags=O "), 2, "CLIENT LIST shows both monitors with flag O")
        # Four clients: round-robin puts them on both I/O threads.
        clients = [RawConn(srv.port) for _ in range(4)]
        for round_ in range(25):
            for i, c in enumerate(clients):
                c.cmd("SET", f"k{i}", str(round_))
        streams = [masked(read_lines(m, 100, timeout=5.0)) for m in mons]
        check_eq(len(streams[0]), 100, "first monitor saw every command")
        check_eq(sorted(streams[0]), sorted(streams[1]), "both monitors saw the same lines")
        per_client = {}
        for ln in streams[0]:
            m = re.match(rb'\+T \[0 ADDR\] "SET" "(k\d)" "(\d+)"', ln)
            check(m is not None, f"line shape: {ln!r}")
            per_client.setdefault(m.group(1), []).append(int(m.group(2)))
        for k, rounds in per_client.items():
            check_eq(rounds, list(range(25)), f"{k!r}: one client's commands in order")
        for x in mons + clients:
            x.close()
    finally:
        srv.stop()


def test_slow_monitor_is_disconnected():
    srv = harness.start_tmkv("--io-threads", 2)
    try:
        c = RawConn(srv.port)
        # The limit is monitor-output-buffer-limit (64 MiB by default): set
        # here to 2 MiB, through CONFIG SET, so that the test needs a few
        # dozen lines of 100 KB to reach it rather than 670 or more (half a
        # minute under TSan).
        check_eq(c.cmd("CONFIG", "GET", "monitor-output-buffer-limit"),
                 [b"monitor-output-buffer-limit", b"67108864"], "the default limit")
        reply = c.cmd("CONFIG", "SET", "monitor-output-buffer-limit", "512kb")
        check(reply[0] == "ERR", f"a limit under 1 MiB is refused: {reply}")
        check_eq(c.cmd("CONFIG", "SET", "monitor-output-buffer-limit", "2mb"), "OK", "CONFIG SET")
        mon = RawConn(srv.port)
        mon.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        mon_id = mon.cmd("CLIENT", "ID")
        mon.send(b"MONITOR\r\n")  # and never read again
        time.sleep(0.2)
        rss0 = rss_kib(srv.proc.pid)
        value = b"x" * 100_000
        # ~100 KB per line: 2 MiB is ~21 of them, and the kernel's socket
        # buffers hold a few MiB more. Send up to 2000 (200 MB), but stop
        # once the server has cut the monitor off.
        for i in range(2000):
            c.send(resp_command("SET", f"big{i % 10}", value))
            c.read_reply()
            if i >= 20 and i % 10 == 0 and f"id={mon_id} ".encode() not in c.cmd("CLIENT", "LIST"):
                break
        check_eq(c.cmd("PING"), "PONG", "a writer is unaffected by the stuck monitor")
        # The bound shows in RSS with jemalloc; a sanitizer's allocator keeps
        # freed memory in quarantine (ASan: up to 256 MiB), so there only the
        # disconnect below is checked.
        allocator = c.cmd("INFO", "memory").decode()
        if "mem_allocator:jemalloc" in allocator:
            grown = rss_kib(srv.proc.pid) - rss0
            check(grown < 64 * 1024, f"server grew by {grown} KiB for the stuck monitor (limit 2 MiB of lines)")
        # The server cut the monitor off (the kernel may still be trickling
        # its last bytes into a 4 KiB window: look from the server's side).
        deadline = time.time() + 10
        listed = True
        while listed and time.time() < deadline:
            listed = f"id={mon_id} ".encode() in c.cmd("CLIENT", "LIST")
            time.sleep(0.05)
        check(not listed, "the stuck monitor was disconnected")
        check(srv.proc.poll() is None, "server alive")
        mon.close()
        c.close()
    finally:
        srv.stop()


TESTS = [
    ("1", "same MONITOR stream as redis-server", test_same_stream_as_redis),
    ("2", "two monitors, commands on every I/O thread", test_two_monitors_across_threads),
    ("3", "a monitor that does not read is disconnected", test_slow_monitor_is_disconnected),
]


if __name__ == "__main__":
    sys.exit(run_tests(TESTS, sys.argv[1:]))
