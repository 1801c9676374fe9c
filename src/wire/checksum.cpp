#include "icmpkit/wire/checksum.hpp"

namespace icmpkit::wire {

// Straightforward version; see bench/ for the optimised one's comparison with this reference.
void InternetChecksum::add(core::Bytes data) noexcept {
    const std::uint8_t* p = data.data();
    std::size_t n = data.size();
    if (n == 0) return;
    if (odd_) {  // finish the pending word: this byte is its low half
        acc_ += p[0];
        ++p;
        --n;
        odd_ = false;
    }
    std::uint64_t a = acc_;
    for (; n >= 2; n -= 2, p += 2) a += core::load_be16(p);
    if (n) {
        a += static_cast<std::uint64_t>(p[0]) << 8;
        odd_ = true;
    }
    acc_ = a;
}

std::uint16_t InternetChecksum::sum() const noexcept {
    std::uint64_t s = acc_;
    while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
    return static_cast<std::uint16_t>(s);
}

std::uint16_t internet_checksum(core::Bytes data) noexcept {
    InternetChecksum c;
    c.add(data);
    return c.finish();
}

bool checksum_ok(core::Bytes data) noexcept {
    InternetChecksum c;
    c.add(data);
    return c.sum() == 0xFFFF;
}

void add_pseudo_header(InternetChecksum& c, const core::Ipv4Address& src, const core::Ipv4Address& dst,
                       std::uint8_t protocol, std::uint16_t length) noexcept {
    c.add(src);
    c.add(dst);
    c.add_u16(protocol);
    c.add_u16(length);
}

void add_pseudo_header(InternetChecksum& c, const core::Ipv6Address& src, const core::Ipv6Address& dst,
                       std::uint32_t upper_length, std::uint8_t next_header) noexcept {
    c.add(src);
    c.add(dst);
    c.add_u32(upper_length);
    c.add_u16(next_header);
}

}  // namespace icmpkit::wire
