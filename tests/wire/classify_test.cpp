// classify(): one row per ICMPv4 / ICMPv6 unreachable code (RFC 792, RFC 1122 3.2.2.1, RFC 1812
// 5.2.7.1; RFC 4443 3.1, RFC 6554, RFC 8883), plus the other kinds and the quoted flow key.
#include <gtest/gtest.h>

#include "icmpkit/wire/classify.hpp"

using namespace icmpkit;
using namespace icmpkit::wire;
using R = UnreachableReason;

namespace {
// Hand-built IPv4 + UDP quote: 192.0.2.10:45612 -> 203.0.113.5:33434.
core::Buffer udp_quote() {
    return {0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 192, 0, 2, 10, 203, 0, 113, 5,
            0xB2, 0x2C, 0x82, 0x9A, 0, 8, 0, 0};
}
}  // namespace

TEST(Classify, EveryV4UnreachableCode) {
    const R expected[] = {R::network, R::host, R::protocol, R::port, R::fragmentation_needed,
                          R::source_route_failed, R::network_unknown, R::host_unknown,
                          R::source_host_isolated, R::network_prohibited, R::host_prohibited,
                          R::network_tos, R::host_tos, R::admin_prohibited, R::host_precedence,
                          R::precedence_cutoff};
    for (int code = 0; code < 256; ++code) {
        icmpv4::DestinationUnreachable m;
        m.code = static_cast<std::uint8_t>(code);
        m.next_hop_mtu = 1280;
        m.original = udp_quote();
        auto c = classify(icmpv4::Message{m});
        SCOPED_TRACE(code);
        EXPECT_EQ(c.kind, Kind::destination_unreachable);
        EXPECT_TRUE(c.is_error);
        EXPECT_EQ(c.family, core::Family::v4);
        EXPECT_EQ(c.unreachable, code < 16 ? expected[code] : R::other);
        EXPECT_EQ(c.mtu.has_value(), code == 4);
        if (code == 4) EXPECT_EQ(*c.mtu, 1280u);
        ASSERT_TRUE(c.quoted_flow);
        EXPECT_EQ(c.quoted_flow->src, core::IpAddress(core::Ipv4Address(192, 0, 2, 10)));
        EXPECT_EQ(c.quoted_flow->dst, core::IpAddress(core::Ipv4Address(203, 0, 113, 5)));
        EXPECT_EQ(c.quoted_flow->protocol, 17);
        EXPECT_EQ(c.quoted_flow->src_port, 45612);
        EXPECT_EQ(c.quoted_flow->dst_port, 33434);
    }
}

TEST(Classify, EveryV6UnreachableCode) {
    const R expected[] = {R::no_route, R::admin_prohibited, R::beyond_scope, R::address, R::port,
                          R::source_policy, R::reject_route, R::source_routing_header,
                          R::headers_too_long};
    for (int code = 0; code < 256; ++code) {
        icmpv6::DestinationUnreachable m;
        m.code = static_cast<std::uint8_t>(code);
        auto c = classify(icmpv6::Message{m});
        SCOPED_TRACE(code);
        EXPECT_EQ(c.kind, Kind::destination_unreachable);
        EXPECT_TRUE(c.is_error);
        EXPECT_EQ(c.family, core::Family::v6);
        EXPECT_EQ(c.unreachable, code < 9 ? expected[code] : R::other);
        EXPECT_FALSE(c.quoted_flow);  // nothing quoted
    }
}

TEST(Classify, OtherKinds) {
    icmpv6::PacketTooBig ptb;
    ptb.mtu = 1280;
    auto c = classify(icmpv6::Message{ptb});
    EXPECT_EQ(c.kind, Kind::packet_too_big);
    EXPECT_EQ(c.mtu, 1280u);

    icmpv4::TimeExceeded te4;
    te4.code = 1;
    EXPECT_EQ(classify(icmpv4::Message{te4}).time_exceeded, TimeExceededReason::reassembly);
    icmpv6::TimeExceeded te6;
    EXPECT_EQ(classify(icmpv6::Message{te6}).time_exceeded, TimeExceededReason::in_transit);

    icmpv4::ParameterProblem pp4;
    pp4.pointer = 9;
    EXPECT_EQ(classify(icmpv4::Message{pp4}).pointer, 9u);
    icmpv6::ParameterProblem pp6;
    pp6.code = 1;
    pp6.pointer = 40;
    auto c6 = classify(icmpv6::Message{pp6});
    EXPECT_EQ(c6.kind, Kind::parameter_problem);
    EXPECT_EQ(c6.pointer, 40u);

    icmpv4::EchoRequest e;
    e.identifier = 7;
    e.sequence = 9;
    auto ce = classify(icmpv4::Message{e});
    EXPECT_EQ(ce.kind, Kind::echo_request);
    EXPECT_FALSE(ce.is_error);
    EXPECT_EQ(ce.identifier, 7);
    EXPECT_EQ(ce.sequence, 9);
    EXPECT_EQ(classify(icmpv6::Message{icmpv6::EchoReply{}}).kind, Kind::echo_reply);
    EXPECT_EQ(classify(icmpv6::Message{icmpv6::NeighborSolicitation{}}).kind, Kind::neighbor_solicitation);
    EXPECT_EQ(classify(icmpv6::Message{icmpv6::Mldv2Report{}}).kind, Kind::mld_report);
    EXPECT_EQ(classify(icmpv4::Message{icmpv4::AddressMaskReply{}}).kind, Kind::address_mask_reply);
    EXPECT_EQ(classify(icmpv4::Message{icmpv4::Timestamp{}}).kind, Kind::timestamp_request);
    icmpv4::Unknown u;
    u.type = 77;
    auto cu = classify(icmpv4::Message{u});
    EXPECT_EQ(cu.kind, Kind::other);
    EXPECT_EQ(cu.type, 77);
    EXPECT_EQ(kind_name(Kind::packet_too_big), "packet_too_big");
    EXPECT_EQ(reason_name(R::admin_prohibited), "admin_prohibited");
}
