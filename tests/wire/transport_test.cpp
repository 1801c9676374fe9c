#include "icmpkit/wire/transport.hpp"

#include <gtest/gtest.h>

#include <random>

#include "icmpkit/wire/ip_protocol.hpp"
#include "wire/ip_fixtures.hpp"

using namespace icmpkit;

namespace {
core::IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) { return core::Ipv4Address(a, b, c, d); }
core::IpAddress v6(const char* s) { return *core::Ipv6Address::parse(s); }
}  // namespace

TEST(Udp, QuartetOnScapyV4AndV6) {
    core::Bytes seg = core::Bytes(fixtures::v4_udp).subspan(20);
    auto v = wire::UdpHeaderView::parse(seg);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->source_port(), 33434);
    EXPECT_EQ(v->destination_port(), 53);
    EXPECT_EQ(v->length(), 13);
    EXPECT_EQ(v->checksum(), 0x4cf6);
    EXPECT_EQ(v->payload().size(), 5u);
    auto s4 = v4(192, 0, 2, 1), d4 = v4(198, 51, 100, 7);
    EXPECT_TRUE(v->checksum_valid(s4, d4));
    EXPECT_FALSE(v->checksum_valid(s4, v4(198, 51, 100, 8)));
    // value -> bytes with the checksum computed equals scapy's segment.
    wire::UdpHeader h{33434, 53, 0, 0};
    core::Buffer b;
    core::ByteWriter w(b);
    h.emit(w, v->payload(), s4, d4);
    EXPECT_EQ(b, std::vector<std::uint8_t>(seg.begin(), seg.end()));
    auto back = wire::UdpHeader::parse(seg);
    ASSERT_TRUE(back);
    core::Buffer b2;
    core::ByteWriter w2(b2);
    back->emit(w2);
    EXPECT_EQ(b2, std::vector<std::uint8_t>(seg.begin(), seg.begin() + 8));

    core::Bytes seg6 = core::Bytes(fixtures::v6_udp).subspan(40);
    auto u6 = wire::UdpHeaderView::parse(seg6);
    ASSERT_TRUE(u6);
    EXPECT_TRUE(u6->checksum_valid(v6("2001:db8::1"), v6("2001:db8:1::2")));
    core::Buffer b6;
    core::ByteWriter w6(b6);
    wire::UdpHeader{5000, 33435, 0, 0}.emit(w6, u6->payload(), v6("2001:db8::1"), v6("2001:db8:1::2"));
    EXPECT_EQ(b6, std::vector<std::uint8_t>(seg6.begin(), seg6.end()));
}

TEST(Udp, ZeroChecksumAndFaults) {
    std::vector<std::uint8_t> d = {0, 1, 0, 2, 0, 8, 0, 0};
    auto v = wire::UdpHeaderView::parse(d);
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->checksum_valid(v4(192, 0, 2, 1), v4(192, 0, 2, 2)));  // RFC 768: none
    EXPECT_FALSE(v->checksum_valid(v6("2001:db8::1"), v6("2001:db8::2")));  // RFC 8200 8.1
    d[5] = 7;
    EXPECT_EQ(wire::UdpHeaderView::parse(d).error(), (core::WireError{core::Fault::bad_length, 4}));
    d[5] = 9;
    EXPECT_EQ(wire::UdpHeaderView::parse(d).error(), (core::WireError{core::Fault::truncated, 8}));
    for (std::size_t n = 0; n < 8; ++n)
        EXPECT_EQ(wire::UdpHeaderView::parse(core::Bytes(d).first(n)).error(), (core::WireError{core::Fault::truncated, static_cast<std::uint32_t>(n)}));
}

TEST(Tcp, QuartetOnScapySynAck) {
    core::Bytes seg = core::Bytes(fixtures::v4_tcp).subspan(20);
    auto v = wire::TcpHeaderView::parse(seg);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->source_port(), 40000);
    EXPECT_EQ(v->destination_port(), 443);
    EXPECT_EQ(v->sequence_number(), 0xdeadbeefu);
    EXPECT_EQ(v->acknowledgment_number(), 0x01020304u);
    EXPECT_EQ(v->data_offset(), 7);
    EXPECT_EQ(v->flags(), wire::tcp_flag::syn | wire::tcp_flag::ack);
    EXPECT_EQ(v->window(), 29200);
    EXPECT_EQ(v->urgent_pointer(), 0);
    EXPECT_EQ(v->options().size(), 8u);
    EXPECT_EQ(v->payload().size(), 3u);
    auto s = v4(198, 51, 100, 2), d = v4(203, 0, 113, 80);
    EXPECT_TRUE(v->checksum_valid(s, d));
    auto h = wire::TcpHeader::from_view(*v);
    core::Buffer b;
    core::ByteWriter w(b);
    h.emit(w);
    EXPECT_EQ(b, std::vector<std::uint8_t>(seg.begin(), seg.begin() + 28));
    h.checksum = 0;
    core::Buffer b2;
    core::ByteWriter w2(b2);
    h.emit(w2, v->payload(), s, d);
    EXPECT_EQ(b2, std::vector<std::uint8_t>(seg.begin(), seg.end()));
}

TEST(Tcp, FaultsAndTruncationSweep) {
    auto seg = std::vector<std::uint8_t>(fixtures::v4_tcp.begin() + 20, fixtures::v4_tcp.end());
    for (std::size_t n = 0; n < 28; ++n)
        EXPECT_EQ(wire::TcpHeaderView::parse(core::Bytes(seg).first(n)).error(), (core::WireError{core::Fault::truncated, static_cast<std::uint32_t>(n)}));
    seg[12] = 0x40;
    EXPECT_EQ(wire::TcpHeaderView::parse(seg).error(), (core::WireError{core::Fault::bad_header_length, 12}));
}

TEST(Tcp, RandomValuesRoundTripAndVerify) {
    std::mt19937 rng(9293);
    for (int i = 0; i < 2000; ++i) {
        wire::TcpHeader h{static_cast<std::uint16_t>(rng()), static_cast<std::uint16_t>(rng()), static_cast<std::uint32_t>(rng()),
                          static_cast<std::uint32_t>(rng()), static_cast<std::uint8_t>(rng() & 15), static_cast<std::uint8_t>(rng()),
                          static_cast<std::uint16_t>(rng()), 0, static_cast<std::uint16_t>(rng()),
                          std::vector<std::uint8_t>(4 * (rng() % 11), 1)};
        std::vector<std::uint8_t> payload(rng() % 50, 0x5a);
        auto s = v6("2001:db8::5"), d = v6("2001:db8::6");
        core::Buffer b;
        core::ByteWriter w(b);
        h.emit(w, payload, s, d);
        auto v = wire::TcpHeaderView::parse(b);
        ASSERT_TRUE(v);
        EXPECT_TRUE(v->checksum_valid(s, d));
        h.checksum = v->checksum();
        EXPECT_EQ(wire::TcpHeader::from_view(*v), h);
    }
}
