#!/usr/bin/env bash
# Runs a real-browser test against a quorumd of its own.
# Usage: tests/e2e/run_browser.sh QUORUMD_BINARY SCREENSHOT_DIR [SCRIPT]
#
# Starts quorumd on 127.0.0.1 port 0 in a temporary data directory, gives the bootstrap admin a
# known password, then runs SCRIPT from browser/ (default oauth_consent.mjs, which opens the
# app's redirect listener on a loopback port, registers and installs the app with the same
# quorumd binary and drives headless chromium through /signin and the consent page;
# join_page.mjs drives two browsers through the join page and a call). The media plane is
# QUORUM_E2E_MEDIA (builtin or janus; default builtin). Exits with the script's status, or 77
# (CTest's skip code) when node, chromium or playwright-core (installer/browser-tools.sh) is
# missing.
set -euo pipefail

quorumd="${1:-}"
screenshots="${2:-}"
script="${3:-oauth_consent.mjs}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -z "$quorumd" ] || [ -z "$screenshots" ]; then
    echo "usage: $0 QUORUMD_BINARY SCREENSHOT_DIR [SCRIPT]" >&2
    exit 2
fi
case "${QUORUM_E2E_MEDIA:-builtin}" in
builtin | janus) ;;
*)
    echo "run_browser: QUORUM_E2E_MEDIA must be builtin or janus" >&2
    exit 2
    ;;
esac
START_MEDIA="${QUORUM_E2E_MEDIA:-builtin}"
if [ ! -x "$quorumd" ]; then
    echo "run_browser: $quorumd is not an executable" >&2
    exit 2
fi

chromium="${QUORUM_CHROMIUM:-/usr/bin/chromium}"
if ! command -v node >/dev/null 2>&1; then
    echo "run_browser: SKIP: node is not installed (installer/debian-packages.sh test)"
    exit 77
fi
if [ "$START_MEDIA" = janus ] && ! command -v janus >/dev/null 2>&1; then
    echo "run_browser: SKIP: janus is not installed (installer/debian-packages.sh test)"
    exit 77
fi
if [ ! -x "$chromium" ]; then
    echo "run_browser: SKIP: no chromium at $chromium (installer/debian-packages.sh test)"
    exit 77
fi
if [ ! -f "$here/browser/node_modules/playwright-core/index.mjs" ]; then
    echo "run_browser: SKIP: playwright-core is not installed (installer/browser-tools.sh)"
    exit 77
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/quorum-e2e-browser.XXXXXX")"
STOP_WAIT_TENTHS=100 # a clean stop takes well under a second; a hung one must not hold a test
# shellcheck source=../bench/server.sh
. "$here/../bench/server.sh"
mkdir -p "$screenshots"
# Old pictures would pass for new ones if this run fails before taking its own.
rm -f "$screenshots"/*.png
# Webhooks reach the script's receiver on loopback. Janus never offers media on loopback: the
# pages' media goes to this machine's own address, which the kernel delivers locally.
start_quorumd "$work" --webhooks-allow-private-networks

# The bootstrap admin gets a password a person could type; the script signs in with it.
password="violet staircase under the moon"
printf '%s\n' "$password" >"$work/password"
if ! "$quorumd" --data-dir "$work/data" user set-password admin --workspace default \
    --password-file "$work/password" 2>"$work/password.err"; then
    echo "run_browser: user set-password failed; its stderr:" >&2
    cat "$work/password.err" >&2
    exit 1
fi

export QUORUM_URL="http://127.0.0.1:$port"
export QUORUMD_BINARY="$quorumd"
export QUORUM_DATA_DIR="$work/data"
export QUORUM_WORKSPACE=default
export QUORUM_USER=admin
export QUORUM_PASSWORD="$password"
export QUORUM_CHROMIUM="$chromium"
export QUORUM_SCREENSHOTS="$screenshots"
# Chromium keeps its profile and crash dumps under HOME; keep them in the temporary directory.
export HOME="$work/home"
mkdir -p "$HOME"

status=0
export QUORUM_E2E_MEDIA="$START_MEDIA"
node --experimental-websocket --no-warnings "$here/browser/$script" || status=$?

if [ "$status" -ne 0 ]; then
    echo "run_browser: the browser test failed with status $status; quorumd's stderr:" >&2
    tail -n 50 "$work/stderr" >&2
fi
exit "$status"
