// Small packet facts and rewrites the sim needs (flow keys, NAT address rewriting); private to
// src/sim. Every function checks its bounds and leaves the bytes alone when they do not fit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/wire/quote.hpp"

namespace icmpkit::sim::detail {

// Destination and 5-tuple of an IPv4 / IPv6 datagram (ports of UDP/TCP in a first fragment;
// IPv6 without extension headers only). nullopt when the header is not there.
struct PacketFacts {
    wire::FlowKey flow;
    core::Family family = core::Family::v4;
};
std::optional<PacketFacts> packet_facts(core::Bytes packet) noexcept;

// NAT mapping key of an IPv4 datagram seen from its inside host: (protocol << 16) | the inside
// host's port (UDP/TCP) or echo identifier (ICMP echo request / reply). `outbound` says which
// side the host is on (source for outbound, destination for replies).
std::optional<std::uint32_t> nat_key(core::Bytes ipv4, bool outbound) noexcept;

// Rewrites the IPv4 source (field_offset 12) or destination (16) of the header at `ip` to `a`,
// updating the header checksum and, when `transport` and the datagram is a first fragment with
// the bytes present, the UDP (non-zero) / TCP checksum (RFC 1624 incremental updates).
void rewrite_v4_address(core::Buffer& bytes, std::size_t ip, std::size_t field_offset, core::Ipv4Address a,
                        bool transport) noexcept;

// ICMPv4 error types that quote a datagram (RFC 792): 3, 4, 5, 11, 12.
bool is_icmpv4_error_type(std::uint8_t type) noexcept;
// Whether `ip_packet` is an ICMP Fragmentation Needed (v4 3/4) or Packet Too Big (v6 type 2).
bool is_pmtu_error(core::Bytes ip_packet) noexcept;
// Recomputes the ICMPv4 checksum of the message at `offset` to the end.
void fix_icmpv4_checksum(core::Buffer& bytes, std::size_t offset) noexcept;

}  // namespace icmpkit::sim::detail
