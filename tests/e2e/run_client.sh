#!/usr/bin/env bash
# Runs one end-to-end client against a quorumd of its own.
# Usage: tests/e2e/run_client.sh python|go|node|node-signal QUORUMD_BINARY
#
# Starts quorumd on 127.0.0.1 port 0 in a temporary data directory, creates a personal access
# token for the bootstrap admin, runs the client with QUORUM_URL and QUORUM_TOKEN set, then stops
# quorumd and removes everything. Exits with the client's status, or 77 (CTest's skip code) when
# the language's runtime is not installed.
set -euo pipefail

lang="${1:-}"
quorumd="${2:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -z "$lang" ] || [ -z "$quorumd" ]; then
    echo "usage: $0 python|go|node|node-signal QUORUMD_BINARY" >&2
    exit 2
fi
if [ ! -x "$quorumd" ]; then
    echo "run_client: $quorumd is not an executable" >&2
    exit 2
fi

# Debian's python3-requests lives beside /usr/bin/python3; a pyenv python3 earlier on PATH
# usually lacks it.
python=/usr/bin/python3
case "$lang" in
python) runtime_ok() { "$python" -c 'import requests' 2>/dev/null; } ;;
go) runtime_ok() { command -v go >/dev/null 2>&1; } ;;
node) runtime_ok() { command -v node >/dev/null 2>&1; } ;;
# Node's WebSocket client needs --experimental-websocket (Node 20.10 and later).
node-signal)
    runtime_ok() {
        command -v node >/dev/null 2>&1 \
            && node --experimental-websocket 2>/dev/null \
                -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)'
    }
    ;;
*)
    echo "run_client: unknown language '$lang' (python, go, node or node-signal)" >&2
    exit 2
    ;;
esac
if ! runtime_ok; then
    echo "run_client: SKIP: no runtime for $lang (installer/debian-packages.sh test installs it)"
    exit 77
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/quorum-e2e-$lang.XXXXXX")"
server_pid=""

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        # A clean stop takes well under a second; do not let a hung server hold the test.
        for _ in $(seq 1 100); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$work/data"
# Created here, not by the background redirection, so the first read below cannot race it.
: >"$work/stdout"
"$quorumd" --data-dir "$work/data" --listen 127.0.0.1:0 --media builtin \
    >"$work/stdout" 2>"$work/stderr" &
server_pid=$!

# quorumd prints exactly one line with its port once it accepts connections.
port=""
for _ in $(seq 1 300); do
    port="$(sed -n 's/^quorumd listening on .* (port \([0-9]\+\))$/\1/p' "$work/stdout" || true)"
    [ -n "$port" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "run_client: quorumd did not report its port; its stderr:" >&2
    cat "$work/stderr" >&2
    exit 1
fi

token="$("$quorumd" --data-dir "$work/data" token create --user admin 2>"$work/token.err")" || true
if [ -z "$token" ]; then
    echo "run_client: token create printed no token; its stderr:" >&2
    cat "$work/token.err" >&2
    exit 1
fi

export QUORUM_URL="http://127.0.0.1:$port"
export QUORUM_TOKEN="$token"

status=0
case "$lang" in
python)
    "$python" "$here/client.py" || status=$?
    ;;
go)
    # Offline and self-contained: the standard library only, no module downloads, caches in the
    # temporary directory.
    mkdir -p "$work/home" "$work/gocache" "$work/gopath"
    HOME="$work/home" GOCACHE="$work/gocache" GOPATH="$work/gopath" GOTOOLCHAIN=local \
        GOPROXY=off GOFLAGS=-buildvcs=false GO111MODULE=off GOTELEMETRY=off \
        go run "$here/client.go" || status=$?
    ;;
node)
    node "$here/client.mjs" || status=$?
    ;;
node-signal)
    node --experimental-websocket --no-warnings "$here/signal_client.mjs" || status=$?
    ;;
esac

if [ "$status" -ne 0 ]; then
    echo "run_client: the $lang client failed with status $status; quorumd's stderr:" >&2
    tail -n 50 "$work/stderr" >&2
fi
exit "$status"
