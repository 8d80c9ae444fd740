#!/usr/bin/env bash
# Measures the decision service with wrk on loopback, beside a floor measured in the same run.
#
#   Scripts/serve-bench.sh [SECONDS] [RUNS]      (defaults: 10 s, 3 runs of each; QUICK=1: no soak, no reloads)
#
# - throughput and p50/p99 latency of `POST /v1/decisions` (keep-alive, the Kaiser policy, the
#   ~1 KB case `Examples/direct-booking-without-authorization.json`), runs alternating with
# - the floor: the same framework (Hummingbird 2, `precert-serve-floor`) reading the same request
#   and answering the same decision bytes without evaluating: the ratio is the service's cost;
# - p50/p99 at about half the service's maximum throughput (wrk paced with `delay()`);
# - memory over 1,000,000 requests (resident set sampled every 5 s);
# - a reload under load: the policy files are rewritten and SIGHUP sent 20 times during a run;
#   wrk counts every response that is not 200 and every socket error (target: none).
#
# The server is pinned to CPU 0 and wrk to CPU 1 (`taskset`), so that they do not take turns on one
# core; on a 2-core machine the service therefore has one core. Medians of RUNS runs are printed.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${1:-10}
RUNS=${2:-3}
CONNECTIONS=${CONNECTIONS:-16}
SERVICE_PORT=${SERVICE_PORT:-18180}
FLOOR_PORT=${FLOOR_PORT:-18181}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v taskset >/dev/null || { apt-get update -qq && apt-get install -y -qq util-linux; }

swift build -c release --product precert-server >&2
swift build -c release --product precert-serve-floor >&2
BIN=$(swift build -c release --show-bin-path)

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# The served policies: a copy, so the reload test can rewrite it.
mkdir -p "$WORK/policies"
cp -r Policies/kaiser-norcal Policies/calendars "$WORK/policies/"
tr -d '\n' < Examples/direct-booking-without-authorization.json > "$WORK/case.json"
CASE_BYTES=$(wc -c < "$WORK/case.json")

wait_ready() {
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$1$2" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2
  exit 1
}

taskset -c 0 "$BIN/precert-server" --policies "$WORK/policies" --port "$SERVICE_PORT" --watch-interval 0 \
  --max-in-flight 100000 --log-level warning 2>"$WORK/service.log" &
SERVICE_PID=$!
PIDS+=("$SERVICE_PID")
wait_ready "$SERVICE_PORT" /readyz
curl -sf -H 'Content-Type: application/json' --data-binary @"$WORK/case.json" \
  "http://127.0.0.1:$SERVICE_PORT/v1/decisions" > "$WORK/decision.json"
RESPONSE_BYTES=$(wc -c < "$WORK/decision.json")

taskset -c 0 "$BIN/precert-serve-floor" "$FLOOR_PORT" "$WORK/decision.json" 2>/dev/null &
PIDS+=($!)
for _ in $(seq 1 100); do
  curl -sf -X POST --data-binary @"$WORK/case.json" "http://127.0.0.1:$FLOOR_PORT/v1/decisions" >/dev/null 2>&1 && break
  sleep 0.1
done

# The wrk script: POST the case; with DELAY_MS set, each connection pauses that long between requests.
cat > "$WORK/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$WORK/case.json", "rb"); wrk.body = f:read("*a"); f:close()
local pause = tonumber(os.getenv("DELAY_MS") or "0")
function delay() return pause end
function done(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50_us=%d p99_us=%d requests=%d non200=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99), summary.requests,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
EOF
# (`non200` is wrk's count of responses with a status above 399; the service answers this case 200.)

run_wrk() { # PORT SECONDS [extra env]
  taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$2s" -s "$WORK/post.lua" "http://127.0.0.1:$1/v1/decisions" | grep '^RESULT'
}
field() { sed -E "s/.* $1=([0-9.]+).*/\1/"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "case: $CASE_BYTES bytes; decision: $RESPONSE_BYTES bytes; $CONNECTIONS connections, keep-alive; $RUNS runs of ${SECONDS_PER_RUN}s each"
run_wrk "$SERVICE_PORT" 3 >/dev/null  # warm up both
run_wrk "$FLOOR_PORT" 3 >/dev/null
: > "$WORK/service.txt"; : > "$WORK/floor.txt"
for run in $(seq 1 "$RUNS"); do
  run_wrk "$FLOOR_PORT" "$SECONDS_PER_RUN" | tee -a "$WORK/floor.txt"
  run_wrk "$SERVICE_PORT" "$SECONDS_PER_RUN" | tee -a "$WORK/service.txt"
done
SERVICE_RPS=$(field rps < "$WORK/service.txt" | median)
FLOOR_RPS=$(field rps < "$WORK/floor.txt" | median)
echo "service: median $SERVICE_RPS req/s, p50 $(field p50_us < "$WORK/service.txt" | median) us, p99 $(field p99_us < "$WORK/service.txt" | median) us"
echo "floor:   median $FLOOR_RPS req/s, p50 $(field p50_us < "$WORK/floor.txt" | median) us, p99 $(field p99_us < "$WORK/floor.txt" | median) us"
awk -v s="$SERVICE_RPS" -v f="$FLOOR_RPS" 'BEGIN {printf "ratio:   %.2f of the floor (target at least 0.80)\n", s / f}'

# Half the maximum: each connection waits so that the connections together ask for about half.
DELAY=$(awk -v c="$CONNECTIONS" -v r="$SERVICE_RPS" 'BEGIN {d = c * 1000 / (r / 2); printf "%d", (d < 1) ? 1 : d}')
HALF=$(DELAY_MS=$DELAY run_wrk "$SERVICE_PORT" "$SECONDS_PER_RUN")
echo "at about half the maximum ($(echo "$HALF" | field rps) req/s, ${DELAY} ms between requests per connection): p50 $(echo "$HALF" | field p50_us) us, p99 $(echo "$HALF" | field p99_us) us (target p99 under 2000 us)"
FLOOR_HALF=$(DELAY_MS=$DELAY run_wrk "$FLOOR_PORT" "$SECONDS_PER_RUN")
echo "the floor paced the same ($(echo "$FLOOR_HALF" | field rps) req/s): p50 $(echo "$FLOOR_HALF" | field p50_us) us, p99 $(echo "$FLOOR_HALF" | field p99_us) us"

# QUICK=1 stops here (throughput and latency only).
[ "${QUICK:-0}" = 1 ] && exit 0

# Memory over 1,000,000 requests.
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SERVICE_PID/status"; }
SOAK_SECONDS=$(awk -v r="$SERVICE_RPS" 'BEGIN {printf "%d", 1000000 / r + 5}')
echo "memory over about 1,000,000 requests (${SOAK_SECONDS}s): resident KB sampled every 5 s:"
BEFORE=$(rss)
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${SOAK_SECONDS}s" -s "$WORK/post.lua" "http://127.0.0.1:$SERVICE_PORT/v1/decisions" > "$WORK/soak.txt" &
WRK_PID=$!
SAMPLES=()
while kill -0 "$WRK_PID" 2>/dev/null; do SAMPLES+=("$(rss)"); sleep 5; done
wait "$WRK_PID" || true
echo "  before $BEFORE; during ${SAMPLES[*]}; after $(rss)"
grep '^RESULT' "$WORK/soak.txt" | sed 's/^RESULT/  soak:/'

# A reload under load: the policy rewritten (a comment appended, so the set changes) and SIGHUP, 20 times.
echo "reload under load: 20 reloads during a ${SECONDS_PER_RUN}s run"
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -s "$WORK/post.lua" "http://127.0.0.1:$SERVICE_PORT/v1/decisions" > "$WORK/reload.txt" &
WRK_PID=$!
sleep 1
PAUSE=$(awk -v s="$SECONDS_PER_RUN" 'BEGIN {printf "%.2f", (s - 2) / 20}')
for round in $(seq 1 20); do
  echo "# reload $round" >> "$WORK/policies/kaiser-norcal/behavioral-health.yaml"
  kill -HUP "$SERVICE_PID"
  sleep "$PAUSE"
done
wait "$WRK_PID" || true
grep '^RESULT' "$WORK/reload.txt" | sed 's/^RESULT/  during reloads:/'
echo "  reloads that replaced the set: $(curl -s "http://127.0.0.1:$SERVICE_PORT/metrics" | awk -F' ' '/^precert_policy_reloads_total\{result="replaced"\}/ {print $2 - 1}')"
