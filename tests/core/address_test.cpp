#include "icmpkit/core/address.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <random>

using namespace icmpkit::core;

TEST(Ipv4Address, ParseAndFormat) {
    auto a = Ipv4Address::parse("192.0.2.1");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->to_uint(), 0xC0000201u);
    EXPECT_EQ(a->to_string(), "192.0.2.1");
    EXPECT_EQ(Ipv4Address(255, 255, 255, 255).to_string(), "255.255.255.255");
    EXPECT_EQ(Ipv4Address(0u).to_string(), "0.0.0.0");
}

TEST(Ipv4Address, RejectsMalformed) {
    for (const char* s : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "1.2.3.4 ", "01.2.3.4", "a.b.c.d",
                          "1.2.3.", ".1.2.3", "1234.1.1.1"})
        EXPECT_FALSE(Ipv4Address::parse(s)) << s;
}

TEST(Ipv4Address, Predicates) {
    EXPECT_TRUE(Ipv4Address(127, 0, 0, 1).is_loopback());
    EXPECT_TRUE(Ipv4Address(224, 0, 0, 1).is_multicast());
    EXPECT_TRUE(Ipv4Address(255, 255, 255, 255).is_limited_broadcast());
    EXPECT_FALSE(Ipv4Address(255, 255, 255, 255).is_reserved());
    EXPECT_TRUE(Ipv4Address(240, 0, 0, 1).is_reserved());
    EXPECT_TRUE(Ipv4Address(169, 254, 1, 1).is_link_local());
}

// The formatter and parser agree with the C library's inet_ntop/inet_pton on random addresses
// with many zero groups (the interesting case for "::" placement).
TEST(Ipv6Address, AgreesWithLibcOnRandomAddresses) {
    std::mt19937 rng(1234);
    for (int i = 0; i < 20000; ++i) {
        std::array<std::uint8_t, 16> b{};
        for (int g = 0; g < 8; ++g) {
            if (rng() % 2) continue;  // leave zero
            b[2 * g] = static_cast<std::uint8_t>(rng() % 3 == 0 ? rng() : 0);
            b[2 * g + 1] = static_cast<std::uint8_t>(rng());
        }
        Ipv6Address a(b);
        char ref[INET6_ADDRSTRLEN];
        ASSERT_TRUE(inet_ntop(AF_INET6, b.data(), ref, sizeof ref));
        std::string ours = a.to_string();
        // glibc prints ::a.b.c.d for v4-compatible forms; RFC 5952 allows hex there, so compare
        // through parsing for those and textually otherwise.
        bool v4compat = std::string(ref).find('.') != std::string::npos && !a.is_v4_mapped();
        if (!v4compat) {
            EXPECT_EQ(ours, ref);
        }
        auto back = Ipv6Address::parse(ours);
        ASSERT_TRUE(back) << ours;
        EXPECT_EQ(*back, a) << ours;
        auto from_ref = Ipv6Address::parse(ref);
        ASSERT_TRUE(from_ref) << ref;
        EXPECT_EQ(*from_ref, a) << ref;
    }
}

TEST(Ipv6Address, Rfc5952Examples) {
    EXPECT_EQ(Ipv6Address::parse("2001:0db8:0000:0000:0000:0000:0000:0001")->to_string(), "2001:db8::1");
    EXPECT_EQ(Ipv6Address::parse("2001:db8:0:0:1:0:0:1")->to_string(), "2001:db8::1:0:0:1");
    EXPECT_EQ(Ipv6Address::parse("2001:db8:0:1:1:1:1:1")->to_string(), "2001:db8:0:1:1:1:1:1");
    EXPECT_EQ(Ipv6Address::parse("::")->to_string(), "::");
    EXPECT_EQ(Ipv6Address::parse("::1")->to_string(), "::1");
    EXPECT_EQ(Ipv6Address::parse("fe80::")->to_string(), "fe80::");
    EXPECT_EQ(Ipv6Address::parse("::ffff:192.0.2.1")->to_string(), "::ffff:192.0.2.1");
}

TEST(Ipv6Address, RejectsMalformed) {
    for (const char* s : {"", ":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "1:2:3:4:5:6:7",
                          "g::1", "1:", ":1", "1::2:3:4:5:6:7:8", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4"})
        EXPECT_FALSE(Ipv6Address::parse(s)) << s;
}

TEST(IpAddress, EitherFamily) {
    auto a = IpAddress::parse("2001:db8::5");
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->is_v6());
    auto b = IpAddress::parse("203.0.113.5");
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->is_v4());
    EXPECT_EQ(b->to_string(), "203.0.113.5");
    EXPECT_FALSE(IpAddress::parse("example"));
}
