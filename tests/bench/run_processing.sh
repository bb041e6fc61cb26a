#!/usr/bin/env bash
# The recording processing benchmark: a 60 s two-person Janus VideoRoom recording (Bob joins
# 5 s in), made by tests/support/janus-recording.sh, processed by processing_bench into the
# published MP4 and M4A three times; prints each run's time and the median as a multiple of
# the recording's length (target: <= 0.5 x real time).
# Usage: tests/bench/run_processing.sh PROCESSING_BENCH [FIXTURE_DIR]
#   FIXTURE_DIR: a recording made before by the same script, reused instead of a new one.
# Without Janus, node, chromium or playwright-core it says so and exits 0: nothing to measure.
set -euo pipefail

bench="${1:-}"
fixture="${2:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -x "$bench" ]; then
    echo "usage: $0 PROCESSING_BENCH [FIXTURE_DIR]" >&2
    exit 2
fi
if ! command -v janus-pp-rec >/dev/null 2>&1; then
    echo "run_processing: SKIP: janus-pp-rec is not installed (Debian janus-tools)"
    exit 0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/quorum-processing-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
if [ -z "$fixture" ]; then
    fixture="$work/fixture"
    status=0
    "$here/../support/janus-recording.sh" "$fixture" 60 \
        '[{"name":"Ada","join":0},{"name":"Bob","join":5}]' || status=$?
    if [ "$status" -eq 77 ]; then
        echo "run_processing: SKIP: no Janus recording can be made here"
        exit 0
    fi
    [ "$status" -eq 0 ] || exit "$status"
fi
"$bench" "$fixture" 3
