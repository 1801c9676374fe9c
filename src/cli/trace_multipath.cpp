// `icmpkit trace --mda [--confidence=95] [--dot]` (multipath enumeration, probe::Mda) and
// `icmpkit trace --cycles=N` (mtr-like report, probe::Cycles; N = 0: continuous until SIGINT/SIGTERM,
// --report-every=SECONDS). Options shared with trace: -4 -6
// -I -T -U --method -f -m -p -n --json --sim[=TOPOLOGY] --seed. Bad input: one line, exit 2.
#include <getopt.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <ctime>
#include <optional>
#include <random>
#include <string>

#include <unistd.h>

#include "load_topology.hpp"
#include "trace_multipath.hpp"
#include "icmpkit/net/multipath_driver.hpp"
#include "icmpkit/net/ping_socket.hpp"
#include "icmpkit/net/signals.hpp"
#include "icmpkit/report/cycles_text.hpp"
#include "icmpkit/report/mda_text.hpp"
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
    bool mda = false, dot = false, json = false, numeric = false;
    std::optional<std::uint32_t> cycles;        // 0: continuous, until SIGINT/SIGTERM
    std::optional<core::Duration> report_every;  // continuous reports (--report-every)
    std::optional<core::Family> family;
    probe::TraceMethod method = probe::TraceMethod::udp_paris;
    probe::MdaConfig mda_cfg;
    probe::CyclesConfig cycles_cfg;
    std::optional<std::uint16_t> port;
    std::uint8_t first_ttl = 1, max_ttl = 30;
    std::string target;
    std::optional<std::string> sim;
    std::uint64_t seed = 1;
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

double parse_double(const char* opt, const char* s, double lo, double hi) {
    char* end = nullptr;
    const double v = std::strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi)) fail(std::string("invalid argument for ") + opt + ": '" + s + "'");
    return v;
}

core::Duration seconds(double s) {
    return std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(s));
}

void usage() {
    std::printf("Usage: icmpkit trace --mda [--confidence=PERCENT] [--dot] [--budget=N] [--json] ...\n"
                "       icmpkit trace --cycles=N [--interval=SECONDS] [--flows=N] [--report-every=SECONDS]\n"
                "                     [--json] ...\n"
                "       ... [-46ITUn] [--method=udp-paris|icmp|tcp] [-f first_ttl] [-m max_ttl] [-p port]\n"
                "           [--sim[=TOPOLOGY]] [--seed=N] host\n"
                "--mda: every interface per hop and the links between hops (MDA stopping rule, default 95%%).\n"
                "--cycles: an mtr-style report over N cycles; loss that does not carry on is marked (rl).\n"
                "--cycles=0: continuous, until SIGINT/SIGTERM (not with --sim); the report is re-printed\n"
                "every cycle when stdout is a terminal (screen cleared first), every --report-every seconds\n"
                "otherwise (--json: one document per line), and once more at the end.\n"
                "SIGINT/SIGTERM: the report (--mda: what was found, marked incomplete) is printed, JSON\n"
                "says \"interrupted\": true; exit status 130 after SIGINT, 143 after SIGTERM; 2 on bad input.\n"
                "Privileges: raw sockets when allowed (root or CAP_NET_RAW, whole quotes); otherwise no privilege:\n"
                "one UDP socket per flow (udp-paris), or one ICMP datagram socket per flow (icmp; needs\n"
                "net.ipv4.ping_group_range to include your group).\n");
}

enum : int {
    o_mda = 256, o_conf, o_dot, o_cycles, o_interval, o_flows, o_budget, o_method, o_sim, o_seed, o_json,
    o_report_every
};

void apply(Options& o, int ch, const char* arg) {
    switch (ch) {
    case '4': o.family = core::Family::v4; break;
    case '6': o.family = core::Family::v6; break;
    case 'I': o.method = probe::TraceMethod::icmp_paris; break;
    case 'T': o.method = probe::TraceMethod::tcp_syn; break;
    case 'U': fail("--mda and --cycles need Paris probes (one path per flow): not -U");
    case 'f': o.first_ttl = static_cast<std::uint8_t>(parse_long("-f", arg, 1, 255)); break;
    case 'm': o.max_ttl = static_cast<std::uint8_t>(parse_long("-m", arg, 1, 255)); break;
    case 'p': o.port = static_cast<std::uint16_t>(parse_long("-p", arg, 1, 65535)); break;
    case 'n': o.numeric = true; break;
    case o_mda: o.mda = true; break;
    case o_conf: o.mda_cfg.confidence = parse_double("--confidence", arg, 50, 99.99); break;
    case o_dot: o.dot = true; break;
    case o_cycles: o.cycles = static_cast<std::uint32_t>(parse_long("--cycles", arg, 0, 1000000)); break;
    case o_report_every: o.report_every = seconds(parse_double("--report-every", arg, 0.01, 86400)); break;
    case o_interval: o.cycles_cfg.interval = seconds(parse_double("--interval", arg, 0.001, 3600)); break;
    case o_flows: o.cycles_cfg.flows = static_cast<std::uint16_t>(parse_long("--flows", arg, 1, 4096)); break;
    case o_budget: o.mda_cfg.probe_budget = static_cast<std::uint32_t>(parse_long("--budget", arg, 1, 65535)); break;
    case o_method: {
        auto m = probe::parse_method(arg);
        if (!m) fail(std::string("unknown method '") + arg + "' (udp-paris, icmp, tcp)");
        if (*m == probe::TraceMethod::udp) fail("--mda and --cycles need Paris probes (one path per flow): not udp");
        o.method = *m;
        break;
    }
    case o_sim: o.sim = arg ? arg : "internet"; break;
    case o_seed: o.seed = static_cast<std::uint64_t>(parse_long("--seed", arg, 0, 0x7FFFFFFF)); break;
    case o_json: o.json = true; break;
    default: usage(); throw Exit{2};
    }
}

const option longs[] = {{"mda", no_argument, nullptr, o_mda},
                        {"confidence", required_argument, nullptr, o_conf},
                        {"dot", no_argument, nullptr, o_dot},
                        {"cycles", required_argument, nullptr, o_cycles},
                        {"interval", required_argument, nullptr, o_interval},
                        {"flows", required_argument, nullptr, o_flows},
                        {"budget", required_argument, nullptr, o_budget},
                        {"method", required_argument, nullptr, o_method},
                        {"sim", optional_argument, nullptr, o_sim},
                        {"seed", required_argument, nullptr, o_seed},
                        {"json", no_argument, nullptr, o_json},
                        {"report-every", required_argument, nullptr, o_report_every},
                        {"help", no_argument, nullptr, 'h'},
                        {nullptr, 0, nullptr, 0}};

Options parse(int argc, char** argv) {
    Options o;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "+46ITUf:m:p:nh", longs, nullptr)) != -1) {
        if (ch == 'h') { usage(); throw Exit{0}; }
        if (ch == '?') fail(std::string("unknown or incomplete option '") + argv[optind - 1] + "' (with --mda/--cycles)");
        apply(o, ch, optarg);
    }
    if (o.mda && o.cycles) fail("--mda and --cycles exclude each other");
    if (o.dot && !o.mda) fail("--dot needs --mda");
    if (o.dot && o.json) fail("--dot and --json exclude each other");
    if (o.report_every && !o.cycles) fail("--report-every needs --cycles");
    // Virtual time runs as fast as the CPU: a run without an end would never print anything.
    if (o.sim && o.cycles && *o.cycles == 0) fail("--cycles=0 (continuous) needs real time: give a count with --sim");
    if (o.sim && o.report_every) fail("--report-every needs real time: not with --sim");
    if (optind >= argc) fail("missing host operand (try --help)");
    o.target = argv[optind++];
    if (optind < argc) fail(std::string("extra operand '") + argv[optind] + "'");
    if (o.first_ttl > o.max_ttl)
        fail("first hop " + std::to_string(o.first_ttl) + " is beyond max hops " + std::to_string(o.max_ttl));
    return o;
}

// The first flow's source port (ICMP: identifier), from the seed, as trace does: different seeds
// give different flow-to-path mappings through the balancers' hashes.
std::uint16_t flow_base(std::uint64_t seed, std::uint16_t flows) {
    sim::SplitMix64 rng(seed);
    return static_cast<std::uint16_t>(33000 + rng.next() % (65535 - 33000 - flows));
}

int run_mda_sim(Options& o, net::SimTransport& t, const core::IpAddress& dest) {
    o.mda_cfg.first_ttl = o.first_ttl;
    o.mda_cfg.max_ttl = o.max_ttl;
    auto space = net::sim_probe_space(t, o.method, dest, o.mda_cfg.max_flows);
    if (!space) fail(o.target + ": the entry host has no address of its family");
    if (o.port) space->port = *o.port;
    space->source_port = flow_base(o.seed, space->flows);
    probe::Mda mda(o.mda_cfg);
    mda.start(t.now());
    net::run_multipath_sim(net::engine_of(mda), *space, t);
    report::MdaReportInfo info{dest, o.target, std::string(probe::method_name(o.method)), {}};
    if (!o.numeric) info.name = [&t](const core::IpAddress& a) { return t.node_name(a); };
    const auto r = mda.result();
    const std::string out = o.dot ? report::mda_dot(r, info) : o.json ? report::mda_json(r, info) : report::mda_text(r, info);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

int run_cycles_sim(Options& o, net::SimTransport& t, const core::IpAddress& dest) {
    o.cycles_cfg.first_ttl = o.first_ttl;
    o.cycles_cfg.max_ttl = o.max_ttl;
    o.cycles_cfg.cycles = *o.cycles;
    auto space = net::sim_probe_space(t, o.method, dest, o.cycles_cfg.flows);
    if (!space) fail(o.target + ": the entry host has no address of its family");
    if (o.port) space->port = *o.port;
    space->source_port = flow_base(o.seed, space->flows);
    probe::Cycles c(o.cycles_cfg);
    c.start(t.now());
    net::run_multipath_sim(net::engine_of(c), *space, t);
    const auto entry = t.node_name(space->source);
    report::CyclesReportInfo info{"2024-01-01T00:00:00+0000 (virtual clock)", entry.empty() ? "sim" : entry, o.target,
                                  static_cast<std::uint32_t>(space->packet_length), 0, *o.cycles};
    const auto r = c.report();
    const std::string out = o.json ? report::cycles_json(r, info) : report::cycles_text(r, info);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

void put(const std::string& out) {
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
}

int run_mda_live(Options& o, probe::ProbeSpace& space, std::uint64_t seed) {
    o.mda_cfg.first_ttl = o.first_ttl;
    o.mda_cfg.max_ttl = o.max_ttl;
    space.flows = o.mda_cfg.max_flows;
    space.source_port = flow_base(seed, space.flows);
    probe::Mda mda(o.mda_cfg);
    net::SignalBlock signals;  // SIGINT/SIGTERM: what was found so far, marked interrupted
    net::SocketMultipathOptions so;
    so.signals = &signals;
    mda.start(net::mono_now());
    auto r = net::run_multipath(net::engine_of(mda), space, so);
    if (!r) fail(r.error().message);
    report::MdaReportInfo info{space.destination, o.target, std::string(probe::method_name(o.method)), {}};
    const auto res = mda.result();
    put(o.dot ? report::mda_dot(res, info) : o.json ? report::mda_json(res, info) : report::mda_text(res, info));
    return r->signal ? net::exit_status_for_signal(r->signal) : 0;
}

// --cycles over sockets. Continuous (--cycles=0) or --report-every: the report is re-printed as
// it goes -- on a terminal every cycle, the screen cleared first (ANSI home + erase display) --
// and once more at the end (interrupted: in-flight probes not counted).
int run_cycles_live(Options& o, probe::ProbeSpace& space, std::uint64_t seed) {
    o.cycles_cfg.first_ttl = o.first_ttl;
    o.cycles_cfg.max_ttl = o.max_ttl;
    o.cycles_cfg.cycles = *o.cycles;
    space.flows = o.cycles_cfg.flows;
    space.source_port = flow_base(seed, space.flows);
    const bool tty = ::isatty(STDOUT_FILENO) == 1;
    const bool live_reports = o.report_every || (*o.cycles == 0 && tty);
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    const std::time_t started = std::time(nullptr);
    char when[64] = {};
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S%z", std::localtime(&started));
    report::CyclesReportInfo info{when, host, o.target, static_cast<std::uint32_t>(space.packet_length), 0, *o.cycles};
    probe::Cycles c(o.cycles_cfg);
    auto print = [&] {
        const auto res = c.report();
        put(std::string(tty && live_reports ? "\x1b[H\x1b[2J" : "") +
            (o.json ? report::cycles_json(res, info) : report::cycles_text(res, info)));
    };
    net::SignalBlock signals;
    net::SocketMultipathOptions so;
    so.signals = &signals;
    if (*o.cycles == 0) so.ceiling = core::Duration::max();  // until a signal
    else so.ceiling = std::max(so.ceiling, o.cycles_cfg.interval * *o.cycles + 2 * o.cycles_cfg.wait);
    core::MonoTime next_report = net::mono_now() + o.report_every.value_or(core::Duration{0});
    std::uint64_t reported_cycles = 0;
    if (live_reports)
        so.on_wake = [&](core::MonoTime now) {
            if (o.report_every ? now < next_report : c.report().cycles <= reported_cycles) return;
            if (o.report_every) next_report = std::max(next_report + *o.report_every, now);
            else reported_cycles = c.report().cycles;
            print();
        };
    c.start(net::mono_now());
    auto r = net::run_multipath(net::engine_of(c), space, so);
    if (!r) fail(r.error().message);
    info.interrupted = r->signal != 0;
    print();
    return r->signal ? net::exit_status_for_signal(r->signal) : 0;
}

// Real sockets: raw (root or CAP_NET_RAW) or one datagram socket per flow; udp-paris or icmp.
int run_live(Options& o) {
    auto resolved = net::resolve(o.target, o.family);
    if (!resolved) fail(o.target + ": " + resolved.error());
    const core::IpAddress dest = resolved->address;
    probe::ProbeSpace space;
    space.method = o.method;
    space.destination = dest;
    space.source = dest.is_v4() ? core::IpAddress(core::Ipv4Address()) : core::IpAddress(core::Ipv6Address());
    space.port = o.port ? *o.port : probe::default_udp_port;
    space.packet_length = probe::default_packet_length(o.method, dest.family());
    std::random_device rd;
    const std::uint64_t seed = (std::uint64_t{rd()} << 32) | rd();
    return o.mda ? run_mda_live(o, space, seed) : run_cycles_live(o, space, seed);
}

int run(Options& o) {
    if (!o.sim) return run_live(o);
    auto topo = load_topology(*o.sim);
    if (!topo) fail(topo.error());
    net::SimTransport t(*topo, {.seed = o.seed});
    auto dest = t.lookup(o.target, o.family);
    if (!dest) fail(o.target + ": not an address or host of topology " + topo->name);
    return o.mda ? run_mda_sim(o, t, *dest) : run_cycles_sim(o, t, *dest);
}

}  // namespace

bool wants_multipath(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--") return false;
        if (a == "--mda" || a == "--cycles" || a.rfind("--cycles=", 0) == 0) return true;
    }
    return false;
}

int run_trace_multipath(int argc, char** argv) {
    try {
        Options o = parse(argc, argv);
        return run(o);
    } catch (const Exit& e) {
        return e.code;
    }
}

}  // namespace icmpkit::cli
