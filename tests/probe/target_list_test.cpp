// -g and -f parsing: sizes and ends derived by hand (fping add_cidr(): /n < 31 drops the network
// and broadcast address).
#include <gtest/gtest.h>

#include "icmpkit/probe/target_list.hpp"

using namespace icmpkit;

TEST(TargetList, Ipv4CidrDropsNetworkAndBroadcast) {
    auto r = probe::generate_cidr("192.0.2.0/28");
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->size(), 14u);
    EXPECT_EQ(r->front().to_string(), "192.0.2.1");
    EXPECT_EQ(r->back().to_string(), "192.0.2.14");
    auto host = probe::generate_cidr("192.0.2.7/32");
    ASSERT_EQ(host->size(), 1u);
    EXPECT_EQ(host->front().to_string(), "192.0.2.7");
    EXPECT_EQ(probe::generate_cidr("192.0.2.6/31")->size(), 2u);
    EXPECT_EQ(probe::generate_cidr("127.0.0.0/16")->size(), 65534u);
    EXPECT_EQ(probe::generate_cidr("192.0.2.77/24")->front().to_string(), "192.0.2.1");
}

TEST(TargetList, Ipv6CidrAllAddresses) {
    auto r = probe::generate_cidr("2001:db8::/120");
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->size(), 256u);
    EXPECT_EQ(r->front().to_string(), "2001:db8::");
    EXPECT_EQ(r->back().to_string(), "2001:db8::ff");
    EXPECT_EQ(probe::generate_cidr("2001:db8::1:0/112")->back().to_string(), "2001:db8::1:ffff");
}

TEST(TargetList, RefusesAbsurdSizesAndBadPrefixes) {
    EXPECT_EQ(probe::generate_cidr("10.0.0.0/8").error(), "-g parameter generates too many addresses");
    EXPECT_EQ(probe::generate_cidr("2001:db8::/64").error(), "-g parameter generates too many addresses");
    EXPECT_EQ(probe::generate_cidr("192.0.2.0/33").error(), "netmask must be between 1 and 32 (is: 33)");
    EXPECT_EQ(probe::generate_cidr("192.0.2.0/x").error(), "netmask must be between 1 and 32 (is: x)");
    EXPECT_FALSE(probe::generate_cidr("192.0.2.0").has_value());
    EXPECT_FALSE(probe::generate_cidr("nonsense/24").has_value());
    EXPECT_EQ(probe::generate_cidr("198.51.100.0/24", 100).error(), "-g parameter generates too many addresses");
}

TEST(TargetList, Ranges) {
    auto r = probe::generate_range("192.0.2.250", "192.0.3.2");
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->size(), 9u);
    EXPECT_EQ((*r)[6].to_string(), "192.0.3.0");
    EXPECT_TRUE(probe::generate_range("192.0.2.9", "192.0.2.1")->empty());
    auto v6 = probe::generate_range("2001:db8::ffff:ffff:ffff:fffe", "2001:db8:0:1::1");
    ASSERT_TRUE(v6.has_value());
    ASSERT_EQ(v6->size(), 4u);
    EXPECT_EQ((*v6)[2].to_string(), "2001:db8:0:1::");
    EXPECT_FALSE(probe::generate_range("192.0.2.1", "2001:db8::1").has_value());
    EXPECT_FALSE(probe::generate_range("0.0.0.0", "255.255.255.255").has_value());
}

TEST(TargetList, LinesFirstWordCommentsBlank) {
    auto r = probe::parse_target_lines("127.0.0.1\n# comment\n\n  ::1  trailing words\r\n\thost#x\nlast");
    ASSERT_EQ(r.targets.size(), 4u);
    EXPECT_EQ(r.targets[0], "127.0.0.1");
    EXPECT_EQ(r.targets[1], "::1");
    EXPECT_EQ(r.targets[2], "host");
    EXPECT_EQ(r.targets[3], "last");
    EXPECT_FALSE(r.truncated);
    auto t = probe::parse_target_lines("a\nb\nc\n", 2);
    EXPECT_EQ(t.targets.size(), 2u);
    EXPECT_TRUE(t.truncated);
}
