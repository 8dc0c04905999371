#!/usr/bin/env bash
# tmkv-server against redis-server 7 (Debian), side by side, in one run.
#
# Throughput: redis-benchmark drives both servers with the same command
# lines, interleaved per test (each test runs on one server, then at once on
# the other), for ROUNDS rounds that alternate which server goes first; the
# table shows the median rps over the rounds and the median of the per-round
# ratios (on shared 2-vCPU VMs speed drifts by up to 2x between minutes;
# runs taken seconds apart, compared pairwise, cancel most of that).
# Tests: GET and SET at -P 1 and -P 16, MSET of 4 keys at -P 1 and -P 16;
# with STREAMS=1 also XADD (of one field, "*" IDs) at -P 1 and -P 16, then
# XRANGE - + COUNT 10 of the streams those built;
# CLIENTS (50) connections, keys drawn from KEYSPACE (100000) random names.
#
# Memory: fresh servers, MEM_KEYS (1,000,000) distinct keys `key:%07d` with
# VALUE_SIZE-byte values (32) piped in with `redis-cli --pipe`; reports INFO
# memory's used_memory / used_memory_rss and the process's VmRSS
# (/proc/PID/status) of both, before and after the load.
#
# Usage: bench/vs-redis.sh            (from the repository root)
# Environment:
#   TMKV_SERVER   tmkv-server binary (default build/bin/tmkv-server, a Release
#                 build: `scripts/run` or `cmake -S . -B build -DCMAKE_BUILD_TYPE=Release`)
#   TMKV_FLAGS    extra tmkv-server flags (e.g. "--tm-mode stm")
#   IO_THREADS    tmkv-server --io-threads (default: nproc)
#   REDIS_SERVER  redis-server binary (default: redis-server on PATH)
#   REDIS_FLAGS   extra redis-server flags (e.g. "--io-threads 2")
#   ROUNDS=3 CLIENTS=50 KEYSPACE=100000 REQ_P1=100000 REQ_P16=1000000
#   MEM_KEYS=1000000 VALUE_SIZE=32  (MEM_KEYS=0 skips the memory part)
#   STREAMS=1     add the stream tests
#   VS_REDIS_SELFTEST=1  run redis-server in tmkv's place (tests this script)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
REQ_P1=${REQ_P1:-100000}
REQ_P16=${REQ_P16:-1000000}
MEM_KEYS=${MEM_KEYS:-1000000}
VALUE_SIZE=${VALUE_SIZE:-32}
IO_THREADS=${IO_THREADS:-$(nproc)}
TMKV_SERVER=${TMKV_SERVER:-build/bin/tmkv-server}
REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}
REDIS_CLI=$(command -v redis-cli || echo /usr/bin/redis-cli)
REDIS_BENCHMARK=$(command -v redis-benchmark || echo /usr/bin/redis-benchmark)
SELFTEST=${VS_REDIS_SELFTEST:-0}

die() { echo "vs-redis: $*" >&2; exit 1; }

[[ -x $REDIS_SERVER ]] || die "redis-server not found (apt-get install redis-server)"
[[ -x $REDIS_CLI && -x $REDIS_BENCHMARK ]] || die "redis-cli / redis-benchmark not found (apt-get install redis-tools)"
if [[ $SELFTEST != 1 ]]; then
  [[ -x $TMKV_SERVER ]] || die "no tmkv-server at '$TMKV_SERVER': build it (Release) with scripts/run, or
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build --target tmkv-server
or point TMKV_SERVER at a binary (VS_REDIS_SELFTEST=1 runs redis-server in its place)"
fi

tmp=$(mktemp -d /tmp/vs-redis.XXXXXX)
cleanup() {
  servers_stop_all
  rm -rf "$tmp"
}
trap cleanup EXIT

redis_cmd() {  # port -> argv of redis-server
  echo "$REDIS_SERVER --port $1 --bind 127.0.0.1 --save '' --appendonly no --dir $tmp --daemonize no ${REDIS_FLAGS:-}"
}
tmkv_cmd() {
  if [[ $SELFTEST == 1 ]]; then
    redis_cmd "$1"
  else
    echo "$TMKV_SERVER --port $1 --bind 127.0.0.1 --io-threads $IO_THREADS --metrics-port 0 ${TMKV_FLAGS:-}"
  fi
}

alive() { kill -0 "${PID[$1]}" 2>/dev/null || { cat "$tmp/$1.log" >&2; die "$1 died (log above)"; }; }

# ---- the header: machine and exact commands
echo "# tmkv-server vs redis-server"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- machine: $(nproc) CPUs ($(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //')), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
echo "- command: $(printf '%q ' "$0" "$@")"
echo "- settings: ROUNDS=$ROUNDS CLIENTS=$CLIENTS KEYSPACE=$KEYSPACE REQ_P1=$REQ_P1 REQ_P16=$REQ_P16 MEM_KEYS=$MEM_KEYS VALUE_SIZE=$VALUE_SIZE IO_THREADS=$IO_THREADS"
echo "- redis: $("$REDIS_SERVER" --version): \`$(redis_cmd PORT)\`"
if [[ $SELFTEST == 1 ]]; then
  echo "- tmkv: SELF-TEST, redis-server runs in tmkv's place: \`$(tmkv_cmd PORT)\`"
else
  rev=$(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo '?')
  dirty=$(git -C "$(dirname "$0")" status --porcelain 2>/dev/null | grep -q . && echo '+dirty' || true)
  echo "- tmkv: $TMKV_SERVER (git $rev$dirty): \`$(tmkv_cmd PORT)\`"
fi
echo "- benchmark: \`redis-benchmark -h 127.0.0.1 -p PORT -c $CLIENTS -r $KEYSPACE --csv -n N -P P <test>\`"
echo "  (N = $REQ_P1 at -P 1, $REQ_P16 at -P 16; the benchmark client shares the machine's CPUs with the server)"
echo

# ---- throughput
MSET4=(MSET key:__rand_int__ xxx key:__rand_int__ xxx key:__rand_int__ xxx key:__rand_int__ xxx)
TESTS=("SET -P 1" "SET -P 16" "GET -P 1" "GET -P 16" "MSET 4 keys -P 1" "MSET 4 keys -P 16")
if [[ ${STREAMS:-0} == 1 ]]; then
  TESTS+=("XADD -P 1" "XADD -P 16" "XRANGE COUNT 10 -P 1" "XRANGE COUNT 10 -P 16")
fi

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/${PID[$1]}/stat"; }  # utime + stime, whole process
CLK_TCK=$(getconf CLK_TCK)

# server test-name -> rps on stdout; the server's CPU time per request (us)
# goes to $tmp/<server>.<test>.cpu
bench() {
  local name=$1 test=$2 pipeline n args out rps c0 c1
  pipeline=${test##*-P }
  if [[ $pipeline == 1 ]]; then n=$REQ_P1; else n=$REQ_P16; fi
  case $test in
    SET*) args=(-t set) ;;
    GET*) args=(-t get) ;;
    MSET*) args=("${MSET4[@]}") ;;
    XADD*) args=(XADD "stream:__rand_int__" "*" f v) ;;
    XRANGE*) args=(XRANGE "stream:__rand_int__" - + COUNT 10) ;;
  esac
  c0=$(cpu_ticks "$name")
  if ! out=$("$REDIS_BENCHMARK" -h 127.0.0.1 -p "${PORT[$name]}" -c "$CLIENTS" -r "$KEYSPACE" --csv \
               -n "$n" -P "$pipeline" "${args[@]}" 2>&1); then
    echo "redis-benchmark failed against $name ($test): $out" >&2
    echo n/a >> "$tmp/$name.$(key "$test").cpu"
    echo n/a
    return 0
  fi
  # --csv: a header line "test","rps",... then one line per test.
  rps=$(printf '%s\n' "$out" | tr '\r' '\n' | awk -F'","' 'NF > 2 && $1 !~ /^"test$/ { r = $2 } END { print r }')
  if [[ -z $rps ]] || ! awk -v r="$rps" 'BEGIN { exit !(r + 0 > 0) }'; then
    echo "no rate in redis-benchmark's output against $name ($test): $out" >&2
    echo n/a >> "$tmp/$name.$(key "$test").cpu"
    echo n/a
    return 0
  fi
  alive "$name"
  c1=$(cpu_ticks "$name")
  awk -v t="$((c1 - c0))" -v hz="$CLK_TCK" -v n="$n" 'BEGIN { printf "%.3f\n", t / hz * 1e6 / n }' \
    >> "$tmp/$name.$(key "$test").cpu"
  echo "$rps"
}

key() { echo "$1" | tr ' ' '_'; }

server_start redis
server_start tmkv
t0=$(date +%s)
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then order=(redis tmkv); else order=(tmkv redis); fi
  for test in "${TESTS[@]}"; do
    for s in "${order[@]}"; do
      r=$(bench "$s" "$test")
      echo "$r" >> "$tmp/$s.$(key "$test")"
      printf '  round %d %-18s %-5s %s rps\n' "$round" "$test" "$s" "$r" >&2
    done
  done
done
echo "(throughput: $(( $(date +%s) - t0 )) s)" >&2

fmt_rps() { awk '{ if ($1 == "n/a") print "n/a"; else printf "%.0f", $1 }'; }
ratio() {  # test-key -> median of per-round tmkv/redis (min..max)
  paste "$tmp/tmkv.$1" "$tmp/redis.$1" |
    awk '$1 != "n/a" && $2 != "n/a" && $2 > 0 { print $1 / $2 }' | sort -g |
    awk '{ v[n++] = $1 } END { if (n == 0) { print "n/a"; exit }
           m = (n % 2) ? v[(n-1)/2] : (v[n/2-1] + v[n/2]) / 2; printf "%.2f (%.2f..%.2f)", m, v[0], v[n-1] }'
}

echo "## Throughput (median requests/s over $ROUNDS rounds)"
echo
echo "| test | redis rps | tmkv rps | tmkv/redis (min..max) |"
echo "|---|---|---|---|"
for test in "${TESTS[@]}"; do
  k=$(key "$test")
  printf '| %s | %s | %s | %s |\n' "$test" "$(median < "$tmp/redis.$k" | fmt_rps)" \
    "$(median < "$tmp/tmkv.$k" | fmt_rps)" "$(ratio "$k")"
done
echo
# Throughput is capped by the single-threaded benchmark client once a
# server is fast enough (all three then share two vCPUs); the servers' own
# CPU time per request shows their cost either way. Lower is better.
echo "## Server CPU time per request (median us over $ROUNDS rounds; user + system, all threads)"
echo
echo "| test | redis us/req | tmkv us/req | tmkv/redis (min..max) |"
echo "|---|---|---|---|"
for test in "${TESTS[@]}"; do
  k=$(key "$test")
  printf '| %s | %s | %s | %s |\n' "$test" "$(median < "$tmp/redis.$k.cpu" | awk '{ printf "%.2f", $1 }')" \
    "$(median < "$tmp/tmkv.$k.cpu" | awk '{ printf "%.2f", $1 }')" "$(ratio "$k.cpu")"
done
echo
server_stop redis
server_stop tmkv

# ---- memory
if (( MEM_KEYS > 0 )); then
  t0=$(date +%s)
  # RESP for SET key:%07d <VALUE_SIZE bytes>, every key distinct.
  awk -v n="$MEM_KEYS" -v vs="$VALUE_SIZE" 'BEGIN {
      v = ""; while (length(v) < vs) v = v "0123456789abcdefghijklmnopqrstuvwxyz"; v = substr(v, 1, vs)
      for (i = 0; i < n; i++) { k = sprintf("key:%07d", i)
        printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, vs, v } }' > "$tmp/load.resp"

  vmrss() { awk '/^VmRSS/ { print $2 * 1024 }' "/proc/${PID[$1]}/status"; }
  info_mem() {  # server field -> value or n/a
    "$REDIS_CLI" -h 127.0.0.1 -p "${PORT[$1]}" INFO memory | tr -d '\r' |
      awk -F: -v f="$2" '$1 == f { print $2; found = 1 } END { if (!found) print "n/a" }'
  }
  declare -A M
  for s in redis tmkv; do
    server_start "$s"
    M[$s.rss0]=$(vmrss "$s")
    M[$s.used0]=$(info_mem "$s" used_memory)
    l0=$(date +%s.%N)
    out=$("$REDIS_CLI" -h 127.0.0.1 -p "${PORT[$s]}" --pipe < "$tmp/load.resp" 2>&1) ||
      die "redis-cli --pipe into $s failed: $out"
    M[$s.load_s]=$(awk -v a="$l0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    grep -q "errors: 0, replies: $MEM_KEYS" <<<"$out" || die "redis-cli --pipe into $s: $out"
    n=$("$REDIS_CLI" -h 127.0.0.1 -p "${PORT[$s]}" DBSIZE)
    [[ $n == "$MEM_KEYS" ]] || die "$s has DBSIZE $n after loading $MEM_KEYS keys"
    sleep 1  # let the allocators settle
    alive "$s"
    M[$s.rss1]=$(vmrss "$s")
    M[$s.used1]=$(info_mem "$s" used_memory)
    M[$s.usedrss1]=$(info_mem "$s" used_memory_rss)
    server_stop "$s"
  done
  echo "(memory: $(( $(date +%s) - t0 )) s)" >&2

  mib() { awk -v v="$1" 'BEGIN { if (v == "n/a" || v == "") print "n/a"; else printf "%.1f MiB", v / 1048576 }'; }
  per_key() { awk -v a="$1" -v b="$2" -v n="$MEM_KEYS" 'BEGIN { if (a == "n/a" || b == "n/a" || a == "" || b == "") print "n/a"; else printf "%.1f", (b - a) / n }'; }
  rat() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || a == "" || b == "" || a + 0 == 0) print "n/a"; else printf "%.2f", b / a }'; }
  row() {  # label redis-value tmkv-value formatter
    printf '| %s | %s | %s | %s |\n' "$1" "$($4 "$2")" "$($4 "$3")" "$(rat "$2" "$3")"
  }
  ident() { echo "$1"; }
  echo "## Memory: $MEM_KEYS keys \`key:%07d\` (11 B), $VALUE_SIZE-byte values, loaded with redis-cli --pipe"
  echo
  echo "| measure | redis | tmkv | tmkv/redis |"
  echo "|---|---|---|---|"
  row "VmRSS empty" "${M[redis.rss0]}" "${M[tmkv.rss0]}" mib
  row "VmRSS loaded" "${M[redis.rss1]}" "${M[tmkv.rss1]}" mib
  row "VmRSS growth per key (B)" "$(per_key "${M[redis.rss0]}" "${M[redis.rss1]}")" "$(per_key "${M[tmkv.rss0]}" "${M[tmkv.rss1]}")" ident
  row "INFO used_memory loaded" "${M[redis.used1]}" "${M[tmkv.used1]}" mib
  row "used_memory growth per key (B)" "$(per_key "${M[redis.used0]}" "${M[redis.used1]}")" "$(per_key "${M[tmkv.used0]}" "${M[tmkv.used1]}")" ident
  row "INFO used_memory_rss loaded" "${M[redis.usedrss1]}" "${M[tmkv.usedrss1]}" mib
  row "load time (s)" "${M[redis.load_s]}" "${M[tmkv.load_s]}" ident
  echo
fi
