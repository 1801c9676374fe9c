// IPv4 behaviour: echo byte-exact, quote sizes and the 576 limit, RFC 4884/4950/5837 extensions,
// rate limiting on a fake clock, redirects, fragmentation, TTL decrement, timestamps, RFC 8335.
#include <algorithm>
#include <map>

#include "stack_test_support.hpp"

namespace icmpkit::stack::test {
namespace {

namespace w4 = wire::icmpv4;

TEST(NodeV4, EchoReplyByteExactWithIncrementalChecksum) {
    Node node(host_config());
    auto req = echo_v4({.src = "198.51.100.20", .dst = "192.0.2.10"}, 1000);
    auto out = node.receive({req, 1, false}, at_ms(0), wall_at(0));
    auto t = transmits(out);
    ASSERT_EQ(t.size(), 1u);
    auto s = sent_icmpv4(t[0]);  // both checksums verified
    ASSERT_TRUE(s);
    EXPECT_EQ(s->ip.source(), v4("192.0.2.10"));
    EXPECT_EQ(s->ip.destination(), v4("198.51.100.20"));
    EXPECT_EQ(t[0].ifindex, 1u);
    EXPECT_EQ(t[0].next_hop, core::IpAddress(v4("192.0.2.1")));  // via the default route
    core::Bytes q(req);
    core::Bytes req_icmp = q.subspan(20);
    core::Bytes rep_icmp = s->icmp.bytes();
    ASSERT_EQ(rep_icmp.size(), req_icmp.size());
    EXPECT_EQ(rep_icmp[0], 0);
    EXPECT_EQ(rep_icmp[1], req_icmp[1]);
    EXPECT_TRUE(std::equal(rep_icmp.begin() + 4, rep_icmp.end(), req_icmp.begin() + 4));  // id, seq, data
    // The RFC 1624 result equals a from-scratch RFC 1071 sum (type 8 -> 0 adds 0x0800).
    core::Buffer zeroed(rep_icmp.begin(), rep_icmp.end());
    zeroed[2] = zeroed[3] = 0;
    EXPECT_EQ(s->icmp.checksum(), wire::internet_checksum(zeroed));
    EXPECT_EQ(node.counters().answered, 1u);
    EXPECT_EQ(node.counters().generated_count(core::Family::v4, 0, 0), 1u);
    EXPECT_TRUE(node.counters().balanced());
}

TEST(NodeV4, EchoReplyToFragmentingSizeIsFragmented) {
    auto c = host_config();
    c.interfaces[0].mtu = 576;
    Node node(c);
    auto req = echo_v4({.src = "198.51.100.20", .dst = "192.0.2.10"}, 1000);
    auto t = transmits(node.receive({req, 1, false}, at_ms(0), wall_at(0)));
    EXPECT_EQ(t.size(), 2u);
    for (const auto& x : t) EXPECT_LE(x.bytes.size(), 576u);
}

struct Quoted {
    std::size_t input;
    std::size_t expect_total;
};

TEST(NodeV4, TimeExceededQuoteSizesAnd576Limit) {
    // 20 + 8 + quote; RFC 1812 4.3.2.3: as much as fits in 576.
    for (auto [payload, expect_total] : {Quoted{32, 28 + 20 + 8 + 32}, Quoted{500, 28 + 528}, Quoted{520, 576},
                                        Quoted{1400, 576}, Quoted{8, 28 + 36}}) {
        Node node(router_config());
        auto pkt = udp_v4({.src = "192.0.2.10", .dst = "203.0.113.5", .ttl = 1}, 33434, payload);
        auto t = transmits(node.receive({pkt, 1, false}, at_ms(0), wall_at(0)));
        ASSERT_EQ(t.size(), 1u);
        auto s = sent_icmpv4(t[0]);
        ASSERT_TRUE(s);
        EXPECT_EQ(s->icmp.type(), 11);
        EXPECT_EQ(t[0].bytes.size(), expect_total) << payload;
        EXPECT_EQ(s->ip.total_length(), t[0].bytes.size());
        core::Bytes body = s->icmp.body();
        EXPECT_TRUE(std::equal(body.begin(), body.end(), pkt.begin()));  // a prefix of the input
        EXPECT_EQ(s->icmp.length_attribute(), 0);  // no extensions configured
        EXPECT_EQ(s->ip.tos(), 0xC0);             // RFC 1812 4.3.2.5 precedence 6
        EXPECT_EQ(s->ip.source(), v4("192.0.2.1"));  // RFC 1812 4.3.2.4: the outgoing interface
    }
}

TEST(NodeV4, Rfc4884ExtensionsMplsAndInterfaceInformation) {
    auto c = router_config();
    c.interfaces[0].mpls_labels = {{16001, 0, false, 1}, {24005, 5, true, 1}};
    c.interfaces[0].report_interface_information = true;
    for (std::size_t payload : {std::size_t{20}, std::size_t{1400}}) {
        Node node(c);
        auto pkt = udp_v4({.src = "192.0.2.10", .dst = "203.0.113.5", .ttl = 1}, 33434, payload);
        auto t = transmits(node.receive({pkt, 1, false}, at_ms(0), wall_at(0)));
        ASSERT_EQ(t.size(), 1u);
        auto s = sent_icmpv4(t[0]);
        ASSERT_TRUE(s);
        EXPECT_LE(t[0].bytes.size(), 576u);
        std::size_t field = std::size_t{s->icmp.length_attribute()} * 4;
        EXPECT_GE(field, 128u);  // RFC 4884 4.1: padded to at least 128 octets
        auto split = wire::ext::split_original(s->icmp.body(), s->icmp.length_attribute(), core::Family::v4);
        EXPECT_TRUE(split.by_length_attribute);
        EXPECT_EQ(split.original.size(), field);
        std::size_t copied = std::min(pkt.size(), field);
        EXPECT_TRUE(std::equal(pkt.begin(), pkt.begin() + static_cast<std::ptrdiff_t>(copied), split.original.begin()));
        EXPECT_TRUE(std::all_of(split.original.begin() + static_cast<std::ptrdiff_t>(copied), split.original.end(),
                                [](std::uint8_t b) { return b == 0; }));
        auto e = wire::ext::parse(split.extensions);
        ASSERT_TRUE(e);
        EXPECT_TRUE(e->checksum_valid);
        EXPECT_NE(e->checksum, 0);
        ASSERT_EQ(e->objects.size(), 2u);
        auto* mpls = std::get_if<wire::ext::MplsLabelStack>(&e->objects[0]);
        ASSERT_TRUE(mpls);
        EXPECT_EQ(mpls->entries, c.interfaces[0].mpls_labels);
        auto* ii = std::get_if<wire::ext::InterfaceInformation>(&e->objects[1]);
        ASSERT_TRUE(ii);
        EXPECT_EQ(ii->role, wire::ext::InterfaceRole::incoming);
        EXPECT_EQ(ii->ifindex, 1u);
        EXPECT_EQ(ii->address, core::IpAddress(v4("192.0.2.1")));
        EXPECT_EQ(ii->name, "eth0");
        EXPECT_EQ(ii->mtu, 1500u);
    }
}

TEST(NodeV4, RateLimitPerPeerBurstThenOnePerSecond) {
    Node node(host_config());
    auto pkt = udp_v4({.src = "198.51.100.20", .dst = "192.0.2.10"});
    auto sent_at = [&](long ms) {
        return transmits(node.receive({pkt, 1, false}, at_ms(ms), wall_at(0))).size();
    };
    for (int i = 0; i < 6; ++i) EXPECT_EQ(sent_at(0), 1u) << i;  // XRLIM_BURST_FACTOR 6
    EXPECT_EQ(sent_at(0), 0u);
    EXPECT_EQ(sent_at(999), 0u);
    EXPECT_EQ(sent_at(1000), 1u);  // one token per icmp_ratelimit (1000 ms)
    EXPECT_EQ(sent_at(1500), 0u);
    EXPECT_EQ(sent_at(2000), 1u);
    EXPECT_EQ(node.counters().suppressed_for(SuppressReason::rate_limited_peer), 3u);
    // Another peer has its own bucket.
    auto other = udp_v4({.src = "198.51.100.21", .dst = "192.0.2.10"});
    EXPECT_EQ(transmits(node.receive({other, 1, false}, at_ms(2000), wall_at(0))).size(), 1u);
    EXPECT_TRUE(node.counters().balanced());
}

TEST(NodeV4, RateLimitNeverLimitsFragNeededNorEchoReplies) {
    auto c = router_config();
    c.interfaces[1].mtu = 1000;
    Node node(c);
    auto big = udp_v4({.src = "192.0.2.10", .dst = "203.0.113.5", .df = true}, 33434, 1200);
    for (int i = 0; i < 100; ++i) ASSERT_EQ(transmits(node.receive({big, 1, false}, at_ms(0), wall_at(0))).size(), 1u);
    EXPECT_EQ(node.counters().generated_count(core::Family::v4, 3, 4), 100u);
    auto echo = echo_v4({.src = "192.0.2.10", .dst = "192.0.2.1"});
    for (int i = 0; i < 100; ++i) ASSERT_EQ(transmits(node.receive({echo, 1, false}, at_ms(0), wall_at(0))).size(), 1u);
    EXPECT_EQ(node.counters().rate_limited(), 0u);
}

TEST(NodeV4, RateLimitGlobalBucket) {
    auto c = host_config();
    c.rate_limit.per_peer_interval = std::chrono::milliseconds(0);  // global only
    Node node(c);
    auto pkt = udp_v4({.src = "198.51.100.20", .dst = "192.0.2.10"});
    int sent = 0;
    for (int i = 0; i < 80; ++i) sent += static_cast<int>(transmits(node.receive({pkt, 1, false}, at_ms(0), wall_at(0))).size());
    EXPECT_EQ(sent, 50);  // icmp_msgs_burst
    EXPECT_EQ(node.counters().suppressed_for(SuppressReason::rate_limited_global), 30u);
    // 1000 per second: 10 ms later, 10 more.
    sent = 0;
    for (int i = 0; i < 20; ++i) sent += static_cast<int>(transmits(node.receive({pkt, 1, false}, at_ms(10), wall_at(0))).size());
    EXPECT_EQ(sent, 10);
}

TEST(TokenBucket, FakeClock) {
    TokenBucket b(std::chrono::milliseconds(100), 3, at_ms(0));
    EXPECT_TRUE(b.allow(at_ms(0)));
    EXPECT_TRUE(b.allow(at_ms(0)));
    EXPECT_TRUE(b.allow(at_ms(0)));
    EXPECT_FALSE(b.allow(at_ms(50)));
    EXPECT_TRUE(b.allow(at_ms(100)));
    EXPECT_FALSE(b.allow(at_ms(100)));
    EXPECT_TRUE(b.allow(at_ms(10'000)));  // credit capped at the burst
    EXPECT_TRUE(b.allow(at_ms(10'000)));
    EXPECT_TRUE(b.allow(at_ms(10'000)));
    EXPECT_FALSE(b.allow(at_ms(10'000)));
}

NodeConfig redirect_router() {
    auto c = router_config();
    c.routes.push_back(Route{pfx("203.0.113.128/25"), {NextHop{1, core::IpAddress(v4("192.0.2.254"))}}});
    return c;
}

TEST(NodeV4, RedirectWhenNextHopOnArrivalLinkAndSourceOnLink) {
    Node node(redirect_router());
    auto pkt = udp_v4({.src = "192.0.2.10", .dst = "203.0.113.200"});
    auto out = node.receive({pkt, 1, false}, at_ms(0), wall_at(0));
    auto t = transmits(out);
    ASSERT_EQ(t.size(), 2u);  // the redirect and the forwarded datagram
    auto s = sent_icmpv4(t[0]);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->icmp.type(), 5);
    EXPECT_EQ(s->icmp.code(), 1);  // RFC 1812 4.3.3.2: host redirects only
    EXPECT_EQ(s->icmp.gateway(), v4("192.0.2.254"));
    EXPECT_EQ(s->ip.destination(), v4("192.0.2.10"));
    EXPECT_EQ(t[1].ifindex, 1u);
    EXPECT_EQ(t[1].next_hop, core::IpAddress(v4("192.0.2.254")));
    EXPECT_EQ(node.counters().forwarded, 1u);
    EXPECT_TRUE(node.counters().balanced());
}

TEST(NodeV4, NoRedirectWhenSourceOffLinkOrSourceRoutedOrDisabled) {
    {
        Node node(redirect_router());  // source not on eth0's subnet
        auto pkt = udp_v4({.src = "198.51.100.77", .dst = "203.0.113.200"});
        auto t = transmits(node.receive({pkt, 1, false}, at_ms(0), wall_at(0)));
        ASSERT_EQ(t.size(), 1u);
        EXPECT_FALSE(sent_icmpv4(t[0]));
    }
    {
        Node node(redirect_router());  // loose source route present (RFC 1812 5.2.7.2)
        V4 p{.src = "192.0.2.10", .dst = "203.0.113.200"};
        p.options = {wire::RecordRoute{wire::ipv4_option::loose_source_route, 4, {v4("203.0.113.201")}}, wire::EndOfOptionList{}};
        auto pkt = udp_v4(p);
        auto t = transmits(node.receive({pkt, 1, false}, at_ms(0), wall_at(0)));
        ASSERT_EQ(t.size(), 1u);
        EXPECT_EQ(node.counters().generated_total(), 0u);
    }
    {
        auto c = redirect_router();
        c.send_redirects = false;
        Node node(c);
        auto pkt = udp_v4({.src = "192.0.2.10", .dst = "203.0.113.200"});
        EXPECT_EQ(transmits(node.receive({pkt, 1, false}, at_ms(0), wall_at(0))).size(), 1u);
    }
}

TEST(NodeV4, ForwardDecrementsTtlWithValidIncrementalChecksum) {
    Node node(router_config());
    for (std::uint8_t ttl : {2, 64, 255}) {
        auto pkt = udp_v4({.src = "192.0.2.10", .dst = "203.0.113.5", .ttl = ttl});
        auto t = transmits(node.receive({pkt, 1, false}, at_ms(0), wall_at(0)));
        ASSERT_EQ(t.size(), 1u);
        EXPECT_EQ(t[0].ifindex, 2u);
        EXPECT_EQ(t[0].next_hop, core::IpAddress(v4("198.51.100.2")));
        auto ip = wire::Ipv4HeaderView::parse(t[0].bytes, true);
        ASSERT_TRUE(ip);
        EXPECT_EQ(ip->ttl(), ttl - 1);
        core::Buffer h(t[0].bytes.begin(), t[0].bytes.begin() + 20);
        h[10] = h[11] = 0;
        EXPECT_EQ(ip->header_checksum(), wire::internet_checksum(h));
        EXPECT_TRUE(std::equal(pkt.begin() + 20, pkt.end(), t[0].bytes.begin() + 20));
    }
}

TEST(NodeV4, FragmentationReassemblesToTheInput) {
    auto c = router_config();
    c.interfaces[1].mtu = 576;
    Node node(c);
    V4 p{.src = "192.0.2.10", .dst = "203.0.113.5", .ttl = 9};
    // Record route (not copied) and a copied option (type 0x88, stream identifier).
    p.options = {wire::RecordRoute{wire::ipv4_option::record_route, 4, {v4("0.0.0.0")}},
                 wire::RawOption{0x88, {0x12, 0x34}}};
    auto pkt = udp_v4(p, 33434, 1500);
    auto t = transmits(node.receive({pkt, 1, false}, at_ms(0), wall_at(0)));
    ASSERT_GE(t.size(), 3u);
    EXPECT_EQ(node.counters().fragments_created, t.size());
    auto in = *wire::Ipv4HeaderView::parse(pkt);
    core::Buffer data(in.payload().size(), 0xEE);
    std::size_t covered = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        auto f = wire::Ipv4HeaderView::parse(t[i].bytes, true);
        ASSERT_TRUE(f);
        EXPECT_LE(t[i].bytes.size(), 576u);
        EXPECT_EQ(f->identification(), in.identification());
        EXPECT_EQ(f->ttl(), 8);
        EXPECT_EQ(f->more_fragments(), i + 1 < t.size());
        if (i + 1 < t.size()) EXPECT_EQ(f->payload().size() % 8, 0u);
        auto opts = wire::parse_ipv4_options(f->options());
        ASSERT_TRUE(opts);
        bool has_rr = false, has_stream = false;
        for (const auto& o : *opts) {
            if (auto* rr = std::get_if<wire::RecordRoute>(&o)) has_rr = rr->type == wire::ipv4_option::record_route;
            if (auto* r = std::get_if<wire::RawOption>(&o)) has_stream = r->type == 0x88;
        }
        EXPECT_EQ(has_rr, i == 0);  // RFC 791 3.1: record route is not copied
        EXPECT_TRUE(has_stream);    // copied flag set: in every fragment
        ASSERT_LE(f->fragment_offset() + f->payload().size(), data.size());
        std::copy(f->payload().begin(), f->payload().end(), data.begin() + f->fragment_offset());
        covered += f->payload().size();
    }
    EXPECT_EQ(covered, data.size());
    EXPECT_TRUE(std::equal(data.begin(), data.end(), in.payload().begin()));
}

TEST(NodeV4, TimestampReplyUsesWallClockPlusOffset) {
    auto c = host_config();
    c.clock_offset = std::chrono::milliseconds(250);
    Node node(c);
    w4::Timestamp ts;
    ts.identifier = 9;
    ts.sequence = 3;
    ts.originate = 12345;
    auto pkt = icmp_v4({.src = "198.51.100.20", .dst = "192.0.2.10"}, ts);
    // 2021-01-01T00:00:01.500Z: 1609459201500 ms since the epoch; 1500 ms after midnight UT.
    auto t = transmits(node.receive({pkt, 1, false}, at_ms(0), wall_at(1609459201500LL)));
    ASSERT_EQ(t.size(), 1u);
    auto s = sent_icmpv4(t[0]);
    ASSERT_TRUE(s);
    auto m = std::get<w4::TimestampReply>(*w4::parse(s->icmp.bytes()));
    EXPECT_EQ(m.identifier, 9);
    EXPECT_EQ(m.sequence, 3);
    EXPECT_EQ(m.originate, 12345u);
    EXPECT_EQ(m.receive, 1750u);
    EXPECT_EQ(m.transmit, 1750u);
}

TEST(NodeV4, AddressMaskReplyCarriesTheInterfaceMask) {
    auto c = host_config();
    c.address_mask_reply = true;
    Node node(c);
    auto pkt = icmp_v4({.src = "192.0.2.77", .dst = "192.0.2.10"}, w4::AddressMaskRequest{0, 0, 5, 6, {}, {}});
    auto t = transmits(node.receive({pkt, 1, false}, at_ms(0), wall_at(0)));
    ASSERT_EQ(t.size(), 1u);
    auto m = std::get<w4::AddressMaskReply>(*w4::parse(sent_icmpv4(t[0])->icmp.bytes()));
    EXPECT_EQ(m.mask, v4("255.255.255.0"));
    EXPECT_EQ(m.identifier, 5);
}

w4::ExtendedEchoReply probe(Node& node, bool local, wire::ext::InterfaceIdentification id, bool with_object = true) {
    w4::ExtendedEchoRequest r;
    r.identifier = 77;
    r.sequence = 4;
    r.local = local;
    if (with_object) r.extensions = wire::ext::ExtensionStructure{2, 0, 0, {id}, true};
    auto pkt = icmp_v4({.src = "198.51.100.20", .dst = "192.0.2.1"}, r);
    auto t = transmits(node.receive({pkt, 1, false}, at_ms(0), wall_at(0)));
    EXPECT_EQ(t.size(), 1u);
    if (t.empty()) return {};
    auto s = sent_icmpv4(t[0]);
    EXPECT_TRUE(s);
    auto m = std::get<w4::ExtendedEchoReply>(*w4::parse(s->icmp.bytes()));
    EXPECT_EQ(m.identifier, 77);
    EXPECT_EQ(m.sequence, 4);
    return m;
}

TEST(NodeV4, ExtendedEchoRfc8335) {
    Node node(router_config());
    using K = wire::ext::IdentificationKind;
    auto by_name = probe(node, true, {K::by_name, "eth1", 0, 0, 0, 0, {}});
    EXPECT_EQ(by_name.code, 0);
    EXPECT_TRUE(by_name.active);
    EXPECT_TRUE(by_name.ipv4);
    EXPECT_TRUE(by_name.ipv6);
    EXPECT_EQ(by_name.state, 0);
    EXPECT_EQ(probe(node, true, {K::by_index, "", 2, 0, 0, 0, {}}).code, 0);
    EXPECT_EQ(probe(node, true, {K::by_index, "", 9, 0, 0, 0, {}}).code, 2);  // No Such Interface
    EXPECT_EQ(probe(node, true, {K::by_address, "", 0, 1, 4, 0, {198, 51, 100, 1}}).code, 0);
    EXPECT_EQ(probe(node, true, {K::by_address, "", 0, 1, 4, 0, {198, 51, 100, 9}}).code, 2);
    EXPECT_EQ(probe(node, false, {K::by_address, "", 0, 1, 4, 0, {198, 51, 100, 9}}).code, 3);  // no table
    EXPECT_EQ(probe(node, true, {}, false).code, 1);  // Malformed Query
    EXPECT_TRUE(node.counters().balanced());
}

}  // namespace
}  // namespace icmpkit::stack::test
