#!/usr/bin/env bash
# make demo: what icmpkit does, unprivileged and offline, on the built-in virtual network.
set -euo pipefail
bin=${1:-build/release/src/cli/icmpkit}
cd "$(dirname "$0")/.."
dest=203.0.113.10  # h1, the far host of the built-in "internet" topology

heading() { printf '\n== %s\n$ icmpkit %s\n' "$1" "$2"; }

heading "The built-in virtual network: 12 hops with loss, ECMP, MPLS, a 1400-byte tunnel" \
        "lab --describe internet"
"$bin" lab --describe internet

heading "Ping through it in virtual time (no sockets, no root): latency, jitter and loss" \
        "ping --sim -c 5 $dest"
"$bin" ping --sim -c 5 "$dest" || true  # exit 1 when a probe is lost, as iputils

heading "TTL 4: the 4th router answers Time Exceeded" "ping --sim -c 3 -t 4 $dest"
"$bin" ping --sim -c 3 -t 4 "$dest" || true

heading "Don't fragment, 1450 bytes: the 1400-byte tunnel answers Fragmentation Needed" \
        "ping --sim -c 2 -M do -s 1450 $dest"
"$bin" ping --sim -c 2 -M do -s 1450 "$dest" || true

heading "Trace the path: Paris UDP probes, MPLS labels (-e), the rate-limited and the silent router" \
        "trace --sim -n -e $dest"
"$bin" trace --sim -n -e "$dest"

heading "The path MTU, tracepath-style: the 1400-byte tunnel" "pmtu --sim=internet -n $dest"
"$bin" pmtu --sim=internet -n "$dest" || true

heading "Decode a capture (tcpdump-style lines)" "decode tests/data/demo.pcap"
"$bin" decode tests/data/demo.pcap
