// `icmpkit fping`: fping 5.1's options (fping.c main()), messages and exit codes: 1 for a usage
// error (fping's usage(1)), 2 when a name did not resolve, 4 when a file cannot be read.
#include "fping.hpp"

#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace icmpkit::cli {
namespace {

constexpr const char* help_text =
    "Usage: %s [options] [targets...]\n"
    "\n"
    "Multi-target ping with fping 5.1's options and output. One ICMP socket per family;\n"
    "targets may mix IPv4 and IPv6.\n"
    "\n"
    "Probing options:\n"
    "   -4, --ipv4         only ping IPv4 addresses\n"
    "   -6, --ipv6         only ping IPv6 addresses\n"
    "   -b, --size=BYTES   amount of ping data to send, in bytes (default: 56)\n"
    "   -B, --backoff=N    set exponential backoff factor to N (default: 1.5)\n"
    "   -c, --count=N      count mode: send N pings to each target\n"
    "   -f, --file=FILE    read list of targets from a file ( - means stdin)\n"
    "   -g, --generate     generate target list (give start and end IP, or a CIDR address;\n"
    "                      IPv4 and IPv6, at most 131072 addresses)\n"
    "   -H, --ttl=N        set the IP TTL value (Time To Live hops)\n"
    "   -I, --iface=IFACE  bind to a particular interface\n"
    "   -l, --loop         loop mode: send pings forever\n"
    "   -M, --dontfrag     set the Don't Fragment flag\n"
    "   -O, --tos=N        set the type of service (tos) flag on the ICMP packets\n"
    "   -p, --period=MSEC  interval between ping packets to one target (in ms)\n"
    "                      (in loop and count modes, default: 1000 ms)\n"
    "   -r, --retry=N      number of retries (default: 3)\n"
    "   -S, --src=IP       set source address\n"
    "   -t, --timeout=MSEC individual target initial timeout (default: 500 ms,\n"
    "                      except with -l/-c/-C, where it's the -p period up to 2000 ms)\n"
    "\n"
    "Output options:\n"
    "   -a, --alive        show targets that are alive\n"
    "   -A, --addr         show targets by address\n"
    "   -C, --vcount=N     same as -c, report results in verbose format\n"
    "   -d, --rdns         show targets by name (force reverse-DNS lookup)\n"
    "   -D, --timestamp    print timestamp before each output line\n"
    "   -e, --elapsed      show elapsed time on return packets\n"
    "   -i, --interval=MSEC  interval between sending ping packets (default: 10 ms)\n"
    "   -n, --name         show targets by name (reverse-DNS lookup for target IPs)\n"
    "   -q, --quiet        quiet (don't show per-target/per-ping results)\n"
    "   -s, --stats        print final stats\n"
    "   -u, --unreach      show targets that are unreachable\n"
    "   -v, --version      show version\n"
    "   -x, --reachable=N  shows if >=N hosts are reachable or not\n"
    "\n"
    "icmpkit additions:\n"
    "       --json         NDJSON (schema icmpkit.fping/1): events, one object per target, a summary\n"
    "       --sim[=TOPO]   run against the virtual network in virtual time (default: internet)\n"
    "       --seed=N       the simulator's seed\n"
    "\n"
    "Not implemented: -m -N -o -Q -R (fping's -R random data, netdata, outage, interval reports).\n"
    "Exit status: 0 all alive (or -x quorum met), 1 some unreachable or a usage error,\n"
    "2 a name did not resolve, 4 a system call failed.\n";

[[noreturn]] void usage_error(const FpingOptions& o) {
    std::fprintf(stderr, "see '%s -h' for usage information\n", o.prog);
    throw FpingExit{1};
}

double parse_number(const FpingOptions& o, const char* s, double lo) {
    char* end = nullptr;
    errno = 0;
    double v = std::strtod(s, &end);
    if (errno || end == s || *end || !std::isfinite(v) || v < lo) usage_error(o);
    return v;
}

core::Duration ms(double v) {
    return std::chrono::duration_cast<core::Duration>(std::chrono::duration<double, std::milli>(v));
}

}  // namespace

[[noreturn]] void fping_fail(const FpingOptions& o, int code, const std::string& msg) {
    if (o.json) {
        report::MultiPingJson j({});
        std::fputs(j.error(msg, code).c_str(), stdout);
        std::fflush(stdout);
    } else {
        std::fprintf(stderr, "%s: %s\n", o.prog, msg.c_str());
    }
    throw FpingExit{code};
}

namespace {

FpingOptions parse(int argc, char** argv, const char* prog) {
    FpingOptions o;
    o.prog = prog;
    argv[0] = const_cast<char*>(prog);  // getopt's messages
    static const option longs[] = {
        {"ipv4", no_argument, nullptr, '4'},        {"ipv6", no_argument, nullptr, '6'},
        {"alive", no_argument, nullptr, 'a'},       {"addr", no_argument, nullptr, 'A'},
        {"size", required_argument, nullptr, 'b'},  {"backoff", required_argument, nullptr, 'B'},
        {"count", required_argument, nullptr, 'c'}, {"vcount", required_argument, nullptr, 'C'},
        {"rdns", no_argument, nullptr, 'd'},        {"timestamp", no_argument, nullptr, 'D'},
        {"elapsed", no_argument, nullptr, 'e'},     {"file", required_argument, nullptr, 'f'},
        {"generate", no_argument, nullptr, 'g'},    {"help", no_argument, nullptr, 'h'},
        {"ttl", required_argument, nullptr, 'H'},   {"interval", required_argument, nullptr, 'i'},
        {"iface", required_argument, nullptr, 'I'}, {"loop", no_argument, nullptr, 'l'},
        {"dontfrag", no_argument, nullptr, 'M'},    {"name", no_argument, nullptr, 'n'},
        {"tos", required_argument, nullptr, 'O'},   {"period", required_argument, nullptr, 'p'},
        {"quiet", no_argument, nullptr, 'q'},       {"retry", required_argument, nullptr, 'r'},
        {"stats", no_argument, nullptr, 's'},       {"src", required_argument, nullptr, 'S'},
        {"timeout", required_argument, nullptr, 't'}, {"unreach", no_argument, nullptr, 'u'},
        {"version", no_argument, nullptr, 'v'},     {"reachable", required_argument, nullptr, 'x'},
        {"json", no_argument, nullptr, 'J' + 256},  {"sim", optional_argument, nullptr, 'X' + 256},
        {"seed", required_argument, nullptr, 'Y' + 256}, {nullptr, 0, nullptr, 0}};
    optind = 1;
    opterr = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "46aAb:B:c:C:dDef:ghH:i:I:lmMnNoO:p:qQ:r:RsS:t:uvx:", longs, nullptr)) != -1) {
        switch (ch) {
            case '4':
            case '6': {
                auto f = ch == '4' ? core::Family::v4 : core::Family::v6;
                if (o.family && *o.family != f) fping_fail(o, 1, "can't specify both -4 and -6");
                o.family = f;
                break;
            }
            case 'a': o.text.alive = true; break;
            case 'A': o.show_address = true; break;
            case 'b': {
                double v = parse_number(o, optarg, 0);
                if (v > 65488) fping_fail(o, 1, "data size " + std::to_string(static_cast<long>(v)) + " not valid, must be lower than 65488");
                o.cfg.payload_size = static_cast<std::size_t>(v);
                break;
            }
            case 'B': {
                double v = parse_number(o, optarg, 0);
                if (v < 1.0 || v > 5.0) {
                    char b[96];
                    std::snprintf(b, sizeof b, "backoff factor %.1f not valid, must be between 1.0 and 5.0", v);
                    fping_fail(o, 1, b);
                }
                o.cfg.backoff = v;
                break;
            }
            case 'C': o.text.vectors = o.cfg.keep_vectors = true; [[fallthrough]];
            case 'c': {
                double v = parse_number(o, optarg, 1);
                if (v > 10000) fping_fail(o, 1, "count " + std::string(optarg) + " not valid, must be less than 10000");
                o.cfg.count = static_cast<std::uint32_t>(v);
                o.text.count_mode = true;
                break;
            }
            case 'd':
            case 'n': o.reverse = true; break;
            case 'D': o.text.timestamps = true; break;
            case 'e': o.text.elapsed = true; break;
            case 'f': o.file = optarg; break;
            case 'g': o.generate = true; break;
            case 'h': std::printf(help_text, o.prog); throw FpingExit{0};
            case 'H': o.sock.ttl = static_cast<int>(parse_number(o, optarg, 1)); if (*o.sock.ttl > 255) usage_error(o); break;
            case 'i': o.cfg.interval = ms(parse_number(o, optarg, 0)); break;
            case 'I': o.sock.device = optarg; break;
            case 'l': o.cfg.loop = true; o.text.loop = true; break;
            case 'M': o.sock.dont_fragment = true; break;
            case 'O': o.sock.tos = static_cast<int>(std::strtol(optarg, nullptr, 0)); break;
            case 'p': o.cfg.period = ms(parse_number(o, optarg, 0)); o.period_set = true; break;
            case 'q': o.text.quiet = true; break;
            case 'r': o.cfg.retries = static_cast<std::uint32_t>(parse_number(o, optarg, 0)); break;
            case 's': o.text.stats = true; break;
            case 'S': {
                auto a = core::IpAddress::parse(optarg);
                if (!a) fping_fail(o, 1, std::string("can't parse source address: ") + optarg);
                o.sock.source = *a;
                break;
            }
            case 't': o.cfg.timeout = ms(parse_number(o, optarg, 0)); o.timeout_set = true; break;
            case 'u': o.text.unreachable = true; break;
            case 'v':
                std::printf("%s: icmpkit %s (fping 5.1 compatible)\n", o.prog, ICMPKIT_VERSION);
                throw FpingExit{0};
            case 'x': o.text.min_reachable = static_cast<std::uint32_t>(parse_number(o, optarg, 1)); break;
            case 'm': case 'N': case 'o': case 'Q': case 'R':
                fping_fail(o, 1, std::string("option -") + static_cast<char>(ch) + " is not implemented");
            case 'J' + 256: o.json = true; break;
            case 'X' + 256: o.sim = optarg ? optarg : "internet"; break;
            case 'Y' + 256: o.seed = static_cast<std::uint64_t>(parse_number(o, optarg, 0)); break;
            default: usage_error(o);
        }
    }
    for (int i = optind; i < argc; ++i) o.operands.emplace_back(argv[i]);
    if (o.cfg.count && o.cfg.loop) fping_fail(o, 1, "specify only one of c, l");
    // fping main(): in count and loop mode the timeout follows the period, up to 2000 ms.
    if (!o.timeout_set && (o.cfg.count || o.cfg.loop))
        o.cfg.timeout = std::min<core::Duration>(o.cfg.period, std::chrono::milliseconds(2000));
    if (getuid() != 0 && !o.sim && (o.cfg.interval < std::chrono::milliseconds(1) || o.cfg.period < std::chrono::milliseconds(10)))
        fping_fail(o, 1, "these options are too risky for mere mortals.");
    return o;
}

// iputils ping's option letters that take an argument (ping.cpp's getopt string).
bool iputils_takes_argument(char c) {
    const char* at = c == ':' ? nullptr : std::strchr(iputils_optstring, c);
    return at && at[1] == ':';
}

bool existing_regular_file(const char* path) {
    struct stat st{};
    return ::stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

bool wants_multi_target(int argc, char** argv) {
    int operands = 0;
    for (int i = 1; i < argc; ++i) {
        const char* a = argv[i];
        if (!std::strcmp(a, "--")) {
            operands += argc - i - 1;
            break;
        }
        if (a[0] == '-' && a[1] == '-') {
            if ((!std::strcmp(a, "--stats") || !std::strcmp(a, "--seed")) && i + 1 < argc) ++i;
            continue;
        }
        if (a[0] != '-' || a[1] == 0) {
            ++operands;
            continue;
        }
        for (const char* c = a + 1; *c; ++c) {
            if (*c == 'g') return true;  // iputils has no -g
            if (*c == 'f' && !c[1] && i + 1 < argc &&
                (!std::strcmp(argv[i + 1], "-") || existing_regular_file(argv[i + 1])))
                return true;
            if (iputils_takes_argument(*c)) {
                const char* value = c[1] ? c + 1 : (i + 1 < argc ? argv[i + 1] : "");
                // iputils' -T tsprespec takes hops before the target: one ping, several operands.
                if (*c == 'T' && !std::strcmp(value, "tsprespec")) return false;
                if (!c[1]) ++i;
                break;
            }
        }
    }
    return operands >= 2;
}

int run_fping(int argc, char** argv, const char* prog) {
    try {
        FpingOptions o = parse(argc, argv, prog);
        return run_fping_options(o);
    } catch (const FpingExit& e) {
        std::fflush(stdout);
        return e.code;
    }
}

int run_fping_command(int argc, char** argv) { return run_fping(argc, argv, "icmpkit fping"); }

}  // namespace icmpkit::cli
