// Hand-built frames for the dissector tests (byte layouts from RFC 791, RFC 8200, RFC 792,
// RFC 4443, RFC 2784/2890, IEEE 802.3, Linux SLL). Checksums are computed with the RFC 1071 sum.
#pragma once

#include <cstdint>
#include <vector>

#include "icmpkit/core/bytes.hpp"
#include "icmpkit/wire/checksum.hpp"

namespace frames {

using Buf = std::vector<std::uint8_t>;

inline void put16(Buf& b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
}

inline Buf cat(Buf a, const Buf& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// ICMPv4 echo request (type 8) with a correct checksum.
inline Buf icmp_echo(std::uint16_t id, std::uint16_t seq, std::size_t data_len = 8, std::uint8_t type = 8) {
    Buf b{type, 0, 0, 0, static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id),
          static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq)};
    for (std::size_t i = 0; i < data_len; ++i) b.push_back(static_cast<std::uint8_t>(i));
    put16(b, 2, icmpkit::wire::internet_checksum(b));
    return b;
}

// IPv4 header + payload; `frag` is the fragment offset in bytes.
inline Buf ipv4(std::uint8_t proto, const Buf& payload, std::uint8_t s = 1, std::uint8_t d = 2,
                std::uint16_t id = 0x1234, std::uint32_t frag = 0, bool mf = false) {
    Buf b{0x45, 0, 0, 0, static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id), 0, 0, 64, proto, 0, 0,
          192, 0, 2, s, 198, 51, 100, d};
    put16(b, 2, static_cast<std::uint16_t>(20 + payload.size()));
    put16(b, 6, static_cast<std::uint16_t>((mf ? 0x2000 : 0) | (frag / 8)));
    put16(b, 10, icmpkit::wire::internet_checksum(b));
    return cat(b, payload);
}

inline Buf v6addr(std::uint8_t last) {
    return {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last};
}

// IPv6 header + payload (payload_length = payload size).
inline Buf ipv6(std::uint8_t next, const Buf& payload, std::uint8_t s = 1, std::uint8_t d = 2) {
    Buf b{0x60, 0, 0, 0, 0, 0, next, 64};
    put16(b, 4, static_cast<std::uint16_t>(payload.size()));
    b = cat(b, v6addr(s));
    b = cat(b, v6addr(d));
    return cat(b, payload);
}

// ICMPv6 echo with the pseudo-header checksum for 2001:db8::s -> 2001:db8::d.
inline Buf icmp6_echo(std::uint16_t id, std::uint16_t seq, std::uint8_t s = 1, std::uint8_t d = 2,
                      std::size_t data_len = 8) {
    Buf b{128, 0, 0, 0, static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id),
          static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq)};
    for (std::size_t i = 0; i < data_len; ++i) b.push_back(static_cast<std::uint8_t>(0xA0 + i));
    icmpkit::wire::InternetChecksum c;
    auto src = v6addr(s), dst = v6addr(d);
    c.add(icmpkit::core::Bytes(src));
    c.add(icmpkit::core::Bytes(dst));
    c.add_u32(static_cast<std::uint32_t>(b.size()));
    c.add_u32(58);
    c.add(icmpkit::core::Bytes(b));
    put16(b, 2, c.finish());
    return b;
}

inline Buf ethernet(std::uint16_t ethertype, const Buf& payload) {
    Buf b{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0, 0};
    put16(b, 12, ethertype);
    return cat(b, payload);
}

// Linux cooked capture v1 (16 bytes): packet type, ARPHRD, address length, address, protocol.
inline Buf sll(std::uint16_t protocol, const Buf& payload) {
    Buf b{0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0};
    put16(b, 14, protocol);
    return cat(b, payload);
}

// GRE (RFC 2784/2890) with optional key and sequence number, protocol type `proto`.
inline Buf gre(std::uint16_t proto, const Buf& payload, bool key = false, bool seq = false, bool csum = false) {
    std::uint16_t flags = (csum ? 0x8000 : 0) | (key ? 0x2000 : 0) | (seq ? 0x1000 : 0);
    Buf b{static_cast<std::uint8_t>(flags >> 8), static_cast<std::uint8_t>(flags), 0, 0};
    put16(b, 2, proto);
    if (csum) b.insert(b.end(), {0, 0, 0, 0});
    if (key) b.insert(b.end(), {0, 0, 0x30, 0x39});  // 12345
    if (seq) b.insert(b.end(), {0, 0, 0, 7});
    b = cat(b, payload);
    if (csum) put16(b, 4, icmpkit::wire::internet_checksum(b));
    return b;
}

}  // namespace frames
