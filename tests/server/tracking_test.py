#!/usr/bin/python3
"""CLIENT TRACKING (client-side caching) against a real redis-server 7.0.

  (1) The same multi-connection script runs against redis-server and
      tmkv-server (started with --io-threads 2, so the connections, handed
      out round-robin, sit on both I/O threads: tracking clients and writers
      on different threads); what every connection receives after each step
      must be byte-identical: replies, RESP3 `invalidate` pushes, the pub/sub
      messages a RESP2 REDIRECT target gets on __redis__:invalidate,
      `tracking-redir-broken`, the null of FLUSHALL/FLUSHDB. Covered:
      default mode (strings, hashes, MGET/MSET, DEL of a missing key, the
      client's own writes), expiry (PX 400, then a wait; a key that expired before a read), MULTI/EXEC (reads
      and writes inside the block), scripts (EVAL reading, and writing then
      reading), OPTIN/OPTOUT with CLIENT CACHING, NOLOOP, BCAST with
      prefixes (MSET's keys in one sorted message, EXEC's in one),
      tracking-table-max-keys, CLIENT TRACKINGINFO / GETREDIR / INFO /
      CLIENT INFO's flags= and redir=, RESET, OFF and Redis's error texts.
      Client ids differ between the servers: they are replaced by the
      connection's name before comparing.
  (2) Across I/O threads under contention: writers on both threads run
      MULTI/INCR/EXEC blocks on keys a RESP3 client tracks (transactions
      that retry); the tracking client, re-reading each key after each
      invalidation, gets exactly one invalidation per read it made before a
      committed write, never one for a write it did not see, and none twice.

Declared differences from Redis (steps avoid them):
  * Turning tracking OFF (or disconnecting) forgets the client's remembered
    keys at once (INFO tracking_total_keys/items drop); Redis leaves them in
    its table until the key changes, and a client that turns tracking back
    ON may then still hear of keys it read before OFF.
  * BCAST messages are batched per committed command, Redis's per
    event-loop turn (a pipeline of writes makes several messages in tmkv).
  * Over tracking-table-max-keys, tmkv evicts right after the command that
    grew the table, Redis before the next command. The push goes through
    the client's mailbox, so it may come before or after the reply of a
    command pipelined behind (Redis: before); one pipelined step compares
    it with the push put last.
  * A RESP3 REDIRECT target that never opened a mailbox (never subscribed,
    monitored or tracked) gets nothing.
  * Reads inside EXEC and scripts are remembered as they run, before the
    commit (so no write committing in between is missed); an attempt that
    aborts and retries may so leave an entry Redis would not have, and the
    client may hear of that key once more than in Redis (never less).

Run: TMKV_SERVER=build/bin/tmkv-server /usr/bin/python3 tests/server/tracking_test.py
"""
import re
import sys
import threading
import time

import harness
from raw_resp import RawConn, check, check_eq, resp_command, run_tests

# Seconds without a byte from the stepping connection: its output is
# complete; then how long other connections' messages may take (longer
# under the sanitizers).
SLOW = 4 if any(s in harness.os.environ.get("TMKV_SERVER", "") for s in ("tsan", "asan")) else 1.5
QUIET = 0.02 * SLOW
SPREAD = 0.01 * SLOW

# Steps: (conn, [args]) sends one command; (conn, [[args], [args]]) a
# pipeline; ("sleep", s); ("close", conn); ("info", conn, [fields]) compares
# those INFO fields; ("clientinfo", conn) compares CLIENT INFO's flags= and
# redir=. "{X}" in an argument is connection X's client id.
SCRIPT = [
    # Errors, before anyone tracks.
    ("t", ["CLIENT", "TRACKING", "maybe"]),
    ("t", ["CLIENT", "TRACKING", "on", "PREFIX", "a"]),
    ("t", ["CLIENT", "TRACKING", "on", "BCAST", "OPTIN"]),
    ("t", ["CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"]),
    ("t", ["CLIENT", "TRACKING", "on", "REDIRECT", "99999"]),
    ("t", ["CLIENT", "TRACKING", "on", "REDIRECT", "abc"]),
    ("t", ["CLIENT", "TRACKING", "on", "REDIRECT", "{s}", "REDIRECT", "{s}"]),
    ("t", ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "ab"]),
    ("t", ["CLIENT", "TRACKING", "on", "FOO"]),
    ("t", ["CLIENT", "TRACKING", "on", "REDIRECT"]),
    ("t", ["CLIENT", "TRACKING"]),
    ("t", ["CLIENT", "CACHING", "yes"]),
    ("t", ["CLIENT", "CACHING", "yes", "no"]),
    ("t", ["CLIENT", "GETREDIR"]),
    ("t", ["CLIENT", "TRACKINGINFO"]),
    ("clientinfo", "t"),
    ("info", "w", ["tracking_clients", "tracking_total_keys", "tracking_total_items", "tracking_total_prefixes"]),
    # Default mode, RESP3.
    ("t", ["CLIENT", "TRACKING", "on"]),
    ("t", ["CLIENT", "CACHING", "yes"]),
    ("t", ["CLIENT", "GETREDIR"]),
    ("t", ["CLIENT", "TRACKINGINFO"]),
    ("clientinfo", "t"),
    ("w", ["SET", "k1", "v1"]),
    ("t", ["GET", "k1"]),
    ("w", ["SET", "k1", "v2"]),
    ("w", ["SET", "k1", "v3"]),  # forgotten after the first invalidation
    ("t", ["MGET", "k1", "k2"]),
    ("w", ["DEL", "k2"]),  # a missing key: no change, no message
    ("w", ["MSET", "k1", "a", "k2", "b"]),
    ("t", ["HGET", "h", "f"]),
    ("w", ["HSET", "h", "f", "1"]),
    ("t", ["GET", "own"]),
    ("t", ["SET", "own", "1"]),  # its own write: the push after the reply
    ("info", "w", ["tracking_clients", "tracking_total_keys", "tracking_total_items"]),
    # Expiry.
    ("t", ["GET", "e"]),
    ("w", ["SET", "e", "1", "PX", "400"]),
    ("t", ["GET", "e"]),
    ("sleep", 0.6),
    ("w", ["GET", "e"]),
    ("t", ["PING"]),
    # A key that expired before the tracking client reads it: deleted (by
    # the sweep or by this read) before the read is remembered, so no
    # message.
    ("w", ["SET", "e2", "1", "PX", "50"]),
    ("sleep", 0.2),
    ("t", ["GET", "e2"]),
    ("w", ["SET", "e2", "2"]),

    # MULTI/EXEC: a writer's block, and the tracking client's own.
    ("t", ["MGET", "m1", "m2"]),
    ("w", [["MULTI"], ["SET", "m1", "1"], ["INCR", "m2"], ["GET", "m1"], ["EXEC"]]),
    ("t", [["MULTI"], ["GET", "q"], ["SET", "q2", "x"], ["GET", "q2"], ["EXEC"]]),
    ("w", ["SET", "q", "1"]),
    ("w", ["SET", "q2", "1"]),
    ("t", [["MULTI"], ["GET", "q3"], ["SET", "q3", "x"], ["EXEC"]]),
    # Keys after a count (ZUNION, SINTERCARD): each is remembered.
    ("w", ["ZADD", "za", "1", "a"]),
    ("t", ["ZUNION", "2", "za", "zb", "WITHSCORES"]),
    ("w", ["ZADD", "zb", "2", "b"]),
    ("t", ["SINTERCARD", "2", "sa", "sb", "LIMIT", "5"]),
    ("w", ["SADD", "sb", "x"]),
    ("w", ["SADD", "sa", "x"]),
    # PFCOUNT writes its cached count before Redis remembers the read: the
    # reader is not told of that write, but of the next PFADD.
    ("w", ["PFADD", "hll"] + [f"m{i}" for i in range(40)]),  # a count of 40: below every client id (FIRST_ID)
    ("t", ["PFCOUNT", "hll"]),
    ("w", ["PFADD", "hll", "c"]),
    ("t", [["MULTI"], ["PFCOUNT", "hll"], ["EXEC"]]),
    ("w", ["PFADD", "hll", "d"]),
    # Scripts.
    ("t", ["EVAL", "return redis.call('GET', KEYS[1])", "1", "s1"]),
    ("w", ["SET", "s1", "x"]),
    ("t", ["EVAL", "redis.call('SET', KEYS[1], 'a'); return redis.call('GET', KEYS[1])", "1", "s2"]),
    ("w", ["SET", "s2", "x"]),
    ("t", ["EVAL_RO", "return redis.call('GET', KEYS[1])", "1", "s3"]),
    ("w", ["SET", "s3", "x"]),
    # FLUSHALL / FLUSHDB: a null to everyone; by the tracking client itself.
    ("t", ["GET", "f1"]),
    ("w", ["FLUSHALL"]),
    ("t", ["FLUSHDB"]),
    ("info", "w", ["tracking_clients", "tracking_total_keys", "tracking_total_items"]),
    # RESP2 with REDIRECT to a subscriber.
    ("s", ["SUBSCRIBE", "__redis__:invalidate"]),
    ("r2", ["CLIENT", "TRACKING", "on", "REDIRECT", "{s}"]),
    ("r2", ["CLIENT", "GETREDIR"]),
    ("r2", ["CLIENT", "TRACKINGINFO"]),
    ("clientinfo", "r2"),
    ("r2", ["GET", "r1"]),
    ("r2", ["GET", "r2key"]),
    ("w", ["SET", "r1", "x"]),
    ("w", ["DEL", "r2key"]),
    ("r2", ["GET", "r3"]),
    ("w", ["FLUSHALL"]),
    ("r2", ["CLIENT", "TRACKING", "off"]),
    ("r2", ["CLIENT", "GETREDIR"]),
    ("clientinfo", "r2"),
    # A redirect to a client that is gone.
    ("x3", ["CLIENT", "TRACKING", "on", "REDIRECT", "{gone}"]),
    ("x3", ["GET", "rb"]),
    ("close", "gone"),
    ("sleep", 0.1),
    ("w", ["SET", "rb", "1"]),
    ("x3", ["CLIENT", "TRACKINGINFO"]),
    ("clientinfo", "x3"),
    ("x3", ["CLIENT", "TRACKING", "on", "REDIRECT", "{w}"]),
    ("x3", ["CLIENT", "TRACKINGINFO"]),
    ("x3", ["CLIENT", "TRACKING", "off"]),
    # OPTIN / OPTOUT and CLIENT CACHING.
    ("o", ["CLIENT", "TRACKING", "on", "OPTIN"]),
    ("o", ["CLIENT", "CACHING", "no"]),
    ("o", ["CLIENT", "CACHING", "maybe"]),
    ("o", ["GET", "o1"]),
    ("w", ["SET", "o1", "1"]),
    ("o", ["CLIENT", "CACHING", "yes"]),
    ("o", ["CLIENT", "TRACKINGINFO"]),
    ("o", ["GET", "o1"]),
    ("o", ["GET", "o2"]),  # CACHING held for one command only
    ("w", ["MSET", "o1", "2", "o2", "2"]),
    ("o", [["CLIENT", "CACHING", "yes"], ["MULTI"], ["GET", "o3"], ["GET", "o4"], ["EXEC"]]),
    ("w", ["MSET", "o3", "2", "o4", "2"]),
    ("o", ["CLIENT", "TRACKING", "on", "OPTOUT"]),
    ("o", ["CLIENT", "TRACKING", "off"]),
    ("o", ["CLIENT", "TRACKING", "on", "OPTOUT"]),
    ("o", ["CLIENT", "CACHING", "yes"]),
    ("o", ["GET", "p1"]),
    ("o", [["CLIENT", "CACHING", "no"], ["GET", "p2"]]),
    ("o", ["CLIENT", "TRACKINGINFO"]),
    ("w", ["MSET", "p1", "1", "p2", "1"]),
    ("o", ["CLIENT", "TRACKING", "on", "BCAST"]),
    ("o", ["CLIENT", "TRACKING", "off"]),
    # NOLOOP.
    ("n", ["CLIENT", "TRACKING", "on", "NOLOOP"]),
    ("n", ["GET", "n1"]),
    ("n", ["SET", "n1", "1"]),
    ("w", ["SET", "n1", "2"]),
    ("n", ["GET", "n1"]),
    ("w", ["SET", "n1", "3"]),
    ("n", ["CLIENT", "TRACKINGINFO"]),
    ("n", ["CLIENT", "TRACKING", "off"]),
    # BCAST with prefixes.
    ("b", ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:", "PREFIX", "obj:"]),
    ("b", ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "us"]),
    ("b", ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x", "PREFIX", "y"]),
    ("b", ["CLIENT", "TRACKING", "on"]),
    ("b", ["CLIENT", "TRACKINGINFO"]),
    ("clientinfo", "b"),
    ("info", "w", ["tracking_clients", "tracking_total_prefixes"]),
    ("w", ["SET", "user:1", "x"]),
    ("w", ["MSET", "obj:2", "a", "obj:1", "b", "other", "c", "user:9", "d"]),
    ("w", [["MULTI"], ["SET", "user:3", "1"], ["SET", "user:2", "1"], ["SET", "user:3", "2"], ["EXEC"]]),
    ("w", ["SET", "nomatch", "1"]),
    ("b", ["SET", "user:self", "1"]),
    ("b2", ["CLIENT", "TRACKING", "on", "BCAST", "NOLOOP"]),
    ("b2", ["SET", "z", "1"]),
    ("w", ["SET", "z", "2"]),
    ("b2", ["CLIENT", "TRACKINGINFO"]),
    ("w", ["FLUSHALL"]),
    ("b2", ["CLIENT", "TRACKING", "off"]),
    ("b", ["RESET"]),
    ("b", ["CLIENT", "TRACKINGINFO"]),
    ("w", ["SET", "user:1", "y"]),
    ("info", "w", ["tracking_clients", "tracking_total_prefixes"]),
    # tracking-table-max-keys: one of two keys is evicted, at random.
    ("w", ["CONFIG", "GET", "tracking-table-max-keys"]),
    ("w", ["CONFIG", "SET", "tracking-table-max-keys", "1"]),
    ("t", [["GET", "x1"], ["GET", "x2"], ["PING"]]),
    ("info", "w", ["tracking_total_keys"]),
    ("w", ["CONFIG", "SET", "tracking-table-max-keys", "1000000"]),
    # OFF.
    ("t", ["CLIENT", "TRACKING", "off"]),
    ("w", ["SET", "x1", "1"]),
    ("w", ["SET", "x2", "1"]),
    ("info", "w", ["tracking_clients"]),
    ("t", ["CLIENT", "TRACKINGINFO"]),
    ("clientinfo", "t"),
]

RESP3 = {"t", "x3", "o", "n", "b", "b2"}
CONNS = ["t", "w", "s", "r2", "gone", "x3", "o", "n", "b", "b2"]


def read_for(conn, quiet):
    data, closed = conn.read_raw(timeout=quiet)
    check(not closed, "connection closed")
    return data


# Client ids are replaced by names in the compared streams (normalize), so
# no id the script uses may equal an integer reply: SCRIPT's integers stay
# below this, and the ids start above it.
FIRST_ID = 100


def skip_low_ids(port):
    """Opens and closes connections until the server hands out ids from
    FIRST_ID on. (The harness's readiness probe may take id 1 or not: tmkv
    numbers a connection when its I/O thread takes it over, so the probe's
    can come after the script's first.)"""
    while True:
        c = RawConn(port)
        c.send(resp_command("CLIENT", "ID"))
        got = c.read_reply()
        c.close()
        if got >= FIRST_ID:
            return


def run_script(port):
    """Runs SCRIPT; returns the list of what each step made each connection
    receive, client ids replaced by names."""
    skip_low_ids(port)
    conns, ids = {}, {}
    for name in CONNS:
        c = RawConn(port)
        if name in RESP3:
            c.send(resp_command("HELLO", "3"))
            c.read_reply()
        c.send(resp_command("CLIENT", "ID"))
        ids[name] = c.read_reply()
        conns[name] = c
    id_re = re.compile(rb"(?:(?<=\r\n)|^):(\d+)\r\n")
    names = {str(v).encode(): k for k, v in ids.items()}

    def normalize(data):
        return id_re.sub(lambda m: b":<" + names[m.group(1)].encode() + b">\r\n" if m.group(1) in names else m.group(0), data)

    def arg(a):
        return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), a)

    out = []
    for step in SCRIPT:
        kind = step[0]
        if kind == "sleep":
            time.sleep(step[1])
            continue
        if kind == "close":
            conns.pop(step[1]).close()
            continue
        if kind == "info":
            c = conns[step[1]]
            c.send(resp_command("INFO", "everything"))
            text = c.read_reply().decode()
            fields = dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)
            out.append((step, {f: fields.get(f) for f in step[2]}))
            continue
        if kind == "clientinfo":
            c = conns[step[1]]
            c.send(resp_command("CLIENT", "INFO"))
            text = c.read_reply().decode()
            fields = dict(kv.split("=", 1) for kv in text.split())
            redir = fields["redir"]
            redir = next((f"<{k}>" for k, v in ids.items() if str(v) == redir), redir)
            out.append((step, fields["flags"], redir))
            continue
        conn, args = step
        cmds = args if isinstance(args[0], list) else [args]
        conns[conn].send(b"".join(resp_command(*[arg(a) for a in cmd]) for cmd in cmds))
        got = {conn: read_for(conns[conn], QUIET)}
        time.sleep(SPREAD)
        for name, c in conns.items():
            if name != conn:
                check(not c.closed_now(), f"{name} closed")
                got[name], c.buf = c.buf, b""
        out.append((step, {k: normalize(v) for k, v in got.items() if v}))
    for c in conns.values():
        c.close()
    return out


EVICTION_PUSH = b">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nx?\r\n"


def evicted_key_free(steps):
    """The max-keys step evicts x1 or x2 at random: both are named x?. Its
    push comes before the pipelined PING's reply in Redis and before or
    after it in tmkv (declared above): it is compared as put last."""
    out = []
    for x in steps:
        step = x[0]
        if step[0] == "t" and isinstance(step[1][0], list) and step[1][0] == ["GET", "x1"]:
            def fix(v):
                v = re.sub(rb"x[12]\r\n", b"x?\r\n", v)
                return v.replace(EVICTION_PUSH, b"") + EVICTION_PUSH if EVICTION_PUSH in v else v
            x = (step, {k: fix(v) for k, v in x[1].items()})
        out.append(x)
    return out


def test_same_as_redis():
    redis_srv = harness.start_redis()
    tmkv_srv = harness.start_tmkv("--io-threads", "2")
    try:
        # Both servers at once: the script's waits dominate its time.
        results = {}

        def run(name, port):
            try:
                results[name] = evicted_key_free(run_script(port))
            except BaseException as e:  # re-raised below, in the test's thread
                results[name] = e

        threads = [threading.Thread(target=run, args=("redis", redis_srv.port)),
                   threading.Thread(target=run, args=("tmkv", tmkv_srv.port))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for r in results.values():
            if isinstance(r, BaseException):
                raise r
        want, got = results["redis"], results["tmkv"]
    finally:
        redis_srv.stop()
        tmkv_srv.stop()
    check_eq(len(got), len(want), "steps")
    bad = [f"step {w[0]}:\n   tmkv  {g[1:]}\n   redis {w[1:]}" for g, w in zip(got, want) if g != w]
    check(not bad, f"{len(bad)} steps differ:\n" + "\n".join(bad))


def test_contended_across_threads():
    """Writers on both I/O threads, MULTI/INCR/EXEC on tracked keys; the
    tracking client hears of each tracked key once per read."""
    srv = harness.start_tmkv("--io-threads", "2")
    keys = [f"c{i}" for i in range(4)]
    try:
        t = RawConn(srv.port)
        t.cmd("HELLO", "3")
        check_eq(t.cmd("CLIENT", "TRACKING", "on"), "OK", "tracking on")
        stop = threading.Event()
        commits = [0]
        lock = threading.Lock()

        def writer():
            w = RawConn(srv.port)
            n = 0
            while not stop.is_set():
                w.send(b"".join(resp_command(*c) for c in (["MULTI"], ["INCR", keys[n % 4]], ["INCR", keys[(n + 1) % 4]], ["EXEC"])))
                replies = [w.read_reply() for _ in range(4)]
                check(isinstance(replies[3], list), "EXEC committed")
                n += 1
            with lock:
                commits[0] += n
            w.close()

        threads = [threading.Thread(target=writer) for _ in range(4)]
        for th in threads:
            th.start()
        # Read every key; then, for 2 seconds, re-read each key the moment
        # its invalidation arrives. An invalidation for a key not read since
        # its last invalidation would be a duplicate.
        outstanding = set()
        for k in keys:
            t.send(resp_command("GET", k))
            outstanding.add(k)
        invalidations, deadline = 0, time.time() + 2.0
        pending_replies = len(keys)
        while time.time() < deadline:
            msg = t.read_reply()
            if isinstance(msg, list) and len(msg) == 2 and msg[0] == b"invalidate":
                for k in msg[1]:
                    k = k.decode()
                    check(k in outstanding, f"duplicate invalidation of {k}")
                    outstanding.discard(k)
                    invalidations += 1
                    t.send(resp_command("GET", k))
                    outstanding.add(k)
                    pending_replies += 1
            else:
                pending_replies -= 1
        stop.set()
        for th in threads:
            th.join()
        check(invalidations > 20, f"only {invalidations} invalidations")
        # Every key read since its last invalidation is told once more after
        # one more write of each.
        w = RawConn(srv.port)
        for k in keys:
            w.cmd("INCR", k)
        data = b""
        deadline = time.time() + 3
        while outstanding and time.time() < deadline:
            msg = t.read_reply()
            if isinstance(msg, list) and len(msg) == 2 and msg[0] == b"invalidate":
                for k in msg[1]:
                    check(k.decode() in outstanding, f"duplicate invalidation of {k}")
                    outstanding.discard(k.decode())
        check_eq(outstanding, set(), "keys never invalidated")
        data, _ = t.read_raw(timeout=0.2)
        check(b"invalidate" not in data, f"extra invalidations {data[:200]!r}")
        info = w.cmd("INFO", "stats").decode()
        check("tracking_total_keys:0\r\n" in info, "table empty after the last invalidations: " +
              re.search(r"tracking_total_keys:\d+", info).group(0))
        t.close()
        info = w.cmd("INFO", "clients").decode()
        check("tracking_clients:" in info, "INFO clients")
        w.close()
    finally:
        srv.stop()


TESTS = [
    ("1", "the same tracking streams as redis-server", test_same_as_redis),
    ("2", "invalidations across I/O threads under contention", test_contended_across_threads),
]


if __name__ == "__main__":
    sys.exit(run_tests(TESTS, sys.argv[1:]))
