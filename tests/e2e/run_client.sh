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
STOP_WAIT_TENTHS=100 # a clean stop takes well under a second; a hung one must not hold a test
# shellcheck source=../bench/server.sh
. "$here/../bench/server.sh"
start_quorumd "$work"

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
