// net's lab pieces that need no privileges: the datagram check at the TUN boundary and the
// refusal of non-documentation addresses before any command runs.
#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

#include "icmpkit/net/lab.hpp"
#include "icmpkit/net/tun.hpp"

namespace {

using namespace icmpkit;

// IPv4 header, hand-computed: 45 00 0014 0000 4000 40 01 cksum c000020a cb00710a
// (20 bytes, DF, TTL 64, ICMP, 192.0.2.10 -> 203.0.113.10). One's complement sum of the words
// 4500+0014+0000+4000+4001+c000+020a+cb00+710a = 0x2c329 -> 0xc32b; checksum 0x3cd4.
std::vector<std::uint8_t> ipv4_header() {
    return {0x45, 0x00, 0x00, 0x14, 0x00, 0x00, 0x40, 0x00, 0x40, 0x01,
            0x3c, 0xd4, 0xc0, 0x00, 0x02, 0x0a, 0xcb, 0x00, 0x71, 0x0a};
}

TEST(LabDatagram, AcceptsASoundIpv4Header) { EXPECT_TRUE(net::is_sound_datagram(ipv4_header())); }

TEST(LabDatagram, RejectsABadIpv4Checksum) {
    auto p = ipv4_header();
    p[11] ^= 1;
    EXPECT_FALSE(net::is_sound_datagram(p));
}

TEST(LabDatagram, RejectsATotalLengthOtherThanTheDatagram) {
    auto p = ipv4_header();
    p.push_back(0);  // one byte more than total_length says
    EXPECT_FALSE(net::is_sound_datagram(p));
}

TEST(LabDatagram, Ipv6NeedsFortyBytesPlusPayloadLength) {
    std::vector<std::uint8_t> p(40, 0);
    p[0] = 0x60;
    p[6] = 59;  // no next header
    p[7] = 64;
    EXPECT_TRUE(net::is_sound_datagram(p));
    p[5] = 8;  // payload_length 8, none present
    EXPECT_FALSE(net::is_sound_datagram(p));
    p.resize(48);
    EXPECT_TRUE(net::is_sound_datagram(p));
}

TEST(LabDatagram, RejectsEmptyAndOtherVersions) {
    EXPECT_FALSE(net::is_sound_datagram({}));
    std::vector<std::uint8_t> p = ipv4_header();
    p[0] = 0x55;
    EXPECT_FALSE(net::is_sound_datagram(p));
    EXPECT_FALSE(net::is_sound_datagram(std::vector<std::uint8_t>{0xff}));
}

TEST(LabDevice, RefusesAddressesOutsideTheDocumentationRanges) {
    for (const char* a : {"10.0.0.1", "192.0.3.1", "2001:db9::1", "::1"}) {
        auto r = net::configure_lab_device("icmpkit-none0", 1500, {*core::IpAddress::parse(a)});
        ASSERT_FALSE(r.has_value()) << a;
        EXPECT_EQ(r.error().error_number, EINVAL) << a;
        EXPECT_NE(r.error().operation.find("documentation"), std::string::npos) << r.error().operation;
    }
}

TEST(LabDevice, RoutesOnlyTheDocumentationPrefixes) {
    auto v4 = net::lab_route_prefixes(core::Family::v4);
    auto v6 = net::lab_route_prefixes(core::Family::v6);
    ASSERT_EQ(v4.size(), 3u);
    EXPECT_STREQ(v4[0], "192.0.2.0/24");
    EXPECT_STREQ(v4[1], "198.51.100.0/24");
    EXPECT_STREQ(v4[2], "203.0.113.0/24");
    ASSERT_EQ(v6.size(), 1u);
    EXPECT_STREQ(v6[0], "2001:db8::/32");
}

}  // namespace
