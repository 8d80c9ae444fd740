-- wrk script: POSTs one case document to /v1/decisions, again and again, and counts the answers
-- by HTTP status. Used by Scripts/scale-out.sh; on its own:
--
--   wrk -t2 -c8 -d30s -s Scripts/wrk/decision.lua http://127.0.0.1:8080/v1/decisions \
--       -- Examples/direct-booking-without-authorization.json
--
-- The argument after `--` is the case file (that one by default, about 1 KB). When PRECERT_TOKEN
-- is set, it is sent as a bearer token (for a service run with --tokens-file).
-- At the end it prints one `wrk-result key=value ...` line and one `wrk-status CODE COUNT` line
-- per status seen, for scripts to read, after wrk's own summary.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1] or "Examples/direct-booking-without-authorization.json"
  local file = assert(io.open(path, "rb"))
  local body = file:read("*a")
  file:close()
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"
  local token = os.getenv("PRECERT_TOKEN")
  if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses") or {}) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local ok, other = 0, 0
  local codes = {}
  for status, count in pairs(counts) do
    if status >= 200 and status < 300 then ok = ok + count else other = other + count end
    table.insert(codes, status)
  end
  table.sort(codes)
  local errors = summary.errors
  io.write(string.format(
    "wrk-result requests=%d seconds=%.3f per_second=%.1f ok=%d non_2xx=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), ok, other,
    errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
  for _, status in ipairs(codes) do
    io.write(string.format("wrk-status %d %d\n", status, counts[status]))
  end
end
