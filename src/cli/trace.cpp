// `icmpkit trace [options] HOST [packetlen]`: traceroute 2.1's options where they mean something
// here, Paris UDP by default (-U: classic UDP, -I: ICMP echo, -T: TCP SYN), --sim[=TOPOLOGY] over
// the virtual network, --json. Bad input: one line on stderr, exit 2.
#include <getopt.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <optional>
#include <random>
#include <string>

#include "load_topology.hpp"
#include "trace_multipath.hpp"  // --mda, --cycles (h-mda)
#include "trace_output.hpp"
#include "icmpkit/net/ping_socket.hpp"
#include "icmpkit/net/signals.hpp"
#include "icmpkit/net/trace_driver.hpp"
#include "icmpkit/sim/random.hpp"

namespace icmpkit::cli {
namespace {

constexpr const char* prog = "icmpkit trace";

struct Exit {
    int code;
};

[[noreturn]] void fail(const std::string& msg) {
    std::fprintf(stderr, "%s: %s\n", prog, msg.c_str());
    throw Exit{2};
}

struct Options {
    std::optional<core::Family> family;
    probe::TraceConfig cfg;
    std::optional<probe::TraceMethod> method;
    std::optional<long> port;
    std::optional<std::size_t> packet_length;
    std::string target;
    std::string source, interface;
    bool numeric = false, extensions = false, json = false, dont_fragment = false;
    std::optional<std::string> sim;
    std::optional<std::uint64_t> seed;
};

long parse_long(const char* opt, const char* s, long lo, long hi) {
    errno = 0;
    char* end = nullptr;
    const long v = std::strtol(s, &end, 0);
    if (errno || end == s || *end) fail(std::string("invalid argument for ") + opt + ": '" + s + "'");
    if (v < lo || v > hi)
        fail(std::string(opt) + " " + s + ": out of range " + std::to_string(lo) + "-" + std::to_string(hi));
    return v;
}

double parse_double(const char* opt, const char* s) {
    char* end = nullptr;
    const double v = std::strtod(s, &end);
    if (end == s || *end || !(v >= 0) || v > 1e6) fail(std::string("invalid argument for ") + opt + ": '" + s + "'");
    return v;
}

core::Duration seconds(double s) {
    return std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(s));
}

// traceroute -w MAX[,HERE[,NEAR]] (also "/" separated).
void parse_wait(const char* s, probe::TraceConfig& c) {
    std::string t(s);
    for (auto& ch : t) if (ch == '/') ch = ',';
    std::size_t a = t.find(',');
    c.max_wait = seconds(parse_double("-w", t.substr(0, a).c_str()));
    if (a == std::string::npos) return;
    std::size_t b = t.find(',', a + 1);
    c.here = parse_double("-w", t.substr(a + 1, b == std::string::npos ? b : b - a - 1).c_str());
    if (b != std::string::npos) c.near = parse_double("-w", t.substr(b + 1).c_str());
}

void usage() {
    std::printf("Usage: icmpkit trace [-46eFInTU] [-f first_ttl] [-m max_ttl] [-q nqueries] [-N squeries]\n"
                "                     [-w MAX[,HERE,NEAR]] [-p port] [-t tos] [-s src_addr] [-i device]\n"
                "                     [-z sendwait] [--method=udp|udp-paris|icmp|tcp] [--retries=N]\n"
                "                     [--ratelimit-wait=SECONDS]\n"
                "                     [--sim[=TOPOLOGY]] [--seed=N] [--json] host [packetlen]\n"
                "-F: DF on every probe (!F-MTU from the router before a smaller link); without it IPv4\n"
                "probes may be fragmented, as traceroute's.\n"
                "Paris UDP by default; -U classic UDP (ports from 33434), -I ICMP echo, -T TCP SYN (port 80).\n"
                "Multipath: --mda (every path, MDA stopping rule) and --cycles=N (mtr-style report;\n"
                "--cycles=0 runs until interrupted); their options: icmpkit trace --mda --help\n"
                "--ratelimit-wait: how long a probe eaten by a router's ICMP rate limit may wait for the\n"
                "router's next token instead of printing '*' (default 0: the hop is shown by its other answers).\n"
                "SIGINT/SIGTERM: the hop being probed is printed with what it has (`*` for the rest),\n"
                "--json still ends with a whole document (\"interrupted\": true); exit status 130\n"
                "after SIGINT, 143 after SIGTERM; 2 on bad input.\n");
}

void apply_option(Options& o, int ch, const char* arg) {
    switch (ch) {
    case '4': o.family = core::Family::v4; break;
    case '6': o.family = core::Family::v6; break;
    case 'I': o.method = probe::TraceMethod::icmp_paris; break;
    case 'T': o.method = probe::TraceMethod::tcp_syn; break;
    case 'U': o.method = probe::TraceMethod::udp; break;
    case 'f': o.cfg.first_ttl = static_cast<std::uint8_t>(parse_long("-f", arg, 1, 255)); break;
    case 'm': o.cfg.max_ttl = static_cast<std::uint8_t>(parse_long("-m", arg, 1, 255)); break;
    case 'q': o.cfg.queries = static_cast<unsigned>(parse_long("-q", arg, 1, 10)); break;
    case 'N': o.cfg.window = static_cast<unsigned>(parse_long("-N", arg, 1, 1000)); break;
    case 'w': parse_wait(arg, o.cfg); break;
    case 'p': o.port = parse_long("-p", arg, 1, 65535); break;
    case 'n': o.numeric = true; break;
    case 'F': o.dont_fragment = true; break;
    case 'e': o.extensions = true; break;
    case 't': o.cfg.space.tos = static_cast<std::uint8_t>(parse_long("-t", arg, 0, 255)); break;
    case 's': o.source = arg; break;
    case 'i': o.interface = arg; break;
    case 'z': {  // traceroute: above 10 it is milliseconds, else seconds
        const double v = parse_double("-z", arg);
        o.cfg.send_wait = v > 10 ? seconds(v / 1000) : seconds(v);
        break;
    }
    case 'M' + 256: {
        auto m = probe::parse_method(arg);
        if (!m) fail(std::string("unknown method '") + arg + "' (udp, udp-paris, icmp, tcp)");
        o.method = *m;
        break;
    }
    case 'W' + 256: o.cfg.token_wait = seconds(std::min(parse_double("--ratelimit-wait", arg), 60.0)); break;
    case 'R' + 256: o.cfg.retries = static_cast<unsigned>(parse_long("--retries", arg, 0, 10)); break;
    case 'S' + 256: o.sim = arg ? arg : "internet"; break;
    case 'E' + 256: o.seed = static_cast<std::uint64_t>(parse_long("--seed", arg, 0, 0x7FFFFFFF)); break;
    case 'J' + 256: o.json = true; break;
    default: usage(); throw Exit{2};
    }
}

Options parse(int argc, char** argv) {
    static const option longs[] = {{"method", required_argument, nullptr, 'M' + 256},
                                   {"retries", required_argument, nullptr, 'R' + 256},
                                   {"ratelimit-wait", required_argument, nullptr, 'W' + 256},
                                   {"sim", optional_argument, nullptr, 'S' + 256},
                                   {"seed", required_argument, nullptr, 'E' + 256},
                                   {"json", no_argument, nullptr, 'J' + 256},
                                   {"help", no_argument, nullptr, 'h'},
                                   {nullptr, 0, nullptr, 0}};
    Options o;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "+46FITUf:m:q:N:w:p:net:s:i:z:h", longs, nullptr)) != -1) {
        if (ch == 'h') { usage(); throw Exit{0}; }
        if (ch == '?') fail(std::string("unknown or incomplete option '") + argv[optind - 1] + "'");
        apply_option(o, ch, optarg);
    }
    if (optind >= argc) fail("missing host operand (try --help)");
    o.target = argv[optind++];
    if (optind < argc) o.packet_length = static_cast<std::size_t>(parse_long("packetlen", argv[optind++], 0, 65000));
    if (optind < argc) fail(std::string("extra operand '") + argv[optind] + "'");
    if (o.cfg.first_ttl > o.cfg.max_ttl)
        fail("first hop " + std::to_string(o.cfg.first_ttl) + " is beyond max hops " + std::to_string(o.cfg.max_ttl));
    return o;
}

// Fills the probe space once the destination (and its family) is known.
void finish_config(Options& o, const core::IpAddress& dest, std::uint64_t seed) {
    auto& s = o.cfg.space;
    s.method = o.method.value_or(probe::TraceMethod::udp_paris);
    s.destination = dest;
    s.port = o.port ? static_cast<std::uint16_t>(*o.port)
             : s.method == probe::TraceMethod::tcp_syn ? probe::default_tcp_port : probe::default_udp_port;
    const std::size_t min = probe::min_packet_length(s.method, dest.family());
    s.packet_length = o.packet_length ? std::max(*o.packet_length, min) : probe::default_packet_length(s.method, dest.family());
    sim::SplitMix64 rng(seed);
    s.source_port = static_cast<std::uint16_t>(33000 + rng.next() % 20000);
    s.sequence_base = static_cast<std::uint32_t>(rng.next());
}

int run_sim(Options& o) {
    if (!o.interface.empty() || !o.source.empty()) fail("-i and -s are not supported with --sim");
    if (o.dont_fragment) fail("-F is not supported with --sim");
    auto topo = load_topology(*o.sim);
    if (!topo) fail(topo.error());
    const std::uint64_t seed = o.seed.value_or(1);
    net::SimTransport transport(*topo, {.seed = seed});
    auto found = transport.lookup(o.target, o.family);
    if (!found) fail(o.target + ": not an address or host of topology " + topo->name);
    auto src = transport.source(found->family());
    if (!src) fail(o.target + ": the entry host has no address of its family");
    finish_config(o, *found, seed);
    o.cfg.space.source = *src;
    o.cfg.space.identification_is_serial = true;
    TraceOutput out(o.target, o.cfg, o.json, o.numeric, o.extensions, true,
                    [&](const core::IpAddress& a) { return transport.node_name(a); });
    probe::Trace trace(o.cfg);
    out.start();
    auto r = net::run_trace_sim(trace, transport, {}, [&](const probe::TraceAction& a) { out.event(a); });
    out.finish(trace.counters(), r.elapsed);
    return 0;
}

int run_live(Options& o) {
    auto resolved = net::resolve(o.target, o.family);
    if (!resolved) fail(o.target + ": " + resolved.error());
    const core::IpAddress dest = resolved->address;
    std::random_device rd;
    finish_config(o, dest, o.seed.value_or((std::uint64_t{rd()} << 32) | rd()));
    if (!o.source.empty()) {
        auto s = core::IpAddress::parse(o.source);
        if (!s || s->family() != dest.family()) fail("-s " + o.source + ": not an address of the destination's family");
        o.cfg.space.source = *s;
    } else {
        o.cfg.space.source = dest.is_v4() ? core::IpAddress(core::Ipv4Address()) : core::IpAddress(core::Ipv6Address());
    }
    // Before TraceOutput starts its printer thread: every thread must block SIGINT/SIGTERM for
    // the loop's signalfd to see them (net/signals.hpp).
    net::SignalBlock signals;
    net::SocketTraceOptions so;
    so.interface = o.interface;
    so.signals = &signals;
    so.dont_fragment = o.dont_fragment;
    net::SocketTraceSetup setup;
    auto socks = net::open_trace_sockets(o.cfg.space, so, setup);
    if (!socks) fail(socks.error().message);
    o.cfg.space.source_port = setup.source_port;
    if (setup.source) o.cfg.space.source = *setup.source;
    o.cfg.space.identification_is_serial = setup.raw && dest.is_v4();
    if (o.extensions && setup.error_queue && !setup.error_queue_extensions)
        std::fprintf(stderr, "%s: warning: this kernel does not give RFC 4884 extensions to unprivileged sockets "
                     "(IP_RECVERR_RFC4884 needs Linux 5.9): no MPLS labels without CAP_NET_RAW\n", prog);
    TraceOutput out(o.target, o.cfg, o.json, o.numeric, o.extensions, false, {});
    probe::Trace trace(o.cfg);
    out.start();
    auto r = net::run_trace(trace, **socks, so, [&](const probe::TraceAction& a) { out.event(a); });
    net::close_trace_sockets(*socks);
    if (!r) fail(r.error().message);
    out.finish(trace.counters(), r->elapsed, r->signal != 0);
    // As a shell reports a command killed by the signal: 130 after SIGINT, 143 after SIGTERM.
    return r->signal ? net::exit_status_for_signal(r->signal) : 0;
}

}  // namespace

int run_trace(int argc, char** argv) {
    if (wants_multipath(argc, argv)) return run_trace_multipath(argc, argv);  // --mda, --cycles
    try {
        Options o = parse(argc, argv);
        return o.sim ? run_sim(o) : run_live(o);
    } catch (const Exit& e) {
        return e.code;
    }
}

}  // namespace icmpkit::cli
