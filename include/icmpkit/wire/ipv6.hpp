// IPv6 (RFC 8200): fixed-header view, the extension-header chain walk, typed hop-by-hop /
// destination options, and values that emit.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/error.hpp"

namespace icmpkit::wire {

class Ipv6HeaderView {
public:
    // RFC 8200 3: version 6 (bad_version at 0), 40 bytes (truncated at the size), 40 +
    // payload_length bytes present (truncated at the size). payload_length 0 with a hop-by-hop
    // header may be a jumbogram (RFC 2675): then payload() is everything after the fixed header.
    static core::WireResult<Ipv6HeaderView> parse(core::Bytes data) noexcept;
    // For quoted datagrams: no check of payload_length against the bytes; payload() is what is
    // present, clipped to payload_length when that is non-zero and smaller.
    static core::WireResult<Ipv6HeaderView> parse_header_only(core::Bytes data) noexcept;

    std::uint8_t version() const noexcept { return static_cast<std::uint8_t>(d_[0] >> 4); }
    std::uint8_t traffic_class() const noexcept {
        return static_cast<std::uint8_t>((d_[0] << 4) | (d_[1] >> 4));
    }
    std::uint32_t flow_label() const noexcept { return core::load_be32(&d_[0]) & 0xFFFFF; }
    std::uint16_t payload_length() const noexcept { return core::load_be16(&d_[4]); }
    std::uint8_t next_header() const noexcept { return d_[6]; }
    std::uint8_t hop_limit() const noexcept { return d_[7]; }
    core::Ipv6Address source() const noexcept { return core::Ipv6Address::from_bytes(&d_[8]); }
    core::Ipv6Address destination() const noexcept { return core::Ipv6Address::from_bytes(&d_[24]); }
    core::Bytes header() const noexcept { return d_.first(40); }
    // The bytes after the fixed header: extension headers and the upper layer.
    core::Bytes payload() const noexcept { return payload_; }

private:
    Ipv6HeaderView(core::Bytes d, core::Bytes p) noexcept : d_(d), payload_(p) {}
    core::Bytes d_;
    core::Bytes payload_;
};

// True for the next-header values that name an extension header with a walkable layout
// (RFC 8200 4 and IANA "IPv6 Extension Header Types"; ESP is one but ends the walk).
bool is_ipv6_extension_header(std::uint8_t next_header) noexcept;

struct Ipv6ExtensionInfo {
    std::uint8_t type = 0;     // the next-header value that named it
    std::uint32_t offset = 0;  // from the start of the span given to the walk
    std::uint32_t length = 0;  // bytes, as its length field says
};
struct Ipv6FragmentInfo {
    std::uint32_t offset = 0;  // bytes
    bool more = false;
    std::uint32_t identification = 0;
};

// The chain after the fixed header. The walk is total: it stops at ESP (50), No Next Header (59),
// any upper-layer protocol, a non-initial fragment (what follows is not a header), the end of the
// bytes (truncated) or a structural fault (error; the walk stops there).
struct Ipv6Chain {
    static constexpr std::size_t max_headers = 32;  // garbage cannot make the walk run on
    std::vector<Ipv6ExtensionInfo> headers;
    std::optional<Ipv6FragmentInfo> fragment;
    std::uint8_t upper_layer_protocol = 0;  // the last next-header value reached
    std::uint32_t upper_layer_offset = 0;   // where that protocol's bytes would start
    bool truncated = false;                 // an extension header runs past the bytes present
    // bad_value at a next-header byte naming hop-by-hop anywhere but first (RFC 8200 4.1, the
    // Parameter Problem code 1 pointer); bad_option at the header beyond max_headers.
    std::optional<core::WireError> error;
};

// Walks from `first_next_header` over `data`, the bytes after the fixed header; offsets are
// `base` + the position in `data` (base 40 makes them relative to the whole datagram).
Ipv6Chain walk_ipv6_chain(std::uint8_t first_next_header, core::Bytes data, std::size_t base = 40) noexcept;
// The same over a whole datagram (fixed header included, header-only checks).
core::WireResult<Ipv6Chain> walk_ipv6_chain(core::Bytes datagram) noexcept;

// ---- hop-by-hop / destination options (RFC 8200 4.2) ----
namespace ipv6_option {
inline constexpr std::uint8_t pad1 = 0;
inline constexpr std::uint8_t padn = 1;
inline constexpr std::uint8_t jumbo_payload = 0xC2;  // RFC 2675
inline constexpr std::uint8_t router_alert = 5;      // RFC 2711
}  // namespace ipv6_option

struct Pad1 {
    friend bool operator==(const Pad1&, const Pad1&) = default;
};
struct PadN {
    std::vector<std::uint8_t> data;  // normally zeros; kept for exact round trips
    friend bool operator==(const PadN&, const PadN&) = default;
};
struct RouterAlert {
    std::uint16_t value = 0;
    friend bool operator==(const RouterAlert&, const RouterAlert&) = default;
};
struct JumboPayload {
    std::uint32_t length = 0;
    friend bool operator==(const JumboPayload&, const JumboPayload&) = default;
};
struct Ipv6RawOption {
    std::uint8_t type = 0;
    std::vector<std::uint8_t> data;
    friend bool operator==(const Ipv6RawOption&, const Ipv6RawOption&) = default;
};
using Ipv6Option = std::variant<Pad1, PadN, RouterAlert, JumboPayload, Ipv6RawOption>;

// Over the options area (after next header and length); a length past the end, or a Router Alert
// / Jumbo Payload of the wrong size, is bad_option at its length octet.
core::WireResult<std::vector<Ipv6Option>> parse_ipv6_options(core::Bytes area) noexcept;
std::size_t encoded_size(const Ipv6Option& o) noexcept;
void emit(core::ByteWriter& w, const Ipv6Option& o);

// ---- values ----
struct Ipv6Header {
    std::uint8_t traffic_class = 0;
    std::uint32_t flow_label = 0;
    std::uint16_t payload_length = 0;
    std::uint8_t next_header = 59;
    std::uint8_t hop_limit = 64;
    core::Ipv6Address source;
    core::Ipv6Address destination;

    static core::WireResult<Ipv6Header> parse(core::Bytes data) noexcept;  // as the view
    static Ipv6Header from_view(const Ipv6HeaderView& v) noexcept;
    static constexpr std::size_t encoded_size() noexcept { return 40; }
    void emit(core::ByteWriter& w) const;
    friend bool operator==(const Ipv6Header&, const Ipv6Header&) = default;
};

// Hop-by-hop (0) or destination options (60). emit pads to a multiple of 8 (Pad1/PadN).
struct Ipv6OptionsHeader {
    std::uint8_t type = 0;
    std::uint8_t next_header = 59;
    std::vector<Ipv6Option> options;
    friend bool operator==(const Ipv6OptionsHeader&, const Ipv6OptionsHeader&) = default;
};
// Routing (43): type-specific data after the 4 fixed octets, kept raw.
struct Ipv6RoutingHeader {
    std::uint8_t next_header = 59;
    std::uint8_t routing_type = 0;
    std::uint8_t segments_left = 0;
    std::vector<std::uint8_t> data;  // length + 4 must be a multiple of 8
    friend bool operator==(const Ipv6RoutingHeader&, const Ipv6RoutingHeader&) = default;
};
// Fragment (44), RFC 8200 4.5.
struct Ipv6FragmentHeader {
    std::uint8_t next_header = 59;
    std::uint8_t reserved = 0;
    std::uint32_t fragment_offset = 0;  // bytes, a multiple of 8
    std::uint8_t res = 0;                // the 2 reserved bits
    bool more_fragments = false;
    std::uint32_t identification = 0;
    friend bool operator==(const Ipv6FragmentHeader&, const Ipv6FragmentHeader&) = default;
};
// Authentication header (51), RFC 4302 2: length counts 4-octet units minus 2.
struct Ipv6AuthHeader {
    std::uint8_t next_header = 59;
    std::uint16_t reserved = 0;
    std::uint32_t spi = 0;
    std::uint32_t sequence = 0;
    std::vector<std::uint8_t> icv;  // a multiple of 4 bytes
    friend bool operator==(const Ipv6AuthHeader&, const Ipv6AuthHeader&) = default;
};
// Any other header of the generic (length + 1) * 8 layout (RFC 6564).
struct Ipv6GenericExtension {
    std::uint8_t type = 0;
    std::uint8_t next_header = 59;
    std::vector<std::uint8_t> data;  // after next header and length; length + 2 a multiple of 8
    friend bool operator==(const Ipv6GenericExtension&, const Ipv6GenericExtension&) = default;
};
using Ipv6Extension =
    std::variant<Ipv6OptionsHeader, Ipv6RoutingHeader, Ipv6FragmentHeader, Ipv6AuthHeader, Ipv6GenericExtension>;

// Parses one extension header of `type` at the start of `data`; truncated past the end.
core::WireResult<Ipv6Extension> parse_ipv6_extension(std::uint8_t type, core::Bytes data) noexcept;
std::uint8_t extension_type(const Ipv6Extension& e) noexcept;
std::size_t encoded_size(const Ipv6Extension& e) noexcept;
void emit(core::ByteWriter& w, const Ipv6Extension& e);

}  // namespace icmpkit::wire
