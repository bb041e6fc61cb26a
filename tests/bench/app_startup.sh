#!/usr/bin/env bash
# Startup figures of the desktop app: the time from starting `quorum` (embedded server on, any
# free port, a fresh data directory) to its first frame and to its server being ready, and the
# resident memory after 5 s of idling. Runs offscreen unless QT_QPA_PLATFORM says otherwise.
# Targets: first frame < 1.5 s, idle memory < 150 MB.
#
#   tests/bench/app_startup.sh [build/bin/quorum] [rounds]
set -euo pipefail

app=${1:-build/bin/quorum}
rounds=${2:-5}
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}

scratch=$(mktemp -d)
pid=
cleanup() {
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Waits until the app's output has the line, then prints the milliseconds since `start`.
await_line() {
    local pattern=$1 start=$2 log=$3
    for _ in $(seq 1 300); do
        if grep -q "$pattern" "$log"; then
            echo $(($(now_ms) - start))
            return 0
        fi
        sleep 0.01
    done
    echo "timeout"
    return 1
}

printf '%-6s %-16s %-16s %-10s\n' round first_frame_ms server_ready_ms idle_rss_mb
for round in $(seq 1 "$rounds"); do
    data="$scratch/data" # the same one: round 1 is a first start, the others usual ones
    log="$scratch/out$round"
    start=$(now_ms)
    "$app" --report-startup --no-keychain --data-dir "$data" >"$log" 2>"$log.err" &
    pid=$!
    frame=$(await_line "first frame" "$start" "$log")
    ready=$(await_line "server ready" "$start" "$log")
    # Idle: 5 s after the first frame, with the server up and nothing to do.
    sleep 5
    rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    printf '%-6s %-16s %-16s %-10s\n' "$round" "$frame" "$ready" "$((rss_kb / 1024))"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=
done
echo "(round 1 starts a new server: it creates its database and the owner's token)"
