// Hop by hop through the built-in `internet`: UDP probes with TTL 1..N from the entry host get
// Time Exceeded from exactly the hops compute_path() (what `lab --describe` prints) lists.
#include <set>

#include "icmpkit/sim/path.hpp"
#include "sim_test_support.hpp"

namespace icmpkit::sim::test {
namespace {

using wire::Kind;
using wire::UnreachableReason;

struct Family {
    const char* src;
    const char* dst;
};
const Family v4{"192.0.2.10", "203.0.113.10"};
const Family v6{"2001:db8:1::10", "2001:db8:2::10"};

class InternetTrace : public ::testing::TestWithParam<Family> {
protected:
    InternetTrace() : topo_(lossless_internet()), net_(topo_, {.seed = 7}) {}
    static Topology lossless_internet() {
        Topology t = builtin("internet");
        lossless(t);
        return t;
    }
    // Probes are 2 s apart: r8's rate limit (1 per second per peer) lets each one through.
    std::vector<Reply> probe(Probe p) {
        p.src = GetParam().src;
        p.dst = GetParam().dst;
        auto r = probe_once(net_, p, clock_);
        clock_ = clock_ + std::chrono::seconds(2);
        return r;
    }
    Topology topo_;
    Network net_;
    core::MonoTime clock_ = at_ms(0);
};

TEST_P(InternetTrace, EveryHopIsTheComputedOne) {
    auto path = compute_path(topo_, ip(GetParam().dst));
    ASSERT_TRUE(path.reached);
    ASSERT_EQ(path.hops.size(), 12u);
    std::map<std::uint32_t, std::set<std::string>> seen;
    for (std::uint8_t ttl = 1; ttl <= 12; ++ttl) {
        const auto& hop = path.hops[ttl - 1];
        for (std::uint16_t flow = 0; flow < 12; ++flow) {
            auto replies = probe({.sport = static_cast<std::uint16_t>(40000 + flow * 7), .dport = 33434, .ttl = ttl});
            bool silent = std::all_of(hop.alternatives.begin(), hop.alternatives.end(),
                                      [](const HopAlternative& a) { return !a.reply_source; });
            if (silent) {
                EXPECT_TRUE(replies.empty()) << "ttl " << int(ttl);
                continue;
            }
            ASSERT_EQ(replies.size(), 1u) << "ttl " << int(ttl);
            const Reply& r = replies[0];
            auto alt = std::find_if(hop.alternatives.begin(), hop.alternatives.end(),
                                    [&](const HopAlternative& a) { return a.reply_source == r.source; });
            ASSERT_NE(alt, hop.alternatives.end()) << "ttl " << int(ttl) << " unexpected " << r.source.to_string();
            seen[ttl].insert(r.source.to_string());
            if (alt->destination) {
                EXPECT_EQ(r.c.kind, Kind::destination_unreachable);
                EXPECT_EQ(r.c.unreachable, UnreachableReason::port);
            } else {
                EXPECT_EQ(r.c.kind, Kind::time_exceeded) << "ttl " << int(ttl);
            }
            EXPECT_EQ(r.mpls_labels, alt->mpls_labels) << "ttl " << int(ttl);
        }
    }
    // The ECMP fan: across flows both r3a and r3b answer at TTL 3; the silent hop never does.
    EXPECT_EQ(seen[3].size(), 2u);
    EXPECT_EQ(seen.count(9), 0u);
    // The MPLS core carries RFC 4950 labels 24001..24003 (hand-set in the topology text).
    EXPECT_EQ(path.hops[4].alternatives[0].mpls_labels, std::vector<std::uint32_t>{24001});
    EXPECT_EQ(path.hops[6].alternatives[0].mpls_labels, std::vector<std::uint32_t>{24003});
}

TEST_P(InternetTrace, ParisKeepsOnePathClassicSeesBoth) {
    std::set<std::string> paris, classic;
    for (std::uint16_t i = 0; i < 16; ++i) {
        for (auto& r : probe({.sport = 45000, .dport = 33434, .ttl = 3})) paris.insert(r.source.to_string());
        for (auto& r : probe({.sport = 45000, .dport = static_cast<std::uint16_t>(33434 + i), .ttl = 3}))
            classic.insert(r.source.to_string());
    }
    EXPECT_EQ(paris.size(), 1u);
    EXPECT_EQ(classic.size(), 2u);
}

TEST_P(InternetTrace, FirewallRejectsItsPortsAdminProhibited) {
    auto path = compute_path(topo_, ip(GetParam().dst));
    auto firewall = *path.hops[10].alternatives[0].reply_source;  // r11
    for (std::uint16_t port : {33440, 33445, 33450}) {
        auto r = probe({.dport = port});
        ASSERT_EQ(r.size(), 1u);
        EXPECT_EQ(r[0].source, firewall);
        EXPECT_EQ(r[0].c.kind, Kind::destination_unreachable);
        EXPECT_EQ(r[0].c.unreachable, UnreachableReason::admin_prohibited);
        EXPECT_EQ(r[0].c.code, ip(GetParam().dst).is_v4() ? 13 : 1);  // RFC 1812 5.2.7.1 / RFC 4443 3.1
    }
    for (std::uint16_t port : {33439, 33451}) {  // outside the range: the destination's port unreachable
        auto r = probe({.dport = port});
        ASSERT_EQ(r.size(), 1u);
        EXPECT_EQ(r[0].source, ip(GetParam().dst));
        EXPECT_EQ(r[0].c.unreachable, UnreachableReason::port);
    }
}

TEST_P(InternetTrace, TunnelAnswersTooBigWith1400) {
    bool v4only = ip(GetParam().dst).is_v4();
    auto path = compute_path(topo_, ip(GetParam().dst));
    EXPECT_EQ(path.path_mtu, 1400u);
    auto tunnel_head = *path.hops[9].alternatives[0].reply_source;  // r10
    std::size_t header = v4only ? 28 : 48;
    auto big = probe({.df = true, .payload = 1401 - header});
    ASSERT_EQ(big.size(), 1u);
    EXPECT_EQ(big[0].source, tunnel_head);
    EXPECT_EQ(big[0].c.kind, v4only ? Kind::destination_unreachable : Kind::packet_too_big);
    ASSERT_TRUE(big[0].c.mtu);
    EXPECT_EQ(*big[0].c.mtu, 1400u);
    auto fits = probe({.df = true, .payload = 1400 - header});
    ASSERT_EQ(fits.size(), 1u);
    EXPECT_EQ(fits[0].c.unreachable, UnreachableReason::port);
}

TEST_P(InternetTrace, RateLimitedHopAnswersOncePerSecond) {
    // Three probes 1 ms apart to r8 (TTL 8): a burst of one, then a token per second.
    std::size_t answered = 0;
    for (int i = 0; i < 3; ++i) {
        net_.send(udp_probe({.src = GetParam().src, .dst = GetParam().dst, .ttl = 8}), clock_ + std::chrono::milliseconds(i));
    }
    net_.run_until(clock_ + std::chrono::seconds(1));
    for (const auto& d : net_.take_delivered())
        if (auto r = read_reply(d.bytes); r && r->c.kind == Kind::time_exceeded) ++answered;
    EXPECT_EQ(answered, 1u);
}

INSTANTIATE_TEST_SUITE_P(Families, InternetTrace, ::testing::Values(v4, v6),
                         [](const auto& info) { return std::string(info.param.src[0] == '1' ? "v4" : "v6"); });

TEST(Blackhole, TooBigDfPacketsVanish) {
    Topology t = builtin("blackhole");
    Network net(t, {.seed = 3});
    auto r2 = *t.node_index("r2");
    auto big = probe_once(net, {.df = true, .payload = 1401 - 28}, at_ms(0));
    EXPECT_TRUE(big.empty());
    EXPECT_EQ(net.node_sim_counters(r2).blackholed, 1u);
    EXPECT_EQ(net.node(r2).counters().dropped_for(stack::DropReason::too_big), 1u);
    auto fits = probe_once(net, {.df = true, .payload = 1400 - 28}, at_ms(3000));
    ASSERT_EQ(fits.size(), 1u);
    EXPECT_EQ(fits[0].c.unreachable, UnreachableReason::port);
    auto path = compute_path(t, ip("203.0.113.10"));
    EXPECT_TRUE(path.hops[1].alternatives[0].blackhole);
    EXPECT_EQ(path.hops[1].alternatives[0].outgoing_mtu, 1400u);
}

}  // namespace
}  // namespace icmpkit::sim::test
