#!/usr/bin/env bash
# The package test: installs the quorum .deb on this machine, starts quorumd exactly as the
# systemd unit would, asks /healthz, then removes and purges the package and checks that the
# machine is as it was before.
#
# Usage: run_package_test.sh --build-dir DIR   (runs cpack in DIR, a configured build)
#        run_package_test.sh DEB TGZ           (takes packages made before)
#
# It needs root and dpkg; without them it exits 77, which CTest reports as skipped.
set -euo pipefail

readonly SKIPPED=77
readonly UNIT=/lib/systemd/system/quorumd.service
readonly CONF=/etc/quorum/quorumd.conf
readonly DATA=/var/lib/quorum

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

step() {
    echo "== $*"
}

trap 'echo "FAIL: line $LINENO: $BASH_COMMAND" >&2' ERR

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: the package test installs and removes a Debian package, which needs root" \
        "(CI runs it as root; run it with sudo to try it here)."
    exit "$SKIPPED"
fi
if ! command -v dpkg >/dev/null || ! command -v apt-get >/dev/null; then
    echo "SKIP: the package test needs dpkg and apt-get (Debian)."
    exit "$SKIPPED"
fi

source_dir="$(cd "$(dirname "$0")/../.." && pwd)"
case "${1:-}" in
--build-dir)
    build_dir="$(cd "${2:?--build-dir DIR}" && pwd)"
    # A build configured with the desktop app must package it.
    if grep -qx 'QUORUM_BUILD_APP:BOOL=ON' "$build_dir/CMakeCache.txt"; then
        with_app=yes
    fi
    step "cpack in $build_dir"
    rm -f "$build_dir"/packages/quorum[-_]*
    (cd "$build_dir" && cpack >/dev/null)
    deb="$(echo "$build_dir"/packages/quorum_*.deb)"
    tgz="$(echo "$build_dir"/packages/quorum-*.tar.gz)"
    ;;
'' | -*)
    echo "usage: $0 --build-dir DIR | DEB TGZ" >&2
    exit 2
    ;;
*)
    deb="$1"
    tgz="${2:?usage: $0 DEB TGZ}"
    ;;
esac
# Packages made before: the app is expected if the .deb says it holds it.
if [ -z "${with_app:-}" ] && dpkg-deb -c "$deb" | grep -q '/usr/bin/quorum$'; then
    with_app=yes
fi
with_app="${with_app:-no}"
[ -f "$deb" ] || fail "no .deb: $deb"
[ -f "$tgz" ] || fail "no .tar.gz: $tgz"

# What "as it was" means: the installed packages, the users and groups, and the places where
# the maintainer scripts leave traces.
snapshot() {
    dpkg-query -W -f='${Package} ${Version} ${Status}\n' | sort
    getent passwd | sort
    getent group | sort
    find /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled \
        /var/lib/systemd/deb-systemd-helper-masked 2>/dev/null | sort || true
}

if dpkg-query -W -f='${Status}' quorum 2>/dev/null | grep -q 'installed\|config-files'; then
    fail "a quorum package is on this machine already; the test will not replace it"
fi
for leftover in /etc/quorum "$DATA"; do
    [ ! -e "$leftover" ] || fail "$leftover exists already (left by an earlier run?)"
done
getent passwd quorum >/dev/null && fail "a user named quorum exists already"

work="$(mktemp -d)"
snapshot >"$work/before"
packages_before="$(dpkg-query -W -f='${Package}\n' | sort)"
server_pid=""

# Whatever happens, the server stops and the package goes, with what apt-get pulled in for it.
cleanup() {
    local status=$?
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if dpkg-query -W quorum >/dev/null 2>&1; then
        dpkg -P quorum >/dev/null 2>&1 || true
    fi
    local added
    added="$(comm -13 <(echo "$packages_before") <(dpkg-query -W -f='${Package}\n' | sort))"
    if [ -n "$added" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $added >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

step "package metadata"
dpkg-deb -f "$deb" Package | grep -qx quorum || fail "the package is not named quorum"
depends="$(dpkg-deb -f "$deb" Depends)"
# libqt6websockets6 comes with libqt6httpserver6; quorumd does not link it itself.
for wanted in libqt6core6 libqt6network6 libqt6sql6 libqt6sql6-sqlite libqt6httpserver6 \
    libssl3 tzdata ffmpeg adduser; do
    echo "$depends" | grep -Eq "(^|, )$wanted( |,|$)" || fail "Depends lacks $wanted: $depends"
done
dpkg-deb -f "$deb" Recommends | grep -qw janus || fail "janus is not recommended"
echo "Depends: $depends"

step "the .tar.gz holds the .deb's programs and files"
tar -tzf "$tgz" | sed 's|^[^/]*/||' | grep -v -e '/$' -e '^$' | sort >"$work/tgz-files"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./||' | grep -v '/$' | sort >"$work/deb-files"
grep -qx usr/bin/quorumd "$work/tgz-files" || fail "the .tar.gz has no usr/bin/quorumd"
diff "$work/deb-files" "$work/tgz-files" || fail "the .tar.gz and the .deb hold different files"
sed -n 's|^usr/bin/||p' "$work/tgz-files" | sed 's/^/binary: /'

step "desktop data"
appstreamcli validate --no-net "$source_dir"/installer/desktop/*.metainfo.xml >/dev/null ||
    fail "appstreamcli refuses the metainfo"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$source_dir"/installer/desktop/*.desktop || fail "bad .desktop entry"
else
    echo "desktop-file-validate is not installed (installer/debian-packages.sh test adds it)"
fi

step "dpkg -i"
if ! dpkg -i "$deb" >"$work/dpkg.log" 2>&1; then
    cat "$work/dpkg.log"
    echo "dependencies are missing: apt-get -f install"
    DEBIAN_FRONTEND=noninteractive apt-get -f install -y -qq --no-install-recommends
fi
dpkg-query -W -f='${Status}' quorum | grep -qx 'install ok installed' || fail "not installed"
dpkg -L quorum >"$work/installed"
expected=(/usr/bin/quorumd "$CONF" "$UNIT")
# A build with the desktop app packages it, with its menu entry, icon and AppStream data.
if [ "$with_app" = yes ]; then
    expected+=(/usr/bin/quorum /usr/share/applications/org.quorum.Quorum.desktop
        /usr/share/icons/hicolor/scalable/apps/org.quorum.Quorum.svg
        /usr/share/metainfo/org.quorum.Quorum.metainfo.xml)
fi
for file in "${expected[@]}"; do
    [ -f "$file" ] || fail "$file is missing"
    grep -qx "$file" "$work/installed" || fail "$file is not in dpkg -L quorum"
done
dpkg-query -W -f='${Conffiles}\n' quorum | grep -q " $CONF " || fail "$CONF is no conffile"
if command -v systemd-analyze >/dev/null; then
    systemd-analyze verify "$UNIT" || fail "systemd-analyze refuses $UNIT"
fi

step "the quorum user and its data directory"
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd quorum) || fail "no user quorum"
[ "$uid" -lt 1000 ] || fail "quorum is no system user (uid $uid)"
[ "$home" = "$DATA" ] || fail "quorum's home is $home"
case "$shell" in */nologin | */false) ;; *) fail "quorum can log in ($shell)" ;; esac
[ "$(stat -c '%U:%G %a' "$DATA")" = "quorum:quorum 700" ] ||
    fail "$DATA is $(stat -c '%U:%G %a' "$DATA")"

# Where systemd runs (not in CI's container), the postinst started the service; it gives way
# to the copy this test starts by hand.
if [ -d /run/systemd/system ]; then
    systemctl stop quorumd.service
fi

step "quorumd, started with the unit's command line"
user="$(sed -n 's/^User=//p' "$UNIT")"
group="$(sed -n 's/^Group=//p' "$UNIT")"
read -r -a command <<<"$(sed -n 's/^ExecStart=//p' "$UNIT")"
[ "${command[0]}" = /usr/bin/quorumd ] || fail "ExecStart runs ${command[0]}"
echo "User=$user Group=$group ExecStart=${command[*]}"
# What an admin does to move the port: edit the listen key. Port 0 lets quorumd pick a free
# one and print it, so two runs on one machine cannot collide.
grep -qx 'listen=127.0.0.1:8080' "$CONF" || fail "the default config does not listen on 8080"
sed -i 's/^listen=.*/listen=127.0.0.1:0/' "$CONF"
# As systemd would: the unit's user, a clean environment with the user's home, cwd /.
(
    cd /
    umask 0027
    exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LANG=C.UTF-8 HOME="$DATA" USER="$user" LOGNAME="$user" \
        setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs -- \
        "${command[@]}"
) >"$work/quorumd.out" 2>"$work/quorumd.err" &
server_pid=$!

port=""
for _ in $(seq 150); do
    port="$(sed -n 's/.*listening on .*(port \([0-9]*\)).*/\1/p' "$work/quorumd.out")"
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
done
if [ -z "$port" ]; then
    cat "$work/quorumd.out" "$work/quorumd.err" >&2
    fail "quorumd did not start listening"
fi
[ "$(ps -o user= -p "$server_pid")" = quorum ] || fail "quorumd does not run as quorum"

# Bash's own TCP client: one request, the status line of the answer.
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
status_line=""
IFS= read -r -t 10 status_line <&3 || true
exec 3<&-
status_line="${status_line%$'\r'}"
[[ "$status_line" =~ ^HTTP/1\.[01]\ 200 ]] || fail "/healthz answered '$status_line'"
echo "/healthz on 127.0.0.1:$port: 200"
[ "$(stat -c '%U %a' "$DATA/master.key")" = "quorum 600" ] ||
    fail "the master key is not quorum's, 0600"

kill -TERM "$server_pid"
for _ in $(seq 150); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
done
kill -0 "$server_pid" 2>/dev/null && fail "quorumd did not stop within 30 s of SIGTERM"
wait "$server_pid" || fail "quorumd exited with status $?"
server_pid=""
echo "stopped by SIGTERM, exit status 0"

step "dpkg -r: the program goes, configuration, data and user stay"
dpkg -r quorum >/dev/null
[ ! -e /usr/bin/quorumd ] || fail "/usr/bin/quorumd is still there"
[ ! -e "$UNIT" ] || fail "$UNIT is still there"
[ -f "$CONF" ] || fail "removing took the edited conffile"
[ -f "$DATA/master.key" ] || fail "removing took the data"
getent passwd quorum >/dev/null || fail "removing took the user"

step "dpkg -P: nothing is left"
dpkg -P quorum >/dev/null
dpkg-query -W quorum >/dev/null 2>&1 && fail "dpkg still knows quorum"
while read -r path; do
    [ -d "$path" ] && continue
    [ ! -e "$path" ] && [ ! -L "$path" ] || fail "$path is still there"
done <"$work/installed"
for path in /etc/quorum "$DATA"; do
    [ ! -e "$path" ] || fail "$path is still there"
done
getent passwd quorum >/dev/null && fail "the user quorum is still there"
getent group quorum >/dev/null && fail "the group quorum is still there"

snapshot >"$work/after"
diff "$work/before" "$work/after" || fail "the machine differs from before the test"
echo "PASS: installed, served /healthz as quorum, removed and purged without a trace"
