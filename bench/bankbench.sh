#!/usr/bin/env bash
# Runs the bankbench matrix side by side in one invocation and prints a
# markdown table of txns/s with the ratios the issues set as targets.
# Usage: bench/bankbench.sh [seconds-per-run] [bankbench binary]
set -euo pipefail
secs=${1:-3}
bin=${2:-build/bin/tmkv-bankbench}
run() {  # engine threads accounts -> txns/s (or "n/a" with the reason on stderr)
  local out
  if out=$("$bin" --engine="$1" --threads "$2" --accounts "$3" --seconds "$secs" --memory-keys 0 2>&1); then
    echo "$out" | tail -n1 | sed 's/^txns_per_sec=//'
  else
    echo "n/a"
    echo "$1 T=$2 A=$3: $(echo "$out" | tail -n1)" >&2
  fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }

echo "| engine | T=2 A=1M | T=1 A=1M | T=2 A=16 |"
echo "|---|---|---|---|"
declare -A r
for e in stm auto emulated-htm ordered-locks global-lock libitm sequential htm; do
  if [ $e = sequential ]; then  # single-threaded by definition
    r[$e,2,1000000]="n/a"
    r[$e,1,1000000]=$(run $e 1 1000000)
    r[$e,2,16]="n/a"
  else
    r[$e,2,1000000]=$(run $e 2 1000000)
    r[$e,1,1000000]=$(run $e 1 1000000)
    r[$e,2,16]=$(run $e 2 16)
  fi
  printf '| %s | %s | %s | %s |\n' $e "${r[$e,2,1000000]}" "${r[$e,1,1000000]}" "${r[$e,2,16]}"
done
echo
echo "| ratio | value | target |"
echo "|---|---|---|"
echo "| stm / ordered-locks, T=2 A=1M | $(ratio ${r[stm,2,1000000]} ${r[ordered-locks,2,1000000]}) | >= 1.0 |"
echo "| stm / libitm, T=2 A=1M | $(ratio ${r[stm,2,1000000]} ${r[libitm,2,1000000]}) | >= 2.0 |"
echo "| stm / sequential, T=1 A=1M | $(ratio ${r[stm,1,1000000]} ${r[sequential,1,1000000]}) | >= 0.6 |"
echo "| stm / libitm, T=2 A=16 | $(ratio ${r[stm,2,16]} ${r[libitm,2,16]}) | >= 1.0 |"
echo "| auto / stm, T=2 A=1M | $(ratio ${r[auto,2,1000000]} ${r[stm,2,1000000]}) | >= 0.97 |"
echo "| auto / stm, T=1 A=1M | $(ratio ${r[auto,1,1000000]} ${r[stm,1,1000000]}) | >= 0.97 |"
echo
"$bin" --engine=stm --threads 1 --accounts 2 --seconds 0.1 --memory-keys 1000000 | grep '^memory:'
echo "(target: <= 64 B/key beyond the key and value bytes)"
