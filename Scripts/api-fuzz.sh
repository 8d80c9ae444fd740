#!/usr/bin/env bash
# Fuzzes the decision service against its own OpenAPI document with schemathesis (from PyPI):
# every operation, generated and mutated requests, every check schemathesis has. The targets: no
# 5xx, and no response that the served document does not allow (status, content type, headers,
# body schema).
#
#   Scripts/api-fuzz.sh [MAX_EXAMPLES] [SEED]      (defaults: 200 examples per operation, seed 1)
set -euo pipefail
cd "$(dirname "$0")/.."

MAX_EXAMPLES=${1:-200}
SEED=${2:-1}
PORT=${PORT:-18190}
SCHEMATHESIS_VERSION=4.32.5

VENV=.build-api-fuzz/venv
if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

swift build --product precert-server >&2
BIN=$(swift build --show-bin-path)
WORK=$(mktemp -d)
"$BIN/precert-server" --policies Policies --port "$PORT" --watch-interval 0 --log-level error 2>"$WORK/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done

# `positive_data_acceptance` is left out: a case that matches the case schema can still name a
# payer with no policy (404) or hold values a policy's inputs refuse (422), which the document
# allows as answers; every other check runs.
STATUS=0
"$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/openapi.json" \
  --checks all --exclude-checks positive_data_acceptance \
  --max-examples "$MAX_EXAMPLES" --seed "$SEED" --workers 2 \
  --request-timeout 10 --suppress-health-check too_slow,filter_too_much \
  --report junit --report-dir "$WORK/report" || STATUS=$?
if grep -q '"level":"error"\|"level":"critical"' "$WORK/server.log"; then
  echo "the service logged errors during the run:" >&2
  cat "$WORK/server.log" >&2
  exit 1
fi
exit $STATUS
