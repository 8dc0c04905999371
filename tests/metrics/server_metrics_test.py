#!/usr/bin/python3
"""The server's exported metrics count exactly, and INFO shows the same
numbers as /metrics.

Starts tmkv-server (emulated HTM, a free RESP port and a free metrics port),
drives a known sequence of commands through raw RESP, and checks the change
of each affected series on /metrics against the expected count: per-command
calls / failures / rejections, EXEC and WATCH outcomes, keyspace hits and
misses, connections opened and rejected, connected clients, expired keys,
keys per db. Then reads INFO and checks it reports the same values as the
scrape taken right after it, and that after CONFIG RESETSTAT INFO counts
from zero while /metrics goes on counting.

Environment: TMKV_SERVER (set by ctest). Run by hand:
  TMKV_SERVER=build/bin/tmkv-server PYTHONPATH=tests/server \\
      /usr/bin/python3 tests/metrics/server_metrics_test.py
"""
import os
import re
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "server"))

import harness  # noqa: E402
from raw_resp import RawConn, cmdstat, parse_info  # noqa: E402

FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL: " + what)


def scrape(port):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$', line)
        if not m:
            raise AssertionError(f"unparsable exposition line: {line!r}")
        labels = tuple(sorted(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or "")))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def v(snap, name, **labels):
    return snap.get((name, tuple(sorted(labels.items()))), 0.0)


def info(conn, section):
    text = conn.cmd("INFO", section)
    return parse_info(text.decode() if isinstance(text, bytes) else str(text))


def main():
    mport = harness.free_port()
    srv = harness.start_tmkv("--tm-mode", "emulated-htm", "--metrics-port", str(mport))
    try:
        a = RawConn(srv.port)
        b = RawConn(srv.port)
        a.cmd("PING")
        b.cmd("PING")
        # The harness's readiness probe, a and b: their accepts are counted
        # on the worker threads, after the kernel completed the connect;
        # wait for all three before taking the baseline.
        deadline = time.time() + 10
        while v(scrape(mport), "tmkv_connections_opened_total") < 3 and time.time() < deadline:
            time.sleep(0.02)
        before = scrape(mport)

        # Commands with known outcomes.
        a.cmd("SET", "k", "1")                   # set: 1 call
        a.cmd("SET", "s", "text")                # set: 2 calls
        a.cmd("GET", "k")                        # get: hit
        a.cmd("GET", "nope")                     # get: miss
        a.cmd("MGET", "k", "s", "nope", "nope")  # mget: 2 hits, 2 misses
        a.cmd("INCR", "s")                       # incr: failed (not an integer), no hit/miss (a write)
        a.cmd("GET")                             # get: rejected (arity)
        a.cmd("NOSUCHCOMMAND", "x")              # unknown: rejected
        a.cmd("EXISTS", "k", "nope")             # exists: 1 hit, 1 miss
        # EXEC outcomes: one committed with an intact WATCH, one whose WATCH
        # another client broke, one EXECABORT.
        a.cmd("WATCH", "k")
        a.cmd("MULTI")
        a.cmd("INCR", "k")                       # incr: counted at EXEC
        a.cmd("GET", "k")                        # get: hit, counted at EXEC
        check(a.cmd("EXEC") == [2, b"2"], "committed EXEC replies")
        a.cmd("WATCH", "k")
        b.cmd("SET", "k", "10")                  # set: 3 calls
        a.cmd("MULTI")
        a.cmd("INCR", "k")                       # not run: the WATCH fails
        check(a.cmd("EXEC") is None, "EXEC after a broken WATCH is nil")
        a.cmd("MULTI")
        a.cmd("SET", "x")                        # set: rejected while queuing
        r = a.cmd("EXEC")
        check(isinstance(r, tuple) and "EXECABORT" in r[1], f"EXECABORT: {r!r}")
        # Expiry: a key that expires and is deleted by a read.
        a.cmd("SET", "e", "v", "PX", "1")        # set: 4 calls
        time.sleep(0.05)
        a.cmd("GET", "e")                        # get: miss, and deletes the key (expired 1)
        # Connections: one more opened, then maxclients refuses one.
        c = RawConn(srv.port)
        c.cmd("PING")
        a.cmd("CONFIG", "SET", "maxclients", "3")
        refused = RawConn(srv.port)
        r = refused.read_reply()
        check(isinstance(r, tuple) and "max number of clients" in r[1], f"4th client refused: {r!r}")
        refused.close()
        a.cmd("CONFIG", "SET", "maxclients", "10000")
        # Containers: counted per subcommand, as Redis 7's commandstats.
        check(a.cmd("CLIENT")[0] == "ERR", "CLIENT alone: wrong arity")       # rejected on client
        check(a.cmd("CLIENT", "NOSUCH")[0] == "ERR", "unknown subcommand")  # rejected as unknown
        time.sleep(0.3)  # the refused connection's bookkeeping

        after = scrape(mport)

        def d(name, **labels):
            return v(after, name, **labels) - v(before, name, **labels)

        want = [
            (("tmkv_commands_total", {"cmd": "set"}), 4),
            (("tmkv_commands_total", {"cmd": "get"}), 4),   # 3 top-level + 1 in EXEC
            (("tmkv_commands_total", {"cmd": "mget"}), 1),
            (("tmkv_commands_total", {"cmd": "incr"}), 2),  # the failed one + 1 in EXEC
            (("tmkv_commands_total", {"cmd": "exists"}), 1),
            (("tmkv_commands_total", {"cmd": "exec"}), 3),
            (("tmkv_commands_total", {"cmd": "watch"}), 2),
            (("tmkv_command_failed_total", {"cmd": "incr"}), 1),
            (("tmkv_command_failed_total", {"cmd": "exec"}), 1),  # the EXECABORT
            (("tmkv_command_failed_total", {"cmd": "get"}), 0),
            (("tmkv_command_rejected_total", {"cmd": "get"}), 1),
            (("tmkv_command_rejected_total", {"cmd": "set"}), 1),
            (("tmkv_command_rejected_total", {"cmd": "unknown"}), 2),  # FOO-like and CLIENT NOSUCH
            (("tmkv_commands_total", {"cmd": "config|set"}), 2),
            (("tmkv_command_rejected_total", {"cmd": "client"}), 1),
            (("tmkv_command_rejected_total", {"cmd": "config|set"}), 0),
            (("tmkv_command_duration_seconds_count", {"cmd": "get"}), 3),
            (("tmkv_command_duration_seconds_count", {"cmd": "exec"}), 3),
            (("tmkv_exec_total", {"outcome": "committed"}), 1),
            (("tmkv_exec_total", {"outcome": "watch_failed"}), 1),
            (("tmkv_exec_total", {"outcome": "execabort"}), 1),
            (("tmkv_watch_checks_total", {"outcome": "intact"}), 1),
            (("tmkv_watch_checks_total", {"outcome": "violated"}), 1),
            (("tmkv_keyspace_hits_total", {}), 1 + 2 + 1 + 1),
            (("tmkv_keyspace_misses_total", {}), 1 + 2 + 1 + 1),
            (("tmkv_expired_keys_total", {}), 1),
            (("tmkv_connections_opened_total", {}), 2),  # c and the refused one
            (("tmkv_connections_rejected_total", {"reason": "maxclients"}), 1),
            (("tmkv_connections_rejected_total", {"reason": "protected_mode"}), 0),
            # INCR on text, GET's arity, the unknown command, SET x queued,
            # CLIENT and CLIENT NOSUCH; the maxclients refusal is written
            # before any command, as in Redis, and is not an error reply.
            (("tmkv_error_replies_total", {"code": "ERR"}), 6),
            (("tmkv_error_replies_total", {"code": "EXECABORT"}), 1),
            (("tmkv_error_replies_total", {"code": "WRONGTYPE"}), 0),
        ]
        for (name, labels), n in want:
            got = d(name, **labels)
            check(got == n, f"{name}{labels}: want +{n}, got +{got:g}")
        check(v(after, "tmkv_connected_clients") == 3, f"connected clients: {v(after, 'tmkv_connected_clients')}")
        check(v(after, "tmkv_keys", db="0") == 2, f"keys in db0: {v(after, 'tmkv_keys', db='0')}")
        check(d("tmkv_net_input_bytes_total") > 0 and d("tmkv_net_output_bytes_total") > 0, "network bytes move")
        check(v(after, "tmkv_tx_commits_total", path="htm") + v(after, "tmkv_tx_commits_total", path="stm") > 0,
              "transactions counted")
        check(v(after, "tmkv_tm_info", mode="emulated-htm", path="emulated_htm", htm_supported="false",
                htm_backend=[lb for (n, lbs) in after if n == "tmkv_tm_info" for (k, lb) in lbs
                             if k == "htm_backend"][0],
                reason=[lb for (n, lbs) in after if n == "tmkv_tm_info" for (k, lb) in lbs if k == "reason"][0]) == 1,
              "tmkv_tm_info reports emulated-htm")

        # INFO and /metrics read the same counters: compare them at rest.
        stats = info(a, "stats")
        cmds = info(a, "commandstats")
        tx = info(a, "transactions")
        snap = scrape(mport)
        check(int(stats["keyspace_hits"]) == v(snap, "tmkv_keyspace_hits_total"), "INFO keyspace_hits = metrics")
        check(int(stats["keyspace_misses"]) == v(snap, "tmkv_keyspace_misses_total"), "INFO keyspace_misses = metrics")
        check(int(stats["expired_keys"]) == v(snap, "tmkv_expired_keys_total"), "INFO expired_keys = metrics")
        check(int(stats["evicted_keys"]) == v(snap, "tmkv_evicted_keys_total"), "INFO evicted_keys = metrics")
        # Both sum what each client's thread last mirrored; INFO's own
        # connection may have re-mirrored its buffers in between.
        mem_clients = int(info(a, "memory")["mem_clients_normal"])
        check(abs(mem_clients - v(snap, "tmkv_memory_clients_bytes")) <= 64 * 1024 and mem_clients > 0,
              f"INFO mem_clients_normal {mem_clients} ~ tmkv_memory_clients_bytes {v(snap, 'tmkv_memory_clients_bytes')}")
        check(int(stats["rejected_connections"]) == sum(v(snap, "tmkv_connections_rejected_total", reason=r)
                                                      for r in ("maxclients", "protected_mode")),
              "INFO rejected_connections = metrics")
        for cmd in ("get", "set", "incr", "mget", "exec", "exists"):
            cs = cmdstat(cmds, cmd)
            check(cs["calls"] == v(snap, "tmkv_commands_total", cmd=cmd), f"INFO calls of {cmd} = metrics")
            check(cs["failed_calls"] == v(snap, "tmkv_command_failed_total", cmd=cmd), f"INFO failed of {cmd}")
            check(cs["rejected_calls"] == v(snap, "tmkv_command_rejected_total", cmd=cmd), f"INFO rejected of {cmd}")
        for path in ("htm", "stm", "stm_readonly", "irrevocable", "global_lock"):
            check(int(tx[f"tx_commits_{path}"]) == v(snap, "tmkv_tx_commits_total", path=path),
                  f"INFO tx_commits_{path} = metrics")
        check(int(tx["exec_committed"]) == v(snap, "tmkv_exec_total", outcome="committed"), "INFO exec = metrics")
        errs = info(a, "errorstats")
        for code in ("ERR", "EXECABORT"):
            check(int(errs[f"errorstat_{code}"].split("=")[1]) == v(snap, "tmkv_error_replies_total", code=code),
                  f"INFO errorstat_{code} = metrics")
        check(int(tx["watch_violated"]) == v(snap, "tmkv_watch_checks_total", outcome="violated"),
              "INFO watch_violated = metrics")

        # CONFIG RESETSTAT restarts INFO's counters only: Prometheus counters
        # must never go down, so /metrics keeps counting from where it was.
        check(a.cmd("CONFIG", "RESETSTAT") == "OK", "CONFIG RESETSTAT")
        a.cmd("GET", "k1")
        stats = info(a, "stats")
        cmds = info(a, "commandstats")
        snap2 = scrape(mport)
        check(int(stats["keyspace_hits"]) + int(stats["keyspace_misses"]) == 1, "INFO counts from zero after RESETSTAT")
        check(cmdstat(cmds, "get")["calls"] == 1, "INFO commandstats from zero after RESETSTAT")
        check(v(snap2, "tmkv_commands_total", cmd="get") == v(snap, "tmkv_commands_total", cmd="get") + 1,
              "metrics go on counting across RESETSTAT")
        check(v(snap2, "tmkv_keyspace_hits_total") + v(snap2, "tmkv_keyspace_misses_total")
              == v(snap, "tmkv_keyspace_hits_total") + v(snap, "tmkv_keyspace_misses_total") + 1,
              "keyspace metrics go on counting across RESETSTAT")
        # Pub/sub gauges follow the registry, as INFO's pubsub fields do.
        sub = RawConn(srv.port)
        sub.cmd("SUBSCRIBE", "ch1", "ch2")
        sub.read_reply()  # the second channel's event
        sub.send(b"PSUBSCRIBE p*\r\n")
        sub.read_reply()
        stats = info(a, "stats")
        snap3 = scrape(mport)
        for kind, field, n in (("channel", "pubsub_channels", 2), ("pattern", "pubsub_patterns", 1),
                               ("shard", "pubsubshard_channels", 0)):
            check(v(snap3, "tmkv_pubsub_channels", kind=kind) == n == int(stats[field]),
                  f"tmkv_pubsub_channels{{kind={kind}}} = INFO {field} = {n}")
        for conn in (a, b, c, sub):
            conn.close()
    finally:
        srv.stop()
    if FAILS:
        print(f"{len(FAILS)} checks failed")
        return 1
    print("PASS: server metrics count exactly and INFO agrees with /metrics")
    return 0


if __name__ == "__main__":
    sys.exit(main())
