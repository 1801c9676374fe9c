// Node: dispatch by IP version, the counters, routing of what the node originates, and the
// shared helpers of the IPv4 and IPv6 paths.
#include "icmpkit/stack/node.hpp"

#include <algorithm>

#include "icmpkit/wire/icmpv4_types.hpp"
#include "icmpkit/wire/icmpv6_types.hpp"
#include "icmpkit/wire/ip_protocol.hpp"

namespace icmpkit::stack {

std::string_view drop_reason_name(DropReason r) noexcept {
    switch (r) {
        case DropReason::malformed_header: return "malformed-header";
        case DropReason::bad_header_checksum: return "bad-header-checksum";
        case DropReason::malformed_icmp: return "malformed-icmp";
        case DropReason::bad_option: return "bad-option";
        case DropReason::unknown_interface: return "unknown-interface";
        case DropReason::not_for_us: return "not-for-us";
        case DropReason::martian_source: return "martian-source";
        case DropReason::martian_destination: return "martian-destination";
        case DropReason::link_broadcast_unicast: return "link-broadcast-unicast";
        case DropReason::multicast_not_routed: return "multicast-not-routed";
        case DropReason::ttl_exceeded: return "ttl-exceeded";
        case DropReason::no_route: return "no-route";
        case DropReason::too_big: return "too-big";
        case DropReason::filtered: return "filtered";
        case DropReason::rejected: return "rejected";
        case DropReason::port_unreachable: return "port-unreachable";
        case DropReason::protocol_unreachable: return "protocol-unreachable";
        case DropReason::not_answered: return "not-answered";
        case DropReason::count_: break;
    }
    return "unknown";
}

// ---- Counters ----------------------------------------------------------------------------------

std::uint64_t Counters::dropped_total() const noexcept {
    std::uint64_t n = 0;
    for (auto v : dropped) n += v;
    return n;
}
std::uint64_t Counters::suppressed_total() const noexcept {
    std::uint64_t n = 0;
    for (auto v : suppressed) n += v;
    return n;
}
std::uint64_t Counters::rate_limited() const noexcept {
    return suppressed_for(SuppressReason::rate_limited_peer) + suppressed_for(SuppressReason::rate_limited_global);
}
std::uint64_t Counters::malformed() const noexcept {
    return dropped_for(DropReason::malformed_header) + dropped_for(DropReason::bad_header_checksum) +
           dropped_for(DropReason::malformed_icmp) + dropped_for(DropReason::bad_option);
}
std::uint64_t Counters::generated_count(core::Family f, std::uint8_t type, std::uint8_t code) const noexcept {
    auto it = generated.find((std::uint32_t{static_cast<std::uint8_t>(f)} << 16) | (std::uint32_t{type} << 8) | code);
    return it == generated.end() ? 0 : it->second;
}
std::uint64_t Counters::generated_total() const noexcept {
    std::uint64_t n = 0;
    for (const auto& [k, v] : generated) n += v;
    return n;
}
bool Counters::balanced() const noexcept {
    return received == forwarded + delivered + answered + dropped_total();
}

// ---- Node --------------------------------------------------------------------------------------

Node::Node(NodeConfig config)
    : config_(std::move(config)),
      routes_(config_.interfaces, config_.routes, config_.ecmp_selector),
      limiter_(config_.rate_limit) {}

const Interface* Node::interface_by_index(std::uint32_t ifindex) const noexcept {
    for (const auto& i : config_.interfaces)
        if (i.ifindex == ifindex) return &i;
    return nullptr;
}

const Interface* Node::interface_by_name(std::string_view name) const noexcept {
    for (const auto& i : config_.interfaces)
        if (i.name == name) return &i;
    return nullptr;
}

bool Node::is_local_address(const core::IpAddress& a) const noexcept {
    for (const auto& i : config_.interfaces)
        for (const auto& p : i.addresses)
            if (p.address == a) return true;
    return false;
}

bool Node::is_broadcast_v4(core::Ipv4Address a) const noexcept {
    if (a.is_limited_broadcast()) return true;
    for (const auto& i : config_.interfaces)
        for (const auto& p : i.addresses) {
            if (!p.address.is_v4() || p.length >= 31) continue;
            std::uint32_t host = 0xFFFFFFFFu >> p.length;
            if ((p.address.v4().to_uint() | host) == a.to_uint()) return true;
        }
    return false;
}

std::span<const Output> Node::receive(const Arrival& arrival, core::MonoTime now, core::WallTime wall) {
    outputs_.clear();
    ++counters_.received;
    const Interface* iface = interface_by_index(arrival.ifindex);
    if (!iface) {
        dispose(DropReason::unknown_interface);
        return outputs_;
    }
    Input in{arrival, *iface, arrival.packet, now, wall};
    std::uint8_t version = arrival.packet.empty() ? 0 : static_cast<std::uint8_t>(arrival.packet[0] >> 4);
    if (version == 4) {
        receive_v4(in);
    } else if (version == 6) {
        receive_v6(in);
    } else {
        dispose(DropReason::malformed_header);  // RFC 1812 5.2.2 (3): not a version we speak
    }
    return outputs_;
}

void Node::dispose(DropReason r) {
    ++counters_.dropped[static_cast<std::size_t>(r)];
    outputs_.emplace_back(std::in_place_type<Drop>, Drop{r});
}

void Node::count_generated(core::Family f, std::uint8_t type, std::uint8_t code) {
    ++counters_.generated[(std::uint32_t{static_cast<std::uint8_t>(f)} << 16) | (std::uint32_t{type} << 8) | code];
}

bool Node::rate_allows(core::Family f, std::uint8_t type, std::uint8_t code, const core::IpAddress& peer,
                       core::MonoTime now) {
    switch (limiter_.check(f, type, code, peer, now)) {
        case RateDecision::limited_peer: suppress(SuppressReason::rate_limited_peer); return false;
        case RateDecision::limited_global: suppress(SuppressReason::rate_limited_global); return false;
        default: return true;
    }
}

std::optional<core::IpAddress> Node::source_for(core::Family f, std::uint32_t out_ifindex) const {
    // RFC 1812 4.3.2.4: the source of an ICMP error is an address of the interface the error is
    // sent out of; any address of the family when that interface has none.
    auto pick = [f](const Interface& i) -> std::optional<core::IpAddress> {
        for (const auto& p : i.addresses)
            if (p.address.family() == f && !(f == core::Family::v6 && p.address.v6().is_link_local()))
                return p.address;
        for (const auto& p : i.addresses)
            if (p.address.family() == f) return p.address;
        return std::nullopt;
    };
    if (const Interface* i = interface_by_index(out_ifindex))
        if (auto a = pick(*i)) return a;
    for (const auto& i : config_.interfaces)
        if (auto a = pick(i)) return a;
    return std::nullopt;
}

bool Node::send_originated(core::Buffer bytes, const core::IpAddress& destination, const wire::FlowKey& flow) {
    auto route = routes_.lookup(destination, flow);
    if (!route) return false;
    outputs_.push_back(Transmit{route->ifindex, route->next_hop, std::move(bytes)});
    return true;
}

std::optional<wire::ext::ExtensionStructure> Node::extensions_for(const Interface& iface) const {
    wire::ext::ExtensionStructure s;
    if (!iface.mpls_labels.empty()) s.objects.push_back(wire::ext::MplsLabelStack{iface.mpls_labels});  // RFC 4950
    if (iface.report_interface_information) {  // RFC 5837 4: incoming interface, all fields
        wire::ext::InterfaceInformation info;
        info.role = wire::ext::InterfaceRole::incoming;
        info.has_ifindex = true;
        info.ifindex = iface.ifindex;
        if (!iface.addresses.empty()) {
            info.has_address = true;
            info.address = iface.addresses.front().address;
            info.afi = info.address.is_v4() ? wire::ext::afi_ipv4 : wire::ext::afi_ipv6;
        }
        if (!iface.name.empty()) {
            info.has_name = true;
            info.name = iface.name.substr(0, 63);  // RFC 5837 4.3: at most 63 octets of name
        }
        info.has_mtu = true;
        info.mtu = iface.mtu;
        s.objects.push_back(std::move(info));
    }
    if (s.objects.empty()) return std::nullopt;
    return s;
}

std::optional<FilterAction> Node::filter(const Input&, const core::IpAddress& src, const core::IpAddress& dst,
                                         std::uint8_t protocol, std::optional<std::uint16_t> dst_port,
                                         std::uint8_t& type, std::uint8_t& code) const {
    for (const auto& r : config_.filter) {
        if (r.source && !r.source->contains(src)) continue;
        if (r.destination && !r.destination->contains(dst)) continue;
        if (r.protocol && *r.protocol != protocol) continue;
        bool any_port = r.destination_port_min == 0 && r.destination_port_max == 65535;
        if (!any_port && (!dst_port || *dst_port < r.destination_port_min || *dst_port > r.destination_port_max))
            continue;
        code = src.is_v4() ? r.reject_code_v4 : r.reject_code_v6;
        // Destination Unreachable unless Time Exceeded was asked for (config.hpp).
        if (src.is_v4())
            type = r.reject_type_v4 == wire::icmpv4::type::time_exceeded ? wire::icmpv4::type::time_exceeded
                                                                         : wire::icmpv4::type::destination_unreachable;
        else
            type = r.reject_type_v6 == wire::icmpv6::type::time_exceeded ? wire::icmpv6::type::time_exceeded
                                                                         : wire::icmpv6::type::destination_unreachable;
        return r.action;
    }
    return std::nullopt;
}

}  // namespace icmpkit::stack
