// IPv6 receive path: header and chain validation, local delivery, the ICMPv6 requests a node
// answers (RFC 4443 4, RFC 4861 6.2.6 / 7.2.4), forwarding (RFC 8200 3, RFC 4443 3).
#include <algorithm>

#include "icmpkit/stack/node.hpp"
#include "icmpkit/wire/checksum.hpp"
#include "icmpkit/wire/icmpv6.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/ipv6.hpp"
#include "icmpkit/wire/transport.hpp"

namespace icmpkit::stack {

namespace {
namespace t6 = wire::icmpv6::type;

core::Ipv6Address src6(core::Bytes d) { return core::Ipv6Address::from_bytes(&d[8]); }
core::Ipv6Address dst6(core::Bytes d) { return core::Ipv6Address::from_bytes(&d[24]); }
}  // namespace

OffendingFacts Node::facts_v6(const Input& in) const {
    OffendingFacts f;
    f.family = core::Family::v6;
    f.is_icmp_error = is_icmpv6_error_datagram(in.datagram);
    f.link_layer_broadcast = in.arrival.link_broadcast;
    f.group_destination = dst6(in.datagram).is_multicast();
    f.source_names_one_host = source_names_one_host_v6(src6(in.datagram));
    return f;
}

void Node::receive_v6(const Input& raw) {
    auto hv = wire::Ipv6HeaderView::parse(raw.arrival.packet);
    if (!hv) return dispose(DropReason::malformed_header);  // RFC 8200 3
    Input in{raw.arrival, raw.iface, raw.arrival.packet.first(40 + hv->payload().size()), raw.now, raw.wall};
    auto src = hv->source();
    auto dst = hv->destination();
    // RFC 4291 2.5.3 / 2.7: loopback never on the wire; a multicast source is invalid.
    if (src.is_multicast() || src.is_loopback() || is_local_address(core::IpAddress(src)))
        return dispose(DropReason::martian_source);
    auto chain = wire::walk_ipv6_chain(hv->next_header(), hv->payload(), 40);
    if (chain.error) {
        // RFC 8200 4.1: hop-by-hop anywhere but first -> Parameter Problem code 1 at the byte.
        if (chain.error->fault == core::Fault::bad_value)
            error_v6(in, {t6::parameter_problem, 1, chain.error->offset, false});
        return dispose(DropReason::bad_option);
    }
    bool local = dst.is_multicast() || is_local_address(dst);
    if (local) {
        // The byte that names the upper layer: the fixed header's next header (6) or the first
        // byte of the last extension header walked (RFC 4443 3.4 pointer).
        std::size_t naming = chain.headers.empty() ? 6 : chain.headers.back().offset;
        if (chain.fragment && (chain.fragment->offset != 0 || chain.fragment->more)) {
            ++counters_.delivered;  // no reassembly here: fragments go up as they are
            outputs_.push_back(DeliverLocal{in.iface.ifindex, core::Buffer(in.datagram.begin(), in.datagram.end())});
            return;
        }
        if (chain.truncated) return dispose(DropReason::malformed_header);
        return local_v6(in, chain.upper_layer_protocol, chain.upper_layer_offset, naming);
    }
    if (config_.role == Role::router) return forward_v6(in);
    dispose(DropReason::not_for_us);
}

void Node::local_v6(const Input& in, std::uint8_t upper, std::size_t off, std::size_t naming) {
    core::Bytes d = in.datagram;
    std::optional<std::uint16_t> dst_port;
    if ((upper == wire::ip_protocol::udp || upper == wire::ip_protocol::tcp) && d.size() >= off + 4)
        dst_port = core::load_be16(&d[off + 2]);
    std::uint8_t type = 0, code = 0;
    if (auto act = filter(in, src6(d), dst6(d), upper, dst_port, type, code)) {
        if (*act == FilterAction::drop) return dispose(DropReason::filtered);
        if (*act == FilterAction::reject) {
            error_v6(in, {type, code, 0, false});
            return dispose(DropReason::rejected);
        }
    }
    auto deliver = [&] {
        ++counters_.delivered;
        outputs_.push_back(DeliverLocal{in.iface.ifindex, core::Buffer(d.begin(), d.end())});
    };
    switch (upper) {
        case wire::ip_protocol::icmpv6: return icmp_v6(in, off);
        case wire::ip_protocol::udp: {
            auto udp = wire::UdpHeaderView::parse(d.subspan(std::min(off, d.size())));
            if (!udp) return dispose(DropReason::malformed_header);
            const auto& open = config_.open_udp_ports;
            if (std::find(open.begin(), open.end(), udp->destination_port()) != open.end()) return deliver();
            error_v6(in, {t6::destination_unreachable, 4, 0, false});  // RFC 4443 3.1 code 4
            return dispose(DropReason::port_unreachable);
        }
        case wire::ip_protocol::no_next_header: return dispose(DropReason::not_answered);  // RFC 8200 4.7
        default: {
            const auto& lp = config_.local_protocols;
            if (std::find(lp.begin(), lp.end(), upper) != lp.end()) return deliver();
            // RFC 8200 4 / RFC 4443 3.4: Parameter Problem code 1, pointer at the next header.
            error_v6(in, {t6::parameter_problem, 1, static_cast<std::uint32_t>(naming), false});
            return dispose(DropReason::protocol_unreachable);
        }
    }
}

void Node::icmp_v6(const Input& in, std::size_t off) {
    core::Bytes d = in.datagram;
    core::Bytes icmp = d.subspan(std::min(off, d.size()));
    auto src = src6(d), dst = dst6(d);
    auto view = wire::icmpv6::MessageView::parse(icmp, {true, &src, &dst});
    if (!view) return dispose(DropReason::malformed_icmp);
    std::uint8_t hop_limit = d[7];
    auto unanswered = [&] {
        if (config_.silent) suppress(SuppressReason::silent_node);
        dispose(DropReason::not_answered);
    };
    auto first_v6 = [](const Interface& i, bool link_local) -> std::optional<core::Ipv6Address> {
        for (const auto& p : i.addresses)
            if (p.address.is_v6() && p.address.v6().is_link_local() == link_local) return p.address.v6();
        return std::nullopt;
    };
    switch (view->type()) {
        case t6::echo_request: {
            if (config_.silent || !config_.echo_reply || (dst.is_multicast() && config_.echo_ignore_multicast_v6))
                return unanswered();
            // RFC 4443 4.2: the source of a reply to a multicast request is a unicast address
            // of the receiving interface.
            core::Ipv6Address from = dst;
            if (dst.is_multicast()) {
                auto a = first_v6(in.iface, src.is_link_local());
                if (!a) a = first_v6(in.iface, !src.is_link_local());
                if (!a) return unanswered();
                from = *a;
            }
            core::Buffer reply(icmp.begin(), icmp.end());
            std::uint16_t sum = view->checksum();
            std::uint16_t old_word = core::load_be16(&reply[0]);
            reply[0] = t6::echo_reply;
            sum = wire::checksum_update(sum, old_word, core::load_be16(&reply[0]));
            // RFC 1624 over the pseudo-header too: {src, dst} becomes {from, src}, so only dst
            // -> from changes (a multicast request).
            for (std::size_t i = 0; i < 16; i += 2)
                sum = wire::checksum_update(sum, core::load_be16(&dst.bytes()[i]), core::load_be16(&from.bytes()[i]));
            core::store_be16(&reply[2], sum);
            return reply_v6(in, std::move(reply), from, src, config_.default_ttl);
        }
        case t6::neighbor_solicitation: {
            // RFC 4861 7.1.1: hop limit 255, code 0; 7.2.3: the target must be ours.
            auto target = view->target();
            if (config_.silent || hop_limit != 255 || view->code() != 0 || !target ||
                !is_local_address(core::IpAddress(*target)))
                return unanswered();
            wire::icmpv6::NeighborAdvertisement na;
            na.router = config_.role == Role::router;
            na.solicited = !src.is_unspecified();  // RFC 4861 7.2.4: DAD replies go to all-nodes
            na.override_flag = true;
            na.target = *target;
            if (!in.iface.link_layer_address.empty())
                na.options.push_back(wire::ndp::TargetLinkLayerAddress{in.iface.link_layer_address});
            auto to = src.is_unspecified() ? *core::Ipv6Address::parse("ff02::1") : src;
            core::Buffer out;
            core::ByteWriter w(out);
            wire::icmpv6::emit(na, w, wire::icmpv6::ChecksumMode::compute, &*target, &to);
            return reply_v6(in, std::move(out), *target, to, 255);
        }
        case t6::router_solicitation: {
            // RFC 4861 6.1.1: hop limit 255, code 0; 6.2.6: routers answer.
            auto ll = first_v6(in.iface, true);
            if (config_.silent || config_.role != Role::router || hop_limit != 255 || view->code() != 0 || !ll)
                return unanswered();
            wire::icmpv6::RouterAdvertisement ra;
            ra.cur_hop_limit = config_.default_ttl;
            ra.router_lifetime = config_.router_lifetime_s;
            if (!in.iface.link_layer_address.empty())
                ra.options.push_back(wire::ndp::SourceLinkLayerAddress{in.iface.link_layer_address});
            ra.options.push_back(wire::ndp::Mtu{0, in.iface.mtu});  // RFC 4861 4.6.4
            for (const auto& p : in.iface.addresses) {
                if (!p.address.is_v6() || p.address.v6().is_link_local()) continue;
                wire::ndp::PrefixInformation pi;  // RFC 4861 4.6.2, 6.2.1 default lifetimes
                pi.prefix_length = p.length;
                pi.on_link = true;
                pi.autonomous = p.length == 64;
                pi.valid_lifetime = 2592000;
                pi.preferred_lifetime = 604800;
                auto b = p.address.v6().bytes();
                for (unsigned i = 0; i < 16; ++i) {
                    unsigned keep = p.length >= (i + 1) * 8 ? 8 : (p.length > i * 8 ? p.length - i * 8 : 0);
                    b[i] = static_cast<std::uint8_t>(b[i] & (keep ? 0xFF << (8 - keep) : 0));
                }
                pi.prefix = core::Ipv6Address(b);
                ra.options.push_back(pi);
            }
            auto to = src.is_unspecified() ? *core::Ipv6Address::parse("ff02::1") : src;
            core::Buffer out;
            core::ByteWriter w(out);
            wire::icmpv6::emit(ra, w, wire::icmpv6::ChecksumMode::compute, &*ll, &to);
            return reply_v6(in, std::move(out), *ll, to, 255);
        }
        default:
            ++counters_.delivered;
            outputs_.push_back(DeliverLocal{in.iface.ifindex, core::Buffer(d.begin(), d.end())});
            return;
    }
}

void Node::forward_v6(const Input& in) {
    core::Bytes d = in.datagram;
    auto src = src6(d), dst = dst6(d);
    // RFC 4291 2.5.6: link-local addresses are never forwarded; nor the unspecified destination.
    if (src.is_link_local() || src.is_unspecified()) return dispose(DropReason::martian_source);
    if (dst.is_link_local() || dst.is_unspecified()) return dispose(DropReason::martian_destination);
    auto q = wire::parse_quote(d);
    wire::FlowKey flow{core::IpAddress(src), core::IpAddress(dst), 0, 0, 0};
    if (q) {
        if (auto k = q->flow_key()) flow = *k;
        flow.protocol = q->protocol;
    }
    auto route = routes_.lookup(core::IpAddress(dst), flow);
    if (!route) {
        error_v6(in, {t6::destination_unreachable, 0, 0, true});  // RFC 4443 3.1 code 0 no route
        return dispose(DropReason::no_route);
    }
    if (d[7] <= 1) {  // RFC 8200 3 / RFC 4443 3.3: hop limit exceeded in transit
        error_v6(in, {t6::time_exceeded, 0, 0, true});
        return dispose(DropReason::ttl_exceeded);
    }
    std::uint8_t type = 0, code = 0;
    std::optional<std::uint16_t> port;
    if (flow.dst_port || flow.src_port) port = flow.dst_port;
    if (auto act = filter(in, flow.src, flow.dst, flow.protocol, port, type, code)) {
        if (*act == FilterAction::drop) return dispose(DropReason::filtered);
        if (*act == FilterAction::reject) {
            error_v6(in, {type, code, 0, true});  // RFC 4443 3.1 code 1 (or as configured)
            return dispose(DropReason::rejected);
        }
    }
    const Interface* out = interface_by_index(route->ifindex);
    std::uint32_t mtu = out ? out->mtu : 1500;
    if (d.size() > mtu) {  // RFC 8200 5 (routers never fragment), RFC 4443 3.2, RFC 8201
        error_v6(in, {t6::packet_too_big, 0, mtu, false});
        return dispose(DropReason::too_big);
    }
    core::Buffer bytes(d.begin(), d.end());
    bytes[7] = static_cast<std::uint8_t>(bytes[7] - 1);
    ++counters_.forwarded;
    outputs_.push_back(Transmit{route->ifindex, route->next_hop, std::move(bytes)});
}

}  // namespace icmpkit::stack
