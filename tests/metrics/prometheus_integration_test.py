#!/usr/bin/python3
"""End-to-end test of tmkv-server's /metrics with a real Prometheus.

  1. Starts tmkv-server (--tm-mode emulated-htm --io-threads 2; --tm-mode
     stm for a server with no hardware traffic) with its
     metrics endpoint on a free port. GET /metrics must answer 200 in the
     Prometheus text format.
  2. `promtool check metrics` on that scrape: every problem it reports fails
     the test (see PROMLINT_ALLOWED for the exceptions, none so far).
  3. The scrape against the metric reference in metrics/README.md: every
     documented name, with its type, its label names and its closed sets of
     label values.
  4. `promtool check rules metrics/tmkv-rules.yml`; the dashboard's shape
     (variables, data source of every panel and target).
  5. Starts Prometheus (scrape and rule evaluation every 1 s, the repository's
     rules file) and drives ~9 s of traffic from several python3-redis
     clients: SET/GET/MGET/MSET/INCR, short TTLs, WATCH/MULTI/EXEC transfers
     on a few hot keys from several threads (so WATCHes fail and
     transactions abort), INCR on a non-integer, unknown commands (also
     inside MULTI, for EXECABORT), connection churn, a second database.
  6. The scrape after the traffic reflects it: exact counts for EXEC
     outcomes, WATCH checks, failed INCRs and unknown commands, lower bounds
     for the rest.
  7. Once Prometheus has scraped the final counts and evaluated the rules:
     every rule is healthy, and EVERY PromQL expression in
     metrics/grafana-dashboard.json and metrics/tmkv-rules.yml returns a
     non-empty result. Alert expressions are empty on a healthy server, so
     each is split at its top-level `and`/`or`/`unless` and comparisons,
     and each non-constant operand must return data (the whole expression
     must still evaluate without error). Ratio rules must not be NaN.

Every check is reported; the script exits 1 if any failed, listing the
expressions that returned nothing.

Run:  TMKV_SERVER=build-test/bin/tmkv-server /usr/bin/python3 tests/metrics/prometheus_integration_test.py
      PROMETHEUS / PROMTOOL override /usr/bin/prometheus and /usr/bin/promtool;
      --seconds N sets the traffic time (default 9); --tm-mode stm runs the
      same checks on a server without hardware TM (every HTM series stays 0,
      the fallback ratio must be 0).
"""
import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "server"))

import redis  # noqa: E402  (Debian's python3-redis)

import harness  # noqa: E402

RULES = os.path.join(REPO, "metrics", "tmkv-rules.yml")
DASHBOARD = os.path.join(REPO, "metrics", "grafana-dashboard.json")
REFERENCE = os.path.join(REPO, "metrics", "README.md")
PROMETHEUS = os.environ.get("PROMETHEUS") or "/usr/bin/prometheus"
PROMTOOL = os.environ.get("PROMTOOL") or "/usr/bin/promtool"

# Problems `promtool check metrics` may report without failing the test, as
# regular expressions over its output lines. Empty: every lint problem
# (missing HELP, a counter without _total, a unit in the wrong base, ...) is
# a defect an operator would see. Add an entry only with a comment saying
# why that problem is acceptable.
PROMLINT_ALLOWED = []

# Values for Grafana's template variables when the dashboard's expressions
# are run here. $instance gets the one server under test, regex-escaped as
# Grafana escapes a selected value; the range variables get 1m, which covers
# the whole test.
RATE_WINDOW = "1m"

# The jemalloc gauges: absent in sanitizer builds (metrics/README.md).
JEMALLOC_GAUGES = ("tmkv_memory_allocated_bytes", "tmkv_memory_active_bytes", "tmkv_memory_resident_bytes")

HOT_KEYS = ["hot:0", "hot:1", "hot:2"]


# ---------------------------------------------------------------- reporting

class Report:
    def __init__(self):
        self.failures = []

    def ok(self, what):
        print(f"PASS {what}", flush=True)

    def fail(self, what):
        print(f"FAIL {what}", flush=True)
        self.failures.append(what)

    def check(self, cond, what):
        (self.ok if cond else self.fail)(what)
        return cond


# ---------------------------------------------------------------- HTTP

def http_get(url, timeout=10):
    """(status, content-type, body text); status 0 if no answer."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode("utf-8", "replace")
    except OSError:
        return 0, "", ""


class Prom:
    """A Prometheus server started for this test."""

    def __init__(self, metrics_port, workdir):
        self.port = harness.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = os.path.join(workdir, "prometheus.yml")
        with open(config, "w") as f:
            f.write(f"""global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - {json.dumps(RULES)}
scrape_configs:
  - job_name: tmkv
    static_configs:
      - targets: ["127.0.0.1:{metrics_port}"]
""")
        self.log_path = os.path.join(workdir, "prometheus.log")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={os.path.join(workdir, 'data')}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prometheus exited with {self.proc.returncode}:\n{self.log()}")
            if http_get(self.url + "/-/ready", timeout=1)[0] == 200:
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"prometheus not ready within 20 s:\n{self.log()}")

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def api(self, path, params=None):
        """GET /api/v1/<path>; returns (data, error text or None)."""
        url = f"{self.url}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        status, _, body = http_get(url)
        try:
            doc = json.loads(body)
        except ValueError:
            return None, f"HTTP {status}: {body[:300]!r}"
        if doc.get("status") != "success":
            return None, f"HTTP {status}: {doc.get('errorType')}: {doc.get('error')}"
        return doc["data"], None

    def query(self, expr):
        """Instant query now: (list of (labels, float value), error or None)."""
        data, err = self.api("query", {"query": expr, "time": f"{time.time():.3f}"})
        if err:
            return None, err
        kind, result = data["resultType"], data["result"]
        if kind == "vector":
            return [(s["metric"], float(s["value"][1])) for s in result], None
        if kind == "scalar":
            return [({}, float(result[1]))], None
        if kind == "matrix":
            return [(s["metric"], float(s["values"][-1][1])) for s in result if s["values"]], None
        return None, f"unexpected result type {kind}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


# ---------------------------------------------------------------- the text format

SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?$')
LABEL_RE = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')


def parse_exposition(text):
    """(types {family: type}, helps {family: text}, samples [(name, {labels}, value)])."""
    types, helps, samples = {}, {}, []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("# TYPE "):
            parts = line.split()
            types[parts[2]] = parts[3]
        elif line.startswith("# HELP "):
            parts = line.split(None, 3)
            helps[parts[2]] = parts[3] if len(parts) > 3 else ""
        elif line.startswith("#"):
            continue
        else:
            m = SAMPLE_RE.match(line)
            if not m:
                raise ValueError(f"unparsable sample line {line!r}")
            labels = {}
            body = m.group(3) or ""
            pos = 0
            while pos < len(body):
                lm = LABEL_RE.match(body, pos)
                if not lm:
                    raise ValueError(f"unparsable labels in {line!r}")
                labels[lm.group(1)] = re.sub(r'\\(.)', lambda e: "\n" if e.group(1) == "n" else e.group(1),
                                             lm.group(2))
                pos = lm.end()
            samples.append((m.group(1), labels, float(m.group(4))))
    return types, helps, samples


def family_of(name, types):
    if name in types:
        return name
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and types.get(name[: -len(suffix)]) in ("histogram", "summary"):
            return name[: -len(suffix)]
    return name


def sample_values(samples, name, **match):
    return [v for n, l, v in samples if n == name and all(l.get(k) == want for k, want in match.items())]


def sample_sum(samples, name, **match):
    return sum(sample_values(samples, name, **match))


# ---------------------------------------------------------------- the reference tables

def parse_reference(path):
    """Rows of the tables under '## Metric reference' in metrics/README.md:
    {name: {"type": t, "labels": {label: None | set | {qualifier: set}}}}.
    A label followed by "(a, b, c)" has that closed set of values; values
    grouped as "(x: a, b; y: c)" are per value of the row's first label."""
    with open(path) as f:
        text = f.read()
    start = text.index("## Metric reference")
    ref = {}
    for line in text[start:].splitlines():
        # Markdown's "\|" is a pipe inside a cell, not a cell border.
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if len(cells) != 4 or cells[0] in ("name", "") or set(cells[0]) <= set("-"):
            continue
        name, mtype, labels_cell, _ = cells
        labels = {}
        first = None
        for lm in re.finditer(r'`([a-z_]+)`(?:\s*\(([^)]*)\))?', labels_cell):
            label, values = lm.group(1), lm.group(2)
            if first is None:
                first = label
            if values is None:
                labels[label] = None
            elif ":" in values:
                groups = {}
                for group in values.split(";"):
                    qual, _, vals = group.partition(":")
                    groups[qual.strip()] = {v.strip() for v in vals.split(",") if v.strip()}
                labels[label] = {"by": first, "groups": groups}
            else:
                labels[label] = {v.strip() for v in values.split(",") if v.strip()}
        ref[name] = {"type": mtype, "labels": labels}
    return ref


def check_contract(rep, ref, types, samples, sanitized):
    by_family = {}
    for n, l, v in samples:
        by_family.setdefault(family_of(n, types), []).append((n, l, v))
    for name, doc in sorted(ref.items()):
        if sanitized and name in JEMALLOC_GAUGES:
            rep.check(name not in types, f"{name}: absent in a sanitizer build (as documented)")
            continue
        got_type = types.get(name)
        if not rep.check(got_type == doc["type"],
                         f"{name}: type {doc['type']} (scrape has {got_type or 'no such family'})"):
            continue
        fam = by_family.get(name, [])
        if not rep.check(bool(fam), f"{name}: has samples"):
            continue
        if doc["type"] == "histogram":
            have = {n for n, _, _ in fam}
            rep.check({name + "_bucket", name + "_sum", name + "_count"} <= have,
                      f"{name}: _bucket, _sum and _count series")
            rep.check(all("le" in l for n, l, _ in fam if n.endswith("_bucket")), f"{name}: le on every bucket")
        want_names = set(doc["labels"])
        bad = sorted({tuple(sorted(set(l) - {"le", "quantile"})) for _, l, _ in fam} - {tuple(sorted(want_names))})
        rep.check(not bad, f"{name}: label names {sorted(want_names)} on every sample"
                  + (f" (also seen: {bad})" if bad else ""))
        for label, values in doc["labels"].items():
            if values is None:
                continue
            if isinstance(values, dict):  # values per value of another label
                qual = values["by"]
                for qv, want in sorted(values["groups"].items()):
                    seen = {l.get(label) for _, l, _ in fam if l.get(qual) == qv}
                    rep.check(seen == want, f"{name}: {label} values for {qual}={qv}: "
                              f"missing {sorted(want - seen)}, unexpected {sorted(seen - want)}")
                allowed_q = set(values["groups"])
                seen_q = {l.get(qual) for _, l, _ in fam}
                rep.check(seen_q <= allowed_q, f"{name}: no {qual} outside {sorted(allowed_q)} "
                          f"(seen {sorted(seen_q)})")
            elif name.endswith("_info"):  # one series: its value is one of the set
                seen = {l.get(label) for _, l, _ in fam}
                rep.check(len(fam) == 1 and seen <= values,
                          f"{name}: one series, {label} in {sorted(values)} (got {sorted(map(str, seen))})")
            else:  # every value of the closed set is exported, and no other
                seen = {l.get(label) for _, l, _ in fam}
                rep.check(seen == values, f"{name}: {label} values {sorted(values)} "
                          f"(missing {sorted(values - seen)}, unexpected {sorted(seen - values)})")
    extra = sorted({family_of(n, types) for n, _, _ in samples} - set(ref))
    rep.check(not extra, f"every exported family is documented (undocumented: {extra})")


# ---------------------------------------------------------------- PromQL expressions

def dashboard_panels(panels):
    for p in panels:
        yield p
        yield from dashboard_panels(p.get("panels", []))


def dashboard_expressions(dash):
    """[(where, expr)] for every target of every panel, nested rows included."""
    out = []
    for p in dashboard_panels(dash.get("panels", [])):
        for t in p.get("targets", []):
            if "expr" in t:
                out.append((f"dashboard panel {p.get('id')} '{p.get('title')}' target {t.get('refId')}", t["expr"]))
    return out


def substitute(expr, instance):
    inst_re = re.escape(instance).replace("\\", "\\\\")  # inside a PromQL string
    values = {"instance": inst_re, "__rate_interval": RATE_WINDOW, "__interval": "15s", "__range": RATE_WINDOW}
    def repl(m):
        name = m.group(1) or m.group(2)
        return values.get(name, m.group(0))
    return re.sub(r'\$\{(\w+)(?::\w+)?\}|\$(\w+)', repl, expr)


def load_rules(path):
    """[(kind, name, expr)] from the rules file (record or alert), read with
    PyYAML when python3-yaml is installed, else with the small reader below."""
    try:
        import yaml  # python3-yaml, when installed
        with open(path) as f:
            doc = yaml.safe_load(f)
    except ImportError:
        doc = _yaml_rules_fallback(path)
    out = []
    for g in doc["groups"]:
        for r in g["rules"]:
            kind = "record" if "record" in r else "alert"
            out.append((kind, r[kind], str(r["expr"]).strip()))
    return out


def _yaml_rules_fallback(path):
    """A reader for the subset of YAML the rules file uses (block scalars and
    plain key: value), enough to get each rule's record/alert name and expr."""
    groups, rule, key_indent, block = [], None, None, None
    with open(path) as f:
        lines = f.read().splitlines()
    for line in lines:
        if block is not None:
            if line.strip() == "" or len(line) - len(line.lstrip()) > key_indent:
                block.append(line.strip())
                continue
            rule["expr"] = " ".join(x for x in block if x)
            block = None
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        m = re.match(r'^(\s*)-?\s*(record|alert|expr|name):\s*(.*)$', line)
        if not m:
            continue
        indent, key, val = len(m.group(1)), m.group(2), m.group(3)
        if key == "name":
            groups.append({"rules": []})
        elif key in ("record", "alert"):
            rule = {key: val.strip().strip('"')}
            groups[-1]["rules"].append(rule)
        elif key == "expr":
            if val.strip() in ("|", "|-", ">", ">-"):
                block, key_indent = [], indent
            else:
                rule["expr"] = val.strip()
    if block is not None:
        rule["expr"] = " ".join(x for x in block if x)
    return {"groups": groups}


SET_OPS = re.compile(r'(and|or|unless)\b')
CMP_OPS = re.compile(r'(==|!=|>=|<=|>|<)')
MODIFIERS = re.compile(r'^\s*(bool\b)?\s*((on|ignoring)\s*\([^)]*\))?\s*((group_left|group_right)\s*(\([^)]*\))?)?')
NUMBER = re.compile(r'^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$')


def _top_level_splits(expr, pattern, words):
    """Positions (start, end) of top-level matches of pattern: outside
    parentheses, braces, brackets and strings."""
    out, depth, i, quote = [], 0, 0, None
    while i < len(expr):
        c = expr[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = None
            i += 1
            continue
        if c in "\"'`":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0:
            m = pattern.match(expr, i)
            if m and (not words or ((i == 0 or not (expr[i - 1].isalnum() or expr[i - 1] in "_:"))
                                    and (m.end() >= len(expr) or not (expr[m.end()].isalnum() or expr[m.end()] == "_")))):
                out.append((i, m.end()))
                i = m.end()
                continue
        i += 1
    return out


def _unwrap(expr):
    e = expr.strip()
    while e.startswith("(") and e.endswith(")"):
        depth = 0
        for i, c in enumerate(e):
            depth += c == "("
            depth -= c == ")"
            if depth == 0 and i < len(e) - 1:
                return e
        e = e[1:-1].strip()
    return e


def _split(expr, pattern, words):
    parts, last = [], 0
    for s, e in _top_level_splits(expr, pattern, words):
        parts.append(expr[last:s])
        last = e
    parts.append(expr[last:])
    return [MODIFIERS.sub("", p, count=1).strip() if i else p.strip() for i, p in enumerate(parts)]


def operands(expr):
    """The non-constant operands of an alert condition: the expression split
    at top-level set operators, then at top-level comparisons."""
    e = _unwrap(expr)
    parts = _split(e, SET_OPS, True)
    if len(parts) > 1:
        return [o for p in parts for o in operands(p)]
    parts = _split(e, CMP_OPS, False)
    if len(parts) > 1:
        return [o for p in parts if not NUMBER.match(_unwrap(p)) for o in operands(p)]
    return [e]


# ---------------------------------------------------------------- traffic

class Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.c = {}

    def add(self, key, n=1):
        with self.lock:
            self.c[key] = self.c.get(key, 0) + n

    def get(self, key):
        return self.c.get(key, 0)


def guard(name, counts, fn):
    def run():
        try:
            fn()
        except Exception as e:  # reported, and fails the test
            counts.add("thread_errors")
            print(f"traffic thread {name}: {type(e).__name__}: {e}", flush=True)
    return threading.Thread(target=run, name=name, daemon=True)


def kv_worker(port, wid, stop, counts, rng):
    r = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10, single_connection_client=True)
    r1 = redis.Redis(host="127.0.0.1", port=port, db=1, socket_timeout=10, single_connection_client=True)
    r.set(f"notanumber:{wid}", "abc")
    n = 0
    while not stop.is_set():
        n += 1
        k = f"k:{wid}:{n % 200}"
        r.set(k, n)
        counts.add("set")
        r.get(k)
        r.get(f"missing:{wid}:{n}")
        counts.add("get", 2)
        r.mset({f"m:{wid}:{i}": n for i in range(4)})
        counts.add("mset")
        r.mget([f"m:{wid}:{i}" for i in range(5)])
        counts.add("mget")
        # redis-py's incr() sends INCRBY; INCR itself goes through execute_command.
        r.execute_command("INCR", f"ctr:{wid}")
        counts.add("incr_ok")
        if n % 5 == 0:
            r.set(f"ttl:{wid}:{n}", "v", px=rng.randint(100, 400))
            counts.add("set")
            r.expire(k, 1)
            counts.add("expire")
        if n % 10 == 0:
            r1.set(f"db1:{wid}:{n % 50}", n)
            counts.add("set")
        if n % 25 == 0:
            try:
                r.execute_command("INCR", f"notanumber:{wid}")
                counts.add("incr_failed_missing")
            except redis.ResponseError:
                counts.add("incr_failed")
            try:
                r.execute_command("NOSUCHCOMMAND", "x")
                counts.add("unknown_accepted")
            except redis.ResponseError:
                counts.add("unknown")
        if n % 40 == 0:
            # MULTI with an unknown command queued: EXEC answers EXECABORT.
            r.execute_command("MULTI")
            r.execute_command("SET", f"k:{wid}:abort", "x")
            try:
                r.execute_command("NOSUCHCOMMAND")
            except redis.ResponseError:
                pass
            counts.add("unknown")
            try:
                r.execute_command("EXEC")
                counts.add("execabort_missing")
            except redis.exceptions.ExecAbortError:  # redis-py's class for -EXECABORT
                counts.add("execabort")
            except redis.ResponseError as e:
                counts.add("execabort_other_error")
                print(f"EXEC after a queuing error: {e}", flush=True)
            # A plain MULTI/EXEC without WATCH: committed.
            with r.pipeline(transaction=True) as p:
                p.incr(f"ctr:{wid}")
                p.mget(HOT_KEYS)
                p.execute()
            counts.add("exec_committed")
    r.close()
    r1.close()


def transfer_worker(port, wid, stop, counts, rng):
    r = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10)
    while not stop.is_set():
        src, dst = rng.sample(HOT_KEYS, 2)
        with r.pipeline() as p:
            p.watch(src, dst)
            p.get(src)
            if rng.random() < 0.3:
                time.sleep(0.002)  # widen the window: other transfers change the keys
            p.multi()
            p.decrby(src, 1)
            p.incrby(dst, 1)
            try:
                p.execute()
                counts.add("exec_committed")
                counts.add("watch_intact")
            except redis.WatchError:
                counts.add("watch_failed")
    r.close()


def churn_worker(port, stop, counts):
    while not stop.is_set():
        r = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10, single_connection_client=True)
        r.ping()
        r.close()
        counts.add("connections")
        time.sleep(0.02)


def drive_traffic(port, seconds, seed):
    counts = Counts()
    stop = threading.Event()
    rng = random.Random(seed)
    threads = [guard(f"kv{i}", counts, lambda i=i: kv_worker(port, i, stop, counts, random.Random(rng.random())))
               for i in range(3)]
    threads += [guard(f"transfer{i}", counts,
                      lambda i=i: transfer_worker(port, i, stop, counts, random.Random(rng.random())))
                for i in range(4)]
    threads.append(guard("churn", counts, lambda: churn_worker(port, stop, counts)))
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=30)
        if t.is_alive():
            counts.add("thread_errors")
            print(f"traffic thread {t.name} did not stop", flush=True)
    return counts


def check_traffic(rep, counts, samples, sanitized, maxmemory, tm_mode):
    rep.check(counts.get("thread_errors") == 0, "traffic threads ran without errors")
    s = lambda name, **kw: sample_sum(samples, name, **kw)  # noqa: E731
    # Exact: only this test's clients talk to the server.
    for outcome, key in (("committed", "exec_committed"), ("watch_failed", "watch_failed"),
                         ("execabort", "execabort")):
        rep.check(s("tmkv_exec_total", outcome=outcome) == counts.get(key),
                  f"tmkv_exec_total{{outcome=\"{outcome}\"}} = {s('tmkv_exec_total', outcome=outcome):g}, "
                  f"clients saw {counts.get(key)}")
    for outcome, key in (("intact", "watch_intact"), ("violated", "watch_failed")):
        rep.check(s("tmkv_watch_checks_total", outcome=outcome) == counts.get(key),
                  f"tmkv_watch_checks_total{{outcome=\"{outcome}\"}} = "
                  f"{s('tmkv_watch_checks_total', outcome=outcome):g}, clients saw {counts.get(key)}")
    rep.check(counts.get("watch_failed") > 0 and counts.get("execabort") > 0,
              f"traffic had WATCH failures ({counts.get('watch_failed')}) and EXECABORTs ({counts.get('execabort')})")
    rep.check(s("tmkv_command_failed_total", cmd="incr") == counts.get("incr_failed") > 0,
              f"tmkv_command_failed_total{{cmd=\"incr\"}} = {s('tmkv_command_failed_total', cmd='incr'):g}, "
              f"clients saw {counts.get('incr_failed')} INCR errors")
    rep.check(s("tmkv_command_rejected_total", cmd="unknown") == counts.get("unknown") > 0,
              f"tmkv_command_rejected_total{{cmd=\"unknown\"}} = {s('tmkv_command_rejected_total', cmd='unknown'):g}, "
              f"clients sent {counts.get('unknown')} unknown commands")
    # Lower bounds.
    for cmd, key in (("set", "set"), ("get", "get"), ("mset", "mset"), ("mget", "mget"), ("expire", "expire"),
                     ("incr", "incr_ok")):
        got = s("tmkv_commands_total", cmd=cmd)
        rep.check(got >= counts.get(key) > 0, f"tmkv_commands_total{{cmd=\"{cmd}\"}} = {got:g} >= {counts.get(key)} sent")
    got = s("tmkv_command_duration_seconds_count", cmd="get")
    rep.check(got >= counts.get("get"), f"tmkv_command_duration_seconds_count{{cmd=\"get\"}} = {got:g} >= {counts.get('get')}")
    got = s("tmkv_connections_opened_total")
    rep.check(got >= counts.get("connections") > 0, f"tmkv_connections_opened_total = {got:g} >= {counts.get('connections')}")
    rep.check(s("tmkv_connected_clients") >= 1, f"tmkv_connected_clients = {s('tmkv_connected_clients'):g} >= 1 (one is open)")
    for name in ("tmkv_net_input_bytes_total", "tmkv_net_output_bytes_total", "tmkv_expired_keys_total",
                 "tmkv_keyspace_hits_total", "tmkv_keyspace_misses_total", "tmkv_tx_commits_total",
                 "tmkv_tx_attempts_count", "tmkv_tx_width_keys_count",
                 "tmkv_tx_duration_seconds_count", "process_cpu_seconds_total", "process_resident_memory_bytes",
                 "process_virtual_memory_bytes", "process_open_fds", "process_max_fds", "process_threads"):
        rep.check(s(name) > 0, f"{name} = {s(name):g} > 0")
    for db in ("0", "1"):
        rep.check(s("tmkv_keys", db=db) > 0, f"tmkv_keys{{db=\"{db}\"}} = {s('tmkv_keys', db=db):g} > 0")
    start = s("process_start_time_seconds")
    rep.check(time.time() - 600 < start <= time.time(), f"process_start_time_seconds = {start:.0f} is recent")
    if maxmemory is not None:
        rep.check(s("tmkv_memory_limit_bytes") == maxmemory,
                  f"tmkv_memory_limit_bytes = {s('tmkv_memory_limit_bytes'):g} (--maxmemory {maxmemory})")
    if not sanitized:
        for name in JEMALLOC_GAUGES:
            rep.check(s(name) > 0, f"{name} = {s(name):g} > 0")
    tm = [l for n, l, v in samples if n == "tmkv_tm_info" and v == 1]
    rep.check(len(tm) == 1 and tm[0].get("mode") == tm_mode,
              f"tmkv_tm_info: one series, mode=\"{tm_mode}\" (got {tm})")
    hw = s("tmkv_tx_hw_attempts_total")
    if tm_mode == "stm":
        rep.check(hw == 0 and s("tmkv_tx_fallbacks_total") == 0 and s("tmkv_tx_commits_total", path="htm") == 0,
                  f"stm mode: no hardware attempts ({hw:g}), fallbacks or hardware commits")
    else:
        rep.check(hw > 0, f"tmkv_tx_hw_attempts_total = {hw:g} > 0")
        # Inserting a key cannot run in hardware (needs_software), and the
        # traffic inserts keys all the time, so hardware aborts are certain;
        # software aborts are not (two I/O threads may never collide).
        rep.check(s("tmkv_tx_aborts_total", path="htm") > 0,
                  f"tmkv_tx_aborts_total{{path=\"htm\"}} = {s('tmkv_tx_aborts_total', path='htm'):g} > 0")


# ---------------------------------------------------------------- main

def scrape(metrics_port):
    return http_get(f"http://127.0.0.1:{metrics_port}/metrics")


def wait_until(fn, timeout, interval=0.25):
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() >= deadline:
            return v
        time.sleep(interval)


def server_help():
    try:
        return subprocess.run([harness.tmkv_server_path(), "--help"], capture_output=True, timeout=10).stdout.decode()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=9.0, help="traffic time")
    ap.add_argument("--tm-mode", default="emulated-htm", choices=("emulated-htm", "stm"),
                    help="the server's TM mode (stm: no hardware traffic at all)")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(f"seed {seed}", flush=True)
    t0 = time.time()
    rep = Report()

    for tool in (PROMETHEUS, PROMTOOL):
        if not os.access(tool, os.X_OK):
            print(f"FAIL {tool} not found: install Debian's prometheus package (scripts/deps does)")
            return 1

    # ---- static checks: rules, dashboard, reference
    p = subprocess.run([PROMTOOL, "check", "rules", RULES], capture_output=True, text=True, timeout=60)
    rep.check(p.returncode == 0, f"promtool check rules metrics/tmkv-rules.yml (exit {p.returncode})"
              + ("" if p.returncode == 0 else f"\n{p.stdout}{p.stderr}"))
    rules = load_rules(RULES)
    rep.check(len(rules) > 0, f"{len(rules)} rules read from metrics/tmkv-rules.yml")
    with open(DASHBOARD) as f:
        dash = json.load(f)
    check_dashboard_shape(rep, dash)
    ref = parse_reference(REFERENCE)
    rep.check(len(ref) >= 38, f"{len(ref)} metrics in the reference tables of metrics/README.md")

    # ---- the server
    help_text = server_help()
    extra = []
    if "--latency-tracking" in help_text:
        extra += ["--latency-tracking", "yes"]  # the default, made explicit: tx/command latency panels need it
    maxmemory = None
    if "--maxmemory" in help_text:
        maxmemory = 1 << 30
        extra += ["--maxmemory", str(maxmemory)]
    metrics_port = harness.free_port()
    srv = harness.start_tmkv("--tm-mode", args.tm_mode, "--io-threads", "2", "--metrics-port", metrics_port, *extra)
    workdir = tempfile.mkdtemp(prefix="tmkv-prom-")
    prom = None
    observer = None
    try:
        try:
            harness.wait_for_port(metrics_port, srv.proc, timeout=10)
        except RuntimeError as e:
            rep.fail(f"metrics endpoint listening on {metrics_port}: {e}\n{srv.log()}")
            return finish(rep, t0)
        status, ctype, body = scrape(metrics_port)
        rep.check(status == 200, f"GET /metrics answers 200 (got {status})")
        # Prometheus reads text/plain as its text format (0.0.4); a version
        # parameter, when present, must say so.
        version = re.search(r'version=([^;\s]+)', ctype)
        rep.check(ctype.startswith("text/plain") and (version is None or version.group(1) == "0.0.4"),
                  f"GET /metrics Content-Type is the Prometheus text format (got {ctype!r})")
        try:
            types, helps, samples = parse_exposition(body)
        except ValueError as e:
            rep.fail(f"scrape parses as the text format: {e}")
            return finish(rep, t0)
        rep.check(len(samples) > 0, f"scrape has {len(samples)} samples in {len(types)} families")

        build = [l for n, l, _ in samples if n == "tmkv_build_info"]
        sanitized = bool(build) and build[0].get("sanitizer", "") not in ("", "none", "off", "no")
        print(f"build: {build[0] if build else 'no tmkv_build_info'}", flush=True)

        # promtool's lint of the scrape: every reported problem fails unless allowed.
        p = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True, text=True, timeout=60)
        problems = [ln for ln in (p.stdout + p.stderr).splitlines() if ln.strip()]
        allowed = [ln for ln in problems if any(re.search(a, ln) for a in PROMLINT_ALLOWED)]
        errors = [ln for ln in problems if ln not in allowed]
        rep.check(not errors and p.returncode in (0, 3) and (p.returncode == 0 or problems),
                  f"promtool check metrics on the scrape (exit {p.returncode}, {len(errors)} problems"
                  + (f", {len(allowed)} allowed" if allowed else "") + ")"
                  + "".join(f"\n    {ln}" for ln in errors))
        rep.check(all(helps.get(f) for f in types), "every family has HELP text")

        check_contract(rep, ref, types, samples, sanitized)

        # ---- Prometheus and the traffic
        prom = Prom(metrics_port, workdir)
        rep.ok(f"prometheus ready on 127.0.0.1:{prom.port}")
        observer = redis.Redis(host="127.0.0.1", port=srv.port, socket_timeout=10, single_connection_client=True)
        observer.ping()
        counts = drive_traffic(srv.port, args.seconds, seed)
        print(f"traffic: {dict(sorted(counts.c.items()))}", flush=True)

        # The counts settle once every client has its reply; give per-thread
        # counters a moment in case they are published periodically.
        def settled():
            st, _, b = scrape(metrics_port)
            if st != 200:
                return None
            smp = parse_exposition(b)[2]
            want = counts.get("exec_committed") + counts.get("watch_failed") + counts.get("execabort")
            return smp if sample_sum(smp, "tmkv_exec_total") == want else None
        final = wait_until(settled, 3.0)
        if final is None:
            final = parse_exposition(scrape(metrics_port)[2])[2]
        check_traffic(rep, counts, final, sanitized, maxmemory, args.tm_mode)

        # ---- Prometheus has scraped the final counts and evaluated the rules
        inst = f"127.0.0.1:{metrics_port}"
        up = wait_until(lambda: (prom.query('up{job="tmkv"} == 1')[0] or None), 15)
        rep.check(bool(up) and up[0][0].get("instance") == inst, f"prometheus scrapes tmkv: up{{job=\"tmkv\"}} == 1 ({up})")
        want_exec = sample_sum(final, "tmkv_exec_total")
        seen = wait_until(lambda: (prom.query(f'sum(tmkv_exec_total{{job="tmkv"}}) == {want_exec:g}')[0] or None), 10)
        rep.check(bool(seen), f"prometheus has the final scrape (sum(tmkv_exec_total) == {want_exec:g})")
        recorded = wait_until(lambda: all(prom.query(n)[0] for k, n, _ in rules if k == "record"), 10)
        rep.check(recorded, "every recording rule has produced a result")
        time.sleep(1.2)  # one more evaluation, on the final data
        check_rule_health(rep, prom)

        # ---- every expression returns data
        empty = []
        for kind, name, expr in rules:
            if kind == "record":
                res, err = prom.query(expr)
                if not report_query(rep, f"rule {name}", expr, res, err, empty):
                    continue
                if "ratio" in name:
                    nan = [l for l, v in res if math.isnan(v)]
                    rep.check(not nan, f"rule {name}: no NaN ({nan})")
                if "fallback_ratio" in name and args.tm_mode == "stm":
                    rep.check(all(v == 0 for _, v in res), f"rule {name}: 0 without hardware traffic ({res})")
                res, err = prom.query(name)
                report_query(rep, f"recorded series {name}", name, res, err, empty)
            else:
                res, err = prom.query(expr)
                rep.check(err is None, f"alert {name}: the expression evaluates"
                          + (f" (error: {err})" if err else f" ({len(res)} series now)"))
                ops = operands(expr)
                rep.check(len(ops) >= 1 and all(o != expr.strip() for o in ops),
                          f"alert {name}: split into operands {ops}")
                for o in ops:
                    res, err = prom.query(o)
                    report_query(rep, f"alert {name} operand", o, res, err, empty, sanitized)
        for where, expr in dashboard_expressions(dash):
            q = substitute(expr, inst)
            if not rep.check("$" not in q, f"{where}: no unknown template variable in {q!r}"):
                continue
            res, err = prom.query(q)
            report_query(rep, where, q, res, err, empty, sanitized)
        for v in dash.get("templating", {}).get("list", []):
            if v.get("type") == "query":
                qtext = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
                m = re.match(r'^label_values\((.+),\s*(\w+)\)$', qtext.strip())
                if not rep.check(bool(m), f"variable {v['name']}: label_values(metric, label) ({qtext!r})"):
                    continue
                res, err = prom.query(m.group(1))
                vals = sorted({l.get(m.group(2)) for l, _ in (res or []) if m.group(2) in l})
                rep.check(err is None and inst in vals, f"variable {v['name']}: {qtext} lists {inst} (got {vals})")
        if empty:
            print("\nexpressions that returned nothing or failed:", flush=True)
            for where, expr, why in empty:
                print(f"  - {where}: {why}\n      {expr}", flush=True)
        check_alert_rendering(rep, prom)
    finally:
        if observer is not None:
            observer.close()
        if prom is not None:
            prom.stop()
        rc = srv.stop()
        rep.check(rc == 0, f"tmkv-server exited with status 0 on SIGTERM (got {rc})")
        if rep.failures and prom is not None:
            print("---- prometheus log ----\n" + prom.log()[-3000:])
        if rep.failures:
            print("---- tmkv-server log ----\n" + srv.log()[-3000:])
        shutil.rmtree(workdir, ignore_errors=True)
    return finish(rep, t0)


def report_query(rep, where, expr, res, err, empty, sanitized=False):
    if sanitized and not res and any(g in expr for g in JEMALLOC_GAUGES):
        # Documented: sanitizer builds have no jemalloc gauges. Such an
        # expression must still parse; that it has data is checked in the
        # normal build.
        rep.check(err is None, f"{where}: evaluates (no data expected: sanitizer build has no jemalloc gauges)"
                  + (f", error {err}" if err else ""))
        return False
    if err is not None:
        empty.append((where, expr, f"error: {err}"))
        rep.fail(f"{where}: {expr!r} -> error {err}")
        return False
    if not res:
        empty.append((where, expr, "empty result"))
        rep.fail(f"{where}: {expr!r} -> empty result")
        return False
    rep.ok(f"{where}: {len(res)} series")
    return True


def check_dashboard_shape(rep, dash):
    rep.check(isinstance(dash.get("schemaVersion"), int) and dash["schemaVersion"] >= 36,
              f"dashboard schemaVersion {dash.get('schemaVersion')}")
    variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    ds = variables.get("datasource", {})
    rep.check(ds.get("type") == "datasource" and ds.get("query") == "prometheus",
              "dashboard variable 'datasource' of type datasource/prometheus")
    inst = variables.get("instance", {})
    q = inst.get("query")
    q = q.get("query") if isinstance(q, dict) else q
    rep.check(inst.get("type") == "query" and q == "label_values(tmkv_build_info, instance)",
              "dashboard variable 'instance' from label_values(tmkv_build_info, instance)")
    panels = list(dashboard_panels(dash.get("panels", [])))
    ids = [p.get("id") for p in panels]
    rep.check(len(ids) == len(set(ids)) and None not in ids, "dashboard panel ids are unique")
    bad = [p.get("title") for p in panels if p.get("type") != "row"
           and (p.get("datasource", {}).get("uid") != "${datasource}"
                or any(t.get("datasource", {}).get("uid") != "${datasource}" for t in p.get("targets", [])))]
    rep.check(not bad, f"every panel and target uses the ${{datasource}} variable (not: {bad})")
    nogrid = [p.get("title") for p in panels if not all(k in p.get("gridPos", {}) for k in ("x", "y", "w", "h"))]
    rep.check(not nogrid, f"every panel has a gridPos (not: {nogrid})")
    exprs = dashboard_expressions(dash)
    noinst = [w for w, e in exprs if "$instance" not in e]
    rep.check(not noinst, f"every dashboard query filters on $instance (not: {noinst})")
    rep.check(len(exprs) >= 30, f"{len(exprs)} dashboard expressions")


def check_rule_health(rep, prom):
    data, err = prom.api("rules")
    if not rep.check(err is None, f"GET /api/v1/rules ({err})"):
        return
    for g in data["groups"]:
        for r in g["rules"]:
            rep.check(r.get("health") == "ok" and not r.get("lastError"),
                      f"rule {r.get('name')} in group {g['name']}: health {r.get('health')}"
                      + (f", error {r.get('lastError')}" if r.get("lastError") else ""))


def check_alert_rendering(rep, prom):
    """Alerts may be pending here (the hot keys abort a lot); whatever is
    active must have rendered its annotations without template errors."""
    data, err = prom.api("alerts")
    if not rep.check(err is None, f"GET /api/v1/alerts ({err})"):
        return
    for a in data.get("alerts", []):
        text = " ".join(a.get("annotations", {}).values())
        rep.check("error expanding template" not in text,
                  f"alert {a['labels'].get('alertname')} ({a.get('state')}) annotations render: "
                  f"{a.get('annotations', {}).get('summary')!r}")


def finish(rep, t0):
    print(f"\n{'FAILED' if rep.failures else 'PASSED'}: {len(rep.failures)} failed checks "
          f"({time.time() - t0:.1f} s)", flush=True)
    for f in rep.failures:
        print(f"  - {f.splitlines()[0]}")
    return 1 if rep.failures else 0


if __name__ == "__main__":
    sys.exit(main())
