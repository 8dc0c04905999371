#!/usr/bin/python3
"""Pub/sub against a real redis-server, across I/O threads, inside
transactions, and at its limits.

  (1) The same multi-connection script runs against tmkv-server and
      redis-server 7.0; what each connection receives after each step must
      be byte-identical: (un)subscribe events and their counts, messages,
      pattern and shard messages, RESP2's subscribed-context errors and PING,
      RESP3 pushes (a client's own message before PUBLISH's count), RESET,
      PUBSUB CHANNELS/NUMSUB/NUMPAT/SHARD*, INFO's pubsub fields. The one
      declared difference: an UNSUBSCRIBE without arguments names the
      channels in Redis's hash order, so those steps compare the names as a
      set (the counts must still go down one by one).
  (2) Messages published inside MULTI/EXEC go out once, after the block
      commits: clients on both I/O threads run contended MULTI / INCR /
      PUBLISH / EXEC blocks (transactions that retry), and the subscriber
      receives each committed block's message exactly once, and a key the
      block wrote already holds the value when the message arrives; a block
      whose WATCH failed publishes nothing. (Redis writes such a message in
      the middle of the EXEC reply to a subscribed client; tmkv after it.)
  (3) Fan-out across threads: subscribers and a pattern subscriber on both
      I/O threads each get every message in order; PUBLISH counts them;
      CLIENT LIST shows sub/psub/ssub and flag P.
  (4) A subscriber that stops reading is disconnected at
      client-output-buffer-limit (hard, and soft after its seconds), the
      publisher goes on, and the server does not grow; CONFIG GET/SET of the
      limit answers as Redis's does.
  (5) python3-redis's PubSub object works unchanged.
  (6) The idle timeout closes a quiet plain client but not a subscriber or
      a monitor, on both servers.
  (7) Keyspace notifications (notify-keyspace-events): a script of every
      string and generic write, MULTI/EXEC, a broken WATCH and keys that
      expire (found by a read, a write, the sweep) makes the same events on
      both servers, in the same order, for several flag sets; CONFIG
      GET/SET of the flags as Redis.

Run: TMKV_SERVER=build/bin/tmkv-server /usr/bin/python3 tests/server/pubsub_test.py
"""
import socket
import sys
from concurrent.futures import ThreadPoolExecutor
import threading
import time

import harness
from raw_resp import RawConn, check, check_eq, resp_command, rss_kib, run_tests

QUIET = 0.15  # seconds without a byte: a step's output is complete


def drain(conn, quiet=QUIET):
    data, _ = conn.read_raw(timeout=quiet)
    return data


def parse_all(data):
    """Splits raw RESP bytes into parsed top-level replies."""
    out = []
    reader = RawConn.__new__(RawConn)
    reader.buf = data
    reader.sock = None

    def fill():
        raise EOFError

    reader._fill = fill
    while reader.buf:
        out.append(reader.read_reply())
    return out


# (connection, commands, unordered). Connections: a, b (RESP2), r (RESP3).
SCRIPT = [
    ("a", [["UNSUBSCRIBE"], ["PUNSUBSCRIBE"], ["SUNSUBSCRIBE"]], False),
    ("a", [["SUBSCRIBE", "news", "sport", "news"]], False),
    ("a", [["PING"], ["PING", "hi"], ["GET", "k"], ["MULTI"], ["HELLO", "3"], ["NOSUCH"], ["SUBSCRIBE"],
           ["PUBLISH", "news", "x"], ["CLIENT", "LIST"]], False),
    ("b", [["PUBLISH", "news", b"hello \x00 world"], ["PUBLISH", "nobody", "x"], ["PUBSUB", "NUMSUB", "news", "x"]],
     False),
    ("a", [], False),  # the message
    ("a", [["PSUBSCRIBE", "s*", "n?ws"], ["SSUBSCRIBE", "shard1"]], False),
    ("b", [["PUBLISH", "news", "two"], ["PUBLISH", "sport", "three"], ["SPUBLISH", "shard1", "four"],
           ["SPUBLISH", "news", "five"], ["PUBSUB", "NUMPAT"], ["PUBSUB", "SHARDNUMSUB", "shard1", "news"],
           ["PUBSUB", "SHARDCHANNELS"], ["PUBSUB", "SHARDCHANNELS", "sh*"], ["PUBSUB", "CHANNELS", "n*"],
           ["PUBSUB", "CHANNELS", "x", "y"], ["PUBSUB", "NUMPAT", "x"], ["PUBSUB", "FOO"]], False),
    ("a", [], False),
    ("b", [["INFO", "stats"]], "info"),
    ("a", [["UNSUBSCRIBE"]], True),
    ("a", [["PUNSUBSCRIBE", "n?ws", "never"], ["PING"]], False),
    ("a", [["PUNSUBSCRIBE"], ["PING"]], True),
    ("a", [["SUNSUBSCRIBE"], ["PING"], ["GET", "k"]], False),
    ("a", [["SUBSCRIBE", "c1"], ["RESET"], ["PING"], ["CLIENT", "INFO"]], "client"),
    ("b", [["MULTI"], ["SUBSCRIBE", "x"], ["SSUBSCRIBE", "y"], ["PSUBSCRIBE", "z*"], ["EXEC"]], False),
    ("b", [["PING"], ["QUIT"]], False),
    ("r", [["HELLO", "3"]], "hello"),
    ("r", [["SUBSCRIBE", "r3"], ["PING"], ["PUBLISH", "r3", "own"], ["SET", "k", "v"], ["GET", "k"],
           ["UNSUBSCRIBE", "r3", "zz"], ["UNSUBSCRIBE"], ["PUNSUBSCRIBE"]], False),
    ("r", [["SUBSCRIBE", "p3"], ["HELLO", "2"]], "hello"),
    ("a", [["PUBLISH", "p3", "after hello 2"]], False),
    ("r", [], False),
    ("a", [["PUBSUB", "NUMSUB"], ["PUBSUB", "HELP"]], False),
]


def unordered_events(replies):
    """Replies with the (un)subscribe events' names compared as a set: the
    counts still go down one by one, in order, whatever the names' order."""
    names = sorted(r[1] for r in replies if isinstance(r, list) and len(r) == 3 and r[1] is not None)
    shape = [[r[0], "NAME" if r[1] is not None else None, r[2]] if isinstance(r, list) and len(r) == 3 else r
             for r in replies]
    return names, shape


def info_pubsub(data):
    return [ln for ln in data.split(b"\r\n") if ln.startswith(b"pubsub")]


def client_fields(data):
    """The CLIENT INFO fields both servers share and pub/sub changes."""
    text = data.decode(errors="replace")
    return [f for f in text.split() if f.split("=")[0] in ("flags", "sub", "psub", "ssub", "db")]


def run_script(port):
    conns = {name: RawConn(port) for name in "abr"}
    results = []
    for name, cmds, mode in SCRIPT:
        c = conns[name]
        for cmd in cmds:
            c.send(resp_command(*cmd))
        data = drain(c)
        if mode is True:
            results.append(unordered_events(parse_all(data)))
        elif mode == "info":
            results.append(info_pubsub(data))
        elif mode == "client":
            results.append((data.rsplit(b"\r\n$", 1)[0], client_fields(data)))
        elif mode == "hello":
            results.append(len(data) > 0)  # server name and version differ
        else:
            results.append(data)
        # What the other connections got meanwhile (nothing, or messages).
        for other, oc in conns.items():
            if other != name:
                results.append((other, drain(oc, 0.01)))
    for c in conns.values():
        c.close()
    return results


def test_same_as_redis():
    tmkv = harness.start_tmkv("--io-threads", 2)
    redis = harness.start_redis()
    try:
        got = run_script(tmkv.port)
        want = run_script(redis.port)
        check_eq(len(got), len(want), "steps")
        for i, (g, w) in enumerate(zip(got, want)):
            check_eq(g, w, f"step {i}")
    finally:
        tmkv.stop()
        redis.stop()


def read_messages(conn, n, timeout=20.0):
    out = []
    deadline = time.time() + timeout
    conn.sock.settimeout(timeout)
    while len(out) < n and time.time() < deadline:
        out.append(conn.read_reply())
    return out


def test_publish_in_exec_once_after_commit():
    srv = harness.start_tmkv("--io-threads", 2)
    try:
        sub = RawConn(srv.port)
        reader = RawConn(srv.port)  # on the other I/O thread than sub
        check_eq(sub.cmd("SUBSCRIBE", "done"), [b"subscribe", b"done", 1], "SUBSCRIBE")
        workers, blocks = 4, 150
        errors = []

        def work(w):
            try:
                c = RawConn(srv.port)
                for i in range(blocks):
                    c.send(resp_command("MULTI") + resp_command("INCR", "counter") +
                           resp_command("SET", f"last:{w}", str(i)) +
                           resp_command("PUBLISH", "done", f"{w}:{i}") + resp_command("EXEC"))
                    replies = [c.read_reply() for _ in range(5)]
                    if replies[4][2] != 1:
                        errors.append(f"PUBLISH inside EXEC counted {replies[4][2]}")
                c.close()
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

        threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
        for t in threads:
            t.start()
        # The subscriber checks, per message, that the block's write is
        # already visible: last:w is at least i when "w:i" arrives.
        seen = set()
        stale = []
        for _ in range(workers * blocks):
            msg = sub.read_reply()
            check_eq(msg[:2], [b"message", b"done"], "message shape")
            w, i = msg[2].decode().split(":")
            check(msg[2] not in seen, f"message {msg[2]!r} delivered twice")
            seen.add(msg[2])
            last = int(reader.cmd("GET", f"last:{w}"))
            if last < int(i):
                stale.append((w, i, last))
        for t in threads:
            t.join()
        check(not errors, f"workers: {errors[:3]}")
        check(not stale, f"messages that arrived before their block's write was visible: {stale[:3]}")
        check_eq(len(seen), workers * blocks, "one message per committed block")
        check_eq(int(reader.cmd("GET", "counter")), workers * blocks, "every block committed once")
        check(not sub.closed_now() and not sub.buf, "no message beyond one per block")
        # A block whose WATCH breaks publishes nothing.
        c = RawConn(srv.port)
        c.cmd("WATCH", "counter")
        reader.cmd("INCR", "counter")
        c.send(resp_command("MULTI") + resp_command("PUBLISH", "done", "never") + resp_command("EXEC"))
        check_eq([c.read_reply() for _ in range(3)], ["OK", "QUEUED", None], "EXEC after the WATCH broke")
        check_eq(drain(sub, 0.3), b"", "nothing published by the failed block")
        # A subscribed RESP3 client's own message in EXEC follows the reply.
        r = RawConn(srv.port)
        r.cmd("HELLO", "3")
        r.send(resp_command("MULTI") + resp_command("SUBSCRIBE", "self") + resp_command("PUBLISH", "self", "m") +
               resp_command("EXEC"))
        got = [r.read_reply() for _ in range(4)]
        check_eq(got[3], [[b"subscribe", b"self", 1], 1], "EXEC's replies: the subscription, then the count")
        check_eq(r.read_reply(), [b"message", b"self", b"m"], "then the message, once the block committed")
        for x in (sub, reader, c, r):
            x.close()
    finally:
        srv.stop()


def test_fan_out_across_threads():
    srv = harness.start_tmkv("--io-threads", 2)
    try:
        subs = [RawConn(srv.port) for _ in range(4)]
        for s in subs:
            check_eq(s.cmd("SUBSCRIBE", "fan"), [b"subscribe", b"fan", 1], "SUBSCRIBE")
        pat = RawConn(srv.port)
        check_eq(pat.cmd("PSUBSCRIBE", "f*"), [b"psubscribe", b"f*", 1], "PSUBSCRIBE")
        shard = RawConn(srv.port)
        check_eq(shard.cmd("SSUBSCRIBE", "fan"), [b"ssubscribe", b"fan", 1], "SSUBSCRIBE")
        pub = RawConn(srv.port)
        listing = pub.cmd("CLIENT", "LIST").decode()
        check_eq(listing.count("flags=P db=0 sub=1 psub=0 ssub=0 "), 4, "CLIENT LIST: the four subscribers")
        check_eq(listing.count("flags=P db=0 sub=0 psub=1 ssub=0 "), 1, "CLIENT LIST: the pattern subscriber")
        check_eq(listing.count("flags=P db=0 sub=0 psub=0 ssub=1 "), 1, "CLIENT LIST: the shard subscriber")
        n = 500
        for i in range(n):
            pub.send(resp_command("PUBLISH", "fan", str(i)))
        counts = [pub.read_reply() for _ in range(n)]
        check_eq(set(counts), {5}, "PUBLISH counts four subscribers and one pattern")
        check_eq(pub.cmd("SPUBLISH", "fan", "s"), 1, "SPUBLISH reaches the shard subscriber only")
        for k, s in enumerate(subs):
            msgs = read_messages(s, n)
            check_eq([m[2] for m in msgs], [str(i).encode() for i in range(n)], f"subscriber {k}: every message, in order")
        msgs = read_messages(pat, n)
        check_eq(msgs[0], [b"pmessage", b"f*", b"fan", b"0"], "pattern message shape")
        check_eq([m[3] for m in msgs], [str(i).encode() for i in range(n)], "pattern subscriber: every message")
        check_eq(shard.read_reply(), [b"smessage", b"fan", b"s"], "shard message")
        check_eq(pub.cmd("PUBSUB", "NUMSUB", "fan"), [b"fan", 4], "NUMSUB")
        # Closing subscribers unsubscribes them.
        for s in subs:
            s.close()
        deadline = time.time() + 5
        while pub.cmd("PUBSUB", "NUMSUB", "fan") != [b"fan", 0] and time.time() < deadline:
            time.sleep(0.02)
        check_eq(pub.cmd("PUBLISH", "fan", "x"), 1, "after the subscribers left, only the pattern remains")
        for x in (pat, shard, pub):
            x.close()
    finally:
        srv.stop()


def wait_disconnected(c, client_id, what):
    deadline = time.time() + 15
    listed = True
    while listed and time.time() < deadline:
        listed = f"id={client_id} ".encode() in c.cmd("CLIENT", "LIST")
        time.sleep(0.05)
    check(not listed, what)


def test_output_limit():
    srv = harness.start_tmkv("--io-threads", 2)
    redis = harness.start_redis()
    try:
        # CONFIG GET / SET as Redis answers them.
        for server in (srv, redis):
            c = RawConn(server.port)
            check_eq(c.cmd("CONFIG", "GET", "client-output-buffer-limit"),
                     [b"client-output-buffer-limit", b"normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"],
                     f"{server.name}: default limits")
            for bad, why in (("pubsub 1 2", "Wrong number of arguments"), ("foo 1 2 3", "Invalid client class"),
                             ("pubsub -1 2 3", "Error in hard, soft"), ("pubsub 1 2 x", "Error in hard, soft")):
                reply = c.cmd("CONFIG", "SET", "client-output-buffer-limit", bad)
                check(reply[0] == "ERR" and why in reply[1], f"{server.name}: CONFIG SET {bad!r}: {reply}")
            check_eq(c.cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 4mb 1mb 1"), "OK", "set")
            check_eq(c.cmd("CONFIG", "GET", "client-output-buffer-limit")[1],
                     b"normal 0 0 0 slave 268435456 67108864 60 pubsub 4194304 1048576 1", f"{server.name}: set")
            c.close()
        c = RawConn(srv.port)
        reply = c.cmd("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0")
        check(reply[0] == "ERR" and "normal 0 0 0" in reply[1], f"tmkv refuses a normal-class limit: {reply}")

        # Hard limit: 4 MiB of waiting messages.
        stuck = RawConn(srv.port)
        stuck.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stuck_id = stuck.cmd("CLIENT", "ID")
        stuck.send(resp_command("SUBSCRIBE", "flood"))  # and never read again
        time.sleep(0.2)
        rss0 = rss_kib(srv.proc.pid)
        big = b"x" * 100_000
        for _ in range(600):  # 60 MB offered, 4 MiB allowed
            c.cmd("PUBLISH", "flood", big)
        check_eq(c.cmd("PING"), "PONG", "the publisher is unaffected")
        wait_disconnected(c, stuck_id, "the subscriber over the hard limit was disconnected")
        if "mem_allocator:jemalloc" in c.cmd("INFO", "memory").decode():
            grown = rss_kib(srv.proc.pid) - rss0
            check(grown < 48 * 1024, f"server grew by {grown} KiB for a stuck subscriber (limit 4 MiB)")
        check_eq(c.cmd("PUBSUB", "NUMSUB", "flood"), [b"flood", 0], "and unsubscribed")
        stuck.close()

        # Soft limit: 1 MiB for 1 s; messages trickle in below the hard limit.
        check_eq(c.cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 1mb 1"), "OK", "soft only")
        slow = RawConn(srv.port)
        slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow_id = slow.cmd("CLIENT", "ID")
        slow.send(resp_command("SUBSCRIBE", "trickle"))
        time.sleep(0.2)
        t0 = time.time()
        while time.time() - t0 < 3 and f"id={slow_id} ".encode() in c.cmd("CLIENT", "LIST"):
            c.cmd("PUBLISH", "trickle", big)
            time.sleep(0.01)
        wait_disconnected(c, slow_id, "the subscriber over the soft limit for its seconds was disconnected")
        check(time.time() - t0 >= 0.9, "not before the soft limit's second had passed")
        slow.close()
        check(srv.proc.poll() is None, "server alive")
        c.close()
    finally:
        srv.stop()
        redis.stop()


def test_idle_timeout_spares_subscribers():
    def on(server):
        try:
            sub, idle = RawConn(server.port), RawConn(server.port)
            check_eq(sub.cmd("SUBSCRIBE", "quiet"), [b"subscribe", b"quiet", 1], "SUBSCRIBE")
            check_eq(idle.cmd("PING"), "PONG", "PING")
            mon = RawConn(server.port)
            check_eq(mon.cmd("MONITOR"), "OK", "MONITOR")
            time.sleep(3.5)
            check(idle.closed_now(), f"{server.name}: an idle plain client is closed after the timeout")
            check(not sub.closed_now(), f"{server.name}: an idle subscriber is not")
            check(not mon.closed_now(), f"{server.name}: nor is a monitor")
            check_eq(RawConn(server.port).cmd("PUBLISH", "quiet", "still here"), 1, "PUBLISH")
            sub.sock.settimeout(5)
            check_eq(sub.read_reply(), [b"message", b"quiet", b"still here"], f"{server.name}: it still receives")
        finally:
            server.stop()

    # Both servers at once: the case is mostly waiting for the timeout.
    with ThreadPoolExecutor(2) as pool:
        for done in [pool.submit(on, harness.start_tmkv("--timeout", 1)),
                     pool.submit(on, harness.start_redis("--timeout", 1))]:
            done.result()


PAYLOAD = b"\x00\x05hello\n\x00cr\xdfve4 \n"  # redis-server 7.0's DUMP of "hello"
KEYSPACE_SCRIPT = [
    ["SET", "a", "1"], ["SET", "a", "2", "EX", "100"], ["SET", "a", "3", "KEEPTTL"], ["SET", "a", "4", "GET"],
    ["SET", "b", "1", "NX"], ["SET", "b", "1", "NX"], ["SET", "b", "2", "XX", "PX", "100000"],
    ["SET", "a", "1", "NX", "GET"], ["SET", "t", "v", "EXAT", "1"], ["EXISTS", "t"],
    ["SET", "t2", "v", "PXAT", "1", "GET"], ["EXISTS", "t2"],
    ["SETNX", "c", "1"], ["SETNX", "c", "1"], ["SETEX", "d", "100", "x"], ["PSETEX", "d", "100000", "x"],
    ["GETSET", "d", "y"], ["MSET", "e", "1", "f", "2"], ["MSETNX", "g", "1", "h", "2"], ["MSETNX", "g", "1", "z", "2"],
    ["INCR", "n"], ["INCRBY", "n", "5"], ["DECR", "n"], ["DECRBY", "n", "2"], ["INCRBYFLOAT", "n", "1.5"],
    ["INCR", "e"], ["INCR", "f2", "x"], ["APPEND", "s", "xy"], ["SETRANGE", "s", "5", "z"], ["SETRANGE", "s", "1", ""],
    ["SETRANGE", "nos", "0", ""], ["GETDEL", "s"], ["GETDEL", "s"], ["GETEX", "e", "EX", "100"],
    ["GETEX", "e", "PERSIST"], ["GETEX", "e", "PERSIST"], ["GETEX", "f"], ["GETEX", "f", "PXAT", "1"],
    ["DEL", "a", "b", "zz"], ["UNLINK", "c"], ["EXPIRE", "d", "100"], ["EXPIRE", "d", "100", "NX"],
    ["PEXPIRE", "d", "-1"], ["EXPIRE", "e", "100"], ["PERSIST", "e"], ["PERSIST", "e"], ["EXPIREAT", "g", "1"],
    ["SET", "r", "1"], ["RENAME", "r", "r2"], ["RENAME", "r2", "r2"], ["SET", "r3", "x"], ["RENAME", "r2", "r3"],
    ["RENAMENX", "r3", "h"], ["RENAMENX", "r3", "r4"], ["COPY", "r4", "r5"], ["COPY", "r4", "r5"],
    ["COPY", "r4", "r5", "REPLACE"], ["COPY", "r4", "r6", "DB", "1"], ["MOVE", "r4", "2"], ["MOVE", "nokey", "2"],
    ["RESTORE", "rs", "0", PAYLOAD], ["RESTORE", "rs", "0", PAYLOAD, "REPLACE"], ["RESTORE", "rs", "1", PAYLOAD],
    ["RESTORE", "rs", "1", PAYLOAD, "REPLACE", "ABSTTL"], ["RESTORE", "rs2", "1", PAYLOAD, "ABSTTL"],
    ["SELECT", "3"], ["SET", "x3", "1"], ["SELECT", "0"],
    ["MULTI"], ["SET", "m1", "1"], ["INCR", "m1"], ["SELECT", "4"], ["SET", "m4", "x"], ["SELECT", "0"], ["DEL", "m1"],
    ["PUBLISH", "plain", "in exec"], ["EXEC"],
    ["WATCH", "n"], ["SET", "n", "0"], ["MULTI"], ["SET", "never", "1"], ["EXEC"],  # its own write breaks it
    ["GET", "never"], ["FLUSHDB"], ["LCS", "a", "b"], ["GET", "a"],
    # Bitmaps: only a changed (or created, or grown) string is told.
    ["SETBIT", "bm", "3", "1"], ["SETBIT", "bm", "3", "1"], ["SETBIT", "bm", "3", "0"], ["SETBIT", "bm", "20", "0"],
    ["GETBIT", "bm", "3"], ["BITOP", "NOT", "bm2", "bm"], ["BITOP", "AND", "bm2", "nokey"], ["BITOP", "AND", "bm3", "nokey"],
    ["BITFIELD", "bf", "SET", "u8", "0", "5"], ["BITFIELD", "bf", "SET", "u8", "0", "5"], ["BITFIELD", "bf", "GET", "u8", "0"],
    ["BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1000"], ["BITFIELD", "bf", "INCRBY", "u8", "0", "1"],
]


def keyspace_events(port, flags):
    """Runs KEYSPACE_SCRIPT and the expiry steps with notify-keyspace-events
    set to `flags`; returns what a PSUBSCRIBE __key*__:* listener heard."""
    c, listener, other = RawConn(port), RawConn(port), RawConn(port)
    c.cmd("FLUSHALL")
    check_eq(c.cmd("CONFIG", "SET", "notify-keyspace-events", flags), "OK", f"CONFIG SET {flags}")
    check_eq(listener.cmd("PSUBSCRIBE", "__key*__:*"), [b"psubscribe", b"__key*__:*", 1], "PSUBSCRIBE")
    for cmd in KEYSPACE_SCRIPT:
        c.cmd(*cmd)
    # A WATCH broken by another client: the block writes nothing, tells nothing.
    c.cmd("WATCH", "w")
    other.cmd("SET", "w", "other")
    check_eq([c.cmd("MULTI"), c.cmd("SET", "w", "mine"), c.cmd("EXEC")], ["OK", "QUEUED", None], "broken WATCH")
    script_data, _ = listener.read_raw(timeout=0.3)
    # Expiry: found by a read, by a write, or by the background sweep, each
    # told once as "expired". Which comes first depends on when each
    # server's sweep runs, so the caller compares these as a set.
    c.cmd("SET", "x1", "v", "PX", "30")
    c.cmd("SET", "x2", "v", "PX", "30")
    time.sleep(0.3)
    c.cmd("GET", "x1")
    c.cmd("SET", "x2", "again")
    keys_without_x3 = c.cmd("DBSIZE")
    c.cmd("SET", "x3", "v", "PX", "30")
    deadline = time.time() + 3
    while c.cmd("DBSIZE") != keys_without_x3 and time.time() < deadline:  # until the sweep reclaims x3
        time.sleep(0.05)
    expiry_data, _ = listener.read_raw(timeout=0.5)
    c.cmd("CONFIG", "SET", "notify-keyspace-events", "")
    for x in (c, listener, other):
        x.close()
    return [m[2:] for m in parse_all(script_data)], [m[2:] for m in parse_all(expiry_data)]


def test_keyspace_notifications():
    tmkv = harness.start_tmkv("--io-threads", 2)
    redis = harness.start_redis()
    pool = ThreadPoolExecutor(2)  # both servers at once: each run is mostly quiet waits
    try:
        for flags in ("KEA", "Ex", "Kg", "E$x", "Ag", "KEAmn", "Emn", "Kgn", "Km"):
            runs = [pool.submit(keyspace_events, port, flags) for port in (tmkv.port, redis.port)]
            (got, got_x), (want, want_x) = runs[0].result(), runs[1].result()
            for i, (g, w) in enumerate(zip(got, want)):
                check_eq(g, w, f"flags {flags}: event {i}")
            check_eq(len(got), len(want), f"flags {flags}: number of events")
            check_eq(sorted(got_x), sorted(want_x), f"flags {flags}: the expiry events")
            for events in (got_x, want_x):
                x2 = [e[1] for e in events if e[0] == b"__keyspace@0__:x2" and e[1] in (b"expired", b"set")]
                if b"expired" in x2 and b"set" in x2:
                    check(x2[-2:] == [b"expired", b"set"], f"x2: expired, then written again: {x2}")
        script, expiry = keyspace_events(tmkv.port, "KEA")
        check(len(script) > 100 and len(expiry) == 20, f"the script makes events: {len(script)}, {len(expiry)}")
        for server in (tmkv, redis):
            c = RawConn(server.port)
            for flags, shown in (("KEA", b"AKE"), ("Ex", b"xE"), ("gg$E", b"g$E"), ("AKE", b"AKE"), ("", b""),
                                 ("KA", b"AK"), ("lshztdeK", b"lshzetdK"), ("mKEA", b"AKEm")):
                check_eq(c.cmd("CONFIG", "SET", "notify-keyspace-events", flags), "OK", f"{server.name}: {flags}")
                check_eq(c.cmd("CONFIG", "GET", "notify-keyspace-events"), [b"notify-keyspace-events", shown],
                         f"{server.name}: {flags} reads back as {shown}")
            reply = c.cmd("CONFIG", "SET", "notify-keyspace-events", "Ezq")
            check(reply[0] == "ERR" and "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." in reply[1],
                  f"{server.name}: a bad class: {reply}")
            c.close()
        # n reads back as Redis 7.2 shows it; Redis 7.0 leaves it out of the
        # string (a bug 7.2 fixed) while still sending the events.
        c = RawConn(tmkv.port)
        for flags, shown in (("nE", b"En"), ("AmnK", b"AKmn")):
            check_eq(c.cmd("CONFIG", "SET", "notify-keyspace-events", flags), "OK", f"tmkv: {flags}")
            check_eq(c.cmd("CONFIG", "GET", "notify-keyspace-events"), [b"notify-keyspace-events", shown],
                     f"tmkv: {flags} reads back as {shown}")
        c.close()
    finally:
        pool.shutdown()
        tmkv.stop()
        redis.stop()


def test_python_redis_client():
    srv = harness.start_tmkv("--io-threads", 2)
    try:
        r = srv.client()
        p = r.pubsub(ignore_subscribe_messages=True)
        p.subscribe("alerts")
        p.psubscribe("log.*")
        time.sleep(0.1)
        check_eq(r.publish("alerts", "a1"), 1, "publish to a channel")
        check_eq(r.publish("log.error", "e1"), 1, "publish to a pattern")
        got = []
        deadline = time.time() + 5
        while len(got) < 2 and time.time() < deadline:
            m = p.get_message(timeout=1.0)
            if m:
                got.append((m["type"], m["channel"], m["data"]))
        check_eq(got, [("message", b"alerts", b"a1"), ("pmessage", b"log.error", b"e1")], "messages via redis-py")
        check_eq(r.pubsub_numsub("alerts"), [(b"alerts", 1)], "pubsub_numsub")
        check_eq(r.pubsub_numpat(), 1, "pubsub_numpat")
        p.close()
    finally:
        srv.stop()


def client_types_script(port):
    """CLIENT LIST TYPE / ID and CLIENT KILL TYPE with two subscribers (a
    channel and a pattern) and two plain clients; client ids replaced by
    the clients' names, so the two servers' runs compare."""
    ids = {}  # name -> client id

    def conn(name):
        c = RawConn(port)
        ids[name] = c.cmd("CLIENT", "ID")
        return c

    def listed(reply):
        if isinstance(reply, tuple):
            return reply
        names = {v: k for k, v in ids.items()}
        listed_ids = [int(f.split("=", 1)[1]) for line in reply.decode().splitlines() for f in line.split()
                      if f.startswith("id=")]
        return [names.get(i, "?") for i in listed_ids]

    sub, psub, plain, ctl = conn("sub"), conn("psub"), conn("plain"), conn("ctl")
    sub.cmd("SUBSCRIBE", "ch")
    psub.cmd("PSUBSCRIBE", "p*")
    steps = []
    for args in (["TYPE", "pubsub"], ["TYPE", "PubSub"], ["TYPE", "normal"], ["TYPE", "master"], ["TYPE", "replica"],
                 ["TYPE", "slave"], ["TYPE", "bogus"], ["TYPE"], ["TYPE", "normal", "x"],
                 ["ID", ids["ctl"], 999999, ids["plain"], ids["ctl"]],
                 ["ID", 1, "x"], ["ID"], ["FOO", "bar"]):
        reply = ctl.cmd("CLIENT", "LIST", *args)
        steps.append((args[0], sorted(listed(reply)) if args[0] == "TYPE" else listed(reply)))
    steps.append(("kill master", ctl.cmd("CLIENT", "KILL", "TYPE", "master")))
    steps.append(("kill bogus", ctl.cmd("CLIENT", "KILL", "TYPE", "bogus")))
    steps.append(("kill pubsub", ctl.cmd("CLIENT", "KILL", "TYPE", "pubsub")))
    for c in (sub, psub):
        closed = False
        try:
            c.read_reply()
        except (ConnectionError, OSError):
            closed = True
        steps.append(("closed", closed))
    steps.append(("kill normal", ctl.cmd("CLIENT", "KILL", "TYPE", "normal")))  # SKIPME yes: only plain
    steps.append(("left", sorted(listed(ctl.cmd("CLIENT", "LIST")))))  # a killed client is gone at once
    steps.append(("kill again", ctl.cmd("CLIENT", "KILL", "ID", ids["plain"])))
    try:  # a killed client runs nothing more
        plain.send(resp_command("SET", "after-kill", "1"))
    except OSError:
        pass
    time.sleep(0.05)
    steps.append(("after kill", ctl.cmd("EXISTS", "after-kill")))
    for c in (plain, ctl):
        c.close()
    return steps


def test_client_types_as_redis():
    tmkv = harness.start_tmkv("--io-threads", 2)
    redis = harness.start_redis()
    try:
        got = client_types_script(tmkv.port)
        want = client_types_script(redis.port)
        check_eq(got, want, "CLIENT LIST / KILL by type and id, tmkv against redis-server")
        check_eq(got[0], ("TYPE", ["psub", "sub"]), "TYPE pubsub lists the subscribers only")
        check_eq(got[2], ("TYPE", ["ctl", "plain"]), "TYPE normal lists the others")
    finally:
        tmkv.stop()
        redis.stop()


TESTS = [
    ("1", "same pub/sub streams as redis-server", test_same_as_redis),
    ("2", "PUBLISH inside EXEC: once, after the commit", test_publish_in_exec_once_after_commit),
    ("3", "fan-out to subscribers on every I/O thread", test_fan_out_across_threads),
    ("4", "client-output-buffer-limit for subscribers", test_output_limit),
    ("5", "python3-redis PubSub", test_python_redis_client),
    ("6", "the idle timeout spares subscribers", test_idle_timeout_spares_subscribers),
    ("7", "keyspace notifications", test_keyspace_notifications),
    ("8", "CLIENT LIST TYPE / ID and CLIENT KILL TYPE as redis-server", test_client_types_as_redis),
]


if __name__ == "__main__":
    sys.exit(run_tests(TESTS, sys.argv[1:]))
