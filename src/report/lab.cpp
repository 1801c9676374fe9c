#include "icmpkit/report/lab.hpp"

#include <iterator>

#include <fmt/format.h>

#include "icmpkit/report/json_writer.hpp"
#include "icmpkit/wire/ip_protocol.hpp"

namespace icmpkit::report {

namespace {

std::string ppm_text(std::uint32_t ppm) {
    std::string s = fmt::format("{}.{:04}", ppm / 10000, ppm % 10000);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s + "%";
}

std::string end_name(const sim::Topology& t, const sim::Endpoint& e) {
    return t.nodes[e.node].config.name + ":" + t.nodes[e.node].config.interfaces[e.ifindex - 1].name;
}

std::string filter_text(const stack::FilterRule& r) {
    std::string s = r.action == stack::FilterAction::drop ? "drop" : r.action == stack::FilterAction::reject ? "reject" : "accept";
    if (r.protocol) {
        switch (*r.protocol) {
            case wire::ip_protocol::udp: s += " udp"; break;
            case wire::ip_protocol::tcp: s += " tcp"; break;
            case wire::ip_protocol::icmp: s += " icmp"; break;
            case wire::ip_protocol::icmpv6: s += " icmp6"; break;
            default: s += fmt::format(" proto {}", *r.protocol);
        }
    }
    if (r.source) s += fmt::format(" src {}/{}", r.source->address.to_string(), r.source->length);
    if (r.destination) s += fmt::format(" dst {}/{}", r.destination->address.to_string(), r.destination->length);
    if (r.destination_port_min != 0 || r.destination_port_max != 65535)
        s += r.destination_port_min == r.destination_port_max
                 ? fmt::format(" dport {}", r.destination_port_min)
                 : fmt::format(" dport {}-{}", r.destination_port_min, r.destination_port_max);
    if (r.action == stack::FilterAction::reject)
        s += fmt::format(" ({} v4, {} v6)", unreachable_flag(core::Family::v4, r.reject_code_v4),
                         unreachable_flag(core::Family::v6, r.reject_code_v6));
    return s;
}

std::string hop_text(const sim::Topology& t, const sim::HopAlternative& h) {
    std::string s = h.reply_source ? fmt::format("{} ({})", h.reply_source->to_string(), t.nodes[h.node].config.name)
                                   : fmt::format("* ({} silent)", t.nodes[h.node].config.name);
    if (!h.mpls_labels.empty()) {
        s += " [MPLS";
        for (auto l : h.mpls_labels) s += fmt::format(" Lbl={}", l);
        s += "]";
    }
    if (h.destination) s += " destination";
    if (h.no_route) s += " !N";
    if (h.rate_limited) s += " rate-limited";
    if (h.nat) s += " nat";
    if (h.outgoing_mtu && h.outgoing_mtu < h.incoming_mtu)
        s += h.blackhole ? fmt::format(" pmtu-blackhole(mtu {})", h.outgoing_mtu)
                         : fmt::format(" frag-needed(mtu {}, !F)", h.outgoing_mtu);
    for (const auto& f : h.filters)
        if (f.action != stack::FilterAction::accept) s += " filter: " + filter_text(f);
    return s;
}

}  // namespace

std::string unreachable_flag(core::Family f, std::uint8_t code) {
    if (f == core::Family::v4) {
        static const char* flags[] = {"!N", "!H", "!P", nullptr, "!F", "!S"};
        if (code < 6 && flags[code]) return flags[code];
        if (code == 13) return "!X";
        if (code == 14) return "!V";
        if (code == 15) return "!C";
        return fmt::format("!<{}>", code);
    }
    // traceroute (Linux) for ICMPv6: 0 !N, 1 !X, 3 !H, 4 port (the destination), others !<n>.
    if (code == 0) return "!N";
    if (code == 1) return "!X";
    if (code == 3) return "!H";
    return fmt::format("!<{}>", code);
}

std::string format_duration(core::Duration d) {
    auto ns = d.count();
    if (ns == 0) return "0";
    if (ns % 1'000'000'000 == 0) return fmt::format("{}s", ns / 1'000'000'000);
    if (ns % 1'000'000 == 0) return fmt::format("{}ms", ns / 1'000'000);
    if (ns % 1'000 == 0) return fmt::format("{}us", ns / 1'000);
    return fmt::format("{}ns", ns);
}

std::string format_link_properties(const sim::LinkProperties& p) {
    std::string s = "latency=" + format_duration(p.latency);
    if (p.jitter.count()) s += " jitter=" + format_duration(p.jitter);
    if (p.loss_ppm) s += " loss=" + ppm_text(p.loss_ppm);
    if (p.duplicate_ppm) s += " dup=" + ppm_text(p.duplicate_ppm);
    if (p.reorder_ppm) s += " reorder=" + ppm_text(p.reorder_ppm);
    if (p.corrupt_ppm) s += " corrupt=" + ppm_text(p.corrupt_ppm);
    s += fmt::format(" mtu={}", p.mtu);
    if (p.rate_bps) s += fmt::format(" rate={}bit queue={}B", p.rate_bps, p.queue_bytes);
    return s;
}

void describe_topology_text(const sim::Topology& t, const std::vector<sim::TracePath>& paths, std::string& out) {
    auto o = std::back_inserter(out);
    fmt::format_to(o, "topology {}\n", t.name);
    if (!t.description.empty()) fmt::format_to(o, "  {}\n", t.description);
    fmt::format_to(o, "entry {}\n\nnodes:\n", t.nodes[t.entry].config.name);
    for (const auto& n : t.nodes) {
        fmt::format_to(o, "  {} {}", n.config.name, n.config.role == stack::Role::host ? "host" : "router");
        if (n.config.silent) out += " silent";
        if (n.blackhole) out += " pmtu-blackhole";
        if (sim::rate_limit_is_custom(n.config.rate_limit))
            fmt::format_to(o, " ratelimit(interval={}ms burst={})", n.config.rate_limit.per_peer_interval.count(),
                           n.config.rate_limit.per_peer_burst);
        if (n.nat)
            fmt::format_to(o, " nat(inside {} outside {}{})", n.config.interfaces[n.nat->inside_ifindex - 1].name,
                           n.config.interfaces[n.nat->outside_ifindex - 1].name,
                           n.nat->translate_quote ? ", quote translated" : "");
        for (const auto& f : n.config.filter) out += " filter(" + filter_text(f) + ")";
        out += "\n";
        for (const auto& i : n.config.interfaces) {
            fmt::format_to(o, "    {:<6} mtu {:<5}", i.name, i.mtu);
            for (const auto& a : i.addresses) fmt::format_to(o, " {}/{}", a.address.to_string(), a.length);
            for (const auto& l : i.mpls_labels) fmt::format_to(o, " mpls-label {}", l.label);
            out += "\n";
        }
    }
    out += "\nlinks:\n";
    for (const auto& l : t.links) {
        out += "  ";
        for (std::size_t i = 0; i < l.ends.size(); ++i) out += (i ? " -- " : "") + end_name(t, l.ends[i]);
        fmt::format_to(o, "  {}{}\n", l.segment ? "segment " : "", format_link_properties(l.properties));
    }
    for (const auto& p : paths) {
        fmt::format_to(o, "\ntrace {} -> {} {}", t.nodes[t.entry].config.name,
                       t.nodes[p.destination_node].config.name, p.destination.to_string());
        if (p.reached) fmt::format_to(o, " (path mtu {})", p.path_mtu);
        else out += " (unreachable)";
        out += "\n";
        for (const auto& h : p.hops) {
            fmt::format_to(o, "  {:>2}", h.ttl);
            for (std::size_t i = 0; i < h.alternatives.size(); ++i)
                out += (i ? "\n      | " : "  ") + hop_text(t, h.alternatives[i]);
            if (h.alternatives.size() > 1) out += "   (ECMP)";
            out += "\n";
        }
    }
}

void describe_topology_json(const sim::Topology& t, const std::vector<sim::TracePath>& paths, std::string& out) {
    JsonWriter w(out);
    w.begin_object();
    w.field("topology", t.name);
    w.field("description", t.description);
    w.field("entry", t.nodes[t.entry].config.name);
    w.key("nodes");
    w.begin_array();
    for (const auto& n : t.nodes) {
        w.begin_object();
        w.field("name", n.config.name);
        w.field("role", n.config.role == stack::Role::host ? "host" : "router");
        w.key("silent"); w.boolean(n.config.silent);
        w.key("pmtu_blackhole"); w.boolean(n.blackhole);
        w.key("rate_limited"); w.boolean(sim::rate_limit_is_custom(n.config.rate_limit));
        w.key("nat"); w.boolean(n.nat.has_value());
        w.key("filters");
        w.begin_array();
        for (const auto& f : n.config.filter) w.string(filter_text(f));
        w.end_array();
        w.key("interfaces");
        w.begin_array();
        for (const auto& i : n.config.interfaces) {
            w.begin_object();
            w.field("name", i.name);
            w.key("mtu"); w.uint(i.mtu);
            w.key("addresses");
            w.begin_array();
            for (const auto& a : i.addresses) w.string(fmt::format("{}/{}", a.address.to_string(), a.length));
            w.end_array();
            w.key("mpls_labels");
            w.begin_array();
            for (const auto& l : i.mpls_labels) w.uint(l.label);
            w.end_array();
            w.end_object();
        }
        w.end_array();
        w.end_object();
    }
    w.end_array();
    w.key("links");
    w.begin_array();
    for (const auto& l : t.links) {
        w.begin_object();
        w.key("ends");
        w.begin_array();
        for (const auto& e : l.ends) w.string(end_name(t, e));
        w.end_array();
        const auto& p = l.properties;
        w.key("segment"); w.boolean(l.segment);
        w.key("latency_ns"); w.sint(p.latency.count());
        w.key("jitter_ns"); w.sint(p.jitter.count());
        w.key("loss_ppm"); w.uint(p.loss_ppm);
        w.key("duplicate_ppm"); w.uint(p.duplicate_ppm);
        w.key("reorder_ppm"); w.uint(p.reorder_ppm);
        w.key("corrupt_ppm"); w.uint(p.corrupt_ppm);
        w.key("mtu"); w.uint(p.mtu);
        w.key("rate_bps"); w.uint(p.rate_bps);
        w.key("queue_bytes"); w.uint(p.queue_bytes);
        w.end_object();
    }
    w.end_array();
    w.key("traces");
    w.begin_array();
    for (const auto& p : paths) {
        w.begin_object();
        w.field("destination", t.nodes[p.destination_node].config.name);
        w.field("address", p.destination.to_string());
        w.key("reached"); w.boolean(p.reached);
        w.key("path_mtu"); w.uint(p.path_mtu);
        w.key("hops");
        w.begin_array();
        for (const auto& h : p.hops) {
            w.begin_object();
            w.key("ttl"); w.uint(h.ttl);
            w.key("alternatives");
            w.begin_array();
            for (const auto& a : h.alternatives) {
                w.begin_object();
                w.field("node", t.nodes[a.node].config.name);
                w.key("address");
                if (a.reply_source) w.string(a.reply_source->to_string()); else w.null();
                w.key("mpls_labels");
                w.begin_array();
                for (auto l : a.mpls_labels) w.uint(l);
                w.end_array();
                w.key("destination"); w.boolean(a.destination);
                w.key("rate_limited"); w.boolean(a.rate_limited);
                w.key("nat"); w.boolean(a.nat);
                w.key("no_route"); w.boolean(a.no_route);
                w.key("incoming_mtu"); w.uint(a.incoming_mtu);
                w.key("outgoing_mtu"); w.uint(a.outgoing_mtu);
                w.key("pmtu_blackhole"); w.boolean(a.blackhole && a.outgoing_mtu && a.outgoing_mtu < a.incoming_mtu);
                w.key("filters");
                w.begin_array();
                for (const auto& f : a.filters) w.string(filter_text(f));
                w.end_array();
                w.end_object();
            }
            w.end_array();
            w.end_object();
        }
        w.end_array();
        w.end_object();
    }
    w.end_array();
    w.end_object();
    out += "\n";
}

}  // namespace icmpkit::report
