#!/usr/bin/python3
"""Streams (XADD and family, consumer groups, blocking reads) against a real
redis-server 7.0, step by step.

Each case starts tmkv-server (two I/O threads) and redis-server together,
runs the same script of commands on both and compares every reply exactly:
the value and its RESP type (a null array is not a null bulk string, a
RESP3 map is not an array). The script-only cases (1, 2, 3, 6) run twice on
each server, once in RESP2 and once after HELLO 3, where XREAD and
XREADGROUP reply a map of streams and XINFO replies maps. Ids are explicit
(1-1, 5-*, ...) so that replies are deterministic; the few "*" ids are
compared by shape only.

  (1) XADD, XLEN, XRANGE, XREVRANGE: explicit, ms-* and ms ids, 0-0 and
      smaller ids refused, "0-*" on an empty stream, an exhausted stream,
      NOMKSTREAM on a missing key (nil, no key), odd field counts, MAXLEN
      and MINID with = and ~ and LIMIT and their errors (LIMIT without ~,
      negative MAXLEN or LIMIT, MAXLEN with MINID); XRANGE with -, +,
      ids without a sequence, exclusive "(" ranges and their limits, COUNT
      0 / negative / huge / not a number, bad ids ("abc", "1-x", "-1",
      2^64); XREVRANGE's end-then-start order; WRONGTYPE on a string key for
      every X command; missing keys; binary and empty fields, 100 pairs.
      Approximate trimming (~) of 250 small entries (MAXLEN ~ 120, ~ 10,
      LIMIT, MINID ~, XADD's own MAXLEN ~) removes what Redis removes:
      whole nodes of 100 appended entries, where a tail node whose entries
      were all deleted is gone and a partly deleted one fills up.
  (2) XDEL, XTRIM (MAXLEN, MINID, exact and ~, LIMIT) and their errors,
      XSETID (ENTRIESADDED, MAXDELETEDID and every refusal: smaller than the
      top item, smaller than the max deleted id, entries_added below the
      length, a missing key), XINFO STREAM after each, XINFO STREAM FULL
      (COUNT), an emptied stream.
  (3) Consumer groups: XGROUP CREATE ($, 0, an id, MKSTREAM, ENTRIESREAD,
      BUSYGROUP, a missing key), XREADGROUP (>, history from 0, NOACK,
      COUNT, several streams, entries deleted after delivery read back as
      [id, nil]), XACK, XPENDING (summary; extended with IDLE, a consumer,
      exclusive ranges), XCLAIM (min-idle 0, JUSTID, FORCE, RETRYCOUNT,
      IDLE, TIME, LASTID, deleted entries leave the PEL), XAUTOCLAIM (cursor,
      COUNT, JUSTID, deleted ids in the third element), XGROUP SETID /
      CREATECONSUMER / DELCONSUMER / DESTROY, XINFO GROUPS (entries-read,
      lag), XINFO CONSUMERS, XINFO STREAM FULL with a PEL; NOGROUP and the
      XREAD / XREADGROUP argument errors.
  (4) Blocking reads, several connections: XREAD BLOCK 0 on $ served by a
      later XADD (exactly the new entry), a BLOCK timeout (nil), a command
      pipelined behind a blocked read answered after it, XREADGROUP BLOCK
      on > served by XADD (and its PEL), NOACK, two readers (XREAD and
      XREADGROUP) woken by one XADD, a MULTI of two XADDs serving COUNT 1
      and COUNT 5 readers, a stream deleted and re-created below the $ id,
      a key that becomes a string, XGROUP DESTROY and DEL under a blocked
      XREADGROUP, an XADD whose MAXLEN 0 trims its own entry (the reader
      gets an empty batch), SET over a key an XREADGROUP and an XREAD wait
      on, XREADGROUP on two streams woken by one and by a MULTI writing
      both (served from the first), CLIENT UNBLOCK (TIMEOUT and ERROR),
      XREAD BLOCK inside MULTI (never blocks: nil), INFO's
      blocked_clients; one reader in RESP3. Then, eight times: an XREAD
      waiting next to an XREADGROUP on a stream that is deleted and made
      again by XADD is served its entry (no wake-up lost).
  (5) Keyspace notifications of stream commands (xadd, xtrim from XADD
      MAXLEN and from XTRIM, xdel, xsetid, xgroup-create, xgroup-setid,
      xgroup-createconsumer, also from XREADGROUP and XCLAIM/XAUTOCLAIM,
      xgroup-delconsumer, xgroup-destroy, and the generic del, rename,
      copy_to, expire, persist on a stream key): the same events in the
      same order, for flags KEA, Et, Kt and Eg.
  (6) A stream key as a key: TYPE and OBJECT ENCODING "stream", EXISTS,
      SCAN TYPE stream, DEL, RENAME, COPY (the copy keeps the groups and
      their PEL, and is independent of the original afterwards), COPY
      REPLACE, a WATCH that XADD breaks and reads do not; XREADGROUP and
      XACK break it in tmkv only (declared: Redis 7.0 does not signal the
      key for a group's changes, tmkv's WATCH sees every change), X
      commands in MULTI/EXEC and in scripts (XREAD and XREADGROUP with
      BLOCK refused there), CONFIG GET stream-node-max-*.
  (7) DUMP and RESTORE of a stream of two listpack nodes with deletions,
      groups, a PEL (claimed, acknowledged) and an idle consumer: each
      server restores its own payload to the same stream (XINFO STREAM
      FULL, GROUPS, CONSUMERS, XPENDING, XRANGE compared), and each
      server's payload restores in the other (redis-server with
      sanitize-dump-payload yes) to exactly the stream DUMPed, times and
      radix-tree-keys included; then XADD and XTRIM ~ go on alike on both.
      RESTORE serves an XREAD blocked on the key, and REPLACE answers an
      XREADGROUP whose group it dropped; a damaged payload is refused
      with Redis's text.

Declared differences (not compared):
  - XINFO STREAM's radix-tree-keys and radix-tree-nodes (also in FULL):
    they describe Redis's rax/listpack layout, which tmkv does not share.
  - Times: XINFO STREAM FULL's seen-time and the delivery times in its
    PELs, XPENDING's elapsed times, XINFO CONSUMERS' idle: compared as
    "an integer >= 0" only.
  - Ids made by "*": compared as "ms-seq" shapes only.
  - DUMP's bytes: Redis also closes listpacks at stream-node-max-bytes
    and keeps deleted entries in them; only what RESTORE makes of a
    payload is compared.
  - Approximate trimming is compared on small entries only: Redis also
    closes a node at stream-node-max-bytes (4 KB), which tmkv does not
    emulate (store/stream_value.h), so for big entries it may keep more.
  - SCAN is compared over a whole iteration (sorted keys), CONFIG GET of a
    pattern as a set of pairs: one call's cursor and the order of a glob's
    matches are each server's own.

STREAMS_AGAINST_REDIS=1 runs the script against two redis-servers, which
checks the test itself (every difference is then the test's).

Run: TMKV_SERVER=build/bin/tmkv-server /usr/bin/python3 tests/server/streams_test.py [1 2 ...]
"""
import os
import re
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import harness
from raw_resp import Failure, RawConn, check, check_eq, crc64_jones, resp_command, run_tests

AGAINST_REDIS = os.environ.get("STREAMS_AGAINST_REDIS") == "1"
PAUSE = 0.15  # long enough for a sent command to have blocked


class TypedConn(RawConn):
    """RawConn whose replies keep their RESP type: nulls are ("null", "*"),
    ("null", "$") or ("null", "_"), maps ("%", [(k, v), ...]) in the
    order sent, sets ("~", [...]), pushes (">", [...]); errors stay
    ("ERR", text), simple strings str, bulk strings bytes."""

    def read_reply(self):
        line = self.read_line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return ("ERR", rest.decode())
        if t == b":":
            return int(rest)
        if t == b"(":
            return ("big", int(rest))
        if t in (b"$", b"=", b"!"):
            n = int(rest)
            if n < 0:
                return ("null", "$")
            data = self.read_exact(n)
            return ("ERR", data.decode()) if t == b"!" else data
        if t in (b"*", b"~", b">"):
            n = int(rest)
            if n < 0:
                return ("null", "*")
            items = [self.read_reply() for _ in range(n)]
            return items if t == b"*" else (t.decode(), items)
        if t in (b"%", b"|"):
            n = int(rest)
            return ("%", [(self.read_reply(), self.read_reply()) for _ in range(n)])
        if t == b"_":
            return ("null", "_")
        if t == b"#":
            return rest == b"t"
        if t == b",":
            return ("double", rest.decode())
        raise Failure(f"unparseable reply line {line!r}")


def parse_all(data):
    """Raw RESP bytes as a list of typed replies."""
    reader = TypedConn.__new__(TypedConn)
    reader.buf = data
    reader.sock = None

    def fill():
        raise EOFError("a reply cut short")

    reader._fill = fill
    out = []
    while reader.buf:
        out.append(reader.read_reply())
    return out


# ---- normalizing what legitimately differs ----

ID_RE = re.compile(rb"^\d+-\d+$")
RADIX = (b"radix-tree-keys", b"radix-tree-nodes")


def a_time(v):
    return "TIME" if isinstance(v, int) and v >= 0 else ("BAD TIME", v)


def id_shape(v):
    return "ID" if isinstance(v, bytes) and ID_RE.match(v) else ("BAD ID", v)


def pairs_of(v):
    """A map-like reply as (kind, [(k, v), ...]): RESP3 maps and RESP2 flat
    arrays both; None if v is neither (an error, a null)."""
    if isinstance(v, tuple) and v[0] == "%":
        return "%", list(v[1])
    if isinstance(v, list) and len(v) % 2 == 0:
        return "flat", [(v[i], v[i + 1]) for i in range(0, len(v), 2)]
    return None


def norm_map(v, fix):
    """Applies fix(key, value) -> value or DROP to every field of a map-like
    reply."""
    p = pairs_of(v)
    if p is None:
        return v
    kind, pairs = p
    out = []
    for k, val in pairs:
        nv = fix(k, val)
        if nv is not DROP:
            out.append((k, nv))
    return (kind, out)


DROP = object()


def norm_group_full(g):
    def fix(k, v):
        if k == b"pending" and isinstance(v, list):  # [id, consumer, delivery time, count]
            return [[e[0], e[1], a_time(e[2]), e[3]] if isinstance(e, list) and len(e) == 4 else ("BAD", e)
                    for e in v]
        if k == b"consumers" and isinstance(v, list):
            return [norm_consumer_full(c) for c in v]
        return v
    return norm_map(g, fix)


def norm_consumer_full(c):
    def fix(k, v):
        if k in (b"seen-time", b"active-time"):
            return a_time(v)
        if k == b"pending" and isinstance(v, list):  # [id, delivery time, count]
            return [[e[0], a_time(e[1]), e[2]] if isinstance(e, list) and len(e) == 3 else ("BAD", e) for e in v]
        return v
    return norm_map(c, fix)


def xinfo_stream(v):
    """XINFO STREAM [FULL]: without the radix fields, times as TIME."""
    def fix(k, val):
        if k in RADIX:
            return DROP
        if k == b"groups" and isinstance(val, list):
            return [norm_group_full(g) for g in val]
        return val
    return norm_map(v, fix)


def xinfo_consumers(v):
    if not isinstance(v, list):
        return v
    return [norm_map(c, lambda k, val: a_time(val) if k in (b"idle", b"inactive") else val) for c in v]


def xpending(v):
    """XPENDING's extended form: each entry's elapsed time as TIME."""
    if isinstance(v, list) and v and all(isinstance(e, list) and len(e) == 4 for e in v):
        return [[e[0], e[1], a_time(e[2]), e[3]] for e in v]
    return v


def sorted_pairs(v):
    """CONFIG GET of a pattern: its pairs in any order."""
    p = pairs_of(v)
    return v if p is None else (p[0], sorted(p[1]))


def ids_only(v):
    """A reply whose "*" ids can differ: each bulk ms-seq id as ID."""
    if isinstance(v, bytes):
        return id_shape(v) if ID_RE.match(v) else v
    if isinstance(v, list):
        return [ids_only(x) for x in v]
    if isinstance(v, tuple) and v[0] in ("%", "~", ">"):
        return (v[0], [ids_only(x) for x in v[1]] if v[0] != "%" else [(ids_only(a), ids_only(b)) for a, b in v[1]])
    return v


# ---- running a script against both servers ----

def start_both():
    """tmkv-server (two I/O threads) and redis-server, started together
    (two redis-servers with STREAMS_AGAINST_REDIS=1)."""
    first = harness.start_redis if AGAINST_REDIS else (lambda: harness.start_tmkv("--io-threads", 2))
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(start) for start in (first, harness.start_redis)]
    started, errors = [], []
    for f in futures:
        try:
            started.append(f.result())
        except Exception as e:  # noqa: BLE001
            errors.append(e)
    if errors:  # one did not start: stop the other
        for srv in started:
            srv.stop()
        raise errors[0]
    return started


class Steps:
    """One connection's script: x("XADD", ...) sends a command, reads its
    reply and records (command, normalized reply)."""

    def __init__(self, port, proto=2):
        self.port = port
        self.c = TypedConn(port)
        self.out = []
        if proto == 3:
            check(isinstance(self.c.cmd("HELLO", "3"), tuple), "HELLO 3 answers a map")

    def __call__(self, *args, norm=None):
        reply = self.c.cmd(*args)
        if norm is not None:
            reply = norm(reply)
        self.out.append((" ".join(str(a) for a in args), reply))
        return reply

    def note(self, what, value):
        self.out.append((what, value))

    def pipeline(self, commands):
        self.c.send(b"".join(resp_command(*a) for a in commands))
        return [self.c.read_reply() for _ in commands]

    def close(self):
        self.c.close()


def first_difference(g, w, path=""):
    """Where two replies first differ, as (path, tmkv part, redis part)."""
    if type(g) is type(w) and isinstance(g, (list, tuple)) and len(g) == len(w):
        for i, (a, b) in enumerate(zip(g, w)):
            if a != b:
                return first_difference(a, b, f"{path}[{i}]")
    return path or "the reply", g, w


def differences(got, want, what):
    """'' if every step's reply is alike; otherwise all differing steps,
    listed."""
    diffs = []
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            if g[0] != w[0]:
                diffs.append(f"  [{i}] steps out of line: {g[0]!r} / {w[0]!r}")
                continue
            where, gp, wp = first_difference(g[1], w[1])
            diffs.append(f"  [{i}] {w[0]}: at {where}\n      tmkv  {gp!r:.600}\n      redis {wp!r:.600}")
    if len(got) != len(want):
        diffs.append(f"  {len(got)} steps on tmkv, {len(want)} on redis")
    return f"{what}: {len(diffs)} step(s) differ\n" + "\n".join(diffs[:80]) if diffs else ""


def compare(got, want, what):
    text = differences(got, want, what)
    if text:
        raise Failure(text)


def same_as_redis(script, protos=(2, 3)):
    """Runs script(Steps) on both servers (in parallel), in each protocol,
    after FLUSHALL; compares step by step."""
    tmkv, redis = start_both()
    failures = []
    try:
        for proto in protos:
            def run(port):
                x = Steps(port, proto)
                x.c.cmd("FLUSHALL")
                script(x)
                x.close()
                return x.out
            with ThreadPoolExecutor(2) as pool:
                got, want = pool.map(run, (tmkv.port, redis.port))
            failures.append(differences(got, want, f"RESP{proto}"))
        failures = [f for f in failures if f]
        check(not failures, "\n".join(failures))
    finally:
        tmkv.stop()
        redis.stop()


# ---- (1) XADD, XLEN, XRANGE, XREVRANGE ----

def basics_script(x):
    x("XADD", "s", "1-1", "a", "1")
    x("XADD", "s", "1-1", "a", "2")
    x("XADD", "s", "0-5", "a", "2")
    x("XADD", "s", "1-*", "b", "2")
    x("XADD", "s", "1-*", "b", "3")
    x("XADD", "s", "5-*", "c", "3")
    x("XADD", "s", "5", "d", "4")
    x("XADD", "s", "6", "d", "4")
    x("XADD", "s", "7-0", "e", "5", "f", "6")
    x("XADD", "s", "0-0", "a", "b")
    x("XADD", "new", "0-0", "a", "b")
    x("EXISTS", "new")
    x("XADD", "e", "0-*", "f", "v")
    x("XADD", "e2", "0-1", "f", "v")
    x("XADD", "e2", "0-*", "f", "v")
    x("XADD", "nokey", "NOMKSTREAM", "1-1", "a", "b")
    x("XADD", "nokey", "NOMKSTREAM", "*", "a", "b")
    x("EXISTS", "nokey")
    x("XADD", "s", "9-1", "a")
    x("XADD", "s", "9-1", "a", "b", "c")
    x("XADD", "s", "9-1")
    x("XADD", "s")
    x("XADD", "s", "abc", "a", "b")
    x("XADD", "s", "9-x", "a", "b")
    x("XADD", "s", "-1", "a", "b")
    x("XADD", "s", "18446744073709551616", "a", "b")
    x("XADD", "s", "9-*-1", "a", "b")
    x("XADD", "s", "*-1", "a", "b")
    x("XLEN", "s")
    x("XRANGE", "s", "-", "+")
    # Trimming options and their errors.
    x("XADD", "s", "MAXLEN", "2", "LIMIT", "10", "9-1", "a", "b")
    x("XADD", "s", "MAXLEN", "=", "2", "LIMIT", "10", "9-1", "a", "b")
    x("XADD", "s", "MAXLEN", "-1", "9-1", "a", "b")
    x("XADD", "s", "MAXLEN", "abc", "9-1", "a", "b")
    x("XADD", "s", "MAXLEN", "~", "2", "LIMIT", "-1", "9-1", "a", "b")
    x("XADD", "s", "MAXLEN", "2", "MINID", "1", "9-1", "a", "b")
    x("XADD", "s", "MINID", "abc", "9-1", "a", "b")
    x("XADD", "s", "MAXLEN", "9-1", "a", "b")
    x("XADD", "s", "FOO", "9-1", "a", "b")
    x("XLEN", "s")
    x("XADD", "s", "NOMKSTREAM", "MAXLEN", "=", "4", "10-1", "a", "b")
    x("XRANGE", "s", "-", "+")
    x("XADD", "s", "MAXLEN", "~", "1", "11-1", "a", "b")  # within one node: nothing goes
    x("XLEN", "s")
    x("XADD", "s", "MINID", "=", "6", "12-1", "a", "b")
    x("XRANGE", "s", "-", "+")
    x("XADD", "s", "MINID", "~", "100", "13-1", "a", "b")
    x("XLEN", "s")
    x("XADD", "s", "MINID", "12", "14-1", "x", "")
    x("XADD", "s", "MAXLEN", "0", "15-1", "only", "one")  # trimmed after the add: the new entry goes too
    x("XLEN", "s")
    x("XINFO", "STREAM", "s", norm=xinfo_stream)
    x("XADD", "s", "15-1", "a", "b")
    x("XADD", "s", "16-0", "k1", "v1", "k2", "v2", "k3", "v3")
    for i in (17, 18, 19, 20):
        x("XADD", "s", f"{i}-{i % 3}", "n", str(i))
    # XRANGE and XREVRANGE.
    x("XRANGE", "s", "-", "+")
    x("XRANGE", "s", "16", "18")
    x("XRANGE", "s", "16-0", "18-0")
    x("XRANGE", "s", "(16-0", "+")
    x("XRANGE", "s", "-", "(19-1")
    x("XRANGE", "s", "(16-0", "(17-2")
    x("XRANGE", "s", "(17-2", "(18-0")
    x("XRANGE", "s", "(16", "+")
    x("XRANGE", "s", "(-", "+")
    x("XRANGE", "s", "-", "(+")
    x("XRANGE", "s", "(", "+")
    x("XRANGE", "s", "(0-0", "+")
    x("XRANGE", "s", "-", "(0-0")
    x("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+")
    x("XRANGE", "s", "-", "(18446744073709551615-18446744073709551615")
    x("XRANGE", "s", "18446744073709551615", "+")
    x("XRANGE", "s", "+", "-")
    x("XRANGE", "s", "20", "10")
    x("XRANGE", "s", "-", "+", "COUNT", "0")
    x("XRANGE", "s", "-", "+", "COUNT", "-1")
    x("XRANGE", "s", "-", "+", "COUNT", "2")
    x("XRANGE", "s", "-", "+", "COUNT", "99999999999")
    x("XRANGE", "s", "-", "+", "COUNT", "abc")
    x("XRANGE", "s", "-", "+", "COUNT")
    x("XRANGE", "s", "-", "+", "COUNT", "1", "COUNT", "3")
    x("XRANGE", "s", "-", "+", "FOO", "1")
    x("XRANGE", "s", "-")
    for bad in ("abc", "1-x", "-1", "18446744073709551616", "1-18446744073709551616", "1-", "-5", " 1", "1.5", ""):
        x("XRANGE", "s", bad, "+")
        x("XRANGE", "s", "-", bad)
    x("XREVRANGE", "s", "+", "-")
    x("XREVRANGE", "s", "-", "+")
    x("XREVRANGE", "s", "18", "16")
    x("XREVRANGE", "s", "(19-1", "(16-0")
    x("XREVRANGE", "s", "+", "-", "COUNT", "2")
    x("XREVRANGE", "s", "+", "-", "COUNT", "0")
    x("XREVRANGE", "s", "(-", "+")
    x("XREVRANGE", "s", "+", "abc")
    # Missing keys.
    x("XLEN", "nokey")
    x("XRANGE", "nokey", "-", "+")
    x("XREVRANGE", "nokey", "+", "-")
    x("XRANGE", "nokey", "abc", "+")
    x("XLEN", "e")
    x("XRANGE", "e", "-", "+")
    # WRONGTYPE.
    x("SET", "str", "x")
    for args in (["XADD", "str", "1-1", "a", "b"], ["XADD", "str", "NOMKSTREAM", "1-1", "a", "b"], ["XLEN", "str"],
                 ["XRANGE", "str", "-", "+"], ["XREVRANGE", "str", "+", "-"], ["XDEL", "str", "1-1"],
                 ["XTRIM", "str", "MAXLEN", "0"], ["XSETID", "str", "1-1"], ["XINFO", "STREAM", "str"],
                 ["XINFO", "GROUPS", "str"], ["XINFO", "CONSUMERS", "str", "g"],
                 ["XGROUP", "CREATE", "str", "g", "$"], ["XGROUP", "CREATE", "str", "g", "$", "MKSTREAM"],
                 ["XREAD", "STREAMS", "str", "0"], ["XREAD", "STREAMS", "s", "str", "0", "0"],
                 ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", ">"], ["XACK", "str", "g", "1-1"],
                 ["XPENDING", "str", "g"], ["XCLAIM", "str", "g", "c", "0", "1-1"],
                 ["XAUTOCLAIM", "str", "g", "c", "0", "0"]):
        x(*args)
    x("GET", "str")
    # "*" ids: only their shape.
    x("XADD", "auto", "*", "a", "1", norm=id_shape)
    x("XADD", "auto", "*", "a", "2", norm=id_shape)
    x("XADD", "auto", "MAXLEN", "1", "*", "a", "3", norm=id_shape)
    x("XLEN", "auto")
    x("XRANGE", "auto", "-", "+", norm=ids_only)
    # The last possible id.
    x("XADD", "maxed", "18446744073709551615-18446744073709551615", "a", "b")
    x("XADD", "maxed", "*", "a", "b")
    x("XADD", "maxed", "18446744073709551615-*", "a", "b")
    x("XADD", "maxed2", "18446744073709551615-*", "a", "b")
    x("XADD", "maxed2", "18446744073709551615-*", "a", "b")
    x("XRANGE", "maxed2", "-", "+")
    # Approximate trimming of 250 small entries: whole nodes of 100 go.
    replies = x.pipeline([["XADD", "big", f"{i}-1", "f", str(i)] for i in range(1, 251)])
    x.note("250 XADDs", replies == [f"{i}-1".encode() for i in range(1, 251)])
    x("XTRIM", "big", "MAXLEN", "~", "120")
    x("XLEN", "big")
    x("XRANGE", "big", "-", "+", "COUNT", "1")
    x("XTRIM", "big", "MAXLEN", "~", "10")
    x("XLEN", "big")
    x("XTRIM", "big", "MAXLEN", "~", "0")
    x("XLEN", "big")
    x("EXISTS", "big")
    replies = x.pipeline([["XADD", "big2", f"{i}-1", "f", str(i)] for i in range(1, 251)])
    x.note("250 more XADDs", replies == [f"{i}-1".encode() for i in range(1, 251)])
    x("XTRIM", "big2", "MAXLEN", "~", "0", "LIMIT", "99")
    x("XTRIM", "big2", "MAXLEN", "~", "0", "LIMIT", "100")
    x("XLEN", "big2")
    x("XTRIM", "big2", "MINID", "~", "150")
    x("XLEN", "big2")
    x("XTRIM", "big2", "MINID", "~", "201")
    x("XLEN", "big2")
    x("XTRIM", "big2", "MINID", "~", "260")  # the last node, 50 entries all below
    x("XLEN", "big2")
    replies = x.pipeline([["XADD", "big3", f"{i}-1", "f", str(i)] for i in range(1, 251)])
    x.note("250 XADDs again", replies == [f"{i}-1".encode() for i in range(1, 251)])
    x("XDEL", "big3", *[f"{i}-1" for i in range(1, 31)])  # deleted entries stay in their node
    x("XTRIM", "big3", "MAXLEN", "~", "150")
    x("XLEN", "big3")
    x("XADD", "big3", "MAXLEN", "~", "60", "300-1", "f", "v")
    x("XLEN", "big3")
    x("XADD", "big3", "MAXLEN", "~", "60", "LIMIT", "0", "301-1", "f", "v")  # LIMIT 0: the default limit
    x("XLEN", "big3")
    x("XINFO", "STREAM", "big3", norm=xinfo_stream)
    x("XTRIM", "big3", "MAXLEN", "=", "3")
    x("XRANGE", "big3", "-", "+")
    x("XINFO", "STREAM", "big3", norm=xinfo_stream)
    # Node boundaries: a tail node whose entries are all deleted is gone,
    # and the next XADD starts a new one; a partly deleted one fills up.
    x.note("150 XADDs", x.pipeline([["XADD", "nd", f"{i}-1", "f", str(i)] for i in range(1, 151)])[-1])
    x("XDEL", "nd", *[f"{i}-1" for i in range(101, 151)])
    x.note("80 XADDs", x.pipeline([["XADD", "nd", f"{i}-1", "f", str(i)] for i in range(151, 231)])[-1])
    x("XTRIM", "nd", "MAXLEN", "~", "80")
    x("XLEN", "nd")
    x("XRANGE", "nd", "-", "+", "COUNT", "1")
    x.note("150 XADDs", x.pipeline([["XADD", "nd2", f"{i}-1", "f", str(i)] for i in range(1, 151)])[-1])
    x("XDEL", "nd2", *[f"{i}-1" for i in range(101, 150)])  # one entry of the tail node left
    x.note("80 XADDs", x.pipeline([["XADD", "nd2", f"{i}-1", "f", str(i)] for i in range(151, 231)])[-1])
    x("XTRIM", "nd2", "MAXLEN", "~", "30")
    x("XLEN", "nd2")
    x("XTRIM", "nd2", "MAXLEN", "~", "20")
    x("XLEN", "nd2")
    x("XRANGE", "nd2", "-", "+", "COUNT", "1")
    x.note("120 XADDs", x.pipeline([["XADD", "nd3", f"{i}-1", "f", str(i)] for i in range(1, 121)])[-1])
    x("XTRIM", "nd3", "MAXLEN", "=", "110")  # 10 trimmed one by one from the first node
    x("XTRIM", "nd3", "MAXLEN", "~", "10")
    x("XLEN", "nd3")
    x("XTRIM", "nd3", "MINID", "~", "121")
    x("XLEN", "nd3")
    # Binary fields and values, many fields, an empty value.
    x("XADD", "bin", "1-1", b"f\x00\r\n", b"v\r\n\x00", "", "empty")
    x("XADD", "bin", "2-1", *[str(i) for i in range(200)])
    x("XRANGE", "bin", "-", "+")
    x("XREVRANGE", "bin", "+", "-", "COUNT", "1")


def test_basics():
    same_as_redis(basics_script)


# ---- (2) XDEL, XTRIM, XSETID, XINFO STREAM ----

def trim_script(x):
    info = lambda key: x("XINFO", "STREAM", key, norm=xinfo_stream)  # noqa: E731
    for i in range(1, 11):
        x("XADD", "t", f"{i}-1", "f", str(i))
    info("t")
    x("XDEL", "t", "3-1", "5-1", "99-1")
    x("XDEL", "t", "3-1")
    x("XDEL", "t", "abc")
    x("XDEL", "t", "4-1", "abc")
    x("XDEL", "t")
    x("XDEL", "nokey", "1-1")
    x("XDEL", "t", "4")  # 4-0: not there
    x("XLEN", "t")
    info("t")
    x("XDEL", "t", "1-1")
    info("t")
    x("XDEL", "t", "10-1")
    info("t")
    x("XRANGE", "t", "-", "+")
    # XTRIM's arguments.
    x("XTRIM", "t")
    x("XTRIM", "t", "MAXLEN")
    x("XTRIM", "t", "FOO", "1")
    x("XTRIM", "t", "MAXLEN", "abc")
    x("XTRIM", "t", "MAXLEN", "-1")
    x("XTRIM", "t", "MINID", "abc")
    x("XTRIM", "t", "MAXLEN", "1", "LIMIT", "5")
    x("XTRIM", "t", "MAXLEN", "~", "1", "LIMIT", "-5")
    x("XTRIM", "t", "MAXLEN", "~", "1", "LIMIT", "abc")
    x("XTRIM", "t", "MAXLEN", "1", "MINID", "1")
    x("XTRIM", "t", "MAXLEN", "1", "junk")
    x("XTRIM", "nokey", "MAXLEN", "0")
    x("EXISTS", "nokey")
    x("XTRIM", "t", "MAXLEN", "~", "2", "LIMIT", "1")
    x("XTRIM", "t", "MAXLEN", "6")
    x("XTRIM", "t", "MAXLEN", "6")
    x("XTRIM", "t", "MAXLEN", "=", "5")
    info("t")
    x("XTRIM", "t", "MINID", "8")
    x("XTRIM", "t", "MINID", "=", "8-1")
    x("XTRIM", "t", "MINID", "(8-1")
    x("XRANGE", "t", "-", "+")
    info("t")
    # XSETID.
    x("XSETID", "t", "9-1")
    x("XSETID", "t", "9-0")
    x("XSETID", "t", "8-5")
    x("XSETID", "t", "20-0")
    info("t")
    x("XADD", "t", "15-*", "a", "b")
    x("XADD", "t", "20-*", "a", "b")
    x("XSETID", "t", "30-0", "ENTRIESADDED", "100", "MAXDELETEDID", "25-0")
    info("t")
    x("XSETID", "t", "30-0", "ENTRIESADDED", "2")
    x("XSETID", "t", "30-0", "ENTRIESADDED", "-1")
    x("XSETID", "t", "30-0", "ENTRIESADDED", "abc")
    x("XSETID", "t", "30-0", "MAXDELETEDID", "10-0")
    x("XSETID", "t", "30-0", "MAXDELETEDID", "31-0")
    x("XSETID", "t", "30-0", "MAXDELETEDID", "abc")
    x("XSETID", "t", "30-0", "ENTRIESADDED")
    x("XSETID", "t", "30-0", "FOO")
    x("XSETID", "t", "30-0", "ENTRIESADDED", "100", "FOO", "1")
    x("XSETID", "t", "abc")
    x("XSETID", "t", "$")
    x("XSETID", "t")
    x("XSETID", "nokey", "1-1")
    x("XSETID", "nokey", "1-1", "ENTRIESADDED", "5", "MAXDELETEDID", "1-0")
    x("XSETID", "t", "40-0", "ENTRIESADDED", "200", "MAXDELETEDID", "40-0")
    info("t")
    x("XADD", "t", "40-0", "a", "b")
    x("XADD", "t", "40-*", "a", "b")
    info("t")
    # The top item deleted: XSETID may go below last-generated-id.
    x("XDEL", "t", "40-1")
    x("XSETID", "t", "35-0")
    x("XSETID", "t", "39-0", "MAXDELETEDID", "39-0")
    info("t")
    x("XADD", "t", "39-*", "a", "b")
    # An emptied stream.
    x("XTRIM", "t", "MAXLEN", "0")
    info("t")
    x("XRANGE", "t", "-", "+")
    x("EXISTS", "t")
    x("XSETID", "t", "1-0")
    x("XSETID", "t", "50-0", "ENTRIESADDED", "0", "MAXDELETEDID", "0-0")
    info("t")
    x("XADD", "t", "1-1", "a", "b")
    # XINFO STREAM FULL.
    for i in range(1, 16):
        x("XADD", "full", f"{i}-0", "f", str(i), "g", str(i * i))
    x("XDEL", "full", "7-0")
    x("XINFO", "STREAM", "full", "FULL", norm=xinfo_stream)
    x("XINFO", "STREAM", "full", "FULL", "COUNT", "3", norm=xinfo_stream)
    x("XINFO", "STREAM", "full", "FULL", "COUNT", "0", norm=xinfo_stream)
    x("XINFO", "STREAM", "full", "FULL", "COUNT", "-1", norm=xinfo_stream)
    x("XINFO", "STREAM", "full", "FULL", "COUNT", "abc", norm=xinfo_stream)
    x("XINFO", "STREAM", "full", "FULL", "COUNT")
    x("XINFO", "STREAM", "full", "FOO")
    x("XINFO", "STREAM", "full", "COUNT", "3")
    x("XINFO", "STREAM", "nokey")
    x("XINFO", "STREAM", "nokey", "FULL")
    x("XINFO", "STREAM")
    x("XINFO", "FOO", "full")
    x("XINFO")
    x("XTRIM", "full", "MAXLEN", "0")
    x("XINFO", "STREAM", "full", "FULL", norm=xinfo_stream)


def test_trim_setid_info():
    same_as_redis(trim_script)


# ---- (3) consumer groups ----

def groups_script(x):
    groups = lambda key: x("XINFO", "GROUPS", key)  # noqa: E731
    consumers = lambda key, g: x("XINFO", "CONSUMERS", key, g, norm=xinfo_consumers)  # noqa: E731
    pending = lambda *a: x("XPENDING", *a, norm=xpending)  # noqa: E731
    for i in range(1, 6):
        x("XADD", "g1", f"{i}-1", "f", str(i))
    x("XGROUP", "CREATE", "g1", "grp", "$")
    x("XGROUP", "CREATE", "g1", "grp", "0")
    x("XGROUP", "CREATE", "g1", "early", "0")
    x("XGROUP", "CREATE", "g1", "mid", "2-1", "ENTRIESREAD", "2")
    x("XGROUP", "CREATE", "g1", "mid2", "2-1")
    x("XGROUP", "CREATE", "g1", "far", "99-0", "ENTRIESREAD", "7")
    x("XGROUP", "CREATE", "g1", "bad", "abc")
    x("XGROUP", "CREATE", "g1", "bad", "$", "ENTRIESREAD", "-5")
    x("XGROUP", "CREATE", "g1", "bad", "$", "ENTRIESREAD", "abc")
    x("XGROUP", "CREATE", "g1", "bad", "$", "FOO")
    x("XGROUP", "CREATE", "g1", "bad")
    x("XGROUP", "CREATE", "nokey", "g", "$")
    x("EXISTS", "nokey")
    x("XGROUP", "CREATE", "mk", "g", "$", "MKSTREAM")
    x("XGROUP", "CREATE", "mk2", "g", "0", "MKSTREAM", "ENTRIESREAD", "0")
    x("TYPE", "mk")
    x("XLEN", "mk")
    x("XINFO", "STREAM", "mk", norm=xinfo_stream)
    groups("g1")
    groups("mk2")
    groups("nokey")
    # Reading.
    x("XREADGROUP", "GROUP", "early", "alice", "COUNT", "2", "STREAMS", "g1", ">")
    x("XREADGROUP", "GROUP", "early", "bob", "STREAMS", "g1", ">")
    x("XREADGROUP", "GROUP", "early", "alice", "STREAMS", "g1", "0")
    x("XREADGROUP", "GROUP", "early", "alice", "STREAMS", "g1", "1-1")
    x("XREADGROUP", "GROUP", "early", "alice", "COUNT", "1", "STREAMS", "g1", "0")
    x("XREADGROUP", "GROUP", "early", "alice", "STREAMS", "g1", ">")
    x("XREADGROUP", "GROUP", "early", "nobody", "STREAMS", "g1", "0")
    x("XREADGROUP", "GROUP", "grp", "carol", "NOACK", "STREAMS", "g1", ">")
    x("XADD", "g1", "6-1", "f", "6")
    x("XREADGROUP", "GROUP", "grp", "carol", "NOACK", "STREAMS", "g1", ">")
    x("XREADGROUP", "GROUP", "grp", "carol", "STREAMS", "g1", "0")
    x("XREADGROUP", "GROUP", "mid", "dan", "COUNT", "1", "STREAMS", "g1", ">")
    x("XADD", "mk", "1-1", "m", "1")
    x("XADD", "mk", "2-1", "m", "2")
    x("XGROUP", "CREATE", "mk", "early", "0")
    x("XREADGROUP", "GROUP", "early", "alice", "COUNT", "1", "STREAMS", "g1", "mk", ">", ">")
    x("XREADGROUP", "GROUP", "early", "alice", "STREAMS", "mk", "g1", ">", ">")
    x("XREADGROUP", "GROUP", "early", "alice", "STREAMS", "mk", "g1", "0", "0")
    x("XREADGROUP", "GROUP", "early", "alice", "STREAMS", "mk", "g1", ">", "0")
    x("XREADGROUP", "GROUP", "mid2", "z", "COUNT", "0", "STREAMS", "g1", ">")
    x("XREADGROUP", "GROUP", "far", "z", "STREAMS", "g1", ">")
    groups("g1")
    groups("mk")
    consumers("g1", "early")
    consumers("g1", "grp")
    consumers("g1", "nogrp")
    consumers("nokey", "g")
    # XPENDING.
    pending("g1", "early")
    pending("g1", "grp")
    pending("mk", "g")
    pending("g1", "early", "-", "+", "10")
    pending("g1", "early", "IDLE", "0", "-", "+", "10")
    pending("g1", "early", "IDLE", "999999999", "-", "+", "10")
    pending("g1", "early", "-", "+", "10", "bob")
    pending("g1", "early", "-", "+", "10", "nobody")
    pending("g1", "early", "(1-1", "(5-1", "10")
    pending("g1", "early", "2-1", "4-1", "2")
    pending("g1", "early", "-", "+", "0")
    pending("g1", "early", "-", "+", "-1")
    pending("g1", "early", "-", "+", "abc")
    pending("g1", "early", "-", "+")
    pending("g1", "early", "-")
    pending("g1", "early", "IDLE", "abc", "-", "+", "1")
    pending("g1", "early", "IDLE", "0", "-", "+")
    pending("g1", "early", "abc", "+", "1")
    pending("g1", "early", "(-", "+", "1")
    pending("g1", "early", "-", "+", "10", "bob", "extra")
    pending("g1", "nogrp")
    pending("g1", "nogrp", "-", "+", "10")
    pending("nokey", "g")
    # XACK.
    x("XACK", "g1", "early", "1-1", "99-1")
    x("XACK", "g1", "early", "1-1")
    x("XACK", "g1", "early", "abc")
    x("XACK", "g1", "early", "2-1", "abc")
    x("XACK", "g1", "nogrp", "1-1")
    x("XACK", "nokey", "g", "1-1")
    x("XACK", "g1", "early")
    pending("g1", "early")
    # XCLAIM.
    x("XCLAIM", "g1", "early", "carol", "0", "2-1")
    x("XCLAIM", "g1", "early", "carol", "0", "3-1", "JUSTID")
    x("XCLAIM", "g1", "early", "carol", "0", "3-1", "4-1", "RETRYCOUNT", "7")
    x("XCLAIM", "g1", "early", "carol", "3600000", "3-1")
    x("XCLAIM", "g1", "early", "carol", "-5", "5-1", "IDLE", "5000")
    x("XCLAIM", "g1", "early", "carol", "0", "5-1", "TIME", "1", "JUSTID")
    x("XCLAIM", "g1", "early", "erin", "0", "6-1")
    x("XCLAIM", "g1", "early", "erin", "0", "6-1", "FORCE")
    x("XCLAIM", "g1", "early", "erin", "0", "99-1", "FORCE")
    x("XCLAIM", "g1", "early", "erin", "0", "1-1", "FORCE", "JUSTID", "LASTID", "7-0")
    x("XCLAIM", "g1", "early", "erin", "0", "6-1", "LASTID", "abc")
    x("XCLAIM", "g1", "early", "erin", "abc", "6-1")
    x("XCLAIM", "g1", "early", "erin", "0", "abc")
    x("XCLAIM", "g1", "early", "erin", "0", "6-1", "RETRYCOUNT", "-1")
    x("XCLAIM", "g1", "early", "erin", "0", "6-1", "IDLE", "abc")
    x("XCLAIM", "g1", "early", "erin", "0", "6-1", "FOO")
    x("XCLAIM", "g1", "early", "erin", "0")
    x("XCLAIM", "g1", "nogrp", "erin", "0", "6-1")
    x("XCLAIM", "nokey", "g", "erin", "0", "6-1")
    pending("g1", "early", "-", "+", "10")
    groups("g1")
    consumers("g1", "early")
    x("XDEL", "g1", "4-1")
    x("XCLAIM", "g1", "early", "bob", "0", "3-1", "4-1")
    x("XCLAIM", "g1", "early", "bob", "0", "4-1", "JUSTID")
    pending("g1", "early", "-", "+", "10")
    # XAUTOCLAIM.
    x("XAUTOCLAIM", "g1", "early", "dave", "0", "0-0", "COUNT", "2")
    x("XAUTOCLAIM", "g1", "early", "dave", "0", "3-1", "COUNT", "2", "JUSTID")
    x("XAUTOCLAIM", "g1", "early", "dave", "0", "0")
    x("XAUTOCLAIM", "g1", "early", "dave", "3600000", "0")
    x("XAUTOCLAIM", "g1", "early", "dave", "0", "(3-1")
    x("XAUTOCLAIM", "g1", "early", "dave", "0", "0", "COUNT", "0")
    x("XAUTOCLAIM", "g1", "early", "dave", "0", "0", "COUNT", "-1")
    x("XAUTOCLAIM", "g1", "early", "dave", "0", "0", "COUNT", "abc")
    x("XAUTOCLAIM", "g1", "early", "dave", "abc", "0")
    x("XAUTOCLAIM", "g1", "early", "dave", "0", "abc")
    x("XAUTOCLAIM", "g1", "early", "dave", "0", "0", "FOO")
    x("XAUTOCLAIM", "g1", "early", "dave", "0")
    x("XAUTOCLAIM", "g1", "nogrp", "dave", "0", "0")
    x("XAUTOCLAIM", "nokey", "g", "dave", "0", "0")
    x("XDEL", "g1", "2-1", "5-1")
    x("XAUTOCLAIM", "g1", "early", "frank", "0", "0-0")
    x("XAUTOCLAIM", "g1", "early", "frank", "0", "0-0", "JUSTID")
    pending("g1", "early")
    pending("g1", "early", "-", "+", "10")
    pending("g1", "early", "IDLE", "0", "-", "+", "10", "frank")
    pending("g1", "early", "IDLE", "0", "(1-1", "+", "1", "frank")
    # XAUTOCLAIM's COUNT with deleted entries at the front of the PEL.
    for i in range(1, 6):
        x("XADD", "ac", f"{i}-0", "f", str(i))
    x("XGROUP", "CREATE", "ac", "g", "0")
    x("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "ac", ">")
    x("XDEL", "ac", "1-0", "2-0", "4-0")
    x("XAUTOCLAIM", "ac", "g", "c2", "0", "0", "COUNT", "1")
    x("XAUTOCLAIM", "ac", "g", "c2", "0", "0", "COUNT", "1")
    x("XAUTOCLAIM", "ac", "g", "c2", "0", "0", "COUNT", "1", "JUSTID")
    x("XAUTOCLAIM", "ac", "g", "c3", "0", "(3-0", "COUNT", "1")
    x("XPENDING", "ac", "g")
    x("XINFO", "STREAM", "ac", "FULL", norm=xinfo_stream)
    # History read after the entries were deleted: [id, nil].
    x("XREADGROUP", "GROUP", "grp", "gus", "STREAMS", "g1", "0")
    x("XGROUP", "SETID", "g1", "grp", "0")
    x("XREADGROUP", "GROUP", "grp", "gus", "STREAMS", "g1", ">")
    x("XDEL", "g1", "3-1")
    x("XREADGROUP", "GROUP", "grp", "gus", "STREAMS", "g1", "0")
    x("XREADGROUP", "GROUP", "grp", "gus", "COUNT", "1", "STREAMS", "g1", "0")
    groups("g1")
    # XGROUP SETID / CREATECONSUMER / DELCONSUMER / DESTROY.
    x("XGROUP", "SETID", "g1", "early", "0", "ENTRIESREAD", "0")
    x("XGROUP", "SETID", "g1", "early", "$")
    x("XGROUP", "SETID", "g1", "mid", "3-1", "ENTRIESREAD", "1")
    x("XGROUP", "SETID", "g1", "mid", "3-1", "ENTRIESREAD", "-2")
    x("XGROUP", "SETID", "g1", "mid", "abc")
    x("XGROUP", "SETID", "g1", "mid", "0", "FOO")
    x("XGROUP", "SETID", "g1", "nogrp", "0")
    x("XGROUP", "SETID", "nokey", "g", "0")
    groups("g1")
    x("XGROUP", "CREATECONSUMER", "g1", "early", "eve")
    x("XGROUP", "CREATECONSUMER", "g1", "early", "eve")
    x("XGROUP", "CREATECONSUMER", "g1", "nogrp", "eve")
    x("XGROUP", "CREATECONSUMER", "nokey", "g", "eve")
    x("XGROUP", "CREATECONSUMER", "g1", "early")
    consumers("g1", "early")
    x("XGROUP", "DELCONSUMER", "g1", "early", "carol")
    x("XGROUP", "DELCONSUMER", "g1", "early", "eve")
    x("XGROUP", "DELCONSUMER", "g1", "early", "nobody")
    x("XGROUP", "DELCONSUMER", "g1", "nogrp", "x")
    x("XGROUP", "DELCONSUMER", "g1", "grp", "gus")  # its 3 pending entries go with it
    x("XGROUP", "DELCONSUMER", "nokey", "grp", "gus")
    pending("g1", "grp")
    consumers("g1", "early")
    pending("g1", "early")
    x("XGROUP", "DESTROY", "g1", "mid2")
    x("XGROUP", "DESTROY", "g1", "mid2")
    x("XGROUP", "DESTROY", "nokey", "g")
    x("XGROUP", "DESTROY", "g1")
    x("XGROUP", "FOO", "g1")
    x("XGROUP")
    groups("g1")
    x("XINFO", "STREAM", "g1", "FULL", norm=xinfo_stream)
    x("XINFO", "STREAM", "g1", "FULL", "COUNT", "1", norm=xinfo_stream)
    x("XINFO", "STREAM", "g1", norm=xinfo_stream)
    # Lag: entries deleted after the group's last id, then XADD; XTRIM
    # below the group's position.
    for i in range(10, 15):
        x("XADD", "lag", f"{i}-0", "f", "v")
    x("XGROUP", "CREATE", "lag", "a", "0")
    x("XGROUP", "CREATE", "lag", "b", "11-0")
    x("XGROUP", "CREATE", "lag", "c", "$")
    groups("lag")
    x("XDEL", "lag", "13-0")
    groups("lag")
    x("XREADGROUP", "GROUP", "b", "x", "COUNT", "1", "STREAMS", "lag", ">")
    x("XREADGROUP", "GROUP", "a", "x", "STREAMS", "lag", ">")
    groups("lag")
    x("XTRIM", "lag", "MAXLEN", "1")
    x("XADD", "lag", "15-0", "f", "v")
    groups("lag")
    x("XREADGROUP", "GROUP", "b", "x", "STREAMS", "lag", ">")
    groups("lag")
    # The argument errors of XREAD and XREADGROUP.
    x("XREADGROUP", "GROUP", "early", "a", "STREAMS", "g1", "$")
    x("XREAD", "STREAMS", "g1", ">")
    x("XREAD", "STREAMS", "g1")
    x("XREAD", "STREAMS", "g1", "mk", "0")
    x("XREADGROUP", "GROUP", "early", "a", "STREAMS", "g1", "mk", ">")
    x("XREADGROUP", "STREAMS", "g1", ">")
    x("XREAD", "GROUP", "early", "a", "STREAMS", "g1", ">")
    x("XREADGROUP", "GROUP", "nogrp", "a", "STREAMS", "g1", ">")
    x("XREADGROUP", "GROUP", "early", "a", "STREAMS", "nokey", ">")
    x("XREADGROUP", "GROUP", "early", "a", "STREAMS", "g1", "nokey", ">", ">")
    x("XREADGROUP", "GROUP", "early", "STREAMS", "g1", ">")
    x("XREADGROUP", "GROUP", "early", "a", "g1", ">")
    x("XREAD", "COUNT", "abc", "STREAMS", "g1", "0")
    x("XREAD", "BLOCK", "-1", "STREAMS", "g1", "0")
    x("XREAD", "BLOCK", "abc", "STREAMS", "g1", "0")
    x("XREAD", "STREAMS", "g1", "abc")
    x("XREAD", "FOO", "STREAMS", "g1", "0")
    x("XREAD", "COUNT", "1")
    x("XREADGROUP", "GROUP", "early", "a", "NOACK")
    # XREAD without blocking.
    x("XREAD", "STREAMS", "g1", "0")
    x("XREAD", "COUNT", "2", "STREAMS", "g1", "mk", "0", "0")
    x("XREAD", "COUNT", "0", "STREAMS", "g1", "0")
    x("XREAD", "COUNT", "-3", "STREAMS", "g1", "0")
    x("XREAD", "STREAMS", "g1", "mk", "$", "1-1")
    x("XREAD", "STREAMS", "g1", "$")
    x("XREAD", "STREAMS", "nokey", "0")
    x("XREAD", "STREAMS", "g1", "(1-1")
    x("XREAD", "STREAMS", "g1", "18446744073709551615-18446744073709551615")
    x("XREAD", "STREAMS", "g1", "+")  # Redis 7.4's last entry: not in 7.0
    x("XREAD", "STREAMS", "g1", "-")
    x("XREAD", "STREAMS", "g1", "5")
    # A group made at $ on an empty stream, then entries.
    x("XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM")
    x("XINFO", "GROUPS", "empty")
    x("XADD", "empty", "1-1", "a", "b")
    x("XINFO", "GROUPS", "empty")
    x("XGROUP", "CREATE", "empty", "h", "$", "ENTRIESREAD", "1")
    x("XINFO", "GROUPS", "empty")


def test_groups():
    same_as_redis(groups_script)


# ---- (4) blocking reads ----

# Steps: (connection, args, mode). mode True: read the reply now; False:
# send only (a later ("read", conn) step reads it); "discard": read, do not
# record. ("pause",) lets a sent command block; ("unblock", conn, how)
# sends CLIENT UNBLOCK for that connection's id from ctl.
BLOCKING_SCRIPT = [
    ("r3", ["HELLO", "3"], "discard"),
    ("ctl", ["XADD", "s", "1-1", "f", "v"], True),
    # XREAD BLOCK 0 on $: exactly the new entry.
    ("a", ["XREAD", "BLOCK", "0", "STREAMS", "s", "$"], False),
    ("pause",),
    ("ctl", ["INFO", "clients"], "blocked_clients"),
    ("ctl", ["XADD", "s", "2-1", "f", "w"], True),
    ("read", "a"),
    # A timeout that expires, in both protocols.
    ("a", ["XREAD", "BLOCK", "100", "STREAMS", "s", "$"], True),
    ("r3", ["XREAD", "BLOCK", "100", "STREAMS", "s", "$"], True),
    ("a", ["XREAD", "BLOCK", "100", "STREAMS", "s", "nokey", "0", "$"], True),  # data at once: no wait
    # A blocked read, a command pipelined behind it.
    ("a", ["XREAD", "BLOCK", "0", "COUNT", "5", "STREAMS", "nokey2", "s", "$", "$"], "pipeline"),
    ("pause",),
    ("ctl", ["XADD", "other", "1-1", "x", "y"], True),  # not what it waits for
    ("ctl", ["XADD", "nokey2", "3-1", "k", "v"], True),
    ("read", "a"),
    ("read", "a"),
    # XREADGROUP BLOCK on >, served by a later XADD; the entry is pending.
    ("ctl", ["XGROUP", "CREATE", "s", "g", "$"], True),
    ("b", ["XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "s", ">"], False),
    ("pause",),
    ("ctl", ["XADD", "s", "3-1", "f", "x"], True),
    ("read", "b"),
    ("ctl", ["XPENDING", "s", "g"], True),
    ("b", ["XREADGROUP", "GROUP", "g", "bob", "BLOCK", "100", "STREAMS", "s", ">"], True),
    ("b", ["XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "s", "0"], True),  # history: no wait
    ("r3", ["XREADGROUP", "GROUP", "g", "rita", "BLOCK", "0", "NOACK", "STREAMS", "s", ">"], False),
    ("pause",),
    ("ctl", ["XADD", "s", "4-1", "f", "y"], True),
    ("read", "r3"),
    ("ctl", ["XPENDING", "s", "g"], True),
    # Two readers on one stream (XREAD and XREADGROUP), one XADD serves both.
    ("a", ["XREAD", "BLOCK", "0", "STREAMS", "s", "$"], False),
    ("pause",),
    ("b", ["XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "s", ">"], False),
    ("pause",),
    ("c", ["XREAD", "BLOCK", "0", "STREAMS", "s", "4-1"], False),
    ("pause",),
    ("ctl", ["INFO", "clients"], "blocked_clients"),
    ("ctl", ["XADD", "s", "5-1", "f", "z"], True),
    ("read", "a"),
    ("read", "b"),
    ("read", "c"),
    ("ctl", ["INFO", "clients"], "blocked_clients"),
    # Two XADDs in one MULTI: the readers are served after the EXEC.
    ("a", ["XREAD", "BLOCK", "0", "COUNT", "1", "STREAMS", "s", "$"], False),
    ("pause",),
    ("b", ["XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "COUNT", "5", "STREAMS", "s", ">"], False),
    ("pause",),
    ("ctl", ["MULTI"], True),
    ("ctl", ["XADD", "s", "6-1", "f", "1"], True),
    ("ctl", ["XADD", "s", "6-2", "f", "2"], True),
    ("ctl", ["EXEC"], True),
    ("read", "a"),
    ("read", "b"),
    # Deleted and re-created below the $ id: not served until past it.
    ("a", ["XREAD", "BLOCK", "0", "STREAMS", "s", "$"], False),
    ("pause",),
    ("ctl", ["DEL", "s"], True),
    ("ctl", ["XADD", "s", "2-0", "f", "low"], True),
    ("pause",),
    ("ctl", ["XADD", "s", "9-0", "f", "high"], True),
    ("read", "a"),
    # A key that becomes a string does not serve the reader.
    ("a", ["XREAD", "BLOCK", "0", "STREAMS", "t", "$"], False),
    ("pause",),
    ("ctl", ["SET", "t", "string"], True),
    ("pause",),
    ("ctl", ["DEL", "t"], True),
    ("ctl", ["XADD", "t", "1-1", "f", "v"], True),
    ("read", "a"),
    # XGROUP DESTROY and DEL under a blocked XREADGROUP.
    ("ctl", ["XGROUP", "CREATE", "d", "g", "$", "MKSTREAM"], True),
    ("b", ["XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "d", ">"], False),
    ("pause",),
    ("ctl", ["XGROUP", "DESTROY", "d", "g"], True),
    ("read", "b"),
    ("ctl", ["XGROUP", "CREATE", "d", "g", "$"], True),
    ("b", ["XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "d", ">"], False),
    ("pause",),
    ("ctl", ["DEL", "d"], True),
    ("pause",),
    ("ctl", ["INFO", "clients"], "blocked_clients"),  # redis-server: DEL unblocks it at once
    ("ctl", ["XADD", "d", "1-1", "f", "v"], True),
    ("ctl", ["XGROUP", "CREATE", "d", "g", "0"], True),
    ("read", "b"),
    ("ctl", ["INFO", "clients"], "blocked_clients"),
    # An XADD that trims its own entry (MAXLEN 0): redis-server serves the
    # reader an empty batch. Each such case has a connection of its own,
    # so that one left blocked does not shift the others' replies.
    ("ctl", ["XADD", "mx", "1-1", "f", "v"], True),
    ("e1", ["XREAD", "BLOCK", "0", "STREAMS", "mx", "$"], False),
    ("pause",),
    ("ctl", ["XADD", "mx", "MAXLEN", "0", "2-1", "f", "v"], True),
    ("read", "e1"),
    # A key a reader waits on overwritten by SET.
    ("ctl", ["XGROUP", "CREATE", "ov", "g", "$", "MKSTREAM"], True),
    ("e2", ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "ov", ">"], False),
    ("e3", ["XREAD", "BLOCK", "0", "STREAMS", "ov", "$"], False),
    ("pause",),
    ("ctl", ["SET", "ov", "string"], True),
    ("pause",),
    ("ctl", ["INFO", "clients"], "blocked_clients"),
    ("read", "e2"),
    ("ctl", ["DEL", "ov"], True),
    ("ctl", ["XADD", "ov", "1-1", "f", "v"], True),
    ("read", "e3"),
    # XREADGROUP blocked on two streams, served by the second; then by both
    # in one MULTI.
    ("ctl", ["XGROUP", "CREATE", "k1", "g", "$", "MKSTREAM"], True),
    ("ctl", ["XGROUP", "CREATE", "k2", "g", "$", "MKSTREAM"], True),
    ("e4", ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "k1", "k2", ">", ">"], False),
    ("pause",),
    ("ctl", ["XADD", "k2", "1-1", "f", "v"], True),
    ("read", "e4"),
    ("e4", ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "k1", "k2", ">", ">"], False),
    ("pause",),
    ("ctl", ["MULTI"], True),
    ("ctl", ["XADD", "k1", "2-1", "f", "v"], True),
    ("ctl", ["XADD", "k2", "2-1", "f", "v"], True),
    ("ctl", ["EXEC"], True),
    ("read", "e4"),
    ("ctl", ["XPENDING", "k1", "g"], True),
    ("ctl", ["XPENDING", "k2", "g"], True),
    # CLIENT UNBLOCK, TIMEOUT and ERROR.
    ("a", ["XREAD", "BLOCK", "0", "STREAMS", "u", "$"], False),
    ("pause",),
    ("unblock", "a", None),
    ("read", "a"),
    ("ctl", ["XGROUP", "SETID", "d", "g", "$"], True),
    ("b", ["XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "d", ">"], False),
    ("pause",),
    ("unblock", "b", "ERROR"),
    ("read", "b"),
    ("r3", ["XREAD", "BLOCK", "0", "STREAMS", "u", "$"], False),
    ("pause",),
    ("unblock", "r3", "TIMEOUT"),
    ("read", "r3"),
    # Inside MULTI nothing blocks.
    ("a", ["MULTI"], True),
    ("a", ["XREAD", "BLOCK", "0", "STREAMS", "s", "$"], True),
    ("a", ["XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "d", ">"], True),
    ("a", ["XREAD", "BLOCK", "0", "STREAMS", "s", "0"], True),
    ("a", ["EXEC"], True),
    ("r3", ["MULTI"], True),
    ("r3", ["XREAD", "BLOCK", "0", "STREAMS", "s", "$"], True),
    ("r3", ["EXEC"], True),
    ("ctl", ["INFO", "clients"], "blocked_clients"),
    ("ctl", ["XINFO", "GROUPS", "d"], True),
    ("ctl", ["XINFO", "CONSUMERS", "d", "g"], "consumers"),
    ("ctl", ["XPENDING", "d", "g", "-", "+", "10"], "pending"),
]


def run_blocking(port):
    names = [step[0] for step in BLOCKING_SCRIPT if step[0] not in ("pause", "read", "unblock")]
    conns = {name: TypedConn(port) for name in dict.fromkeys(names)}
    ids = {name: c.cmd("CLIENT", "ID") for name, c in conns.items()}
    results = []
    for step in BLOCKING_SCRIPT:
        if step[0] == "pause":
            time.sleep(PAUSE)
            continue
        if step[0] == "read":  # a reply that never comes is a difference, not a hang
            c = conns[step[1]]
            c.sock.settimeout(3.0)
            try:
                reply = c.read_reply()
            except socket.timeout:
                reply = "(no reply within 3 s)"
            c.sock.settimeout(c.timeout)
            results.append((f"read {step[1]}", reply))
            continue
        if step[0] == "unblock":
            how = [step[2]] if step[2] else []
            results.append((f"CLIENT UNBLOCK {step[1]} {how}", conns["ctl"].cmd("CLIENT", "UNBLOCK", ids[step[1]], *how)))
            continue
        name, args, mode = step
        c = conns[name]
        if mode == "pipeline":
            c.send(resp_command(*args) + resp_command("PING", "after"))
            continue
        c.send(resp_command(*args))
        if mode is False:
            continue
        reply = c.read_reply()
        if mode == "discard":
            continue
        if mode == "blocked_clients":
            reply = [ln for ln in reply.decode().split("\r\n") if ln.startswith("blocked_clients")]
        elif mode == "consumers":
            reply = xinfo_consumers(reply)
        elif mode == "pending":
            reply = xpending(reply)
        results.append((f"{name}: {' '.join(args)}", reply))
    for c in conns.values():
        c.close()
    return results


def wake_after_recreate(port, trials=8):
    """An XREAD and an XREADGROUP wait on one stream, which is deleted and
    made again by XADD (without the group): the XREAD is served the new
    entry, every time, whichever I/O threads the two readers are on. Only
    the XREAD's replies are returned (what the XREADGROUP gets is compared
    in the script)."""
    out = []
    for i in range(trials):
        key = f"re{i}"
        ctl, grp, rd = TypedConn(port), TypedConn(port), TypedConn(port)
        ctl.cmd("XGROUP", "CREATE", key, "g", "$", "MKSTREAM")
        grp.send(resp_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", key, ">"))
        rd.send(resp_command("XREAD", "BLOCK", "0", "STREAMS", key, "$"))
        time.sleep(0.05)
        ctl.cmd("DEL", key)
        ctl.cmd("XADD", key, "1-1", "f", "v")
        rd.sock.settimeout(1.5)
        try:
            reply = rd.read_reply()
        except socket.timeout:
            reply = "(no reply within 1.5 s)"
        out.append((f"trial {i}: XREAD", reply))
        for c in (ctl, grp, rd):
            c.close()
    return out


def test_blocking():
    tmkv, redis = start_both()
    try:
        with ThreadPoolExecutor(2) as pool:
            got, want = pool.map(run_blocking, (tmkv.port, redis.port))
            failures = [differences(got, want, "blocking script")]
            got, want = pool.map(wake_after_recreate, (tmkv.port, redis.port))
            failures.append(differences(got, want, "an XREAD next to an XREADGROUP, the stream made again"))
        failures = [f for f in failures if f]
        check(not failures, "\n".join(failures))
    finally:
        tmkv.stop()
        redis.stop()


# ---- (5) keyspace notifications ----

KEYSPACE_SCRIPT = [
    ["XADD", "s", "1-1", "a", "1"],
    ["XADD", "s", "2-1", "a", "2"],
    ["XADD", "s", "1-1", "a", "1"],  # refused: nothing
    ["XADD", "nokey", "NOMKSTREAM", "1-1", "a", "b"],  # nothing
    ["XADD", "s", "MAXLEN", "1", "3-1", "a", "3"],  # xadd, xtrim
    ["XADD", "s", "MAXLEN", "5", "4-1", "a", "4"],  # xadd only
    ["XADD", "s", "5-1", "a", "5"],
    ["XADD", "s", "6-1", "a", "6"],
    ["XTRIM", "s", "MAXLEN", "3"],
    ["XTRIM", "s", "MAXLEN", "3"],  # nothing removed: nothing
    ["XTRIM", "s", "MINID", "5"],
    ["XDEL", "s", "99-1"],  # nothing
    ["XDEL", "s", "5-1"],
    ["XSETID", "s", "10-0"],
    ["XSETID", "s", "1-0"],  # refused
    ["XGROUP", "CREATE", "s", "g", "0"],
    ["XGROUP", "CREATE", "s", "g", "0"],  # BUSYGROUP
    ["XGROUP", "CREATE", "mk", "g", "$", "MKSTREAM"],
    ["XGROUP", "SETID", "s", "g", "0"],
    ["XGROUP", "CREATECONSUMER", "s", "g", "c1"],
    ["XGROUP", "CREATECONSUMER", "s", "g", "c1"],  # exists: nothing
    ["XADD", "s", "11-1", "a", "11"],
    ["XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"],  # creates c2
    ["XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", "0"],
    ["XREADGROUP", "GROUP", "g", "c3", "STREAMS", "s", ">"],  # nothing to read, still creates c3
    ["XACK", "s", "g", "6-1"],
    ["XCLAIM", "s", "g", "c4", "0", "11-1"],  # creates c4
    ["XCLAIM", "s", "g", "c5", "3600000", "11-1"],  # nothing claimed
    ["XAUTOCLAIM", "s", "g", "c6", "0", "0"],  # creates c6
    ["XAUTOCLAIM", "s", "g", "c7", "3600000", "0"],
    ["XDEL", "s", "11-1"],
    ["XAUTOCLAIM", "s", "g", "c6", "0", "0"],  # a deleted id leaves the PEL
    ["XGROUP", "DELCONSUMER", "s", "g", "c1"],
    ["XGROUP", "DELCONSUMER", "s", "g", "nobody"],
    ["XGROUP", "DESTROY", "s", "g"],
    ["XGROUP", "DESTROY", "s", "g"],  # gone: nothing
    ["XADD", "s", "MINID", "~", "1", "12-1", "a", "b"],
    ["RENAME", "s", "s2"],
    ["COPY", "s2", "s3"],
    ["EXPIRE", "s3", "100"],
    ["PERSIST", "s3"],
    ["DEL", "s2", "s3", "mk"],
    ["XADD", "z", "1-1", "a", "b"],
    ["XTRIM", "z", "MAXLEN", "0"],  # the emptied stream stays
    ["XGROUP", "CREATE", "z", "g", "$"],
    ["FLUSHALL"],
]


def keyspace_events(port, flags):
    c, listener = TypedConn(port), TypedConn(port)
    c.cmd("FLUSHALL")
    check_eq(c.cmd("CONFIG", "SET", "notify-keyspace-events", flags), "OK", f"CONFIG SET {flags}")
    check_eq(listener.cmd("PSUBSCRIBE", "__key*__:*"), [b"psubscribe", b"__key*__:*", 1], "PSUBSCRIBE")
    replies = [c.cmd(*cmd) for cmd in KEYSPACE_SCRIPT]
    data, _ = listener.read_raw(timeout=0.4)
    c.cmd("CONFIG", "SET", "notify-keyspace-events", "")
    c.close()
    listener.close()
    return [m[2:] for m in parse_all(data)], replies


def test_keyspace_notifications():
    tmkv, redis = start_both()
    try:
        failures = []
        with ThreadPoolExecutor(2) as pool:
            for flags in ("KEA", "Et", "Kt", "Eg"):
                (got, got_replies), (want, want_replies) = pool.map(lambda p: keyspace_events(p, flags),
                                                                    (tmkv.port, redis.port))
                if flags == "KEA":  # the replies are the same whatever the flags
                    failures.append(differences(list(zip(map(str, KEYSPACE_SCRIPT), got_replies)),
                                                list(zip(map(str, KEYSPACE_SCRIPT), want_replies)),
                                                "the script's replies"))
                if got != want:
                    diffs = [f"  [{i}] tmkv {g!r}, redis {w!r}" for i, (g, w) in enumerate(zip(got, want)) if g != w]
                    failures.append(f"flags {flags}: events differ ({len(got)} on tmkv, {len(want)} on redis)\n"
                                    + "\n".join(diffs[:20]) + f"\n  tmkv:  {[(e[0], e[1]) for e in got]}"
                                    + f"\n  redis: {[(e[0], e[1]) for e in want]}")
                check(len(want) > 5 or flags == "Eg", f"flags {flags}: the script makes events: {want}")
        failures = [f for f in failures if f]
        check(not failures, "\n".join(failures))
    finally:
        tmkv.stop()
        redis.stop()


# ---- (6) a stream key as a key ----

def scan_all(c, *args):
    """A whole SCAN iteration's keys, sorted (one call may return a part)."""
    cursor, keys = b"0", []
    for _ in range(1000):
        reply = c.cmd("SCAN", cursor, *args)
        if not isinstance(reply, list):
            return reply
        cursor, part = reply
        keys += part
        if cursor == b"0":
            return sorted(keys)
    return ("no end", sorted(keys))


def keys_script(x):
    for i in range(1, 6):
        x("XADD", "s", f"{i}-0", "f", str(i))
    x("XGROUP", "CREATE", "s", "g", "0")
    x("XGROUP", "CREATE", "s", "h", "$")
    x("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
    x("XDEL", "s", "4-0")
    x("TYPE", "s")
    x("OBJECT", "ENCODING", "s")
    x("EXISTS", "s")
    x("SET", "str", "v")
    x.note("SCAN TYPE stream", scan_all(x.c, "TYPE", "stream"))
    x("COPY", "s", "c")
    x("COPY", "s", "c")
    x("TYPE", "c")
    x("XINFO", "STREAM", "c", norm=xinfo_stream)
    x("XINFO", "GROUPS", "c")
    x("XINFO", "CONSUMERS", "c", "g", norm=xinfo_consumers)
    x("XPENDING", "c", "g", "-", "+", "10", norm=xpending)
    x("XINFO", "STREAM", "c", "FULL", norm=xinfo_stream)
    # The copy is independent.
    x("XADD", "c", "6-0", "f", "6")
    x("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "c", ">")
    x("XGROUP", "DESTROY", "c", "h")
    x("XINFO", "GROUPS", "c")
    x("XINFO", "GROUPS", "s")
    x("XLEN", "s")
    x("XPENDING", "s", "g")
    x("COPY", "s", "c", "REPLACE")
    x("XINFO", "GROUPS", "c")
    x("COPY", "str", "c", "REPLACE")
    x("TYPE", "c")
    x("COPY", "s", "c", "REPLACE")
    x("RENAME", "s", "r")
    x("TYPE", "s")
    x("EXISTS", "s", "r")
    x("XINFO", "STREAM", "r", norm=xinfo_stream)
    x("XINFO", "GROUPS", "r")
    x("RENAME", "str", "r")
    x("TYPE", "r")
    x("RENAME", "c", "r")
    x("XINFO", "GROUPS", "r")
    x("RENAMENX", "r", "c")
    x("DEL", "r")
    x("EXISTS", "r")
    x("XLEN", "r")
    x("XINFO", "GROUPS", "r")
    # An emptied stream is still a key.
    x("XADD", "e", "1-1", "a", "b")
    x("XDEL", "e", "1-1")
    x("EXISTS", "e")
    x("TYPE", "e")
    x("OBJECT", "ENCODING", "e")
    x("XLEN", "e")
    x("XADD", "e", "1-1", "a", "b")
    x("XADD", "e", "1-2", "a", "b")
    # In MULTI/EXEC.
    x("MULTI")
    x("XADD", "m", "1-1", "a", "b")
    x("XGROUP", "CREATE", "m", "g", "0")
    x("XREADGROUP", "GROUP", "g", "c", "STREAMS", "m", ">")
    x("XLEN", "m")
    x("XADD", "m", "0-1", "a", "b")
    x("EXEC")
    x("MULTI")
    x("XADD", "m", "1-1", "a")
    x("EXEC")
    # WATCH: broken by XADD, not by reads or by an XACK that acknowledged
    # nothing. A group's changes (XREADGROUP that delivers or reads its
    # history, XACK of a pending entry) are the declared difference: Redis
    # 7.0 changes the group in place without signalling the key, tmkv stores
    # a new version of it, so its WATCH sees them. Each server must do what
    # it declares: Redis runs the EXEC, tmkv aborts it.
    is_tmkv = b"tmkv_version" in x.c.cmd("INFO", "server")
    other = TypedConn(x.port)
    for action, group_write in ((["XADD", "m", "5-5", "a", "b"], False),
                                (["XREADGROUP", "GROUP", "g", "c", "STREAMS", "m", ">"], True),
                                (["XRANGE", "m", "-", "+"], False),
                                (["XREADGROUP", "GROUP", "g", "c", "STREAMS", "m", "0"], True),
                                (["XINFO", "STREAM", "m"], False), (["XACK", "m", "g", "1-1"], True),
                                (["XACK", "m", "g", "1-1"], False)):
        x("WATCH", "m")
        reply = other.cmd(*action)
        x.note(f"other: {' '.join(action)}", xinfo_stream(reply) if action[0] == "XINFO" else reply)
        x("MULTI")
        x("XLEN", "m")
        if group_write:
            x("EXEC", norm=lambda r: "as declared" if (isinstance(r, tuple) and r[0] == "null") == is_tmkv else r)
        else:
            x("EXEC")
    other.close()
    # In scripts: no blocking.
    x("EVAL", "return redis.call('XADD', KEYS[1], '7-1', 'a', 'b')", "1", "m")
    x("EVAL", "return redis.call('XADD', KEYS[1], '*', 'a', 'b')", "1", "m", norm=id_shape)
    x("EVAL", "return redis.call('XRANGE', KEYS[1], '-', '7')", "1", "m")
    x("EVAL", "return redis.call('XREAD', 'COUNT', '1', 'STREAMS', KEYS[1], '0')", "1", "m")
    x("EVAL", "return redis.call('XREAD', 'BLOCK', '0', 'STREAMS', KEYS[1], '$')", "1", "m")
    x("EVAL", "return redis.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', KEYS[1], '>')", "1", "m")
    x("EVAL", "return redis.call('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', KEYS[1], '>')", "1", "m")
    x("EVAL", "return redis.pcall('XADD', KEYS[1], '1-1', 'a', 'b')", "1", "m")
    x("EVAL", "return redis.call('XLEN', KEYS[1])", "1", "m")
    x("CONFIG", "GET", "stream-node-max-*", norm=sorted_pairs)
    x("FLUSHALL")
    x.note("SCAN TYPE stream", scan_all(x.c, "TYPE", "stream"))


def test_stream_as_key():
    same_as_redis(keys_script)


# ---- (7) DUMP and RESTORE ----

def dump_fixture(c):
    """Two listpack nodes (entries whose fields are their node's first
    entry's, and some that are not), deletions in both, two groups with a
    PEL and a consumer with none, and XSETID's counters."""
    for i in range(1, 8):
        c.cmd("XADD", "s", f"{i}-{i}", "f", str(i), "g", "x" * i)
    for i in range(8, 160):
        c.cmd("XADD", "s", f"{i}-0", "f", str(i), *(("g", "y" * (i % 30)) if i % 9 else ("other", "z")))
    c.cmd("XDEL", "s", "3-3", "120-0")
    c.cmd("XGROUP", "CREATE", "s", "g", "0")
    c.cmd("XGROUP", "CREATE", "s", "h", "2-2", "ENTRIESREAD", "2")
    c.cmd("XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">")
    c.cmd("XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "s", ">")
    c.cmd("XREADGROUP", "GROUP", "h", "carol", "COUNT", "120", "STREAMS", "s", ">")
    c.cmd("XACK", "s", "h", "50-0", "51-0")
    c.cmd("XCLAIM", "s", "h", "dave", "0", "60-0", "61-0", "RETRYCOUNT", "7")
    c.cmd("XGROUP", "CREATECONSUMER", "s", "h", "idle")
    c.cmd("XSETID", "s", "900-0", "ENTRIESADDED", "300", "MAXDELETEDID", "800-0")


def describe(c, key):
    return [("XINFO STREAM FULL", xinfo_stream(c.cmd("XINFO", "STREAM", key, "FULL"))),
            ("XINFO GROUPS", c.cmd("XINFO", "GROUPS", key)),
            ("XINFO CONSUMERS g", xinfo_consumers(c.cmd("XINFO", "CONSUMERS", key, "g"))),
            ("XINFO CONSUMERS h", xinfo_consumers(c.cmd("XINFO", "CONSUMERS", key, "h"))),
            ("XPENDING g", c.cmd("XPENDING", key, "g")),
            ("XPENDING h - + 200", xpending(c.cmd("XPENDING", key, "h", "-", "+", "200"))),
            ("XPENDING h - + 10 dave", xpending(c.cmd("XPENDING", key, "h", "-", "+", "10", "dave"))),
            ("XRANGE", c.cmd("XRANGE", key, "-", "+")),
            ("TYPE", c.cmd("TYPE", key))]


def exact(c, key):
    """XINFO STREAM FULL COUNT 0 as it is, times included (the payload
    carries them) and radix-tree-keys (one listpack per emulated node both
    ways); only radix-tree-nodes, Redis's tree, is left out."""
    return norm_map(c.cmd("XINFO", "STREAM", key, "FULL", "COUNT", "0"),
                    lambda k, v: DROP if k == b"radix-tree-nodes" else v)


def restore_wakes_reader(srv, payload):
    """An XREAD and an XREADGROUP blocked on a key that RESTORE then makes
    (and REPLACEs) are served, as an XADD would serve them."""
    c, reader, group_reader = TypedConn(srv.port), TypedConn(srv.port), TypedConn(srv.port)
    out = []
    reader.send(resp_command("XREAD", "COUNT", "2", "BLOCK", "0", "STREAMS", "w", "$"))
    time.sleep(PAUSE)
    out.append(("RESTORE w", c.cmd("RESTORE", "w", "0", payload)))
    out.append(("blocked XREAD", reader.read_reply()))
    c.cmd("XGROUP", "CREATE", "w", "late", "$")
    group_reader.send(resp_command("XREADGROUP", "GROUP", "late", "r", "BLOCK", "0", "STREAMS", "w", ">"))
    time.sleep(PAUSE)
    # REPLACE drops the group with the old stream: the reader hears of it.
    out.append(("RESTORE w REPLACE", c.cmd("RESTORE", "w", "0", payload, "REPLACE")))
    out.append(("blocked XREADGROUP", group_reader.read_reply()))
    for conn in (c, reader, group_reader):
        conn.close()
    return out


def test_dump_restore():
    tmkv, redis = start_both()
    try:
        ct, cr = TypedConn(tmkv.port), TypedConn(redis.port)
        # Redis checks the payloads it restores deep, every listpack
        # entry and PEL reference: so does tmkv, always.
        cr.cmd("CONFIG", "SET", "sanitize-dump-payload", "yes")
        results, payloads = [], []
        for c in (ct, cr):
            dump_fixture(c)
            payload = c.cmd("DUMP", "s")
            payloads.append(payload)
            ok = isinstance(payload, bytes)
            steps = [("DUMP", "a payload" if ok else payload)] + describe(c, "s")
            steps.append(("RESTORE", c.cmd("RESTORE", "copy", "0", payload) if ok else "no payload"))
            steps.append(("RESTORE again", c.cmd("RESTORE", "copy", "0", payload) if ok else "no payload"))
            steps += describe(c, "copy")
            steps.append(("copy exactly", exact(c, "copy") == exact(c, "s")))
            results.append(steps)
        failures = [differences(results[0], results[1], "own DUMP, RESTORE")]
        # Each server's payload restored in the other: the same stream,
        # times and node count included.
        for src, dst, payload, what in ((cr, ct, payloads[1], "redis-server's DUMP restored in tmkv"),
                                        (ct, cr, payloads[0], "tmkv's DUMP restored in redis-server")):
            if not isinstance(payload, bytes):
                failures.append(f"{what}: no payload: {payload!r}")
                continue
            got = [("RESTORE", dst.cmd("RESTORE", "other", "0", payload)), ("exact", exact(dst, "other"))]
            got += describe(dst, "other")
            want = [("RESTORE", "OK"), ("exact", exact(src, "s"))] + describe(src, "s")
            failures.append(differences(got, want, what))
            # Both go on alike: XADD fills the tail node (no deletion in it)
            # and opens the next at 100 appends; XTRIM ~ drops whole nodes.
            for c, key in ((src, "s"), (dst, "other")):
                for i in range(1000, 1100):
                    c.cmd("XADD", key, f"{i}-1", "f", "v")
                c.cmd("XTRIM", key, "MAXLEN", "~", "120")
            failures.append(differences([("after XADD and XTRIM ~", exact(dst, "other"))],
                                        [("after XADD and XTRIM ~", exact(src, "s"))], what))
        got, want = restore_wakes_reader(tmkv, payloads[1]), restore_wakes_reader(redis, payloads[1])
        failures.append(differences(got, want, "RESTORE serves blocked readers"))
        # A damaged payload (right checksum, a listpack entry cut) is refused
        # with Redis's text and makes no key.
        body = payloads[1][:-10]
        cut = body[:40] + body[41:]
        got, want = [], []
        for c, out in ((ct, got), (cr, want)):
            out.append(("RESTORE damaged", c.cmd("RESTORE", "bad", "0", with_dump_footer(cut))))
            out.append(("EXISTS", c.cmd("EXISTS", "bad")))
        failures.append(differences(got, want, "a damaged payload"))
        ct.close()
        cr.close()
        failures = [f for f in failures if f]
        check(not failures, "\n".join(failures))
    finally:
        tmkv.stop()
        redis.stop()


def with_dump_footer(body):
    """DUMP's footer (RDB version 10 and the CRC-64) after a body."""
    body = body + b"\x0a\x00"
    return body + crc64_jones(body).to_bytes(8, "little")


TESTS = [
    ("1", "XADD, XLEN, XRANGE, XREVRANGE, trimming, as redis-server", test_basics),
    ("2", "XDEL, XTRIM, XSETID, XINFO STREAM, as redis-server", test_trim_setid_info),
    ("3", "consumer groups, XPENDING, XCLAIM, XAUTOCLAIM, XINFO, as redis-server", test_groups),
    ("4", "XREAD and XREADGROUP BLOCK, as redis-server", test_blocking),
    ("5", "keyspace notifications of stream commands, as redis-server", test_keyspace_notifications),
    ("6", "a stream key: TYPE, COPY, RENAME, DEL, WATCH, MULTI, as redis-server", test_stream_as_key),
    ("7", "DUMP and RESTORE of a stream, as redis-server", test_dump_restore),
]


if __name__ == "__main__":
    sys.exit(run_tests(TESTS, sys.argv[1:]))
