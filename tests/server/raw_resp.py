"""Raw RESP over a socket for the integration tests: a request encoder, a
small RESP2/RESP3 reply reader that keeps error replies as values, and the
check helpers the test scripts share. Used where a client library would hide
what the server sent (protocol errors, closed connections, exact bytes)."""
import socket
import time


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def check_eq(got, want, what):
    if got != want:
        g, w = repr(got), repr(want)
        if len(g) > 300:
            g = g[:300] + f"... ({len(g)} chars)"
        raise Failure(f"{what}: got {g}, want {w[:300]}")


def short(data, n=200):
    r = repr(data)
    return r if len(r) <= n else r[:n] + f"... ({len(data)} bytes)"


def resp_command(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def parse_info(text):
    """INFO's text as {field: str} (section headers and blank lines skipped)."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and ":" in line:
            k, v = line.split(":", 1)
            out[k] = v
    return out


def cmdstat(fields, cmd):
    """One command's INFO commandstats entry as {calls, failed_calls,
    rejected_calls} (all 0 if the command has no line)."""
    raw = fields.get(f"cmdstat_{cmd}")
    f = dict(kv.split("=") for kv in raw.split(",")) if raw is not None else {}
    return {k: int(f.get(k, 0)) for k in ("calls", "failed_calls", "rejected_calls")}


class RawConn:
    """A bare socket with a small RESP2/RESP3 reply reader."""

    def __init__(self, port, host="127.0.0.1", timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.timeout = timeout
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def cmd(self, *args):
        self.send(resp_command(*args))
        return self.read_reply()

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("connection closed by the server")
        self.buf += chunk

    def read_line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read_reply(self):
        """The reply as Python values; errors as ('ERR', text)."""
        line = self.read_line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return ("ERR", rest.decode())
        if t in (b":", b"("):
            return int(rest)
        if t in (b"$", b"=", b"!"):
            n = int(rest)
            return None if n < 0 else self.read_exact(n)
        if t in (b"*", b"~", b">"):
            n = int(rest)
            return None if n < 0 else [self.read_reply() for _ in range(n)]
        if t in (b"%", b"|"):
            n = int(rest)
            out = {}
            for _ in range(n):
                k = self.read_reply()
                out[tuple(k) if isinstance(k, list) else k] = self.read_reply()
            return out
        if t == b"_":
            return None
        if t == b"#":
            return rest == b"t"
        if t == b",":
            return float(rest)
        raise Failure(f"unparseable reply line {short(line)}")

    def read_raw(self, timeout=5.0):
        """Everything the server sends until it closes the connection or
        stays quiet for `timeout`; returns (bytes, closed)."""
        self.sock.settimeout(timeout)
        data, self.buf = self.buf, b""
        try:
            while True:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    return data, True
                data += chunk
        except socket.timeout:
            return data, False
        except ConnectionResetError:
            return data, True
        finally:
            self.sock.settimeout(self.timeout)

    def closed_now(self):
        """True if the server has closed the connection (no blocking);
        pending data is kept in the buffer."""
        self.sock.settimeout(0.0)  # non-blocking: recv raises BlockingIOError when nothing is there
        try:
            chunk = self.sock.recv(1 << 20)
        except (BlockingIOError, InterruptedError):
            return False
        except (ConnectionResetError, BrokenPipeError):
            return True
        finally:
            self.sock.settimeout(self.timeout)
        if not chunk:
            return True
        self.buf += chunk
        return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def wait_until(cond, what, timeout=10.0, interval=0.02):
    """cond()'s first true value, polled every `interval` s; Failure after `timeout` s."""
    deadline = time.time() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.time() > deadline:
            raise Failure(f"timed out after {timeout}s waiting for: {what}")
        time.sleep(interval)


def crc64_jones(data):
    """Redis's crc64 (crc-64-jones, reflected), for DUMP payload footers."""
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x95AC9329AC4BC9B5 if crc & 1 else crc >> 1
    return crc


def rss_kib(pid):
    """A process's resident set (VmRSS), in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise Failure("no VmRSS in /proc/PID/status")


def run_tests(tests, argv, after_each=None):
    """Runs (id, name, fn) tests, or only those whose ids argv names; prints
    PASS/FAIL per test and returns the exit status. after_each(), if given,
    runs after every test, passed or failed (e.g. to stop its servers)."""
    failed = 0
    picked = set(argv)
    for num, name, fn in tests:
        if picked and num not in picked:
            continue
        t0 = time.time()
        try:
            fn()
            print(f"PASS ({num}) {name} [{time.time() - t0:.1f}s]", flush=True)
        except Exception as e:  # noqa: BLE001
            failed += 1
            print(f"FAIL ({num}) {name}: {e}", flush=True)
        finally:
            if after_each is not None:
                after_each()
    print(f"{len(tests) - failed} passed, {failed} failed" if not picked else f"{failed} failed")
    return 1 if failed else 0
