// `icmpkit trace --cycles`: see include/icmpkit/report/cycles_text.hpp.
#include <algorithm>
#include <cstdio>

#include "icmpkit/report/cycles_text.hpp"
#include "icmpkit/report/json_writer.hpp"

namespace icmpkit::report {

namespace {

constexpr std::size_t mtr_host_width = 33;  // mtr report.c len_hosts (non-wide)

std::string fixed(std::string s, std::size_t width) {
    s.resize(width, ' ');  // mtr writes the columns over whatever is longer
    return s;
}

std::string host_of(const probe::HopReport& h) {
    return h.addresses.empty() ? std::string("???") : h.addresses.front().to_string();
}

double ms(std::optional<std::int64_t> us) { return us ? static_cast<double>(*us) / 1000.0 : 0.0; }

// mtr's columns: Loss% "%5.1f%%", Snt 6, Last 7, Avg/Best/Wrst/StDev 6 wide, one decimal.
std::string columns(const probe::HopReport& h) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%5.1f%%%6llu%7.1f%6.1f%6.1f%6.1f%6.1f", h.loss * 100.0,
                  static_cast<unsigned long long>(h.sent), ms(h.last_us), h.average_us / 1000.0, ms(h.best_us),
                  ms(h.worst_us), h.stdev_us / 1000.0);
    return buf;
}

void number(JsonWriter& w, std::string_view key, double v, const char* format) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    w.name(key);
    w.raw(buf);
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

std::string cycles_text(const probe::CyclesReport& r, const CyclesReportInfo& info) {
    // mtr truncates host names to fit 33 columns; an address never is here: the column widens.
    std::size_t width = mtr_host_width;
    for (const auto& h : r.hops) width = std::max(width, 8 + host_of(h).size() + 1);
    std::string out;
    if (!info.start.empty()) out += "Start: " + info.start + "\n";
    out += fixed("HOST: " + info.local_host, width) + " Loss%   Snt   Last   Avg  Best  Wrst StDev\n";
    bool any_rate_limited = false;
    for (const auto& h : r.hops) {
        char lead[16];
        std::snprintf(lead, sizeof lead, " %2u.|-- ", static_cast<unsigned>(h.ttl));
        out += fixed(lead + host_of(h), width) + columns(h);
        if (h.rate_limited) {
            out += " (rl)";
            any_rate_limited = true;
        }
        out += '\n';
        for (std::size_t z = 1; z < h.addresses.size(); ++z)
            out += (z == 1 ? "    |  `|-- " : "    |   |-- ") + h.addresses[z].to_string() + "\n";
    }
    if (any_rate_limited)
        out += "(rl) loss here does not carry on to later hops: the router rate-limits its ICMP replies;\n"
               "     this is not forwarding loss.\n";
    // A count that was not reached (continuous mode always ends this way: no note).
    if (info.interrupted && info.tests != 0)
        out += "Interrupted after " + std::to_string(r.cycles) + " of " + std::to_string(info.tests) + " cycles.\n";
    return out;
}

std::string cycles_json(const probe::CyclesReport& r, const CyclesReportInfo& info) {
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.field("schema", cycles_json_schema);
    w.name("report");
    w.begin_object();
    w.name("mtr");
    w.begin_object();
    w.field("src", info.local_host);
    w.field("dst", info.destination);
    put_uint(w, "tos", info.tos);
    put_uint(w, "tests", info.tests);
    w.field("psize", std::to_string(info.packet_size));
    w.field("bitpattern", "0x00");
    w.end_object();
    w.name("hubs");
    w.begin_array();
    for (const auto& h : r.hops) {
        w.begin_object();
        put_uint(w, "count", h.ttl);
        w.field("host", host_of(h));
        number(w, "Loss%", h.loss * 100.0, "%.1f");
        put_uint(w, "Snt", h.sent);
        number(w, "Last", ms(h.last_us), "%.3f");
        number(w, "Avg", h.average_us / 1000.0, "%.3f");
        number(w, "Best", ms(h.best_us), "%.3f");
        number(w, "Wrst", ms(h.worst_us), "%.3f");
        number(w, "StDev", h.stdev_us / 1000.0, "%.3f");
        w.name("addresses");
        w.begin_array();
        for (const auto& a : h.addresses) w.string(a.to_string());
        w.end_array();
        put_uint(w, "received", h.received);
        put_uint(w, "lost", h.lost);
        number(w, "forwarding_loss%", h.forwarding_loss * 100.0, "%.1f");
        number(w, "reply_loss%", h.reply_loss * 100.0, "%.1f");
        put_bool(w, "rate_limited", h.rate_limited);
        put_bool(w, "destination", h.destination);
        w.end_object();
    }
    w.end_array();
    w.end_object();
    put_uint(w, "cycles", r.cycles);
    put_bool(w, "reached", r.reached);
    put_uint(w, "ignored", r.ignored);
    put_bool(w, "interrupted", info.interrupted);
    w.end_object();
    out += '\n';
    return out;
}

}  // namespace icmpkit::report
