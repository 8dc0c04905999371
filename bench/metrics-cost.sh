#!/usr/bin/env bash
# What metrics cost: the same workloads with telemetry on and off, side by
# side in one run, interleaved per round (our 2-vCPU VMs drift by up to 2x
# between minutes; ratios of runs taken seconds apart cancel most of that).
#
#   on    tmkv-server as shipped: /metrics served and scraped every second
#         by a curl loop (as Prometheus would, 5x more often than the
#         example config), latency-tracking yes (command and transaction
#         latency histograms: two clock reads per command and per
#         transaction).
#   off   --metrics-port 0 --latency-tracking no: no endpoint, no clock
#         reads. The per-thread counters and the attempts/width histograms
#         stay (INFO needs them; they are plain single-writer stores).
#   base  (optional, BASE_BIN=dir) the same benchmarks built from a commit
#         before any metrics work, e.g. e24231e: the cost of everything,
#         counters included.
#
# Server part: redis-benchmark GET and SET at -P 1 and -P 16 (CLIENTS 50,
# KEYSPACE 100000 random keys), ROUNDS rounds. Engine part: tmkv-bankbench,
# stm engine, 1 thread x 1,000,000 accounts and 2 threads x 16 accounts,
# --latency-tracking on/off, BANK_ROUNDS short rounds (the engine runs
# ~200 ns transactions, where a 3% effect hides in the VM's run-to-run
# noise unless many interleaved pairs are taken).
# Prints the median throughput of each cell and the median per-round ratio
# on/off (and base/off). The target of issue 5: on/off >= 0.97.
#
# Usage: bench/metrics-cost.sh   (from the repository root, Release build)
# Environment: BIN=build/bin  BASE_BIN=  ROUNDS=7  CLIENTS=50  KEYSPACE=100000
#              REQ_P1=100000 REQ_P16=1000000 BANK_ROUNDS=21 BANK_SECONDS=1
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=${BIN:-build/bin}
BASE_BIN=${BASE_BIN:-}
ROUNDS=${ROUNDS:-7}
BANK_ROUNDS=${BANK_ROUNDS:-21}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
REQ_P1=${REQ_P1:-100000}
REQ_P16=${REQ_P16:-1000000}
BANK_SECONDS=${BANK_SECONDS:-1}

die() { echo "metrics-cost: $*" >&2; exit 1; }
[[ -x $BIN/tmkv-server && -x $BIN/tmkv-bankbench ]] || die "build $BIN/tmkv-server and tmkv-bankbench first (Release)"
command -v redis-benchmark >/dev/null || die "redis-benchmark not found (apt-get install redis-tools)"
command -v curl >/dev/null || die "curl not found"

variants=(on off)
[[ -n $BASE_BIN ]] && variants+=(base)
tmp=$(mktemp -d /tmp/metrics-cost.XXXXXX)
SERVER_PID=""
SCRAPER_PID=""
cleanup() {
  [[ -n $SCRAPER_PID ]] && kill "$SCRAPER_PID" 2>/dev/null || true
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT


start_server() {  # variant -> sets PORT, SERVER_PID, SCRAPER_PID
  local v=$1 bin=$BIN/tmkv-server args=()
  PORT=$(free_port)
  case $v in
    on)   local mport; mport=$(free_port); args=(--metrics-port "$mport" --latency-tracking yes) ;;
    off)  args=(--metrics-port 0 --latency-tracking no) ;;
    base) bin=$BASE_BIN/tmkv-server; args=(--metrics-port 0) ;;
  esac
  "$bin" --port "$PORT" "${args[@]}" >"$tmp/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
  if [[ $v == on ]]; then
    (while sleep 1; do curl -sf "http://127.0.0.1:$mport/metrics" >/dev/null || true; done) &
    SCRAPER_PID=$!
  fi
}
stop_server() {
  [[ -n $SCRAPER_PID ]] && { kill "$SCRAPER_PID" 2>/dev/null || true; wait "$SCRAPER_PID" 2>/dev/null || true; }
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""; SCRAPER_PID=""
}
rps() {  # port test pipeline requests -> requests/s
  redis-benchmark -p "$1" -c "$CLIENTS" -r "$KEYSPACE" -n "$4" -P "$3" -t "$2" --csv -q 2>/dev/null |
    awk -F'","' 'NR==2 { gsub(/"/, "", $2); print $2 }'
}
bank() {  # variant threads accounts -> txns/s
  local bin=$BIN/tmkv-bankbench extra=(--latency-tracking=on)
  [[ $1 == off ]] && extra=(--latency-tracking=off)
  [[ $1 == base ]] && { bin=$BASE_BIN/tmkv-bankbench; extra=(); }
  "$bin" --engine=stm --threads "$2" --accounts "$3" --seconds "$BANK_SECONDS" --memory-keys 0 "${extra[@]}" |
    tail -n1 | sed 's/^txns_per_sec=//'
}

cells=("get 1" "set 1" "get 16" "set 16")
for round in $(seq 1 "$ROUNDS"); do
  # Alternate the order of the variants between rounds.
  order=("${variants[@]}")
  (( round % 2 == 0 )) && order=($(printf '%s\n' "${variants[@]}" | tac))
  for v in "${order[@]}"; do
    start_server "$v"
    for cell in "${cells[@]}"; do
      set -- $cell
      n=$REQ_P1; [[ $2 == 16 ]] && n=$REQ_P16
      rps "$PORT" "$1" "$2" "$n" >> "$tmp/$v.$1.$2"
    done
    stop_server
  done
  echo "server round $round/$ROUNDS done" >&2
done
for round in $(seq 1 "$BANK_ROUNDS"); do
  order=("${variants[@]}")
  (( round % 2 == 0 )) && order=($(printf '%s\n' "${variants[@]}" | tac))
  for v in "${order[@]}"; do
    bank "$v" 1 1000000 >> "$tmp/$v.bank1.1000000"
    bank "$v" 2 16 >> "$tmp/$v.bank2.16"
  done
done
echo "bank rounds done" >&2

ratio_col() {  # variant cellfile -> median of per-round ratios variant/off
  paste "$tmp/$1.$2" "$tmp/off.$2" | awk '{ print $1 / $2 }' | median
}
printf '| workload | on | off |%s on/off |%s\n' "$([[ -n $BASE_BIN ]] && echo ' base |')" \
  "$([[ -n $BASE_BIN ]] && echo ' base/off |')"
printf '|---|---|---|%s---|%s\n' "$([[ -n $BASE_BIN ]] && echo '---|')" "$([[ -n $BASE_BIN ]] && echo '---|')"
for cell in "get 1" "set 1" "get 16" "set 16" "bank1 1000000" "bank2 16"; do
  set -- $cell
  f="$1.$2"
  name="$(echo "$1" | tr a-z A-Z) -P $2"
  [[ $1 == bank* ]] && name="bankbench stm ${1#bank} thread(s), $2 accounts"
  row="| $name | $(median < "$tmp/on.$f") | $(median < "$tmp/off.$f") |"
  [[ -n $BASE_BIN ]] && row+=" $(median < "$tmp/base.$f") |"
  row+=" $(ratio_col on "$f") |"
  [[ -n $BASE_BIN ]] && row+=" $(ratio_col base "$f") |"
  echo "$row"
done
