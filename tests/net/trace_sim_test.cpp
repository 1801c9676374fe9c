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
