#include "icmpkit/report/ping_text.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "icmpkit/report/json_writer.hpp"

namespace icmpkit::report {
namespace {

template <class... A>
std::string fmt(const char* f, A... a) {
    char b[512];
    int n = std::snprintf(b, sizeof b, f, a...);
    return std::string(b, n < 0 ? 0 : std::min<std::size_t>(static_cast<std::size_t>(n), sizeof b - 1));
}

std::string v4_unreachable(std::uint8_t code, std::uint32_t info) {
    static const char* const names[] = {
        "Destination Net Unreachable", "Destination Host Unreachable",
        "Destination Protocol Unreachable", "Destination Port Unreachable", nullptr,
        "Source Route Failed", "Destination Net Unknown", "Destination Host Unknown",
        "Source Host Isolated", "Destination Net Prohibited", "Destination Host Prohibited",
        "Destination Net Unreachable for Type of Service",
        "Destination Host Unreachable for Type of Service", "Packet filtered",
        "Precedence Violation", "Precedence Cutoff"};
    if (code == 4) return fmt("Frag needed and DF set (mtu = %u)", info);
    if (code < 16) return names[code];
    return fmt("Dest Unreachable, Bad Code: %d", code);
}

}  // namespace

std::string describe_icmpv4(std::uint8_t type, std::uint8_t code, std::uint32_t info) {
    switch (type) {
        case 0: return "Echo Reply";
        case 3: return v4_unreachable(code, info);
        case 4: return "Source Quench";
        case 5: {
            static const char* const r[] = {"Redirect Network", "Redirect Host",
                                            "Redirect Type of Service and Network",
                                            "Redirect Type of Service and Host"};
            std::string s = code < 4 ? r[code] : fmt("Redirect, Bad Code: %d", code);
            return s + "(New nexthop: " + core::Ipv4Address(info).to_string() + ")";
        }
        case 8: return "Echo Request";
        case 11:
            if (code == 0) return "Time to live exceeded";
            if (code == 1) return "Frag reassembly time exceeded";
            return fmt("Time exceeded, Bad Code: %d", code);
        case 12: return fmt("Parameter problem: pointer = %u", info);
        case 13: return "Timestamp";
        case 14: return "Timestamp Reply";
        case 15: return "Information Request";
        case 16: return "Information Reply";
        case 17: return "Address Mask Request";
        case 18: return "Address Mask Reply";
        default: return fmt("Bad ICMP type: %d", type);
    }
}

std::string describe_icmpv6(std::uint8_t type, std::uint8_t code, std::uint32_t info) {
    switch (type) {
        case 1: {
            static const char* const n[] = {"No route", "Administratively prohibited",
                                            "Beyond scope of source address", "Address unreachable",
                                            "Port unreachable",
                                            "Source address failed ingress/egress policy",
                                            "Reject route to destination"};
            return std::string("Destination unreachable: ") + (code < 7 ? n[code] : fmt("Unknown code %d", code));
        }
        case 2: return fmt("Packet too big: mtu=%u", info) + (code ? fmt(", code=%d", code) : "");
        case 3:
            return std::string("Time exceeded: ") +
                   (code == 0 ? "Hop limit" : code == 1 ? "Defragmentation failure" : fmt("code %d", code));
        case 4: {
            std::string s = "Parameter problem: ";
            s += code == 0 ? "Wrong header field " : code == 1 ? "Unknown header " :
                 code == 2 ? "Unknown option " : fmt("code %d ", code);
            return s + fmt("at %u", info);
        }
        case 128: return "Echo request";
        case 129: return "Echo reply";
        case 130: return "MLD Query";
        case 131: return "MLD Report";
        case 132: return "MLD Reduction";
        default: return fmt("unknown icmp type: %u", type);
    }
}

std::string format_rtt_us(std::int64_t t) {
    // gather_statistics(): precision shrinks as the time grows.
    if (t >= 100000 - 50) return fmt("%ld", static_cast<long>((t + 500) / 1000));
    if (t >= 10000 - 5) return fmt("%ld.%01ld", static_cast<long>((t + 50) / 1000), static_cast<long>(((t + 50) % 1000) / 100));
    if (t >= 1000) return fmt("%ld.%02ld", static_cast<long>((t + 5) / 1000), static_cast<long>(((t + 5) % 1000) / 10));
    return fmt("%ld.%03ld", static_cast<long>(t / 1000), static_cast<long>(t % 1000));
}

PingText::PingText(PingTextOptions o, core::Family family, Namer namer)
    : o_(std::move(o)), family_(family), namer_(std::move(namer)) {}

std::string PingText::stamp(core::WallTime wall) const {
    if (!o_.timestamps) return {};
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(wall.time_since_epoch()).count();
    return fmt("[%lu.%06lu] ", static_cast<unsigned long>(us / 1000000), static_cast<unsigned long>(us % 1000000));
}

std::string PingText::header(const std::string& host, const core::IpAddress& addr, std::size_t payload,
                             std::size_t optlen, const std::string& from_text, std::uint32_t flowlabel) const {
    if (family_ == core::Family::v6)
        return "PING " + host + "(" + addr.to_string() + ") " + (flowlabel ? fmt(", flow 0x%05x, ", flowlabel) : "") +
               (from_text.empty() ? "" : "from " + from_text + " : ") +
               fmt("%zu data bytes\n", payload);
    return "PING " + host + " (" + addr.to_string() + ") " + (from_text.empty() ? "" : "from " + from_text + ": ") +
           fmt("%zu(%zu) bytes of data.\n", payload, payload + 8 + optlen + 20);
}

Output PingText::event(const probe::Action& a, core::WallTime wall) const {
    Output o;
    if (const auto* r = std::get_if<probe::ReplyEvent>(&a)) {
        if (o_.quiet) return o;
        if (o_.flood) {
            o.out = r->bad_checksum ? "\bC" : "\b \b";
            if (o_.audible) o.out += '\a';
            return o;
        }
        std::string& s = o.out;
        s = stamp(wall) + fmt("%zu bytes from ", r->bytes) + namer_(r->from) + fmt(": icmp_seq=%u", r->sequence);
        if (r->ttl) s += fmt(" ttl=%d", *r->ttl);
        if (r->truncated) return {s + " (truncated)\n", {}};
        if (r->rtt_us) s += " time=" + format_rtt_us(*r->rtt_us) + " ms";
        if (r->duplicate) s += " (DUP!)";
        if (r->bad_checksum) s += " (BAD CHECKSUM!)";
        if (r->different_address) s += " (DIFFERENT ADDRESS!)";
        if (o_.audible) s += '\a';
        s += '\n';
    } else if (const auto* e = std::get_if<probe::IcmpErrorEvent>(&a)) {
        if (o_.quiet || (o_.flood && !e->counted)) return o;
        if (o_.flood) return {"\bE", {}};
        std::string text = family_ == core::Family::v4 ? describe_icmpv4(e->type, e->code, e->info)
                                                       : describe_icmpv6(e->type, e->code, e->info);
        if (e->counted)
            o.out = stamp(wall) + "From " + namer_(e->from) + fmt(" icmp_seq=%u ", e->sequence) + text + "\n";
        else  // a redirect or source quench seen on a raw socket
            o.out = stamp(wall) + "From " + namer_(e->from) + fmt(": icmp_seq=%u ", e->sequence) +
                    (e->bad_checksum ? "(BAD CHECKSUM)" : "") + text + "\n";
    } else if (const auto* l = std::get_if<probe::LocalErrorEvent>(&a)) {
        if (o_.quiet) return o;
        if (o_.flood) return {"E", {}};
        if (l->from_send)
            o.err = o_.program + ": sendmsg: " + std::strerror(l->error_number) + "\n";
        else if (l->error_number != EMSGSIZE)
            o.err = o_.program + ": local error: " + std::strerror(l->error_number) + "\n";
        else
            o.err = o_.program + (family_ == core::Family::v4 ? fmt(": local error: message too long, mtu=%u\n", l->mtu)
                                                              : fmt(": local error: message too long, mtu: %u\n", l->mtu));
    } else if (const auto* n = std::get_if<probe::NoAnswerEvent>(&a)) {
        if (!o_.quiet) o.out = stamp(wall) + fmt("no answer yet for icmp_seq=%llu\n", static_cast<unsigned long long>(n->sequence));
    } else if (std::holds_alternative<probe::Transmit>(a)) {
        if (o_.flood && !o_.quiet) o.out = ".";
    }
    return o;
}

std::string PingText::summary(const std::string& host, const probe::PingSummary& s) const {
    std::string r = "\n--- " + host + " ping statistics ---\n";
    r += fmt("%llu packets transmitted, %llu received", static_cast<unsigned long long>(s.transmitted),
             static_cast<unsigned long long>(s.received));
    if (s.duplicates) r += fmt(", +%llu duplicates", static_cast<unsigned long long>(s.duplicates));
    if (s.corrupted) r += fmt(", +%llu corrupted", static_cast<unsigned long long>(s.corrupted));
    if (s.errors) r += fmt(", +%llu errors", static_cast<unsigned long long>(s.errors));
    auto el_us = std::chrono::duration_cast<std::chrono::microseconds>(s.elapsed).count();
    if (s.transmitted) {
        float loss = static_cast<float>((static_cast<double>(static_cast<long long>(s.transmitted - s.received)) * 100.0) /
                                        static_cast<double>(s.transmitted));
        r += fmt(", %g%% packet loss", static_cast<double>(loss));
        auto ns = s.elapsed.count();
        r += fmt(", time %lldms", static_cast<long long>(1000 * (ns / 1000000000) + ((ns % 1000000000) + 500000) / 1000000));
    }
    r += '\n';
    const char* comma = "";
    const auto total = static_cast<std::int64_t>(s.received + s.duplicates);
    if (s.received && s.timing) {
        auto avg = s.rtt.average_us(total), mdev = s.rtt.mdev_us(total);
        r += fmt("rtt min/avg/max/mdev = %ld.%03ld/%lu.%03ld/%ld.%03ld/%ld.%03ld ms",
                 static_cast<long>(s.rtt.tmin / 1000), static_cast<long>(s.rtt.tmin % 1000),
                 static_cast<unsigned long>(avg / 1000), static_cast<long>(avg % 1000),
                 static_cast<long>(s.rtt.tmax / 1000), static_cast<long>(s.rtt.tmax % 1000),
                 static_cast<long>(mdev / 1000), static_cast<long>(mdev % 1000));
        comma = ", ";
    }
    if (s.pipe > 1) {
        r += fmt("%spipe %d", comma, s.pipe);
        comma = ", ";
    }
    if (s.received && s.show_ipg && s.transmitted > 1) {
        auto ipg = static_cast<int>(el_us / static_cast<long long>(s.transmitted - 1));
        auto e8 = s.rtt.ewma8;
        r += fmt("%sipg/ewma %d.%03d/%d.%03d ms", comma, ipg / 1000, ipg % 1000, static_cast<int>(e8 / 8000),
                 static_cast<int>((e8 / 8) % 1000));
    }
    r += '\n';
    if (o_.full_stats && s.rtt.samples) {
        const auto& k = s.rtt.sketch;
        r += "rtt p50/p90/p99 = " + format_rtt_us(*k.quantile(0.5)) + "/" + format_rtt_us(*k.quantile(0.9)) + "/" +
             format_rtt_us(*k.quantile(0.99)) + " ms, jitter = " +
             format_rtt_us(static_cast<std::int64_t>(s.rtt.jitter_us)) + " ms\n";
        for (int i = 0; i < probe::RttSketch::bucket_count; ++i)
            if (k.bucket(i))
                r += "  " + format_rtt_us(probe::RttSketch::lower_bound(i)) + " ms .. " +
                     format_rtt_us(probe::RttSketch::lower_bound(i + 1)) + fmt(" ms: %llu\n", static_cast<unsigned long long>(k.bucket(i)));
    }
    return r;
}

std::string PingText::status(const probe::PingSummary& s) const {
    int loss = s.transmitted ? static_cast<int>((static_cast<long long>(s.transmitted - s.received) * 100) /
                                                static_cast<long long>(s.transmitted)) : 0;
    std::string r = "\r" + fmt("%llu/%llu packets, %d%% loss", static_cast<unsigned long long>(s.received),
                               static_cast<unsigned long long>(s.transmitted), loss);
    if (s.received && s.timing) {
        auto avg = s.rtt.average_us(static_cast<std::int64_t>(s.received + s.duplicates));
        r += fmt(", min/avg/ewma/max = %ld.%03ld/%lu.%03ld/%d.%03d/%ld.%03ld ms",
                 static_cast<long>(s.rtt.tmin / 1000), static_cast<long>(s.rtt.tmin % 1000),
                 static_cast<unsigned long>(avg / 1000), static_cast<long>(avg % 1000),
                 static_cast<int>(s.rtt.ewma8 / 8000), static_cast<int>((s.rtt.ewma8 / 8) % 1000),
                 static_cast<long>(s.rtt.tmax / 1000), static_cast<long>(s.rtt.tmax % 1000));
    }
    return r + "\n";
}

}  // namespace icmpkit::report
