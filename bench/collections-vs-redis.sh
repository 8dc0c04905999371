#!/usr/bin/env bash
# Hashes, sets, lists, HyperLogLogs, sorted sets, geo sets and streams: tmkv-server against redis-server 7 (Debian), side by
# side, in one run. redis-benchmark (50 clients) drives these workloads at
# -P 1 and -P 16:
#   - hot-hset: redis-benchmark's own `-t hset`, every client writing random
#     fields of ONE hash (myhash, fields over KEYSPACE): the worst case for
#     tmkv (each write copies its path in the trie and conflicts with the
#     other I/O thread's writes of the same key);
#   - hset: HSET of one field in one of KEYSPACE small hashes (user:N);
#   - hget: HGET of that field (after the hset run filled them);
#   - hot-sadd: redis-benchmark's own `-t sadd`, every client adding random
#     members to ONE set (myset), the sets' worst case, as hot-hset;
#   - sadd, sismember: SADD / SISMEMBER of one member in one of KEYSPACE
#     small sets (tags:N).
#   - hot-lpush, hot-rpop: redis-benchmark's own `-t lpush` / `-t rpop`,
#     every client pushing onto / popping from ONE list (mylist): a queue;
#   - lrange-100: `-t lrange_100`, LRANGE mylist 0 99 (redis-benchmark
#     fills the list first);
#   - hot-pfadd: PFADD of a random element to ONE HyperLogLog (dense: each
#     write copies its 12 KB in tmkv, where Redis changes a register in place);
#   - pfadd: PFADD of one element to one of KEYSPACE small HyperLogLogs;
#   - pfcount: PFCOUNT of the hot HyperLogLog (cached after the first).
#   - hot-zadd: redis-benchmark's own `-t zadd`, every client adding random
#     members (element:N, random scores) to ONE sorted set (myzset), the
#     sorted sets' worst case, as hot-hset;
#   - zrank, zrange-100: ZRANK of a random member and ZRANGE 0 99
#     WITHSCORES of that set, after hot-zadd filled it;
#   - hot-zpopmin: `-t zpopmin`, every client popping from myzset;
#   - zadd: ZADD of one member to one of KEYSPACE small sorted sets (rank:N).
#   - hot-geoadd: GEOADD of a random member to ONE geo set (mygeo; the
#     points all fall within centimetres: redis-benchmark's zero-padded
#     random numbers make 13.0000000N), a geo set's write cost;
#   - geosearch: GEOSEARCH of the 10 nearest within 2 km of the centre of
#     places, 100,000 points on a 1000 x 100 grid over 1 x 1 degree (about
#     130 in the circle), loaded by one script before the test.
#   - hot-xadd: XADD of one field with a "*" ID to ONE stream (mystream),
#     every client appending to the same tail;
#   - xrange-10: XRANGE mystream - + COUNT 10 (its first ten entries);
#   - xreadgroup: XREADGROUP GROUP g c COUNT 1 STREAMS mystream >, one
#     group (made before the test) reading the stream entry by entry, each
#     delivery recorded in its pending-entries list;
#   - xadd: XADD to one of KEYSPACE small streams (events:N).
# Each server starts fresh per round; rounds alternate which goes first. The
# table shows medians over rounds and the median of the per-round ratios.
#
# Usage: bench/collections-vs-redis.sh            (from the repository root)
# Environment: TMKV_SERVER (default build/bin/tmkv-server, Release),
#   ROUNDS=3 CLIENTS=50 KEYSPACE=100000 REQUESTS=200000 IO_THREADS=$(nproc)
#   TESTS="hot-hset hset ..." (a subset, in that order; default all)
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

die() { echo "collections-vs-redis: $*" >&2; exit 1; }
[[ -x $REDIS_SERVER ]] || die "redis-server not found (apt-get install redis-server)"
[[ -x $REDIS_CLI && -x $REDIS_BENCHMARK ]] || die "redis-cli / redis-benchmark not found (apt-get install redis-tools)"
[[ -x $TMKV_SERVER ]] || die "no tmkv-server at '$TMKV_SERVER' (scripts/run builds one)"

tmp=$(mktemp -d /tmp/collections-vs-redis.XXXXXX)
trap 'servers_stop_all; rm -rf "$tmp"' EXIT

redis_cmd() { echo "$REDIS_SERVER --port $1 --bind 127.0.0.1 --save '' --appendonly no --dir $tmp --daemonize no"; }
tmkv_cmd() { echo "$TMKV_SERVER --port $1 --bind 127.0.0.1 --io-threads $IO_THREADS --metrics-port 0"; }

read -r -a TESTS <<< "${TESTS:-hot-hset hset hget hot-sadd sadd sismember hot-lpush hot-rpop lrange-100 hot-pfadd pfadd pfcount hot-zadd zrank zrange-100 hot-zpopmin zadd hot-geoadd geosearch hot-xadd xrange-10 xreadgroup xadd}"

# geosearch's data: 100 GEOADDs of 1000 points each.
PLACES_SCRIPT="for row = 0, 99 do local a = {} for col = 0, 999 do
  a[#a + 1] = 10 + col / 1000; a[#a + 1] = 40 + row / 100; a[#a + 1] = row * 1000 + col end
  redis.call('GEOADD', 'places', unpack(a)) end return redis.call('ZCARD', 'places')"

bench() {  # name test pipeline -> rps
  local name=$1 test=$2 p=$3 out rps
  local args=(-h 127.0.0.1 -p "${PORT[$name]}" -c "$CLIENTS" -r "$KEYSPACE" -n "$REQUESTS" -P "$p" --csv)
  case $test in
    hot-hset) out=$("$REDIS_BENCHMARK" "${args[@]}" -t hset 2>&1) ;;
    hset) out=$("$REDIS_BENCHMARK" "${args[@]}" HSET "user:__rand_int__" name "__rand_int__" 2>&1) ;;
    hget) out=$("$REDIS_BENCHMARK" "${args[@]}" HGET "user:__rand_int__" name 2>&1) ;;
    hot-sadd) out=$("$REDIS_BENCHMARK" "${args[@]}" -t sadd 2>&1) ;;
    sadd) out=$("$REDIS_BENCHMARK" "${args[@]}" SADD "tags:__rand_int__" "__rand_int__" 2>&1) ;;
    sismember) out=$("$REDIS_BENCHMARK" "${args[@]}" SISMEMBER "tags:__rand_int__" "__rand_int__" 2>&1) ;;
    hot-lpush) out=$("$REDIS_BENCHMARK" "${args[@]}" -t lpush 2>&1) ;;
    hot-rpop) out=$("$REDIS_BENCHMARK" "${args[@]}" -t rpop 2>&1) ;;
    lrange-100) out=$("$REDIS_BENCHMARK" "${args[@]}" -t lrange_100 2>&1) ;;
    hot-pfadd) out=$("$REDIS_BENCHMARK" "${args[@]}" PFADD hll "__rand_int__" 2>&1) ;;
    pfadd) out=$("$REDIS_BENCHMARK" "${args[@]}" PFADD "hll:__rand_int__" "__rand_int__" 2>&1) ;;
    pfcount) out=$("$REDIS_BENCHMARK" "${args[@]}" PFCOUNT hll 2>&1) ;;
    hot-zadd) out=$("$REDIS_BENCHMARK" "${args[@]}" -t zadd 2>&1) ;;
    zrank) out=$("$REDIS_BENCHMARK" "${args[@]}" ZRANK myzset "element:__rand_int__" 2>&1) ;;
    zrange-100) out=$("$REDIS_BENCHMARK" "${args[@]}" ZRANGE myzset 0 99 WITHSCORES 2>&1) ;;
    hot-zpopmin) out=$("$REDIS_BENCHMARK" "${args[@]}" -t zpopmin 2>&1) ;;
    zadd) out=$("$REDIS_BENCHMARK" "${args[@]}" ZADD "rank:__rand_int__" "__rand_int__" "__rand_int__" 2>&1) ;;
    hot-geoadd) out=$("$REDIS_BENCHMARK" "${args[@]}" GEOADD mygeo "13.__rand_int__" "38.__rand_int__" "m:__rand_int__" 2>&1) ;;
    geosearch) out=$("$REDIS_BENCHMARK" "${args[@]}" GEOSEARCH places FROMLONLAT 10.5 40.5 BYRADIUS 2 km COUNT 10 ASC 2>&1) ;;
    hot-xadd) out=$("$REDIS_BENCHMARK" "${args[@]}" XADD mystream "*" f "__rand_int__" 2>&1) ;;
    xrange-10) out=$("$REDIS_BENCHMARK" "${args[@]}" XRANGE mystream - + COUNT 10 2>&1) ;;
    xreadgroup) out=$("$REDIS_BENCHMARK" "${args[@]}" XREADGROUP GROUP g c COUNT 1 STREAMS mystream ">" 2>&1) ;;
    xadd) out=$("$REDIS_BENCHMARK" "${args[@]}" XADD "events:__rand_int__" "*" f v 2>&1) ;;
    *) die "unknown test '$test'" ;;
  esac || die "redis-benchmark failed against $name: $out"
  rps=$(printf '%s\n' "$out" | tr '\r' '\n' | awk -F'","' 'NF > 2 && $1 !~ /^"test$/ { r = $2 } END { print r }')
  [[ -n $rps ]] || die "no rate in redis-benchmark's output against $name: $out"
  echo "$rps"
}

echo "# Hashes, sets, lists, HyperLogLogs, sorted sets, geo sets and streams: tmkv-server vs redis-server"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- machine: $(nproc) CPUs ($(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //')), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "- command: $(printf '%q ' "$0" "$@")"
echo "- settings: ROUNDS=$ROUNDS CLIENTS=$CLIENTS KEYSPACE=$KEYSPACE REQUESTS=$REQUESTS IO_THREADS=$IO_THREADS TESTS=${TESTS[*]}"
echo "- redis: $("$REDIS_SERVER" --version | cut -d' ' -f1-3)"
echo "- tmkv: $TMKV_SERVER (git $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo

for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then order=(redis tmkv); else order=(tmkv redis); fi
  for s in "${order[@]}"; do server_start "$s"; done
  for test in "${TESTS[@]}"; do
    if [[ $test == geosearch ]]; then
      for s in "${order[@]}"; do
        "$REDIS_CLI" -p "${PORT[$s]}" EVAL "$PLACES_SCRIPT" 0 > /dev/null
      done
    fi
    if [[ $test == xreadgroup ]]; then
      for s in "${order[@]}"; do
        "$REDIS_CLI" -p "${PORT[$s]}" XGROUP CREATE mystream g 0 MKSTREAM > /dev/null
      done
    fi
    for p in 1 16; do
      for s in "${order[@]}"; do
        r=$(bench "$s" "$test" "$p")
        echo "$r" >> "$tmp/$s.$test.P$p"
        printf '  round %d %-8s -P %-2s %-5s %s rps\n' "$round" "$test" "$p" "$s" "$r" >&2
      done
    done
    # myzset's size before hot-zpopmin empties it.
    if [[ $test == zrange-100 ]]; then
      for s in "${order[@]}"; do
        m=$("$REDIS_CLI" -p "${PORT[$s]}" memory usage myzset)
        echo "${m:-0}" >> "$tmp/$s.mem.myzset"
      done
    fi
  done
  for s in "${order[@]}"; do
    # 0 where a test that fills the key did not run.
    for key in myhash myset mylist mystream; do
      m=$("$REDIS_CLI" -p "${PORT[$s]}" memory usage "$key")
      echo "${m:-0}" >> "$tmp/$s.mem.$key"
    done
    server_stop "$s"
  done
done

echo "| test | redis rps | tmkv rps | tmkv/redis (min..max) |"
echo "|---|---|---|---|"
for test in "${TESTS[@]}"; do
  for p in 1 16; do
    ratios=$(paste -d' ' "$tmp/tmkv.$test.P$p" "$tmp/redis.$test.P$p" | awk '{ printf "%.4f\n", $1 / $2 }')
    lo=$(printf '%s\n' "$ratios" | sort -g | head -1)
    hi=$(printf '%s\n' "$ratios" | sort -g | tail -1)
    printf '| %s -P %s | %.0f | %.0f | %.2f (%.2f..%.2f) |\n' "$test" "$p" "$(median < "$tmp/redis.$test.P$p")" \
      "$(median < "$tmp/tmkv.$test.P$p")" "$(printf '%s\n' "$ratios" | median)" "$lo" "$hi"
  done
done
echo
for key in myhash myset mylist myzset mystream; do
  [[ -f $tmp/redis.mem.$key ]] || continue
  when="at the end"
  [[ $key == myzset ]] && when="before hot-zpopmin"
  printf 'MEMORY USAGE %s %s (median): redis %.0f B, tmkv %.0f B\n' "$key" "$when" \
    "$(median < "$tmp/redis.mem.$key")" "$(median < "$tmp/tmkv.mem.$key")"
done
