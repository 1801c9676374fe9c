// Probe builders (wire's emit) and reply readers (wire's parsers) for the sim tests.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "icmpkit/sim/network.hpp"
#include "icmpkit/sim/topology.hpp"
#include "icmpkit/wire/classify.hpp"
#include "icmpkit/wire/icmpv4.hpp"
#include "icmpkit/wire/icmpv6.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/ipv4.hpp"
#include "icmpkit/wire/ipv6.hpp"
#include "icmpkit/wire/transport.hpp"

namespace icmpkit::sim::test {

inline core::IpAddress ip(const char* s) { return *core::IpAddress::parse(s); }
inline core::MonoTime at_ms(long ms) { return core::MonoTime{std::chrono::milliseconds(ms)}; }

inline Topology builtin(const char* name) {
    auto t = parse_topology(find_builtin(name)->text, name);
    EXPECT_TRUE(t.has_value()) << (t ? "" : t.error().describe());
    return std::move(*t);
}

// Removes loss from every link (exact hop-by-hop checks).
inline void lossless(Topology& t) {
    for (auto& l : t.links) l.properties.loss_ppm = 0;
}

struct Probe {
    const char* src = "192.0.2.10";
    const char* dst = "203.0.113.10";
    std::uint16_t sport = 40000;
    std::uint16_t dport = 33434;
    std::uint8_t ttl = 64;
    bool df = false;
    std::size_t payload = 32;  // UDP payload bytes
};

inline core::Buffer udp_probe(const Probe& p) {
    auto src = ip(p.src), dst = ip(p.dst);
    core::Buffer payload(p.payload, 0x5A);
    wire::UdpHeader u;
    u.source_port = p.sport;
    u.destination_port = p.dport;
    core::Buffer seg;
    core::ByteWriter sw(seg);
    u.emit(sw, payload, src, dst);
    core::Buffer out;
    core::ByteWriter w(out);
    if (src.is_v4()) {
        wire::Ipv4Header h;
        h.source = src.v4();
        h.destination = dst.v4();
        h.protocol = wire::ip_protocol::udp;
        h.ttl = p.ttl;
        h.dont_fragment = p.df;
        h.identification = p.sport;
        h.total_length = static_cast<std::uint16_t>(20 + seg.size());
        h.emit(w);
    } else {
        wire::Ipv6Header h;
        h.source = src.v6();
        h.destination = dst.v6();
        h.next_header = wire::ip_protocol::udp;
        h.hop_limit = p.ttl;
        h.payload_length = static_cast<std::uint16_t>(seg.size());
        h.emit(w);
    }
    w.bytes(seg);
    return out;
}

// An ICMP message the entry host received, read with wire's parsers.
struct Reply {
    core::IpAddress source;
    core::IpAddress destination;
    wire::Classification c;
    std::vector<std::uint32_t> mpls_labels;
    core::Buffer original;  // the quoted datagram
};

inline void take_extensions(const std::optional<wire::ext::ExtensionStructure>& s, Reply& r) {
    if (!s) return;
    for (const auto& o : s->objects)
        if (const auto* m = std::get_if<wire::ext::MplsLabelStack>(&o))
            for (const auto& e : m->entries) r.mpls_labels.push_back(e.label);
}

inline std::optional<Reply> read_reply(core::Bytes bytes) {
    Reply r;
    if (!bytes.empty() && (bytes[0] >> 4) == 4) {
        auto h = wire::Ipv4HeaderView::parse(bytes, true);
        if (!h || h->protocol() != wire::ip_protocol::icmp) return std::nullopt;
        auto m = wire::icmpv4::parse(h->payload());
        if (!m) return std::nullopt;
        r.source = h->source();
        r.destination = h->destination();
        r.c = wire::classify(*m);
        if (auto* te = std::get_if<wire::icmpv4::TimeExceeded>(&*m)) { take_extensions(te->extensions, r); r.original = te->original; }
        if (auto* du = std::get_if<wire::icmpv4::DestinationUnreachable>(&*m)) { take_extensions(du->extensions, r); r.original = du->original; }
        return r;
    }
    auto h = wire::Ipv6HeaderView::parse(bytes);
    if (!h || h->next_header() != wire::ip_protocol::icmpv6) return std::nullopt;
    auto m = wire::icmpv6::parse(h->payload());
    if (!m) return std::nullopt;
    r.source = h->source();
    r.destination = h->destination();
    r.c = wire::classify(*m);
    if (auto* te = std::get_if<wire::icmpv6::TimeExceeded>(&*m)) { take_extensions(te->extensions, r); r.original = te->original; }
    if (auto* du = std::get_if<wire::icmpv6::DestinationUnreachable>(&*m)) { take_extensions(du->extensions, r); r.original = du->original; }
    if (auto* pt = std::get_if<wire::icmpv6::PacketTooBig>(&*m)) r.original = pt->original;
    return r;
}

// Sends one probe at `t`, runs the network for 2 s and returns the replies.
inline std::vector<Reply> probe_once(Network& net, const Probe& p, core::MonoTime t) {
    EXPECT_TRUE(net.send(udp_probe(p), t));
    net.run_until(t + std::chrono::seconds(2));
    std::vector<Reply> out;
    for (const auto& d : net.take_delivered())
        if (auto r = read_reply(d.bytes)) out.push_back(*r);
    return out;
}

}  // namespace icmpkit::sim::test
