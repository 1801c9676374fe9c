// probe::MultiPing in virtual time: fping 5.1 pacing, retries and backoff, -C vectors, the bounded
// window, 65,536 targets, and replies that must not be trusted. Expected times are derived by hand
// from fping's rules (main_loop(): -i gap, -p period from the due time, timeout x backoff).
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "icmpkit/probe/multi_ping.hpp"
#include "icmpkit/wire/checksum.hpp"

using namespace icmpkit;
using namespace std::chrono_literals;

namespace {

core::IpAddress v4(std::uint32_t host) { return core::Ipv4Address(0xC0000200u + host); }  // 192.0.2.x

struct Sent {
    std::int64_t at_ms;
    std::uint32_t target;
    std::uint16_t sequence;
    core::Buffer icmp;
};

core::Buffer reply_of(const core::Buffer& req, bool v6) {
    core::Buffer r = req;
    r[0] = v6 ? 129 : 0;
    r[2] = r[3] = 0;
    if (!v6) core::store_be16(&r[2], wire::internet_checksum(r));
    return r;
}

// Runs the engine with a responder: delay(target, probe_no) -> reply delay or nullopt (no reply).
struct Harness {
    probe::MultiPing ping;
    std::function<std::optional<core::Duration>(std::uint32_t, std::uint32_t)> delay;
    std::vector<Sent> sent;
    std::vector<probe::MultiAction> events;
    std::multimap<core::MonoTime, probe::Received> pending;
    std::vector<core::Buffer> keep;  // bytes behind pending Received views
    std::map<std::uint32_t, std::uint32_t> probes_of;
    std::size_t max_outstanding = 0;
    core::MonoTime now{};

    explicit Harness(probe::MultiPingConfig c) : ping(std::move(c)) {}

    void drain() {
        std::vector<probe::MultiAction> out;
        ping.take_actions(out);
        for (auto& a : out) {
            if (auto* t = std::get_if<probe::MultiTransmit>(&a)) {
                const auto& cfg = ping.config();
                sent.push_back({now.since_origin.count() / 1000000, t->target, t->sequence,
                                core::Buffer(t->icmp.begin(), t->icmp.end())});
                std::uint32_t n = probes_of[t->target]++;
                if (auto d = delay ? delay(t->target, n) : std::nullopt) {
                    keep.push_back(reply_of(sent.back().icmp, cfg.targets[t->target].is_v6()));
                    pending.emplace(now + *d, probe::Received{cfg.targets[t->target], keep.back(), 64});
                }
            } else {
                events.push_back(a);
            }
        }
        max_outstanding = std::max<std::size_t>(max_outstanding, ping.outstanding());
    }

    void run(core::Duration limit = 3600s) {
        keep.reserve(1 << 20);
        ping.start(now);
        drain();
        for (int guard = 0; guard < 10'000'000 && !ping.finished(); ++guard) {
            auto dl = ping.next_deadline();
            std::optional<core::MonoTime> next = dl;
            if (!pending.empty() && (!next || pending.begin()->first < *next)) next = pending.begin()->first;
            ASSERT_TRUE(next.has_value());
            now = std::max(now, *next);
            ASSERT_LT(now.since_origin, limit);
            while (!pending.empty() && pending.begin()->first <= now) {
                auto r = pending.begin()->second;
                pending.erase(pending.begin());
                ping.on_reply(r, now);
                drain();
            }
            if (auto d = ping.next_deadline(); d && *d <= now) ping.on_timer(now);
            drain();
        }
    }

    template <typename T>
    std::vector<T> of() const {
        std::vector<T> v;
        for (auto& a : events)
            if (auto* p = std::get_if<T>(&a)) v.push_back(*p);
        return v;
    }
};

probe::MultiPingConfig config(std::uint32_t n) {
    probe::MultiPingConfig c;
    for (std::uint32_t i = 1; i <= n; ++i) c.targets.push_back(v4(i));
    c.identifier = 0x4242;
    return c;
}

TEST(MultiPing, DefaultModeOnePacketPerIntervalInTargetOrder) {
    Harness h(config(5));
    h.delay = [](auto, auto) { return std::optional<core::Duration>(1ms); };
    h.run();
    ASSERT_EQ(h.sent.size(), 5u);
    for (std::uint32_t i = 0; i < 5; ++i) {
        EXPECT_EQ(h.sent[i].target, i);
        EXPECT_EQ(h.sent[i].at_ms, 10 * i);  // fping default -i 10 ms
        EXPECT_EQ(h.sent[i].sequence, i);    // one sequence counter over all targets
    }
    EXPECT_EQ(h.ping.alive_count(), 5u);
    auto replies = h.of<probe::MultiReplyEvent>();
    ASSERT_EQ(replies.size(), 5u);
    EXPECT_TRUE(replies[0].first);
    EXPECT_EQ(replies[0].rtt, 1ms);
    EXPECT_EQ(h.ping.stats(0).sent, 1u);
}

TEST(MultiPing, RetriesWithBackoff) {
    auto c = config(1);  // -r 3 -t 500 -B 1.5 (fping defaults)
    Harness h(c);
    h.run();
    // Sends at 0, then each timeout later: 500, 500+750, 1250+1125; last timeout 2375+1687.5.
    ASSERT_EQ(h.sent.size(), 4u);
    EXPECT_EQ(h.sent[0].at_ms, 0);
    EXPECT_EQ(h.sent[1].at_ms, 500);
    EXPECT_EQ(h.sent[2].at_ms, 1250);
    EXPECT_EQ(h.sent[3].at_ms, 2375);
    EXPECT_EQ(h.now.since_origin, 4062500us);
    EXPECT_EQ(h.ping.stats(0).sent, 4u);
    EXPECT_EQ(h.ping.stats(0).received, 0u);
    EXPECT_EQ(h.ping.counters().timeouts, 4u);
    EXPECT_EQ(h.of<probe::MultiTimeoutEvent>().size(), 4u);
}

TEST(MultiPing, RetryStopsAtFirstReply) {
    Harness h(config(1));
    h.delay = [](auto, std::uint32_t n) { return n == 2 ? std::optional<core::Duration>(3ms) : std::nullopt; };
    h.run();
    EXPECT_EQ(h.sent.size(), 3u);
    EXPECT_EQ(h.ping.stats(0).received, 1u);
    EXPECT_EQ(h.ping.stats(0).sent, 3u);
}

TEST(MultiPing, CountModePeriodPerTargetIntervalBetweenPackets) {
    auto c = config(2);
    c.count = 3;
    c.timeout = 1000ms;
    Harness h(c);
    h.delay = [](auto, auto) { return std::optional<core::Duration>(2ms); };
    h.run();
    ASSERT_EQ(h.sent.size(), 6u);
    const std::int64_t want[6][2] = {{0, 0}, {10, 1}, {1000, 0}, {1010, 1}, {2000, 0}, {2010, 1}};
    for (int i = 0; i < 6; ++i) {
        EXPECT_EQ(h.sent[i].at_ms, want[i][0]) << i;
        EXPECT_EQ(h.sent[i].target, static_cast<std::uint32_t>(want[i][1])) << i;
    }
    EXPECT_EQ(h.ping.stats(1).sent, 3u);
    EXPECT_EQ(h.ping.stats(1).received, 3u);
}

TEST(MultiPing, VectorsKeepEveryProbe) {
    auto c = config(2);
    c.count = 3;
    c.keep_vectors = true;
    c.period = 100ms;
    c.timeout = 100ms;
    Harness h(c);
    h.delay = [](std::uint32_t t, std::uint32_t n) {
        return t == 0 && n != 1 ? std::optional<core::Duration>(std::chrono::milliseconds(5 + n)) : std::nullopt;
    };
    h.run();
    auto v0 = h.ping.rtt_vector(0);
    ASSERT_EQ(v0.size(), 3u);
    EXPECT_EQ(v0[0], 5'000'000);
    EXPECT_EQ(v0[1], probe::rtt_timeout);
    EXPECT_EQ(v0[2], 7'000'000);
    for (auto x : h.ping.rtt_vector(1)) EXPECT_EQ(x, probe::rtt_timeout);
    EXPECT_EQ(h.ping.stats(0).loss_percent(), 33);  // fping: (3 - 2) * 100 / 3
    EXPECT_EQ(h.ping.stats(0).min_ns, 5'000'000);
    EXPECT_EQ(h.ping.stats(0).max_ns, 7'000'000);
}

TEST(MultiPing, SlowReplyDiscardedAsFpingDoes) {
    auto c = config(1);
    c.count = 1;
    c.timeout = 50ms;
    Harness h(c);
    h.delay = [](auto, auto) { return std::optional<core::Duration>(80ms); };
    h.run();
    EXPECT_EQ(h.ping.stats(0).received, 0u);
    EXPECT_EQ(h.ping.stats(0).sent, 1u);
    EXPECT_EQ(h.ping.counters().timeouts, 1u);
}

TEST(MultiPing, WindowBoundsOutstandingProbes) {
    auto c = config(100);
    c.window = 16;
    c.retries = 0;
    c.interval = 0ms;
    Harness h(c);  // nobody answers
    h.run();
    EXPECT_EQ(h.sent.size(), 100u);
    EXPECT_LE(h.max_outstanding, 16u);
    EXPECT_GT(h.ping.counters().window_stalls, 0u);
    // 100 probes through 16 slots, each held 500 ms: seven rounds of timeouts.
    EXPECT_EQ(h.now.since_origin, 3500ms);
}

TEST(MultiPing, AnsweredTimeoutsAreCompactedWithinTheWindow) {
    auto c = config(2000);
    c.window = 16;
    c.interval = 0ms;
    Harness h(c);  // every probe answered after 1 ms: its timeout entry goes stale
    h.delay = [](auto, auto) { return std::optional<core::Duration>(1ms); };
    h.run();
    EXPECT_EQ(h.ping.alive_count(), 2000u);
    EXPECT_LE(h.max_outstanding, 16u);
    // 2000 targets of ~40 bytes each, plus 16 slots and at most 2 x 16 + 64 timeout entries.
    EXPECT_LT(h.ping.memory_bytes(), 2000u * 96 + 64 * 1024);
}

TEST(MultiPing, SixtyFiveThousandTargetsInBoundedMemory) {
    auto c = config(0);
    for (std::uint32_t i = 0; i < 65536; ++i) c.targets.push_back(core::Ipv4Address(0x7F000000u + i));
    c.interval = 0ms;
    c.retries = 1;
    Harness h(c);
    // Every 7th target never answers (retried once); the others answer in 100 us.
    h.delay = [](std::uint32_t t, auto) { return t % 7 ? std::optional<core::Duration>(100us) : std::nullopt; };
    h.run();
    EXPECT_EQ(h.ping.alive_count(), 65536u - (65536u + 6) / 7);
    EXPECT_EQ(h.sent.size(), 65536u + (65536u + 6) / 7);
    // Per target about 40 bytes plus queue entries, window 65,536 x 32 bytes, expiries <= 2 window.
    EXPECT_LT(h.ping.memory_bytes(), 65536u * 64 + 65536u * 32 + 2 * 65536u * 24 + (1u << 20));
    EXPECT_LE(h.max_outstanding, 65536u);
}

TEST(MultiPing, ForeignAndBadRepliesIgnoredAndCounted) {
    auto c = config(2);
    c.count = 1;
    c.verify_checksum = true;
    Harness h(c);
    h.ping.start(h.now);
    h.drain();
    h.now = h.now + 10ms;
    h.ping.on_timer(h.now);
    h.drain();
    ASSERT_EQ(h.sent.size(), 2u);
    core::Buffer good = reply_of(h.sent[0].icmp, false);
    core::Buffer wrong_id = good;
    core::store_be16(&wrong_id[4], 0x4243);
    wrong_id[2] = wrong_id[3] = 0;
    core::store_be16(&wrong_id[2], wire::internet_checksum(wrong_id));
    core::Buffer bad_sum = good;
    bad_sum[10] ^= 1;
    core::Buffer unknown_seq = good;
    core::store_be16(&unknown_seq[6], 999);
    unknown_seq[2] = unknown_seq[3] = 0;
    core::store_be16(&unknown_seq[2], wire::internet_checksum(unknown_seq));
    const core::Buffer short_one(good.begin(), good.begin() + 6);
    h.ping.on_reply({v4(1), wrong_id, 64}, h.now);
    h.ping.on_reply({v4(1), bad_sum, 64}, h.now);
    h.ping.on_reply({v4(1), unknown_seq, 64}, h.now);
    h.ping.on_reply({v4(1), short_one, 64}, h.now);
    h.ping.on_reply({v4(9), good, 64}, h.now);  // right id and sequence, wrong source (raw)
    const auto& k = h.ping.counters();
    EXPECT_EQ(k.foreign, 3u);
    EXPECT_EQ(k.bad_checksum, 1u);
    EXPECT_EQ(k.malformed, 1u);
    EXPECT_EQ(k.replies, 0u);
    h.ping.on_reply({v4(1), good, 64}, h.now);
    h.ping.on_reply({v4(1), good, 64}, h.now);  // duplicate
    h.drain();
    EXPECT_EQ(k.replies, 1u);
    EXPECT_EQ(k.duplicates, 1u);
    auto r = h.of<probe::MultiReplyEvent>();
    ASSERT_EQ(r.size(), 2u);
    EXPECT_FALSE(r[0].duplicate);
    EXPECT_TRUE(r[1].duplicate);
    EXPECT_EQ(r[0].rtt, 10ms);
}

TEST(MultiPing, InlineErrorQuotingOurProbeIsReported) {
    auto c = config(1);
    c.count = 1;
    Harness h(c);
    h.ping.start(h.now);
    h.drain();
    // RFC 792 Destination Unreachable (host) from 192.0.2.254 quoting our request: IPv4 header
    // (20 bytes, protocol 1, destination 192.0.2.1) + the first 8 bytes of the echo request.
    core::Buffer e = {3, 1, 0, 0, 0, 0, 0, 0, 0x45, 0, 0, 84, 0, 0, 0, 0, 64, 1, 0, 0,
                      198, 51, 100, 1, 192, 0, 2, 1};
    e.insert(e.end(), h.sent[0].icmp.begin(), h.sent[0].icmp.begin() + 8);
    h.ping.on_reply({core::Ipv4Address(192, 0, 2, 254), e, 64}, h.now + 1ms);
    e[8 + 19] = 2;  // the quote names another destination: not about our probe
    h.ping.on_reply({core::Ipv4Address(192, 0, 2, 254), e, 64}, h.now + 1ms);
    h.drain();
    auto errs = h.of<probe::MultiIcmpErrorEvent>();
    ASSERT_EQ(errs.size(), 1u);
    EXPECT_EQ(errs[0].type, 3);
    EXPECT_EQ(errs[0].code, 1);
    EXPECT_EQ(errs[0].target, 0u);
    EXPECT_EQ(h.ping.counters().other_icmp, 1u);
    EXPECT_EQ(h.ping.counters().foreign, 1u);
}

TEST(MultiPing, MixedFamiliesAndIcmpv6Replies) {
    auto c = config(1);
    c.targets.push_back(*core::IpAddress::parse("2001:db8::1"));
    Harness h(c);
    h.delay = [](auto, auto) { return std::optional<core::Duration>(1ms); };
    h.run();
    ASSERT_EQ(h.sent.size(), 2u);
    EXPECT_EQ(h.sent[0].icmp[0], 8);    // RFC 792 echo
    EXPECT_EQ(h.sent[1].icmp[0], 128);  // RFC 4443 4.1 echo request
    EXPECT_EQ(wire::internet_checksum(h.sent[0].icmp), 0);
    EXPECT_EQ(h.ping.alive_count(), 2u);
}

TEST(MultiPing, SendErrorCountsAsSentWithoutRetry) {
    Harness h(config(1));
    h.ping.start(h.now);
    h.drain();
    h.ping.on_send_error(h.sent[0].sequence, 101, h.now);
    ASSERT_EQ(h.ping.next_deadline(), h.now);  // the engine wants to run again at once
    h.ping.on_timer(h.now);
    h.drain();
    EXPECT_TRUE(h.ping.finished());
    EXPECT_EQ(h.ping.stats(0).sent, 1u);
    ASSERT_EQ(h.of<probe::MultiSendErrorEvent>().size(), 1u);
}

TEST(MultiPing, InterruptFinishes) {
    auto c = config(3);
    c.loop = true;
    Harness h(c);
    h.ping.start(h.now);
    h.drain();
    h.ping.interrupt(h.now + 1ms);
    h.drain();
    EXPECT_TRUE(h.ping.finished());
    EXPECT_FALSE(h.ping.next_deadline().has_value());
    ASSERT_EQ(h.of<probe::MultiFinishEvent>().size(), 1u);
    EXPECT_TRUE(h.of<probe::MultiFinishEvent>()[0].interrupted);
}

}  // namespace
