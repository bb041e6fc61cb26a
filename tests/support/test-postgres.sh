#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite: `start` makes a cluster in a new directory
# under /tmp, listening on 127.0.0.1 only on a free port, and writes STATE_DIR/connection.env
# (url=, password=, datadir=) for the tests; `stop` ends that cluster and deletes its directory.
# CTest runs both as the `postgres` fixture. Debian's own cluster (port 5432) is never touched.
# Usage: tests/support/test-postgres.sh start|stop STATE_DIR
# QUORUM_TEST_POSTGRES_DURABLE=1 keeps fsync and synchronous commits on (for benchmarks).
set -euo pipefail

readonly user=quorum_test
readonly wait_seconds=30

usage() {
    echo "usage: $0 start|stop STATE_DIR" >&2
    exit 2
}

[ $# -eq 2 ] || usage
action="$1"
state_dir="$2"
state_file="$state_dir/connection.env"

# The newest PostgreSQL that Debian installed, or the one on PATH elsewhere.
find_bindir() {
    local dir
    dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null |
        sort -V | tail -n 1)"
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
        echo "$dir"
    elif command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
    else
        echo "test-postgres.sh: initdb not found: install postgresql" \
            "(installer/debian-packages.sh test) or configure with -DQUORUM_TEST_POSTGRESQL=OFF" >&2
        exit 1
    fi
}

# PostgreSQL refuses to run as root, so root hands the cluster to the `postgres` account.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# value KEY FILE: the value of a key=value line.
value() {
    sed -n "s/^$1=//p" "$2" | head -n 1
}

stop_cluster() {
    [ -f "$state_file" ] || return 0
    local datadir dir bindir pid
    datadir="$(value datadir "$state_file")"
    bindir="$(value bindir "$state_file")"
    dir="$(dirname "$datadir")"
    # Only ever a directory that `start` made: the path below is removed recursively.
    case "$dir" in
    /tmp/quorum-test-pg.*) ;;
    *)
        echo "test-postgres.sh: $state_file names $datadir, not a test cluster" >&2
        exit 1
        ;;
    esac

    if [ -f "$datadir/postmaster.pid" ]; then
        if ! (cd "$dir" && as_owner "$bindir/pg_ctl" -D "$datadir" -m immediate -w \
            -t "$wait_seconds" stop >/dev/null); then
            # pg_ctl gave up: end the postmaster it recorded, if it is still ours.
            pid="$(head -n 1 "$datadir/postmaster.pid" 2>/dev/null || true)"
            if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null |
                grep -qF -- "$datadir"; then
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    fi
    rm -rf -- "$dir"
    rm -f -- "$state_file"
}

start_cluster() {
    local bindir dir datadir password port attempt
    bindir="$(find_bindir)"
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "test-postgres.sh: running as root needs the postgres account" \
            "(Debian's postgresql package makes it)" >&2
        exit 1
    fi
    mkdir -p "$state_dir"
    # A cluster left by an interrupted run goes first.
    stop_cluster

    umask 077
    dir="$(mktemp -d /tmp/quorum-test-pg.XXXXXX)"
    datadir="$dir/data"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    password="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    printf '%s\n' "$password" >"$dir/password"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/password"

    # The tools run from the cluster's directory: as `postgres` the caller's may be unreadable.
    cd "$dir"
    if ! as_owner "$bindir/initdb" -D "$datadir" -U "$user" --pwfile="$dir/password" \
        --auth=scram-sha-256 -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        rm -rf -- "$dir"
        exit 1
    fi
    rm -f "$dir/password"

    # Passwords over TCP on 127.0.0.1 and on the cluster's own socket; nothing else.
    cat >"$datadir/pg_hba.conf" <<EOF
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
EOF
    # A test box: many connections (each quorumd keeps several, and two tests run at once),
    # little memory, and durability traded for speed unless a benchmark asks to keep it
    # (QUORUM_TEST_POSTGRES_DURABLE=1) to measure what a real server costs.
    cat >>"$datadir/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 500
shared_buffers = 32MB
EOF
    if [ "${QUORUM_TEST_POSTGRES_DURABLE:-0}" != 1 ]; then
        cat >>"$datadir/postgresql.conf" <<EOF
fsync = off
synchronous_commit = off
full_page_writes = off
autovacuum = off
EOF
    fi
    [ "$(id -u)" -eq 0 ] && chown postgres: "$datadir/pg_hba.conf" "$datadir/postgresql.conf"

    # A port below Linux's ephemeral range, where the port-0 listeners of the tests live; a
    # taken one makes the server exit at once, and the next attempt draws another.
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
        port=$((20000 + RANDOM % 12000))
        if as_owner "$bindir/pg_ctl" -D "$datadir" -l "$dir/postgres.log" -o "-p $port" -w \
            -t "$wait_seconds" start >/dev/null; then
            {
                echo "url=postgresql://$user@127.0.0.1:$port"
                echo "password=$password"
                echo "datadir=$datadir"
                echo "bindir=$bindir"
            } >"$state_file.new"
            mv -f "$state_file.new" "$state_file"
            echo "PostgreSQL $(as_owner "$bindir/pg_ctl" --version | awk '{print $3}') on" \
                "127.0.0.1:$port in $dir"
            return 0
        fi
        # A postmaster that did not answer in time must not linger into the next attempt.
        as_owner "$bindir/pg_ctl" -D "$datadir" -m immediate -w -t "$wait_seconds" stop \
            >/dev/null 2>&1 || true
        echo "test-postgres.sh: attempt $attempt on port $port failed" >&2
    done
    tail -n 20 "$dir/postgres.log" >&2 || true
    rm -rf -- "$dir"
    exit 1
}

case "$action" in
start) start_cluster ;;
stop) stop_cluster ;;
*) usage ;;
esac
