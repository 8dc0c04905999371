#!/usr/bin/env bash
# Pub/sub fan-out, tmkv-server against redis-server 7 (Debian), side by
# side in one run: SUBSCRIBERS redis-cli processes subscribe to one channel
# (reading every message, output discarded), then redis-benchmark sends
# PUBLISH from CLIENTS connections at -P 1 and -P 16. Each round runs every
# case on both servers back to back (alternating which goes first); the
# table shows the median publishes per second and the median per-round
# ratio. Every message is delivered to every subscriber: a PUBLISH is
# SUBSCRIBERS message writes, each on the subscriber connection's own
# thread in tmkv.
#
# Usage: bench/pubsub-vs-redis.sh     (from the repository root)
# Environment: TMKV_SERVER (default build/bin/tmkv-server), REDIS_SERVER,
#   ROUNDS=3 CLIENTS=50 SUBSCRIBERS=4 REQUESTS=200000 PAYLOAD=32
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-50}
SUBSCRIBERS=${SUBSCRIBERS:-4}
REQUESTS=${REQUESTS:-200000}
PAYLOAD=${PAYLOAD:-32}
TMKV_SERVER=${TMKV_SERVER:-build/bin/tmkv-server}
REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}
REDIS_CLI=$(command -v redis-cli || echo /usr/bin/redis-cli)
REDIS_BENCHMARK=$(command -v redis-benchmark || echo /usr/bin/redis-benchmark)

die() { echo "pubsub-vs-redis: $*" >&2; exit 1; }
[[ -x $TMKV_SERVER ]] || die "no tmkv-server at '$TMKV_SERVER' (scripts/run builds one)"
[[ -x $REDIS_SERVER && -x $REDIS_CLI && -x $REDIS_BENCHMARK ]] || die "needs redis-server and redis-tools"

tmp=$(mktemp -d /tmp/pubsub-vs-redis.XXXXXX)
SUB_PIDS=()
cleanup() {
  for p in "${SUB_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  servers_stop_all
  rm -rf "$tmp"
}
trap cleanup EXIT

redis_cmd() { echo "$REDIS_SERVER --port $1 --bind 127.0.0.1 --save '' --appendonly no --dir $tmp"; }
tmkv_cmd() { echo "$TMKV_SERVER --port $1 --metrics-port 0"; }

payload=$(head -c "$PAYLOAD" /dev/zero | tr '\0' x)

# One case on one server: publishes per second.
publish_rps() {  # server pipeline
  local port=${PORT[$1]} i n
  SUB_PIDS=()
  for ((i = 0; i < SUBSCRIBERS; i++)); do
    "$REDIS_CLI" -p "$port" SUBSCRIBE bench:ch >/dev/null &
    SUB_PIDS+=($!)
  done
  for _ in $(seq 1 100); do
    n=$("$REDIS_CLI" -p "$port" PUBSUB NUMSUB bench:ch | tail -1)
    [[ $n == "$SUBSCRIBERS" ]] && break
    sleep 0.05
  done
  [[ $n == "$SUBSCRIBERS" ]] || die "$1: $n subscribers instead of $SUBSCRIBERS"
  "$REDIS_BENCHMARK" -p "$port" -c "$CLIENTS" -n "$REQUESTS" -P "$2" -q PUBLISH bench:ch "$payload" 2>/dev/null |
    tr '\r' '\n' | awk '/requests per second/ { for (i = 2; i <= NF; i++) if ($i == "requests") v = $(i - 1) } END { print v }'
  for p in "${SUB_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait "${SUB_PIDS[@]}" 2>/dev/null || true
  SUB_PIDS=()
}

server_start redis
server_start tmkv
declare -A RPS RATIO
for ((r = 1; r <= ROUNDS; r++)); do
  for P in 1 16; do
    if ((r % 2)); then order="redis tmkv"; else order="tmkv redis"; fi
    for s in $order; do
      RPS[$s.$P]+="$(publish_rps "$s" "$P") "
    done
    t=$(echo "${RPS[tmkv.$P]}" | awk '{ print $NF }')
    d=$(echo "${RPS[redis.$P]}" | awk '{ print $NF }')
    RATIO[$P]+="$(awk -v t="$t" -v d="$d" 'BEGIN { printf "%.2f", t / d }') "
    echo "round $r -P $P: tmkv $t, redis $d" >&2
  done
done

echo "PUBLISH to $SUBSCRIBERS subscribers, $CLIENTS clients, $PAYLOAD-byte messages, $ROUNDS rounds (median)"
echo "| case | redis-server | tmkv-server | tmkv/redis (per-round ratios) |"
echo "|---|---|---|---|"
for P in 1 16; do
  echo "| PUBLISH -P $P | $(echo "${RPS[redis.$P]}" | median) | $(echo "${RPS[tmkv.$P]}" | median) | $(echo "${RATIO[$P]}" | median) (${RATIO[$P]% }) |"
done
