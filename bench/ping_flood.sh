#!/usr/bin/env bash
# Flood ping on loopback: `icmpkit ping -f` vs iputils `ping -f`, side by side in one run.
#
#   bench/ping_flood.sh [ICMPKIT]     (default build/bench/src/cli/icmpkit; needs root: raw sockets)
#
# Each round runs both pings (order alternating) with `-f -c COUNT 127.0.0.1` (COUNT default
# 100000) and stdout to (1) a pipe (`| cat >/dev/null`, as a terminal or a reading script sees
# it), (2) /dev/null, and (3) with -q. The rate is COUNT / wall seconds of the ping process
# (GNU time's %e is too coarse: bash's EPOCHREALTIME around the command). RUNS rounds (default 7);
# medians and ratios printed. Every sending loop is bounded by -c and by `timeout 60`.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ICMPKIT=${1:-${ICMPKIT:-$ROOT/build/bench/src/cli/icmpkit}}
COUNT=${COUNT:-100000}
RUNS=${RUNS:-7}
PING=${PING:-/usr/bin/ping}

if [[ $(id -u) != 0 ]]; then echo "ping flood: SKIPPED (needs root)"; exit 0; fi
[[ -x $ICMPKIT ]] || { echo "ping flood: SKIPPED (no $ICMPKIT)"; exit 0; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

rate() {  # rate MODE CMD...: prints packets per second of one run
    local mode=$1; shift
    local t0 t1
    t0=$EPOCHREALTIME
    case $mode in
        pipe) timeout 60 "$@" -f -c "$COUNT" 127.0.0.1 | cat >/dev/null ;;
        null) timeout 60 "$@" -f -c "$COUNT" 127.0.0.1 >/dev/null ;;
        quiet) timeout 60 "$@" -f -q -c "$COUNT" 127.0.0.1 >/dev/null ;;
    esac
    t1=$EPOCHREALTIME
    python3 -c "import sys; print(f'{int(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2])):.0f}')" "$COUNT" "$t0" "$t1"
}

for mode in pipe null quiet; do : >"$TMP/$mode.iputils"; : >"$TMP/$mode.icmpkit"; done
for ((r = 1; r <= RUNS; r++)); do
    for mode in pipe null quiet; do
        if ((r % 2)); then
            rate "$mode" "$PING" >>"$TMP/$mode.iputils"
            rate "$mode" "$ICMPKIT" ping >>"$TMP/$mode.icmpkit"
        else
            rate "$mode" "$ICMPKIT" ping >>"$TMP/$mode.icmpkit"
            rate "$mode" "$PING" >>"$TMP/$mode.iputils"
        fi
    done
done

python3 - "$TMP" "$COUNT" "$RUNS" <<'PY'
import statistics, sys
tmp, count, runs = sys.argv[1], sys.argv[2], sys.argv[3]
print(f"flood ping, {count} echoes to 127.0.0.1, {runs} interleaved rounds, medians (packets/s)")
print("| stdout | iputils ping -f | icmpkit ping -f | ratio |")
print("| --- | --- | --- | --- |")
names = {"pipe": "a pipe", "null": "/dev/null", "quiet": "-q (nothing printed)"}
for mode in ("pipe", "null", "quiet"):
    a = [float(x) for x in open(f"{tmp}/{mode}.iputils").read().split()]
    b = [float(x) for x in open(f"{tmp}/{mode}.icmpkit").read().split()]
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"| {names[mode]} | {ma:,.0f} | {mb:,.0f} | {mb / ma:.2f}x |")
PY
