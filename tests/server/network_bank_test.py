#!/usr/bin/python3
"""The bank, over the network: money moves between accounts by WATCH/MULTI/EXEC
transfers while other clients take consistent reports.

  accounts     N keys bank:acct:<i>, integer balances, known total
  transfers    T threads, each with its own connection:
                 WATCH src dst; GET src; if balance >= x:
                 MULTI; DECRBY src x; INCRBY dst x; EXEC  (retry on nil EXEC)
  reports      R threads: alternately MULTI + GET of every account + EXEC,
               MULTI + one MGET + EXEC, and a bare MGET; EVERY report must
               show the exact total and no negative balance
  at the end   total conserved, no balance negative, every balance equal to
               its initial value plus the committed transfers the clients
               recorded, some transfers committed and some reports ran

--lua runs the same bank as Lua scripts: a transfer is one EVAL composing
withdraw() and deposit() (the withdraw reads its balance through pcall,
which must not swallow a transaction restart), and a report is an EVAL_RO
reading every account in a random order, alternating with MGET inside a
script. In tmkv each script is one transaction, run beside the others on
every I/O thread; in Redis, alone on its thread.

--broken makes each transfer two separate commands (DECRBY, sleep, INCRBY;
no WATCH, no MULTI) so the reports must see money in flight;
--expect-violation inverts the verdict: exit 0 only if a violation was seen.
That proves the check can fail.

Run:  TMKV_SERVER=build/bin/tmkv-server /usr/bin/python3 tests/server/network_bank_test.py --tm-mode stm
      ... --tm-mode emulated-htm
      ... --broken --expect-violation
      SMOKE_AGAINST_REDIS=1 ... (or --against-redis): against redis-server
"""
import argparse
import os
import random
import sys
import threading
import time

import redis

import harness

KEY = "bank:acct:{}"


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tm-mode", default=None, help="passed to tmkv-server (auto|htm|stm|global-lock|emulated-htm)")
    ap.add_argument("--io-threads", type=int, default=None, help="passed to tmkv-server")
    ap.add_argument("--accounts", type=int, default=50)
    ap.add_argument("--initial", type=int, default=1000, help="initial balance of each account")
    ap.add_argument("--max-amount", type=int, default=300, help="transfer amounts are 1..this")
    ap.add_argument("--transfer-threads", type=int, default=6)
    ap.add_argument("--report-threads", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--hot", type=int, default=0,
                    help="if > 0, half the transfers use only the first HOT accounts (more conflicts)")
    ap.add_argument("--lua", action="store_true", help="transfers and reports are Lua scripts (EVAL / EVAL_RO)")
    ap.add_argument("--broken", action="store_true",
                    help="transfers are two separate commands with a sleep between (must be caught)")
    ap.add_argument("--expect-violation", action="store_true",
                    help="exit 0 only if the reports detected a violation")
    ap.add_argument("--against-redis", action="store_true", default=os.environ.get("SMOKE_AGAINST_REDIS") == "1",
                    help="run against redis-server instead (validates the test)")
    ap.add_argument("--seed", type=int, default=None)
    return ap.parse_args()


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.committed = 0
        self.retries = 0
        self.insufficient = 0
        self.reports = {"multi-get": 0, "multi-mget": 0, "mget": 0, "script-get": 0, "script-mget": 0}
        self.violations = []       # (report kind, description)
        self.errors = []           # unexpected exceptions
        self.deltas = {}           # account -> net committed change


TRANSFER_SCRIPT = """
local function withdraw(key, amount)
  local ok, balance = pcall(redis.call, 'get', key)
  if not ok then return error(balance) end
  balance = tonumber(balance)
  if balance < amount then return false end
  redis.call('decrby', key, amount)
  return true
end
local function deposit(key, amount)
  return redis.call('incrby', key, amount)
end
local amount = tonumber(ARGV[1])
local before = tonumber(redis.call('get', KEYS[2]))
if not withdraw(KEYS[1], amount) then return {0} end
local after = deposit(KEYS[2], amount)
return {1, before, after}
"""

REPORT_SCRIPT = """
local balances = {}
if ARGV[1] == 'mget' then
  return redis.call('mget', unpack(KEYS))
end
for i = 1, #KEYS do balances[i] = redis.call('get', KEYS[i]) end
return balances
"""


def transfer_worker(srv, args, stats, stop, seed, broken):
    rng = random.Random(seed)
    r = srv.client(socket_timeout=30)
    deltas = {}
    committed = retries = insufficient = 0
    try:
        while not stop.is_set():
            n = args.hot if args.hot > 0 and rng.random() < 0.5 else args.accounts
            src, dst = rng.sample(range(n), 2)
            amount = rng.randint(1, args.max_amount)
            ks, kd = KEY.format(src), KEY.format(dst)
            if args.lua:
                res = r.eval(TRANSFER_SCRIPT, 2, ks, kd, amount)
                if res[0] == 0:
                    insufficient += 1
                    continue
                if res[2] != res[1] + amount:
                    with stats.lock:
                        stats.violations.append(("transfer-script", f"{kd} went {res[1]} -> {res[2]} for {amount}"))
                deltas[src] = deltas.get(src, 0) - amount
                deltas[dst] = deltas.get(dst, 0) + amount
                committed += 1
                continue
            if broken:
                bal = int(r.get(ks))
                if bal < amount:
                    insufficient += 1
                    continue
                r.decrby(ks, amount)
                time.sleep(0.002)
                r.incrby(kd, amount)
                deltas[src] = deltas.get(src, 0) - amount
                deltas[dst] = deltas.get(dst, 0) + amount
                committed += 1
                continue
            with r.pipeline(transaction=True) as p:
                while True:
                    try:
                        p.watch(ks, kd)
                        bal_s, bal_d = p.mget(ks, kd) if rng.random() < 0.5 else (p.get(ks), p.get(kd))
                        bal_s, bal_d = int(bal_s), int(bal_d)
                        if bal_s < 0 or bal_d < 0:
                            with stats.lock:
                                stats.violations.append(("transfer-read", f"{ks}={bal_s} {kd}={bal_d}"))
                        if bal_s < amount:
                            p.unwatch()
                            insufficient += 1
                            break
                        p.multi()
                        p.decrby(ks, amount)
                        p.incrby(kd, amount)
                        res = p.execute()
                        # EXEC succeeded: the replies are the new balances.
                        if res[0] != bal_s - amount or res[1] != bal_d + amount:
                            with stats.lock:
                                stats.violations.append(
                                    ("transfer-exec", f"read {ks}={bal_s} {kd}={bal_d}, moved {amount}, "
                                     f"EXEC replied {res} (expected [{bal_s - amount}, {bal_d + amount}])"))
                        deltas[src] = deltas.get(src, 0) - amount
                        deltas[dst] = deltas.get(dst, 0) + amount
                        committed += 1
                        break
                    except redis.WatchError:
                        retries += 1
                        continue
    except Exception as e:  # noqa: BLE001
        with stats.lock:
            stats.errors.append(f"transfer thread: {e!r}")
        stop.set()
    with stats.lock:
        stats.committed += committed
        stats.retries += retries
        stats.insufficient += insufficient
        for a, d in deltas.items():
            stats.deltas[a] = stats.deltas.get(a, 0) + d


def check_report(kind, balances, args, stats):
    total = sum(balances)
    expected = args.accounts * args.initial
    problems = []
    if total != expected:
        problems.append(f"total {total} != {expected}")
    neg = [(i, b) for i, b in enumerate(balances) if b < 0]
    if neg:
        problems.append(f"negative balances {neg[:5]}")
    if problems:
        with stats.lock:
            stats.violations.append((kind, "; ".join(problems)))
        return False
    return True


def report_worker(srv, args, stats, stop, seed):
    rng = random.Random(seed)
    r = srv.client(socket_timeout=30)
    keys = [KEY.format(i) for i in range(args.accounts)]
    counts = {"multi-get": 0, "multi-mget": 0, "mget": 0, "script-get": 0, "script-mget": 0}
    i = 0
    try:
        while not stop.is_set():
            kind = ("multi-get", "multi-mget", "mget")[i % 3]
            if args.lua:
                kind = ("script-get", "script-mget")[i % 2]
            i += 1
            if kind.startswith("script"):
                order = list(range(args.accounts))
                rng.shuffle(order)
                res = r.execute_command("EVAL_RO", REPORT_SCRIPT, len(order), *[keys[a] for a in order],
                                        "mget" if kind == "script-mget" else "get")
                balances = [0] * args.accounts
                for a, v in zip(order, res):
                    balances[a] = int(v)
            elif kind == "multi-get":
                p = r.pipeline(transaction=True)
                order = list(range(args.accounts))
                rng.shuffle(order)  # any order: the snapshot must still be consistent
                for a in order:
                    p.get(keys[a])
                res = p.execute()
                balances = [0] * args.accounts
                for a, v in zip(order, res):
                    balances[a] = int(v)
            elif kind == "multi-mget":
                p = r.pipeline(transaction=True)
                p.mget(keys)
                balances = [int(v) for v in p.execute()[0]]
            else:
                balances = [int(v) for v in r.mget(keys)]
            check_report(kind, balances, args, stats)
            counts[kind] += 1
    except Exception as e:  # noqa: BLE001
        with stats.lock:
            stats.errors.append(f"report thread: {e!r}")
        stop.set()
    with stats.lock:
        for k, v in counts.items():
            stats.reports[k] += v


def main():
    args = parse_args()
    if args.accounts < 2:
        sys.exit("need at least 2 accounts")
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    flags = []
    if args.against_redis:
        srv = harness.start_redis()
        target = "redis-server"
    else:
        if args.tm_mode:
            flags += ["--tm-mode", args.tm_mode]
        if args.io_threads:
            flags += ["--io-threads", args.io_threads]
        srv = harness.start_tmkv(*flags)
        target = f"tmkv-server {' '.join(map(str, flags))}"
    mode = ("BROKEN (non-atomic transfers)" if args.broken else
            "Lua script transfers" if args.lua else "WATCH/MULTI/EXEC transfers")
    print(f"network bank against {target} on port {srv.port} (log {srv.log_path})")
    print(f"  {args.accounts} accounts x {args.initial}, {args.transfer_threads} transfer threads, "
          f"{args.report_threads} report threads, {args.seconds}s, {mode}, seed {seed}", flush=True)

    stats = Stats()
    failures = []
    try:
        r = srv.client(decode_responses=True)
        r.flushall()
        r.mset({KEY.format(i): args.initial for i in range(args.accounts)})
        stop = threading.Event()
        threads = [threading.Thread(target=transfer_worker, args=(srv, args, stats, stop, seed + i, args.broken))
                   for i in range(args.transfer_threads)]
        threads += [threading.Thread(target=report_worker, args=(srv, args, stats, stop, seed + 1000 + i))
                    for i in range(args.report_threads)]
        t0 = time.time()
        for t in threads:
            t.start()
        stop.wait(args.seconds)
        stop.set()
        for t in threads:
            t.join(60)
            if t.is_alive():
                failures.append("a client thread did not finish within 60 s after the stop")
        elapsed = time.time() - t0

        # Final state.
        final = [int(v) for v in r.mget([KEY.format(i) for i in range(args.accounts)])]
        total = sum(final)
        expected_total = args.accounts * args.initial
        expected = [args.initial + stats.deltas.get(i, 0) for i in range(args.accounts)]
        mismatched = [(i, final[i], expected[i]) for i in range(args.accounts) if final[i] != expected[i]]
        n_reports = sum(stats.reports.values())

        print(f"  elapsed {elapsed:.1f}s: {stats.committed} transfers committed ({stats.committed / elapsed:.0f}/s), "
              f"{stats.retries} retries ({stats.retries / max(stats.committed, 1):.3f} per committed transfer), "
              f"{stats.insufficient} refused for insufficient funds")
        print(f"  reports: {n_reports} ({n_reports / elapsed:.0f}/s): {stats.reports}")
        print(f"  final total {total} (expected {expected_total}), min balance {min(final)}")
        try:
            raw = srv.client(decode_responses=True)
            raw.set_response_callback("INFO", lambda resp, **kw: resp)  # the text, unparsed
            info = raw.info("transactions")
            if info:
                print("  server INFO transactions: " +
                      " ".join(ln for ln in info.splitlines() if ln and not ln.startswith("#")))
        except redis.RedisError:
            pass

        by_kind = {}
        for kind, _ in stats.violations:
            by_kind[kind] = by_kind.get(kind, 0) + 1
        if stats.violations:
            print(f"  VIOLATIONS seen: {len(stats.violations)} {by_kind}; first: {stats.violations[:3]}")
        else:
            print("  no violation seen in any report")

        if stats.errors:
            failures.append(f"client errors: {stats.errors[:5]}")
        if not args.broken:
            if total != expected_total:
                failures.append(f"final total {total} != {expected_total}")
            if min(final) < 0:
                failures.append(f"negative final balances: {[(i, b) for i, b in enumerate(final) if b < 0][:5]}")
            if mismatched:
                failures.append(f"{len(mismatched)} accounts differ from initial + committed transfers "
                                f"(account, final, expected): {mismatched[:5]}")
        if stats.committed == 0:
            failures.append("no transfer committed")
        if n_reports == 0:
            failures.append("no report ran")
        if srv.proc.poll() is not None:
            failures.append(f"server exited with {srv.proc.returncode}")
    finally:
        status = srv.stop()
    if status != 0:
        failures.append(f"server exit status {status} after SIGTERM")

    if args.expect_violation:
        other = [f for f in failures if not f.startswith("final") and not f.startswith("negative final")]
        if not stats.violations:
            other.append("expected the reports to detect a violation of the broken transfers; none seen")
        failures = other
    elif stats.violations:
        failures.insert(0, f"{len(stats.violations)} violations: {stats.violations[:5]}")

    if failures:
        print("FAIL")
        for f in failures:
            print(f"  {f}")
        print(f"  server log: {srv.log_path}")
        return 1
    print("PASS" + (" (the broken transfers were caught, as expected)" if args.expect_violation else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
