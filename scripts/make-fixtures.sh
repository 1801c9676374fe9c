#!/usr/bin/env bash
# Regenerates the capture fixtures under tests/data/ (see tests/data/README.md).
#
#   sudo scripts/make-fixtures.sh [outdir]     (default: tests/data)
#
# Kernel-made captures (linux-v4.pcap, linux-v6.pcap, fragments.pcap) come from three network
# namespaces made here, client - router - server, joined by veth pairs, with addresses only in
# 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 (unrouted) and 2001:db8::/32. Every ping is
# bounded (-c and -w). Everything made here is removed on exit, also on failure.
# Scapy-made captures (scapy-v4/v6, tunnels, demo) come from scripts/make_fixtures.py.
set -euo pipefail

[ "$(id -u)" -eq 0 ] || { echo "make-fixtures: must run as root (namespaces, tcpdump)" >&2; exit 2; }
for tool in ip tcpdump ping iptables ip6tables tshark editcap; do
    command -v "$tool" >/dev/null || { echo "make-fixtures: $tool missing (scripts/install-deps.sh)" >&2; exit 2; }
done
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="$(realpath -m "${1:-$HERE/../tests/data}")"
mkdir -p "$OUT"
PY=/usr/bin/python3   # Debian's python3, where python3-scapy lives

NS="icmpkit-fx-$$"
C="$NS-c"; R="$NS-r"; S="$NS-s"
PIDS=()
TMP="$(mktemp -d)"

cleanup() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
    for n in "$C" "$R" "$S"; do ip netns del "$n" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

inc() { ip netns exec "$C" "$@"; }
inr() { ip netns exec "$R" "$@"; }
ins() { ip netns exec "$S" "$@"; }

# --- topology --------------------------------------------------------------------------------
#  client c0 192.0.2.2 2001:db8:1::2  --  r0 192.0.2.1 2001:db8:1::1  [router]
#  r1 198.51.100.1 2001:db8:2::1 (MTU 1280)  --  s0 198.51.100.2 2001:db8:2::2 (MTU 1280)  server
for n in "$C" "$R" "$S"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add "fx$$c0" type veth peer name "fx$$r0"
ip link set "fx$$c0" netns "$C"; ip link set "fx$$r0" netns "$R"
ip -n "$C" link set "fx$$c0" name c0; ip -n "$R" link set "fx$$r0" name r0
ip link add "fx$$r1" type veth peer name "fx$$s0"
ip link set "fx$$r1" netns "$R"; ip link set "fx$$s0" netns "$S"
ip -n "$R" link set "fx$$r1" name r1; ip -n "$S" link set "fx$$s0" name s0
# Fixed MACs so that reruns differ only in timestamps and kernel-chosen IDs.
ip -n "$C" link set c0 address 02:00:00:00:01:02
ip -n "$R" link set r0 address 02:00:00:00:01:01
ip -n "$R" link set r1 address 02:00:00:00:02:01
ip -n "$S" link set s0 address 02:00:00:00:02:02

for n in "$R" "$S" "$C"; do
    # No ICMP rate limiting, so every error we provoke is sent (RFC 1812 4.3.2.8 allows limits).
    ip netns exec "$n" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 \
        net.ipv4.icmp_msgs_per_sec=100000 net.ipv4.icmp_echo_ignore_broadcasts=1
done
inr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

ip -n "$R" addr add 192.0.2.1/24 dev r0
ip -n "$R" addr add 2001:db8:1::1/64 dev r0 nodad
ip -n "$R" addr add 198.51.100.1/24 dev r1
ip -n "$R" addr add 2001:db8:2::1/64 dev r1 nodad
ip -n "$S" addr add 198.51.100.2/24 dev s0
ip -n "$S" addr add 2001:db8:2::2/64 dev s0 nodad
ip -n "$R" link set r1 mtu 1280; ip -n "$S" link set s0 mtu 1280
ip -n "$R" link set r1 up; ip -n "$S" link set s0 up
ip -n "$S" route add default via 198.51.100.1
ip -n "$S" -6 route add default via 2001:db8:2::1
ip -n "$R" link set r0 up

# Capture on the router's client-side port: it sees the client's link-up traffic (DAD, MLD, RS),
# every probe and every ICMP answer. -U writes each packet at once.
start_capture() {  # file filter
    ip netns exec "$R" tcpdump -i r0 -U -s 0 --time-stamp-precision nano -w "$TMP/$1" "$2" 2>"$TMP/$1.log" &
    PIDS+=("$!")
    for _ in $(seq 50); do grep -q "listening on" "$TMP/$1.log" 2>/dev/null && return 0; sleep 0.1; done
    echo "make-fixtures: tcpdump did not start: $(cat "$TMP/$1.log")" >&2; exit 1
}
stop_captures() {
    sleep 1
    for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    PIDS=()
}

start_capture linux-v4.pcap "ip"
start_capture linux-v6.pcap "ip6"

ip -n "$C" addr add 192.0.2.2/24 dev c0
ip -n "$C" addr add 2001:db8:1::2/64 dev c0
inc sysctl -qw net.ipv6.conf.c0.accept_ra=1
ip -n "$C" link set c0 up
ip -n "$C" route add default via 192.0.2.1
sleep 3   # DAD NS, MLD reports and a router solicitation from the client
ip -n "$C" -6 route add default via 2001:db8:1::1

SERVER=198.51.100.2; SERVER6=2001:db8:2::2
udp4() { inc bash -c "echo icmpkit > /dev/udp/$1/$2" || true; }
udp6() { inc bash -c "echo icmpkit > /dev/udp/$1/$2" || true; }

# --- IPv4 scenarios ---------------------------------------------------------------------------
inc ping -n -c 2 -i 0.2 -w 5 "$SERVER" >/dev/null                       # echo request/reply
inc ping -n -c 1 -t 1 -w 3 "$SERVER" >/dev/null || true                 # time exceeded (router)
udp4 "$SERVER" 33434                                                     # port unreachable (server)
inc ping -n -c 1 -M do -s 1400 -w 3 "$SERVER" >/dev/null 2>&1 || true   # frag needed, MTU 1280
inc ip route flush cache 2>/dev/null || true
inc ping -n -c 1 -w 3 203.0.113.9 >/dev/null || true                   # net unreachable: no route
inc ping -n -c 1 -w 6 198.51.100.99 >/dev/null || true                 # host unreachable: no ARP reply
inc ping -n -c 1 -R -w 3 "$SERVER" >/dev/null || true                   # record route option
inc ping -n -c 1 -T tsonly -w 3 "$SERVER" >/dev/null || true            # timestamp option
inc "$PY" "$HERE/make_fixtures.py" timestamp-request "$SERVER"          # ICMP timestamp, kernel reply
port=40001
for code in icmp-net-unreachable icmp-host-unreachable icmp-port-unreachable icmp-proto-unreachable \
            icmp-net-prohibited icmp-host-prohibited icmp-admin-prohibited; do
    inr iptables -A FORWARD -p udp --dport "$port" -j REJECT --reject-with "$code"
    udp4 "$SERVER" "$port"
    port=$((port + 1))
done
sleep 0.5

# --- IPv6 scenarios ---------------------------------------------------------------------------
inc ping -6 -n -c 2 -i 0.2 -w 5 "$SERVER6" >/dev/null                   # echo (after NS/NA)
inc ping -6 -n -c 1 -t 1 -w 3 "$SERVER6" >/dev/null || true             # hop limit exceeded
udp6 "$SERVER6" 33434                                                    # port unreachable
inc ping -6 -n -c 1 -M do -s 1400 -w 3 "$SERVER6" >/dev/null 2>&1 || true  # packet too big 1280
inc ping -6 -n -c 1 -w 3 2001:db8:99::1 >/dev/null || true             # no route
port=40101
for code in icmp6-no-route icmp6-adm-prohibited icmp6-addr-unreachable icmp6-port-unreachable; do
    inr ip6tables -A FORWARD -p udp --dport "$port" -j REJECT --reject-with "$code"
    udp6 "$SERVER6" "$port"
    port=$((port + 1))
done
stop_captures

# --- fragments: 3000-byte echoes over the 1500-byte client link, to the router itself -----------
start_capture fragments.pcap "ip or ip6"
inc ping -n -c 1 -s 3000 -w 3 192.0.2.1 >/dev/null
inc ping -6 -n -c 1 -s 3000 -w 3 2001:db8:1::1 >/dev/null
stop_captures

for f in linux-v4.pcap linux-v6.pcap fragments.pcap; do cp "$TMP/$f" "$OUT/$f"; done

# --- scapy-built files --------------------------------------------------------------------------
"$PY" "$HERE/make_fixtures.py" build "$OUT"
editcap -F pcapng "$OUT/tunnels.pcap" "$OUT/tunnels.pcapng"   # the same frames as pcapng

for f in linux-v4 linux-v6 fragments scapy-v4 scapy-v6 tunnels demo; do
    total=$(tshark -r "$OUT/$f.pcap" 2>/dev/null | wc -l)
    icmp=$(tshark -r "$OUT/$f.pcap" -Y 'icmp || icmpv6' 2>/dev/null | wc -l)
    printf '%-16s %4d packets, %4d icmp/icmpv6\n' "$f.pcap" "$total" "$icmp"
done
