#!/usr/bin/env bash
# The webhook delivery benchmark against a real quorumd on loopback (`make bench`; not a test).
# Usage: tests/bench/run_webhooks.sh QUORUMD_BINARY WEBHOOK_BENCH_BINARY
#
# Starts a fresh quorumd (rate limits off, private networks allowed for the bench's own
# loopback receiver) in a temporary data directory, runs webhook_bench against it and stops
# it. Environment: WEBHOOK_ROUNDS (default 200) meetings ended one at a time for the
# first-attempt delay, WEBHOOK_SUBSCRIPTIONS (100) subscriptions and WEBHOOK_PRODUCE_SECONDS (5)
# seconds of meetings for the throughput.
set -euo pipefail

quorumd="${1:-}"
bench="${2:-}"
if [ -z "$quorumd" ] || [ ! -x "$quorumd" ] || [ -z "$bench" ] || [ ! -x "$bench" ]; then
    echo "usage: $0 QUORUMD_BINARY WEBHOOK_BENCH_BINARY" >&2
    exit 2
fi

rounds="${WEBHOOK_ROUNDS:-200}"
subscriptions="${WEBHOOK_SUBSCRIPTIONS:-100}"
produce="${WEBHOOK_PRODUCE_SECONDS:-5}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/quorum-webhook-bench.XXXXXX")"
# shellcheck source=server.sh
. "$here/server.sh"

# The bench's own subscriptions, plus the one of the delay measurement, fit under the cap.
start_quorumd "$work" --rate-limits off --webhooks-allow-private-networks \
    --webhook-max-subscriptions $((subscriptions + 1))
token="$("$quorumd" --data-dir "$work/data" token create --user admin \
    --scopes meeting.read,meeting.write,meeting.join,webhook.read,webhook.write 2>/dev/null)"

echo "== quorumd $server_pid on http://127.0.0.1:$port"
status=0
"$bench" --url "http://127.0.0.1:$port" --token "$token" --rounds "$rounds" \
    --subscriptions "$subscriptions" --produce-seconds "$produce" >"$work/bench" 2>&1 || status=$?
grep -v '^BENCH_RESULT' "$work/bench" | sed '/^$/,$d' | sed 's/^/   /'
stop_server
if [ "$status" -ne 0 ]; then
    echo "run_webhooks.sh: webhook_bench failed (status $status); quorumd's stderr:" >&2
    tail -n 20 "$work/stderr" >&2
fi

echo
grep '^BENCH_RESULT' "$work/bench" | cut -d' ' -f2- | awk '
BEGIN {
    label["first_attempt_p50_ms"] = "first attempt after :end, p50 ms"
    label["first_attempt_p95_ms"] = "first attempt after :end, p95 ms"
    target["first_attempt_p95_ms"] = "<= 200"
    label["deliveries_per_s"] = "deliveries per second"; target["deliveries_per_s"] = ">= 2000"
    label["failures"] = "failed steps"; target["failures"] = "<= 0"
    printf "%-36s %10s  %-8s %s\n", "figure", "value", "target", "result"
}
{
    verdict = "-"
    if ($1 in target) {
        split(target[$1], t, " ")
        pass = (t[1] == ">=") ? ($2 >= t[2]) : ($2 <= t[2])
        verdict = pass ? "PASS" : "MISS"
    }
    printf "%-36s %10.2f  %-8s %s\n", label[$1], $2, ($1 in target) ? target[$1] : "-", verdict
}'
echo "($rounds meetings for the delay, $subscriptions subscriptions for $produce s of events," \
     "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
exit "$status"
