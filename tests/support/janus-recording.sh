#!/usr/bin/env bash
# Makes real Janus recorder files (.mjr) for tests: starts a private Janus with a generated
# configuration, has janus_recording.mjs publish browsers into one of its VideoRooms with
# recording on, and stops Janus again.
#
# Usage: tests/support/janus-recording.sh OUT_DIR SECONDS [ROOM_OPTIONS_JSON]
#   OUT_DIR            where the .mjr files and manifest.json go (created if missing)
#   SECONDS            how long the room records
#   ROOM_OPTIONS_JSON  the participants, as janus_recording.mjs reads them, e.g.
#                      '[{"name":"Ada","join":0},{"name":"Bob","join":4,"leave":9}]'
#                      (seconds from the start); default: two people from the start
#
# Janus listens for WebSockets on 127.0.0.1 on a free port, gathers ICE candidates on the
# loopback interface only, loads the VideoRoom plugin and the WebSocket transport and nothing
# else, and requires an API secret. Everything it writes (configuration, keys, log) stays in a
# temporary directory that goes when the script ends. Exits 77 (CTest's skip code) when janus,
# node, chromium or playwright-core is missing, 1 when the recording could not be made.
set -euo pipefail

out="${1:-}"
seconds="${2:-}"
two='[{"name":"Ada","join":0},{"name":"Bob","join":0}]'
people="${3:-$two}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -z "$out" ] || [ -z "$seconds" ]; then
    echo "usage: $0 OUT_DIR SECONDS [PEOPLE_JSON]" >&2
    exit 2
fi

janus="${QUORUM_JANUS:-janus}"
chromium="${QUORUM_CHROMIUM:-/usr/bin/chromium}"
modules="${QUORUM_NODE_MODULES:-$here/../e2e/browser/node_modules}"
skip() {
    echo "janus-recording: SKIP: $1"
    exit 77
}
command -v "$janus" >/dev/null 2>&1 || skip "janus is not installed (Debian package janus)"
command -v node >/dev/null 2>&1 || skip "node is not installed"
[ -x "$chromium" ] || skip "no chromium at $chromium"
[ -f "$modules/playwright-core/index.mjs" ] || skip "playwright-core is not in $modules"

work="$(mktemp -d "${TMPDIR:-/tmp}/quorum-janus.XXXXXX")"
janus_pid=""
cleanup() {
    if [ -n "$janus_pid" ] && kill -0 "$janus_pid" 2>/dev/null; then
        kill -TERM "$janus_pid" 2>/dev/null || true
        # Janus ends its sessions and closes its recorders on SIGTERM; give it a moment.
        for _ in $(seq 50); do
            kill -0 "$janus_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$janus_pid" 2>/dev/null || true
        wait "$janus_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# A port nobody listens on now: bound to 0 by the kernel's choice, then released for Janus.
# Another program could take it in between; then Janus fails to start and the run says so.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')"
secret="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
mkdir -p "$out" "$work/conf"
out="$(cd "$out" && pwd)"

# Debian puts Janus's modules under the multiarch library folder.
lib="${QUORUM_JANUS_LIB:-$(find /usr/lib -maxdepth 3 -type d -path '*/janus/plugins' -printf '%h' \
    -quit)}"
[ -f "$lib/plugins/libjanus_videoroom.so" ] || skip "no Janus VideoRoom plugin under /usr/lib"
others() { # every module in folder $1 but $2, comma-separated, for `disable`
    find "$lib/$1" -maxdepth 1 -name 'libjanus_*.so' -printf '%f\n' | grep -vx "$2" | paste -sd,
}

cat >"$work/conf/janus.jcfg" <<EOF
general: {
    configs_folder = "$work/conf"
    plugins_folder = "$lib/plugins"
    transports_folder = "$lib/transports"
    events_folder = "$lib/events"
    loggers_folder = "$lib/loggers"
    debug_level = 4
    api_secret = "$secret"
    session_timeout = 60
}
media: {
}
nat: {
    ice_enforce_list = "lo"
}
plugins: {
    disable = "$(others plugins libjanus_videoroom.so)"
}
transports: {
    disable = "$(others transports libjanus_websockets.so)"
}
events: {
    broadcast = false
    disable = "$(others events none)"
}
loggers: {
    disable = "$(others loggers none)"
}
EOF
cat >"$work/conf/janus.transport.websockets.jcfg" <<EOF
general: {
    json = "plain"
    ws = true
    ws_port = $port
    ws_ip = "127.0.0.1"
    wss = false
}
admin: {
    admin_ws = false
    admin_wss = false
}
EOF
# No rooms from the configuration: the script creates its own.
printf 'general: {\n}\n' >"$work/conf/janus.plugin.videoroom.jcfg"

"$janus" --config="$work/conf/janus.jcfg" --configs-folder="$work/conf" --disable-colors \
    --log-file="$work/janus.log" --disable-stdout >/dev/null 2>"$work/janus.err" &
janus_pid=$!

# Janus is ready once its WebSocket port answers.
ready=""
for _ in $(seq 100); do
    if ! kill -0 "$janus_pid" 2>/dev/null; then
        break
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        ready=yes
        break
    fi
    sleep 0.1
done
if [ -z "$ready" ]; then
    echo "janus-recording: Janus did not come up on 127.0.0.1:$port; its log:" >&2
    tail -n 30 "$work/janus.log" "$work/janus.err" >&2 || true
    exit 1
fi

export HOME="$work/home" # chromium's profile and crash dumps
mkdir -p "$HOME"
status=0
NODE_PATH="$modules" node "$here/janus_recording.mjs" --url "ws://127.0.0.1:$port" \
    --secret "$secret" --dir "$out" --seconds "$seconds" --people "$people" \
    --chromium "$chromium" --modules "$modules" || status=$?
if [ "$status" -ne 0 ]; then
    echo "janus-recording: the publishing script failed with $status; Janus's log:" >&2
    tail -n 30 "$work/janus.log" >&2 || true
fi
exit "$status"
