// probe::Ping on a fake clock: scheduling, counters and iputils' formulas.
#include <gtest/gtest.h>

#include <cstring>

#include "icmpkit/probe/ping.hpp"
#include "icmpkit/wire/checksum.hpp"

using namespace icmpkit;
using namespace std::chrono_literals;

namespace {

struct FakeClock {
    core::MonoTime now{};
    void advance(core::Duration d) { now = now + d; }
};

probe::PingConfig loopback_config() {
    probe::PingConfig c;
    c.destination = core::Ipv4Address(192, 0, 2, 1);
    c.identifier = 0x1234;
    c.interval = 1s;
    return c;
}

std::vector<probe::Transmit> transmits(std::vector<probe::Action> a) {
    std::vector<probe::Transmit> t;
    for (auto& x : a)
        if (auto* p = std::get_if<probe::Transmit>(&x)) t.push_back(*p);
    return t;
}

// The echo reply a peer makes of a request (type 0, checksum recomputed).
core::Buffer reply_of(const probe::Transmit& req) {
    core::Buffer r = req.icmp;
    r[0] = 0;
    r[2] = r[3] = 0;
    core::store_be16(&r[2], wire::internet_checksum(r));
    return r;
}

template <class T>
std::vector<T> only(const std::vector<probe::Action>& a) {
    std::vector<T> out;
    for (auto& x : a)
        if (auto* p = std::get_if<T>(&x)) out.push_back(*p);
    return out;
}

}  // namespace

TEST(Ping, RequestLayoutMatchesIputils) {
    probe::Ping ping(loopback_config());
    auto b = ping.build_request(7, 1'700'000'000s + 123456us);
    ASSERT_EQ(b.size(), 64u);
    EXPECT_EQ(b[0], 8);
    EXPECT_EQ(core::load_be16(&b[4]), 0x1234);
    EXPECT_EQ(core::load_be16(&b[6]), 7);
    std::int64_t sec, usec;
    std::memcpy(&sec, &b[8], 8);
    std::memcpy(&usec, &b[16], 8);
    EXPECT_EQ(sec, 1'700'000'000);
    EXPECT_EQ(usec, 123456);
    for (std::size_t i = 16; i < 56; ++i) EXPECT_EQ(b[8 + i], i) << i;  // setup(): byte i = i
    EXPECT_TRUE(wire::checksum_ok(b));
}

TEST(Ping, PatternFillsPayloadAfterTimestamp) {
    auto c = loopback_config();
    c.pattern = {0xab, 0xcd};
    c.payload_size = 20;
    probe::Ping ping(c);
    auto b = ping.build_request(1, 0s);
    EXPECT_EQ(b[8 + 16], 0xab);
    EXPECT_EQ(b[8 + 17], 0xcd);
    EXPECT_EQ(b[8 + 18], 0xab);
}

TEST(Ping, CountThreeSendsOnIntervalAndFinishes) {
    FakeClock clk;
    auto c = loopback_config();
    c.count = 3;
    c.interval = 200ms;
    probe::Ping ping(c);
    ping.start(clk.now);
    auto t = transmits(ping.take_actions());
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].sequence, 1);
    for (int i = 0; i < 2; ++i) {
        clk.advance(50us);
        ping.on_reply({c.destination, reply_of(t[0]), 64}, clk.now);
        auto r = only<probe::ReplyEvent>(ping.take_actions());
        ASSERT_EQ(r.size(), 1u);
        EXPECT_EQ(*r[0].rtt_us, 50);
        EXPECT_EQ(r[0].ttl, 64);
        ASSERT_TRUE(ping.next_deadline());
        EXPECT_EQ(*ping.next_deadline() - clk.now, 200ms - 50us);
        clk.now = *ping.next_deadline();
        ping.on_timer(clk.now);
        t = transmits(ping.take_actions());
        ASSERT_EQ(t.size(), 1u);
        EXPECT_EQ(t[0].sequence, i + 2);
    }
    clk.advance(70us);
    ping.on_reply({c.destination, reply_of(t[0]), 64}, clk.now);
    auto a = ping.take_actions();
    EXPECT_EQ(only<probe::FinishEvent>(a).size(), 1u);  // nreceived >= count
    auto s = ping.summary();
    EXPECT_EQ(s.transmitted, 3u);
    EXPECT_EQ(s.received, 3u);
    EXPECT_EQ(s.elapsed, 400ms);
    EXPECT_EQ(s.rtt.tmin, 50);
    EXPECT_EQ(s.rtt.tmax, 70);
    EXPECT_EQ(s.rtt.average_us(3), 56);  // 170 / 3
    // mdev by hand: tsum2 = 2500+2500+4900 = 9900; (9900 - 170*170/3)/3 = (9900-9633)/3 = 89 -> 9
    EXPECT_EQ(s.rtt.mdev_us(3), 9);
    EXPECT_EQ(s.exit_code(), 0);
}

TEST(Ping, DuplicateIsCountedNotReceived) {
    FakeClock clk;
    auto c = loopback_config();
    c.count = 2;
    probe::Ping ping(c);
    ping.start(clk.now);
    auto t = transmits(ping.take_actions());
    auto rep = reply_of(t[0]);
    ping.on_reply({c.destination, rep, 64}, clk.now);
    ping.on_reply({c.destination, rep, 64}, clk.now);
    auto r = only<probe::ReplyEvent>(ping.take_actions());
    ASSERT_EQ(r.size(), 2u);
    EXPECT_FALSE(r[0].duplicate);
    EXPECT_TRUE(r[1].duplicate);
    EXPECT_EQ(ping.summary().received, 1u);
    EXPECT_EQ(ping.summary().duplicates, 1u);
}

TEST(Ping, ForeignIdentifierIgnoredOnRawSockets) {
    auto c = loopback_config();
    probe::Ping ping(c);
    ping.start({});
    auto t = transmits(ping.take_actions());
    auto rep = reply_of(t[0]);
    core::store_be16(&rep[4], 0x9999);
    ping.on_reply({c.destination, rep, 64}, {});
    EXPECT_TRUE(only<probe::ReplyEvent>(ping.take_actions()).empty());
}

// Two raw-socket pings that share an identifier: a reply with our identifier and sequence but
// another sender's timestamp (RFC 792: the echo returns the request's data) is not ours.
TEST(Ping, SameIdentifierOtherTimestampIgnoredOnRawSockets) {
    auto c = loopback_config();
    probe::Ping ping(c);
    ping.start({});
    auto t = transmits(ping.take_actions());
    ASSERT_EQ(t.size(), 1u);
    auto theirs = reply_of(t[0]);
    theirs[8 + 8] ^= 1;  // tv_usec differs by one microsecond
    theirs[2] = theirs[3] = 0;
    core::store_be16(&theirs[2], wire::internet_checksum(theirs));
    ping.on_reply({c.destination, theirs, 64}, {});
    EXPECT_TRUE(only<probe::ReplyEvent>(ping.take_actions()).empty());
    // A sequence we have not sent yet.
    auto ahead = reply_of(t[0]);
    core::store_be16(&ahead[6], 2);
    ahead[2] = ahead[3] = 0;
    core::store_be16(&ahead[2], wire::internet_checksum(ahead));
    ping.on_reply({c.destination, ahead, 64}, {});
    EXPECT_TRUE(only<probe::ReplyEvent>(ping.take_actions()).empty());
    ping.on_reply({c.destination, reply_of(t[0]), 64}, {});
    EXPECT_EQ(only<probe::ReplyEvent>(ping.take_actions()).size(), 1u);
    EXPECT_EQ(ping.summary().received, 1u);
    // Datagram sockets (kernel-owned identifier): no such check.
    c.check_identifier = false;
    probe::Ping dgram(c);
    dgram.start({});
    auto t2 = transmits(dgram.take_actions());
    auto other = reply_of(t2[0]);
    other[8 + 8] ^= 1;
    dgram.on_reply({c.destination, other, 64}, {});
    EXPECT_EQ(only<probe::ReplyEvent>(dgram.take_actions()).size(), 1u);
}

// With kernel transmit times the RTT is reply time - transmit time; a sequence without one
// falls back to the payload's send time (iputils' way).
TEST(Ping, KernelTransmitTimeExcludesOurScheduling) {
    FakeClock clk;
    auto c = loopback_config();
    c.sent_times_are_kernel = true;
    c.interval = 1s;
    c.count = 2;
    probe::Ping ping(c);
    ping.start(clk.now);
    auto t = transmits(ping.take_actions());
    ASSERT_EQ(t.size(), 1u);
    ping.on_sent(t[0].sequence, clk.now + 5us);  // the packet left 5 us after we built it
    ping.on_reply({c.destination, reply_of(t[0]), 64}, clk.now + 20us);
    auto r = only<probe::ReplyEvent>(ping.take_actions());
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].rtt_us, 15);
    clk.advance(1s);
    ping.on_timer(clk.now);
    auto t2 = transmits(ping.take_actions());
    ASSERT_EQ(t2.size(), 1u);
    ping.on_reply({c.destination, reply_of(t2[0]), 64}, clk.now + 20us);  // no on_sent for it
    auto r2 = only<probe::ReplyEvent>(ping.take_actions());
    ASSERT_EQ(r2.size(), 1u);
    EXPECT_EQ(r2[0].rtt_us, 20);
}

TEST(Ping, BadChecksumFlaggedWhenVerifying) {
    auto c = loopback_config();
    c.verify_checksum = true;
    probe::Ping ping(c);
    ping.start({});
    auto rep = reply_of(transmits(ping.take_actions())[0]);
    rep[20] ^= 0xFF;
    ping.on_reply({c.destination, rep, 64}, {});
    auto r = only<probe::ReplyEvent>(ping.take_actions());
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(r[0].bad_checksum);
    EXPECT_EQ(ping.summary().received, 0u);
    EXPECT_EQ(ping.summary().corrupted, 1u);
}

TEST(Ping, NoReplyLingersThenExitsWithOne) {
    FakeClock clk;
    auto c = loopback_config();
    c.count = 1;
    c.linger = 2s;
    probe::Ping ping(c);
    ping.start(clk.now);
    ping.take_actions();
    ASSERT_TRUE(ping.next_deadline());
    EXPECT_EQ(*ping.next_deadline(), clk.now + 2s);  // __schedule_exit(): lingertime
    clk.now = *ping.next_deadline();
    ping.on_timer(clk.now);
    EXPECT_TRUE(ping.finished());
    EXPECT_EQ(ping.summary().exit_code(), 1);
}

TEST(Ping, QueuedErrorCountsAndEndsWithDeadline) {
    auto c = loopback_config();
    c.deadline = 5s;
    probe::Ping ping(c);
    ping.start({});
    ping.take_actions();
    probe::QueuedIcmpError e;
    e.offender = core::Ipv4Address(198, 51, 100, 1);
    e.original_destination = c.destination;
    e.type = 11;
    e.original_type = 8;
    e.original_identifier = c.identifier;
    e.sequence = 1;
    ping.on_queued_error(e, {});
    auto a = ping.take_actions();
    auto ev = only<probe::IcmpErrorEvent>(a);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].sequence, 1);
    EXPECT_EQ(only<probe::FinishEvent>(a).size(), 1u);  // main_loop: deadline && nerrors
    EXPECT_EQ(ping.summary().errors, 1u);
}

TEST(Ping, OutstandingReportsUnansweredBeforeNextSend) {
    FakeClock clk;
    auto c = loopback_config();
    c.report_outstanding = true;
    c.count = 3;
    probe::Ping ping(c);
    ping.start(clk.now);
    ping.take_actions();
    clk.now = *ping.next_deadline();
    ping.on_timer(clk.now);
    auto na = only<probe::NoAnswerEvent>(ping.take_actions());
    ASSERT_EQ(na.size(), 1u);
    EXPECT_EQ(na[0].sequence, 1u);
}

TEST(Ping, PreloadSendsBurst) {
    auto c = loopback_config();
    c.preload = 3;
    c.count = 10;
    probe::Ping ping(c);
    ping.start({});
    EXPECT_EQ(transmits(ping.take_actions()).size(), 3u);
}

TEST(Ping, FloodWaitsTenMillisecondsWithoutReplies) {
    FakeClock clk;
    auto c = loopback_config();
    c.interval = 0s;
    c.flood = true;
    c.count = 100;
    probe::Ping ping(c);
    ping.start(clk.now);
    EXPECT_EQ(transmits(ping.take_actions()).size(), 1u);
    EXPECT_EQ(*ping.next_deadline() - clk.now, 10ms);
}

TEST(Ping, BitmapWrapsAtSixteenBits) {
    // 70000 probes, each answered: memory stays the fixed bitmap, no false duplicates on wrap.
    FakeClock clk;
    auto c = loopback_config();
    c.interval = 0s;
    c.count = 70000;
    c.payload_size = 8;
    probe::Ping ping(c);
    ping.start(clk.now);
    std::uint64_t dups = 0;
    for (int i = 0; i < 70000 && !ping.finished(); ++i) {
        auto t = transmits(ping.take_actions());
        ASSERT_EQ(t.size(), 1u) << i;
        ping.on_reply({c.destination, reply_of(t[0]), 64}, clk.now);
    }
    dups = ping.summary().duplicates;
    EXPECT_EQ(dups, 0u);
    EXPECT_EQ(ping.summary().received, 70000u) << ping.summary().transmitted << " " << ping.finished() << " " << ping.summary().corrupted;
}

TEST(RttSketch, QuantilesWithinOneSixteenth) {
    probe::RttSketch s;
    for (int i = 1; i <= 1000; ++i) s.add(i * 10);
    auto p50 = *s.quantile(0.5), p99 = *s.quantile(0.99);
    EXPECT_NEAR(p50, 5000, 5000 / 16);
    EXPECT_NEAR(p99, 9900, 9900 / 16);
    EXPECT_LE(*s.quantile(1.0), 10000);
    EXPECT_GE(*s.quantile(1.0), 10000 - 10000 / 16);
}

TEST(RttStats, IntegerSqrtMatchesNewton) {
    EXPECT_EQ(probe::integer_sqrt(0), 0);
    EXPECT_EQ(probe::integer_sqrt(1), 1);
    EXPECT_EQ(probe::integer_sqrt(89), 9);
    EXPECT_EQ(probe::integer_sqrt(144), 12);
    EXPECT_EQ(probe::integer_sqrt(1'000'000'000'000), 1'000'000);
}
