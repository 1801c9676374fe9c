// `icmpkit ping`: a drop-in for iputils ping 20221126 for one target. Option letters, messages and
// exit codes are iputils' (strtol_or_err() failures exit 1 as iputils does; other errors 2).
#include <arpa/inet.h>
#include <getopt.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "fping.hpp"
#include "load_topology.hpp"
#include "icmpkit/net/ping_socket.hpp"
#include "icmpkit/net/sim_driver.hpp"
#include "icmpkit/sim/random.hpp"
#include "icmpkit/probe/ping.hpp"
#include "icmpkit/report/ping_options.hpp"
#include "icmpkit/report/ping_text.hpp"

namespace icmpkit::cli {
namespace {

// Writes and flushes at once, so that stdout and stderr lines keep their order when both are
// redirected to one file (as iputils' line-buffered output does).
void put(const std::string& s, std::FILE* f) {
    if (!s.empty()) {
        std::fputs(s.c_str(), f);
        std::fflush(f);
    }
}

constexpr const char* prog = "icmpkit ping";

struct Exit {
    int code;
};

[[noreturn]] void fail(int code, const std::string& msg) {
    std::fprintf(stderr, "%s: %s\n", prog, msg.c_str());
    throw Exit{code};
}

// iputils strtol_or_err(): "invalid argument: 'x'" / "...: out of range: a <= value <= b", exit 1.
long long parse_int(const char* s, long long lo, long long hi) {
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(s, &end, 10);
    if (errno || end == s || *end)
        fail(1, std::string("invalid argument: '") + s + "'");
    if (v < lo || v > hi)
        fail(1, std::string("invalid argument: '") + s + "': out of range: " + std::to_string(lo) +
                    " <= value <= " + std::to_string(hi));
    return v;
}

// iputils 20221126 accepts a trailing garbage in -i/-W with a warning.
double parse_seconds(const char* s) {
    char* end = nullptr;
    double v = std::strtod(s, &end);
    if (end == s || *end) {
        std::fprintf(stderr, "%s: option argument contains garbage: %s\n", prog, end);
        std::fprintf(stderr, "%s: this will become fatal error in the future\n", prog);
    }
    return v;
}

int parse_tos(const char* s) {
    char* end = nullptr;
    long v = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? std::strtol(s + 2, &end, 16) : std::strtol(s, &end, 10);
    if (*end) fail(2, std::string("bad TOS value: ") + s);
    if (v > 255 || v < 0) fail(2, "the decimal value of TOS bits must be in range 0-255: " + std::to_string(v));
    return static_cast<int>(v);
}

core::Buffer parse_pattern(const char* s) {
    for (const char* c = s; *c; ++c)
        if (!std::isxdigit(static_cast<unsigned char>(*c))) fail(2, std::string("patterns must be specified as hex digits: ") + c);
    core::Buffer b;
    for (std::size_t i = 0; s[i] && b.size() < 16; i += 2) {
        char two[3] = {s[i], s[i + 1] ? s[i + 1] : '\0', 0};
        b.push_back(static_cast<std::uint8_t>(std::strtoul(two, nullptr, 16)));
        if (!s[i + 1]) break;
    }
    return b;
}

// iputils parseflow(): hex with 0x, decimal otherwise; 20 bits (RFC 6437 2).
std::uint32_t parse_flowlabel(const char* s) {
    char* end = nullptr;
    unsigned long v = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? std::strtoul(s + 2, &end, 16)
                                                                     : std::strtoul(s, &end, 10);
    if (*end) fail(2, std::string("bad value for flowinfo: ") + s);
    if (v & ~0xFFFFFul) fail(2, std::string("flow value is greater than 20 bits: ") + s);
    return static_cast<std::uint32_t>(v);
}

struct Options {
    std::optional<core::Family> family;
    probe::PingConfig cfg;
    net::SocketOptions sock;
    report::PingTextOptions text;
    bool numeric = false, interval_set = false, json = false, record_route = false;
    std::optional<int> ts_type;
    std::optional<std::uint16_t> identifier;
    std::string target;
    std::vector<std::string> prespec;  // -T tsprespec host... (the hosts before the target)
    std::optional<std::string> sim;  // --sim[=TOPOLOGY]
    std::optional<std::uint64_t> seed;
    bool interval_given_small = false;
};

void usage_and_exit() {
    std::fprintf(stderr,
                 "\nUsage\n  icmpkit ping [options] <destination>\n"
                 "  icmpkit ping -T tsprespec [options] <hop> [<hop>...] <destination>\n\nOptions:\n"
                 "  -4 -6 -a -A -b -c <count> -d -D -e <identifier> -f -F <flowlabel> -i <interval>\n"
                 "  -I <iface|addr> -l <preload> -L -m <mark> -M <do|dont|want|probe> -n -O -p <pattern>\n"
                 "  -q -Q <tos> -r -R -s <size> -S <sndbuf> -t <ttl> -T <tsonly|tsandaddr|tsprespec> -U\n"
                 "  -v -w <deadline> -W <timeout>\n"
                 "  --json  --stats=full  --sim[=TOPOLOGY] --seed <n>\n"
                 "\nTwo or more targets, -g CIDR|START END, or -f FILE|- (an existing file) switch to\n"
                 "multi-target mode with fping 5.1's options and output: see 'icmpkit fping -h'.\n");
    throw Exit{2};
}

Options parse(int argc, char** argv) {
    Options o;
    static const option longs[] = {{"json", no_argument, nullptr, 'J'},
                                   {"stats", required_argument, nullptr, 'S' + 256},
                                   {"help", no_argument, nullptr, 'h'},
                                   {"sim", optional_argument, nullptr, 'X' + 256},
                                   {"seed", required_argument, nullptr, 'Y' + 256},
                                   {nullptr, 0, nullptr, 0}};
    argv[0] = const_cast<char*>(prog);
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, iputils_optstring, longs, nullptr)) != -1) {
        switch (ch) {
            case '4':
            case '6': {
                auto f = ch == '4' ? core::Family::v4 : core::Family::v6;
                if (o.family && *o.family != f) fail(2, "only one -4 or -6 option may be specified");
                o.family = f;
                break;
            }
            case 'b': o.sock.broadcast = true; break;
            case 'R':
                if (o.ts_type) fail(2, "only one of -T or -R may be used");
                o.record_route = true;
                break;
            case 'T':
                if (o.record_route) fail(2, "only one of -T or -R may be used");
                if (!std::strcmp(optarg, "tsonly")) o.ts_type = 0;
                else if (!std::strcmp(optarg, "tsandaddr")) o.ts_type = 1;
                else if (!std::strcmp(optarg, "tsprespec")) o.ts_type = 3;
                else fail(2, std::string("invalid timestamp type: ") + optarg);
                break;
            case 'F': o.sock.flowlabel = parse_flowlabel(optarg); break;
            case 'a': o.text.audible = true; break;
            case 'A': o.cfg.adaptive = true; break;
            case 'c': o.cfg.count = static_cast<std::uint64_t>(parse_int(optarg, 1, LLONG_MAX)); break;
            case 'd': o.sock.so_debug = true; break;
            case 'D': o.text.timestamps = true; break;
            case 'e': o.identifier = static_cast<std::uint16_t>(parse_int(optarg, 0, 65535)); break;
            case 'f': o.cfg.flood = true; o.numeric = true; break;
            case 'i': {
                double v = parse_seconds(optarg);
                if (v > INT_MAX / 1000.0 || v < 0) fail(2, std::string("bad timing interval: ") + optarg);
                o.cfg.interval = std::chrono::milliseconds(static_cast<long long>(v * 1000));
                o.interval_set = true;
                break;
            }
            case 'I': {
                std::string a = optarg;
                if (auto ip = core::IpAddress::parse(a.substr(0, a.find('%')))) {
                    o.sock.source = *ip;
                    if (a.find('%') != std::string::npos) o.sock.device = a.substr(a.find('%') + 1);
                } else {
                    o.sock.device = a;
                }
                break;
            }
            case 'l': o.cfg.preload = static_cast<unsigned>(parse_int(optarg, 1, 65536)); break;
            case 'L': o.sock.no_loop = true; break;
            case 'm': o.sock.mark = static_cast<std::uint32_t>(parse_int(optarg, 0, INT_MAX)); break;
            case 'M':
                if (!std::strcmp(optarg, "do")) o.sock.pmtudisc = 2;          // IP_PMTUDISC_DO
                else if (!std::strcmp(optarg, "dont")) o.sock.pmtudisc = 0;   // IP_PMTUDISC_DONT
                else if (!std::strcmp(optarg, "want")) o.sock.pmtudisc = 1;   // IP_PMTUDISC_WANT
                else if (!std::strcmp(optarg, "probe")) o.sock.pmtudisc = 3;  // IP_PMTUDISC_PROBE
                else fail(2, std::string("invalid -M argument: ") + optarg);
                break;
            case 'n': o.numeric = true; break;
            case 'O': o.cfg.report_outstanding = true; break;
            case 'p': o.cfg.pattern = parse_pattern(optarg); break;
            case 'q': o.text.quiet = true; break;
            case 'Q': o.sock.tos = parse_tos(optarg); break;
            case 'r': o.sock.dont_route = true; break;
            case 'S': o.sock.sndbuf = static_cast<int>(parse_int(optarg, 1, INT_MAX)); break;
            case 's': o.cfg.payload_size = static_cast<std::size_t>(parse_int(optarg, 0, INT_MAX)); break;
            case 't': o.sock.ttl = static_cast<int>(parse_int(optarg, 0, 255)); break;
            case 'U': o.sock.user_latency = true; break;
            case 'v': o.text.verbose = true; break;
            case 'V': std::printf("icmpkit ping %s\n", ICMPKIT_VERSION); throw Exit{0};
            case 'w': o.cfg.deadline = std::chrono::seconds(parse_int(optarg, 0, INT_MAX)); break;
            case 'W': {
                double v = parse_seconds(optarg);
                if (v < 0 || v > INT_MAX / 1000.0) fail(2, std::string("bad linger time: ") + optarg);
                o.cfg.linger = std::chrono::milliseconds(static_cast<long long>(v * 1000));
                break;
            }
            case 'J': o.json = true; break;
            case 'X' + 256: o.sim = optarg ? optarg : "internet"; break;
            case 'Y' + 256: o.seed = static_cast<std::uint64_t>(parse_int(optarg, 0, LLONG_MAX)); break;
            case 'S' + 256:
                if (std::strcmp(optarg, "full") && std::strcmp(optarg, "basic")) fail(2, std::string("invalid --stats value: ") + optarg);
                o.text.full_stats = !std::strcmp(optarg, "full");
                break;
            default: usage_and_exit();
        }
    }
    if (optind >= argc) fail(1, "usage error: Destination address required");
    o.target = argv[argc - 1];
    // ping4_run(): more than one host is only for -T tsprespec (at most 4 before the target).
    if (argc - optind > 1) {
        if (o.record_route || (o.ts_type && (*o.ts_type != 3 || argc - optind > 5))) usage_and_exit();
        if (o.ts_type) o.prespec.assign(argv + optind, argv + argc - 1);
    }
    if (o.cfg.deadline && o.cfg.deadline->count() == 0) o.cfg.deadline.reset();
    if (o.cfg.flood && !o.interval_set) o.cfg.interval = core::Duration{0};
    o.text.flood = o.cfg.flood;
    return o;
}

// RFC 791 3.1 options as iputils builds them: NOP + record route with 9 slots, or a timestamp
// (tsprespec: the prespecified addresses, each followed by an empty timestamp slot).
core::Buffer ip_options_for(const Options& o, const std::vector<core::Ipv4Address>& prespec) {
    core::Buffer b(40, 0);
    if (o.record_route) {
        b[0] = 1;   // NOP
        b[1] = 7;   // record route
        b[2] = 39;  // length
        b[3] = 4;   // pointer
        return b;
    }
    if (o.ts_type) {
        b[0] = 68;
        b[1] = *o.ts_type == 0 ? 40 : 36;
        b[2] = 5;
        b[3] = static_cast<std::uint8_t>(*o.ts_type);
        if (*o.ts_type == 3) {
            b[1] = static_cast<std::uint8_t>(4 + prespec.size() * 8);
            for (std::size_t i = 0; i < prespec.size(); ++i) core::store_be32(&b[4 + i * 8], prespec[i].to_uint());
        }
        b.resize(b[1]);
        return b;
    }
    return {};
}

int run_sim(Options& o);

int run(int argc, char** argv) {
    Options o = parse(argc, argv);
    if (o.sim) return run_sim(o);
    if (o.seed) fail(2, "--seed needs --sim");
    auto resolved = net::resolve(o.target, o.family);
    if (!resolved) fail(2, o.target + ": " + resolved.error());
    const core::IpAddress dest = resolved->address;
    const bool v4 = dest.is_v4();
    // -R and -T are IPv4 options; iputils ignores them for an IPv6 target (and -F for IPv4).
    // ping4_run(): a numeric target implies -n; ping6_run(): so does any ':' in the target.
    if ((v4 && core::Ipv4Address::parse(o.target)) || (!v4 && o.target.find(':') != std::string::npos)) o.numeric = true;
    std::string host = v4 && !core::Ipv4Address::parse(o.target) && !resolved->canonical_name.empty()
                           ? resolved->canonical_name : o.target;

    auto sock = net::IcmpSocket::open(dest.family());
    if (!sock) {
        std::fprintf(stderr, "%s: socket: %s\n", prog, std::strerror(sock.error().error_number));
        fail(2, net::no_socket_advice(dest.family()));
    }
    std::vector<core::Ipv4Address> prespec;
    for (const auto& h : o.prespec) {
        auto r = net::resolve(h, core::Family::v4);
        if (!r) fail(2, h + ": " + r.error());
        prespec.push_back(r->address.v4());
    }
    if (v4) o.sock.ip_options = ip_options_for(o, prespec);
    o.sock.ts_option = o.ts_type.has_value();
    o.sock.tx_timestamps = !o.cfg.flood;
    o.sock.payload_size = o.cfg.payload_size;
    o.sock.preload = o.cfg.preload;
    auto source = net::configure(*sock, o.sock, dest, resolved->scope_id);
    if (!source) {
        const auto& e = source.error();
        fail(2, e.error_number ? e.operation + ": " + std::strerror(e.error_number) : e.operation);
    }
    if (auto d = net::drop_capabilities(); !d) fail(2, d.error().operation + ": " + std::strerror(d.error().error_number));

    probe::PingConfig& cfg = o.cfg;
    cfg.destination = dest;
    cfg.wall_offset = net::wall_offset();
    cfg.check_identifier = sock->kind() == net::SocketKind::raw;
    cfg.sent_times_are_kernel = sock->tx_timestamps() && sock->rx_clock() == net::RxClock::so_timestamping_software;
    cfg.verify_checksum = v4 && sock->kind() == net::SocketKind::raw;
    cfg.identifier = o.identifier ? *o.identifier : static_cast<std::uint16_t>(std::random_device{}() & 0xFFFF);
    // Raw sockets: other pings' echo replies dropped in the kernel (ours still checked, RFC 792).
    if (auto f = net::install_echo_filter(*sock, cfg.identifier); !f)
        std::fprintf(stderr, "%s: WARNING: failed to install socket filter: %s\n", prog, std::strerror(f.error().error_number));
    probe::Ping ping(cfg);

    std::optional<core::IpAddress> last;
    std::string last_text;
    auto text_namer = [&](const core::IpAddress& a) {
        if (o.numeric) return a.to_string();
        if (!last || !(*last == a)) {  // pr_addr() caches the last address
            last = a;
            last_text = net::reverse_name(a) + " (" + a.to_string() + ")";
        }
        return last_text;
    };
    report::PingText text(o.text, dest.family(), text_namer);
    report::PingJson json(o.text.full_stats);
    auto wall_of = [&](core::MonoTime t) { return core::WallTime(t.since_origin + cfg.wall_offset); };

    if (o.json) {
        put(json.start(host, dest, cfg.payload_size, sock->kind() == net::SocketKind::raw ? "raw" : "datagram",
                       net::describe(sock->rx_clock()),
                       cfg.sent_times_are_kernel ? "SO_TIMESTAMPING software TX" : "payload"), stdout);
    } else {
        if (!cfg.pattern.empty() && !o.text.quiet) {
            std::string p = "PATTERN: 0x";
            char b[3];
            for (auto x : cfg.pattern) { std::snprintf(b, sizeof b, "%02x", x); p += b; }
            put(p + "\n", stdout);
        }
        std::string from;
        if (!o.sock.device.empty() || o.sock.source)
            from = source->to_string() + " " + o.sock.device;
        put(text.header(host, dest, cfg.payload_size, o.sock.ip_options.empty() ? 0 : 40, from,
                        sock->flowinfo() ? ntohl(sock->flowinfo()) : 0), stdout);
        if (o.text.verbose)
            std::fprintf(stderr, "%s: %s socket, receive times from %s, send times from %s\n", prog,
                         sock->kind() == net::SocketKind::raw ? "raw" : "datagram", net::describe(sock->rx_clock()),
                         cfg.sent_times_are_kernel ? "SO_TIMESTAMPING software TX" : "the payload (clock_gettime before sendmsg)");
    }

    net::DriverHooks hooks;
    std::string flood_out;
    auto flush_flood = [&] {
        put(flood_out, stdout);
        flood_out.clear();
    };
    // -R/-T: the reply's IP options, printed after its line (ping4_parse_reply(): pr_options()
    // unless quiet, flood or truncated). Every received datagram replaces them.
    report::PingOptionsText options_text([&](const core::IpAddress& a) { return text_namer(a); });
    core::Buffer reply_options;
    if (v4)
        hooks.on_reply_options = [&](const core::IpAddress&, core::Bytes opts) {
            reply_options.assign(opts.begin(), opts.end());
        };
    hooks.on_event = [&](const probe::Action& a) {
        core::MonoTime at{};
        std::visit([&](const auto& ev) {
            if constexpr (requires { ev.at; }) at = ev.at;
        }, a);
        if (o.json) { put(json.event(a, wall_of(at)), stdout); return; }
        auto out = text.event(a, wall_of(at));
        const auto* reply = std::get_if<probe::ReplyEvent>(&a);
        if (reply && !reply->truncated && !o.text.quiet && !o.cfg.flood && !out.out.empty() && !reply_options.empty())
            out.out.insert(out.out.size() - 1, options_text.render(reply_options));
        if (o.cfg.flood && out.err.empty()) {
            // Flood: the dots and backspaces of many probes in one write (flushed when the loop
            // is about to wait and before any other output), not a write per character.
            flood_out += out.out;
            if (flood_out.size() >= 4096) flush_flood();
            return;
        }
        flush_flood();
        put(out.out, stdout);
        put(out.err, stderr);
    };
    hooks.on_idle = flush_flood;
    hooks.on_status = [&] { flush_flood(); put(text.status(ping.summary()), stderr); };
    if (auto r = net::run_ping(ping, *sock, dest, resolved->scope_id, hooks); !r)
        fail(2, r.error().operation + ": " + std::strerror(r.error().error_number));

    flush_flood();
    auto s = ping.summary();
    if (o.json) put(json.summary(host, s, s.exit_code()), stdout);
    else put(text.summary(host, s), stdout);
    return s.exit_code();
}


// --sim: the same engine and report in virtual time against a topology of the sim (DESIGN.md 2).
// No socket, no privilege, no name service: the target is an address or a node name of the topology.
constexpr core::WallTime sim_wall_origin{std::chrono::seconds(1704067200)};  // 2024-01-01T00:00:00Z

void reject_socket_only(const Options& o) {
    const char* what = o.cfg.flood ? "-f" : o.cfg.adaptive ? "-A"
                     : (!o.sock.device.empty() || o.sock.source) ? "-I"
                     : o.sock.broadcast ? "-b" : o.sock.mark ? "-m"
                     : o.record_route ? "-R" : o.ts_type ? "-T" : o.sock.flowlabel ? "-F" : nullptr;
    if (what) fail(2, std::string("usage error: ") + what + " is not supported with --sim");
}

int run_sim(Options& o) {
    reject_socket_only(o);
    auto topo = load_topology(*o.sim);
    if (!topo) fail(2, topo.error());
    const std::uint64_t seed = o.seed.value_or(1);
    net::SimTransport transport(*topo, {.seed = seed, .wall_origin = sim_wall_origin});
    auto found = transport.lookup(o.target, o.family);
    if (!found) fail(2, o.target + ": not an address or host of topology " + topo->name);
    const core::IpAddress dest = *found;
    if (!transport.source(dest.family())) fail(2, o.target + ": the entry host has no address of its family");
    const bool numeric_target = core::IpAddress::parse(o.target).has_value();
    if (numeric_target) o.numeric = true;

    net::SimPingOptions so;
    if (o.sock.ttl) so.ip.ttl = static_cast<std::uint8_t>(*o.sock.ttl);
    if (o.sock.tos) so.ip.tos = static_cast<std::uint8_t>(*o.sock.tos);
    if (o.sock.pmtudisc) so.ip.pmtu = static_cast<net::PmtuDiscovery>(*o.sock.pmtudisc);

    probe::PingConfig& cfg = o.cfg;
    cfg.destination = dest;
    cfg.wall_offset = sim_wall_origin.time_since_epoch();
    cfg.check_identifier = true;  // as a datagram socket: only our identifier comes back
    cfg.verify_checksum = false;
    sim::SplitMix64 rng(seed);
    cfg.identifier = o.identifier ? *o.identifier : static_cast<std::uint16_t>(rng.next() & 0xFFFF);
    probe::Ping ping(cfg);

    const std::string host = o.target;
    report::PingText text(o.text, dest.family(), [&](const core::IpAddress& a) {
        if (o.numeric) return a.to_string();
        std::string name = transport.node_name(a);
        return (name.empty() ? a.to_string() : name) + " (" + a.to_string() + ")";
    });
    report::PingJson json(o.text.full_stats);
    auto wall_of = [&](core::MonoTime t) { return core::WallTime(t.since_origin + cfg.wall_offset); };
    if (o.json) {
        put(json.start(host, dest, cfg.payload_size, "sim", "virtual clock"), stdout);
    } else {
        if (!cfg.pattern.empty() && !o.text.quiet) {
            std::string p = "PATTERN: 0x";
            char b[3];
            for (auto x : cfg.pattern) { std::snprintf(b, sizeof b, "%02x", x); p += b; }
            put(p + "\n", stdout);
        }
        put(text.header(host, dest, cfg.payload_size, 0, ""), stdout);
    }
    net::run_ping_sim(ping, transport, so, [&](const probe::Action& a) {
        core::MonoTime at{};
        std::visit([&](const auto& ev) {
            if constexpr (requires { ev.at; }) at = ev.at;
        }, a);
        if (o.json) { put(json.event(a, wall_of(at)), stdout); return; }
        auto out = text.event(a, wall_of(at));
        put(out.out, stdout);
        put(out.err, stderr);
    });
    auto s = ping.summary();
    if (o.json) put(json.summary(host, s, s.exit_code()), stdout);
    else put(text.summary(host, s), stdout);
    std::fflush(stdout);
    return s.exit_code();
}

}  // namespace

int run_ping(int argc, char** argv) {
    if (wants_multi_target(argc, argv)) return run_fping(argc, argv, prog);  // fping.cpp
    try {
        return run(argc, argv);
    } catch (const Exit& e) {
        return e.code;
    }
}

}  // namespace icmpkit::cli
