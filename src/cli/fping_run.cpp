// `icmpkit fping`: targets (operands, -f, -g), sockets, the run, the output (fping.hpp).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <sstream>

#include "fping.hpp"
#include "load_topology.hpp"
#include "icmpkit/net/ping_socket.hpp"
#include "icmpkit/probe/target_list.hpp"
#include "icmpkit/sim/random.hpp"

namespace icmpkit::cli {
namespace {

constexpr core::WallTime sim_wall_origin{std::chrono::seconds(1704067200)};  // 2024-01-01T00:00:00Z

struct Targets {
    std::vector<std::string> names;  // what the user wrote (or the generated address)
    std::vector<core::IpAddress> addresses;
    std::uint32_t unknown = 0;
};

std::vector<std::string> target_texts(const FpingOptions& o) {
    if (o.generate) {
        if (o.file) fping_fail(o, 1, "specify only one of -f or -g");
        probe::TargetListResult r = core::Unexpected(std::string("-g needs a CIDR prefix or a start and an end address"));
        if (o.operands.size() == 1 && o.operands[0].find('/') != std::string::npos) r = probe::generate_cidr(o.operands[0]);
        else if (o.operands.size() == 2) r = probe::generate_range(o.operands[0], o.operands[1]);
        if (!r) fping_fail(o, 1, r.error());
        std::vector<std::string> out;
        out.reserve(r->size());
        for (const auto& a : *r) out.push_back(a.to_string());
        return out;
    }
    if (o.file) {
        if (!o.operands.empty()) fping_fail(o, 1, "specify only one of -f or a list of targets");
        std::string text;
        if (*o.file == "-") {
            text.assign(std::istreambuf_iterator<char>(std::cin), {});
        } else {
            std::ifstream f(*o.file, std::ios::binary);
            if (!f) fping_fail(o, 4, "fopen : " + std::string(std::strerror(errno)));
            text.assign(std::istreambuf_iterator<char>(f), {});
        }
        auto lines = probe::parse_target_lines(text);
        if (lines.truncated) fping_fail(o, 1, "-f: more than 131072 targets");
        return std::move(lines.targets);
    }
    return o.operands;
}

// Names to addresses: literals directly, others through the resolver (or the sim's topology).
template <typename Lookup>
Targets resolve_all(const FpingOptions& o, std::vector<std::string> texts, Lookup lookup) {
    Targets t;
    t.names.reserve(texts.size());
    t.addresses.reserve(texts.size());
    for (auto& name : texts) {
        std::optional<core::IpAddress> a = core::IpAddress::parse(name);
        if (a && o.family && a->family() != *o.family) a.reset();
        std::string why = "Name or service not known";
        if (!a) {
            auto r = lookup(name);
            if (r) a = *r;
            else why = r.error();
        }
        if (!a) {
            ++t.unknown;
            if (!o.json && !o.text.quiet) std::fprintf(stderr, "%s: %s\n", name.c_str(), why.c_str());  // fping: not with -q
            continue;
        }
        t.addresses.push_back(*a);
        t.names.push_back(o.show_address ? a->to_string() : o.reverse ? net::reverse_name(*a) : std::move(name));
    }
    return t;
}

class Output {
public:
    Output(const FpingOptions& o, const Targets& t, const probe::MultiPing& p, core::Duration wall_offset)
        : o_(o), text_(o.text, t.names), json_(t.names), ping_(p), wall_offset_(wall_offset) {}

    void event(const probe::MultiAction& a) {
        core::MonoTime at{};
        std::visit([&](const auto& ev) {
            if constexpr (requires { ev.at; }) at = ev.at;
        }, a);
        const core::WallTime wall{at.since_origin + wall_offset_};
        if (o_.json) {
            auto s = json_.event(a, ping_, wall);
            std::fwrite(s.data(), 1, s.size(), stdout);
            return;
        }
        buf_.out.clear();
        buf_.err.clear();
        text_.event(a, ping_, wall, buf_);
        if (!buf_.out.empty()) std::fwrite(buf_.out.data(), 1, buf_.out.size(), stdout);
        if (!buf_.err.empty()) std::fwrite(buf_.err.data(), 1, buf_.err.size(), stderr);
    }

    int finish(std::uint32_t unknown) {
        const core::Duration elapsed = ping_.end_time() - ping_.start_time();
        const int code = text_.exit_code(ping_);
        if (o_.json) {
            auto s = json_.summary(ping_, elapsed, unknown, o_.text.min_reachable, code);
            std::fwrite(s.data(), 1, s.size(), stdout);
        } else {
            auto f = text_.finish(ping_, elapsed);
            std::fwrite(f.out.data(), 1, f.out.size(), stdout);
            std::fflush(stdout);  // fping print_per_system_stats(): stdout first
            std::fwrite(f.err.data(), 1, f.err.size(), stderr);
            if (o_.text.min_reachable) std::fflush(stdout);
        }
        std::fflush(stdout);
        return code;
    }

    report::MultiPingJson& json() { return json_; }

private:
    const FpingOptions& o_;
    report::MultiPingText text_;
    report::MultiPingJson json_;
    const probe::MultiPing& ping_;
    core::Duration wall_offset_;
    report::TextOut buf_;
};

void finish_config(FpingOptions& o, Targets& t) {
    // fping main(): nothing to ping is exit 2 when names failed, else 1 (an empty -g range).
    if (t.addresses.empty()) throw FpingExit{t.unknown ? 2 : 1};
    o.text.unknown_hosts = t.unknown;
    o.cfg.targets = t.addresses;
}

int run_sim(FpingOptions& o, std::vector<std::string> texts) {
    auto topo = load_topology(*o.sim);
    if (!topo) fping_fail(o, 1, topo.error());
    net::SimTransport transport(*topo, {.seed = o.seed, .wall_origin = sim_wall_origin});
    Targets t = resolve_all(o, std::move(texts), [&](const std::string& n) -> core::Result<core::IpAddress, std::string> {
        if (auto a = transport.lookup(n, o.family)) return *a;
        return core::Unexpected("not an address or host of topology " + topo->name);
    });
    finish_config(o, t);
    sim::SplitMix64 rng(o.seed);
    o.cfg.identifier = static_cast<std::uint16_t>(rng.next() & 0xFFFF);
    o.cfg.check_identifier = true;
    o.cfg.check_source = false;  // as a datagram socket
    probe::MultiPing ping(o.cfg);
    Output out(o, t, ping, sim_wall_origin.time_since_epoch());
    if (o.json) std::fputs(out.json().start(ping, "sim", "sim").c_str(), stdout);
    net::SimPingOptions so;
    if (o.sock.ttl) so.ip.ttl = static_cast<std::uint8_t>(*o.sock.ttl);
    if (o.sock.tos) so.ip.tos = static_cast<std::uint8_t>(*o.sock.tos);
    if (o.sock.dont_fragment) so.ip.pmtu = net::PmtuDiscovery::do_;
    if (o.cfg.loop) so.ceiling = std::chrono::minutes(10);  // virtual time: -l ends there
    net::run_multi_ping_sim(ping, transport, so, [&](const probe::MultiAction& a) { out.event(a); });
    return out.finish(t.unknown);
}

const char* kind_name(const std::optional<net::IcmpSocket>& s) {
    if (!s) return "";
    return s->kind() == net::SocketKind::raw ? "raw" : "datagram";
}

}  // namespace

int run_fping_options(FpingOptions& o) {
    std::vector<std::string> texts = target_texts(o);
    if (texts.empty() && !o.generate) fping_fail(o, 1, "no targets given (see -h)");
    if (o.sim) return run_sim(o, std::move(texts));
    Targets t = resolve_all(o, std::move(texts), [&](const std::string& n) -> core::Result<core::IpAddress, std::string> {
        auto r = net::resolve(n, o.family);
        if (!r) return core::Unexpected(r.error());
        return r->address;
    });
    finish_config(o, t);
    bool want_v4 = false, want_v6 = false;
    for (const auto& a : t.addresses) (a.is_v4() ? want_v4 : want_v6) = true;
    net::MultiSockets socks;
    if (auto r = net::open_multi_sockets(socks, want_v4, want_v6, o.sock); !r) {
        const auto& e = r.error();
        if (e.operation == "socket")
            fping_fail(o, 4, std::string("socket: ") + std::strerror(e.error_number) + "; " +
                                 net::no_socket_advice(want_v4 ? core::Family::v4 : core::Family::v6));
        fping_fail(o, 4, e.operation + ": " + std::strerror(e.error_number));
    }
    if (auto d = net::drop_capabilities(); !d)
        fping_fail(o, 4, d.error().operation + ": " + std::strerror(d.error().error_number));
    const bool raw = (socks.v4 && socks.v4->kind() == net::SocketKind::raw) ||
                     (socks.v6 && socks.v6->kind() == net::SocketKind::raw);
    // Raw sockets see every echo reply on the host: a random identifier plus a source check.
    o.cfg.identifier = static_cast<std::uint16_t>(std::random_device{}() & 0xFFFF);
    o.cfg.check_identifier = raw;
    o.cfg.check_source = raw;
    o.cfg.verify_checksum = socks.v4 && socks.v4->kind() == net::SocketKind::raw;
    probe::MultiPing ping(o.cfg);
    Output out(o, t, ping, net::wall_offset());
    if (o.json) std::fputs(out.json().start(ping, kind_name(socks.v4), kind_name(socks.v6)).c_str(), stdout);
    if (!t.addresses.empty()) {
        auto r = net::run_multi_ping(ping, socks, [&](const probe::MultiAction& a) { out.event(a); });
        if (!r) fping_fail(o, 4, r.error().operation + ": " + std::strerror(r.error().error_number));
    }
    return out.finish(t.unknown);
}

}  // namespace icmpkit::cli
