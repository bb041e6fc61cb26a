#!/usr/bin/env bash
# Installs the browser tests' one npm dependency (playwright-core, which drives Debian's
# chromium) from the lockfile, only when it is missing or the lockfile changed.
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/e2e/browser"
stamp="$dir/node_modules/.quorum-lock"
if [ -f "$stamp" ] && cmp -s "$stamp" "$dir/package-lock.json"; then
    exit 0
fi

echo "Installing playwright-core from tests/e2e/browser/package-lock.json"
npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
cp "$dir/package-lock.json" "$stamp"
