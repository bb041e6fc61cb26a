# Shared by the benchmark scripts (sourced, not run): stopping the quorumd they started and
# removing their work directory on every way out. The sourcing script sets `work` and, while a
# server runs, `server_pid`; STOP_WAIT_TENTHS bounds the wait for a graceful stop.

server_pid=""

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
