#!/usr/bin/env bash
# The recording-download benchmark against a real quorumd on loopback (`make bench`; not a test).
# Usage: tests/bench/run_downloads.sh QUORUMD_BINARY
#
# One fresh quorumd whose database and recordings directory are seeded directly (python3's
# sqlite3, while the server is down) with a completed recording and one DOWNLOAD_MB-megabyte file
# (default 200); its signed link is minted from the master key file as the server would
# (HMAC-SHA256, DESIGN.md *Recordings*). Then DOWNLOAD_ROUNDS rounds (default 3) of
# DOWNLOAD_CLIENTS curl clients (default 4) downloading the whole file at once. Printed: MB/s of
# each round (all clients' bytes over the round's wall time), and quorumd's VmRSS before, its
# peak during (the kernel's VmHWM, reset before the rounds) and after. Targets: >= 500 MB/s,
# growth <= 16 MB.
set -euo pipefail

quorumd="${1:-}"
if [ -z "$quorumd" ] || [ ! -x "$quorumd" ]; then
    echo "usage: $0 QUORUMD_BINARY" >&2
    exit 2
fi
for tool in curl python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "run_downloads.sh: $tool is missing" >&2
        exit 2
    fi
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
size_mb="${DOWNLOAD_MB:-200}"
rounds="${DOWNLOAD_ROUNDS:-3}"
clients="${DOWNLOAD_CLIENTS:-4}"
work="$(mktemp -d "${TMPDIR:-/tmp}/quorum-download-bench.XXXXXX")"
# shellcheck source=server.sh
. "$here/server.sh"

dir="$work/server"
# A first start writes the schema and the master key; the seed goes in while it is down.
start_quorumd "$dir"
stop_server

path="$(python3 - "$dir/data" "$size_mb" <<'PYTHON'
import base64, hashlib, hmac, os, sqlite3, sys, time
data, size_mb = sys.argv[1], int(sys.argv[2])
rec, fil, rel = "rec_benchdownload", "fil_benchdownload", "rec_benchdownload/video.mp4"

os.makedirs(os.path.join(data, "recordings", "rec_benchdownload"), exist_ok=True)
block = os.urandom(1 << 20)
with open(os.path.join(data, "recordings", rel), "wb") as out:
    for _ in range(size_mb):
        out.write(block)

now = int(time.time() * 1000)
db = sqlite3.connect(os.path.join(data, "quorum.db"))
db.execute("INSERT INTO recordings (id, meeting_id, workspace_id, state, started_at, stopped_at,"
           " completed_at, duration_ms, progress, capture_dir, node, version, updated_at)"
           " VALUES (?, 'mtg_bench', 'wsp_bench', 'completed', ?, ?, ?, 60000, 100, ?, 'bench',"
           " 1, ?)", (rec, now, now, now, rec, now))
db.execute("INSERT INTO recording_files (id, recording_id, type, format, content_type, path,"
           " size_bytes, duration_ms, created_at) VALUES (?, ?, 'video', 'mp4', 'video/mp4', ?,"
           " ?, 60000, ?)", (fil, rec, rel, size_mb << 20, now))
db.commit()
db.close()

raw = open(os.path.join(data, "master.key"), "rb").read()
master = raw if len(raw) == 32 else bytes.fromhex(raw.strip().decode())
key = hmac.new(master, b"quorum-derive:recording-file-url", hashlib.sha256).digest()
url_path = f"/v1/recordings/{rec}/files/{fil}"
expires = int(time.time()) + 3600
sig = base64.urlsafe_b64encode(
    hmac.new(key, f"v1:{url_path}:{expires}".encode(), hashlib.sha256).digest())
print(f"{url_path}?expires={expires}&sig={sig.rstrip(b'=').decode()}")
PYTHON
)"

start_quorumd "$dir"
url="http://127.0.0.1:$port$path"
echo "== quorumd on 127.0.0.1:$port, a $size_mb MB file, $clients clients x $rounds rounds"

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status"; }

# One download first: the link works and the file is in the page cache for every round.
status="$(curl -s -o /dev/null -w '%{http_code}' "$url")"
if [ "$status" != 200 ]; then
    echo "run_downloads.sh: the signed link got $status" >&2
    exit 1
fi

before="$(rss_kb)"
# The kernel's high-water mark of the resident size, reset to the present one: the true peak,
# however short, rather than what a sampler happens to see.
echo 5 >"/proc/$server_pid/clear_refs"

best=0
worst=0
for round in $(seq 1 "$rounds"); do
    start_ns="$(date +%s%N)"
    pids=()
    for client in $(seq 1 "$clients"); do
        curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "$url" \
            >"$work/client.$round.$client" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    end_ns="$(date +%s%N)"

    total=0
    for client in $(seq 1 "$clients"); do
        read -r code bytes <"$work/client.$round.$client"
        if [ "$code" != 200 ] || [ "$bytes" != $((size_mb << 20)) ]; then
            echo "run_downloads.sh: a client got $code with $bytes bytes" >&2
            exit 1
        fi
        total=$((total + bytes))
    done
    mbps=$(((total * 1000) / (end_ns - start_ns)))
    printf 'round %d: %d MB in %d ms: %d MB/s\n' "$round" $((total / 1000000)) \
        $(((end_ns - start_ns) / 1000000)) "$mbps"
    [ "$mbps" -gt "$best" ] && best="$mbps"
    { [ "$worst" -eq 0 ] || [ "$mbps" -lt "$worst" ]; } && worst="$mbps"
done

after="$(rss_kb)"
peak="$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")"
growth_kb=$((peak - before))
echo "rounds: worst $worst MB/s, best $best MB/s (MB = 10^6 bytes; target >= 500)"
printf 'quorumd VmRSS: before %d kB, peak (VmHWM) %d kB, after %d kB; growth %d kB (target <= 16384)\n' \
    "$before" "$peak" "$after" "$growth_kb"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
