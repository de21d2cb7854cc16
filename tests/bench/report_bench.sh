#!/usr/bin/env bash
# `sondar report` (on one thread and on all) over N synthetic responses against building a
# document for every line alone (one thread), in one run.
#   tests/bench/report_bench.sh BUILD_DIR [N]
set -euo pipefail
build=${1:-build/release}
n=${2:-1000000}
root=$(cd "$(dirname "$0")/../.." && pwd)
survey=$root/tests/fixtures/surveys/order_nps.json
data=$root/build/bench/responses-$n.jsonl
mkdir -p "$(dirname "$data")"
[ -s "$data" ] || "$build/tests/bench/sondar_gen_responses" "$survey" "$n" 1 > "$data"
bytes=$(stat -c %s "$data")
lines=$(wc -l < "$data")

seconds() {  # wall seconds of a command, output discarded
  local start end
  start=$(date +%s%N)
  "$@" > /dev/null
  end=$(date +%s%N)
  awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }'
}
cat "$data" > /dev/null  # warm the page cache for both runs
parse=$(seconds "$build/tests/bench/sondar_parse_only" "$data")
nlohmann=$(seconds "$build/tests/bench/sondar_parse_only" --nlohmann "$data")
threads=$(nproc)
report1=$(seconds "$build/demo/cli/sondar" report --json --threads 1 --survey "$survey" "$data")
report=$(seconds "$build/demo/cli/sondar" report --json --survey "$survey" "$data")

awk -v b="$bytes" -v l="$lines" -v n="$n" -v p="$parse" -v r="$report" -v j="$nlohmann" \
    -v r1="$report1" -v t="$threads" 'BEGIN {
  mb = b / 1e6
  printf "input: %d responses in %d lines, %.1f MB\n", n, l, mb
  printf "parse only      : %6.2f s  %7.1f MB/s  %9.0f lines/s  (sondar::Json)\n", p, mb / p, l / p
  printf "nlohmann parse  : %6.2f s  %7.1f MB/s  %9.0f lines/s  (for comparison)\n", j, mb / j, l / j
  printf "report, 1 thread: %5.2f s  %7.1f MB/s  %9.0f lines/s\n", r1, mb / r1, l / r1
  printf "report, %d threads: %4.2f s  %7.1f MB/s  %9.0f lines/s\n", t, r, mb / r, l / r
  printf "report / parse  : %.2fx (1 thread) and %.2fx (%d threads) the time of parsing alone\n", r1 / p, r / p, t
}'
