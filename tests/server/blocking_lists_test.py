#!/usr/bin/python3
"""The blocking list commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP)
and sorted-set pops (BZPOPMIN, BZPOPMAX, BZMPOP) against a real
redis-server, and under concurrency.

  (a) The same multi-connection script runs against tmkv-server and
      redis-server 7.0, each step's replies compared byte for byte: clients
      that block in turn are served in the order they blocked by a later
      push (one element each, the push's reply first), BLMOVE and BLMPOP
      woken by a push, a timeout's null reply, commands pipelined behind a
      blocked one answered only after it, MULTI and EXEC never blocking,
      a key of another type not serving a woken client, keyspace events of
      a served pop, INFO's blocked_clients and CLIENT LIST's b flag.
  (b) A work queue: consumers on both I/O threads wait with BRPOP, BLMOVE
      and BLMPOP while producers push numbered items in bursts: every item
      is received exactly once, the consumers drain the queue, and none is
      left blocked.
  (c) A client that disconnects while blocked, or times out, passes its
      wake-up on: an element pushed for it goes to the next waiter, not
      lost in the list.
  (d) CLIENT UNBLOCK, TIMEOUT and ERROR, as redis-server: the blocked
      client's reply, the next command running after it, UNBLOCK's 1 or 0,
      its errors, and the statistics it leaves (failed calls, errorstats).
  (e) (a) for BZPOPMIN, BZPOPMAX and BZMPOP (ZSET_SCRIPT), one client in
      RESP3.
  (f) WAIT, with no replicas on either server: its argument errors, 0 at
      once when 0 replicas suffice or inside MULTI, 0 after its timeout,
      blocked on nothing until then or until CLIENT UNBLOCK (a pipelined
      command answered after it), refused in scripts, and its statistics.

Run: TMKV_SERVER=build/bin/tmkv-server /usr/bin/python3 tests/server/blocking_lists_test.py [a b c d e f]
"""
import sys
import threading
import time

import redis

import harness
from raw_resp import RawConn, check, check_eq, resp_command, run_tests

# Steps: (connection, command args, read the reply now?). A command sent
# without reading (False) is read by a later ("read", connection) step.
SCRIPT = [
    ("ctl", ["CONFIG", "SET", "notify-keyspace-events", "KEl"], True),
    ("sub", ["SUBSCRIBE", "__keyevent@0__:lpop", "__keyevent@0__:del", "__keyevent@0__:rpush"], True),
    ("a", ["BLPOP", "q", "q2", "5"], False),
    ("pause",),
    ("b", ["BLPOP", "q", "5"], False),
    ("pause",),
    ("c", ["BRPOP", "q", "5"], False),
    ("pause",),
    ("ctl", ["INFO", "clients"], "blocked_clients"),
    ("ctl", ["RPUSH", "q", "x", "y"], True),
    ("read", "a"),
    ("read", "b"),
    ("ctl", ["LLEN", "q"], True),
    ("ctl", ["RPUSH", "q2", "z"], True),
    ("ctl", ["RPUSH", "q", "w"], True),
    ("read", "c"),
    ("ctl", ["EXISTS", "q", "q2"], True),
    ("read_all", "sub"),
    # Pipelined behind a blocked command: answered after it.
    ("a", ["BLMOVE", "src", "dst", "RIGHT", "LEFT", "5", "PING"], "pipeline"),
    ("pause",),
    ("ctl", ["LPUSH", "src", "1", "2"], True),
    ("read", "a"),
    ("read", "a"),
    ("ctl", ["LRANGE", "dst", "0", "-1"], True),
    ("ctl", ["LRANGE", "src", "0", "-1"], True),
    # BLMPOP woken, with a count.
    ("b", ["BLMPOP", "5", "2", "m1", "m2", "LEFT", "COUNT", "3"], False),
    ("pause",),
    ("ctl", ["RPUSH", "m2", "p", "q", "r", "s"], True),
    ("read", "b"),
    ("ctl", ["LRANGE", "m2", "0", "-1"], True),
    # A timeout, then the next pipelined command.
    ("c", ["BRPOPLPUSH", "none", "d", "0.2", "ECHO", "after"], "pipeline"),
    ("read", "c"),
    ("read", "c"),
    # Inside MULTI nothing blocks.
    ("a", ["MULTI"], True),
    ("a", ["BLPOP", "none", "0"], True),
    ("a", ["BLMOVE", "none", "x", "LEFT", "LEFT", "0"], True),
    ("a", ["EXEC"], True),
    # A woken client is not served from a key of another type.
    ("b", ["BLPOP", "t", "5"], False),
    ("pause",),
    ("ctl", ["SET", "t", "string"], True),
    ("ctl", ["DEL", "t"], True),
    ("ctl", ["RPUSH", "t", "finally"], True),
    ("read", "b"),
    ("ctl", ["INFO", "clients"], "blocked_clients"),
    ("ctl", ["CLIENT", "LIST"], "flags"),
]


# The blocking sorted-set pops (BZPOPMIN, BZPOPMAX, BZMPOP), as SCRIPT: FIFO
# service by a later ZADD, BZMPOP's count, a set made by ZUNIONSTORE
# waking a waiter, timeouts, MULTI, WRONGTYPE, a woken client not served
# from a list, list and sorted-set waiters queued on one key, keyspace
# events; client "c" speaks RESP3.
ZSET_SCRIPT = [
    ("ctl", ["CONFIG", "SET", "notify-keyspace-events", "KEgz"], True),
    ("sub", ["SUBSCRIBE", "__keyevent@0__:zpopmin", "__keyevent@0__:zpopmax", "__keyevent@0__:del",
             "__keyevent@0__:zadd"], True),
    ("c", ["HELLO", "3"], "discard"),
    ("a", ["BZPOPMIN", "z", "z2", "5"], False),
    ("pause",),
    ("b", ["BZPOPMIN", "z", "5"], False),
    ("pause",),
    ("c", ["BZPOPMAX", "z", "5"], False),
    ("pause",),
    ("ctl", ["INFO", "clients"], "blocked_clients"),
    ("ctl", ["ZADD", "z", "2", "y", "1", "x"], True),
    ("read", "a"),
    ("read", "b"),
    ("ctl", ["EXISTS", "z"], True),
    ("ctl", ["ZADD", "z2", "5", "w"], True),
    ("ctl", ["ZADD", "z", "3", "v", "4.5", "u"], True),
    ("read", "c"),
    ("ctl", ["ZRANGE", "z", "0", "-1", "WITHSCORES"], True),
    ("ctl", ["ZRANGE", "z2", "0", "-1", "WITHSCORES"], True),
    ("read_all", "sub"),
    # BZMPOP woken, with a count, in RESP2 and RESP3.
    ("b", ["BZMPOP", "5", "2", "m1", "m2", "MAX", "COUNT", "3"], False),
    ("pause",),
    ("c", ["BZMPOP", "5", "1", "m1", "MIN", "COUNT", "2"], False),
    ("pause",),
    ("ctl", ["ZADD", "m2", "1", "p", "2", "q", "3", "r", "4", "s"], True),
    ("read", "b"),
    ("ctl", ["ZADD", "m1", "-1", "n", "-2", "o", "inf", "i"], True),
    ("read", "c"),
    ("ctl", ["ZRANGE", "m2", "0", "-1", "WITHSCORES"], True),
    ("ctl", ["ZRANGE", "m1", "0", "-1", "WITHSCORES"], True),
    # A set stored whole by ZUNIONSTORE wakes a waiter.
    ("ctl", ["SADD", "plain", "e1"], True),
    ("a", ["BZPOPMAX", "u", "5"], False),
    ("pause",),
    ("ctl", ["ZUNIONSTORE", "u", "1", "plain", "WEIGHTS", "7"], True),
    ("read", "a"),
    # Timeouts.
    ("b", ["BZPOPMIN", "none", "0.2"], True),
    ("c", ["BZMPOP", "0.2", "1", "none", "MIN"], True),
    ("c", ["BZPOPMAX", "none", "0.1"], True),
    # Inside MULTI nothing blocks.
    ("a", ["MULTI"], True),
    ("a", ["BZPOPMIN", "none", "0"], True),
    ("a", ["BZPOPMAX", "none", "none2", "0"], True),
    ("a", ["BZMPOP", "0", "1", "none", "MAX", "COUNT", "2"], True),
    ("a", ["EXEC"], True),
    ("c", ["MULTI"], True),
    ("c", ["BZMPOP", "0", "1", "none", "MAX"], True),
    ("c", ["BZPOPMIN", "none", "0"], True),
    ("c", ["EXEC"], True),
    # WRONGTYPE, and errors before any key is looked at.
    ("ctl", ["SET", "str", "x"], True),
    ("a", ["BZPOPMIN", "str", "0"], True),
    ("a", ["BZPOPMAX", "none", "str", "0"], True),
    ("a", ["BZMPOP", "0", "2", "none", "str", "MIN"], True),
    ("a", ["BZPOPMIN", "str", "-1"], True),
    ("a", ["BZMPOP", "0", "1", "str", "MIN", "COUNT", "0"], True),
    # A woken client is not served from a key of another type.
    ("b", ["BZPOPMIN", "t", "5"], False),
    ("pause",),
    ("ctl", ["RPUSH", "t", "listed"], True),
    ("ctl", ["DEL", "t"], True),
    ("ctl", ["ZADD", "t", "9", "finally"], True),
    ("read", "b"),
    # A list waiter queued behind a sorted-set waiter on the same key is
    # served by a push, and the other way round.
    ("a", ["BZPOPMIN", "mixed", "5"], False),
    ("pause",),
    ("b", ["BLPOP", "mixed", "5"], False),
    ("pause",),
    ("ctl", ["RPUSH", "mixed", "l1"], True),
    ("read", "b"),
    ("ctl", ["ZADD", "mixed", "1", "z1"], True),
    ("read", "a"),
    ("b", ["BLPOP", "mixed2", "5"], False),
    ("pause",),
    ("c", ["BZPOPMAX", "mixed2", "5"], False),
    ("pause",),
    ("ctl", ["ZADD", "mixed2", "2", "z2"], True),
    ("read", "c"),
    ("ctl", ["LPUSH", "mixed2", "l2"], True),
    ("read", "b"),
    ("read_all", "sub"),
    ("ctl", ["INFO", "clients"], "blocked_clients"),
    ("ctl", ["CLIENT", "LIST"], "flags"),
]


def run_script(port, script=None):
    conns = {name: RawConn(port) for name in ("ctl", "sub", "a", "b", "c")}
    results = []
    for step in SCRIPT if script is None else script:
        if step[0] == "pause":
            time.sleep(0.15)
            continue
        if step[0] == "read":
            results.append((step[1], conns[step[1]].read_reply()))
            continue
        if step[0] == "read_all":
            got = []
            c = conns[step[1]]
            c.sock.settimeout(0.5)
            try:
                while True:
                    got.append(c.read_reply())
            except OSError:
                pass
            c.sock.settimeout(10)
            results.append((step[1], got))
            continue
        name, args, mode = step
        c = conns[name]
        if mode == "pipeline":  # the blocking command (its six or four words), then one more
            split = 6 if args[0] == "BLMOVE" else 4
            c.send(resp_command(*args[:split]) + resp_command(*args[split:]))
            continue
        c.send(resp_command(*args))
        if mode is False:
            continue
        reply = c.read_reply()
        if mode == "discard":  # HELLO: the server's own name and version
            continue
        if mode == "blocked_clients":
            reply = [line for line in reply.decode().split("\r\n") if line.startswith("blocked_clients")]
        elif mode == "flags":
            reply = sorted(set(f.split("=")[1] for line in reply.decode().splitlines() for f in line.split()
                               if f.startswith("flags=")))
        results.append((name, args[0], reply))
    for c in conns.values():
        c.close()
    return results


def check_same_as_redis(script):
    """Runs script(port) against tmkv-server and redis-server; compares each step."""
    tmkv = harness.start_tmkv("--io-threads", 2)
    peer = harness.start_redis()
    try:
        got = script(tmkv.port)
        want = script(peer.port)
        check_eq(len(got), len(want), "steps")
        for i, (g, w) in enumerate(zip(got, want)):
            check_eq(g, w, f"step {i}")
    finally:
        tmkv.stop()
        peer.stop()


def test_same_as_redis():
    check_same_as_redis(run_script)


def test_zsets_same_as_redis():
    check_same_as_redis(lambda port: run_script(port, ZSET_SCRIPT))


def test_work_queue():
    with harness.start_tmkv("--io-threads", 2) as s:
        producers, bursts, burst = 3, 60, 5
        total = producers * bursts * burst
        received = []
        lock = threading.Lock()
        errors = []
        stop = threading.Event()

        def consumer(w):
            try:
                c = s.client(decode_responses=True)
                while not stop.is_set():
                    kind = w % 3
                    if kind == 0:
                        got = c.brpop(["jobs"], 0.2)
                        items = [got[1]] if got else []
                    elif kind == 1:
                        got = c.execute_command("BLMOVE", "jobs", f"taken:{w}", "LEFT", "RIGHT", "0.2")
                        items = [got] if got else []
                    else:
                        got = c.execute_command("BLMPOP", "0.2", "1", "jobs", "LEFT", "COUNT", "3")
                        items = got[1] if got else []
                    with lock:
                        received.extend(items)
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

        def producer(w):
            try:
                c = s.client(decode_responses=True)
                for b in range(bursts):
                    c.lpush("jobs", *[f"{w}:{b}:{i}" for i in range(burst)])
                    time.sleep(0.002)
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

        consumers = [threading.Thread(target=consumer, args=(w,)) for w in range(6)]
        for t in consumers:
            t.start()
        time.sleep(0.3)  # every consumer is blocked before the first push
        prods = [threading.Thread(target=producer, args=(w,)) for w in range(producers)]
        for t in prods:
            t.start()
        for t in prods:
            t.join(60)
        deadline = time.time() + 20
        while time.time() < deadline:
            with lock:
                if len(received) >= total:
                    break
            time.sleep(0.05)
        stop.set()
        for t in consumers:
            t.join(10)
        check(not errors, f"no errors: {errors[:3]}")
        check_eq(len(received), total, "every item received (count)")
        check_eq(sorted(received), sorted(f"{w}:{b}:{i}" for w in range(producers) for b in range(bursts)
                                          for i in range(burst)), "every item exactly once")
        r = s.client(decode_responses=True)
        check_eq(r.llen("jobs"), 0, "the queue drained")
        time.sleep(0.3)
        check_eq(r.info("clients")["blocked_clients"], 0, "nobody left blocked")
        print(f"  (b) {total} items through 6 blocking consumers")


def test_wakeups_are_passed_on():
    with harness.start_tmkv("--io-threads", 2) as s:
        r = s.client(decode_responses=True)
        first = RawConn(s.port)
        first.send(resp_command("BLPOP", "k", "0"))
        time.sleep(0.1)
        second = s.client(decode_responses=True, socket_timeout=10)
        result = {}
        t = threading.Thread(target=lambda: result.setdefault("v", second.blpop(["k"], 5)))
        t.start()
        time.sleep(0.1)
        check_eq(r.info("clients")["blocked_clients"], 2, "two blocked")
        first.close()  # the first in line leaves
        time.sleep(0.1)
        r.rpush("k", "v1")
        t.join(10)
        check_eq(result.get("v"), ("k", "v1"), "the element went to the next waiter")
        check_eq(r.exists("k"), 0, "and left the list")
        # A timed-out waiter leaves the queue too.
        check_eq(r.blpop(["k2"], 0.1), None, "timed out")
        third = s.client(decode_responses=True, socket_timeout=10)
        t = threading.Thread(target=lambda: result.setdefault("w", third.blpop(["k2"], 5)))
        t.start()
        time.sleep(0.1)
        r.rpush("k2", "v2")
        t.join(10)
        check_eq(result.get("w"), ("k2", "v2"), "served after another's timeout")
        check_eq(r.info("clients")["blocked_clients"], 0, "nobody left blocked")


def unblock_script(port):
    r = redis.Redis(port=port, decode_responses=True)
    r.config_resetstat()
    out = []
    for mode in (None, "TIMEOUT", "ERROR"):
        c = redis.Redis(port=port, decode_responses=True, socket_timeout=10)
        cid = c.client_id()
        got = {}

        def blocked():
            try:
                got["reply"] = c.blpop(["ub"], 5)
            except Exception as e:  # noqa: BLE001
                got["reply"] = ("error", str(e))

        t = threading.Thread(target=blocked)
        t.start()
        time.sleep(0.2)
        out.append(("unblock", mode, r.execute_command("CLIENT", "UNBLOCK", cid, *([mode] if mode else []))))
        t.join(10)
        out.append(("reply", mode, got.get("reply")))
        out.append(("again", r.execute_command("CLIENT", "UNBLOCK", cid)))
        out.append(("next command", c.ping()))
        c.close()
    for bad in (["abc"], ["1", "foo"], ["1", "timeout", "x"], ["999999"]):
        try:
            out.append((bad, r.execute_command("CLIENT", "UNBLOCK", *bad)))
        except Exception as e:  # noqa: BLE001
            out.append((bad, "error", str(e)))
    blpop = r.info("commandstats").get("cmdstat_blpop", {})
    out.append(("blpop", blpop.get("calls"), blpop.get("failed_calls")))
    out.append(sorted(r.info("errorstats").items()))
    return out


def test_client_unblock():
    check_same_as_redis(unblock_script)


def wait_script(port):
    """WAIT on a server without replicas: 0 at once when 0 suffices or in
    MULTI; else after the timeout, or when CLIENT UNBLOCK ends it; blocked
    meanwhile (INFO, CLIENT LIST, a pipelined command waits behind it)."""
    r = redis.Redis(port=port, decode_responses=True)
    r.config_resetstat()
    out = []
    for args in (["0", "0"], ["-1", "0"], ["0", "100000"], ["abc", "abc"], ["abc", "1"], ["1", "abc"],
                 ["1", "-1"], ["1", "1.5"], ["1", " 1"], ["1", "+5"], ["99999999999999999999", "0"], ["1"]):
        try:
            out.append((args, r.execute_command("WAIT", *args)))
        except Exception as e:  # noqa: BLE001
            out.append((args, "error", str(e)))
    c = RawConn(port)
    t0 = time.time()
    out.append(("timeout", c.cmd("WAIT", "1", "150")))
    out.append(("not before the timeout", time.time() - t0 >= 0.14))
    p = r.pipeline(transaction=True)
    p.execute_command("WAIT", "5", "0")
    out.append(("in MULTI", p.execute()))
    try:
        r.eval("return redis.call('wait', 1, 0)", 0)
    except Exception as e:  # noqa: BLE001
        out.append(("script", str(e).split(" script:")[0]))
    for mode in (None, "TIMEOUT", "ERROR"):
        cid = c.cmd("CLIENT", "ID")
        c.send(resp_command("WAIT", "1", "0") + resp_command("PING"))
        time.sleep(0.2)
        line = [ln for ln in r.execute_command("CLIENT", "LIST").splitlines() if ln.startswith(f"id={cid} ")]
        out.append(("blocked", r.info("clients")["blocked_clients"], [f for f in line[0].split() if
                                                                      f.split("=")[0] in ("flags", "cmd")]))
        out.append(("nothing yet", c.read_raw(timeout=0.05)[0]))
        out.append(("unblock", mode, r.execute_command("CLIENT", "UNBLOCK", cid, *([mode] if mode else []))))
        out.append(("reply", mode, c.read_reply(), c.read_reply()))
        out.append(("again", r.execute_command("CLIENT", "UNBLOCK", cid)))
    c.close()
    wait = r.info("commandstats").get("cmdstat_wait", {})
    out.append(("wait", wait.get("calls"), wait.get("failed_calls"), wait.get("rejected_calls")))
    out.append(sorted(r.info("errorstats").items()))
    return out


def test_wait():
    check_same_as_redis(wait_script)


TESTS = [
    ("a", "the same replies as redis-server, step by step", test_same_as_redis),
    ("b", "a work queue: every item received exactly once", test_work_queue),
    ("c", "a waiter that leaves passes its wake-up on", test_wakeups_are_passed_on),
    ("d", "CLIENT UNBLOCK as redis-server", test_client_unblock),
    ("e", "BZPOPMIN, BZPOPMAX and BZMPOP: the same replies as redis-server", test_zsets_same_as_redis),
    ("f", "WAIT without replicas, as redis-server", test_wait),
]

if __name__ == "__main__":
    sys.exit(run_tests(TESTS, sys.argv[1:]))
