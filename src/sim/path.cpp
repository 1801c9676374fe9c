// Static path computation over the topology's routing tables (see path.hpp).
#include "icmpkit/sim/path.hpp"

#include <algorithm>

#include "icmpkit/stack/routing.hpp"
#include "icmpkit/wire/ip_protocol.hpp"

namespace icmpkit::sim {

namespace {

constexpr std::uint32_t max_ttl = 64;
constexpr std::size_t max_paths = 256;

struct NextHopTo {
    std::uint32_t ifindex;
    core::IpAddress address;
};

// Every member of the longest-prefix route (connected routes first, as stack's RoutingTable).
std::vector<NextHopTo> all_next_hops(const stack::NodeConfig& cfg, const core::IpAddress& dst) {
    const stack::Route* best = nullptr;
    std::vector<stack::Route> connected;
    for (const auto& i : cfg.interfaces)
        for (const auto& p : i.addresses) connected.push_back(stack::Route{p, {stack::NextHop{i.ifindex, std::nullopt}}});
    auto consider = [&](const stack::Route& r) {
        if (!r.next_hops.empty() && r.destination.contains(dst) && (!best || r.destination.length > best->destination.length))
            best = &r;
    };
    for (const auto& r : connected) consider(r);
    for (const auto& r : cfg.routes) consider(r);
    std::vector<NextHopTo> out;
    if (best)
        for (const auto& h : best->next_hops) out.push_back({h.ifindex, h.gateway ? *h.gateway : dst});
    return out;
}

class Walker {
public:
    Walker(const Topology& t, const core::IpAddress& dst) : t_(t), dst_(dst) {
        path_.destination = dst;
        for (std::uint32_t n = 0; n < t.nodes.size(); ++n)
            if (owns(n, dst)) path_.destination_node = n;
        path_.source = address_of(t.entry, dst.family(), 0);
    }

    TracePath run() {
        if (!path_.source) return path_;
        walk(t_.entry, 0, 1, 65535);
        return std::move(path_);
    }

private:
    bool owns(std::uint32_t n, const core::IpAddress& a) const {
        for (const auto& i : t_.nodes[n].config.interfaces)
            for (const auto& p : i.addresses)
                if (p.address == a) return true;
        return false;
    }
    // First non-link-local address of the family on `ifindex` (0: any interface), as stack's
    // Node::source_for picks it.
    std::optional<core::IpAddress> address_of(std::uint32_t n, core::Family f, std::uint32_t ifindex) const {
        for (int pass = 0; pass < 2; ++pass)
            for (const auto& i : t_.nodes[n].config.interfaces) {
                if (pass == 0 && ifindex && i.ifindex != ifindex) continue;
                for (const auto& p : i.addresses)
                    if (p.address.family() == f && !(f == core::Family::v6 && p.address.v6().is_link_local()))
                        return p.address;
            }
        return std::nullopt;
    }
    const stack::Interface& iface(std::uint32_t n, std::uint32_t ifindex) const {
        return t_.nodes[n].config.interfaces[ifindex - 1];
    }
    // The node on the link of (n, ifindex) that owns `next_hop`.
    std::optional<Endpoint> neighbour(std::uint32_t n, std::uint32_t ifindex, const core::IpAddress& next_hop) const {
        for (const auto& l : t_.links) {
            if (std::find(l.ends.begin(), l.ends.end(), Endpoint{n, ifindex}) == l.ends.end()) continue;
            for (const auto& e : l.ends)
                if (e.node != n)
                    for (const auto& p : iface(e.node, e.ifindex).addresses)
                        if (p.address == next_hop) return e;
        }
        return std::nullopt;
    }
    std::optional<core::IpAddress> reply_source(std::uint32_t n) const {
        const auto& spec = t_.nodes[n];
        if (spec.config.silent) return std::nullopt;
        // The route back as stack's Node routes its errors (flow: ICMP to the entry).
        stack::RoutingTable table(spec.config.interfaces, spec.config.routes, {});
        wire::FlowKey flow{core::IpAddress(), *path_.source, wire::ip_protocol::icmp, 0, 0};
        auto back = table.lookup(*path_.source, flow);
        if (!back) return std::nullopt;
        return address_of(n, dst_.family(), back->ifindex);
    }
    HopAlternative& record(std::uint32_t ttl, std::uint32_t n) {
        while (path_.hops.size() < ttl) path_.hops.push_back(PathHop{static_cast<std::uint32_t>(path_.hops.size() + 1), {}});
        auto& alts = path_.hops[ttl - 1].alternatives;
        for (auto& a : alts)
            if (a.node == n) return a;
        alts.push_back(HopAlternative{});
        alts.back().node = n;
        return alts.back();
    }

    void walk(std::uint32_t n, std::uint32_t in_ifindex, std::uint32_t ttl, std::uint32_t mtu) {
        if (++visits_ > max_paths * max_ttl) return;
        if (n != t_.entry) {
            const auto& spec = t_.nodes[n];
            HopAlternative& h = record(ttl - 1, n);
            h.reply_source = reply_source(n);
            h.incoming_mtu = std::max(h.incoming_mtu, mtu);
            const auto& labels = iface(n, in_ifindex).mpls_labels;
            h.mpls_labels.clear();
            for (const auto& e : labels) h.mpls_labels.push_back(e.label);
            h.rate_limited = rate_limit_is_custom(spec.config.rate_limit);
            h.blackhole = spec.blackhole;
            h.nat = spec.nat.has_value();
            h.filters = spec.config.filter;
            if (owns(n, dst_)) {
                h.destination = true;
                path_.reached = true;
                path_.path_mtu = path_.path_mtu ? std::min(path_.path_mtu, mtu) : mtu;
                return;
            }
            if (spec.config.role != stack::Role::router || ttl > max_ttl) return;
        }
        auto hops = all_next_hops(t_.nodes[n].config, dst_);
        if (hops.empty() && n != t_.entry) record(ttl - 1, n).no_route = true;
        for (const auto& nh : hops) {
            std::uint32_t out_mtu = iface(n, nh.ifindex).mtu;
            if (n != t_.entry) {
                auto& h = record(ttl - 1, n);
                h.outgoing_mtu = h.outgoing_mtu ? std::min(h.outgoing_mtu, out_mtu) : out_mtu;
            }
            auto peer = neighbour(n, nh.ifindex, nh.address);
            if (!peer) continue;
            walk(peer->node, peer->ifindex, ttl + 1, std::min(mtu, out_mtu));
        }
    }

    const Topology& t_;
    core::IpAddress dst_;
    TracePath path_;
    std::size_t visits_ = 0;
};

}  // namespace

bool rate_limit_is_custom(const stack::RateLimitConfig& r) noexcept {
    stack::RateLimitConfig d;
    return r.enabled && (r.per_peer_interval != d.per_peer_interval || r.per_peer_burst != d.per_peer_burst ||
                         r.global_per_second != d.global_per_second || r.global_burst != d.global_burst);
}

TracePath compute_path(const Topology& topology, const core::IpAddress& destination) {
    return Walker(topology, destination).run();
}

std::vector<TracePath> compute_host_paths(const Topology& topology) {
    std::vector<TracePath> out;
    for (std::uint32_t n = 0; n < topology.nodes.size(); ++n) {
        const auto& cfg = topology.nodes[n].config;
        if (n == topology.entry || cfg.role != stack::Role::host) continue;
        for (core::Family f : {core::Family::v4, core::Family::v6}) {
            std::optional<core::IpAddress> a;
            for (const auto& i : cfg.interfaces)
                for (const auto& p : i.addresses)
                    if (!a && p.address.family() == f) a = p.address;
            if (a) out.push_back(compute_path(topology, *a));
        }
    }
    return out;
}

}  // namespace icmpkit::sim
