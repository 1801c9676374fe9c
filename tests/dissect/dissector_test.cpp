// The dissector on hand-built frames: link types, tunnels, checksum status, faults, reassembly.
#include <gtest/gtest.h>

#include "frames.hpp"
#include "icmpkit/dissect/dissector.hpp"

using namespace icmpkit;
using namespace icmpkit::dissect;
using namespace frames;

namespace {

capture::Frame frame(const Buf& b, int linktype, std::int64_t ms = 0, std::uint32_t original = 0) {
    capture::Frame f;
    f.data = core::Bytes(b);
    f.captured_length = static_cast<std::uint32_t>(b.size());
    f.original_length = original ? original : f.captured_length;
    f.linktype = linktype;
    f.timestamp = core::WallTime(std::chrono::milliseconds(1'700'000'000'000 + ms));
    f.number = 1;
    return f;
}

constexpr int eth = 1, dlt_raw = 12, sll_type = 113, null_type = 0;

}  // namespace

TEST(Dissector, EthernetIpv4Echo) {
    auto b = ethernet(0x0800, ipv4(1, icmp_echo(0x4242, 3)));
    Dissector dz;
    auto d = dz.dissect(frame(b, eth));
    ASSERT_TRUE(d.link);
    ASSERT_EQ(d.ip.size(), 1u);
    EXPECT_EQ(d.ip[0].offset, 14u);
    EXPECT_EQ(d.ip[0].header_checksum, ChecksumStatus::good);
    EXPECT_EQ(d.ip[0].encapsulation, Encapsulation::link);
    ASSERT_TRUE(d.icmp);
    EXPECT_EQ(d.icmp->offset, 34u);
    EXPECT_EQ(d.icmp->type, 8);
    EXPECT_EQ(d.icmp->checksum, ChecksumStatus::good);
    ASSERT_TRUE(d.icmp->v4());
    EXPECT_EQ(d.icmp->classification.kind, wire::Kind::echo_request);
    EXPECT_EQ(d.icmp->classification.identifier, 0x4242);
    EXPECT_EQ(d.icmp->classification.sequence, 3);
    EXPECT_FALSE(d.fault);
    EXPECT_EQ(dz.stats().icmp_v4, 1u);
    EXPECT_EQ(dz.stats().count(core::Family::v4, 8, 0), 1u);
}

TEST(Dissector, BadChecksumsAreStatusNotFaults) {
    auto b = ethernet(0x0800, ipv4(1, icmp_echo(1, 1)));
    b[14 + 20 + 7] ^= 0xFF;  // sequence byte: ICMP checksum now wrong
    b[14 + 8] ^= 1;          // TTL: IPv4 header checksum now wrong
    Dissector dz;
    auto d = dz.dissect(frame(b, eth));
    ASSERT_TRUE(d.icmp);
    EXPECT_EQ(d.icmp->checksum, ChecksumStatus::bad);
    EXPECT_EQ(d.ip[0].header_checksum, ChecksumStatus::bad);
    EXPECT_TRUE(d.icmp->message);  // decoded anyway
    EXPECT_FALSE(d.fault);
    EXPECT_EQ(dz.stats().icmp_bad_checksum, 1u);
    EXPECT_EQ(dz.stats().ip_bad_checksum, 1u);
}

TEST(Dissector, RawIpv6EchoPseudoHeaderChecksum) {
    auto b = ipv6(58, icmp6_echo(9, 10));
    Dissector dz;
    auto d = dz.dissect(frame(b, dlt_raw));
    ASSERT_TRUE(d.icmp);
    EXPECT_EQ(d.icmp->family, core::Family::v6);
    EXPECT_EQ(d.icmp->offset, 40u);
    EXPECT_EQ(d.icmp->checksum, ChecksumStatus::good);
    EXPECT_EQ(d.ip[0].header_checksum, ChecksumStatus::absent);
    b[8 + 15] ^= 1;  // another source address: the pseudo-header no longer matches
    auto d2 = dz.dissect(frame(b, dlt_raw));
    EXPECT_EQ(d2.icmp->checksum, ChecksumStatus::bad);
    EXPECT_TRUE(d2.icmp->message);
}

TEST(Dissector, SllAndNullLinks) {
    Dissector dz;
    auto d = dz.dissect(frame(sll(0x0800, ipv4(1, icmp_echo(1, 2))), sll_type));
    ASSERT_TRUE(d.icmp);
    EXPECT_EQ(d.ip[0].offset, 16u);
    // BSD loopback: AF_INET (2) in the writer's byte order (little-endian here).
    auto n = cat(Buf{2, 0, 0, 0}, ipv4(1, icmp_echo(1, 2)));
    auto d2 = dz.dissect(frame(n, null_type));
    ASSERT_TRUE(d2.icmp);
    EXPECT_EQ(d2.icmp->offset, 24u);
}

TEST(Dissector, NonIcmpAndNonIpAreSkipped) {
    Dissector dz;
    Buf udp{0x30, 0x39, 0x82, 0x9A, 0, 8, 0, 0};
    auto d = dz.dissect(frame(ethernet(0x0800, ipv4(17, udp)), eth));
    EXPECT_FALSE(d.icmp);
    EXPECT_EQ(d.skip, Skip::not_icmp);
    Buf arp(28, 0);
    auto d2 = dz.dissect(frame(ethernet(0x0806, arp), eth));
    EXPECT_EQ(d2.skip, Skip::not_ip);
    EXPECT_EQ(dz.stats().skipped, 2u);
}

TEST(Dissector, Tunnels) {
    Dissector dz;
    // IP-in-IP (RFC 2003).
    auto d = dz.dissect(frame(ethernet(0x0800, ipv4(4, ipv4(1, icmp_echo(1, 1), 7, 8))), eth));
    ASSERT_EQ(d.ip.size(), 2u);
    EXPECT_EQ(d.ip[1].encapsulation, Encapsulation::ip_in_ip);
    EXPECT_EQ(d.ip[1].offset, 34u);
    ASSERT_TRUE(d.icmp);
    EXPECT_EQ(d.icmp->offset, 54u);
    // 6in4 (RFC 4213): ICMPv6 checksum over the inner IPv6 pseudo-header.
    auto d6 = dz.dissect(frame(ethernet(0x0800, ipv4(41, ipv6(58, icmp6_echo(2, 2)))), eth));
    ASSERT_EQ(d6.ip.size(), 2u);
    EXPECT_EQ(d6.ip[1].encapsulation, Encapsulation::ipv6_in_ip);
    ASSERT_TRUE(d6.icmp);
    EXPECT_EQ(d6.icmp->checksum, ChecksumStatus::good);
    // GRE with key and sequence (RFC 2890) carrying IPv4, and GRE with a checksum (RFC 2784 2.5).
    auto dg = dz.dissect(frame(ethernet(0x0800, ipv4(47, gre(0x0800, ipv4(1, icmp_echo(3, 3)), true, true))), eth));
    ASSERT_EQ(dg.ip.size(), 2u);
    ASSERT_TRUE(dg.ip[1].gre);
    EXPECT_EQ(dg.ip[1].gre->key, 12345u);
    EXPECT_EQ(dg.ip[1].gre->sequence, 7u);
    EXPECT_EQ(dg.ip[1].gre->header_length, 12u);
    EXPECT_EQ(dg.ip[1].offset, 14u + 20 + 12);
    ASSERT_TRUE(dg.icmp);
    auto gc = gre(0x86DD, ipv6(58, icmp6_echo(4, 4)), false, false, true);
    auto dc = dz.dissect(frame(ethernet(0x86DD, ipv6(47, gc)), eth));
    ASSERT_EQ(dc.ip.size(), 2u);
    EXPECT_EQ(dc.ip[1].gre->checksum_status, ChecksumStatus::good);
    ASSERT_TRUE(dc.icmp);
    EXPECT_EQ(dc.icmp->checksum, ChecksumStatus::good);
    gc[5] ^= 0xFF;
    auto dcb = dz.dissect(frame(ethernet(0x86DD, ipv6(47, gc)), eth));
    EXPECT_EQ(dcb.ip[1].gre->checksum_status, ChecksumStatus::bad);
}

TEST(Dissector, NestingIsBounded) {
    Buf p = ipv4(1, icmp_echo(1, 1));
    for (int i = 0; i < 20; ++i) p = ipv4(4, p);
    Dissector dz;
    auto d = dz.dissect(frame(p, dlt_raw));
    EXPECT_FALSE(d.icmp);
    ASSERT_TRUE(d.fault);
    EXPECT_EQ(d.fault->fault, core::Fault::unsupported);
    EXPECT_EQ(d.fault_layer, LayerKind::tunnel);
    EXPECT_EQ(d.ip.size(), 8u);
}

TEST(Dissector, TruncatedIcmpIsDecodedAsFarAsItGoes) {
    // Echo request claims 28 bytes of IP; give only 14 (eth) + 20 (ip) + 6 (icmp) = 40 bytes.
    auto full = ethernet(0x0800, ipv4(1, icmp_echo(1, 1, 0)));
    Buf cut(full.begin(), full.begin() + 40);
    Dissector dz;
    auto d = dz.dissect(frame(cut, eth, 0, static_cast<std::uint32_t>(full.size())));
    ASSERT_TRUE(d.fault);
    EXPECT_EQ(d.fault->fault, core::Fault::truncated);
    EXPECT_EQ(d.fault->offset, 40u);  // the IP datagram ends at the last captured byte
    EXPECT_EQ(d.fault_layer, LayerKind::ip);
    EXPECT_TRUE(d.snapped());
    ASSERT_TRUE(d.icmp);
    EXPECT_EQ(d.icmp->type, 8);
    EXPECT_EQ(d.icmp->checksum, ChecksumStatus::unverified);
    EXPECT_FALSE(d.icmp->message);  // 6 bytes: fewer than the 8 of the header
}

TEST(Dissector, ShortQuoteIsAQuoteFault) {
    // Port unreachable quoting 12 bytes (RFC 792 wants the IP header + 64 bits).
    Buf m{3, 3, 0, 0, 0, 0, 0, 0, 0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0};
    put16(m, 2, wire::internet_checksum(m));
    Dissector dz;
    auto d = dz.dissect(frame(ethernet(0x0800, ipv4(1, m)), eth));
    ASSERT_TRUE(d.icmp);
    EXPECT_EQ(d.icmp->checksum, ChecksumStatus::good);
    ASSERT_TRUE(d.fault);
    EXPECT_EQ(d.fault_layer, LayerKind::quote);
    EXPECT_EQ(d.fault->fault, core::Fault::truncated);
    EXPECT_EQ(d.fault->offset, 14u + 20 + 8 + 12);
}

// ---- IPv4 reassembly (RFC 791 3.2) ----

namespace {
// A 48-byte echo request split as [0,16) [16,32) [32,48).
std::vector<Buf> fragments_of(std::uint16_t id) {
    auto icmp = icmp_echo(5, 6, 40);
    std::vector<Buf> out;
    for (std::uint32_t off = 0; off < icmp.size(); off += 16) {
        Buf part(icmp.begin() + off, icmp.begin() + off + 16);
        out.push_back(ethernet(0x0800, ipv4(1, part, 1, 2, id, off, off + 16 < icmp.size())));
    }
    return out;
}
}  // namespace

TEST(Reassembly, InOrderAndOutOfOrder) {
    for (auto order : {std::vector<int>{0, 1, 2}, std::vector<int>{2, 0, 1}, std::vector<int>{1, 2, 0}}) {
        Dissector dz;
        auto fr = fragments_of(77);
        Dissection last;
        for (std::size_t i = 0; i < order.size(); ++i) {
            last = dz.dissect(frame(fr[order[i]], eth, static_cast<std::int64_t>(i)));
            if (i + 1 < order.size()) EXPECT_EQ(last.skip, Skip::fragment_held);
        }
        ASSERT_TRUE(last.icmp);
        EXPECT_TRUE(last.ip[0].reassembled);
        EXPECT_EQ(last.ip[0].fragment_count, 3);
        EXPECT_TRUE(last.icmp->in_reassembled);
        EXPECT_EQ(last.icmp->bytes.size(), 48u);
        EXPECT_EQ(last.icmp->checksum, ChecksumStatus::good);
        ASSERT_TRUE(last.reassembled);
        EXPECT_EQ(last.reassembled->size(), 20u + 48);
        EXPECT_EQ(dz.stats().reassembled, 1u);
        EXPECT_EQ(dz.reassembly_in_progress(), 0u);
    }
}

TEST(Reassembly, DuplicateIgnoredOverlapDropped) {
    Dissector dz;
    auto fr = fragments_of(1);
    dz.dissect(frame(fr[0], eth));
    dz.dissect(frame(fr[0], eth));  // exact duplicate
    dz.dissect(frame(fr[1], eth));
    auto d = dz.dissect(frame(fr[2], eth));
    ASSERT_TRUE(d.icmp);
    EXPECT_EQ(d.ip[0].fragment_count, 3);
    // Overlap: [0,16) then a fragment at [8,24).
    auto icmp = icmp_echo(5, 6, 40);
    Buf mid(icmp.begin() + 8, icmp.begin() + 24);
    dz.dissect(frame(fr[0], eth));
    auto o = dz.dissect(frame(ethernet(0x0800, ipv4(1, mid, 1, 2, 0x1234 + 0, 8, true)), eth));
    (void)o;
    // Different id (0x1234 vs 1) means another datagram; build the overlap with the same id.
    Dissector dz2;
    auto f2 = fragments_of(0x1234);
    dz2.dissect(frame(f2[0], eth));
    dz2.dissect(frame(ethernet(0x0800, ipv4(1, mid, 1, 2, 0x1234, 8, true)), eth));
    EXPECT_EQ(dz2.stats().reassembly_overlaps, 1u);
    EXPECT_EQ(dz2.reassembly_in_progress(), 0u);
    dz2.dissect(frame(f2[1], eth));
    auto d2 = dz2.dissect(frame(f2[2], eth));
    EXPECT_FALSE(d2.icmp);  // the datagram was dropped; these start a new one that lacks [0,16)
}

TEST(Reassembly, LimitsAndExpiry) {
    DissectorOptions opt;
    opt.limits.max_datagrams = 4;
    Dissector dz(opt);
    for (std::uint16_t id = 0; id < 10; ++id) dz.dissect(frame(fragments_of(id)[0], eth));
    EXPECT_EQ(dz.reassembly_in_progress(), 4u);
    EXPECT_EQ(dz.stats().reassembly_dropped, 6u);
    // 31 s of capture time later every datagram in progress has expired (30 s timeout).
    dz.dissect(frame(ethernet(0x0800, ipv4(1, icmp_echo(1, 1))), eth, 31'000));
    EXPECT_EQ(dz.reassembly_in_progress(), 0u);
    EXPECT_EQ(dz.stats().reassembly_expired, 4u);
    // A late fragment of an expired datagram does not complete anything.
    auto d = dz.dissect(frame(fragments_of(0)[2], eth, 31'001));
    EXPECT_FALSE(d.icmp);
    // A fragment reaching past 65535 bytes is refused.
    Buf big(16, 0);
    dz.dissect(frame(ethernet(0x0800, ipv4(1, big, 1, 2, 999, 65528, true)), eth, 31'002));
    EXPECT_EQ(dz.stats().reassembly_dropped, 7u);
}

TEST(Reassembly, DisabledReportsFirstFragment) {
    DissectorOptions opt;
    opt.reassemble = false;
    Dissector dz(opt);
    auto fr = fragments_of(3);
    auto d0 = dz.dissect(frame(fr[0], eth));
    ASSERT_TRUE(d0.icmp);
    EXPECT_EQ(d0.icmp->checksum, ChecksumStatus::unverified);
    auto d1 = dz.dissect(frame(fr[1], eth));
    EXPECT_EQ(d1.skip, Skip::non_initial_fragment);
}

TEST(Reassembly, Ipv6FragmentHeader) {
    // RFC 8200 4.5: fragment header (next header 58, offset, M, identification 0xABCD).
    auto icmp = icmp6_echo(7, 8, 1, 2, 40);  // 48 bytes
    auto frag = [&](std::uint32_t off, std::uint32_t len, bool more) {
        Buf fh{58, 0, 0, 0, 0, 0, 0xAB, 0xCD};
        put16(fh, 2, static_cast<std::uint16_t>(off | (more ? 1 : 0)));
        Buf part(icmp.begin() + off, icmp.begin() + off + len);
        return ethernet(0x86DD, ipv6(44, cat(fh, part)));
    };
    Dissector dz;
    EXPECT_EQ(dz.dissect(frame(frag(24, 24, false), eth)).skip, Skip::fragment_held);
    auto d = dz.dissect(frame(frag(0, 24, true), eth));
    ASSERT_TRUE(d.icmp);
    EXPECT_TRUE(d.ip[0].reassembled);
    EXPECT_EQ(d.icmp->bytes.size(), 48u);
    EXPECT_EQ(d.icmp->checksum, ChecksumStatus::good);
    EXPECT_EQ(d.icmp->offset, 40u);  // in the rebuilt datagram: after the fixed header
}
