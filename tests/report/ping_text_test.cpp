// Texts from iputils ping.c pr_icmph() / ping6_common.c print_icmp() / gather_statistics().
#include <gtest/gtest.h>

#include "icmpkit/report/ping_text.hpp"

using namespace icmpkit;

TEST(PingText, Icmpv4ErrorTexts) {
    EXPECT_EQ(report::describe_icmpv4(11, 0, 0), "Time to live exceeded");
    EXPECT_EQ(report::describe_icmpv4(3, 3, 0), "Destination Port Unreachable");
    EXPECT_EQ(report::describe_icmpv4(3, 4, 1400), "Frag needed and DF set (mtu = 1400)");
    EXPECT_EQ(report::describe_icmpv4(3, 13, 0), "Packet filtered");
    EXPECT_EQ(report::describe_icmpv4(3, 99, 0), "Dest Unreachable, Bad Code: 99");
    EXPECT_EQ(report::describe_icmpv4(12, 0, 20), "Parameter problem: pointer = 20");
}

TEST(PingText, Icmpv6ErrorTexts) {
    EXPECT_EQ(report::describe_icmpv6(3, 0, 0), "Time exceeded: Hop limit");
    EXPECT_EQ(report::describe_icmpv6(1, 4, 0), "Destination unreachable: Port unreachable");
    EXPECT_EQ(report::describe_icmpv6(2, 0, 1280), "Packet too big: mtu=1280");
    EXPECT_EQ(report::describe_icmpv6(4, 1, 40), "Parameter problem: Unknown header at 40");
}

TEST(PingText, RttPrecisionAsIputils) {
    EXPECT_EQ(report::format_rtt_us(45), "0.045");
    EXPECT_EQ(report::format_rtt_us(1234), "1.23");
    EXPECT_EQ(report::format_rtt_us(12345), "12.3");
    EXPECT_EQ(report::format_rtt_us(123456), "123");
}

TEST(PingText, ReplyLineAndSummary) {
    report::PingText t({}, core::Family::v4, [](const core::IpAddress& a) { return a.to_string(); });
    probe::ReplyEvent r;
    r.sequence = 1;
    r.from = core::Ipv4Address(127, 0, 0, 1);
    r.ttl = 64;
    r.rtt_us = 45;
    r.bytes = 64;
    r.duplicate = true;
    EXPECT_EQ(t.event(r, {}).out, "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms (DUP!)\n");
    probe::PingSummary s;
    s.transmitted = 3;
    s.received = 2;
    s.errors = 1;
    s.elapsed = std::chrono::milliseconds(402);
    EXPECT_EQ(t.summary("h", s),
              "\n--- h ping statistics ---\n3 packets transmitted, 2 received, +1 errors, 33.3333% packet loss, time 402ms\n\n");
}
