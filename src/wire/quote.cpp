#include "icmpkit/wire/quote.hpp"

#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/ipv4.hpp"
#include "icmpkit/wire/ipv6.hpp"

namespace icmpkit::wire {

using core::Bytes;
using core::Fault;
using core::wire_error;
using core::WireResult;

namespace {

std::optional<std::uint16_t> be16_at(Bytes t, std::size_t at) noexcept {
    if (t.size() < at + 2) return std::nullopt;
    return core::load_be16(&t[at]);
}

// Query types that carry identifier and sequence: ICMPv4 (RFC 792, RFC 950) echo/reply,
// timestamp/reply, information request/reply, address mask request/reply; ICMPv6 (RFC 4443 4)
// echo request/reply.
bool has_identifier(bool v6, std::uint8_t type) noexcept {
    if (v6) return type == 128 || type == 129;
    return type == 0 || type == 8 || (type >= 13 && type <= 18);
}

void parse_transport(QuotedDatagram& q) noexcept {
    Bytes t = q.transport;
    std::size_t needed = 0;  // bytes of the transport header we want
    switch (q.protocol) {
        case ip_protocol::udp:
            q.udp = QuotedUdp{be16_at(t, 0), be16_at(t, 2), be16_at(t, 4), be16_at(t, 6)};
            needed = 8;
            break;
        case ip_protocol::tcp: {
            QuotedTcp tcp{be16_at(t, 0), be16_at(t, 2), std::nullopt};
            if (t.size() >= 8) tcp.sequence_number = core::load_be32(&t[4]);
            q.tcp = tcp;
            needed = 8;  // what an RFC 792 quote guarantees; the rest is a bonus
            break;
        }
        case ip_protocol::icmp:
        case ip_protocol::icmpv6: {
            QuotedIcmp i;
            if (!t.empty()) i.type = t[0];
            if (t.size() >= 2) i.code = t[1];
            i.checksum = be16_at(t, 2);
            needed = 4;
            if (i.type && has_identifier(q.version == 6, *i.type)) {
                i.identifier = be16_at(t, 4);
                i.sequence = be16_at(t, 6);
                needed = 8;
            }
            q.icmp = i;
            break;
        }
        default: break;
    }
    if (t.size() < needed) q.transport_truncated = true;
}

void parse_v4(QuotedDatagram& q, Bytes d) noexcept {
    std::size_t ihl = std::size_t{d[0] & 0x0Fu} * 4;
    q.tos = d[1];
    q.claimed_length = core::load_be16(&d[2]);
    q.identification = core::load_be16(&d[4]);
    q.dont_fragment = (d[6] & 0x40) != 0;
    q.more_fragments = (d[6] & 0x20) != 0;
    q.fragment_offset = std::uint32_t{static_cast<std::uint16_t>(core::load_be16(&d[6]) & 0x1FFF)} * 8;
    q.ttl = d[8];
    q.protocol = d[9];
    q.source = core::Ipv4Address::from_bytes(&d[12]);
    q.destination = core::Ipv4Address::from_bytes(&d[16]);
    q.ip_header_length = ihl;
    q.ip_truncated = d.size() < q.claimed_length;
    auto v = Ipv4HeaderView::parse_header_only(d);
    if (!v) {  // IHL < 5, or the options run past the bytes present
        if (v.error().fault == Fault::truncated) q.ip_truncated = true;
        else q.ip_fault = v.error();
        q.transport_truncated = true;
        return;
    }
    if (q.fragment_offset != 0) return;  // RFC 791: a non-initial fragment has no transport header
    q.transport = v->payload();
    parse_transport(q);
}

void parse_v6(QuotedDatagram& q, Bytes d) noexcept {
    auto v = Ipv6HeaderView::parse_header_only(d);  // cannot fail: checked by the caller
    if (!v) return;
    q.tos = v->traffic_class();
    q.flow_label = v->flow_label();
    q.ttl = v->hop_limit();
    q.source = v->source();
    q.destination = v->destination();
    q.claimed_length = 40 + std::size_t{v->payload_length()};
    q.ip_truncated = d.size() < q.claimed_length;
    Ipv6Chain c = walk_ipv6_chain(v->next_header(), v->payload(), 40);
    q.protocol = c.upper_layer_protocol;
    q.ip_header_length = c.upper_layer_offset;
    if (c.fragment) {
        q.identification = c.fragment->identification;
        q.fragment_offset = c.fragment->offset;
        q.more_fragments = c.fragment->more;
    }
    if (c.error) q.ip_fault = c.error;
    if (c.truncated || c.error) {
        q.ip_truncated = q.ip_truncated || c.truncated;
        q.transport_truncated = true;
        return;
    }
    if (q.fragment_offset != 0) return;  // RFC 8200 4.5: no upper-layer header here
    std::size_t end = 40 + v->payload().size();
    q.transport = d.subspan(c.upper_layer_offset, end - c.upper_layer_offset);
    parse_transport(q);
}

}  // namespace

WireResult<QuotedDatagram> parse_quote(Bytes d) noexcept {
    if (d.empty()) return wire_error(Fault::truncated, 0);
    std::uint8_t version = static_cast<std::uint8_t>(d[0] >> 4);
    if (version != 4 && version != 6) return wire_error(Fault::bad_version, 0);
    std::size_t minimum = version == 4 ? 20 : 40;
    if (d.size() < minimum) return wire_error(Fault::truncated, d.size());
    QuotedDatagram q;
    q.version = version;
    q.present_length = d.size();
    if (version == 4) parse_v4(q, d);
    else parse_v6(q, d);
    return q;
}

std::optional<FlowKey> QuotedDatagram::flow_key() const noexcept {
    FlowKey k{source, destination, protocol, 0, 0};
    if (udp || tcp) {
        auto sp = udp ? udp->source_port : tcp->source_port;
        auto dp = udp ? udp->destination_port : tcp->destination_port;
        if (!sp || !dp) return std::nullopt;
        k.src_port = *sp;
        k.dst_port = *dp;
    } else if (icmp) {
        if (!icmp->type) return std::nullopt;
        if (has_identifier(version == 6, *icmp->type)) {
            if (!icmp->identifier) return std::nullopt;
            k.src_port = *icmp->identifier;
        }
    } else if (fragment_offset == 0 && transport_truncated &&
               (protocol == ip_protocol::udp || protocol == ip_protocol::tcp)) {
        return std::nullopt;
    }
    return k;
}

}  // namespace icmpkit::wire
