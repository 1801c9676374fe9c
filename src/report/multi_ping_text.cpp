// fping 5.1 text (multi_ping_text.hpp). Formats and conditions from fping.c: print_per_system_stats(),
// print_global_stats(), print_timeout(), wait_for_reply(), finish(), sprint_tm(), icmp_unreach_str[].
#include <array>
#include <cstdio>
#include <cstring>

#include "icmpkit/report/multi_ping_text.hpp"

namespace icmpkit::report {
namespace {

constexpr std::array<const char*, 16> unreach_text = {
    "ICMP Network Unreachable",
    "ICMP Host Unreachable",
    "ICMP Protocol Unreachable",
    "ICMP Port Unreachable",
    "ICMP Unreachable (Fragmentation Needed)",
    "ICMP Unreachable (Source Route Failed)",
    "ICMP Unreachable (Destination Network Unknown)",
    "ICMP Unreachable (Destination Host Unknown)",
    "ICMP Unreachable (Source Host Isolated)",
    "ICMP Unreachable (Communication with Network Prohibited)",
    "ICMP Unreachable (Communication with Host Prohibited)",
    "ICMP Unreachable (Network Unreachable For Type Of Service)",
    "ICMP Unreachable (Host Unreachable For Type Of Service)",
    "ICMP Unreachable (Communication Administratively Prohibited)",
    "ICMP Unreachable (Host Precedence Violation)",
    "ICMP Unreachable (Precedence cutoff in effect)",
};

void appendf(std::string& s, const char* fmt, auto... args) {
    char b[256];
    int n = std::snprintf(b, sizeof b, fmt, args...);
    if (n > 0) s.append(b, static_cast<std::size_t>(n) < sizeof b ? static_cast<std::size_t>(n) : sizeof b - 1);
}

}  // namespace

std::string fping_ms(std::int64_t ns) {
    const double t = static_cast<double>(ns) / 1e6;
    char b[32];
    if (t < 0.0) std::snprintf(b, sizeof b, "%.2g", t);
    else if (t < 1.0) std::snprintf(b, sizeof b, "%.3f", t);
    else if (t < 10.0) std::snprintf(b, sizeof b, "%.2f", t);
    else if (t < 100.0) std::snprintf(b, sizeof b, "%.1f", t);
    else if (t < 1000000.0) std::snprintf(b, sizeof b, "%.0f", t);
    else std::snprintf(b, sizeof b, "%.3e", t);
    return b;
}

std::string fping_icmp_error(bool v6, std::uint8_t type, std::uint8_t code) {
    if (!v6) {
        switch (type) {
            case 3: return code < unreach_text.size() ? unreach_text[code] : "ICMP Unreachable (Invalid Code)";
            case 4: return "ICMP Source Quench";
            case 5: return "ICMP Redirect";
            case 11: return "ICMP Time Exceeded";
            case 12: return "ICMP Parameter Problem";
            default: return "ICMP type " + std::to_string(type);
        }
    }
    switch (type) {  // RFC 4443 3.1-3.4
        case 1: return code < unreach_text.size() ? unreach_text[code] : "ICMP Unreachable (Invalid Code)";
        case 2: return "ICMP Packet Too Big";
        case 3: return "ICMP Time Exceeded";
        case 4: return "ICMP Parameter Problem";
        default: return "ICMPv6 type " + std::to_string(type);
    }
}

MultiPingText::MultiPingText(MultiTextOptions options, std::vector<std::string> names)
    : o_(options), names_(std::move(names)) {
    for (const auto& n : names_) width_ = std::max(width_, n.size());
    // fping main(): -a/-u/-x/-q silence the verbose listing; count and loop modes print per reply.
    verbose_ = !(o_.alive || o_.unreachable || o_.min_reachable || o_.quiet);
    if (o_.count_mode || o_.loop) {
        per_recv_ = o_.loop || verbose_;  // fping -l prints every reply even with -q
        o_.alive = o_.unreachable = false;
        verbose_ = false;
    }
}

void MultiPingText::name(std::string& s, std::uint32_t target) const {
    const std::string& n = names_[target];
    s += n;
    if (n.size() < width_) s.append(width_ - n.size(), ' ');
}

void MultiPingText::event(const probe::MultiAction& a, const probe::MultiPing& ping, core::WallTime wall,
                          TextOut& o) const {
    auto stamp = [&](std::string& s) {
        if (!o_.timestamps) return;
        appendf(s, "[%.5f] ", std::chrono::duration<double>(wall.time_since_epoch()).count());
    };
    if (const auto* r = std::get_if<probe::MultiReplyEvent>(&a)) {
        const auto& st = ping.stats(r->target);
        if (r->duplicate) {
            if (per_recv_) return;
            o.err += names_[r->target];
            appendf(o.err, " : duplicate for [%u], %zu bytes, %s ms", r->probe, r->bytes, fping_ms(r->rtt.count()).c_str());
            if (r->different_address) o.err += " [<- " + r->from.to_string() + "]";
            o.err += '\n';
            return;
        }
        if (per_recv_) {
            stamp(o.out);
            name(o.out, r->target);
            appendf(o.out, " : [%u], %zu bytes, %s ms", r->probe, r->bytes, fping_ms(r->rtt.count()).c_str());
            appendf(o.out, " (%s avg, %d%% loss)", fping_ms(st.avg_ns()).c_str(), st.loss_percent());
            if (r->different_address) o.out += " [<- " + r->from.to_string() + "]";
            o.out += '\n';
        }
        if (r->first && (verbose_ || o_.alive)) {  // fping: no -D stamp on this line
            o.out += names_[r->target];
            if (verbose_) o.out += " is alive";
            if (o_.elapsed) o.out += " (" + fping_ms(r->rtt.count()) + " ms)";
            if (r->different_address) o.out += " [<- " + r->from.to_string() + "]";
            o.out += '\n';
        }
    } else if (const auto* t = std::get_if<probe::MultiTimeoutEvent>(&a)) {
        if (!per_recv_) return;
        const auto& st = ping.stats(t->target);
        stamp(o.out);
        name(o.out, t->target);
        appendf(o.out, " : [%u], timed out", t->probe);
        if (st.received) o.out += " (" + fping_ms(st.avg_ns()) + " avg, ";
        else o.out += " (NaN avg, ";
        appendf(o.out, "%d%% loss)\n", st.loss_percent());
    } else if (const auto* e = std::get_if<probe::MultiIcmpErrorEvent>(&a)) {
        o.err += fping_icmp_error(e->from.is_v6(), e->type, e->code) + " from " + e->from.to_string() +
                 " for ICMP Echo sent to " + names_[e->target] + "\n";
    } else if (const auto* s = std::get_if<probe::MultiSendErrorEvent>(&a)) {
        if (verbose_) o.err += names_[s->target] + ": error while sending ping: " + std::strerror(s->error_number) + "\n";
    }
}

TextOut MultiPingText::finish(const probe::MultiPing& ping, core::Duration elapsed) const {
    TextOut o;
    const auto n = static_cast<std::uint32_t>(ping.target_count());
    std::uint32_t unreachable = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
        if (ping.stats(i).received) continue;
        ++unreachable;
        if (verbose_ || o_.unreachable) o.out += names_[i] + (verbose_ ? " is unreachable\n" : "\n");
    }
    if (o_.count_mode || o_.loop) {
        if ((verbose_ || per_recv_) && !o_.quiet) o.err += '\n';
        for (std::uint32_t i = 0; i < n; ++i) {
            const auto& st = ping.stats(i);
            name(o.err, i);
            o.err += " :";
            if (o_.vectors) {
                for (auto v : ping.rtt_vector(i).first(st.sent < ping.rtt_vector(i).size() ? st.sent : ping.rtt_vector(i).size()))
                    o.err += v >= 0 ? " " + fping_ms(v) : std::string(" -");
                o.err += '\n';
                continue;
            }
            appendf(o.err, " xmt/rcv/%%loss = %u/%u/%d%%", st.sent, st.received, st.loss_percent());
            if (st.received)
                o.err += ", min/avg/max = " + fping_ms(st.min_ns) + "/" + fping_ms(st.avg_ns()) + "/" + fping_ms(st.max_ns);
            o.err += '\n';
        }
    }
    if (o_.stats) {
        const auto& c = ping.counters();
        std::int64_t mn = 0, mx = 0, sum = 0;
        std::uint64_t total = 0;
        for (std::uint32_t i = 0; i < n; ++i) {
            const auto& st = ping.stats(i);
            if (!st.received) continue;
            if (!total || st.min_ns < mn) mn = st.min_ns;
            if (st.max_ns > mx) mx = st.max_ns;
            sum += st.sum_ns;
            total += st.received;
        }
        auto& e = o.err;
        e += '\n';
        appendf(e, " %7u targets\n", n);
        appendf(e, " %7u alive\n", n - unreachable);
        appendf(e, " %7u unreachable\n", unreachable);
        appendf(e, " %7u unknown addresses\n", o_.unknown_hosts);
        e += '\n';
        appendf(e, " %7llu timeouts (waiting for response)\n", static_cast<unsigned long long>(c.timeouts));
        appendf(e, " %7llu ICMP Echos sent\n", static_cast<unsigned long long>(c.echos_sent));
        appendf(e, " %7llu ICMP Echo Replies received\n", static_cast<unsigned long long>(c.replies + c.duplicates));
        appendf(e, " %7llu other ICMP received\n", static_cast<unsigned long long>(c.other_icmp));
        e += '\n';
        const std::int64_t avg = total ? sum / static_cast<std::int64_t>(total) : 0;
        e += " " + fping_ms(mn) + " ms (min round trip time)\n";
        e += " " + fping_ms(avg) + " ms (avg round trip time)\n";
        e += " " + fping_ms(mx) + " ms (max round trip time)\n";
        appendf(e, " %12.3f sec (elapsed real time)\n", std::chrono::duration<double>(elapsed).count());
        e += '\n';
    }
    if (o_.min_reachable) {
        const std::uint32_t reachable = n - unreachable;
        appendf(o.out, "%s hosts reachable (required: %u, reachable: %u)\n",
                reachable >= o_.min_reachable ? "Enough" : "Not enough", o_.min_reachable, reachable);
    }
    return o;
}

int MultiPingText::exit_code(const probe::MultiPing& ping) const {
    const auto alive = ping.alive_count();
    if (o_.min_reachable) return alive >= o_.min_reachable ? 0 : 1;
    if (o_.unknown_hosts) return 2;
    return alive == ping.target_count() ? 0 : 1;
}

}  // namespace icmpkit::report
