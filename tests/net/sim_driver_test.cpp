// The virtual-time ping driver against small topologies whose answers are derived by hand: the
// RTT is twice the sum of the link latencies (no jitter, no rate limit), TTL n expires at the n-th
// router, a 1400-byte link answers Fragmentation Needed / Packet Too Big.
#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

#include "icmpkit/net/sim_driver.hpp"

namespace icmpkit::net {
namespace {

using namespace std::chrono_literals;

// h0 - r1 - r2 - r3 - h1 with latencies 1, 2, 3, 4 ms (one way: 10 ms, RTT 20 ms).
std::string chain(const std::string& first_link_extra = "", const std::string& last_link_extra = "") {
    return "node h0 host\nnode r1 router\nnode r2 router\nnode r3 router\nnode h1 host\nentry h0\n"
           "addr h0 eth0 192.0.2.10/24 2001:db8:1::10/64\n"
           "addr r1 eth0 192.0.2.1/24 2001:db8:1::1/64\n"
           "addr r1 eth1 198.51.100.1/30 2001:db8:ff:1::1/64\n"
           "addr r2 eth0 198.51.100.2/30 2001:db8:ff:1::2/64\n"
           "addr r2 eth1 198.51.100.5/30 2001:db8:ff:2::1/64\n"
           "addr r3 eth0 198.51.100.6/30 2001:db8:ff:2::2/64\n"
           "addr r3 eth1 203.0.113.1/24 2001:db8:2::1/64\n"
           "addr h1 eth0 203.0.113.10/24 2001:db8:2::10/64\n"
           "link h0:eth0 r1:eth0 latency=1ms " + first_link_extra + "\n"
           "link r1:eth1 r2:eth0 latency=2ms\n"
           "link r2:eth1 r3:eth0 latency=3ms\n"
           "link r3:eth1 h1:eth0 latency=4ms " + last_link_extra + "\n"
           "route h0 default via 192.0.2.1\nroute h0 default via 2001:db8:1::1\n"
           "route r1 default via 198.51.100.2\nroute r1 default via 2001:db8:ff:1::2\n"
           "route r2 192.0.2.0/24 via 198.51.100.1\nroute r2 2001:db8:1::/64 via 2001:db8:ff:1::1\n"
           "route r2 default via 198.51.100.6\nroute r2 default via 2001:db8:ff:2::2\n"
           "route r3 default via 198.51.100.5\nroute r3 default via 2001:db8:ff:2::1\n"
           "route h1 default via 203.0.113.1\nroute h1 default via 2001:db8:2::1\n";
}

struct Outcome {
    std::vector<probe::Action> events;
    probe::PingSummary summary;
    SimPingResult result;
    template <class T> std::vector<T> all() const {
        std::vector<T> v;
        for (const auto& a : events)
            if (auto* x = std::get_if<T>(&a)) v.push_back(*x);
        return v;
    }
};

Outcome ping(const std::string& topo_text, const char* dest, std::uint64_t count, IpSendOptions ip = {},
             std::size_t size = 56, core::Duration interval = 1s, std::uint64_t seed = 1) {
    auto topo = sim::parse_topology(topo_text, "test.topo");
    EXPECT_TRUE(topo.has_value()) << (topo ? "" : topo.error().describe());
    SimTransport t(*topo, {.seed = seed});
    probe::PingConfig cfg;
    cfg.destination = *core::IpAddress::parse(dest);
    cfg.count = count;
    cfg.interval = interval;
    cfg.payload_size = size;
    cfg.identifier = 0x1234;
    cfg.linger = 2s;
    probe::Ping p(cfg);
    Outcome o;
    SimPingOptions so;
    so.ip = ip;
    o.result = run_ping_sim(p, t, so, [&](const probe::Action& a) { o.events.push_back(a); });
    o.summary = p.summary();
    return o;
}

TEST(SimDriver, EchoRepliesCarryTheConfiguredLatencyV4) {
    auto o = ping(chain(), "203.0.113.10", 3);
    EXPECT_TRUE(o.result.finished);
    auto replies = o.all<probe::ReplyEvent>();
    ASSERT_EQ(replies.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(replies[i].sequence, i + 1);
        EXPECT_EQ(replies[i].from, *core::IpAddress::parse("203.0.113.10"));
        EXPECT_EQ(replies[i].rtt_us, 20000);  // 2 x (1 + 2 + 3 + 4) ms
        EXPECT_EQ(replies[i].bytes, 64u);
        // h1 sends with TTL 64 (Linux default) and three routers decrement it.
        EXPECT_EQ(replies[i].ttl, 61);
    }
    EXPECT_EQ(o.summary.transmitted, 3u);
    EXPECT_EQ(o.summary.received, 3u);
    EXPECT_EQ(o.summary.exit_code(), 0);
    // Probes at 0, 1, 2 s; the last reply 20 ms later ends it.
    EXPECT_EQ(o.result.end.since_origin, 2020ms);
}

TEST(SimDriver, EchoRepliesV6WithTheIcmpv6Checksum) {
    auto o = ping(chain(), "2001:db8:2::10", 2);
    auto replies = o.all<probe::ReplyEvent>();
    ASSERT_EQ(replies.size(), 2u);  // h1 drops an ICMPv6 echo request with a wrong checksum
    EXPECT_EQ(replies[0].rtt_us, 20000);
    EXPECT_EQ(replies[0].from, *core::IpAddress::parse("2001:db8:2::10"));
}

TEST(SimDriver, TtlExceededFromTheRightHop) {
    for (std::uint8_t ttl = 1; ttl <= 3; ++ttl) {
        IpSendOptions ip;
        ip.ttl = ttl;
        auto o = ping(chain(), "203.0.113.10", 2, ip);
        auto errors = o.all<probe::IcmpErrorEvent>();
        ASSERT_EQ(errors.size(), 2u) << int(ttl);
        const char* hop[] = {"192.0.2.1", "198.51.100.2", "198.51.100.6"};  // facing h0
        EXPECT_EQ(errors[0].from, *core::IpAddress::parse(hop[ttl - 1]));
        EXPECT_EQ(errors[0].type, 11);
        EXPECT_EQ(errors[0].code, 0);
        EXPECT_EQ(errors[0].sequence, 1);
        EXPECT_EQ(errors[1].sequence, 2);
        EXPECT_EQ(o.summary.received, 0u);
        EXPECT_EQ(o.summary.errors, 2u);
        EXPECT_EQ(o.summary.exit_code(), 1);
    }
    IpSendOptions ip;
    ip.ttl = 2;
    auto o = ping(chain(), "2001:db8:2::10", 1, ip);
    auto errors = o.all<probe::IcmpErrorEvent>();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].from, *core::IpAddress::parse("2001:db8:ff:1::2"));
    EXPECT_EQ(errors[0].type, 3);  // ICMPv6 Time Exceeded, RFC 4443 3.3
    ip.ttl = 4;  // enough: h1 is 4 hops away
    EXPECT_EQ(ping(chain(), "203.0.113.10", 1, ip).summary.received, 1u);
}

TEST(SimDriver, LossIsVisibleAndSeeded) {
    // 30% each way on the first link: a reply comes back with probability 0.49.
    auto o = ping(chain("loss=30%"), "203.0.113.10", 200, {}, 56, 100ms, 7);
    EXPECT_EQ(o.summary.transmitted, 200u);
    EXPECT_GT(o.summary.received, 60u);
    EXPECT_LT(o.summary.received, 140u);
    auto again = ping(chain("loss=30%"), "203.0.113.10", 200, {}, 56, 100ms, 7);
    EXPECT_EQ(again.summary.received, o.summary.received);
    EXPECT_EQ(again.events.size(), o.events.size());
}

TEST(SimDriver, FragNeededThenLocalMessageTooLong) {
    IpSendOptions ip;
    ip.pmtu = PmtuDiscovery::do_;
    // 1450 + 8 + 20 = 1478 > 1400 on r3 - h1: r3 answers Fragmentation Needed (RFC 1191).
    auto o = ping(chain("", "mtu=1400"), "203.0.113.10", 3, ip, 1450);
    auto errors = o.all<probe::IcmpErrorEvent>();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].type, 3);
    EXPECT_EQ(errors[0].code, 4);
    EXPECT_EQ(errors[0].info, 1400u);
    EXPECT_EQ(errors[0].from, *core::IpAddress::parse("198.51.100.6"));
    // The path MTU is learnt: the next probes fail locally (EMSGSIZE, mtu 1400) as on Linux.
    auto local = o.all<probe::LocalErrorEvent>();
    ASSERT_EQ(local.size(), 2u);
    EXPECT_EQ(local[0].error_number, EMSGSIZE);
    EXPECT_EQ(local[0].mtu, 1400u);
    // Small enough: replies.
    EXPECT_EQ(ping(chain("", "mtu=1400"), "203.0.113.10", 2, ip, 1372).summary.received, 2u);
}

TEST(SimDriver, PacketTooBigV6) {
    IpSendOptions ip;
    ip.pmtu = PmtuDiscovery::do_;
    auto o = ping(chain("", "mtu=1400"), "2001:db8:2::10", 1, ip, 1450);
    auto errors = o.all<probe::IcmpErrorEvent>();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].type, 2);
    EXPECT_EQ(errors[0].info, 1400u);
}

TEST(SimDriver, CeilingInterruptsAnEndlessPing) {
    auto topo = sim::parse_topology(chain(), "t");
    ASSERT_TRUE(topo.has_value());
    SimTransport t(*topo);
    probe::PingConfig cfg;
    cfg.destination = *core::IpAddress::parse("203.0.113.10");
    probe::Ping p(cfg);
    SimPingOptions so;
    so.ceiling = 5500ms;
    auto r = run_ping_sim(p, t, so, nullptr);
    EXPECT_FALSE(r.finished);
    EXPECT_TRUE(p.finished());
    EXPECT_EQ(p.summary().transmitted, 6u);  // at 0..5 s
    EXPECT_EQ(p.summary().received, 6u);
}

TEST(SimDriver, LookupByNameOrAddress) {
    auto topo = sim::parse_topology(chain(), "t");
    ASSERT_TRUE(topo.has_value());
    SimTransport t(*topo);
    EXPECT_EQ(t.lookup("h1", core::Family::v4), core::IpAddress::parse("203.0.113.10"));
    EXPECT_EQ(t.lookup("h1", core::Family::v6), core::IpAddress::parse("2001:db8:2::10"));
    EXPECT_EQ(t.lookup("198.51.100.5", std::nullopt), core::IpAddress::parse("198.51.100.5"));
    EXPECT_FALSE(t.lookup("198.51.100.99", std::nullopt));
    EXPECT_FALSE(t.lookup("nosuch", std::nullopt));
    EXPECT_EQ(t.node_name(*core::IpAddress::parse("198.51.100.5")), "r2");
    EXPECT_EQ(t.source(core::Family::v4), core::IpAddress::parse("192.0.2.10"));
}

}  // namespace
}  // namespace icmpkit::net
