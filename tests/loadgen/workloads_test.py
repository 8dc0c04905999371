#!/usr/bin/python3
"""tmkv-loadgen's other workloads, loop modes, outputs and flags, end to end.

- every workload runs briefly against tmkv-server, and a few against
  redis-server, without errors, and leaves the data it should;
- open loop: about rate x duration operations are sent, and latency counts
  from the schedule: a 0.6 s SIGSTOP of the server shows up in the open-loop
  p90, not in the closed-loop p90 (coordinated omission corrected);
- --json and --plot write a well-formed report and chart; --metrics-url
  scrapes a real HTTP endpoint twice and reports counter deltas, and only
  warns when the endpoint is down;
- AUTH, and bad flags: clear message, non-zero exit.
"""
import http.server
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.dom.minidom

import harness
from loadgen_util import check, loadgen_path, run

SHORT = ["--duration", "0.5", "--connections", "4", "--key-count", "1000"]


def workloads(name, server, which):
    for wl in which:
        r = run(server.port, "--workload", wl, *SHORT)
        check(r.rc == 0, f"{name} {wl}: must succeed", r)
        ops = r.report["operations"]
        check(sum(o["ok"] for o in ops.values()) > 0, f"{name} {wl}: no operation", r)
        check(all(o["errors"] == 0 for o in ops.values()), f"{name} {wl}: errors", r)
    c = server.client()
    # ycsb loaded every key with 32-byte values; mset wrote more.
    check(c.exists("key:0") == 1 and len(c.get("key:999")) == 32, f"{name}: the load phase's keys")


def custom(name, server):
    r = run(server.port, "--workload", "custom", "--command", "SET cu:__key__ __value__",
            "--command", "MULTI; INCR ctr:__key__; INCR ctr:__key__; EXEC", "--value-size", "7-9",
            "--pipeline", "8", *SHORT)
    check(r.rc == 0, f"{name} custom: must succeed", r)
    ops = r.report["operations"]
    check(ops["SET cu:__key__ __value__"]["ok"] > 0, f"{name} custom: SET template not run", r)
    multi = ops["MULTI; INCR ctr:__key__; INCR ctr:__key__; EXEC"]
    check(multi["ok"] > 0, f"{name} custom: MULTI template not run", r)
    c = server.client()
    keys = c.keys("cu:*")
    check(keys and all(7 <= len(c.get(k)) <= 9 for k in keys[:50]), f"{name} custom: value sizes")
    # Each MULTI adds 2 to one counter: every counter is even, and they sum to 2 x EXECs.
    counters = [int(c.get(k)) for k in c.keys("ctr:*")]
    check(all(v % 2 == 0 for v in counters), f"{name} custom: MULTI/EXEC not applied as one batch")
    check(sum(counters) >= 2 * multi["ok"], f"{name} custom: fewer increments than EXECs counted", r)
    r = run(server.port, "--workload", "custom", "--command", "NOSUCHCOMMAND __key__", *SHORT)
    check(r.rc == 0 and r.report["operations"]["NOSUCHCOMMAND __key__"]["errors"] > 0,
          f"{name} custom: error replies must be counted as errors", r)
    check("first error" in r.out and "unknown command" in r.out.lower(), f"{name}: first error shown", r)


def open_loop(server):
    r = run(server.port, "--workload", "ycsb-c", "--rate", "500", "--duration", "1", "--connections", "2",
            "--key-count", "1000")
    check(r.rc == 0, "open loop: must succeed", r)
    n = r.report["operations"]["read"]["ok"]
    check(400 <= n <= 510, f"open loop at 500/s for 1 s sent {n} operations", r)
    check(r.report["config"]["loop"] == "open", "open loop: JSON config", r)

    def with_stall(*args):
        proc = subprocess.Popen([loadgen_path(), "--port", str(server.port), "--workload", "ycsb-c", "--no-load",
                                 "--duration", "2", "--connections", "1", "--key-count", "1000", *args,
                                 "--json", stall_json], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.7)
        os.kill(server.proc.pid, signal.SIGSTOP)
        time.sleep(0.6)
        os.kill(server.proc.pid, signal.SIGCONT)
        out, err = proc.communicate(timeout=60)
        check(proc.returncode == 0, f"stall run failed: {out}\n{err}")
        import json
        with open(stall_json) as f:
            return json.load(f)["operations"]["read"]

    fd, stall_json = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        opened = with_stall("--rate", "200")
        closed = with_stall()
    finally:
        os.unlink(stall_json)
    # Open loop: ~120 operations fell due during the stall; each counts its
    # wait from its schedule, so the slowest tenth all waited long.
    check(opened["p90"] > 150_000, f"open loop p90 {opened['p90']} us hides the 600 ms stall")
    # Closed loop: one operation waited; the p90 cannot see it.
    check(closed["p90"] < opened["p90"] / 4, f"closed loop p90 {closed['p90']} us vs open {opened['p90']} us")
    check(closed["max"] > 500_000, f"closed loop max {closed['max']} us must still show the stall")
    print(f"stall: open-loop p90 {opened['p90'] / 1000:.0f} ms, closed-loop p90 {closed['p90'] / 1000:.2f} ms")


class Metrics(http.server.BaseHTTPRequestHandler):
    scrapes = 0

    def do_GET(self):
        Metrics.scrapes += 1
        n = Metrics.scrapes
        body = ("# TYPE tmkv_tx_commits_total counter\n"
                f"tmkv_tx_commits_total{{path=\"stm\"}} {100 * n}\n"
                "tmkv_tx_commits_total{path=\"htm\"} 5\n"
                f"tmkv_tx_aborts_total{{path=\"stm\",cause=\"lock_busy\"}} {3 * n}\n"
                f"tmkv_other_total {n}\n").encode()
        self.send_response(200 if self.path == "/metrics" else 404)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def outputs_and_metrics(server):
    httpd = http.server.HTTPServer(("127.0.0.1", 0), Metrics)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/metrics"
    with tempfile.TemporaryDirectory() as d:
        svg = os.path.join(d, "run.svg")
        r = run(server.port, "--workload", "mset", "--duration", "2.2", "--warmup", "0.5", "--connections", "2",
                "--plot", svg, "--metrics-url", url)
        check(r.rc == 0, "plot/metrics run", r)
        doc = xml.dom.minidom.parse(svg)
        lines = doc.getElementsByTagName("polyline")
        check(len(lines) == 2, "the chart must have a throughput and a p99 line")
        points = lines[0].getAttribute("points").split()
        check(len(points) == len(r.report["per_second"]) >= 2, "one point per second")
        check(r.report["per_second"][0]["warmup"] is True, "the first second is warm-up", r)
    deltas = r.report["metrics"]["deltas"]
    check(deltas == {"tmkv_tx_aborts_total{cause=\"lock_busy\",path=\"stm\"}": 3,
                     "tmkv_tx_commits_total{path=\"stm\"}": 100}, f"metric deltas {deltas}", r)
    check("tmkv_tx_commits_total{path=\"stm\"}" in r.out and "+100" in r.out, "deltas in the text report", r)
    httpd.shutdown()
    r = run(server.port, "--workload", "mset", *SHORT, "--metrics-url", url)  # now nobody listens
    check(r.rc == 0 and "warning: could not scrape" in r.err, "an unreachable endpoint only warns", r)


def flags_and_auth():
    with harness.start_redis("--requirepass", "s3cret") as redis:
        r = run(redis.port, "--workload", "bank", "--duration", "0.5", "--connections", "2", "--password", "s3cret")
        check(r.rc == 0, "AUTH with the right password", r)
        r = run(redis.port, "--workload", "bank", "--duration", "0.5", "--password", "wrong", json_report=False)
        check(r.rc == 3 and "AUTH failed" in r.err, "a wrong password is a run failure", r)
    bad = [(["--threads", "0"], "--threads: must be between 1"),
           (["--workload", "nope"], "unknown workload 'nope'"),
           (["--workload", "bank", "--pipeline", "4"], "--pipeline: the bank workload holds WATCH"),
           (["--value-size", "10-5"], "N <= M"),
           (["--duration", "abc"], "--duration: expected a number"),
           (["--workload", "custom"], "needs at least one --command"),
           (["--workload", "custom", "--command", "SET \"a"], "unterminated quote"),
           (["--rate", "100", "--requests", "10"], "use --duration"),
           (["--metrics-url", "ftp://x"], "not an http:// URL"),
           (["--frobnicate"], "--frobnicate: unknown option")]
    for args, message in bad:
        r = run(1, *args, json_report=False)
        check(r.rc == 2 and message in r.err, f"bad flags {args}: want exit 2 and '{message}'", r)
    r = run(harness.free_port(), "--duration", "0.2", json_report=False)
    check(r.rc == 3 and "cannot connect" in r.err, "nobody listening: exit 3, cannot connect", r)
    p = subprocess.run([loadgen_path(), "--help"], capture_output=True, text=True)
    check(p.returncode == 0 and "--workload NAME" in p.stdout and "--unsafe" not in p.stdout, "--help")


def main():
    with harness.start_tmkv() as tmkv:
        workloads("tmkv", tmkv, ["ycsb-a", "ycsb-b", "ycsb-c", "ycsb-f", "mset", "mget"])
        custom("tmkv", tmkv)
        outputs_and_metrics(tmkv)
    with harness.start_redis() as redis:
        workloads("redis", redis, ["ycsb-f", "mget"])
        custom("redis", redis)
        open_loop(redis)
    flags_and_auth()
    print("ok")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAIL: {e}")
        sys.exit(1)
