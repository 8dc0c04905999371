#!/usr/bin/env bash
# Memory per client connection: tmkv-server against redis-server 7 (Debian),
# side by side, in one run. Memory, not speed: the figures are INFO
# used_memory (both count the bytes the program holds), so they repeat
# closely between runs.
#
# Per server: used_memory before, with CLIENTS connections that have each
# sent one PING ("active", half a second later), and once they have been
# idle for IDLE_S seconds ("idle": Redis trims an idle client's buffers in
# its clientsCron, tmkv parks the connection and frees both of its
# buffers). Then one client pipelines PIPELINE GETs of a VALUE_SIZE-byte
# value and the same is measured right after and IDLE_S seconds later
# (what a big batch leaves behind). The table shows bytes per client and
# tmkv/redis (lower is better for tmkv).
#
# Usage: bench/client-memory-vs-redis.sh            (from the repository root)
# Environment: TMKV_SERVER (default build/bin/tmkv-server, Release),
#   CLIENTS=2000 IDLE_S=3 PIPELINE=2000 VALUE_SIZE=1000 IO_THREADS=$(nproc)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLIENTS=${CLIENTS:-2000}
IDLE_S=${IDLE_S:-3}
PIPELINE=${PIPELINE:-2000}
VALUE_SIZE=${VALUE_SIZE:-1000}
IO_THREADS=${IO_THREADS:-$(nproc)}
TMKV_SERVER=${TMKV_SERVER:-build/bin/tmkv-server}
REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}
REDIS_CLI=$(command -v redis-cli || echo /usr/bin/redis-cli)

die() { echo "client-memory-vs-redis: $*" >&2; exit 1; }
[[ -x $REDIS_SERVER ]] || die "redis-server not found (apt-get install redis-server)"
[[ -x $REDIS_CLI ]] || die "redis-cli not found (apt-get install redis-tools)"
[[ -x $TMKV_SERVER ]] || die "no tmkv-server at '$TMKV_SERVER' (scripts/run builds one)"
(( CLIENTS + 64 < $(ulimit -n) )) || ulimit -n $((CLIENTS + 256)) 2>/dev/null ||
  die "CLIENTS=$CLIENTS needs more open files than ulimit -n allows"

tmp=$(mktemp -d /tmp/client-memory-vs-redis.XXXXXX)
trap 'servers_stop_all; rm -rf "$tmp"' EXIT

redis_cmd() {
  echo "$REDIS_SERVER --port $1 --bind 127.0.0.1 --save '' --appendonly no --dir $tmp --daemonize no --maxclients $((CLIENTS + 100))"
}
tmkv_cmd() {
  echo "$TMKV_SERVER --port $1 --bind 127.0.0.1 --io-threads $IO_THREADS --metrics-port 0 --maxclients $((CLIENTS + 100))"
}

measure() {  # port -> "active idle batch batch_idle" (bytes per client; the batch figures in bytes)
  /usr/bin/python3 - "$1" "$CLIENTS" "$IDLE_S" "$PIPELINE" "$VALUE_SIZE" <<'PY'
import socket, sys, time
port, clients, idle_s, pipeline, value_size = (int(a) if i != 2 else float(a) for i, a in enumerate(sys.argv[1:]))

def command(sock, *args):
    sock.sendall(b"".join([b"*%d\r\n" % len(args)] + [b"$%d\r\n%s\r\n" % (len(a), a) for a in args]))

def read_reply(f):
    line = f.readline()
    if line[:1] == b"$":
        n = int(line[1:])
        return f.read(n + 2)[:-2] if n >= 0 else None
    return line.rstrip(b"\r\n")

admin = socket.create_connection(("127.0.0.1", port))
af = admin.makefile("rb")
def used():
    command(admin, b"INFO", b"memory")
    text = read_reply(af).decode()
    return int([l.split(":")[1] for l in text.split("\r\n") if l.startswith("used_memory:")][0])

command(admin, b"SET", b"v", b"x" * value_size); read_reply(af)
time.sleep(0.5)
before = used()
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(clients)]
for s in socks: s.sendall(b"PING\r\n")
for s in socks:
    got = b""
    while not got.endswith(b"\r\n"): got += s.recv(64)
time.sleep(0.5)
active = (used() - before) / clients
time.sleep(idle_s)
idle = (used() - before) / clients
piper = socket.create_connection(("127.0.0.1", port)); pf = piper.makefile("rb")
base = used()
piper.sendall(b"".join(b"*2\r\n$3\r\nGET\r\n$1\r\nv\r\n" for _ in range(pipeline)))
for _ in range(pipeline): read_reply(pf)
batch = used() - base
time.sleep(idle_s)
batch_idle = used() - base
print(f"{active:.0f} {idle:.0f} {batch} {batch_idle}")
PY
}

echo "# memory per client connection: tmkv-server vs redis-server"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- machine: $(nproc) CPUs ($(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //')), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "- command: $(printf '%q ' "$0" "$@")"
echo "- settings: CLIENTS=$CLIENTS IDLE_S=$IDLE_S PIPELINE=$PIPELINE VALUE_SIZE=$VALUE_SIZE IO_THREADS=$IO_THREADS"
echo "- redis: $("$REDIS_SERVER" --version | cut -d' ' -f1-3)"
echo "- tmkv: $TMKV_SERVER (git $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo
declare -A R
for s in redis tmkv; do
  server_start "$s"
  R[$s]=$(measure "${PORT[$s]}")
  printf '  %-5s active idle batch batch+idle: %s\n' "$s" "${R[$s]}" >&2
  server_stop "$s"
done
row() {  # label column
  local r t
  r=$(awk -v c="$2" '{ print $c }' <<<"${R[redis]}")
  t=$(awk -v c="$2" '{ print $c }' <<<"${R[tmkv]}")
  printf '| %s | %s | %s | %s |\n' "$1" "$r" "$t" "$(awk -v a="$t" -v b="$r" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
}
echo "| figure | redis | tmkv | tmkv/redis |"
echo "|---|---|---|---|"
row "bytes per client, $CLIENTS clients after one PING" 1
row "bytes per client, the same after ${IDLE_S} s idle" 2
row "bytes one client holds right after $PIPELINE pipelined GETs of $VALUE_SIZE B" 3
row "... and ${IDLE_S} s later" 4
