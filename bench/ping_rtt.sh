#!/usr/bin/env bash
# The loopback RTT each tool reports, against the kernel's own timestamps, side by side in one run.
#
#   bench/ping_rtt.sh [ICMPKIT] [KERNEL_RTT]
#       (defaults build/bench/src/cli/icmpkit and build/bench/bench/icmpkit-kernel-rtt; needs root)
#
# ROUNDS rounds (default 5) of, in turn: iputils `ping -c N -i 0.01 127.0.0.1` (time=),
# `icmpkit ping --json -c N -i 0.01 127.0.0.1` (rtt_ms: kernel RX minus kernel TX software
# timestamp when the kernel gives both, as the start record's tx_clock says), and
# icmpkit-kernel-rtt N 10 (a minimal raw-socket prober: kernel RX minus kernel TX software
# timestamp, nothing else). N default 200. Median and p99 of all samples, in
# microseconds. Every loop is bounded by its count and `timeout`.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ICMPKIT=${1:-${ICMPKIT:-$ROOT/build/bench/src/cli/icmpkit}}
KRTT=${2:-${KRTT:-$ROOT/build/bench/bench/icmpkit-kernel-rtt}}
N=${N:-200}
ROUNDS=${ROUNDS:-5}
PING=${PING:-/usr/bin/ping}

if [[ $(id -u) != 0 ]]; then echo "ping rtt: SKIPPED (needs root)"; exit 0; fi
for x in "$ICMPKIT" "$KRTT"; do [[ -x $x ]] || { echo "ping rtt: SKIPPED (no $x)"; exit 0; }; done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

for ((r = 1; r <= ROUNDS; r++)); do
    timeout 60 "$PING" -c "$N" -i 0.01 127.0.0.1 | sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' |
        awk '{ printf "%.3f\n", $1 * 1000 }' >>"$TMP/iputils" || true  # a lost echo: exit 1
    timeout 60 "$ICMPKIT" ping --json -c "$N" -i 0.01 127.0.0.1 |
        python3 -c 'import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o.get("event") == "reply" and "rtt_ms" in o: print("%.3f" % (o["rtt_ms"] * 1000))' >>"$TMP/icmpkit" || true
    timeout 60 "$KRTT" "$N" 10 >>"$TMP/kernel" || true
done

python3 - "$TMP" "$N" "$ROUNDS" <<'PY'
import sys
tmp, n, rounds = sys.argv[1:4]
def q(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))]
print(f"loopback RTT, {rounds} rounds x {n} echoes per tool, 10 ms apart (microseconds)")
print("| measured by | samples | median | p99 |")
print("| --- | --- | --- | --- |")
rows = [("iputils ping (time=)", "iputils"), ("icmpkit ping (rtt_ms)", "icmpkit"),
        ("kernel TX->RX software timestamps", "kernel")]
for name, f in rows:
    v = [float(x) for x in open(f"{tmp}/{f}").read().split()]
    print(f"| {name} | {len(v)} | {q(v, 0.5):.1f} | {q(v, 0.99):.1f} |")
PY
