// ICMPv6 (RFC 4443; MLD RFC 2710/3810; ND RFC 4861; Node Information RFC 4620; RFC 4884
// extensions; Extended Echo RFC 8335): a zero-copy MessageView and a value Message (a std::variant
// with one struct per type) that parse / emit / encoded_size turn into each other exactly. Every
// struct keeps the code and checksum as found and every reserved bit, so
// parse -> emit(ChecksumMode::keep) reproduces the input bytes.
//
// The ICMPv6 checksum covers the RFC 8200 8.1 pseudo-header (RFC 4443 2.3), so verifying or
// computing it needs the IPv6 source and destination addresses.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/error.hpp"
#include "icmpkit/wire/extensions.hpp"
#include "icmpkit/wire/icmpv6_types.hpp"
#include "icmpkit/wire/ndp.hpp"

namespace icmpkit::wire::icmpv6 {

inline constexpr std::size_t header_size = 8;
inline constexpr std::uint8_t next_header = 58;  // RFC 4443 1

struct ParseOptions {
    // Verified only when both addresses are given (the pseudo-header needs them).
    bool verify_checksum = true;
    const core::Ipv6Address* source = nullptr;
    const core::Ipv6Address* destination = nullptr;
};

enum class ChecksumMode : std::uint8_t {
    keep,     // write the stored checksums (ICMPv6 and extension structure): byte-exact re-emit
    compute,  // write correct checksums (needs the pseudo-header addresses)
};

// The checksum field value for `message` (its checksum field is treated as zero).
std::uint16_t compute_checksum(core::Bytes message, const core::Ipv6Address& source,
                               const core::Ipv6Address& destination) noexcept;

// Zero-copy view over one ICMPv6 message; made only by parse(), so accessors are in bounds.
class MessageView {
public:
    // Fewer bytes than type_info(type).min_size (8; 16 or 24 or 40 for RA, MLD, NS/NA, Redirect,
    // Node Information) -> truncated at the end of the span; a failed checksum -> bad_checksum at 2.
    static core::WireResult<MessageView> parse(core::Bytes data, ParseOptions options = {}) noexcept;

    std::uint8_t type() const noexcept { return data_[0]; }
    std::uint8_t code() const noexcept { return data_[1]; }
    std::uint16_t checksum() const noexcept { return core::load_be16(data_.data() + 2); }
    std::uint32_t rest_of_header() const noexcept { return core::load_be32(data_.data() + 4); }
    // Echo (RFC 4443 4.1/4.2) and Extended Echo (RFC 8335; sequence is then octet 6 only).
    std::uint16_t identifier() const noexcept { return core::load_be16(data_.data() + 4); }
    std::uint16_t sequence() const noexcept { return core::load_be16(data_.data() + 6); }
    // Packet Too Big (RFC 4443 3.2).
    std::uint32_t mtu() const noexcept { return core::load_be32(data_.data() + 4); }
    // Parameter Problem (RFC 4443 3.4).
    std::uint32_t pointer() const noexcept { return core::load_be32(data_.data() + 4); }
    // RFC 4884 4.2: octet 4 of types 1 and 3, in 64-bit words of the original datagram.
    std::uint8_t length_attribute() const noexcept { return data_[4]; }
    // Octets after the first 8.
    core::Bytes body() const noexcept { return data_.subspan(header_size); }
    core::Bytes bytes() const noexcept { return data_; }
    const TypeInfo& info() const noexcept { return type_info(type()); }
    bool is_error() const noexcept { return info().is_error; }

    // MLD (130-132): octets 8-23. Empty for other types.
    std::optional<core::Ipv6Address> multicast_address() const noexcept;
    // NS, NA, Redirect: the Target Address (octets 8-23). Empty for other types.
    std::optional<core::Ipv6Address> target() const noexcept;
    // Redirect: the Destination Address (octets 24-39). Empty for other types.
    std::optional<core::Ipv6Address> destination() const noexcept;
    // RS, RA, NS, NA, Redirect: the option bytes after the fixed part. Empty for other types.
    core::Bytes options() const noexcept;

private:
    explicit MessageView(core::Bytes d) noexcept : data_(d) {}
    core::Bytes data_;
};

// ---- values: errors (RFC 4443 3) ---------------------------------------------------------

// Types 1 and 3 may carry RFC 4884 extensions: `original` is the original datagram field as split
// by ext::split_original(); `extensions` the parsed structure; `extension_bytes` the extension
// area when it did not parse (kept raw so that it round-trips).
template <std::uint8_t Type>
struct ErrorWithExtensions {
    static constexpr std::uint8_t type_number = Type;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint8_t length_attribute = 0;     // octet 4 (RFC 4884 4.2), 64-bit words
    std::array<std::uint8_t, 3> unused{};  // octets 5-7
    core::Buffer original;
    std::optional<ext::ExtensionStructure> extensions;
    core::Buffer extension_bytes;
    friend bool operator==(const ErrorWithExtensions&, const ErrorWithExtensions&) = default;
};
using DestinationUnreachable = ErrorWithExtensions<type::destination_unreachable>;  // 3.1, codes 0-8
using TimeExceeded = ErrorWithExtensions<type::time_exceeded>;                      // 3.3, codes 0-1

struct PacketTooBig {  // RFC 4443 3.2
    static constexpr std::uint8_t type_number = type::packet_too_big;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint32_t mtu = 0;
    core::Buffer original;
    friend bool operator==(const PacketTooBig&, const PacketTooBig&) = default;
};

struct ParameterProblem {  // RFC 4443 3.4; codes in code_name()
    static constexpr std::uint8_t type_number = type::parameter_problem;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint32_t pointer = 0;
    core::Buffer original;
    friend bool operator==(const ParameterProblem&, const ParameterProblem&) = default;
};

// ---- values: informational -----------------------------------------------------------------

template <std::uint8_t Type>
struct Echo {  // RFC 4443 4.1 (128) and 4.2 (129)
    static constexpr std::uint8_t type_number = Type;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t identifier = 0;
    std::uint16_t sequence = 0;
    core::Buffer data;
    friend bool operator==(const Echo&, const Echo&) = default;
};
using EchoRequest = Echo<type::echo_request>;
using EchoReply = Echo<type::echo_reply>;

// MLDv1 (RFC 2710 3). A type 130 message of exactly 24..27 octets is an MLDv1 query (RFC 3810
// 8.1: 24 octets; 25-27 cannot be MLDv2); octets past 24 stay in `trailing`.
template <std::uint8_t Type>
struct MulticastListenerV1 {
    static constexpr std::uint8_t type_number = Type;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t maximum_response_delay = 0;  // milliseconds
    std::uint16_t reserved = 0;
    core::Ipv6Address multicast_address;
    core::Buffer trailing;
    friend bool operator==(const MulticastListenerV1&, const MulticastListenerV1&) = default;
};
using MldQuery = MulticastListenerV1<type::multicast_listener_query>;
using MldReport = MulticastListenerV1<type::multicast_listener_report>;
using MldDone = MulticastListenerV1<type::multicast_listener_done>;

// MLDv2 query (RFC 3810 5.1): type 130 of 28 octets or more (RFC 3810 8.1). The Number of
// Sources is sources.size(); octets after the sources are `additional_data` (5.1.12? no: RFC 3810
// 5.1 "Additional Data", which MUST be ignored but is kept here).
struct Mldv2Query {
    static constexpr std::uint8_t type_number = type::multicast_listener_query;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t maximum_response_code = 0;  // exponential form from 32768 (RFC 3810 5.1.3)
    std::uint16_t reserved = 0;
    core::Ipv6Address multicast_address;
    std::uint8_t resv = 0;            // 4 bits
    bool suppress_router_side_processing = false;  // S
    std::uint8_t qrv = 0;             // 3 bits, Querier's Robustness Variable
    std::uint8_t qqic = 0;            // Querier's Query Interval Code
    std::vector<core::Ipv6Address> sources;
    core::Buffer additional_data;
    friend bool operator==(const Mldv2Query&, const Mldv2Query&) = default;
};

// RFC 3810 5.2.4-5.2.12: one Multicast Address Record. Aux Data Len (32-bit words) and Number of
// Sources are derived from the vectors.
struct MulticastAddressRecord {
    std::uint8_t record_type = 0;  // 1 MODE_IS_INCLUDE ... 6 BLOCK_OLD_SOURCES
    core::Ipv6Address multicast_address;
    std::vector<core::Ipv6Address> sources;
    core::Buffer auxiliary_data;  // a multiple of 4 octets
    friend bool operator==(const MulticastAddressRecord&, const MulticastAddressRecord&) = default;
};

struct Mldv2Report {  // type 143, RFC 3810 5.2
    static constexpr std::uint8_t type_number = type::version2_multicast_listener_report;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t reserved = 0;
    std::vector<MulticastAddressRecord> records;
    core::Buffer additional_data;  // octets after the last record
    friend bool operator==(const Mldv2Report&, const Mldv2Report&) = default;
};

struct RouterSolicitation {  // RFC 4861 4.1
    static constexpr std::uint8_t type_number = type::router_solicitation;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint32_t reserved = 0;
    std::vector<ndp::Option> options;
    friend bool operator==(const RouterSolicitation&, const RouterSolicitation&) = default;
};

struct RouterAdvertisement {  // RFC 4861 4.2; H RFC 6275 7.1; Prf RFC 4191 2.2; P RFC 4389 4
    static constexpr std::uint8_t type_number = type::router_advertisement;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint8_t cur_hop_limit = 0;
    bool managed = false;     // M
    bool other = false;       // O
    bool home_agent = false;  // H
    std::uint8_t preference = 0;  // Prf, 2 bits
    bool proxy = false;       // P
    std::uint8_t reserved = 0;  // the 2 low bits
    std::uint16_t router_lifetime = 0;  // seconds
    std::uint32_t reachable_time = 0;   // milliseconds
    std::uint32_t retrans_timer = 0;    // milliseconds
    std::vector<ndp::Option> options;
    friend bool operator==(const RouterAdvertisement&, const RouterAdvertisement&) = default;
};

struct NeighborSolicitation {  // RFC 4861 4.3
    static constexpr std::uint8_t type_number = type::neighbor_solicitation;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint32_t reserved = 0;
    core::Ipv6Address target;
    std::vector<ndp::Option> options;
    friend bool operator==(const NeighborSolicitation&, const NeighborSolicitation&) = default;
};

struct NeighborAdvertisement {  // RFC 4861 4.4
    static constexpr std::uint8_t type_number = type::neighbor_advertisement;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    bool router = false;         // R
    bool solicited = false;      // S
    bool override_flag = false;  // O
    std::uint32_t reserved = 0;  // 29 bits
    core::Ipv6Address target;
    std::vector<ndp::Option> options;
    friend bool operator==(const NeighborAdvertisement&, const NeighborAdvertisement&) = default;
};

struct Redirect {  // RFC 4861 4.5
    static constexpr std::uint8_t type_number = type::redirect;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint32_t reserved = 0;
    core::Ipv6Address target;
    core::Ipv6Address destination;
    std::vector<ndp::Option> options;
    friend bool operator==(const Redirect&, const Redirect&) = default;
};

template <std::uint8_t Type>
struct NodeInformation {  // RFC 4620 4: Query (139) and Response (140)
    static constexpr std::uint8_t type_number = Type;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t qtype = 0;  // 0 NOOP, 2 Node Name, 3 Node Addresses, 4 IPv4 Addresses
    std::uint16_t flags = 0;
    std::array<std::uint8_t, 8> nonce{};
    core::Buffer data;
    friend bool operator==(const NodeInformation&, const NodeInformation&) = default;
};
using NodeInformationQuery = NodeInformation<type::node_information_query>;
using NodeInformationResponse = NodeInformation<type::node_information_response>;

struct ExtendedEchoRequest {  // RFC 8335 2: identifier, sequence (8 bits), reserved (7), L
    static constexpr std::uint8_t type_number = type::extended_echo_request;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t identifier = 0;
    std::uint8_t sequence = 0;
    std::uint8_t reserved = 0;  // 7 bits
    bool local = false;         // L
    std::optional<ext::ExtensionStructure> extensions;  // the Interface Identification Object
    core::Buffer extension_bytes;  // the body when it is not a valid extension structure
    friend bool operator==(const ExtendedEchoRequest&, const ExtendedEchoRequest&) = default;
};

struct ExtendedEchoReply {  // RFC 8335 3: State (3 bits), reserved (2), A, 4, 6
    static constexpr std::uint8_t type_number = type::extended_echo_reply;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t identifier = 0;
    std::uint8_t sequence = 0;
    std::uint8_t state = 0;
    std::uint8_t reserved = 0;
    bool active = false;  // A
    bool ipv4 = false;    // 4
    bool ipv6 = false;    // 6
    core::Buffer data;    // none in RFC 8335; kept if present
    friend bool operator==(const ExtendedEchoReply&, const ExtendedEchoReply&) = default;
};

// Any other type: the 4 rest-of-header octets and the data, raw.
struct Unknown {
    std::uint8_t type = 0;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::array<std::uint8_t, 4> rest_of_header{};
    core::Buffer data;
    friend bool operator==(const Unknown&, const Unknown&) = default;
};

using Message = std::variant<DestinationUnreachable, PacketTooBig, TimeExceeded, ParameterProblem,
                             EchoRequest, EchoReply, MldQuery, MldReport, MldDone, Mldv2Query,
                             Mldv2Report, RouterSolicitation, RouterAdvertisement,
                             NeighborSolicitation, NeighborAdvertisement, Redirect,
                             NodeInformationQuery, NodeInformationResponse, ExtendedEchoRequest,
                             ExtendedEchoReply, Unknown>;

std::uint8_t type_of(const Message& m) noexcept;
std::uint8_t code_of(const Message& m) noexcept;
std::uint16_t checksum_of(const Message& m) noexcept;

// Decodes one ICMPv6 message (the whole span). Faults as MessageView::parse, plus: ND option
// faults (ndp::parse_options, offsets within the message); MLDv2 sources or records that overrun
// -> truncated. Malformed extension areas are not errors: they stay in `extension_bytes`.
core::WireResult<Message> parse(core::Bytes data, ParseOptions options = {});

std::size_t encoded_size(const Message& m) noexcept;

// Appends `m` to `w`. ChecksumMode::keep writes every stored checksum (byte-exact re-emit; the
// addresses are not used and may be null). ChecksumMode::compute writes the RFC 4884 extension
// checksum and the ICMPv6 checksum over the RFC 8200 8.1 pseudo-header built from `source` and
// `destination`, which must then both be non-null (a null one is our bug: it asserts).
void emit(const Message& m, core::ByteWriter& w, ChecksumMode mode,
          const core::Ipv6Address* source = nullptr, const core::Ipv6Address* destination = nullptr);

// RFC 4884 4.2: pads `original` with zeros to at least 128 octets and a 64-bit boundary (at most
// 2040, the largest length attribute), sets length_attribute and attaches `e`.
template <class Error>
void attach_extensions(Error& m, ext::ExtensionStructure e) {
    if (m.original.size() > 2040) m.original.resize(2040);
    std::size_t n = m.original.size() < 128 ? 128 : (m.original.size() + 7) / 8 * 8;
    m.original.resize(n, 0);
    m.length_attribute = static_cast<std::uint8_t>(n / 8);
    m.extensions = std::move(e);
    m.extension_bytes.clear();
}

}  // namespace icmpkit::wire::icmpv6
