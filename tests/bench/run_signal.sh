#!/usr/bin/env bash
# The signalling load benchmark against a real quorumd on loopback (`make bench`; not a test).
# Usage: tests/bench/run_signal.sh QUORUMD_BINARY SIGNAL_BENCH_BINARY
#
# Each run starts a fresh quorumd (rate limits off, room for every socket in one meeting, join
# tokens that outlive the run) in a temporary data directory, runs signal_bench against it and
# stops it. Environment: SIGNAL_SOCKETS (default 5000) sockets in SIGNAL_MEETINGS (50) meetings,
# fan-out in a meeting of SIGNAL_FANOUT (100) over SIGNAL_ROUNDS (50) joins and leaves,
# SIGNAL_RUNS (1) runs; the table shows the median of the runs and their spread.
set -euo pipefail

quorumd="${1:-}"
bench="${2:-}"
if [ -z "$quorumd" ] || [ ! -x "$quorumd" ] || [ -z "$bench" ] || [ ! -x "$bench" ]; then
    echo "usage: $0 QUORUMD_BINARY SIGNAL_BENCH_BINARY" >&2
    exit 2
fi

sockets="${SIGNAL_SOCKETS:-5000}"
meetings="${SIGNAL_MEETINGS:-50}"
fanout="${SIGNAL_FANOUT:-100}"
rounds="${SIGNAL_ROUNDS:-50}"
runs="${SIGNAL_RUNS:-1}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/quorum-signal-bench.XXXXXX")"
results="$work/results"
: >"$results"
STOP_WAIT_TENTHS=300 # 5,000 sockets take a while to close
# shellcheck source=server.sh
. "$here/server.sh"

# start_server DIR: a fresh quorumd in DIR; sets base_url and token.
start_server() {
    local dir="$1"
    start_quorumd "$dir" --rate-limits off --max-sockets-per-meeting 10000 \
        --max-connections $((sockets + fanout + 1000)) --join-token-ttl 3600
    base_url="http://127.0.0.1:$port"
    token="$("$quorumd" --data-dir "$dir/data" token create --user admin \
        --scopes meeting.read,meeting.write,meeting.join 2>/dev/null)"
}

for run in $(seq 1 "$runs"); do
    start_server "$work/run$run"
    echo "== run $run of $runs: quorumd $server_pid on $base_url"
    status=0
    "$bench" --url "$base_url" --token "$token" --pid "$server_pid" --sockets "$sockets" \
        --meetings "$meetings" --fanout-size "$fanout" --rounds "$rounds" \
        >"$work/run$run/bench" 2>&1 || status=$?
    # The tool's own table (after its first blank line) gives way to the one below.
    grep -v '^BENCH_RESULT' "$work/run$run/bench" | sed '/^$/,$d' | sed 's/^/   /'
    grep '^BENCH_RESULT' "$work/run$run/bench" | cut -d' ' -f2- >>"$results" || true
    stop_server
    if [ "$status" -ne 0 ]; then
        echo "run_signal.sh: signal_bench failed in run $run (status $status);" \
            "quorumd's stderr:" >&2
        tail -n 20 "$work/run$run/stderr" >&2
        exit 1
    fi
done

# The table: the median of the runs, their spread, the issue's target, and the median's verdict.
echo
sort -k1,1 -k2,2g "$results" | awk -v runs="$runs" '
BEGIN {
    order = "live_sockets joins_per_s kib_per_socket kib_per_socket_pinged fanout_p50_ms fanout_p99_ms " \
            "fanout_everyone_p99_ms fanout_lost joined_p50_ms list_p50_ms list_p99_ms " \
            "list_join_p50_ms list_leave_p50_ms list_get_p50_ms"
    label["live_sockets"] = "live sockets on one node"; target["live_sockets"] = ">= 5000"
    label["joins_per_s"] = "joins per second"
    label["kib_per_socket"] = "server KiB per socket"; target["kib_per_socket"] = "<= 32"
    label["kib_per_socket_pinged"] = "KiB per socket after pings"
    target["kib_per_socket_pinged"] = "<= 32"
    label["fanout_p50_ms"] = "fan-out p50 ms (per delivery)"
    label["fanout_p99_ms"] = "fan-out p99 ms (per delivery)"; target["fanout_p99_ms"] = "<= 50"
    label["fanout_everyone_p99_ms"] = "fan-out p99 ms (all reached)"
    label["fanout_lost"] = "fan-out deliveries lost"; target["fanout_lost"] = "<= 0"
    label["joined_p50_ms"] = "newcomer joined answer p50 ms"
    label["list_get_p50_ms"] = "one list request, p50 ms"
    label["list_join_p50_ms"] = "list shows a join, p50 ms"
    label["list_leave_p50_ms"] = "list shows a leave, p50 ms"
    label["list_p50_ms"] = "list reflects it, p50 ms"
    label["list_p99_ms"] = "list reflects it, p99 ms"; target["list_p99_ms"] = "<= 50"
}
{ values[$1, ++count[$1]] = $2 }
END {
    printf "%-32s %10s %10s %10s  %-8s %s\n", "figure", "median", "min", "max", "target", "result"
    n = split(order, names, " ")
    for (i = 1; i <= n; ++i) {
        name = names[i]
        c = count[name]
        if (c == 0) { printf "%-32s %10s\n", label[name], "-"; continue }
        median = (c % 2) ? values[name, (c + 1) / 2] \
                         : (values[name, c / 2] + values[name, c / 2 + 1]) / 2
        verdict = "-"
        # A negative figure was not measured (the tool prints -1).
        if ((name in target) && median >= 0) {
            split(target[name], t, " ")
            pass = (t[1] == ">=") ? (median >= t[2]) : (median <= t[2])
            verdict = pass ? "PASS" : "MISS"
        }
        printf "%-32s %10.2f %10.2f %10.2f  %-8s %s\n", label[name], median, values[name, 1],
               values[name, c], (name in target) ? target[name] : "-", verdict
    }
}'
echo "($sockets sockets in $meetings meetings, fan-out to $fanout over $rounds joins and leaves," \
     "$runs run(s), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
