// The Internet checksum (RFC 1071) as a small accumulator, the RFC 1624 incremental update and the
// pseudo-headers of UDP/TCP over IPv4 and of everything over IPv6 (RFC 8200 8.1, ICMPv6 RFC 4443 2.3).
#pragma once

#include <cstddef>
#include <cstdint>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"

namespace icmpkit::wire {

// Ones'-complement sum over a byte stream. Odd-length chunks are handled: the next chunk continues
// at the right byte lane, so add(a); add(b) equals add(a ++ b).
class InternetChecksum {
public:
    void add(core::Bytes data) noexcept;
    void add_u16(std::uint16_t v) noexcept { add_word(v); }
    void add_u32(std::uint32_t v) noexcept { add_word(static_cast<std::uint16_t>(v >> 16)); add_word(static_cast<std::uint16_t>(v)); }
    void add(const core::Ipv4Address& a) noexcept { add_u32(a.to_uint()); }
    void add(const core::Ipv6Address& a) noexcept { add(core::Bytes(a.bytes())); }

    // The folded 16-bit ones'-complement sum.
    std::uint16_t sum() const noexcept;
    // The checksum field value: the complement of the sum.
    std::uint16_t finish() const noexcept { return static_cast<std::uint16_t>(~sum()); }

private:
    void add_word(std::uint16_t w) noexcept {
        if (odd_) {  // a pending high byte: the word straddles lanes; rotate it in.
            acc_ += static_cast<std::uint64_t>(((w >> 8) | (w << 8)) & 0xFFFF);
        } else {
            acc_ += w;
        }
    }
    std::uint64_t acc_ = 0;  // sum in the lane of the next byte (swapped when odd_)
    bool odd_ = false;       // an odd number of bytes has been added so far
};

// RFC 1071 checksum of one buffer (the field value, ready to store).
std::uint16_t internet_checksum(core::Bytes data) noexcept;

// True when the bytes, checksum field included, sum to 0xFFFF (a valid packet).
bool checksum_ok(core::Bytes data_with_checksum) noexcept;

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), the new checksum after one 16-bit word changes m -> m'.
constexpr std::uint16_t checksum_update(std::uint16_t old_checksum, std::uint16_t old_word,
                                        std::uint16_t new_word) noexcept {
    std::uint32_t s = static_cast<std::uint16_t>(~old_checksum);
    s += static_cast<std::uint16_t>(~old_word);
    s += new_word;
    s = (s & 0xFFFF) + (s >> 16);
    s = (s & 0xFFFF) + (s >> 16);
    return static_cast<std::uint16_t>(~s);
}

// Pseudo-header sums (RFC 768/793 for IPv4; RFC 8200 8.1 for IPv6, used by ICMPv6 RFC 4443 2.3).
void add_pseudo_header(InternetChecksum& c, const core::Ipv4Address& src, const core::Ipv4Address& dst,
                       std::uint8_t protocol, std::uint16_t length) noexcept;
void add_pseudo_header(InternetChecksum& c, const core::Ipv6Address& src, const core::Ipv6Address& dst,
                       std::uint32_t upper_length, std::uint8_t next_header) noexcept;

}  // namespace icmpkit::wire
