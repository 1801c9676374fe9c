// ErrorMatcher: RFC 5927 section 4 defences. Messages are the scapy-built seeds of
// fuzz/corpus/error_match (byte 0 = family, then the ICMP message).
#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <vector>

#include "icmpkit/probe/error_match.hpp"

using namespace icmpkit;
using probe::MatchVerdict;

namespace {

std::vector<std::uint8_t> seed(const char* name) {
    std::ifstream f(std::string(ICMPKIT_SOURCE_DIR "/fuzz/corpus/error_match/") + name, std::ios::binary);
    std::vector<std::uint8_t> v((std::istreambuf_iterator<char>(f)), {});
    EXPECT_FALSE(v.empty()) << name;
    if (!v.empty()) v.erase(v.begin());  // the family byte
    return v;
}

// RFC 1071 checksum over the message with its checksum field zeroed.
void fix_checksum(std::vector<std::uint8_t>& m) {
    m[2] = m[3] = 0;
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < m.size(); i += 2) sum += (m[i] << 8) | m[i + 1];
    if (m.size() & 1) sum += m.back() << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    m[2] = static_cast<std::uint8_t>(~sum >> 8), m[3] = static_cast<std::uint8_t>(~sum);
}

const core::IpAddress local4{core::Ipv4Address(192, 0, 2, 10)};
const core::IpAddress remote4{core::Ipv4Address(203, 0, 113, 5)};
const core::IpAddress router4{core::Ipv4Address(198, 51, 100, 1)};

core::Bytes bytes(const std::vector<std::uint8_t>& v) { return core::Bytes(v.data(), v.size()); }

}  // namespace

TEST(TcpSendWindow, Rfc5927Range) {
    probe::TcpSendWindow w{1000, 2000};
    EXPECT_TRUE(w.contains(1000));   // SND.UNA <= SEG.SEQ
    EXPECT_TRUE(w.contains(1999));
    EXPECT_FALSE(w.contains(2000));  // SEG.SEQ < SND.NXT
    EXPECT_FALSE(w.contains(999));
    probe::TcpSendWindow wrap{0xFFFFFFF0u, 0x10};  // modulo 2^32
    EXPECT_TRUE(wrap.contains(0xFFFFFFFFu));
    EXPECT_TRUE(wrap.contains(0x5));
    EXPECT_FALSE(wrap.contains(0x10));
    EXPECT_FALSE((probe::TcpSendWindow{7, 7}.contains(7)));  // nothing outstanding
}

TEST(ErrorMatcher, UdpPortUnreachableDelivered) {
    probe::ErrorMatcher m;
    auto id = m.add_flow({local4, remote4, 17, 40000, 53});
    auto r = m.match(core::Family::v4, bytes(seed("v4_port_unreach")), remote4);
    ASSERT_EQ(r.verdict, MatchVerdict::delivered);
    EXPECT_EQ(r.flow, id);
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->origin, probe::ErrorOrigin::icmp);
    EXPECT_EQ(r.error->type, 3);
    EXPECT_EQ(r.error->code, 3);
    EXPECT_EQ(r.error->classification.unreachable, wire::UnreachableReason::port);
    EXPECT_EQ(*r.error->reporter, remote4);
    EXPECT_EQ(r.error->flow->src_port, 40000);
    EXPECT_EQ(r.error->error_number, ECONNREFUSED);
    EXPECT_EQ(m.counters().delivered, 1u);
}

TEST(ErrorMatcher, WildcardLocalAddressMatches) {
    probe::ErrorMatcher m;
    m.add_flow({core::IpAddress(core::Ipv4Address()), remote4, 17, 40000, 53});
    EXPECT_EQ(m.match(core::Family::v4, bytes(seed("v4_admin")), router4).verdict, MatchVerdict::delivered);
}

TEST(ErrorMatcher, UnknownFlowIsSuspicious) {
    probe::ErrorMatcher m;
    m.add_flow({local4, remote4, 17, 40001, 53});  // another source port
    auto r = m.match(core::Family::v4, bytes(seed("v4_port_unreach")), remote4);
    EXPECT_EQ(r.verdict, MatchVerdict::suspicious);
    EXPECT_FALSE(r.error);
    EXPECT_EQ(m.counters().suspicious, 1u);
    EXPECT_EQ(m.counters().delivered, 0u);
}

TEST(ErrorMatcher, TcpSequenceMustLieInWindow) {
    probe::ErrorMatcher m;
    auto id = m.add_flow({local4, remote4, 6, 40001, 80}, probe::TcpSendWindow{1000, 2000});
    auto in = m.match(core::Family::v4, bytes(seed("v4_tcp_in_window")), router4);  // seq 1500
    EXPECT_EQ(in.verdict, MatchVerdict::delivered);
    EXPECT_EQ(in.error->classification.kind, wire::Kind::time_exceeded);
    auto out = m.match(core::Family::v4, bytes(seed("v4_tcp_out_of_window")), router4);  // seq 5
    EXPECT_EQ(out.verdict, MatchVerdict::out_of_window);
    EXPECT_FALSE(out.error);
    ASSERT_TRUE(m.set_window(id, probe::TcpSendWindow{1501, 3000}));  // 1500 now acknowledged
    EXPECT_EQ(m.match(core::Family::v4, bytes(seed("v4_tcp_in_window")), router4).verdict,
              MatchVerdict::out_of_window);
    EXPECT_EQ(m.counters().out_of_window, 2u);
    EXPECT_EQ(m.counters().delivered, 1u);
}

TEST(ErrorMatcher, TcpFlowWithoutWindowNeverDelivers) {
    probe::ErrorMatcher m;
    m.add_flow({local4, remote4, 6, 40001, 80});
    EXPECT_EQ(m.match(core::Family::v4, bytes(seed("v4_tcp_in_window")), router4).verdict,
              MatchVerdict::out_of_window);
}

TEST(ErrorMatcher, MalformedIsCountedNotDelivered) {
    probe::ErrorMatcher m;
    m.add_flow({local4, remote4, 17, 40000, 53});
    // Quote cut inside the UDP header (20 + 4 bytes): no ports, cannot be attributed.
    auto t = m.match(core::Family::v4, bytes(seed("v4_truncated_quote")), remote4);
    EXPECT_EQ(t.verdict, MatchVerdict::malformed);
    // A quoted total length shorter than its own header + UDP header (a lying length).
    auto lie = seed("v4_port_unreach");
    lie[8 + 2] = 0, lie[8 + 3] = 20;
    fix_checksum(lie);
    EXPECT_EQ(m.match(core::Family::v4, bytes(lie), remote4).verdict, MatchVerdict::malformed);
    // A bad ICMP checksum.
    auto bad = seed("v4_port_unreach");
    bad[2] ^= 0xFF;
    auto b = m.match(core::Family::v4, bytes(bad), remote4);
    EXPECT_EQ(b.verdict, MatchVerdict::malformed);
    ASSERT_TRUE(b.fault);
    EXPECT_EQ(b.fault->fault, core::Fault::bad_checksum);
    // Too short to be an ICMP message at all.
    std::vector<std::uint8_t> tiny{3, 3, 0};
    EXPECT_EQ(m.match(core::Family::v4, bytes(tiny), remote4).verdict, MatchVerdict::malformed);
    // An ICMPv4 error quoting an IPv6 datagram.
    auto v6q = seed("v6_port_unreach");
    std::vector<std::uint8_t> mixed{3, 3, 0, 0, 0, 0, 0, 0};
    mixed.insert(mixed.end(), v6q.begin() + 8, v6q.end());
    fix_checksum(mixed);
    EXPECT_EQ(m.match(core::Family::v4, bytes(mixed), remote4).verdict, MatchVerdict::malformed);
    EXPECT_EQ(m.counters().malformed, 5u);
    EXPECT_EQ(m.counters().delivered, 0u);
}

TEST(ErrorMatcher, InformationalIsNotJudged) {
    probe::ErrorMatcher m;
    std::vector<std::uint8_t> echo{8, 0, 0, 0, 0x12, 0x34, 0, 1};
    fix_checksum(echo);
    EXPECT_EQ(m.match(core::Family::v4, bytes(echo), remote4).verdict, MatchVerdict::not_error);
    EXPECT_EQ(m.counters().not_error, 1u);
}

TEST(ErrorMatcher, Ipv6PortUnreachableAndTimeExceeded) {
    probe::ErrorMatcher m;
    core::IpAddress l6{*core::Ipv6Address::parse("2001:db8:1::2")}, r6{*core::Ipv6Address::parse("2001:db8:2::5")};
    m.add_flow({l6, r6, 17, 40000, 53});
    auto p = m.match(core::Family::v6, bytes(seed("v6_port_unreach")), r6);
    ASSERT_EQ(p.verdict, MatchVerdict::delivered);
    EXPECT_EQ(p.error->origin, probe::ErrorOrigin::icmp6);
    EXPECT_EQ(p.error->classification.unreachable, wire::UnreachableReason::port);
    auto t = m.match(core::Family::v6, bytes(seed("v6_time_exceeded")), r6);
    ASSERT_EQ(t.verdict, MatchVerdict::delivered);
    EXPECT_EQ(t.error->classification.time_exceeded, wire::TimeExceededReason::in_transit);
    EXPECT_EQ(t.error->error_number, EHOSTUNREACH);
}

TEST(ClassifyError, FromTypeCodeInfo) {
    auto f = probe::classify_error(core::Family::v4, 3, 4, 1400);
    EXPECT_EQ(f.unreachable, wire::UnreachableReason::fragmentation_needed);
    EXPECT_EQ(f.mtu, 1400u);
    auto p = probe::classify_error(core::Family::v6, 2, 0, 1280);
    EXPECT_EQ(p.kind, wire::Kind::packet_too_big);
    EXPECT_EQ(p.mtu, 1280u);
    EXPECT_EQ(probe::classify_error(core::Family::v6, 1, 1, 0).unreachable, wire::UnreachableReason::admin_prohibited);
    EXPECT_EQ(probe::kernel_errno(core::Family::v4, 3, 13), EHOSTUNREACH);
    EXPECT_EQ(probe::kernel_errno(core::Family::v6, 1, 1), EACCES);
}

// Observer mode: no registry, no window; every well-formed error is delivered with its quoted flow,
// malformed and informational messages are still not.
TEST(ErrorMatcher, InspectDeliversAnyWellFormedError) {
    probe::ErrorMatcher m;
    m.add_flow({local4, remote4, 17, 1, 1});  // ignored by inspect
    auto u = m.inspect(core::Family::v4, bytes(seed("v4_port_unreach")), remote4);
    ASSERT_EQ(u.verdict, MatchVerdict::delivered);
    EXPECT_EQ(u.flow, 0u);
    ASSERT_TRUE(u.error && u.error->flow);
    EXPECT_EQ(u.error->flow->src_port, 40000);
    EXPECT_EQ(u.error->flow->dst_port, 53);
    // A TCP quote outside any window (seq 5) is delivered to an observer.
    auto t = m.inspect(core::Family::v4, bytes(seed("v4_tcp_out_of_window")), router4);
    EXPECT_EQ(t.verdict, MatchVerdict::delivered);
    EXPECT_EQ(t.error->flow->protocol, 6);
    EXPECT_EQ(m.inspect(core::Family::v4, bytes(seed("v4_truncated_quote")), remote4).verdict,
              MatchVerdict::malformed);
    auto bad = seed("v4_port_unreach");
    bad[2] ^= 0xFF;
    EXPECT_EQ(m.inspect(core::Family::v4, bytes(bad), remote4).verdict, MatchVerdict::malformed);
    EXPECT_EQ(m.counters().delivered, 2u);
    EXPECT_EQ(m.counters().suspicious, 0u);
    // match() still judges the same out-of-window quote against the registry.
    EXPECT_EQ(m.match(core::Family::v4, bytes(seed("v4_tcp_out_of_window")), router4).verdict,
              MatchVerdict::suspicious);
}
