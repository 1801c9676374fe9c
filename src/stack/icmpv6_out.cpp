// What an IPv6 node sends: ICMPv6 errors (RFC 4443 2.4, 3; RFC 4884 extensions) and replies.
#include "icmpkit/stack/node.hpp"
#include "icmpkit/wire/icmpv6.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/ipv6.hpp"

namespace icmpkit::stack {

namespace {

core::Buffer with_ipv6_header(const core::Ipv6Address& src, const core::Ipv6Address& dst, std::uint8_t hop_limit,
                              const core::Buffer& icmp) {
    wire::Ipv6Header h;
    h.payload_length = static_cast<std::uint16_t>(icmp.size());
    h.next_header = wire::ip_protocol::icmpv6;
    h.hop_limit = hop_limit;
    h.source = src;
    h.destination = dst;
    core::Buffer packet;
    core::ByteWriter w(packet);
    h.emit(w);
    w.bytes(icmp);
    return packet;
}

}  // namespace

bool Node::error_v6(const Input& in, const ErrorSpec& spec) {
    namespace w6 = wire::icmpv6;
    if (config_.silent) {
        suppress(SuppressReason::silent_node);
        return false;
    }
    if (auto why = error_suppressed(facts_v6(in), spec.type, spec.code)) {
        suppress(*why);
        return false;
    }
    core::Bytes d = in.datagram;
    auto to = core::Ipv6Address::from_bytes(&d[8]);
    wire::FlowKey flow{core::IpAddress(), core::IpAddress(to), wire::ip_protocol::icmpv6, 0, 0};
    auto route = routes_.lookup(core::IpAddress(to), flow);
    if (!route) {
        suppress(SuppressReason::no_route_back);
        return false;
    }
    auto source = source_for(core::Family::v6, route->ifindex);
    if (to.is_link_local())  // answer a link-local source from a link-local address
        for (const auto& p : in.iface.addresses)
            if (p.address.is_v6() && p.address.v6().is_link_local()) { source = p.address; break; }
    if (!source) {
        suppress(SuppressReason::no_source_address);
        return false;
    }
    if (!rate_allows(core::Family::v6, spec.type, spec.code, core::IpAddress(to), in.now)) return false;

    std::optional<wire::ext::ExtensionStructure> ext;
    if (spec.extensions) ext = extensions_for(in.iface);
    QuotePlan plan = plan_quote(core::Family::v6, d.size(), ext ? wire::ext::encoded_size(*ext) : 0);
    if (!plan.fits) ext.reset();
    core::Buffer original(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(plan.copy));
    w6::Message msg;
    switch (spec.type) {
        case w6::type::destination_unreachable: {
            w6::DestinationUnreachable m;
            m.code = spec.code;
            m.original = std::move(original);
            if (ext) w6::attach_extensions(m, std::move(*ext));
            msg = std::move(m);
            break;
        }
        case w6::type::time_exceeded: {
            w6::TimeExceeded m;
            m.code = spec.code;
            m.original = std::move(original);
            if (ext) w6::attach_extensions(m, std::move(*ext));
            msg = std::move(m);
            break;
        }
        case w6::type::packet_too_big: {
            msg = w6::PacketTooBig{spec.code, 0, spec.rest, std::move(original)};
            break;
        }
        default: {
            msg = w6::ParameterProblem{spec.code, 0, spec.rest, std::move(original)};
            break;
        }
    }
    core::Ipv6Address from = source->v6();
    core::Buffer icmp;
    core::ByteWriter w(icmp);
    w6::emit(msg, w, w6::ChecksumMode::compute, &from, &to);
    outputs_.push_back(Transmit{route->ifindex, route->next_hop, with_ipv6_header(from, to, config_.default_ttl, icmp)});
    count_generated(core::Family::v6, spec.type, spec.code);
    return true;
}

void Node::reply_v6(const Input& in, core::Buffer icmp, const core::Ipv6Address& source,
                    const core::Ipv6Address& destination, std::uint8_t hop_limit) {
    std::uint8_t type = icmp[0], code = icmp[1];
    Transmit t;
    if (destination.is_multicast() || destination.is_link_local()) {
        // Link-scoped: out of the arrival interface, no routing (RFC 4861 6.2.6 / 7.2.4).
        t.ifindex = in.iface.ifindex;
        t.next_hop = core::IpAddress(destination);
    } else {
        wire::FlowKey flow{core::IpAddress(), core::IpAddress(destination), wire::ip_protocol::icmpv6, 0, 0};
        auto route = routes_.lookup(core::IpAddress(destination), flow);
        if (!route) {
            suppress(SuppressReason::no_route_back);
            return dispose(DropReason::not_answered);
        }
        t.ifindex = route->ifindex;
        t.next_hop = route->next_hop;
    }
    if (!rate_allows(core::Family::v6, type, code, core::IpAddress(destination), in.now))
        return dispose(DropReason::not_answered);
    t.bytes = with_ipv6_header(source, destination, hop_limit, icmp);
    const Interface* out = interface_by_index(t.ifindex);
    if (out && t.bytes.size() > out->mtu) return dispose(DropReason::too_big);  // no v6 fragmentation here
    ++counters_.answered;
    count_generated(core::Family::v6, type, code);
    outputs_.push_back(std::move(t));
}

}  // namespace icmpkit::stack
