#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time, seeded from tests/fixtures.
#   tests/fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
build=${1:-build/fuzz}
seconds=${2:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
fixtures=$root/tests/fixtures
work=$root/build/fuzz-work
mkdir -p "$work/seed-survey" "$work/seed-response" "$work/seed-json" "$work/seed-site" \
  "$work/corpus-survey" "$work/corpus-response" "$work/corpus-json" "$work/corpus-site"

cp "$fixtures"/surveys/*.json "$work/seed-survey/"
cp "$fixtures"/sites/*.json "$work/seed-site/"
python3 - "$fixtures" "$work" <<'PY'
import json, sys, os
fixtures, work = sys.argv[1], sys.argv[2]
for i, case in enumerate(json.load(open(os.path.join(fixtures, "invalid_surveys.json")))):
    open(os.path.join(work, "seed-survey", f"invalid-{i}.json"), "w").write(json.dumps(case["survey"]))
cases = json.load(open(os.path.join(fixtures, "responses.json")))
for i, case in enumerate(cases["valid"] + cases["invalid"]):
    open(os.path.join(work, "seed-response", f"case-{i}.json"), "w").write(json.dumps(case["payload"]))
for i, case in enumerate(json.load(open(os.path.join(fixtures, "invalid_sites.json")))):
    open(os.path.join(work, "seed-site", f"invalid-{i}.json"), "w").write(json.dumps(case["site"]))
for i, line in enumerate(open(os.path.join(fixtures, "responses_sample.jsonl"))):
    open(os.path.join(work, "seed-response", f"line-{i}.json"), "w").write(line)
PY
# The JSON target starts from every document above.
cp "$work"/seed-survey/* "$work"/seed-response/* "$work/seed-json/"

status=0
for target in survey response json site; do
  echo "== fuzz_$target for ${seconds}s"
  "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 \
    -artifact_prefix="$work/" "$work/corpus-$target" "$work/seed-$target" 2>&1 |
    grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|ERROR|SUMMARY|Test unit written|DONE" || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
exit $status
