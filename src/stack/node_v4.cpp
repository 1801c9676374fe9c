// IPv4 receive path: header validation, local delivery and the ICMP requests a node answers
// (RFC 792, RFC 1122 3.2.2), forwarding (RFC 1812 5).
#include <algorithm>

#include "icmpkit/stack/node.hpp"
#include "icmpkit/wire/checksum.hpp"
#include "icmpkit/wire/icmpv4.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/ipv4.hpp"
#include "icmpkit/wire/transport.hpp"

namespace icmpkit::stack {

namespace {

core::Ipv4Address src_of(core::Bytes d) { return core::Ipv4Address::from_bytes(&d[12]); }
core::Ipv4Address dst_of(core::Bytes d) { return core::Ipv4Address::from_bytes(&d[16]); }

wire::FlowKey flow_of_v4(core::Bytes d) {
    wire::FlowKey k{src_of(d), dst_of(d), d[9], 0, 0};
    std::size_t ihl = std::size_t{d[0] & 0x0Fu} * 4;
    bool first = (core::load_be16(&d[6]) & 0x1FFF) == 0;
    if (first && (k.protocol == wire::ip_protocol::udp || k.protocol == wire::ip_protocol::tcp) &&
        d.size() >= ihl + 4) {
        k.src_port = core::load_be16(&d[ihl]);
        k.dst_port = core::load_be16(&d[ihl + 2]);
    }
    return k;
}

// RFC 1812 5.2.7.2: no redirect for a source-routed datagram.
bool has_source_route(core::Bytes options) {
    for (std::size_t i = 0; i < options.size();) {
        std::uint8_t t = options[i];
        if (t == wire::ipv4_option::end_of_option_list) break;
        if (t == wire::ipv4_option::no_operation) { ++i; continue; }
        if (t == wire::ipv4_option::loose_source_route || t == wire::ipv4_option::strict_source_route) return true;
        if (i + 1 >= options.size() || options[i + 1] < 2) break;
        i += options[i + 1];
    }
    return false;
}

}  // namespace

OffendingFacts Node::facts_v4(const Input& in) const {
    OffendingFacts f;
    f.family = core::Family::v4;
    core::Bytes d = in.datagram;
    f.is_icmp_error = is_icmpv4_error_datagram(d);
    f.non_initial_fragment = is_non_initial_fragment_v4(d);
    f.link_layer_broadcast = in.arrival.link_broadcast;
    if (d.size() >= 20) {
        f.group_destination = destination_is_group_v4(dst_of(d), is_broadcast_v4(dst_of(d)));
        f.source_names_one_host = source_names_one_host_v4(src_of(d), is_broadcast_v4(src_of(d)));
    } else {
        f.source_names_one_host = false;
    }
    return f;
}

void Node::receive_v4(const Input& raw) {
    auto hv = wire::Ipv4HeaderView::parse(raw.arrival.packet);
    if (!hv) {
        // RFC 1812 5.2.2: version, IHL and total-length failures MUST be silently discarded.
        // A non-compliant node (discard_bad_headers = false) points a Parameter Problem at them.
        auto e = hv.error();
        if (!config_.discard_bad_headers && e.fault != core::Fault::truncated && raw.arrival.packet.size() >= 20)
            error_v4(raw, {wire::icmpv4::type::parameter_problem, 0, std::uint32_t{e.offset} << 24, false});
        dispose(DropReason::malformed_header);
        return;
    }
    if (!hv->checksum_valid()) {
        dispose(DropReason::bad_header_checksum);  // RFC 1812 5.2.2 (2)
        return;
    }
    Input in{raw.arrival, raw.iface, raw.arrival.packet.first(hv->total_length()), raw.now, raw.wall};
    if (hv->header_length() > 20) {
        if (auto opts = wire::parse_ipv4_options(hv->options()); !opts) {
            // RFC 1122 3.2.2.5 / RFC 1812 4.3.2.? : Parameter Problem, pointer at the bad octet.
            error_v4(in, {wire::icmpv4::type::parameter_problem, 0, std::uint32_t{20 + opts.error().offset} << 24, false});
            dispose(DropReason::bad_option);
            return;
        }
    }
    auto src = hv->source();
    auto dst = hv->destination();
    // RFC 1122 3.2.1.3 / RFC 1812 5.3.7: a source that is broadcast, multicast, class E or
    // loopback is discarded (0.0.0.0 is allowed to reach a host: bootstrapping).
    // Our own address as the source of an arriving datagram is spoofed or looped (Linux: martian).
    if (src.is_loopback() || src.is_multicast() || src.is_reserved() || is_broadcast_v4(src) ||
        is_local_address(src)) {
        dispose(DropReason::martian_source);
        return;
    }
    bool group = dst.is_multicast() || is_broadcast_v4(dst);
    // RFC 1122 3.3.6 (hosts), RFC 1812 5.3.4 (routers): a link-layer broadcast must carry an IP
    // broadcast or multicast destination; otherwise discard.
    if (in.arrival.link_broadcast && !group) {
        dispose(DropReason::link_broadcast_unicast);
        return;
    }
    if (group || is_local_address(dst)) {
        local_v4(in);
    } else if (config_.role == Role::router) {
        forward_v4(in);
    } else {
        dispose(DropReason::not_for_us);  // RFC 1122 3.3.4.2 / 3.3.1.? hosts do not forward
    }
}

void Node::local_v4(const Input& in) {
    auto hv = *wire::Ipv4HeaderView::parse(in.datagram);
    core::Bytes payload = hv.payload();
    bool first_fragment = hv.fragment_offset() == 0;
    std::optional<std::uint16_t> dst_port;
    if (first_fragment && (hv.protocol() == wire::ip_protocol::udp || hv.protocol() == wire::ip_protocol::tcp) &&
        payload.size() >= 4)
        dst_port = core::load_be16(&payload[2]);
    std::uint8_t type = 0, code = 0;
    if (auto act = filter(in, hv.source(), hv.destination(), hv.protocol(), dst_port, type, code)) {
        if (*act == FilterAction::drop) return dispose(DropReason::filtered);
        if (*act == FilterAction::reject) {
            error_v4(in, {type, code, 0, false});
            return dispose(DropReason::rejected);
        }
    }
    if (hv.more_fragments() || !first_fragment) {
        // No reassembly here (RFC 791 3.2 / RFC 1122 3.3.2): fragments go up as they are.
        ++counters_.delivered;
        outputs_.push_back(DeliverLocal{in.iface.ifindex, core::Buffer(in.datagram.begin(), in.datagram.end())});
        return;
    }
    auto deliver = [&] {
        ++counters_.delivered;
        outputs_.push_back(DeliverLocal{in.iface.ifindex, core::Buffer(in.datagram.begin(), in.datagram.end())});
    };
    switch (hv.protocol()) {
        case wire::ip_protocol::icmp: return icmp_v4(in);
        case wire::ip_protocol::udp: {
            auto udp = wire::UdpHeaderView::parse(payload);
            if (!udp) return dispose(DropReason::malformed_header);
            const auto& open = config_.open_udp_ports;
            if (std::find(open.begin(), open.end(), udp->destination_port()) != open.end()) return deliver();
            // RFC 1122 4.1.3.1: a datagram for a closed port SHOULD get a Port Unreachable.
            error_v4(in, {wire::icmpv4::type::destination_unreachable, 3, 0, false});
            return dispose(DropReason::port_unreachable);
        }
        default: {
            const auto& lp = config_.local_protocols;
            if (std::find(lp.begin(), lp.end(), hv.protocol()) != lp.end()) return deliver();
            // RFC 1122 3.2.2.1: a host SHOULD send Protocol Unreachable for an unknown protocol.
            error_v4(in, {wire::icmpv4::type::destination_unreachable, 2, 0, false});
            return dispose(DropReason::protocol_unreachable);
        }
    }
}

void Node::icmp_v4(const Input& in) {
    auto hv = *wire::Ipv4HeaderView::parse(in.datagram);
    core::Bytes icmp = hv.payload();
    auto view = wire::icmpv4::MessageView::parse(icmp);
    if (!view) return dispose(DropReason::malformed_icmp);  // RFC 1122 3.2.2: bad checksum -> discard
    bool group = hv.destination().is_multicast() || is_broadcast_v4(hv.destination());
    namespace t = wire::icmpv4::type;
    auto unanswered = [&] {
        if (config_.silent) suppress(SuppressReason::silent_node);
        dispose(DropReason::not_answered);
    };
    switch (view->type()) {
        case t::echo_request: {
            // RFC 1122 3.2.2.6: a broadcast / multicast echo MAY be ignored (the Smurf defence).
            if (config_.silent || !config_.echo_reply || (group && config_.echo_ignore_broadcasts))
                return unanswered();
            // RFC 792: type 8 -> 0, the rest unchanged; RFC 1624 incremental checksum update.
            core::Buffer reply(icmp.begin(), icmp.end());
            std::uint16_t old_word = core::load_be16(&reply[0]);
            reply[0] = t::echo_reply;
            std::uint16_t sum = wire::checksum_update(view->checksum(), old_word, core::load_be16(&reply[0]));
            core::store_be16(&reply[2], sum);
            return reply_v4(in, std::move(reply), hv.source());
        }
        case t::timestamp: {
            if (config_.silent || !config_.timestamp_reply || (group && config_.echo_ignore_broadcasts))
                return unanswered();
            auto m = std::get<wire::icmpv4::Timestamp>(*wire::icmpv4::parse(icmp));
            wire::icmpv4::TimestampReply r;
            r.identifier = m.identifier;
            r.sequence = m.sequence;
            r.originate = m.originate;
            // RFC 792: milliseconds since midnight UT, from the node's (offset) wall clock.
            auto wall = in.wall + std::chrono::duration_cast<core::Duration>(config_.clock_offset);
            r.receive = r.transmit = core::ms_since_midnight_ut(wall);
            core::Buffer out;
            core::ByteWriter w(out);
            wire::icmpv4::emit(r, w);
            return reply_v4(in, std::move(out), hv.source());
        }
        case t::address_mask_request: {
            // RFC 1122 3.2.2.9: only a node configured as an authoritative agent replies.
            const Prefix* p = nullptr;
            for (const auto& a : in.iface.addresses)
                if (a.address.is_v4()) { p = &a; break; }
            if (config_.silent || !config_.address_mask_reply || !p) return unanswered();
            auto m = std::get<wire::icmpv4::AddressMaskRequest>(*wire::icmpv4::parse(icmp));
            wire::icmpv4::AddressMaskReply r;
            r.identifier = m.identifier;
            r.sequence = m.sequence;
            r.mask = core::Ipv4Address(p->length == 0 ? 0u : ~(0xFFFFFFFFu >> std::min<unsigned>(p->length, 32) ) );
            if (p->length >= 32) r.mask = core::Ipv4Address(0xFFFFFFFFu);
            core::Buffer out;
            core::ByteWriter w(out);
            wire::icmpv4::emit(r, w);
            return reply_v4(in, std::move(out), hv.source());
        }
        case t::extended_echo_request: {
            if (config_.silent || !config_.extended_echo_reply || group || view->code() != 0) return unanswered();
            return reply_v4(in, extended_echo_reply_v4(in, icmp), hv.source());
        }
        default:
            // Replies, errors, unknown types: for local software (RFC 1122 3.2.2: unknown types
            // are passed up / ignored by the stack).
            ++counters_.delivered;
            outputs_.push_back(DeliverLocal{in.iface.ifindex, core::Buffer(in.datagram.begin(), in.datagram.end())});
            return;
    }
}

void Node::forward_v4(const Input& in) {
    auto hv = *wire::Ipv4HeaderView::parse(in.datagram);
    auto src = hv.source();
    auto dst = hv.destination();
    // RFC 1812 5.3.7: never forward from 0/8 or to 0/8, 127/8, class E.
    if ((src.to_uint() >> 24) == 0) return dispose(DropReason::martian_source);
    if ((dst.to_uint() >> 24) == 0 || dst.is_loopback() || dst.is_reserved())
        return dispose(DropReason::martian_destination);
    namespace t = wire::icmpv4::type;
    auto flow = flow_of_v4(in.datagram);
    auto route = routes_.lookup(dst, flow);
    if (!route) {
        // RFC 1812 5.2.7.1: no route -> Destination Unreachable, net unreachable (code 0).
        error_v4(in, {t::destination_unreachable, 0, 0, true});
        return dispose(DropReason::no_route);
    }
    // RFC 1812 5.3.1: a datagram whose TTL would reach zero is discarded with Time Exceeded.
    if (hv.ttl() <= 1) {
        error_v4(in, {t::time_exceeded, 0, 0, true});
        return dispose(DropReason::ttl_exceeded);
    }
    std::uint8_t type = 0, code = 0;
    if (auto act = filter(in, src, dst, hv.protocol(),
                          flow.dst_port || flow.src_port ? std::optional<std::uint16_t>(flow.dst_port) : std::nullopt,
                          type, code)) {
        if (*act == FilterAction::drop) return dispose(DropReason::filtered);
        if (*act == FilterAction::reject) {
            // RFC 1812 5.2.7.1: code 13 communication administratively prohibited (9/10 legacy).
            error_v4(in, {type, code, 0, true});
            return dispose(DropReason::rejected);
        }
    }
    const Interface* out = interface_by_index(route->ifindex);
    std::uint32_t mtu = out ? out->mtu : 1500;
    if (in.datagram.size() > mtu && hv.dont_fragment()) {
        // RFC 1191 4 / RFC 1812 5.2.7.1: code 4 with the next-hop MTU in octets 6-7.
        error_v4(in, {t::destination_unreachable, 4, mtu & 0xFFFF, true});
        return dispose(DropReason::too_big);
    }
    // RFC 1812 5.2.7.2: Redirect when the datagram leaves by the interface it came in on, its
    // source is on that link (the next hop's subnet), and it is not source-routed. Routers send
    // host redirects only (RFC 1812 4.3.3.2). The datagram is still forwarded.
    if (config_.send_redirects && route->ifindex == in.iface.ifindex && !has_source_route(hv.options())) {
        bool source_on_link = false;
        for (const auto& p : in.iface.addresses)
            if (p.contains(src) && p.contains(route->next_hop)) source_on_link = true;
        if (source_on_link && route->next_hop.is_v4())
            error_v4(in, {t::redirect, 1, route->next_hop.v4().to_uint(), false});
    }
    // RFC 1812 5.3.1 / RFC 1624: TTL - 1 with the header checksum updated incrementally.
    core::Buffer bytes(in.datagram.begin(), in.datagram.end());
    std::uint16_t old_word = core::load_be16(&bytes[8]);
    bytes[8] = static_cast<std::uint8_t>(bytes[8] - 1);
    core::store_be16(&bytes[10], wire::checksum_update(core::load_be16(&bytes[10]), old_word, core::load_be16(&bytes[8])));
    if (!transmit_v4(std::move(bytes), route->ifindex, route->next_hop, mtu)) return dispose(DropReason::too_big);
    ++counters_.forwarded;
}

}  // namespace icmpkit::stack
