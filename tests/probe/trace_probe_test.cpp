// Traceroute probes: building (ports, serials, constant Paris checksums) and matching responses.
// Errors are assembled by hand here (type, code, checksum, unused word, then the quote) around
// datagrams whose header fields are checked against hand-derived values first.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <vector>

#include "icmpkit/probe/trace_probe.hpp"
#include "trace_space.hpp"
#include "icmpkit/wire/checksum.hpp"
#include "icmpkit/wire/transport.hpp"

using namespace icmpkit;
using probe::ResponseKind;
using probe::RejectReason;
using probe::TraceMethod;

namespace {

using namespace test_support;  // src4, dst4, hop4, src6, dst6, hop6, trace_space

probe::ProbeSpace space(TraceMethod m, bool v6 = false) { return test_support::trace_space(m, v6); }

void fix_checksum(std::vector<std::uint8_t>& m) {
    m[2] = m[3] = 0;
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < m.size(); i += 2) sum += (m[i] << 8) | m[i + 1];
    if (m.size() & 1) sum += m.back() << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    m[2] = static_cast<std::uint8_t>(~sum >> 8), m[3] = static_cast<std::uint8_t>(~sum);
}

// An ICMPv4 error: type, code, checksum, 4 octets, then `quote_len` octets of the datagram.
std::vector<std::uint8_t> icmp4_error(std::uint8_t type, std::uint8_t code, const core::Buffer& datagram,
                                      std::size_t quote_len, std::uint8_t quoted_ttl = 1) {
    std::vector<std::uint8_t> m{type, code, 0, 0, 0, 0, 0, 0};
    m.insert(m.end(), datagram.begin(), datagram.begin() + std::min(quote_len, datagram.size()));
    m[8 + 8] = quoted_ttl;  // the TTL the router saw (IPv4 octet 8); header checksum not rechecked
    fix_checksum(m);
    return m;
}

core::Bytes bytes(const std::vector<std::uint8_t>& v) { return core::Bytes(v.data(), v.size()); }

}  // namespace

TEST(TraceProbe, ClassicUdpPortsAndLength) {
    auto s = space(TraceMethod::udp);
    auto b = probe::build_probe(s, {0, 5, 3});
    EXPECT_EQ(b.protocol, 17);
    EXPECT_EQ(b.destination_port, 33434 + 5);  // traceroute 2.1: base + probe number
    EXPECT_EQ(b.source_port, 40000);
    ASSERT_EQ(b.segment.size(), 60u - 20u);  // 60-byte datagram
    EXPECT_EQ(core::load_be16(&b.segment[4]), 40);
    EXPECT_TRUE(wire::transport_checksum_ok(src4, dst4, 17, core::Bytes(b.segment)));
}

TEST(TraceProbe, ParisUdpChecksumConstantPerFlow) {
    for (bool v6 : {false, true}) {
        auto s = space(TraceMethod::udp_paris, v6);
        std::set<std::uint16_t> sums, ports;
        for (std::uint16_t serial = 0; serial < 300; serial += 7)
            for (std::uint8_t ttl = 1; ttl < 31; ttl += 4) {
                auto b = probe::build_probe(s, {2, serial, ttl});
                EXPECT_TRUE(wire::transport_checksum_ok(s.source, s.destination, 17, core::Bytes(b.segment)));
                sums.insert(core::load_be16(&b.segment[6]));
                ports.insert(core::load_be16(&b.segment[0]));
                ports.insert(core::load_be16(&b.segment[2]));
            }
        EXPECT_EQ(sums.size(), 1u) << v6;
        EXPECT_EQ(ports, (std::set<std::uint16_t>{33434, 40002}));
        // Another flow: other source port, still one checksum.
        auto a = probe::build_probe(s, {3, 1, 1}), c = probe::build_probe(s, {3, 99, 17});
        EXPECT_EQ(core::load_be16(&a.segment[6]), core::load_be16(&c.segment[6]));
    }
}

TEST(TraceProbe, IcmpParisChecksumConstantPerFlow) {
    for (bool v6 : {false, true}) {
        auto s = space(TraceMethod::icmp_paris, v6);
        std::set<std::uint32_t> first_word;
        for (std::uint16_t serial = 0; serial < 1000; serial += 13) {
            auto b = probe::build_probe(s, {1, serial, static_cast<std::uint8_t>(1 + serial % 30)});
            EXPECT_EQ(core::load_be16(&b.segment[4]), 40001);  // identifier = base + flow
            EXPECT_EQ(core::load_be16(&b.segment[6]), serial);  // sequence = serial
            first_word.insert(core::load_be32(&b.segment[0]));  // type, code, checksum
            if (!v6) EXPECT_TRUE(wire::checksum_ok(core::Bytes(b.segment)));
        }
        EXPECT_EQ(first_word.size(), 1u) << v6;
    }
}

TEST(TraceProbe, TcpSynSequenceCarriesSerial) {
    auto s = space(TraceMethod::tcp_syn);
    auto b = probe::build_probe(s, {1, 77, 9});
    EXPECT_EQ(core::load_be16(&b.segment[0]), 40001);
    EXPECT_EQ(core::load_be16(&b.segment[2]), 80);
    EXPECT_EQ(core::load_be32(&b.segment[4]), 0x10000000u + 77);
    EXPECT_EQ(b.segment[13], 0x02);  // SYN only
    EXPECT_TRUE(wire::transport_checksum_ok(src4, dst4, 6, core::Bytes(b.segment)));
    EXPECT_EQ(probe::build_datagram(s, {1, 77, 9}).size(), 60u);
}

TEST(TraceMatch, TimeExceededQuotingParisUdpIsAHop) {
    auto s = space(TraceMethod::udp_paris);
    auto d = probe::build_datagram(s, {1, 42, 7});
    ASSERT_EQ(d[8], 7);  // TTL as sent
    auto m = icmp4_error(11, 0, d, d.size());
    auto r = probe::match_response(s, 1, bytes(m), hop4, 250);
    ASSERT_EQ(r.kind, ResponseKind::hop) << probe::reject_name(r.reject);
    EXPECT_EQ(r.flow, 1);
    EXPECT_EQ(r.serial, 42);
    EXPECT_EQ(r.probe_ttl, 7);
    EXPECT_EQ(r.quoted_ttl, 1);
    EXPECT_EQ(r.from, hop4);
    EXPECT_FALSE(r.source_rewritten);
}

TEST(TraceMatch, EightOctetQuoteUsesIdentificationOnlyWhenOurs) {
    auto s = space(TraceMethod::udp_paris);
    auto d = probe::build_datagram(s, {0, 300, 4});
    auto m = icmp4_error(11, 0, d, 28);  // RFC 792 minimum: IP header + 8 octets
    auto r = probe::match_response(s, 1, bytes(m), hop4);
    ASSERT_EQ(r.kind, ResponseKind::hop);
    EXPECT_EQ(r.serial, 300);
    EXPECT_FALSE(r.probe_ttl);
    s.identification_is_serial = false;  // a kernel socket chose the identification
    r = probe::match_response(s, 1, bytes(m), hop4);
    ASSERT_EQ(r.kind, ResponseKind::hop);
    EXPECT_FALSE(r.serial);
}

TEST(TraceMatch, PortUnreachableIsDestinationOtherCodesUnreachable) {
    auto s = space(TraceMethod::udp);
    auto d = probe::build_datagram(s, {0, 9, 12});
    auto r = probe::match_response(s, 1, bytes(icmp4_error(3, 3, d, d.size(), 12)), dst4);
    EXPECT_EQ(r.kind, ResponseKind::destination);
    EXPECT_EQ(r.serial, 9);
    r = probe::match_response(s, 1, bytes(icmp4_error(3, 13, d, d.size())), hop4);
    EXPECT_EQ(r.kind, ResponseKind::unreachable);
    EXPECT_EQ(r.code, 13);
}

TEST(TraceMatch, ForeignQuotesRejectedWithReason) {
    auto s = space(TraceMethod::udp_paris);
    auto other = s;
    other.destination = core::IpAddress(core::Ipv4Address(203, 0, 113, 99));
    auto d = probe::build_datagram(other, {0, 1, 1});
    EXPECT_EQ(probe::match_response(s, 1, bytes(icmp4_error(11, 0, d, d.size())), hop4).reject,
              RejectReason::wrong_destination);
    other = s;
    other.source_port = 50000;  // not one of our flows
    d = probe::build_datagram(other, {0, 1, 1});
    EXPECT_EQ(probe::match_response(s, 1, bytes(icmp4_error(11, 0, d, d.size())), hop4).reject,
              RejectReason::wrong_ports);
    other = s;
    other.method = TraceMethod::icmp_paris;
    d = probe::build_datagram(other, {0, 1, 1});
    EXPECT_EQ(probe::match_response(s, 1, bytes(icmp4_error(11, 0, d, d.size())), hop4).reject,
              RejectReason::wrong_protocol);
    // Payload that contradicts the ports: a serial octet pair changed.
    d = probe::build_datagram(s, {2, 5, 3});
    auto m = icmp4_error(11, 0, d, d.size());
    m[8 + 20 + 8 + 5] ^= 0x01;  // payload octet 5: the flow octet
    fix_checksum(m);
    EXPECT_EQ(probe::match_response(s, 1, bytes(m), hop4).reject, RejectReason::wrong_payload);
    // A redirect is never a hop.
    EXPECT_EQ(probe::match_response(s, 1, bytes(icmp4_error(5, 1, d, d.size())), hop4).reject,
              RejectReason::unrelated);
    // Garbage.
    std::vector<std::uint8_t> junk{11, 0, 0xFF, 0xFF, 1};
    EXPECT_EQ(probe::match_response(s, 1, bytes(junk), hop4).reject, RejectReason::malformed);
}

TEST(TraceMatch, NatRewrittenSourceIsFlagged) {
    auto s = space(TraceMethod::udp_paris);
    auto natted = s;
    natted.source = core::IpAddress(core::Ipv4Address(198, 51, 100, 77));
    auto d = probe::build_datagram(natted, {0, 3, 5});
    auto r = probe::match_response(s, 1, bytes(icmp4_error(11, 0, d, d.size())), hop4);
    ASSERT_EQ(r.kind, ResponseKind::hop);
    EXPECT_TRUE(r.source_rewritten);
    EXPECT_EQ(r.quoted_source, natted.source);
}

TEST(TraceMatch, EchoReplyFromDestination) {
    auto s = space(TraceMethod::icmp_paris);
    auto b = probe::build_probe(s, {2, 17, 6});
    std::vector<std::uint8_t> reply(b.segment.begin(), b.segment.end());
    reply[0] = 0;  // echo reply (RFC 792)
    fix_checksum(reply);
    auto r = probe::match_response(s, 1, bytes(reply), dst4);
    ASSERT_EQ(r.kind, ResponseKind::destination);
    EXPECT_EQ(r.flow, 2);
    EXPECT_EQ(r.serial, 17);
    EXPECT_EQ(r.probe_ttl, 6);
    EXPECT_EQ(probe::match_response(s, 1, bytes(reply), hop4).reject, RejectReason::not_our_reply);
}

TEST(TraceMatch, TcpSynAckAndRst) {
    auto s = space(TraceMethod::tcp_syn);
    // Hand-built SYN-ACK: ports swapped, ack = our sequence + 1 (RFC 9293 3.10.7.3).
    std::vector<std::uint8_t> t(20, 0);
    core::store_be16(&t[0], 80);
    core::store_be16(&t[2], 40003);
    core::store_be32(&t[8], 0x10000000u + 21 + 1);
    t[12] = 5 << 4;
    t[13] = 0x12;
    auto r = probe::match_response(s, 6, bytes(t), dst4);
    ASSERT_EQ(r.kind, ResponseKind::destination);
    EXPECT_EQ(r.flow, 3);
    EXPECT_EQ(r.serial, 21);
    t[13] = 0x14;  // RST+ACK
    EXPECT_EQ(probe::match_response(s, 6, bytes(t), dst4).kind, ResponseKind::destination);
    t[13] = 0x10;  // a bare ACK answers nothing we sent
    EXPECT_EQ(probe::match_response(s, 6, bytes(t), dst4).reject, RejectReason::not_our_reply);
    core::store_be32(&t[8], 0x0F000000u);
    t[13] = 0x12;
    EXPECT_EQ(probe::match_response(s, 6, bytes(t), dst4).reject, RejectReason::wrong_sequence);
}

TEST(TraceMatch, Ipv6TimeExceededWithChecksum) {
    auto s = space(TraceMethod::udp_paris, true);
    auto d = probe::build_datagram(s, {0, 8, 2});
    d[7] = 1;  // hop limit as the router saw it
    std::vector<std::uint8_t> m{3, 0, 0, 0, 0, 0, 0, 0};
    m.insert(m.end(), d.begin(), d.end());
    wire::InternetChecksum c;
    wire::add_pseudo_header(c, hop6.v6(), src6.v6(), static_cast<std::uint32_t>(m.size()), 58);
    c.add(core::Bytes(m));
    core::store_be16(&m[2], c.finish());
    auto r = probe::match_response(s, 58, bytes(m), hop6, 63, &src6);
    ASSERT_EQ(r.kind, ResponseKind::hop) << probe::reject_name(r.reject);
    EXPECT_EQ(r.serial, 8);
    EXPECT_EQ(r.quoted_ttl, 1);
    m[2] ^= 1;  // a bad ICMPv6 checksum (RFC 4443 2.3)
    EXPECT_EQ(probe::match_response(s, 58, bytes(m), hop6, 63, &src6).reject, RejectReason::malformed);
}

// Messages built by scapy (scripts/trace_match_seeds.py -> fuzz/corpus/trace_match).
namespace {
std::vector<std::uint8_t> seed(const char* name) {
    std::ifstream f(std::string(ICMPKIT_SOURCE_DIR "/fuzz/corpus/trace_match/") + name, std::ios::binary);
    std::vector<std::uint8_t> v((std::istreambuf_iterator<char>(f)), {});
    EXPECT_FALSE(v.empty()) << name;
    if (!v.empty()) v.erase(v.begin());
    return v;
}
}  // namespace

TEST(TraceMatch, ScapyMplsTimeExceeded) {
    auto s = space(TraceMethod::udp_paris);
    s.identification_is_serial = false;
    auto r = probe::match_response(s, 1, bytes(seed("v4_paris_mpls")), hop4);
    ASSERT_EQ(r.kind, ResponseKind::hop) << probe::reject_name(r.reject);
    EXPECT_EQ(r.flow, 1);
    EXPECT_EQ(r.serial, 42);
    EXPECT_EQ(r.probe_ttl, 7);
    ASSERT_EQ(r.mpls.size(), 1u);
    EXPECT_EQ(r.mpls[0].label, 24001u);
    EXPECT_TRUE(r.mpls[0].bottom_of_stack);
    EXPECT_EQ(r.mpls[0].ttl, 1);
    EXPECT_FALSE(r.extension_checksum_bad);
}

TEST(TraceMatch, ScapyTcpAndIcmpQuotes) {
    auto r = probe::match_response(space(TraceMethod::tcp_syn), 1, bytes(seed("v4_tcp_time_exceeded")), hop4);
    ASSERT_EQ(r.kind, ResponseKind::hop);
    EXPECT_EQ(r.flow, 3);
    EXPECT_EQ(r.serial, 21);
    r = probe::match_response(space(TraceMethod::icmp_paris), 1, bytes(seed("v4_icmp_time_exceeded")), hop4);
    ASSERT_EQ(r.kind, ResponseKind::hop);
    EXPECT_EQ(r.flow, 2);
    EXPECT_EQ(r.serial, 17);
    r = probe::match_response(space(TraceMethod::udp_paris, true), 58, bytes(seed("v6_paris_port_unreach")), dst6,
                              64, &src6);
    EXPECT_EQ(r.kind, ResponseKind::destination);
    EXPECT_EQ(r.serial, 8);
}
