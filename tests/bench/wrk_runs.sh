# The wrk runs the API benchmarks share (sourced, not run): a quorumd of the benchmark's own,
# its target meeting, and one measured run with the server's CPU time per request. The
# sourcing script sets `here`, `work`, `quorumd`, `results`, `seconds`, `warmup`,
# `connections` and `threads`, and sources server.sh first.

# DATABASE_FLAGS: extra flags for every quorumd and quorumd command (the PostgreSQL benchmark
# names its database there); empty for SQLite in the data dir.
DATABASE_FLAGS=()

# start_server NAME [FLAGS...]: a fresh quorumd in $work/NAME; sets base_url and token.
start_server() {
    local name="$1"
    shift
    local dir="$work/$name"
    start_quorumd "$dir" --rate-limits off "${DATABASE_FLAGS[@]}" "$@"
    base_url="http://127.0.0.1:$port"
    token="$("$quorumd" --data-dir "$dir/data" "${DATABASE_FLAGS[@]}" token create --user admin \
        2>/dev/null)"
    echo "== quorumd $name on $base_url ($*)"
}

# create_meeting: schedules one meeting as the token's user and prints its id.
create_meeting() {
    python3 - "$base_url" "$token" "$start_time" <<'PYTHON'
import json, sys, urllib.request
base, token, start = sys.argv[1:4]
body = {"topic": "Bench target", "start_time": start, "duration_minutes": 60}
request = urllib.request.Request(f"{base}/v1/meetings", data=json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {token}",
                                          "Content-Type": "application/json"})
with urllib.request.urlopen(request, timeout=30) as response:
    print(json.load(response)["id"])
PYTHON
}

# server_cpu_ticks: quorumd's user and system CPU time so far, in clock ticks.
server_cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$server_pid/stat"
}

# bench NAME SCRIPT: a warm-up, then the measured run; keeps wrk's BENCH_RESULT line with the
# server's CPU time per request appended. That figure depends little on what else the machine
# runs, unlike requests/s and latencies on a shared host.
bench() {
    local name="$1" script="$2"
    local environment=(QUORUM_BENCH_DIR="$here" QUORUM_TOKEN="$token" QUORUM_MEETING="$meeting"
                       QUORUM_START_TIME="$start_time")
    echo "-- $name: ${warmup}s warm-up, ${seconds}s run"
    env "${environment[@]}" QUORUM_BENCH_NAME=warmup \
        wrk -t"$threads" -c"$connections" -d"${warmup}s" -s "$here/$script" "$base_url" >/dev/null
    local before after
    before="$(server_cpu_ticks)"
    env "${environment[@]}" QUORUM_BENCH_NAME="$name" \
        wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$here/$script" \
        "$base_url" | tee "$work/$name.wrk" | grep -v '^BENCH_RESULT' | sed 's/^/   /'
    after="$(server_cpu_ticks)"
    grep '^BENCH_RESULT' "$work/$name.wrk" | cut -d' ' -f2- |
        awk -v ticks="$((after - before))" -v hz="$(getconf CLK_TCK)" \
            '{ print $0, ($2 > 0 ? ticks * 1e6 / hz / $2 : 0) }' >>"$results"
}

