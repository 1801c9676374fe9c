// `icmpkit watch-errors`: every ICMP/ICMPv6 error arriving at this host (raw sockets), attributed
// to the local socket and process that sent the quoted datagram (NETLINK_SOCK_DIAG by the quoted
// 5-tuple). One line per error, or one JSON object per line with --json. Bounded by -c and
// --duration; exit 0 when at least one error was seen, 1 when none, 2 on usage or system errors.
#include <getopt.h>
#include <poll.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "icmpkit/net/error_listener.hpp"
#include "icmpkit/net/socket_owner.hpp"
#include "icmpkit/report/icmp_error_text.hpp"
#include "icmpkit/report/json_writer.hpp"

namespace icmpkit::cli {
namespace {

constexpr const char* watch_usage =
    "usage: icmpkit watch-errors [-4|-6] [-c COUNT] [--duration SECONDS] [--json]";

volatile std::sig_atomic_t stop_requested = 0;
void on_signal(int) { stop_requested = 1; }

int watch_fail(const std::string& msg) {
    std::fprintf(stderr, "icmpkit watch-errors: %s\n", msg.c_str());
    return 2;
}

std::string owner_text(const std::optional<net::SocketOwner>& o) {
    if (!o) return "no local socket";
    std::string t = o->pid ? "pid " + std::to_string(*o->pid) + " (" + o->command + ")" : std::string("pid ?");
    t += " uid " + std::to_string(o->uid) + " socket inode " + std::to_string(o->inode);
    if (!o->connected) t += " (unconnected)";
    return t;
}

void print_error(const probe::IcmpError& e, const core::SysResult<std::optional<net::SocketOwner>>& owner, bool json) {
    std::optional<net::SocketOwner> o = owner ? *owner : std::nullopt;
    if (json) {
        std::string out;
        report::JsonWriter w(out);
        w.begin_object();
        w.key("error"), report::write_error_json(w, e);
        w.key("socket");
        if (!o) {
            w.null();
        } else {
            w.begin_object();
            w.key("inode"), w.uint(o->inode);
            w.key("uid"), w.uint(o->uid);
            w.key("state"), w.uint(o->state);
            w.key("connected"), w.boolean(o->connected);
            w.key("pid");
            if (o->pid) w.uint(static_cast<std::uint64_t>(*o->pid));
            else w.null();
            w.field("command", o->command);
            w.end_object();
        }
        if (!owner) w.field("socket_lookup_error", core::describe(owner.error()));
        w.end_object();
        std::printf("%s\n", out.c_str());
    } else {
        std::string who = e.reporter ? e.reporter->to_string() : std::string("?");
        std::string line = who + ": " + report::error_phrase(e.classification.family, e.type, e.code) + " (type " +
                           std::to_string(e.type) + " code " + std::to_string(e.code) + ")";
        if (e.mtu && *e.mtu) line += " mtu " + std::to_string(*e.mtu);
        if (e.flow) line += " for " + report::describe_flow(*e.flow);
        line += ": " + (owner ? owner_text(o) : "socket lookup failed: " + core::describe(owner.error()));
        std::printf("%s\n", line.c_str());
    }
    std::fflush(stdout);
}

}  // namespace

int run_watch_errors(int argc, char** argv) {
    bool v4 = true, v6 = true, json = false;
    std::optional<long> count;
    std::optional<std::chrono::milliseconds> duration;
    static const option longopts[] = {{"duration", required_argument, nullptr, 'd'},
                                      {"json", no_argument, nullptr, 'j'},
                                      {"help", no_argument, nullptr, 'h'},
                                      {nullptr, 0, nullptr, 0}};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = ::getopt_long(argc, argv, "46c:d:jh", longopts, nullptr)) != -1) {
        char* end = nullptr;
        switch (c) {
        case '4': v4 = true, v6 = false; break;
        case '6': v6 = true, v4 = false; break;
        case 'c': {
            long n = std::strtol(optarg, &end, 10);
            if (*end || n < 1) return watch_fail("bad -c (a count >= 1): " + std::string(optarg));
            count = n;
            break;
        }
        case 'd': {
            double s = std::strtod(optarg, &end);
            if (*end || !(s > 0) || s > 86400) return watch_fail("bad --duration (0 < SECONDS <= 86400): " + std::string(optarg));
            duration = std::chrono::milliseconds(static_cast<long>(s * 1000));
            break;
        }
        case 'j': json = true; break;
        case 'h': std::puts(watch_usage); return 0;
        default: return watch_fail(std::string("unknown option ") + (argv[optind - 1] ? argv[optind - 1] : "") + "; " + watch_usage);
        }
    }
    if (optind != argc) return watch_fail(watch_usage);
    std::vector<net::RawErrorWatcher> watchers;
    for (auto [on, fam] : {std::pair{v4, core::Family::v4}, std::pair{v6, core::Family::v6}}) {
        if (!on) continue;
        auto w = net::RawErrorWatcher::open(fam);
        if (!w) return watch_fail(core::describe(w.error()) + " (needs CAP_NET_RAW)");
        w->observe_all(true);
        watchers.push_back(std::move(*w));
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    using Clock = std::chrono::steady_clock;
    auto deadline = duration ? std::optional(Clock::now() + *duration) : std::nullopt;
    long seen = 0;
    while (!stop_requested && (!count || seen < *count)) {
        bool got = false;
        for (auto& w : watchers) {
            while (!count || seen < *count) {
                auto r = w.read_one();
                if (!r) return watch_fail(core::describe(r.error()));
                if (!*r) break;
                got = true;
                if ((*r)->verdict != probe::MatchVerdict::delivered || !(*r)->error) continue;
                const auto& e = *(*r)->error;
                auto owner = e.flow ? net::find_socket_owner(*e.flow)
                                    : core::SysResult<std::optional<net::SocketOwner>>(std::nullopt);
                print_error(e, owner, json);
                ++seen;
            }
        }
        if (got) continue;
        int wait_ms = -1;
        if (deadline) {
            auto l = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count();
            if (l <= 0) break;
            wait_ms = static_cast<int>(l);
        }
        std::vector<pollfd> p;
        for (auto& w : watchers) p.push_back(pollfd{w.fd(), POLLIN, 0});
        if (::poll(p.data(), p.size(), wait_ms) < 0 && errno != EINTR) return watch_fail("poll failed");
    }
    std::uint64_t malformed = 0;
    for (auto& w : watchers) malformed += w.counters().malformed;
    std::fprintf(stderr, "icmpkit watch-errors: %ld error%s shown, %llu malformed dropped\n", seen,
                 seen == 1 ? "" : "s", static_cast<unsigned long long>(malformed));
    return seen > 0 ? 0 : 1;
}

}  // namespace icmpkit::cli
