# Shared by the end-to-end runners (sourced, not run): a quorumd of their own on 127.0.0.1
# port 0 in "$work/data", stopped and cleaned up on every way out (tests/bench/server.sh).
# The sourcing script sets `work` and `quorumd` first; `name` prefixes its messages.

STOP_WAIT_TENTHS=100 # a clean stop takes well under a second; a hung server must not hold a test
# shellcheck source=../bench/server.sh
. "$(dirname "${BASH_SOURCE[0]}")/../bench/server.sh"

# start_quorumd [FLAG...]: starts quorumd and sets `port` once it accepts connections.
start_quorumd() {
    mkdir -p "$work/data"
    # Created here, not by the background redirection, so the first read below cannot race it.
    : >"$work/stdout"
    "$quorumd" --data-dir "$work/data" --listen 127.0.0.1:0 --media builtin "$@" \
        >"$work/stdout" 2>"$work/stderr" &
    server_pid=$!

    # quorumd prints exactly one line with its port once it accepts connections.
    port=""
    for _ in $(seq 1 300); do
        port="$(sed -n 's/^quorumd listening on .* (port \([0-9]\+\))$/\1/p' "$work/stdout" || true)"
        [ -n "$port" ] && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "$name: quorumd did not report its port; its stderr:" >&2
    cat "$work/stderr" >&2
    exit 1
}
