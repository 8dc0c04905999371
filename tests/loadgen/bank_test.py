#!/usr/bin/python3
"""tmkv-loadgen's bank workload, end to end, against real servers.

1. A short bank run against tmkv-server and against redis-server: both must
   verify (exit 0, "verification: PASSED"), with transfers committed,
   reports taken, and the JSON report agreeing with the text.
2. The same run with --unsafe-transfers (DECRBY, a 2 ms pause, INCRBY; no
   WATCH, no MULTI): the reports must see money in flight, so the run must
   exit 1 and say why. At any moment most transfer connections are inside
   their pause, so every report lands in a broken state: the failure does
   not depend on luck. Run against both servers: the client is what is
   broken, and the check must catch it whatever the server.
"""
import sys

import harness
from loadgen_util import check, run

COMMON = ["--workload", "bank", "--duration", "2", "--threads", "2", "--connections", "4",
          "--key-count", "50", "--report-ratio", "0.05", "--seed", "7"]


def expect_verified(name, port):
    r = run(port, *COMMON)
    check(r.rc == 0, f"{name}: the bank must verify", r)
    check("verification: PASSED" in r.out, f"{name}: no PASSED line", r)
    check("total conserved: 50000 over 50 accounts" in r.out, f"{name}: conservation line missing", r)
    rep = r.report
    check(rep is not None and rep["verification"]["ok"] is True, f"{name}: JSON verification", r)
    transfers = rep["operations"]["transfer"]
    check(transfers["ok"] > 0, f"{name}: no transfer committed", r)
    check(rep["operations"]["report"]["ok"] > 0, f"{name}: no report ran", r)
    check(transfers["errors"] == 0, f"{name}: transfer errors", r)
    extra = rep["extra"]
    check(extra["violations"] == 0, f"{name}: violations", r)
    check(extra["transfers_committed"] >= transfers["ok"], f"{name}: whole-run count below measured", r)
    print(f"{name}: {transfers['ok']} transfers ({transfers['ops_per_s']:.0f}/s), "
          f"{transfers['retries']} retries, report p99 {rep['operations']['report']['p99']:.0f} us: verified")


def expect_caught(name, port):
    r = run(port, *COMMON, "--unsafe-transfers")
    check(r.rc == 1, f"{name}: non-atomic transfers must fail the verification (exit 1)", r)
    check("verification FAILED" in r.err, f"{name}: stderr must say the verification failed", r)
    check("inconsistencies seen during the run" in r.err and "in flight" in r.err,
          f"{name}: stderr must say that reports saw money in flight", r)
    rep = r.report
    check(rep["verification"]["ok"] is False, f"{name}: JSON must record the failure", r)
    # Not a fluke: most reports were inconsistent.
    check(rep["extra"]["violations"] * 2 > rep["extra"]["reports"],
          f"{name}: expected most reports to see the broken state", r)
    print(f"{name}: unsafe transfers caught: {rep['extra']['violations']:.0f} inconsistencies, "
          f"{rep['extra']['reports']:.0f} reports")


def main():
    with harness.start_tmkv() as tmkv, harness.start_redis() as redis:
        expect_verified("tmkv", tmkv.port)
        expect_verified("redis", redis.port)
        expect_caught("tmkv", tmkv.port)
        expect_caught("redis", redis.port)
    print("ok")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAIL: {e}")
        sys.exit(1)
