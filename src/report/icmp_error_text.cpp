#include "icmpkit/report/icmp_error_text.hpp"

#include <cerrno>
#include <cstring>

#include "icmpkit/wire/ip_protocol.hpp"

namespace icmpkit::report {

namespace {

using R = wire::UnreachableReason;

// RFC 792, RFC 1122 3.2.2.1, RFC 1812 5.2.7.1 (codes 0-15).
constexpr std::string_view v4_unreach[] = {
    "network unreachable", "host unreachable", "protocol unreachable", "port unreachable",
    "fragmentation needed", "source route failed", "destination network unknown",
    "destination host unknown", "source host isolated", "network administratively prohibited",
    "host administratively prohibited", "network unreachable for type of service",
    "host unreachable for type of service", "administratively prohibited",
    "host precedence violation", "precedence cutoff in effect"};
// RFC 4443 3.1 (0-6), RFC 6554 (7), RFC 8883 (8).
constexpr std::string_view v6_unreach[] = {
    "no route to destination", "administratively prohibited", "beyond scope of source address",
    "address unreachable", "port unreachable", "source address failed ingress/egress policy",
    "reject route to destination", "error in source routing header", "headers too long"};

std::string code_n(std::string_view what, std::uint8_t code) {
    return std::string(what) + " (code " + std::to_string(code) + ")";
}

// The unreachable sentence without the reporter; `dst` is the destination, `f` the flow if known.
std::string unreachable_text(const probe::IcmpError& e, const std::string& dst) {
    const auto* f = e.flow ? &*e.flow : nullptr;
    std::string proto = f ? protocol_name(f->protocol) : std::string("?");
    std::string mtu = e.mtu ? std::to_string(*e.mtu) : std::string("unknown");
    switch (e.classification.unreachable) {
    case R::network: return "network unreachable for " + dst;
    case R::host: return "host " + dst + " unreachable";
    case R::protocol: return "protocol " + proto + " unreachable at " + dst;
    case R::port:
        return "port " + (f ? std::to_string(f->dst_port) : std::string("?")) + "/" + proto +
               " unreachable at " + dst;
    case R::fragmentation_needed: return "fragmentation needed toward " + dst + " (next-hop MTU " + mtu + ")";
    case R::source_route_failed: return "source route failed toward " + dst;
    case R::network_unknown: return "destination network of " + dst + " unknown";
    case R::host_unknown: return "destination host " + dst + " unknown";
    case R::source_host_isolated: return "source host isolated (toward " + dst + ")";
    case R::network_prohibited: return "communication with the network of " + dst + " administratively prohibited";
    case R::host_prohibited: return "communication with host " + dst + " administratively prohibited";
    case R::network_tos: return "network of " + dst + " unreachable for the type of service";
    case R::host_tos: return "host " + dst + " unreachable for the type of service";
    case R::admin_prohibited: return "communication with " + dst + " administratively prohibited (filtered)";
    case R::host_precedence: return "host precedence violation toward " + dst;
    case R::precedence_cutoff: return "precedence cutoff in effect toward " + dst;
    case R::no_route: return "no route to " + dst;
    case R::beyond_scope: return dst + " is beyond the scope of the source address";
    case R::address: return "address " + dst + " unreachable";
    case R::source_policy: return "source address failed ingress/egress policy toward " + dst;
    case R::reject_route: return "reject route to " + dst;
    case R::source_routing_header: return "error in the source routing header toward " + dst;
    case R::headers_too_long: return "headers too long toward " + dst;
    case R::none:
    case R::other: break;
    }
    return code_n("destination unreachable", e.code) + " toward " + dst;
}

std::string body_text(const probe::IcmpError& e) {
    std::string dst = e.flow ? e.flow->dst.to_string() : std::string("the destination");
    const auto& c = e.classification;
    bool v6 = c.family == core::Family::v6;
    switch (c.kind) {
    case wire::Kind::destination_unreachable: return unreachable_text(e, dst);
    case wire::Kind::packet_too_big:
        return "packet too big toward " + dst + " (MTU " + (e.mtu ? std::to_string(*e.mtu) : "unknown") + ")";
    case wire::Kind::time_exceeded:
        if (c.time_exceeded == wire::TimeExceededReason::in_transit)
            return std::string(v6 ? "hop limit" : "TTL") + " exceeded in transit toward " + dst;
        if (c.time_exceeded == wire::TimeExceededReason::reassembly)
            return "fragment reassembly time exceeded for a datagram to " + dst;
        return code_n("time exceeded", e.code) + " toward " + dst;
    case wire::Kind::parameter_problem:
        return "parameter problem" + (c.pointer ? " at octet " + std::to_string(*c.pointer) : std::string()) +
               " in a datagram to " + dst;
    case wire::Kind::source_quench: return "source quench for a datagram to " + dst;
    case wire::Kind::redirect: return "redirect for datagrams to " + dst;
    default: break;
    }
    return "ICMP" + std::string(v6 ? "v6" : "") + " type " + std::to_string(e.type) + " code " +
           std::to_string(e.code) + " about a datagram to " + dst;
}

}  // namespace

std::string error_phrase(core::Family family, std::uint8_t type, std::uint8_t code) {
    bool v6 = family == core::Family::v6;
    if (!v6 && type == 3) return code < std::size(v4_unreach) ? std::string(v4_unreach[code]) : code_n("destination unreachable", code);
    if (v6 && type == 1) return code < std::size(v6_unreach) ? std::string(v6_unreach[code]) : code_n("destination unreachable", code);
    if (v6 && type == 2) return "packet too big";
    if ((!v6 && type == 11) || (v6 && type == 3)) {
        if (code == 0) return v6 ? "hop limit exceeded in transit" : "time to live exceeded in transit";
        if (code == 1) return "fragment reassembly time exceeded";
        return code_n("time exceeded", code);
    }
    if ((!v6 && type == 12) || (v6 && type == 4)) return code_n("parameter problem", code);
    if (!v6 && type == 4) return "source quench";
    if (!v6 && type == 5) return code_n("redirect", code);
    return "type " + std::to_string(type) + " code " + std::to_string(code);
}

std::string protocol_name(std::uint8_t p) {
    switch (p) {
    case wire::ip_protocol::udp: return "udp";
    case wire::ip_protocol::tcp: return "tcp";
    case wire::ip_protocol::icmp: return "icmp";
    case wire::ip_protocol::icmpv6: return "ipv6-icmp";
    default: return std::to_string(p);
    }
}

std::string describe_flow(const wire::FlowKey& f) {
    auto ep = [](const core::IpAddress& a, std::uint16_t port) {
        return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(port);
    };
    return ep(f.src, f.src_port) + " \u2192 " + ep(f.dst, f.dst_port) + "/" + protocol_name(f.protocol);
}

std::string describe_error(const probe::IcmpError& e) {
    if (e.origin == probe::ErrorOrigin::local) {
        std::string dst = e.flow ? e.flow->dst.to_string() : std::string("the destination");
        if (e.error_number == EMSGSIZE)
            return "message too long for the path to " + dst + " (local MTU " +
                   (e.mtu ? std::to_string(*e.mtu) : std::string("unknown")) + ")";
        return "local error toward " + dst + ": " + std::strerror(e.error_number);
    }
    if (e.origin == probe::ErrorOrigin::socket) {
        std::string dst = e.flow ? e.flow->dst.to_string() : std::string("the destination");
        return "socket error toward " + dst + ": " + std::strerror(e.error_number) + " (no ICMP details)";
    }
    std::string s = body_text(e);
    if (e.reporter) s += ", reported by " + e.reporter->to_string();
    return s;
}

std::string_view origin_name(probe::ErrorOrigin o) noexcept {
    switch (o) {
    case probe::ErrorOrigin::icmp: return "icmp";
    case probe::ErrorOrigin::icmp6: return "icmp6";
    case probe::ErrorOrigin::local: return "local";
    case probe::ErrorOrigin::socket: return "socket";
    }
    return "?";
}

void write_error_json(JsonWriter& w, const probe::IcmpError& e) {
    const auto& c = e.classification;
    w.begin_object();
    w.field("origin", origin_name(e.origin));
    w.key("type"), w.uint(e.type);
    w.key("code"), w.uint(e.code);
    w.field("kind", wire::kind_name(c.kind));
    if (c.kind == wire::Kind::destination_unreachable) w.field("reason", wire::reason_name(c.unreachable));
    if (c.kind == wire::Kind::time_exceeded) w.field("reason", wire::reason_name(c.time_exceeded));
    if (e.origin == probe::ErrorOrigin::icmp || e.origin == probe::ErrorOrigin::icmp6)
        w.field("phrase", error_phrase(c.family, e.type, e.code));
    if (e.reporter) w.field("reporter", e.reporter->to_string());
    if (e.flow) {
        w.key("flow");
        w.begin_object();
        w.field("src", e.flow->src.to_string());
        w.key("src_port"), w.uint(e.flow->src_port);
        w.field("dst", e.flow->dst.to_string());
        w.key("dst_port"), w.uint(e.flow->dst_port);
        w.field("protocol", protocol_name(e.flow->protocol));
        w.end_object();
    }
    if (e.mtu) w.key("mtu"), w.uint(*e.mtu);
    w.key("errno"), w.sint(e.error_number);
    if (e.timestamp) w.key("timestamp_ns"), w.sint(e.timestamp->time_since_epoch().count());
    w.field("text", describe_error(e));
    w.end_object();
}

}  // namespace icmpkit::report
