# Sourced by the CDS Hooks scripts (crd-validate.sh, crd-bench.sh): starts `precert-server` on
# loopback, CRD authentication off, over a copy of the shipped policies whose Kaiser provider
# directory is the synthetic test one (so the done-when performer is in it), and stops it on exit.
#
#   start_crd_server BIN PORT [SERVER FLAGS ...]
#
# BIN is the folder holding precert-server; SERVER_PREFIX (say `taskset -c 0`) runs before it.
# Sets WORK (a temporary folder, removed on exit) and SERVER_PID; fails with the server's log when
# it does not become ready.
start_crd_server() {
  local bin=$1 port=$2
  shift 2
  WORK=$(mktemp -d)
  SERVER_PID=
  trap 'stop_crd_server' EXIT
  cp -r Policies "$WORK/policies"
  cp Tests/PrecertCRDTests/Fixtures/kaiser-norcal-providers.yaml "$WORK/policies/kaiser-norcal/provider-directory.yaml"
  # shellcheck disable=SC2086 # SERVER_PREFIX is a command and its arguments
  ${SERVER_PREFIX:-} "$bin/precert-server" --policies "$WORK/policies" --host 127.0.0.1 --port "$port" --crd-auth off \
    --watch-interval 0 --log-level warning "$@" 2>"$WORK/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the server did not become ready" >&2
  cat "$WORK/server.log" >&2
  exit 1
}

stop_crd_server() {
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "${WORK:-}"
}
