#!/usr/bin/env bash
# Flood ping on loopback: `icmpkit ping -f` vs iputils `ping -f`, side by side in one run.
#
#   bench/ping_flood.sh [ICMPKIT]     (default build/bench/src/cli/icmpkit; needs root: raw sockets)
#
# Each round runs both pings (order alternating) with `-f -c COUNT 127.0.0.1` (COUNT default
# 100000) and stdout to (1) a pipe (`| cat >/dev/null`, as a terminal or a reading script sees
# it), (2) /dev/null, and (3) with -q. Two rates: COUNT / wall seconds of the ping process, and
# COUNT / its CPU seconds (user + system, GNU time), which a loaded machine disturbs less. RUNS
# rounds (default 7); medians and ratios printed. Every sending loop is bounded by -c and by
# `timeout 60`.
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

rate() {  # rate MODE CMD...: prints "wall_pps cpu_pps" of one run (GNU time: elapsed, user+sys)
    local mode=$1; shift
    local T=(/usr/bin/time -f "%e %U %S" -o "$TMP/time" timeout 60)
    case $mode in
        pipe) "${T[@]}" "$@" -f -c "$COUNT" 127.0.0.1 | cat >/dev/null ;;
        null) "${T[@]}" "$@" -f -c "$COUNT" 127.0.0.1 >/dev/null ;;
        quiet) "${T[@]}" "$@" -f -q -c "$COUNT" 127.0.0.1 >/dev/null ;;
    esac
    python3 -c "import sys; e, u, s = map(float, open(sys.argv[2]).read().split()[-3:]); n = int(sys.argv[1]); print(f'{n / e:.0f} {n / (u + s):.0f}')" "$COUNT" "$TMP/time"
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
print(f"flood ping, {count} echoes to 127.0.0.1, {runs} interleaved rounds, medians")
print("| stdout | iputils ping -f, packets/s (per CPU s) | icmpkit ping -f, packets/s (per CPU s) | ratio wall (CPU) |")
print("| --- | --- | --- | --- |")
names = {"pipe": "a pipe", "null": "/dev/null", "quiet": "-q (nothing printed)"}
def load(path):
    rows = [tuple(map(float, l.split())) for l in open(path) if l.strip()]
    return statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
for mode in ("pipe", "null", "quiet"):
    (wa, ca), (wb, cb) = load(f"{tmp}/{mode}.iputils"), load(f"{tmp}/{mode}.icmpkit")
    print(f"| {names[mode]} | {wa:,.0f} ({ca:,.0f}) | {wb:,.0f} ({cb:,.0f}) | {wb / wa:.2f}x ({cb / ca:.2f}x) |")
PY
