// NDJSON for multi-target ping, schema "icmpkit.fping/1" (multi_ping_text.hpp): "start", then one
// object per "reply" / "timeout" / "icmp_error" / "send_error", then one "target" object per
// target and a final "summary". Times are milliseconds as JSON numbers; "time" is epoch seconds.
#include <cmath>
#include <cstdio>
#include <cstring>

#include "icmpkit/report/json_writer.hpp"
#include "icmpkit/report/multi_ping_text.hpp"

namespace icmpkit::report {
namespace {

void ms(JsonWriter& w, std::string_view k, std::int64_t ns) {
    char b[40];
    std::snprintf(b, sizeof b, "%.3f", static_cast<double>(ns) / 1e6);
    w.key(k);
    w.raw(b);
}

void head(JsonWriter& w, const char* event, core::WallTime wall) {
    w.begin_object();
    w.field("schema", fping_json_schema);
    w.field("event", event);
    if (wall.time_since_epoch().count()) {
        char b[40];
        std::snprintf(b, sizeof b, "%.6f", std::chrono::duration<double>(wall.time_since_epoch()).count());
        w.key("time");
        w.raw(b);
    }
}

void close(JsonWriter& w) {
    w.end_object();
    w.end_line();
}

std::string done(JsonWriter& w, std::string& s) {
    close(w);
    return s;
}

void quantiles(JsonWriter& w, const probe::RttSketch& k) {
    for (auto [name, q] : {std::pair{"p50_ms", 0.5}, {"p90_ms", 0.9}, {"p99_ms", 0.99}})
        if (auto v = k.quantile(q)) ms(w, name, *v * 1000);
}

}  // namespace

std::string MultiPingJson::start(const probe::MultiPing& ping, const std::string& socket_v4,
                                 const std::string& socket_v6) const {
    std::string s;
    JsonWriter w(s);
    head(w, "start", {});
    const auto& c = ping.config();
    w.key("targets"); w.uint(c.targets.size());
    w.key("count"); w.uint(c.count);
    w.key("loop"); w.boolean(c.loop);
    ms(w, "interval_ms", c.interval.count());
    ms(w, "period_ms", c.period.count());
    ms(w, "timeout_ms", c.timeout.count());
    w.key("retries"); w.uint(c.retries);
    w.key("payload_size"); w.uint(c.payload_size);
    if (!socket_v4.empty()) w.field("socket_v4", socket_v4);
    if (!socket_v6.empty()) w.field("socket_v6", socket_v6);
    return done(w, s);
}

std::string MultiPingJson::event(const probe::MultiAction& a, const probe::MultiPing& ping, core::WallTime wall) const {
    std::string s;
    JsonWriter w(s);
    auto target = [&](std::uint32_t t, std::uint32_t probe) {
        w.field("target", names_[t]);
        w.field("address", ping.config().targets[t].to_string());
        w.key("index"); w.uint(probe);
    };
    if (const auto* r = std::get_if<probe::MultiReplyEvent>(&a)) {
        head(w, "reply", wall);
        target(r->target, r->probe);
        w.key("seq"); w.uint(r->sequence);
        w.field("from", r->from.to_string());
        w.key("bytes"); w.uint(r->bytes);
        ms(w, "rtt_ms", r->rtt.count());
        w.key("duplicate"); w.boolean(r->duplicate);
        w.key("first"); w.boolean(r->first);
    } else if (const auto* t = std::get_if<probe::MultiTimeoutEvent>(&a)) {
        head(w, "timeout", wall);
        target(t->target, t->probe);
    } else if (const auto* e = std::get_if<probe::MultiIcmpErrorEvent>(&a)) {
        head(w, "icmp_error", wall);
        target(e->target, e->probe);
        w.field("from", e->from.to_string());
        w.key("type"); w.uint(e->type);
        w.key("code"); w.uint(e->code);
        w.field("text", fping_icmp_error(e->from.is_v6(), e->type, e->code));
    } else if (const auto* x = std::get_if<probe::MultiSendErrorEvent>(&a)) {
        head(w, "send_error", wall);
        target(x->target, x->probe);
        w.key("errno"); w.sint(x->error_number);
        w.field("text", std::strerror(x->error_number));
    } else {
        return {};
    }
    return done(w, s);
}

std::string MultiPingJson::summary(const probe::MultiPing& ping, core::Duration elapsed, std::uint32_t unknown_hosts,
                                   std::uint32_t min_reachable, int exit_code) const {
    std::string s;
    const auto n = static_cast<std::uint32_t>(ping.target_count());
    for (std::uint32_t i = 0; i < n; ++i) {
        JsonWriter w(s);
        const auto& st = ping.stats(i);
        head(w, "target", {});
        w.field("target", names_[i]);
        w.field("address", ping.config().targets[i].to_string());
        w.key("alive"); w.boolean(st.alive());
        w.key("xmt"); w.uint(st.sent);
        w.key("rcv"); w.uint(st.received);
        w.key("loss_percent"); w.uint(static_cast<std::uint64_t>(st.loss_percent()));
        w.key("duplicates"); w.uint(st.duplicates);
        w.key("icmp_errors"); w.uint(st.icmp_errors);
        if (st.received) {
            ms(w, "min_ms", st.min_ns);
            ms(w, "avg_ms", st.avg_ns());
            ms(w, "max_ms", st.max_ns);
            const double mean = static_cast<double>(st.avg_ns()) / 1e6;
            const double var = st.sum2_ms / st.received - mean * mean;
            char b[40];
            std::snprintf(b, sizeof b, "%.3f", var > 0 ? std::sqrt(var) : 0.0);
            w.key("stddev_ms"); w.raw(b);
            if (const auto* k = ping.sketch(i)) quantiles(w, *k);
        }
        if (auto v = ping.rtt_vector(i); !v.empty()) {
            w.key("rtts_ms");
            w.begin_array();
            for (std::size_t j = 0; j < v.size() && j < st.sent; ++j) {
                if (v[j] < 0) { w.null(); continue; }
                char b[40];
                std::snprintf(b, sizeof b, "%.3f", static_cast<double>(v[j]) / 1e6);
                w.raw(b);
            }
            w.end_array();
        }
        close(w);
    }
    JsonWriter w(s);
    const auto& c = ping.counters();
    const std::uint32_t alive = ping.alive_count();
    head(w, "summary", {});
    w.key("targets"); w.uint(n);
    w.key("alive"); w.uint(alive);
    w.key("unreachable"); w.uint(n - alive);
    w.key("unknown"); w.uint(unknown_hosts);
    w.key("timeouts"); w.uint(c.timeouts);
    w.key("echos_sent"); w.uint(c.echos_sent);
    w.key("replies"); w.uint(c.replies);
    w.key("duplicates"); w.uint(c.duplicates);
    w.key("other_icmp"); w.uint(c.other_icmp);
    w.key("late"); w.uint(c.late);
    w.key("foreign"); w.uint(c.foreign);
    w.key("malformed"); w.uint(c.malformed);
    w.key("bad_checksum"); w.uint(c.bad_checksum);
    w.key("send_errors"); w.uint(c.send_errors);
    const auto& o = ping.overall();
    if (o.samples) {
        ms(w, "min_ms", o.tmin * 1000);
        ms(w, "avg_ms", o.tsum / static_cast<std::int64_t>(o.samples) * 1000);
        ms(w, "max_ms", o.tmax * 1000);
        quantiles(w, o.sketch);
    }
    ms(w, "elapsed_ms", elapsed.count());
    if (min_reachable) {
        w.key("min_reachable"); w.uint(min_reachable);
        w.key("quorum_met"); w.boolean(alive >= min_reachable);
    }
    w.key("exit_code"); w.sint(exit_code);
    return done(w, s);
}

std::string MultiPingJson::error(const std::string& message, int exit_code) const {
    std::string s;
    JsonWriter w(s);
    head(w, "error", {});
    w.field("message", message);
    w.key("exit_code"); w.sint(exit_code);
    return done(w, s);
}

}  // namespace icmpkit::report
