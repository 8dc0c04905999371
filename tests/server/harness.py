"""Starts real servers for the integration tests: tmkv-server and redis-server.

Each test starts its own servers on free loopback ports and stops them at
exit. Paths come from the environment (set by ctest, tests/CMakeLists.txt):
  TMKV_SERVER   path to build*/bin/tmkv-server
  REDIS_SERVER  redis-server binary (default: redis-server on PATH)
Uses Debian's python3-redis (run with /usr/bin/python3).
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import redis


def free_port():
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not listen on {port} within {timeout}s")


class Server:
    """A running server process; use as a context manager or call stop()."""

    def __init__(self, argv, port, name, log_path):
        self.port = port
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, self.proc)
        except Exception:
            self.stop()
            print(self.log())
            raise

    def client(self, **kw):
        kw.setdefault("decode_responses", False)
        kw.setdefault("socket_timeout", 30)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig_timeout=10.0):
        """SIGTERM, then SIGKILL if it lingers. Returns the exit status."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=sig_timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _logdir():
    d = os.environ.get("TMKV_TEST_LOGDIR") or tempfile.mkdtemp(prefix="tmkv-test-")
    os.makedirs(d, exist_ok=True)
    return d


def tmkv_server_path():
    path = os.environ.get("TMKV_SERVER")
    if not path or not os.path.exists(path):
        raise RuntimeError("TMKV_SERVER must point at the tmkv-server binary")
    return path


def start_tmkv(*extra_args, port=None):
    """tmkv-server on a free port. extra_args: more --flag value pairs."""
    port = port or free_port()
    argv = [tmkv_server_path(), "--port", str(port), "--bind", "127.0.0.1", "--metrics-port", "0", *map(str, extra_args)]
    return Server(argv, port, "tmkv", os.path.join(_logdir(), f"tmkv-{port}.log"))


def start_redis(*extra_args, port=None):
    """redis-server (Debian) on a free port, persistence off."""
    port = port or free_port()
    exe = os.environ.get("REDIS_SERVER") or shutil.which("redis-server") or "/usr/bin/redis-server"
    workdir = tempfile.mkdtemp(prefix="redis-")
    argv = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", workdir, "--daemonize", "no", *map(str, extra_args)]
    return Server(argv, port, "redis", os.path.join(_logdir(), f"redis-{port}.log"))
