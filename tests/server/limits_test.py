#!/usr/bin/python3
"""Limits, bad input and security of the real tmkv-server binary.

   1 maxclients: the client over the limit is refused and closed; INFO
     stats rejected_connections counts it; a freed slot can be reused
   2 proto-max-bulk-len: a longer bulk is a protocol error; a value of
     exactly the limit is fine; APPEND/SETRANGE past it fail; CONFIG SET
     raises it
   3 max-multibulk-len: a longer multibulk is a protocol error
   4 client-query-buffer-limit: a client whose unparsed input passes it is
     disconnected; others are not disturbed
   5 requirepass: unauthenticated protocol limits, NOAUTH, what is allowed
     before AUTH, MULTI/EXEC before AUTH (EXECABORT)
   6 timeout: idle clients are closed, active ones are not
   7 half-sent requests hold no thread (one I/O thread, 20 stalled clients)
   8 hostile input (garbage, huge counts, long lines, NUL bytes, big
     pipelines, a client that never reads) does not crash the server or
     grow its memory without bound
   9 protected mode: remote clients get -DENIED unless a password is set or
     protected mode is off
  10 config file: settings, quoting, comments; bad lines, --help, bad flags
  11 CONFIG GET/SET: persistence names, immutable options, maxclients
  12 SHUTDOWN and SIGINT exit 0
  13 maxmemory with noeviction
  14 tcp-keepalive: the server's sockets probe idle peers (default 300 s)

Every sub-test starts its own server(s), is reported PASS/FAIL/SKIP on its
own, and the script exits 1 if any failed. Raw sockets are used wherever
the protocol itself is under test.

Run:  TMKV_SERVER=build/bin/tmkv-server /usr/bin/python3 tests/server/limits_test.py [numbers...]
"""
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import harness
from raw_resp import Failure, RawConn, check, check_eq, crc64_jones, parse_info, resp_command, rss_kib, short, wait_until

MIB = 1 << 20
NOAUTH = "NOAUTH Authentication required."
TOO_LARGE = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"


class Skip(Exception):
    pass


def expect_refusal(conn, want, what, timeout=5.0):
    """The server sends exactly `want` (one line) and closes."""
    data, closed = conn.read_raw(timeout)
    check_eq(data, want, f"{what}: reply")
    check(closed, f"{what}: connection closed by the server")
    conn.close()


def expect_protocol_error(port, payload, text, what):
    """A fresh connection sends `payload`; the server answers -ERR <text>
    and closes."""
    c = RawConn(port)
    try:
        c.send(payload)
    except OSError:
        pass  # the server may close before the whole payload is written
    expect_refusal(c, f"-ERR {text}\r\n".encode(), what)


def info(conn, section):
    """INFO <section> over a RawConn, as {field: str}."""
    r = conn.cmd("INFO", section)
    check(isinstance(r, bytes), f"INFO {section} is a bulk string: {short(r)}")
    return parse_info(r.decode())


def wait_connected(conn, n, timeout=10.0):
    """Polls INFO clients on `conn` until connected_clients == n (the server
    registers and unregisters clients asynchronously)."""
    last = [None]

    def ok():
        last[0] = info(conn, "clients").get("connected_clients")
        return last[0] == str(n)

    try:
        wait_until(ok, f"connected_clients == {n}", timeout)
    except Failure as e:
        raise Failure(f"{e} (last seen {last[0]})") from None


def assert_alive(srv, what, password=None):
    check(srv.proc.poll() is None, f"{what}: server process died (exit {srv.proc.returncode}); log:\n"
          f"{srv.log()[-3000:]}")
    c = RawConn(srv.port, timeout=10.0)
    try:
        if password is not None:
            check_eq(c.cmd("AUTH", password), "OK", f"{what}: a fresh client's AUTH")
        check_eq(c.cmd("PING"), "PONG", f"{what}: a fresh client's PING")
    finally:
        c.close()


def config_get(conn, name):
    r = conn.cmd("CONFIG", "GET", name)
    check(isinstance(r, list) and len(r) == 2, f"CONFIG GET {name}: {short(r)}")
    return r[1]


def stopped_cleanly(srv, what):
    status = srv.stop()
    check_eq(status, 0, f"{what}: exit status after SIGTERM")


# ---------------------------------------------------------------- 1 maxclients

def test_maxclients():
    srv = harness.start_tmkv("--maxclients", 3)
    conns = []
    try:
        a = RawConn(srv.port)
        conns.append(a)
        check_eq(a.cmd("PING"), "PONG", "client 1 PING")
        wait_connected(a, 1)  # the harness's port probe has gone
        for i in (2, 3):
            c = RawConn(srv.port)
            conns.append(c)
            check_eq(c.cmd("PING"), "PONG", f"client {i} PING")
        check_eq(info(a, "stats").get("rejected_connections"), "0", "rejected_connections before the 4th")
        d = RawConn(srv.port)
        expect_refusal(d, b"-ERR max number of clients reached\r\n", "4th client")
        check_eq(info(a, "stats").get("rejected_connections"), "1", "rejected_connections after the 4th")
        check_eq(info(a, "clients").get("connected_clients"), "3", "connected_clients with 3 in")
        # A refused client never became a client: the three still work.
        for i, c in enumerate(conns):
            check_eq(c.cmd("PING"), "PONG", f"client {i + 1} PING after the refusal")
        conns[1].close()
        conns.pop(1)
        wait_connected(a, 2)
        e = RawConn(srv.port)
        conns.append(e)
        check_eq(e.cmd("PING"), "PONG", "a new client after one left")
        check_eq(e.cmd("SET", "k", "v"), "OK", "the new client's SET")
        f = RawConn(srv.port)
        expect_refusal(f, b"-ERR max number of clients reached\r\n", "4th client again")
        check_eq(info(a, "stats").get("rejected_connections"), "2", "rejected_connections after two refusals")
    finally:
        for c in conns:
            c.close()
        stopped_cleanly(srv, "maxclients server")


# ---------------------------------------------------------------- 2 proto-max-bulk-len

def test_proto_max_bulk_len():
    srv = harness.start_tmkv("--proto-max-bulk-len", "1mb")
    try:
        expect_protocol_error(srv.port, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n",
                              "Protocol error: invalid bulk length", "$1048577 with a 1mb limit")
        c = RawConn(srv.port)
        check_eq(config_get(c, "proto-max-bulk-len"), b"1048576", "CONFIG GET proto-max-bulk-len")
        big = b"a" * MIB
        check_eq(c.cmd("SET", "big", big), "OK", "SET of exactly 1 MiB")
        check_eq(c.cmd("STRLEN", "big"), MIB, "STRLEN of the 1 MiB value")
        check_eq(c.cmd("GET", "big") == big, True, "GET returns the 1 MiB value")
        check_eq(c.cmd("APPEND", "big", "x"), ("ERR", TOO_LARGE), "APPEND past 1 MiB")
        check_eq(c.cmd("STRLEN", "big"), MIB, "STRLEN after the refused APPEND")
        check_eq(c.cmd("SETRANGE", "big", MIB, "x"), ("ERR", TOO_LARGE), "SETRANGE big 1048576 x")
        check_eq(c.cmd("SETRANGE", "fresh", MIB, "x"), ("ERR", TOO_LARGE), "SETRANGE on a new key past 1 MiB")
        check_eq(c.cmd("EXISTS", "fresh"), 0, "the refused SETRANGE created nothing")
        check_eq(c.cmd("SETRANGE", "big", MIB - 1, "y"), MIB, "SETRANGE of the last byte within 1 MiB")
        check_eq(c.cmd("APPEND", "half", b"b" * (MIB // 2)), MIB // 2, "APPEND of 0.5 MiB")
        check_eq(c.cmd("APPEND", "half", b"b" * (MIB // 2)), MIB, "APPEND up to exactly 1 MiB")
        check_eq(c.cmd("APPEND", "half", b"b"), ("ERR", TOO_LARGE), "APPEND one byte past 1 MiB")

        check_eq(c.cmd("CONFIG", "SET", "proto-max-bulk-len", "2mb"), "OK", "CONFIG SET proto-max-bulk-len 2mb")
        check_eq(config_get(c, "proto-max-bulk-len"), b"2097152", "CONFIG GET after the change")
        check_eq(c.cmd("APPEND", "big", "x"), MIB + 1, "APPEND past 1 MiB after raising the limit to 2mb")
        check_eq(c.cmd("SETRANGE", "big", 2 * MIB - 1, "z"), 2 * MIB, "SETRANGE up to 2 MiB")
        check_eq(c.cmd("SETRANGE", "big", 2 * MIB, "z"), ("ERR", TOO_LARGE), "SETRANGE past 2 MiB")
        check_eq(c.cmd("SET", "big2", b"c" * (MIB + 1)), "OK", "SET of 1 MiB + 1 after raising the limit")
        check_eq(c.cmd("STRLEN", "big2"), MIB + 1, "STRLEN big2")
        expect_protocol_error(srv.port, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2097153\r\n",
                              "Protocol error: invalid bulk length", "$2097153 with a 2mb limit")
        check_eq(c.cmd("CONFIG", "SET", "proto-max-bulk-len", "1000")[0], "ERR",
                 "CONFIG SET proto-max-bulk-len below 1mb is refused")
        c.close()
    finally:
        stopped_cleanly(srv, "proto-max-bulk-len server")


# ---------------------------------------------------------------- 3 max-multibulk-len

def test_max_multibulk_len():
    srv = harness.start_tmkv("--max-multibulk-len", 5)
    try:
        c = RawConn(srv.port)
        check_eq(c.cmd("MSET", "a", "1", "b", "2"), "OK", "a 5-argument MSET")
        check_eq(c.cmd("MGET", "a", "b", "x", "y"), [b"1", b"2", None, None], "a 5-argument MGET")
        expect_protocol_error(srv.port, b"*6\r\n", "Protocol error: invalid multibulk length", "*6 (header only)")
        expect_protocol_error(srv.port, resp_command("MGET", "a", "b", "c", "d", "e"),
                              "Protocol error: invalid multibulk length", "a whole 6-argument MGET")
        check_eq(c.cmd("PING"), "PONG", "the other connection is untouched")
        check_eq(c.cmd("CONFIG", "SET", "max-multibulk-len", "10"), "OK", "CONFIG SET max-multibulk-len 10")
        check_eq(c.cmd("MGET", "a", "b", "c", "d", "e"), [b"1", b"2", None, None, None], "6 arguments after 10")
        c.close()
    finally:
        stopped_cleanly(srv, "max-multibulk-len server")


# ---------------------------------------------------------------- 4 client-query-buffer-limit

def test_query_buffer_limit():
    srv = harness.start_tmkv("--client-query-buffer-limit", "1mb", "--proto-max-bulk-len", "512mb")
    try:
        other = RawConn(srv.port)
        check_eq(other.cmd("SET", "other", "1"), "OK", "other client SET")
        header = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n"

        # Control: 0.5 MB of the bulk is under the limit; the client stays.
        small = RawConn(srv.port)
        small.send(header + b"x" * 500_000)
        data, closed = small.read_raw(0.5)
        check(not closed and data == b"", f"0.5 MB of a 2 MB bulk: closed={closed}, data={short(data)}")

        hog = RawConn(srv.port)
        hog.send(header)
        sent = 0
        counter = 1
        chunk = b"y" * 65536
        try:
            while sent < 1_500_000:
                hog.send(chunk)
                sent += len(chunk)
                if sent % (256 * 1024) == 0:
                    counter += 1
                    check_eq(other.cmd("INCR", "other"), counter,
                             f"other client INCR while the hog has sent {sent} bytes")
        except OSError:
            pass  # closed by the server while still sending: fine
        data, closed = hog.read_raw(10.0)
        check(closed, f"client past the 1mb query buffer limit is disconnected (got {short(data)})")
        check(not data.startswith(b"+"), f"no success reply to the hog: {short(data)}")
        hog.close()

        check_eq(other.cmd("GET", "other"), str(counter).encode(), "other client after the hog was dropped")
        check(not small.closed_now(), "the 0.5 MB client is still connected")
        # A whole 2 MB bulk cannot fit in a 1 MB query buffer: completing it
        # gets this client dropped too.
        try:
            small.send(b"x" * 1_500_000 + b"\r\n")
        except OSError:
            pass
        data, closed = small.read_raw(10.0)
        check(closed, f"the 0.5 MB client, completing a 2 MB bulk, is dropped too (got {short(data)})")
        small.close()
        check_eq(other.cmd("EXISTS", "k"), 0, "neither 2 MB SET ran")
        other.close()
        assert_alive(srv, "after query buffer overflows")
    finally:
        stopped_cleanly(srv, "client-query-buffer-limit server")


# ---------------------------------------------------------------- 5 requirepass

def test_unauthenticated():
    srv = harness.start_tmkv("--requirepass", "pw")
    try:
        expect_protocol_error(srv.port, b"*11\r\n", "Protocol error: unauthenticated multibulk length",
                              "*11 before AUTH")
        expect_protocol_error(srv.port, b"*2\r\n$3\r\nGET\r\n$16385\r\n",
                              "Protocol error: unauthenticated bulk length", "$16385 before AUTH")
        # Redis's order: an invalid length is reported as invalid first.
        expect_protocol_error(srv.port, b"*2147483648\r\n", "Protocol error: invalid multibulk length",
                              "*2147483648 before AUTH")

        c = RawConn(srv.port)
        # At the limits: parsed, then refused with NOAUTH, connection kept.
        check_eq(c.cmd("DEL", *[f"k{i}" for i in range(9)]), ("ERR", NOAUTH), "*10 DEL before AUTH")
        check_eq(c.cmd("SET", "k", b"v" * 16384), ("ERR", NOAUTH), "SET of 16384 bytes before AUTH")
        check_eq(c.cmd("GET", "k"), ("ERR", NOAUTH), "GET before AUTH")
        check_eq(c.cmd("SHUTDOWN"), ("ERR", NOAUTH), "SHUTDOWN before AUTH")
        check_eq(c.cmd("CONFIG", "SET", "requirepass", ""), ("ERR", NOAUTH), "CONFIG SET before AUTH")
        # MULTI before AUTH: everything is refused, EXEC with EXECABORT.
        check_eq(c.cmd("MULTI"), ("ERR", NOAUTH), "MULTI before AUTH")
        check_eq(c.cmd("SET", "k", "1"), ("ERR", NOAUTH), "SET after MULTI before AUTH")
        check_eq(c.cmd("EXEC"), ("ERR", "EXECABORT Transaction discarded because of: " + NOAUTH),
                 "EXEC before AUTH")
        # AUTH and HELLO reach their handlers.
        r = c.cmd("HELLO", "3")
        check(isinstance(r, tuple) and r[1].startswith("NOAUTH HELLO must be called with the client already "
                                                       "authenticated"),
              f"HELLO 3 before AUTH gets HELLO's own NOAUTH text: {short(r)}")
        r = c.cmd("AUTH", "wrong")
        check(isinstance(r, tuple) and r[1].startswith("WRONGPASS"), f"AUTH wrong: {short(r)}")
        check_eq(c.cmd("AUTH", "pw"), "OK", "AUTH pw")
        check_eq(c.cmd("GET", "k"), None, "GET after AUTH (nothing was written before it)")
        check_eq(c.cmd("MSET", *[x for i in range(10) for x in (f"m{i}", str(i))]), "OK", "*21 MSET after AUTH")
        check_eq(c.cmd("SET", "big", b"b" * 100_000), "OK", "a 100 KB SET after AUTH")
        check_eq(c.cmd("STRLEN", "big"), 100_000, "STRLEN big")
        check_eq(c.cmd("EXISTS", *[f"m{i}" for i in range(10)], "big"), 11, "*12 EXISTS after AUTH")
        check_eq(c.cmd("MULTI"), "OK", "MULTI after AUTH")
        check_eq(c.cmd("INCR", "n"), "QUEUED", "INCR queued")
        check_eq(c.cmd("EXEC"), [1], "EXEC after AUTH")
        c.close()

        # AUTH pipelined with a big request in one write: the limits lift
        # from the command after AUTH.
        c = RawConn(srv.port)
        c.send(resp_command("AUTH", "pw") + resp_command("SET", "big2", b"z" * 50_000) +
               resp_command("MGET", *[f"m{i}" for i in range(12)]))
        check_eq(c.read_reply(), "OK", "pipelined AUTH")
        check_eq(c.read_reply(), "OK", "50 KB SET pipelined right after AUTH")
        check_eq(c.read_reply(), [str(i).encode() for i in range(10)] + [None, None], "*13 MGET right after AUTH")
        c.close()

        c = RawConn(srv.port)
        r = c.cmd("HELLO", "3", "AUTH", "default", "pw")
        check(isinstance(r, dict) and r.get(b"proto") == 3, f"HELLO 3 AUTH default pw: {short(r)}")
        check_eq(c.cmd("GET", "big2") == b"z" * 50_000, True, "GET after HELLO AUTH")
        c.close()

        c = RawConn(srv.port)
        c.send(resp_command("QUIT"))
        data, closed = c.read_raw(5.0)
        check_eq(data, b"+OK\r\n", "QUIT before AUTH")
        check(closed, "QUIT before AUTH closes the connection")
        c.close()
        assert_alive(srv, "requirepass server", password="pw")

        # requirepass changed at run time. Redis decides "authentication
        # required" per command from the current setting (authRequired()):
        # clearing the password frees clients that never authenticated,
        # setting one does not log out clients already in.
        admin = RawConn(srv.port)
        check_eq(admin.cmd("AUTH", "pw"), "OK", "admin AUTH pw")
        waiting = RawConn(srv.port)
        check_eq(waiting.cmd("GET", "k"), ("ERR", NOAUTH), "a client that has not authenticated")
        check_eq(admin.cmd("CONFIG", "SET", "requirepass", ""), "OK", "CONFIG SET requirepass \"\"")
        fresh = RawConn(srv.port)
        check_eq(fresh.cmd("GET", "n"), b"1", "a new client needs no AUTH once the password is cleared")
        check_eq(waiting.cmd("GET", "n"), b"1",
                 "a client connected while a password was set, after CONFIG SET requirepass \"\" (Redis: allowed)")
        check_eq(waiting.cmd("MGET", *[f"m{i}" for i in range(10)])[9], b"9",
                 "*11 from that client after the password was cleared")
        check_eq(admin.cmd("CONFIG", "SET", "requirepass", "pw2"), "OK", "CONFIG SET requirepass pw2")
        check_eq(admin.cmd("GET", "n"), b"1", "an authenticated client stays in after a new password")
        check_eq(fresh.cmd("GET", "n"), b"1", "a client from the no-password time stays in")
        late = RawConn(srv.port)
        check_eq(late.cmd("GET", "n"), ("ERR", NOAUTH), "a new client after CONFIG SET requirepass pw2")
        r = late.cmd("AUTH", "pw")
        check(isinstance(r, tuple) and r[1].startswith("WRONGPASS"), f"the old password no longer works: {r!r}")
        check_eq(late.cmd("AUTH", "pw2"), "OK", "AUTH pw2")
        for x in (admin, waiting, fresh, late):
            x.close()
    finally:
        stopped_cleanly(srv, "requirepass server")


# ---------------------------------------------------------------- 6 timeout

def test_idle_timeout():
    srv = harness.start_tmkv("--timeout", 1)
    try:
        active = RawConn(srv.port)
        check_eq(active.cmd("PING"), "PONG", "active client first PING")
        idle = RawConn(srv.port)
        check_eq(idle.cmd("PING"), "PONG", "idle client first PING")
        check_eq(active.cmd("SET", "v100k", b"v" * 100_000), "OK", "SET of a 100 KB value")
        # A client busy reading a long pipelined reply is not idle either
        # (Redis refreshes a client's last interaction when it writes to it).
        reader = {}
        reader_sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        reader_sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024)
        reader_sock.settimeout(10.0)
        reader_sock.connect(("127.0.0.1", srv.port))

        def slow_reader():
            got = 0
            start = time.time()
            try:
                reader_sock.sendall(resp_command("GET", "v100k") * 2000)  # 200 MB of replies
                while time.time() - start < 2.6:
                    d = reader_sock.recv(32 * 1024)
                    if not d:
                        reader["closed"] = f"closed by the server after {time.time() - start:.2f}s"
                        break
                    got += len(d)
                    time.sleep(0.02)  # about 1.5 MB/s
            except OSError as e:
                reader["closed"] = f"{e!r} after {time.time() - start:.2f}s"
            reader["got"] = got

        reader_thread = threading.Thread(target=slow_reader, daemon=True)
        reader_thread.start()
        t0 = time.time()
        closed_at = None
        pings = 0
        next_ping = t0
        while True:
            now = time.time()
            if closed_at is None and idle.closed_now():
                closed_at = now
            if closed_at is not None and now - t0 > 2.5:
                break
            if now - t0 > 6.0:
                break
            if now >= next_ping:
                check_eq(active.cmd("PING"), "PONG", f"active client PING at {now - t0:.1f}s")
                pings += 1
                next_ping = now + 0.3
            time.sleep(0.02)
        check(closed_at is not None, "an idle client with --timeout 1 was not closed within 6 s")
        idle_for = closed_at - t0
        print(f"    idle client closed after {idle_for:.2f}s; active client sent {pings} PINGs")
        check(idle_for >= 0.9, f"idle client closed too early, after {idle_for:.2f}s of a 1 s timeout")
        check(idle_for <= 3.0, f"idle client closed only after {idle_for:.2f}s (want <= 3 s)")
        check(not active.closed_now(), "the active client was closed")
        check_eq(active.cmd("GET", "nokey"), None, "active client still works")
        active.close()
        idle.close()
        reader_thread.join(15)
        reader_sock.close()
        print(f"    slow reader: {reader.get('got', 0) // 1024} KB read; {reader.get('closed', 'not closed')}")
        check("closed" not in reader, f"a client reading a long reply for 2.6 s with --timeout 1 was closed: "
              f"{reader.get('closed')} ({reader.get('got', 0)} bytes read)")
        # CONFIG SET timeout 0 turns it off.
        c = RawConn(srv.port)
        check_eq(c.cmd("CONFIG", "SET", "timeout", "0"), "OK", "CONFIG SET timeout 0")
        quiet = RawConn(srv.port)
        check_eq(quiet.cmd("PING"), "PONG", "quiet client PING")
        time.sleep(1.4)
        check(not quiet.closed_now(), "with timeout 0 an idle client is closed")
        check_eq(quiet.cmd("PING"), "PONG", "quiet client PING after 1.4 s with timeout 0")
        quiet.close()
        c.close()
    finally:
        stopped_cleanly(srv, "timeout server")


# ---------------------------------------------------------------- 7 half-sent requests

def test_half_sent():
    srv = harness.start_tmkv("--io-threads", 1)
    halves = []
    try:
        setup = RawConn(srv.port)
        check_eq(setup.cmd("SET", "abcdefghij", "v-half"), "OK", "SET abcdefghij")
        check_eq(setup.cmd("SET", "abc", "v-abc"), "OK", "SET abc")
        full = resp_command("GET", "abcdefghij")  # *2\r\n$3\r\nGET\r\n$10\r\nabcdefghij\r\n
        inline = b"GET abcdefghij\r\n"
        cut_points = [len(b"*2\r\n$3\r\nGET\r\n$10\r\nabc"), 1, 3, 5, 9, 12, len(full) - 1, len(full) - 2]
        for i in range(20):
            req = inline if i % 5 == 4 else full
            cut = cut_points[i % len(cut_points)] if req is full else 6
            c = RawConn(srv.port, timeout=10.0)
            c.send(req[:cut])
            halves.append((c, req[cut:]))
        fresh = RawConn(srv.port, timeout=5.0)
        try:
            check_eq(fresh.cmd("PING"), "PONG", "fresh client PING with 20 half-sent requests")
            check_eq(fresh.cmd("SET", "x", "y"), "OK", "fresh client SET")
            check_eq(fresh.cmd("GET", "x"), b"y", "fresh client GET")
            check_eq(fresh.cmd("GET", "abc"), b"v-abc", "fresh client GET abc")
        except socket.timeout:
            raise Failure("a fresh client got no reply within 5 s while 20 clients held half-sent requests") from None
        # Nothing was answered early.
        for i, (c, _) in enumerate(halves):
            check(not c.closed_now() and c.buf == b"", f"half-sent client {i} got {short(c.buf)} early")
        for i, (c, rest) in enumerate(halves):
            c.send(rest)
        for i, (c, _) in enumerate(halves):
            check_eq(c.read_reply(), b"v-half", f"half-sent client {i} after completing its request")
            check_eq(c.cmd("PING"), "PONG", f"half-sent client {i} PING afterwards")
        fresh.close()
        setup.close()
    finally:
        for c, _ in halves:
            c.close()
        stopped_cleanly(srv, "io-threads 1 server")


# ---------------------------------------------------------------- 8 hostile input

RESP_TOKENS = [b"*", b"$", b"\r\n", b"\n", b"\r", b"-1", b"0", b"1", b"2", b"3", b"10", b"-", b"+", b":",
               b"GET", b"SET", b"PING", b"MULTI", b"EXEC", b"\"", b"'", b"\\x", b" ", b"\x00", b"\xff",
               b"2147483647", b"9223372036854775807", b"-9223372036854775808", b"99999999999999999999"]


def garbage(rng):
    parts = []
    for _ in range(rng.randint(1, 40)):
        if rng.random() < 0.5:
            parts.append(rng.choice(RESP_TOKENS))
        else:
            parts.append(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 64))))
    return b"".join(parts)


def send_and_drain(port, payload, timeout=10.0):
    """Sends payload, half-closes, reads until the server closes."""
    c = RawConn(port)
    try:
        c.send(payload)
        c.sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the server closed first (EPIPE, ECONNRESET, ENOTCONN)
    data, closed = c.read_raw(timeout)
    c.close()
    return data, closed


def with_dump_footer(body):
    """A DUMP payload around `body`: RDB version 10 and a valid CRC-64."""
    body = body + b"\x0a\x00"
    return body + crc64_jones(body).to_bytes(8, "little")


def test_hostile_input():
    srv = harness.start_tmkv()
    hog = None
    try:
        port = srv.port
        # Seeded random garbage, each blob on its own connection.
        rng = random.Random(20240607)
        for i in range(60):
            blob = garbage(rng)
            data, closed = send_and_drain(port, blob)
            check(closed, f"garbage #{i} {short(blob)}: the server did not close after EOF (got {short(data)})")
        assert_alive(srv, "after 60 random garbage blobs")
        # And all of it in one stream.
        send_and_drain(port, b"".join(garbage(rng) for _ in range(200)))
        assert_alive(srv, "after one stream of 200 garbage blobs")

        # Huge counts.
        c = RawConn(port)
        c.send(b"*2147483647\r\n$4\r\nPING\r\n$3\r\nabc\r\n")
        data, closed = c.read_raw(0.5)
        check(data == b"" and not closed, f"*2147483647 waits for its arguments: {short(data)} closed={closed}")
        c.close()
        assert_alive(srv, "after *2147483647 with two arguments")
        expect_protocol_error(port, b"*2147483648\r\n", "Protocol error: invalid multibulk length", "*2147483648")
        expect_protocol_error(port, b"*99999999999999999999\r\n", "Protocol error: invalid multibulk length",
                              "*99999999999999999999")
        expect_protocol_error(port, b"*1\r\n$9999999999999\r\n", "Protocol error: invalid bulk length",
                              "$9999999999999")
        expect_protocol_error(port, b"*1\r\n$-9223372036854775808\r\n", "Protocol error: invalid bulk length",
                              "$INT64_MIN")
        assert_alive(srv, "after huge counts")

        # Lines longer than the 64 KB inline limit, with no newline.
        expect_protocol_error(port, b"A" * 70_000, "Protocol error: too big inline request", "70 KB inline line")
        expect_protocol_error(port, b"GET " + b"k" * 70_000, "Protocol error: too big inline request",
                              "70 KB inline GET")
        expect_protocol_error(port, b"*" + b"1" * 70_000, "Protocol error: too big mbulk count string",
                              "70 KB multibulk count line")
        expect_protocol_error(port, b"*1\r\n$" + b"1" * 70_000, "Protocol error: too big bulk count string",
                              "70 KB bulk length line")
        assert_alive(srv, "after 70 KB lines")

        # NUL bytes. Binary-safe in bulks; in an inline line Redis looks for
        # the newline with strchr(), so a NUL hides it: the request waits
        # for more input until it is too big.
        c = RawConn(port)
        check_eq(c.cmd("SET", b"k\x00k", b"v\x00\x00v"), "OK", "SET with NULs in key and value")
        check_eq(c.cmd("GET", b"k\x00k"), b"v\x00\x00v", "GET with NULs")
        check_eq(c.cmd("GET", b"k"), None, "the key is not cut at its NUL")
        r = c.cmd(b"PI\x00NG")
        check(isinstance(r, tuple) and r[1].startswith("ERR unknown command 'PI'"), f"PI\\0NG: {short(r)}")
        check_eq(c.cmd("PING"), "PONG", "PING after the NUL commands")
        c.send(b"\x00" * 1000 + b"\r\nPING\r\n")
        data, closed = c.read_raw(0.3)
        check(data == b"" and not closed, f"an inline line of NULs waits for more: {short(data)} closed={closed}")
        c.send(b"\x00" * 70_000)
        expect_refusal(c, b"-ERR Protocol error: too big inline request\r\n", "70 KB of NULs")
        data, closed = send_and_drain(port, b"PING\x00\r\n" * 20_000)
        check(data == b"-ERR Protocol error: too big inline request\r\n" and closed,
              f"NUL-hidden inline PINGs: {short(data)} closed={closed}")
        assert_alive(srv, "after NUL bytes")

        # 10k pipelined PINGs in one write, RESP and inline.
        for form, req in (("RESP", resp_command("PING")), ("inline", b"PING\r\n")):
            c = RawConn(port)
            c.send(req * 10_000)
            want = b"+PONG\r\n" * 10_000
            while len(c.buf) < len(want):
                c._fill()
            check_eq(c.buf == want, True, f"10k pipelined {form} PINGs answered in order")
            c.close()
        assert_alive(srv, "after 10k pipelined PINGs")

        # A client that pipelines 50k GETs of a 100 KB value and never reads.
        other = RawConn(port, timeout=10.0)
        value = bytes(rng.getrandbits(8) for _ in range(1000)) * 100
        check_eq(other.cmd("SET", "v100k", value), "OK", "SET of the 100 KB value")
        check_eq(other.cmd("GET", "v100k") == value, True, "GET of the 100 KB value")
        time.sleep(0.2)
        rss0 = rss_kib(srv.proc.pid)
        hog = RawConn(port, timeout=60.0)
        hog.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        payload = resp_command("GET", "v100k") * 50_000
        sender_result = []

        def send_all():
            try:
                hog.sock.sendall(payload)
                sender_result.append("sent")
            except OSError as e:
                sender_result.append(repr(e))

        sender = threading.Thread(target=send_all, daemon=True)
        sender.start()
        peak = rss0
        t0 = time.time()
        rounds = 0
        while time.time() - t0 < 2.5:
            try:
                check_eq(other.cmd("PING"), "PONG", "other client PING while a client does not read")
                check_eq(other.cmd("INCR", "hog:counter"), rounds + 1, "other client INCR")
                if rounds % 5 == 0:
                    check_eq(other.cmd("GET", "v100k") == value, True, "other client GET of the 100 KB value")
            except socket.timeout:
                raise Failure("other client got no reply within 10 s while a client does not read") from None
            rounds += 1
            peak = max(peak, rss_kib(srv.proc.pid))
            time.sleep(0.1)
        grew_mb = (peak - rss0) / 1024
        print(f"    non-reading client: RSS {rss0 // 1024} MB -> peak {peak // 1024} MB "
              f"(+{grew_mb:.0f} MB); sender {sender_result or ['still blocked']}; other client {rounds} rounds")
        check(grew_mb < 300, f"server RSS grew by {grew_mb:.0f} MB with a client that does not read "
              f"(50k GETs of 100 KB = 5 GB of replies)")
        hog.sock.shutdown(socket.SHUT_RDWR)
        hog.close()
        sender.join(10)
        hog = None
        check_eq(other.cmd("GET", "hog:counter"), str(rounds).encode(), "other client after the hog left")
        other.close()
        assert_alive(srv, "after the non-reading client")

        # RESTORE payloads that claim more than they hold: refused without
        # allocating what they claim (the dump-payload fuzzer's first find
        # was an LZF length of ~4 GB that the decoder reserved up front).
        c = RawConn(port)
        rss0 = rss_kib(srv.proc.pid)
        for body, why in ((b"\x00\xc3\x40\x00\x80\xf8\x0b\x00\x00", "LZF of nothing claiming 4 GB"),
                          (b"\x00\xc3\x02\x81\x00\x00\x01\x00\x00\x00\x00\x00" + b"\x00a", "LZF claiming 1 TB"),
                          (b"\x00\x80\xff\xff\xff\xff" + b"x" * 10, "4 GB of raw bytes, 10 sent")):
            r = c.cmd("RESTORE", "hostile", 0, with_dump_footer(body))
            check_eq(r, ("ERR", "ERR Bad data format"), f"RESTORE, {why}")
        check(rss_kib(srv.proc.pid) < rss0 + 64 * 1024, "no memory grown by hostile RESTOREs")
        c.close()
        assert_alive(srv, "after hostile RESTORE payloads")
    finally:
        if hog is not None:
            try:
                hog.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            hog.close()
        stopped_cleanly(srv, "hostile-input server")


# ---------------------------------------------------------------- 9 protected mode

def non_loopback_ipv4():
    """An IPv4 address of this machine that is not loopback, or None."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))  # no packet is sent
            addr = s.getsockname()[0]
            if addr and not addr.startswith("127.") and addr != "0.0.0.0":
                return addr
    except OSError:
        pass
    try:
        out = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, timeout=5).stdout.decode()
        for line in out.splitlines():
            parts = line.split()
            if "inet" in parts:
                addr = parts[parts.index("inet") + 1].split("/")[0]
                if not addr.startswith("127."):
                    return addr
    except (OSError, subprocess.SubprocessError):
        pass
    return None


DENIED_PREFIX = b"-DENIED Redis is running in protected mode because protected mode is enabled and no password " \
                b"is set for the default user."


def test_protected_mode():
    addr = non_loopback_ipv4()
    if addr is None:
        raise Skip("this machine has no non-loopback IPv4 address to connect from")
    srv = harness.start_tmkv("--bind", "0.0.0.0")
    try:
        local = RawConn(srv.port)
        check_eq(local.cmd("PING"), "PONG", "PING via 127.0.0.1")
        check_eq(config_get(local, "protected-mode"), b"yes", "protected-mode default")
        remote = RawConn(srv.port, host=addr)
        data, closed = remote.read_raw(5.0)
        check(data.startswith(DENIED_PREFIX), f"a client from {addr} gets -DENIED: {short(data)}")
        check(data.endswith(b"\r\n") and data.count(b"\r\n") == 1, f"-DENIED is one line: {short(data)}")
        check(closed, f"a client from {addr} is closed after -DENIED")
        remote.close()
        # Sending a command does not get through either.
        remote = RawConn(srv.port, host=addr)
        try:
            remote.send(resp_command("SET", "remote", "1"))
        except OSError:
            pass
        data, closed = remote.read_raw(5.0)
        check(data.startswith(b"-DENIED") and closed, f"remote SET: {short(data)} closed={closed}")
        remote.close()
        check_eq(local.cmd("EXISTS", "remote"), 0, "the remote SET did not run")
        # A connection's close is handled on its I/O thread, after the peer
        # sees it (and the harness's start-up probe connection closes the
        # same way): poll briefly rather than read the count once.
        deadline = time.time() + 3
        while info(local, "clients").get("connected_clients") != "1" and time.time() < deadline:
            time.sleep(0.05)
        check_eq(info(local, "clients").get("connected_clients"), "1", "refused clients are not counted")
        # CONFIG SET protected-mode no from loopback opens it.
        check_eq(local.cmd("CONFIG", "SET", "protected-mode", "no"), "OK", "CONFIG SET protected-mode no")
        remote = RawConn(srv.port, host=addr)
        check_eq(remote.cmd("PING"), "PONG", f"PING from {addr} after CONFIG SET protected-mode no")
        remote.close()
        # Redis counts a protected-mode refusal in rejected_connections.
        check_eq(info(local, "stats").get("rejected_connections"), "2",
                 "INFO stats rejected_connections after two -DENIED clients")
        local.close()
    finally:
        stopped_cleanly(srv, "protected-mode server")

    srv = harness.start_tmkv("--bind", "0.0.0.0", "--protected-mode", "no")
    try:
        remote = RawConn(srv.port, host=addr)
        check_eq(remote.cmd("PING"), "PONG", f"PING from {addr} with --protected-mode no")
        check_eq(remote.cmd("SET", "r", "1"), "OK", f"SET from {addr} with --protected-mode no")
        remote.close()
    finally:
        stopped_cleanly(srv, "protected-mode no server")

    # A password lifts protected mode (clients must AUTH instead).
    srv = harness.start_tmkv("--bind", "0.0.0.0", "--requirepass", "pw")
    try:
        remote = RawConn(srv.port, host=addr)
        check_eq(remote.cmd("GET", "x"), ("ERR", NOAUTH), f"GET from {addr} with a password set")
        check_eq(remote.cmd("AUTH", "pw"), "OK", f"AUTH from {addr}")
        check_eq(remote.cmd("PING"), "PONG", f"PING from {addr} after AUTH")
        remote.close()
    finally:
        stopped_cleanly(srv, "protected-mode with password server")


# ---------------------------------------------------------------- 10 config file

def run_server_expect_exit(argv, what, timeout=15):
    try:
        p = subprocess.run(argv, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure(f"{what}: tmkv-server did not exit within {timeout}s (it should refuse to start)") from None
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def test_config_file():
    exe = harness.tmkv_server_path()
    tmp = tempfile.mkdtemp(prefix="tmkv-limits-conf-")
    logdir = harness._logdir()
    port = harness.free_port()
    good = os.path.join(tmp, "good.conf")
    with open(good, "w") as f:
        f.write("# tmkv test configuration\n"
                "\n"
                f"port {port}\n"
                "bind 127.0.0.1\n"
                "   # an indented comment\n"
                "requirepass \"secret\"\n"
                "\t\n"
                "maxclients 7\n"
                "metrics-port 0\n"
                "save \"\"\n"
                "appendonly no\n"
                "timeout 0   \n")
    srv = harness.Server([exe, good], port, "tmkv", os.path.join(logdir, f"tmkv-conf-{port}.log"))
    try:
        c = RawConn(port)
        check_eq(c.cmd("GET", "x"), ("ERR", NOAUTH), "GET before AUTH (requirepass from the file)")
        r = c.cmd("AUTH", "\"secret\"")
        check(isinstance(r, tuple) and r[1].startswith("WRONGPASS"), f"the quotes are not part of the password: {r!r}")
        check_eq(c.cmd("AUTH", "secret"), "OK", "AUTH secret")
        check_eq(config_get(c, "maxclients"), b"7", "CONFIG GET maxclients")
        check_eq(config_get(c, "requirepass"), b"secret", "CONFIG GET requirepass")
        check_eq(config_get(c, "port"), str(port).encode(), "CONFIG GET port")
        check_eq(info(c, "server").get("config_file"), good, "INFO server config_file")
        c.close()
    finally:
        stopped_cleanly(srv, "config-file server")

    # Flags after the file win.
    port2 = harness.free_port()
    srv = harness.Server([exe, good, "--port", str(port2), "--maxclients", "9", "--requirepass", ""], port2,
                         "tmkv", os.path.join(logdir, f"tmkv-conf-{port2}.log"))
    try:
        c = RawConn(port2)
        check_eq(config_get(c, "maxclients"), b"9", "--maxclients after the file overrides it")
        c.close()
    finally:
        stopped_cleanly(srv, "config-file + flags server")

    # Bad lines: the server refuses to start and names the file and line.
    for name, body, lineno in (
            ("badvalue.conf", f"# ok so far\nport {harness.free_port()}\nmaxclients lots\n", 3),
            ("unknown.conf", f"port {harness.free_port()}\n\nfrobnicate yes\n", 3),
            ("persist.conf", f"port {harness.free_port()}\nappendonly yes\n", 2)):
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(body)
        rc, out, err = run_server_expect_exit([exe, path], name)
        check(rc != 0, f"{name}: exit status {rc} (want non-zero); stderr {err!r}")
        check(f"{path}:{lineno}" in err, f"{name}: the message names {path}:{lineno}: {err!r}")
    missing = os.path.join(tmp, "missing.conf")
    rc, out, err = run_server_expect_exit([exe, missing], "missing file")
    check(rc != 0 and missing in err, f"a missing config file: exit {rc}, stderr {err!r}")

    rc, out, err = run_server_expect_exit([exe, "--help"], "--help")
    check_eq(rc, 0, "--help exit status")
    check(out.startswith("Usage: tmkv-server") and "--maxclients" in out, f"--help prints usage: {out!r}")
    rc, out, err = run_server_expect_exit([exe, "-h"], "-h")
    check(rc == 0 and "Usage: tmkv-server" in out, f"-h: exit {rc}, stdout {out!r}")
    rc, out, err = run_server_expect_exit([exe, "--no-such-flag", "1", "--port", str(harness.free_port())],
                                          "unknown flag")
    check(rc != 0, f"an unknown flag: exit status {rc} (want non-zero)")
    check("no-such-flag" in err, f"an unknown flag is named: {err!r}")
    rc, out, err = run_server_expect_exit([exe, "--port"], "flag without a value")
    check(rc != 0 and "--port" in err, f"--port without a value: exit {rc}, stderr {err!r}")
    rc, out, err = run_server_expect_exit([exe, "--port", "70000"], "port out of range")
    check(rc != 0 and "70000" in err, f"--port 70000: exit {rc}, stderr {err!r}")
    rc, out, err = run_server_expect_exit([exe, "--maxclients", "0", "--port", str(harness.free_port())],
                                          "maxclients 0")
    check(rc != 0, f"--maxclients 0: exit {rc}")


# ---------------------------------------------------------------- 11 CONFIG GET/SET

def test_config_get_set():
    srv = harness.start_tmkv()
    conns = []
    try:
        c = RawConn(srv.port)
        conns.append(c)
        check_eq(c.cmd("CONFIG", "GET", "save"), [b"save", b""], "CONFIG GET save")
        check_eq(c.cmd("CONFIG", "GET", "appendonly"), [b"appendonly", b"no"], "CONFIG GET appendonly")
        check_eq(c.cmd("CONFIG", "GET", "nosuchoption"), [], "CONFIG GET of an unknown name")
        r = c.cmd("CONFIG", "GET", "*")
        check(isinstance(r, list) and len(r) % 2 == 0 and len(r) >= 20, f"CONFIG GET *: {short(r)}")
        all_ = dict(zip(r[0::2], r[1::2]))
        for name, want in ((b"save", b""), (b"appendonly", b"no"), (b"port", str(srv.port).encode()),
                           (b"maxclients", b"10000"), (b"requirepass", b""), (b"protected-mode", b"yes"),
                           (b"timeout", b"0"), (b"proto-max-bulk-len", str(512 * MIB).encode()),
                           (b"bind", b"127.0.0.1"), (b"databases", b"16")):
            check_eq(all_.get(name), want, f"CONFIG GET * has {name.decode()}")
        r = c.cmd("CONFIG", "GET", "max*")
        check_eq(sorted(r[0::2]), [b"max-inline-size", b"max-multibulk-len", b"maxclients", b"maxmemory",
                                   b"maxmemory-eviction-tenacity", b"maxmemory-policy", b"maxmemory-samples"],
                 "CONFIG GET max*")
        # The pipelined-key prefetch: Redis 8's name, default and range.
        check_eq(config_get(c, "prefetch-batch-max-size"), b"16", "CONFIG GET prefetch-batch-max-size")
        r = c.cmd("CONFIG", "SET", "prefetch-batch-max-size", "129")
        check(isinstance(r, tuple) and r[1].startswith("ERR"), f"CONFIG SET prefetch-batch-max-size 129: {r!r}")
        check_eq(c.cmd("CONFIG", "SET", "prefetch-batch-max-size", "0"), "OK", "CONFIG SET prefetch-batch-max-size 0")
        check_eq(config_get(c, "prefetch-batch-max-size"), b"0", "prefetch-batch-max-size after SET")
        check_eq(c.cmd("CONFIG", "SET", "prefetch-batch-max-size", "16"), "OK", "CONFIG SET prefetch-batch-max-size 16")
        # SLOWLOG's two options: Redis's names, defaults and lower bounds;
        # the log's length has an explicit upper bound.
        check_eq(config_get(c, "slowlog-log-slower-than"), b"10000", "CONFIG GET slowlog-log-slower-than")
        check_eq(config_get(c, "slowlog-max-len"), b"128", "CONFIG GET slowlog-max-len")
        for name, bad in (("slowlog-log-slower-than", "-2"), ("slowlog-log-slower-than", "x"),
                          ("slowlog-max-len", "1000001"), ("slowlog-max-len", "-1")):
            r = c.cmd("CONFIG", "SET", name, bad)
            check(isinstance(r, tuple) and r[1].startswith("ERR"), f"CONFIG SET {name} {bad}: {r!r}")
        check_eq(c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "-1"), "OK", "slowlog off")
        check_eq(config_get(c, "slowlog-log-slower-than"), b"-1", "slowlog-log-slower-than after SET")
        check_eq(c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "10000"), "OK", "slowlog back on")
        # maxmemory-policy: Redis's default and its policies (eviction_test.py
        # tests what they do); a name Redis does not know is refused with
        # Redis's text.
        check_eq(config_get(c, "maxmemory-policy"), b"noeviction", "CONFIG GET maxmemory-policy")
        check_eq(c.cmd("CONFIG", "SET", "maxmemory-policy", "AllKeys-LRU"), "OK", "CONFIG SET maxmemory-policy allkeys-lru")
        check_eq(config_get(c, "maxmemory-policy"), b"allkeys-lru", "maxmemory-policy after SET")
        r = c.cmd("CONFIG", "SET", "maxmemory-policy", "lru")
        check_eq(r, ("ERR", "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) "
                              "must be one of the following: volatile-lru, volatile-lfu, volatile-random, "
                              "volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"),
                 "CONFIG SET maxmemory-policy lru")
        check_eq(c.cmd("CONFIG", "SET", "maxmemory-policy", "noeviction"), "OK", "back to noeviction")

        r = c.cmd("CONFIG", "SET", "port", str(harness.free_port()))
        check(isinstance(r, tuple) and r[1].startswith("ERR"), f"CONFIG SET port is refused: {r!r}")
        check_eq(r[1], "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config",
                 "CONFIG SET port text")
        r = c.cmd("CONFIG", "SET", "databases", "4")
        check_eq(r, ("ERR", "ERR CONFIG SET failed (possibly related to argument 'databases') - "
                            "can't set immutable config"), "CONFIG SET databases")
        check_eq(config_get(c, "port"), str(srv.port).encode(), "port unchanged")
        r = c.cmd("CONFIG", "SET", "nosuchoption", "1")
        check(isinstance(r, tuple) and "Unknown option" in r[1], f"CONFIG SET of an unknown name: {r!r}")
        r = c.cmd("CONFIG", "SET", "maxclients", "0")
        check(isinstance(r, tuple) and r[1].startswith("ERR"), f"CONFIG SET maxclients 0: {r!r}")
        r = c.cmd("CONFIG", "SET", "appendonly", "yes")
        check(isinstance(r, tuple) and r[1].startswith("ERR"), f"CONFIG SET appendonly yes: {r!r}")
        # A failed multi-pair SET changes nothing.
        r = c.cmd("CONFIG", "SET", "timeout", "5", "maxclients", "zero")
        check(isinstance(r, tuple), f"CONFIG SET timeout 5 maxclients zero fails: {r!r}")
        check_eq(config_get(c, "timeout"), b"0", "timeout unchanged after a failed multi-pair SET")

        check_eq(c.cmd("CONFIG", "SET", "maxclients", "5"), "OK", "CONFIG SET maxclients 5")
        check_eq(config_get(c, "maxclients"), b"5", "CONFIG GET maxclients after SET")
        check_eq(info(c, "clients").get("maxclients"), "5", "INFO clients maxclients")
        wait_connected(c, 1)
        for i in range(4):
            x = RawConn(srv.port)
            conns.append(x)
            check_eq(x.cmd("PING"), "PONG", f"client {i + 2} of 5 PING")
        extra = RawConn(srv.port)
        expect_refusal(extra, b"-ERR max number of clients reached\r\n", "6th client with maxclients 5")
        check_eq(c.cmd("CONFIG", "SET", "maxclients", "6"), "OK", "CONFIG SET maxclients 6")
        x = RawConn(srv.port)
        conns.append(x)
        check_eq(x.cmd("PING"), "PONG", "6th client after raising maxclients to 6")
    finally:
        for x in conns:
            x.close()
        stopped_cleanly(srv, "CONFIG server")


# ---------------------------------------------------------------- 12 SHUTDOWN / SIGINT

def test_maxmemory():
    """maxmemory with Redis's noeviction policy: while used memory is over the
    limit, commands that may grow memory fail with Redis's OOM error (also
    when queued, which makes EXEC fail), while reads and deletes go on; no
    data is lost, and raising the limit lifts it."""
    srv = harness.start_tmkv()
    try:
        c = RawConn(srv.port)
        check_eq(c.cmd("SET", "k", "v"), "OK", "SET before any limit")
        check_eq(c.cmd("SET", "gone", "v"), "OK", "SET of a key to delete later")
        check_eq(c.cmd("CONFIG", "SET", "maxmemory", "1mb"), "OK", "CONFIG SET maxmemory 1mb")
        check_eq(config_get(c, "maxmemory"), str(1 << 20).encode(), "CONFIG GET maxmemory")
        check_eq(info(c, "memory").get("maxmemory_policy"), "noeviction", "INFO maxmemory_policy")
        oom = ("ERR", "OOM command not allowed when used memory > 'maxmemory'.")
        # The used figure is refreshed every 100 ms; the server uses far more
        # than 1 MiB, so the limit bites within a tick or two.
        wait_until(lambda: c.cmd("SET", "k2", "v") == oom, "SET refused with OOM over maxmemory")
        check_eq(c.cmd("INCR", "n"), oom, "INCR refused with OOM")
        check_eq(c.cmd("GET", "k"), b"v", "GET still served over maxmemory")
        check_eq(c.cmd("DEL", "gone"), 1, "DEL still allowed over maxmemory (it frees)")
        check_eq(c.cmd("MULTI"), "OK", "MULTI over maxmemory")
        check_eq(c.cmd("SET", "k3", "v"), oom, "SET refused while queuing")
        check_eq(c.cmd("EXEC"), ("ERR", "EXECABORT Transaction discarded because of previous errors."),
                 "EXEC after a refused SET")
        check_eq(c.cmd("GET", "k3"), None, "the refused, queued SET wrote nothing")
        check_eq(c.cmd("CONFIG", "SET", "maxmemory", "0"), "OK", "CONFIG SET maxmemory 0")
        check_eq(c.cmd("SET", "k2", "v2"), "OK", "SET once the limit is lifted")
        check_eq(c.cmd("GET", "k"), b"v", "data kept throughout")
        c.close()
        assert_alive(srv, "after maxmemory")
    finally:
        srv.stop()


def test_shutdown():
    srv = harness.start_tmkv()
    try:
        other = RawConn(srv.port)
        check_eq(other.cmd("PING"), "PONG", "other client PING")
        c = RawConn(srv.port)
        c.send(resp_command("SHUTDOWN"))
        data, closed = c.read_raw(10.0)
        check(closed and data == b"", f"SHUTDOWN closes the connection without a reply: {short(data)}")
        try:
            status = srv.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            raise Failure("server still running 15 s after SHUTDOWN") from None
        check_eq(status, 0, "exit status after SHUTDOWN")
        data, closed = other.read_raw(5.0)
        check(closed, "the other client is disconnected at SHUTDOWN")
        other.close()
        c.close()
    finally:
        srv.stop()

    srv = harness.start_tmkv()
    try:
        c = RawConn(srv.port)
        check_eq(c.cmd("SET", "k", "v"), "OK", "SET before SIGINT")
        srv.proc.send_signal(signal.SIGINT)
        try:
            status = srv.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            raise Failure("server still running 15 s after SIGINT") from None
        check_eq(status, 0, "exit status after SIGINT")
        data, closed = c.read_raw(5.0)
        check(closed, "client disconnected at SIGINT")
        c.close()
    finally:
        srv.stop()
    check("received SIGINT" in srv.log(), f"the log mentions SIGINT: {srv.log()[-500:]!r}")


# ---------------------------------------------------------------- main

def keepalive_timers(port):
    """{client port: seconds left on the keepalive timer, or None when the
    socket has no keepalive timer} for the server's established connections
    on `port`, from /proc/net/tcp (the kernel's own view of its sockets)."""
    out = {}
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            local, remote, state, timer = fields[1], fields[2], fields[3], fields[5]
            if int(local.split(":")[1], 16) != port or state != "01":  # 01: ESTABLISHED
                continue
            active, when = timer.split(":")
            # timer kind 2 is keepalive; "when" is in USER_HZ (100) ticks.
            out[int(remote.split(":")[1], 16)] = int(when, 16) / 100 if active == "02" else None
    return out


def keepalive_left(port, client_port, settle=2.0):
    """Seconds left on the keepalive timer of the server's end of the
    connection from client_port, or None if none appears within `settle`
    (right after traffic the kernel shows no timer for a moment)."""
    deadline = time.time() + settle
    while True:
        left = keepalive_timers(port).get(client_port)
        if left is not None or time.time() > deadline:
            return left
        time.sleep(0.05)


def test_tcp_keepalive():
    # Redis's tcp-keepalive: the server's end of a client connection probes
    # an idle peer after that many seconds (default 300), so a peer that
    # vanished without a FIN is found; 0 turns it off. CONFIG SET applies to
    # connections accepted afterwards, as in Redis.
    srv = harness.start_tmkv("--tcp-keepalive", 60)
    try:
        a = RawConn(srv.port)
        check_eq(a.cmd("CONFIG", "GET", "tcp-keepalive"), [b"tcp-keepalive", b"60"], "CONFIG GET tcp-keepalive")
        left = keepalive_left(srv.port, a.sock.getsockname()[1])
        check(left is not None and 50 < left <= 60,
              f"keepalive timer armed at 60 s on the server's socket: {left}")
        check_eq(a.cmd("CONFIG", "SET", "tcp-keepalive", "0"), "OK", "CONFIG SET tcp-keepalive 0")
        b = RawConn(srv.port)
        check_eq(b.cmd("PING"), "PONG", "PING")
        check(keepalive_left(srv.port, a.sock.getsockname()[1]) is not None, "the earlier connection keeps its keepalive")
        timers = keepalive_timers(srv.port)
        check(timers.get(b.sock.getsockname()[1], "missing") is None, f"0: no keepalive on a new connection: {timers}")
        err = a.cmd("CONFIG", "SET", "tcp-keepalive", "-1")
        check(isinstance(err, tuple) and "tcp-keepalive" in err[1], f"a negative value is refused: {err}")
        a.close()
        b.close()
    finally:
        srv.stop()
    srv = harness.start_tmkv()
    try:
        c = RawConn(srv.port)
        check_eq(c.cmd("CONFIG", "GET", "tcp-keepalive"), [b"tcp-keepalive", b"300"], "Redis's default, 300")
        left = keepalive_left(srv.port, c.sock.getsockname()[1])
        check(left is not None and 290 < left <= 300, f"default keepalive timer: {left}")
        c.close()
    finally:
        srv.stop()


TESTS = [
    ("1", "maxclients", test_maxclients),
    ("2", "proto-max-bulk-len", test_proto_max_bulk_len),
    ("3", "max-multibulk-len", test_max_multibulk_len),
    ("4", "client-query-buffer-limit", test_query_buffer_limit),
    ("5", "unauthenticated limits and NOAUTH", test_unauthenticated),
    ("6", "idle timeout", test_idle_timeout),
    ("7", "half-sent requests hold no thread", test_half_sent),
    ("8", "hostile input", test_hostile_input),
    ("9", "protected mode", test_protected_mode),
    ("10", "config file and command line", test_config_file),
    ("11", "CONFIG GET/SET", test_config_get_set),
    ("12", "SHUTDOWN and SIGINT", test_shutdown),
    ("13", "maxmemory (noeviction)", test_maxmemory),
    ("14", "tcp-keepalive", test_tcp_keepalive),
]


def main():
    picked = set(sys.argv[1:])
    print(f"limits tests against {os.environ.get('TMKV_SERVER', '?')}")
    results = []
    t_all = time.time()
    for num, name, fn in TESTS:
        if picked and num not in picked:
            continue
        t0 = time.time()
        try:
            fn()
            results.append((num, name, "PASS", ""))
            print(f"PASS ({num}) {name} [{time.time() - t0:.1f}s]", flush=True)
        except Skip as e:
            results.append((num, name, "SKIP", str(e)))
            print(f"SKIP ({num}) {name}: {e}", flush=True)
        except Exception as e:  # noqa: BLE001
            detail = str(e) if isinstance(e, Failure) else traceback.format_exc()
            results.append((num, name, "FAIL", detail))
            print(f"FAIL ({num}) {name} [{time.time() - t0:.1f}s]: {detail}", flush=True)
    failed = [r for r in results if r[2] == "FAIL"]
    skipped = [r for r in results if r[2] == "SKIP"]
    print(f"\n{len(results) - len(failed) - len(skipped)} passed, {len(failed)} failed, {len(skipped)} skipped "
          f"[{time.time() - t_all:.1f}s]")
    for num, name, _, detail in failed:
        print(f"  FAILED ({num}) {name}: {detail.splitlines()[0] if detail else ''}")
    if failed:
        print(f"server logs: {os.environ.get('TMKV_TEST_LOGDIR', '(temporary directories)')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
