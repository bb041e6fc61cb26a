#!/usr/bin/env bash
# Fails when a C++ file is not formatted by the root .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h')
[ "${#files[@]}" -eq 0 ] && exit 0
if ! clang-format --dry-run -Werror "${files[@]}"; then
    echo "Formatting differs: run 'make format' and commit." >&2
    exit 1
fi
echo "format: ${#files[@]} files clean"
