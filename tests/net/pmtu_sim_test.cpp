// Both pmtu engines over the virtual network. Expected values come from the topologies' own
// definitions (link MTUs, which router is a black hole, link latencies), not from our output.
#include <gtest/gtest.h>

#include <string>

#include "icmpkit/net/pmtu_driver.hpp"
#include "icmpkit/sim/topology.hpp"

namespace icmpkit::net {
namespace {

using namespace std::chrono_literals;

// h0 - r1 - r2 - r3 - h1, 1 ms per link; r1-r2 has MTU 1400, r2-r3 MTU 1300. With "blackhole r2"
// r2 drops what does not fit its 1300 link silently (r1 still says 1400).
std::string steps(bool blackhole) {
    return std::string("node h0 host\nnode r1 router\nnode r2 router\nnode r3 router\nnode h1 host\nentry h0\n"
           "addr h0 eth0 192.0.2.10/24 2001:db8:1::10/64\n"
           "addr r1 eth0 192.0.2.1/24 2001:db8:1::1/64\n"
           "addr r1 eth1 198.51.100.1/30 2001:db8:ff:1::1/64\n"
           "addr r2 eth0 198.51.100.2/30 2001:db8:ff:1::2/64\n"
           "addr r2 eth1 198.51.100.5/30 2001:db8:ff:2::1/64\n"
           "addr r3 eth0 198.51.100.6/30 2001:db8:ff:2::2/64\n"
           "addr r3 eth1 203.0.113.1/24 2001:db8:2::1/64\n"
           "addr h1 eth0 203.0.113.10/24 2001:db8:2::10/64\n"
           "link h0:eth0 r1:eth0 latency=1ms\n"
           "link r1:eth1 r2:eth0 latency=1ms mtu=1400\n"
           "link r2:eth1 r3:eth0 latency=1ms mtu=1300\n"
           "link r3:eth1 h1:eth0 latency=1ms\n"
           "route h0 default via 192.0.2.1\nroute h0 default via 2001:db8:1::1\n"
           "route r1 default via 198.51.100.2\nroute r1 default via 2001:db8:ff:1::2\n"
           "route r2 192.0.2.0/24 via 198.51.100.1\nroute r2 2001:db8:1::/64 via 2001:db8:ff:1::1\n"
           "route r2 default via 198.51.100.6\nroute r2 default via 2001:db8:ff:2::2\n"
           "route r3 default via 198.51.100.5\nroute r3 default via 2001:db8:ff:2::1\n"
           "route h1 default via 203.0.113.1\nroute h1 default via 2001:db8:2::1\n") +
           (blackhole ? "blackhole r2\n" : "");
}

sim::Topology topo(const std::string& text) {
    auto t = sim::parse_topology(text, "test.topo");
    EXPECT_TRUE(t.has_value()) << (t ? "" : t.error().describe());
    return *t;
}

struct Trace {
    std::vector<probe::PmtuAction> events;
    bool finished = false;
    template <class T> std::vector<T> all() const {
        std::vector<T> v;
        for (const auto& a : events)
            if (auto* x = std::get_if<T>(&a)) v.push_back(*x);
        return v;
    }
};

Trace tracepath(const sim::Topology& t, const char* dest, int max_hops = 30) {
    SimTransport tr(t);
    probe::Pmtu p({.destination = *core::IpAddress::parse(dest), .max_hops = max_hops});
    Trace out;
    out.finished = run_pmtu_sim(p, tr, {}, [&](const probe::PmtuAction& a) { out.events.push_back(a); });
    return out;
}

probe::SearchResult search(const sim::Topology& t, const char* dest) {
    SimTransport tr(t);
    const auto d = *core::IpAddress::parse(dest);
    probe::PmtuSearch s({.destination = d, .max_mtu = tr.path_mtu(d), .identifier = 0x4242});
    EXPECT_TRUE(run_search_sim(s, tr, {}, {}));
    return s.result();
}

TEST(PmtuSim, TracepathFindsBothStepsV4V6) {
    const auto t = topo(steps(false));
    for (const char* dest : {"203.0.113.10", "2001:db8:2::10"}) {
        auto tr = tracepath(t, dest);
        ASSERT_TRUE(tr.finished);
        auto fin = tr.all<probe::PmtuFinish>();
        ASSERT_EQ(fin.size(), 1u);
        EXPECT_EQ(fin[0].mtu, 1300) << dest;
        EXPECT_EQ(fin[0].hops_to, 4) << dest;
        EXPECT_EQ(fin[0].hops_from, 4) << dest;
        EXPECT_FALSE(fin[0].too_many_hops);
        std::vector<std::uint32_t> pmtus;
        for (auto& h : tr.all<probe::PmtuHopEvent>())
            if (h.tail == probe::PmtuHopEvent::Tail::pmtu) pmtus.push_back(h.pmtu);
        EXPECT_EQ(pmtus, (std::vector<std::uint32_t>{1500, 1400, 1300})) << dest;
        // Every hop answered with the RTT of its distance (2 ms per link, there and back).
        for (auto& h : tr.all<probe::PmtuHopEvent>()) {
            if (!h.localhost && h.tail == probe::PmtuHopEvent::Tail::none) {
                EXPECT_EQ(*h.rtt, h.sent_hops * 2ms) << dest;
            }
        }
    }
}

TEST(PmtuSim, SearchAgreesWithIcmpOnAnHonestPath) {
    const auto t = topo(steps(false));
    for (const char* dest : {"203.0.113.10", "2001:db8:2::10"}) {
        auto r = search(t, dest);
        EXPECT_TRUE(r.base_confirmed);
        EXPECT_EQ(r.plpmtu, 1300u) << dest;
        EXPECT_EQ(r.icmp_pmtu, 1300u) << dest;
        EXPECT_FALSE(r.black_hole) << dest;
    }
}

TEST(PmtuSim, BlackHoleFoolsTracepathButNotTheSearchV4V6) {
    const auto t = topo(steps(true));
    for (const char* dest : {"203.0.113.10", "2001:db8:2::10"}) {
        auto tr = tracepath(t, dest, 6);
        auto fin = tr.all<probe::PmtuFinish>();
        ASSERT_EQ(fin.size(), 1u);
        EXPECT_EQ(fin[0].mtu, 1400) << dest;  // what r1 said; r2 never says 1300
        EXPECT_TRUE(fin[0].too_many_hops);    // probes of 1400 vanish from hop 3 on
        EXPECT_EQ(tr.all<probe::PmtuNoReply>().size(), 4u);
        auto r = search(t, dest);
        EXPECT_EQ(r.plpmtu, 1300u) << dest;
        EXPECT_EQ(r.icmp_pmtu, 1400u) << dest;
        EXPECT_TRUE(r.black_hole) << dest;
        EXPECT_EQ(r.smallest_silent_failure, 1301u) << dest;
    }
}

TEST(PmtuSim, BuiltinBlackholeTopology) {
    const auto* b = sim::find_builtin("blackhole");
    ASSERT_NE(b, nullptr);
    const auto t = topo(std::string(b->text));
    for (const char* dest : {"203.0.113.10", "2001:db8:2::10"}) {
        auto r = search(t, dest);
        EXPECT_EQ(r.plpmtu, 1400u) << dest;  // its r2-r3 link: mtu=1400
        EXPECT_EQ(r.icmp_pmtu, 1500u) << dest;
        EXPECT_TRUE(r.black_hole) << dest;
        auto tr = tracepath(t, dest, 4);
        EXPECT_EQ(tr.all<probe::PmtuFinish>()[0].mtu, 1500) << dest;
    }
}

TEST(PmtuSim, LocalMtuBelowThePacketIsLocalhostLine) {
    auto tr = tracepath(topo(steps(false)), "2001:db8:2::10", 1);
    auto hops = tr.all<probe::PmtuHopEvent>();
    ASSERT_FALSE(hops.empty());
    EXPECT_TRUE(hops[0].localhost);
    EXPECT_EQ(hops[0].pmtu, 1500u);
    EXPECT_TRUE(hops[0].rtt);  // IPv6 keeps the port: the slot is found (tracepath prints a time)
    auto tr4 = tracepath(topo(steps(false)), "203.0.113.10", 1);
    EXPECT_FALSE(tr4.all<probe::PmtuHopEvent>()[0].rtt);
}

TEST(PmtuSim, UdpErrorParsingIgnoresOtherFlows) {
    SimReceived r;
    r.source = *core::IpAddress::parse("192.0.2.1");
    r.protocol = 1;
    r.payload = {11, 0, 0, 0, 0, 0, 0, 0};  // Time Exceeded with no quote
    EXPECT_FALSE(udp_queued_error_of(r, *core::IpAddress::parse("203.0.113.10"), 40000));
    r.payload = {11, 0};
    EXPECT_FALSE(udp_queued_error_of(r, *core::IpAddress::parse("203.0.113.10"), 40000));
}

}  // namespace
}  // namespace icmpkit::net
