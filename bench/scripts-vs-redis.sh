#!/usr/bin/env bash
# Lua scripts: tmkv-server against redis-server 7 (Debian), side by side, in
# one run. redis-benchmark sends EVAL of a small script (50 clients, random
# keys over KEYSPACE): a read-only one (two GETs), and a transfer (read a
# balance, DECRBY one key and INCRBY another, as a bank would), at -P 1 and
# -P 16. Each server starts fresh per round; rounds alternate which goes
# first. The table shows medians over rounds and the median of the
# per-round ratios.
#
# Usage: bench/scripts-vs-redis.sh            (from the repository root)
# Environment: TMKV_SERVER (default build/bin/tmkv-server, Release),
#   ROUNDS=3 CLIENTS=50 KEYSPACE=100000 REQUESTS=200000 IO_THREADS=$(nproc)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
REQUESTS=${REQUESTS:-200000}
IO_THREADS=${IO_THREADS:-$(nproc)}
TMKV_SERVER=${TMKV_SERVER:-build/bin/tmkv-server}
REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}
REDIS_CLI=$(command -v redis-cli || echo /usr/bin/redis-cli)
REDIS_BENCHMARK=$(command -v redis-benchmark || echo /usr/bin/redis-benchmark)

die() { echo "scripts-vs-redis: $*" >&2; exit 1; }
[[ -x $REDIS_SERVER ]] || die "redis-server not found (apt-get install redis-server)"
[[ -x $REDIS_CLI && -x $REDIS_BENCHMARK ]] || die "redis-cli / redis-benchmark not found (apt-get install redis-tools)"
[[ -x $TMKV_SERVER ]] || die "no tmkv-server at '$TMKV_SERVER' (scripts/run builds one)"

tmp=$(mktemp -d /tmp/scripts-vs-redis.XXXXXX)
trap 'servers_stop_all; rm -rf "$tmp"' EXIT

redis_cmd() { echo "$REDIS_SERVER --port $1 --bind 127.0.0.1 --save '' --appendonly no --dir $tmp --daemonize no"; }
tmkv_cmd() { echo "$TMKV_SERVER --port $1 --bind 127.0.0.1 --io-threads $IO_THREADS --metrics-port 0"; }

READ_SCRIPT="return {redis.call('get', KEYS[1]), redis.call('get', KEYS[2])}"
TRANSFER_SCRIPT="local b = tonumber(redis.call('get', KEYS[1]) or '0') if b < 1 then return 0 end redis.call('decrby', KEYS[1], 1) return redis.call('incrby', KEYS[2], 1)"

bench() {  # name test pipeline -> rps
  local name=$1 test=$2 p=$3 script out rps
  if [[ $test == read ]]; then script=$READ_SCRIPT; else script=$TRANSFER_SCRIPT; fi
  out=$("$REDIS_BENCHMARK" -h 127.0.0.1 -p "${PORT[$name]}" -c "$CLIENTS" -r "$KEYSPACE" -n "$REQUESTS" -P "$p" --csv \
          EVAL "$script" 2 "acct:__rand_int__" "acct:__rand_int__" 2>&1) || die "redis-benchmark failed against $name: $out"
  rps=$(printf '%s\n' "$out" | tr '\r' '\n' | awk -F'","' 'NF > 2 && $1 !~ /^"test$/ { r = $2 } END { print r }')
  [[ -n $rps ]] || die "no rate in redis-benchmark's output against $name: $out"
  echo "$rps"
}

echo "# Lua scripts (EVAL): tmkv-server vs redis-server"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- machine: $(nproc) CPUs ($(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //')), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "- command: $(printf '%q ' "$0" "$@")"
echo "- settings: ROUNDS=$ROUNDS CLIENTS=$CLIENTS KEYSPACE=$KEYSPACE REQUESTS=$REQUESTS IO_THREADS=$IO_THREADS"
echo "- redis: $("$REDIS_SERVER" --version | cut -d' ' -f1-3)"
echo "- tmkv: $TMKV_SERVER (git $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo

for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then order=(redis tmkv); else order=(tmkv redis); fi
  for s in "${order[@]}"; do
    server_start "$s"
    # Every account starts with a balance of 1000.
    "$REDIS_BENCHMARK" -h 127.0.0.1 -p "${PORT[$s]}" -c 50 -r "$KEYSPACE" -n $((KEYSPACE * 3)) -P 64 -q \
      SET "acct:__rand_int__" 1000 >/dev/null 2>&1 || die "filling $s failed"
  done
  for test in read transfer; do
    for p in 1 16; do
      for s in "${order[@]}"; do
        r=$(bench "$s" "$test" "$p")
        echo "$r" >> "$tmp/$s.$test.P$p"
        printf '  round %d %-8s -P %-2s %-5s %s rps\n' "$round" "$test" "$p" "$s" "$r" >&2
      done
    done
  done
  for s in "${order[@]}"; do server_stop "$s"; done
done

echo "| script | redis rps | tmkv rps | tmkv/redis (min..max) |"
echo "|---|---|---|---|"
for test in read transfer; do
  for p in 1 16; do
    ratios=$(paste -d' ' "$tmp/tmkv.$test.P$p" "$tmp/redis.$test.P$p" | awk '{ printf "%.4f\n", $1 / $2 }')
    lo=$(printf '%s\n' "$ratios" | sort -g | head -1)
    hi=$(printf '%s\n' "$ratios" | sort -g | tail -1)
    printf '| %s -P %s | %.0f | %.0f | %.2f (%.2f..%.2f) |\n' "$test" "$p" "$(median < "$tmp/redis.$test.P$p")" \
      "$(median < "$tmp/tmkv.$test.P$p")" "$(printf '%s\n' "$ratios" | median)" "$lo" "$hi"
  done
done
