#!/usr/bin/env bash
# Scale-out and fail-over test: two precert-server replicas behind nginx, under wrk load, one
# replica killed (SIGKILL) and restarted while the load runs, then the other. The target is
# zero failed requests: no non-2xx answer and no socket error seen by the client.
#
#   Scripts/scale-out.sh                       # builds precert-server (release) first
#   PRECERT_SERVER_BIN=/path/to/precert-server Scripts/scale-out.sh
#   DURATION=60 CONNECTIONS=16 Scripts/scale-out.sh
#
# Everything listens on 127.0.0.1 only: the replicas on PORT_A and PORT_B, nginx on LB_PORT.
# nginx runs from a configuration in a temporary folder (as `nobody` when the script runs as
# root), balances the two replicas over keep-alive connections and passes a request on to the
# other replica when one fails (`proxy_next_upstream error timeout http_502 http_503
# non_idempotent`; see docs/DEPLOYMENT.md for why a decision may be retried). wrk POSTs a case
# (CASE_FILE, about 1 KB) to /v1/decisions through nginx with Scripts/wrk/decision.lua.
#
# Timeline (seconds after wrk starts): replica a is killed at KILL_AT and started again
# RESTART_AFTER later; replica b likewise at SECOND_KILL_AT (0: b is never killed). KILL_SIGNAL
# (KILL) is the signal sent; KILL_SIGNAL=TERM tries the graceful shutdown instead. Installs
# nginx, wrk and curl with apt-get when they are missing (as root). Every process it started is
# stopped on exit, and the temporary folder removed (KEEP_WORK=1 keeps it, with the logs).
# Exits 0 when no request failed, 1 when any did, 2 when the test could not run.
set -euo pipefail

DURATION=${DURATION:-30}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-8}
KILL_AT=${KILL_AT:-10}
RESTART_AFTER=${RESTART_AFTER:-5}
SECOND_KILL_AT=${SECOND_KILL_AT:-20}
CASE_FILE=${CASE_FILE:-Examples/direct-booking-without-authorization.json}
POLICIES=${POLICIES:-Policies}
LB_PORT=${LB_PORT:-28180}
PORT_A=${PORT_A:-28181}
PORT_B=${PORT_B:-28182}
READY_TIMEOUT=${READY_TIMEOUT:-60}
# The signal that stops a replica: KILL (no warning) by default; TERM tries graceful shutdown.
KILL_SIGNAL=${KILL_SIGNAL:-KILL}
# Also write an audit trail (to the temporary folder) and count its records.
AUDIT=${AUDIT:-0}
LOG_LEVEL=${LOG_LEVEL:-notice}

cd "$(dirname "$0")/.."
ROOT=$PWD

die() { echo "scale-out: $*" >&2; exit 2; }

# Settings meant for another run of the service must not leak into these replicas.
for variable in $(compgen -v PRECERT_ || true); do
    [[ $variable == PRECERT_SERVER_BIN ]] || unset "$variable"
done

# --- tools --------------------------------------------------------------------------------------
missing=()
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
    [[ $(id -u) -eq 0 ]] || die "missing ${missing[*]}: install them (apt-get install ${missing[*]})"
    echo "installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; } \
        || die "could not install ${missing[*]}"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

[[ -f $CASE_FILE ]] || die "no case file $CASE_FILE"
[[ -d $POLICIES ]] || die "no policy folder $POLICIES"
CASE_FILE=$(cd "$(dirname "$CASE_FILE")" && pwd)/$(basename "$CASE_FILE")

# --- the server ---------------------------------------------------------------------------------
if [[ -n ${PRECERT_SERVER_BIN:-} ]]; then
    BIN=$PRECERT_SERVER_BIN
else
    echo "building precert-server (release)" >&2
    swift build -c release --product precert-server >&2
    BIN=$(swift build -c release --show-bin-path)/precert-server
fi
[[ -x $BIN ]] || die "no executable at $BIN"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$LB_PORT" "$PORT_A" "$PORT_B"; do
    ! port_in_use "$port" || die "port $port is in use: set LB_PORT, PORT_A, PORT_B"
done

WORK=$(mktemp -d -t precert-scale-out.XXXXXX)
chmod 755 "$WORK"

declare -A PID=()       # replica -> pid
declare -A PORT=([a]=$PORT_A [b]=$PORT_B)
NGINX_PID=""
WRK_PID=""

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in "$WRK_PID" "${PID[a]:-}" "${PID[b]:-}"; do
        if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; fi
    done
    if [[ -n $NGINX_PID ]]; then kill -QUIT "$NGINX_PID" 2>/dev/null || true; fi
    for pid in "$WRK_PID" "${PID[a]:-}" "${PID[b]:-}" "$NGINX_PID"; do
        if [[ -n $pid ]]; then wait "$pid" 2>/dev/null || true; fi
    done
    if ((status != 0 && status != 1)) && [[ -d $WORK ]]; then
        for log in "$WORK"/replica-*.log "$WORK"/nginx/error.log; do
            [[ -s $log ]] && { echo "--- last lines of ${log#"$WORK"/}" >&2; tail -n 20 "$log" >&2; }
        done
    fi
    if [[ ${KEEP_WORK:-0} == 1 ]]; then
        echo "kept $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

now_us() { echo "${EPOCHREALTIME/./}"; }
seconds_since() { # start_us -> seconds with three decimals
    local elapsed=$(($(now_us) - $1))
    printf '%d.%03d' $((elapsed / 1000000)) $((elapsed % 1000000 / 1000))
}

if [[ $AUDIT == 1 ]]; then
    head -c 32 /dev/urandom >"$WORK/audit.key"
fi

declare -A STARTED=()   # replica -> start time, microseconds
start_replica() {
    local name=$1 audit=()
    if [[ $AUDIT == 1 ]]; then
        audit=(--audit-log "$WORK/audit-$name.jsonl" --audit-key-file "$WORK/audit.key")
    fi
    STARTED[$name]=$(now_us)
    "$BIN" --policies "$POLICIES" --host 127.0.0.1 --port "${PORT[$name]}" \
        --log-level "$LOG_LEVEL" "${audit[@]}" 2>>"$WORK/replica-$name.log" &
    PID[$name]=$!
}

# Waits for the replica's /readyz to answer 200; prints the seconds since it was started.
wait_ready() {
    local name=$1 deadline=$(($(now_us) + READY_TIMEOUT * 1000000))
    until curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:${PORT[$name]}/readyz" 2>/dev/null; do
        kill -0 "${PID[$name]}" 2>/dev/null || die "replica $name exited before it was ready"
        (($(now_us) < deadline)) || die "replica $name not ready after ${READY_TIMEOUT} s"
        sleep 0.01
    done
    seconds_since "${STARTED[$name]}"
}

sleep_until() { # offset seconds after WRK_START
    local target=$((WRK_START + $1 * 1000000)) left
    left=$((target - $(now_us)))
    if ((left > 0)); then sleep "$((left / 1000000)).$(printf '%06d' $((left % 1000000)))"; fi
}

# --- replicas and nginx -------------------------------------------------------------------------
start_replica a
start_replica b
READY_A=$(wait_ready a)
READY_B=$(wait_ready b)

mkdir -p "$WORK/nginx/tmp"
cat >"$WORK/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
    log_format upstreams '\$request_method \$status \$upstream_status \$upstream_addr';
    access_log $WORK/nginx/access.log upstreams buffer=64k flush=1s;
    client_body_temp_path $WORK/nginx/tmp/client_body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    # max_fails=0: a replica is never taken out of the rotation. With two replicas, nginx's
    # passive marking can hold both as failed at once (one dead, the other with one transient
    # error) and then answers 502 "no live upstreams" without trying either; unmarked, each
    # request tries its pick and goes on to the other replica when that one refuses, which on
    # loopback costs microseconds.
    upstream precert {
        server 127.0.0.1:$PORT_A max_fails=0;
        server 127.0.0.1:$PORT_B max_fails=0;
        keepalive 32;
        # Shorter than the server's --idle-timeout (30 s), so nginx never reuses a connection
        # the server is closing.
        keepalive_timeout 20s;
    }
    server {
        listen 127.0.0.1:$LB_PORT;
        location / {
            proxy_pass http://precert;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries 3;
            proxy_next_upstream_timeout 5s;
            proxy_connect_timeout 1s;
            proxy_read_timeout 10s;
        }
    }
}
EOF
if [[ $(id -u) -eq 0 ]]; then
    chown -R nobody:nogroup "$WORK/nginx"
    setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
        "$NGINX" -p "$WORK/nginx" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" &
else
    "$NGINX" -p "$WORK/nginx" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" &
fi
NGINX_PID=$!
deadline=$(($(now_us) + 10000000))
until curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$LB_PORT/readyz" 2>/dev/null; do
    kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(tail -n 5 "$WORK/nginx/error.log" 2>/dev/null)"
    (($(now_us) < deadline)) || die "nginx does not answer on port $LB_PORT"
    sleep 0.05
done

# --- load, kills and restarts -------------------------------------------------------------------
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency \
    -s "$ROOT/Scripts/wrk/decision.lua" "http://127.0.0.1:$LB_PORT/v1/decisions" -- "$CASE_FILE" \
    >"$WORK/wrk.out" 2>&1 &
WRK_PID=$!
WRK_START=$(now_us)

declare -A KILLED_AT=() RESTARTED_AT=() RESTART_READY=()
kill_and_restart() {
    local name=$1 at=$2
    sleep_until "$at"
    kill -s "$KILL_SIGNAL" "${PID[$name]}"
    wait "${PID[$name]}" 2>/dev/null || true
    KILLED_AT[$name]=$(seconds_since "$WRK_START")
    sleep_until "$((at + RESTART_AFTER))"
    start_replica "$name"
    RESTARTED_AT[$name]=$(seconds_since "$WRK_START")
    RESTART_READY[$name]=$(wait_ready "$name")
}
kill_and_restart a "$KILL_AT"
if ((SECOND_KILL_AT > 0)); then kill_and_restart b "$SECOND_KILL_AT"; fi

wrk_status=0
wait "$WRK_PID" || wrk_status=$?
((wrk_status == 0)) || die "wrk exited with status $wrk_status: $(cat "$WORK/wrk.out" 2>/dev/null)"
WRK_PID=""

# --- report -------------------------------------------------------------------------------------
result=$(grep '^wrk-result ' "$WORK/wrk.out") || die "wrk printed no result: $(cat "$WORK/wrk.out")"
declare -A R=()
for pair in ${result#wrk-result }; do R[${pair%%=*}]=${pair#*=}; done
socket_errors=$((R[connect_errors] + R[read_errors] + R[write_errors] + R[timeouts]))
failed=$((R[non_2xx] + socket_errors))
statuses=$(awk '/^wrk-status /{printf "%s%s: %s", sep, $2, $3; sep=", "}' "$WORK/wrk.out")

# nginx's view: which replica answered, how many requests it passed on to the other replica.
kill -QUIT "$NGINX_PID" 2>/dev/null || true
wait "$NGINX_PID" 2>/dev/null || true
NGINX_PID=""
read -r via_a via_b retried < <(awk -v a="127.0.0.1:$PORT_A" -v b="127.0.0.1:$PORT_B" '
    $1 != "POST" { next }
    { n = split($0, f, " "); last = f[n]; if (last == a) ca++; else if (last == b) cb++;
      if ($0 ~ /, /) r++ }
    END { printf "%d %d %d\n", ca, cb, r }' "$WORK/nginx/access.log")

peak_rss() { awk '/^VmHWM/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

case_bytes=$(wc -c <"$CASE_FILE")
echo
echo "precert scale-out: 2 replicas of precert-server behind nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), $(uname -m), $(nproc) cores"
echo "load: wrk ${DURATION} s, $THREADS threads, $CONNECTIONS connections, POST /v1/decisions with ${CASE_FILE#"$ROOT"/} ($case_bytes bytes)"
echo "replica a: ready ${READY_A} s after start; SIG$KILL_SIGNAL at ${KILLED_AT[a]} s, restarted at ${RESTARTED_AT[a]} s, ready ${RESTART_READY[a]} s after restart; peak RSS since restart $(peak_rss "${PID[a]}")"
if [[ -n ${KILLED_AT[b]:-} ]]; then
    echo "replica b: ready ${READY_B} s after start; SIG$KILL_SIGNAL at ${KILLED_AT[b]} s, restarted at ${RESTARTED_AT[b]} s, ready ${RESTART_READY[b]} s after restart; peak RSS since restart $(peak_rss "${PID[b]}")"
else
    echo "replica b: ready ${READY_B} s after start; not killed; peak RSS $(peak_rss "${PID[b]}")"
fi
echo "requests: ${R[requests]} in ${R[seconds]} s = ${R[per_second]} requests/s (answered by a: $via_a, by b: $via_b)"
echo "statuses: ${statuses:-none}"
echo "non-2xx responses: ${R[non_2xx]}"
echo "socket errors: $socket_errors (connect ${R[connect_errors]}, read ${R[read_errors]}, write ${R[write_errors]}, timeout ${R[timeouts]})"
echo "latency: p50 ${R[p50_ms]} ms, p90 ${R[p90_ms]} ms, p99 ${R[p99_ms]} ms, max ${R[max_ms]} ms"
echo "passed on by nginx to the other replica: $retried requests"
if [[ $AUDIT == 1 ]]; then
    echo "audit records: $(cat "$WORK"/audit-*.jsonl 2>/dev/null | wc -l) (a and b, restarts included)"
fi
if ((failed == 0)); then
    echo "result: PASS, 0 failed requests"
else
    echo "result: FAIL, $failed failed requests"
    exit 1
fi
