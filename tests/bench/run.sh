#!/usr/bin/env bash
# The API benchmarks against a real quorumd on loopback (`make bench`; not a test).
# Usage: tests/bench/run.sh QUORUMD_BINARY
#
# Each benchmark runs wrk with 64 connections and 2 threads for BENCH_SECONDS (default 10) after
# a BENCH_WARMUP-second warm-up (default 2), against a quorumd started with --rate-limits off in a
# temporary data directory; the POST /v1/meetings run is repeated on a second quorumd with
# --sqlite-synchronous full. One table at the end shows the figures beside the targets.
set -euo pipefail

quorumd="${1:-}"
if [ -z "$quorumd" ] || [ ! -x "$quorumd" ]; then
    echo "usage: $0 QUORUMD_BINARY" >&2
    exit 2
fi
for tool in wrk python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "run.sh: $tool is missing (installer/debian-packages.sh test installs it)" >&2
        exit 2
    fi
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
seconds="${BENCH_SECONDS:-10}"
warmup="${BENCH_WARMUP:-2}"
connections=64
threads=2
work="$(mktemp -d "${TMPDIR:-/tmp}/quorum-bench.XXXXXX")"
results="$work/results"
: >"$results"
# shellcheck source=server.sh
. "$here/server.sh"
# shellcheck source=wrk_runs.sh
. "$here/wrk_runs.sh"

# A start a week ahead keeps every POST valid whatever day it is.
start_time="$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)"

start_server normal
meeting="$(create_meeting)"
[ -n "$meeting" ] || { echo "run.sh: could not create the target meeting" >&2; exit 1; }
bench get_meeting get_meeting.lua
bench join_token join_token.lua
bench create_normal create_meeting.lua
stop_server

start_server full --sqlite-synchronous full
meeting="$(create_meeting)"
bench create_full create_meeting.lua
stop_server

# The table: one row per benchmark, the issue's target beside it. A run with any non-2xx answer
# or socket error misses, whatever its speed.
echo
awk '
BEGIN {
    label["get_meeting"] = "GET /v1/meetings/{id}"
    label["create_normal"] = "POST /v1/meetings (NORMAL)"
    label["create_full"] = "POST /v1/meetings (FULL)"
    label["join_token"] = "POST .../joinToken (host)"
    rps["get_meeting"] = 30000; metric["get_meeting"] = "p99"; limit["get_meeting"] = 5
    rps["create_normal"] = 5000; metric["create_normal"] = "p99"; limit["create_normal"] = 20
    rps["join_token"] = 8000; metric["join_token"] = "p95"; limit["join_token"] = 5
    printf "%-28s %9s %8s %8s %8s %8s %6s %8s  %-26s %s\n", "benchmark", "req/s", "p50 ms",
           "p95 ms", "p99 ms", "non-2xx", "sock", "cpu us", "target", "result"
}
{
    name = $1; r = $3; p50 = $4; p95 = $5; p99 = $6; bad = $7; sock = $8; cpu = $9
    target = "-"; verdict = "-"
    if (name in rps) {
        target = sprintf(">= %dk req/s, %s <= %d ms", rps[name] / 1000, metric[name], limit[name])
        latency = (metric[name] == "p99") ? p99 : p95
        verdict = (r >= rps[name] && latency <= limit[name] && bad == 0 && sock == 0) \
                  ? "PASS" : "MISS"
    }
    printf "%-28s %9.0f %8.2f %8.2f %8.2f %8d %6d %8.0f  %-26s %s\n", label[name], r, p50, p95,
           p99, bad, sock, cpu, target, verdict
}' "$results"
echo "($connections connections, $threads wrk threads, ${seconds}s each, $(nproc) CPUs," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end;" \
     "cpu us = quorumd's CPU time per request)"
