-- wrk script: POST the typical family to /v1/assess; counts the responses that are not 200.
-- Usage: wrk -t2 -c64 -d10s -s benches/load/assess.lua http://127.0.0.1:18080/v1/assess
local file = io.open(os.getenv("SOPRO_FAMILY") or "benches/data/typical.json", "rb")
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"

local not_ok = 0
function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format(
    "requests %d, errors %d, requests/s %.0f, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
