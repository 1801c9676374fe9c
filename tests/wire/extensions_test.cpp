// RFC 4884 / 4950 / 5837 / 8335 extension structures. Fixtures are scapy-built (see
// icmpv4_fixtures.py) and were decoded by `tshark -V` to confirm the values asserted here.
#include "icmpkit/wire/extensions.hpp"

#include <gtest/gtest.h>

#include <random>

#include "icmpkit/wire/checksum.hpp"
#include "icmpv4_fixtures.hpp"

using namespace icmpkit;
namespace ext = icmpkit::wire::ext;

namespace {
core::Buffer emit_ext(const ext::ExtensionStructure& s, bool compute) {
    core::Buffer b;
    core::ByteWriter w(b);
    ext::emit(s, w, compute);
    return b;
}
// Hand-built structure: version 2 header with a correct checksum over `objects`.
core::Buffer structure(std::initializer_list<std::uint8_t> objects) {
    core::Buffer b{0x20, 0x00, 0x00, 0x00};
    b.insert(b.end(), objects);
    core::store_be16(b.data() + 2, wire::internet_checksum(b));
    return b;
}
core::Bytes tail(const std::vector<std::uint8_t>& v, std::size_t from) { return core::Bytes(v).subspan(from); }
}  // namespace

TEST(Extensions, Rfc4950MplsStackFromScapy) {
    // time_exceeded_mpls: 8 ICMP header + 128 original, then the structure (tshark: version 2,
    // checksum 0x4f0a correct, labels 16005/exp 5/S 0/TTL 1 and 3/exp 0/S 1/TTL 255).
    auto area = tail(fixtures::time_exceeded_mpls, 8 + 128);
    auto s = ext::parse(area);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->version, 2);
    EXPECT_EQ(s->checksum, 0x4f0a);
    EXPECT_TRUE(s->checksum_valid);
    ASSERT_EQ(s->objects.size(), 1u);
    auto* mpls = std::get_if<ext::MplsLabelStack>(&s->objects[0]);
    ASSERT_NE(mpls, nullptr);
    ASSERT_EQ(mpls->entries.size(), 2u);
    EXPECT_EQ(mpls->entries[0], (ext::MplsLabelEntry{16005, 5, false, 1}));
    EXPECT_EQ(mpls->entries[1], (ext::MplsLabelEntry{3, 0, true, 255}));
    EXPECT_EQ(emit_ext(*s, false), core::Buffer(area.begin(), area.end()));
    EXPECT_EQ(emit_ext(*s, true), core::Buffer(area.begin(), area.end()));
    EXPECT_EQ(ext::encoded_size(*s), area.size());
}

TEST(Extensions, Rfc4950HandDerivedEntry) {
    // Label 1, TC 0, S 1, TTL 255: (1 << 12) | (1 << 8) | 255 = 0x000011FF (RFC 4950 fig. 1 layout).
    ext::ExtensionStructure s;
    s.objects.push_back(ext::MplsLabelStack{{{1, 0, true, 255}}});
    auto b = emit_ext(s, true);
    EXPECT_EQ(b, structure({0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x11, 0xFF}));
}

TEST(Extensions, Rfc5837InterfaceInformationFromScapy) {
    // tshark: c-type 15, role incoming, ifIndex 3, AFI 1 192.0.2.1, name length 8 "eth0", MTU 1500.
    auto area = tail(fixtures::unreach_interface_info, 8 + 128);
    auto s = ext::parse(area);
    ASSERT_TRUE(s);
    ASSERT_EQ(s->objects.size(), 1u);
    auto* info = std::get_if<ext::InterfaceInformation>(&s->objects[0]);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->role, ext::InterfaceRole::incoming);
    EXPECT_TRUE(info->has_ifindex && info->has_address && info->has_name && info->has_mtu);
    EXPECT_EQ(info->c_type(), 0x0F);
    EXPECT_EQ(info->ifindex, 3u);
    EXPECT_EQ(info->afi, ext::afi_ipv4);
    EXPECT_EQ(info->address, core::IpAddress(core::Ipv4Address(192, 0, 2, 1)));
    EXPECT_EQ(info->name, "eth0");
    EXPECT_EQ(info->mtu, 1500u);
    EXPECT_EQ(emit_ext(*s, false), core::Buffer(area.begin(), area.end()));
    EXPECT_EQ(emit_ext(*s, true), core::Buffer(area.begin(), area.end()));
}

TEST(Extensions, Rfc5837NameLengthNotMultipleOfFourIsKeptRaw) {
    // scapy's own name sub-object: length octet 4 then "eth0" -- the object is 9 octets and the
    // name does not end the object (RFC 5837 4.3), so it is a RawObject that still round-trips.
    auto area = tail(fixtures::unreach_interface_info_scapy_name, 8 + 128);
    auto s = ext::parse(area);
    ASSERT_TRUE(s);
    ASSERT_EQ(s->objects.size(), 1u);
    auto* raw = std::get_if<ext::RawObject>(&s->objects[0]);
    ASSERT_NE(raw, nullptr);
    EXPECT_EQ(raw->class_num, 2);
    EXPECT_EQ(raw->c_type, 0x82);
    EXPECT_EQ(raw->payload.size(), 5u);
    EXPECT_EQ(emit_ext(*s, false), core::Buffer(area.begin(), area.end()));
}

TEST(Extensions, Rfc5837Ipv6AddressAndOutgoingRole) {
    // Hand-derived: c-type 0x84 (role outgoing, address), AFI 2, reserved 0, 2001:db8::1.
    auto b = structure({0x00, 0x18, 0x02, 0x84, 0x00, 0x02, 0x00, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                        0, 0, 0, 0, 0, 0, 0, 1});
    auto s = ext::parse(b);
    ASSERT_TRUE(s);
    auto& info = std::get<ext::InterfaceInformation>(s->objects.at(0));
    EXPECT_EQ(info.role, ext::InterfaceRole::outgoing);
    EXPECT_EQ(info.address.to_string(), "2001:db8::1");
    EXPECT_EQ(emit_ext(*s, true), b);
}

TEST(Extensions, Rfc8335InterfaceIdentification) {
    // By index, from the scapy extended echo request (tshark: c-type 2, index 7).
    auto s = ext::parse(tail(fixtures::extended_echo_request, 8));
    ASSERT_TRUE(s);
    auto& byindex = std::get<ext::InterfaceIdentification>(s->objects.at(0));
    EXPECT_EQ(byindex.kind, ext::IdentificationKind::by_index);
    EXPECT_EQ(byindex.ifindex, 7u);
    // By name "lo", NUL-padded to 4 octets (RFC 8335 2.1); by address AFI 1, length 4.
    auto b = structure({0x00, 0x08, 0x03, 0x01, 'l', 'o', 0, 0,
                        0x00, 0x0C, 0x03, 0x03, 0x00, 0x01, 0x04, 0x00, 192, 0, 2, 7});
    auto s2 = ext::parse(b);
    ASSERT_TRUE(s2);
    ASSERT_EQ(s2->objects.size(), 2u);
    auto& byname = std::get<ext::InterfaceIdentification>(s2->objects[0]);
    EXPECT_EQ(byname.kind, ext::IdentificationKind::by_name);
    EXPECT_EQ(byname.name, "lo");
    auto& byaddr = std::get<ext::InterfaceIdentification>(s2->objects[1]);
    EXPECT_EQ(byaddr.kind, ext::IdentificationKind::by_address);
    EXPECT_EQ(byaddr.ip_address(), core::IpAddress(core::Ipv4Address(192, 0, 2, 7)));
    EXPECT_EQ(emit_ext(*s2, true), b);
    EXPECT_EQ(emit_ext(*s2, false), b);
}

TEST(Extensions, UnknownClassIsRawAndRoundTrips) {
    auto b = structure({0x00, 0x06, 0xC8, 0x07, 0xAB, 0xCD});
    auto s = ext::parse(b);
    ASSERT_TRUE(s);
    EXPECT_EQ(std::get<ext::RawObject>(s->objects.at(0)), (ext::RawObject{0xC8, 7, {0xAB, 0xCD}}));
    EXPECT_EQ(emit_ext(*s, false), b);
}

TEST(Extensions, BadLengthsAndTruncation) {
    const std::uint8_t short_header[] = {0x20, 0x00, 0x00};
    EXPECT_EQ(ext::parse(short_header).error(), (core::WireError{core::Fault::truncated, 0}));
    // Object length 3 (< 4, RFC 4884 7.1) at offset 4.
    const std::uint8_t len3[] = {0x20, 0, 0, 0, 0x00, 0x03, 0x01, 0x01};
    EXPECT_EQ(ext::parse(len3).error(), (core::WireError{core::Fault::bad_length, 4}));
    // Second object overruns the span: bad_length at its offset 12.
    const std::uint8_t overrun[] = {0x20, 0, 0, 0, 0x00, 0x08, 0x01, 0x01, 0, 0, 0x11, 0xFF,
                                    0x00, 0x10, 0x01, 0x01, 0, 0, 0, 0};
    EXPECT_EQ(ext::parse(overrun).error(), (core::WireError{core::Fault::bad_length, 12}));
    // Two stray octets after an object: truncated at 12.
    const std::uint8_t stray[] = {0x20, 0, 0, 0, 0x00, 0x08, 0x01, 0x01, 0, 0, 0x11, 0xFF, 0x00, 0x08};
    EXPECT_EQ(ext::parse(stray).error(), (core::WireError{core::Fault::truncated, 12}));
}

TEST(Extensions, ChecksumValidity) {
    auto b = structure({0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x11, 0xFF});
    EXPECT_TRUE(ext::parse(b)->checksum_valid);
    b[3] ^= 1;
    EXPECT_FALSE(ext::parse(b)->checksum_valid);
    b[2] = b[3] = 0;  // RFC 4884 section 7: zero means no checksum was sent
    EXPECT_TRUE(ext::parse(b)->checksum_valid);
}

TEST(Rfc4884Split, CompliantLengthAttribute) {
    auto payload = tail(fixtures::time_exceeded_mpls, 8);
    auto s = ext::split_original(payload, 32, core::Family::v4);
    EXPECT_TRUE(s.by_length_attribute);
    EXPECT_FALSE(s.by_compat_128);
    EXPECT_EQ(s.original.size(), 128u);
    EXPECT_EQ(s.extensions.size(), payload.size() - 128);
    // The same 128 octets counted in 64-bit words (ICMPv6, RFC 4884 4.2): 16.
    auto s6 = ext::split_original(payload, 16, core::Family::v6);
    EXPECT_EQ(s6.original.size(), 128u);
    EXPECT_TRUE(s6.by_length_attribute);
}

TEST(Rfc4884Split, NonCompliantCompat128) {
    auto payload = tail(fixtures::time_exceeded_mpls_compat, 8);
    auto s = ext::split_original(payload, 0, core::Family::v4);
    EXPECT_TRUE(s.by_compat_128);
    EXPECT_FALSE(s.by_length_attribute);
    EXPECT_EQ(s.original.size(), 128u);
    EXPECT_EQ(s.extensions.size(), 12u);
}

TEST(Rfc4884Split, GarbageAndInconsistentAttributesAreAllOriginal) {
    std::vector<std::uint8_t> payload(200, 0xA5);
    for (std::uint8_t la : {0, 8, 31, 51, 255}) {  // 0: no header at 128; 8/31: < 128; 51/255: overrun
        auto s = ext::split_original(payload, la, core::Family::v4);
        EXPECT_EQ(s.original.size(), 200u) << int(la);
        EXPECT_TRUE(s.extensions.empty());
        EXPECT_FALSE(s.by_compat_128);
        EXPECT_FALSE(s.by_length_attribute);
    }
    // Version 2 at 128 but a wrong checksum is not the compat case.
    payload[128] = 0x20;
    EXPECT_FALSE(ext::split_original(payload, 0, core::Family::v4).by_compat_128);
    // Exactly covering the payload: compliant, no extensions.
    auto exact = ext::split_original(payload, 50, core::Family::v4);
    EXPECT_TRUE(exact.by_length_attribute);
    EXPECT_TRUE(exact.extensions.empty());
    // Tiny payloads never read out of bounds.
    for (std::size_t n = 0; n < 140; ++n) {
        auto s = ext::split_original(core::Bytes(payload).first(n), 0, core::Family::v6);
        EXPECT_EQ(s.original.size(), n);
    }
}

TEST(Extensions, RandomBytesRoundTripWhenAccepted) {
    std::mt19937 rng(7);
    int accepted = 0;
    for (int i = 0; i < 20000; ++i) {
        std::vector<std::uint8_t> d(4 + rng() % 40);
        for (auto& b : d) b = static_cast<std::uint8_t>(rng());
        // Bias towards plausible object lengths and known classes.
        if (d.size() >= 8) {
            d[4] = 0;
            d[5] = static_cast<std::uint8_t>(4 + rng() % (d.size() - 4 - 4 + 1));
            d[6] = static_cast<std::uint8_t>(1 + rng() % 3);
            d[7] = static_cast<std::uint8_t>(rng() % 4);
        }
        auto s = ext::parse(d);
        if (!s) continue;
        ++accepted;
        ASSERT_EQ(emit_ext(*s, false), d);
        ASSERT_EQ(ext::encoded_size(*s), d.size());
        auto again = ext::parse(emit_ext(*s, false));
        ASSERT_TRUE(again);
        ASSERT_EQ(*again, *s);
    }
    EXPECT_GT(accepted, 1000);
}

// Linux error queues (IP_RECVERR_RFC4884): the kernel's offset of the structure inside the
// delivered bytes, re-checked against them.
TEST(SplitDelivered, OffsetZeroMeansNoExtensions) {
    const std::vector<std::uint8_t> d(40, 0xAB);
    auto r = ext::split_delivered(core::Bytes(d), 0);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->original.size(), 40u);
    EXPECT_TRUE(r->extensions.empty());
    EXPECT_FALSE(r->by_length_attribute);
    r = ext::split_delivered(core::Bytes(), 0);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->original.empty());
}

TEST(SplitDelivered, SplitsAtTheOffset) {
    std::vector<std::uint8_t> d(100, 0);  // 100 octets of original datagram, then the structure
    const auto s = structure({0x00, 0x08, 0x01, 0x01, 0x05, 0xDC, 0x11, 0x01});
    d.insert(d.end(), s.begin(), s.end());
    auto r = ext::split_delivered(core::Bytes(d), 100);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->original.size(), 100u);
    ASSERT_EQ(r->extensions.size(), 12u);
    EXPECT_EQ(r->extensions.data(), d.data() + 100);
    EXPECT_TRUE(r->by_length_attribute);
    auto parsed = ext::parse(r->extensions);
    ASSERT_TRUE(parsed);
    ASSERT_EQ(parsed->objects.size(), 1u);
    EXPECT_EQ(std::get<ext::MplsLabelStack>(parsed->objects[0]).entries[0].label, 24001u);
    // Exactly the 4-octet header after the offset is still a structure (no objects).
    r = ext::split_delivered(core::Bytes(d).first(104), 100);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->extensions.size(), 4u);
}

TEST(SplitDelivered, OffsetPastTheEndOrTruncatedHeader) {
    const std::vector<std::uint8_t> d(103, 0x20);
    auto r = ext::split_delivered(core::Bytes(d), 104);  // past the end
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().fault, core::Fault::bad_length);
    EXPECT_EQ(r.error().offset, 0u);
    r = ext::split_delivered(core::Bytes(d), 0xFFFF);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().fault, core::Fault::bad_length);
    r = ext::split_delivered(core::Bytes(d), 100);  // 3 octets left: no room for the header
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().fault, core::Fault::truncated);
    EXPECT_EQ(r.error().offset, 100u);
    r = ext::split_delivered(core::Bytes(d), 103);  // at the very end
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().fault, core::Fault::truncated);
    EXPECT_EQ(r.error().offset, 103u);
}
