// `icmpkit pmtu`: the path MTU to a target.
//   default      tracepath (iputils 20221126) compatible: options -4 -6 -n -b -l -m -p, the same
//                lines byte for byte, unprivileged (UDP + IP_RECVERR)
//   --plpmtud    packetization-layer search (RFC 4821 / RFC 8899) with ICMP echo probes: finds the
//                path MTU through a PMTU black hole, and says when ICMP disagreed
//   --sim[=T]    either mode over the virtual network (default topology: blackhole)
// Bad input (unknown target, bad numbers): one line on stderr, exit 2 (tracepath exits 1).
#include <getopt.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "load_topology.hpp"
#include "icmpkit/net/pmtu_driver.hpp"
#include "icmpkit/net/ping_socket.hpp"
#include "icmpkit/net/sim_driver.hpp"
#include "icmpkit/probe/pmtu.hpp"
#include "icmpkit/report/pmtu_json.hpp"
#include "icmpkit/report/pmtu_text.hpp"

namespace icmpkit::cli {
namespace {

constexpr const char* prog = "icmpkit pmtu";

struct Exit {
    int code;
};

[[noreturn]] void fail(int code, const std::string& msg) {
    std::fprintf(stderr, "%s: %s\n", prog, msg.c_str());
    throw Exit{code};
}

void put(const std::string& s) {
    if (s.empty()) return;
    std::fputs(s.c_str(), stdout);
    std::fflush(stdout);
}

long long parse_int(const char* what, const char* s, long long lo, long long hi) {
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(s, &end, 10);
    if (errno || end == s || *end)
        fail(2, std::string("invalid ") + what + ": '" + s + "'");
    if (v < lo || v > hi)
        fail(2, std::string("invalid ") + what + ": '" + s + "': out of range: " + std::to_string(lo) +
                    " <= value <= " + std::to_string(hi));
    return v;
}

struct Options {
    std::optional<core::Family> family;
    bool numeric = false, both = false, json = false, plpmtud = false;
    std::optional<long long> pktlen;
    int max_hops = 30;
    std::uint16_t port = 44444;
    std::optional<std::string> sim;
    std::uint64_t seed = 1;
    std::string target;
};

[[noreturn]] void usage_and_exit() {
    std::fprintf(stderr,
                 "\nUsage\n  icmpkit pmtu [options] <destination>\n\nOptions:\n"
                 "  -4             use IPv4\n"
                 "  -6             use IPv6\n"
                 "  -b             print both name and IP\n"
                 "  -l <length>    use packet <length> (the largest size with --plpmtud)\n"
                 "  -m <hops>      use maximum <hops>\n"
                 "  -n             no reverse DNS name resolution\n"
                 "  -p <port>      use destination <port>\n"
                 "  --plpmtud      packetization-layer search with ICMP echo (RFC 4821/8899)\n"
                 "  --json         NDJSON events and result (schema icmpkit.pmtu/1)\n"
                 "  --sim[=TOPOLOGY] --seed <n>   the virtual network (default: blackhole)\n");
    throw Exit{2};
}

Options parse(int argc, char** argv) {
    Options o;
    static const option longs[] = {{"json", no_argument, nullptr, 'J'},
                                   {"plpmtud", no_argument, nullptr, 'P'},
                                   {"help", no_argument, nullptr, 'h'},
                                   {"sim", optional_argument, nullptr, 'X' + 256},
                                   {"seed", required_argument, nullptr, 'Y' + 256},
                                   {nullptr, 0, nullptr, 0}};
    argv[0] = const_cast<char*>(prog);
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "46nbh?l:m:p:V", longs, nullptr)) != -1) {
        switch (ch) {
            case '4':
            case '6': {
                auto f = ch == '4' ? core::Family::v4 : core::Family::v6;
                if (o.family && *o.family != f) fail(2, "Only one -4 or -6 option may be specified");
                o.family = f;
                break;
            }
            case 'n': o.numeric = true; break;
            case 'b': o.both = true; break;
            case 'l': o.pktlen = parse_int("packet length", optarg, 1, 1000000); break;
            case 'm': o.max_hops = static_cast<int>(parse_int("maximum hops", optarg, 1, 255)); break;
            case 'p': o.port = static_cast<std::uint16_t>(parse_int("port", optarg, 1, 65535)); break;
            case 'V': std::printf("icmpkit pmtu %s\n", ICMPKIT_VERSION); throw Exit{0};
            case 'J': o.json = true; break;
            case 'P': o.plpmtud = true; break;
            case 'X' + 256: o.sim = optarg ? optarg : "blackhole"; break;
            case 'Y' + 256: o.seed = static_cast<std::uint64_t>(parse_int("seed", optarg, 0, LLONG_MAX)); break;
            case 'h': usage_and_exit();
            default:
                fail(2, std::string("unknown or incomplete option: ") + (optopt ? std::string("-") + char(optopt) : argv[optind - 1]));
        }
    }
    if (optind != argc - 1) fail(2, optind >= argc ? "destination required" : "only one destination");
    o.target = argv[optind];
    return o;
}

// -l against the family's overhead (tracepath: "pktlen must be within").
void check_pktlen(const Options& o, const core::IpAddress& dest) {
    if (!o.pktlen) return;
    const long long overhead = dest.is_v4() ? 28 : 48;
    const long long max = dest.is_v4() ? 65535 : 128000;
    if (*o.pktlen <= overhead || *o.pktlen > max)
        fail(2, "pktlen must be within: " + std::to_string(overhead) + " < value <= " + std::to_string(max));
}

probe::PmtuConfig tracepath_config(const Options& o, const core::IpAddress& dest) {
    probe::PmtuConfig c;
    c.destination = dest;
    c.max_hops = o.max_hops;
    c.initial_mtu = o.pktlen ? static_cast<int>(*o.pktlen) : 0;
    c.base_port = o.port;
    return c;
}

probe::PmtuSearchConfig search_config(const Options& o, const core::IpAddress& dest, std::uint32_t max_mtu) {
    probe::PmtuSearchConfig c;
    c.destination = dest;
    c.max_mtu = o.pktlen ? static_cast<std::uint32_t>(*o.pktlen) : max_mtu;
    return c;
}

net::PmtuEventSink tracepath_sink(const Options& o, const report::PmtuTextOptions& text) {
    return [&o, text](const probe::PmtuAction& a) {
        if (o.json) return put(report::pmtu_json_event(a));
        put(report::format_pmtu_event(a, text));
        if (auto e = report::format_pmtu_error(a); !e.empty()) std::fprintf(stderr, "%s: %s\n", prog, e.c_str());
    };
}

net::SearchEventSink search_sink(const Options& o, const core::IpAddress& dest, int* exit_code) {
    return [&o, dest, exit_code](const probe::SearchAction& a) {
        if (auto* f = std::get_if<probe::SearchFinish>(&a)) *exit_code = f->result.base_confirmed ? 0 : 1;
        if (o.json) return put(report::search_json_event(a));
        put(report::format_search_event(a));
        if (auto* f = std::get_if<probe::SearchFinish>(&a)) put(report::format_search_summary(f->result, dest));
    };
}

void search_header(const Options& o, const core::IpAddress& dest, const probe::PmtuSearch& s) {
    if (o.json) return;
    put("pmtu --plpmtud " + dest.to_string() + ": " + std::to_string(s.config().min_mtu) + ".." +
        std::to_string(s.config().max_mtu) + " bytes, ICMP echo with DF\n");
}

int run_sim(const Options& o) {
    auto topo = load_topology(*o.sim);
    if (!topo) fail(2, topo.error());
    net::SimTransport t(*topo, {.seed = o.seed});
    auto found = t.lookup(o.target, o.family);
    if (!found) fail(2, o.target + ": not an address or host of topology " + topo->name);
    const core::IpAddress dest = *found;
    if (!t.source(dest.family())) fail(2, o.target + ": the entry host has no address of its family");
    check_pktlen(o, dest);
    net::SimPmtuOptions so;
    if (o.plpmtud) {
        probe::PmtuSearch s(search_config(o, dest, t.path_mtu(dest)));
        int code = 1;
        search_header(o, dest, s);
        if (!net::run_search_sim(s, t, so, search_sink(o, dest, &code))) fail(1, "the simulation stopped early");
        return code;
    }
    report::PmtuTextOptions text{o.numeric, o.both, [&t](const core::IpAddress& a) { return t.node_name(a); }};
    probe::Pmtu p(tracepath_config(o, dest));
    if (!net::run_pmtu_sim(p, t, so, tracepath_sink(o, text))) fail(1, "the simulation stopped early");
    return 0;
}

int run(int argc, char** argv) {
    const Options o = parse(argc, argv);
    if (o.sim) return run_sim(o);
    auto resolved = net::resolve(o.target, o.family);
    if (!resolved) fail(2, o.target + ": " + resolved.error());
    const core::IpAddress dest = resolved->address;
    check_pktlen(o, dest);
    if (o.plpmtud) {
        auto mtu = net::route_mtu(dest, resolved->scope_id);
        if (!mtu) fail(2, mtu.error().operation + ": " + std::strerror(mtu.error().error_number));
        auto sock = net::IcmpSocket::open(dest.family());
        if (!sock) fail(2, net::no_socket_advice(dest.family()));
        net::SocketOptions so;
        so.pmtudisc = 3;  // IP_PMTUDISC_PROBE: DF set, the learned PMTU ignored
        if (auto r = net::configure(*sock, so, dest, resolved->scope_id); !r)
            fail(2, r.error().operation + ": " + std::strerror(r.error().error_number));
        auto cfg = search_config(o, dest, mtu->interface_mtu);
        cfg.known_pmtu = mtu->path_mtu;
        cfg.check_identifier = sock->kind() == net::SocketKind::raw;
        cfg.identifier = static_cast<std::uint16_t>(std::random_device{}() & 0xFFFF);
        probe::PmtuSearch s(cfg);
        int code = 1;
        search_header(o, dest, s);
        if (auto r = net::run_search(s, *sock, resolved->scope_id, search_sink(o, dest, &code)); !r)
            fail(2, r.error().operation + ": " + std::strerror(r.error().error_number));
        return code;
    }
    report::PmtuTextOptions text{o.numeric, o.both, [](const core::IpAddress& a) { return net::tracepath_name(a); }};
    probe::Pmtu p(tracepath_config(o, dest));
    if (auto r = net::run_pmtu(p, resolved->scope_id, tracepath_sink(o, text)); !r)
        fail(2, r.error().operation + ": " + std::strerror(r.error().error_number));
    return 0;
}

}  // namespace

int run_pmtu(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const Exit& e) {
        return e.code;
    }
}

}  // namespace icmpkit::cli
