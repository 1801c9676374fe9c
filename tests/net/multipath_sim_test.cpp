// probe::Mda and probe::Cycles over the virtual network: MDA finds every path of the ECMP
// topologies (ground truth: sim::compute_path, from the routing tables alone), and the cycles
// report labels a rate-limiting router's loss as such while the destination loses nothing.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "icmpkit/net/multipath_driver.hpp"
#include "icmpkit/sim/path.hpp"
#include "icmpkit/sim/topology.hpp"

namespace icmpkit::net {
namespace {

sim::Topology builtin(const char* name) {
    const auto* b = sim::find_builtin(name);
    EXPECT_NE(b, nullptr);
    auto t = sim::parse_topology(b->text, name);
    EXPECT_TRUE(t.has_value());
    return std::move(*t);
}

struct MdaOutcome {
    probe::MdaResult result;
    MultipathRunStats stats;
};

MdaOutcome run_mda(const sim::Topology& topo, const std::string& dest, probe::TraceMethod method,
                   std::uint64_t seed, probe::MdaConfig cfg = {}) {
    SimTransport t(topo, {.seed = seed});
    const auto d = *core::IpAddress::parse(dest);
    const auto space = sim_probe_space(t, method, d, cfg.max_flows);
    EXPECT_TRUE(space.has_value());
    probe::Mda mda(cfg);
    mda.start(t.now());
    const auto stats = run_multipath_sim(engine_of(mda), *space, t);
    EXPECT_TRUE(stats.finished);
    return {mda.result(), stats};
}

// Per TTL, the addresses that must answer (compute_path's reply sources).
std::set<std::string> truth(const sim::Topology& topo, const std::string& dest) {
    std::set<std::string> s;
    const auto p = sim::compute_path(topo, *core::IpAddress::parse(dest));
    for (const auto& hop : p.hops)
        for (const auto& a : hop.alternatives)
            s.insert(std::to_string(hop.ttl) + " " + (a.reply_source ? a.reply_source->to_string() : "*"));
    return s;
}

std::set<std::string> found(const probe::MdaResult& r) {
    std::set<std::string> s;
    for (const auto& h : r.hops)
        for (const auto& i : h.interfaces)
            s.insert(std::to_string(h.ttl) + " " + (i.address ? i.address->to_string() : "*"));
    return s;
}

bool d_is_v4(const char* dest) { return core::IpAddress::parse(dest)->is_v4(); }

}  // namespace

TEST(MdaSim, DiamondBothBranchesEveryMethodAndFamily) {
    const auto topo = builtin("diamond");
    for (const char* dest : {"203.0.113.10", "2001:db8:2::10"})
        for (auto m : {probe::TraceMethod::udp_paris, probe::TraceMethod::icmp_paris, probe::TraceMethod::tcp_syn}) {
            const auto o = run_mda(topo, dest, m, 1);
            const std::string what = std::string(dest) + " " + std::string(probe::method_name(m));
            if (m == probe::TraceMethod::icmp_paris && d_is_v4(dest)) {
                // The routers hash addresses, protocol and ports (as Linux with
                // fib_multipath_hash_policy=1): echo requests have no ports, every flow takes
                // one branch, and MDA rightly reports one path.
                EXPECT_EQ(o.result.paths, 1u) << what;
                EXPECT_EQ(found(o.result).size() + 1, truth(topo, dest).size()) << what;
            } else {
                EXPECT_EQ(found(o.result), truth(topo, dest)) << what;
                EXPECT_EQ(o.result.paths, 2u) << what;
            }
            EXPECT_TRUE(o.result.reached) << what;
            EXPECT_TRUE(o.result.complete) << what;
            EXPECT_EQ(o.stats.rejected, 0u);
        }
}

TEST(MdaSim, EcmpFourPathsAndTheirLinks) {
    const auto topo = builtin("ecmp");
    int complete = 0;
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
        const auto o = run_mda(topo, "203.0.113.10", probe::TraceMethod::udp_paris, seed);
        complete += (found(o.result) == truth(topo, "203.0.113.10") && o.result.paths == 4) ? 1 : 0;
    }
    EXPECT_GE(complete, 9);  // two balancers at 95% each
    const auto o = run_mda(topo, "203.0.113.10", probe::TraceMethod::udp_paris, 1);
    std::set<std::string> links;
    for (const auto& l : o.result.links) {
        const auto hi = static_cast<std::size_t>(l.ttl - 1);
        auto text = [](const probe::MdaInterface& i) { return i.address ? i.address->to_string() : "*"; };
        const auto to = text(o.result.hops[hi].interfaces[l.to]);
        const auto from = hi == 0 ? std::string("src") : text(o.result.hops[hi - 1].interfaces[l.from]);
        links.insert(from + ">" + to);
    }
    // Derived by hand from the topology: r3b answers from 198.51.100.18 (its route back is by
    // r2a), r4 from 198.51.100.30 (by r3a).
    const std::set<std::string> expected = {
        "src>192.0.2.1",          "192.0.2.1>198.51.100.2",    "192.0.2.1>198.51.100.6",
        "192.0.2.1>198.51.100.10", "198.51.100.2>198.51.100.14", "198.51.100.2>198.51.100.18",
        "198.51.100.6>198.51.100.18", "198.51.100.10>198.51.100.26", "198.51.100.14>198.51.100.30",
        "198.51.100.18>198.51.100.30", "198.51.100.26>198.51.100.30", "198.51.100.30>203.0.113.10"};
    EXPECT_EQ(links, expected);
}

TEST(MdaSim, EcmpIpv6) {
    const auto topo = builtin("ecmp");
    const auto o = run_mda(topo, "2001:db8:2::10", probe::TraceMethod::udp_paris, 3);
    EXPECT_EQ(found(o.result), truth(topo, "2001:db8:2::10"));
    EXPECT_EQ(o.result.paths, 4u);
}

TEST(MdaSim, InternetTopologyFanAndSilentHop) {
    const auto topo = builtin("internet");
    const auto o = run_mda(topo, "203.0.113.10", probe::TraceMethod::udp_paris, 1);
    EXPECT_TRUE(o.result.reached);
    EXPECT_EQ(o.result.paths, 2u);  // r3a | r3b
    EXPECT_EQ(found(o.result), truth(topo, "203.0.113.10"));
}

namespace {

// h0 - r1 - r2 - r3 - h1 where r2 answers at most one Time Exceeded per 3 s.
constexpr const char* rate_limited_chain =
    "node h0 host\nnode r1 router\nnode r2 router\nnode r3 router\nnode h1 host\nentry h0\n"
    "addr h0 eth0 192.0.2.10/24\naddr r1 eth0 192.0.2.1/24\naddr r1 eth1 198.51.100.1/30\n"
    "addr r2 eth0 198.51.100.2/30\naddr r2 eth1 198.51.100.5/30\naddr r3 eth0 198.51.100.6/30\n"
    "addr r3 eth1 203.0.113.1/24\naddr h1 eth0 203.0.113.10/24\n"
    "link h0:eth0 r1:eth0 latency=1ms\nlink r1:eth1 r2:eth0 latency=1ms\n"
    "link r2:eth1 r3:eth0 latency=1ms\nlink r3:eth1 h1:eth0 latency=1ms\n"
    "route h0 default via 192.0.2.1\nroute r1 default via 198.51.100.2\n"
    "route r2 192.0.2.0/24 via 198.51.100.1\nroute r2 default via 198.51.100.6\n"
    "route r3 default via 198.51.100.5\nroute h1 default via 203.0.113.1\n"
    "ratelimit r2 interval=3s burst=1\n";

}  // namespace

TEST(CyclesSim, RateLimitedRouterIsLabelledDestinationLosesNothing) {
    auto topo = sim::parse_topology(rate_limited_chain, "test");
    ASSERT_TRUE(topo.has_value());
    SimTransport t(*topo, {.seed = 1});
    const auto d = *core::IpAddress::parse("203.0.113.10");
    probe::Cycles c({.cycles = 12});
    const auto space = sim_probe_space(t, probe::TraceMethod::udp_paris, d, c.config().flows);
    ASSERT_TRUE(space.has_value());
    c.start(t.now());
    const auto stats = run_multipath_sim(engine_of(c), *space, t);
    EXPECT_TRUE(stats.finished);
    const auto r = c.report();
    ASSERT_EQ(r.hops.size(), 4u);
    EXPECT_TRUE(r.reached);
    EXPECT_EQ(r.hops[3].loss, 0.0);
    EXPECT_EQ(r.hops[3].sent, 12u);
    EXPECT_GT(r.hops[1].loss, 0.5);  // one answer per 3 s at one probe per second
    EXPECT_LT(r.hops[1].loss, 1.0);
    EXPECT_TRUE(r.hops[1].rate_limited);
    EXPECT_EQ(r.hops[1].forwarding_loss, 0.0);
    EXPECT_FALSE(r.hops[0].rate_limited);
    EXPECT_FALSE(r.hops[2].rate_limited);
    EXPECT_EQ(r.hops[1].addresses.size(), 1u);
    EXPECT_EQ(r.hops[1].addresses[0].to_string(), "198.51.100.2");
}

TEST(CyclesSim, DiamondShowsBothBranchesAtHopTwo) {
    const auto topo = builtin("diamond");
    SimTransport t(topo, {.seed = 1});
    probe::Cycles c({.cycles = 16, .flows = 16});
    const auto space = sim_probe_space(t, probe::TraceMethod::udp_paris, *core::IpAddress::parse("203.0.113.10"), 16);
    c.start(t.now());
    run_multipath_sim(engine_of(c), *space, t);
    const auto r = c.report();
    ASSERT_EQ(r.hops.size(), 4u);
    std::set<std::string> second;
    for (const auto& a : r.hops[1].addresses) second.insert(a.to_string());
    EXPECT_EQ(second, (std::set<std::string>{"198.51.100.2", "198.51.100.6"}));
    for (const auto& h : r.hops) EXPECT_EQ(h.loss, 0.0) << int(h.ttl);
}

}  // namespace icmpkit::net
