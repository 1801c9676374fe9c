// `icmpkit pmtu` text (pmtu_text.hpp). The tracepath lines follow iputils 20221126 tracepath.c
// recverr(), print_host(), probe_ttl() and main() format for format.
#include "icmpkit/report/pmtu_text.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace icmpkit::report {
namespace {

constexpr int host_column_size = 52;  // tracepath HOST_COLUMN_SIZE

template <class... A>
std::string fmt(const char* f, A... a) {
    char buf[160];
    int n = std::snprintf(buf, sizeof buf, f, a...);
    return std::string(buf, n < 0 ? 0 : std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
}

// print_host(): a, " (b)" with -b, then padding to the column (at least one space).
std::string host_text(const core::IpAddress& addr, const PmtuTextOptions& o) {
    const std::string numeric = addr.to_string();
    std::string name;
    if (!o.numeric || o.both) {
        name = o.name ? o.name(addr) : std::string();
        if (name.empty()) name = numeric;
    }
    std::string s = o.numeric ? numeric : name;
    if (o.both) s += " (" + (o.numeric ? name : numeric) + ")";
    int plen = static_cast<int>(s.size());
    if (plen >= host_column_size) plen = host_column_size - 1;
    s.append(static_cast<std::size_t>(host_column_size - plen), ' ');
    return s;
}

std::string hop_line(const probe::PmtuHopEvent& e, const PmtuTextOptions& o) {
    using T = probe::PmtuHopEvent::Tail;
    std::string s;
    if (e.localhost) {
        s = fmt("%2d?: %-32s ", e.ttl, "[LOCALHOST]");
    } else {
        s = e.sent_hops > 0 ? fmt("%2d:  ", e.sent_hops) : fmt("%2d?: ", e.ttl);
        if (e.address) s += host_text(*e.address, o);
    }
    if (e.rtt) {
        const long long us = std::max<long long>(0, std::chrono::duration_cast<std::chrono::microseconds>(*e.rtt).count());
        s += fmt("%3lld.%03lldms ", us / 1000, us % 1000);
        if (e.broken_router) s += "(This broken router returned corrupted payload) ";
    }
    switch (e.tail) {
        case T::none:
            if (e.asymm) s += fmt("asymm %2d ", *e.asymm);
            s += "\n";
            break;
        case T::pmtu: s += fmt("pmtu %u\n", e.pmtu); break;
        case T::reached: s += "reached\n"; break;
        case T::protocol: s += "!P\n"; break;
        case T::host_unreachable: s += "!H\n"; break;
        case T::net_unreachable: s += "!N\n"; break;
        case T::prohibited: s += "!A\n"; break;
        case T::net_error: s += "\n"; break;
    }
    return s;
}

struct Visitor {
    const PmtuTextOptions& o;
    std::string operator()(const probe::PmtuTransmit&) const { return {}; }
    std::string operator()(const probe::PmtuHopEvent& e) const { return hop_line(e, o); }
    std::string operator()(const probe::PmtuNoReply& e) const { return fmt("%2d:  no reply\n", e.ttl); }
    std::string operator()(const probe::PmtuReplyReceived& e) const { return fmt("%2d?: reply received 8)\n", e.ttl); }
    std::string operator()(const probe::PmtuSendFailed& e) const { return fmt("%2d:  send failed\n", e.ttl); }
    std::string operator()(const probe::PmtuNoInfo&) const { return "no info\n"; }
    std::string operator()(const probe::PmtuFinish& f) const {
        std::string s;
        if (f.too_many_hops) s += fmt("     Too many hops: pmtu %d\n", f.mtu);
        s += fmt("     Resume: pmtu %d ", f.mtu);
        if (f.hops_to >= 0) s += fmt("hops %d ", f.hops_to);
        if (f.hops_from >= 0) s += fmt("back %d ", f.hops_from);
        return s + "\n";
    }
};

const char* outcome_text(probe::SearchProbeEvent::Outcome o) {
    using O = probe::SearchProbeEvent::Outcome;
    switch (o) {
        case O::acknowledged: return "ok";
        case O::lost: return "lost (no reply, no ICMP)";
        case O::too_big_icmp: return "too big";
        case O::too_big_local: return "too big (local)";
        case O::base_failed: return "no reply at the base size";
    }
    return "?";
}

}  // namespace

std::string format_pmtu_event(const probe::PmtuAction& a, const PmtuTextOptions& o) {
    return std::visit(Visitor{o}, a);
}

std::string format_pmtu_error(const probe::PmtuAction& a) {
    auto* e = std::get_if<probe::PmtuHopEvent>(&a);
    if (!e || e->tail != probe::PmtuHopEvent::Tail::net_error) return {};
    return std::string("NET ERROR: ") + std::strerror(e->error_number);
}

std::string format_search_event(const probe::SearchAction& a) {
    auto* e = std::get_if<probe::SearchProbeEvent>(&a);
    if (!e) return {};
    std::string s = fmt("  probe %5u bytes: %s", e->size, outcome_text(e->outcome));
    if (e->outcome == probe::SearchProbeEvent::Outcome::acknowledged && e->rtt) {
        const long long us = std::chrono::duration_cast<std::chrono::microseconds>(*e->rtt).count();
        s += fmt(" %lld.%03lldms", us / 1000, us % 1000);
    }
    if (e->reported_mtu) {
        s += fmt(", mtu %u", e->reported_mtu);
        if (e->reporter) s += " from " + e->reporter->to_string();
    }
    if (e->attempts > 1) s += fmt(" (%d probes)", e->attempts);
    return s + "\n";
}

std::string format_search_summary(const probe::SearchResult& r, const core::IpAddress& destination) {
    if (!r.base_confirmed)
        return fmt("     no reply from %s at the base size: path MTU unknown (%d probes)\n",
                   destination.to_string().c_str(), r.probes);
    std::string s = fmt("     ICMP says: pmtu %u", r.icmp_pmtu);
    if (r.icmp_reporter) s += " (from " + r.icmp_reporter->to_string() + ")\n";
    else if (r.icmp_pmtu < r.max_mtu) s += " (learned by the kernel earlier)\n";
    else s += " (the interface MTU; no ICMP said less)\n";
    s += fmt("     Probing found: pmtu %u (%d probes, %d replies)\n", r.plpmtu, r.probes, r.replies);
    if (r.black_hole)
        s += fmt("     PMTU black hole: %u-byte datagrams vanish without Fragmentation Needed / Packet Too Big\n",
                 r.smallest_silent_failure);
    s += fmt("     Resume: pmtu %u%s\n", r.plpmtu, r.black_hole ? " black-hole" : "");
    return s;
}

}  // namespace icmpkit::report
