#!/usr/bin/python3
"""Snapshots over the wire: `redis-cli --rdb` and `--functions-rdb` (REPLCONF
rdb-only / rdb-filter-only, then SYNC or PSYNC) against tmkv-server, checked
against what redis-server 7.0 does. The servers and the dataset are
persistence_test.py's (each server in its own temporary dir, on a free
loopback port).

  (1) redis-cli --rdb: every type in databases 0, 3 and 15 and two FUNCTION
      libraries; the file starts with "REDIS0010"; loaded by a fresh
      redis-server and by a fresh server under test it holds exactly what the
      source holds. Not a save: no dump.rdb appears, LASTSAVE, rdb_saves and
      rdb_changes_since_last_save stay; INFO sync_full counts it; no
      temporary file is left in dir; the server serves on.
  (2) redis-cli --functions-rdb: the file holds the libraries and no key.
  (3) the protocol: REPLCONF's replies and errors (rdb-only out of range or
      not a number, unknown options and filters, an odd argument count, ack
      answered with nothing) and SYNC/PSYNC inside MULTI are the same on
      both servers; PSYNC answers "+FULLRESYNC <40 hex> 0" then the
      snapshot; the server closes the connection after it. (tmkv) Requests
      pipelined behind SYNC never run, and do not make the close a reset
      that loses the snapshot's tail.
  (4) consistent cuts: 8 clients move money between 20 accounts with
      WATCH/MULTI/EXEC while five `redis-cli --rdb` run one after another
      (slowed by rdb-key-save-delay); every file sums to exactly 20000.
  (5) hostile and unlucky clients: one that leaves while its snapshot is
      being prepared, one that never reads its (6 MB) snapshot and one
      killed by CLIENT KILL while sending: other clients are served
      meanwhile, the server survives, each goes from CLIENT LIST and nothing
      stays in dir; one that stops reading is dropped after repl-timeout.

Declared differences (tmkv only, skipped with PERSISTENCE_AGAINST_REDIS=1):
  - tmkv has no replication stream, so SYNC and PSYNC without "REPLCONF
    rdb-only 1" are refused with an error (redis-server starts replicating).
  - at most 4 transfers run at once; a fifth SYNC meanwhile gets an error
    and the connection stays usable (Redis shares one snapshot among
    waiting replicas).
  - a client that takes no byte of its snapshot for repl-timeout seconds is
    dropped (redis-server 7.0 still held such a client 8 s after the
    snapshot began, with repl-timeout 2, when we tried).
  - Redis 7.0 sends a diskless snapshot as "$EOF:<mark>" after a 5 s delay
    (repl-diskless-sync-delay); tmkv sends it with its length, which
    redis-cli and replicas take as well. The peer runs with the delay at 0.

PERSISTENCE_AGAINST_REDIS=1 runs every case with redis-server in place of
tmkv-server, which checks the test itself.

Run: TMKV_SERVER=$PWD/build/bin/tmkv-server /usr/bin/python3 tests/server/snapshot_transfer_test.py [1 2 ...]
"""
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time

import persistence_test as pt
from persistence_test import AGAINST_REDIS, RDB_HEADER, SUT, compare_all, mkdir, peer, populate, read_all, read_file
from raw_resp import Failure, check, check_eq, run_tests, wait_until

REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
# Redis 7.0 would otherwise wait 5 s before each diskless snapshot.
PEER_ARGS = ("--repl-diskless-sync-delay", "0")


def sut(d, save="", extra=()):
    return pt.sut(d, save, tuple(extra) + (PEER_ARGS if AGAINST_REDIS else ()))


def redis_cli_rdb(s, path, functions_only=False, timeout=60):
    """Runs redis-cli --rdb (or --functions-rdb) against s; its output."""
    argv = [REDIS_CLI, "-p", str(s.port), "--functions-rdb" if functions_only else "--rdb", path]
    p = subprocess.run(argv, capture_output=True, timeout=timeout)
    out = (p.stdout + p.stderr).decode("utf-8", "replace")
    check(p.returncode == 0 and "Transfer finished with success" in out,
          f"{' '.join(argv[1:])} against {s.kind}: exit {p.returncode}: {out.strip()}")
    return out


def temp_files(d):
    return [f for f in os.listdir(d) if f.startswith("temp-")]


def loaded_by(kind, data):
    """A fresh server of `kind` that loaded `data` as its dump file."""
    d = pt.dir_with(data)
    return pt.Srv(kind, d)


# ---- (1) redis-cli --rdb ----

def test_rdb():
    d = mkdir()
    s = sut(d)
    populate(s)
    want = read_all(s)
    before = s.info()
    out = os.path.join(mkdir(), "backup.rdb")
    sync_full = s.info("stats")["sync_full"]
    redis_cli_rdb(s, out)
    data = read_file(out)
    check_eq(data[:9], RDB_HEADER, "the header of the file redis-cli wrote")
    after = s.info()
    check_eq(s.info("stats")["sync_full"], sync_full + 1, "INFO sync_full after one SYNC")
    for field in ("rdb_last_save_time", "rdb_saves", "rdb_changes_since_last_save"):
        check_eq(after[field], before[field], f"INFO {field} after redis-cli --rdb (not a save)")
    check(not os.path.exists(pt.rdb_path(d)), f"{SUT} wrote dump.rdb for redis-cli --rdb")
    check_eq(temp_files(d), [], f"temporary files left in {SUT}'s dir")
    check_eq(s.cmd("PING"), "PONG", f"{SUT} after redis-cli --rdb")
    compare_all(read_all(s), want, f"{SUT}'s own contents after redis-cli --rdb")
    for kind in ("redis", SUT):
        p = loaded_by(kind, data)
        compare_all(read_all(p), want, f"{kind} loading the file redis-cli --rdb took from {SUT}")
        p.shutdown("NOSAVE")
    s.shutdown("NOSAVE")


# ---- (2) redis-cli --functions-rdb ----

def test_functions_rdb():
    s = sut(mkdir())
    populate(s)
    want = read_all(s)
    check(len(want["functions"]) == 2, f"populate loads two libraries: {want['functions']}")
    out = os.path.join(mkdir(), "functions.rdb")
    redis_cli_rdb(s, out, functions_only=True)
    p = loaded_by("redis", read_file(out))
    got = read_all(p)
    check_eq(got, {"functions": want["functions"]}, "redis-server loading --functions-rdb's file: only the libraries")
    p.shutdown("NOSAVE")
    s.shutdown("NOSAVE")


# ---- (3) the protocol ----

REPLCONF_CASES = [
    ("REPLCONF",),
    ("REPLCONF", "rdb-only"),
    ("REPLCONF", "rdb-only", "2"),
    ("REPLCONF", "rdb-only", "-1"),
    ("REPLCONF", "rdb-only", "x"),
    ("REPLCONF", "rdb-only", "0"),
    ("REPLCONF", "RDB-ONLY", "1"),
    ("REPLCONF", "foo", "bar"),
    ("REPLCONF", "capa", "eof", "capa", "psync2"),
    ("REPLCONF", "capa", "anything"),
    ("REPLCONF", "listening-port", "x"),
    ("REPLCONF", "listening-port", "7000", "ip-address", "10.0.0.1"),
    ("REPLCONF", "ip-address", "x" * 300),
    ("REPLCONF", "rdb-filter-only", "x"),
    ("REPLCONF", "rdb-filter-only", "functions x"),
    ("REPLCONF", "rdb-filter-only", "'functions"),
    ("REPLCONF", "rdb-filter-only", "FUNCTIONS"),
    ("REPLCONF", "rdb-filter-only", ""),
    ("REPLCONF", "capa", "eof", "bogus", "1"),
    ("SYNC", "x"),
    ("PSYNC", "?"),
]


def read_snapshot(f):
    """From a socket's file after PSYNC's first line: the snapshot's bytes,
    sent as "$<len>" (tmkv, and Redis on disk) or "$EOF:<mark>" (Redis
    diskless)."""
    line = f.readline()
    check(line.startswith(b"$"), f"snapshot header: {line!r}")
    if line.startswith(b"$EOF:"):
        mark = line[5:45]
        data = b""
        while not data.endswith(mark):
            chunk = f.read1(65536)
            check(chunk, "connection closed before the EOF mark")
            data += chunk
        return data[:-40]
    n = int(line[1:].strip())
    data = f.read(n)
    check_eq(len(data), n, "snapshot bytes received")
    return data


def test_protocol():
    ref = peer(mkdir(), extra=PEER_ARGS)
    s = sut(mkdir())
    s.client().set("k", "v")
    for args in REPLCONF_CASES:
        want = ref.cmd(*args)
        got = s.cmd(*args)
        check_eq(got, want, f"{' '.join(a[:20] for a in args)}: {SUT} vs redis-server")
    # ack and getack come from replicas and masters: no reply at all
    for srv in (ref, s):
        c = srv.raw(timeout=0.5)
        try:
            c.send(b"REPLCONF ack 5\r\n")
            got = None
            try:
                got = c.read_reply()
            except (socket.timeout, TimeoutError):
                pass
            check(got is None, f"{srv.kind}: REPLCONF ack answered {got!r}")
        finally:
            c.close()
    # SYNC and PSYNC inside MULTI: refused while queuing, EXEC fails
    for srv in (ref, s):
        c = srv.raw()
        try:
            got = [c.cmd("MULTI"), c.cmd("SYNC"), c.cmd("PSYNC", "?", "-1"), c.cmd("EXEC")]
        finally:
            c.close()
        check_eq(got, ["OK", ("ERR", "ERR Command not allowed inside a transaction"),
                       ("ERR", "ERR Command not allowed inside a transaction"),
                       ("ERR", "EXECABORT Transaction discarded because of previous errors.")],
                 f"{srv.kind}: SYNC and PSYNC in MULTI")
    # PSYNC with rdb-only: +FULLRESYNC <replid> 0, the snapshot, then the server closes
    for srv in (ref, s):
        sock = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
        try:
            # not pipelined: Redis refuses SYNC while replies are pending
            sock.sendall(b"REPLCONF rdb-only 1\r\n")
            f = sock.makefile("rb")
            check_eq(f.readline(), b"+OK\r\n", f"{srv.kind}: REPLCONF rdb-only 1")
            sock.sendall(b"PSYNC ? -1\r\n")
            line = f.readline()
            check(re.fullmatch(rb"\+FULLRESYNC [0-9a-f]{40} 0\r\n", line) is not None,
                  f"{srv.kind}: PSYNC's first line: {line!r}")
            data = read_snapshot(f)
            check_eq(data[:9], RDB_HEADER, f"{srv.kind}: the snapshot after +FULLRESYNC")
            sock.settimeout(10)
            check_eq(f.read(1), b"", f"{srv.kind}: the connection after the snapshot (closed)")
        finally:
            sock.close()
    if not AGAINST_REDIS:
        # requests pipelined behind SYNC never run (tmkv's rule: the connection belongs to the
        # transfer), and the unread bytes must not turn the close into a reset that cuts the
        # snapshot's tail: 4 MB of values, so that much is still in flight when the server closes
        r = s.client()
        for i in range(4):
            r.set(f"big:{i}", os.urandom(1 << 20))
        # a small receive buffer keeps most of the snapshot in the server's send buffer until the end
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(30)
        sock.connect(("127.0.0.1", s.port))
        try:
            sock.sendall(b"REPLCONF rdb-only 1\r\n")
            f = sock.makefile("rb")
            check_eq(f.readline(), b"+OK\r\n", "REPLCONF rdb-only 1")
            # SYNC with a request behind it in the same packet (it waits in the server's buffer),
            # then more once the server has stopped reading (it waits in the kernel's)
            sock.sendall(b"SYNC\r\nPING\r\n")
            time.sleep(0.3)
            sock.sendall(b"SET after sync\r\n")
            time.sleep(0.3)  # the server has filled the socket's buffers before the client reads
            data = read_snapshot(f)
            check_eq(data[:9], RDB_HEADER, "the snapshot after SYNC with requests behind it")
            check(len(data) > 4 << 20, f"the snapshot holds the 4 MB of values: {len(data)} bytes")
            check_eq(f.read(1), b"", "after the snapshot: nothing (no +PONG), then the close")
        finally:
            sock.close()
        check_eq(r.get("after"), None, "SET pipelined behind SYNC did not run")
        # declared difference: no replication stream, so a replica's SYNC is refused
        for args in (("SYNC",), ("PSYNC", "?", "-1")):
            got = s.cmd(*args)
            check(isinstance(got, tuple) and got[1].startswith("ERR tmkv does not replicate"),
                  f"{' '.join(args)} without rdb-only: {got!r}")
        c = s.raw()
        try:
            check_eq(c.cmd("REPLCONF", "rdb-only", "1"), "OK", "REPLCONF rdb-only 1")
            check_eq(c.cmd("REPLCONF", "rdb-only", "0"), "OK", "REPLCONF rdb-only 0")
            got = c.cmd("SYNC")
            check(isinstance(got, tuple) and got[1].startswith("ERR tmkv does not replicate"),
                  f"SYNC after rdb-only 0: {got!r}")
            check_eq(c.cmd("PING"), "PONG", "the connection after a refused SYNC")
        finally:
            c.close()
    ref.shutdown("NOSAVE")
    s.shutdown("NOSAVE")


# ---- (4) consistent cuts ----

def test_consistent_cuts():
    s, _ = pt.bank_server(6000, PEER_ARGS if AGAINST_REDIS else ())  # 0.3 s per snapshot
    movers = pt.BankMovers(s)
    files = []
    out_dir = mkdir()
    try:
        movers.start()
        for n in range(5):
            before = movers.committed
            path = os.path.join(out_dir, f"cut{n}.rdb")
            redis_cli_rdb(s, path)
            during = movers.committed - before
            check(during > 0, f"no transfer committed during snapshot #{n + 1}: nothing was proven")
            files.append((read_file(path), during))
    finally:
        movers.stop()
    s.client().config_set("rdb-key-save-delay", 0)
    s.shutdown("NOSAVE")
    pt.check_cuts(files, "redis-cli --rdb")


# ---- (5) hostile and unlucky clients ----

def client_count(s):
    return len(s.client().client_list())


def start_sync(s):
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=30)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(b"REPLCONF rdb-only 1\r\n")
    check_eq(sock.recv(5), b"+OK\r\n", f"{s.kind}: REPLCONF rdb-only 1")
    sock.sendall(b"SYNC\r\n")
    return sock


def test_hostile_clients():
    d = mkdir()
    s = sut(d)
    r = s.client()
    # about 6 MB of incompressible values: more than the socket buffers hold
    rng = random.Random(7)
    for i in range(0, 3000, 500):
        r.mset({f"blob:{j}": rng.randbytes(2000) for j in range(i, i + 500)})
    base = client_count(s)

    # (a) leaves while its snapshot is prepared (slowed to ~1.5 s)
    r.config_set("rdb-key-save-delay", 500)
    sock = start_sync(s)
    time.sleep(0.3)
    sock.close()
    r.set("probe", "served")
    check_eq(r.get("probe"), b"served", "a write and a read while a snapshot is prepared")
    r.config_set("rdb-key-save-delay", 0)
    wait_until(lambda: client_count(s) == base, "the client that left goes from CLIENT LIST", timeout=30)
    wait_until(lambda: temp_files(d) == [], "no temporary file left after a client left", timeout=30)

    # (b) never reads: the server sends what the socket takes and serves everyone else
    sock = start_sync(s)
    time.sleep(1.0)
    t0 = time.time()
    for i in range(200):
        r.set(f"other:{i}", i)
    check(time.time() - t0 < 20, "other clients were held up by a client not reading its snapshot")
    # the file exists while it is written, and is unlinked before it is sent
    wait_until(lambda: temp_files(d) == [], "the snapshot's file unlinked while it is sent", timeout=30)
    check_eq(client_count(s), base + 1, "CLIENT LIST with the stalled transfer")
    # (c) CLIENT KILL ends it
    ids = [c["id"] for c in r.client_list() if c["cmd"] in ("sync", "NULL") and int(c["id"]) != r.client_id()]
    check(ids, f"the SYNC client in CLIENT LIST: {r.client_list()}")
    for cid in ids:
        r.client_kill_filter(_id=cid)
    wait_until(lambda: client_count(s) == base, "the killed client goes from CLIENT LIST", timeout=30)
    sock.close()

    check_eq(r.config_get("repl-timeout"), {"repl-timeout": "60"}, "CONFIG GET repl-timeout (the default)")
    if not AGAINST_REDIS:
        # declared difference: a client that takes nothing for repl-timeout is dropped
        check_eq(r.config_set("repl-timeout", 2), True, "CONFIG SET repl-timeout 2")
        sock = start_sync(s)
        t0 = time.time()
        wait_until(lambda: client_count(s) == base + 1, "the stalled client in CLIENT LIST", timeout=10)
        wait_until(lambda: client_count(s) == base, "the stalled client dropped after repl-timeout", timeout=20)
        waited = time.time() - t0
        check(waited >= 1.5, f"the stalled client was dropped after {waited:.1f}s, before repl-timeout (2 s)")
        sock.close()
        r.config_set("repl-timeout", 60)
        # declared difference: a fifth transfer while four run is refused, the client stays usable
        r.config_set("rdb-key-save-delay", 300)
        started = s.info("stats")["sync_full"]
        socks = [start_sync(s) for _ in range(4)]
        # each SYNC is run on its connection's thread when that thread gets to it: wait until all
        # four hold their slots (sync_full counts a transfer when it takes one), or the fifth could
        # overtake one of them
        wait_until(lambda: s.info("stats")["sync_full"] == started + 4, "four transfers started", timeout=30)
        c = s.raw()
        try:
            check_eq(c.cmd("REPLCONF", "rdb-only", "1"), "OK", "REPLCONF rdb-only 1 (fifth)")
            got = c.cmd("SYNC")
            check(isinstance(got, tuple) and "too many snapshot transfers" in got[1], f"a fifth SYNC: {got!r}")
            check_eq(c.cmd("PING"), "PONG", "the connection after a refused fifth SYNC")
        finally:
            c.close()
            for k in socks:
                k.close()
        r.config_set("rdb-key-save-delay", 0)
        wait_until(lambda: client_count(s) == base, "the four clients go from CLIENT LIST", timeout=60)
    wait_until(lambda: temp_files(d) == [], "no temporary file left", timeout=60)
    check_eq(s.cmd("PING"), "PONG", f"{SUT} after the hostile clients")
    s.shutdown("NOSAVE")


TESTS = [
    ("1", "redis-cli --rdb: the whole dataset, loadable by both servers; not a save", test_rdb),
    ("2", "redis-cli --functions-rdb: the libraries only", test_functions_rdb),
    ("3", "REPLCONF, SYNC and PSYNC as redis-server answers them", test_protocol),
    ("4", "each snapshot is a consistent cut under concurrent transactions", test_consistent_cuts),
    ("5", "clients that leave, stall or are killed during a transfer", test_hostile_clients),
]


def main(argv):
    return run_tests(TESTS, argv, after_each=pt.cleanup)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
