// Error-queue entries (Linux IP_RECVERR + IP_RECVERR_RFC4884) matched like raw-socket errors. The
// "delivered" bytes are cut from whole ICMP errors the way net/ipv4/icmp.c ip_icmp_error() cuts
// them (after the quoted UDP header; at the quoted ICMP header for ping sockets), and the offset
// is the kernel's ip_icmp_error_rfc4884(): length attribute x 4 (x 8 for v6) minus the headers
// stripped. The whole errors are scapy-built (fuzz/corpus/trace_match) or hand-built here.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "icmpkit/probe/trace_probe.hpp"
#include "trace_space.hpp"
#include "icmpkit/wire/checksum.hpp"

using namespace icmpkit;
using probe::ResponseKind;
using probe::TraceMethod;

namespace {

using namespace test_support;  // src4, dst4, hop4, src6, dst6, hop6, trace_space

// The kernel writes the IP header of a datagram socket's probes: identification is not ours.
probe::ProbeSpace space(TraceMethod m, bool v6 = false) {
    auto s = test_support::trace_space(m, v6);
    s.sequence_base = 0;
    s.identification_is_serial = false;
    return s;
}

std::vector<std::uint8_t> seed(const char* name) {
    std::ifstream f(std::string(ICMPKIT_SOURCE_DIR "/fuzz/corpus/trace_match/") + name, std::ios::binary);
    std::vector<std::uint8_t> v((std::istreambuf_iterator<char>(f)), {});
    EXPECT_FALSE(v.empty()) << name;
    if (!v.empty()) v.erase(v.begin());  // the seed's selector octet
    return v;
}

void fix_icmp4_checksum(std::vector<std::uint8_t>& m) {
    m[2] = m[3] = 0;
    const std::uint16_t c = wire::internet_checksum(core::Bytes(m));
    m[2] = static_cast<std::uint8_t>(c >> 8), m[3] = static_cast<std::uint8_t>(c);
}

core::Bytes bytes(const std::vector<std::uint8_t>& v) { return core::Bytes(v.data(), v.size()); }

// The scapy MPLS error quotes flow 1 (source port 40001, payload flow octet 1); a UDP socket is one
// flow, so make it quote flow 0 (port 40000, octet 0), as the socket's own probe would be quoted.
std::vector<std::uint8_t> mpls_seed() {
    auto m = seed("v4_paris_mpls");
    m[8 + 20] = 40000 >> 8, m[8 + 20 + 1] = 40000 & 0xFF;
    m[8 + 28 + 5] = 0;
    fix_icmp4_checksum(m);
    return m;
}

// A version-2 extension structure with one RFC 4950 entry (label, S=1, TTL 1), checksum set.
std::vector<std::uint8_t> mpls_structure(std::uint32_t label) {
    const std::uint32_t entry = label << 12 | 0x100 | 1;
    std::vector<std::uint8_t> s{0x20, 0, 0, 0, 0x00, 0x08, 0x01, 0x01, static_cast<std::uint8_t>(entry >> 24),
                                static_cast<std::uint8_t>(entry >> 16), static_cast<std::uint8_t>(entry >> 8),
                                static_cast<std::uint8_t>(entry)};
    const std::uint16_t c = wire::internet_checksum(core::Bytes(s));
    s[2] = static_cast<std::uint8_t>(c >> 8), s[3] = static_cast<std::uint8_t>(c);
    return s;
}

// What the error queue hands over for `message`: the bytes after the ICMP header and `stripped`
// quoted-header octets, and the kernel's offset for `unit`-octet length-attribute words.
struct Delivered {
    std::vector<std::uint8_t> data;
    probe::QueuedError e;
};
Delivered deliver(const std::vector<std::uint8_t>& message, std::size_t stripped, std::size_t unit, bool v6) {
    Delivered d;
    d.data.assign(message.begin() + 8 + static_cast<std::ptrdiff_t>(stripped), message.end());
    d.e.type = message[0], d.e.code = message[1];
    const std::size_t attr = message[v6 ? 4 : 5] * unit;
    if (attr >= 128 && attr >= stripped && attr - stripped + 4 <= d.data.size())
        d.e.extension_offset = static_cast<std::uint16_t>(attr - stripped);
    return d;
}

void expect_same_extensions(const probe::TraceResponse& raw, const probe::TraceResponse& q) {
    EXPECT_EQ(q.kind, raw.kind) << probe::reject_name(q.reject);
    EXPECT_EQ(q.flow, raw.flow);
    EXPECT_EQ(q.serial, raw.serial);
    EXPECT_EQ(q.probe_ttl, raw.probe_ttl);
    EXPECT_EQ(q.mpls, raw.mpls);
    EXPECT_EQ(q.interfaces, raw.interfaces);
    EXPECT_EQ(q.extension_checksum_bad, raw.extension_checksum_bad);
    EXPECT_FALSE(q.quoted_ttl);  // the kernel strips the quoted IP header
    EXPECT_FALSE(q.quoted_tos);
}

}  // namespace

TEST(TraceQueued, ScapyMplsTimeExceededThroughTheErrorQueue) {
    auto s = space(TraceMethod::udp_paris);
    const auto m = mpls_seed();  // length attribute 32: 128 octets, then the structure
    auto d = deliver(m, 20 + 8, 4, false);
    d.e.destination_port = 33434;
    ASSERT_EQ(d.e.extension_offset, 100);  // 128 - IPv4 header - UDP header
    auto q = probe::match_queued_error(s, d.e, bytes(d.data), hop4);
    ASSERT_EQ(q.kind, ResponseKind::hop) << probe::reject_name(q.reject);
    ASSERT_EQ(q.mpls.size(), 1u);
    EXPECT_EQ(q.mpls[0].label, 24001u);
    EXPECT_TRUE(q.mpls[0].bottom_of_stack);
    EXPECT_EQ(q.mpls[0].ttl, 1);
    expect_same_extensions(probe::match_response(s, 1, bytes(m), hop4), q);
}

TEST(TraceQueued, BadOffsetsLoseTheExtensionsNotTheHop) {
    auto s = space(TraceMethod::udp_paris);
    const auto m = mpls_seed();
    auto d = deliver(m, 28, 4, false);
    d.e.destination_port = 33434;
    for (std::uint16_t off : {std::uint16_t(d.data.size() + 1), std::uint16_t(d.data.size() - 3), std::uint16_t(0xFFFF)}) {
        d.e.extension_offset = off;  // past the end; no room for the header
        auto q = probe::match_queued_error(s, d.e, bytes(d.data), hop4);
        EXPECT_EQ(q.kind, ResponseKind::hop) << off;
        EXPECT_EQ(q.serial, 42) << off;
    }
    // An offset that misses the structure: whatever sits there is parsed as one, and fails.
    d.e.extension_offset = 60;
    auto q = probe::match_queued_error(s, d.e, bytes(d.data), hop4);
    EXPECT_EQ(q.kind, ResponseKind::hop);
    EXPECT_TRUE(q.mpls.empty());
}

TEST(TraceQueued, BadChecksumAndVersionAreJudgedAsOnARawSocket) {
    auto s = space(TraceMethod::udp_paris);
    auto m = mpls_seed();
    m[8 + 128 + 11] ^= 0x10;  // a label bit: the structure's checksum no longer verifies
    fix_icmp4_checksum(m);
    auto d = deliver(m, 28, 4, false);
    d.e.destination_port = 33434;
    auto q = probe::match_queued_error(s, d.e, bytes(d.data), hop4);
    EXPECT_TRUE(q.extension_checksum_bad);
    ASSERT_EQ(q.mpls.size(), 1u);
    expect_same_extensions(probe::match_response(s, 1, bytes(m), hop4), q);

    m = mpls_seed();
    m[8 + 128] = 0x10;  // version 1, checksum now wrong too
    fix_icmp4_checksum(m);
    d = deliver(m, 28, 4, false);
    d.e.destination_port = 33434;
    q = probe::match_queued_error(s, d.e, bytes(d.data), hop4);
    expect_same_extensions(probe::match_response(s, 1, bytes(m), hop4), q);
}

TEST(TraceQueued, IcmpDatagramSocketKeepsTheQuotedIcmpHeader) {
    auto s = space(TraceMethod::icmp_paris);
    auto m = seed("v4_icmp_time_exceeded");  // quote: IPv4 header + echo request (40002, 17)
    m.resize(8 + 136, 0);  // an original datagram field of 136 octets (RFC 4884 4.1: >= 128)
    m[5] = 34;
    const auto ext = mpls_structure(24002);
    m.insert(m.end(), ext.begin(), ext.end());
    fix_icmp4_checksum(m);
    auto d = deliver(m, 20, 4, false);  // ping sockets: the quoted ICMP header stays
    ASSERT_EQ(d.e.extension_offset, 116);
    auto q = probe::match_queued_error(s, d.e, bytes(d.data), hop4);
    ASSERT_EQ(q.kind, ResponseKind::hop) << probe::reject_name(q.reject);
    EXPECT_EQ(q.flow, 2);
    EXPECT_EQ(q.serial, 17);
    ASSERT_EQ(q.mpls.size(), 1u);
    EXPECT_EQ(q.mpls[0].label, 24002u);
    expect_same_extensions(probe::match_response(s, 1, bytes(m), hop4), q);
    // Without the kernel's offset nothing says where a structure past octet 128 starts.
    d.e.extension_offset = 0;
    q = probe::match_queued_error(s, d.e, bytes(d.data), hop4);
    EXPECT_EQ(q.kind, ResponseKind::hop);
    EXPECT_TRUE(q.mpls.empty());
}

TEST(TraceQueued, Ipv6LengthAttributeCountsEightOctets) {
    auto s = space(TraceMethod::udp_paris, true);
    auto m = seed("v6_paris_time_exceeded");  // ICMPv6 header + IPv6 + UDP + payload
    ASSERT_GT(m.size(), 8u + 48u);
    m.resize(8 + 128, 0);
    m[4] = 16;  // 16 x 8 octets
    const auto ext = mpls_structure(24003);
    m.insert(m.end(), ext.begin(), ext.end());
    auto d = deliver(m, 40 + 8, 8, true);
    d.e.destination_port = 33434;
    ASSERT_EQ(d.e.extension_offset, 80);
    auto q = probe::match_queued_error(s, d.e, bytes(d.data), hop6);
    ASSERT_EQ(q.kind, ResponseKind::hop) << probe::reject_name(q.reject);
    ASSERT_EQ(q.mpls.size(), 1u);
    EXPECT_EQ(q.mpls[0].label, 24003u);
    expect_same_extensions(probe::match_response(s, 58, bytes(m), hop6), q);
    // Without the option (offset 0) the 128-octet layout is still found (RFC 4884 5.3), as raw.
    d.e.extension_offset = 0;
    q = probe::match_queued_error(s, d.e, bytes(d.data), hop6);
    expect_same_extensions(probe::match_response(s, 58, bytes(m), hop6), q);
}

TEST(TraceQueued, TruncatedDeliveryNeverReadsPastTheEnd) {
    auto s = space(TraceMethod::udp_paris);
    const auto m = mpls_seed();
    const auto full = deliver(m, 28, 4, false);
    for (std::size_t n = 0; n <= full.data.size(); ++n) {
        std::vector<std::uint8_t> cut(full.data.begin(), full.data.begin() + static_cast<std::ptrdiff_t>(n));
        probe::QueuedError e = full.e;
        e.destination_port = 33434;
        auto q = probe::match_queued_error(s, e, bytes(cut), hop4);  // ASan/UBSan watch the reads
        if (n < full.data.size()) EXPECT_TRUE(q.mpls.empty()) << n;
    }
}
