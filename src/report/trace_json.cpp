// RIPE Atlas-like JSON for traces (trace_json.hpp).
#include "icmpkit/report/trace_json.hpp"

#include <cstdio>

#include "icmpkit/report/json_writer.hpp"
#include "icmpkit/report/trace_text.hpp"

namespace icmpkit::report {
namespace {

using Status = probe::TraceProbeResult::Status;

const char* proto_name(probe::TraceMethod m) {
    switch (m) {
    case probe::TraceMethod::udp:
    case probe::TraceMethod::udp_paris: return "UDP";
    case probe::TraceMethod::icmp_paris: return "ICMP";
    case probe::TraceMethod::tcp_syn: return "TCP";
    }
    return "?";
}

void rtt_ms(JsonWriter& w, core::Duration d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(d.count()) / 1e6);
    w.name("rtt");
    w.raw(buf);
}

void extensions(JsonWriter& w, const probe::TraceResponse& r) {
    if (r.mpls.empty() && r.interfaces.empty()) return;
    w.name("icmpext");
    w.begin_object();
    w.name("version"), w.uint(2);
    w.name("rfc4884"), w.uint(1);
    w.name("checksum_ok"), w.boolean(!r.extension_checksum_bad);
    w.name("obj");
    w.begin_array();
    if (!r.mpls.empty()) {
        w.begin_object();
        w.name("class"), w.uint(1);
        w.name("type"), w.uint(1);
        w.name("mpls");
        w.begin_array();
        for (const auto& e : r.mpls) {
            w.begin_object();
            w.name("exp"), w.uint(e.traffic_class);
            w.name("label"), w.uint(e.label);
            w.name("s"), w.uint(e.bottom_of_stack ? 1 : 0);
            w.name("ttl"), w.uint(e.ttl);
            w.end_object();
        }
        w.end_array();
        w.end_object();
    }
    for (const auto& i : r.interfaces) {
        w.begin_object();
        w.name("class"), w.uint(2);
        w.name("type"), w.uint(i.c_type());
        static constexpr const char* roles[] = {"incoming", "sub-ip", "outgoing", "next-hop"};
        w.name("role"), w.string(roles[static_cast<int>(i.role) & 3]);
        if (i.has_ifindex) w.name("ifindex"), w.uint(i.ifindex);
        if (i.has_address) w.name("address"), w.string(i.address.to_string());
        if (i.has_name) w.name("name"), w.string(i.name);
        if (i.has_mtu) w.name("mtu"), w.uint(i.mtu);
        w.end_object();
    }
    w.end_array();
    w.end_object();
}

void reply(JsonWriter& w, const probe::TraceProbeResult& p, std::uint8_t sent_tos) {
    const auto& r = p.response;
    w.begin_object();
    w.name("from"), w.string(r.from.to_string());
    rtt_ms(w, p.rtt);
    if (r.reply_ttl) w.name("ttl"), w.uint(*r.reply_ttl);
    const std::string note = trace_annotation(r);
    if (!note.empty()) w.name("err"), w.string(note.substr(1));  // Atlas: "H", "N", "X", ...
    if (r.kind == probe::ResponseKind::destination) w.name("dst"), w.boolean(true);
    if (r.kind == probe::ResponseKind::hop && r.quoted_ttl && *r.quoted_ttl != 1) w.name("ittl"), w.uint(*r.quoted_ttl);
    if (r.quoted_tos && *r.quoted_tos != sent_tos) w.name("itos"), w.uint(*r.quoted_tos);
    if (r.source_rewritten && r.quoted_source) w.name("nat_src"), w.string(r.quoted_source->to_string());
    if (r.mtu) w.name("mtu"), w.uint(*r.mtu);
    if (p.attempts > 1) w.name("attempts"), w.uint(p.attempts);
    extensions(w, r);
    w.end_object();
}

void counters(JsonWriter& w, const probe::TraceCounters& c) {
    w.name("counters");
    w.begin_object();
    w.name("sent"), w.uint(c.sent);
    w.name("answered"), w.uint(c.answered);
    w.name("retried"), w.uint(c.retried);
    w.name("late"), w.uint(c.late);
    w.name("duplicates"), w.uint(c.duplicates);
    w.name("beyond_destination"), w.uint(c.beyond_destination);
    w.name("unattributed"), w.uint(c.unattributed);
    w.name("send_errors"), w.uint(c.send_errors);
    w.name("rejected");
    w.begin_object();
    for (const auto& [why, n] : c.rejected) w.key(probe::reject_name(why)), w.uint(n);
    w.end_object();
    w.end_object();
}

}  // namespace

std::string trace_json(const TraceJsonInfo& info, const std::vector<probe::TraceHop>& hops,
                       const probe::TraceCounters& c) {
    std::string out;
    JsonWriter w(out);
    const auto& cfg = info.config;
    w.begin_object();
    w.name("schema"), w.string(trace_json_schema);
    w.name("type"), w.string("traceroute");
    w.name("af"), w.uint(cfg.space.destination.is_v4() ? 4 : 6);
    w.name("dst_name"), w.string(info.dst_name);
    w.name("dst_addr"), w.string(cfg.space.destination.to_string());
    w.name("src_addr"), w.string(cfg.space.source.to_string());
    w.name("proto"), w.string(proto_name(cfg.space.method));
    w.name("method"), w.string(probe::method_name(cfg.space.method));
    w.name("paris_id"), w.uint(cfg.space.method == probe::TraceMethod::udp ? 0 : cfg.flow + 1u);
    w.name("size"), w.uint(cfg.space.packet_length);
    w.name("first_hop"), w.uint(cfg.first_ttl);
    w.name("max_hops"), w.uint(cfg.max_ttl);
    w.name("queries"), w.uint(cfg.queries);
    w.name("simulated"), w.boolean(info.simulated);
    if (info.timestamp) w.name("timestamp"), w.sint(*info.timestamp);
    if (info.endtime) w.name("endtime"), w.sint(*info.endtime);
    w.name("destination_reached"), w.boolean(!hops.empty() && hops.back().final &&
                                             [&] {
                                                 for (const auto& p : hops.back().probes)
                                                     if (p.status == Status::answered && p.response.kind == probe::ResponseKind::destination) return true;
                                                 return false;
                                             }());
    w.name("interrupted"), w.boolean(info.interrupted);
    w.name("result");
    w.begin_array();
    for (const auto& h : hops) {
        w.begin_object();
        w.name("hop"), w.uint(h.ttl);
        w.name("result");
        w.begin_array();
        for (const auto& p : h.probes) {
            if (p.status == Status::answered) {
                reply(w, p, cfg.space.tos);
            } else {
                w.begin_object();
                w.name("x"), w.string("*");
                w.end_object();
            }
        }
        w.end_array();
        w.end_object();
    }
    w.end_array();
    counters(w, c);
    w.end_object();
    w.end_line();
    return out;
}

}  // namespace icmpkit::report
