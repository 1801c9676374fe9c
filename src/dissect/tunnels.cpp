// Tunnel headers (tunnels.hpp): VXLAN, Geneve, Teredo, GTP-U, MPLS over UDP, LISP; GRE; ERSPAN.
#include "tunnels.hpp"

#include "icmpkit/wire/checksum.hpp"

namespace icmpkit::dissect::tunnel {

namespace {

using core::Fault;
using Result = core::WireResult<Payload>;

constexpr std::uint16_t port_vxlan = 4789;        // RFC 7348 section 5
constexpr std::uint16_t port_vxlan_linux = 8472;  // Linux's default before the IANA port
constexpr std::uint16_t port_geneve = 6081;       // RFC 8926 section 3.3
constexpr std::uint16_t port_teredo = 3544;       // RFC 4380 section 4
constexpr std::uint16_t port_gtp_u = 2152;        // 3GPP TS 29.281 section 4.4.2.3
constexpr std::uint16_t port_mpls_udp = 6635;     // RFC 7510 section 3
constexpr std::uint16_t port_lisp_data = 4341;    // RFC 9300 section 5

std::uint32_t load24(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
}

Result truncated(core::Bytes b) noexcept { return core::wire_error(Fault::truncated, static_cast<std::uint32_t>(b.size())); }
Result unsupported(std::size_t at) noexcept { return core::wire_error(Fault::unsupported, static_cast<std::uint32_t>(at)); }

// RFC 7348 section 5: flags (I), 24 reserved bits, the 24-bit VNI, 8 reserved bits; Ethernet.
Result vxlan(core::Bytes b, UdpTunnel& t) noexcept {
    if (b.size() < 8) return truncated(b);
    t.id = load24(b.data() + 4);
    t.header_length = 8;
    return Payload{Payload::Kind::ethernet, 0, 8};
}

// RFC 8926 section 3.4: Ver(2) Opt Len(6), O C Rsvd, Protocol Type, VNI(24) Reserved(8), options.
Result geneve(core::Bytes b, UdpTunnel& t) noexcept {
    if (b.size() < 8) return truncated(b);
    if ((b[0] >> 6) != 0) return unsupported(0);  // section 3.4: unknown version, drop
    const std::size_t n = 8 + std::size_t{b[0] & 0x3Fu} * 4;
    if (b.size() < n) return truncated(b);
    t.id = load24(b.data() + 4);
    t.header_length = static_cast<std::uint32_t>(n);
    return Payload{Payload::Kind::ethertype, core::load_be16(b.data() + 2), n};
}

// RFC 4380 section 5.1.1: an optional authentication indicator (0x0001, ID-len, AU-len, client
// identifier, authentication value, 8-byte nonce, confirmation byte), then an optional origin
// indication (0x0000, port, address: 8 bytes), then the IPv6 packet.
Result teredo(core::Bytes b, UdpTunnel& t) noexcept {
    std::size_t at = 0;
    if (b.size() >= 2 && b[0] == 0 && b[1] == 1) {
        if (b.size() < 4) return truncated(b);
        at = 13 + std::size_t{b[2]} + b[3];
    }
    if (b.size() >= at + 2 && b[at] == 0 && b[at + 1] == 0) at += 8;
    if (b.size() <= at) return truncated(b);
    if ((b[at] >> 4) != 6) return unsupported(at);
    t.header_length = static_cast<std::uint32_t>(at);
    return Payload{Payload::Kind::ip, 0, at};
}

// 3GPP TS 29.281 section 5.1: flags (version 1, PT 1, E, S, PN), message type, length, TEID;
// with any of E/S/PN a sequence number, N-PDU number and next extension type; extension headers
// (length in 4-octet units, next type last). Only a G-PDU (255) carries a user packet (T-PDU).
Result gtp_u(core::Bytes b, UdpTunnel& t) noexcept {
    if (b.size() < 8) return truncated(b);
    if ((b[0] >> 5) != 1 || (b[0] & 0x10) == 0 || b[1] != 255) return unsupported(0);
    t.id = core::load_be32(b.data() + 4);
    std::size_t at = 8;
    if (b[0] & 0x07) {
        if (b.size() < 12) return truncated(b);
        std::uint8_t next = b[11];
        at = 12;
        while (next != 0) {
            if (b.size() <= at) return truncated(b);
            const std::size_t len = std::size_t{b[at]} * 4;
            if (len == 0) return core::wire_error(Fault::bad_length, static_cast<std::uint32_t>(at));
            if (b.size() < at + len) return truncated(b);
            next = b[at + len - 1];
            at += len;
        }
    }
    t.header_length = static_cast<std::uint32_t>(at);
    return Payload{Payload::Kind::ip, 0, at};
}

// RFC 9300 section 5.3: flags, nonce/map-version and instance ID / locator status bits: 8 bytes.
Result lisp(core::Bytes b, UdpTunnel& t) noexcept {
    if (b.size() < 8) return truncated(b);
    t.header_length = 8;
    return Payload{Payload::Kind::ip, 0, 8};
}

}  // namespace

std::optional<UdpTunnelKind> udp_kind(std::uint16_t sp, std::uint16_t dp) noexcept {
    for (std::uint16_t p : {dp, sp}) {
        switch (p) {
            case port_vxlan: case port_vxlan_linux: return UdpTunnelKind::vxlan;
            case port_geneve: return UdpTunnelKind::geneve;
            case port_teredo: return UdpTunnelKind::teredo;
            case port_gtp_u: return UdpTunnelKind::gtp_u;
            case port_mpls_udp: return UdpTunnelKind::mpls_udp;
            case port_lisp_data: return UdpTunnelKind::lisp;
            default: break;
        }
    }
    return std::nullopt;
}

core::WireResult<Payload> udp_payload(UdpTunnelKind kind, core::Bytes b, UdpTunnel& t) noexcept {
    switch (kind) {
        case UdpTunnelKind::vxlan: return vxlan(b, t);
        case UdpTunnelKind::geneve: return geneve(b, t);
        case UdpTunnelKind::teredo: return teredo(b, t);
        case UdpTunnelKind::gtp_u: return gtp_u(b, t);
        case UdpTunnelKind::mpls_udp:  // RFC 7510 section 3: the label stack right after UDP
            t.header_length = 0;
            return Payload{Payload::Kind::ethertype, 0x8847, 0};
        case UdpTunnelKind::lisp: return lisp(b, t);
    }
    return unsupported(0);
}

core::WireResult<Payload> erspan_payload(std::uint16_t protocol_type, bool gre_sequence, core::Bytes b) noexcept {
    if (protocol_type == 0x88BE) {
        if (!gre_sequence) return Payload{Payload::Kind::ethernet, 0, 0};  // type I: no header
        if (b.size() < 8) return truncated(b);  // type II: 8 bytes
        return Payload{Payload::Kind::ethernet, 0, 8};
    }
    // Type III: 12 bytes, then an 8-byte platform-specific subheader when O (the last bit) is set.
    if (b.size() < 12) return truncated(b);
    const std::size_t n = (b[11] & 1) ? 20 : 12;
    if (b.size() < n) return truncated(b);
    return Payload{Payload::Kind::ethernet, 0, n};
}

core::WireResult<GreParsed> parse_gre(core::Bytes d, bool cut) noexcept {
    const auto size = static_cast<std::uint32_t>(d.size());
    if (d.size() < 4) return core::wire_error(Fault::truncated, size);
    GreParsed r;
    GreHeader& g = r.header;
    const std::uint16_t flags = core::load_be16(d.data());
    g.checksum_present = flags & 0x8000;
    g.routing_present = flags & 0x4000;
    g.key_present = flags & 0x2000;
    g.sequence_present = flags & 0x1000;
    g.reserved0 = static_cast<std::uint16_t>((flags >> 3) & 0x1FF);
    g.version = static_cast<std::uint8_t>(flags & 7);
    g.protocol_type = core::load_be16(d.data() + 2);
    std::size_t n = 4;
    if (g.checksum_present || g.routing_present) n += 4;
    if (g.key_present) n += 4;
    if (g.sequence_present) n += 4;
    if (d.size() < n) return core::wire_error(Fault::truncated, size);
    std::size_t at = 4;
    if (g.checksum_present || g.routing_present) {
        if (g.checksum_present) {
            g.checksum = core::load_be16(d.data() + 4);
            // RFC 2784 2.5: over the GRE header and the payload.
            g.checksum_status = cut ? ChecksumStatus::unverified
                                : wire::checksum_ok(d) ? ChecksumStatus::good : ChecksumStatus::bad;
        }
        at += 4;
    }
    if (g.key_present) { g.key = core::load_be32(d.data() + at); at += 4; }
    if (g.sequence_present) { g.sequence = core::load_be32(d.data() + at); at += 4; }
    // RFC 2637 4.1 (PPTP, version 1): the Key field is always there, then an Acknowledgment
    // Number when A (flag bit 8) is set; the payload is a PPP frame.
    r.pptp = g.version == 1 && g.protocol_type == 0x880B && g.key_present;
    if (r.pptp && (flags & 0x0080)) n += 4;
    if ((g.version != 0 && !r.pptp) || g.routing_present || d.size() < n)
        return core::wire_error(Fault::unsupported, size);
    g.header_length = static_cast<std::uint32_t>(n);
    return r;
}

}  // namespace icmpkit::dissect::tunnel
