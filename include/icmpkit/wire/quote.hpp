// The datagram quoted inside an ICMP error (RFC 792, RFC 1812 4.3.2.3, RFC 4443 2.4(c)): truncated
// by nature, so this parser reads headers only and reports what is missing instead of failing
// (DESIGN.md 3).
#pragma once

#include <cstdint>
#include <optional>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/error.hpp"

namespace icmpkit::wire {

// The flow a quote names. For ICMP/ICMPv6 queries src_port carries the identifier, dst_port 0;
// for protocols without ports both are 0.
struct FlowKey {
    core::IpAddress src;
    core::IpAddress dst;
    std::uint8_t protocol = 0;
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    friend bool operator==(const FlowKey&, const FlowKey&) = default;
};

// Transport fields; each is present only when all of its bytes are.
struct QuotedUdp {
    std::optional<std::uint16_t> source_port, destination_port, length, checksum;
};
struct QuotedTcp {
    std::optional<std::uint16_t> source_port, destination_port;
    std::optional<std::uint32_t> sequence_number;
};
struct QuotedIcmp {  // ICMPv4 or ICMPv6
    std::optional<std::uint8_t> type, code;
    std::optional<std::uint16_t> checksum;
    std::optional<std::uint16_t> identifier, sequence;  // only for query types that carry them
};

struct QuotedDatagram {
    std::uint8_t version = 4;
    core::IpAddress source;
    core::IpAddress destination;
    std::uint8_t protocol = 0;  // IPv4 protocol, or the IPv6 upper layer after the chain present
    std::uint8_t ttl = 0;       // hop limit for IPv6
    std::uint8_t tos = 0;       // traffic class for IPv6
    std::uint32_t flow_label = 0;
    std::uint32_t identification = 0;  // IPv4 header; IPv6 fragment header when present
    std::uint32_t fragment_offset = 0; // bytes
    bool more_fragments = false;
    bool dont_fragment = false;
    std::size_t ip_header_length = 0;  // IPv4 IHL*4; IPv6 40 + the extension headers walked
    std::size_t claimed_length = 0;    // total_length, or 40 + payload_length
    std::size_t present_length = 0;    // the bytes given
    bool ip_truncated = false;         // fewer bytes than the IP header claims for the datagram
    bool transport_truncated = false;  // the transport header is not all there (or not reachable)
    std::optional<core::WireError> ip_fault;  // a malformed IPv6 chain; IHL < 5 (bad_header_length)
    std::optional<QuotedUdp> udp;
    std::optional<QuotedTcp> tcp;
    std::optional<QuotedIcmp> icmp;
    core::Bytes transport;  // the transport bytes present (empty for non-initial fragments)

    // Absent when the ports (or identifier) the protocol needs are not all present.
    std::optional<FlowKey> flow_key() const noexcept;
};

// Fails only when the version nibble is neither 4 nor 6 (bad_version at 0) or fewer bytes than the
// fixed header are present (IPv4 < 20, IPv6 < 40: truncated at the size).
core::WireResult<QuotedDatagram> parse_quote(core::Bytes data) noexcept;

}  // namespace icmpkit::wire
