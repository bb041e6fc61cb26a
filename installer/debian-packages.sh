#!/usr/bin/env bash
# Installs the Debian packages Quorum needs, only those missing, with sudo when not root.
# Usage: installer/debian-packages.sh run|package|test
set -euo pipefail

run_packages=(
    cmake ninja-build g++ make pkg-config ca-certificates openssl tzdata
    qt6-base-dev qt6-httpserver-dev qt6-websockets-dev libqt6sql6-sqlite libqt6sql6-psql
    libssl-dev
    ffmpeg janus janus-tools
    qt6-declarative-dev qt6-networkauth-dev qtkeychain-qt6-dev
    qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
    qml6-module-qtquick-dialogs qml6-module-qtquick-window qml6-module-qtqml-workerscript
    qml6-module-qtquick-templates qml6-module-qt-labs-folderlistmodel
)
# dpkg-shlibdeps (dpkg-dev) finds the .deb's library dependencies; appstreamcli and
# desktop-file-validate check the desktop data.
package_packages=(
    "${run_packages[@]}"
    dpkg-dev appstream desktop-file-utils
)
# postgresql: the integration tests run a second time on a server of their own; janus and
# janus-tools: real recorder files for the processing tests (tests/support/janus-recording.sh).
test_packages=(
    "${package_packages[@]}"
    clang-format qml6-module-qttest postgresql
    python3 python3-jwt python3-cryptography python3-requests python3-yaml
    golang-go wrk chromium janus janus-tools
)

case "${1:-}" in
run) wanted=("${run_packages[@]}") ;;
package) wanted=("${package_packages[@]}") ;;
test) wanted=("${test_packages[@]}") ;;
*) echo "usage: $0 run|package|test" >&2; exit 2 ;;
esac
# Node.js runs the JavaScript end-to-end client and drives chromium; any Node 18 or later
# will do, with its npm (Debian packages it apart).
if [ "${1}" = test ] && ! command -v node >/dev/null 2>&1; then
    wanted+=(nodejs)
fi
if [ "${1}" = test ] && ! command -v npm >/dev/null 2>&1; then
    wanted+=(npm)
fi

missing=()
for package in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
