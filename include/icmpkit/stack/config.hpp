// What a stack node is: its role, interfaces, routes, filter rules, flags and rate limits.
// Plain values that a simulator, a TUN lab or a test fills in; Node (node.hpp) answers by them.
#pragma once

#include <bitset>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/wire/extensions.hpp"
#include "icmpkit/wire/quote.hpp"

namespace icmpkit::stack {

enum class Role : std::uint8_t { host, router };

// An address with a prefix length: an interface address (192.0.2.1/24) or a route's destination.
struct Prefix {
    core::IpAddress address;
    std::uint8_t length = 0;  // clamped to 32 / 128 by contains()

    bool contains(const core::IpAddress& a) const noexcept;
    friend bool operator==(const Prefix&, const Prefix&) = default;
};
// Prefix from text "192.0.2.0/24" or "2001:db8::/32"; nullopt when malformed.
std::optional<Prefix> parse_prefix(std::string_view text) noexcept;

struct Interface {
    std::string name;            // "eth0"; RFC 5837 name sub-object, RFC 8335 by-name probes
    std::uint32_t ifindex = 0;   // unique per node, non-zero
    std::vector<Prefix> addresses;  // interface addresses with their on-link prefix lengths
    std::uint32_t mtu = 1500;
    bool active = true;          // RFC 8335 3: the A bit of an extended echo reply
    core::Buffer link_layer_address;  // RFC 4861 4.6.1 target link-layer address option; may be empty
    // RFC 4950: the incoming label stack this hop reports in the Time Exceeded / Destination
    // Unreachable messages it generates for packets arriving here (a label-switched hop).
    std::vector<wire::ext::MplsLabelEntry> mpls_labels;
    // RFC 5837: append incoming-interface information (ifIndex, address, name, MTU) to them.
    bool report_interface_information = false;
};

// One member of an ECMP set. gateway empty: the destination is on the link (a connected route).
struct NextHop {
    std::uint32_t ifindex = 0;
    std::optional<core::IpAddress> gateway;
};

struct Route {
    Prefix destination;
    std::vector<NextHop> next_hops;  // more than one: equal-cost multipath
};

// Picks one of `count` (> 1) equal-cost next hops for a flow; must return < count. The sim may
// supply its own (e.g. to model per-packet or per-flow load balancing); the default hashes the
// flow key (src, dst, protocol, ports) with FNV-1a.
using EcmpSelector = std::function<std::size_t(const wire::FlowKey& flow, std::size_t count)>;

enum class FilterAction : std::uint8_t { accept, drop, reject };

// A firewall rule; the first matching rule decides (no match: accept). Empty fields match all.
// A rule with prefixes of one family matches only that family.
struct FilterRule {
    std::optional<Prefix> source;
    std::optional<Prefix> destination;
    std::optional<std::uint8_t> protocol;  // IPv4 protocol / IPv6 upper-layer next header
    std::uint16_t destination_port_min = 0;  // UDP/TCP only; a port range other than 0-65535
    std::uint16_t destination_port_max = 65535;  //   never matches protocols without ports
    FilterAction action = FilterAction::accept;
    // reject: Destination Unreachable with this code. RFC 1812 5.2.7.1: 13 communication
    // administratively prohibited (also 9 network / 10 host prohibited, RFC 1122); RFC 4443 3.1:
    // code 1 administratively prohibited (or 4 port unreachable, 5/6 policy).
    std::uint8_t reject_code_v4 = 13;
    std::uint8_t reject_code_v6 = 1;
    // reject: the error type. Destination Unreachable (v4 3 / v6 1) by default; Time Exceeded
    // (v4 11 / v6 3) models a box answering "fragment reassembly time exceeded" (code 1; RFC 792,
    // RFC 4443 3.3), which this stack, doing no reassembly, cannot produce otherwise. Any other
    // value is treated as Destination Unreachable.
    std::uint8_t reject_type_v4 = 3;
    std::uint8_t reject_type_v6 = 1;
};

// Token buckets of RFC 1812 4.3.2.8 / RFC 4443 2.4(f). Defaults are Linux's
// (Documentation/networking/ip-sysctl.rst): per peer one message per icmp_ratelimit = 1000 ms
// with a burst of XRLIM_BURST_FACTOR = 6; globally icmp_msgs_per_sec = 1000 with
// icmp_msgs_burst = 50. Only types in the mask are limited; PMTU messages (v4 3/4, v6 2) never.
struct RateLimitConfig {
    bool enabled = true;
    std::chrono::milliseconds per_peer_interval{1000};  // 0: no per-peer limit
    std::uint32_t per_peer_burst = 6;
    std::uint32_t global_per_second = 1000;             // 0: no global limit
    std::uint32_t global_burst = 50;
    std::size_t max_peers = 4096;  // peer table bound; the stalest entry is evicted
    // icmp_ratemask 0x1818: dest unreachable (3), source quench (4), time exceeded (11),
    // parameter problem (12).
    std::bitset<256> mask_v4{0x1818};
    // net.ipv6.icmp.ratemask default "0-1,3-127": every error type except packet too big (2).
    std::bitset<256> mask_v6 = default_mask_v6();

    static std::bitset<256> default_mask_v6() noexcept {
        std::bitset<256> m;
        for (int t = 0; t < 128; ++t) m.set(static_cast<std::size_t>(t));
        m.reset(2);
        return m;
    }
};

struct NodeConfig {
    std::string name;  // for the sim's traces; not on the wire
    Role role = Role::host;
    std::vector<Interface> interfaces;
    // Connected routes (each interface prefix -> that interface, on link) are added
    // automatically; these come on top. Longest prefix wins; /0 is the default route.
    std::vector<Route> routes;
    EcmpSelector ecmp_selector;  // empty: the default FNV-1a flow hash
    std::vector<FilterRule> filter;

    bool silent = false;                  // never generates any ICMP message (a stealth box)
    bool echo_reply = true;               // answer echo requests at all
    bool echo_ignore_broadcasts = true;   // RFC 1122 3.2.2.6 MAY; the Smurf defence (Linux default)
    bool echo_ignore_multicast_v6 = false;  // net.ipv6.icmp.echo_ignore_multicast default 0
    bool timestamp_reply = true;          // RFC 1122 3.2.2.8
    bool address_mask_reply = false;      // RFC 1122 3.2.2.9: only if authoritative
    bool extended_echo_reply = true;      // RFC 8335 (Linux: icmp_echo_enable_probe, default 0)
    bool send_redirects = true;           // RFC 1812 5.2.7.2 (routers only)
    // RFC 1812 5.2.2: a header failing version / IHL / total-length checks MUST be silently
    // discarded. false: answer Parameter Problem pointing at the bad byte (a non-compliant box).
    bool discard_bad_headers = true;
    std::chrono::milliseconds clock_offset{0};  // added to the wall clock for timestamp replies
    std::vector<std::uint16_t> open_udp_ports;
    // Protocols delivered locally without a check (e.g. 6 for a TCP the sim runs above us).
    // ICMP, ICMPv6 and UDP are always handled; anything else gets protocol unreachable.
    std::vector<std::uint8_t> local_protocols;
    std::uint8_t default_ttl = 64;        // TTL / hop limit of the packets we originate
    std::uint16_t router_lifetime_s = 1800;  // RFC 4861 6.2.1 AdvDefaultLifetime
    RateLimitConfig rate_limit;
};

}  // namespace icmpkit::stack
