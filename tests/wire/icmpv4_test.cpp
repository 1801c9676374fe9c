// ICMPv4 view and value. Fixtures: scapy-built (icmpv4_fixtures.py; every one decoded by tshark
// with a correct checksum) and bytes captured from Linux on loopback (ping, UDP to a closed port).
#include "icmpkit/wire/icmpv4.hpp"

#include <gtest/gtest.h>

#include <random>

#include "icmpv4_fixtures.hpp"

using namespace icmpkit;
using namespace icmpkit::wire::icmpv4;
namespace ext = icmpkit::wire::ext;

namespace {
core::Buffer emit_msg(const Message& m, ChecksumMode mode) {
    core::Buffer b;
    core::ByteWriter w(b);
    emit(m, w, mode);
    EXPECT_EQ(b.size(), encoded_size(m));
    return b;
}

// bytes -> value -> bytes, both checksum modes (the fixtures carry correct checksums).
template <class T>
T round_trip(const std::vector<std::uint8_t>& bytes) {
    auto m = parse(bytes);
    EXPECT_TRUE(m);
    if (!m) return T{};
    EXPECT_EQ(emit_msg(*m, ChecksumMode::keep), bytes);
    EXPECT_EQ(emit_msg(*m, ChecksumMode::compute), bytes);
    auto* v = std::get_if<T>(&*m);
    EXPECT_NE(v, nullptr);
    return v ? *v : T{};
}

MessageView view(const std::vector<std::uint8_t>& bytes) {
    auto v = MessageView::parse(bytes);
    EXPECT_TRUE(v);
    return *v;
}

// Linux 6.x on loopback: `ping -c 1 -s 24 -p 6963 127.0.0.1`, ICMP part of the tcpdump capture.
const std::vector<std::uint8_t> linux_echo_request = {
    0x08, 0x00, 0x20, 0x8d, 0x2c, 0x1a, 0x00, 0x01, 0x91, 0x0d, 0x03, 0x6b, 0x00, 0x00, 0x00, 0x00,
    0x63, 0x51, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x69, 0x63, 0x69, 0x63, 0x69, 0x63, 0x69, 0x63};
const std::vector<std::uint8_t> linux_echo_reply = {
    0x00, 0x00, 0x28, 0x8d, 0x2c, 0x1a, 0x00, 0x01, 0x91, 0x0d, 0x03, 0x6b, 0x00, 0x00, 0x00, 0x00,
    0x63, 0x51, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x69, 0x63, 0x69, 0x63, 0x69, 0x63, 0x69, 0x63};
// Linux's answer to a UDP datagram "icmpkit" sent to 127.0.0.1:33434 (nothing listening).
const std::vector<std::uint8_t> linux_port_unreachable = {
    0x03, 0x03, 0x3b, 0xfa, 0x00, 0x00, 0x00, 0x00, 0x45, 0x00, 0x00, 0x23, 0x46, 0xb0, 0x40, 0x00,
    0x40, 0x11, 0xf6, 0x17, 0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01, 0x89, 0xf8, 0x82, 0x9a,
    0x00, 0x0f, 0xfe, 0x22, 0x69, 0x63, 0x6d, 0x70, 0x6b, 0x69, 0x74};

const std::vector<std::uint8_t>* all_fixtures[] = {
    &fixtures::echo_request, &fixtures::echo_reply, &fixtures::unreach_frag_needed,
    &fixtures::source_quench, &fixtures::redirect_host, &fixtures::router_advertisement,
    &fixtures::router_solicitation, &fixtures::time_exceeded, &fixtures::parameter_problem,
    &fixtures::timestamp, &fixtures::timestamp_reply, &fixtures::information_request,
    &fixtures::information_reply, &fixtures::address_mask_request, &fixtures::address_mask_reply,
    &fixtures::traceroute, &fixtures::photuris, &fixtures::unknown_type_37,
    &fixtures::time_exceeded_mpls, &fixtures::time_exceeded_mpls_compat,
    &fixtures::unreach_interface_info, &fixtures::unreach_interface_info_scapy_name,
    &fixtures::extended_echo_request, &fixtures::extended_echo_reply, &linux_echo_request,
    &linux_echo_reply, &linux_port_unreachable};
}  // namespace

TEST(Icmpv4, LinuxEcho) {
    auto v = view(linux_echo_request);
    EXPECT_EQ(v.type(), 8);
    EXPECT_EQ(v.identifier(), 0x2c1a);
    EXPECT_EQ(v.sequence(), 1);
    EXPECT_EQ(v.body().size(), 24u);
    auto req = round_trip<EchoRequest>(linux_echo_request);
    EXPECT_EQ(req.identifier, 0x2c1a);
    EXPECT_EQ(req.checksum, 0x208d);
    auto rep = round_trip<EchoReply>(linux_echo_reply);
    EXPECT_EQ(rep.data, req.data);
    // value -> bytes: the reply built from the request's fields.
    EchoReply built{0, 0, req.identifier, req.sequence, req.data};
    EXPECT_EQ(emit_msg(built, ChecksumMode::compute), linux_echo_reply);
}

TEST(Icmpv4, LinuxPortUnreachable) {
    auto v = view(linux_port_unreachable);
    EXPECT_TRUE(v.is_error());
    EXPECT_EQ(v.code(), 3);
    auto m = round_trip<DestinationUnreachable>(linux_port_unreachable);
    EXPECT_EQ(m.original.size(), 35u);
    EXPECT_FALSE(m.extensions);
}

TEST(Icmpv4, EchoFromScapy) {
    auto v = view(fixtures::echo_request);
    EXPECT_EQ(v.identifier(), 0x1234);
    EXPECT_EQ(v.sequence(), 7);
    EchoRequest built{0, 0, 0x1234, 7, {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'}};
    EXPECT_EQ(emit_msg(built, ChecksumMode::compute), fixtures::echo_request);
    EXPECT_EQ(round_trip<EchoRequest>(fixtures::echo_request).data, built.data);
    round_trip<EchoReply>(fixtures::echo_reply);
}

TEST(Icmpv4, FragmentationNeeded) {
    auto v = view(fixtures::unreach_frag_needed);
    EXPECT_EQ(v.next_hop_mtu(), 1400);  // RFC 1191
    auto m = round_trip<DestinationUnreachable>(fixtures::unreach_frag_needed);
    EXPECT_EQ(m.code, 4);
    EXPECT_EQ(m.next_hop_mtu, 1400);
    EXPECT_EQ(m.length_attribute, 0);
    EXPECT_EQ(m.original.size(), 36u);
    DestinationUnreachable built{4, 0, 0, 0, 1400, m.original};
    EXPECT_EQ(emit_msg(built, ChecksumMode::compute), fixtures::unreach_frag_needed);
}

TEST(Icmpv4, OtherErrors) {
    EXPECT_EQ(round_trip<SourceQuench>(fixtures::source_quench).original.size(), 36u);
    auto r = round_trip<Redirect>(fixtures::redirect_host);
    EXPECT_EQ(r.gateway, core::Ipv4Address(192, 0, 2, 254));
    EXPECT_EQ(view(fixtures::redirect_host).gateway(), r.gateway);
    EXPECT_EQ(round_trip<TimeExceeded>(fixtures::time_exceeded).original.size(), 36u);
    auto p = round_trip<ParameterProblem>(fixtures::parameter_problem);
    EXPECT_EQ(p.pointer, 20);
    EXPECT_EQ(view(fixtures::parameter_problem).pointer(), 20);
    auto ph = round_trip<Photuris>(fixtures::photuris);
    EXPECT_EQ(ph.code, 1);
    EXPECT_EQ(ph.pointer, 8);
}

TEST(Icmpv4, RouterDiscovery) {
    // num_addrs 1, entry size 2, lifetime 1800; the second entry's octets lie beyond num_addrs.
    auto ra = round_trip<RouterAdvertisement>(fixtures::router_advertisement);
    EXPECT_EQ(ra.num_addrs, 1);
    EXPECT_EQ(ra.lifetime, 1800);
    ASSERT_EQ(ra.entries.size(), 1u);
    EXPECT_EQ(ra.entries[0], (RouterEntry{core::Ipv4Address(192, 0, 2, 1), 0}));
    EXPECT_EQ(ra.trailing.size(), 8u);
    // Garbage count: 255 addresses claimed, two present -> two decoded, nothing over-read.
    auto bytes = fixtures::router_advertisement;
    bytes[4] = 255;
    auto m = parse(bytes, {.verify_checksum = false});
    ASSERT_TRUE(m);
    EXPECT_EQ(std::get<RouterAdvertisement>(*m).entries.size(), 2u);
    EXPECT_EQ(std::get<RouterAdvertisement>(*m).entries[1].preference, -1);
    EXPECT_EQ(emit_msg(*m, ChecksumMode::keep), bytes);
    round_trip<RouterSolicitation>(fixtures::router_solicitation);
}

TEST(Icmpv4, TimestampInformationMask) {
    auto t = round_trip<TimestampReply>(fixtures::timestamp_reply);
    EXPECT_EQ(t.identifier, 1);
    EXPECT_EQ(t.sequence, 2);
    EXPECT_EQ(t.originate, 3600000u);
    EXPECT_EQ(t.receive, 3600005u);
    EXPECT_EQ(t.transmit, 3600006u);
    Timestamp built{0, 0, 1, 2, 3600000, 0, 0};
    EXPECT_EQ(emit_msg(built, ChecksumMode::compute), fixtures::timestamp);
    EXPECT_EQ(round_trip<InformationRequest>(fixtures::information_request).sequence, 4);
    EXPECT_EQ(round_trip<InformationReply>(fixtures::information_reply).identifier, 3);
    round_trip<AddressMaskRequest>(fixtures::address_mask_request);
    EXPECT_EQ(round_trip<AddressMaskReply>(fixtures::address_mask_reply).mask,
              core::Ipv4Address(255, 255, 255, 0));
}

TEST(Icmpv4, TracerouteRfc1393) {
    auto t = round_trip<Traceroute>(fixtures::traceroute);
    EXPECT_EQ(t.identifier, 9);
    EXPECT_EQ(t.outbound_hop_count, 3);
    EXPECT_EQ(t.return_hop_count, 0xFFFF);
    EXPECT_EQ(t.output_link_speed, 125000000u);
    EXPECT_EQ(t.output_link_mtu, 1500u);
}

TEST(Icmpv4, UnknownTypeRoundTrips) {
    auto u = round_trip<Unknown>(fixtures::unknown_type_37);
    EXPECT_EQ(u.type, 37);
    EXPECT_EQ(u.code, 5);
    EXPECT_EQ(u.data.size(), 7u);
}

TEST(Icmpv4, TimeExceededWithMplsExtensions) {
    auto m = round_trip<TimeExceeded>(fixtures::time_exceeded_mpls);
    EXPECT_EQ(m.length_attribute, 32);
    EXPECT_EQ(m.original.size(), 128u);
    ASSERT_TRUE(m.extensions);
    EXPECT_EQ(std::get<ext::MplsLabelStack>(m.extensions->objects.at(0)).entries.at(0).label, 16005u);
    // value -> bytes via attach_extensions (pads the 36-octet quote to 128, length 32).
    TimeExceeded built{0, 0};
    built.original = core::Buffer(m.original.begin(), m.original.begin() + 36);
    ext::ExtensionStructure e;
    e.objects.push_back(ext::MplsLabelStack{{{16005, 5, false, 1}, {3, 0, true, 255}}});
    attach_extensions(built, e);
    EXPECT_EQ(emit_msg(built, ChecksumMode::compute), fixtures::time_exceeded_mpls);
    // Non-compliant sender (length 0, structure at 128, RFC 4884 5.3).
    auto c = round_trip<TimeExceeded>(fixtures::time_exceeded_mpls_compat);
    EXPECT_EQ(c.length_attribute, 0);
    EXPECT_EQ(c.original.size(), 128u);
    EXPECT_TRUE(c.extensions);
}

TEST(Icmpv4, UnreachableWithInterfaceInformation) {
    auto m = round_trip<DestinationUnreachable>(fixtures::unreach_interface_info);
    ASSERT_TRUE(m.extensions);
    EXPECT_EQ(std::get<ext::InterfaceInformation>(m.extensions->objects.at(0)).mtu, 1500u);
    auto s = round_trip<DestinationUnreachable>(fixtures::unreach_interface_info_scapy_name);
    ASSERT_TRUE(s.extensions);
    EXPECT_TRUE(std::holds_alternative<ext::RawObject>(s.extensions->objects.at(0)));
}

TEST(Icmpv4, MalformedExtensionAreaIsKeptRaw) {
    auto bytes = fixtures::time_exceeded_mpls;
    bytes[8 + 128 + 4 + 1] = 0xFF;  // object length 0x00FF overruns
    auto m = parse(bytes, {.verify_checksum = false});
    ASSERT_TRUE(m);
    auto& te = std::get<TimeExceeded>(*m);
    EXPECT_FALSE(te.extensions);
    EXPECT_EQ(te.extension_bytes.size(), bytes.size() - 8 - 128);
    EXPECT_EQ(emit_msg(*m, ChecksumMode::keep), bytes);
}

TEST(Icmpv4, ExtendedEchoRfc8335) {
    auto v = view(fixtures::extended_echo_request);
    EXPECT_EQ(v.identifier(), 0x0101);
    auto req = round_trip<ExtendedEchoRequest>(fixtures::extended_echo_request);
    EXPECT_EQ(req.sequence, 5);
    EXPECT_TRUE(req.local);
    ASSERT_TRUE(req.extensions);
    EXPECT_EQ(std::get<ext::InterfaceIdentification>(req.extensions->objects.at(0)).ifindex, 7u);
    // tshark: state Reachable (2); 0x46 = 010 00 1 1 0 -> A and 4 set.
    auto rep = round_trip<ExtendedEchoReply>(fixtures::extended_echo_reply);
    EXPECT_EQ(rep.state, 2);
    EXPECT_EQ(extended_echo_state_name(rep.state), "Reachable");
    EXPECT_TRUE(rep.active);
    EXPECT_TRUE(rep.ipv4);
    EXPECT_FALSE(rep.ipv6);
    EXPECT_FALSE(rep.extensions);
}

TEST(Icmpv4, ViewFaults) {
    auto bad = fixtures::echo_request;
    bad[9] ^= 0x40;
    EXPECT_EQ(MessageView::parse(bad).error(), (core::WireError{core::Fault::bad_checksum, 2}));
    EXPECT_TRUE(MessageView::parse(bad, {.verify_checksum = false}));
    EXPECT_EQ(parse(bad).error().fault, core::Fault::bad_checksum);
    auto short_ts = core::Bytes(fixtures::timestamp).first(19);
    EXPECT_EQ(MessageView::parse(short_ts, {.verify_checksum = false}).error().fault, core::Fault::truncated);
    EXPECT_EQ(MessageView::parse(core::Bytes(fixtures::echo_request).first(7)).error(),
              (core::WireError{core::Fault::truncated, 7}));
}

TEST(Icmpv4, TruncationSweepOverEveryFixture) {
    for (const auto* f : all_fixtures) {
        for (std::size_t n = 0; n <= f->size(); ++n) {
            auto prefix = core::Bytes(*f).first(n);
            auto m = parse(prefix, {.verify_checksum = false});
            if (!m) {
                EXPECT_EQ(m.error().fault, core::Fault::truncated);
                EXPECT_LT(n, 20u);
                continue;
            }
            EXPECT_EQ(emit_msg(*m, ChecksumMode::keep), core::Buffer(prefix.begin(), prefix.end()));
        }
    }
}

TEST(Icmpv4, RandomBytesRoundTripProperty) {
    std::mt19937 rng(4884);
    const std::uint8_t interesting[] = {0, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 30, 40, 42, 43, 99};
    for (int i = 0; i < 30000; ++i) {
        std::vector<std::uint8_t> d(rng() % 300);
        for (auto& b : d) b = static_cast<std::uint8_t>(rng());
        if (!d.empty()) d[0] = interesting[rng() % std::size(interesting)];
        if (d.size() > 140 && rng() % 2) {  // plant a plausible extension header at 8 + 128
            d[5] = static_cast<std::uint8_t>(rng() % 2 ? 32 : 0);
            d[136] = 0x20;
        }
        auto m = parse(d, {.verify_checksum = false});
        if (!m) {
            ASSERT_EQ(m.error().fault, core::Fault::truncated);
            continue;
        }
        auto out = emit_msg(*m, ChecksumMode::keep);
        ASSERT_EQ(out, d);
        auto again = parse(out, {.verify_checksum = false});
        ASSERT_TRUE(again);
        ASSERT_EQ(*again, *m);
        // compute mode yields a message whose checksum verifies.
        ASSERT_TRUE(MessageView::parse(emit_msg(*m, ChecksumMode::compute)));
    }
}

TEST(Icmpv4Types, TableFacts) {
    // Wireshark labels as tshark -V printed them for scapy-built packets of every type.
    EXPECT_EQ(type_info(8).wireshark_label, "Echo (ping) request");
    EXPECT_EQ(type_info(0).wireshark_label, "Echo (ping) reply");
    EXPECT_EQ(type_info(3).wireshark_label, "Destination unreachable");
    EXPECT_EQ(type_info(11).wireshark_label, "Time-to-live exceeded");
    EXPECT_EQ(type_info(4).wireshark_label, "Source quench (flow control)");
    EXPECT_EQ(type_info(42).wireshark_label, "Extended Echo request");
    EXPECT_EQ(type_info(7).wireshark_label, "Unknown ICMP (obsolete or malformed?)");
    EXPECT_EQ(type_info(11).rfc_name, "Time Exceeded");
    // Linux's default icmp_ratemask 0x1818 (Documentation/networking/ip-sysctl.rst).
    for (int t = 0; t < 256; ++t) {
        bool in_mask = t < 32 && ((0x1818u >> t) & 1);
        EXPECT_EQ(type_info(static_cast<std::uint8_t>(t)).rate_limited_by_default, in_mask) << t;
        bool ext_ok = t == 3 || t == 11 || t == 12;  // RFC 4884 section 4.1
        EXPECT_EQ(type_info(static_cast<std::uint8_t>(t)).extensions_allowed, ext_ok) << t;
    }
    EXPECT_TRUE(type_info(4).deprecated);  // RFC 6633 / 6918
    EXPECT_TRUE(type_info(30).deprecated);
    EXPECT_FALSE(type_info(8).deprecated);
    EXPECT_TRUE(type_info(12).is_error);
    EXPECT_FALSE(type_info(0).is_error);
    EXPECT_EQ(type_info(13).min_size, 20);
    EXPECT_EQ(type_info(17).min_size, 12);
}

TEST(Icmpv4Types, CodeNames) {
    EXPECT_EQ(code_name(3, 4)->wireshark, "Fragmentation needed");
    EXPECT_EQ(code_name(3, 13)->wireshark, "Communication administratively filtered");
    EXPECT_EQ(code_name(3, 13)->rfc, "Communication Administratively Prohibited");
    EXPECT_EQ(code_name(3, 15)->wireshark, "Precedence cutoff in effect");
    EXPECT_FALSE(code_name(3, 16));
    EXPECT_EQ(code_name(5, 3)->wireshark, "Redirect for TOS and host");
    EXPECT_EQ(code_name(11, 1)->wireshark, "Fragment reassembly time exceeded");
    EXPECT_EQ(code_name(12, 2)->wireshark, "Bad length");
    EXPECT_EQ(code_name(40, 5)->wireshark, "Need Authorization");
    EXPECT_EQ(code_name(43, 4)->rfc, "Multiple Interfaces Satisfy Query");
    EXPECT_FALSE(code_name(8, 0));
}
