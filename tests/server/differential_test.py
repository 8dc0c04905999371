#!/usr/bin/python3
"""Differential test: tmkv-server against a real redis-server (7.0), reply by
reply, over raw RESP2/RESP3 (differential_resp.py), so replies are compared
exactly: type, value, error text.

What runs (against both servers, the same commands in the same order):
  * deterministic scenarios (differential_scenarios.py): keys expiring
    between commands, WATCH against other clients / expiry / FLUSHDB,
    MULTI/EXEC errors, RESP3, inline commands, pipelines, protocol errors,
    option matrices of SET/GETEX/EXPIRE, integer and float edges, the hash
    commands (scenario hashes), the set commands (scenarios sets,
    set_encodings_as_built, set_keyspace_events), the HyperLogLog commands
    (scenario hyperloglog: every value compared byte for byte), the list
    commands (scenario lists: long lists, keyspace events, the blocking
    commands on one connection; list_redis70_edges: Redis 7.0's quirks at
    their arguments' edges), the sorted-set commands (scenarios zsets:
    every command, its errors and scores' spellings, encodings and
    CONFIG of their limits, DUMP / RESTORE, the blocking pops on one
    connection, RESP3; zset_watch_multi_scripts, zset_keyspace_events,
    zset_generic_commands), and the GEO commands (differential_geo.py's
    geo_* scenarios: every command and option, exact coordinates and
    distances, ties under COUNT, STORE results, RESP3, events, scripts);
  * seeded random command sequences (differential_gen.py) of string, hash,
    set, HyperLogLog, list, sorted-set and GEO commands (the blocking ones too,
    never waiting long) over one small keyspace, two clients each, some in
    RESP3 (some sequences favour the set commands, some the HyperLogLog
    ones, some the list ones, whose lists grow to thousands of elements,
    some the sorted-set ones, whose sets cross the listpack's limits,
    some the stream ones, with consumer groups).

Environment:
  TMKV_SERVER        tmkv-server binary (set by ctest)
  DIFF_AGAINST_REDIS=1   compare redis-server with a second redis-server
                     instead of tmkv-server: checks the test itself (it must
                     pass that way; any failure then is a flaw of the test)
  DIFF_SEED          seed of the random sequences (default 4242, fixed for CI)
  DIFF_ROUNDS        how many random sequences (default 2000, or --rounds N)
  DIFF_TIME_BUDGET   seconds after which no further sequence starts (default
                     240: stays inside ctest's 300 s on slow sanitizer builds)
  DIFF_LEN           commands per random sequence (default 40)
  DIFF_ONLY          run only this: a sequence number ("17"), or a scenario
                     name ("watch_touch_matrix"), comma-separated
  DIFF_SCENARIOS=0   skip the deterministic scenarios
  DIFF_MAX_FAILURES  stop after this many divergences (default 20)
  DIFF_HISTORY       commands shown before a divergence (default 12)
  DIFF_KEEP_GOING=1  go on after a divergence within a scenario or sequence
                     (to survey; later ones may be knock-on effects)
  REDIS_SERVER       redis-server binary (default: on PATH)

Not exercised reply by reply (no Redis reply to compare byte for byte, or not tmkv's
business): INFO, CLIENT, CONFIG (but for notify-keyspace-events, set and
reset by scenarios set_keyspace_events, hyperloglog, lists and
zset_keyspace_events, hll-sparse-max-bytes, set to small values and back
to 3000 by scenario hyperloglog, and zset-max-listpack-entries / -value,
set to small values and back to 128 / 64 by scenario zsets), COMMAND, TIME, AUTH, SHUTDOWN, and
Redis's types other than strings, hashes, sets, lists and sorted sets; DEBUG, SWAPDB
and the like do not exist in tmkv (SORT and SORT_RO: differential_sort.py's
scenarios). Blocking commands that wait for another client are
tests/server/blocking_lists_test.py's business.
At the end, though, INFO's keyspace_hits/misses and commandstats
(calls, failed_calls, rejected_calls per command) must agree between the two
servers after the identical traffic (compare_stats: one declared gap).

On a divergence it prints the seed, the sequence or scenario, the commands
before it and both replies, and how to re-run just that case. Replies that
are deliberately not compared exactly are listed in
differential_core.INTENTIONAL_DIFFERENCES (printed at the start).

Run by hand:
  TMKV_SERVER=build/bin/tmkv-server /usr/bin/python3 tests/server/differential_test.py
  DIFF_AGAINST_REDIS=1 /usr/bin/python3 tests/server/differential_test.py
"""
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from differential_core import INTENTIONAL_DIFFERENCES, Divergence, Runner  # noqa: E402
from differential_gen import ARITY, KEYS, Gen  # noqa: E402
from differential_core import Runner  # noqa: E402
from raw_resp import RawConn, cmdstat, parse_info  # noqa: E402
from differential_scenarios import SCENARIOS  # noqa: E402
import differential_functions  # noqa: E402,F401  (registers its scenarios)
import differential_sort  # noqa: E402,F401  (registers the SORT scenarios)
import differential_geo  # noqa: E402,F401  (registers the GEO scenarios)
from differential_resp import fmt  # noqa: E402

RESP3_SHARE = 0.25  # of the random sequences


def reply_class(r):
    """A reply with its details blurred, to group divergences of one kind."""
    if r[0] in "-!":
        text = r[1].decode("utf-8", "replace")
        text = text.split("'")[0]  # up to the first quoted detail
        return r[0] + re.sub(r"[0-9]+", "N", text)[:50]
    if r[0] in "+":
        return fmt(r, 40)
    if r[0] in "$_*%~" and r[1] is None:
        return r[0] + "nil"
    return r[0]


def cli_int(flag, default):
    """`--flag N` on the command line (ctest passes --rounds for sanitizer
    builds); the DIFF_* environment variable still wins."""
    argv = sys.argv[1:]
    if flag in argv and argv.index(flag) + 1 < len(argv):
        return int(argv[argv.index(flag) + 1])
    return default


def env_int(name, default):
    v = os.environ.get(name)
    return int(v) if v not in (None, "") else default


class Servers:
    def __init__(self, against_redis):
        self.against_redis = against_redis
        self.names = ("redis", "redis2" if against_redis else "tmkv")
        self.ref = harness.start_redis()
        self.restarted = False  # counters restart with a server
        self.test = None
        self.start_test()

    def start_test(self):
        self.test = harness.start_redis() if self.against_redis else harness.start_tmkv()

    def check_alive(self):
        """Restarts a server that died; returns a description, or None."""
        msgs = []
        for attr in ("ref", "test"):
            s = getattr(self, attr)
            if s.proc.poll() is not None:
                log = s.log()
                msgs.append(f"{s.name} server (port {s.port}) EXITED with status {s.proc.returncode}; "
                            f"log tail:\n{log[-3000:]}")
                s.stop()
                self.restarted = True
                setattr(self, attr, harness.start_redis() if attr == "ref" else None)
                if attr == "test":
                    self.start_test()
        return "\n".join(msgs) or None

    def stop(self):
        for s in (self.ref, self.test):
            if s is not None:
                s.stop()


def info_fields(port, section):
    c = RawConn(port)
    text = c.cmd("INFO", section).decode()
    c.close()
    return parse_info(text)


# Commandstats are compared line by line, every command and subcommand
# ("object|encoding", "config|get": Redis 7 counts a container's subcommands
# apart, and so does tmkv) that either server reports, but for:
# SCAN: the test iterates each server to cursor 0, and tmkv's cursors take a
# different number of calls than Redis's. INFO: compare_stats itself sends
# the same INFO calls to both, but reads one server before the other.
STAT_IGNORED = {"scan", "info"}


# SCAN ... TYPE calls made through Runner.scan_all (see compare_stats).
SCAN_TYPE_CALLS = [0]
_scan_all = Runner.scan_all


def _counting_scan_all(self, label, *opts):
    if any(str(o).lower() == "type" for o in opts):
        SCAN_TYPE_CALLS[0] += 1
    return _scan_all(self, label, *opts)


Runner.scan_all = _counting_scan_all


def compare_stats(servers):
    """After identical traffic, Redis and tmkv must report the same keyspace
    hits and misses (which lookups count is Redis's rule: reads only, and
    only once per command whatever the retries), the same error replies by
    code (errorstats, total_error_replies), and the same commandstats
    calls / failed_calls / rejected_calls per command.

    One declared difference: a SET whose expiry is already past leaves the
    key in Redis until its expire cycle or a lookup removes it (DBSIZE still
    counts it), while tmkv deletes it at once. SCAN ... TYPE looks each key
    up, so in Redis such a lingering key counts a miss that tmkv never sees.
    Misses may therefore be lower in tmkv by at most one per key per
    SCAN TYPE call (and never higher); everything else is exact."""
    problems = []
    a = info_fields(servers.ref.port, "stats")
    b = info_fields(servers.test.port, "stats")
    if a.get("keyspace_hits") != b.get("keyspace_hits"):
        problems.append(f"INFO stats keyspace_hits: {servers.names[0]} {a.get('keyspace_hits')}, "
                        f"{servers.names[1]} {b.get('keyspace_hits')}")
    gap = int(a.get("keyspace_misses", -1)) - int(b.get("keyspace_misses", -1))
    allowed = SCAN_TYPE_CALLS[0] * len(KEYS) if not servers.against_redis else 0
    if not 0 <= gap <= allowed:
        problems.append(f"INFO stats keyspace_misses: {servers.names[0]} {a.get('keyspace_misses')}, "
                        f"{servers.names[1]} {b.get('keyspace_misses')} (allowed gap 0..{allowed})")
    if a.get("total_error_replies") != b.get("total_error_replies"):
        problems.append(f"INFO stats total_error_replies: {servers.names[0]} {a.get('total_error_replies')}, "
                        f"{servers.names[1]} {b.get('total_error_replies')}")
    a = info_fields(servers.ref.port, "errorstats")
    b = info_fields(servers.test.port, "errorstats")
    if a != b:
        problems.append(f"INFO errorstats: {servers.names[0]} {a}, {servers.names[1]} {b}")
    a = info_fields(servers.ref.port, "commandstats")
    b = info_fields(servers.test.port, "commandstats")

    def counts(d, cmd):
        return tuple(cmdstat(d, cmd).values())  # (calls, failed, rejected)

    stat_commands = sorted({k[len("cmdstat_"):] for k in (a.keys() | b.keys()) if k.startswith("cmdstat_")}
                           - STAT_IGNORED)
    for cmd in stat_commands:
        ca, cb = counts(a, cmd), counts(b, cmd)
        if ca != cb:
            problems.append(f"INFO commandstats {cmd} (calls, failed, rejected): {servers.names[0]} {ca}, "
                            f"{servers.names[1]} {cb}")
    for p in problems:
        print("STATS DIVERGENCE: " + p)
    if not problems:
        print(f"statistics agree: keyspace hits, misses (gap {gap}, {SCAN_TYPE_CALLS[0]} SCAN TYPE calls), "
              f"error replies by code, and commandstats of {len(stat_commands)} commands and subcommands")
    return problems


def main():
    against_redis = os.environ.get("DIFF_AGAINST_REDIS") == "1"
    seed = env_int("DIFF_SEED", 4242)
    rounds = env_int("DIFF_ROUNDS", cli_int("--rounds", 2000))
    budget = env_int("DIFF_TIME_BUDGET", 240)
    length = env_int("DIFF_LEN", 40)
    max_failures = env_int("DIFF_MAX_FAILURES", 20)
    run_scenarios = os.environ.get("DIFF_SCENARIOS", "1") != "0"
    history = env_int("DIFF_HISTORY", 12)
    keep_going = os.environ.get("DIFF_KEEP_GOING") == "1"
    only = [x.strip() for x in os.environ.get("DIFF_ONLY", "").split(",") if x.strip()]

    servers = Servers(against_redis)
    print(f"differential test: {servers.names[0]} (port {servers.ref.port}) vs {servers.names[1]} "
          f"(port {servers.test.port}); DIFF_SEED={seed} DIFF_ROUNDS={rounds} DIFF_LEN={length}")
    print("intentional differences (not compared exactly):")
    for what, why in INTENTIONAL_DIFFERENCES:
        print(f"  - {what}: {why}")
    sys.stdout.flush()

    failures = []  # reports, one per distinct kind of divergence
    seen = {}
    commands = 0
    started = time.time()

    def run_case(label, repro, fn):
        nonlocal commands
        r = Runner(servers.ref.port, servers.test.port, servers.names, history=history)
        r.context = f"{label}  [re-run: {repro}]"

        def record(report, info):
            shown, ra, rb = info
            cmd = shown.split(" ")[0].upper()
            if ra[0] == "-" and ra[1].startswith(b"ERR unknown command"):
                cmd = "<unknown command>"
            sig = (cmd, reply_class(ra), reply_class(rb))
            if sig in seen:
                seen[sig] += 1
            else:
                seen[sig] = 1
                failures.append(report)
                print(report + "\n")
                sys.stdout.flush()

        r.keep_going = keep_going
        r.on_divergence = record
        try:
            fn(r)
        except Divergence as e:
            record(*e.args)
        except OSError as e:
            failures.append(f"DIVERGENCE in {r.context}\n  connection error: {e!r}")
            print(failures[-1] + "\n")
        finally:
            commands += r.commands
            r.close_all()
        dead = servers.check_alive()
        if dead:
            failures.append(f"SERVER DIED during {label}\n{dead}")
            print(failures[-1] + "\n")
        sys.stdout.flush()

    base_env = f"DIFF_SEED={seed}" + (" DIFF_AGAINST_REDIS=1" if against_redis else "")
    try:
        if run_scenarios:
            for fn in SCENARIOS:
                if only and fn.__name__ not in only:
                    continue
                run_case(f"scenario {fn.__name__}", f"{base_env} DIFF_ONLY={fn.__name__}", fn)
                if len(failures) >= max_failures:
                    break
        for i in range(rounds):
            if only and str(i) not in only:
                continue
            if len(failures) >= max_failures:
                print(f"stopping after {len(failures)} divergences (DIFF_MAX_FAILURES)")
                break
            if time.time() - started > budget:
                print(f"time budget of {budget} s (DIFF_TIME_BUDGET) reached: ran sequences 0..{i - 1} "
                      f"of {rounds}")
                break
            rng = random.Random(f"{seed}:{i}")
            proto = 3 if rng.random() < RESP3_SHARE else 2
            seq_len = rng.randint(max(1, length // 2), length * 3 // 2)

            def seq(r, rng=rng, proto=proto, seq_len=seq_len):
                Gen(rng, r, proto).sequence(seq_len)

            run_case(f"random sequence {i} (DIFF_SEED={seed}, RESP{proto}, {seq_len} commands)",
                     f"{base_env} DIFF_ONLY={i} DIFF_SCENARIOS=0", seq)
        if servers.restarted:
            print("statistics not compared: a server was restarted during the run")
        else:
            failures.extend(compare_stats(servers))
    finally:
        servers.stop()

    elapsed = time.time() - started
    print(f"{commands} replies compared in {elapsed:.1f} s; {len(failures)} distinct divergences")
    dups = {k: v for k, v in seen.items() if v > 1}
    if dups:
        print("divergences seen more than once (command, reference reply, test reply: times):")
        for (cmd, a, b), n in dups.items():
            print(f"  {cmd}: {a} / {b}: {n}")
    if failures:
        print(f"FAIL (DIFF_SEED={seed})")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
