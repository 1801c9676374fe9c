// probe::Mda: the stopping rule against the published table, and the engine against synthetic
// per-flow load balancers (a fake responder: each node hashes the flow id to a successor).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "icmpkit/probe/mda.hpp"

using namespace icmpkit;
using namespace std::chrono_literals;

// ---- the stopping rule ---------------------------------------------------------------------

// n_k for k = 1..16 at 95% and 99% confidence: Augustin, Friedman, Teixeira, "Measuring
// load-balanced paths in the Internet" (IMC 2007), Table 1 (the same numbers as Veitch et al.,
// INFOCOM 2009, and scamper's tracelb confidence tables).
TEST(MdaStoppingRule, MatchesPublishedTable95) {
    const unsigned table[] = {6, 11, 16, 21, 27, 33, 38, 44, 51, 57, 63, 70, 76, 83, 90, 96};
    for (unsigned k = 1; k <= 16; ++k) EXPECT_EQ(probe::mda_stopping_point(k, 0.05), table[k - 1]) << "k=" << k;
}

TEST(MdaStoppingRule, MatchesPublishedTable99) {
    const unsigned table[] = {8, 15, 21, 28, 36, 43, 51, 58, 66, 74, 82, 90, 98, 106, 115, 123};
    for (unsigned k = 1; k <= 16; ++k) EXPECT_EQ(probe::mda_stopping_point(k, 0.01), table[k - 1]) << "k=" << k;
}

TEST(MdaStoppingRule, MissProbabilityByHand) {
    // Two successors, one seen: every one of n probes went the same way, 2 * (1/2)^n.
    EXPECT_DOUBLE_EQ(probe::mda_miss_probability(1, 6), 2.0 / 64);
    EXPECT_DOUBLE_EQ(probe::mda_miss_probability(1, 5), 2.0 / 32);
    // Three successors: 3 (2/3)^n - 3 (1/3)^n.
    EXPECT_NEAR(probe::mda_miss_probability(2, 10), 3 * 1024.0 / 59049 - 3.0 / 59049, 1e-15);
    EXPECT_EQ(probe::mda_stopping_point(0, 0.05), 1u);
    // The engine's table follows its confidence.
    probe::Mda mda({.confidence = 99.0});
    EXPECT_EQ(mda.stopping_point(1), 8u);
    EXPECT_EQ(mda.stopping_point(2), 15u);
}

// ---- a fake network of per-flow load balancers ---------------------------------------------

namespace {

std::uint64_t mix(std::uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

struct FakeNode {
    std::string address;  // "192.0.2.x"
    bool silent = false;
    std::vector<std::uint32_t> next;  // successors in the next layer (empty: destination)
};

// layers[0] is TTL 1; the source balances over layers[0] entries listed in `first`.
struct FakeNet {
    std::vector<std::uint32_t> first;
    std::vector<std::vector<FakeNode>> layers;
    std::uint64_t seed = 1;
    std::uint32_t loss_ppm = 0;  // answers lost at random (rate limiting)
    bool linux_rate_limit = false;  // each node: a burst of 6, then one answer per second
    mutable std::map<std::pair<std::size_t, std::uint32_t>, std::pair<double, core::MonoTime>> buckets;

    bool allowed(std::size_t layer, std::uint32_t node, core::MonoTime now) const {
        if (!linux_rate_limit) return true;
        auto [it, fresh] = buckets.try_emplace({layer, node}, 6.0, now);
        auto& [tokens, at] = it->second;
        tokens = std::min(6.0, tokens + std::chrono::duration<double>(now - at).count());
        at = now;
        if (tokens < 1.0) return false;
        tokens -= 1.0;
        return true;
    }

    // The node a flow meets at `ttl` (nullopt past the destination).
    std::optional<std::uint32_t> node_at(std::uint16_t flow, unsigned ttl) const {
        std::uint32_t n = first[mix(seed ^ (std::uint64_t{flow} << 20)) % first.size()];
        for (unsigned t = 1; t < ttl; ++t) {
            const auto& next = layers[t - 1][n].next;
            if (next.empty()) return n;  // the destination answers every larger TTL
            n = next[mix(seed * 31 + (std::uint64_t{flow} << 20) + t * 977 + n) % next.size()];
        }
        return n;
    }
    std::set<std::string> truth_interfaces() const {
        std::set<std::string> s;
        for (std::size_t t = 0; t < layers.size(); ++t)
            for (const auto& n : layers[t]) s.insert(std::to_string(t + 1) + " " + (n.silent ? "*" : n.address));
        return s;
    }
    std::set<std::string> truth_links() const {
        std::set<std::string> s;
        for (auto f : first) s.insert("1 src-" + layers[0][f].address);
        for (std::size_t t = 0; t + 1 < layers.size(); ++t)
            for (const auto& n : layers[t])
                for (auto x : n.next)
                    s.insert(std::to_string(t + 2) + " " + (n.silent ? "*" : n.address) + "-" +
                             (layers[t + 1][x].silent ? "*" : layers[t + 1][x].address));
        return s;
    }
};

std::string name_of(const probe::MdaInterface& i) { return i.address ? i.address->to_string() : "*"; }

std::set<std::string> found_interfaces(const probe::MdaResult& r) {
    std::set<std::string> s;
    for (const auto& h : r.hops)
        for (const auto& i : h.interfaces) s.insert(std::to_string(h.ttl) + " " + name_of(i));
    return s;
}
std::set<std::string> found_links(const probe::MdaResult& r) {
    std::set<std::string> s;
    for (const auto& l : r.links) {
        const std::size_t hi = l.ttl - r.first_ttl;
        const std::string from = hi == 0 ? "src" : name_of(r.hops[hi - 1].interfaces[l.from]);
        s.insert(std::to_string(l.ttl) + " " + from + "-" + name_of(r.hops[hi].interfaces[l.to]));
    }
    return s;
}

// Runs the engine against `net` in virtual time: every answer 1 ms after its probe.
probe::MdaResult run(const FakeNet& net, probe::MdaConfig cfg, std::uint64_t* max_in_flight_per_flow = nullptr) {
    probe::Mda mda(cfg);
    core::MonoTime now{};
    std::multimap<core::MonoTime, probe::MdaReply> due;
    std::uint64_t lose = net.seed * 7919;
    mda.start(now);
    for (int step = 0; step < 1'000'000 && !mda.finished(); ++step) {
        std::map<std::uint16_t, int> per_flow;
        for (const auto& p : mda.take_probes()) {
            mda.on_sent(p.serial, now);
            if (++per_flow[p.flow] > 1 && max_in_flight_per_flow) ++*max_in_flight_per_flow;
            const auto n = net.node_at(p.flow, p.ttl);
            const std::size_t layer = std::min<std::size_t>(p.ttl, net.layers.size()) - 1;
            const auto& node = net.layers[layer][*n];
            if (node.silent || (net.loss_ppm && mix(++lose) % 1'000'000 < net.loss_ppm)) continue;
            if (!net.allowed(layer, *n, now)) continue;
            probe::MdaReply r;
            r.serial = p.serial;
            r.flow = p.flow;
            r.from = *core::IpAddress::parse(node.address);
            r.kind = node.next.empty() ? probe::MdaReplyKind::destination : probe::MdaReplyKind::hop;
            due.emplace(now + 1ms, r);
        }
        auto next = mda.next_deadline();
        if (!due.empty() && (!next || due.begin()->first <= *next)) next = due.begin()->first;
        if (!next) break;
        now = std::max(now, *next);
        while (!due.empty() && due.begin()->first <= now) {
            mda.on_reply(due.begin()->second, now);
            due.erase(due.begin());
        }
        mda.on_timer(now);
    }
    EXPECT_TRUE(mda.finished()) << "now " << now.since_origin.count() << " due " << due.size() << " deadline "
                                << (mda.next_deadline() ? mda.next_deadline()->since_origin.count() : -1)
                                << " sent " << mda.result().probes_sent << " cfg interval " << cfg.router_interval.count();
    return mda.result();
}

FakeNode router(std::string a, std::vector<std::uint32_t> next) { return {std::move(a), false, std::move(next)}; }

// h1 - (w branches) - h3 - destination
FakeNet fan(unsigned width) {
    FakeNet n;
    n.first = {0};
    std::vector<std::uint32_t> all;
    for (unsigned i = 0; i < width; ++i) all.push_back(i);
    n.layers.push_back({router("192.0.2.1", all)});
    std::vector<FakeNode> mid;
    for (unsigned i = 0; i < width; ++i) mid.push_back(router("198.51.100." + std::to_string(10 + i), {0}));
    n.layers.push_back(mid);
    n.layers.push_back({router("198.51.100.100", {0})});
    n.layers.push_back({router("203.0.113.10", {})});
    return n;
}

// Fraction of seeded runs that find every interface and link.
double success_rate(FakeNet net, probe::MdaConfig cfg, int runs) {
    int ok = 0;
    for (int s = 1; s <= runs; ++s) {
        net.seed = static_cast<std::uint64_t>(s) * 1000003;
        net.buckets.clear();
        const auto r = run(net, cfg);
        if (found_interfaces(r) == net.truth_interfaces() && found_links(r) == net.truth_links() && r.reached)
            ++ok;
    }
    return static_cast<double>(ok) / runs;
}

}  // namespace

TEST(Mda, SinglePathCostsSixProbesPerHopAt95) {
    FakeNet n;
    n.first = {0};
    n.layers = {{router("192.0.2.1", {0})}, {router("198.51.100.2", {0})}, {router("198.51.100.6", {0})},
                {router("203.0.113.10", {})}};
    const auto r = run(n, {});
    EXPECT_TRUE(r.reached);
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(r.hops.size(), 4u);
    EXPECT_EQ(r.probes_sent, 24u);  // n_1 = 6 at each of 4 hops, one flow reused per hop
    EXPECT_EQ(r.paths, 1u);
    EXPECT_EQ(found_links(r), n.truth_links());
}

// The stated confidence is per hypothesis test, i.e. per load-balancing interface (the paper's
// definition): one balancer is enumerated completely in >= 95% of runs at 95%, >= 99% at 99%.
TEST(Mda, FindsEveryBranchOfTwoThreeFourWayBalancers) {
    for (unsigned width : {2u, 3u, 4u}) {
        EXPECT_GE(success_rate(fan(width), {}, 100), 0.95) << "width " << width;
        EXPECT_GE(success_rate(fan(width), {.confidence = 99.0}, 100), 0.99) << "width " << width;
    }
}

TEST(Mda, OneRunFindsTheWholeDiamondGraph) {
    auto net = fan(3);
    net.seed = 42;
    std::uint64_t doubled = 0;
    const auto r = run(net, {}, &doubled);
    EXPECT_EQ(doubled, 0u);  // never two probes of one flow in flight
    ASSERT_EQ(r.hops.size(), 4u);
    EXPECT_EQ(r.hops[1].interfaces.size(), 3u);
    EXPECT_EQ(r.paths, 3u);
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(found_links(r), net.truth_links());
    // At hop 3 every branch interface needed n_1 = 6 flows of its own, found by node control.
    EXPECT_GE(r.probes_sent, 6u + 16u + 3 * 6u + 6u);
}

TEST(Mda, UnequalWidthsNestedBalancers) {
    // hop 2: B1 | B2; B1 fans to C1 | C2, B2 goes to C3 only; all meet at D.
    FakeNet n;
    n.first = {0};
    n.layers.push_back({router("192.0.2.1", {0, 1})});
    n.layers.push_back({router("198.51.100.1", {0, 1}), router("198.51.100.2", {2})});
    n.layers.push_back({router("198.51.100.11", {0}), router("198.51.100.12", {0}), router("198.51.100.13", {0})});
    n.layers.push_back({router("198.51.100.21", {0})});
    n.layers.push_back({router("203.0.113.10", {})});
    // Two balancing interfaces (192.0.2.1 and 198.51.100.1), each enumerated with probability
    // >= 0.95: the whole graph in >= 0.95^2 of runs.
    EXPECT_GE(success_rate(n, {}, 200), 0.95 * 0.95);
    n.seed = 7;
    EXPECT_EQ(run(n, {}).paths, 3u);
}

TEST(Mda, SilentInterfaceIsAStarWithLinks) {
    auto n = fan(2);
    n.layers[1][0].silent = true;
    n.seed = 9;
    const auto r = run(n, {});
    EXPECT_EQ(found_interfaces(r), n.truth_interfaces());
    EXPECT_EQ(found_links(r), n.truth_links());
    EXPECT_TRUE(r.reached);
    EXPECT_GT(r.timeouts, 0u);
    EXPECT_GE(success_rate(n, {}, 100), 0.95);
}

TEST(Mda, RetriesRecoverLostAnswers) {
    auto n = fan(2);
    n.loss_ppm = 100'000;  // 10% of answers lost (an ICMP rate limit)
    // MDA's 0.95, times the chance that none of ~40 probes loses all 4 tries (0.1^4 each).
    EXPECT_GE(success_rate(n, {.retries = 3}, 100), 0.95 * 0.996);
    n.seed = 5;
    auto clean = n;
    clean.loss_ppm = 0;
    EXPECT_GT(run(n, {.retries = 3}).probes_sent, run(clean, {.retries = 3}).probes_sent);  // resends
}

// Routers with Linux's default ICMP rate limit: pacing per TTL keeps answers coming, so no
// interface is taken for a silent one; without pacing, stars appear.
TEST(Mda, PacingRespectsRouterRateLimits) {
    auto n = fan(4);
    n.linux_rate_limit = true;
    EXPECT_GE(success_rate(n, {}, 50), 0.95);
    int polluted = 0;
    for (int s = 1; s <= 20; ++s) {
        n.seed = static_cast<std::uint64_t>(s) * 1000003;
        n.buckets.clear();
        const auto r = run(n, {.retries = 1, .router_interval = core::Duration{0}});
        polluted += found_interfaces(r).size() > n.truth_interfaces().size() ? 1 : 0;
    }
    EXPECT_GT(polluted, 0);
}

TEST(Mda, BudgetBoundsTheRun) {
    auto n = fan(4);
    n.seed = 3;
    const auto r = run(n, {.probe_budget = 20});
    EXPECT_EQ(r.probes_sent, 20u);
    EXPECT_TRUE(r.budget_exhausted);
    EXPECT_FALSE(r.complete);
}

TEST(Mda, GapLimitStopsBehindSilentHops) {
    FakeNet n;
    n.first = {0};
    n.layers = {{router("192.0.2.1", {0})}};
    for (int i = 0; i < 10; ++i) n.layers.push_back({FakeNode{"198.51.100.1", true, {0}}});
    n.layers.push_back({router("203.0.113.10", {})});
    const auto r = run(n, {.wait = 100ms, .retries = 3, .gap_limit = 3});
    EXPECT_FALSE(r.reached);
    EXPECT_EQ(r.hops.size(), 1u);  // trailing silent hops are dropped
    // Hop 1: n_1 = 6. Each silent hop: a '*' successor is a successor like any other, so n_1 = 6
    // flows, each sent 1 + 3 times; three such hops, then the gap limit.
    EXPECT_EQ(r.probes_sent, 6u + 3u * 6u * 4u);
}

TEST(Mda, IgnoresRepliesToNothingWeSent) {
    probe::Mda mda({});
    mda.start({});
    const auto probes = mda.take_probes();
    ASSERT_FALSE(probes.empty());
    probe::MdaReply r;
    r.serial = 999;  // never sent
    r.flow = 77;
    r.from = core::Ipv4Address(192, 0, 2, 1);
    mda.on_reply(r, {});
    r.serial = probes[0].serial;
    r.flow = static_cast<std::uint16_t>(probes[0].flow + 1);  // serial and flow disagree
    mda.on_reply(r, {});
    EXPECT_EQ(mda.result().ignored, 2u);
    EXPECT_EQ(mda.result().replies, 0u);
}

// SIGINT mid-run: what was found stays, marked interrupted and never complete.
TEST(Mda, InterruptKeepsWhatWasFoundAndIsNeverComplete) {
    probe::Mda mda({});
    core::MonoTime now{};
    mda.start(now);
    const auto probes = mda.take_probes();
    ASSERT_FALSE(probes.empty());
    for (const auto& p : probes) mda.on_sent(p.serial, now);
    probe::MdaReply r;
    r.serial = probes[0].serial;
    r.flow = probes[0].flow;
    r.from = *core::IpAddress::parse("192.0.2.1");
    r.kind = probe::MdaReplyKind::hop;
    mda.on_reply(r, now + 1ms);
    mda.interrupt();
    EXPECT_TRUE(mda.finished());
    EXPECT_TRUE(mda.take_probes().empty());
    const auto res = mda.result();
    EXPECT_TRUE(res.interrupted);
    EXPECT_FALSE(res.complete);
    ASSERT_FALSE(res.hops.empty());
    ASSERT_TRUE(res.hops[0].interfaces[0].address);
    EXPECT_EQ(*res.hops[0].interfaces[0].address, *core::IpAddress::parse("192.0.2.1"));

    mda.interrupt();  // twice: nothing changes
    EXPECT_TRUE(mda.result().interrupted);
    EXPECT_EQ(mda.result().hops.size(), res.hops.size());
}
