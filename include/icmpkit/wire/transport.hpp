// UDP (RFC 768) and TCP (RFC 9293) headers: views, values, emit, and checksums over the IPv4
// (RFC 768 / RFC 9293 3.1) and IPv6 (RFC 8200 8.1) pseudo-headers.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/error.hpp"

namespace icmpkit::wire {

// The checksum field value for `segment` (its checksum field zeroed or not: pass the offset of the
// field so it is skipped) under the pseudo-header of src/dst/protocol. src and dst are one family.
std::uint16_t transport_checksum(const core::IpAddress& src, const core::IpAddress& dst, std::uint8_t protocol,
                                 core::Bytes segment, std::size_t checksum_offset) noexcept;
// True when the segment, checksum field included, sums to 0xFFFF under the pseudo-header.
bool transport_checksum_ok(const core::IpAddress& src, const core::IpAddress& dst, std::uint8_t protocol,
                           core::Bytes segment) noexcept;

class UdpHeaderView {
public:
    // 8 bytes (truncated at the size); length >= 8 (bad_length at 4) and <= bytes (truncated at the
    // size). Length 0 is accepted as an RFC 2675 jumbogram: payload() is then all the bytes.
    static core::WireResult<UdpHeaderView> parse(core::Bytes data) noexcept;
    std::uint16_t source_port() const noexcept { return core::load_be16(&d_[0]); }
    std::uint16_t destination_port() const noexcept { return core::load_be16(&d_[2]); }
    std::uint16_t length() const noexcept { return core::load_be16(&d_[4]); }
    std::uint16_t checksum() const noexcept { return core::load_be16(&d_[6]); }
    core::Bytes segment() const noexcept { return seg_; }  // header + payload
    core::Bytes payload() const noexcept { return seg_.subspan(8); }
    // RFC 768: checksum 0 over IPv4 means "none" (valid); RFC 8200 8.1: over IPv6 it is invalid.
    bool checksum_valid(const core::IpAddress& src, const core::IpAddress& dst) const noexcept;

private:
    UdpHeaderView(core::Bytes d, core::Bytes seg) noexcept : d_(d), seg_(seg) {}
    core::Bytes d_;
    core::Bytes seg_;
};

struct UdpHeader {
    std::uint16_t source_port = 0;
    std::uint16_t destination_port = 0;
    std::uint16_t length = 8;
    std::uint16_t checksum = 0;
    static core::WireResult<UdpHeader> parse(core::Bytes data) noexcept;
    static UdpHeader from_view(const UdpHeaderView& v) noexcept;
    static constexpr std::size_t encoded_size() noexcept { return 8; }
    void emit(core::ByteWriter& w) const;
    // Header + payload with length and checksum computed (0 -> 0xFFFF, RFC 768).
    void emit(core::ByteWriter& w, core::Bytes payload, const core::IpAddress& src, const core::IpAddress& dst) const;
    friend bool operator==(const UdpHeader&, const UdpHeader&) = default;
};

namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10, urg = 0x20,
                              ece = 0x40, cwr = 0x80;
}

class TcpHeaderView {
public:
    // 20 bytes (truncated at the size); data offset >= 5 (bad_header_length at 12); data offset * 4
    // bytes present (truncated at the size).
    static core::WireResult<TcpHeaderView> parse(core::Bytes data) noexcept;
    std::uint16_t source_port() const noexcept { return core::load_be16(&d_[0]); }
    std::uint16_t destination_port() const noexcept { return core::load_be16(&d_[2]); }
    std::uint32_t sequence_number() const noexcept { return core::load_be32(&d_[4]); }
    std::uint32_t acknowledgment_number() const noexcept { return core::load_be32(&d_[8]); }
    std::uint8_t data_offset() const noexcept { return static_cast<std::uint8_t>(d_[12] >> 4); }  // words
    std::size_t header_length() const noexcept { return std::size_t{data_offset()} * 4; }
    std::uint8_t reserved() const noexcept { return static_cast<std::uint8_t>(d_[12] & 0x0F); }
    std::uint8_t flags() const noexcept { return d_[13]; }
    std::uint16_t window() const noexcept { return core::load_be16(&d_[14]); }
    std::uint16_t checksum() const noexcept { return core::load_be16(&d_[16]); }
    std::uint16_t urgent_pointer() const noexcept { return core::load_be16(&d_[18]); }
    core::Bytes options() const noexcept { return d_.subspan(20, header_length() - 20); }
    core::Bytes payload() const noexcept { return d_.subspan(header_length()); }
    core::Bytes segment() const noexcept { return d_; }
    bool checksum_valid(const core::IpAddress& src, const core::IpAddress& dst) const noexcept;

private:
    explicit TcpHeaderView(core::Bytes d) noexcept : d_(d) {}
    core::Bytes d_;
};

struct TcpHeader {
    std::uint16_t source_port = 0;
    std::uint16_t destination_port = 0;
    std::uint32_t sequence_number = 0;
    std::uint32_t acknowledgment_number = 0;
    std::uint8_t reserved = 0;  // 4 bits
    std::uint8_t flags = 0;
    std::uint16_t window = 0;
    std::uint16_t checksum = 0;
    std::uint16_t urgent_pointer = 0;
    std::vector<std::uint8_t> options;  // raw; emit pads with zeros (EOL) to 4 bytes

    static core::WireResult<TcpHeader> parse(core::Bytes data) noexcept;
    static TcpHeader from_view(const TcpHeaderView& v);
    std::size_t encoded_size() const noexcept { return 20 + ((options.size() + 3) & ~std::size_t{3}); }
    void emit(core::ByteWriter& w) const;
    // Header + payload with the checksum computed under the pseudo-header.
    void emit(core::ByteWriter& w, core::Bytes payload, const core::IpAddress& src, const core::IpAddress& dst) const;
    friend bool operator==(const TcpHeader&, const TcpHeader&) = default;
};

}  // namespace icmpkit::wire
