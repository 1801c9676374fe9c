#!/usr/bin/env bash
# Echo replies per second: `icmpkit lab` (a TUN device and the simulator) vs the Linux kernel
# answering over a veth pair, side by side in one run, measured with iputils' flood ping.
#
#   bench/lab_vs_kernel.sh [ICMPKIT]      (default build/bench/src/cli/icmpkit; needs root)
#
# (a) `icmpkit lab --netns NS` of a tiny topology (entry host h0 - router r1 - host h1, zero
#     latency): ping -f from the lab's namespace to h1 (203.0.113.10), one router away.
# (b) two namespaces joined by a veth pair (198.51.100.1/30 - .2/30): ping -f from one to the
#     other; the kernel of the second answers.
# Each: `ping -f -q -c COUNT -w 30` (COUNT default 20000); the rate is received / the summary's
# `time`; RUNS rounds (default 9) of (a) then (b), medians compared. Every namespace is ours and removed on exit (also on failure). Exits 0 with "SKIPPED"
# when not root or the tools are missing.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ICMPKIT=${1:-${ICMPKIT:-$ROOT/build/bench/src/cli/icmpkit}}
COUNT=${COUNT:-20000}
RUNS=${RUNS:-9}
TAG=icmpkitbench$$
LAB_NS=${TAG}l A_NS=${TAG}a B_NS=${TAG}b
VA=ikb$$a VB=ikb$$b  # interface names: 15 characters at most

if [[ $(id -u) != 0 ]]; then echo "lab vs kernel: SKIPPED (needs root)"; exit 0; fi
for t in ip ping timeout; do
    command -v "$t" >/dev/null || { echo "lab vs kernel: SKIPPED (no $t)"; exit 0; }
done
[[ -x $ICMPKIT ]] || { echo "lab vs kernel: SKIPPED (no $ICMPKIT)"; exit 0; }

TMP=$(mktemp -d)
LAB_PID=
cleanup() {
    if [[ -n $LAB_PID ]] && kill -0 "$LAB_PID" 2>/dev/null; then
        kill -TERM "$LAB_PID" 2>/dev/null || true
        wait "$LAB_PID" 2>/dev/null || true
    fi
    for ns in "$LAB_NS" "$A_NS" "$B_NS"; do ip netns del "$ns" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT

cat >"$TMP/tiny.topo" <<'EOF'
description entry host h0 - router r1 - host h1, no latency
node h0 host
node r1 router
node h1 host
entry h0
addr h0 eth0 192.0.2.10/24
addr r1 eth0 192.0.2.1/24
link h0:eth0 r1:eth0
addr r1 eth1 203.0.113.1/24
addr h1 eth0 203.0.113.10/24
link r1:eth1 h1:eth0
route h0 default via 192.0.2.1
route h1 default via 203.0.113.1
EOF

# rate SUMMARY_FILE -> "received time_ms rate"
rate() {
    python3 - "$1" <<'EOF'
import re, sys
s = open(sys.argv[1]).read()
m = re.search(r"(\d+) packets transmitted, (\d+) received.*time (\d+)ms", s)
if not m: sys.exit("no ping summary in:\n" + s)
rx, ms = int(m.group(2)), int(m.group(3))
print(rx, ms, f"{rx / (ms / 1000):.0f}" if ms else "inf")
EOF
}
flood() {  # flood NS DEST OUT
    ip netns exec "$1" timeout 40 ping -f -q -n -c "$COUNT" -w 30 "$2" >"$3" 2>&1 || true
}

start_lab() {
    "$ICMPKIT" lab --netns "$LAB_NS" --duration 60 --stats "$TMP/tiny.topo" >"$TMP/lab.out" 2>&1 &
    LAB_PID=$!
    for _ in $(seq 100); do
        grep -q "in netns" "$TMP/lab.out" 2>/dev/null && break
        kill -0 "$LAB_PID" 2>/dev/null || { cat "$TMP/lab.out"; echo "lab vs kernel: the lab exited"; exit 1; }
        sleep 0.1
    done
    ip netns exec "$LAB_NS" ping -c 1 -w 2 -n -q 203.0.113.10 >/dev/null  # the path answers
}
stop_lab() { kill -TERM "$LAB_PID"; wait "$LAB_PID" || true; LAB_PID=; }

# ---- (b)'s namespaces, made once -----------------------------------------------------------------
ip netns add "$A_NS"; ip netns add "$B_NS"
ip link add "$VA" netns "$A_NS" type veth peer name "$VB" netns "$B_NS"
ip -n "$A_NS" addr add 198.51.100.1/30 dev "$VA"; ip -n "$A_NS" link set "$VA" up
ip -n "$B_NS" addr add 198.51.100.2/30 dev "$VB"; ip -n "$B_NS" link set "$VB" up
ip -n "$A_NS" link set lo up; ip -n "$B_NS" link set lo up
ip netns exec "$A_NS" ping -c 1 -w 5 -n -q 198.51.100.2 >/dev/null

# ---- RUNS rounds, (a) then (b) in each -----------------------------------------------------------
echo "load before: $(uptime | sed 's/.*load average: //')"
lab_rates=() k_rates=()
for i in $(seq "$RUNS"); do
    start_lab
    flood "$LAB_NS" 203.0.113.10 "$TMP/lab.ping"
    stop_lab
    flood "$A_NS" 198.51.100.2 "$TMP/kernel.ping"
    read -r lab_rx lab_ms lab_rate < <(rate "$TMP/lab.ping")
    read -r k_rx k_ms k_rate < <(rate "$TMP/kernel.ping")
    echo "run $i: lab $lab_rx replies in $lab_ms ms = $lab_rate/s; kernel $k_rx replies in $k_ms ms = $k_rate/s"
    lab_rates+=("$lab_rate") k_rates+=("$k_rate")
done
echo "load after: $(uptime | sed 's/.*load average: //')"
python3 - "${lab_rates[*]}" "${k_rates[*]}" <<'EOF'
import statistics, sys
lab = [float(x) for x in sys.argv[1].split()]
ker = [float(x) for x in sys.argv[2].split()]
ml, mk = statistics.median(lab), statistics.median(ker)
print(f"lab (TUN, h0-r1-h1) median {ml:.0f} replies/s; kernel (veth) median {mk:.0f} replies/s; "
      f"ratio lab/kernel {ml / mk:.2f} (per run: {', '.join(f'{a / b:.2f}' for a, b in zip(lab, ker))})")
EOF
