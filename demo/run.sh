#!/usr/bin/env bash
# The main job: the collector on 127.0.0.1 with a SQLite file, serving the demo shop, the
# workspace, the survey editor and the widget build. A fresh database is seeded with generated
# history so the workspace has something to show. Ctrl-C stops it cleanly.
#   demo/run.sh BUILD_DIR [PORT]
set -euo pipefail
build=${1:-build/release}
port=${2:-8787}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
data=build/demo
db=$data/sondar.db
mkdir -p "$data"
fresh=0
[ -f "$db" ] || fresh=1
# The workspace, the editor, summary and export need this token; it stays the same across runs.
token_file=$data/admin-token
if [ ! -s "$token_file" ]; then
  (umask 077 && od -An -tx1 -N20 /dev/urandom | tr -d ' \n' > "$token_file")
fi
token=$(cat "$token_file")

"$build/demo/collector/sondar-collector" --db "$db" --surveys demo/surveys --port "$port" \
  --admin-token-file "$token_file" --allow-private-webhooks \
  --mount /=demo/shop --mount /workspace=demo/workspace --mount /dist=dist --mount /web/src=web/src --mount /web/lib=web/lib --mount /web/schema=web/schema &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM
for _ in $(seq 50); do
  curl -fs "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break
  sleep 0.1
done
# A collector that refused to start (a survey it cannot read, the port taken) has said why.
if ! kill -0 "$pid" 2>/dev/null; then
  wait "$pid" || true
  echo "demo: the collector did not start (see above)" >&2
  exit 1
fi
if [ "$fresh" = 1 ]; then
  # One random seed per survey: with one seed for both, the two files would share responseIds,
  # which the collector rightly refuses (409) as one response moving to another survey.
  # The history ends now and starts 14 days ago: the collector stores client times from before it
  # first saw a survey (less 30 days) as the time it received them.
  seed=7
  start=$(( ($(date +%s) - 14 * 86400) * 1000 ))
  for survey in order-nps checkout-csat; do
    "$build/tests/bench/sondar_gen_responses" "demo/surveys/$survey.json" 300 $((seed++)) "$start" \
      > "$data/seed-$survey.jsonl"
  done
  SONDAR_ADMIN_TOKEN=$token node demo/seed.mjs "http://127.0.0.1:$port" "$data"/seed-*.jsonl
fi
# A viewer's token (no personal data, no exports, no publishing), made once per database and
# kept beside it: the database holds only its hash.
viewer_file=$data/viewer-token
if [ "$fresh" = 1 ] || [ ! -s "$viewer_file" ]; then
  rm -f "$viewer_file"
  (umask 077 && "$build/demo/collector/sondar-collector" --db "$db" token create \
    "viewer-$(date +%s)" --role viewer 2>/dev/null > "$viewer_file") || rm -f "$viewer_file"
fi
viewer_link=""
[ -s "$viewer_file" ] && viewer_link="http://127.0.0.1:$port/workspace/#token=$(cat "$viewer_file")"
cat <<TXT

  sondar demo is running (database $db)
    Shop:       http://127.0.0.1:$port/
    Checkout:   http://127.0.0.1:$port/checkout.html
    Workspace:  http://127.0.0.1:$port/workspace/#token=$token
    As viewer:  $viewer_link
    Editor:     http://127.0.0.1:$port/editor.html#token=$token
    Summary:    curl -H "Authorization: Bearer \$(cat $token_file)" \\
                  http://127.0.0.1:$port/api/summary?survey=order-nps
  Ctrl-C stops it.

TXT
wait $pid
