#include "icmpkit/wire/ipv6.hpp"

#include <gtest/gtest.h>

#include <random>

#include "icmpkit/wire/ip_protocol.hpp"
#include "wire/ip_fixtures.hpp"

using namespace icmpkit;
using wire::Ipv6HeaderView;

TEST(Ipv6, ViewAccessorsAndValueQuartet) {
    auto v = Ipv6HeaderView::parse(fixtures::v6_udp);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->version(), 6);
    EXPECT_EQ(v->traffic_class(), 0xb8);
    EXPECT_EQ(v->flow_label(), 0x12345u);
    EXPECT_EQ(v->payload_length(), 12);
    EXPECT_EQ(v->next_header(), 17);
    EXPECT_EQ(v->hop_limit(), 9);
    EXPECT_EQ(v->source(), *core::Ipv6Address::parse("2001:db8::1"));
    EXPECT_EQ(v->destination(), *core::Ipv6Address::parse("2001:db8:1::2"));
    EXPECT_EQ(v->payload().size(), 12u);
    auto h = wire::Ipv6Header::parse(fixtures::v6_udp);
    ASSERT_TRUE(h);
    core::Buffer b;
    core::ByteWriter w(b);
    h->emit(w);
    EXPECT_EQ(b, std::vector<std::uint8_t>(fixtures::v6_udp.begin(), fixtures::v6_udp.begin() + 40));
    wire::Ipv6Header hand{0xb8, 0x12345, 12, 17, 9, *core::Ipv6Address::parse("2001:db8::1"),
                          *core::Ipv6Address::parse("2001:db8:1::2")};
    EXPECT_EQ(hand, *h);
}

TEST(Ipv6, Rejections) {
    auto d = fixtures::v6_udp;
    d[0] = 0x4b;
    EXPECT_EQ(Ipv6HeaderView::parse(d).error(), (core::WireError{core::Fault::bad_version, 0}));
    for (std::size_t n = 0; n < fixtures::v6_udp.size(); ++n) {
        auto r = Ipv6HeaderView::parse(core::Bytes(fixtures::v6_udp).first(n));
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error(), (core::WireError{core::Fault::truncated, static_cast<std::uint32_t>(n)}));
        EXPECT_EQ(Ipv6HeaderView::parse_header_only(core::Bytes(fixtures::v6_udp).first(n)).has_value(), n >= 40);
    }
}

// scapy's chain: HBH(router alert) -> routing -> fragment(m=1) -> dstopts -> AH -> ICMPv6 echo.
TEST(Ipv6, ChainWalkOverScapyChain) {
    auto c = wire::walk_ipv6_chain(fixtures::v6_chain);
    ASSERT_TRUE(c);
    EXPECT_FALSE(c->truncated);
    EXPECT_FALSE(c->error);
    ASSERT_EQ(c->headers.size(), 5u);
    const std::uint8_t types[] = {0, 43, 44, 60, 51};
    const std::uint32_t offsets[] = {40, 48, 72, 80, 88};
    const std::uint32_t lengths[] = {8, 24, 8, 8, 24};
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(c->headers[i].type, types[i]);
        EXPECT_EQ(c->headers[i].offset, offsets[i]);
        EXPECT_EQ(c->headers[i].length, lengths[i]);
    }
    ASSERT_TRUE(c->fragment);
    EXPECT_EQ(c->fragment->offset, 0u);
    EXPECT_TRUE(c->fragment->more);
    EXPECT_EQ(c->fragment->identification, 0xabcdef01u);
    EXPECT_EQ(c->upper_layer_protocol, 58);
    EXPECT_EQ(c->upper_layer_offset, 112u);
    EXPECT_EQ(fixtures::v6_chain[112], 128);  // echo request

    // Every prefix: no crash; a prefix that cuts an extension header says truncated.
    for (std::size_t n = 40; n < 112; ++n) {
        auto p = wire::walk_ipv6_chain(core::Bytes(fixtures::v6_chain).first(n));
        ASSERT_TRUE(p);
        EXPECT_TRUE(p->truncated) << n;
    }
}

TEST(Ipv6, ExtensionValuesRoundTripExactly) {
    core::Bytes d(fixtures::v6_chain);
    std::uint8_t nh = d[6];
    std::size_t pos = 40;
    core::Buffer out;
    core::ByteWriter w(out);
    std::vector<wire::Ipv6Extension> exts;
    while (wire::is_ipv6_extension_header(nh)) {
        auto e = wire::parse_ipv6_extension(nh, d.subspan(pos));
        ASSERT_TRUE(e);
        std::size_t len = wire::encoded_size(*e);
        EXPECT_EQ(wire::extension_type(*e), nh);
        wire::emit(w, *e);
        exts.push_back(*e);
        nh = d[pos];
        pos += len;
    }
    EXPECT_EQ(out, std::vector<std::uint8_t>(d.begin() + 40, d.begin() + 112));
    auto& hbh = std::get<wire::Ipv6OptionsHeader>(exts[0]);
    ASSERT_EQ(hbh.options.size(), 2u);
    EXPECT_EQ(std::get<wire::RouterAlert>(hbh.options[0]).value, 0);
    auto& rt = std::get<wire::Ipv6RoutingHeader>(exts[1]);
    EXPECT_EQ(rt.segments_left, 1);
    auto& ah = std::get<wire::Ipv6AuthHeader>(exts[4]);
    EXPECT_EQ(ah.spi, 0x100u);
    EXPECT_EQ(ah.sequence, 5u);
    EXPECT_EQ(ah.icv, std::vector<std::uint8_t>(12, 0x11));
    // A hand-built options header is padded to 8 bytes with PadN.
    wire::Ipv6Extension jumbo = wire::Ipv6OptionsHeader{0, 58, {wire::JumboPayload{70000}}};
    core::Buffer jb;
    core::ByteWriter jw(jb);
    wire::emit(jw, jumbo);
    EXPECT_EQ(jb, (std::vector<std::uint8_t>{58, 0, 0xC2, 4, 0, 1, 0x11, 0x70}));  // RFC 2675 layout
}

TEST(Ipv6, NonInitialFragmentStopsTheWalk) {
    auto c = wire::walk_ipv6_chain(fixtures::v6_frag2);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->fragment);
    EXPECT_EQ(c->fragment->offset, 80u);
    EXPECT_FALSE(c->fragment->more);
    EXPECT_EQ(c->fragment->identification, 5u);
    EXPECT_EQ(c->upper_layer_protocol, 17);
}

TEST(Ipv6, GarbageChainsAreBounded) {
    // 100 destination-options headers that each name another: the walk stops at 32.
    std::vector<std::uint8_t> d(100 * 8, 0);
    for (std::size_t i = 0; i < d.size(); i += 8) d[i] = 60;
    auto c = wire::walk_ipv6_chain(60, d, 40);
    ASSERT_TRUE(c.error);
    EXPECT_EQ(c.error->fault, core::Fault::bad_option);
    EXPECT_EQ(c.error->offset, 40u + 32 * 8);
    EXPECT_EQ(c.headers.size(), 32u);
    // Hop-by-hop after another header (RFC 8200 4.1): pointer at the naming next-header byte.
    std::vector<std::uint8_t> h = {0, 0, 1, 4, 0, 0, 0, 0, 6, 0, 1, 4, 0, 0, 0, 0};
    auto c2 = wire::walk_ipv6_chain(60, h, 40);
    ASSERT_TRUE(c2.error);
    EXPECT_EQ(*c2.error, (core::WireError{core::Fault::bad_value, 40}));
    // Random garbage never runs on or reads out of bounds.
    std::mt19937 rng(8200);
    for (int i = 0; i < 20000; ++i) {
        std::vector<std::uint8_t> g(rng() % 600);
        for (auto& x : g) x = static_cast<std::uint8_t>((rng() % 4) ? std::array<int, 6>{0, 43, 44, 60, 51, 135}[rng() % 6] : rng());
        auto r = wire::walk_ipv6_chain(static_cast<std::uint8_t>(rng() % 2 ? 0 : 60), g, 40);
        EXPECT_LE(r.headers.size(), wire::Ipv6Chain::max_headers);
        EXPECT_LE(r.upper_layer_offset, 40 + g.size() + 2048);
    }
}

TEST(Ipv6, OptionFaults) {
    const std::uint8_t ra_bad[] = {5, 3, 0, 0, 0};
    EXPECT_EQ(wire::parse_ipv6_options(ra_bad).error(), (core::WireError{core::Fault::bad_option, 1}));
    const std::uint8_t past[] = {0, 1, 9, 0};
    EXPECT_EQ(wire::parse_ipv6_options(past).error(), (core::WireError{core::Fault::bad_option, 2}));
    const std::uint8_t unknown[] = {0x3e, 2, 0xaa, 0xbb};
    auto o = wire::parse_ipv6_options(unknown);
    ASSERT_TRUE(o);
    EXPECT_EQ(std::get<wire::Ipv6RawOption>((*o)[0]).data, (std::vector<std::uint8_t>{0xaa, 0xbb}));
}

TEST(Ipv6, RandomExtensionValuesRoundTrip) {
    std::mt19937 rng(4302);
    for (int i = 0; i < 3000; ++i) {
        wire::Ipv6Extension e;
        switch (rng() % 4) {
            case 0: {
                wire::Ipv6OptionsHeader o{static_cast<std::uint8_t>(rng() % 2 ? 0 : 60), static_cast<std::uint8_t>(rng()), {}};
                for (int k = rng() % 4; k > 0; --k) {
                    if (rng() % 2) o.options.emplace_back(wire::RouterAlert{static_cast<std::uint16_t>(rng())});
                    else o.options.emplace_back(wire::Ipv6RawOption{static_cast<std::uint8_t>(0x3e), std::vector<std::uint8_t>(rng() % 20, 7)});
                }
                e = o;
                break;
            }
            case 1: e = wire::Ipv6RoutingHeader{static_cast<std::uint8_t>(rng()), 4, static_cast<std::uint8_t>(rng()), std::vector<std::uint8_t>(4 + 8 * (rng() % 4), 9)}; break;
            case 2: e = wire::Ipv6FragmentHeader{static_cast<std::uint8_t>(rng()), 0, (rng() & 0x1FFF) * 8, 0, (rng() & 1) != 0, static_cast<std::uint32_t>(rng())}; break;
            default: e = wire::Ipv6AuthHeader{static_cast<std::uint8_t>(rng()), 0, static_cast<std::uint32_t>(rng()), static_cast<std::uint32_t>(rng()), std::vector<std::uint8_t>(4 * (rng() % 5), 3)};
        }
        core::Buffer b;
        core::ByteWriter w(b);
        wire::emit(w, e);
        ASSERT_EQ(b.size(), wire::encoded_size(e));
        auto back = wire::parse_ipv6_extension(wire::extension_type(e), b);
        ASSERT_TRUE(back);
        core::Buffer b2;
        core::ByteWriter w2(b2);
        wire::emit(w2, *back);
        EXPECT_EQ(b2, b);
        if (!std::holds_alternative<wire::Ipv6OptionsHeader>(e)) EXPECT_EQ(*back, e);  // options gain padding
    }
}
