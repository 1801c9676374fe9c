// probe::Cycles on a fake path: per-hop statistics, ECMP addresses, and the labelling of loss
// that does not carry on (ICMP rate limiting) apart from forwarding loss.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <string>

#include "icmpkit/probe/cycles.hpp"

using namespace icmpkit;
using namespace std::chrono_literals;

namespace {

struct Answer {
    std::string from;
    bool destination = false;
    core::Duration rtt = 1ms;
};
// (ttl, flow, how many probes this TTL got before) -> the answer, or nullopt (silence).
using Responder = std::function<std::optional<Answer>(unsigned ttl, std::uint16_t flow, unsigned nth)>;

probe::CyclesReport run(probe::Cycles& c, const Responder& respond, int interrupt_after_cycles = -1) {
    core::MonoTime now{};
    std::multimap<core::MonoTime, probe::CyclesReply> due;
    std::map<unsigned, unsigned> nth;
    c.start(now);
    for (int step = 0; step < 100000 && !c.finished(); ++step) {
        for (const auto& p : c.take_probes()) {
            c.on_sent(p.serial, now);
            const auto a = respond(p.ttl, p.flow, nth[p.ttl]++);
            if (!a) continue;
            probe::CyclesReply r;
            r.serial = p.serial;
            r.flow = p.flow;
            r.from = *core::IpAddress::parse(a->from);
            r.destination = a->destination;
            due.emplace(now + a->rtt, r);
        }
        if (interrupt_after_cycles >= 0 && c.report().cycles > static_cast<unsigned>(interrupt_after_cycles)) {
            c.interrupt();
            break;
        }
        auto next = c.next_deadline();
        if (!due.empty() && (!next || due.begin()->first <= *next)) next = due.begin()->first;
        if (!next) break;
        now = std::max(now, *next);
        while (!due.empty() && due.begin()->first <= now) {
            c.on_reply(due.begin()->second, now);
            due.erase(due.begin());
        }
        c.on_timer(now);
    }
    EXPECT_TRUE(c.finished());
    return c.report();
}

// A 4-hop path; hop 4 is the destination.
std::optional<Answer> line(unsigned ttl, std::uint16_t, unsigned) {
    if (ttl >= 4) return Answer{"203.0.113.10", true, 4ms};
    return Answer{"198.51.100." + std::to_string(ttl), false, std::chrono::milliseconds(ttl)};
}

}  // namespace

TEST(Cycles, CountsEveryHopOncePerCycleUpToTheDestination) {
    probe::Cycles c({.cycles = 10});
    const auto r = run(c, line);
    EXPECT_TRUE(r.reached);
    ASSERT_EQ(r.hops.size(), 4u);
    for (const auto& h : r.hops) {
        EXPECT_EQ(h.sent, 10u) << int(h.ttl);
        EXPECT_EQ(h.received, 10u);
        EXPECT_EQ(h.loss, 0.0);
        EXPECT_FALSE(h.rate_limited);
        ASSERT_EQ(h.addresses.size(), 1u);
    }
    EXPECT_TRUE(r.hops[3].destination);
    EXPECT_EQ(*r.hops[1].best_us, 2000);
    EXPECT_EQ(*r.hops[1].worst_us, 2000);
    EXPECT_EQ(r.hops[1].stdev_us, 0.0);
}

TEST(Cycles, RttStatisticsAsMtr) {
    // Hop 1 answers in 1, 2, 3, 4 ms: mean 2.5 ms, sample standard deviation sqrt(5/3) ms.
    probe::Cycles c({.cycles = 4});
    const auto r = run(c, [](unsigned ttl, std::uint16_t, unsigned nth) -> std::optional<Answer> {
        if (ttl >= 2) return Answer{"203.0.113.10", true, 1ms};
        return Answer{"192.0.2.1", false, std::chrono::milliseconds(nth + 1)};
    });
    ASSERT_EQ(r.hops.size(), 2u);
    EXPECT_DOUBLE_EQ(r.hops[0].average_us, 2500.0);
    EXPECT_NEAR(r.hops[0].stdev_us, 1000.0 * std::sqrt(5.0 / 3.0), 1e-6);
    EXPECT_EQ(*r.hops[0].best_us, 1000);
    EXPECT_EQ(*r.hops[0].worst_us, 4000);
    EXPECT_EQ(*r.hops[0].last_us, 4000);
}

TEST(Cycles, RateLimitedHopIsLabelledWhenLaterHopsLoseNothing) {
    // Hop 2 answers only every third probe; hops 3 and 4 answer everything.
    probe::Cycles c({.cycles = 9});
    const auto r = run(c, [](unsigned ttl, std::uint16_t f, unsigned nth) -> std::optional<Answer> {
        if (ttl == 2 && nth % 3 != 0) return std::nullopt;
        return line(ttl, f, nth);
    });
    ASSERT_EQ(r.hops.size(), 4u);
    EXPECT_NEAR(r.hops[1].loss, 6.0 / 9, 1e-12);
    EXPECT_TRUE(r.hops[1].rate_limited);
    EXPECT_EQ(r.hops[1].forwarding_loss, 0.0);
    EXPECT_NEAR(r.hops[1].reply_loss, 6.0 / 9, 1e-12);
    EXPECT_EQ(r.hops[3].loss, 0.0);
    EXPECT_FALSE(r.hops[0].rate_limited);
    EXPECT_FALSE(r.hops[3].rate_limited);
}

TEST(Cycles, ForwardingLossCarriesOnAndIsNotLabelled) {
    // Every other probe with TTL >= 3 is lost on the link after hop 2: hops 3 and 4 both lose
    // half, so hop 3's loss is forwarding loss.
    probe::Cycles c({.cycles = 10});
    const auto r = run(c, [](unsigned ttl, std::uint16_t f, unsigned nth) -> std::optional<Answer> {
        if (ttl >= 3 && nth % 2 == 1) return std::nullopt;
        return line(ttl, f, nth);
    });
    ASSERT_EQ(r.hops.size(), 4u);
    EXPECT_DOUBLE_EQ(r.hops[2].loss, 0.5);
    EXPECT_DOUBLE_EQ(r.hops[2].forwarding_loss, 0.5);
    EXPECT_FALSE(r.hops[2].rate_limited);
    EXPECT_DOUBLE_EQ(r.hops[3].loss, 0.5);
}

TEST(Cycles, OneRandomLossIsNotARateLimit) {
    probe::Cycles c({.cycles = 10});
    const auto r = run(c, [](unsigned ttl, std::uint16_t f, unsigned nth) -> std::optional<Answer> {
        if (ttl == 2 && nth == 4) return std::nullopt;
        return line(ttl, f, nth);
    });
    ASSERT_EQ(r.hops.size(), 4u);
    EXPECT_DOUBLE_EQ(r.hops[1].loss, 0.1);
    EXPECT_DOUBLE_EQ(r.hops[1].reply_loss, 0.1);
    EXPECT_FALSE(r.hops[1].rate_limited);
}

TEST(Cycles, SilentHopIsNotCalledRateLimited) {
    probe::Cycles c({.cycles = 5});
    const auto r = run(c, [](unsigned ttl, std::uint16_t f, unsigned nth) -> std::optional<Answer> {
        if (ttl == 2) return std::nullopt;
        return line(ttl, f, nth);
    });
    ASSERT_EQ(r.hops.size(), 4u);
    EXPECT_EQ(r.hops[1].received, 0u);
    EXPECT_EQ(r.hops[1].loss, 1.0);
    EXPECT_FALSE(r.hops[1].rate_limited);
    EXPECT_TRUE(r.hops[1].addresses.empty());
}

TEST(Cycles, EveryEcmpAddressPerHop) {
    // Hop 2 is 198.51.100.20 + flow % 3: three branches, all seen over 8 flows.
    probe::Cycles c({.cycles = 8, .flows = 8});
    const auto r = run(c, [](unsigned ttl, std::uint16_t f, unsigned nth) -> std::optional<Answer> {
        if (ttl == 2) return Answer{"198.51.100." + std::to_string(20 + f % 3), false, 2ms};
        return line(ttl, f, nth);
    });
    ASSERT_EQ(r.hops.size(), 4u);
    EXPECT_EQ(r.hops[1].addresses.size(), 3u);
    EXPECT_EQ(r.hops[1].addresses[0].to_string(), "198.51.100.20");
    EXPECT_EQ(r.hops[0].addresses.size(), 1u);
}

TEST(Cycles, FindsAFarDestinationInTheFirstCycle) {
    probe::Cycles c({.cycles = 3, .max_unknown = 3});
    const auto r = run(c, [](unsigned ttl, std::uint16_t, unsigned) -> std::optional<Answer> {
        if (ttl >= 12) return Answer{"203.0.113.10", true, 1ms};
        return Answer{"198.51.100." + std::to_string(ttl), false, 1ms};
    });
    ASSERT_EQ(r.hops.size(), 12u);
    for (const auto& h : r.hops) EXPECT_EQ(h.sent, 3u) << int(h.ttl);
}

TEST(Cycles, StopsProbingPastASilentStretch) {
    probe::Cycles c({.cycles = 2, .max_unknown = 3});
    const auto r = run(c, [](unsigned ttl, std::uint16_t, unsigned) -> std::optional<Answer> {
        if (ttl == 1) return Answer{"192.0.2.1", false, 1ms};
        return std::nullopt;
    });
    EXPECT_FALSE(r.reached);
    ASSERT_EQ(r.hops.size(), 1u);
}

TEST(Cycles, ContinuousUntilInterrupted) {
    probe::Cycles c({.cycles = 0});
    const auto r = run(c, line, 5);
    EXPECT_GE(r.cycles, 5u);
    ASSERT_EQ(r.hops.size(), 4u);
    EXPECT_EQ(r.hops[0].sent, r.hops[0].received + r.hops[0].lost);  // in transit is not counted
}

TEST(Cycles, IgnoresUnmatchedReplies) {
    probe::Cycles c({.cycles = 1});
    c.start({});
    (void)c.take_probes();
    probe::CyclesReply r;
    r.serial = 500;
    r.flow = 0;
    r.from = core::Ipv4Address(192, 0, 2, 1);
    c.on_reply(r, {});
    EXPECT_EQ(c.report().ignored, 1u);
}
