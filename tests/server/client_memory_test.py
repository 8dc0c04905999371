#!/usr/bin/python3
"""What clients cost in memory, and how the server reports it, against the
real tmkv-server.

  (a) CLIENT LIST / CLIENT INFO carry Redis 7's fields in Redis's order
      (fd, multi, qbuf, qbuf-free, argv-mem, multi-mem, rbs, rbp, obl, oll,
      omem, tot-mem, events, redir ...), with values that follow the client:
      multi counts queued commands, multi-mem their bytes, argv-mem the
      running command's arguments.
  (b) A half-sent request shows in its client's qbuf, and is not lost.
  (c) A big request grows the input buffer; once it is run, the buffer is
      back to one read's worth (at once; Redis trims it in its cron, seconds
      later), and used memory returns to where it was.
  (d) A big pipelined batch of replies grows the reply buffer; it shrinks
      at the next check, and an idle client (two seconds) holds no buffers
      at all. It is served at once when it speaks again, subscribers still
      get their messages, and nothing is lost.
  (e) Clients that go idle and come back around the two-second mark (the
      park/wake race) all get every reply, right and in order.
  (f) An idle client costs little memory: 300 idle connections add less
      than 4 KiB each to used_memory (redis-server 7.0 takes about 8 KiB).
  (g) INFO clients: pubsub_clients, watching_clients, total_watched_keys,
      client_recent_max_input_buffer follow the clients.
  (h) INFO memory and MEMORY STATS: Redis's fields; overhead plus dataset
      is used memory; the peak stays once the keys are gone; keys.count and the
      per-database entries match the keyspace.
  (i) MEMORY DOCTOR: too little data to judge, then a peak far above the
      memory used now is reported.

(c), (f) and (h)'s memory arithmetic need jemalloc's exact figures: in
sanitizer builds (INFO mem_allocator is not jemalloc) those checks are
skipped with a note.

CLIENT_MEMORY_AGAINST_REDIS=1 runs the same file against redis-server 7
(Debian): the field lists and the behaviour both servers share are checked
there; what is tmkv's own (a parked client holds no buffers at all, the
idle cost, MEMORY DOCTOR's text) is skipped.

Run: TMKV_SERVER=build/bin/tmkv-server /usr/bin/python3 tests/server/client_memory_test.py [a b ...]
"""
import os
import socket
import sys
import threading
import time

import redis

import harness
from raw_resp import check, check_eq, run_tests

AGAINST_REDIS = os.environ.get("CLIENT_MEMORY_AGAINST_REDIS") == "1"

# Redis 7.0's CLIENT LIST fields, in order; 7.2 appends lib-name and lib-ver.
CLIENT_FIELDS = ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub", "ssub", "multi",
                 "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem", "tot-mem", "events",
                 "cmd", "user", "redir", "resp"]
MEMORY_STATS_KEYS = ["peak.allocated", "total.allocated", "startup.allocated", "replication.backlog",
                     "clients.slaves", "clients.normal", "cluster.links", "aof.buffer", "lua.caches",
                     "functions.caches", "overhead.total", "keys.count", "keys.bytes-per-key", "dataset.bytes",
                     "dataset.percentage", "peak.percentage", "allocator.allocated", "allocator.active",
                     "allocator.resident", "allocator-fragmentation.ratio", "allocator-fragmentation.bytes",
                     "allocator-rss.ratio", "allocator-rss.bytes", "rss-overhead.ratio", "rss-overhead.bytes",
                     "fragmentation", "fragmentation.bytes"]
IDLE_S = 2.0  # a client idle this long gives its buffers back (Redis's clientsCron uses the same)


def start():
    return harness.start_redis() if AGAINST_REDIS else harness.start_tmkv()


def client(s):
    return s.client(decode_responses=True)


def parse_client_line(line):
    fields = []
    for part in line.strip().split(" "):
        k, _, v = part.partition("=")
        fields.append((k, v))
    return fields


def client_by_name(r, name):
    for line in r.execute_command("CLIENT", "LIST").splitlines():
        f = dict(parse_client_line(line))
        if f["name"] == name:
            return f
    raise AssertionError(f"no client named {name}")


def exact_memory(r):
    return r.info("memory")["mem_allocator"].startswith("jemalloc")


def used_memory(r):
    return int(r.info("memory")["used_memory"])


def raw_connect(s, name=None):
    c = socket.create_connection(("127.0.0.1", s.port))
    if name:
        c.sendall(f"CLIENT SETNAME {name}\r\n".encode())
        check_eq(recv_line(c), b"+OK\r\n", "SETNAME")
    return c


def recv_line(sock):
    buf = b""
    while not buf.endswith(b"\r\n"):
        chunk = sock.recv(1)
        if not chunk:
            raise AssertionError(f"connection closed after {buf!r}")
        buf += chunk
    return buf


def wait_for(what, fn, timeout=5.0):
    deadline = time.time() + timeout
    while True:
        got = fn()
        if got:
            return got
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_client_list_fields():
    with start() as s:
        r = client(s)
        info = r.execute_command("CLIENT", "INFO")
        names = [k for k, _ in parse_client_line(info)]
        check_eq(names[:len(CLIENT_FIELDS)], CLIENT_FIELDS, "CLIENT INFO's fields, in Redis 7's order")
        check(names[len(CLIENT_FIELDS):] in ([], ["lib-name", "lib-ver"]), f"then at most lib-name, lib-ver: {names}")
        f = dict(parse_client_line(info))
        check(int(f["fd"]) >= 0, f"fd is a descriptor: {f['fd']}")
        check_eq(f["multi"], "-1", "multi outside MULTI")
        check_eq(f["argv-mem"], str(len("client") + len("info")), "argv-mem: the running command's arguments")
        check_eq(f["redir"], "-1", "no client-side caching redirection")
        check("r" in f["events"], f"waiting to read: events={f['events']}")
        # A second client inside MULTI, seen from the first.
        other = client(s)
        other.client_setname("queuer")
        p = other.pipeline(transaction=False)
        p.execute_command("MULTI")
        p.execute_command("SET", "k", "v" * 100)
        p.execute_command("INCR", "n")
        p.execute()
        q = client_by_name(r, "queuer")
        check_eq(q["multi"], "2", "multi counts the queued commands")
        check("x" in q["flags"], f"flags has x inside MULTI: {q['flags']}")
        check(int(q["multi-mem"]) >= len("SETk") + 100 + len("INCRn"), f"multi-mem covers the queue: {q['multi-mem']}")
        check_eq(q["argv-mem"], "0", "another client is between commands")
        check(int(q["tot-mem"]) >= int(q["multi-mem"]), f"tot-mem includes multi-mem: {q}")
        other.execute_command("EXEC")
        q = client_by_name(r, "queuer")
        check_eq((q["multi"], q["multi-mem"]), ("-1", "0"), "after EXEC")
        check("x" not in q["flags"], "flags without x after EXEC")
        lines = r.execute_command("CLIENT", "LIST").splitlines()
        check_eq(len(lines), 2, "CLIENT LIST: one line per client")
        for line in lines:
            check_eq([k for k, _ in parse_client_line(line)][:len(CLIENT_FIELDS)], CLIENT_FIELDS, "every line")


def test_half_sent_request():
    with start() as s:
        r = client(s)
        c = raw_connect(s, "half")
        c.sendall(b"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$100\r\n" + b"x" * 40)
        f = wait_for("the half request in qbuf", lambda: (lambda f: f if int(f["qbuf"]) > 0 else None)(
            client_by_name(r, "half")))
        check(int(f["qbuf"]) >= 40, f"qbuf holds the half-sent bytes: {f['qbuf']}")
        check_eq(f["cmd"], "client|setname", "its last command is still SETNAME")
        c.sendall(b"x" * 60 + b"\r\n")
        check_eq(recv_line(c), b"+OK\r\n", "the request completes")
        check_eq(r.get("half"), "x" * 100, "nothing lost")
        c.close()


def test_big_request_buffer():
    with start() as s:
        r = client(s)
        exact = exact_memory(r)
        r.set("warm", "x")
        before = used_memory(r)
        big = "v" * (8 << 20)
        r.client_setname("big")
        r.set("big", big)
        f = client_by_name(r, "big")
        # redis-server 7.0 keeps the grown buffer until its clientsCron
        # trims it, seconds later; tmkv frees it once the request has run.
        check(AGAINST_REDIS or int(f["qbuf"]) + int(f["qbuf-free"]) <= 64 * 1024,
              f"after an 8 MiB request the input buffer is small again: qbuf={f['qbuf']} qbuf-free={f['qbuf-free']}")
        r.delete("big")
        if not exact:
            print("  (c) memory comparison skipped: no exact memory figure in this build")
            return
        # The value's memory comes back after the epoch's grace period (the
        # next 100 ms tick at the latest on an idle server).
        wait_for(f"used memory back near {before} (now {used_memory(r)})",
                 lambda: used_memory(r) < before + (1 << 20), timeout=3.0)


def test_reply_buffer_and_parking():
    with start() as s:
        r = client(s)
        r.set("v", "x" * 1000)
        worker = client(s)
        worker.client_setname("piper")
        p = worker.pipeline(transaction=False)
        for _ in range(300):
            p.get("v")
        check_eq(p.execute(), ["x" * 1000] * 300, "a pipeline of 300 GETs")
        # Its own next command sees what the batch left (mirrored as the
        # batch ended): the reply buffer keeps the capacity the batch needed
        # until a tick trims it, and a first trim keeps twice the peak.
        grown = dict(parse_client_line(worker.execute_command("CLIENT", "INFO")))
        check(int(grown["rbs"]) > 16 * 1024 or AGAINST_REDIS,
              f"the reply buffer grew for the batch: rbs={grown['rbs']} rbp={grown['rbp']}")
        sub = client(s).pubsub()
        sub.subscribe("news")
        check_eq(sub.get_message(timeout=5)["type"], "subscribe", "subscribed")
        time.sleep(IDLE_S + 1.0)
        idle = client_by_name(r, "piper")
        if not AGAINST_REDIS:
            check_eq((idle["qbuf"], idle["qbuf-free"], idle["rbs"], idle["obl"], idle["omem"]), ("0", "0", "0", "0", "0"),
                     f"an idle client holds no buffers: {idle}")
            check(int(idle["tot-mem"]) < 4096, f"an idle client's tot-mem is the connection alone: {idle['tot-mem']}")
            check_eq(idle["events"], "r", "it still waits to read")
        # It is served at once when it speaks again, and its buffers come back.
        check_eq(worker.get("v"), "x" * 1000, "a parked client is served")
        p = worker.pipeline(transaction=False)
        for i in range(100):
            p.set(f"after:{i}", i)
        check_eq(p.execute(), [True] * 100, "and pipelines again")
        # A parked subscriber still gets its messages, and can still speak.
        check_eq(r.publish("news", "hello"), 1, "one subscriber")
        m = sub.get_message(timeout=5)
        check(m is not None and m["data"] == "hello", f"the parked subscriber got the message: {m}")
        sub.unsubscribe("news")
        check_eq(sub.get_message(timeout=5)["type"], "unsubscribe", "and its UNSUBSCRIBE is read")
        sub.close()


def test_park_wake_race():
    with start() as s:
        failures = []

        def one(n):
            try:
                r = client(s)
                for i in range(4):
                    # Around the idle mark, at different offsets per client,
                    # so requests meet the tick's cancellation at every phase.
                    time.sleep(IDLE_S - 0.15 + (n % 12) * 0.025)
                    p = r.pipeline(transaction=False)
                    p.set(f"race:{n}", i)
                    p.incr(f"count:{n}")
                    p.get(f"race:{n}")
                    got = p.execute()
                    if got != [True, i + 1, str(i)]:
                        failures.append(f"client {n} round {i}: {got}")
            except Exception as e:  # noqa: BLE001
                failures.append(f"client {n}: {e!r}")

        threads = [threading.Thread(target=one, args=(n,)) for n in range(36)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check_eq(failures, [], "every reply, right and in order")


def test_idle_client_cost():
    if AGAINST_REDIS:
        print("  (f) skipped: the figure is tmkv's (redis-server 7.0 takes about 8 KiB per idle client)")
        return
    with start() as s:
        r = client(s)
        if not exact_memory(r):
            print("  (f) skipped: no exact memory figure in this build")
            return
        before = used_memory(r)
        socks = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(300)]
        for c in socks:
            c.sendall(b"PING\r\n")
        for c in socks:
            check_eq(recv_line(c), b"+PONG\r\n", "PING")
        time.sleep(IDLE_S + 1.0)
        per_client = (used_memory(r) - before) / len(socks)
        print(f"  (f) {per_client:.0f} bytes per idle client")
        check(per_client < 4096, f"an idle client costs {per_client:.0f} bytes")
        check_eq(int(r.info("clients")["connected_clients"]), len(socks) + 1, "all connected")
        for c in socks:
            c.close()


def test_info_clients():
    with start() as s:
        r = client(s)
        info = r.info("clients")
        for f in ["connected_clients", "cluster_connections", "maxclients", "client_recent_max_input_buffer",
                  "client_recent_max_output_buffer", "blocked_clients", "tracking_clients", "clients_in_timeout_table"]:
            check(f in info, f"INFO clients has {f}")
        sub = client(s).pubsub()
        sub.psubscribe("p*")
        check_eq(sub.get_message(timeout=5)["type"], "psubscribe", "subscribed")
        w1, w2 = client(s), client(s)
        w1.execute_command("WATCH", "a", "b")  # redis-py 4.3's Redis.watch() sends nothing
        w2.execute_command("WATCH", "b", "c")
        info = r.info("clients")
        if "pubsub_clients" in info:  # Redis 7.2's; 7.0 lacks them
            check_eq(info["pubsub_clients"], 1, "pubsub_clients")
            check_eq(info["watching_clients"], 2, "watching_clients")
            check_eq(info["total_watched_keys"], 3, "total_watched_keys: distinct keys")
        else:
            check(AGAINST_REDIS, "tmkv shows Redis 7.2's pubsub_clients, watching_clients, total_watched_keys")
        w1.execute_command("UNWATCH")
        w2.execute_command("UNWATCH")
        if "pubsub_clients" in info:
            info = r.info("clients")
            check_eq((info["watching_clients"], info["total_watched_keys"]), (0, 0), "after UNWATCH")
        big = client(s)
        big.set("big", "v" * (1 << 20))
        # Redis takes the figure from its clientsCron samples: give it a tick.
        got = wait_for("a big input buffer", lambda: r.info("clients")["client_recent_max_input_buffer"] >= (1 << 20)
                       or None, timeout=3.0) if AGAINST_REDIS else r.info("clients")["client_recent_max_input_buffer"]
        if not AGAINST_REDIS:
            # tmkv reports the buffers as they are now: the 1 MiB request's
            # buffer went back once the request ran.
            check(got <= 64 * 1024, f"client_recent_max_input_buffer after the request: {got}")
        sub.close()


def test_info_memory_and_stats():
    with start() as s:
        r = client(s)
        exact = exact_memory(r)
        info = r.info("memory")
        for f in ["used_memory", "used_memory_rss", "used_memory_peak", "used_memory_peak_human",
                  "used_memory_peak_perc", "used_memory_overhead", "used_memory_startup", "used_memory_dataset",
                  "used_memory_dataset_perc", "total_system_memory", "mem_fragmentation_ratio",
                  "mem_fragmentation_bytes", "mem_clients_normal", "mem_not_counted_for_evict", "maxmemory_policy"]:
            check(f in info, f"INFO memory has {f}")
        stats = dict(zip(*[iter(r.execute_command("MEMORY", "STATS"))] * 2))
        keys = [k for k in stats if not k.startswith("db.")]
        check_eq(keys, MEMORY_STATS_KEYS, "MEMORY STATS fields, in Redis 7.0's order")
        check_eq(stats["keys.count"], 0, "no keys yet")
        r.select(3)
        p = r.pipeline(transaction=False)
        for i in range(20000):
            p.set(f"k:{i}", "v" * 100)
        p.execute()
        r.select(0)
        r.set("zero", "0")
        stats = dict(zip(*[iter(r.execute_command("MEMORY", "STATS"))] * 2))
        check_eq(stats["keys.count"], 20001, "keys.count over every database")
        check_eq(sorted(k for k in stats if k.startswith("db.")), ["db.0", "db.3"], "an entry per database with keys")
        db3 = dict(zip(*[iter(stats["db.3"])] * 2))
        check(db3["overhead.hashtable.main"] > 0, f"db.3's index: {db3}")
        if not exact:
            print("  (h) memory arithmetic skipped: no exact memory figure in this build")
            return
        info = r.info("memory")
        used, overhead, dataset = info["used_memory"], info["used_memory_overhead"], info["used_memory_dataset"]
        check(abs(overhead + dataset - used) <= 64 * 1024, f"overhead {overhead} + dataset {dataset} = used {used}")
        check(dataset >= 20000 * 100, f"the dataset holds the values: {dataset}")
        check(info["used_memory_peak"] >= used, "peak >= used")
        check(0 < info["used_memory_startup"] < used, f"startup memory {info['used_memory_startup']}")
        peak = info["used_memory_peak"]
        # Deleted in batches: one FLUSHALL-sized transaction leaves its
        # thread's transaction logs grown (kept for reuse, up to 64k entries).
        r.select(3)
        for start_at in range(0, 20000, 500):
            r.delete(*[f"k:{i}" for i in range(start_at, start_at + 500)])
        # The tick gives back what the deletes freed.
        wait_for(f"used memory to fall from the peak {peak}",
                 lambda: r.info("memory")["used_memory"] < peak - 20000 * 100, timeout=3.0)
        check(r.info("memory")["used_memory_peak"] >= peak, "the peak stays after the keys are gone")


def test_memory_doctor():
    if AGAINST_REDIS:
        print("  (i) skipped: MEMORY DOCTOR's text is tmkv's own")
        return
    with start() as s:
        r = client(s)
        text = r.execute_command("MEMORY", "DOCTOR")
        if not exact_memory(r):
            # Used memory is the resident set size there, well above the
            # report's floor even when empty.
            check(isinstance(text, str) and text != "", f"a report: {text!r}")
            print("  (i) the empty and peak reports skipped: no exact memory figure in this build")
            return
        check("too little to judge" in text, f"an empty server: {text!r}")
        p = r.pipeline(transaction=False)
        for i in range(30000):
            p.set(f"k:{i}", "v" * 400)
        p.execute()
        # (Whether the process's resident size looks fragmented depends on
        # the machine; the peak is what this test controls.)
        text = r.execute_command("MEMORY", "DOCTOR")
        check("Peak:" not in text, f"no peak to report yet: {text!r}")
        # A peak far above what is used now (the rest of the dataset stays
        # above the report's 5 MiB floor).
        p = r.pipeline(transaction=False)
        for i in range(30000):
            p.set(f"big:{i}", "v" * 2000)
        p.execute()
        for start_at in range(0, 30000, 1000):
            r.delete(*[f"big:{i}" for i in range(start_at, start_at + 1000)])
        time.sleep(0.3)
        text = r.execute_command("MEMORY", "DOCTOR")
        check(text.startswith("* Peak:"), f"the peak is reported: {text!r}")


TESTS = [
    ("a", "CLIENT LIST / INFO: Redis 7's fields and values", test_client_list_fields),
    ("b", "a half-sent request shows in qbuf and completes", test_half_sent_request),
    ("c", "a big request's input buffer goes back", test_big_request_buffer),
    ("d", "reply buffers shrink; idle clients park and wake", test_reply_buffer_and_parking),
    ("e", "clients waking around the idle mark get every reply", test_park_wake_race),
    ("f", "an idle client costs little memory", test_idle_client_cost),
    ("g", "INFO clients follows subscriptions, watches and buffers", test_info_clients),
    ("h", "INFO memory and MEMORY STATS", test_info_memory_and_stats),
    ("i", "MEMORY DOCTOR", test_memory_doctor),
]

if __name__ == "__main__":
    sys.exit(run_tests(TESTS, sys.argv[1:]))
