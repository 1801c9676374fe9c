// `icmpkit trace --mda`: see include/icmpkit/report/mda_text.hpp.
#include <cstdio>

#include "icmpkit/report/json_writer.hpp"
#include "icmpkit/report/lab.hpp"
#include "icmpkit/report/mda_text.hpp"

namespace icmpkit::report {

namespace {

std::string address_of(const probe::MdaInterface& i) { return i.address ? i.address->to_string() : "*"; }

std::string named(const probe::MdaInterface& i, const MdaReportInfo& info) {
    std::string s = address_of(i);
    if (i.address && info.name) {
        const std::string n = info.name(*i.address);
        if (!n.empty()) s += " (" + n + ")";
    }
    return s;
}

std::string kind_name(probe::MdaNodeKind k) {
    switch (k) {
        case probe::MdaNodeKind::router: return "router";
        case probe::MdaNodeKind::destination: return "destination";
        case probe::MdaNodeKind::unreachable: return "unreachable";
        case probe::MdaNodeKind::silent: return "silent";
    }
    return "router";
}

std::string rtt_text(std::optional<std::int64_t> us) {
    if (!us) return {};
    char buf[32];
    std::snprintf(buf, sizeof buf, "  %.3f ms", static_cast<double>(*us) / 1000.0);
    return buf;
}

// The interface a link starts from ("source" at the first TTL).
const probe::MdaInterface* link_from(const probe::MdaResult& r, const probe::MdaLink& l) {
    const std::size_t hi = static_cast<std::size_t>(l.ttl - r.first_ttl);
    if (hi == 0 || hi > r.hops.size()) return nullptr;
    const auto& ifs = r.hops[hi - 1].interfaces;
    return l.from < ifs.size() ? &ifs[l.from] : nullptr;
}
const probe::MdaInterface* link_to(const probe::MdaResult& r, const probe::MdaLink& l) {
    const std::size_t hi = static_cast<std::size_t>(l.ttl - r.first_ttl);
    if (hi >= r.hops.size()) return nullptr;
    const auto& ifs = r.hops[hi].interfaces;
    return l.to < ifs.size() ? &ifs[l.to] : nullptr;
}

void put_uint(JsonWriter& w, std::string_view k, std::uint64_t v) {
    w.name(k);
    w.uint(v);
}
void put_bool(JsonWriter& w, std::string_view k, bool v) {
    w.name(k);
    w.boolean(v);
}

}  // namespace

std::string mda_text(const probe::MdaResult& r, const MdaReportInfo& info) {
    char buf[256];
    std::string out;
    std::snprintf(buf, sizeof buf, "mda to %s (%s), %g%% confidence, %s\n", info.destination_name.c_str(),
                  info.destination.to_string().c_str(), r.confidence, info.method.c_str());
    out += buf;
    for (const auto& hop : r.hops) {
        bool first = true;
        for (const auto& i : hop.interfaces) {
            std::snprintf(buf, sizeof buf, first ? "%2u  " : "    ", static_cast<unsigned>(hop.ttl));
            out += buf + named(i, info) + rtt_text(i.min_rtt_us);
            if (i.kind == probe::MdaNodeKind::unreachable && i.address)
                out += " " + unreachable_flag(i.address->family(), i.code);
            if (i.kind == probe::MdaNodeKind::destination) out += "  (destination)";
            if (!i.complete) out += "  (successors incomplete)";
            out += '\n';
            first = false;
        }
    }
    out += "links:\n";
    for (const auto& l : r.links) {
        const auto* from = link_from(r, l);
        const auto* to = link_to(r, l);
        if (!to) continue;
        std::snprintf(buf, sizeof buf, "%2u  ", static_cast<unsigned>(l.ttl));
        out += buf + (from ? address_of(*from) : std::string("source")) + " -> " + address_of(*to) + "\n";
    }
    const double per_path = r.paths ? static_cast<double>(r.probes_sent) / static_cast<double>(r.paths) : 0.0;
    std::snprintf(buf, sizeof buf, "%llu path%s, %llu probes (%.1f per path), %llu flows, %llu timeouts; %s\n",
                  static_cast<unsigned long long>(r.paths), r.paths == 1 ? "" : "s",
                  static_cast<unsigned long long>(r.probes_sent), per_path,
                  static_cast<unsigned long long>(r.flows_used), static_cast<unsigned long long>(r.timeouts),
                  r.interrupted        ? "interrupted, incomplete"
                  : r.budget_exhausted ? "probe budget exhausted"
                  : r.complete       ? (r.reached ? "complete" : "complete, destination not reached")
                                     : "incomplete");
    out += buf;
    return out;
}

std::string mda_json(const probe::MdaResult& r, const MdaReportInfo& info) {
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.field("schema", mda_json_schema);
    w.field("destination", info.destination.to_string());
    w.field("destination_name", info.destination_name);
    w.field("method", info.method);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", r.confidence);
    w.name("confidence");
    w.raw(buf);
    w.name("hops");
    w.begin_array();
    for (const auto& hop : r.hops) {
        w.begin_object();
        put_uint(w, "ttl", hop.ttl);
        w.name("interfaces");
        w.begin_array();
        for (const auto& i : hop.interfaces) {
            w.begin_object();
            w.name("address");
            i.address ? w.string(i.address->to_string()) : w.null();
            w.field("kind", kind_name(i.kind));
            if (i.kind == probe::MdaNodeKind::unreachable) put_uint(w, "code", i.code);
            put_uint(w, "flows", i.flows);
            if (i.min_rtt_us) {
                std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(*i.min_rtt_us) / 1000.0);
                w.name("rtt_min_ms");
                w.raw(buf);
            }
            put_bool(w, "complete", i.complete);
            w.end_object();
        }
        w.end_array();
        w.end_object();
    }
    w.end_array();
    w.name("links");
    w.begin_array();
    for (const auto& l : r.links) {
        const auto* from = link_from(r, l);
        const auto* to = link_to(r, l);
        if (!to) continue;
        w.begin_object();
        put_uint(w, "ttl", l.ttl);
        w.field("from", from ? address_of(*from) : std::string("source"));
        w.field("to", address_of(*to));
        put_uint(w, "from_index", l.from);
        put_uint(w, "to_index", l.to);
        w.end_object();
    }
    w.end_array();
    put_uint(w, "paths", r.paths);
    put_uint(w, "probes", r.probes_sent);
    put_uint(w, "replies", r.replies);
    put_uint(w, "timeouts", r.timeouts);
    put_uint(w, "ignored", r.ignored);
    put_uint(w, "flows", r.flows_used);
    put_bool(w, "reached", r.reached);
    put_bool(w, "complete", r.complete);
    put_bool(w, "budget_exhausted", r.budget_exhausted);
    put_bool(w, "interrupted", r.interrupted);
    w.end_object();
    out += '\n';
    return out;
}

std::string dot_escaped(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

std::string mda_dot(const probe::MdaResult& r, const MdaReportInfo& info) {
    std::string out = "digraph mda {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n";
    out += "  src [label=\"source\", shape=ellipse];\n";
    if (r.interrupted) out += "  label=\"interrupted, incomplete\";\n";
    auto id = [&](std::uint8_t ttl, std::uint32_t index) {
        return "h" + std::to_string(ttl) + "_" + std::to_string(index);
    };
    for (const auto& hop : r.hops)
        for (std::uint32_t k = 0; k < hop.interfaces.size(); ++k) {
            const auto& i = hop.interfaces[k];
            std::string attrs = "label=\"" + dot_escaped(named(i, info)) + "\\nttl " + std::to_string(hop.ttl) + "\"";
            if (i.kind == probe::MdaNodeKind::destination) attrs += ", shape=doubleoctagon";
            if (i.kind == probe::MdaNodeKind::silent) attrs += ", style=dashed";
            if (i.kind == probe::MdaNodeKind::unreachable) attrs += ", shape=octagon";
            out += "  " + id(hop.ttl, k) + " [" + attrs + "];\n";
        }
    for (const auto& l : r.links) {
        if (!link_to(r, l)) continue;
        const std::string from = l.ttl == r.first_ttl ? std::string("src") : id(static_cast<std::uint8_t>(l.ttl - 1), l.from);
        out += "  " + from + " -> " + id(l.ttl, l.to) + ";\n";
    }
    out += "}\n";
    return out;
}

}  // namespace icmpkit::report
