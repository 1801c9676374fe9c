// Link-layer unwrapping: from a captured frame and its link type to the offset of the network
// header (IPv4, IPv6, ARP) and what was met on the way (VLAN IDs, MPLS label stack entries, MACs).
//
// Pure code: no libpcap here; the link type numbers are the tcpdump.org LINKTYPE_ registry's,
// plus the Linux DLT_RAW value 12 that libpcap reports for LINKTYPE_RAW (101) files.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/static_vector.hpp"
#include "icmpkit/core/error.hpp"

namespace icmpkit::capture {

// Link types we unwrap (LINKTYPE_ values; DLT_RAW 12 is Linux libpcap's value for LINKTYPE_RAW).
namespace linktype {
inline constexpr int null = 0;           // BSD loopback, AF in the writer's host byte order
inline constexpr int ethernet = 1;       // DLT_EN10MB
inline constexpr int slip = 8;           // libpcap's SLIP: 16-byte pseudo-header (direction, CSLIP header)
inline constexpr int ppp = 9;            // RFC 1661 frames, optionally with RFC 1662 FF 03
inline constexpr int dlt_raw = 12;       // raw IPv4/IPv6 (Linux DLT_RAW)
inline constexpr int arcnet_linux = 129; // Linux ARCNET (RFC 1051 / RFC 1201 soft headers)
inline constexpr int frelay = 107;       // Frame Relay, Q.922 address + RFC 2427 NLPID
inline constexpr int raw = 101;          // LINKTYPE_RAW
inline constexpr int c_hdlc = 104;       // Cisco HDLC
inline constexpr int loop = 108;         // OpenBSD loopback, AF in network byte order
inline constexpr int linux_sll = 113;    // Linux cooked capture v1
inline constexpr int ipv4 = 228;         // LINKTYPE_IPV4
inline constexpr int ipv6 = 229;         // LINKTYPE_IPV6
inline constexpr int ipnet = 226;        // Solaris ipnet
inline constexpr int ipoib = 242;        // IP over InfiniBand (RFC 4391 with 20-byte addresses)
inline constexpr int linux_sll2 = 276;   // Linux cooked capture v2
}  // namespace linktype

// EtherType values (IEEE registry) we act on.
namespace ethertype {
inline constexpr std::uint16_t ipv4 = 0x0800;
inline constexpr std::uint16_t arp = 0x0806;
inline constexpr std::uint16_t ipv6 = 0x86DD;
inline constexpr std::uint16_t vlan = 0x8100;        // IEEE 802.1Q C-tag
inline constexpr std::uint16_t qinq = 0x88A8;        // IEEE 802.1ad S-tag
inline constexpr std::uint16_t qinq_old1 = 0x9100;   // pre-802.1ad vendor S-tags
inline constexpr std::uint16_t qinq_old2 = 0x9200;
inline constexpr std::uint16_t mpls_unicast = 0x8847;    // RFC 3032
inline constexpr std::uint16_t mpls_multicast = 0x8848;  // RFC 5332
inline constexpr std::uint16_t pppoe_session = 0x8864;   // RFC 2516
inline constexpr std::uint16_t macsec = 0x88E5;          // IEEE 802.1AE
inline constexpr std::uint16_t teb = 0x6558;             // Transparent Ethernet Bridging (RFC 1701)
}  // namespace ethertype

// Bounds on stacked headers; a deeper stack is a Fault::unsupported at the first extra header.
inline constexpr std::size_t max_vlan_tags = 8;
inline constexpr std::size_t max_mpls_entries = 32;
// eth + ethertype, two per VLAN tag, then at most a few more (mpls, pppoes, ppp, llc, raw).
inline constexpr std::size_t max_link_layers = 2 + 2 * max_vlan_tags + 8;

// `ethernet`: the payload is a whole Ethernet frame (an RFC 4448 pseudowire after its control
// word, EtherType 0x6558): the caller unwraps it again from network_offset.
enum class NetworkProtocol : std::uint8_t { ipv4, ipv6, arp, other, ethernet };

// The link-level layers met, named as Wireshark's frame.protocols names them.
enum class LinkProtocol : std::uint8_t {
    eth,        // "eth"
    ethertype,  // "ethertype": an EtherType field was dispatched on
    llc,        // "llc": IEEE 802.2 header after an 802.3 length field
    vlan,       // "vlan": one 802.1Q tag (and the pre-standard 0x9100 / 0x9200 S-tags)
    ieee8021ad, // "ieee8021ad": one 802.1ad S-tag (EtherType 0x88A8)
    mpls,       // "mpls": the whole label stack
    pppoes,     // "pppoes"
    ppp,        // "ppp"
    sll,        // "sll": Linux cooked v1 and v2 both
    null,       // "null": BSD loopback (DLT_NULL and DLT_LOOP)
    raw,        // "raw"
    chdlc,      // "chdlc"
    arcnet,     // "arcnet"
    fr,         // "fr": Frame Relay
    ipnet,      // "ipnet"
    ipoib,      // "ipoib"
    macsec,     // "macsec": an IEEE 802.1AE SecTAG, integrity only
    pwethcw,    // "pwethcw": the RFC 4385 control word of an Ethernet pseudowire
    slip,       // "slip"
};

std::string_view link_protocol_name(LinkProtocol p) noexcept;
std::string_view network_protocol_name(NetworkProtocol p) noexcept;  // "ip", "ipv6", "arp", "other"

struct MacAddress {
    std::array<std::uint8_t, 6> bytes{};
    std::string to_string() const;  // "00:11:22:33:44:55"
    friend constexpr bool operator==(const MacAddress&, const MacAddress&) = default;
};

struct LinkLayer {
    NetworkProtocol network = NetworkProtocol::other;
    // The EtherType of the network layer. Links without an EtherType report the equivalent
    // (0x0800 for IPv4, 0x86DD for IPv6; 0 when unknown); "other" keeps the raw value met.
    std::uint16_t ethertype = 0;
    std::size_t network_offset = 0;          // network header's first byte, within the frame
    core::StaticVector<std::uint16_t, max_vlan_tags> vlan_ids;     // outermost first, 12-bit VIDs
    core::StaticVector<std::uint32_t, max_mpls_entries> mpls_labels;  // raw 32-bit label stack entries, top first (RFC 3032)
    std::optional<MacAddress> source;
    std::optional<MacAddress> destination;
    std::uint16_t ethernet_type = 0;  // the Ethernet header's own type/length field (0x8100 when tagged)
    core::StaticVector<LinkProtocol, max_link_layers> layers;  // in the order met (no heap: hot path)

    // tshark-like frame.protocols prefix: "eth:ethertype:vlan:ethertype:ip" (network name last,
    // omitted for "other").
    std::string protocols() const;
};

// The label of an RFC 3032 label stack entry (top 20 bits), its traffic class, S bit and TTL.
constexpr std::uint32_t mpls_label(std::uint32_t entry) noexcept { return entry >> 12; }
constexpr std::uint8_t mpls_traffic_class(std::uint32_t entry) noexcept { return (entry >> 9) & 7; }
constexpr bool mpls_bottom_of_stack(std::uint32_t entry) noexcept { return (entry >> 8) & 1; }
constexpr std::uint8_t mpls_ttl(std::uint32_t entry) noexcept { return entry & 0xFF; }

// Unwraps `frame` of link type `linktype`. Unknown link types are Fault::unsupported at offset 0;
// a link header cut short is Fault::truncated at the offset of the field that is missing. A frame
// whose link header is whole but whose network payload is empty or unknown is not an error.
core::WireResult<LinkLayer> unwrap_link(int linktype, core::Bytes frame);

// Unwraps a payload whose type is the EtherType `type` (GRE's Protocol Type, Geneve's): VLAN tags,
// MPLS, PPPoE, MACsec and the network protocol, as after an Ethernet header. Offsets are within
// `payload`.
core::WireResult<LinkLayer> unwrap_ethertype(std::uint16_t type, core::Bytes payload);

// True for the link types unwrap_link() knows.
bool is_supported_linktype(int linktype) noexcept;

}  // namespace icmpkit::capture
