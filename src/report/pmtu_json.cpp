// `icmpkit pmtu --json` (pmtu_json.hpp).
#include "icmpkit/report/pmtu_json.hpp"

#include <cstdio>

#include "icmpkit/report/json_writer.hpp"

namespace icmpkit::report {
namespace {

double ms(core::Duration d) { return static_cast<double>(d.count()) / 1e6; }

void head(JsonWriter& w, const char* event) {
    w.begin_object();
    w.key("schema");
    w.string(pmtu_json_schema);
    w.key("event");
    w.string(event);
}

void number(JsonWriter& w, const char* k, double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    w.key(k);
    w.raw(buf);
}

const char* tail_name(probe::PmtuHopEvent::Tail t) {
    using T = probe::PmtuHopEvent::Tail;
    switch (t) {
        case T::none: return "time_exceeded";
        case T::pmtu: return "pmtu";
        case T::reached: return "reached";
        case T::host_unreachable: return "host_unreachable";
        case T::net_unreachable: return "net_unreachable";
        case T::prohibited: return "prohibited";
        case T::protocol: return "protocol";
        case T::net_error: return "net_error";
    }
    return "?";
}

const char* outcome_name(probe::SearchProbeEvent::Outcome o) {
    using O = probe::SearchProbeEvent::Outcome;
    switch (o) {
        case O::acknowledged: return "acknowledged";
        case O::lost: return "lost";
        case O::too_big_icmp: return "too_big_icmp";
        case O::too_big_local: return "too_big_local";
        case O::base_failed: return "base_failed";
    }
    return "?";
}

std::string finish(std::string& out, JsonWriter& w) {
    w.end_object();
    w.end_line();
    return out;
}

}  // namespace

std::string pmtu_json_event(const probe::PmtuAction& a) {
    std::string out;
    JsonWriter w(out);
    if (auto* e = std::get_if<probe::PmtuHopEvent>(&a)) {
        head(w, "hop");
        w.key("ttl");
        w.sint(e->sent_hops > 0 ? e->sent_hops : e->ttl);
        w.key("ttl_known");
        w.boolean(e->sent_hops > 0);
        w.key("from");
        if (e->localhost) w.string("localhost");
        else if (e->address) w.string(e->address->to_string());
        else w.null();
        if (e->rtt) number(w, "rtt_ms", ms(*e->rtt));
        w.key("kind");
        w.string(tail_name(e->tail));
        if (e->tail == probe::PmtuHopEvent::Tail::pmtu) {
            w.key("pmtu");
            w.uint(e->pmtu);
        }
        if (e->asymm) {
            w.key("asymm");
            w.sint(*e->asymm);
        }
        if (e->broken_router) {
            w.key("broken_router");
            w.boolean(true);
        }
        if (e->tail == probe::PmtuHopEvent::Tail::net_error) {
            w.key("errno");
            w.sint(e->error_number);
        }
        return finish(out, w);
    }
    if (auto* e = std::get_if<probe::PmtuNoReply>(&a)) {
        head(w, "no_reply");
        w.key("ttl");
        w.sint(e->ttl);
        return finish(out, w);
    }
    if (auto* e = std::get_if<probe::PmtuSendFailed>(&a)) {
        head(w, "send_failed");
        w.key("ttl");
        w.sint(e->ttl);
        return finish(out, w);
    }
    if (auto* e = std::get_if<probe::PmtuReplyReceived>(&a)) {
        head(w, "reply_received");
        w.key("ttl");
        w.sint(e->ttl);
        return finish(out, w);
    }
    if (auto* f = std::get_if<probe::PmtuFinish>(&a)) {
        head(w, "result");
        w.key("mode");
        w.string("tracepath");
        w.key("pmtu");
        w.sint(f->mtu);
        w.key("too_many_hops");
        w.boolean(f->too_many_hops);
        w.key("hops");
        if (f->hops_to >= 0) w.sint(f->hops_to); else w.null();
        w.key("back");
        if (f->hops_from >= 0) w.sint(f->hops_from); else w.null();
        return finish(out, w);
    }
    return {};
}

std::string search_json_event(const probe::SearchAction& a) {
    std::string out;
    JsonWriter w(out);
    if (auto* e = std::get_if<probe::SearchProbeEvent>(&a)) {
        head(w, "probe");
        w.key("size");
        w.uint(e->size);
        w.key("outcome");
        w.string(outcome_name(e->outcome));
        w.key("attempts");
        w.sint(e->attempts);
        if (e->rtt) number(w, "rtt_ms", ms(*e->rtt));
        if (e->reported_mtu) {
            w.key("reported_mtu");
            w.uint(e->reported_mtu);
        }
        if (e->reporter) {
            w.key(e->outcome == probe::SearchProbeEvent::Outcome::acknowledged ? "from" : "reporter");
            w.string(e->reporter->to_string());
        }
        return finish(out, w);
    }
    if (auto* f = std::get_if<probe::SearchFinish>(&a)) {
        const auto& r = f->result;
        head(w, "result");
        w.key("mode");
        w.string("plpmtud");
        w.key("base_confirmed");
        w.boolean(r.base_confirmed);
        w.key("pmtu");
        if (r.base_confirmed) w.uint(r.plpmtu); else w.null();
        w.key("icmp_pmtu");
        w.uint(r.icmp_pmtu);
        w.key("icmp_reporter");
        if (r.icmp_reporter) w.string(r.icmp_reporter->to_string()); else w.null();
        w.key("interface_mtu");
        w.uint(r.max_mtu);
        w.key("black_hole");
        w.boolean(r.black_hole);
        if (r.smallest_silent_failure) {
            w.key("smallest_silent_failure");
            w.uint(r.smallest_silent_failure);
        }
        w.key("probes");
        w.sint(r.probes);
        w.key("replies");
        w.sint(r.replies);
        number(w, "elapsed_ms", ms(r.elapsed));
        return finish(out, w);
    }
    return {};
}

}  // namespace icmpkit::report
