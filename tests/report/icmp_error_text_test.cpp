// describe_error() / error_phrase(): one sentence for every ICMPv4 (RFC 792, 1122, 1812) and
// ICMPv6 (RFC 4443, 6554, 8883) unreachable code. Expected names are the RFCs' own.
#include <gtest/gtest.h>

#include <set>

#include "icmpkit/report/icmp_error_text.hpp"

using namespace icmpkit;

namespace {

probe::IcmpError make(core::Family f, std::uint8_t type, std::uint8_t code, std::uint32_t info = 0) {
    probe::IcmpError e;
    e.origin = f == core::Family::v4 ? probe::ErrorOrigin::icmp : probe::ErrorOrigin::icmp6;
    e.type = type, e.code = code;
    e.classification = probe::classify_error(f, type, code, info);
    e.mtu = e.classification.mtu;
    bool v6 = f == core::Family::v6;
    e.reporter = v6 ? core::IpAddress(*core::Ipv6Address::parse("2001:db8:2::1")) : core::IpAddress(core::Ipv4Address(198, 51, 100, 1));
    core::IpAddress src = v6 ? core::IpAddress(*core::Ipv6Address::parse("2001:db8:1::2")) : core::IpAddress(core::Ipv4Address(192, 0, 2, 10));
    core::IpAddress dst = v6 ? core::IpAddress(*core::Ipv6Address::parse("2001:db8:3::9")) : core::IpAddress(core::Ipv4Address(203, 0, 113, 9));
    e.flow = wire::FlowKey{src, dst, 17, 45612, 53};
    return e;
}

}  // namespace

TEST(IcmpErrorText, EveryV4UnreachableCode) {
    const char* names[16] = {"network unreachable", "host unreachable", "protocol unreachable", "port unreachable",
                             "fragmentation needed", "source route failed", "destination network unknown",
                             "destination host unknown", "source host isolated", "network administratively prohibited",
                             "host administratively prohibited", "network unreachable for type of service",
                             "host unreachable for type of service", "administratively prohibited",
                             "host precedence violation", "precedence cutoff in effect"};
    std::set<std::string> sentences;
    for (std::uint8_t c = 0; c < 16; ++c) {
        EXPECT_EQ(report::error_phrase(core::Family::v4, 3, c), names[c]) << int(c);
        auto s = report::describe_error(make(core::Family::v4, 3, c, 1400));
        EXPECT_NE(s.find("203.0.113.9"), std::string::npos) << s;
        EXPECT_NE(s.find(", reported by 198.51.100.1"), std::string::npos) << s;
        sentences.insert(s);
    }
    EXPECT_EQ(sentences.size(), 16u);  // every code says something different
    EXPECT_EQ(report::error_phrase(core::Family::v4, 3, 16), "destination unreachable (code 16)");
}

TEST(IcmpErrorText, EveryV6UnreachableCode) {
    const char* names[9] = {"no route to destination", "administratively prohibited",
                            "beyond scope of source address", "address unreachable", "port unreachable",
                            "source address failed ingress/egress policy", "reject route to destination",
                            "error in source routing header", "headers too long"};
    std::set<std::string> sentences;
    for (std::uint8_t c = 0; c < 9; ++c) {
        EXPECT_EQ(report::error_phrase(core::Family::v6, 1, c), names[c]) << int(c);
        auto s = report::describe_error(make(core::Family::v6, 1, c));
        EXPECT_NE(s.find("2001:db8:3::9"), std::string::npos) << s;
        EXPECT_NE(s.find(", reported by 2001:db8:2::1"), std::string::npos) << s;
        sentences.insert(s);
    }
    EXPECT_EQ(sentences.size(), 9u);
}

TEST(IcmpErrorText, ExactSentences) {
    auto port = make(core::Family::v4, 3, 3);
    port.reporter = core::IpAddress(core::Ipv4Address(203, 0, 113, 9));
    EXPECT_EQ(report::describe_error(port), "port 53/udp unreachable at 203.0.113.9, reported by 203.0.113.9");
    EXPECT_EQ(report::describe_error(make(core::Family::v4, 3, 4, 1400)),
              "fragmentation needed toward 203.0.113.9 (next-hop MTU 1400), reported by 198.51.100.1");
    EXPECT_EQ(report::describe_error(make(core::Family::v4, 11, 0)),
              "TTL exceeded in transit toward 203.0.113.9, reported by 198.51.100.1");
    EXPECT_EQ(report::describe_error(make(core::Family::v6, 2, 0, 1280)),
              "packet too big toward 2001:db8:3::9 (MTU 1280), reported by 2001:db8:2::1");
    EXPECT_EQ(report::describe_error(make(core::Family::v6, 3, 0)),
              "hop limit exceeded in transit toward 2001:db8:3::9, reported by 2001:db8:2::1");
    EXPECT_EQ(report::describe_flow(*make(core::Family::v4, 3, 3).flow), "192.0.2.10:45612 \u2192 203.0.113.9:53/udp");
    EXPECT_EQ(report::describe_flow(*make(core::Family::v6, 1, 4).flow), "[2001:db8:1::2]:45612 \u2192 [2001:db8:3::9]:53/udp");
}

TEST(IcmpErrorText, JsonHasTheFields) {
    std::string out;
    report::JsonWriter w(out);
    report::write_error_json(w, make(core::Family::v4, 3, 13));
    EXPECT_NE(out.find("\"reason\":\"admin_prohibited\""), std::string::npos) << out;
    EXPECT_NE(out.find("\"reporter\":\"198.51.100.1\""), std::string::npos) << out;
    EXPECT_NE(out.find("\"dst_port\":53"), std::string::npos) << out;
}
