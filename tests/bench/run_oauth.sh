#!/usr/bin/env bash
# The OAuth benchmarks against a real quorumd on loopback (`make bench`; not a test).
# Usage: tests/bench/run_oauth.sh QUORUMD_BINARY
#
# One fresh quorumd (--rate-limits off) in a temporary data directory, with a confidential app
# registered and installed in the default workspace through `quorumd app register/install`.
#  (a) client_credentials tokens per second: wrk POSTs /oauth/token with HTTP Basic, 64
#      connections, 2 threads, BENCH_SECONDS (default 10) after a BENCH_WARMUP-second warm-up
#      (default 2); every answer must be a 200.
#  (b) what checking the token costs GET /v1/meetings/{id}: OAUTH_RUNS (default 5) runs with a
#      personal access token interleaved with as many runs with a client_credentials access token
#      (personal, OAuth, personal, ...), same scopes, same meeting, same length; the table shows
#      each kind's median, the difference between the medians and the run-to-run spread.
# The server's CPU time per request is printed beside each run: on a shared machine it moves
# much less with the other load than requests/s do.
set -euo pipefail

quorumd="${1:-}"
if [ -z "$quorumd" ] || [ ! -x "$quorumd" ]; then
    echo "usage: $0 QUORUMD_BINARY" >&2
    exit 2
fi
for tool in wrk python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "run_oauth.sh: $tool is missing (installer/debian-packages.sh test installs it)" >&2
        exit 2
    fi
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
seconds="${BENCH_SECONDS:-10}"
warmup="${BENCH_WARMUP:-2}"
runs="${OAUTH_RUNS:-5}"
connections=64
threads=2
work="$(mktemp -d "${TMPDIR:-/tmp}/quorum-oauth-bench.XXXXXX")"
results="$work/results"
: >"$results"
# shellcheck source=server.sh
. "$here/server.sh"

dir="$work/server"
quorumctl() {
    "$quorumd" --data-dir "$dir/data" "$@" 2>>"$work/cli.log"
}

start_quorumd "$dir" --rate-limits off
base_url="http://127.0.0.1:$port"
echo "== quorumd on $base_url"

# The app, and the two kinds of bearer for (b) with the same scopes.
bench_scopes="meeting.read,meeting.write"
mapfile -t app < <(quorumctl app register --workspace default --name "Bench app" \
    --type confidential --scopes "$bench_scopes")
client_id="${app[0]:-}"
client_secret="${app[1]:-}"
if [ -z "$client_id" ] || [ -z "$client_secret" ]; then
    echo "run_oauth.sh: app register printed no client id and secret:" >&2
    cat "$work/cli.log" >&2
    exit 1
fi
quorumctl app install "$client_id" --workspace default >/dev/null
personal="$(quorumctl token create --user admin --scopes "$bench_scopes" --name bench)"

# RFC 6749 section 2.3.1: each part is form-urlencoded before the two are joined and encoded.
basic="$(python3 - "$client_id" "$client_secret" <<'PYTHON'
import base64, sys, urllib.parse
client_id, secret = (urllib.parse.quote_plus(part) for part in sys.argv[1:3])
print(base64.b64encode(f"{client_id}:{secret}".encode()).decode())
PYTHON
)"

# A meeting hosted by admin; an OAuth access token; and a check that both bearers read the
# meeting, so that the runs below compare two 200s and not a 200 with a 403.
start_time="$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)"
read -r meeting oauth < <(python3 - "$base_url" "$personal" "$basic" "$start_time" <<'PYTHON'
import json, sys, urllib.request
base, personal, basic, start = sys.argv[1:5]

def call(path, headers, data=None):
    request = urllib.request.Request(base + path, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.load(response)

body = json.dumps({"topic": "Bench target", "start_time": start, "duration_minutes": 60})
_, meeting = call("/v1/meetings", {"Authorization": f"Bearer {personal}",
                                   "Content-Type": "application/json"}, body.encode())
_, grant = call("/oauth/token", {"Authorization": f"Basic {basic}",
                                 "Content-Type": "application/x-www-form-urlencoded"},
                b"grant_type=client_credentials")
for token in (personal, grant["access_token"]):
    status, read = call(f"/v1/meetings/{meeting['id']}", {"Authorization": f"Bearer {token}"})
    assert status == 200 and read["id"] == meeting["id"], (status, read)
print(meeting["id"], grant["access_token"])
PYTHON
) || true
[ -n "${oauth:-}" ] || { echo "run_oauth.sh: could not set up the meeting and tokens" >&2; exit 1; }

# server_cpu_ticks: quorumd's user and system CPU time so far, in clock ticks.
server_cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$server_pid/stat"
}

# bench NAME SCRIPT TOKEN: the measured run; appends wrk's BENCH_RESULT fields and the server's
# CPU microseconds per request to the results.
bench() {
    local name="$1" script="$2" bearer="$3"
    local before after
    before="$(server_cpu_ticks)"
    QUORUM_BENCH_DIR="$here" QUORUM_BENCH_NAME="$name" QUORUM_TOKEN="$bearer" \
        QUORUM_MEETING="$meeting" QUORUM_BASIC="$basic" \
        wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$here/$script" \
        "$base_url" >"$work/$name.wrk"
    after="$(server_cpu_ticks)"
    grep '^BENCH_RESULT' "$work/$name.wrk" | cut -d' ' -f2- |
        awk -v ticks="$((after - before))" -v hz="$(getconf CLK_TCK)" \
            '{ print $0, ($2 > 0 ? ticks * 1e6 / hz / $2 : 0) }' >>"$results"
    tail -n 1 "$results" | awk '{ printf "   %-16s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  " \
        "non-2xx %d  socket errors %d  cpu %5.0f us/req\n", $1, $3, $4, $6, $7, $8, $9 }'
}

# warm NAME SCRIPT TOKEN: a short unmeasured run.
warm() {
    QUORUM_BENCH_DIR="$here" QUORUM_BENCH_NAME=warmup QUORUM_TOKEN="$3" \
        QUORUM_MEETING="$meeting" QUORUM_BASIC="$basic" \
        wrk -t"$threads" -c"$connections" -d"${warmup}s" -s "$here/$2" "$base_url" >/dev/null
}

echo "-- (a) POST /oauth/token grant_type=client_credentials: ${warmup}s warm-up, ${seconds}s run"
warm token oauth_token.lua ""
bench client_credentials oauth_token.lua ""

echo "-- (b) GET /v1/meetings/{id}: $runs runs per bearer, interleaved, ${seconds}s each"
warm personal get_meeting.lua "$personal"
warm oauth get_meeting.lua "$oauth"
for run in $(seq 1 "$runs"); do
    bench "personal_$run" get_meeting.lua "$personal"
    bench "oauth_$run" get_meeting.lua "$oauth"
done

echo
awk '
function median(list, n,    sorted, i, j, swap) {
    for (i = 1; i <= n; ++i) sorted[i] = list[i]
    for (i = 2; i <= n; ++i)
        for (j = i; j > 1 && sorted[j - 1] > sorted[j]; --j) {
            swap = sorted[j]; sorted[j] = sorted[j - 1]; sorted[j - 1] = swap
        }
    return (n % 2) ? sorted[(n + 1) / 2] : (sorted[n / 2] + sorted[n / 2 + 1]) / 2
}
function low(list, n,    i, value) {
    value = list[1]
    for (i = 2; i <= n; ++i) if (list[i] < value) value = list[i]
    return value
}
function high(list, n,    i, value) {
    value = list[1]
    for (i = 2; i <= n; ++i) if (list[i] > value) value = list[i]
    return value
}
{
    split($1, parts, "_")
    kind = parts[1]
    if ($1 == "client_credentials") kind = $1
    n = ++count[kind]
    rps[kind, n] = $3; p99[kind, n] = $6; cpu[kind, n] = $9
    bad[kind] += $7 + $8
}
END {
    c = "client_credentials"
    printf "%-42s %9s %8s %8s %9s %9s  %-18s %s\n", "benchmark", "req/s", "p99 ms", "cpu us",
           "rps min", "rps max", "target", "result"
    pass = rps[c, 1] >= 2000 && bad[c] == 0
    printf "%-42s %9.0f %8.2f %8.0f %9s %9s  %-18s %s\n", "POST /oauth/token (client creds)",
           rps[c, 1], p99[c, 1], cpu[c, 1], "-", "-", ">= 2000 tokens/s", pass ? "PASS" : "MISS"
    split("personal oauth", kinds, " ")
    for (k = 1; k <= 2; ++k) {
        kind = kinds[k]; n = count[kind]
        for (i = 1; i <= n; ++i) { r[i] = rps[kind, i]; q[i] = p99[kind, i]; u[i] = cpu[kind, i] }
        m[kind] = median(r, n); mp[kind] = median(q, n); mc[kind] = median(u, n)
        spreadPct[kind] = m[kind] > 0 ? 100 * (high(r, n) - low(r, n)) / m[kind] : 0
        printf "%-42s %9.0f %8.2f %8.0f %9.0f %9.0f  %-18s %s\n",
               "GET /v1/meetings/{id}, " kind " (median)", m[kind], mp[kind], mc[kind],
               low(r, n), high(r, n), "-", bad[kind] == 0 ? "-" : "non-2xx!"
    }
    difference = m["personal"] > 0 ? 100 * (m["oauth"] - m["personal"]) / m["personal"] : 0
    noise = spreadPct["personal"] > spreadPct["oauth"] ? spreadPct["personal"] : spreadPct["oauth"]
    cpuDifference = mc["personal"] > 0 ? 100 * (mc["oauth"] - mc["personal"]) / mc["personal"] : 0
    p99Difference = mp["personal"] > 0 ? 100 * (mp["oauth"] - mp["personal"]) / mp["personal"] : 0
    same = (difference < 0 ? -difference : difference) <= noise \
           && bad["personal"] == 0 && bad["oauth"] == 0
    printf "OAuth vs personal: %+.1f%% req/s (run-to-run spread up to %.1f%%), %+.1f%% p99," \
           " %+.1f%% cpu per request -> %s\n", difference, noise,
           p99Difference, cpuDifference,
           same ? "PASS (no measurable difference)" : "MISS (outside the spread)"
}' "$results"
echo "($connections connections, $threads wrk threads, ${seconds}s each, $(nproc) CPUs," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end;" \
     "cpu us = quorumd's CPU time per request)"
