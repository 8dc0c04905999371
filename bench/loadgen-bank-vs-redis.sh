#!/usr/bin/env bash
# The bank workload of tmkv-loadgen against tmkv-server and redis-server,
# side by side: for ROUNDS rounds (alternating which server goes first)
# each server gets a fresh bank and the same run, and the table shows the
# medians of committed transfers/s, retries per transfer and latency, and
# whether every run verified (conservation, no negative balance, every
# report consistent).
#
#   tmkv-loadgen --port PORT --workload bank --threads THREADS
#                --connections CONNECTIONS --key-count ACCOUNTS
#                --duration DURATION --warmup 1 --seed ROUND --json FILE
#
# Usage: bench/loadgen-bank-vs-redis.sh   (from the repository root)
# Environment:
#   TMKV_SERVER (default build/bin/tmkv-server, Release), TMKV_FLAGS (extra
#   tmkv-server flags, e.g. "--tm-mode stm"), IO_THREADS (default nproc),
#   TMKV_LOADGEN (default build/bin/tmkv-loadgen), REDIS_SERVER,
#   ROUNDS=3 THREADS=1 CONNECTIONS=50 ACCOUNTS=100 DURATION=5
#   LOADGEN_FLAGS  extra loadgen flags for both (e.g. "--key-dist zipfian")
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-50}
ACCOUNTS=${ACCOUNTS:-100}
DURATION=${DURATION:-5}
IO_THREADS=${IO_THREADS:-$(nproc)}
TMKV_SERVER=${TMKV_SERVER:-build/bin/tmkv-server}
TMKV_LOADGEN=${TMKV_LOADGEN:-build/bin/tmkv-loadgen}
REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}
REDIS_CLI=$(command -v redis-cli || echo /usr/bin/redis-cli)

die() { echo "loadgen-bank-vs-redis: $*" >&2; exit 1; }
[[ -x $TMKV_SERVER ]] || die "no tmkv-server at '$TMKV_SERVER' (scripts/run builds it; or set TMKV_SERVER)"
[[ -x $TMKV_LOADGEN ]] || die "no tmkv-loadgen at '$TMKV_LOADGEN' (or set TMKV_LOADGEN)"
[[ -x $REDIS_SERVER && -x $REDIS_CLI ]] || die "redis-server / redis-cli missing"

tmp=$(mktemp -d /tmp/loadgen-bank.XXXXXX)
cleanup() { servers_stop_all; rm -rf "$tmp"; }
trap cleanup EXIT
redis_cmd() { echo "$REDIS_SERVER --port $1 --bind 127.0.0.1 --save '' --appendonly no --dir $tmp --daemonize no"; }
tmkv_cmd() { echo "$TMKV_SERVER --port $1 --bind 127.0.0.1 --io-threads $IO_THREADS --metrics-port 0 ${TMKV_FLAGS:-}"; }
run_bank() {  # server round -> "transfers/s retries/transfer p50 p99 report-p99 verified"
  local s=$1 round=$2 rc=0
  server_start "$s"
  # shellcheck disable=SC2086
  "$TMKV_LOADGEN" --port "${PORT[$s]}" --workload bank --threads "$THREADS" --connections "$CONNECTIONS" \
    --key-count "$ACCOUNTS" --duration "$DURATION" --warmup 1 --seed "$round" --json "$tmp/$s.json" \
    ${LOADGEN_FLAGS:-} >"$tmp/$s.out" 2>&1 || rc=$?
  server_stop "$s"
  [[ -s $tmp/$s.json ]] || die "loadgen against $s produced no report: $(cat "$tmp/$s.out")"
  /usr/bin/python3 - "$tmp/$s.json" "$rc" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t, rep = r["operations"]["transfer"], r["operations"]["report"]
ok = r["verification"]["ok"] and sys.argv[2] == "0"
print(t["ops_per_s"], t["retries"] / max(t["ok"], 1), t["p50"], t["p99"], rep["p99"], "yes" if ok else "NO")
PY
}

echo "# bank workload: tmkv-server vs redis-server (tmkv-loadgen)"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); $(nproc) CPUs ($(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //'))"
echo "- loadgen: \`tmkv-loadgen --workload bank --threads $THREADS --connections $CONNECTIONS --key-count $ACCOUNTS --duration $DURATION --warmup 1 ${LOADGEN_FLAGS:-}\`"
echo "- tmkv: \`$(tmkv_cmd PORT)\`"
echo "- redis: \`$(redis_cmd PORT)\` ($("$REDIS_SERVER" --version | awk '{ print $3 }'))"
echo "- ROUNDS=$ROUNDS (medians; servers alternate going first; a fresh server per run)"
echo
declare -A R
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then order=(redis tmkv); else order=(tmkv redis); fi
  for s in "${order[@]}"; do
    line=$(run_bank "$s" "$round")
    R[$s]+="$line"$'\n'
    echo "  round $round $s: $line" >&2
  done
done
col_median() { awk -v c="$1" 'NF { print $c }' | median; }
echo "| server | transfers/s | retries/transfer | transfer p50 | transfer p99 | report p99 | all runs verified |"
echo "|---|---|---|---|---|---|---|"
for s in tmkv redis; do
  verified=$(awk 'NF { print $6 }' <<<"${R[$s]}" | sort -u | tr '\n' ' ')
  printf '| %s | %.0f | %.3f | %.0f us | %.0f us | %.0f us | %s |\n' "$s" \
    "$(col_median 1 <<<"${R[$s]}")" "$(col_median 2 <<<"${R[$s]}")" "$(col_median 3 <<<"${R[$s]}")" \
    "$(col_median 4 <<<"${R[$s]}")" "$(col_median 5 <<<"${R[$s]}")" "$([[ $verified == 'yes ' ]] && echo yes || echo "NO ($verified)")"
done
