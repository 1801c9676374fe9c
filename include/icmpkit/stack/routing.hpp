// Longest-prefix-match routing with ECMP next-hop sets (RFC 1812 5.2.4.3).
#pragma once

#include <optional>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/stack/config.hpp"
#include "icmpkit/wire/quote.hpp"

namespace icmpkit::stack {

// The chosen next hop: out of `ifindex` towards `next_hop` (the gateway, or the destination
// itself for an on-link route).
struct ResolvedRoute {
    std::uint32_t ifindex = 0;
    core::IpAddress next_hop;
    bool on_link = false;  // no gateway: the destination is on the outgoing link
    std::uint8_t prefix_length = 0;
};

class RoutingTable {
public:
    RoutingTable() = default;
    // Connected routes from the interfaces' prefixes, then `routes`.
    RoutingTable(const std::vector<Interface>& interfaces, const std::vector<Route>& routes,
                 EcmpSelector selector);
    // Longest prefix wins; among equal-length routes the first configured. An ECMP set picks by
    // the selector (the flow key is that of the packet being routed).
    std::optional<ResolvedRoute> lookup(const core::IpAddress& destination,
                                        const wire::FlowKey& flow) const;

private:
    std::vector<Route> routes_;
    EcmpSelector selector_;
};

// FNV-1a over src, dst, protocol and ports, modulo count (the default EcmpSelector).
std::size_t default_ecmp_hash(const wire::FlowKey& flow, std::size_t count) noexcept;

}  // namespace icmpkit::stack
