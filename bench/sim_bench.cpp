// The virtual network's speed and size:
//   * BM_SimEchoRoundTrip   echo request from h0 to h1 of the built-in `internet` topology and the
//                           reply back (loss removed): 11 routers each way = 22 forwardings, plus
//                           the echo at h1 and the delivery at h0 -- 24 stack::Node::receive calls
//                           and 24 link hops per round trip, all through sim::Network's event heap.
//   * BM_NodeTimeExceeded   stack::Node::receive of TTL-1 echo requests at router r1 (rate limit
//                           off): one ICMP Time Exceeded generated per call.
//   * BM_NodeForward        the same router forwarding TTL-64 echo requests (for reference).
//   * BM_NodeEchoReply      host h1 answering echo requests (stack::Node::receive).
//
// `sim_bench --memory [N]` (default 10000) instead measures memory per node: a generated chain
// h0 - r1 - ... - r(N-2) - h1 (point-to-point 2001:db8:<k>::/64 links, v4 + v6 on the two end
// hosts' LANs) is parsed and built into a sim::Network; RSS (/proc/self/statm) and glibc's heap
// in use (mallinfo2) are read before and after, and the growth per node is printed.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "icmpkit/sim/network.hpp"
#include "icmpkit/sim/topology.hpp"
#include "icmpkit/stack/node.hpp"
#include "icmpkit/wire/icmpv4.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/ipv4.hpp"

namespace {

using namespace icmpkit;
using namespace std::chrono_literals;

sim::Topology internet() {
    auto t = sim::parse_topology(sim::find_builtin("internet")->text, "internet");
    if (!t) {
        std::fprintf(stderr, "sim_bench: %s\n", t.error().describe().c_str());
        std::exit(2);
    }
    for (auto& l : t->links) l.properties.loss_ppm = 0;
    return std::move(*t);
}

// An IPv4 echo request (56 data bytes, as ping sends) built with wire's emit.
core::Buffer echo_request(const char* src, const char* dst, std::uint8_t ttl, std::uint16_t seq) {
    wire::icmpv4::EchoRequest e;
    e.identifier = 0x1234;
    e.sequence = seq;
    e.data.assign(56, 0xA5);
    core::Buffer icmp;
    core::ByteWriter iw(icmp);
    wire::icmpv4::emit(wire::icmpv4::Message{e}, iw);
    wire::Ipv4Header h;
    h.source = *core::Ipv4Address::parse(src);
    h.destination = *core::Ipv4Address::parse(dst);
    h.protocol = wire::ip_protocol::icmp;
    h.ttl = ttl;
    h.identification = seq;
    h.total_length = static_cast<std::uint16_t>(20 + icmp.size());
    core::Buffer out;
    core::ByteWriter w(out);
    h.emit(w);
    w.bytes(icmp);
    return out;
}

void BM_SimEchoRoundTrip(benchmark::State& state) {
    auto topo = internet();
    sim::Network net(topo, {.seed = 1});
    auto request = echo_request("192.0.2.10", "203.0.113.10", 64, 1);
    core::MonoTime t{};
    std::uint64_t replies = 0;
    for (auto _ : state) {
        net.send(request, t);
        t = t + 1s;  // the path's one-way latency is ~44 ms (+ jitter): every reply is in by then
        net.run_until(t);
        auto d = net.take_delivered();
        replies += d.size();
        benchmark::DoNotOptimize(d.data());
    }
    if (replies != static_cast<std::uint64_t>(state.iterations())) state.SkipWithError("a reply went missing");
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["node_receives_per_s"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * 24, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimEchoRoundTrip);

// Hands `packet` to node `name` of `internet` on ifindex 1, `per_iteration` times per iteration.
void node_loop(benchmark::State& state, const char* name, core::Buffer packet, bool rate_limit) {
    auto topo = internet();
    auto cfg = topo.nodes[*topo.node_index(name)].config;
    cfg.rate_limit.enabled = rate_limit;
    stack::Node node(cfg);
    core::MonoTime t{};
    core::WallTime wall{};
    std::uint64_t transmits = 0;
    for (auto _ : state) {
        auto out = node.receive({packet, 1, false}, t, wall);
        t = t + 1us;
        for (const auto& o : out) transmits += std::holds_alternative<stack::Transmit>(o);
        benchmark::DoNotOptimize(out.data());
    }
    if (transmits != static_cast<std::uint64_t>(state.iterations())) state.SkipWithError("not one transmit per input");
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_NodeTimeExceeded(benchmark::State& state) {
    node_loop(state, "r1", echo_request("192.0.2.10", "203.0.113.10", 1, 1), false);
}
BENCHMARK(BM_NodeTimeExceeded);

void BM_NodeForward(benchmark::State& state) {
    node_loop(state, "r1", echo_request("192.0.2.10", "203.0.113.10", 64, 1), true);
}
BENCHMARK(BM_NodeForward);

void BM_NodeEchoReply(benchmark::State& state) {
    node_loop(state, "h1", echo_request("192.0.2.10", "203.0.113.10", 60, 1), true);
}
BENCHMARK(BM_NodeEchoReply);

// ---- memory per node ---------------------------------------------------------------------------

// h0 - r1 - ... - r(n-2) - h1; link k (0-based) is 2001:db8:<k+1>::/64 (k+1 in hex: 10,000
// links fit in 2001:db8:1:: .. 2001:db8:2710::), the end LANs also carry 192.0.2.0/24 and
// 203.0.113.0/24.
std::string chain_topology(std::size_t n) {
    std::string s;
    s.reserve(n * 200);
    auto name = [n](std::size_t i) {
        return i == 0 ? std::string("h0") : i == n - 1 ? std::string("h1") : "r" + std::to_string(i);
    };
    auto net = [](std::size_t k) {
        char b[32];
        std::snprintf(b, sizeof b, "2001:db8:%zx::", k + 1);
        return std::string(b);
    };
    s += "node h0 host\n";
    for (std::size_t i = 1; i + 1 < n; ++i) s += "node " + name(i) + " router\n";
    s += "node h1 host\nentry h0\n";
    for (std::size_t k = 0; k + 1 < n; ++k) {  // link k joins node k (eth1) and node k+1 (eth0)
        std::string a = name(k), b = name(k + 1);
        std::string v4a = k == 0 ? " 192.0.2.10/24" : k + 2 == n ? " 203.0.113.1/24" : "";
        std::string v4b = k == 0 ? " 192.0.2.1/24" : k + 2 == n ? " 203.0.113.10/24" : "";
        s += "addr " + a + " eth1" + v4a + " " + net(k) + "1/64\n";
        s += "addr " + b + " eth0" + v4b + " " + net(k) + "2/64\n";
        s += "link " + a + ":eth1 " + b + ":eth0\n";
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) s += "route " + name(i) + " 2001:db8:1::/64 via " + net(i - 1) + "1\n";
        if (i + 1 < n) s += "route " + name(i) + " default via " + net(i) + "2\n";
    }
    s += "route h0 default via 192.0.2.1\nroute h1 default via 203.0.113.1\n";
    return s;
}

std::size_t rss_bytes() {
    long pages = 0, resident = 0;
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f || std::fscanf(f, "%ld %ld", &pages, &resident) != 2) std::exit(2);
    std::fclose(f);
    return static_cast<std::size_t>(resident) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

int memory_main(std::size_t n) {
    std::string text = chain_topology(n);
    malloc_trim(0);
    std::size_t rss0 = rss_bytes(), heap0 = mallinfo2().uordblks;
    auto topo = sim::parse_topology(text, "chain");
    if (!topo) {
        std::fprintf(stderr, "sim_bench: %s\n", topo.error().describe().c_str());
        return 2;
    }
    std::size_t rss1 = rss_bytes(), heap1 = mallinfo2().uordblks;
    auto net = std::make_unique<sim::Network>(*topo);
    std::size_t rss2 = rss_bytes(), heap2 = mallinfo2().uordblks;
    auto per = [n](std::size_t a, std::size_t b) { return static_cast<double>(b - a) / static_cast<double>(n); };
    std::printf("memory: %zu nodes, %zu links, topology text %zu bytes\n", net->node_count(),
                net->link_count(), text.size());
    std::printf("parsed Topology:  RSS +%zu bytes (%.0f B/node), heap +%zu bytes (%.0f B/node)\n",
                rss1 - rss0, per(rss0, rss1), heap1 - heap0, per(heap0, heap1));
    std::printf("sim::Network:     RSS +%zu bytes (%.0f B/node), heap +%zu bytes (%.0f B/node)\n",
                rss2 - rss1, per(rss1, rss2), heap2 - heap1, per(heap1, heap2));
    std::printf("both:             RSS +%zu bytes (%.0f B/node), heap +%zu bytes (%.0f B/node)\n",
                rss2 - rss0, per(rss0, rss2), heap2 - heap0, per(heap0, heap2));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && std::strcmp(argv[1], "--memory") == 0)
        return memory_main(argc >= 3 ? std::strtoull(argv[2], nullptr, 10) : 10000);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
