#!/usr/bin/env bash
# Instructions the server executes per request, counted by valgrind's
# callgrind: deterministic where wall-clock rates on our 2-vCPU VMs swing by
# 2x between minutes, so a change to the command path can be compared
# against a previous build exactly. Each server binary runs twice under
# callgrind with one I/O thread: once idle (PING, SHUTDOWN) and once under
# redis-benchmark -P 16 (SET then GET, N requests each); the difference,
# divided by the requests, is the cost of a request, I/O system calls
# excluded (callgrind counts user-space instructions only).
# Usage: bench/instructions-per-request.sh BIN [BIN ...]   (N=40000 requests per test)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
N=${N:-40000}
[ $# -ge 1 ] || { echo "usage: $0 tmkv-server-binary [more binaries]" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

collected() {  # binary requests -> instructions of the whole run
  local bin=$1 n=$2 port pid
  port=$(free_port)
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$bin" --port "$port" --metrics-port 0 \
    --io-threads 1 >"$tmp/run.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.2; done
  if [ "$n" -gt 0 ]; then
    redis-benchmark -p "$port" -c 10 -n "$n" -r 1000 -P 16 -t set,get -q >/dev/null 2>&1
  fi
  redis-cli -p "$port" shutdown >/dev/null 2>&1 || true
  wait "$pid" || true
  grep -o 'Collected : [0-9]*' "$tmp/run.log" | grep -o '[0-9]*$'
}

printf '| server binary | instructions per request |\n|---|---|\n'
for bin in "$@"; do
  idle=$(collected "$bin" 0)
  busy=$(collected "$bin" "$N")
  printf '| %s | %s |\n' "$bin" "$(( (busy - idle) / (2 * N) ))"
done
