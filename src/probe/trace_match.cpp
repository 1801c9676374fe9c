// Matching responses to traceroute probes (trace_probe.hpp match_response). Pure; total over
// untrusted bytes: every outcome is a TraceResponse, rejected ones with a reason.
#include <type_traits>
#include <variant>

#include "icmpkit/probe/trace_probe.hpp"
#include "icmpkit/wire/icmpv4.hpp"
#include "icmpkit/wire/icmpv6.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/quote.hpp"
#include "icmpkit/wire/transport.hpp"

namespace icmpkit::probe {
namespace {

TraceResponse reject(TraceResponse r, RejectReason why) {
    r.kind = ResponseKind::rejected;
    r.reject = why;
    return r;
}

bool specified(const core::IpAddress& a) noexcept {
    return a.is_v4() ? !a.v4().is_unspecified() : !a.v6().is_unspecified();
}

// The flow of a port / identifier, when it is one of ours.
std::optional<std::uint16_t> flow_of(const ProbeSpace& s, std::uint16_t port) noexcept {
    const auto f = static_cast<std::uint16_t>(port - s.source_port);
    if (f < (s.flows == 0 ? 1 : s.flows)) return f;
    return std::nullopt;
}

// Pieces of an error message the matcher needs, whichever family.
struct ErrorParts {
    core::Bytes original;
    const wire::ext::ExtensionStructure* extensions = nullptr;
};

template <class Message>
ErrorParts error_parts(const Message& m) {
    return std::visit(
        [](const auto& v) -> ErrorParts {
            ErrorParts p;
            if constexpr (requires { v.original; }) p.original = core::Bytes(v.original);
            if constexpr (requires { v.extensions; }) {
                if (v.extensions) p.extensions = &*v.extensions;
            }
            return p;
        },
        m);
}

void take_extensions(TraceResponse& r, const wire::ext::ExtensionStructure* e) {
    if (!e) return;
    r.extension_checksum_bad = !e->checksum_valid;
    for (const auto& o : e->objects) {
        if (auto* m = std::get_if<wire::ext::MplsLabelStack>(&o))
            r.mpls.insert(r.mpls.end(), m->entries.begin(), m->entries.end());
        else if (auto* i = std::get_if<wire::ext::InterfaceInformation>(&o))
            r.interfaces.push_back(*i);
    }
}

// Quoted payload octets (after the 8-octet UDP/ICMP header): serial, balance, ttl, flow.
RejectReason check_payload(const ProbeSpace& s, core::Bytes transport, TraceResponse& r) {
    if (transport.size() < 10) return RejectReason::none;
    const core::Bytes p = transport.subspan(8);
    const std::uint16_t serial = core::load_be16(p.data());
    if (r.serial && *r.serial != serial) return RejectReason::wrong_payload;
    if (p.size() >= probe_payload_min) {
        if (p[5] != static_cast<std::uint8_t>(r.flow)) return RejectReason::wrong_payload;
        r.probe_ttl = p[4];
    }
    r.serial = serial;
    (void)s;
    return RejectReason::none;
}

RejectReason identify_udp(const ProbeSpace& s, const wire::QuotedDatagram& q, TraceResponse& r) {
    if (!q.udp || !q.udp->source_port || !q.udp->destination_port) return RejectReason::malformed;
    auto flow = flow_of(s, *q.udp->source_port);
    if (!flow) return RejectReason::wrong_ports;
    r.flow = *flow;
    if (s.method == TraceMethod::udp) {
        const auto serial = static_cast<std::uint16_t>(*q.udp->destination_port - s.port);
        r.serial = serial;
    } else if (*q.udp->destination_port != s.port) {
        return RejectReason::wrong_ports;
    }
    if (auto why = check_payload(s, q.transport, r); why != RejectReason::none) return why;
    // RFC 792: a router may quote only 8 octets; our own IPv4 headers carry the serial as the
    // identification (trace_probe.hpp).
    if (!r.serial && q.version == 4 && s.identification_is_serial)
        r.serial = static_cast<std::uint16_t>(q.identification);
    return RejectReason::none;
}

RejectReason identify_icmp(const ProbeSpace& s, const wire::QuotedDatagram& q, TraceResponse& r) {
    if (!q.icmp || !q.icmp->type || !q.icmp->identifier || !q.icmp->sequence) return RejectReason::malformed;
    if (*q.icmp->type != (q.version == 4 ? 8 : 128)) return RejectReason::wrong_protocol;
    auto flow = flow_of(s, *q.icmp->identifier);
    if (!flow) return RejectReason::wrong_ports;
    r.flow = *flow;
    r.serial = *q.icmp->sequence;
    return check_payload(s, q.transport, r);
}

RejectReason identify_tcp(const ProbeSpace& s, const wire::QuotedDatagram& q, TraceResponse& r) {
    if (!q.tcp || !q.tcp->source_port || !q.tcp->destination_port || !q.tcp->sequence_number)
        return RejectReason::malformed;
    auto flow = flow_of(s, *q.tcp->source_port);
    if (!flow || *q.tcp->destination_port != s.port) return RejectReason::wrong_ports;
    r.flow = *flow;
    const std::uint32_t serial = *q.tcp->sequence_number - s.sequence_base;
    if (serial > 0xFFFF) return RejectReason::wrong_sequence;
    r.serial = static_cast<std::uint16_t>(serial);
    return RejectReason::none;
}

// An error quoting a datagram: is the datagram one of our probes?
TraceResponse match_quote(const ProbeSpace& s, TraceResponse r, core::Bytes original) {
    auto q = wire::parse_quote(original);
    if (!q || q->ip_fault || q->version != static_cast<std::uint8_t>(s.destination.family()))
        return reject(std::move(r), RejectReason::malformed);
    if (q->protocol != method_protocol(s.method, s.destination.family()))
        return reject(std::move(r), RejectReason::wrong_protocol);
    if (q->destination != s.destination) return reject(std::move(r), RejectReason::wrong_destination);
    if (q->fragment_offset != 0) return reject(std::move(r), RejectReason::malformed);
    RejectReason why = RejectReason::none;
    switch (s.method) {
    case TraceMethod::udp:
    case TraceMethod::udp_paris: why = identify_udp(s, *q, r); break;
    case TraceMethod::icmp_paris: why = identify_icmp(s, *q, r); break;
    case TraceMethod::tcp_syn: why = identify_tcp(s, *q, r); break;
    }
    if (why != RejectReason::none) return reject(std::move(r), why);
    r.quoted_ttl = q->ttl;
    r.quoted_tos = q->tos;
    // A quoted source other than ours, with our ports: a NAT rewrote it on the way out.
    if (specified(s.source) && q->source != s.source) {
        r.quoted_source = q->source;
        r.source_rewritten = true;
    }
    return r;
}

ResponseKind error_kind(const ProbeSpace& s, const wire::Classification& c) noexcept {
    if (c.kind == wire::Kind::time_exceeded && c.time_exceeded == wire::TimeExceededReason::in_transit)
        return ResponseKind::hop;
    // traceroute 2.1: a port unreachable means the destination host is reached (UDP methods).
    const bool udp = s.method == TraceMethod::udp || s.method == TraceMethod::udp_paris;
    if (udp && c.kind == wire::Kind::destination_unreachable && c.unreachable == wire::UnreachableReason::port)
        return ResponseKind::destination;
    return ResponseKind::unreachable;
}

TraceResponse match_echo_reply(const ProbeSpace& s, TraceResponse r, core::Bytes message) {
    if (s.method != TraceMethod::icmp_paris || message.size() < 8) return reject(std::move(r), RejectReason::unrelated);
    if (r.from != s.destination) return reject(std::move(r), RejectReason::not_our_reply);
    auto flow = flow_of(s, core::load_be16(&message[4]));
    if (!flow) return reject(std::move(r), RejectReason::not_our_reply);
    r.flow = *flow;
    r.serial = core::load_be16(&message[6]);
    // RFC 792 / RFC 4443 4.2: the reply echoes our data; check what is there.
    if (check_payload(s, message, r) != RejectReason::none) return reject(std::move(r), RejectReason::wrong_payload);
    r.kind = ResponseKind::destination;
    return r;
}

template <class Message>
TraceResponse match_icmp_message(const ProbeSpace& s, TraceResponse r, const Message& m, core::Bytes bytes) {
    r.classification = wire::classify(m);
    const auto& c = r.classification;
    r.type = c.type;
    r.code = c.code;
    if (c.kind == wire::Kind::echo_reply) return match_echo_reply(s, std::move(r), bytes);
    const bool wanted = c.kind == wire::Kind::time_exceeded || c.kind == wire::Kind::destination_unreachable ||
                        c.kind == wire::Kind::packet_too_big || c.kind == wire::Kind::parameter_problem;
    if (!c.is_error || !wanted) return reject(std::move(r), RejectReason::unrelated);
    const ErrorParts parts = error_parts(m);
    r = match_quote(s, std::move(r), parts.original);
    if (r.reject != RejectReason::none) return r;
    r.kind = error_kind(s, c);
    r.mtu = c.mtu;
    take_extensions(r, parts.extensions);
    return r;
}

// RFC 9293 3.10.7.3 (SYN-SENT): a SYN-ACK acknowledges our SYN (ack = ISS + 1); a RST in reply to
// a SYN carries ACK with the same acknowledgment number.
TraceResponse match_tcp(const ProbeSpace& s, TraceResponse r, core::Bytes segment) {
    if (s.method != TraceMethod::tcp_syn) return reject(std::move(r), RejectReason::wrong_protocol);
    auto t = wire::TcpHeaderView::parse(segment);
    if (!t) return reject(std::move(r), RejectReason::malformed);
    if (r.from != s.destination) return reject(std::move(r), RejectReason::not_our_reply);
    auto flow = flow_of(s, t->destination_port());
    if (!flow || t->source_port() != s.port) return reject(std::move(r), RejectReason::wrong_ports);
    const std::uint8_t flags = t->flags();
    const bool synack = (flags & (wire::tcp_flag::syn | wire::tcp_flag::ack)) == (wire::tcp_flag::syn | wire::tcp_flag::ack);
    const bool rst = (flags & (wire::tcp_flag::rst | wire::tcp_flag::ack)) == (wire::tcp_flag::rst | wire::tcp_flag::ack);
    if (!synack && !rst) return reject(std::move(r), RejectReason::not_our_reply);
    const std::uint32_t serial = t->acknowledgment_number() - 1 - s.sequence_base;
    if (serial > 0xFFFF) return reject(std::move(r), RejectReason::wrong_sequence);
    r.flow = *flow;
    r.serial = static_cast<std::uint16_t>(serial);
    r.type = flags;
    r.kind = ResponseKind::destination;
    return r;
}

}  // namespace

std::string_view reject_name(RejectReason r) noexcept {
    switch (r) {
    case RejectReason::none: return "none";
    case RejectReason::malformed: return "malformed";
    case RejectReason::unrelated: return "unrelated";
    case RejectReason::wrong_protocol: return "wrong_protocol";
    case RejectReason::wrong_destination: return "wrong_destination";
    case RejectReason::wrong_ports: return "wrong_ports";
    case RejectReason::wrong_sequence: return "wrong_sequence";
    case RejectReason::wrong_payload: return "wrong_payload";
    case RejectReason::not_our_reply: return "not_our_reply";
    }
    return "?";
}

TraceResponse match_response(const ProbeSpace& s, std::uint8_t protocol, core::Bytes message,
                             const core::IpAddress& from, std::optional<std::uint8_t> reply_ttl,
                             const core::IpAddress* to) {
    TraceResponse r;
    r.from = from;
    r.reply_ttl = reply_ttl;
    if (from.family() != s.destination.family()) return reject(std::move(r), RejectReason::wrong_protocol);
    if (protocol == wire::ip_protocol::tcp) return match_tcp(s, std::move(r), message);
    if (s.destination.is_v4()) {
        if (protocol != wire::ip_protocol::icmp) return reject(std::move(r), RejectReason::wrong_protocol);
        auto m = wire::icmpv4::parse(message);
        if (!m) return reject(std::move(r), RejectReason::malformed);
        return match_icmp_message(s, std::move(r), *m, message);
    }
    if (protocol != wire::ip_protocol::icmpv6) return reject(std::move(r), RejectReason::wrong_protocol);
    wire::icmpv6::ParseOptions opt;
    opt.verify_checksum = to && to->is_v6();
    if (opt.verify_checksum) opt.source = &from.v6(), opt.destination = &to->v6();
    auto m = wire::icmpv6::parse(message, opt);
    if (!m) return reject(std::move(r), RejectReason::malformed);
    return match_icmp_message(s, std::move(r), *m, message);
}

}  // namespace icmpkit::probe
