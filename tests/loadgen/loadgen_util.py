"""Running the real tmkv-loadgen binary from the integration tests.

TMKV_LOADGEN points at the binary (set by ctest, tests/loadgen/CMakeLists.txt);
the servers come from tests/server/harness.py.
"""
import json
import os
import subprocess
import tempfile


def loadgen_path():
    path = os.environ.get("TMKV_LOADGEN")
    if not path or not os.path.exists(path):
        raise RuntimeError("TMKV_LOADGEN must point at the tmkv-loadgen binary")
    return path


class Result:
    def __init__(self, proc, report):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        self.report = report  # the --json report, or None

    def __str__(self):
        return f"exit {self.rc}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def run(port, *args, json_report=True, timeout=120):
    """Runs tmkv-loadgen against 127.0.0.1:port; returns a Result."""
    argv = [loadgen_path(), "--host", "127.0.0.1", "--port", str(port), *map(str, args)]
    path = None
    if json_report:
        fd, path = tempfile.mkstemp(suffix=".json", prefix="loadgen-")
        os.close(fd)
        argv += ["--json", path]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    report = None
    if path:
        try:
            with open(path) as f:
                text = f.read()
            report = json.loads(text) if text else None
        finally:
            os.unlink(path)
    return Result(proc, report)


def check(cond, what, result=None):
    if not cond:
        raise AssertionError(what + ("\n" + str(result) if result is not None else ""))
