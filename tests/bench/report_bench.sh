#!/usr/bin/env bash
# `sondar report` over N synthetic responses against parsing the same file alone, in one run.
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
report=$(seconds "$build/demo/cli/sondar" report --json --survey "$survey" "$data")

awk -v b="$bytes" -v l="$lines" -v n="$n" -v p="$parse" -v r="$report" -v j="$nlohmann" 'BEGIN {
  mb = b / 1e6
  printf "input: %d responses in %d lines, %.1f MB\n", n, l, mb
  printf "parse only      : %6.2f s  %7.1f MB/s  %9.0f lines/s  (sondar::Json)\n", p, mb / p, l / p
  printf "nlohmann parse  : %6.2f s  %7.1f MB/s  %9.0f lines/s  (for comparison)\n", j, mb / j, l / j
  printf "sondar report   : %6.2f s  %7.1f MB/s  %9.0f lines/s\n", r, mb / r, l / r
  printf "report / parse  : %.2fx the time of parsing alone\n", r / p
}'
