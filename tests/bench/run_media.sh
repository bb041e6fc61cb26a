#!/usr/bin/env bash
# The media benchmark (media_bench.mjs): join to first frame through the join page and the
# processing of a 60 s two-person recording, against a quorumd of its own with the janus plane
# on 127.0.0.1. Without Janus, node, chromium or playwright-core it says so and exits 0.
# Usage: tests/bench/run_media.sh QUORUMD_BINARY
set -euo pipefail

quorumd="${1:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -x "$quorumd" ]; then
    echo "usage: $0 QUORUMD_BINARY" >&2
    exit 2
fi
modules="${QUORUM_NODE_MODULES:-$here/../e2e/browser/node_modules}"
for tool in janus janus-pp-rec node; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "run_media: SKIP: $tool is not installed (installer/debian-packages.sh test)"
        exit 0
    fi
done
if [ ! -x "${QUORUM_CHROMIUM:-/usr/bin/chromium}" ] ||
    [ ! -f "$modules/playwright-core/index.mjs" ]; then
    echo "run_media: SKIP: chromium or playwright-core is missing (installer/browser-tools.sh)"
    exit 0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/quorum-media-bench.XXXXXX")"
# shellcheck source=server.sh
. "$here/server.sh"
# Janus never offers media on loopback: the pages' media goes to this machine's own address,
# which the kernel delivers locally.
start_quorumd "$work" --media janus --rate-limits off

export QUORUM_URL="http://127.0.0.1:$port"
QUORUM_TOKEN="$("$quorumd" --data-dir "$work/data" token create --user admin 2>/dev/null |
    tail -n 1)"
export QUORUM_TOKEN
export QUORUM_NODE_MODULES="$modules"
export HOME="$work/home"
mkdir -p "$HOME"
node "$here/media_bench.mjs"
