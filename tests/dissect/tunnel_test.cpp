// UDP tunnels, Ethernet payloads, AH, pseudowires and the link types added for the public corpus,
// on frames hand-built from the RFC / IEEE layouts cited beside each case.
#include <gtest/gtest.h>

#include "frames.hpp"
#include "icmpkit/dissect/dissector.hpp"

using namespace icmpkit;
using namespace icmpkit::dissect;
using namespace frames;

namespace {

capture::Frame frame(const Buf& b, int linktype) {
    capture::Frame f;
    f.data = core::Bytes(b);
    f.captured_length = f.original_length = static_cast<std::uint32_t>(b.size());
    f.linktype = linktype;
    f.number = 1;
    return f;
}

// RFC 768 header (checksum 0: none) before `payload`.
Buf udp(std::uint16_t sport, std::uint16_t dport, const Buf& payload) {
    Buf b{0, 0, 0, 0, 0, 0, 0, 0};
    put16(b, 0, sport);
    put16(b, 2, dport);
    put16(b, 4, static_cast<std::uint16_t>(8 + payload.size()));
    return cat(b, payload);
}

constexpr int eth = 1;

}  // namespace

TEST(Tunnels, VxlanCarriesEthernet) {
    // RFC 7348 5: flags 0x08 (I), VNI 0x123456.
    Buf vx{0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0};
    auto inner = ethernet(0x0800, ipv4(1, icmp_echo(9, 9), 5, 6));
    Dissector dz;
    auto d = dz.dissect(frame(ethernet(0x0800, ipv4(17, udp(40000, 4789, cat(vx, inner)))), eth));
    ASSERT_EQ(d.ip.size(), 2u);
    ASSERT_TRUE(d.icmp);
    const auto& l = d.ip[1];
    EXPECT_EQ(l.encapsulation, Encapsulation::udp);
    ASSERT_TRUE(l.udp_tunnel);
    EXPECT_EQ(l.udp_tunnel->kind, UdpTunnelKind::vxlan);
    EXPECT_EQ(l.udp_tunnel->id, 0x123456u);
    EXPECT_EQ(l.udp_tunnel->offset, 14u + 20);
    ASSERT_TRUE(l.inner_link);
    EXPECT_EQ(l.inner_link_offset, 14u + 20 + 8 + 8);
    EXPECT_EQ(l.offset, 14u + 20 + 8 + 8 + 14);
    EXPECT_EQ(d.icmp->checksum, ChecksumStatus::good);
}

TEST(Tunnels, GeneveTeredoGtpMplsLisp) {
    Dissector dz;
    // RFC 8926 3.4: one 4-byte option (Opt Len 1), Protocol Type 0x0800.
    Buf gn{0x01, 0, 0x08, 0x00, 0, 0, 7, 0, 1, 2, 3, 4};
    auto g = dz.dissect(frame(ethernet(0x0800, ipv4(17, udp(1, 6081, cat(gn, ipv4(1, icmp_echo(1, 1)))))), eth));
    ASSERT_TRUE(g.icmp);
    EXPECT_EQ(g.ip[1].udp_tunnel->kind, UdpTunnelKind::geneve);
    EXPECT_EQ(g.ip[1].udp_tunnel->header_length, 8u + 12);
    // RFC 4380 5.1.1: origin indication (0x0000, port, address) before the IPv6 packet.
    Buf oi{0, 0, 0xAA, 0xAA, 1, 2, 3, 4};
    auto t = dz.dissect(frame(ethernet(0x0800, ipv4(17, udp(3544, 50000, cat(oi, ipv6(58, icmp6_echo(2, 2)))))), eth));
    ASSERT_TRUE(t.icmp);
    EXPECT_EQ(t.ip[1].udp_tunnel->kind, UdpTunnelKind::teredo);
    EXPECT_EQ(t.icmp->checksum, ChecksumStatus::good);
    // A Teredo bubble (IPv6 with no next header) is no ICMP; a non-IPv6 payload is not followed.
    auto tb = dz.dissect(frame(ethernet(0x0800, ipv4(17, udp(3544, 50000, Buf{0x45, 0, 0, 0}))), eth));
    EXPECT_FALSE(tb.icmp);
    EXPECT_EQ(tb.skip, Skip::not_icmp);
    EXPECT_FALSE(tb.fault);
    // TS 29.281 5.1: version 1, PT, S set (4 more bytes, next extension 0), G-PDU, TEID 0xCAFE.
    Buf gtp{0x32, 0xFF, 0, 0, 0, 0, 0xCA, 0xFE, 0, 1, 0, 0};
    auto u = dz.dissect(frame(ethernet(0x0800, ipv4(17, udp(2152, 2152, cat(gtp, ipv4(1, icmp_echo(3, 3)))))), eth));
    ASSERT_TRUE(u.icmp);
    EXPECT_EQ(u.ip[1].udp_tunnel->id, 0xCAFEu);
    // An Echo Request of GTP itself (type 1) carries no user packet.
    Buf gtp_echo{0x32, 0x01, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0};
    EXPECT_FALSE(dz.dissect(frame(ethernet(0x0800, ipv4(17, udp(2152, 2152, gtp_echo))), eth)).icmp);
    // RFC 7510: one label (16, S set, TTL 64) then IPv6.
    Buf mpls{0x00, 0x01, 0x01, 0x40};
    auto m = dz.dissect(frame(ethernet(0x0800, ipv4(17, udp(1, 6635, cat(mpls, ipv6(58, icmp6_echo(4, 4)))))), eth));
    ASSERT_TRUE(m.icmp);
    ASSERT_TRUE(m.ip[1].inner_link);
    EXPECT_EQ(m.ip[1].inner_link->mpls_labels.size(), 1u);
    // RFC 9300 5.3: 8-byte LISP header then IPv4.
    Buf lisp{0x88, 0, 0, 1, 0, 0, 0, 1};
    auto li = dz.dissect(frame(ethernet(0x86DD, ipv6(17, udp(4341, 4341, cat(lisp, ipv4(1, icmp_echo(5, 5)))))), eth));
    ASSERT_TRUE(li.icmp);
    EXPECT_EQ(li.ip[1].udp_tunnel->kind, UdpTunnelKind::lisp);
    // Other ports: plain UDP.
    EXPECT_EQ(dz.dissect(frame(ethernet(0x0800, ipv4(17, udp(1, 53, cat(lisp, ipv4(1, icmp_echo(5, 5)))))), eth)).skip,
              Skip::not_icmp);
}

TEST(Tunnels, TruncatedTunnelHeaderIsAFault) {
    Dissector dz;
    auto d = dz.dissect(frame(ethernet(0x0800, ipv4(17, udp(1, 4789, Buf{0x08, 0, 0}))), eth));
    EXPECT_FALSE(d.icmp);
    EXPECT_EQ(d.skip, Skip::malformed);
    ASSERT_TRUE(d.fault);
    EXPECT_EQ(d.fault_layer, LayerKind::tunnel);
}

TEST(Tunnels, GreEthernetErspanAndAh) {
    Dissector dz;
    // RFC 1701 0x6558: an Ethernet frame in GRE.
    auto e = dz.dissect(frame(ethernet(0x0800, ipv4(47, gre(0x6558, ethernet(0x0800, ipv4(1, icmp_echo(1, 1)))))), eth));
    ASSERT_TRUE(e.icmp);
    EXPECT_TRUE(e.ip[1].gre);
    EXPECT_TRUE(e.ip[1].inner_link);
    // ERSPAN type II (GRE 0x88BE with a sequence number): 8-byte header, then Ethernet.
    Buf er{0x10, 0x01, 0x00, 0x05, 0, 0, 0, 0};
    auto s = dz.dissect(frame(ethernet(0x0800, ipv4(47, gre(0x88BE, cat(er, ethernet(0x0800, ipv4(1, icmp_echo(2, 2)))), false, true))), eth));
    ASSERT_TRUE(s.icmp);
    EXPECT_EQ(s.ip[1].offset, 14u + 20 + 8 + 8 + 14);
    // RFC 4302 2: AH (Next Header 1, Payload Len 4 -> 24 bytes) between IPv4 and ICMP.
    Buf ah(24, 0);
    ah[0] = 1;
    ah[1] = 4;
    auto a = dz.dissect(frame(ethernet(0x0800, ipv4(51, cat(ah, icmp_echo(3, 3)))), eth));
    ASSERT_TRUE(a.icmp);
    EXPECT_EQ(a.icmp->offset, 14u + 20 + 24);
    EXPECT_EQ(a.icmp->checksum, ChecksumStatus::good);
}

TEST(Tunnels, MplsEthernetPseudowireAndMacsec) {
    Dissector dz;
    // RFC 4448 4.4 with the RFC 4385 control word (first nibble 0).
    Buf mpls{0x00, 0x01, 0x01, 0x40, 0, 0, 0, 0};
    auto p = dz.dissect(frame(ethernet(0x8847, cat(mpls, ethernet(0x0800, ipv4(1, icmp_echo(1, 1))))), eth));
    ASSERT_TRUE(p.icmp);
    ASSERT_EQ(p.ip.size(), 1u);
    ASSERT_TRUE(p.ip[0].inner_link);
    EXPECT_EQ(p.ip[0].offset, 14u + 8 + 14);
    // IEEE 802.1AE SecTAG: TCI 0x20 (SC, no E/C), SL, PN, SCI; then the EtherType.
    Buf sectag{0x20, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 0, 1, 0x08, 0x00};
    auto m = dz.dissect(frame(ethernet(0x88E5, cat(sectag, ipv4(1, icmp_echo(2, 2)))), eth));
    ASSERT_TRUE(m.icmp);
    EXPECT_EQ(m.ip[0].offset, 14u + 16);
    sectag[0] = 0x2C;  // E and C: encrypted, not followed
    EXPECT_EQ(dz.dissect(frame(ethernet(0x88E5, cat(sectag, ipv4(1, icmp_echo(2, 2)))), eth)).skip, Skip::not_ip);
}

TEST(Tunnels, Rfc6946AtomicFragmentIsProcessedAlone) {
    Dissector dz;
    // A held first fragment with identification 7, then an atomic fragment with the same one.
    Buf first{58, 0, 0x00, 0x01, 0, 0, 0, 7};
    auto icmp = icmp6_echo(1, 1);
    EXPECT_FALSE(dz.dissect(frame(ethernet(0x86DD, ipv6(44, cat(first, Buf(icmp.begin(), icmp.begin() + 8)))), eth)).icmp);
    Buf atomic{58, 0, 0x00, 0x00, 0, 0, 0, 7};
    auto d = dz.dissect(frame(ethernet(0x86DD, ipv6(44, cat(atomic, icmp))), eth));
    ASSERT_TRUE(d.icmp);
    EXPECT_EQ(d.icmp->checksum, ChecksumStatus::good);
    EXPECT_EQ(dz.stats().reassembly_overlaps, 0u);
}

TEST(Tunnels, NewLinkTypes) {
    Dissector dz;
    auto ip = ipv4(1, icmp_echo(1, 1));
    // Solaris ipnet: 24-byte header, family 2 (AF_INET).
    Buf ipnet(24, 0);
    ipnet[0] = 2;
    ipnet[1] = 2;
    EXPECT_TRUE(dz.dissect(frame(cat(ipnet, ip), 226)).icmp);
    // Frame Relay: Q.922 address, UI 0x03, NLPID 0xCC (RFC 2427).
    EXPECT_TRUE(dz.dissect(frame(cat(Buf{0x18, 0x41, 0x03, 0xCC}, ip), 107)).icmp);
    // IPoIB: 40 address bytes, EtherType 0x0800, 2 reserved.
    Buf ib(44, 0);
    ib[40] = 0x08;
    EXPECT_TRUE(dz.dissect(frame(cat(ib, ip), 242)).icmp);
    // Linux ARCNET: RFC 1051 (IP 240) and RFC 1201 (IP 212 with split flag and sequence).
    EXPECT_TRUE(dz.dissect(frame(cat(Buf{1, 2, 0, 0, 240}, ip), 129)).icmp);
    EXPECT_TRUE(dz.dissect(frame(cat(Buf{1, 2, 0, 0, 212, 0, 0, 1}, ip), 129)).icmp);
}
