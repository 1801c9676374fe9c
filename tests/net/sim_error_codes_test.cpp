// Issue 6: the virtual network covers the ICMP error codes the kernel cannot produce. For every
// ICMPv4 Destination Unreachable code 0-15, every ICMPv6 code 0-8, Time Exceeded 0/1 and Packet
// Too Big, a topology h0 - r1 - h1 produces the error for one UDP datagram sent through
// SimTransport; probe::ErrorMatcher (the flow registered) must deliver it with the right type,
// code, reason, reporter, quoted 5-tuple and MTU, and describe_error() must name the condition.
// Conditions that arise naturally do so (no route, closed port, a 1400-byte link, TTL 1); the
// others are configured as the reject code of a filter on r1 (RFC 1812 5.2.7.1 lets a router
// choose them; the sim cannot model e.g. precedence). Expected texts are the RFC names.
#include <gtest/gtest.h>

#include <string>

#include "icmpkit/net/sim_driver.hpp"
#include "icmpkit/probe/error_match.hpp"
#include "icmpkit/report/icmp_error_text.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/transport.hpp"

namespace icmpkit::net {
namespace {

using core::Family;
using R = wire::UnreachableReason;
using T = wire::TimeExceededReason;

constexpr std::uint16_t sport = 40000, dport = 33434;

std::string topology(const std::string& extra) {
    return "node h0 host\nnode r1 router\nnode h1 host\nentry h0\n"
           "addr h0 eth0 192.0.2.10/24 2001:db8:1::10/64\n"
           "addr r1 eth0 192.0.2.1/24 2001:db8:1::1/64\n"
           "addr r1 eth1 203.0.113.1/24 2001:db8:2::1/64\n"
           "addr h1 eth0 203.0.113.10/24 2001:db8:2::10/64\n"
           "link h0:eth0 r1:eth0 latency=1ms\n"
           "link r1:eth1 h1:eth0 latency=1ms mtu=1400\n"
           "route h0 default via 192.0.2.1\nroute h0 default via 2001:db8:1::1\n"
           "route h1 default via 203.0.113.1\nroute h1 default via 2001:db8:2::1\n" + extra;
}

struct Row {
    Family family;
    std::string extra;        // topology lines that make the error
    const char* destination;  // where the datagram goes
    std::uint8_t ttl;
    std::size_t payload;      // UDP payload bytes
    std::uint8_t type, code;
    R unreachable;
    T time_exceeded;
    const char* reporter;
    std::optional<std::uint32_t> mtu;
    const char* text;         // the condition describe_error must name
};

std::string rej(const std::string& code) { return "filter r1 reject udp dport 33434 code " + code + "\n"; }

// One UDP datagram from h0; the single datagram that comes back, through the matcher.
probe::MatchResult run(const Row& row, wire::FlowKey& key) {
    auto topo = sim::parse_topology(topology(row.extra), "codes.topo");
    EXPECT_TRUE(topo.has_value()) << (topo ? "" : topo.error().describe());
    if (!topo) return {};
    SimTransport t(*topo, {.seed = 1});
    auto dst = *core::IpAddress::parse(row.destination);
    auto src = *t.source(row.family);
    core::Buffer seg;
    core::ByteWriter w(seg);
    core::Buffer data(row.payload, 0x5a);
    wire::UdpHeader{sport, dport, 0, 0}.emit(w, data, src, dst);
    EXPECT_EQ(t.transmit(dst, wire::ip_protocol::udp, seg, {.ttl = row.ttl}), SendStatus::sent);
    t.advance_to(t.now() + std::chrono::seconds(1));
    auto got = t.take_received();
    EXPECT_EQ(got.size(), 1u);
    if (got.empty()) return {};
    key = {src, dst, wire::ip_protocol::udp, sport, dport};
    probe::ErrorMatcher m;
    m.add_flow(key);
    return m.match(row.family, got[0].payload, got[0].source, &got[0].destination);
}

std::vector<Row> rows() {
    const char* v4h = "203.0.113.10";
    const char* v6h = "2001:db8:2::10";
    std::vector<Row> v;
    auto v4 = [&](std::string extra, std::uint8_t code, R r, const char* rep, const char* text,
                  const char* dst = "203.0.113.10", std::size_t size = 32, std::optional<std::uint32_t> mtu = {}) {
        v.push_back({Family::v4, std::move(extra), dst, 64, size, 3, code, r, T::none, rep, mtu, text});
    };
    auto v6 = [&](std::string extra, std::uint8_t code, R r, const char* rep, const char* text,
                  const char* dst = "2001:db8:2::10") {
        v.push_back({Family::v6, std::move(extra), dst, 64, 32, 1, code, r, T::none, rep, {}, text});
    };
    const char* r4 = "192.0.2.1";
    const char* r6 = "2001:db8:1::1";
    v4("", 0, R::network, r4, "network unreachable for 198.51.100.99", "198.51.100.99");  // no route
    v4(rej("1"), 1, R::host, r4, "host 203.0.113.10 unreachable");
    v4(rej("2"), 2, R::protocol, r4, "protocol udp unreachable");
    v4("", 3, R::port, v4h, "port 33434/udp unreachable");  // nothing open on h1
    v4("", 4, R::fragmentation_needed, r4, "fragmentation needed toward 203.0.113.10 (next-hop MTU 1400)", v4h, 1400,
       1400u);
    v4(rej("5"), 5, R::source_route_failed, r4, "source route failed");
    v4(rej("6"), 6, R::network_unknown, r4, "destination network of 203.0.113.10 unknown");
    v4(rej("7"), 7, R::host_unknown, r4, "destination host 203.0.113.10 unknown");
    v4(rej("8"), 8, R::source_host_isolated, r4, "source host isolated");
    v4(rej("net-prohibited"), 9, R::network_prohibited, r4, "network of 203.0.113.10 administratively prohibited");
    v4(rej("host-prohibited"), 10, R::host_prohibited, r4, "host 203.0.113.10 administratively prohibited");
    v4(rej("11"), 11, R::network_tos, r4, "unreachable for the type of service");
    v4(rej("12"), 12, R::host_tos, r4, "host 203.0.113.10 unreachable for the type of service");
    v4(rej("admin-prohibited"), 13, R::admin_prohibited, r4, "administratively prohibited");
    v4(rej("14"), 14, R::host_precedence, r4, "host precedence violation");
    v4(rej("15"), 15, R::precedence_cutoff, r4, "precedence cutoff in effect");
    v6("", 0, R::no_route, r6, "no route to 2001:db8:99::1", "2001:db8:99::1");
    v6(rej("admin-prohibited"), 1, R::admin_prohibited, r6, "administratively prohibited");
    v6(rej("13/2"), 2, R::beyond_scope, r6, "beyond the scope of the source address");
    v6(rej("13/3"), 3, R::address, r6, "address 2001:db8:2::10 unreachable");
    v6("", 4, R::port, v6h, "port 33434/udp unreachable");
    v6(rej("13/5"), 5, R::source_policy, r6, "failed ingress/egress policy");
    v6(rej("13/6"), 6, R::reject_route, r6, "reject route to 2001:db8:2::10");
    v6(rej("13/7"), 7, R::source_routing_header, r6, "error in the source routing header");
    v6(rej("13/8"), 8, R::headers_too_long, r6, "headers too long");
    // Time Exceeded: TTL / hop limit 1 at r1 (RFC 1812 5.3.1, RFC 4443 3.3); reassembly configured.
    v.push_back({Family::v4, "", v4h, 1, 32, 11, 0, R::none, T::in_transit, r4, {}, "TTL exceeded in transit"});
    v.push_back({Family::v6, "", v6h, 1, 32, 3, 0, R::none, T::in_transit, r6, {}, "hop limit exceeded in transit"});
    v.push_back({Family::v4, rej("reassembly-timeout"), v4h, 64, 32, 11, 1, R::none, T::reassembly, r4, {},
                 "fragment reassembly time exceeded"});
    v.push_back({Family::v6, rej("reassembly-timeout"), v6h, 64, 32, 3, 1, R::none, T::reassembly, r6, {},
                 "fragment reassembly time exceeded"});
    // RFC 8200 5 / RFC 4443 3.2: 1400 + 48 bytes over the 1400-byte link.
    v.push_back({Family::v6, "", v6h, 64, 1400, 2, 0, R::none, T::none, r6, 1400u, "packet too big toward 2001:db8:2::10 (MTU 1400)"});
    return v;
}

TEST(SimErrorCodes, EveryCodeReachesTheApplication) {
    int v4_unreach = 0, v6_unreach = 0;
    for (const auto& row : rows()) {
        SCOPED_TRACE((row.family == Family::v4 ? "v4 type " : "v6 type ") + std::to_string(row.type) + " code " +
                     std::to_string(row.code));
        wire::FlowKey key;
        auto m = run(row, key);
        ASSERT_EQ(m.verdict, probe::MatchVerdict::delivered) << probe::verdict_name(m.verdict);
        ASSERT_TRUE(m.error);
        const auto& e = *m.error;
        EXPECT_EQ(e.type, row.type);
        EXPECT_EQ(e.code, row.code);
        EXPECT_EQ(e.classification.unreachable, row.unreachable);
        EXPECT_EQ(e.classification.time_exceeded, row.time_exceeded);
        ASSERT_TRUE(e.reporter);
        EXPECT_EQ(e.reporter->to_string(), row.reporter);
        ASSERT_TRUE(e.flow);
        EXPECT_EQ(*e.flow, key);
        EXPECT_EQ(e.mtu, row.mtu);
        auto text = report::describe_error(e);
        EXPECT_NE(text.find(row.text), std::string::npos) << text;
        if (row.type == 3 && row.family == Family::v4) ++v4_unreach;
        if (row.type == 1 && row.family == Family::v6) ++v6_unreach;
    }
    EXPECT_EQ(v4_unreach, 16);
    EXPECT_EQ(v6_unreach, 9);
}

// RFC 5927 4.1: a TCP SYN rejected by r1; delivered only when the registered send window
// [SND.UNA, SND.NXT) holds the quoted sequence number.
TEST(SimErrorCodes, TcpRejectHonoursTheSendWindow) {
    auto topo = sim::parse_topology(topology("filter r1 reject tcp dport 80 code admin-prohibited\n"), "tcp.topo");
    ASSERT_TRUE(topo.has_value());
    SimTransport t(*topo, {.seed = 1});
    auto dst = *core::IpAddress::parse("203.0.113.10");
    auto src = *t.source(Family::v4);
    constexpr std::uint32_t isn = 0xfffffff0u;  // the window wraps below
    wire::TcpHeader syn;
    syn.source_port = 40001;
    syn.destination_port = 80;
    syn.sequence_number = isn;
    syn.flags = wire::tcp_flag::syn;
    syn.window = 64240;
    core::Buffer seg;
    core::ByteWriter w(seg);
    syn.emit(w, {}, src, dst);
    ASSERT_EQ(t.transmit(dst, wire::ip_protocol::tcp, seg, {}), SendStatus::sent);
    t.advance_to(t.now() + std::chrono::seconds(1));
    auto got = t.take_received();
    ASSERT_EQ(got.size(), 1u);
    wire::FlowKey key{src, dst, wire::ip_protocol::tcp, 40001, 80};
    auto match = [&](probe::TcpSendWindow win) {
        probe::ErrorMatcher m;
        m.add_flow(key, win);
        return m.match(Family::v4, got[0].payload, got[0].source, &got[0].destination);
    };
    auto in = match({isn, isn + 1});  // the SYN consumes one sequence number
    ASSERT_EQ(in.verdict, probe::MatchVerdict::delivered);
    EXPECT_EQ(in.error->type, 3);
    EXPECT_EQ(in.error->code, 13);
    EXPECT_EQ(in.error->reporter->to_string(), "192.0.2.1");
    EXPECT_EQ(*in.error->flow, key);
    EXPECT_NE(report::describe_error(*in.error).find("administratively prohibited"), std::string::npos);
    EXPECT_EQ(match({isn - 100, isn + 20}).verdict, probe::MatchVerdict::delivered);  // wraps past 2^32
    EXPECT_EQ(match({isn + 1, isn + 100}).verdict, probe::MatchVerdict::out_of_window);  // already acked
    EXPECT_EQ(match({isn - 100, isn}).verdict, probe::MatchVerdict::out_of_window);      // not yet sent
}

// The topology syntax added for this: "V4/V6" code pairs and "reassembly-timeout".
TEST(SimErrorCodes, RejectCodeSyntax) {
    const std::string base = "node h host\nnode a router\n";
    auto ok = sim::parse_topology(base + "filter a reject udp code 5/8\nfilter a reject code reassembly-timeout\n", "x");
    ASSERT_TRUE(ok.has_value()) << ok.error().describe();
    for (const char* bad : {"5/", "256/1", "1/x"}) {
        auto r = sim::parse_topology(base + "filter a reject udp code " + bad + "\n", "x");
        ASSERT_FALSE(r.has_value()) << bad;
        EXPECT_NE(r.error().describe().find("bad reject code"), std::string::npos) << r.error().describe();
    }
}

}  // namespace
}  // namespace icmpkit::net
