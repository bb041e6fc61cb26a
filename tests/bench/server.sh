# Shared by the benchmark and end-to-end scripts (sourced, not run): starting a quorumd of
# their own on 127.0.0.1 port 0, stopping it and removing their work directory on every way
# out. The sourcing script sets `work` and `quorumd`; STOP_WAIT_TENTHS bounds the wait for a
# graceful stop.

server_pid=""

# start_quorumd DIR [FLAG...]: starts quorumd with its data in DIR/data and sets `server_pid`
# and `port` once it accepts connections; exits with quorumd's stderr if it never does. The
# media plane is `builtin` unless the sourcing script sets START_MEDIA.
start_quorumd() {
    local dir="$1"
    shift
    mkdir -p "$dir/data"
    # Created here, not by the background redirection, so the first read below cannot race it.
    : >"$dir/stdout"
    "$quorumd" --data-dir "$dir/data" --listen 127.0.0.1:0 --media "${START_MEDIA:-builtin}" "$@" \
        >"$dir/stdout" 2>"$dir/stderr" &
    server_pid=$!

    # quorumd prints exactly one line with its port once it accepts connections.
    port=""
    for _ in $(seq 1 300); do
        port="$(sed -n 's/^quorumd listening on .* (port \([0-9]\+\))$/\1/p' "$dir/stdout" ||
            true)"
        [ -n "$port" ] && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "$(basename "$0"): quorumd did not report its port; its stderr:" >&2
    cat "$dir/stderr" >&2
    exit 1
}

stop_server() {
    [ -n "$server_pid" ] || return 0
    if kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 "${STOP_WAIT_TENTHS:-150}"); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

cleanup() {
    stop_server
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
