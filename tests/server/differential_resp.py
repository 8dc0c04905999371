"""A tiny raw RESP2/RESP3 client for the differential test.

Replies are decoded into plain tuples so that two servers' replies can be
compared exactly, type included (python3-redis would fold types together):

  ('+', b'OK')            simple string
  ('-', b'ERR ...')       error (RESP3 blob error '!' too, tagged '!')
  (':', 42)               integer
  ('$', b'..') / ('$', None)   bulk string / RESP2 nil bulk
  ('*', [..]) / ('*', None)    array / RESP2 nil array
  ('_', None)             RESP3 null
  (',', b'1.5')           RESP3 double, kept as its exact text
  ('#', True)             RESP3 boolean
  ('(', b'123')           RESP3 big number, exact text
  ('=', b'txt:...')       RESP3 verbatim string
  ('%', [(k, v), ..])     RESP3 map (pairs in wire order)
  ('~', [..])             RESP3 set
  ('>', [..])             RESP3 push
  ('|', [(k, v), ..], r)  RESP3 attribute followed by the reply r
  ('CLOSED', b'why')      the server closed the connection (or sent garbage)
  ('TIMEOUT', None)       no reply in time
"""
import socket


def encode(args):
    """RESP multibulk for one command; args are bytes, str or int."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode("utf-8", "surrogateescape")
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n" % len(a))
        out.append(a)
        out.append(b"\r\n")
    return b"".join(out)


class ProtocolGarbage(Exception):
    pass


class RespConn:
    """One TCP connection speaking raw RESP; send and read are separate so a
    caller can send to two servers before reading either reply."""

    def __init__(self, port, host="127.0.0.1", timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.timeout = timeout
        self.buf = bytearray()
        self.pos = 0
        self.closed = False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.closed = True

    def send(self, args):
        self.send_raw(encode(args))

    def send_raw(self, data):
        if self.closed:
            return
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True

    # ---- decoding ----
    def _fill(self):
        if self.pos and self.pos > 65536:
            del self.buf[: self.pos]
            self.pos = 0
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionResetError("server closed the connection")
        self.buf += chunk

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos : i])
                self.pos = i + 2
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) - self.pos < n + 2:
            self._fill()
        data = bytes(self.buf[self.pos : self.pos + n])
        if self.buf[self.pos + n : self.pos + n + 2] != b"\r\n":
            raise ProtocolGarbage("bulk not followed by CRLF")
        self.pos += n + 2
        return data

    def _int(self, s):
        try:
            return int(s)
        except ValueError:
            raise ProtocolGarbage(f"bad integer {s!r}")

    def _reply(self):
        line = self._line()
        if not line:
            raise ProtocolGarbage("empty line")
        t, rest = chr(line[0]), line[1:]
        if t in "+-":
            return (t, rest)
        if t == ":":
            return (":", self._int(rest))
        if t == "$":
            n = self._int(rest)
            return ("$", None) if n < 0 else ("$", self._exact(n))
        if t in "*~>":
            n = self._int(rest)
            if n < 0:
                return (t, None)
            return (t, [self._reply() for _ in range(n)])
        if t == "%":
            n = self._int(rest)
            return ("%", [(self._reply(), self._reply()) for _ in range(n)])
        if t == "|":
            n = self._int(rest)
            attrs = [(self._reply(), self._reply()) for _ in range(n)]
            return ("|", attrs, self._reply())
        if t == "_":
            return ("_", None)
        if t in ",(":
            return (t, rest)
        if t == "#":
            if rest not in (b"t", b"f"):
                raise ProtocolGarbage(f"bad boolean {rest!r}")
            return ("#", rest == b"t")
        if t in "=!":
            n = self._int(rest)
            return (t, self._exact(n))
        raise ProtocolGarbage(f"unknown reply type byte {line[:20]!r}")

    def read(self):
        """One reply; ('CLOSED', why) / ('TIMEOUT', None) instead of raising."""
        if self.closed:
            return ("CLOSED", b"connection already closed")
        start = self.pos
        try:
            return self._reply()
        except socket.timeout:
            self.closed = True
            return ("TIMEOUT", None)
        except (ConnectionResetError, BrokenPipeError, OSError) as e:
            self.closed = True
            return ("CLOSED", str(e).encode())
        except ProtocolGarbage as e:
            self.closed = True
            return ("CLOSED", b"garbage: " + str(e).encode() + b" near " + bytes(self.buf[start : start + 60]))

    def read_closed(self, wait=2.0):
        """True if the server closes the connection within `wait` seconds
        (anything already buffered is discarded)."""
        if self.closed:
            return True
        self.sock.settimeout(wait)
        try:
            while True:
                if not self.sock.recv(65536):
                    self.closed = True
                    return True
        except socket.timeout:
            return False
        except OSError:
            self.closed = True
            return True
        finally:
            if not self.closed:
                self.sock.settimeout(self.timeout)


def fmt_bytes(b, limit=120):
    s = repr(bytes(b))[2:-1]
    if len(s) > limit:
        s = s[:limit] + f"...({len(b)} bytes)"
    return '"' + s + '"'


def fmt(r, limit=600):
    """Compact, unambiguous text for a decoded reply."""
    s = _fmt(r)
    return s if len(s) <= limit else s[:limit] + "..."


def _fmt(r):
    t = r[0]
    if t == "+":
        return "+" + fmt_bytes(r[1])
    if t in "-!":
        return t + fmt_bytes(r[1], 300)
    if t == ":":
        return ":" + str(r[1])
    if t == "$":
        return "$nil" if r[1] is None else "$" + fmt_bytes(r[1])
    if t in "*~>":
        if r[1] is None:
            return t + "nil"
        return t + "[" + ", ".join(_fmt(x) for x in r[1]) + "]"
    if t == "%":
        return "%{" + ", ".join(_fmt(k) + ": " + _fmt(v) for k, v in r[1]) + "}"
    if t == "|":
        return "|{" + ", ".join(_fmt(k) + ": " + _fmt(v) for k, v in r[1]) + "} " + _fmt(r[2])
    if t == "_":
        return "_null"
    if t in ",(=":
        return t + fmt_bytes(r[1])
    if t == "#":
        return "#t" if r[1] else "#f"
    if t == "CLOSED":
        return "<connection closed: " + r[1].decode("utf-8", "replace") + ">"
    if t == "TIMEOUT":
        return "<no reply (timeout)>"
    return repr(r)


def fmt_args(args, limit=300):
    parts = []
    for a in args:
        if isinstance(a, int):
            a = str(a).encode()
        elif isinstance(a, str):
            a = a.encode("utf-8", "surrogateescape")
        if all(32 < c < 127 and c not in b'"\\' for c in a) and a:
            parts.append(a.decode())
        else:
            parts.append(fmt_bytes(a, 80))
    s = " ".join(parts)
    return s if len(s) <= limit else s[:limit] + "..."
