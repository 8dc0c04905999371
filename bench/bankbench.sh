#!/usr/bin/env bash
# Runs the bankbench matrix side by side and prints markdown tables: median
# txns/s per cell, and the median over rounds of each per-round ratio that
# the issues set as targets. Engines are interleaved within every round, so
# a ratio compares runs taken seconds apart: on our 2-vCPU VMs the same run
# varies by up to 2x between minutes (where the hypervisor places the two
# vCPUs), and per-round ratios cancel most of that.
# Multi-threaded runs also report a cache-line round trip between the two
# CPUs (cross_core_probe.h): the placement splits T=2 results in two modes,
# near (about 60 ns) and far (about 400 ns), and the T=2 ratios are shown for
# each mode apart as well as together.
# Usage: bench/bankbench.sh [rounds] [seconds-per-run] [bankbench binary]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rounds=${1:-5}
secs=${2:-2}
bin=${3:-build/bin/tmkv-bankbench}
# The production build has no emulated HTM (zero-cost accessors); that engine
# runs from the test build.
emu_bin=${EMU_BIN:-build-test/bin/tmkv-bankbench}
engines=(stm auto emulated-htm ordered-locks global-lock libitm sequential htm)
configs=("2 1000000" "1 1000000" "2 16")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() {  # engine threads accounts -> txns/s, or n/a (reason on stderr once)
  local out
  if [ "$1" = sequential ] && [ "$2" != 1 ]; then echo n/a; return; fi
  local b=$bin
  [ "$1" = emulated-htm ] && b=$emu_bin
  if out=$("$b" --engine="$1" --threads "$2" --accounts "$3" --seconds "$secs" --memory-keys 0 2>&1); then
    echo "$out" | tail -n1 | sed 's/^txns_per_sec=//'
    # The vCPUs' placement during the run (cross_core_probe.h): the larger of
    # the probes before and after it, or n/a (one thread, or no probe).
    echo "$out" | awk '/^cross_core_rtt_ns:/ { if ($3 != "n/a" && $5 != "n/a") { print ($3 > $5 ? $3 : $5); found = 1 } }
                       END { if (!found) print "n/a" }' >> "$tmp/$1.$2.$3.rtt"
  else
    echo n/a
    echo n/a >> "$tmp/$1.$2.$3.rtt"
    [ "$round" = 1 ] && echo "$1 T=$2 A=$3: $(echo "$out" | tail -n1)" >&2
    return 0
  fi
}

for round in $(seq 1 "$rounds"); do
  for cfg in "${configs[@]}"; do
    set -- $cfg
    for e in "${engines[@]}"; do run "$e" "$1" "$2" >> "$tmp/$e.$1.$2"; done
  done
done

cell() { median < "$tmp/$1.$2.$3" | awk '{ if ($1 == "n/a") print "n/a"; else printf "%.2fM", $1 / 1e6 }'; }
echo "Median txns/s over $rounds rounds of ${secs}s runs:"
echo
echo "| engine | T=2 A=1M | T=1 A=1M | T=2 A=16 |"
echo "|---|---|---|---|"
for e in "${engines[@]}"; do
  printf '| %s | %s | %s | %s |\n' "$e" "$(cell "$e" 2 1000000)" "$(cell "$e" 1 1000000)" "$(cell "$e" 2 16)"
done

ratio() {  # num-engine den-engine threads accounts -> median of per-round ratios (min..max)
  paste "$tmp/$1.$3.$4" "$tmp/$2.$3.$4" |
    awk '$1 != "n/a" && $2 != "n/a" && $2 > 0 { print $1 / $2 }' | sort -g |
    awk '{ v[n++] = $1 } END { if (n == 0) { print "n/a"; exit }
           m = (n % 2) ? v[(n-1)/2] : (v[n/2-1] + v[n/2]) / 2; printf "%.2f (%.2f..%.2f)", m, v[0], v[n-1] }'
}
echo
echo "| ratio | median (min..max) | target |"
echo "|---|---|---|"
echo "| stm / ordered-locks, T=2 A=1M | $(ratio stm ordered-locks 2 1000000) | >= 1.0 |"
echo "| stm / libitm, T=2 A=1M | $(ratio stm libitm 2 1000000) | >= 2.0 |"
echo "| stm / sequential, T=1 A=1M | $(ratio stm sequential 1 1000000) | >= 0.6 |"
echo "| stm / libitm, T=2 A=16 | $(ratio stm libitm 2 16) | >= 1.0 |"
echo "| auto / stm, T=2 A=1M | $(ratio auto stm 2 1000000) | >= 0.97 |"
echo "| auto / stm, T=1 A=1M | $(ratio auto stm 1 1000000) | >= 0.97 |"
echo "| auto / stm, T=2 A=16 | $(ratio auto stm 2 16) | >= 0.97 |"

# The T=2 ratios again, by placement: a round counts as near when both runs
# saw a round trip under NEAR_NS (200), far when both saw one at or above it.
near_ns=${NEAR_NS:-200}
ratio_in() {  # mode num-engine den-engine threads accounts
  local f=$tmp/$2.$4.$5 g=$tmp/$3.$4.$5
  paste "$f" "$g" "$f.rtt" "$g.rtt" |
    awk -v mode="$1" -v near="$near_ns" '$1 != "n/a" && $2 != "n/a" && $2 > 0 && $3 != "n/a" && $4 != "n/a" {
           m = ($3 < near && $4 < near) ? "near" : (($3 >= near && $4 >= near) ? "far" : "mixed")
           if (m == mode) print $1 / $2 }' | sort -g |
    awk '{ v[n++] = $1 } END { if (n == 0) { print "n/a (no round)"; exit }
           m = (n % 2) ? v[(n-1)/2] : (v[n/2-1] + v[n/2]) / 2; printf "%.2f (%.2f..%.2f), %d rounds", m, v[0], v[n-1], n }'
}
echo
echo "Cross-core round trip per round (ns, stm's T=2 A=1M runs): $(paste -sd' ' "$tmp/stm.2.1000000.rtt")"
echo
echo "| ratio, T=2 | vCPUs near (< ${near_ns} ns) | vCPUs far |"
echo "|---|---|---|"
for pair in "stm ordered-locks 2 1000000" "stm libitm 2 1000000" "stm libitm 2 16"; do
  set -- $pair
  echo "| $1 / $2, A=$4 | $(ratio_in near "$@") | $(ratio_in far "$@") |"
done
echo
"$bin" --engine=stm --threads 1 --accounts 2 --seconds 0.1 --memory-keys 1000000 | grep '^memory:'
echo "(target: <= 64 B/key beyond the key and value bytes)"
