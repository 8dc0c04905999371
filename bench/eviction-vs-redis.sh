#!/usr/bin/env bash
# Writes past maxmemory: tmkv-server against redis-server 7 (Debian), side by
# side, in one run.
#
# Each round starts both servers fresh with the same maxmemory and policy
# and fills each past it (FILL pipelined SETs, not measured); then
# redis-benchmark writes on (SET of VALUE_SIZE-byte values under KEYSPACE
# random keys, so nearly every SET adds a key and pushes another out), first
# at -P 1, then at -P 16, on one server and at once on the other; rounds
# alternate which goes first. Per server and test: the throughput, the keys
# evicted since the server started (the fill's included), and used_memory /
# maxmemory at the end (INFO memory; both count the bytes the program holds:
# Redis its own counter, tmkv jemalloc's allocated bytes less its thread
# caches). The table shows medians over rounds and the median of the
# per-round ratios.
#
# Usage: bench/eviction-vs-redis.sh            (from the repository root)
# Environment:
#   TMKV_SERVER   tmkv-server binary (default build/bin/tmkv-server, Release)
#   POLICY=allkeys-lru MAXMEMORY=64mb ROUNDS=3 CLIENTS=50 KEYSPACE=10000000
#   VALUE_SIZE=100 FILL=1000000 REQ_P1=200000 REQ_P16=2000000 IO_THREADS=$(nproc)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

POLICY=${POLICY:-allkeys-lru}
MAXMEMORY=${MAXMEMORY:-64mb}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-10000000}
VALUE_SIZE=${VALUE_SIZE:-100}
FILL=${FILL:-1000000}
REQ_P1=${REQ_P1:-200000}
REQ_P16=${REQ_P16:-2000000}
IO_THREADS=${IO_THREADS:-$(nproc)}
TMKV_SERVER=${TMKV_SERVER:-build/bin/tmkv-server}
REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}
REDIS_CLI=$(command -v redis-cli || echo /usr/bin/redis-cli)
REDIS_BENCHMARK=$(command -v redis-benchmark || echo /usr/bin/redis-benchmark)

die() { echo "eviction-vs-redis: $*" >&2; exit 1; }
[[ -x $REDIS_SERVER ]] || die "redis-server not found (apt-get install redis-server)"
[[ -x $REDIS_CLI && -x $REDIS_BENCHMARK ]] || die "redis-cli / redis-benchmark not found (apt-get install redis-tools)"
[[ -x $TMKV_SERVER ]] || die "no tmkv-server at '$TMKV_SERVER' (scripts/run builds one)"

tmp=$(mktemp -d /tmp/eviction-vs-redis.XXXXXX)
trap 'servers_stop_all; rm -rf "$tmp"' EXIT

LIMITS="--maxmemory $MAXMEMORY --maxmemory-policy $POLICY"
redis_cmd() {
  echo "$REDIS_SERVER --port $1 --bind 127.0.0.1 --save '' --appendonly no --dir $tmp --daemonize no $LIMITS"
}
tmkv_cmd() {
  echo "$TMKV_SERVER --port $1 --bind 127.0.0.1 --io-threads $IO_THREADS --metrics-port 0 $LIMITS"
}

info_field() {  # name field -> value from INFO
  "$REDIS_CLI" -h 127.0.0.1 -p "${PORT[$1]}" INFO | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2 }'
}

bench() {  # name pipeline -> "rps evicted used/max" on stdout
  local name=$1 pipeline=$2 n out rps
  if [[ $pipeline == 1 ]]; then n=$REQ_P1; else n=$REQ_P16; fi
  out=$("$REDIS_BENCHMARK" -h 127.0.0.1 -p "${PORT[$name]}" -c "$CLIENTS" -r "$KEYSPACE" -d "$VALUE_SIZE" --csv \
          -n "$n" -P "$pipeline" -t set 2>&1) || die "redis-benchmark failed against $name: $out"
  rps=$(printf '%s\n' "$out" | tr '\r' '\n' | awk -F'","' 'NF > 2 && $1 !~ /^"test$/ { r = $2 } END { print r }')
  [[ -n $rps ]] || die "no rate in redis-benchmark's output against $name: $out"
  local used max
  used=$(info_field "$name" used_memory)
  max=$(info_field "$name" maxmemory)
  echo "$rps $(info_field "$name" evicted_keys) $(awk -v u="$used" -v m="$max" 'BEGIN { printf "%.3f", u / m }')"
}

echo "# writes past maxmemory: tmkv-server vs redis-server"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- machine: $(nproc) CPUs ($(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //')), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "- command: $(printf '%q ' "$0" "$@")"
echo "- settings: POLICY=$POLICY MAXMEMORY=$MAXMEMORY ROUNDS=$ROUNDS CLIENTS=$CLIENTS KEYSPACE=$KEYSPACE VALUE_SIZE=$VALUE_SIZE FILL=$FILL REQ_P1=$REQ_P1 REQ_P16=$REQ_P16"
echo "- redis: $("$REDIS_SERVER" --version | cut -d' ' -f1-3)"
echo "- tmkv: $TMKV_SERVER (git $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo

for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then order=(redis tmkv); else order=(tmkv redis); fi
  for s in "${order[@]}"; do
    server_start "$s"
    "$REDIS_BENCHMARK" -h 127.0.0.1 -p "${PORT[$s]}" -c "$CLIENTS" -r "$KEYSPACE" -d "$VALUE_SIZE" -n "$FILL" \
      -P 64 -t set -q >/dev/null 2>&1 || die "filling $s failed"
  done
  for p in 1 16; do
    for s in "${order[@]}"; do
      r=$(bench "$s" "$p")
      echo "$r" >> "$tmp/$s.P$p"
      printf '  round %d -P %-2s %-5s rps, evicted, used/maxmemory: %s\n' "$round" "$p" "$s" "$r" >&2
    done
  done
  for s in "${order[@]}"; do server_stop "$s"; done
done

echo "| test | redis rps | tmkv rps | tmkv/redis (min..max) | evicted redis / tmkv | used/maxmemory redis / tmkv |"
echo "|---|---|---|---|---|---|"
for p in 1 16; do
  ratios=$(paste -d' ' "$tmp/tmkv.P$p" "$tmp/redis.P$p" | awk '{ printf "%.4f\n", $1 / $4 }')
  lo=$(printf '%s\n' "$ratios" | sort -g | head -1)
  hi=$(printf '%s\n' "$ratios" | sort -g | tail -1)
  col() { awk -v c="$2" '{ print $c }' "$tmp/$1.P$p" | median; }
  printf '| SET -P %s | %.0f | %.0f | %.2f (%.2f..%.2f) | %s / %s | %s / %s |\n' "$p" "$(col redis 1)" "$(col tmkv 1)" \
    "$(printf '%s\n' "$ratios" | median)" "$lo" "$hi" "$(col redis 2)" "$(col tmkv 2)" "$(col redis 3)" "$(col tmkv 3)"
done
