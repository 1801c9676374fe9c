// ND options: the quartet per option kind on scapy-built fixtures (icmpv6_fixtures.hpp), RFC 4861
// 4.6 faults, Raw fallbacks for lengths that do not fit a layout, truncation sweep and random
// round-trip properties.
#include "icmpkit/wire/ndp.hpp"

#include <gtest/gtest.h>

#include <random>

#include "wire/icmpv6_fixtures.hpp"
#include "wire/icmpv6_test_support.hpp"

using namespace icmpkit;
using namespace icmpkit::wire;
using namespace v6test;
using Buf = std::vector<std::uint8_t>;

namespace {

Buf emit_all(const std::vector<ndp::Option>& o) {
    Buf out;
    core::ByteWriter w(out);
    ndp::emit(o, w);
    return out;
}

// value -> bytes, bytes -> value, value -> bytes again, encoded_size.
void option_quartet(const Buf& fixture, const ndp::Option& expected) {
    EXPECT_EQ(emit_all({expected}), fixture) << "value -> bytes";
    auto parsed = ndp::parse_options(fixture);
    ASSERT_TRUE(parsed.has_value()) << core::describe(parsed.error());
    ASSERT_EQ(parsed->size(), 1u);
    EXPECT_TRUE((*parsed)[0] == expected) << "bytes -> value";
    EXPECT_EQ(emit_all(*parsed), fixture);
    EXPECT_EQ(ndp::encoded_size(*parsed), fixture.size());
    EXPECT_EQ(ndp::option_type_of((*parsed)[0]), fixture[0]);
}

Buf addr_bytes(std::string_view a) { auto b = A(a).bytes(); return Buf(b.begin(), b.end()); }

}  // namespace

TEST(Ndp, LinkLayerAddresses) {
    option_quartet(fixtures6::opt_source_ll, ndp::SourceLinkLayerAddress{{2, 0, 0, 0, 0, 1}});
    option_quartet(fixtures6::opt_target_ll, ndp::TargetLinkLayerAddress{{2, 0, 0, 0, 0, 2}});
}

TEST(Ndp, PrefixInformation) {
    ndp::PrefixInformation p;
    p.prefix_length = 64;
    p.on_link = true;
    p.router_address = true;
    p.reserved1 = 3;
    p.valid_lifetime = 0xffffffff;  // infinity (RFC 4861 4.6.2)
    p.preferred_lifetime = 600;
    p.reserved2 = 0x01020304;
    p.prefix = A("2001:db8:1::");
    option_quartet(fixtures6::opt_prefix_info, p);
}

TEST(Ndp, RedirectedHeaderMtuNonce) {
    Buf q(fixtures6::opt_redirected_header.begin() + 8, fixtures6::opt_redirected_header.end());
    ASSERT_EQ(q.size(), 56u);  // the quoted IPv6/UDP datagram of the fixture script
    EXPECT_EQ(q[0] >> 4, 6);
    option_quartet(fixtures6::opt_redirected_header, ndp::RedirectedHeader{{}, q});
    option_quartet(fixtures6::opt_mtu, ndp::Mtu{0x0102, 1280});
    option_quartet(fixtures6::opt_nonce, ndp::Nonce{{0xde, 0xad, 0xbe, 0xef, 1, 2}});
}

TEST(Ndp, RouteInformation) {
    option_quartet(fixtures6::opt_route_info_0, ndp::RouteInformation{0, 1, 0, 1800, {}});
    option_quartet(fixtures6::opt_route_info_64, ndp::RouteInformation{64, 0, 0, 600, addr_bytes("2001:db8:3:4::")});
    option_quartet(fixtures6::opt_route_info_128, ndp::RouteInformation{128, 3, 0, 60, addr_bytes("2001:db8::42")});
    // Length 2 (8-byte prefix), hand-built from RFC 4191 2.3.
    const Buf len2 = {24, 2, 56, 0x08, 0, 0, 0, 10, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0};
    option_quartet(len2, ndp::RouteInformation{56, 1, 0, 10, {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0}});
}

TEST(Ndp, RdnssAndDnssl) {
    option_quartet(fixtures6::opt_rdnss, ndp::RecursiveDnsServer{0, 300, {A("2001:db8::53")}});
    option_quartet(fixtures6::opt_dnssl, ndp::DnsSearchList{0, 600, {"example.com", "lab.example.org"}, {0, 0}});
}

TEST(Ndp, UnknownOptionIsRaw) {
    option_quartet(fixtures6::opt_unknown_250, ndp::Raw{250, B("0123456789abcd")});
}

TEST(Ndp, LengthsThatDoNotFitALayoutStayRaw) {
    // Prefix Information of length 3, MTU of length 2, RDNSS of length 2 (even), Route
    // Information of length 4: each kept whole as Raw.
    for (auto [type, len] : {std::pair{3, 3}, {5, 2}, {25, 2}, {24, 4}, {31, 1}}) {
        Buf b(static_cast<std::size_t>(len) * 8, 0x5a);
        b[0] = static_cast<std::uint8_t>(type);
        b[1] = static_cast<std::uint8_t>(len);
        auto o = ndp::parse_options(b);
        ASSERT_TRUE(o.has_value());
        ASSERT_TRUE(std::holds_alternative<ndp::Raw>((*o)[0])) << type;
        EXPECT_EQ(emit_all(*o), b);
    }
}

TEST(Ndp, DnsslNamesThatTextCannotCarryStayRaw) {
    // 2 units: reserved, lifetime, then a name. A '.' inside a label, a compression pointer, and a
    // name without its root label each keep the option Raw.
    const Buf dot = {31, 2, 0, 0, 0, 0, 0, 1, 3, 'a', '.', 'b', 0, 0, 0, 0};
    const Buf ptr = {31, 2, 0, 0, 0, 0, 0, 1, 0xc0, 0x0c, 0, 0, 0, 0, 0, 0};
    const Buf open = {31, 2, 0, 0, 0, 0, 0, 1, 7, 'a', 'b', 'c', 'd', 'e', 'f', 'g'};
    for (const Buf* b : {&dot, &ptr, &open}) {
        auto o = ndp::parse_options(*b);
        ASSERT_TRUE(o.has_value());
        EXPECT_TRUE(std::holds_alternative<ndp::Raw>((*o)[0]));
        EXPECT_EQ(emit_all(*o), *b);
    }
    // Non-zero bytes after the names are kept as padding (RFC 8106 5.2 says zeros; we keep what came).
    const Buf junk = {31, 2, 0, 0, 0, 0, 0, 1, 1, 'a', 0, 0, 9, 9, 9, 9};
    auto o = ndp::parse_options(junk);
    ASSERT_TRUE(o.has_value());
    const auto& d = std::get<ndp::DnsSearchList>((*o)[0]);
    EXPECT_EQ(d.domains, std::vector<std::string>{"a"});
    EXPECT_EQ(d.padding, (Buf{0, 9, 9, 9, 9}));
    EXPECT_EQ(emit_all(*o), junk);
}

TEST(Ndp, Faults) {
    // RFC 4861 4.6: an option of length 0 -> bad_length at that option.
    Buf b = fixtures6::opt_source_ll;
    b.insert(b.end(), {3, 0, 0, 0, 0, 0, 0, 0});
    auto r = ndp::parse_options(b, 24);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), (core::WireError{core::Fault::bad_length, 24 + 8}));
    // Overrunning the bytes -> truncated at that option; a lone trailing byte too.
    b = fixtures6::opt_source_ll;
    b.insert(b.end(), {5, 1, 0, 0});
    r = ndp::parse_options(b);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), (core::WireError{core::Fault::truncated, 8}));
    b = fixtures6::opt_source_ll;
    b.push_back(1);
    r = ndp::parse_options(b);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), (core::WireError{core::Fault::truncated, 8}));
    EXPECT_TRUE(ndp::parse_options({}).has_value());  // no options at all is fine
}

TEST(Ndp, EmitPadsValuesThatDoNotFillAUnit) {
    Buf out = emit_all({ndp::SourceLinkLayerAddress{{1, 2, 3, 4, 5, 6, 7}}});  // e.g. a 7-byte address
    EXPECT_EQ(out, (Buf{1, 2, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0}));
    EXPECT_EQ(ndp::encoded_size(ndp::Option{ndp::SourceLinkLayerAddress{{1, 2, 3, 4, 5, 6, 7}}}), 16u);
}

namespace {
void expect_round_trip(const Buf& b) {
    auto o = ndp::parse_options(b);
    if (!o) {
        EXPECT_LT(o.error().offset, b.size());
        return;
    }
    ASSERT_EQ(emit_all(*o), b);
    ASSERT_EQ(ndp::encoded_size(*o), b.size());
    auto again = ndp::parse_options(b);
    ASSERT_TRUE(again.has_value());
    ASSERT_TRUE(*again == *o);
}
}  // namespace

TEST(Ndp, TruncationSweep) {
    for (const Buf* f : {&fixtures6::opt_source_ll, &fixtures6::opt_prefix_info, &fixtures6::opt_redirected_header,
                         &fixtures6::opt_mtu, &fixtures6::opt_route_info_128, &fixtures6::opt_rdnss,
                         &fixtures6::opt_dnssl, &fixtures6::opt_unknown_250}) {
        for (std::size_t n = 1; n < f->size(); ++n) {
            Buf p(f->begin(), f->begin() + static_cast<std::ptrdiff_t>(n));
            auto o = ndp::parse_options(p);
            ASSERT_FALSE(o.has_value());
            EXPECT_EQ(o.error(), (core::WireError{core::Fault::truncated, 0}));
        }
    }
}

TEST(Ndp, RandomOptionListsRoundTrip) {
    std::mt19937 rng(4861);
    const std::uint8_t types[] = {1, 2, 3, 4, 5, 14, 24, 25, 31, 200};
    for (int i = 0; i < 30000; ++i) {
        Buf b;
        int n = static_cast<int>(rng() % 4);
        for (int k = 0; k < n; ++k) {
            std::size_t len = rng() % 6;
            std::size_t start = b.size();
            b.resize(start + std::max<std::size_t>(len * 8, 2));
            for (std::size_t j = start; j < b.size(); ++j) b[j] = static_cast<std::uint8_t>(rng() % 3 ? rng() % 20 : rng());
            b[start] = types[rng() % std::size(types)];
            b[start + 1] = static_cast<std::uint8_t>(len);
        }
        expect_round_trip(b);
    }
}
