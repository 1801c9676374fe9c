// Link behaviour (determinism, loss, latency, bandwidth queueing) and NAT.
#include "icmpkit/sim/path.hpp"
#include "sim_test_support.hpp"

namespace icmpkit::sim::test {
namespace {

// h0 -- r1 -- h1 with the given properties on the h0-r1 link.
Topology two_hops(const std::string& props) {
    std::string text = "node h0 host\nnode r1 router\nnode h1 host\n"
                       "addr h0 eth0 192.0.2.10/24\naddr r1 eth0 192.0.2.1/24\naddr r1 eth1 203.0.113.1/24\n"
                       "addr h1 eth0 203.0.113.10/24\n"
                       "link h0:eth0 r1:eth0 " + props + "\nlink r1:eth1 h1:eth0 latency=1ms\n"
                       "route h0 default via 192.0.2.1\nroute h1 default via 203.0.113.1\n";
    auto t = parse_topology(text, "two_hops");
    EXPECT_TRUE(t.has_value()) << (t ? "" : t.error().describe());
    return std::move(*t);
}

std::string run_trace(std::uint64_t seed) {
    Topology t = builtin("internet");
    t.links[0].properties.jitter = std::chrono::milliseconds(3);
    t.links[0].properties.loss_ppm = 200'000;
    Network net(t, {.seed = seed});
    std::string trace;
    net.set_trace_hook([&](const TraceEvent& e) {
        trace += std::to_string(e.time.since_origin.count()) + " " + std::string(trace_kind_name(e.kind)) + " " +
                 std::to_string(e.node) + "/" + std::to_string(e.ifindex) + " ";
        for (auto b : e.bytes) trace += static_cast<char>('a' + (b & 15));
        trace += "\n";
    });
    for (std::uint8_t ttl = 1; ttl <= 14; ++ttl)
        net.send(udp_probe({.sport = static_cast<std::uint16_t>(41000 + ttl), .ttl = ttl}), at_ms(ttl * 10));
    net.run_until(at_ms(5000));
    return trace;
}

TEST(Determinism, SameSeedSameTraceDifferentSeedDiffers) {
    std::string a = run_trace(42), b = run_trace(42), c = run_trace(43);
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
}

TEST(Link, LossRateWithinBounds) {
    Topology t = two_hops("latency=1ms loss=10%");
    Network net(t, {.seed = 99});
    constexpr int n = 10'000;
    for (int i = 0; i < n; ++i) net.send(udp_probe({.sport = 40000, .dport = 7}), at_ms(i));
    net.run_until(at_ms(n + 1000));
    const auto& c = net.link_counters(0, 0);
    EXPECT_EQ(c.sent, static_cast<std::uint64_t>(n));
    // Binomial(10000, 0.1): sd = 30; +-5 sd.
    EXPECT_GT(c.lost, 850u);
    EXPECT_LT(c.lost, 1150u);
    EXPECT_EQ(c.lost + c.delivered, c.sent);
}

TEST(Link, LatencyAddsUp) {
    // h0 -> r1: 7 ms, r1 -> h1: 1 ms; the port unreachable comes back the same way: 16 ms.
    Topology t = two_hops("latency=7ms");
    Network net(t);
    net.send(udp_probe({.dport = 9}), at_ms(100));
    net.run_until(at_ms(200));
    auto d = net.take_delivered();
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].time, at_ms(116));
    EXPECT_EQ(net.now(), at_ms(200));
}

TEST(Link, BandwidthQueuesAndTailDrops) {
    // 1 Mbit/s: a 1000-byte packet takes 8 ms to serialise; the queue holds 3000 bytes.
    Topology t = two_hops("latency=0 rate=1mbit queue=3000B");
    Network net(t);
    std::vector<core::MonoTime> arrivals;
    net.set_trace_hook([&](const TraceEvent& e) {
        if (e.kind == TraceKind::arrive && e.node == 1 && e.ifindex == 1) arrivals.push_back(e.time);
    });
    for (int i = 0; i < 6; ++i) net.send(udp_probe({.dport = 9, .payload = 1000 - 28}), at_ms(0));
    net.run_until(at_ms(1000));
    // Backlog before packet k is 1000*(k) bytes: k = 0..2 fit (<= 3000 with the packet), 3.. drop.
    ASSERT_EQ(arrivals.size(), 3u);
    EXPECT_EQ(arrivals[0], at_ms(8));
    EXPECT_EQ(arrivals[1], at_ms(16));
    EXPECT_EQ(arrivals[2], at_ms(24));
    EXPECT_EQ(net.link_counters(0, 0).queue_dropped, 3u);
}

TEST(Link, DuplicationCorruptionAndReorderingAreCounted) {
    Topology t = two_hops("latency=1ms dup=50% corrupt=50% reorder=50%");
    Network net(t, {.seed = 5});
    for (int i = 0; i < 200; ++i) net.send(udp_probe({.dport = 9}), at_ms(i));
    net.run_until(at_ms(2000));
    const auto& c = net.link_counters(0, 0);
    EXPECT_GT(c.duplicated, 50u);
    EXPECT_GT(c.corrupted, 50u);
    EXPECT_GT(c.reordered, 50u);
    EXPECT_EQ(c.delivered, c.sent + c.duplicated);
    // Corrupted packets fail the header or UDP checksum or arrive altered; the router survives
    // them all and its counters balance.
    EXPECT_TRUE(net.node(1).counters().balanced());
}

TEST(Nat, SourceRewrittenAndQuoteShowsTheTranslatedAddress) {
    Topology t = builtin("nat");
    Network net(t);
    std::optional<core::IpAddress> seen_at_h1;
    auto h1 = *t.node_index("h1");
    net.set_trace_hook([&](const TraceEvent& e) {
        if (e.kind == TraceKind::arrive && e.node == h1) seen_at_h1 = core::Ipv4Address::from_bytes(&e.bytes[12]);
    });
    // TTL 2 expires at r2, beyond the NAT: the Time Exceeded quotes the translated source.
    auto te = probe_once(net, {.sport = 40001, .ttl = 2}, at_ms(0));
    ASSERT_EQ(te.size(), 1u);
    EXPECT_EQ(te[0].c.kind, wire::Kind::time_exceeded);
    EXPECT_EQ(te[0].destination, ip("192.0.2.10"));  // translated back to the inside host
    ASSERT_GE(te[0].original.size(), 20u);
    EXPECT_EQ(core::Ipv4Address::from_bytes(&te[0].original[12]), *core::Ipv4Address::parse("198.51.100.1"));
    // Through to h1: it sees the NAT address; its port unreachable comes back to h0.
    auto pu = probe_once(net, {.sport = 40002, .ttl = 64}, at_ms(3000));
    ASSERT_EQ(pu.size(), 1u);
    EXPECT_EQ(seen_at_h1, ip("198.51.100.1"));
    EXPECT_EQ(pu[0].c.unreachable, wire::UnreachableReason::port);
    ASSERT_TRUE(pu[0].c.quoted_flow);
    EXPECT_EQ(pu[0].c.quoted_flow->src, ip("198.51.100.1"));
    EXPECT_EQ(pu[0].c.quoted_flow->src_port, 40002);
    auto r1 = *t.node_index("r1");
    EXPECT_EQ(net.node_sim_counters(r1).nat_outbound, 2u);
    EXPECT_EQ(net.node_sim_counters(r1).nat_inbound, 2u);
}

TEST(Nat, TranslateQuoteRestoresTheInsideSource) {
    Topology t = builtin("nat");
    t.nodes[*t.node_index("r1")].nat->translate_quote = true;
    Network net(t);
    auto te = probe_once(net, {.sport = 40001, .ttl = 2}, at_ms(0));
    ASSERT_EQ(te.size(), 1u);  // read_reply verified the IP checksum; wire parsed the ICMP
    ASSERT_GE(te[0].original.size(), 20u);
    EXPECT_EQ(core::Ipv4Address::from_bytes(&te[0].original[12]), *core::Ipv4Address::parse("192.0.2.10"));
}

TEST(Network, NoRouteMeansNoInjectionAndStepWalksEvents) {
    Topology t = builtin("line");
    Network net(t);
    EXPECT_FALSE(net.send(udp_probe({.dst = "198.18.0.1"}), at_ms(0)));  // not a doc address: no route
    EXPECT_FALSE(net.next_event_time());
    EXPECT_TRUE(net.send(udp_probe({.ttl = 1}), at_ms(0)));
    ASSERT_TRUE(net.next_event_time());
    EXPECT_EQ(*net.next_event_time(), at_ms(1));
    std::size_t steps = 0;
    while (net.step()) ++steps;
    EXPECT_EQ(steps, 2u);  // arrival at r1, the Time Exceeded's arrival at h0
    EXPECT_EQ(net.take_delivered().size(), 1u);
}

}  // namespace
}  // namespace icmpkit::sim::test
