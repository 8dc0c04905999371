#!/usr/bin/env bash
# RDB snapshots, tmkv-server against redis-server 7 (Debian), in one run.
#
# Both servers get the same KEYS distinct keys `key:%08d` with VALUE_SIZE-byte
# values (piped in with `redis-cli --pipe`), then, for each server in turn:
#   - BGSAVE, timed from the command until INFO says it is done (polled
#     every 10 ms), and INFO's latest_fork_usec: Redis's fork pause, tmkv's
#     capture pause (server/snapshot.h: writers wait while it walks the keys);
#   - SAVE, timed by the client;
#   - `redis-cli --rdb FILE`, the snapshot over the wire (SYNC with
#     REPLCONF rdb-only), timed by the client; redis-server runs with
#     repl-diskless-sync-delay 0, else it would wait 5 s before each;
#   - the file's size;
#   - the start-up load of that file: a fresh server on it, timed until it
#     answers PING, and DBSIZE checked against KEYS.
# Then each server loads the OTHER's file (checked by DBSIZE), which is the
# interoperability the format promises.
#
# Usage: bench/snapshot-vs-redis.sh       (from the repository root)
# Environment:
#   TMKV_SERVER   tmkv-server binary (default build/bin/tmkv-server; use a Release build)
#   REDIS_SERVER  redis-server binary (default: redis-server on PATH)
#   KEYS=1000000 VALUE_SIZE=32 ROUNDS=3 (the timings are medians of ROUNDS)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEYS=${KEYS:-1000000}
VALUE_SIZE=${VALUE_SIZE:-32}
ROUNDS=${ROUNDS:-3}
TMKV_SERVER=${TMKV_SERVER:-build/bin/tmkv-server}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
REDIS_CLI=${REDIS_CLI:-redis-cli}
die() { echo "snapshot-vs-redis: $*" >&2; exit 1; }
[[ -x $TMKV_SERVER ]] || die "no tmkv-server at $TMKV_SERVER"
command -v "$REDIS_SERVER" >/dev/null || die "no redis-server"

tmp=$(mktemp -d /tmp/tmkv-snapshot-bench.XXXXXX)
trap 'servers_stop_all; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/redis" "$tmp/tmkv"
DIR_redis=$tmp/redis
DIR_tmkv=$tmp/tmkv
redis_cmd() { echo "$REDIS_SERVER --port $1 --bind 127.0.0.1 --save '' --appendonly no --repl-diskless-sync-delay 0 --dir $DIR_redis"; }
tmkv_cmd() { echo "$TMKV_SERVER --port $1 --metrics-port 0 --dir $DIR_tmkv"; }

cli() { "$REDIS_CLI" -h 127.0.0.1 -p "${PORT[$1]}" "${@:2}"; }
info_field() { cli "$1" INFO "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f { print $2 }'; }
now_ms() { date +%s%3N; }

awk -v n="$KEYS" -v vs="$VALUE_SIZE" 'BEGIN {
    v = ""; while (length(v) < vs) v = v "0123456789abcdefghijklmnopqrstuvwxyz"; v = substr(v, 1, vs)
    for (i = 0; i < n; i++) { k = sprintf("key:%08d", i)
      printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, vs, v } }' > "$tmp/load.resp"

declare -A R
for s in redis tmkv; do
  server_start "$s"
  "$REDIS_CLI" -h 127.0.0.1 -p "${PORT[$s]}" --pipe < "$tmp/load.resp" > /dev/null
  [[ $(cli "$s" DBSIZE) == "$KEYS" ]] || die "$s did not load $KEYS keys"
  bg="" pause="" sv="" tr=""
  for _ in $(seq 1 "$ROUNDS"); do
    saves=$(info_field "$s" persistence rdb_saves)
    t0=$(now_ms)
    cli "$s" BGSAVE > /dev/null
    while [[ $(info_field "$s" persistence rdb_bgsave_in_progress) != 0 ||
             $(info_field "$s" persistence rdb_saves) == "$saves" ]]; do sleep 0.01; done
    bg+=" $(( $(now_ms) - t0 ))"
    pause+=" $(info_field "$s" stats latest_fork_usec)"
    [[ $(info_field "$s" persistence rdb_last_bgsave_status) == ok ]] || die "$s: BGSAVE failed"
    t0=$(now_ms)
    [[ $(cli "$s" SAVE) == OK ]] || die "$s: SAVE failed"
    sv+=" $(( $(now_ms) - t0 ))"
    t0=$(now_ms)
    cli "$s" --rdb "$tmp/$s.sync.rdb" > /dev/null 2>&1 || die "$s: redis-cli --rdb failed"
    tr+=" $(( $(now_ms) - t0 ))"
  done
  R[$s.bgsave]=$(echo "$bg" | median)
  R[$s.pause]=$(echo "$pause" | median)
  R[$s.save]=$(echo "$sv" | median)
  R[$s.transfer]=$(echo "$tr" | median)
  R[$s.transfer_size]=$(stat -c %s "$tmp/$s.sync.rdb")
  R[$s.size]=$(stat -c %s "$tmp/$s/dump.rdb")
  server_stop "$s"
  ld=""
  for _ in $(seq 1 "$ROUNDS"); do
    t0=$(now_ms)
    server_start "$s"
    ld+=" $(( $(now_ms) - t0 ))"
    [[ $(cli "$s" DBSIZE) == "$KEYS" ]] || die "$s did not load its own file whole"
    cli "$s" SHUTDOWN NOSAVE > /dev/null 2>&1 || true
    server_stop "$s"
  done
  R[$s.load]=$(echo "$ld" | median)
done
# Each server on the other's file.
mv "$tmp/redis/dump.rdb" "$tmp/redis.rdb"
mv "$tmp/tmkv/dump.rdb" "$tmp/redis/dump.rdb"
mv "$tmp/redis.rdb" "$tmp/tmkv/dump.rdb"
for s in redis tmkv; do
  server_start "$s"
  [[ $(cli "$s" DBSIZE) == "$KEYS" ]] || die "$s did not load the other server's file whole"
  cli "$s" SHUTDOWN NOSAVE > /dev/null 2>&1 || true
  server_stop "$s"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == 0) print "n/a"; else printf "%.2f", b / a }'; }
echo "## Snapshots: $KEYS keys \`key:%08d\`, $VALUE_SIZE-byte values (median of $ROUNDS)"
echo
echo "| measure | redis | tmkv | tmkv/redis |"
echo "|---|---|---|---|"
echo "| BGSAVE, command to done (ms) | ${R[redis.bgsave]} | ${R[tmkv.bgsave]} | $(ratio "${R[redis.bgsave]}" "${R[tmkv.bgsave]}") |"
echo "| writers paused: latest_fork_usec (µs) | ${R[redis.pause]} | ${R[tmkv.pause]} | $(ratio "${R[redis.pause]}" "${R[tmkv.pause]}") |"
echo "| SAVE (ms) | ${R[redis.save]} | ${R[tmkv.save]} | $(ratio "${R[redis.save]}" "${R[tmkv.save]}") |"
echo "| redis-cli --rdb (ms) | ${R[redis.transfer]} | ${R[tmkv.transfer]} | $(ratio "${R[redis.transfer]}" "${R[tmkv.transfer]}") |"
echo "| redis-cli --rdb's file (bytes) | ${R[redis.transfer_size]} | ${R[tmkv.transfer_size]} | $(ratio "${R[redis.transfer_size]}" "${R[tmkv.transfer_size]}") |"
echo "| file size (bytes) | ${R[redis.size]} | ${R[tmkv.size]} | $(ratio "${R[redis.size]}" "${R[tmkv.size]}") |"
echo "| start with the file, to PING (ms) | ${R[redis.load]} | ${R[tmkv.load]} | $(ratio "${R[redis.load]}" "${R[tmkv.load]}") |"
echo
echo "Each server also loaded the other's file whole (DBSIZE $KEYS)."
