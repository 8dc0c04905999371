"""tmkv's command table against a real redis-server 7.0's, command by command.

For every command and subcommand both servers list (COMMAND LIST), COMMAND
INFO must agree on what clients and proxies use to route and check a call:
the arity, the legacy key positions (first, last, step), whether the keys
move with the arguments ("movablekeys") and whether MULTI refuses the
command ("no_multi"). Every name tmkv lists must be one
Redis lists, and COMMAND COUNT counts the top-level ones.

Declared differences (not compared): the other flags, which tmkv models only
in part (it lists write, readonly, fast, no_auth, movablekeys, and
"admin" on subcommands), ACL categories, tips and key specs (tmkv has none);
the commands tmkv does not implement (streams, replication), which it does
not list; and CLIENT SETINFO and
CLIENT NO-TOUCH, Redis 7.2's, which Debian 12's redis-server 7.0 lacks.

Run: TMKV_SERVER=build/bin/tmkv-server /usr/bin/python3 tests/server/command_table_test.py
"""
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import harness
from raw_resp import RawConn, check, resp_command, run_tests


NEWER_THAN_7_0 = {"client|setinfo", "client|no-touch"}


def text(v):
    return v.decode() if isinstance(v, bytes) else v


def table(port):
    """{name: (arity, first, last, step, movable, no_multi)} for every listed name."""
    c = RawConn(port)
    names = sorted(text(n) for n in c.cmd("COMMAND", "LIST"))
    top = [n for n in names if "|" not in n]
    count = c.cmd("COMMAND", "COUNT")
    rows = {}
    for entry in c.cmd("COMMAND", "INFO", *top):
        for e in [entry] + list(entry[9]):
            flags = [text(f) for f in e[2]]
            rows[text(e[0])] = (e[1], e[3], e[4], e[5], "movablekeys" in flags, "no_multi" in flags)
    c.close()
    return names, top, count, rows


def start_both(*args):
    """tmkv-server and redis-server with the same flags, started together."""
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda start: start(*args), (harness.start_tmkv, harness.start_redis)))


def test_same_table_as_redis():
    tmkv, redis = start_both()
    try:
        names, top, count, got = table(tmkv.port)
        redis_names, _, _, want = table(redis.port)
        check(count == len(top), f"COMMAND COUNT {count} for {len(top)} top-level names")
        unknown = sorted(set(names) - set(redis_names) - NEWER_THAN_7_0)
        check(not unknown, f"tmkv lists names redis-server does not: {unknown}")
        check(sorted(got) == names, f"COMMAND INFO covers COMMAND LIST: {sorted(set(names) ^ set(got))}")
        check(any("|" in n for n in names) and "client|list" in names, "subcommands listed by full name")
        diffs = [f"{n}: tmkv {got[n]} redis {want[n]}" for n in names if n in want and got[n] != want[n]]
        check(not diffs, "(arity, first, last, step, movablekeys, no_multi) differ:\n  " + "\n  ".join(diffs))
        check(got["shutdown"][5] and got["save"][5] and not got["exec"][5], "no_multi is Redis's: SHUTDOWN, SAVE")
    finally:
        tmkv.stop()
        redis.stop()


def test_replicaof_a_master_is_refused():
    # tmkv does not replicate: following a master must fail loudly, never
    # answer OK as if it would (redis-server does, and starts syncing).
    srv = harness.start_tmkv()
    try:
        c = RawConn(srv.port)
        for args in (["REPLICAOF", "127.0.0.1", "6379"], ["SLAVEOF", "example.com", "0"]):
            reply = c.cmd(*args)
            check(reply[0] == "ERR" and "does not support replication" in reply[1], f"{args}: {reply}")
        check(c.cmd("REPLICAOF", "NO", "ONE") == "OK", "NO ONE: already a master")
        check(c.cmd("ROLE")[0] == b"master", "still a master")
        c.close()
    finally:
        srv.stop()


def test_protected_commands_before_auth():
    # DEBUG and MODULE LOAD are refused before authentication (Redis's
    # protected commands); MODULE LIST waits for AUTH like any command. Both
    # servers with a password, reply for reply.
    servers = start_both("--requirepass", "pw")
    try:
        lines = (["DEBUG", "SLEEP", "0"], ["MODULE", "LOAD", "/x.so"], ["MODULE", "LIST"], ["MODULE", "FOO"],
                 ["AUTH", "pw"], ["MODULE", "LIST"], ["DEBUG", "OBJECT", "k"], ["MODULE", "UNLOAD", "x"])
        got = []
        for srv in servers:
            c = RawConn(srv.port)
            got.append([c.cmd(*line) for line in lines])
            c.close()
        for line, t, r in zip(lines, *got):
            check(t == r, f"{line}: tmkv {t!r}, redis {r!r}")
        check(got[0][0][1].startswith("ERR DEBUG command not allowed") and got[0][2][1].startswith("NOAUTH"),
              f"refused before NOAUTH: {got[0][:3]}")
    finally:
        for srv in servers:
            srv.stop()


def test_persistence_command_rules():
    # The persistence commands' rules that persistence_test.py does not
    # exercise: BGREWRITEAOF is refused and says why (tmkv keeps no
    # append-only file: never an OK as if one were written); BGSAVE's only
    # option is SCHEDULE; SAVE is refused inside MULTI (no_multi: the EXEC
    # fails); a queued BGSAVE is scheduled, as Redis schedules it inside
    # EXEC, and the block's other commands run. The server saves in a
    # temporary --dir, never in the test's working directory.
    d = tempfile.mkdtemp(prefix="tmkv-command-table-")
    srv = harness.start_tmkv("--dir", d)
    try:
        c = RawConn(srv.port)
        reply = c.cmd("BGREWRITEAOF")
        check(reply[0] == "ERR" and "not supported" in reply[1] and "append-only file" in reply[1],
              f"BGREWRITEAOF: {reply}")
        check(c.cmd("BGSAVE", "now") == ("ERR", "ERR syntax error"), "BGSAVE's only option is SCHEDULE")
        check(c.cmd("MULTI") == "OK", "MULTI")
        check(c.cmd("SAVE") == ("ERR", "ERR Command not allowed inside a transaction"), "SAVE inside MULTI")
        check(c.cmd("EXEC")[1].startswith("EXECABORT"), "the EXEC fails")
        check(c.cmd("MULTI") == "OK" and c.cmd("BGSAVE") == "QUEUED" and c.cmd("SET", "k", "v") == "QUEUED",
              "BGSAVE is queued")
        replies = c.cmd("EXEC")
        check(replies == ["Background saving scheduled", "OK"], f"EXEC: BGSAVE scheduled and the SET's OK: {replies}")
        check(c.cmd("GET", "k") == b"v", "the SET ran")
        deadline = time.time() + 5
        while "rdb_saves:1" not in c.cmd("INFO", "persistence").decode() and time.time() < deadline:
            time.sleep(0.05)
        check("rdb_saves:1" in c.cmd("INFO", "persistence").decode(), "the scheduled BGSAVE ran")
        check(os.listdir(d) == ["dump.rdb"], f"files in --dir: {os.listdir(d)}")
        c.close()
    finally:
        srv.stop()
        shutil.rmtree(d, ignore_errors=True)


def acl_steps(port):
    """ACL with requirepass: failed authentications in ACL LOG (grouped as
    Redis groups them), the default user as LIST and GETUSER show it, and
    LOG's count, RESET and acllog-max-len. Each LOG entry is reduced to what
    both servers must agree on (age-seconds and client-info vary)."""
    def entries(reply):
        if not isinstance(reply, list):
            return reply
        out = []
        for e in reply:
            d = dict(zip(e[0::2], e[1::2]))
            check(d[b"client-info"].startswith(b"id=") and isinstance(d[b"age-seconds"], bytes),
                  f"client-info and age-seconds: {d}")
            out.append((d[b"count"], d[b"reason"], d[b"context"], d[b"object"], d[b"username"]))
        return out

    c = RawConn(port)
    steps = [c.cmd("AUTH", "wrong"), c.cmd("AUTH", "wrong2"), c.cmd("HELLO", "2", "AUTH", "default", "bad"),
             c.cmd("AUTH", "nobody", "pw"), c.cmd("AUTH", "secret")]
    c.cmd("MULTI")
    c.cmd("AUTH", "wrong")
    steps.append(c.cmd("EXEC"))
    steps.append(entries(c.cmd("ACL", "LOG")))
    steps.append(entries(c.cmd("ACL", "LOG", "2")))
    for args in (["ACL", "LIST"], ["ACL", "GETUSER", "default"], ["ACL", "WHOAMI"], ["ACL", "USERS"],
                 ["ACL", "LOG", "RESET"], ["ACL", "LOG"], ["CONFIG", "SET", "acllog-max-len", "1"]):
        steps.append(c.cmd(*args))
    c2 = RawConn(port)
    c2.cmd("AUTH", "x")
    c2.cmd("AUTH", "other", "y")
    steps.append(entries(c.cmd("ACL", "LOG")))
    steps.append(c.cmd("CONFIG", "GET", "acllog-max-len"))
    c.cmd("CONFIG", "SET", "requirepass", "")
    steps.append(c.cmd("ACL", "LIST"))
    steps.append(c.cmd("ACL", "GETUSER", "default"))
    # RESP3: GETUSER is a map whose flags are a set; compared as bytes.
    c.cmd("HELLO", "3")
    c.send(resp_command("ACL", "GETUSER", "default"))
    steps.append(c.read_raw(0.3)[0])
    c.close()
    c2.close()
    return steps


def test_acl_as_redis():
    tmkv, redis = start_both("--requirepass", "secret")
    try:
        got, want = acl_steps(tmkv.port), acl_steps(redis.port)
        for i, (g, w) in enumerate(zip(got, want)):
            check(g == w, f"step {i}: tmkv {g!r}, redis {w!r}")
        check(len(got) == len(want), "as many steps")
        check(got[6][3] == (2, b"auth", b"toplevel", b"AUTH", b"default"), f"two AUTH failures grouped: {got[6]}")
        c = RawConn(tmkv.port)
        passwords = [c.cmd("ACL", "GENPASS") for _ in range(2)]
        check(all(len(p) == 64 and all(ch in b"0123456789abcdef" for ch in p) for p in passwords)
              and passwords[0] != passwords[1], f"GENPASS: 256 random bits in hex: {passwords}")
        check(len(c.cmd("ACL", "GENPASS", "5")) == 2 and len(c.cmd("ACL", "GENPASS", "4096")) == 1024,
              "GENPASS <bits>: one hex digit per 4 bits, rounded up")
        check(c.cmd("ACL", "SETUSER", "bob", "on")[1].startswith("ERR tmkv has only the 'default' user"),
              "SETUSER is refused, not accepted and ignored")
        c.close()
    finally:
        tmkv.stop()
        redis.stop()


TESTS = [
    ("1", "arity, key positions and movablekeys as redis-server's", test_same_table_as_redis),
    ("2", "REPLICAOF host port is refused, NO ONE accepted", test_replicaof_a_master_is_refused),
    ("3", "DEBUG and MODULE LOAD refused before AUTH, as redis-server", test_protected_commands_before_auth),
    ("4", "persistence commands: BGREWRITEAOF refused, SAVE no_multi, BGSAVE scheduled in EXEC", test_persistence_command_rules),
    ("5", "ACL: the default user, ACL LOG of failed AUTHs, as redis-server", test_acl_as_redis),
]


if __name__ == "__main__":
    sys.exit(run_tests(TESTS, sys.argv[1:]))
