// ICMPv6: the quartet per message kind (bytes -> view, value -> bytes, bytes -> value,
// value -> bytes) on scapy-built fixtures (icmpv6_fixtures.hpp, checksums over the RFC 8200 8.1
// pseudo-header computed by scapy) and on an Echo exchange captured from Linux; truncation
// sweeps; round-trip properties on random and mutated bytes.
#include "icmpkit/wire/icmpv6.hpp"

#include <gtest/gtest.h>

#include <random>

#include "icmpkit/wire/icmpv6_types.hpp"
#include "wire/icmpv6_fixtures.hpp"
#include "wire/icmpv6_test_support.hpp"

using namespace icmpkit;
using namespace icmpkit::wire;
using namespace v6test;
using Buf = std::vector<std::uint8_t>;

namespace {

icmpv6::ParseOptions with_addresses(const core::Ipv6Address& s = src, const core::Ipv6Address& d = dst) {
    icmpv6::ParseOptions o;
    o.source = &s;
    o.destination = &d;
    return o;
}

Buf emit_keep(const icmpv6::Message& m) {
    Buf out;
    core::ByteWriter w(out);
    icmpv6::emit(m, w, icmpv6::ChecksumMode::keep);
    return out;
}

Buf emit_compute(const icmpv6::Message& m, const core::Ipv6Address& s = src, const core::Ipv6Address& d = dst) {
    Buf out;
    core::ByteWriter w(out);
    icmpv6::emit(m, w, icmpv6::ChecksumMode::compute, &s, &d);
    return out;
}

// The quartet's value halves: `expected` (built by hand from the scapy expression, checksum
// left 0) emits with a computed checksum to the fixture; the fixture parses (checksum verified)
// to `expected` with the fixture's checksum; that value re-emits byte-exact with keep.
void value_quartet(const Buf& fixture, icmpv6::Message expected) {
    EXPECT_EQ(emit_compute(expected), fixture) << "value -> bytes";
    std::visit([&](auto& m) { m.checksum = core::load_be16(&fixture[2]); }, expected);
    auto parsed = icmpv6::parse(fixture, with_addresses());
    ASSERT_TRUE(parsed.has_value()) << core::describe(parsed.error());
    EXPECT_TRUE(*parsed == expected) << "bytes -> value";
    EXPECT_EQ(emit_keep(*parsed), fixture) << "value -> bytes (keep)";
    EXPECT_EQ(icmpv6::encoded_size(*parsed), fixture.size());
}

icmpv6::MessageView view_of(const Buf& fixture) {
    auto v = icmpv6::MessageView::parse(fixture, with_addresses());
    EXPECT_TRUE(v.has_value());
    return *v;
}

Buf quoted() { return Buf(fixtures6::packet_too_big.begin() + 8, fixtures6::packet_too_big.end()); }
Buf quoted128() { Buf q = quoted(); q.resize(128, 0); return q; }

}  // namespace

TEST(Icmpv6, EchoRequestReply) {
    auto v = view_of(fixtures6::echo_request);
    EXPECT_EQ(v.type(), 128);
    EXPECT_EQ(v.identifier(), 0x1234);
    EXPECT_EQ(v.sequence(), 7);
    EXPECT_FALSE(v.is_error());
    EXPECT_EQ(v.info().wireshark_label, "Echo (ping) request");
    icmpv6::EchoRequest rq{0, 0, 0x1234, 7, B("abcdefgh")};
    value_quartet(fixtures6::echo_request, rq);
    icmpv6::EchoReply rp{0, 0, 0x1234, 7, B("abcdefgh")};
    value_quartet(fixtures6::echo_reply, rp);
}

TEST(Icmpv6, LinuxPingCapture) {
    // `ping -6 -c 1 ::1` (iputils) captured with `tcpdump -i lo`; tshark reports both checksums
    // good. ICMPv6 part of each frame (after Ethernet + IPv6 headers).
    const Buf request = {0x80,0x00,0x76,0xd3,0x3e,0xfe,0x00,0x01,0x3f,0x0f,0x03,0x6b,0x00,0x00,0x00,0x00,0xbf,0x63,0x09,0x00,0x00,0x00,0x00,0x00,0x10,0x11,0x12,0x13,0x14,0x15,0x16,0x17,0x18,0x19,0x1a,0x1b,0x1c,0x1d,0x1e,0x1f,0x20,0x21,0x22,0x23,0x24,0x25,0x26,0x27,0x28,0x29,0x2a,0x2b,0x2c,0x2d,0x2e,0x2f,0x30,0x31,0x32,0x33,0x34,0x35,0x36,0x37};
    const Buf reply = {0x81,0x00,0x75,0xd3,0x3e,0xfe,0x00,0x01,0x3f,0x0f,0x03,0x6b,0x00,0x00,0x00,0x00,0xbf,0x63,0x09,0x00,0x00,0x00,0x00,0x00,0x10,0x11,0x12,0x13,0x14,0x15,0x16,0x17,0x18,0x19,0x1a,0x1b,0x1c,0x1d,0x1e,0x1f,0x20,0x21,0x22,0x23,0x24,0x25,0x26,0x27,0x28,0x29,0x2a,0x2b,0x2c,0x2d,0x2e,0x2f,0x30,0x31,0x32,0x33,0x34,0x35,0x36,0x37};
    const auto lo = A("::1");
    for (const Buf* f : {&request, &reply}) {
        auto m = icmpv6::parse(*f, with_addresses(lo, lo));
        ASSERT_TRUE(m.has_value());
        EXPECT_EQ(emit_keep(*m), *f);
        EXPECT_EQ(emit_compute(*m, lo, lo), *f);  // our checksum equals the kernel's
    }
    auto m = icmpv6::parse(request, with_addresses(lo, lo));
    const auto& e = std::get<icmpv6::EchoRequest>(*m);
    EXPECT_EQ(e.identifier, 0x3efe);
    EXPECT_EQ(e.sequence, 1);
    EXPECT_EQ(e.data.size(), 56u);
    // The same bytes with the wrong pseudo-header fail at the checksum field.
    auto bad = icmpv6::parse(request, with_addresses(src, lo));
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error(), (core::WireError{core::Fault::bad_checksum, 2}));
}

TEST(Icmpv6, ChecksumVerification) {
    Buf f = fixtures6::echo_request;
    f[9] ^= 0x01;
    auto bad = icmpv6::MessageView::parse(f, with_addresses());
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error(), (core::WireError{core::Fault::bad_checksum, 2}));
    // Without both addresses, or when asked not to, the checksum is not verified.
    EXPECT_TRUE(icmpv6::MessageView::parse(f).has_value());
    auto o = with_addresses();
    o.destination = nullptr;
    EXPECT_TRUE(icmpv6::MessageView::parse(f, o).has_value());
    o = with_addresses();
    o.verify_checksum = false;
    EXPECT_TRUE(icmpv6::MessageView::parse(f, o).has_value());
    EXPECT_EQ(icmpv6::compute_checksum(fixtures6::echo_request, src, dst),
              core::load_be16(&fixtures6::echo_request[2]));
}

TEST(Icmpv6, DestinationUnreachable) {
    auto v = view_of(fixtures6::dest_unreach_port);
    EXPECT_EQ(v.type(), 1);
    EXPECT_EQ(v.code(), 4);
    EXPECT_TRUE(v.is_error());
    EXPECT_EQ(v.length_attribute(), 0);
    EXPECT_EQ(v.body().size(), 56u);
    icmpv6::DestinationUnreachable m;
    m.code = 4;
    m.original = quoted();
    value_quartet(fixtures6::dest_unreach_port, m);
}

TEST(Icmpv6, PacketTooBigTimeExceededParameterProblem) {
    EXPECT_EQ(view_of(fixtures6::packet_too_big).mtu(), 1280u);
    EXPECT_EQ(view_of(fixtures6::param_problem).pointer(), 6u);
    EXPECT_EQ(view_of(fixtures6::time_exceeded).type(), 3);
    icmpv6::PacketTooBig p{0, 0, 1280, quoted()};
    value_quartet(fixtures6::packet_too_big, p);
    icmpv6::TimeExceeded t;
    t.original = quoted();
    value_quartet(fixtures6::time_exceeded, t);
    icmpv6::ParameterProblem pp{1, 0, 6, quoted()};
    value_quartet(fixtures6::param_problem, pp);
}

TEST(Icmpv6, TimeExceededWithMplsExtension) {
    auto v = view_of(fixtures6::time_exceeded_mpls);
    EXPECT_EQ(v.length_attribute(), 16);  // 128 octets in 64-bit words (RFC 4884 4.2)
    icmpv6::TimeExceeded t;
    ext::ExtensionStructure e;
    e.checksum = core::load_be16(&fixtures6::time_exceeded_mpls[8 + 128 + 2]);  // scapy's
    e.objects.push_back(ext::MplsLabelStack{{ext::MplsLabelEntry{16005, 5, true, 1}}});
    t.original = quoted();
    icmpv6::attach_extensions(t, e);
    EXPECT_EQ(t.length_attribute, 16);
    EXPECT_EQ(t.original, quoted128());
    value_quartet(fixtures6::time_exceeded_mpls, t);
}

TEST(Icmpv6, DestinationUnreachableWithInterfaceInformation) {
    auto m = icmpv6::parse(fixtures6::dest_unreach_interface_info, with_addresses());
    ASSERT_TRUE(m.has_value());
    const auto& d = std::get<icmpv6::DestinationUnreachable>(*m);
    EXPECT_EQ(d.code, 3);
    EXPECT_EQ(d.length_attribute, 16);
    EXPECT_EQ(d.original, quoted128());
    ASSERT_TRUE(d.extensions.has_value());
    EXPECT_TRUE(d.extensions->checksum_valid);
    ASSERT_EQ(d.extensions->objects.size(), 1u);
    const auto& ii = std::get<ext::InterfaceInformation>(d.extensions->objects[0]);
    EXPECT_EQ(ii.ifindex, 3u);
    EXPECT_EQ(ii.mtu, 1500u);
    EXPECT_EQ(emit_keep(*m), fixtures6::dest_unreach_interface_info);
    EXPECT_EQ(emit_compute(*m), fixtures6::dest_unreach_interface_info);
}

TEST(Icmpv6, ExtensionAreaThatDoesNotParseStaysRaw) {
    icmpv6::TimeExceeded t;
    t.length_attribute = 16;
    t.original = quoted128();
    t.extension_bytes = {0x20, 0x00, 0x00, 0x00, 0x00, 0x02};  // object length 2 < 4: malformed
    Buf bytes = emit_compute(t);
    auto m = icmpv6::parse(bytes, with_addresses());
    ASSERT_TRUE(m.has_value());
    const auto& back = std::get<icmpv6::TimeExceeded>(*m);
    EXPECT_FALSE(back.extensions.has_value());
    EXPECT_EQ(back.extension_bytes, t.extension_bytes);
    EXPECT_EQ(emit_keep(*m), bytes);
}

TEST(Icmpv6, MldV1) {
    auto v = view_of(fixtures6::mld_query);
    EXPECT_EQ(v.multicast_address(), A("::"));
    EXPECT_EQ(view_of(fixtures6::mld_report).multicast_address(), A("ff02::1:ff00:2"));
    EXPECT_FALSE(view_of(fixtures6::echo_request).multicast_address().has_value());
    icmpv6::MldQuery q{0, 0, 10000, 0, A("::"), {}};
    value_quartet(fixtures6::mld_query, q);
    icmpv6::MldReport r{0, 0, 0, 0, A("ff02::1:ff00:2"), {}};
    value_quartet(fixtures6::mld_report, r);
    icmpv6::MldDone d{0, 0, 0, 0, A("ff02::1:ff00:2"), {}};
    value_quartet(fixtures6::mld_done, d);
}

TEST(Icmpv6, MldV2QueryAndReport) {
    icmpv6::Mldv2Query q;
    q.maximum_response_code = 1000;
    q.multicast_address = A("ff05::db8");
    q.suppress_router_side_processing = true;
    q.qrv = 2;
    q.qqic = 125;
    q.sources = {A("2001:db8::10"), A("2001:db8::11")};
    value_quartet(fixtures6::mldv2_query, q);

    icmpv6::Mldv2Report r;
    r.records.push_back({4, A("ff02::fb"), {}, {}});
    r.records.push_back({1, A("ff05::db8"), {A("2001:db8::10")}, B("AUXD")});
    value_quartet(fixtures6::mldv2_report, r);

    // A source count beyond the bytes is truncation at the first missing source.
    Buf f = fixtures6::mldv2_query;
    f[27] = 3;
    auto bad = icmpv6::parse(f);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error(), (core::WireError{core::Fault::truncated, 28 + 32}));
}

TEST(Icmpv6, RouterSolicitationAndAdvertisement) {
    auto v = view_of(fixtures6::router_solicitation);
    EXPECT_EQ(v.options().size(), 8u);
    icmpv6::RouterSolicitation rs;
    rs.options = {ndp::SourceLinkLayerAddress{{2, 0, 0, 0, 0, 1}}};
    value_quartet(fixtures6::router_solicitation, rs);

    icmpv6::RouterAdvertisement ra;
    ra.cur_hop_limit = 64;
    ra.managed = ra.other = true;
    ra.preference = 1;
    ra.router_lifetime = 1800;
    ra.reachable_time = 30000;
    ra.retrans_timer = 1000;
    ndp::PrefixInformation pi;
    pi.prefix_length = 64;
    pi.on_link = pi.autonomous = true;
    pi.valid_lifetime = 86400;
    pi.preferred_lifetime = 14400;
    pi.prefix = A("2001:db8:1::");
    auto p2 = A("2001:db8:2::").bytes();
    ndp::RouteInformation ri{48, 3, 0, 600, Buf(p2.begin(), p2.end())};
    ndp::DnsSearchList dnssl{0, 300, {"example.com", "lab.example.org"}, {0, 0}};
    ra.options = {ndp::SourceLinkLayerAddress{{2, 0, 0, 0, 0, 1}}, ndp::Mtu{0, 1500}, pi, ri,
                  ndp::RecursiveDnsServer{0, 300, {A("2001:db8::53"), A("2001:db8::54")}}, dnssl};
    value_quartet(fixtures6::router_advertisement, ra);
}

TEST(Icmpv6, NeighborSolicitationAdvertisementRedirect) {
    auto v = view_of(fixtures6::neighbor_solicitation);
    EXPECT_EQ(v.target(), dst);
    EXPECT_FALSE(v.destination().has_value());
    icmpv6::NeighborSolicitation ns;
    ns.target = dst;
    ns.options = {ndp::SourceLinkLayerAddress{{2, 0, 0, 0, 0, 1}}, ndp::Nonce{{1, 2, 3, 4, 5, 6}}};
    value_quartet(fixtures6::neighbor_solicitation, ns);

    icmpv6::NeighborAdvertisement na;
    na.router = na.solicited = true;
    na.target = dst;
    na.options = {ndp::TargetLinkLayerAddress{{2, 0, 0, 0, 0, 2}}};
    value_quartet(fixtures6::neighbor_advertisement, na);

    auto rv = view_of(fixtures6::redirect);
    EXPECT_EQ(rv.target(), A("fe80::1"));
    EXPECT_EQ(rv.destination(), A("2001:db8::99"));
    icmpv6::Redirect r;
    r.target = A("fe80::1");
    r.destination = A("2001:db8::99");
    r.options = {ndp::TargetLinkLayerAddress{{2, 0, 0, 0, 0, 2}}, ndp::RedirectedHeader{{}, quoted()}};
    value_quartet(fixtures6::redirect, r);
}

TEST(Icmpv6, NdOptionFaultsCarryMessageOffsets) {
    Buf f = fixtures6::router_solicitation;
    f[9] = 0;  // option length 0 (RFC 4861 4.6: discard)
    auto bad = icmpv6::parse(f);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error(), (core::WireError{core::Fault::bad_length, 8}));
    f[9] = 2;  // overruns the message
    bad = icmpv6::parse(f);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error(), (core::WireError{core::Fault::truncated, 8}));
}

TEST(Icmpv6, NodeInformation) {
    std::array<std::uint8_t, 8> nonce{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    // RFC 4620 4: Qtype 2 (Node Name); query data is the DNS-encoded name.
    icmpv6::NodeInformationQuery q{1, 0, 2, 0, nonce, Buf{7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0}};
    value_quartet(fixtures6::ni_query, q);
    // Reply data: TTL 60, then the name.
    Buf data{0, 0, 0, 60, 4, 'h', 'o', 's', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};
    icmpv6::NodeInformationResponse r{0, 0, 2, 0, nonce, data};
    value_quartet(fixtures6::ni_reply, r);
}

TEST(Icmpv6, ExtendedEcho) {
    auto v = view_of(fixtures6::extended_echo_request);
    EXPECT_EQ(v.identifier(), 0x1234);
    icmpv6::ExtendedEchoRequest rq;
    rq.identifier = 0x1234;
    rq.sequence = 5;
    rq.local = true;
    ext::ExtensionStructure e;
    e.checksum = core::load_be16(&fixtures6::extended_echo_request[10]);
    ext::InterfaceIdentification id;
    id.kind = ext::IdentificationKind::by_index;
    id.ifindex = 7;
    e.objects.push_back(id);
    rq.extensions = e;
    value_quartet(fixtures6::extended_echo_request, rq);

    // 0x46 = 010 00 1 1 0: state 2 (Reachable), A, 4 (RFC 8335 3).
    icmpv6::ExtendedEchoReply rp;
    rp.identifier = 0x1234;
    rp.sequence = 5;
    rp.state = 2;
    rp.active = rp.ipv4 = true;
    value_quartet(fixtures6::extended_echo_reply, rp);
}

TEST(Icmpv6, UnknownTypeRoundTrips) {
    icmpv6::Unknown u{200, 3, 0, {0xaa, 0xbb, 0xcc, 0xdd}, B("xyz")};
    value_quartet(fixtures6::unknown_type_200, u);
}

TEST(Icmpv6, TypeTable) {
    // Labels as tshark 4 prints them (`tshark -V` on packets built with scapy).
    EXPECT_EQ(icmpv6::type_info(128).wireshark_label, "Echo (ping) request");
    EXPECT_EQ(icmpv6::type_info(2).wireshark_label, "Packet Too Big");
    EXPECT_EQ(icmpv6::type_info(135).wireshark_label, "Neighbor Solicitation");
    EXPECT_EQ(icmpv6::type_info(140).wireshark_label, "Node Information Reply");
    EXPECT_EQ(icmpv6::type_info(143).wireshark_label, "Multicast Listener Report Message v2");
    EXPECT_EQ(icmpv6::type_info(161).wireshark_label, "Extended Echo reply");
    EXPECT_EQ(icmpv6::type_info(7).wireshark_label, "Unknown");
    EXPECT_EQ(icmpv6::type_info(137).name, "Redirect Message");
    EXPECT_TRUE(icmpv6::type_info(7).name.empty());
    for (int t = 0; t < 256; ++t) EXPECT_EQ(icmpv6::is_error(static_cast<std::uint8_t>(t)), t < 128);  // RFC 4443 2.1
    for (int t = 0; t < 256; ++t) EXPECT_EQ(icmpv6::extensions_allowed(static_cast<std::uint8_t>(t)), t == 1 || t == 3);
    EXPECT_EQ(icmpv6::code_name(1, 4), "Port unreachable");
    EXPECT_EQ(icmpv6::code_name(1, 8), "Headers too long");
    EXPECT_EQ(icmpv6::code_name(1, 9), "");
    EXPECT_EQ(icmpv6::code_name(3, 1), "Fragment reassembly time exceeded");
    EXPECT_EQ(icmpv6::code_name(4, 3), "IPv6 First Fragment has incomplete IPv6 Header Chain");
    EXPECT_EQ(icmpv6::code_name(4, 10), "Option too big");
    EXPECT_EQ(icmpv6::code_name(161, 4), "Multiple Interfaces Satisfy Query");
    EXPECT_EQ(icmpv6::code_name(128, 0), "");
}

namespace {
const std::vector<const Buf*>& all_fixtures() {
    static const std::vector<const Buf*> all = {
        &fixtures6::echo_request, &fixtures6::echo_reply, &fixtures6::dest_unreach_port,
        &fixtures6::packet_too_big, &fixtures6::time_exceeded, &fixtures6::param_problem,
        &fixtures6::time_exceeded_mpls, &fixtures6::dest_unreach_interface_info, &fixtures6::mld_query,
        &fixtures6::mld_report, &fixtures6::mld_done, &fixtures6::mldv2_query, &fixtures6::mldv2_report,
        &fixtures6::router_solicitation, &fixtures6::router_advertisement,
        &fixtures6::neighbor_solicitation, &fixtures6::neighbor_advertisement, &fixtures6::redirect,
        &fixtures6::ni_query, &fixtures6::ni_reply, &fixtures6::extended_echo_request,
        &fixtures6::extended_echo_reply, &fixtures6::unknown_type_200};
    return all;
}

// Whatever parse accepts re-emits byte-exact with keep, has the exact encoded_size, and parses
// again to the same value.
void expect_round_trip(const Buf& bytes) {
    icmpv6::ParseOptions o;
    o.verify_checksum = false;
    auto m = icmpv6::parse(bytes, o);
    if (!m) {
        EXPECT_LE(m.error().offset, bytes.size());
        return;
    }
    Buf again = emit_keep(*m);
    ASSERT_EQ(again, bytes);
    ASSERT_EQ(icmpv6::encoded_size(*m), bytes.size());
    auto m2 = icmpv6::parse(again, o);
    ASSERT_TRUE(m2.has_value());
    ASSERT_TRUE(*m2 == *m);
}
}  // namespace

TEST(Icmpv6, TruncationSweep) {
    for (const Buf* f : all_fixtures()) {
        ASSERT_TRUE(icmpv6::parse(*f, with_addresses()).has_value());
        std::size_t min = icmpv6::type_info((*f)[0]).min_size;
        for (std::size_t n = 0; n < f->size(); ++n) {
            Buf prefix(f->begin(), f->begin() + static_cast<std::ptrdiff_t>(n));
            auto m = icmpv6::parse(prefix, with_addresses());
            if (n < min) {
                ASSERT_FALSE(m.has_value());
                EXPECT_EQ(m.error(), (core::WireError{core::Fault::truncated, static_cast<std::uint32_t>(n)}));
            } else if (!m.has_value()) {
                auto f2 = m.error().fault;
                EXPECT_TRUE(f2 == core::Fault::bad_checksum || f2 == core::Fault::truncated) << n;
            }
            expect_round_trip(prefix);
        }
    }
}

TEST(Icmpv6, RandomBytesRoundTrip) {
    std::mt19937 rng(6);
    const std::uint8_t types[] = {1, 2, 3, 4, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 139, 140, 143, 160, 161, 7, 255};
    for (int i = 0; i < 30000; ++i) {
        Buf b(rng() % 96);
        for (auto& x : b) x = static_cast<std::uint8_t>(rng());
        if (!b.empty()) b[0] = types[rng() % std::size(types)];
        expect_round_trip(b);
    }
}

TEST(Icmpv6, MutatedFixturesRoundTrip) {
    std::mt19937 rng(66);
    for (int i = 0; i < 20000; ++i) {
        const Buf& f = *all_fixtures()[rng() % all_fixtures().size()];
        Buf b = f;
        int flips = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < flips; ++k) b[rng() % b.size()] = static_cast<std::uint8_t>(rng());
        if (rng() % 4 == 0) b.resize(rng() % (b.size() + 16), 0);
        expect_round_trip(b);
    }
}
