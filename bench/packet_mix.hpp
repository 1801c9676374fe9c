// The benchmark's packet mix: Ethernet frames carrying ICMPv4 / ICMPv6 in the proportions below,
// every one built with our wire emit functions, deterministic for a given seed. Used by
// icmpkit-make-capture (bench/make_capture.cpp) and, for an in-process fallback, by the benches.
//
// Only documentation addresses appear: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and
// 2001:db8::/32 (MLD groups are RFC 3306 unicast-prefix-based groups on 2001:db8::/32:
// ff3e:30:2001:db8::/96). All checksums are correct.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/wire/extensions.hpp"
#include "icmpkit/wire/icmpv4.hpp"
#include "icmpkit/wire/icmpv6.hpp"
#include "icmpkit/wire/ipv4.hpp"
#include "icmpkit/wire/ipv6.hpp"
#include "icmpkit/wire/transport.hpp"

namespace icmpkit::bench {

namespace mix_detail {

using Rng = std::mt19937_64;
using core::Buffer;
using core::ByteWriter;
using core::Ipv4Address;
using core::Ipv6Address;

inline std::uint32_t pick(Rng& r, std::uint32_t n) { return static_cast<std::uint32_t>(r() % n); }

inline Ipv4Address doc_v4(Rng& r) {
    static constexpr std::uint8_t nets[3][3] = {{192, 0, 2}, {198, 51, 100}, {203, 0, 113}};
    const auto& n = nets[pick(r, 3)];
    return Ipv4Address(n[0], n[1], n[2], static_cast<std::uint8_t>(1 + pick(r, 254)));
}

inline Ipv6Address doc_v6(Rng& r) {
    std::array<std::uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
    b[4] = 0;
    b[5] = static_cast<std::uint8_t>(pick(r, 16));  // 2001:db8:N::/48
    b[14] = static_cast<std::uint8_t>(pick(r, 4));
    b[15] = static_cast<std::uint8_t>(1 + pick(r, 254));
    return Ipv6Address(b);
}

inline Ipv6Address doc_group_v6(Rng& r) {  // RFC 3306 ff3e:30:2001:db8::/96
    std::array<std::uint8_t, 16> b{0xff, 0x3e, 0x00, 0x30, 0x20, 0x01, 0x0d, 0xb8};
    b[15] = static_cast<std::uint8_t>(1 + pick(r, 254));
    return Ipv6Address(b);
}

inline Buffer random_bytes(Rng& r, std::size_t n) {
    Buffer b(n);
    for (auto& x : b) x = static_cast<std::uint8_t>(r());
    return b;
}

// Echo payload sizes: mostly the 56 of ping, the rest spread from 0 to a full 1500-byte frame.
inline std::size_t echo_size(Rng& r, std::size_t max) {
    static constexpr std::size_t sizes[] = {56, 56, 56, 56, 0, 8, 16, 32, 48, 64, 100, 120, 256, 512, 1000, 1400};
    std::size_t n = sizes[pick(r, std::size(sizes))];
    if (pick(r, 16) == 0) n = max;
    return n > max ? max : n;
}

inline void ethernet(ByteWriter& w, std::uint16_t ethertype, std::uint32_t host) {
    const std::uint8_t dst[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, static_cast<std::uint8_t>(host)};
    const std::uint8_t src[6] = {0x02, 0x00, 0x5e, 0x20, 0x00, static_cast<std::uint8_t>(host >> 8)};
    w.bytes(dst);
    w.bytes(src);
    w.u16(ethertype);
}

// The offending datagram an error quotes: IPv4 or IPv6 header + a real UDP, TCP or ICMP header
// (and payload), from `src` (the error's destination) to somewhere else.
inline Buffer inner_v4(Rng& r, Ipv4Address src) {
    Buffer payload = random_bytes(r, 8 + pick(r, 120));
    Buffer seg;
    ByteWriter sw(seg);
    auto dst = doc_v4(r);
    std::uint8_t proto = 0;
    switch (pick(r, 4)) {
    case 0:
    case 1: {  // UDP, traceroute-style ports
        wire::UdpHeader u{static_cast<std::uint16_t>(32768 + pick(r, 28000)),
                          static_cast<std::uint16_t>(33434 + pick(r, 90))};
        u.emit(sw, payload, src, dst);
        proto = 17;
        break;
    }
    case 2: {  // TCP SYN
        wire::TcpHeader t;
        t.source_port = static_cast<std::uint16_t>(32768 + pick(r, 28000));
        t.destination_port = std::array<std::uint16_t, 4>{80, 443, 22, 25}[pick(r, 4)];
        t.sequence_number = static_cast<std::uint32_t>(r());
        t.flags = wire::tcp_flag::syn;
        t.window = 64240;
        t.emit(sw, {}, src, dst);
        proto = 6;
        break;
    }
    default: {  // ICMP echo request
        wire::icmpv4::EchoRequest e;
        e.identifier = static_cast<std::uint16_t>(r());
        e.sequence = static_cast<std::uint16_t>(r());
        e.data = payload;
        wire::icmpv4::emit(e, sw);
        proto = 1;
    }
    }
    wire::Ipv4Header ip;
    ip.total_length = static_cast<std::uint16_t>(20 + seg.size());
    ip.identification = static_cast<std::uint16_t>(r());
    ip.dont_fragment = pick(r, 2) == 0;
    ip.ttl = 1;
    ip.protocol = proto;
    ip.source = src;
    ip.destination = dst;
    Buffer out;
    ByteWriter w(out);
    ip.emit(w);
    w.bytes(seg);
    return out;
}

inline Buffer inner_v6(Rng& r, const Ipv6Address& src) {
    Buffer payload = random_bytes(r, 8 + pick(r, 200));
    Buffer seg;
    ByteWriter sw(seg);
    auto dst = doc_v6(r);
    std::uint8_t nh = 0;
    switch (pick(r, 4)) {
    case 0:
    case 1: {
        wire::UdpHeader u{static_cast<std::uint16_t>(32768 + pick(r, 28000)),
                          static_cast<std::uint16_t>(33434 + pick(r, 90))};
        u.emit(sw, payload, src, dst);
        nh = 17;
        break;
    }
    case 2: {
        wire::TcpHeader t;
        t.source_port = static_cast<std::uint16_t>(32768 + pick(r, 28000));
        t.destination_port = 443;
        t.sequence_number = static_cast<std::uint32_t>(r());
        t.flags = wire::tcp_flag::syn;
        t.window = 64800;
        t.emit(sw, {}, src, dst);
        nh = 6;
        break;
    }
    default: {
        wire::icmpv6::EchoRequest e;
        e.identifier = static_cast<std::uint16_t>(r());
        e.sequence = static_cast<std::uint16_t>(r());
        e.data = payload;
        wire::icmpv6::emit(e, sw, wire::icmpv6::ChecksumMode::compute, &src, &dst);
        nh = 58;
    }
    }
    wire::Ipv6Header ip;
    ip.flow_label = static_cast<std::uint32_t>(r() & 0xFFFFF);
    ip.payload_length = static_cast<std::uint16_t>(seg.size());
    ip.next_header = nh;
    ip.hop_limit = 1;
    ip.source = src;
    ip.destination = dst;
    Buffer out;
    ByteWriter w(out);
    ip.emit(w);
    w.bytes(seg);
    return out;
}

// RFC 4884 extension structure: an RFC 4950 MPLS label stack, RFC 5837 interface information
// (incoming interface with ifIndex, address, name and MTU), or both.
inline wire::ext::ExtensionStructure extensions(Rng& r, bool v6) {
    wire::ext::ExtensionStructure s;
    auto k = pick(r, 3);
    if (k != 1) {
        wire::ext::MplsLabelStack m;
        auto depth = 1 + pick(r, 3);
        for (std::uint32_t i = 0; i < depth; ++i)
            m.entries.push_back({16 + pick(r, 1 << 19), static_cast<std::uint8_t>(pick(r, 8)), i + 1 == depth,
                                 static_cast<std::uint8_t>(1 + pick(r, 254))});
        s.objects.push_back(m);
    }
    if (k != 0) {
        wire::ext::InterfaceInformation ii;
        ii.role = pick(r, 2) ? wire::ext::InterfaceRole::incoming : wire::ext::InterfaceRole::outgoing;
        ii.has_ifindex = ii.has_address = ii.has_name = ii.has_mtu = true;
        ii.ifindex = 1 + pick(r, 64);
        ii.afi = v6 ? wire::ext::afi_ipv6 : wire::ext::afi_ipv4;
        ii.address = v6 ? core::IpAddress(doc_v6(r)) : core::IpAddress(doc_v4(r));
        static constexpr std::string_view names[] = {"eth0", "ge-0/0/1", "xe-1/2/0.100", "Bundle-Ether7"};
        ii.name = std::string(names[pick(r, 4)]);
        ii.mtu = std::array<std::uint32_t, 3>{1500, 9000, 4470}[pick(r, 3)];
        s.objects.push_back(ii);
    }
    return s;
}

// The quote as routers send it: RFC 792's header + 8 octets, or as much as fits in 576
// (RFC 1812 4.3.2.3), or the whole offending datagram.
inline Buffer quote_of(Rng& r, Buffer inner, std::size_t v4_header) {
    std::size_t n = inner.size();
    if (pick(r, 2) == 0) n = v4_header + 8;
    if (n < inner.size()) inner.resize(n);
    return inner;
}

template <class Err>
inline void fill_error_v4(Rng& r, Err& m, Ipv4Address me) {
    auto inner = inner_v4(r, me);
    if (pick(r, 3) == 0) {  // RFC 4884 5.1: routers quote the first 128 octets, zero padded
        if (inner.size() > 128) inner.resize(128);
        m.original = std::move(inner);
        wire::icmpv4::attach_extensions(m, extensions(r, false));
    } else {
        m.original = quote_of(r, std::move(inner), 20);
    }
}

inline wire::icmpv4::Message icmpv4_message(Rng& r, Ipv4Address peer, std::size_t max_echo) {
    namespace v4 = wire::icmpv4;
    auto k = pick(r, 100);
    if (k < 50) {  // echo request / reply
        v4::EchoRequest e;
        e.identifier = static_cast<std::uint16_t>(r());
        e.sequence = static_cast<std::uint16_t>(r());
        e.data = random_bytes(r, echo_size(r, max_echo));
        if (k < 25) return e;
        return v4::EchoReply{0, 0, e.identifier, e.sequence, std::move(e.data)};
    }
    if (k < 72) {  // time exceeded (TTL 0 in transit; 1 in 10 reassembly)
        v4::TimeExceeded t;
        t.code = pick(r, 10) == 0 ? 1 : 0;
        fill_error_v4(r, t, peer);
        return t;
    }
    v4::DestinationUnreachable u;  // port, host, admin prohibited, frag needed
    static constexpr std::uint8_t codes[] = {3, 3, 3, 1, 13, 4};
    u.code = codes[pick(r, std::size(codes))];
    if (u.code == 4) u.next_hop_mtu = std::array<std::uint16_t, 4>{1280, 1400, 1480, 1492}[pick(r, 4)];
    fill_error_v4(r, u, peer);
    return u;
}

template <class Err>
inline void fill_error_v6(Rng& r, Err& m, const Ipv6Address& me) {
    auto inner = inner_v6(r, me);
    if (pick(r, 3) == 0) {
        if (inner.size() > 128) inner.resize(128);
        m.original = std::move(inner);
        wire::icmpv6::attach_extensions(m, extensions(r, true));
    } else {
        m.original = std::move(inner);
    }
}

inline wire::ndp::SourceLinkLayerAddress slla(std::uint32_t host) {
    return {{0x02, 0x00, 0x5e, 0x20, 0x00, static_cast<std::uint8_t>(host)}};
}

inline wire::icmpv6::Message neighbor_discovery(Rng& r, std::uint32_t host) {
    namespace v6 = wire::icmpv6;
    auto k = pick(r, 6);
    if (k == 0) {
        v6::NeighborSolicitation ns;
        ns.target = doc_v6(r);
        ns.options.push_back(slla(host));
        return ns;
    }
    if (k == 1) {
        v6::NeighborAdvertisement na;
        na.solicited = na.override_flag = true;
        na.router = pick(r, 2) == 0;
        na.target = doc_v6(r);
        na.options.push_back(wire::ndp::TargetLinkLayerAddress{{0x02, 0, 0x5e, 0x10, 0, 7}});
        return na;
    }
    if (k == 2) {
        v6::RouterAdvertisement ra;
        ra.cur_hop_limit = 64;
        ra.router_lifetime = 1800;
        ra.other = pick(r, 2) == 0;
        wire::ndp::PrefixInformation pi;
        pi.prefix_length = 64;
        pi.on_link = pi.autonomous = true;
        pi.valid_lifetime = 2592000;
        pi.preferred_lifetime = 604800;
        pi.prefix = doc_v6(r);
        auto b = pi.prefix.bytes();
        for (int i = 8; i < 16; ++i) b[i] = 0;
        pi.prefix = Ipv6Address(b);
        ra.options = {slla(host), wire::ndp::Mtu{0, 1500}, pi};
        return ra;
    }
    if (k == 3) {
        v6::RouterSolicitation rs;
        rs.options.push_back(slla(host));
        return rs;
    }
    if (k == 4) {
        v6::MldReport m;
        m.multicast_address = doc_group_v6(r);
        return m;
    }
    v6::Mldv2Report m;
    for (std::uint32_t i = 0, n = 1 + pick(r, 3); i < n; ++i)
        m.records.push_back({static_cast<std::uint8_t>(1 + pick(r, 6)), doc_group_v6(r), {doc_v6(r)}, {}});
    return m;
}

inline wire::icmpv6::Message icmpv6_message(Rng& r, const Ipv6Address& peer, std::size_t max_echo,
                                            std::uint32_t host, std::uint8_t& hop_limit) {
    namespace v6 = wire::icmpv6;
    auto k = pick(r, 100);
    hop_limit = 64;
    if (k < 50) {
        v6::EchoRequest e;
        e.identifier = static_cast<std::uint16_t>(r());
        e.sequence = static_cast<std::uint16_t>(r());
        e.data = random_bytes(r, echo_size(r, max_echo));
        if (k < 25) return e;
        return v6::EchoReply{0, 0, e.identifier, e.sequence, std::move(e.data)};
    }
    if (k < 68) {
        v6::TimeExceeded t;
        fill_error_v6(r, t, peer);
        return t;
    }
    if (k < 82) {  // port, address, admin prohibited, no route
        v6::DestinationUnreachable u;
        u.code = std::array<std::uint8_t, 6>{4, 4, 4, 3, 1, 0}[pick(r, 6)];
        fill_error_v6(r, u, peer);
        return u;
    }
    if (k < 88) {
        v6::PacketTooBig p;
        p.mtu = std::array<std::uint32_t, 3>{1280, 1400, 1480}[pick(r, 3)];
        p.original = inner_v6(r, peer);
        return p;
    }
    hop_limit = 255;  // RFC 4861: ND messages carry hop limit 255 (MLD uses 1)
    auto m = neighbor_discovery(r, host);
    if (m.index() >= 6 && m.index() <= 10) hop_limit = 1;  // MLD variants
    return m;
}

}  // namespace mix_detail

// Frame `index` of the mix for `seed`: an Ethernet frame (IPv4 about 55 %, IPv6 45 %).
inline core::Buffer make_frame(std::uint64_t seed, std::uint64_t index) {
    using namespace mix_detail;
    Rng r(seed * 0x9E3779B97F4A7C15ull + index);
    core::Buffer out;
    out.reserve(1514);
    ByteWriter w(out);
    auto host = pick(r, 1 << 16);
    if (pick(r, 100) < 55) {
        auto a = doc_v4(r), b = doc_v4(r);
        auto msg = icmpv4_message(r, b, 1472);
        wire::Ipv4Header ip;
        ip.total_length = static_cast<std::uint16_t>(20 + wire::icmpv4::encoded_size(msg));
        ip.identification = static_cast<std::uint16_t>(r());
        ip.ttl = static_cast<std::uint8_t>(32 + pick(r, 33));
        ip.protocol = 1;
        ip.source = a;
        ip.destination = b;
        ethernet(w, 0x0800, host);
        ip.emit(w);
        wire::icmpv4::emit(msg, w);
    } else {
        auto a = doc_v6(r), b = doc_v6(r);
        std::uint8_t hop = 64;
        auto msg = icmpv6_message(r, b, 1452, host, hop);
        if (hop == 1) b = doc_group_v6(r);  // MLD goes to the group
        wire::Ipv6Header ip;
        ip.payload_length = static_cast<std::uint16_t>(wire::icmpv6::encoded_size(msg));
        ip.next_header = 58;
        ip.hop_limit = hop;
        ip.source = a;
        ip.destination = b;
        ethernet(w, 0x86DD, host);
        ip.emit(w);
        wire::icmpv6::emit(msg, w, wire::icmpv6::ChecksumMode::compute, &a, &b);
    }
    return out;
}

}  // namespace icmpkit::bench
