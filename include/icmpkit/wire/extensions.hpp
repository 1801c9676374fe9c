// ICMP multi-part message extensions: the RFC 4884 extension structure (section 7) and its
// objects -- MPLS label stack (RFC 4950), interface information (RFC 5837), interface
// identification (RFC 8335 2.1) -- plus the RFC 4884 section 4/5 split of an error's payload into
// the original datagram and the extension structure. Shared by ICMPv4 and ICMPv6.
//
// Every accepted structure re-emits byte-exact with emit(..., compute_checksum = false): objects
// whose payload is not in the canonical form of their class are kept as RawObject.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/error.hpp"

namespace icmpkit::wire::ext {

// Class numbers (IANA "ICMP Extension Object Classes").
inline constexpr std::uint8_t class_mpls = 1;                  // RFC 4950
inline constexpr std::uint8_t class_interface_information = 2;  // RFC 5837
inline constexpr std::uint8_t class_interface_identification = 3;  // RFC 8335
inline constexpr std::uint8_t extension_version = 2;           // RFC 4884 section 7

// Address family numbers used by RFC 5837 4.2 and RFC 8335 2.1.
inline constexpr std::uint16_t afi_ipv4 = 1;
inline constexpr std::uint16_t afi_ipv6 = 2;

// RFC 4950 section 3: one label stack entry (label 20 bits, TC/EXP 3 bits, S 1 bit, TTL 8 bits).
struct MplsLabelEntry {
    std::uint32_t label = 0;  // 20 bits
    std::uint8_t traffic_class = 0;  // 3 bits (formerly EXP)
    bool bottom_of_stack = false;
    std::uint8_t ttl = 0;
    friend bool operator==(const MplsLabelEntry&, const MplsLabelEntry&) = default;
};

// Class 1, c-type 1 (incoming MPLS label stack).
struct MplsLabelStack {
    std::vector<MplsLabelEntry> entries;
    friend bool operator==(const MplsLabelStack&, const MplsLabelStack&) = default;
};

// RFC 5837 section 4.1 interface roles (the two high bits of the c-type).
enum class InterfaceRole : std::uint8_t {
    incoming = 0,   // the interface on which the datagram arrived
    sub_ip = 1,     // the sub-IP component of an incoming interface
    outgoing = 2,   // the interface through which the datagram would have been forwarded
    next_hop = 3,   // the IP next hop to which it would have been forwarded
};

// Class 2. The c-type carries role (bits 0-1), reserved (bits 2-3) and which optional fields
// follow, in this order: ifIndex (4.1), IP address sub-object (4.2), name sub-object (4.3), MTU.
struct InterfaceInformation {
    InterfaceRole role = InterfaceRole::incoming;
    std::uint8_t reserved = 0;  // the two reserved c-type bits, kept for round-trip
    bool has_ifindex = false;
    bool has_address = false;
    bool has_name = false;
    bool has_mtu = false;
    std::uint32_t ifindex = 0;
    std::uint16_t afi = 0;               // 1 = IPv4, 2 = IPv6 (RFC 5837 4.2)
    std::uint16_t address_reserved = 0;  // the reserved 16 bits after the AFI
    core::IpAddress address{};
    // Name sub-object (4.3): a length octet counting itself, then UTF-8 padded with NULs so that
    // the length is a multiple of 4 (at most 64). `name` holds the octets without the padding
    // that emit() restores.
    std::string name;
    std::uint32_t mtu = 0;

    std::uint8_t c_type() const noexcept;
    friend bool operator==(const InterfaceInformation&, const InterfaceInformation&) = default;
};

// Class 3 (RFC 8335 section 2.1): identifies the probed interface in an Extended Echo Request.
enum class IdentificationKind : std::uint8_t { by_name = 1, by_index = 2, by_address = 3 };

struct InterfaceIdentification {
    IdentificationKind kind = IdentificationKind::by_name;  // the c-type
    std::string name;          // by_name: NUL padding to 4 octets is restored by emit()
    std::uint32_t ifindex = 0;  // by_index
    std::uint16_t afi = 0;      // by_address
    std::uint8_t address_length = 0;  // significant octets of `address`
    std::uint8_t reserved = 0;
    core::Buffer address;  // by_address: the address field; emit() zero-pads it to 4 octets

    // The address as an IP address when the AFI and length name one.
    std::optional<core::IpAddress> ip_address() const noexcept;
    friend bool operator==(const InterfaceIdentification&, const InterfaceIdentification&) = default;
};

// Any other class / c-type, or a known class whose payload is malformed.
struct RawObject {
    std::uint8_t class_num = 0;
    std::uint8_t c_type = 0;
    core::Buffer payload;
    friend bool operator==(const RawObject&, const RawObject&) = default;
};

using Object = std::variant<MplsLabelStack, InterfaceInformation, InterfaceIdentification, RawObject>;

// RFC 4884 section 7: the extension header (version 4 bits, reserved 12 bits, checksum) and the
// objects that follow it (section 7.1: length 16 bits counting the object header, class, c-type).
struct ExtensionStructure {
    std::uint8_t version = extension_version;  // 4 bits
    std::uint16_t reserved = 0;               // 12 bits
    std::uint16_t checksum = 0;               // as found (or as to be written with compute=false)
    std::vector<Object> objects;
    // Set by parse(): the checksum verifies, or is zero ("no checksum was transmitted", section 7).
    bool checksum_valid = true;

    friend bool operator==(const ExtensionStructure&, const ExtensionStructure&) = default;
};

// Parses the whole span as one extension structure. Fewer than 4 bytes -> truncated at 0; an
// object whose length is < 4 or overruns the span -> bad_length at the object's offset.
// Any version is accepted (and kept); callers that need version 2 check `version`.
core::WireResult<ExtensionStructure> parse(core::Bytes data) noexcept;

// One object payload decoded by class (used by parse(); exposed for tests and ICMPv6).
Object decode_object(std::uint8_t class_num, std::uint8_t c_type, core::Bytes payload);

std::size_t encoded_size(const Object& object);
std::size_t encoded_size(const ExtensionStructure& s);
void emit(const Object& object, core::ByteWriter& w);
// With compute_checksum = false the stored checksum is written, so parse -> emit is byte-exact.
void emit(const ExtensionStructure& s, core::ByteWriter& w, bool compute_checksum = true);

// RFC 4884 sections 4 and 5: how an ICMP error's payload divides into the original datagram and
// an extension structure. Spans point into the payload given.
struct Rfc4884Split {
    core::Bytes original;
    core::Bytes extensions;          // empty when there are none
    bool by_length_attribute = false;  // section 4/5.1: a compliant non-zero length attribute
    bool by_compat_128 = false;        // section 5.3: length zero, valid header at octet 128
};

// length_attribute counts 32-bit words (v4) or 64-bit words (v6) of the original datagram.
// Never reads outside `payload`.
Rfc4884Split split_original(core::Bytes payload, std::uint8_t length_attribute,
                            core::Family family) noexcept;

// Linux error queues with IP_RECVERR_RFC4884 / IPV6_RECVERR_RFC4884 (Linux >= 5.9): recvmsg(
// MSG_ERRQUEUE) delivers the error's payload from where the kernel stopped stripping quoted headers
// (after the quoted UDP header on UDP sockets, at the quoted ICMP header on ICMP datagram sockets)
// to the end of the message, and sock_ee_data_rfc4884.len (`offset`) says where the extension
// structure starts in those bytes, 0 when the error has none. The kernel computes it from the RFC
// 4884 length attribute (net/ipv4/icmp.c ip_icmp_error_rfc4884: attribute x 4 or x 8 minus the
// stripped headers, only when the attribute covers >= 128 octets and 4 octets follow), but the
// bytes are the network's: splits `delivered` at `offset`, checking it again. offset 0 -> all
// original, no extensions; offset past the end -> bad_length at 0 (the offset is wrong, not a
// byte); fewer than 4 octets after it -> truncated at `offset`.
core::WireResult<Rfc4884Split> split_delivered(core::Bytes delivered, std::size_t offset) noexcept;

// True when `data` starts with a version-2 header whose checksum over all of `data` verifies
// (the section 5.3 test for non-compliant extensions at a fixed offset).
bool looks_like_extension_header(core::Bytes data) noexcept;

}  // namespace icmpkit::wire::ext
