// Neighbor Discovery options (RFC 4861 4.6 and later RFCs) as values.
//
// Every option parsed from the wire re-emits byte-exact: reserved fields and padding are kept.
// An option whose length does not fit its typed layout is kept as Raw (still byte-exact).
// Malformed option lists are rejected (RFC 4861 4.6: a length of 0 MUST cause the packet to be
// silently discarded).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"

namespace icmpkit::wire::ndp {

namespace option_type {
inline constexpr std::uint8_t source_link_layer_address = 1;  // RFC 4861 4.6.1
inline constexpr std::uint8_t target_link_layer_address = 2;  // RFC 4861 4.6.1
inline constexpr std::uint8_t prefix_information = 3;         // RFC 4861 4.6.2
inline constexpr std::uint8_t redirected_header = 4;          // RFC 4861 4.6.3
inline constexpr std::uint8_t mtu = 5;                        // RFC 4861 4.6.4
inline constexpr std::uint8_t nonce = 14;                     // RFC 3971 5.3.2
inline constexpr std::uint8_t route_information = 24;         // RFC 4191 2.3
inline constexpr std::uint8_t recursive_dns_server = 25;      // RFC 8106 5.1
inline constexpr std::uint8_t dns_search_list = 31;           // RFC 8106 5.2
}  // namespace option_type

// Types 1 and 2: the link-layer address is every byte after type and length (padding included:
// its length depends on the link layer, 6 bytes + 0 padding on Ethernet).
template <std::uint8_t Type>
struct LinkLayerAddressOption {
    static constexpr std::uint8_t type = Type;
    core::Buffer address;
    friend bool operator==(const LinkLayerAddressOption&, const LinkLayerAddressOption&) = default;
};
using SourceLinkLayerAddress = LinkLayerAddressOption<option_type::source_link_layer_address>;
using TargetLinkLayerAddress = LinkLayerAddressOption<option_type::target_link_layer_address>;

// Type 3, length 4 (RFC 4861 4.6.2; R flag RFC 6275 7.2).
struct PrefixInformation {
    static constexpr std::uint8_t type = option_type::prefix_information;
    std::uint8_t prefix_length = 0;
    bool on_link = false;         // L
    bool autonomous = false;      // A
    bool router_address = false;  // R
    std::uint8_t reserved1 = 0;   // the low 5 bits of the flags byte, as found
    std::uint32_t valid_lifetime = 0;
    std::uint32_t preferred_lifetime = 0;
    std::uint32_t reserved2 = 0;
    core::Ipv6Address prefix;
    friend bool operator==(const PrefixInformation&, const PrefixInformation&) = default;
};

// Type 4 (RFC 4861 4.6.3): 6 reserved bytes, then as much of the redirected packet as fits.
struct RedirectedHeader {
    static constexpr std::uint8_t type = option_type::redirected_header;
    std::array<std::uint8_t, 6> reserved{};
    core::Buffer packet;  // the quoted IP header + data, including any padding to 8 bytes
    friend bool operator==(const RedirectedHeader&, const RedirectedHeader&) = default;
};

// Type 5, length 1 (RFC 4861 4.6.4).
struct Mtu {
    static constexpr std::uint8_t type = option_type::mtu;
    std::uint16_t reserved = 0;
    std::uint32_t mtu = 0;
    friend bool operator==(const Mtu&, const Mtu&) = default;
};

// Type 14 (RFC 3971 5.3.2): the nonce is every byte after type and length.
struct Nonce {
    static constexpr std::uint8_t type = option_type::nonce;
    core::Buffer nonce;
    friend bool operator==(const Nonce&, const Nonce&) = default;
};

// Type 24, length 1-3 (RFC 4191 2.3): prefix of 0, 8 or 16 bytes by option length.
struct RouteInformation {
    static constexpr std::uint8_t type = option_type::route_information;
    std::uint8_t prefix_length = 0;
    std::uint8_t preference = 0;      // Prf, 2 bits (RFC 4191 2.1: 01 high, 00 medium, 11 low)
    std::uint8_t reserved_bits = 0;   // the flags byte with Prf masked out, as found
    std::uint32_t route_lifetime = 0;
    core::Buffer prefix;              // 0, 8 or 16 bytes
    friend bool operator==(const RouteInformation&, const RouteInformation&) = default;
};

// Type 25, odd length >= 3 (RFC 8106 5.1).
struct RecursiveDnsServer {
    static constexpr std::uint8_t type = option_type::recursive_dns_server;
    std::uint16_t reserved = 0;
    std::uint32_t lifetime = 0;
    std::vector<core::Ipv6Address> addresses;
    friend bool operator==(const RecursiveDnsServer&, const RecursiveDnsServer&) = default;
};

// Type 31, length >= 2 (RFC 8106 5.2): domain names in DNS wire format (RFC 1035 3.1, no
// compression), decoded to dotted text ("example.com"); the zero padding after the last name is
// kept as found. Names whose labels cannot be written back from text (a '.' inside a label, a
// compression pointer, a name running past the option) make the option Raw.
struct DnsSearchList {
    static constexpr std::uint8_t type = option_type::dns_search_list;
    std::uint16_t reserved = 0;
    std::uint32_t lifetime = 0;
    std::vector<std::string> domains;
    core::Buffer padding;
    friend bool operator==(const DnsSearchList&, const DnsSearchList&) = default;
};

// Any other option, or a known one whose length does not fit its layout.
struct Raw {
    std::uint8_t type = 0;
    core::Buffer data;  // every byte after type and length
    friend bool operator==(const Raw&, const Raw&) = default;
};

using Option = std::variant<SourceLinkLayerAddress, TargetLinkLayerAddress, PrefixInformation,
                            RedirectedHeader, Mtu, Nonce, RouteInformation, RecursiveDnsServer,
                            DnsSearchList, Raw>;

std::uint8_t option_type_of(const Option& o) noexcept;

// Parses a whole option list (the bytes after an ND message's fixed part). Errors: an option
// length of 0 -> bad_length at that option's offset (RFC 4861 4.6); a length that overruns the
// bytes, or a lone trailing byte -> truncated at that option's offset. Offsets are shifted by
// `base`, so callers can pass the option list's offset inside the message.
core::WireResult<std::vector<Option>> parse_options(core::Bytes data, std::size_t base = 0);

// Writes one option: type, length in units of 8 bytes (computed), body, then zero padding up to
// a multiple of 8 when the value's body does not fill one (never the case for parsed values).
void emit(const Option& option, core::ByteWriter& out);
void emit(const std::vector<Option>& options, core::ByteWriter& out);
std::size_t encoded_size(const Option& option) noexcept;
std::size_t encoded_size(const std::vector<Option>& options) noexcept;

}  // namespace icmpkit::wire::ndp
