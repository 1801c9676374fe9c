// `icmpkit lab` run mode (lab_run.hpp): topology -> sim::Network -> TUN, with stats and pcap.
#include "lab_run.hpp"

#include <signal.h>

#include <array>
#include <chrono>
#include <map>
#include <cstdio>
#include <string_view>

#include "icmpkit/capture/link.hpp"
#include "icmpkit/capture/reader.hpp"
#include "icmpkit/net/lab.hpp"
#include "icmpkit/net/tun.hpp"
#include "icmpkit/sim/network.hpp"

namespace icmpkit::cli {

namespace {

void print_stats(const sim::Topology& topo, const sim::Network& net, const net::LabCounters& c) {
    std::uint64_t forwarded = 0, rate_limited = 0, malformed = 0;
    std::map<std::uint32_t, std::uint64_t> generated;
    std::array<std::uint64_t, stack::suppress_reason_count> suppressed{};
    for (std::uint32_t i = 0; i < net.node_count(); ++i) {
        const auto& k = net.node(i).counters();
        forwarded += k.forwarded;
        rate_limited += k.rate_limited();
        malformed += k.malformed();
        for (const auto& [key, n] : k.generated) generated[key] += n;
        for (std::size_t r = 0; r < suppressed.size(); ++r) suppressed[r] += k.suppressed[r];
    }
    std::uint64_t lost = 0;
    for (std::size_t l = 0; l < net.link_count(); ++l)
        for (std::size_t e = 0; e < topo.links[l].ends.size(); ++e) lost += net.link_counters(l, e).lost;
    std::printf("--- icmpkit lab %s statistics ---\n", topo.name.c_str());
    std::printf("tun: %llu received, %llu injected, %llu malformed, %llu unroutable, %llu sent, %llu write errors\n",
                static_cast<unsigned long long>(c.from_tun), static_cast<unsigned long long>(c.injected),
                static_cast<unsigned long long>(c.malformed), static_cast<unsigned long long>(c.unroutable),
                static_cast<unsigned long long>(c.to_tun), static_cast<unsigned long long>(c.write_errors));
    std::printf("forwarded: %llu\n", static_cast<unsigned long long>(forwarded));
    std::printf("lost on links: %llu\n", static_cast<unsigned long long>(lost));
    std::uint64_t gen_total = 0;
    for (const auto& [key, n] : generated) gen_total += n;
    std::printf("generated: %llu\n", static_cast<unsigned long long>(gen_total));
    for (const auto& [key, n] : generated)
        std::printf("  %s type %u code %u: %llu\n", (key >> 16) == 6 ? "icmpv6" : "icmp", (key >> 8) & 0xFF,
                    key & 0xFF, static_cast<unsigned long long>(n));
    std::uint64_t sup_total = 0;
    for (auto n : suppressed) sup_total += n;
    std::printf("suppressed: %llu\n", static_cast<unsigned long long>(sup_total));
    for (std::size_t r = 0; r < suppressed.size(); ++r)
        if (suppressed[r])
            std::printf("  %.*s: %llu\n", static_cast<int>(stack::suppress_reason_name(static_cast<stack::SuppressReason>(r)).size()),
                        stack::suppress_reason_name(static_cast<stack::SuppressReason>(r)).data(),
                        static_cast<unsigned long long>(suppressed[r]));
    std::printf("rate-limited: %llu\n", static_cast<unsigned long long>(rate_limited));
    std::printf("malformed: %llu\n", static_cast<unsigned long long>(malformed + c.malformed));
    std::fflush(stdout);
}

// The entry host's addresses (the TUN's) and the MTU of its link (the TUN's MTU).
void entry_facts(const sim::Topology& topo, std::vector<core::IpAddress>& addresses, std::uint32_t& mtu) {
    mtu = 0;
    for (const auto& i : topo.nodes[topo.entry].config.interfaces) {
        for (const auto& p : i.addresses) addresses.push_back(p.address);
        mtu = std::max<std::uint32_t>(mtu, i.mtu);
    }
    if (mtu == 0) mtu = 1500;
}

int fail(const std::string& what) {
    std::fprintf(stderr, "icmpkit lab: %s\n", what.c_str());
    return 2;
}

}  // namespace

int run_lab_live(const sim::Topology& topology, const LabLiveOptions& o) {
    if (topology.nodes.empty()) return fail("the topology has no nodes");
    // SIGINT / SIGTERM stay pending until run_lab reads them: teardown always runs.
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGUSR1);
    ::sigprocmask(SIG_BLOCK, &block, nullptr);
    std::vector<core::IpAddress> addresses;
    std::uint32_t mtu = 0;
    entry_facts(topology, addresses, mtu);
    if (addresses.empty()) return fail("the entry host has no address");

    std::optional<capture::CaptureWriter> pcap;
    if (!o.pcap.empty()) {
        auto w = capture::CaptureWriter::open(o.pcap, capture::linktype::dlt_raw);  // LINKTYPE_RAW (101) in the file
        if (!w) return fail(capture::describe(w.error()));
        pcap.emplace(std::move(*w));
    }
    // Declared before the device: the device goes first, then the namespace.
    std::optional<net::NetnsGuard> netns;
    if (!o.netns.empty()) {
        auto g = net::NetnsGuard::create_and_enter(o.netns);
        if (!g) return fail(core::describe(g.error()));
        netns.emplace(std::move(*g));
    }
    auto tun = net::TunDevice::open(o.device);
    if (!tun) return fail(core::describe(tun.error()));
    if (auto r = net::configure_lab_device(tun->name(), mtu, addresses); !r) return fail(core::describe(r.error()));

    sim::Network network(topology, {.seed = o.seed, .wall_origin = std::chrono::system_clock::now()});
    net::LabCounters counters;
    net::LabHooks hooks;
    if (o.stats) hooks.on_stats = [&] { print_stats(topology, network, counters); };
    std::printf("icmpkit lab: %s on %s%s%s (mtu %u)", topology.name.c_str(), tun->name().c_str(),
                o.netns.empty() ? "" : " in netns ", o.netns.c_str(), mtu);
    for (const auto& a : addresses) std::printf(" %s", a.to_string().c_str());
    std::printf("\n");
    std::fflush(stdout);
    net::LabRunOptions ro;
    ro.duration = o.duration;
    ro.pcap = pcap ? &*pcap : nullptr;
    auto r = net::run_lab(network, *tun, ro, hooks, counters);
    if (o.stats) print_stats(topology, network, counters);
    if (!r) return fail(core::describe(r.error()));
    return 0;
}

}  // namespace icmpkit::cli
