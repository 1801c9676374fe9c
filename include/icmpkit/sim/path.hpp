// The hop list a trace from the entry host must show, computed from the routing tables alone
// (no packets): every ECMP alternative per TTL, silent hops, MPLS labels, filters, MTU changes,
// NAT and PMTU black holes. `icmpkit lab --describe` prints it; tests compare it with what
// probes through a Network actually get.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/sim/topology.hpp"

namespace icmpkit::sim {

// One node that can answer at a TTL (several when ECMP fans out).
struct HopAlternative {
    std::uint32_t node = 0;
    // The source of its Time Exceeded (or, for the destination, of its reply): the address of
    // the interface its route back to the entry leaves by (RFC 1812 4.3.2.4). nullopt: silent.
    std::optional<core::IpAddress> reply_source;
    std::vector<std::uint32_t> mpls_labels;  // RFC 4950 labels its errors carry
    std::uint32_t incoming_mtu = 0;          // the path MTU up to this node
    std::uint32_t outgoing_mtu = 0;          // MTU of the next link (0: destination / dead end)
    bool destination = false;                // it owns the traced address
    bool rate_limited = false;               // a `ratelimit` stricter than the default applies
    bool blackhole = false;                  // drops too-big DF packets without a word
    bool nat = false;                        // rewrites the source of what it forwards
    bool no_route = false;                   // it answers net unreachable (!N) instead
    std::vector<stack::FilterRule> filters;  // its forwarding filter (drop / reject rules)
};

struct PathHop {
    std::uint32_t ttl = 0;
    std::vector<HopAlternative> alternatives;
};

struct TracePath {
    std::uint32_t destination_node = 0;
    core::IpAddress destination;
    std::optional<core::IpAddress> source;  // the entry's address of that family
    std::vector<PathHop> hops;              // ttl 1, 2, ...
    bool reached = false;                   // some path ends at the destination
    std::uint32_t path_mtu = 0;             // smallest MTU over every path that reaches it
};

// The path from topology.entry to `destination` (at most 64 hops, at most 256 ECMP paths).
TracePath compute_path(const Topology& topology, const core::IpAddress& destination);

// One path per host other than the entry and per address family it has an address of.
std::vector<TracePath> compute_host_paths(const Topology& topology);

// Whether a rate limit stricter than the stack's default (Linux's) is configured.
bool rate_limit_is_custom(const stack::RateLimitConfig& r) noexcept;

}  // namespace icmpkit::sim
