// NDJSON for `icmpkit ping --json`: one object per event, then a summary; schema "icmpkit.ping/1".
// Every record has "schema" and "event"; times are milliseconds as JSON numbers.
#include <cstdio>
#include <cstring>

#include "icmpkit/report/json_writer.hpp"
#include "icmpkit/report/ping_text.hpp"

namespace icmpkit::report {
namespace {

void ms(JsonWriter& w, std::string_view k, std::int64_t us) {
    char b[32];
    std::snprintf(b, sizeof b, "%lld.%03lld", static_cast<long long>(us / 1000), static_cast<long long>(us % 1000));
    w.key(k);
    w.raw(b);
}

void head(JsonWriter& w, const char* event, core::WallTime wall) {
    w.begin_object();
    w.key("schema");
    w.string(ping_json_schema);
    w.key("event");
    w.string(event);
    if (wall.time_since_epoch().count()) {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(wall.time_since_epoch()).count();
        char b[32];
        std::snprintf(b, sizeof b, "%lld.%06lld", static_cast<long long>(us / 1000000), static_cast<long long>(us % 1000000));
        w.key("time");
        w.raw(b);
    }
}

std::string done(JsonWriter& w, std::string& s) {
    w.end_object();
    w.end_line();
    return s;
}

}  // namespace

std::string PingJson::start(const std::string& host, const core::IpAddress& addr, std::size_t payload,
                            const std::string& socket_kind, const std::string& rx_clock,
                            const std::string& tx_clock) const {
    std::string s;
    JsonWriter w(s);
    head(w, "start", {});
    w.field("host", host);
    w.field("address", addr.to_string());
    w.key("payload_size");
    w.uint(payload);
    w.field("socket", socket_kind);
    w.field("rx_clock", rx_clock);
    if (!tx_clock.empty()) w.field("tx_clock", tx_clock);
    return done(w, s);
}

std::string PingJson::event(const probe::Action& a, core::WallTime wall) const {
    std::string s;
    JsonWriter w(s);
    if (const auto* r = std::get_if<probe::ReplyEvent>(&a)) {
        head(w, "reply", wall);
        w.key("seq"); w.uint(r->sequence);
        w.field("from", r->from.to_string());
        w.key("bytes"); w.uint(r->bytes);
        w.key("ttl");
        if (r->ttl) w.uint(*r->ttl); else w.null();
        if (r->rtt_us) ms(w, "rtt_ms", *r->rtt_us);
        w.key("duplicate"); w.boolean(r->duplicate);
        w.key("bad_checksum"); w.boolean(r->bad_checksum);
        w.key("different_address"); w.boolean(r->different_address);
        w.key("truncated"); w.boolean(r->truncated);
    } else if (const auto* e = std::get_if<probe::IcmpErrorEvent>(&a)) {
        head(w, "icmp_error", wall);
        w.key("seq"); w.uint(e->sequence);
        w.field("from", e->from.to_string());
        w.key("type"); w.uint(e->type);
        w.key("code"); w.uint(e->code);
        w.key("info"); w.uint(e->info);
        w.field("text", e->from.is_v4() ? describe_icmpv4(e->type, e->code, e->info)
                                        : describe_icmpv6(e->type, e->code, e->info));
        w.key("counted"); w.boolean(e->counted);
    } else if (const auto* l = std::get_if<probe::LocalErrorEvent>(&a)) {
        head(w, "local_error", wall);
        w.key("errno"); w.sint(l->error_number);
        w.field("text", std::strerror(l->error_number));
        if (l->mtu) { w.key("mtu"); w.uint(l->mtu); }
        w.key("during_send"); w.boolean(l->from_send);
    } else if (const auto* n = std::get_if<probe::NoAnswerEvent>(&a)) {
        head(w, "no_answer", wall);
        w.key("seq"); w.uint(n->sequence);
    } else {
        return {};
    }
    return done(w, s);
}

std::string PingJson::summary(const std::string& host, const probe::PingSummary& s, int exit_code) const {
    std::string out;
    JsonWriter w(out);
    head(w, "summary", {});
    w.field("host", host);
    w.key("transmitted"); w.uint(s.transmitted);
    w.key("received"); w.uint(s.received);
    w.key("duplicates"); w.uint(s.duplicates);
    w.key("corrupted"); w.uint(s.corrupted);
    w.key("errors"); w.uint(s.errors);
    char b[32];
    double loss = s.transmitted ? (static_cast<double>(s.transmitted) - static_cast<double>(s.received)) * 100.0 /
                                      static_cast<double>(s.transmitted) : 0.0;
    std::snprintf(b, sizeof b, "%.4g", loss);
    w.key("loss_percent"); w.raw(b);
    ms(w, "time_ms", std::chrono::duration_cast<std::chrono::microseconds>(s.elapsed).count());
    const auto total = static_cast<std::int64_t>(s.received + s.duplicates);
    if (s.received && s.timing) {
        w.key("rtt_ms");
        w.begin_object();
        ms(w, "min", s.rtt.tmin);
        ms(w, "avg", s.rtt.average_us(total));
        ms(w, "max", s.rtt.tmax);
        ms(w, "mdev", s.rtt.mdev_us(total));
        ms(w, "p50", *s.rtt.sketch.quantile(0.5));
        ms(w, "p90", *s.rtt.sketch.quantile(0.9));
        ms(w, "p99", *s.rtt.sketch.quantile(0.99));
        ms(w, "jitter", static_cast<std::int64_t>(s.rtt.jitter_us));
        ms(w, "ewma", s.rtt.ewma8 / 8);
        w.end_object();
        if (full_) {
            w.key("histogram");
            w.begin_array();
            for (int i = 0; i < probe::RttSketch::bucket_count; ++i) {
                if (!s.rtt.sketch.bucket(i)) continue;
                w.begin_object();
                ms(w, "from_ms", probe::RttSketch::lower_bound(i));
                ms(w, "to_ms", probe::RttSketch::lower_bound(i + 1));
                w.key("count"); w.uint(s.rtt.sketch.bucket(i));
                w.end_object();
            }
            w.end_array();
        }
    }
    if (s.pipe > 1) { w.key("pipe"); w.uint(static_cast<std::uint64_t>(s.pipe)); }
    w.key("exit_code"); w.sint(exit_code);
    return done(w, out);
}

std::string PingJson::error(const std::string& message, int exit_code) const {
    std::string s;
    JsonWriter w(s);
    head(w, "error", {});
    w.field("message", message);
    w.key("exit_code"); w.sint(exit_code);
    return done(w, s);
}

}  // namespace icmpkit::report
