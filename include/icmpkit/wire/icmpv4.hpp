// ICMPv4 (RFC 792, 1122, 1191, 1256, 1393, 1812, 2521, 4884, 8335): a zero-copy MessageView and a
// value Message (a std::variant with one struct per type) that parse / emit / encoded_size turn
// into each other exactly. Every struct keeps the code and checksum as found and the bits the
// RFCs call unused, so parse -> emit(ChecksumMode::keep) reproduces the input bytes.
// Original datagrams stay raw bytes here (wire/quote.hpp parses them).
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
#include "icmpkit/wire/icmpv4_types.hpp"

namespace icmpkit::wire::icmpv4 {

inline constexpr std::size_t header_size = 8;

struct ParseOptions {
    bool verify_checksum = true;
};

enum class ChecksumMode : std::uint8_t {
    keep,     // write the stored checksums (ICMP and extension structure): byte-exact re-emit
    compute,  // write correct checksums
};

// Zero-copy view over one ICMPv4 message; made only by parse(), so accessors are in bounds.
class MessageView {
public:
    // Fewer than 8 bytes (or the type's larger fixed size, e.g. 20 for timestamps) -> truncated;
    // a failed checksum (RFC 792) -> bad_checksum at offset 2.
    static core::WireResult<MessageView> parse(core::Bytes data, ParseOptions options = {}) noexcept;

    std::uint8_t type() const noexcept { return data_[0]; }
    std::uint8_t code() const noexcept { return data_[1]; }
    std::uint16_t checksum() const noexcept { return core::load_be16(data_.data() + 2); }
    std::uint32_t rest_of_header() const noexcept { return core::load_be32(data_.data() + 4); }
    // Echo, timestamp, information, address mask, traceroute (identifier only), extended echo.
    std::uint16_t identifier() const noexcept { return core::load_be16(data_.data() + 4); }
    std::uint16_t sequence() const noexcept { return core::load_be16(data_.data() + 6); }
    // Redirect (RFC 792).
    core::Ipv4Address gateway() const noexcept { return core::Ipv4Address::from_bytes(data_.data() + 4); }
    // Parameter problem (RFC 792): octet 4.
    std::uint8_t pointer() const noexcept { return data_[4]; }
    // Destination unreachable code 4 (RFC 1191): octets 6-7.
    std::uint16_t next_hop_mtu() const noexcept { return core::load_be16(data_.data() + 6); }
    // RFC 4884 section 4.1: octet 5 of types 3, 11 and 12 (32-bit words of the original).
    std::uint8_t length_attribute() const noexcept { return data_[5]; }
    core::Bytes body() const noexcept { return data_.subspan(header_size); }
    core::Bytes bytes() const noexcept { return data_; }
    const TypeInfo& info() const noexcept { return type_info(type()); }
    bool is_error() const noexcept { return info().is_error; }

private:
    explicit MessageView(core::Bytes d) noexcept : data_(d) {}
    core::Bytes data_;
};

// ---- values -------------------------------------------------------------------------------

struct EchoRequest {  // type 8, RFC 792
    static constexpr std::uint8_t type_number = type::echo_request;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t identifier = 0;
    std::uint16_t sequence = 0;
    core::Buffer data;
    friend bool operator==(const EchoRequest&, const EchoRequest&) = default;
};

struct EchoReply {  // type 0, RFC 792
    static constexpr std::uint8_t type_number = type::echo_reply;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t identifier = 0;
    std::uint16_t sequence = 0;
    core::Buffer data;
    friend bool operator==(const EchoReply&, const EchoReply&) = default;
};

// The errors that may carry RFC 4884 extensions share these payload fields: `original` is the
// original datagram field as split by ext::split_original(); `extensions` the parsed structure;
// `extension_bytes` the extension area when it did not parse (kept raw so it round-trips).
struct DestinationUnreachable {  // type 3, RFC 792 / 1191 / 1812 / 4884
    static constexpr std::uint8_t type_number = type::destination_unreachable;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint8_t unused = 0;            // octet 4
    std::uint8_t length_attribute = 0;  // octet 5 (RFC 4884 4.1)
    std::uint16_t next_hop_mtu = 0;     // octets 6-7: RFC 1191 for code 4, otherwise unused
    core::Buffer original;
    std::optional<ext::ExtensionStructure> extensions;
    core::Buffer extension_bytes;
    friend bool operator==(const DestinationUnreachable&, const DestinationUnreachable&) = default;
};

struct SourceQuench {  // type 4, RFC 792 (deprecated by RFC 6633)
    static constexpr std::uint8_t type_number = type::source_quench;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint32_t unused = 0;
    core::Buffer original;
    friend bool operator==(const SourceQuench&, const SourceQuench&) = default;
};

struct Redirect {  // type 5, RFC 792
    static constexpr std::uint8_t type_number = type::redirect;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    core::Ipv4Address gateway{};
    core::Buffer original;
    friend bool operator==(const Redirect&, const Redirect&) = default;
};

struct RouterEntry {
    core::Ipv4Address address{};
    std::int32_t preference = 0;  // RFC 1256: signed, twos-complement
    friend bool operator==(const RouterEntry&, const RouterEntry&) = default;
};

// Type 9, RFC 1256 section 3. `entries` are decoded only when addr_entry_size is 2 and only as
// many as the bytes hold (a garbage num_addrs never over-reads); the rest stays in `trailing`.
struct RouterAdvertisement {
    static constexpr std::uint8_t type_number = type::router_advertisement;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint8_t num_addrs = 0;        // as found; emit writes it as stored
    std::uint8_t addr_entry_size = 2;  // 32-bit words per entry
    std::uint16_t lifetime = 0;        // seconds
    std::vector<RouterEntry> entries;
    core::Buffer trailing;
    friend bool operator==(const RouterAdvertisement&, const RouterAdvertisement&) = default;
};

struct RouterSolicitation {  // type 10, RFC 1256 section 3
    static constexpr std::uint8_t type_number = type::router_solicitation;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint32_t reserved = 0;
    core::Buffer trailing;
    friend bool operator==(const RouterSolicitation&, const RouterSolicitation&) = default;
};

struct TimeExceeded {  // type 11, RFC 792 / 4884
    static constexpr std::uint8_t type_number = type::time_exceeded;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint8_t unused = 0;            // octet 4
    std::uint8_t length_attribute = 0;  // octet 5
    std::uint16_t unused2 = 0;          // octets 6-7
    core::Buffer original;
    std::optional<ext::ExtensionStructure> extensions;
    core::Buffer extension_bytes;
    friend bool operator==(const TimeExceeded&, const TimeExceeded&) = default;
};

struct ParameterProblem {  // type 12, RFC 792 / 4884
    static constexpr std::uint8_t type_number = type::parameter_problem;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint8_t pointer = 0;           // octet 4
    std::uint8_t length_attribute = 0;  // octet 5
    std::uint16_t unused = 0;           // octets 6-7
    core::Buffer original;
    std::optional<ext::ExtensionStructure> extensions;
    core::Buffer extension_bytes;
    friend bool operator==(const ParameterProblem&, const ParameterProblem&) = default;
};

// Types 13/14, RFC 792: milliseconds since midnight UT (core::ms_since_midnight_ut).
struct Timestamp {
    static constexpr std::uint8_t type_number = type::timestamp;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t identifier = 0;
    std::uint16_t sequence = 0;
    std::uint32_t originate = 0, receive = 0, transmit = 0;
    core::Buffer trailing;
    friend bool operator==(const Timestamp&, const Timestamp&) = default;
};
struct TimestampReply {
    static constexpr std::uint8_t type_number = type::timestamp_reply;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t identifier = 0;
    std::uint16_t sequence = 0;
    std::uint32_t originate = 0, receive = 0, transmit = 0;
    core::Buffer trailing;
    friend bool operator==(const TimestampReply&, const TimestampReply&) = default;
};

// Types 15/16, RFC 792 (deprecated by RFC 6918).
struct InformationRequest {
    static constexpr std::uint8_t type_number = type::information_request;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t identifier = 0;
    std::uint16_t sequence = 0;
    core::Buffer trailing;
    friend bool operator==(const InformationRequest&, const InformationRequest&) = default;
};
struct InformationReply {
    static constexpr std::uint8_t type_number = type::information_reply;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t identifier = 0;
    std::uint16_t sequence = 0;
    core::Buffer trailing;
    friend bool operator==(const InformationReply&, const InformationReply&) = default;
};

// Types 17/18, RFC 950 (deprecated by RFC 6918).
struct AddressMaskRequest {
    static constexpr std::uint8_t type_number = type::address_mask_request;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t identifier = 0;
    std::uint16_t sequence = 0;
    core::Ipv4Address mask{};
    core::Buffer trailing;
    friend bool operator==(const AddressMaskRequest&, const AddressMaskRequest&) = default;
};
struct AddressMaskReply {
    static constexpr std::uint8_t type_number = type::address_mask_reply;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t identifier = 0;
    std::uint16_t sequence = 0;
    core::Ipv4Address mask{};
    core::Buffer trailing;
    friend bool operator==(const AddressMaskReply&, const AddressMaskReply&) = default;
};

struct Traceroute {  // type 30, RFC 1393 section 3 (deprecated by RFC 6918)
    static constexpr std::uint8_t type_number = type::traceroute;
    std::uint8_t code = 0;  // 0 forwarded, 1 no route (dropped)
    std::uint16_t checksum = 0;
    std::uint16_t identifier = 0;
    std::uint16_t unused = 0;
    std::uint16_t outbound_hop_count = 0;
    std::uint16_t return_hop_count = 0;
    std::uint32_t output_link_speed = 0;  // bytes per second
    std::uint32_t output_link_mtu = 0;
    core::Buffer trailing;
    friend bool operator==(const Traceroute&, const Traceroute&) = default;
};

struct Photuris {  // type 40, RFC 2521 section 2
    static constexpr std::uint8_t type_number = type::photuris;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t reserved = 0;
    std::uint16_t pointer = 0;  // offset of the security parameters index in `original`
    core::Buffer original;
    friend bool operator==(const Photuris&, const Photuris&) = default;
};

// Type 42, RFC 8335 section 2: identifier, 8-bit sequence, reserved (7 bits) and L, then an
// extension structure holding one interface identification object.
struct ExtendedEchoRequest {
    static constexpr std::uint8_t type_number = type::extended_echo_request;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t identifier = 0;
    std::uint8_t sequence = 0;
    std::uint8_t reserved = 0;  // 7 bits
    bool local = false;         // L: the probed interface is the proxy node's own
    std::optional<ext::ExtensionStructure> extensions;
    core::Buffer extension_bytes;  // the body when it is not a valid extension structure
    friend bool operator==(const ExtendedEchoRequest&, const ExtendedEchoRequest&) = default;
};

// Type 43, RFC 8335 section 3: State (3 bits), reserved (2 bits), A, 4, 6.
struct ExtendedEchoReply {
    static constexpr std::uint8_t type_number = type::extended_echo_reply;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t identifier = 0;
    std::uint8_t sequence = 0;
    std::uint8_t state = 0;     // extended_echo_state_name()
    std::uint8_t reserved = 0;  // 2 bits
    bool active = false;        // A
    bool ipv4 = false;          // 4
    bool ipv6 = false;          // 6
    std::optional<ext::ExtensionStructure> extensions;  // none in RFC 8335; kept if present
    core::Buffer extension_bytes;
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

using Message = std::variant<EchoRequest, EchoReply, DestinationUnreachable, SourceQuench, Redirect,
                             RouterAdvertisement, RouterSolicitation, TimeExceeded, ParameterProblem,
                             Timestamp, TimestampReply, InformationRequest, InformationReply,
                             AddressMaskRequest, AddressMaskReply, Traceroute, Photuris,
                             ExtendedEchoRequest, ExtendedEchoReply, Unknown>;

std::uint8_t type_of(const Message& m) noexcept;
std::uint8_t code_of(const Message& m) noexcept;
std::uint16_t checksum_of(const Message& m) noexcept;

// Decodes one ICMPv4 message (the whole span). Faults as MessageView::parse. Malformed
// extension areas are not errors: they stay in `extension_bytes`.
core::WireResult<Message> parse(core::Bytes data, ParseOptions options = {});
std::size_t encoded_size(const Message& m);
void emit(const Message& m, core::ByteWriter& w, ChecksumMode mode = ChecksumMode::compute);

// RFC 4884 section 4.1: pads `original` with zeros to at least 128 octets and a 32-bit boundary
// (at most 1020, the largest length attribute), sets length_attribute and attaches `e`.
template <class ErrorWithExtensions>
void attach_extensions(ErrorWithExtensions& m, ext::ExtensionStructure e) {
    if (m.original.size() > 1020) m.original.resize(1020);
    std::size_t n = m.original.size() < 128 ? 128 : (m.original.size() + 3) / 4 * 4;
    m.original.resize(n, 0);
    m.length_attribute = static_cast<std::uint8_t>(n / 4);
    m.extensions = std::move(e);
    m.extension_bytes.clear();
}

}  // namespace icmpkit::wire::icmpv4
