#!/usr/bin/env bash
# Is tmkv-loadgen fast enough not to be the bottleneck? It and
# redis-benchmark drive the same redis-server with the same load, one after
# the other, for ROUNDS rounds that alternate which goes first; the table
# shows the median requests/s of each and the median of the per-round
# ratios loadgen/redis-benchmark (the issue asks for >= 0.9).
#
#   redis-benchmark -h 127.0.0.1 -p PORT -c 50 -n N -P P -r 100000 -d 3 --csv -t get|set
#   tmkv-loadgen --port PORT --threads 1 --connections 50 --pipeline P --requests N
#                --workload custom --command 'GET __key__' | 'SET __key__ __value__'
#                --key-count 100000 --value-size 3 --no-load --json FILE
# Both are single-threaded here (redis-benchmark's default; --threads 1),
# with 50 connections, random keys over 100000 names and 3-byte values.
#
# Usage: bench/loadgen-vs-redis-benchmark.sh   (from the repository root)
# Environment: TMKV_LOADGEN (default build/bin/tmkv-loadgen), REDIS_SERVER,
#   ROUNDS=3 CLIENTS=50 KEYSPACE=100000 REQ_P1=200000 REQ_P16=2000000
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
REQ_P1=${REQ_P1:-200000}
REQ_P16=${REQ_P16:-2000000}
TMKV_LOADGEN=${TMKV_LOADGEN:-build/bin/tmkv-loadgen}
REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}
REDIS_CLI=$(command -v redis-cli || echo /usr/bin/redis-cli)
REDIS_BENCHMARK=$(command -v redis-benchmark || echo /usr/bin/redis-benchmark)

die() { echo "loadgen-vs-redis-benchmark: $*" >&2; exit 1; }
[[ -x $TMKV_LOADGEN ]] || die "no tmkv-loadgen at '$TMKV_LOADGEN' (build it, or set TMKV_LOADGEN)"
[[ -x $REDIS_SERVER && -x $REDIS_BENCHMARK && -x $REDIS_CLI ]] || die "redis-server / redis-benchmark / redis-cli missing"

tmp=$(mktemp -d /tmp/loadgen-vs-rb.XXXXXX)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" --daemonize no >"$tmp/redis.log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
  "$REDIS_CLI" -p "$port" PING 2>/dev/null | grep -q PONG && break
  sleep 0.05
done
"$REDIS_CLI" -p "$port" PING | grep -q PONG || die "redis-server did not start: $(cat "$tmp/redis.log")"

rb() {  # cmd pipeline n -> rps
  "$REDIS_BENCHMARK" -h 127.0.0.1 -p "$port" -c "$CLIENTS" -n "$3" -P "$2" -r "$KEYSPACE" -d 3 --csv -t "$1" 2>&1 |
    tr '\r' '\n' | awk -F'","' 'NF > 2 && $1 !~ /^"test$/ { r = $2 } END { print r + 0 }'
}
lg() {  # cmd pipeline n -> rps
  local template
  if [[ $1 == get ]]; then template='GET __key__'; else template='SET __key__ __value__'; fi
  "$TMKV_LOADGEN" --port "$port" --threads 1 --connections "$CLIENTS" --pipeline "$2" --requests "$3" \
    --workload custom --command "$template" --key-count "$KEYSPACE" --value-size 3 --no-load \
    --json "$tmp/lg.json" >/dev/null
  /usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["operations"][sys.argv[2]]["ops_per_s"])' \
    "$tmp/lg.json" "$template"
}

echo "# tmkv-loadgen vs redis-benchmark against one redis-server"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); $(nproc) CPUs ($(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //'))"
echo "- $("$REDIS_SERVER" --version)"
echo "- ROUNDS=$ROUNDS CLIENTS=$CLIENTS KEYSPACE=$KEYSPACE REQ_P1=$REQ_P1 REQ_P16=$REQ_P16"
echo
TESTS=("get 1" "set 1" "get 16" "set 16")
declare -A RB LG
for round in $(seq 1 "$ROUNDS"); do
  for t in "${TESTS[@]}"; do
    read -r cmd p <<<"$t"
    if [[ $p == 1 ]]; then n=$REQ_P1; else n=$REQ_P16; fi
    if (( round % 2 )); then a=$(rb "$cmd" "$p" "$n"); b=$(lg "$cmd" "$p" "$n")
    else b=$(lg "$cmd" "$p" "$n"); a=$(rb "$cmd" "$p" "$n"); fi
    RB[$t]+="$a "
    LG[$t]+="$b "
    printf '  round %d %-4s -P %-2s redis-benchmark %10.0f  tmkv-loadgen %10.0f\n' "$round" "$cmd" "$p" "$a" "$b" >&2
  done
done
echo "| test | redis-benchmark rps | tmkv-loadgen rps | loadgen/redis-benchmark (min..max) |"
echo "|---|---|---|---|"
for t in "${TESTS[@]}"; do
  read -r cmd p <<<"$t"
  ratios=$(paste <(tr ' ' '\n' <<<"${LG[$t]}" | awk 'NF') <(tr ' ' '\n' <<<"${RB[$t]}" | awk 'NF') |
           awk '$2 > 0 { print $1 / $2 }' | sort -g | tr '\n' ' ')
  printf '| %s -P %s | %.0f | %.0f | %.2f (%s..%s) |\n' "${cmd^^}" "$p" "$(median <<<"${RB[$t]}")" \
    "$(median <<<"${LG[$t]}")" "$(median <<<"$ratios")" \
    "$(awk '{ printf "%.2f", $1 }' <<<"$ratios")" "$(awk '{ printf "%.2f", $NF }' <<<"$ratios")"
done
