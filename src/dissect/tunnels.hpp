// Tunnel headers the dissector walks through (private to dissect): where each one's payload
// starts and what it is. Pure functions over the bytes after the outer header.
#pragma once

#include <cstdint>
#include <optional>

#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/error.hpp"
#include "icmpkit/dissect/dissection.hpp"

namespace icmpkit::dissect::tunnel {

struct Payload {
    enum class Kind : std::uint8_t {
        ip,         // IPv4 or IPv6, told by the version nibble
        ethernet,   // an Ethernet frame
        ethertype,  // a payload of EtherType `ethertype` (MPLS, IP, 0x6558 Ethernet, ...)
        ppp,        // a PPP frame (RFC 1661), RFC 1662 address/control optional
    };
    Kind kind = Kind::ip;
    std::uint16_t ethertype = 0;
    std::size_t offset = 0;  // of the payload, within the bytes given
};

// A GRE header at the start of `b` (the IP payload) and whether it is PPTP's. header.offset is
// left to the caller; header.header_length includes PPTP's Acknowledgment Number.
struct GreParsed {
    GreHeader header;
    bool pptp = false;
};

// RFC 2784 2 with the RFC 2890 Key and Sequence Number and RFC 2637 4.1 (PPTP, version 1).
// Fault::truncated (at b.size()) when the flags' fields are cut short; Fault::unsupported for
// RFC 1701 routing, unknown versions, or a PPTP acknowledgment cut short (not decoded). The
// checksum is verified over b unless `cut` (the bytes are fewer than the IP header claims).
core::WireResult<GreParsed> parse_gre(core::Bytes b, bool cut) noexcept;

// The tunnel a UDP datagram with these ports carries, if any.
std::optional<UdpTunnelKind> udp_kind(std::uint16_t source_port, std::uint16_t destination_port) noexcept;

// The payload after the tunnel header at the start of `b` (the UDP payload). Fault::unsupported
// when the datagram is that protocol's but carries nothing we follow (GTP-U signalling, a Teredo
// bubble, Geneve version 1, ...); Fault::truncated when the header is cut short. Fills t.id and
// t.header_length (the tunnel header's own length, added to the UDP header's 8).
core::WireResult<Payload> udp_payload(UdpTunnelKind kind, core::Bytes b, UdpTunnel& t) noexcept;

// ERSPAN (GRE protocol 0x88BE: type II, or type I when GRE has no sequence number; 0x22EB:
// type III): the mirrored Ethernet frame after the ERSPAN header at the start of `b`.
core::WireResult<Payload> erspan_payload(std::uint16_t protocol_type, bool gre_sequence, core::Bytes b) noexcept;

}  // namespace icmpkit::dissect::tunnel
