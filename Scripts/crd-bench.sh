#!/usr/bin/env bash
# Measures the CDS Hooks service (Da Vinci CRD) with wrk on loopback: the done-when order-sign
# request (CPT 90837, F33.1, Kaiser NorCal coverage, a performer in the directory) posted again and
# again to `POST /cds-services/precert-order-sign`, keep-alive, CRD authentication off (loopback).
#
#   Scripts/crd-bench.sh [SECONDS] [CONNECTIONS]      (defaults: 20 s, 2 connections)
#
# Prints wrk's summary and one `wrk-result` line (requests/s, p50/p90/p99/max latency in ms) and
# the count of each HTTP status; every answer must be 200 and the p99 far under CRD's 5 s limit.
# The server is pinned to CPU 0 and wrk to CPU 1 (`taskset`) on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-20}
CONNECTIONS=${2:-2}
PORT=${PORT:-18191}
REQUEST=Tests/PrecertServiceTests/Fixtures/crd/order-sign-in-directory.json

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v taskset >/dev/null || { apt-get update -qq && apt-get install -y -qq util-linux; }

swift build -c release --product precert-server >&2
BIN=$(swift build -c release --show-bin-path)

# shellcheck source=Scripts/lib/crd-server.sh
source Scripts/lib/crd-server.sh
SERVER_PREFIX="taskset -c 0" start_crd_server "$BIN" "$PORT" --max-in-flight 100000
URL="http://127.0.0.1:$PORT/cds-services/precert-order-sign"
status=$(curl -s -o "$WORK/answer.json" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "@$REQUEST" "$URL")
[ "$status" = 200 ] || { echo "the order-sign request answered HTTP $status" >&2; cat "$WORK/server.log" >&2; exit 1; }
echo "request: $(wc -c < "$REQUEST") bytes; answer: $(wc -c < "$WORK/answer.json") bytes; $CONNECTIONS connections, ${DURATION}s"

taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d3s -s Scripts/wrk/decision.lua "$URL" -- "$REQUEST" >/dev/null  # warm up
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s Scripts/wrk/decision.lua "$URL" -- "$REQUEST"
