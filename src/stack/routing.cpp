#include "icmpkit/stack/routing.hpp"

namespace icmpkit::stack {

RoutingTable::RoutingTable(const std::vector<Interface>& interfaces, const std::vector<Route>& routes,
                           EcmpSelector selector)
    : selector_(std::move(selector)) {
    for (const auto& i : interfaces)
        for (const auto& p : i.addresses) {
            Prefix net = p;
            // The connected route covers the prefix: the address with the host bits kept is
            // fine, contains() masks both sides.
            routes_.push_back(Route{net, {NextHop{i.ifindex, std::nullopt}}});
        }
    routes_.insert(routes_.end(), routes.begin(), routes.end());
}

std::optional<ResolvedRoute> RoutingTable::lookup(const core::IpAddress& destination,
                                                  const wire::FlowKey& flow) const {
    const Route* best = nullptr;
    for (const auto& r : routes_) {
        if (r.next_hops.empty() || !r.destination.contains(destination)) continue;
        if (!best || r.destination.length > best->destination.length) best = &r;
    }
    if (!best) return std::nullopt;
    std::size_t n = best->next_hops.size();
    std::size_t pick = 0;
    if (n > 1) {
        pick = selector_ ? selector_(flow, n) : default_ecmp_hash(flow, n);
        if (pick >= n) pick %= n;  // a selector out of range is tolerated
    }
    const NextHop& h = best->next_hops[pick];
    ResolvedRoute out;
    out.ifindex = h.ifindex;
    out.on_link = !h.gateway.has_value();
    out.next_hop = h.gateway ? *h.gateway : destination;
    out.prefix_length = best->destination.length;
    return out;
}

std::size_t default_ecmp_hash(const wire::FlowKey& flow, std::size_t count) noexcept {
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&h](std::uint8_t b) {
        h ^= b;
        h *= 1099511628211ull;
    };
    auto mix_addr = [&](const core::IpAddress& a) {
        if (a.is_v4())
            for (auto b : a.v4().to_bytes()) mix(b);
        else
            for (auto b : a.v6().bytes()) mix(b);
    };
    mix_addr(flow.src);
    mix_addr(flow.dst);
    mix(flow.protocol);
    mix(static_cast<std::uint8_t>(flow.src_port >> 8));
    mix(static_cast<std::uint8_t>(flow.src_port));
    mix(static_cast<std::uint8_t>(flow.dst_port >> 8));
    mix(static_cast<std::uint8_t>(flow.dst_port));
    return count ? static_cast<std::size_t>(h % count) : 0;
}

}  // namespace icmpkit::stack
