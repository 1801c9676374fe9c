// The topology parser: built-ins parse, values convert exactly, broken inputs give file:line.
#include "icmpkit/sim/path.hpp"
#include "sim_test_support.hpp"

namespace icmpkit::sim::test {
namespace {

const char* base = "node h0 host\nnode r1 router\naddr h0 eth0 192.0.2.10/24\naddr r1 eth0 192.0.2.1/24\n";

TEST(Topology, BuiltinsParseAndReachEveryHost) {
    ASSERT_GE(builtin_topologies().size(), 5u);
    for (const auto& b : builtin_topologies()) {
        auto t = parse_topology(b.text, b.name);
        ASSERT_TRUE(t.has_value()) << (t ? "" : t.error().describe());
        auto paths = compute_host_paths(*t);
        EXPECT_FALSE(paths.empty()) << b.name;
        for (const auto& p : paths) EXPECT_TRUE(p.reached) << b.name << " " << p.destination.to_string();
    }
    EXPECT_NE(find_builtin("internet"), nullptr);
    EXPECT_EQ(find_builtin("nope"), nullptr);
}

TEST(Topology, LinkValuesConvertExactly) {
    auto t = parse_topology(std::string(base) +
                                "link h0:eth0 r1:eth0 latency=1.5ms jitter=250us loss=0.5% dup=0.0001% reorder=100% "
                                "corrupt=2% mtu=1400 rate=100mbit queue=64kB\n",
                            "x.topo");
    ASSERT_TRUE(t.has_value()) << t.error().describe();
    const auto& p = t->links[0].properties;
    EXPECT_EQ(p.latency, std::chrono::microseconds(1500));
    EXPECT_EQ(p.jitter, std::chrono::microseconds(250));
    EXPECT_EQ(p.loss_ppm, 5000u);
    EXPECT_EQ(p.duplicate_ppm, 1u);
    EXPECT_EQ(p.reorder_ppm, 1'000'000u);
    EXPECT_EQ(p.corrupt_ppm, 20'000u);
    EXPECT_EQ(p.mtu, 1400u);
    EXPECT_EQ(p.rate_bps, 100'000'000u);
    EXPECT_EQ(p.queue_bytes, 64'000u);
    EXPECT_EQ(t->nodes[0].config.interfaces[0].mtu, 1400u);  // the link MTU reaches both interfaces
    EXPECT_EQ(t->nodes[1].config.interfaces[0].mtu, 1400u);
}

TEST(Topology, DefaultRouteIsTheDocumentationRangesOnly) {
    auto t = parse_topology(std::string(base) + "route h0 default via 192.0.2.1\n", "x");
    ASSERT_TRUE(t.has_value());
    const auto& routes = t->nodes[0].config.routes;
    ASSERT_EQ(routes.size(), 3u);
    for (const auto& r : routes) {
        EXPECT_TRUE(is_documentation_prefix(r.destination));
        EXPECT_EQ(r.next_hops.at(0).ifindex, 1u);
    }
}

TEST(Topology, DocumentationRangeRule) {
    EXPECT_TRUE(is_documentation_address(ip("192.0.2.255")));
    EXPECT_TRUE(is_documentation_address(ip("198.51.100.0")));
    EXPECT_TRUE(is_documentation_address(ip("203.0.113.7")));
    EXPECT_TRUE(is_documentation_address(ip("2001:db8:ffff::1")));
    EXPECT_FALSE(is_documentation_address(ip("192.0.3.1")));
    EXPECT_FALSE(is_documentation_address(ip("198.51.101.1")));
    EXPECT_FALSE(is_documentation_address(ip("10.0.0.1")));
    EXPECT_FALSE(is_documentation_address(ip("2001:db9::1")));
    EXPECT_FALSE(is_documentation_prefix(*stack::parse_prefix("192.0.2.0/23")));  // wider than the range
    EXPECT_FALSE(is_documentation_prefix(*stack::parse_prefix("2001:db8::/31")));
    EXPECT_TRUE(is_documentation_prefix(*stack::parse_prefix("2001:db8:5::/48")));
}

struct Broken {
    const char* text;
    std::size_t line;
    const char* message_part;
};

class BrokenTopology : public ::testing::TestWithParam<Broken> {};

TEST_P(BrokenTopology, ReportsFileAndLine) {
    auto t = parse_topology(GetParam().text, "lab.topo");
    ASSERT_FALSE(t.has_value());
    EXPECT_EQ(t.error().line, GetParam().line);
    EXPECT_EQ(t.error().file, "lab.topo");
    EXPECT_NE(t.error().message.find(GetParam().message_part), std::string::npos) << t.error().message;
    std::string prefix = "lab.topo:" + std::to_string(GetParam().line) + ": ";
    EXPECT_EQ(t.error().describe().rfind(prefix, 0), 0u) << t.error().describe();
}

INSTANTIATE_TEST_SUITE_P(
    Table, BrokenTopology,
    ::testing::Values(
        Broken{"", 0, "no nodes"},
        Broken{"node r1 router\n", 0, "no host"},
        Broken{"bogus x\n", 1, "unknown statement"},
        Broken{"node a host\nnode a host\n", 2, "declared twice"},
        Broken{"node a hub\n", 1, "usage: node"},
        Broken{"node a host\naddr a eth0 10.0.0.1/24\n", 2, "outside the documentation ranges"},
        Broken{"node a host\naddr a eth0 192.0.2.1/16\n", 2, "outside the documentation ranges"},
        Broken{"node a host\naddr a eth0 2001:db9::1/64\n", 2, "outside the documentation ranges"},
        Broken{"node a host\naddr a eth0 192.0.2.1\n", 2, "bad prefix"},
        Broken{"node a host\naddr b eth0 192.0.2.1/24\n", 2, "unknown node"},
        Broken{"node a host\nnode b host\naddr a e0 192.0.2.1/24\naddr b e0 192.0.2.1/24\n", 4, "already assigned"},
        Broken{"node a host\nnode b host\n\n# comment\nlink a:e0 b:e0 latency=5\n", 5, "bad value '5' for latency"},
        Broken{"node a host\nnode b host\nlink a:e0 b:e0 loss=101%\n", 3, "bad value"},
        Broken{"node a host\nnode b host\nlink a:e0 b:e0 mtu=67\n", 3, "bad value"},
        Broken{"node a host\nnode b host\nlink a:e0 b:e0 speed=1\n", 3, "unknown link property"},
        Broken{"node a host\nnode b host\nlink a:e0\n", 3, "exactly two"},
        Broken{"node a host\nnode b host\nnode c host\nlink a:e0 b:e0\nlink a:e0 c:e0\n", 5, "already attached"},
        Broken{"node a host\naddr a e0 192.0.2.1/24\nroute a default via 198.51.100.1\n", 3, "on none of"},
        Broken{"node a host\naddr a e0 192.0.2.1/24\nroute a 10.0.0.0/8 via 192.0.2.2\n", 3, "outside the documentation"},
        Broken{"node a host\nroute a default via 8.8.8.8\n", 2, "outside the documentation"},
        Broken{"node a host\nroute a default by 192.0.2.1\n", 2, "expected 'via'"},
        Broken{"node a router\nfilter a reject udp dport 10-5\n", 2, "bad port range"},
        Broken{"node a router\nfilter a reject dport 10\n", 2, "dport needs udp or tcp"},
        Broken{"node a router\nfilter a drop udp code 13\n", 2, "only a reject rule"},
        Broken{"node a router\nfilter a reject udp code nice\n", 2, "bad reject code"},
        Broken{"node a router\naddr a e0 192.0.2.1/24\nmpls a labels 3\n", 3, "bad label"},
        Broken{"node a router\nmpls a labels\n", 2, "usage: mpls"},
        Broken{"node a router\nratelimit a burst=x\n", 2, "bad value"},
        Broken{"node a router\naddr a e0 192.0.2.1/24\nnat a inside e0 outside e9\n", 3, "no interface"},
        Broken{"node a host\nsilent a extra\n", 2, "unexpected"},
        Broken{"node a host\necmp a sometimes\n", 2, "usage: ecmp"},
        Broken{"node a\x01 host\n", 1, "bad node name"}));

}  // namespace
}  // namespace icmpkit::sim::test
