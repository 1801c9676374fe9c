// The topologies shipped with icmpkit (`icmpkit lab --list`), in the format of
// docs/topology-format.md. Only documentation addresses (RFC 5737, RFC 3849).
#include "icmpkit/sim/topology.hpp"

namespace icmpkit::sim {

namespace {

constexpr std::string_view internet_text = R"topo(
description A path of 12 hops from h0 to h1: a lossy access link, an ECMP fan (r3a/r3b),
description an MPLS core (r5-r7, labels 24001-24003), a rate-limiting router (r8), a silent hop (r9),
description a 1400-byte tunnel (r10-r11), a firewall rejecting UDP 33440-33450 (r11).
node h0 host
node r1 router
node r2 router
node r3a router
node r3b router
node r4 router
node r5 router
node r6 router
node r7 router
node r8 router
node r9 router
node r10 router
node r11 router
node h1 host
entry h0
addr h0 eth0 192.0.2.10/24 2001:db8:1::10/64
addr r1 eth0 192.0.2.1/24 2001:db8:1::1/64
link h0:eth0 r1:eth0 latency=2ms jitter=1ms loss=1%
addr r1 eth1 198.51.100.1/30 2001:db8:ff:1::1/64
addr r2 eth1 198.51.100.2/30 2001:db8:ff:1::2/64
link r1:eth1 r2:eth1 latency=5ms
addr r2 eth2 198.51.100.5/30 2001:db8:ff:2::1/64
addr r3a eth1 198.51.100.6/30 2001:db8:ff:2::2/64
link r2:eth2 r3a:eth1 latency=1ms
addr r2 eth3 198.51.100.9/30 2001:db8:ff:3::1/64
addr r3b eth1 198.51.100.10/30 2001:db8:ff:3::2/64
link r2:eth3 r3b:eth1 latency=1ms
addr r3a eth2 198.51.100.13/30 2001:db8:ff:4::1/64
addr r4 eth1 198.51.100.14/30 2001:db8:ff:4::2/64
link r3a:eth2 r4:eth1 latency=1ms
addr r3b eth2 198.51.100.17/30 2001:db8:ff:5::1/64
addr r4 eth2 198.51.100.18/30 2001:db8:ff:5::2/64
link r3b:eth2 r4:eth2 latency=1ms
addr r4 eth3 198.51.100.21/30 2001:db8:ff:6::1/64
addr r5 eth1 198.51.100.22/30 2001:db8:ff:6::2/64
link r4:eth3 r5:eth1 latency=1ms
addr r5 eth2 198.51.100.25/30 2001:db8:ff:7::1/64
addr r6 eth1 198.51.100.26/30 2001:db8:ff:7::2/64
link r5:eth2 r6:eth1 latency=1ms
addr r6 eth2 198.51.100.29/30 2001:db8:ff:8::1/64
addr r7 eth1 198.51.100.30/30 2001:db8:ff:8::2/64
link r6:eth2 r7:eth1 latency=20ms jitter=2ms
addr r7 eth2 198.51.100.33/30 2001:db8:ff:9::1/64
addr r8 eth1 198.51.100.34/30 2001:db8:ff:9::2/64
link r7:eth2 r8:eth1 latency=1ms
addr r8 eth2 198.51.100.37/30 2001:db8:ff:a::1/64
addr r9 eth1 198.51.100.38/30 2001:db8:ff:a::2/64
link r8:eth2 r9:eth1 latency=1ms
addr r9 eth2 198.51.100.41/30 2001:db8:ff:b::1/64
addr r10 eth1 198.51.100.42/30 2001:db8:ff:b::2/64
link r9:eth2 r10:eth1 latency=1ms
addr r10 eth2 198.51.100.45/30 2001:db8:ff:c::1/64
addr r11 eth1 198.51.100.46/30 2001:db8:ff:c::2/64
link r10:eth2 r11:eth1 latency=8ms mtu=1400
addr r11 eth2 203.0.113.1/24 2001:db8:2::1/64
addr h1 eth0 203.0.113.10/24 2001:db8:2::10/64
link r11:eth2 h1:eth0 latency=1ms
route h0 default via 192.0.2.1
route h0 default via 2001:db8:1::1
route h1 default via 203.0.113.1
route h1 default via 2001:db8:2::1
route r1 default via 198.51.100.2
route r1 default via 2001:db8:ff:1::2
route r2 192.0.2.0/24 via 198.51.100.1
route r2 2001:db8:1::/64 via 2001:db8:ff:1::1
route r2 default via 198.51.100.6 via 198.51.100.10
route r2 default via 2001:db8:ff:2::2 via 2001:db8:ff:3::2
route r3a 192.0.2.0/24 via 198.51.100.5
route r3a 2001:db8:1::/64 via 2001:db8:ff:2::1
route r3a default via 198.51.100.14
route r3a default via 2001:db8:ff:4::2
route r3b 192.0.2.0/24 via 198.51.100.9
route r3b 2001:db8:1::/64 via 2001:db8:ff:3::1
route r3b default via 198.51.100.18
route r3b default via 2001:db8:ff:5::2
route r4 192.0.2.0/24 via 198.51.100.13
route r4 2001:db8:1::/64 via 2001:db8:ff:4::1
route r4 default via 198.51.100.22
route r4 default via 2001:db8:ff:6::2
route r5 192.0.2.0/24 via 198.51.100.21
route r5 2001:db8:1::/64 via 2001:db8:ff:6::1
route r5 default via 198.51.100.26
route r5 default via 2001:db8:ff:7::2
route r6 192.0.2.0/24 via 198.51.100.25
route r6 2001:db8:1::/64 via 2001:db8:ff:7::1
route r6 default via 198.51.100.30
route r6 default via 2001:db8:ff:8::2
route r7 192.0.2.0/24 via 198.51.100.29
route r7 2001:db8:1::/64 via 2001:db8:ff:8::1
route r7 default via 198.51.100.34
route r7 default via 2001:db8:ff:9::2
route r8 192.0.2.0/24 via 198.51.100.33
route r8 2001:db8:1::/64 via 2001:db8:ff:9::1
route r8 default via 198.51.100.38
route r8 default via 2001:db8:ff:a::2
route r9 192.0.2.0/24 via 198.51.100.37
route r9 2001:db8:1::/64 via 2001:db8:ff:a::1
route r9 default via 198.51.100.42
route r9 default via 2001:db8:ff:b::2
route r10 192.0.2.0/24 via 198.51.100.41
route r10 2001:db8:1::/64 via 2001:db8:ff:b::1
route r10 default via 198.51.100.46
route r10 default via 2001:db8:ff:c::2
route r11 192.0.2.0/24 via 198.51.100.45
route r11 2001:db8:1::/64 via 2001:db8:ff:c::1
route r11 default via 198.51.100.45
route r11 default via 2001:db8:ff:c::1
mpls r5 r6 r7 labels 24001
ratelimit r8 interval=1s burst=1
silent r9
filter r11 reject udp dport 33440-33450 code admin-prohibited
)topo";

constexpr std::string_view line_text = R"topo(
description A plain chain: h0 - r1 - r2 - r3 - h1, 1 ms per link.
node h0 host
node r1 router
node r2 router
node r3 router
node h1 host
entry h0
addr h0 eth0 192.0.2.10/24 2001:db8:1::10/64
addr r1 eth0 192.0.2.1/24 2001:db8:1::1/64
addr r1 eth1 198.51.100.1/30 2001:db8:ff:1::1/64
addr r2 eth0 198.51.100.2/30 2001:db8:ff:1::2/64
addr r2 eth1 198.51.100.5/30 2001:db8:ff:2::1/64
addr r3 eth0 198.51.100.6/30 2001:db8:ff:2::2/64
addr r3 eth1 203.0.113.1/24 2001:db8:2::1/64
addr h1 eth0 203.0.113.10/24 2001:db8:2::10/64
link h0:eth0 r1:eth0 latency=1ms
link r1:eth1 r2:eth0 latency=1ms
link r2:eth1 r3:eth0 latency=1ms
link r3:eth1 h1:eth0 latency=1ms
route h0 default via 192.0.2.1
route h0 default via 2001:db8:1::1
route r1 default via 198.51.100.2
route r1 default via 2001:db8:ff:1::2
route r2 192.0.2.0/24 via 198.51.100.1
route r2 2001:db8:1::/64 via 2001:db8:ff:1::1
route r2 default via 198.51.100.6
route r2 default via 2001:db8:ff:2::2
route r3 default via 198.51.100.5
route r3 default via 2001:db8:ff:2::1
route h1 default via 203.0.113.1
route h1 default via 2001:db8:2::1
)topo";

constexpr std::string_view diamond_text = R"topo(
description ECMP: h0 - r1 - (r2a | r2b) - r3 - h1; r1 balances per flow, r3 returns by r2a.
node h0 host
node r1 router
node r2a router
node r2b router
node r3 router
node h1 host
entry h0
addr h0 eth0 192.0.2.10/24 2001:db8:1::10/64
addr r1 eth0 192.0.2.1/24 2001:db8:1::1/64
addr r1 eth1 198.51.100.1/30 2001:db8:ff:1::1/64
addr r1 eth2 198.51.100.5/30 2001:db8:ff:2::1/64
addr r2a eth0 198.51.100.2/30 2001:db8:ff:1::2/64
addr r2a eth1 198.51.100.9/30 2001:db8:ff:3::1/64
addr r2b eth0 198.51.100.6/30 2001:db8:ff:2::2/64
addr r2b eth1 198.51.100.13/30 2001:db8:ff:4::1/64
addr r3 eth0 198.51.100.10/30 2001:db8:ff:3::2/64
addr r3 eth1 198.51.100.14/30 2001:db8:ff:4::2/64
addr r3 eth2 203.0.113.1/24 2001:db8:2::1/64
addr h1 eth0 203.0.113.10/24 2001:db8:2::10/64
link h0:eth0 r1:eth0 latency=1ms
link r1:eth1 r2a:eth0 latency=1ms
link r1:eth2 r2b:eth0 latency=2ms
link r2a:eth1 r3:eth0 latency=1ms
link r2b:eth1 r3:eth1 latency=2ms
link r3:eth2 h1:eth0 latency=1ms
route h0 default via 192.0.2.1
route h0 default via 2001:db8:1::1
route r1 default via 198.51.100.2 via 198.51.100.6
route r1 default via 2001:db8:ff:1::2 via 2001:db8:ff:2::2
route r2a 192.0.2.0/24 via 198.51.100.1
route r2a 2001:db8:1::/64 via 2001:db8:ff:1::1
route r2a default via 198.51.100.10
route r2a default via 2001:db8:ff:3::2
route r2b 192.0.2.0/24 via 198.51.100.5
route r2b 2001:db8:1::/64 via 2001:db8:ff:2::1
route r2b default via 198.51.100.14
route r2b default via 2001:db8:ff:4::2
route r3 default via 198.51.100.9
route r3 default via 2001:db8:ff:3::1
route h1 default via 203.0.113.1
route h1 default via 2001:db8:2::1
)topo";

constexpr std::string_view ecmp_text = R"topo(
description ECMP with four paths: r1 balances over r2a | r2b | r2c, r2a again over r3a | r3b;
description r2b also reaches r3b, r2c goes to r3c; all meet at r4 before h1 (per-flow hashing).
node h0 host
node r1 router
node r2a router
node r2b router
node r2c router
node r3a router
node r3b router
node r3c router
node r4 router
node h1 host
entry h0
addr h0 eth0 192.0.2.10/24 2001:db8:1::10/64
addr r1 eth0 192.0.2.1/24 2001:db8:1::1/64
addr r1 eth1 198.51.100.1/30 2001:db8:ff:1::1/64
addr r2a eth0 198.51.100.2/30 2001:db8:ff:1::2/64
addr r1 eth2 198.51.100.5/30 2001:db8:ff:2::1/64
addr r2b eth0 198.51.100.6/30 2001:db8:ff:2::2/64
addr r1 eth3 198.51.100.9/30 2001:db8:ff:3::1/64
addr r2c eth0 198.51.100.10/30 2001:db8:ff:3::2/64
addr r2a eth1 198.51.100.13/30 2001:db8:ff:4::1/64
addr r3a eth0 198.51.100.14/30 2001:db8:ff:4::2/64
addr r2a eth2 198.51.100.17/30 2001:db8:ff:5::1/64
addr r3b eth0 198.51.100.18/30 2001:db8:ff:5::2/64
addr r2b eth1 198.51.100.21/30 2001:db8:ff:6::1/64
addr r3b eth1 198.51.100.22/30 2001:db8:ff:6::2/64
addr r2c eth1 198.51.100.25/30 2001:db8:ff:7::1/64
addr r3c eth0 198.51.100.26/30 2001:db8:ff:7::2/64
addr r3a eth1 198.51.100.29/30 2001:db8:ff:8::1/64
addr r4 eth0 198.51.100.30/30 2001:db8:ff:8::2/64
addr r3b eth2 198.51.100.33/30 2001:db8:ff:9::1/64
addr r4 eth1 198.51.100.34/30 2001:db8:ff:9::2/64
addr r3c eth1 198.51.100.37/30 2001:db8:ff:a::1/64
addr r4 eth2 198.51.100.38/30 2001:db8:ff:a::2/64
addr r4 eth3 203.0.113.1/24 2001:db8:2::1/64
addr h1 eth0 203.0.113.10/24 2001:db8:2::10/64
link h0:eth0 r1:eth0 latency=1ms
link r1:eth1 r2a:eth0 latency=1ms
link r1:eth2 r2b:eth0 latency=1ms
link r1:eth3 r2c:eth0 latency=2ms
link r2a:eth1 r3a:eth0 latency=1ms
link r2a:eth2 r3b:eth0 latency=1ms
link r2b:eth1 r3b:eth1 latency=2ms
link r2c:eth1 r3c:eth0 latency=1ms
link r3a:eth1 r4:eth0 latency=1ms
link r3b:eth2 r4:eth1 latency=1ms
link r3c:eth1 r4:eth2 latency=1ms
link r4:eth3 h1:eth0 latency=1ms
route h0 default via 192.0.2.1
route h0 default via 2001:db8:1::1
route r1 default via 198.51.100.2 via 198.51.100.6 via 198.51.100.10
route r1 default via 2001:db8:ff:1::2 via 2001:db8:ff:2::2 via 2001:db8:ff:3::2
route r2a 192.0.2.0/24 via 198.51.100.1
route r2a 2001:db8:1::/64 via 2001:db8:ff:1::1
route r2a default via 198.51.100.14 via 198.51.100.18
route r2a default via 2001:db8:ff:4::2 via 2001:db8:ff:5::2
route r2b 192.0.2.0/24 via 198.51.100.5
route r2b 2001:db8:1::/64 via 2001:db8:ff:2::1
route r2b default via 198.51.100.22
route r2b default via 2001:db8:ff:6::2
route r2c 192.0.2.0/24 via 198.51.100.9
route r2c 2001:db8:1::/64 via 2001:db8:ff:3::1
route r2c default via 198.51.100.26
route r2c default via 2001:db8:ff:7::2
route r3a 192.0.2.0/24 via 198.51.100.13
route r3a 2001:db8:1::/64 via 2001:db8:ff:4::1
route r3a default via 198.51.100.30
route r3a default via 2001:db8:ff:8::2
route r3b 192.0.2.0/24 via 198.51.100.17
route r3b 2001:db8:1::/64 via 2001:db8:ff:5::1
route r3b default via 198.51.100.34
route r3b default via 2001:db8:ff:9::2
route r3c 192.0.2.0/24 via 198.51.100.25
route r3c 2001:db8:1::/64 via 2001:db8:ff:7::1
route r3c default via 198.51.100.38
route r3c default via 2001:db8:ff:a::2
route r4 192.0.2.0/24 via 198.51.100.29
route r4 2001:db8:1::/64 via 2001:db8:ff:8::1
route h1 default via 203.0.113.1
route h1 default via 2001:db8:2::1
)topo";

constexpr std::string_view blackhole_text = R"topo(
description PMTU black hole: r2's link to r3 has MTU 1400 and r2 drops too-big DF packets silently.
node h0 host
node r1 router
node r2 router
node r3 router
node h1 host
entry h0
addr h0 eth0 192.0.2.10/24 2001:db8:1::10/64
addr r1 eth0 192.0.2.1/24 2001:db8:1::1/64
addr r1 eth1 198.51.100.1/30 2001:db8:ff:1::1/64
addr r2 eth0 198.51.100.2/30 2001:db8:ff:1::2/64
addr r2 eth1 198.51.100.5/30 2001:db8:ff:2::1/64
addr r3 eth0 198.51.100.6/30 2001:db8:ff:2::2/64
addr r3 eth1 203.0.113.1/24 2001:db8:2::1/64
addr h1 eth0 203.0.113.10/24 2001:db8:2::10/64
link h0:eth0 r1:eth0 latency=1ms
link r1:eth1 r2:eth0 latency=1ms
link r2:eth1 r3:eth0 latency=1ms mtu=1400
link r3:eth1 h1:eth0 latency=1ms
route h0 default via 192.0.2.1
route h0 default via 2001:db8:1::1
route r1 default via 198.51.100.2
route r1 default via 2001:db8:ff:1::2
route r2 192.0.2.0/24 via 198.51.100.1
route r2 2001:db8:1::/64 via 2001:db8:ff:1::1
route r2 default via 198.51.100.6
route r2 default via 2001:db8:ff:2::2
route r3 default via 198.51.100.5
route r3 default via 2001:db8:ff:2::1
route h1 default via 203.0.113.1
route h1 default via 2001:db8:2::1
blackhole r2
)topo";

constexpr std::string_view nat_text = R"topo(
description NAT: h0 behind r1, which rewrites sources to 198.51.100.1; errors come back with the quote untranslated.
node h0 host
node r1 router
node r2 router
node h1 host
entry h0
addr h0 eth0 192.0.2.10/24
addr r1 eth0 192.0.2.1/24
addr r1 eth1 198.51.100.1/30
addr r2 eth0 198.51.100.2/30
addr r2 eth1 203.0.113.1/24
addr h1 eth0 203.0.113.10/24
link h0:eth0 r1:eth0 latency=1ms
link r1:eth1 r2:eth0 latency=1ms
link r2:eth1 h1:eth0 latency=1ms
route h0 default via 192.0.2.1
route r1 default via 198.51.100.2
route r2 192.0.2.0/24 via 198.51.100.1
route h1 default via 203.0.113.1
nat r1 inside eth0 outside eth1 quote=keep
)topo";

constexpr BuiltinTopology builtins[] = {
    {"internet", "12 hops: lossy access, ECMP fan, MPLS core, rate limit, silent hop, 1400 MTU tunnel, firewall", internet_text},
    {"line", "a plain chain of three routers", line_text},
    {"diamond", "two equal-cost paths between r1 and r3", diamond_text},
    {"ecmp", "four paths: a 3-way balancer, then a 2-way one, branches merging before the destination", ecmp_text},
    {"blackhole", "a PMTU black hole: MTU 1400 behind a router that never says frag-needed", blackhole_text},
    {"nat", "a source NAT router in front of the entry host", nat_text},
};

}  // namespace

std::span<const BuiltinTopology> builtin_topologies() noexcept { return builtins; }

const BuiltinTopology* find_builtin(std::string_view name) noexcept {
    for (const auto& b : builtins)
        if (b.name == name) return &b;
    return nullptr;
}

}  // namespace icmpkit::sim
