// Link-layer unwrapping on hand-built frames. Each frame's bytes are derived by hand from the
// cited format description; the expected offsets are sums of the header sizes stated there.
#include "icmpkit/capture/link.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace icmpkit;
using namespace icmpkit::capture;

namespace {

using V = std::vector<std::uint8_t>;

V cat(std::initializer_list<V> parts) {
    V out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// 20-byte IPv4 header start (version 4, IHL 5) and a 40-byte IPv6 header start: only the version
// nibble matters to unwrap_link; the rest is filler.
const V ip4 = {0x45, 0x00, 0x00, 0x1c, 0, 0, 0, 0, 64, 1, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2};
const V ip6 = {0x60, 0, 0, 0, 0, 8, 58, 64};
// IEEE 802.3: destination, source.
const V macs = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02};

core::WireResult<LinkLayer> unwrap(int t, const V& f) { return unwrap_link(t, core::Bytes(f)); }

}  // namespace

TEST(Link, EthernetIpv4) {
    auto f = cat({macs, {0x08, 0x00}, ip4});
    auto l = unwrap(linktype::ethernet, f);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->network, NetworkProtocol::ipv4);
    EXPECT_EQ(l->ethertype, 0x0800);
    EXPECT_EQ(l->network_offset, 14u);
    ASSERT_TRUE(l->destination && l->source);
    EXPECT_EQ(l->destination->to_string(), "02:00:00:00:00:01");
    EXPECT_EQ(l->source->to_string(), "02:00:00:00:00:02");
    EXPECT_EQ(l->protocols(), "eth:ethertype:ip");
}

TEST(Link, EthernetArpAndUnknownType) {
    auto a = unwrap(linktype::ethernet, cat({macs, {0x08, 0x06}, V(28, 0)}));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->network, NetworkProtocol::arp);
    EXPECT_EQ(a->protocols(), "eth:ethertype:arp");
    auto o = unwrap(linktype::ethernet, cat({macs, {0x88, 0xcc}, V(10, 0)}));  // LLDP
    ASSERT_TRUE(o);
    EXPECT_EQ(o->network, NetworkProtocol::other);
    EXPECT_EQ(o->ethertype, 0x88cc);
    EXPECT_EQ(o->network_offset, 14u);
}

TEST(Link, Ethernet8023SnapCarriesEthertype) {
    // RFC 1042: length 0x0020, LLC AA AA 03, SNAP OUI 00 00 00, type 0x86DD.
    auto f = cat({macs, {0x00, 0x20, 0xAA, 0xAA, 0x03, 0, 0, 0, 0x86, 0xDD}, ip6});
    auto l = unwrap(linktype::ethernet, f);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->network, NetworkProtocol::ipv6);
    EXPECT_EQ(l->network_offset, 22u);
    // Plain LLC (STP: 42 42 03) is other, after the 3 LLC bytes.
    auto s = unwrap(linktype::ethernet, cat({macs, {0x00, 0x26, 0x42, 0x42, 0x03}, V(35, 0)}));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->network, NetworkProtocol::other);
    EXPECT_EQ(s->network_offset, 17u);
}

TEST(Link, VlanAndQinQ) {
    // 802.1ad S-tag (88a8, PCP 0 VID 100) then C-tag (8100, PCP 5 VID 200 = a0c8), then IPv4.
    auto f = cat({macs, {0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0xa0, 0xc8, 0x08, 0x00}, ip4});
    auto l = unwrap(linktype::ethernet, f);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->network_offset, 22u);
    EXPECT_EQ(l->vlan_ids, (std::vector<std::uint16_t>{100, 200}));
    EXPECT_EQ(l->protocols(), "eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:ip");  // tshark names
    // Old vendor S-tag 0x9100 over 802.1Q.
    auto g = cat({macs, {0x91, 0x00, 0x0f, 0xff, 0x81, 0x00, 0x00, 0x01, 0x86, 0xdd}, ip6});
    auto m = unwrap(linktype::ethernet, g);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->vlan_ids, (std::vector<std::uint16_t>{4095, 1}));
    EXPECT_EQ(m->network, NetworkProtocol::ipv6);
}

TEST(Link, VlanDepthIsBounded) {
    V f = macs;
    for (std::size_t i = 0; i <= max_vlan_tags; ++i) f.insert(f.end(), {0x81, 0x00, 0x00, 0x05});
    f.insert(f.end(), {0x08, 0x00});
    f.insert(f.end(), ip4.begin(), ip4.end());
    auto l = unwrap(linktype::ethernet, f);
    ASSERT_FALSE(l);
    EXPECT_EQ(l.error().fault, core::Fault::unsupported);
    EXPECT_EQ(l.error().offset, 14u + 4 * max_vlan_tags);  // the first tag over the bound
}

TEST(Link, MplsStackPopsToBottomAndGuessesVersion) {
    // RFC 3032 entries: label 16 TC 0 S 0 TTL 64 = 0x00010040; label 1000 S 1 TTL 255 = 0x003e81ff.
    auto f = cat({macs, {0x88, 0x47, 0x00, 0x01, 0x00, 0x40, 0x00, 0x3e, 0x81, 0xff}, ip4});
    auto l = unwrap(linktype::ethernet, f);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->network, NetworkProtocol::ipv4);
    EXPECT_EQ(l->network_offset, 22u);
    ASSERT_EQ(l->mpls_labels.size(), 2u);
    EXPECT_EQ(l->mpls_labels[0], 0x00010040u);
    EXPECT_EQ(mpls_label(l->mpls_labels[0]), 16u);
    EXPECT_EQ(mpls_label(l->mpls_labels[1]), 1000u);
    EXPECT_TRUE(mpls_bottom_of_stack(l->mpls_labels[1]));
    EXPECT_EQ(mpls_ttl(l->mpls_labels[1]), 255);
    EXPECT_EQ(l->protocols(), "eth:ethertype:mpls:ip");
    auto g = cat({macs, {0x88, 0x47, 0x00, 0x00, 0x21, 0x01}, ip6});  // label 2 (IPv6 explicit null)
    auto m = unwrap(linktype::ethernet, g);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->network, NetworkProtocol::ipv6);
    EXPECT_EQ(m->ethertype, 0x86dd);
    // A stack with no bottom entry runs off the end: truncated where the next entry would be.
    auto h = unwrap(linktype::ethernet, cat({macs, {0x88, 0x47, 0x00, 0x01, 0x00, 0x40}}));
    ASSERT_FALSE(h);
    EXPECT_EQ(h.error(), (core::WireError{core::Fault::truncated, 18}));
}

TEST(Link, PppoeSession) {
    // RFC 2516: 11 00 session 0x0001 length 0x001e, PPP protocol 0x0021 (IPv4).
    auto f = cat({macs, {0x88, 0x64, 0x11, 0x00, 0x00, 0x01, 0x00, 0x1e, 0x00, 0x21}, ip4});
    auto l = unwrap(linktype::ethernet, f);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->network_offset, 22u);
    EXPECT_EQ(l->protocols(), "eth:ethertype:pppoes:ppp:ip");
}

TEST(Link, LinuxSllV1) {
    // packet type 0 (to us), ARPHRD_ETHER 1, address length 6, address + 2 pad, protocol 0x86dd.
    auto f = cat({{0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x02, 0, 0, 0, 0, 0x09, 0, 0, 0x86, 0xdd}, ip6});
    auto l = unwrap(linktype::linux_sll, f);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->network, NetworkProtocol::ipv6);
    EXPECT_EQ(l->network_offset, 16u);
    ASSERT_TRUE(l->source);
    EXPECT_EQ(l->source->to_string(), "02:00:00:00:00:09");
    EXPECT_FALSE(l->destination);
    EXPECT_EQ(l->protocols(), "sll:ethertype:ipv6");
}

TEST(Link, LinuxSllV2) {
    // protocol 0x0800, reserved, ifindex 3, ARPHRD_LOOPBACK 772, packet type 0, address length 6.
    auto f = cat({{0x08, 0x00, 0, 0, 0, 0, 0, 3, 0x03, 0x04, 0x00, 0x06, 0, 0, 0, 0, 0, 0, 0, 0}, ip4});
    auto l = unwrap(linktype::linux_sll2, f);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->network, NetworkProtocol::ipv4);
    EXPECT_EQ(l->network_offset, 20u);
    EXPECT_FALSE(l->source);  // not ARPHRD_ETHER
    auto t = unwrap(linktype::linux_sll2, V(19, 0));
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error(), (core::WireError{core::Fault::truncated, 0}));
}

TEST(Link, RawByVersionNibble) {
    for (int t : {linktype::dlt_raw, linktype::raw}) {
        auto a = unwrap(t, ip4);
        ASSERT_TRUE(a);
        EXPECT_EQ(a->network, NetworkProtocol::ipv4);
        EXPECT_EQ(a->network_offset, 0u);
        EXPECT_EQ(a->protocols(), "raw:ip");
        auto b = unwrap(t, ip6);
        ASSERT_TRUE(b);
        EXPECT_EQ(b->network, NetworkProtocol::ipv6);
        auto c = unwrap(t, V{0x50, 0});
        ASSERT_TRUE(c);
        EXPECT_EQ(c->network, NetworkProtocol::other);
        auto e = unwrap(t, V{});
        ASSERT_FALSE(e);
        EXPECT_EQ(e.error().fault, core::Fault::truncated);
    }
    // LINKTYPE_IPV4 / IPV6 say the family themselves.
    EXPECT_EQ(unwrap(linktype::ipv4, ip6)->network, NetworkProtocol::ipv4);
    EXPECT_EQ(unwrap(linktype::ipv6, ip4)->network, NetworkProtocol::ipv6);
}

TEST(Link, BsdLoopbackBothByteOrders) {
    // DLT_NULL written on a little-endian host: 02 00 00 00; on a big-endian one: 00 00 00 02.
    for (const V& af : {V{2, 0, 0, 0}, V{0, 0, 0, 2}}) {
        auto l = unwrap(linktype::null, cat({af, ip4}));
        ASSERT_TRUE(l);
        EXPECT_EQ(l->network, NetworkProtocol::ipv4);
        EXPECT_EQ(l->network_offset, 4u);
        EXPECT_EQ(l->protocols(), "null:ip");
    }
    for (std::uint8_t af6 : {24, 28, 30}) {
        auto l = unwrap(linktype::null, cat({V{af6, 0, 0, 0}, ip6}));
        ASSERT_TRUE(l);
        EXPECT_EQ(l->network, NetworkProtocol::ipv6);
        auto m = unwrap(linktype::loop, cat({V{0, 0, 0, af6}, ip6}));  // DLT_LOOP: network order
        ASSERT_TRUE(m);
        EXPECT_EQ(m->network, NetworkProtocol::ipv6);
    }
    auto x = unwrap(linktype::loop, cat({V{2, 0, 0, 0}, ip4}));  // not a family in network order
    ASSERT_TRUE(x);
    EXPECT_EQ(x->network, NetworkProtocol::other);
}

TEST(Link, PppWithAndWithoutAddressControl) {
    auto a = unwrap(linktype::ppp, cat({{0xff, 0x03, 0x00, 0x21}, ip4}));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->network_offset, 4u);
    EXPECT_EQ(a->protocols(), "ppp:ip");
    auto b = unwrap(linktype::ppp, cat({{0x00, 0x57}, ip6}));
    ASSERT_TRUE(b);
    EXPECT_EQ(b->network, NetworkProtocol::ipv6);
    EXPECT_EQ(b->network_offset, 2u);
    auto c = unwrap(linktype::ppp, cat({{0x21}, ip4}));  // RFC 1661 6.5 compressed protocol
    ASSERT_TRUE(c);
    EXPECT_EQ(c->network_offset, 1u);
    EXPECT_EQ(c->network, NetworkProtocol::ipv4);
}

TEST(Link, CiscoHdlc) {
    auto l = unwrap(linktype::c_hdlc, cat({{0x0f, 0x00, 0x08, 0x00}, ip4}));
    ASSERT_TRUE(l);
    EXPECT_EQ(l->network_offset, 4u);
    EXPECT_EQ(l->protocols(), "chdlc:ip");
}

TEST(Link, UnknownLinktypeIsUnsupported) {
    for (int t : {-1, 2, 105, 127, 147, 65535}) {
        auto l = unwrap(t, ip4);
        ASSERT_FALSE(l) << t;
        EXPECT_EQ(l.error(), (core::WireError{core::Fault::unsupported, 0}));
        EXPECT_FALSE(is_supported_linktype(t));
    }
}

// Every prefix of a frame whose link header is longer than the prefix fails as truncated at an
// offset inside the prefix; every longer prefix succeeds with the same network offset.
TEST(Link, TruncationSweep) {
    struct Case { int linktype; V frame; std::size_t header; };
    const Case cases[] = {
        {linktype::ethernet, cat({macs, {0x08, 0x00}, ip4}), 14},
        {linktype::ethernet, cat({macs, {0x88, 0xa8, 0, 1, 0x81, 0, 0, 2, 0x86, 0xdd}, ip6}), 22},
        {linktype::ethernet, cat({macs, {0x88, 0x47, 0, 1, 0, 0x40, 0, 1, 0x01, 0x40}, ip4}), 23},
        {linktype::ethernet, cat({macs, {0x88, 0x64, 0x11, 0, 0, 1, 0, 0x1e, 0, 0x57}, ip6}), 22},
        {linktype::linux_sll, cat({V(14, 0), {0x08, 0x00}, ip4}), 16},
        {linktype::linux_sll2, cat({{0x08, 0x00}, V(18, 0), ip4}), 20},
        {linktype::null, cat({{2, 0, 0, 0}, ip4}), 4},
        {linktype::raw, ip4, 1},
        {linktype::ppp, cat({{0xff, 0x03, 0x00, 0x21}, ip4}), 4},
        {linktype::c_hdlc, cat({{0x0f, 0x00, 0x08, 0x00}, ip4}), 4},
    };
    for (const auto& c : cases) {
        for (std::size_t n = 0; n <= c.frame.size(); ++n) {
            auto l = unwrap_link(c.linktype, core::Bytes(c.frame.data(), n));
            if (n < c.header) {
                ASSERT_FALSE(l) << c.linktype << " len " << n;
                EXPECT_EQ(l.error().fault, core::Fault::truncated);
                EXPECT_LE(l.error().offset, n);
            } else {
                ASSERT_TRUE(l) << c.linktype << " len " << n;
                // MPLS and raw IP peek at the version byte: the offset is before it.
                EXPECT_LE(l->network_offset, n);
            }
        }
    }
}
