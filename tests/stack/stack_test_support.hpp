// Packet builders and output helpers for the stack tests: inputs are made with wire's emit(),
// outputs are checked with wire's parsers.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <span>
#include <vector>

#include "icmpkit/stack/node.hpp"
#include "icmpkit/wire/checksum.hpp"
#include "icmpkit/wire/icmpv4.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/ipv4.hpp"
#include "icmpkit/wire/transport.hpp"

namespace icmpkit::stack::test {

inline core::Ipv4Address v4(const char* s) { return *core::Ipv4Address::parse(s); }
inline core::Ipv6Address v6(const char* s) { return *core::Ipv6Address::parse(s); }
inline Prefix pfx(const char* s) { return *parse_prefix(s); }

struct V4 {
    const char* src = "192.0.2.10";
    const char* dst = "198.51.100.20";
    std::uint8_t protocol = wire::ip_protocol::udp;
    std::uint8_t ttl = 64;
    bool df = false;
    bool mf = false;
    std::uint32_t fragment_offset = 0;
    std::uint16_t identification = 0x1234;
    std::vector<wire::Ipv4Option> options;
};

inline core::Buffer ipv4_packet(const V4& p, core::Bytes payload) {
    wire::Ipv4Header h;
    h.source = v4(p.src);
    h.destination = v4(p.dst);
    h.protocol = p.protocol;
    h.ttl = p.ttl;
    h.dont_fragment = p.df;
    h.more_fragments = p.mf;
    h.fragment_offset = p.fragment_offset;
    h.identification = p.identification;
    h.options = p.options;
    h.total_length = static_cast<std::uint16_t>(h.encoded_size() + payload.size());
    core::Buffer out;
    core::ByteWriter w(out);
    h.emit(w);
    w.bytes(payload);
    return out;
}

inline core::Buffer udp_segment(const V4& p, std::uint16_t dport, std::size_t payload_size) {
    core::Buffer payload(payload_size);
    for (std::size_t i = 0; i < payload_size; ++i) payload[i] = static_cast<std::uint8_t>(i * 7 + 1);
    wire::UdpHeader u;
    u.source_port = 40000;
    u.destination_port = dport;
    core::Buffer seg;
    core::ByteWriter w(seg);
    u.emit(w, payload, core::IpAddress(v4(p.src)), core::IpAddress(v4(p.dst)));
    return seg;
}

inline core::Buffer udp_v4(const V4& p, std::uint16_t dport = 33434, std::size_t payload_size = 32) {
    return ipv4_packet(p, udp_segment(p, dport, payload_size));
}

inline core::Buffer icmp_v4(const V4& p0, const wire::icmpv4::Message& m) {
    V4 p = p0;
    p.protocol = wire::ip_protocol::icmp;
    core::Buffer icmp;
    core::ByteWriter w(icmp);
    wire::icmpv4::emit(m, w);
    return ipv4_packet(p, icmp);
}

inline core::Buffer echo_v4(const V4& p, std::size_t data_size = 56, std::uint16_t id = 0x4242, std::uint16_t seq = 7) {
    wire::icmpv4::EchoRequest e;
    e.identifier = id;
    e.sequence = seq;
    for (std::size_t i = 0; i < data_size; ++i) e.data.push_back(static_cast<std::uint8_t>(0x10 + i));
    return icmp_v4(p, e);
}

// host: eth0 (1) 192.0.2.10/24, default via 192.0.2.1; UDP 53 open.
inline NodeConfig host_config() {
    NodeConfig c;
    c.name = "host";
    c.role = Role::host;
    c.interfaces.push_back(Interface{"eth0", 1, {pfx("192.0.2.10/24"), pfx("2001:db8:1::10/64"), pfx("fe80::10/64")}, 1500});
    c.routes.push_back(Route{pfx("0.0.0.0/0"), {NextHop{1, core::IpAddress(v4("192.0.2.1"))}}});
    c.routes.push_back(Route{pfx("::/0"), {NextHop{1, core::IpAddress(v6("2001:db8:1::1"))}}});
    c.open_udp_ports = {53};
    return c;
}

// router: eth0 (1) 192.0.2.1/24, eth1 (2) 198.51.100.1/24; 203.0.113.0/25 via 198.51.100.2;
// v6: 2001:db8:1::1/64 on eth0, 2001:db8:2::1/64 on eth1, 2001:db8:3::/48 via 2001:db8:2::2.
inline NodeConfig router_config() {
    NodeConfig c;
    c.name = "r1";
    c.role = Role::router;
    c.interfaces.push_back(Interface{"eth0", 1, {pfx("192.0.2.1/24"), pfx("2001:db8:1::1/64"), pfx("fe80::1/64")}, 1500});
    c.interfaces.push_back(Interface{"eth1", 2, {pfx("198.51.100.1/24"), pfx("2001:db8:2::1/64"), pfx("fe80::2/64")}, 1500});
    c.routes.push_back(Route{pfx("203.0.113.0/25"), {NextHop{2, core::IpAddress(v4("198.51.100.2"))}}});
    c.routes.push_back(Route{pfx("2001:db8:3::/48"), {NextHop{2, core::IpAddress(v6("2001:db8:2::2"))}}});
    return c;
}

inline std::vector<Transmit> transmits(std::span<const Output> out) {
    std::vector<Transmit> t;
    for (const auto& o : out)
        if (auto* x = std::get_if<Transmit>(&o)) t.push_back(*x);
    return t;
}
inline std::optional<DropReason> drop_of(std::span<const Output> out) {
    for (const auto& o : out)
        if (auto* x = std::get_if<Drop>(&o)) return x->reason;
    return std::nullopt;
}
inline bool delivered(std::span<const Output> out) {
    for (const auto& o : out)
        if (std::holds_alternative<DeliverLocal>(o)) return true;
    return false;
}

// An ICMPv4 message sent by the node: IP header checksum and ICMP checksum verified.
struct SentV4 {
    wire::Ipv4HeaderView ip;
    wire::icmpv4::MessageView icmp;
};
inline std::optional<SentV4> sent_icmpv4(const Transmit& t) {
    auto ip = wire::Ipv4HeaderView::parse(t.bytes, /*verify_checksum=*/true);
    if (!ip || ip->protocol() != wire::ip_protocol::icmp) return std::nullopt;
    auto icmp = wire::icmpv4::MessageView::parse(ip->payload());
    if (!icmp) return std::nullopt;
    return SentV4{*ip, *icmp};
}

inline core::MonoTime at_ms(long ms) { return core::MonoTime{std::chrono::milliseconds(ms)}; }
inline core::WallTime wall_at(long long ms_since_epoch) {
    return core::WallTime{std::chrono::milliseconds(ms_since_epoch)};
}

}  // namespace icmpkit::stack::test
