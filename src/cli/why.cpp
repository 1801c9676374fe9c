// `icmpkit why udp|tcp HOST:PORT`: send one UDP datagram (or open one TCP connection) and explain
// the outcome with the ICMP evidence. Exit 0 when an answer explains it, 1 when nothing came,
// 2 on usage or system errors.
#include <getopt.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "icmpkit/net/why_probe.hpp"
#include "icmpkit/report/icmp_error_text.hpp"
#include "icmpkit/report/json_writer.hpp"

namespace icmpkit::cli {
namespace {

constexpr const char* usage_line =
    "usage: icmpkit why udp|tcp HOST:PORT [-W SECONDS] [--ttl N] [-s SIZE] [--json]";

int usage(const std::string& msg) {
    std::fprintf(stderr, "icmpkit why: %s\n", msg.c_str());
    return 2;
}

// "192.0.2.1:53", "[2001:db8::1]:53"; HOST must be an address literal.
bool parse_target(const std::string& t, net::WhyRequest& rq) {
    std::string host, port;
    if (!t.empty() && t[0] == '[') {
        auto close = t.find("]:");
        if (close == std::string::npos) return false;
        host = t.substr(1, close - 1), port = t.substr(close + 2);
    } else {
        auto colon = t.rfind(':');
        if (colon == std::string::npos || t.find(':') != colon) return false;
        host = t.substr(0, colon), port = t.substr(colon + 1);
    }
    auto a = core::IpAddress::parse(host);
    char* end = nullptr;
    long p = std::strtol(port.c_str(), &end, 10);
    if (!a || port.empty() || *end || p < 1 || p > 65535) return false;
    rq.destination = *a;
    rq.port = static_cast<std::uint16_t>(p);
    return true;
}

// The verdict word for an ICMP error (nmap's vocabulary where it has one).
std::string verdict_of(const probe::IcmpError& e) {
    using R = wire::UnreachableReason;
    const auto& c = e.classification;
    if (e.origin == probe::ErrorOrigin::local) return e.error_number == EMSGSIZE ? "too big" : "local error";
    if (c.kind == wire::Kind::time_exceeded) return c.family == core::Family::v6 ? "hop limit expired" : "ttl expired";
    if (c.kind == wire::Kind::packet_too_big || c.unreachable == R::fragmentation_needed) return "too big";
    if (c.kind != wire::Kind::destination_unreachable) return "error";
    switch (c.unreachable) {
    case R::port: return "closed";
    case R::admin_prohibited: case R::host_prohibited: case R::network_prohibited:
    case R::source_policy: case R::reject_route: return "filtered";
    default: return "unreachable";
    }
}

const char* evidence_name(net::WhyEvidence e) {
    switch (e) {
    case net::WhyEvidence::none: return "none";
    case net::WhyEvidence::errqueue: return "errqueue";
    case net::WhyEvidence::raw_watcher: return "raw_watcher";
    case net::WhyEvidence::socket_errno: return "socket_errno";
    }
    return "?";
}

struct Explained {
    std::string verdict, text;
    int exit_code = 0;
};

Explained explain(const net::WhyRequest& rq, const net::WhyResult& r) {
    std::string flow = report::describe_flow(r.flow);
    double secs = static_cast<double>(rq.timeout.count()) / 1000.0;
    char secs_text[32];
    std::snprintf(secs_text, sizeof secs_text, "%g s", secs);
    switch (r.outcome) {
    case net::WhyOutcome::icmp_error: {
        const auto& e = *r.error;
        std::string v = verdict_of(e);
        if (e.origin == probe::ErrorOrigin::local)
            return {v, v + ": " + report::describe_error(e) + " for " + flow, 0};
        std::string who = e.reporter ? e.reporter->to_string() : std::string("a router");
        std::string ev = who + " answered " + report::error_phrase(e.classification.family, e.type, e.code) +
                         " (type " + std::to_string(e.type) + " code " + std::to_string(e.code) + ")";
        if (e.mtu && *e.mtu) ev += " mtu " + std::to_string(*e.mtu);
        return {v, v + ": " + ev + " for " + flow, 0};
    }
    case net::WhyOutcome::udp_reply:
        return {"open", "open: answered with " + std::to_string(r.reply_bytes) + " bytes for " + flow, 0};
    case net::WhyOutcome::tcp_connected: return {"open", "open: connected " + flow, 0};
    case net::WhyOutcome::tcp_reset: return {"refused", "refused: RST for " + flow, 0};
    case net::WhyOutcome::socket_error: {
        std::string t = r.error ? report::describe_error(*r.error) : std::string("socket error");
        return {"error", "error: " + t + " for " + flow, 0};
    }
    case net::WhyOutcome::timeout: break;
    }
    if (rq.protocol == 17) return {"open|filtered", std::string("open|filtered: no answer within ") + secs_text + " for " + flow, 1};
    return {"filtered", std::string("filtered: no answer within ") + secs_text + " for " + flow, 1};
}

}  // namespace

int run_why(int argc, char** argv) {
    net::WhyRequest rq;
    bool json = false;
    static const option longopts[] = {{"ttl", required_argument, nullptr, 't'},
                                      {"json", no_argument, nullptr, 'j'},
                                      {"help", no_argument, nullptr, 'h'},
                                      {nullptr, 0, nullptr, 0}};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = ::getopt_long(argc, argv, "W:t:s:jh", longopts, nullptr)) != -1) {
        char* end = nullptr;
        switch (c) {
        case 'W': {
            double w = std::strtod(optarg, &end);
            if (*end || !(w > 0) || w > 60) return usage("bad -W (seconds, 0 < W <= 60): " + std::string(optarg));
            rq.timeout = std::chrono::milliseconds(static_cast<long>(w * 1000));
            break;
        }
        case 't': {
            long t = std::strtol(optarg, &end, 10);
            if (*end || t < 1 || t > 255) return usage("bad --ttl (1-255): " + std::string(optarg));
            rq.ttl = static_cast<int>(t);
            break;
        }
        case 's': {
            long s = std::strtol(optarg, &end, 10);
            if (*end || s < 0 || s > 65000) return usage("bad -s (0-65000): " + std::string(optarg));
            rq.size = static_cast<std::size_t>(s);
            break;
        }
        case 'j': json = true; break;
        case 'h': std::puts(usage_line); return 0;
        default: return usage(std::string("unknown option ") + (argv[optind - 1] ? argv[optind - 1] : "") + "; " + usage_line);
        }
    }
    if (argc - optind != 2) return usage(usage_line);
    std::string proto = argv[optind];
    if (proto != "udp" && proto != "tcp") return usage("protocol must be udp or tcp, not '" + proto + "'");
    rq.protocol = proto == "udp" ? 17 : 6;
    if (!parse_target(argv[optind + 1], rq)) return usage("bad target '" + std::string(argv[optind + 1]) + "' (ADDRESS:PORT or [ADDRESS]:PORT)");
    auto r = net::why_probe(rq);
    if (!r) {
        std::fprintf(stderr, "icmpkit why: %s\n", core::describe(r.error()).c_str());
        return 2;
    }
    auto x = explain(rq, *r);
    if (json) {
        std::string out;
        report::JsonWriter w(out);
        w.begin_object();
        w.field("protocol", proto);
        w.field("target", argv[optind + 1]);
        w.field("verdict", x.verdict);
        w.field("explanation", x.text);
        w.key("flow");
        w.begin_object();
        w.field("src", r->flow.src.to_string());
        w.key("src_port"), w.uint(r->flow.src_port);
        w.field("dst", r->flow.dst.to_string());
        w.key("dst_port"), w.uint(r->flow.dst_port);
        w.end_object();
        w.field("evidence", evidence_name(r->evidence));
        if (r->error) w.key("error"), report::write_error_json(w, *r->error);
        if (rq.protocol == 6) w.key("raw_watcher"), w.boolean(r->raw_watcher), w.key("window_checked"), w.boolean(r->window_checked);
        w.end_object();
        std::printf("%s\n", out.c_str());
    } else {
        std::printf("%s\n", x.text.c_str());
    }
    return x.exit_code;
}

}  // namespace icmpkit::cli
