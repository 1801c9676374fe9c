// Error-queue entries (Linux IP_RECVERR / IPV6_RECVERR) rebuilt into the ICMP errors they came
// from, for match_response() (trace_probe.hpp QueuedError). Pure; total over untrusted bytes.
#include <algorithm>

#include "icmpkit/core/bytes.hpp"
#include "icmpkit/probe/trace_probe.hpp"
#include "icmpkit/wire/checksum.hpp"
#include "icmpkit/wire/ipv4.hpp"
#include "icmpkit/wire/ipv6.hpp"

namespace icmpkit::probe {
namespace {

// RFC 4884 sections 4.1 / 4.2: the error types that carry a length attribute, and where.
std::optional<std::size_t> length_attribute_at(bool v4, std::uint8_t type) noexcept {
    if (v4) return (type == 3 || type == 11 || type == 12) ? std::optional<std::size_t>(5) : std::nullopt;
    return (type == 1 || type == 3) ? std::optional<std::size_t>(4) : std::nullopt;
}

void emit_quoted_ip(const ProbeSpace& s, std::size_t transport_size, core::ByteWriter& w) {
    const std::uint8_t proto = method_protocol(s.method, s.destination.family());
    if (s.destination.is_v4()) {
        wire::Ipv4Header h;
        h.total_length = static_cast<std::uint16_t>(20 + transport_size);
        h.ttl = 1;
        h.protocol = proto;
        h.source = s.source.is_v4() ? s.source.v4() : core::Ipv4Address();
        h.destination = s.destination.v4();
        h.emit(w);
    } else {
        wire::Ipv6Header h;
        h.payload_length = static_cast<std::uint16_t>(transport_size);
        h.next_header = proto;
        h.hop_limit = 1;
        h.source = s.source.is_v6() ? s.source.v6() : core::Ipv6Address();
        h.destination = s.destination.v6();
        h.emit(w);
    }
}

}  // namespace

core::Buffer rebuild_queued_error(const ProbeSpace& s, const QueuedError& e, core::Bytes delivered) {
    const bool v4 = s.destination.is_v4();
    const bool udp = s.method == TraceMethod::udp || s.method == TraceMethod::udp_paris;
    core::Buffer m{e.type, e.code, 0, 0, 0, 0, 0, 0};
    if (v4 && e.type == 3 && e.code == 4) core::store_be16(&m[6], static_cast<std::uint16_t>(e.info));
    if (!v4 && (e.type == 2 || e.type == 4)) core::store_be32(&m[4], e.info);
    // The kernel's offset is re-checked against the bytes; an invalid one leaves them all quoted.
    const auto length_at = length_attribute_at(v4, e.type);
    wire::ext::Rfc4884Split split;
    split.original = delivered;
    if (auto r = wire::ext::split_delivered(delivered, length_at ? e.extension_offset : 0)) split = *r;
    core::Buffer transport;
    if (udp) {  // the UDP header the kernel stripped: our ports, the length of what is quoted
        transport.resize(8);
        core::store_be16(&transport[0], e.source_port ? e.source_port : s.source_port);
        core::store_be16(&transport[2], e.destination_port);
        core::store_be16(&transport[4], static_cast<std::uint16_t>(8 + split.original.size()));
    }
    transport.insert(transport.end(), split.original.begin(), split.original.end());
    if (!split.extensions.empty()) {
        // RFC 4884 4.1/4.2: the original datagram field is zero-padded to a 32-bit (v4) or 64-bit
        // (v6) boundary and at least 128 octets; the attribute counts those words (8 bits).
        const std::size_t unit = v4 ? 4 : 8, ip = v4 ? 20 : 40;
        std::size_t field = std::max<std::size_t>(128, ip + transport.size());
        field = (field + unit - 1) / unit * unit;
        if (field / unit <= 255) {
            transport.resize(field - ip, 0);
            m[*length_at] = static_cast<std::uint8_t>(field / unit);
        } else {
            split.extensions = {};  // cannot be expressed: drop the structure, keep the quote
        }
    }
    core::ByteWriter w(m);
    emit_quoted_ip(s, transport.size(), w);
    w.bytes(core::Bytes(transport));
    w.bytes(split.extensions);
    if (v4) core::store_be16(&m[2], wire::internet_checksum(core::Bytes(m)));
    return m;
}

TraceResponse match_queued_error(const ProbeSpace& s, const QueuedError& e, core::Bytes delivered,
                                 const core::IpAddress& offender) {
    const auto msg = rebuild_queued_error(s, e, delivered);
    auto r = match_response(s, s.destination.is_v4() ? 1 : 58, core::Bytes(msg), offender);
    r.quoted_ttl.reset();  // the kernel keeps neither (it strips the quoted IP header)
    r.quoted_tos.reset();
    return r;
}

}  // namespace icmpkit::probe
