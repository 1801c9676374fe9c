#include "icmpkit/wire/ipv4.hpp"

#include <gtest/gtest.h>

#include <random>

#include "icmpkit/wire/checksum.hpp"
#include "wire/ip_fixtures.hpp"

using namespace icmpkit;
using wire::Ipv4Header;
using wire::Ipv4HeaderView;

namespace {
core::Buffer emit(const Ipv4Header& h) {
    core::Buffer b;
    core::ByteWriter w(b);
    h.emit(w);
    return b;
}
core::Bytes header_of(const std::vector<std::uint8_t>& d) { return core::Bytes(d).first((d[0] & 0xF) * 4); }
}  // namespace

TEST(Ipv4, ViewAccessorsOnScapyUdp) {
    auto v = Ipv4HeaderView::parse(fixtures::v4_udp, true);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->version(), 4);
    EXPECT_EQ(v->header_length(), 20u);
    EXPECT_EQ(v->tos(), 0xb9);
    EXPECT_EQ(v->dscp(), 0xb9 >> 2);
    EXPECT_EQ(v->ecn(), 1);
    EXPECT_EQ(v->total_length(), 33);
    EXPECT_EQ(v->identification(), 0x1234);
    EXPECT_TRUE(v->dont_fragment());
    EXPECT_FALSE(v->more_fragments());
    EXPECT_EQ(v->fragment_offset(), 0u);
    EXPECT_EQ(v->ttl(), 17);
    EXPECT_EQ(v->protocol(), 17);
    EXPECT_EQ(v->header_checksum(), 0x6aa3);  // scapy's value
    EXPECT_TRUE(v->checksum_valid());
    EXPECT_EQ(v->source(), core::Ipv4Address(192, 0, 2, 1));
    EXPECT_EQ(v->destination(), core::Ipv4Address(198, 51, 100, 7));
    EXPECT_TRUE(v->options().empty());
    EXPECT_EQ(v->payload().size(), 13u);
    EXPECT_EQ(v->payload()[0], 0x82);  // UDP source port 33434 = 0x829a
}

TEST(Ipv4, OptionsOnScapyFixture) {
    auto v = Ipv4HeaderView::parse(fixtures::v4_opts, true);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->header_length(), 48u);
    auto opts = wire::parse_ipv4_options(v->options());
    ASSERT_TRUE(opts);
    ASSERT_EQ(opts->size(), 4u);
    auto& rr = std::get<wire::RecordRoute>((*opts)[0]);
    EXPECT_EQ(rr.type, 7);
    EXPECT_EQ(rr.pointer, 8);
    ASSERT_EQ(rr.route.size(), 2u);
    EXPECT_EQ(rr.route[0], core::Ipv4Address(192, 0, 2, 10));
    EXPECT_TRUE(std::holds_alternative<wire::NoOperation>((*opts)[1]));
    auto& ts = std::get<wire::Timestamp>((*opts)[2]);
    EXPECT_EQ(ts.pointer, 13);
    EXPECT_EQ(ts.overflow, 2);
    EXPECT_EQ(ts.flag, 1);
    ASSERT_EQ(ts.entries.size(), 1u);
    EXPECT_EQ(ts.entries[0].address, core::Ipv4Address(192, 0, 2, 20));
    EXPECT_EQ(ts.entries[0].timestamp, 1000u);
    auto& eol = std::get<wire::EndOfOptionList>((*opts)[3]);
    EXPECT_EQ(eol.padding, std::vector<std::uint8_t>(3, 0));

    auto t = Ipv4HeaderView::parse(fixtures::v4_ts);
    ASSERT_TRUE(t);
    auto topts = wire::parse_ipv4_options(t->options());
    ASSERT_TRUE(topts);
    auto& ts0 = std::get<wire::Timestamp>((*topts)[0]);
    EXPECT_EQ(ts0.flag, 0);
    ASSERT_EQ(ts0.entries.size(), 1u);
    EXPECT_FALSE(ts0.entries[0].address.has_value());
    EXPECT_EQ(ts0.entries[0].timestamp, 86399999u);
}

// The quartet: bytes -> value, value -> bytes (exact), and a value built by hand -> the same bytes.
TEST(Ipv4, ValueRoundTripsScapyBytesExactly) {
    for (const auto* f : {&fixtures::v4_udp, &fixtures::v4_opts, &fixtures::v4_ts, &fixtures::v4_tcp}) {
        auto h = Ipv4Header::parse(*f);
        ASSERT_TRUE(h);
        auto out = emit(*h);
        EXPECT_EQ(out, std::vector<std::uint8_t>(header_of(*f).begin(), header_of(*f).end()));
        // With the checksum left to emit(), it computes scapy's value.
        h->header_checksum.reset();
        EXPECT_EQ(emit(*h), out);
    }
}

TEST(Ipv4, HandBuiltValueEmitsScapyBytes) {
    Ipv4Header h;
    h.dscp = 0xb9 >> 2;
    h.ecn = 1;
    h.total_length = 33;
    h.identification = 0x1234;
    h.dont_fragment = true;
    h.ttl = 17;
    h.protocol = 17;
    h.source = core::Ipv4Address(192, 0, 2, 1);
    h.destination = core::Ipv4Address(198, 51, 100, 7);
    auto out = emit(h);
    EXPECT_EQ(out, std::vector<std::uint8_t>(fixtures::v4_udp.begin(), fixtures::v4_udp.begin() + 20));
    EXPECT_EQ(h.encoded_size(), 20u);
}

TEST(Ipv4, Rejections) {
    auto d = fixtures::v4_udp;
    d[0] = 0x65;
    EXPECT_EQ(Ipv4HeaderView::parse(d).error(), (core::WireError{core::Fault::bad_version, 0}));
    d[0] = 0x44;
    EXPECT_EQ(Ipv4HeaderView::parse(d).error(), (core::WireError{core::Fault::bad_header_length, 0}));
    d = fixtures::v4_udp;
    d[3] = 19;  // total_length < IHL*4
    EXPECT_EQ(Ipv4HeaderView::parse(d).error(), (core::WireError{core::Fault::bad_length, 2}));
    d = fixtures::v4_udp;
    d[10] ^= 1;
    EXPECT_TRUE(Ipv4HeaderView::parse(d));
    EXPECT_EQ(Ipv4HeaderView::parse(d, true).error(), (core::WireError{core::Fault::bad_checksum, 10}));
    // Extra bytes past total_length are not payload.
    d = fixtures::v4_udp;
    d.push_back(0xEE);
    EXPECT_EQ(Ipv4HeaderView::parse(d)->payload().size(), 13u);
}

TEST(Ipv4, OptionFaults) {
    const std::uint8_t missing_len[] = {1, 7};
    EXPECT_EQ(wire::parse_ipv4_options(missing_len).error(), (core::WireError{core::Fault::bad_option, 2}));
    const std::uint8_t short_len[] = {1, 1, 0x83, 1, 0};
    EXPECT_EQ(wire::parse_ipv4_options(short_len).error(), (core::WireError{core::Fault::bad_option, 3}));
    const std::uint8_t past_end[] = {0x94, 6, 0, 0};
    EXPECT_EQ(wire::parse_ipv4_options(past_end).error(), (core::WireError{core::Fault::bad_option, 1}));
    const std::uint8_t bad_rr[] = {7, 5, 4, 0, 0};  // 2 bytes of route: not a whole address
    EXPECT_EQ(wire::parse_ipv4_options(bad_rr).error(), (core::WireError{core::Fault::bad_option, 1}));
    // Router alert (148, RFC 2113) is not typed here: a raw option that round-trips.
    const std::uint8_t ra[] = {0x94, 4, 0, 0};
    auto o = wire::parse_ipv4_options(ra);
    ASSERT_TRUE(o);
    auto& raw = std::get<wire::RawOption>((*o)[0]);
    EXPECT_EQ(raw.type, 0x94);
    EXPECT_EQ(raw.data, (std::vector<std::uint8_t>{0, 0}));
    // An unknown timestamp flag is kept raw.
    const std::uint8_t ts2[] = {68, 8, 5, 2, 0, 0, 0, 1};
    auto t = wire::parse_ipv4_options(ts2);
    ASSERT_TRUE(t);
    EXPECT_TRUE(std::holds_alternative<wire::RawOption>((*t)[0]));
}

TEST(Ipv4, TruncationSweepOverEveryPrefix) {
    for (const auto* f : {&fixtures::v4_udp, &fixtures::v4_opts, &fixtures::v4_ts, &fixtures::v4_tcp}) {
        std::size_t hl = ((*f)[0] & 0xF) * 4;
        for (std::size_t n = 0; n < f->size(); ++n) {
            core::Bytes p(f->data(), n);
            auto v = Ipv4HeaderView::parse(p);
            ASSERT_FALSE(v) << n;
            EXPECT_EQ(v.error().fault, core::Fault::truncated) << n;
            EXPECT_EQ(v.error().offset, n) << n;  // the first missing byte
            auto h = Ipv4HeaderView::parse_header_only(p);
            EXPECT_EQ(h.has_value(), n >= hl) << n;
            if (h) {
                EXPECT_EQ(h->payload().size(), n - hl);
            }
        }
    }
}

// Random valid headers: value -> bytes -> value is the identity, and the checksum verifies.
TEST(Ipv4, RandomValuesRoundTrip) {
    std::mt19937 rng(791);
    for (int i = 0; i < 3000; ++i) {
        Ipv4Header h;
        h.dscp = rng() & 0x3F;
        h.ecn = rng() & 3;
        h.identification = static_cast<std::uint16_t>(rng());
        h.reserved_flag = rng() & 1;
        h.dont_fragment = rng() & 1;
        h.more_fragments = rng() & 1;
        h.fragment_offset = (rng() & 0x1FFF) * 8;
        h.ttl = static_cast<std::uint8_t>(rng());
        h.protocol = static_cast<std::uint8_t>(rng());
        h.source = core::Ipv4Address(static_cast<std::uint32_t>(rng()));
        h.destination = core::Ipv4Address(static_cast<std::uint32_t>(rng()));
        std::size_t room = 40;
        while (room > 0 && rng() % 3) {
            std::size_t kind = rng() % 4;
            if (kind == 0) { h.options.emplace_back(wire::NoOperation{}); room -= 1; }
            else if (kind == 1 && room >= 7) {
                wire::RecordRoute r{static_cast<std::uint8_t>((rng() & 1) ? 7 : 131), 4, {}};
                for (std::size_t k = 0; k < (room - 3) / 4 && rng() % 2; ++k) r.route.push_back(core::Ipv4Address(static_cast<std::uint32_t>(rng())));
                room -= wire::encoded_size(wire::Ipv4Option{r});
                h.options.emplace_back(std::move(r));
            } else if (kind == 2 && room >= 12) {
                wire::Timestamp t{5, static_cast<std::uint8_t>(rng() & 15), 1, {}};
                t.entries.push_back({core::Ipv4Address(static_cast<std::uint32_t>(rng())), static_cast<std::uint32_t>(rng())});
                room -= 12;
                h.options.emplace_back(std::move(t));
            } else if (room >= 2) {
                std::uint8_t type = static_cast<std::uint8_t>(130 + rng() % 4 * 2);  // not 131/137
                wire::RawOption r{type, std::vector<std::uint8_t>(rng() % (room - 1))};
                room -= 2 + r.data.size();
                h.options.emplace_back(std::move(r));
            }
        }
        // Fill the options area to the 4-byte boundary with an explicit EOL so the value is exact.
        std::size_t used = 40 - room;
        if (used % 4) h.options.emplace_back(wire::EndOfOptionList{std::vector<std::uint8_t>(3 - used % 4, 0)});
        h.total_length = static_cast<std::uint16_t>(h.encoded_size());
        auto bytes = emit(h);
        ASSERT_EQ(bytes.size(), h.encoded_size());
        auto back = Ipv4Header::parse(bytes, true);
        ASSERT_TRUE(back) << i;
        h.header_checksum = back->header_checksum;
        EXPECT_EQ(*back, h) << i;
        EXPECT_EQ(emit(*back), bytes);
    }
}
