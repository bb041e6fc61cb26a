#!/usr/bin/env bash
# PostgreSQL beside SQLite, and two nodes (`make bench-postgres`; not a test).
# Usage: tests/bench/run_postgres.sh QUORUMD_BINARY
#
# Starts a PostgreSQL server of its own on loopback (tests/support/test-postgres.sh, durable:
# fsync and synchronous commits on), then runs the foundation benchmark's three wrk runs
# (GET /v1/meetings/{id}, POST .../joinToken, POST /v1/meetings; 64 connections, 2 threads,
# BENCH_SECONDS each), and a list read that no cache answers (GET /v1/meetings, after the
# creations), against a quorumd on SQLite and against one on PostgreSQL, and measures
# cross-node freshness with a second node on the same database (tests/bench/freshness.mjs).
# One table at the end shows the figures beside the targets: PostgreSQL's GET throughput at
# least 0.7 × SQLite's, freshness p99 at most 250 ms.
set -euo pipefail

quorumd="${1:-}"
if [ -z "$quorumd" ] || [ ! -x "$quorumd" ]; then
    echo "usage: $0 QUORUMD_BINARY" >&2
    exit 2
fi
for tool in wrk python3 node psql; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "run_postgres.sh: $tool is missing (installer/debian-packages.sh test installs it)" >&2
        exit 2
    fi
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
seconds="${BENCH_SECONDS:-10}"
warmup="${BENCH_WARMUP:-2}"
connections=64
threads=2
work="$(mktemp -d "${TMPDIR:-/tmp}/quorum-bench-pg.XXXXXX")"
results="$work/results"
: >"$results"
# shellcheck source=server.sh
. "$here/server.sh"
# shellcheck source=wrk_runs.sh
. "$here/wrk_runs.sh"

postgres_state="$work/postgres"
second_pid=""
finish() {
    [ -z "$second_pid" ] || kill -TERM "$second_pid" 2>/dev/null || true
    [ -z "$second_pid" ] || wait "$second_pid" 2>/dev/null || true
    stop_server
    QUORUM_TEST_POSTGRES_DURABLE=1 "$here/../support/test-postgres.sh" stop "$postgres_state" \
        >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap finish EXIT

start_time="$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)"

# SQLite first, as the foundation benchmark runs it.
start_server sqlite
meeting="$(create_meeting)"
bench sqlite_get get_meeting.lua
bench sqlite_join join_token.lua
bench sqlite_create create_meeting.lua
bench sqlite_list list_meetings.lua
stop_server

# PostgreSQL: a durable server, a database of the benchmark's own, a master key both nodes read.
QUORUM_TEST_POSTGRES_DURABLE=1 "$here/../support/test-postgres.sh" start "$postgres_state"
server_url="$(sed -n 's/^url=//p' "$postgres_state/connection.env")"
export QUORUM_DATABASE_PASSWORD
QUORUM_DATABASE_PASSWORD="$(sed -n 's/^password=//p' "$postgres_state/connection.env")"
PGPASSWORD="$QUORUM_DATABASE_PASSWORD" psql -q "$server_url/postgres" \
    -c 'CREATE DATABASE quorum_bench' >/dev/null
"$quorumd" master-key create "$work/master.key" 2>/dev/null
DATABASE_FLAGS=(--database "$server_url/quorum_bench" --master-key-file "$work/master.key")

start_server postgres --node-name bench-a
meeting="$(create_meeting)"
bench postgres_get get_meeting.lua
bench postgres_join join_token.lua
bench postgres_create create_meeting.lua
bench postgres_list list_meetings.lua

# A second node on the same database: what A changes, how soon B shows it.
mkdir -p "$work/second/data"
: >"$work/second/stdout"
"$quorumd" --data-dir "$work/second/data" --listen 127.0.0.1:0 --media builtin --rate-limits off \
    --node-name bench-b "${DATABASE_FLAGS[@]}" >"$work/second/stdout" 2>"$work/second/stderr" &
second_pid=$!
second_port=""
for _ in $(seq 1 300); do
    second_port="$(sed -n 's/^quorumd listening on .* (port \([0-9]\+\))$/\1/p' \
        "$work/second/stdout" || true)"
    [ -n "$second_port" ] && break
    sleep 0.1
done
[ -n "$second_port" ] || { cat "$work/second/stderr" >&2; exit 1; }
echo "== second node on http://127.0.0.1:$second_port"
node --experimental-websocket --no-warnings "$here/freshness.mjs" "$base_url" \
    "http://127.0.0.1:$second_port" "$token" "${FRESHNESS_ROUNDS:-200}" | tee "$work/freshness"

echo
awk -v freshness="$work/freshness" '
BEGIN {
    while ((getline line < freshness) > 0) {
        m = split(line, f, " ")
        for (i = 3; i <= m; ++i) {
            if (split(f[i], kv, "=") == 2)
                fresh[f[2], kv[1]] = kv[2]
        }
    }
}
{ rps[$1] = $3; p99[$1] = $6; bad[$1] += $7 + $8; cpu[$1] = $9 }
END {
    printf "%-26s %10s %10s %9s %9s %9s %9s\n", "benchmark", "SQLite/s", "PG/s", "PG/SQLite",
           "SQLite p99", "PG p99", "PG cpu us"
    n = split("get join create list", names, " ")
    split("GET /v1/meetings/{id}|POST .../joinToken|POST /v1/meetings|GET /v1/meetings (list)",
          labels, "|")
    for (i = 1; i <= n; ++i) {
        s = "sqlite_" names[i]; p = "postgres_" names[i]
        printf "%-26s %10.0f %10.0f %9.2f %9.2f %9.2f %9.0f\n", labels[i], rps[s], rps[p],
               (rps[s] > 0 ? rps[p] / rps[s] : 0), p99[s], p99[p], cpu[p]
    }
    ratio = rps["sqlite_get"] > 0 ? rps["postgres_get"] / rps["sqlite_get"] : 0
    printf "\ntarget: PostgreSQL GET >= 0.7 x SQLite: %.2f %s\n", ratio,
           (ratio >= 0.7 && bad["postgres_get"] == 0) ? "PASS" : "MISS"
    for (k in fresh) {
        split(k, parts, SUBSEP)
        if (parts[2] == "p99")
            printf "target: freshness p99 <= 250 ms (%s): p50 %s ms, p99 %s ms %s\n", parts[1],
                   fresh[parts[1], "p50"], fresh[parts[1], "p99"],
                   (fresh[parts[1], "p99"] <= 250) ? "PASS" : "MISS"
    }
}' "$results"
echo "($connections connections, $threads wrk threads, ${seconds}s each, $(nproc) CPUs shared by" \
     "quorumd, PostgreSQL and wrk; load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
