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
          std::uint8_t max_ttl = 30) {
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

}  // namespace
}  // namespace icmpkit::net
