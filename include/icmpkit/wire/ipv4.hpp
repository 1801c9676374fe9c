// IPv4 header (RFC 791): a zero-copy view, typed options and a value that emits.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/error.hpp"

namespace icmpkit::wire {

// A parsed IPv4 header over the caller's bytes. Only parse() makes one, so every accessor is in
// bounds. Offsets in errors count from the start of the span given to parse().
class Ipv4HeaderView {
public:
    // Checks (RFC 791 3.1): version 4 (bad_version at 0), IHL >= 5 (bad_header_length at 0),
    // IHL*4 bytes present (truncated at the size), total_length >= IHL*4 (bad_length at 2),
    // total_length <= bytes (truncated at the size); with verify_checksum, the header checksum
    // (bad_checksum at 10).
    static core::WireResult<Ipv4HeaderView> parse(core::Bytes data, bool verify_checksum = false) noexcept;
    // Header-only parse for a datagram quoted in an ICMP error (DESIGN.md 3): the same checks
    // except the two on total_length; payload() is what is present, clipped to total_length
    // when total_length is sane (>= IHL*4).
    static core::WireResult<Ipv4HeaderView> parse_header_only(core::Bytes data) noexcept;

    std::uint8_t version() const noexcept { return static_cast<std::uint8_t>(d_[0] >> 4); }
    std::size_t header_length() const noexcept { return std::size_t{d_[0] & 0x0Fu} * 4; }
    std::uint8_t tos() const noexcept { return d_[1]; }
    std::uint8_t dscp() const noexcept { return static_cast<std::uint8_t>(d_[1] >> 2); }
    std::uint8_t ecn() const noexcept { return static_cast<std::uint8_t>(d_[1] & 3); }
    std::uint16_t total_length() const noexcept { return core::load_be16(&d_[2]); }
    std::uint16_t identification() const noexcept { return core::load_be16(&d_[4]); }
    bool reserved_flag() const noexcept { return (d_[6] & 0x80) != 0; }
    bool dont_fragment() const noexcept { return (d_[6] & 0x40) != 0; }
    bool more_fragments() const noexcept { return (d_[6] & 0x20) != 0; }
    // In bytes (the field counts 8-byte units).
    std::uint32_t fragment_offset() const noexcept {
        return std::uint32_t{static_cast<std::uint16_t>(core::load_be16(&d_[6]) & 0x1FFF)} * 8;
    }
    std::uint8_t ttl() const noexcept { return d_[8]; }
    std::uint8_t protocol() const noexcept { return d_[9]; }
    std::uint16_t header_checksum() const noexcept { return core::load_be16(&d_[10]); }
    core::Ipv4Address source() const noexcept { return core::Ipv4Address::from_bytes(&d_[12]); }
    core::Ipv4Address destination() const noexcept { return core::Ipv4Address::from_bytes(&d_[16]); }
    bool checksum_valid() const noexcept;

    core::Bytes header() const noexcept { return d_.first(header_length()); }
    core::Bytes options() const noexcept { return d_.subspan(20, header_length() - 20); }
    core::Bytes payload() const noexcept { return payload_; }

private:
    Ipv4HeaderView(core::Bytes d, core::Bytes payload) noexcept : d_(d), payload_(payload) {}
    core::Bytes d_;
    core::Bytes payload_;
};

// Option types (RFC 791 3.1; IANA "IP Option Numbers").
namespace ipv4_option {
inline constexpr std::uint8_t end_of_option_list = 0;
inline constexpr std::uint8_t no_operation = 1;
inline constexpr std::uint8_t record_route = 7;
inline constexpr std::uint8_t timestamp = 68;
inline constexpr std::uint8_t loose_source_route = 131;
inline constexpr std::uint8_t strict_source_route = 137;
}  // namespace ipv4_option

// End of option list; the bytes after it (padding, normally zero) are kept so emit reproduces them.
struct EndOfOptionList {
    std::vector<std::uint8_t> padding;
    friend bool operator==(const EndOfOptionList&, const EndOfOptionList&) = default;
};
struct NoOperation {
    friend bool operator==(const NoOperation&, const NoOperation&) = default;
};
// Record route (7), loose (131) and strict (137) source route share this layout (RFC 791 3.1).
// `route` holds every slot, filled or not; `pointer` is the 1-based octet of the next free slot.
struct RecordRoute {
    std::uint8_t type = ipv4_option::record_route;
    std::uint8_t pointer = 4;
    std::vector<core::Ipv4Address> route;
    friend bool operator==(const RecordRoute&, const RecordRoute&) = default;
};
struct TimestampEntry {
    std::optional<core::Ipv4Address> address;  // absent for flag 0 (timestamps only)
    std::uint32_t timestamp = 0;
    friend bool operator==(const TimestampEntry&, const TimestampEntry&) = default;
};
// Internet timestamp (68), RFC 791 3.1: flag 0 tsonly, 1 tsandaddr, 3 tsprespec. An option of
// type 68 with another flag is kept as a RawOption.
struct Timestamp {
    std::uint8_t pointer = 5;
    std::uint8_t overflow = 0;
    std::uint8_t flag = 0;
    std::vector<TimestampEntry> entries;
    friend bool operator==(const Timestamp&, const Timestamp&) = default;
};
// Any other option: type and the bytes after the length octet.
struct RawOption {
    std::uint8_t type = 0;
    std::vector<std::uint8_t> data;
    friend bool operator==(const RawOption&, const RawOption&) = default;
};
using Ipv4Option = std::variant<EndOfOptionList, NoOperation, RecordRoute, Timestamp, RawOption>;

// Total over the options area: unknown types are RawOption; a missing or impossible length octet
// (< 2, past the end, or a layout the type forbids) is bad_option at that length octet.
core::WireResult<std::vector<Ipv4Option>> parse_ipv4_options(core::Bytes options) noexcept;
std::size_t encoded_size(const Ipv4Option& o) noexcept;
void emit(core::ByteWriter& w, const Ipv4Option& o);

// The value form. emit() writes IHL from the options (padded with zeros to 4 bytes) and computes
// the header checksum unless `header_checksum` is set, so parse -> value -> emit is exact.
struct Ipv4Header {
    std::uint8_t dscp = 0;
    std::uint8_t ecn = 0;
    std::uint16_t total_length = 20;
    std::uint16_t identification = 0;
    bool reserved_flag = false;
    bool dont_fragment = false;
    bool more_fragments = false;
    std::uint32_t fragment_offset = 0;  // bytes; a multiple of 8 up to 65528
    std::uint8_t ttl = 64;
    std::uint8_t protocol = 0;
    std::optional<std::uint16_t> header_checksum;  // nullopt: computed by emit()
    core::Ipv4Address source;
    core::Ipv4Address destination;
    std::vector<Ipv4Option> options;

    static core::WireResult<Ipv4Header> parse(core::Bytes data, bool verify_checksum = false) noexcept;
    static core::WireResult<Ipv4Header> from_view(const Ipv4HeaderView& v) noexcept;
    // The fixed 20-octet fields only (RFC 791 3.1), options left empty: what from_view returns
    // without the options, and what a caller keeps when the options are malformed.
    static Ipv4Header fixed_fields(const Ipv4HeaderView& v) noexcept;
    std::size_t encoded_size() const noexcept;  // header only, options padded
    void emit(core::ByteWriter& w) const;        // header only
    friend bool operator==(const Ipv4Header&, const Ipv4Header&) = default;
};

}  // namespace icmpkit::wire
