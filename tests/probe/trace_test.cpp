// probe::Trace as a pure state machine: the window, stopping at the destination, retries and
// pacing, adaptive waits, foreign replies. Responses are ICMP errors assembled by hand around the
// datagram build_datagram() makes for the transmitted probe.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "icmpkit/probe/trace.hpp"
#include "icmpkit/wire/checksum.hpp"

using namespace icmpkit;
using namespace std::chrono_literals;
using probe::TraceProbeResult;

namespace {

const core::IpAddress src{core::Ipv4Address(192, 0, 2, 10)};
const core::IpAddress dst{core::Ipv4Address(203, 0, 113, 5)};
core::IpAddress router(int ttl) { return core::IpAddress(core::Ipv4Address(198, 51, 100, static_cast<std::uint8_t>(ttl))); }

probe::TraceConfig config() {
    probe::TraceConfig c;
    c.space.method = probe::TraceMethod::udp_paris;
    c.space.source = src;
    c.space.destination = dst;
    c.space.source_port = 40000;
    c.space.identification_is_serial = true;
    c.max_ttl = 10;
    return c;
}

struct Harness {
    probe::Trace trace;
    core::MonoTime now{};
    std::vector<probe::TraceTransmit> sent;
    std::vector<probe::TraceHop> hops;
    bool finished = false;

    explicit Harness(probe::TraceConfig c) : trace(std::move(c)) {}
    void drain() {
        for (auto& a : trace.take_actions()) {
            if (auto* t = std::get_if<probe::TraceTransmit>(&a)) sent.push_back(*t);
            if (auto* h = std::get_if<probe::TraceHopEvent>(&a)) hops.push_back(h->hop);
            if (std::get_if<probe::TraceFinish>(&a)) finished = true;
        }
    }
    void start() { trace.start(now), drain(); }
    void advance(core::Duration d) {
        const core::MonoTime until = now + d;
        while (auto dl = trace.next_deadline()) {
            if (*dl > until) break;
            now = std::max(now, *dl);
            trace.on_timer(now);
            drain();
        }
        now = until;
    }
    // An ICMP error from `from` quoting transmitted probe `i`.
    void answer(std::size_t i, std::uint8_t type, std::uint8_t code, const core::IpAddress& from) {
        auto d = probe::build_datagram(trace.config().space, sent.at(i).id);
        std::vector<std::uint8_t> m{type, code, 0, 0, 0, 0, 0, 0};
        m.insert(m.end(), d.begin(), d.end());
        core::store_be16(&m[2], wire::internet_checksum(core::Bytes(m)));
        trace.on_packet(1, core::Bytes(m), from, 64, nullptr, now);
        drain();
    }
    // What a path with the destination at `distance` answers for every probe sent so far.
    void answer_path(std::size_t from_index, int distance) {
        for (std::size_t i = from_index; i < sent.size(); ++i) {
            const int ttl = sent[i].id.ttl;
            if (ttl < distance) answer(i, 11, 0, router(ttl));
            else answer(i, 3, 3, dst);
        }
    }
};

}  // namespace

TEST(Trace, WindowAndPerHopLimit) {
    auto c = config();
    c.window = 7;
    c.per_hop_window = 2;
    Harness h(c);
    h.start();
    ASSERT_EQ(h.sent.size(), 7u);
    std::map<int, int> per_ttl;
    for (const auto& t : h.sent) ++per_ttl[t.id.ttl];
    for (auto [ttl, n] : per_ttl) EXPECT_LE(n, 2) << ttl;
    EXPECT_EQ(h.sent.front().id.ttl, 1);  // lowest TTLs first
    EXPECT_EQ(h.trace.in_flight(), 7u);
}

TEST(Trace, StopsAtTheDestination) {
    Harness h(config());
    h.start();
    ASSERT_EQ(h.sent.size(), 16u);  // traceroute -N 16
    h.now = h.now + 10ms;
    // The destination (distance 3) answers TTL 4 first, then everything else in order.
    h.answer(9, 3, 3, dst);
    const std::size_t after_final = h.sent.size();
    h.answer_path(0, 3);
    h.advance(10s);
    ASSERT_TRUE(h.finished);
    ASSERT_EQ(h.hops.size(), 3u);
    EXPECT_TRUE(h.hops[2].final);
    EXPECT_EQ(h.hops[2].probes[0].response.from, dst);
    // Once the destination answered from TTL 4, nothing beyond 4 went out; after TTL 3's answer
    // nothing beyond 3, and the answer from TTL 4 is not shown.
    for (std::size_t i = after_final; i < h.sent.size(); ++i) EXPECT_LE(h.sent[i].id.ttl, 4);
    EXPECT_EQ(h.hops[0].probes[0].rtt, 10ms);
}

// A probe eaten at a hop that answered others is retried, with doubling backoff, only while the
// responder's next token is due within token_wait (here a responder without a limiter).
TEST(Trace, RetriesBeforeStarAndBackoff) {
    auto c = config();
    c.max_ttl = 1;
    c.queries = 2;
    c.retries = 2;
    c.max_wait = 1s;
    c.here = c.near = 0;  // fixed waits
    c.retry_backoff = 100ms;
    c.responder_interval = 0s;
    c.token_wait = 1s;
    Harness h(c);
    h.start();
    ASSERT_EQ(h.sent.size(), 2u);
    h.answer(0, 3, 3, dst);  // the destination answers the first probe, not the second
    h.advance(1s + 99ms);    // expired at 1 s; retry not before 1.1 s
    EXPECT_EQ(h.sent.size(), 2u);
    h.advance(1ms);
    ASSERT_EQ(h.sent.size(), 3u);
    EXPECT_EQ(h.sent[2].id.ttl, 1);
    EXPECT_NE(h.sent[2].id.serial, h.sent[1].id.serial);
    h.advance(1s + 200ms);  // second expiry at 2.1 s, backoff 200 ms
    ASSERT_EQ(h.sent.size(), 4u);
    h.advance(1s);
    ASSERT_TRUE(h.finished);
    ASSERT_EQ(h.hops.size(), 1u);
    EXPECT_EQ(h.hops[0].probes[1].status, TraceProbeResult::Status::timeout);
    EXPECT_EQ(h.hops[0].probes[1].attempts, 3u);
    EXPECT_EQ(h.trace.counters().retried, 2u);
}

// Nothing answers: the first TTL is asked once more a token's time later, and the whole dark
// path costs MAX, as traceroute's single wait does.
TEST(Trace, DarkPathCostsOneMaxWait) {
    auto c = config();
    c.max_ttl = 3;
    c.queries = 1;
    c.max_wait = 5s;
    c.responder_interval = 1s;
    Harness h(c);
    h.start();
    ASSERT_EQ(h.sent.size(), 3u);
    h.advance(999ms);
    EXPECT_EQ(h.sent.size(), 3u);
    h.advance(1ms);
    ASSERT_EQ(h.sent.size(), 4u);  // TTL 1 again; TTL 2 and 3 are not the frontier
    EXPECT_EQ(h.sent[3].id.ttl, 1);
    h.advance(3998ms);
    EXPECT_FALSE(h.finished);
    h.advance(2ms);
    ASSERT_TRUE(h.finished);
    EXPECT_EQ(h.sent.size(), 4u);
    for (const auto& hop : h.hops) EXPECT_EQ(hop.probes[0].status, TraceProbeResult::Status::timeout);
}

TEST(Trace, LateAnswerToAnEarlierAttemptCounts) {
    auto c = config();
    c.max_ttl = 1;
    c.queries = 1;
    c.max_wait = 5s;
    c.responder_interval = 1s;
    Harness h(c);
    h.start();
    h.advance(1s + 200ms);  // TTL 1 expired at 1 s (the frontier's first wait) and was asked again
    ASSERT_EQ(h.sent.size(), 2u);
    h.answer(0, 3, 3, dst);  // the first attempt's answer, late
    ASSERT_EQ(h.hops.size(), 1u);
    EXPECT_EQ(h.hops[0].probes[0].status, TraceProbeResult::Status::answered);
    EXPECT_EQ(h.trace.counters().late, 1u);
    EXPECT_TRUE(h.finished);
}

TEST(Trace, AdaptiveWaitNearLaterHop) {
    auto c = config();
    c.max_ttl = 2;
    c.queries = 1;
    c.retries = 0;
    c.max_wait = 5s;
    c.near = 10;
    Harness h(c);
    h.start();
    ASSERT_EQ(h.sent.size(), 2u);
    h.now = h.now + 20ms;
    h.answer(1, 3, 3, dst);  // TTL 2 answers after 20 ms; TTL 1 is silent
    h.advance(179ms);        // NEAR x 20 ms = 200 ms after sending (t = 0)
    EXPECT_FALSE(h.finished);
    h.advance(2ms);
    ASSERT_TRUE(h.finished);
    EXPECT_EQ(h.hops[0].probes[0].status, TraceProbeResult::Status::timeout);
    EXPECT_TRUE(h.hops[1].final);
}

TEST(Trace, AdaptiveWaitHereSameHop) {
    auto c = config();
    c.max_ttl = 1;
    c.queries = 2;
    c.retries = 0;
    c.here = 3;
    Harness h(c);
    h.start();
    ASSERT_EQ(h.sent.size(), 2u);
    h.now = h.now + 10ms;
    h.answer(0, 3, 3, dst);
    h.advance(19ms);  // HERE x 10 ms = 30 ms after sending
    EXPECT_FALSE(h.finished);
    h.advance(2ms);
    EXPECT_TRUE(h.finished);
}

TEST(Trace, RateLimitedResponderWaitsForAToken) {
    auto c = config();
    c.max_ttl = 1;
    c.queries = 3;
    c.max_wait = 100ms;
    c.retry_backoff = 10ms;
    c.responder_interval = 1s;
    c.token_wait = 2s;
    Harness h(c);
    h.start();
    ASSERT_EQ(h.sent.size(), 3u);
    h.now = h.now + 5ms;
    h.answer(0, 3, 3, dst);  // one answer; the others are eaten by the limiter
    h.advance(15ms + 10ms + 5ms);  // HERE x 5 ms: the two expire; retries would be due at +10 ms
    EXPECT_EQ(h.sent.size(), 3u) << "retried before the responder had a token";
    h.advance(1s);
    ASSERT_GE(h.sent.size(), 4u);
    EXPECT_GE(h.now - core::MonoTime{}, 1s);
}

// By default a limiting responder is not waited for: its eaten probes are stars at once.
TEST(Trace, RateLimitedResponderIsNotWaitedForByDefault) {
    auto c = config();
    c.max_ttl = 1;
    c.queries = 3;
    c.responder_interval = 1s;
    Harness h(c);
    h.start();
    h.now = h.now + 5ms;
    h.answer(0, 3, 3, dst);
    h.advance(20ms);  // HERE x 5 ms after sending
    ASSERT_TRUE(h.finished);
    EXPECT_EQ(h.sent.size(), 3u);
    EXPECT_EQ(h.hops[0].probes[1].status, TraceProbeResult::Status::timeout);
}

TEST(Trace, ForeignAndMalformedAreCountedNeverHops) {
    auto c = config();
    c.max_ttl = 1;
    c.queries = 1;
    Harness h(c);
    h.start();
    std::vector<std::uint8_t> junk{11, 0, 0, 0, 0, 0, 0, 0, 0x45};
    h.trace.on_packet(1, core::Bytes(junk), router(1), 64, nullptr, h.now);
    auto other = h.trace.config().space;
    other.destination = core::IpAddress(core::Ipv4Address(203, 0, 113, 99));
    auto d = probe::build_datagram(other, h.sent[0].id);
    std::vector<std::uint8_t> m{11, 0, 0, 0, 0, 0, 0, 0};
    m.insert(m.end(), d.begin(), d.end());
    core::store_be16(&m[2], wire::internet_checksum(core::Bytes(m)));
    h.trace.on_packet(1, core::Bytes(m), router(1), 64, nullptr, h.now);
    h.drain();
    EXPECT_TRUE(h.hops.empty());
    EXPECT_EQ(h.trace.counters().rejected.at(probe::RejectReason::malformed), 1u);
    EXPECT_EQ(h.trace.counters().rejected.at(probe::RejectReason::wrong_destination), 1u);
    EXPECT_EQ(h.trace.counters().answered, 0u);
}

TEST(Trace, UnreachableFromARouterEndsTheTrace) {
    Harness h(config());
    h.start();
    h.now = h.now + 1ms;
    for (std::size_t i = 0; i < h.sent.size(); ++i) {
        const int ttl = h.sent[i].id.ttl;
        if (ttl < 2) h.answer(i, 11, 0, router(ttl));
        else if (ttl == 2) h.answer(i, 3, 1, router(ttl));  // !H
    }
    h.advance(10s);
    ASSERT_TRUE(h.finished);
    ASSERT_EQ(h.hops.size(), 2u);
    EXPECT_TRUE(h.hops[1].final);
}

// RFC 792 quotes of 8 octets over a kernel socket (identification not ours): the serial is
// unknown; it is attributed only when one probe is in flight, else counted as unattributed.
TEST(Trace, EightOctetQuoteWithoutSerial) {
    auto c = config();
    c.space.identification_is_serial = false;
    c.max_ttl = 2;
    c.queries = 1;
    c.window = 1;
    Harness h(c);
    h.start();
    ASSERT_EQ(h.sent.size(), 1u);
    auto short_error = [&](std::size_t i, const core::IpAddress& from) {
        auto d = probe::build_datagram(h.trace.config().space, h.sent.at(i).id);
        std::vector<std::uint8_t> m{11, 0, 0, 0, 0, 0, 0, 0};
        m.insert(m.end(), d.begin(), d.begin() + 28);
        core::store_be16(&m[2], wire::internet_checksum(core::Bytes(m)));
        h.trace.on_packet(1, core::Bytes(m), from, 64, nullptr, h.now);
        h.drain();
    };
    h.now = h.now + 1ms;
    short_error(0, router(1));
    ASSERT_EQ(h.hops.size(), 1u);
    EXPECT_EQ(h.hops[0].probes[0].response.from, router(1));
    EXPECT_EQ(h.trace.counters().unattributed, 0u);

    auto c2 = config();
    c2.space.identification_is_serial = false;
    Harness many(c2);
    many.start();
    auto d = probe::build_datagram(many.trace.config().space, many.sent.at(0).id);
    std::vector<std::uint8_t> m{11, 0, 0, 0, 0, 0, 0, 0};
    m.insert(m.end(), d.begin(), d.begin() + 28);
    core::store_be16(&m[2], wire::internet_checksum(core::Bytes(m)));
    many.trace.on_packet(1, core::Bytes(m), router(1), 64, nullptr, many.now);
    EXPECT_EQ(many.trace.counters().unattributed, 1u);
    EXPECT_EQ(many.trace.counters().answered, 0u);
}

// The destination's bucket is empty (a previous trace used it): TTL 3 goes unanswered although
// TTL 2 answered. Its first wait is one token's time, not MAX; it is asked again then, with a
// short (NEAR x hop 2) wait.
TEST(Trace, FirstHopPastTheLastAnswerIsAskedAgainAfterAToken) {
    auto c = config();
    c.max_ttl = 4;
    c.queries = 1;
    c.retries = 2;
    c.max_wait = 5s;
    c.near = 10;
    c.responder_interval = 1s;
    Harness h(c);
    h.start();
    ASSERT_EQ(h.sent.size(), 4u);
    h.now = h.now + 1ms;
    h.answer(0, 11, 0, router(1));
    h.answer(1, 11, 0, router(2));  // TTL 3 (the destination) and 4 stay silent
    h.advance(998ms);
    EXPECT_EQ(h.sent.size(), 4u);
    h.advance(1ms);                 // 1 s after the first send: TTL 3 again; TTL 4 is not retried
    ASSERT_EQ(h.sent.size(), 5u);
    EXPECT_EQ(h.sent[4].id.ttl, 3);
    h.now = h.now + 1ms;
    h.answer(4, 3, 3, dst);
    h.advance(100ms);
    ASSERT_TRUE(h.finished);
    ASSERT_EQ(h.hops.size(), 3u);
    EXPECT_TRUE(h.hops[2].final);
    EXPECT_EQ(h.hops[2].probes[0].attempts, 2u);
    EXPECT_LT(h.now - core::MonoTime{}, 2s);
}

// A dark tail costs one extra attempt of one hop, and that attempt waits NEAR x the RTT before it.
TEST(Trace, DarkTailIsAskedOnceMoreOnly) {
    auto c = config();
    c.max_ttl = 3;
    c.queries = 1;
    c.retries = 2;
    c.max_wait = 1s;
    c.near = 10;
    c.responder_interval = 1s;
    Harness h(c);
    h.start();
    h.now = h.now + 2ms;
    h.answer(0, 11, 0, router(1));  // RTT 2 ms; TTL 2 and 3 are dark
    h.advance(997ms);
    EXPECT_EQ(h.sent.size(), 3u);
    h.advance(1ms);                 // TTL 2 again 1 s after its first send
    ASSERT_EQ(h.sent.size(), 4u);
    EXPECT_EQ(h.sent[3].id.ttl, 2);
    h.advance(19ms);                // NEAR x 2 ms = 20 ms after the retry
    EXPECT_FALSE(h.finished);
    h.advance(2ms);
    ASSERT_TRUE(h.finished);
    EXPECT_EQ(h.sent.size(), 4u);
    EXPECT_EQ(h.hops[1].probes[0].attempts, 2u);
    EXPECT_EQ(h.hops[1].probes[0].status, TraceProbeResult::Status::timeout);
}

// A router silent between hops that answered every probe is asked once more at once (a lost
// probe), then taken to be silent by policy: the trace ends two NEAR waits after sending.
TEST(Trace, SilentRouterBetweenFullAnswersIsAskedOnceAtOnce) {
    auto c = config();
    c.max_ttl = 4;
    c.queries = 3;
    c.near = 10;
    Harness h(c);
    h.start();
    ASSERT_EQ(h.sent.size(), 12u);
    h.now = h.now + 1ms;
    for (std::size_t i = 0; i < h.sent.size(); ++i) {
        const int ttl = h.sent[i].id.ttl;
        if (ttl == 4) h.answer(i, 3, 3, dst);
        else if (ttl != 3) h.answer(i, 11, 0, router(ttl));
    }
    h.advance(8ms);  // NEAR x 1 ms = 10 ms after sending
    EXPECT_EQ(h.sent.size(), 12u);
    h.advance(1ms);
    ASSERT_EQ(h.sent.size(), 15u);
    for (std::size_t i = 12; i < 15; ++i) EXPECT_EQ(h.sent[i].id.ttl, 3);
    h.advance(9ms);
    EXPECT_FALSE(h.finished);
    h.advance(1ms);
    ASSERT_TRUE(h.finished);
    EXPECT_EQ(h.sent.size(), 15u);
    EXPECT_EQ(h.trace.counters().retried, 3u);
    EXPECT_EQ(h.hops[2].probes[0].status, TraceProbeResult::Status::timeout);
    EXPECT_EQ(h.hops[2].probes[0].attempts, 2u);
}

// The same silent router on a path that shows rate limiting (hop 1 answers one probe of three):
// asked once more a token's time after its first send.
TEST(Trace, SilentRouterOnARateLimitedPathIsAskedAfterAToken) {
    auto c = config();
    c.max_ttl = 4;
    c.queries = 3;
    c.near = 10;
    c.responder_interval = 1s;
    Harness h(c);
    h.start();
    h.now = h.now + 1ms;
    for (std::size_t i = 0; i < h.sent.size(); ++i) {
        const int ttl = h.sent[i].id.ttl;
        if (ttl == 4) h.answer(i, 3, 3, dst);
        else if (ttl == 2 || i == 0) h.answer(i, 11, 0, router(ttl));  // hop 1: one of three
    }
    h.advance(998ms);
    EXPECT_EQ(h.sent.size(), 12u);
    h.advance(1ms);
    ASSERT_EQ(h.sent.size(), 15u);
    for (std::size_t i = 12; i < 15; ++i) EXPECT_EQ(h.sent[i].id.ttl, 3);
    h.now = h.now + 1ms;
    h.answer(12, 11, 0, router(3));  // its bucket held one token
    h.advance(100ms);
    ASSERT_TRUE(h.finished);
    EXPECT_EQ(h.hops[2].probes[0].status, TraceProbeResult::Status::answered);
    EXPECT_EQ(h.hops[2].probes[1].status, TraceProbeResult::Status::timeout);
    EXPECT_EQ(h.hops[0].probes[1].status, TraceProbeResult::Status::timeout);
}

// SIGINT while TTL 2 is being probed: hop 1 (printed already) stays, hop 2 comes out with its one
// answer and `*` for the rest, nothing after it, then TraceFinish.
TEST(Trace, InterruptEmitsTheHopBeingProbed) {
    auto c = config();
    c.window = 6;  // TTL 1 and 2, three probes each
    Harness h(c);
    h.start();
    ASSERT_EQ(h.sent.size(), 6u);
    h.now = h.now + 5ms;
    for (std::size_t i = 0; i < 3; ++i) h.answer(i, 11, 0, router(1));
    h.answer(3, 11, 0, router(2));  // TTL 2: one answer of three
    ASSERT_EQ(h.hops.size(), 1u);
    const std::size_t before = h.sent.size();
    h.trace.interrupt(h.now);
    h.drain();
    EXPECT_TRUE(h.finished);
    EXPECT_TRUE(h.trace.finished());
    EXPECT_EQ(h.sent.size(), before);  // nothing more goes out
    ASSERT_EQ(h.hops.size(), 2u);
    EXPECT_EQ(h.hops[1].ttl, 2);
    ASSERT_EQ(h.hops[1].probes.size(), 3u);
    int answered = 0, starred = 0;
    for (const auto& p : h.hops[1].probes) {
        answered += p.status == TraceProbeResult::Status::answered;
        starred += p.status == TraceProbeResult::Status::timeout;
    }
    EXPECT_EQ(answered, 1);
    EXPECT_EQ(starred, 2);
    EXPECT_FALSE(h.hops[1].final);
    EXPECT_FALSE(h.trace.next_deadline());
}

// Interrupted before anything went out for the next hop: no empty hop is invented.
TEST(Trace, InterruptBeforeAProbeOfTheNextHopPrintsNothingMore) {
    auto c = config();
    c.window = 3;  // TTL 1 only
    Harness h(c);
    h.start();
    h.trace.interrupt(h.now);  // TTL 1 was sent: it is the hop being probed
    h.drain();
    ASSERT_EQ(h.hops.size(), 1u);
    EXPECT_EQ(h.hops[0].ttl, 1);
    Harness idle(c);
    idle.trace.interrupt(idle.now);  // never started
    idle.drain();
    EXPECT_TRUE(idle.hops.empty());
    EXPECT_TRUE(idle.trace.finished());
}
