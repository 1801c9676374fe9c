// traceroute 2.1-compatible text (trace_text.hpp).
#include "icmpkit/report/trace_text.hpp"

#include <cstdio>

namespace icmpkit::report {
namespace {

using Status = probe::TraceProbeResult::Status;

std::string fmt_ms(core::Duration d) {
    char buf[48];
    const double ms = static_cast<double>(d.count()) / 1e6;
    std::snprintf(buf, sizeof buf, "  %.3f ms", ms);
    return buf;
}

std::string address_text(const core::IpAddress& a, const TraceTextOptions& o) {
    const std::string addr = a.to_string();
    if (o.numeric) return " " + addr;
    std::string name = o.name_of ? o.name_of(a) : std::string();
    if (name.empty()) name = addr;
    return " " + name + " (" + addr + ")";
}

std::string interface_text(const wire::ext::InterfaceInformation& i) {
    static constexpr const char* roles[] = {"in", "sub", "out", "nh"};
    std::string s = std::string("IF:") + roles[static_cast<int>(i.role) & 3];
    if (i.has_name) s += ",name=" + i.name;
    if (i.has_ifindex) s += ",index=" + std::to_string(i.ifindex);
    if (i.has_address) s += ",addr=" + i.address.to_string();
    if (i.has_mtu) s += ",mtu=" + std::to_string(i.mtu);
    return s;
}

// Changes seen in the quoted datagram (not printed by traceroute; only when something changed).
std::string quote_notes(const probe::TraceResponse& r, const TraceTextOptions& o) {
    std::string s;
    if (r.kind == probe::ResponseKind::hop && r.quoted_ttl && *r.quoted_ttl > 1)
        s += " [ttl=" + std::to_string(*r.quoted_ttl) + "]";
    if (r.quoted_tos && *r.quoted_tos != o.sent_tos) {
        char buf[32];
        std::snprintf(buf, sizeof buf, " [tos 0x%02x->0x%02x]", o.sent_tos, *r.quoted_tos);
        s += buf;
    }
    if (r.source_rewritten && r.quoted_source) s += " [nat " + r.quoted_source->to_string() + "]";
    return s;
}

bool same_responder(const probe::TraceResponse& a, const probe::TraceResponse& b, bool ext) {
    if (a.from != b.from) return false;
    if (!ext) return true;
    return trace_extensions(a, true) == trace_extensions(b, true);
}

}  // namespace

std::string trace_header(std::string_view host, const core::IpAddress& address, unsigned max_ttl,
                         std::size_t packet_length) {
    return "traceroute to " + std::string(host) + " (" + address.to_string() + "), " + std::to_string(max_ttl) +
           " hops max, " + std::to_string(packet_length) + " byte packets\n";
}

std::string trace_annotation(const probe::TraceResponse& r) {
    const auto& c = r.classification;
    using K = wire::Kind;
    using U = wire::UnreachableReason;
    if (r.kind == probe::ResponseKind::hop) return "";
    if (c.kind == K::echo_reply || r.kind == probe::ResponseKind::rejected) return "";
    if (r.kind == probe::ResponseKind::destination && c.kind != K::destination_unreachable &&
        c.kind != K::packet_too_big)
        return "";  // a TCP answer
    const bool v4 = c.family == core::Family::v4;
    if (c.kind == K::packet_too_big || c.unreachable == U::fragmentation_needed)
        return "!F-" + std::to_string(c.mtu.value_or(0));
    if (c.kind == K::destination_unreachable) {
        switch (c.unreachable) {
        case U::port: return "";  // the destination is reached
        case U::network: case U::network_unknown: case U::source_host_isolated: case U::network_tos: return "!N";
        case U::no_route: return "!N";
        case U::host: case U::host_unknown: case U::host_tos: case U::beyond_scope: case U::address: return "!H";
        case U::network_prohibited: case U::host_prohibited: case U::admin_prohibited: return "!X";
        case U::protocol: return "!P";
        case U::source_route_failed: return "!S";
        case U::host_precedence: return v4 ? "!V" : "!<" + std::to_string(c.code) + ">";
        case U::precedence_cutoff: return "!C";
        default: return "!<" + std::to_string(c.code) + ">";
        }
    }
    return "!<" + std::to_string(c.type) + "-" + std::to_string(c.code) + ">";
}

std::string trace_extensions(const probe::TraceResponse& r, bool interfaces) {
    std::string s;
    for (std::size_t i = 0; i < r.mpls.size(); ++i) {
        const auto& e = r.mpls[i];
        s += (i == 0 ? "MPLS:" : "/");
        s += "L=" + std::to_string(e.label) + ",E=" + std::to_string(e.traffic_class) +
             ",S=" + std::to_string(e.bottom_of_stack ? 1 : 0) + ",T=" + std::to_string(e.ttl);
    }
    if (interfaces)
        for (const auto& f : r.interfaces) s += (s.empty() ? "" : ";") + interface_text(f);
    return s;
}

std::string trace_hop_line(const probe::TraceHop& hop, const TraceTextOptions& o, probe::TraceMethod method) {
    (void)method;
    char head[8];
    std::snprintf(head, sizeof head, "%2u ", static_cast<unsigned>(hop.ttl));
    std::string line = head;
    const probe::TraceResponse* prev = nullptr;
    for (const auto& p : hop.probes) {
        if (p.status != Status::answered) {
            line += " *";
            continue;
        }
        const auto& r = p.response;
        if (!prev || !same_responder(*prev, r, o.extensions)) {
            line += address_text(r.from, o);
            if (o.extensions) {
                const std::string ext = trace_extensions(r, true);
                if (!ext.empty()) line += " <" + ext + ">";
            }
        }
        prev = &r;
        line += fmt_ms(p.rtt);
        const std::string note = trace_annotation(r);
        if (!note.empty()) line += " " + note;
        line += quote_notes(r, o);
    }
    return line + "\n";
}

}  // namespace icmpkit::report
