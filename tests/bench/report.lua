-- Shared by the bench scripts: reads the run's parameters from the environment and, when wrk is
-- done, prints one machine-readable line that run.sh gathers into its table.

bench = {
    name = os.getenv("QUORUM_BENCH_NAME") or "unnamed",
    token = os.getenv("QUORUM_TOKEN") or "",
    meeting = os.getenv("QUORUM_MEETING") or "",
}

function bench.authorize()
    wrk.headers["Authorization"] = "Bearer " .. bench.token
end

-- wrk counts every answer with a status above 399 in errors.status; these routes answer no 3xx,
-- so that count is the number of non-2xx answers. Socket errors are counted apart.
function done(summary, latency, requests)
    local seconds = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format(
        "BENCH_RESULT %s %d %.1f %.3f %.3f %.3f %d %d\n",
        bench.name, summary.requests, summary.requests / seconds,
        latency:percentile(50) / 1000, latency:percentile(95) / 1000,
        latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
