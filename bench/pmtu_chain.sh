#!/usr/bin/env bash
# A 3-router namespace chain A - R1 - R2 - R3 - B with link MTUs 1500, 1400, 1300, 1500, the same
# addresses as tests/support/netns.hpp (documentation ranges only). Sourced by pmtu_vs_tracepath.sh.
#   chain_up PREFIX [BLACKHOLE]   namespaces PREFIX{a,r1,r2,r3,b}; BLACKHOLE=1: R1 drops forwarded
#                                 datagrams over 1300 bytes silently (iptables/ip6tables FORWARD;
#                                 the kernel's MTU check comes first, so above 1400 it still says
#                                 Frag Needed / Packet Too Big): tracepath then believes 1400
#   chain_down PREFIX
chain_node() { case $1 in 0) echo a ;; 4) echo b ;; *) echo "r$1" ;; esac; }
chain_v4() {  # link i, side (a|b)
    case $1 in 0) [[ $2 == a ]] && echo 192.0.2.2 || echo 192.0.2.1 ;;
               3) [[ $2 == a ]] && echo 198.51.100.1 || echo 198.51.100.2 ;;
               *) local base=$((8 * ($1 - 1))); [[ $2 == a ]] && echo "203.0.113.$((base + 1))" || echo "203.0.113.$((base + 2))" ;; esac
}
chain_v6() {
    case $1 in 0) [[ $2 == a ]] && echo 2001:db8:1::2 || echo 2001:db8:1::1 ;;
               3) [[ $2 == a ]] && echo 2001:db8:2::1 || echo 2001:db8:2::2 ;;
               *) [[ $2 == a ]] && echo "2001:db8:1$1::1" || echo "2001:db8:1$1::2" ;; esac
}
chain_plen() { case $1 in 0|3) echo 24 ;; *) echo 29 ;; esac; }
chain_up() {
    local p=$1 bh=${2:-0} i j n mtus=(1500 1400 1300 1500)
    for j in 0 1 2 3 4; do ip netns add "$p$(chain_node $j)" || return 1
        ip -n "$p$(chain_node $j)" link set lo up; done
    for i in 0 1 2 3; do
        local l=$p$(chain_node $i) r=$p$(chain_node $((i + 1)))
        ip link add tob netns "$l" mtu "${mtus[$i]}" type veth peer name toa netns "$r" mtu "${mtus[$i]}" || return 1
        ip netns exec "$l" sysctl -qw net.ipv6.conf.tob.accept_dad=0
        ip netns exec "$r" sysctl -qw net.ipv6.conf.toa.accept_dad=0
        ip -n "$l" addr add "$(chain_v4 $i a)/$(chain_plen $i)" dev tob
        ip -n "$r" addr add "$(chain_v4 $i b)/$(chain_plen $i)" dev toa
        ip -n "$l" addr add "$(chain_v6 $i a)/64" dev tob nodad
        ip -n "$r" addr add "$(chain_v6 $i b)/64" dev toa nodad
        ip -n "$l" link set tob up; ip -n "$r" link set toa up
    done
    for j in 0 1 2; do
        ip -n "$p$(chain_node $j)" route add default via "$(chain_v4 $j b)"
        ip -n "$p$(chain_node $j)" -6 route add default via "$(chain_v6 $j b)"
    done
    ip -n "${p}b" route add default via "$(chain_v4 3 a)"; ip -n "${p}b" -6 route add default via "$(chain_v6 3 a)"
    for j in 2 3; do for ((i = 0; i + 1 < j; i++)); do
        local pf4 pf6; case $i in 0) pf4=192.0.2.0/24; pf6=2001:db8:1::/64 ;; *) pf4=203.0.113.$((8 * (i - 1)))/29; pf6=2001:db8:1$i::/64 ;; esac
        ip -n "${p}r$j" route add "$pf4" via "$(chain_v4 $((j - 1)) a)"
        ip -n "${p}r$j" -6 route add "$pf6" via "$(chain_v6 $((j - 1)) a)"
    done; done
    for j in 0 1 2 3 4; do local ns=$p$(chain_node $j)
        ip netns exec "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
        [[ $j -ge 1 && $j -le 3 ]] && ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
    done
    if [[ $bh == 1 ]]; then
        ip netns exec "${p}r1" iptables -A FORWARD -o tob -m length --length 1301:65535 -j DROP || return 1
        ip netns exec "${p}r1" ip6tables -A FORWARD -o tob -m length --length 1301:65535 -j DROP || return 1
    fi
    return 0
}
chain_down() { local j; for j in 0 1 2 3 4; do ip netns del "$1$(chain_node $j)" 2>/dev/null; done; return 0; }
