// probe::Trace over the virtual network: the hop list equals the ground truth that
// sim::compute_path derives from the routing tables alone (no packets), for every built-in
// topology, both families and every method.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "icmpkit/net/trace_driver.hpp"
#include "icmpkit/sim/path.hpp"
#include "icmpkit/sim/topology.hpp"

namespace icmpkit::net {
namespace {

using probe::TraceMethod;
using namespace std::chrono_literals;

sim::Topology builtin(const char* name) {
    auto* b = sim::find_builtin(name);
    EXPECT_NE(b, nullptr) << name;
    auto t = sim::parse_topology(b->text, name);
    EXPECT_TRUE(t.has_value());
    return *t;
}

struct Run {
    std::vector<probe::TraceHop> hops;
    TraceRunResult result;
    probe::TraceCounters counters;
};

Run trace(const sim::Topology& topo, const core::IpAddress& dst, TraceMethod m, std::uint64_t seed = 1,
          std::uint8_t max_ttl = 30, core::Duration token_wait = {}) {
    SimTransport t(topo, {.seed = seed});
    probe::TraceConfig c;
    c.space.method = m;
    c.space.destination = dst;
    c.space.source = *t.source(dst.family());
    c.space.port = m == TraceMethod::tcp_syn ? probe::default_tcp_port : probe::default_udp_port;
    c.space.source_port = 40000;
    c.space.packet_length = probe::default_packet_length(m, dst.family());
    c.space.identification_is_serial = true;
    c.max_ttl = max_ttl;
    c.token_wait = token_wait;
    probe::Trace tr(c);
    Run r;
    r.result = run_trace_sim(tr, t, {}, [&](const probe::TraceAction& a) {
        if (auto* h = std::get_if<probe::TraceHopEvent>(&a)) r.hops.push_back(h->hop);
    });
    r.counters = tr.counters();
    return r;
}

// Every answer at TTL n comes from an address compute_path allows at n; silent hops stay silent.
void expect_matches_path(const Run& r, const sim::TracePath& p, bool complete) {
    ASSERT_TRUE(r.result.finished);
    ASSERT_EQ(r.hops.size(), p.hops.size());
    for (std::size_t i = 0; i < p.hops.size(); ++i) {
        std::set<core::IpAddress> allowed;
        bool any_silent = false;
        for (const auto& a : p.hops[i].alternatives) {
            if (a.reply_source) allowed.insert(*a.reply_source);
            else any_silent = true;
        }
        unsigned answered = 0;
        for (const auto& pr : r.hops[i].probes) {
            if (pr.status != probe::TraceProbeResult::Status::answered) continue;
            ++answered;
            EXPECT_TRUE(allowed.count(pr.response.from)) << "ttl " << i + 1 << " " << pr.response.from.to_string();
        }
        if (allowed.empty()) {
            EXPECT_EQ(answered, 0u) << "ttl " << i + 1;
        }
        if (complete && !any_silent) {
            EXPECT_EQ(answered, r.hops[i].probes.size()) << "ttl " << i + 1;
        }
    }
    EXPECT_TRUE(r.hops.back().final);
}

TEST(TraceSim, LineBothFamiliesAllMethods) {
    auto topo = builtin("line");
    for (const char* d : {"203.0.113.10", "2001:db8:2::10"}) {
        auto dst = *core::IpAddress::parse(d);
        auto path = sim::compute_path(topo, dst);
        for (auto m : {TraceMethod::udp, TraceMethod::udp_paris, TraceMethod::icmp_paris}) {
            SCOPED_TRACE(std::string(d) + " " + std::string(probe::method_name(m)));
            auto r = trace(topo, dst, m);
            expect_matches_path(r, path, true);
            EXPECT_EQ(r.hops.back().probes[0].response.from, dst);
            EXPECT_EQ(r.counters.rejected.size(), 0u);
        }
    }
}

// The 12-hop internet: ECMP fan (one branch per Paris flow), MPLS labels r5-r7 (RFC 4950), the
// rate-limited r8 (burst 1: by default one answer and two stars without waiting; with a
// token_wait, pacing and retries get all three answers), the silent r9.
TEST(TraceSim, InternetEveryHopOfThePath) {
    auto topo = builtin("internet");
    for (const char* d : {"203.0.113.10", "2001:db8:2::10"}) {
        auto dst = *core::IpAddress::parse(d);
        auto path = sim::compute_path(topo, dst);
        for (std::uint64_t seed : {1, 2, 3}) {
            SCOPED_TRACE(std::string(d) + " seed " + std::to_string(seed));
            auto r = trace(topo, dst, TraceMethod::udp_paris, seed);
            expect_matches_path(r, path, false);
            // r8 (TTL 8) limits to one answer a second: found, its eaten probes not waited for.
            EXPECT_EQ(r.hops[7].probes[0].status, probe::TraceProbeResult::Status::answered);
            auto patient = trace(topo, dst, TraceMethod::udp_paris, seed, 30, 3s);
            expect_matches_path(patient, path, false);
            for (const auto& p : patient.hops[7].probes) EXPECT_EQ(p.status, probe::TraceProbeResult::Status::answered);
            for (const auto& p : r.hops[7].probes) EXPECT_EQ(p.attempts, 1u);
            // r9 (TTL 9) never answers.
            for (const auto& p : r.hops[8].probes) EXPECT_NE(p.status, probe::TraceProbeResult::Status::answered);
            // MPLS labels of r5-r7 as compute_path says.
            for (int ttl : {5, 6, 7}) {
                const auto& alt = path.hops[ttl - 1].alternatives.at(0);
                ASSERT_FALSE(alt.mpls_labels.empty());
                const auto& probes = r.hops[ttl - 1].probes;
                auto answered = std::find_if(probes.begin(), probes.end(), [](const auto& p) {
                    return p.status == probe::TraceProbeResult::Status::answered;
                });
                ASSERT_NE(answered, probes.end()) << ttl;  // the access link loses 1 in 100
                const auto& resp = answered->response;
                ASSERT_FALSE(resp.mpls.empty()) << ttl;
                EXPECT_EQ(resp.mpls[0].label, alt.mpls_labels[0]) << ttl;
            }
            // One Paris flow takes one branch of the fan: the same r3 for all three probes.
            std::set<core::IpAddress> r3;
            for (const auto& p : r.hops[2].probes)
                if (p.status == probe::TraceProbeResult::Status::answered) r3.insert(p.response.from);
            EXPECT_EQ(r3.size(), 1u);
        }
    }
}

// Classic UDP changes ports per probe, so the per-flow balancer spreads it over both branches of
// the diamond (the picture Paris traceroute was made to avoid); Paris stays on one.
TEST(TraceSim, DiamondClassicSeesBothBranchesParisOne) {
    auto topo = builtin("diamond");
    auto dst = *core::IpAddress::parse("203.0.113.10");
    auto path = sim::compute_path(topo, dst);
    ASSERT_EQ(path.hops.at(1).alternatives.size(), 2u);
    std::set<core::IpAddress> classic, paris;
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        auto c = trace(topo, dst, TraceMethod::udp, seed);
        expect_matches_path(c, path, true);
        for (const auto& p : c.hops[1].probes) classic.insert(p.response.from);
        auto pr = trace(topo, dst, TraceMethod::udp_paris, seed);
        expect_matches_path(pr, path, true);
        std::set<core::IpAddress> one;
        for (const auto& p : pr.hops[1].probes) one.insert(p.response.from);
        EXPECT_EQ(one.size(), 1u);
        paris.insert(one.begin(), one.end());
    }
    EXPECT_EQ(classic.size(), 2u);
}

TEST(TraceSim, NatIsFlaggedFromTheHopBehindIt) {
    auto topo = builtin("nat");
    auto dst = *core::IpAddress::parse("203.0.113.10");
    auto path = sim::compute_path(topo, dst);
    auto r = trace(topo, dst, TraceMethod::udp_paris);
    expect_matches_path(r, path, true);
    // Answers from beyond the NAT quote its rewritten source (quote=keep); the NAT's own do not.
    bool behind = false;
    for (std::size_t i = 0; i < path.hops.size(); ++i) {
        for (const auto& p : r.hops[i].probes) {
            EXPECT_EQ(p.response.source_rewritten, behind) << "ttl " << i + 1;
            if (behind) EXPECT_EQ(p.response.quoted_source, *core::IpAddress::parse("198.51.100.1"));
        }
        behind |= path.hops[i].alternatives.at(0).nat;
    }
    EXPECT_TRUE(behind);
}

TEST(TraceSim, BlackholeTopologySmallProbesReachTheDestination) {
    auto topo = builtin("blackhole");
    auto dst = *core::IpAddress::parse("203.0.113.10");
    auto path = sim::compute_path(topo, dst);
    auto small = trace(topo, dst, TraceMethod::udp_paris);
    expect_matches_path(small, path, true);
    EXPECT_TRUE(small.hops.back().final);
}

TEST(TraceSim, IcmpEndsWithEchoRepliesTcpWithProtocolUnreachable) {
    auto topo = builtin("line");
    auto dst = *core::IpAddress::parse("203.0.113.10");
    auto r = trace(topo, dst, TraceMethod::icmp_paris);
    ASSERT_EQ(r.hops.size(), 4u);
    for (const auto& p : r.hops[3].probes) EXPECT_EQ(p.response.classification.kind, wire::Kind::echo_reply);
    // The simulated host runs no TCP: it answers protocol unreachable (!P), which ends the trace.
    auto t = trace(topo, dst, TraceMethod::tcp_syn);
    ASSERT_EQ(t.hops.size(), 4u);
    EXPECT_EQ(t.hops[3].probes[0].response.classification.unreachable, wire::UnreachableReason::protocol);
    EXPECT_EQ(t.hops[3].probes[0].response.from, dst);
}

}  // namespace
}  // namespace icmpkit::net

namespace icmpkit::net {
namespace {

// Asymmetric return: probes go h0 - r1 - r2 - h1, but r2 (and h1, whose default route is r2) send
// everything for 192.0.2.0/24 back over r3 (r2 - r3 10 ms, r3 - r1 20 ms). Hand-derived:
//   TTL 1, r1: 1 ms there, 1 ms back                         =  2 ms, from 192.0.2.1
//   TTL 2, r2: 1 + 2 ms there, 10 + 20 + 1 ms back           = 34 ms, from 198.51.100.9, the
//              interface its route back leaves by (RFC 1812 4.3.2.4), not the one the probe came in
//   TTL 3, h1: 1 + 2 + 3 ms there, 3 + 10 + 20 + 1 ms back   = 40 ms, from 203.0.113.10
// (virtual time: the RTTs are exact, not measured). v6 the same with 2001:db8:: addresses.
constexpr const char* asymmetric_text = R"topo(
node h0 host
node r1 router
node r2 router
node r3 router
node h1 host
entry h0
addr h0 eth0 192.0.2.10/24 2001:db8:1::10/64
addr r1 eth0 192.0.2.1/24 2001:db8:1::1/64
addr r1 eth1 198.51.100.1/30 2001:db8:ff:1::1/64
addr r2 eth0 198.51.100.2/30 2001:db8:ff:1::2/64
addr r2 eth1 203.0.113.1/24 2001:db8:2::1/64
addr r2 eth2 198.51.100.9/30 2001:db8:ff:3::1/64
addr r3 eth0 198.51.100.10/30 2001:db8:ff:3::2/64
addr r3 eth1 198.51.100.13/30 2001:db8:ff:4::1/64
addr r1 eth2 198.51.100.14/30 2001:db8:ff:4::2/64
addr h1 eth0 203.0.113.10/24 2001:db8:2::10/64
link h0:eth0 r1:eth0 latency=1ms
link r1:eth1 r2:eth0 latency=2ms
link r2:eth1 h1:eth0 latency=3ms
link r2:eth2 r3:eth0 latency=10ms
link r3:eth1 r1:eth2 latency=20ms
route h0 default via 192.0.2.1
route h0 default via 2001:db8:1::1
route r1 203.0.113.0/24 via 198.51.100.2
route r1 2001:db8:2::/64 via 2001:db8:ff:1::2
route r2 192.0.2.0/24 via 198.51.100.10
route r2 2001:db8:1::/64 via 2001:db8:ff:3::2
route r3 192.0.2.0/24 via 198.51.100.14
route r3 2001:db8:1::/64 via 2001:db8:ff:4::2
route h1 default via 203.0.113.1
route h1 default via 2001:db8:2::1
)topo";

TEST(TraceSim, AsymmetricReturnPath) {
    auto topo = sim::parse_topology(asymmetric_text, "asymmetric");
    ASSERT_TRUE(topo.has_value()) << topo.error().describe();
    struct Want {
        const char* dst;
        const char* hops[3];
    };
    for (const Want& w : {Want{"203.0.113.10", {"192.0.2.1", "198.51.100.9", "203.0.113.10"}},
                          Want{"2001:db8:2::10", {"2001:db8:1::1", "2001:db8:ff:3::1", "2001:db8:2::10"}}}) {
        const auto dst = *core::IpAddress::parse(w.dst);
        auto path = sim::compute_path(*topo, dst);
        for (auto m : {TraceMethod::udp_paris, TraceMethod::icmp_paris}) {
            SCOPED_TRACE(std::string(w.dst) + " " + std::string(probe::method_name(m)));
            auto r = trace(*topo, dst, m);
            expect_matches_path(r, path, true);
            ASSERT_EQ(r.hops.size(), 3u);
            const core::Duration want_rtt[3] = {std::chrono::milliseconds(2), std::chrono::milliseconds(34),
                                                std::chrono::milliseconds(40)};
            for (int i = 0; i < 3; ++i)
                for (const auto& p : r.hops[i].probes) {
                    ASSERT_EQ(p.status, probe::TraceProbeResult::Status::answered) << "ttl " << i + 1;
                    EXPECT_EQ(p.response.from, *core::IpAddress::parse(w.hops[i])) << "ttl " << i + 1;
                    EXPECT_EQ(p.rtt, want_rtt[i]) << "ttl " << i + 1;
                }
        }
    }
}

}  // namespace
}  // namespace icmpkit::net
