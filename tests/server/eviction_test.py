#!/usr/bin/python3
"""maxmemory eviction policies, access tracking (OBJECT IDLETIME / FREQ)
and their limits, against the real tmkv-server.

  (a) CONFIG: every Redis policy and eviction setting can be set and read
      back; bad values are refused; INFO shows the policy.
  (b) noeviction: over maxmemory writes fail with Redis's OOM error, reads
      go on.
  (c) allkeys-*: writing three times the headroom keeps used memory at the
      limit; keys are evicted and counted (INFO evicted_keys, /metrics).
  (d) volatile-*: only keys with a TTL are evicted; once none is left,
      writes fail with OOM and the other keys are all still there.
  (e) allkeys-lru keeps the keys read recently; (f) allkeys-lfu keeps the
      keys read often; (g) volatile-ttl evicts the soonest-expiring first.
  (h) OBJECT IDLETIME and FREQ, and which commands update the access time
      (GET, TOUCH) and which leave it (TYPE, EXISTS, TTL, OBJECT); RESTORE
      IDLETIME / FREQ; Redis's errors for the kind the policy does not track.
  (i) "evicted" keyspace events; CONFIG RESETSTAT clears evicted_keys.
  (j) writers on every I/O thread evicting the same keys at once, while
      readers run and a loader refills: no error but OOM, nothing lost that
      was not evicted (a TSan/ASan workout in those builds).

(c), (e), (f) and (g) compare memory figures, so they need jemalloc's exact
numbers: in sanitizer builds (INFO mem_allocator is not jemalloc; the limit
is then checked against the resident set size) they are skipped with a note.
The others force eviction with maxmemory 1, which works under either figure.

EVICTION_AGAINST_REDIS=1 runs the same tests against redis-server 7 (Debian),
to check that they test Redis's behaviour.

Run: TMKV_SERVER=build/bin/tmkv-server /usr/bin/python3 tests/server/eviction_test.py [a b ...]
"""
import os
import sys
import threading
import time

import redis

import harness
from raw_resp import check, check_eq, run_tests

AGAINST_REDIS = os.environ.get("EVICTION_AGAINST_REDIS") == "1"
POLICIES = ["noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu", "allkeys-random",
            "volatile-random", "volatile-ttl"]


def start():
    return harness.start_redis() if AGAINST_REDIS else harness.start_tmkv()


def client(s):
    return s.client(decode_responses=True)


def info(r, section):
    return r.info(section)


def obj(r, sub, key):
    return r.execute_command("OBJECT", sub, key, infotype=sub)


def used_memory(r):
    return int(info(r, "memory")["used_memory"])


def exact_memory(r):
    return info(r, "memory")["mem_allocator"].startswith("jemalloc")


def evicted(r):
    return int(info(r, "stats")["evicted_keys"])


def fill(r, prefix, n, size=200, ttl=None, start=0):
    """n keys prefix:<i> of `size` bytes, pipelined; returns the errors."""
    errors = []
    value = "v" * size
    for base in range(start, start + n, 500):
        p = r.pipeline(transaction=False)
        for i in range(base, min(base + 500, start + n)):
            if ttl is None:
                p.set(f"{prefix}:{i}", value)
            else:
                p.set(f"{prefix}:{i}", value, ex=ttl + i)
        for res in p.execute(raise_on_error=False):
            if isinstance(res, Exception):
                errors.append(str(res))
    return errors


def present(r, keys):
    p = r.pipeline(transaction=False)
    for k in keys:
        p.exists(k)
    return sum(p.execute())


def writes_until_oom(r, what, tries=200):
    """SETs more:<i> until one fails with OOM; returns how many got through.
    A round of evictions stops at its time budget (maxmemory-eviction-
    tenacity) and lets its command run, so a few may, more in slow builds."""
    for i in range(tries):
        try:
            r.set(f"more:{i}", "v")
        except redis.ResponseError as e:
            check("OOM" in str(e), f"{what}: {e}")
            return i
    raise AssertionError(f"{what}: {tries} writes accepted")


def test_config():
    with start() as s:
        r = client(s)
        for p in POLICIES:
            check_eq(r.config_set("maxmemory-policy", p.upper()), True, f"CONFIG SET maxmemory-policy {p}")
            check_eq(r.config_get("maxmemory-policy")["maxmemory-policy"], p, "read back")
            check_eq(info(r, "memory")["maxmemory_policy"], p, "INFO maxmemory_policy")
        for name, good, bad in [("maxmemory-samples", "10", "0"), ("maxmemory-eviction-tenacity", "100", "101"),
                                ("lfu-log-factor", "20", "-1"), ("lfu-decay-time", "0", "x")]:
            check_eq(r.config_set(name, good), True, f"CONFIG SET {name} {good}")
            check_eq(r.config_get(name)[name], good, f"{name} read back")
            try:
                r.config_set(name, bad)
                raise AssertionError(f"CONFIG SET {name} {bad} accepted")
            except redis.ResponseError as e:
                check(name in str(e), f"{name} error names it: {e}")
        try:
            r.config_set("maxmemory-policy", "lru")
            raise AssertionError("bad policy accepted")
        except redis.ResponseError as e:
            check("maxmemory-policy" in str(e), f"policy error names it: {e}")
        check_eq(r.config_get("maxmemory-policy")["maxmemory-policy"], "volatile-ttl", "unchanged after refusal")


def test_noeviction():
    with start() as s:
        r = client(s)
        r.set("k", "v")
        r.config_set("maxmemory-policy", "noeviction")
        r.config_set("maxmemory", 1)
        try:
            r.set("k2", "v")
            raise AssertionError("write accepted over maxmemory")
        except redis.ResponseError as e:
            check_eq(str(e), "OOM command not allowed when used memory > 'maxmemory'.", "OOM error")
        check_eq(r.get("k"), "v", "reads go on")
        # A block queued under the limit fails at EXEC once over it.
        r.config_set("maxmemory", 0)
        tx = client(s)
        tx.execute_command("MULTI")
        tx.execute_command("SET", "q", "1")
        r.config_set("maxmemory", 1)
        try:
            tx.execute_command("EXEC")
            raise AssertionError("EXEC of a write accepted over maxmemory")
        except redis.exceptions.ExecAbortError as e:  # the client strips the EXECABORT code
            check_eq(str(e), "Transaction discarded because of: OOM command not allowed when used memory > "
                     "'maxmemory'.", "EXEC over maxmemory")
        check_eq(r.exists("q"), 0, "nothing of the block ran")
        check_eq(tx.get("k"), "v", "the client left MULTI")
        # Over maxmemory inside MULTI, every command is refused while queuing,
        # reads and PING included, and the block then fails; DISCARD is taken.
        r.config_set("maxmemory", 0)
        tx.execute_command("MULTI")
        r.config_set("maxmemory", 1)
        for cmd in [("GET", "k"), ("PING",), ("MULTI",), ("WATCH", "k")]:
            try:
                tx.execute_command(*cmd)
                raise AssertionError(f"{cmd[0]} queued over maxmemory")
            except redis.ResponseError as e:
                check_eq(str(e), "OOM command not allowed when used memory > 'maxmemory'.", f"{cmd[0]} in MULTI")
        check_eq(tx.execute_command("DISCARD"), "OK", "DISCARD is taken")
        tx.execute_command("MULTI")
        try:
            tx.execute_command("GET", "k")
        except redis.ResponseError:
            pass
        try:
            tx.execute_command("EXEC")
            raise AssertionError("EXEC after a refused command")
        except redis.exceptions.ExecAbortError as e:
            check_eq(str(e), "Transaction discarded because of previous errors.", "EXEC after an OOM refusal")
        r.config_set("maxmemory", 0)
        check_eq(tx.get("k"), "v", "the client left MULTI")
        r.config_set("maxmemory", 1)
        check_eq(r.delete("k"), 1, "DEL is allowed (frees memory)")
        check_eq(evicted(r), 0, "nothing evicted")


def test_allkeys_limit():
    for policy in ["allkeys-lru", "allkeys-lfu", "allkeys-random"]:
        with start() as s:
            r = client(s)
            if not exact_memory(r):
                print(f"  (c) skipped: no exact memory figure in this build ({info(r, 'memory')['mem_allocator']})")
                return
            fill(r, "warm", 2000)  # the index and allocator caches settle first
            r.config_set("maxmemory-policy", policy)
            limit = used_memory(r) + (4 << 20)
            r.config_set("maxmemory", limit)
            errors = fill(r, "k", 60000, size=200)  # ~16 MB of keys: four times the headroom
            check_eq(errors, [], f"{policy}: writes succeed while keys can be evicted")
            used = used_memory(r)
            check(used <= limit * 1.03, f"{policy}: used_memory {used} stays at the limit {limit}")
            n = evicted(r)
            check(n > 30000, f"{policy}: evicted_keys {n} counts the evictions")
            check_eq(r.dbsize(), 62000 - n, f"{policy}: DBSIZE = written - evicted")
            check_eq(r.get("k:59999"), "v" * 200, f"{policy}: the last write is there")


def test_volatile_only():
    for policy in ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"]:
        with start() as s:
            r = client(s)
            r.config_set("maxmemory-policy", policy)
            check_eq(fill(r, "keep", 300) + fill(r, "ttl", 300, ttl=1000), [], "load")
            r.config_set("maxmemory", 1)
            accepted = writes_until_oom(r, f"{policy}: OOM once no key with a TTL is left")
            check_eq(present(r, [f"keep:{i}" for i in range(300)]), 300, f"{policy}: keys without TTL all kept")
            check_eq(present(r, [f"more:{i}" for i in range(accepted)]), accepted, f"{policy}: and the writes let through")
            check_eq(present(r, [f"ttl:{i}" for i in range(300)]), 0, f"{policy}: keys with a TTL all evicted")
            check_eq(evicted(r), 300, f"{policy}: evicted_keys")
            check_eq(r.get("keep:7"), "v" * 200, f"{policy}: reads go on")


def test_all_evicted_then_oom():
    with start() as s:
        r = client(s)
        r.config_set("maxmemory-policy", "allkeys-random")
        fill(r, "k", 200)
        r.config_set("maxmemory", 1)
        accepted = writes_until_oom(r, "OOM once every key is gone")
        check_eq(r.dbsize(), 0, "every key evicted")
        check_eq(evicted(r), 200 + accepted, "evicted_keys")


def force_eviction_of(r, keys_bytes, fraction, new_prefix):
    """Lowers maxmemory so that about `fraction` of `keys_bytes` (what the
    keys were measured to take) must go, then writes a few new keys to
    trigger it. The limit is set from the memory used now, not from the
    keys' share of it: reads since the keys were loaded may have grown the
    client's buffers, which count as used memory (as in Redis) but are not
    keys that eviction could free."""
    r.config_set("maxmemory", int(used_memory(r) - keys_bytes * fraction))
    fill(r, new_prefix, 50)


def fill_measured(r, prefix, n, **kwargs):
    """fill(), returning the growth of used memory it caused."""
    before = used_memory(r)
    check_eq(fill(r, prefix, n, **kwargs), [], f"loading {n} keys")
    return used_memory(r) - before


def hot_keys_survive(policy, label, warm):
    """4000 keys, every fourth one made hot by warm(r, hot); then 40% of the
    keys' memory must go: the hot ones must be (nearly all) kept, and kept at
    a clearly higher rate than the rest."""
    with start() as s:
        r = client(s)
        if not exact_memory(r):
            print(f"  ({label}) skipped: no exact memory figure in this build")
            return
        r.config_set("maxmemory-policy", policy)
        keys_bytes = fill_measured(r, "k", 4000)
        hot = [f"k:{i}" for i in range(0, 4000, 4)]
        warm(r, hot)
        force_eviction_of(r, keys_bytes, 0.4, "new")
        hot_kept = present(r, hot)
        cold_kept = present(r, [f"k:{i}" for i in range(4000) if i % 4 != 0])
        # 40% of the keys' memory is about 1,750 keys (what a key frees is
        # a little less than what it took: its index slot stays), plus the
        # 50 new ones; well over that means the server evicted for memory
        # that was already on its way back.
        check(1000 <= evicted(r) <= 2200, f"{policy}: evicted {evicted(r)}, not far more than needed")
        check(hot_kept >= 900, f"{policy}: hot keys kept: {hot_kept}/1000 (cold kept {cold_kept}/3000)")
        check(cold_kept / 3000 < hot_kept / 1000 - 0.2, f"{policy}: cold keys go first: {cold_kept}/3000 vs {hot_kept}/1000")


def read_keys(r, keys, times=1):
    p = r.pipeline(transaction=False)
    for _ in range(times):
        for k in keys:
            p.get(k)
    p.execute()


def test_lru_keeps_recent():
    def warm(r, hot):
        time.sleep(2.2)  # the LRU clock counts whole seconds
        read_keys(r, hot)
    hot_keys_survive("allkeys-lru", "e", warm)


def test_lfu_keeps_frequent():
    def warm(r, hot):
        read_keys(r, hot, times=20)
        check(obj(r, "freq", "k:0") > 5, f"a hot key's counter rose: {obj(r, 'freq', 'k:0')}")
    hot_keys_survive("allkeys-lfu", "f", warm)


def test_volatile_ttl_order():
    with start() as s:
        r = client(s)
        if not exact_memory(r):
            print("  (g) skipped: no exact memory figure in this build")
            return
        r.config_set("maxmemory-policy", "volatile-ttl")
        keys_bytes = fill_measured(r, "k", 4000, ttl=1000)  # key i expires in 1000 + i seconds
        force_eviction_of(r, keys_bytes, 0.3, "new")
        soon = present(r, [f"k:{i}" for i in range(1000)])
        late = present(r, [f"k:{i}" for i in range(3000, 4000)])
        check(evicted(r) >= 800, f"evicted {evicted(r)}")
        check(soon <= 500 and late >= 900, f"soonest-expiring evicted first: kept {soon}/1000 early, {late}/1000 late")


def test_object_idletime_freq():
    with start() as s:
        r = client(s)
        lfu_error = "An LFU maxmemory policy is selected, idle time not tracked"
        lru_error = "An LFU maxmemory policy is not selected, access frequency not tracked"
        r.set("k", "v")
        r.set("t", "v")
        time.sleep(2.2)
        for cmd in (["TYPE", "k"], ["EXISTS", "k"], ["TTL", "k"], ["PTTL", "k"], ["OBJECT", "ENCODING", "k"],
                    ["EXPIRETIME", "k"], ["MEMORY", "USAGE", "k"]):
            r.execute_command(*cmd, **({"infotype": "encoding"} if cmd[0] == "OBJECT" else {}))
            idle = obj(r, "idletime", "k")
            check(idle >= 2, f"{cmd[0]} leaves the access time: OBJECT IDLETIME {idle}")
        r.get("k")
        check_eq(obj(r, "idletime", "k"), 0, "GET updates it")
        check(obj(r, "idletime", "t") >= 2, "another key's stays")
        r.touch("t")
        check_eq(obj(r, "idletime", "t"), 0, "TOUCH updates it")
        check_eq(obj(r, "idletime", "nokey"), None, "absent key")
        if not AGAINST_REDIS:  # CLIENT NO-TOUCH is Redis 7.2's; Debian's redis-server is 7.0
            r.set("nt", "v")
            time.sleep(1.1)
            check_eq(r.execute_command("CLIENT", "NO-TOUCH", "ON"), "OK", "CLIENT NO-TOUCH ON")
            r.get("nt")
            check(obj(r, "idletime", "nt") >= 1, "a NO-TOUCH client's GET leaves the access time")
            r.touch("nt")
            check_eq(obj(r, "idletime", "nt"), 0, "but its TOUCH updates it, as in Redis 7.2")
            time.sleep(1.1)
            r.execute_command("RESET")
            r.get("nt")
            check_eq(obj(r, "idletime", "nt"), 0, "RESET turns NO-TOUCH off")
        try:
            obj(r, "freq", "k")
            raise AssertionError("OBJECT FREQ answered without an LFU policy")
        except redis.ResponseError as e:
            check(lru_error in str(e), f"OBJECT FREQ error: {e}")
        raw = s.client()  # DUMP payloads are bytes
        dump = raw.dump("k")
        raw.restore("old", 0, dump, idletime=1000)
        check(obj(r, "idletime", "old") >= 1000, f"RESTORE IDLETIME: {obj(r, 'idletime', 'old')}")

        r.config_set("maxmemory-policy", "allkeys-lfu")
        try:
            obj(r, "idletime", "k")
            raise AssertionError("OBJECT IDLETIME answered under an LFU policy")
        except redis.ResponseError as e:
            check(lfu_error in str(e), f"OBJECT IDLETIME error: {e}")
        r.set("n", "v")
        check_eq(obj(r, "freq", "n"), 5, "a new key starts at 5")
        r.get("n")
        check_eq(obj(r, "freq", "n"), 6, "the first reads raise it for sure")
        r.type("n")
        r.exists("n")
        check_eq(obj(r, "freq", "n"), 6, "TYPE and EXISTS leave it")
        r.set("n", "w")
        check_eq(obj(r, "freq", "n"), 6, "an overwrite keeps the key's frequency")
        raw.restore("f", 0, dump, frequency=100)
        check_eq(obj(r, "freq", "f"), 100, "RESTORE FREQ")
        raw.restore("f2", 0, dump, idletime=50)
        check_eq(obj(r, "freq", "f2"), 5, "IDLETIME is ignored under LFU")
        for bad, args in (("IDLETIME", {"idletime": -1}), ("FREQ", {"frequency": 256})):
            try:
                raw.restore("bad", 0, dump, **args)
                raise AssertionError(f"RESTORE {bad} out of range accepted")
            except redis.ResponseError as e:
                check(f"Invalid {bad} value" in str(e), f"RESTORE {bad} error: {e}")


def test_evicted_events():
    with start() as s:
        r = client(s)
        r.config_set("notify-keyspace-events", "Ee")
        sub = client(s).pubsub()
        sub.subscribe("__keyevent@0__:evicted")
        check_eq(sub.get_message(timeout=5)["type"], "subscribe", "subscribed")
        r.config_set("maxmemory-policy", "allkeys-lru")
        r.mset({"a": "1", "b": "2", "c": "3"})
        r.config_set("maxmemory", 1)
        try:
            r.set("d", "4")
        except redis.ResponseError:
            pass
        got = set()
        deadline = time.time() + 5
        while len(got) < 3 and time.time() < deadline:
            m = sub.get_message(timeout=1)
            if m and m["type"] == "message":
                got.add(m["data"])
        check_eq(got, {"a", "b", "c"}, "one evicted event per key")
        check_eq(evicted(r), 3, "evicted_keys")
        r.config_resetstat()
        check_eq(evicted(r), 0, "CONFIG RESETSTAT clears evicted_keys")
        sub.close()


def test_concurrent_eviction():
    with start() as s:
        admin = client(s)
        admin.config_set("maxmemory-policy", "allkeys-lru")
        stop = time.time() + 4
        failures = []

        def writer(n):
            r = client(s)
            try:
                while time.time() < stop:
                    try:
                        r.set(f"w{n}:{time.time()}", "v" * 50)
                    except redis.ResponseError as e:
                        if "OOM" not in str(e):
                            failures.append(str(e))
            except Exception as e:  # noqa: BLE001
                failures.append(f"writer {n}: {e!r}")

        def reader():
            r = client(s)
            try:
                while time.time() < stop:
                    r.mget([f"k:{i}" for i in range(0, 500, 7)])
                    r.dbsize()
            except Exception as e:  # noqa: BLE001
                failures.append(f"reader: {e!r}")

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)] + [threading.Thread(target=reader)]
        for t in threads:
            t.start()
        rounds = 0
        while time.time() < stop:
            admin.config_set("maxmemory", 0)
            fill(admin, "k", 500, size=50)
            admin.config_set("maxmemory", 1)  # every writer now evicts, all at once
            time.sleep(0.05)
            rounds += 1
        for t in threads:
            t.join()
        check_eq(failures, [], "only OOM errors")
        admin.config_set("maxmemory", 0)
        check(evicted(admin) >= 500 * (rounds - 1), f"evicted {evicted(admin)} over {rounds} refills")
        admin.set("after", "ok")
        check_eq(admin.get("after"), "ok", "the server serves on")
        check_eq(admin.dbsize(), len(admin.keys("*")), "DBSIZE matches the keys")


TESTS = [
    ("a", "CONFIG: policies and eviction settings", test_config),
    ("b", "noeviction: OOM on writes, reads go on", test_noeviction),
    ("c", "allkeys-*: used memory stays at the limit", test_allkeys_limit),
    ("d", "volatile-*: only keys with a TTL go, then OOM", test_volatile_only),
    ("d2", "allkeys-*: every key can go, then OOM", test_all_evicted_then_oom),
    ("e", "allkeys-lru keeps recently read keys", test_lru_keeps_recent),
    ("f", "allkeys-lfu keeps frequently read keys", test_lfu_keeps_frequent),
    ("g", "volatile-ttl evicts the soonest-expiring first", test_volatile_ttl_order),
    ("h", "OBJECT IDLETIME / FREQ, touching commands, RESTORE IDLETIME / FREQ", test_object_idletime_freq),
    ("i", "evicted keyspace events, evicted_keys and RESETSTAT", test_evicted_events),
    ("j", "concurrent eviction on every I/O thread", test_concurrent_eviction),
]

if __name__ == "__main__":
    sys.exit(run_tests(TESTS, sys.argv[1:]))
