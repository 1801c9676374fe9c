// The decoder's model (DESIGN.md 1, layer 2): one captured frame decoded down to its ICMP layer.
//
// A Dissection is a plain value: frame facts, the link layer, the IP layers met outer to inner
// (tunnels add more), and the ICMP layer when there is one. A malformed frame is decoded as far as
// it goes and records the first fault and the layer it hit; a frame without ICMP has no `icmp`.
//
// LIFETIMES. Every core::Bytes in a Dissection (IpLayer::payload, IcmpLayer::bytes, the quote's
// spans) points either into the frame's bytes (capture::Frame::data: valid until the reader's next
// next()) or, for a datagram rebuilt from fragments, into `reassembled`, a buffer the Dissection
// shares ownership of (so copies and moves keep those spans valid). Decoded values (wire::
// Ipv4Header, icmpv4::Message, ...) own their data and outlive the frame. To keep a Dissection past
// the next frame, use only its values, or copy the bytes you need.
//
// OFFSETS. IpLayer::offset, IcmpLayer::offset and the fault's offset count from the first byte of
// the frame, except for layers inside a reassembled datagram (`in_reassembled`): those count from
// the first byte of `*reassembled` (the rebuilt datagram, its IP header included).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "icmpkit/capture/link.hpp"
#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/error.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/wire/classify.hpp"
#include "icmpkit/wire/icmpv4.hpp"
#include "icmpkit/wire/icmpv6.hpp"
#include "icmpkit/wire/ipv4.hpp"
#include "icmpkit/wire/ipv6.hpp"
#include "icmpkit/wire/quote.hpp"

namespace icmpkit::dissect {

enum class ChecksumStatus : std::uint8_t {
    good,
    bad,
    unverified,  // not all bytes were captured (snaplen, truncation), so it could not be checked
    absent,      // the header has no checksum (IPv6) or the sender sent none (GRE without C)
};
std::string_view checksum_status_name(ChecksumStatus s) noexcept;  // "good", "bad", ...

// Where a fault was met.
enum class LayerKind : std::uint8_t { none, link, ip, tunnel, fragment, icmp, quote };
std::string_view layer_kind_name(LayerKind k) noexcept;  // "link", "ip", ...

struct FrameInfo {
    std::uint64_t number = 0;  // 1-based position in the capture
    core::WallTime timestamp{};
    std::uint32_t captured_length = 0;
    std::uint32_t original_length = 0;
    int linktype = 0;  // DLT_ value as libpcap reports it
};

// How an IP layer was reached from the one before it.
enum class Encapsulation : std::uint8_t {
    link,      // the outermost IP layer, right after the link layer
    ip_in_ip,  // protocol 4 (RFC 2003) inside IPv4 or IPv6 (RFC 2473)
    ipv6_in_ip,  // protocol 41 (RFC 4213 6in4, RFC 2473 6in6)
    gre,       // protocol 47 (RFC 2784, key/sequence RFC 2890)
    udp,       // a UDP tunnel (IpLayer::udp_tunnel says which)
    pim_register,  // an RFC 7761 4.9.3 PIM Register message
};
std::string_view encapsulation_name(Encapsulation e) noexcept;  // "link", "ipip", "ipv6", "gre", "udp", "pim"

// Tunnels over UDP, recognised by their IANA port (either port of the datagram).
enum class UdpTunnelKind : std::uint8_t {
    vxlan,     // RFC 7348, UDP 4789 (and 8472, the Linux default); carries Ethernet
    geneve,    // RFC 8926, UDP 6081; Protocol Type is an EtherType (0x6558: Ethernet)
    teredo,    // RFC 4380, UDP 3544; IPv6, after optional authentication / origin indicators
    gtp_u,     // 3GPP TS 29.281, UDP 2152; G-PDU (type 255) carrying IPv4 or IPv6
    mpls_udp,  // RFC 7510, UDP 6635; an MPLS label stack
    lisp,      // RFC 9300 section 5, UDP 4341; IPv4 or IPv6 after the 8-byte LISP header
};
std::string_view udp_tunnel_name(UdpTunnelKind k) noexcept;  // "vxlan", "geneve", ...

struct UdpTunnel {
    UdpTunnelKind kind = UdpTunnelKind::vxlan;
    std::uint32_t offset = 0;  // of the UDP header (same base as IpLayer::offset)
    std::uint16_t source_port = 0;
    std::uint16_t destination_port = 0;
    std::uint32_t header_length = 8;  // UDP header plus the tunnel's own header
    std::optional<std::uint32_t> id;  // VXLAN / Geneve VNI, GTP-U TEID
};

// RFC 2784 section 2 with the RFC 2890 key and sequence number fields.
struct GreHeader {
    std::uint32_t offset = 0;  // of the GRE header (same base as IpLayer::offset)
    bool checksum_present = false;  // C
    bool routing_present = false;   // R (RFC 1701; must be 0 in RFC 2784)
    bool key_present = false;       // K
    bool sequence_present = false;  // S
    std::uint16_t reserved0 = 0;    // the other 9 flag bits (RFC 2784 2.2)
    std::uint8_t version = 0;
    std::uint16_t protocol_type = 0;  // EtherType of the payload
    std::optional<std::uint16_t> checksum;
    std::optional<std::uint32_t> key;
    std::optional<std::uint32_t> sequence;
    ChecksumStatus checksum_status = ChecksumStatus::absent;
    std::uint32_t header_length = 4;
};

struct Ipv6Layer {
    wire::Ipv6Header header;
    wire::Ipv6Chain chain;  // extension headers; offsets from the IPv6 header's first byte
};

struct IpLayer {
    core::Family family = core::Family::v4;
    std::uint32_t offset = 0;  // of the IP header
    Encapsulation encapsulation = Encapsulation::link;
    std::optional<GreHeader> gre;  // when encapsulation == gre: the GRE header before this layer
    std::optional<UdpTunnel> udp_tunnel;  // when encapsulation == udp
    // A link layer met between the tunnel header and this IP header (Ethernet inside VXLAN,
    // Geneve, GRE 0x6558/ERSPAN or a pseudowire; MPLS over UDP or GRE). Offsets are from its
    // first byte, which is at `inner_link_offset` (same base as `offset`).
    std::optional<capture::LinkLayer> inner_link;
    std::uint32_t inner_link_offset = 0;
    std::variant<wire::Ipv4Header, Ipv6Layer> header;
    ChecksumStatus header_checksum = ChecksumStatus::absent;  // IPv4 only (RFC 791)
    std::uint32_t header_length = 0;   // IPv4 IHL*4; IPv6 40 + the extension headers walked
    std::uint8_t protocol = 0;         // IPv4 protocol or the IPv6 upper-layer protocol
    // The upper-layer bytes present (reassembled when `reassembled`).
    core::Bytes payload;
    bool in_reassembled = false;  // this layer lies inside Dissection::reassembled
    // This datagram is a fragment (IPv4 MF or offset, or an IPv6 fragment header).
    bool is_fragment = false;
    bool reassembled = false;          // the payload was rebuilt from fragments (this frame completed it)
    std::uint16_t fragment_count = 0;  // how many fragments made it

    core::IpAddress source() const noexcept;
    core::IpAddress destination() const noexcept;
    const wire::Ipv4Header* v4() const noexcept { return std::get_if<wire::Ipv4Header>(&header); }
    const Ipv6Layer* v6() const noexcept { return std::get_if<Ipv6Layer>(&header); }
};

using IcmpMessage = std::variant<wire::icmpv4::Message, wire::icmpv6::Message>;

struct IcmpLayer {
    core::Family family = core::Family::v4;
    std::uint32_t offset = 0;
    bool in_reassembled = false;
    core::Bytes bytes;           // the ICMP message as present (cut short when the frame is)
    std::uint8_t type = 0;       // 0 when fewer than 1 byte
    std::uint8_t code = 0;
    // ICMPv4: RFC 1071 over the message. ICMPv6: with the RFC 8200 8.1 pseudo-header of the
    // innermost IPv6 layer (final destination when a routing header says so).
    ChecksumStatus checksum = ChecksumStatus::unverified;
    // Decoded without rejecting a bad checksum; empty when the bytes are too few for the type.
    std::optional<IcmpMessage> message;
    // The datagram an error quotes (header-only parse); empty for non-errors or when unparseable.
    std::optional<wire::QuotedDatagram> quote;
    wire::Classification classification;

    const wire::icmpv4::Message* v4() const noexcept {
        return message ? std::get_if<wire::icmpv4::Message>(&*message) : nullptr;
    }
    const wire::icmpv6::Message* v6() const noexcept {
        return message ? std::get_if<wire::icmpv6::Message>(&*message) : nullptr;
    }
};

// Why a frame holds no ICMP layer (when it holds none).
enum class Skip : std::uint8_t {
    none,            // it has an ICMP layer
    not_ip,          // the link layer carries neither IPv4 nor IPv6 (ARP, LLDP, ...)
    not_icmp,        // IP, but the innermost protocol is not ICMP/ICMPv6
    fragment_held,   // a fragment kept for reassembly (the datagram is not complete yet)
    non_initial_fragment,  // a fragment not reassembled (dropped or expired datagram)
    malformed,       // decoding stopped at `fault` before any ICMP layer
};
std::string_view skip_name(Skip s) noexcept;

struct Dissection {
    FrameInfo frame;
    std::optional<capture::LinkLayer> link;  // empty when the link header could not be unwrapped
    std::vector<IpLayer> ip;                  // outer to inner
    std::optional<IcmpLayer> icmp;
    Skip skip = Skip::none;
    // The first fault met; decoding went on where it could (a cut IP datagram still yields the
    // ICMP bytes present). Offsets: see the header comment.
    std::optional<core::WireError> fault;
    LayerKind fault_layer = LayerKind::none;
    // Set when the datagram was rebuilt from fragments; the spans of inner layers point into it.
    std::shared_ptr<const core::Buffer> reassembled;

    bool has_icmp() const noexcept { return icmp.has_value(); }
    bool malformed() const noexcept { return fault.has_value(); }
    // The capture kept fewer bytes than were on the wire (snaplen).
    bool snapped() const noexcept { return frame.captured_length < frame.original_length; }
    const IpLayer* innermost_ip() const noexcept { return ip.empty() ? nullptr : &ip.back(); }
};

}  // namespace icmpkit::dissect
