// Building traceroute probes (trace_probe.hpp). Pure.
#include "icmpkit/probe/trace_probe.hpp"

#include "icmpkit/core/assert.hpp"
#include "icmpkit/wire/checksum.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/ipv4.hpp"
#include "icmpkit/wire/ipv6.hpp"
#include "icmpkit/wire/transport.hpp"

namespace icmpkit::probe {
namespace {

std::size_t ip_header_size(core::Family f) noexcept { return f == core::Family::v4 ? 20 : 40; }

std::uint16_t fold(std::uint32_t s) noexcept {
    while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
    return static_cast<std::uint16_t>(s);
}

// Payload octets: 0-1 serial, 2-3 balance, 4 ttl, 5 flow (low octet), then 0x40 + (i & 0x3F).
// `extra_varying` is the sum of header words that vary per probe (the ICMP sequence), so the
// balance keeps the whole message's sum constant.
void write_payload(core::Buffer& out, std::size_t at, std::size_t size, const ProbeId& id,
                   std::uint16_t extra_varying) {
    out.resize(at + size, 0);
    std::uint8_t* p = out.data() + at;
    core::store_be16(p, id.serial);
    p[4] = id.ttl;
    p[5] = static_cast<std::uint8_t>(id.flow);
    for (std::size_t i = probe_payload_min; i < size; ++i) p[i] = static_cast<std::uint8_t>(0x40 + (i & 0x3F));
    const std::uint16_t varying =
        fold(std::uint32_t{id.serial} + (std::uint32_t{id.ttl} << 8 | p[5]) + extra_varying);
    core::store_be16(p + 2, paris_balance(varying, paris_target));
}

std::size_t payload_size(const ProbeSpace& s, std::size_t header) noexcept {
    const std::size_t fixed = ip_header_size(s.destination.family()) + header;
    const std::size_t want = s.packet_length > fixed ? s.packet_length - fixed : 0;
    return want < probe_payload_min ? probe_payload_min : want;
}

void build_udp(const ProbeSpace& s, const ProbeId& id, BuiltProbe& b) {
    b.source_port = static_cast<std::uint16_t>(s.source_port + id.flow);
    b.destination_port =
        s.method == TraceMethod::udp ? static_cast<std::uint16_t>(s.port + id.serial) : s.port;
    const std::size_t n = payload_size(s, 8);
    b.segment.resize(8);
    write_payload(b.segment, 8, n, id, 0);
    core::store_be16(&b.segment[0], b.source_port);
    core::store_be16(&b.segment[2], b.destination_port);
    core::store_be16(&b.segment[4], static_cast<std::uint16_t>(8 + n));
    if (s.source.family() == s.destination.family() && !(s.source.is_v4() ? s.source.v4().is_unspecified()
                                                                            : s.source.v6().is_unspecified())) {
        std::uint16_t c = wire::transport_checksum(s.source, s.destination, wire::ip_protocol::udp,
                                                   core::Bytes(b.segment), 6);
        core::store_be16(&b.segment[6], c == 0 ? 0xFFFF : c);  // RFC 768: 0 is sent as all ones
    }
}

void build_icmp(const ProbeSpace& s, const ProbeId& id, BuiltProbe& b, bool source_known) {
    const bool v4 = s.destination.is_v4();
    b.source_port = static_cast<std::uint16_t>(s.source_port + id.flow);  // identifier
    const std::size_t n = payload_size(s, 8);
    b.segment.resize(8);
    b.segment[0] = v4 ? 8 : 128;  // echo request (RFC 792, RFC 4443 4.1)
    core::store_be16(&b.segment[4], b.source_port);
    core::store_be16(&b.segment[6], id.serial);
    write_payload(b.segment, 8, n, id, id.serial);
    if (v4) {
        core::store_be16(&b.segment[2], wire::internet_checksum(core::Bytes(b.segment)));
    } else if (source_known) {
        wire::InternetChecksum c;
        wire::add_pseudo_header(c, s.source.v6(), s.destination.v6(), static_cast<std::uint32_t>(b.segment.size()),
                                wire::ip_protocol::icmpv6);
        c.add(core::Bytes(b.segment));
        core::store_be16(&b.segment[2], c.finish());
    }
}

// SYN with the options Linux puts on a connect(): MSS, SACK permitted, timestamps, window scale
// (RFC 9293 3.7.1, RFC 2018, RFC 7323), 20 octets.
void build_tcp(const ProbeSpace& s, const ProbeId& id, BuiltProbe& b, bool source_known) {
    b.source_port = static_cast<std::uint16_t>(s.source_port + id.flow);
    b.destination_port = s.port;
    b.payload_offset = 40;
    b.segment.assign(40, 0);
    std::uint8_t* p = b.segment.data();
    core::store_be16(p, b.source_port);
    core::store_be16(p + 2, b.destination_port);
    core::store_be32(p + 4, s.sequence_base + id.serial);
    p[12] = 10 << 4;  // data offset: 10 words
    p[13] = 0x02;     // SYN
    core::store_be16(p + 14, 64240);
    const std::uint16_t mss = s.destination.is_v4() ? 1460 : 1440;
    const std::uint8_t opts[20] = {2, 4, static_cast<std::uint8_t>(mss >> 8), static_cast<std::uint8_t>(mss),
                                   4, 2, 8, 10, 0, 0, 0, id.ttl, 0, 0, 0, 0, 1, 3, 3, 7};
    for (int i = 0; i < 20; ++i) p[20 + i] = opts[i];
    if (source_known)
        core::store_be16(p + 16, wire::transport_checksum(s.source, s.destination, wire::ip_protocol::tcp,
                                                          core::Bytes(b.segment), 16));
}

bool specified(const core::IpAddress& a) noexcept {
    return a.is_v4() ? !a.v4().is_unspecified() : !a.v6().is_unspecified();
}

}  // namespace

std::string_view method_name(TraceMethod m) noexcept {
    switch (m) {
    case TraceMethod::udp: return "udp";
    case TraceMethod::udp_paris: return "udp-paris";
    case TraceMethod::icmp_paris: return "icmp";
    case TraceMethod::tcp_syn: return "tcp";
    }
    return "?";
}

std::optional<TraceMethod> parse_method(std::string_view t) noexcept {
    if (t == "udp") return TraceMethod::udp;
    if (t == "udp-paris" || t == "paris") return TraceMethod::udp_paris;
    if (t == "icmp" || t == "icmp-paris") return TraceMethod::icmp_paris;
    if (t == "tcp" || t == "tcp-syn") return TraceMethod::tcp_syn;
    return std::nullopt;
}

std::uint8_t method_protocol(TraceMethod m, core::Family f) noexcept {
    switch (m) {
    case TraceMethod::udp:
    case TraceMethod::udp_paris: return wire::ip_protocol::udp;
    case TraceMethod::icmp_paris: return f == core::Family::v4 ? wire::ip_protocol::icmp : wire::ip_protocol::icmpv6;
    case TraceMethod::tcp_syn: return wire::ip_protocol::tcp;
    }
    return 0;
}

std::size_t min_packet_length(TraceMethod m, core::Family f) noexcept {
    return ip_header_size(f) + (m == TraceMethod::tcp_syn ? 40 : 8 + probe_payload_min);
}

std::size_t default_packet_length(TraceMethod m, core::Family f) noexcept {
    if (m == TraceMethod::tcp_syn) return ip_header_size(f) + 40;
    return f == core::Family::v4 ? 60 : 80;  // traceroute 2.1
}

std::uint16_t paris_balance(std::uint16_t others, std::uint16_t target) noexcept {
    // others +' b == target  <=>  b == target +' ~others (ones'-complement subtraction).
    return fold(std::uint32_t{target} + static_cast<std::uint16_t>(~others));
}

BuiltProbe build_probe(const ProbeSpace& s, const ProbeId& id) {
    BuiltProbe b;
    b.protocol = method_protocol(s.method, s.destination.family());
    b.ttl = id.ttl;
    b.ip_identification = id.serial;
    const bool source_known = s.source.family() == s.destination.family() && specified(s.source);
    switch (s.method) {
    case TraceMethod::udp:
    case TraceMethod::udp_paris: build_udp(s, id, b); break;
    case TraceMethod::icmp_paris: build_icmp(s, id, b, source_known); break;
    case TraceMethod::tcp_syn: build_tcp(s, id, b, source_known); break;
    }
    return b;
}

core::Buffer build_datagram(const ProbeSpace& s, const ProbeId& id) {
    ICMPKIT_ASSERT(s.source.family() == s.destination.family());
    const BuiltProbe b = build_probe(s, id);
    core::Buffer out;
    core::ByteWriter w(out);
    if (s.destination.is_v4()) {
        wire::Ipv4Header h;
        h.dscp = static_cast<std::uint8_t>(s.tos >> 2);
        h.ecn = static_cast<std::uint8_t>(s.tos & 3);
        h.total_length = static_cast<std::uint16_t>(20 + b.segment.size());
        h.identification = b.ip_identification;
        h.ttl = id.ttl;
        h.protocol = b.protocol;
        h.source = s.source.v4();
        h.destination = s.destination.v4();
        h.emit(w);
    } else {
        wire::Ipv6Header h;
        h.traffic_class = s.tos;
        h.payload_length = static_cast<std::uint16_t>(b.segment.size());
        h.next_header = b.protocol;
        h.hop_limit = id.ttl;
        h.source = s.source.v6();
        h.destination = s.destination.v6();
        h.emit(w);
    }
    w.bytes(core::Bytes(b.segment));
    return out;
}

}  // namespace icmpkit::probe
