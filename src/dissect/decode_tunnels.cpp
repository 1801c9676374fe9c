// The tunnel layers of FrameDecoder: GRE (with ERSPAN, PPTP, Cisco MetaData), the UDP tunnels
// of tunnel::udp_kind (VXLAN, Geneve, Teredo, GTP-U, ...), IP-in-IP, PIM Register, AH in IPv4,
// and the link layers found inside them.
#include <algorithm>

#include "frame_decoder.hpp"

namespace icmpkit::dissect::detail {

FrameDecoder::Next FrameDecoder::dispatch(std::uint8_t protocol, bool outer_v6) {
    switch (protocol) {
        case proto::icmp: icmp(false); return Next::done;
        case proto::icmpv6: icmp(true); return Next::done;
        case proto_ipip: enc_ = Encapsulation::ip_in_ip; return Next::ipv4;
        case proto_ipv6: enc_ = Encapsulation::ipv6_in_ip; return Next::ipv6;
        case proto_gre: return gre();
        case proto_udp: return udp();
        case proto_pim:  // RFC 7761 4.9.3: a Register (type 1) carries a whole datagram after 8 bytes
            if (cur_.data.size() < 8 || cur_.data[0] != 0x21) break;
            enc_ = Encapsulation::pim_register;
            return enter_payload({tunnel::Payload::Kind::ip, 0, 8});
        case proto::ah: return ah(outer_v6);
        case proto_ethernet:
            enc_ = Encapsulation::ip_in_ip;
            return enter_link(capture::unwrap_link(capture::linktype::ethernet, cur_.data));
        default:
            break;
    }
    d_.skip = Skip::not_icmp;
    return Next::done;
}

// GRE (tunnel::parse_gre), then its payload by Protocol Type.
FrameDecoder::Next FrameDecoder::gre() {
    auto parsed = tunnel::parse_gre(cur_.data, cur_.cut);
    if (!parsed) {
        if (parsed.error().fault == core::Fault::unsupported) {
            d_.skip = Skip::not_icmp;  // RFC 1701 routing, unknown versions: not decoded
        } else {
            note_fault(d_, parsed.error(), cur_.base, LayerKind::tunnel);
            d_.skip = Skip::malformed;
        }
        return Next::done;
    }
    GreHeader& g = parsed->header;
    g.offset = cur_.base;
    gre_ = g;
    enc_ = Encapsulation::gre;
    const std::size_t n = g.header_length;
    cur_.data = cur_.data.subspan(n);
    cur_.base += static_cast<std::uint32_t>(n);
    if (g.protocol_type == 0x0800) return Next::ipv4;
    if (g.protocol_type == 0x86DD) return Next::ipv6;
    if (parsed->pptp) return enter_payload({tunnel::Payload::Kind::ppp, 0, 0});
    if (g.protocol_type == 0x8909) {  // Cisco MetaData as GRE carries it: EtherType first, 8 bytes
        if (cur_.data.size() < 8) {
            d_.skip = Skip::not_icmp;
            return Next::done;
        }
        return enter_payload({tunnel::Payload::Kind::ethertype, core::load_be16(cur_.data.data()), 8});
    }
    if (g.protocol_type == 0x88BE || g.protocol_type == 0x22EB) {
        auto p = tunnel::erspan_payload(g.protocol_type, g.sequence_present, cur_.data);
        if (!p) {
            note_fault(d_, p.error(), cur_.base, LayerKind::tunnel);
            d_.skip = Skip::malformed;
            return Next::done;
        }
        return enter_payload(*p);
    }
    return enter_payload({tunnel::Payload::Kind::ethertype, g.protocol_type, 0});
}

// RFC 768: the tunnels of tunnel::udp_kind, by port. The payload is bounded by the UDP Length.
FrameDecoder::Next FrameDecoder::udp() {
    const auto& d = cur_.data;
    if (d.size() < 8) {
        d_.skip = Skip::not_icmp;
        return Next::done;
    }
    UdpTunnel t;
    t.offset = cur_.base;
    t.source_port = core::load_be16(d.data());
    t.destination_port = core::load_be16(d.data() + 2);
    const auto kind = tunnel::udp_kind(t.source_port, t.destination_port);
    if (!kind) {
        d_.skip = Skip::not_icmp;
        return Next::done;
    }
    t.kind = *kind;
    const std::size_t length = core::load_be16(d.data() + 4);
    const core::Bytes payload = d.subspan(8, length >= 8 && length <= d.size() ? length - 8 : d.size() - 8);
    auto p = tunnel::udp_payload(t.kind, payload, t);
    if (!p) {
        if (p.error().fault != core::Fault::unsupported) {
            note_fault(d_, p.error(), cur_.base + 8, LayerKind::tunnel);
            d_.skip = Skip::malformed;
        } else {
            d_.skip = Skip::not_icmp;
        }
        return Next::done;
    }
    t.header_length += 8;
    udp_ = t;
    enc_ = Encapsulation::udp;
    cur_.data = payload;
    cur_.base += 8;
    return enter_payload(*p);
}

// RFC 4302 section 2 in IPv4 (IPv6 walks it in its extension chain): Next Header, Payload Len
// (in 4-octet units, minus 2), then the rest of the header; the payload follows unchanged.
FrameDecoder::Next FrameDecoder::ah(bool outer_v6) {
    const auto& d = cur_.data;
    const std::size_t len = d.size() >= 2 ? (std::size_t{d[1]} + 2) * 4 : 0;
    if (d.size() < 2 || d.size() < len || ++ah_count_ > max_ah_headers) {
        note_fault(d_, {d.size() < len || d.size() < 2 ? core::Fault::truncated : core::Fault::unsupported,
                        static_cast<std::uint32_t>(d.size())}, cur_.base, LayerKind::ip);
        d_.skip = Skip::malformed;
        return Next::done;
    }
    const std::uint8_t next = d[0];
    cur_.data = d.subspan(len);
    cur_.base += static_cast<std::uint32_t>(len);
    return dispatch(next, outer_v6);
}

// A tunnel payload: IP by its version nibble, or a link-level frame unwrapped by capture.
FrameDecoder::Next FrameDecoder::enter_payload(const tunnel::Payload& p) {
    const auto off = std::min(p.offset, cur_.data.size());
    cur_.data = cur_.data.subspan(off);
    cur_.base += static_cast<std::uint32_t>(off);
    switch (p.kind) {
        case tunnel::Payload::Kind::ip:
            if (cur_.data.empty()) break;
            if ((cur_.data[0] >> 4) == 4) return Next::ipv4;
            if ((cur_.data[0] >> 4) == 6) return Next::ipv6;
            break;
        case tunnel::Payload::Kind::ethernet:
            return enter_link(capture::unwrap_link(capture::linktype::ethernet, cur_.data));
        case tunnel::Payload::Kind::ethertype:
            return enter_link(capture::unwrap_ethertype(p.ethertype, cur_.data));
        case tunnel::Payload::Kind::ppp:
            return enter_link(capture::unwrap_link(capture::linktype::ppp, cur_.data));
    }
    d_.skip = Skip::not_icmp;
    return Next::done;
}

// A link layer inside a tunnel (cur_ stands at its first byte), down to its IP header; an
// Ethernet pseudowire inside is unwrapped in turn. The last link layer met is kept for the next
// IP layer.
FrameDecoder::Next FrameDecoder::enter_link(core::WireResult<capture::LinkLayer> link) {
    for (int depth = 0;; ++depth) {
        if (!link) {
            note_fault(d_, link.error(), cur_.base, LayerKind::tunnel);
            d_.skip = Skip::malformed;
            return Next::done;
        }
        const auto net = link->network;
        const auto off = std::min(link->network_offset, cur_.data.size());
        inner_link_offset_ = cur_.base;
        inner_link_ = std::move(*link);
        cur_.data = cur_.data.subspan(off);
        cur_.base += static_cast<std::uint32_t>(off);
        if (net == capture::NetworkProtocol::ipv4) return Next::ipv4;
        if (net == capture::NetworkProtocol::ipv6) return Next::ipv6;
        if (net != capture::NetworkProtocol::ethernet || depth == 3) {
            d_.skip = Skip::not_icmp;
            return Next::done;
        }
        link = capture::unwrap_link(capture::linktype::ethernet, cur_.data);
    }
}

}  // namespace icmpkit::dissect::detail
