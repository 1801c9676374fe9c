// IANA "Assigned Internet Protocol Numbers" used by the wire parsers (IPv4 protocol, IPv6 next header).
#pragma once

#include <cstdint>

namespace icmpkit::wire::ip_protocol {
inline constexpr std::uint8_t hop_by_hop = 0;
inline constexpr std::uint8_t icmp = 1;
inline constexpr std::uint8_t tcp = 6;
inline constexpr std::uint8_t udp = 17;
inline constexpr std::uint8_t ipv6_routing = 43;
inline constexpr std::uint8_t ipv6_fragment = 44;
inline constexpr std::uint8_t esp = 50;
inline constexpr std::uint8_t ah = 51;
inline constexpr std::uint8_t icmpv6 = 58;
inline constexpr std::uint8_t no_next_header = 59;
inline constexpr std::uint8_t ipv6_destination_options = 60;
inline constexpr std::uint8_t mobility = 135;
inline constexpr std::uint8_t hip = 139;
inline constexpr std::uint8_t shim6 = 140;
inline constexpr std::uint8_t experimental_253 = 253;
inline constexpr std::uint8_t experimental_254 = 254;
}  // namespace icmpkit::wire::ip_protocol
