// IPv6 behaviour: echo (incremental checksum, multicast), errors and their rows, the 1280 limit,
// Neighbor Discovery answers.
#include <algorithm>

#include "icmpkit/wire/icmpv6.hpp"
#include "icmpkit/wire/ipv6.hpp"
#include "stack_test_support.hpp"

namespace icmpkit::stack::test {
namespace {

namespace w6 = wire::icmpv6;

core::Buffer ipv6_packet(const char* src, const char* dst, std::uint8_t nh, core::Bytes payload, std::uint8_t hl = 64) {
    wire::Ipv6Header h;
    h.source = v6(src);
    h.destination = v6(dst);
    h.next_header = nh;
    h.hop_limit = hl;
    h.payload_length = static_cast<std::uint16_t>(payload.size());
    core::Buffer out;
    core::ByteWriter w(out);
    h.emit(w);
    w.bytes(payload);
    return out;
}

core::Buffer icmp6(const char* src, const char* dst, const w6::Message& m, std::uint8_t hl = 64) {
    auto s = v6(src), d = v6(dst);
    core::Buffer icmp;
    core::ByteWriter w(icmp);
    w6::emit(m, w, w6::ChecksumMode::compute, &s, &d);
    return ipv6_packet(src, dst, wire::ip_protocol::icmpv6, icmp, hl);
}

core::Buffer udp6(const char* src, const char* dst, std::size_t n = 32, std::uint8_t hl = 64, std::uint16_t port = 33434) {
    core::Buffer payload(n, 0x5A);
    wire::UdpHeader u;
    u.source_port = 40000;
    u.destination_port = port;
    core::Buffer seg;
    core::ByteWriter w(seg);
    u.emit(w, payload, core::IpAddress(v6(src)), core::IpAddress(v6(dst)));
    return ipv6_packet(src, dst, wire::ip_protocol::udp, seg, hl);
}

struct SentV6 {
    wire::Ipv6HeaderView ip;
    w6::MessageView icmp;
};
std::optional<SentV6> sent_icmpv6(const Transmit& t) {
    auto ip = wire::Ipv6HeaderView::parse(t.bytes);
    if (!ip || ip->next_header() != wire::ip_protocol::icmpv6) return std::nullopt;
    auto s = ip->source(), d = ip->destination();
    auto m = w6::MessageView::parse(ip->payload(), {true, &s, &d});  // checksum verified
    if (!m) return std::nullopt;
    return SentV6{*ip, *m};
}

w6::EchoRequest echo_req(std::size_t n = 56) {
    w6::EchoRequest e;
    e.identifier = 0x77;
    e.sequence = 2;
    for (std::size_t i = 0; i < n; ++i) e.data.push_back(static_cast<std::uint8_t>(i));
    return e;
}

TEST(NodeV6, EchoReplyUnicastAndMulticast) {
    for (const char* dst : {"2001:db8:1::10", "ff02::1"}) {
        Node node(host_config());
        auto req = icmp6("2001:db8:1::99", dst, echo_req());
        auto t = transmits(node.receive({req, 1, std::string_view(dst) == "ff02::1"}, at_ms(0), wall_at(0)));
        ASSERT_EQ(t.size(), 1u) << dst;
        auto s = sent_icmpv6(t[0]);
        ASSERT_TRUE(s) << dst;  // checksum over the new pseudo-header verifies
        EXPECT_EQ(s->icmp.type(), 129);
        EXPECT_EQ(s->ip.source(), v6("2001:db8:1::10"));
        EXPECT_EQ(s->ip.destination(), v6("2001:db8:1::99"));
        core::Bytes r(req);
        EXPECT_TRUE(std::equal(s->icmp.bytes().begin() + 4, s->icmp.bytes().end(), r.begin() + 44));
        EXPECT_TRUE(node.counters().balanced());
    }
}

struct Row6 {
    const char* name;
    bool router;
    std::function<core::Buffer()> packet;
    std::optional<std::pair<int, int>> generated;
    std::optional<SuppressReason> suppressed;
    std::optional<DropReason> dropped;
    std::uint32_t rest = 0;  // expected MTU / pointer
};

class RulesV6 : public ::testing::TestWithParam<Row6> {};

TEST_P(RulesV6, Row) {
    const Row6& r = GetParam();
    auto c = r.router ? router_config() : host_config();
    c.interfaces[std::min<std::size_t>(1, c.interfaces.size() - 1)].mtu = r.router ? 1400 : 1500;
    Node node(c);
    auto pkt = r.packet();
    auto out = node.receive({pkt, 1, false}, at_ms(0), wall_at(0));
    auto t = transmits(out);
    std::vector<SentV6> icmp;
    for (const auto& x : t)
        if (auto s = sent_icmpv6(x)) icmp.push_back(*s);
    if (r.generated) {
        ASSERT_EQ(icmp.size(), 1u) << r.name;
        EXPECT_EQ(icmp[0].icmp.type(), r.generated->first);
        EXPECT_EQ(icmp[0].icmp.code(), r.generated->second);
        EXPECT_EQ(icmp[0].icmp.rest_of_header(), r.rest);
        EXPECT_LE(icmp[0].ip.header().size() + icmp[0].ip.payload().size(), max_error_size_v6);
        core::Bytes body = icmp[0].icmp.body();
        EXPECT_TRUE(std::equal(body.begin(), body.begin() + std::min<std::ptrdiff_t>(40, body.size()), pkt.begin()));
    } else {
        EXPECT_TRUE(icmp.empty()) << r.name;
    }
    if (r.suppressed) EXPECT_EQ(node.counters().suppressed_for(*r.suppressed), 1u);
    EXPECT_EQ(drop_of(out), r.dropped) << r.name;
    EXPECT_TRUE(node.counters().balanced());
}

std::vector<Row6> rows6() {
    w6::TimeExceeded te;
    te.original = udp6("2001:db8:3::5", "2001:db8:1::10");
    return {
        {"hop_limit_exceeded_rfc4443_3_3", true, [] { return udp6("2001:db8:1::10", "2001:db8:3::5", 32, 1); }, {{3, 0}}, {},
         DropReason::ttl_exceeded},
        {"no_route_code_0_rfc4443_3_1", true, [] { return udp6("2001:db8:1::10", "2001:db8:9::5"); }, {{1, 0}}, {},
         DropReason::no_route},
        {"packet_too_big_rfc4443_3_2_rfc8201", true, [] { return udp6("2001:db8:1::10", "2001:db8:3::5", 1400); },
         {{2, 0}}, {}, DropReason::too_big, 1400},
        {"port_unreachable_code_4_rfc4443_3_1", false, [] { return udp6("2001:db8:1::99", "2001:db8:1::10"); }, {{1, 4}},
         {}, DropReason::port_unreachable},
        {"unrecognized_next_header_param_problem_code_1_rfc4443_3_4", false,
         [] { return ipv6_packet("2001:db8:1::99", "2001:db8:1::10", 200, core::Buffer(16, 1)); }, {{4, 1}}, {},
         DropReason::protocol_unreachable, 6},
        {"never_about_icmpv6_error_rfc4443_2_4_e1", true,
         [te] { return icmp6("2001:db8:1::10", "2001:db8:3::5", te, 1); }, {}, SuppressReason::about_icmp_error,
         DropReason::ttl_exceeded},
        {"never_to_multicast_destination_rfc4443_2_4_e3", false, [] { return udp6("2001:db8:1::99", "ff02::1"); }, {},
         SuppressReason::group_destination, DropReason::port_unreachable},
        {"never_when_source_unspecified_rfc4443_2_4_e6", false, [] { return udp6("::", "2001:db8:1::10"); }, {},
         SuppressReason::source_not_one_host, DropReason::port_unreachable},
    };
}

INSTANTIATE_TEST_SUITE_P(Stack, RulesV6, ::testing::ValuesIn(rows6()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(RulesV6, GroupExceptionsForPacketTooBigAndParamProblemCode2) {
    OffendingFacts f;
    f.family = core::Family::v6;
    f.group_destination = true;
    EXPECT_FALSE(error_suppressed(f, 2, 0));  // RFC 4443 2.4(e.3)
    EXPECT_FALSE(error_suppressed(f, 4, 2));
    EXPECT_EQ(error_suppressed(f, 4, 1), SuppressReason::group_destination);
    EXPECT_EQ(error_suppressed(f, 1, 0), SuppressReason::group_destination);
    f.group_destination = false;
    f.link_layer_broadcast = true;  // (e.4/e.5)
    EXPECT_FALSE(error_suppressed(f, 2, 0));
    EXPECT_EQ(error_suppressed(f, 3, 0), SuppressReason::link_layer_broadcast);
}

TEST(NodeV6, ErrorsFit1280) {
    auto c = router_config();
    c.interfaces[0].mtu = 9000;
    c.interfaces[0].mpls_labels = {{100, 0, true, 1}};
    c.interfaces[0].report_interface_information = true;
    Node node(c);
    auto pkt = udp6("2001:db8:1::10", "2001:db8:3::5", 4000, 1);
    auto t = transmits(node.receive({pkt, 1, false}, at_ms(0), wall_at(0)));
    ASSERT_EQ(t.size(), 1u);
    EXPECT_LE(t[0].bytes.size(), 1280u);
    EXPECT_GE(t[0].bytes.size(), 1280u - 8u);
    auto s = sent_icmpv6(t[0]);
    ASSERT_TRUE(s);
    auto split = wire::ext::split_original(s->icmp.body(), s->icmp.length_attribute(), core::Family::v6);
    EXPECT_TRUE(split.by_length_attribute);
    auto e = wire::ext::parse(split.extensions);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->objects.size(), 2u);
}

TEST(NodeV6, NeighborSolicitationGetsAdvertisement) {
    auto c = host_config();
    c.interfaces[0].link_layer_address = {0x02, 0, 0, 0, 0, 0x10};
    Node node(c);
    w6::NeighborSolicitation ns;
    ns.target = v6("2001:db8:1::10");
    auto pkt = icmp6("2001:db8:1::99", "ff02::1:ff00:10", ns, 255);
    auto t = transmits(node.receive({pkt, 1, true}, at_ms(0), wall_at(0)));
    ASSERT_EQ(t.size(), 1u);
    auto s = sent_icmpv6(t[0]);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->ip.hop_limit(), 255);
    EXPECT_EQ(s->ip.destination(), v6("2001:db8:1::99"));
    auto na = std::get<w6::NeighborAdvertisement>(*w6::parse(s->icmp.bytes()));
    EXPECT_EQ(na.target, v6("2001:db8:1::10"));
    EXPECT_TRUE(na.solicited);
    EXPECT_FALSE(na.router);
    ASSERT_EQ(na.options.size(), 1u);
    EXPECT_EQ(std::get<wire::ndp::TargetLinkLayerAddress>(na.options[0]).address, c.interfaces[0].link_layer_address);
    // Hop limit other than 255 is invalid (RFC 4861 7.1.1): not answered.
    auto bad = icmp6("2001:db8:1::99", "ff02::1:ff00:10", ns, 64);
    EXPECT_TRUE(transmits(node.receive({bad, 1, true}, at_ms(0), wall_at(0))).empty());
}

TEST(NodeV6, RouterSolicitationGetsAdvertisementOnRouters) {
    Node node(router_config());
    auto pkt = icmp6("fe80::99", "ff02::2", w6::RouterSolicitation{}, 255);
    auto t = transmits(node.receive({pkt, 1, true}, at_ms(0), wall_at(0)));
    ASSERT_EQ(t.size(), 1u);
    auto s = sent_icmpv6(t[0]);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->ip.source(), v6("fe80::1"));  // RFC 4861 4.2: link-local source
    auto ra = std::get<w6::RouterAdvertisement>(*w6::parse(s->icmp.bytes()));
    EXPECT_EQ(ra.router_lifetime, 1800);
    bool mtu = false, prefix = false;
    for (const auto& o : ra.options) {
        if (auto* m = std::get_if<wire::ndp::Mtu>(&o)) mtu = m->mtu == 1500;
        if (auto* p = std::get_if<wire::ndp::PrefixInformation>(&o))
            prefix = p->prefix == v6("2001:db8:1::") && p->prefix_length == 64 && p->on_link && p->autonomous;
    }
    EXPECT_TRUE(mtu);
    EXPECT_TRUE(prefix);
    Node host(host_config());  // hosts do not answer
    EXPECT_TRUE(transmits(host.receive({pkt, 1, true}, at_ms(0), wall_at(0))).empty());
}

TEST(NodeV6, ForwardDecrementsHopLimit) {
    Node node(router_config());
    auto pkt = udp6("2001:db8:1::10", "2001:db8:3::5", 32, 9);
    auto t = transmits(node.receive({pkt, 1, false}, at_ms(0), wall_at(0)));
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].bytes[7], 8);
    EXPECT_EQ(t[0].next_hop, core::IpAddress(v6("2001:db8:2::2")));
}

}  // namespace
}  // namespace icmpkit::stack::test
