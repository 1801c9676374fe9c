// Conformance against the Linux kernel (issue 3): the same probes, built with wire's emit, go
// (a) through a kernel router in a namespace chain client - router - server and (b) through the
// same topology in sim::Network (stack::Node routers). The ICMP answers are compared field by
// field: type, code, quote length, checksum validity, RFC 4884 length attribute (and the MTU of
// Frag Needed / PTB, the data of an echo reply). Every difference must be documented as deliberate
// in docs/conformance.md ("- `probe name`: reason"); an undocumented one fails the test.
// ICMPKIT_WRITE_CONFORMANCE=1 rewrites the table between the markers of that file.
// Needs root (network namespaces, iptables).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "conformance_support.hpp"
#include "icmpkit/sim/network.hpp"
#include "icmpkit/sim/topology.hpp"

namespace {

using namespace conformance;

constexpr const char* kSimTopology = R"topo(
node c host
node r router
node s host
entry c
addr c eth0 192.0.2.10/24 2001:db8:1::10/64
addr r eth0 192.0.2.1/24 2001:db8:1::1/64
addr r eth1 198.51.100.1/24 2001:db8:2::1/64
addr s eth0 198.51.100.10/24 2001:db8:2::10/64
link c:eth0 r:eth0
link r:eth1 s:eth0 mtu=1280
route c default via 192.0.2.1
route c default via 2001:db8:1::1
route s default via 198.51.100.1
route s default via 2001:db8:2::1
filter r reject udp dport 5000 code admin-prohibited
ratelimit r off
ratelimit s off
)topo";

struct ProbeCase {
    std::string name;
    Buffer bytes;
};

std::vector<ProbeCase> probes() {
    const char* c4 = "192.0.2.10"; const char* r4 = "192.0.2.1"; const char* s4 = "198.51.100.10";
    const char* c6 = "2001:db8:1::10"; const char* r6 = "2001:db8:1::1"; const char* s6 = "2001:db8:2::10";
    // No route first: Linux's ip_error() has its own per-source limiter (route/error_cost, 1 s, not
    // icmp_ratelimit) that shares the inet_peer tokens icmp_send() just spent on earlier errors.
    return {
        {"v4 no route", udp_probe(c4, "203.0.113.10", 33434, 64, false)},
        {"v6 no route", udp_probe(c6, "2001:db8:99::10", 33434, 64, false)},
        {"v4 ttl=1 (time exceeded)", udp_probe(c4, s4, 33434, 1, false)},
        {"v6 hlim=1 (time exceeded)", udp_probe(c6, s6, 33434, 1, false)},
        {"v4 udp closed port", udp_probe(c4, s4, 33434, 64, false)},
        {"v6 udp closed port", udp_probe(c6, s6, 33434, 64, false)},
        {"v4 DF 1400 over mtu 1280", udp_probe(c4, s4, 33434, 64, true, 1400)},
        {"v6 1400 over mtu 1280", udp_probe(c6, s6, 33434, 64, false, 1400)},
        {"v4 reject admin-prohibited", udp_probe(c4, s4, 5000, 64, false)},
        {"v6 reject admin-prohibited", udp_probe(c6, s6, 5000, 64, false)},
        {"v4 1400 ttl=1 (quote size)", udp_probe(c4, s4, 33434, 1, false, 1400)},
        {"v6 1400 hlim=1 (quote size)", udp_probe(c6, s6, 33434, 1, false, 1400)},
        {"v4 icmp error to router", icmp_error_probe(c4, r4, 64)},
        {"v6 icmp error to router", icmp_error_probe(c6, r6, 64)},
        {"v4 icmp error ttl=1 via router", icmp_error_probe(c4, s4, 1)},
        {"v6 icmp error hlim=1 via router", icmp_error_probe(c6, s6, 1)},
        {"v4 echo to router", echo_probe(c4, r4)},
        {"v6 echo to router", echo_probe(c6, r6)},
    };
}

std::string run(const std::string& cmd) {
    std::string full = "timeout 20 " + cmd + " 2>&1";
    std::string out;
    if (FILE* p = ::popen(full.c_str(), "r")) {
        char buf[512];
        while (std::fgets(buf, sizeof buf, p)) out += buf;
        int st = ::pclose(p);
        if (st != 0) out = "FAILED(" + std::to_string(st) + "): " + cmd + "\n" + out;
        else out.clear();
    }
    return out;  // empty on success
}

std::string slurp(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

class Conformance : public ::testing::Test {
protected:
    std::string c_, r_, s_;

    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, raw sockets, iptables)";
        if (std::system("ip -V >/dev/null 2>&1") != 0) GTEST_SKIP() << "no iproute2 'ip'";
        if (std::system("iptables -V >/dev/null 2>&1") != 0 || std::system("ip6tables -V >/dev/null 2>&1") != 0)
            GTEST_SKIP() << "no iptables / ip6tables";
        std::string tag = "ikc" + std::to_string(::getpid());
        c_ = tag + "c"; r_ = tag + "r"; s_ = tag + "s";
    }

    void TearDown() override {
        for (const auto& ns : {c_, r_, s_})
            if (!ns.empty()) (void)std::system(("ip netns delete " + ns + " 2>/dev/null").c_str());
    }

    // client c0 (02:..:01) - (02:..:02) r0 router r1 - s0 server; r1-s0 MTU 1280.
    std::string build_kernel_lab() {
        std::vector<std::string> cmds;
        for (const auto& ns : {c_, r_, s_}) {
            cmds.push_back("ip netns add " + ns);
            cmds.push_back("ip -n " + ns + " link set lo up");
            for (const char* k : {"all", "default"}) {
                cmds.push_back("ip netns exec " + ns + " sysctl -qw net.ipv6.conf." + k + ".accept_dad=0");
                cmds.push_back("ip netns exec " + ns + " sysctl -qw net.ipv6.conf." + k + ".accept_ra=0");
            }
            cmds.push_back("ip netns exec " + ns + " sysctl -qw net.ipv4.icmp_ratelimit=0");
            cmds.push_back("ip netns exec " + ns + " sysctl -qw net.ipv6.icmp.ratelimit=0");
        }
        cmds.push_back("ip -n " + c_ + " link add c0 address 02:00:00:00:00:01 type veth peer name r0 netns " + r_ +
                       " address 02:00:00:00:00:02");
        cmds.push_back("ip -n " + r_ + " link add r1 mtu 1280 type veth peer name s0 netns " + s_ + " mtu 1280");
        auto addr = [&](const std::string& ns, const char* dev, const char* a4, const char* a6) {
            cmds.push_back("ip -n " + ns + " addr add " + a4 + " dev " + dev);
            cmds.push_back("ip -n " + ns + " addr add " + a6 + " dev " + dev + " nodad");
            cmds.push_back("ip -n " + ns + " link set " + dev + " up");
        };
        addr(c_, "c0", "192.0.2.10/24", "2001:db8:1::10/64");
        addr(r_, "r0", "192.0.2.1/24", "2001:db8:1::1/64");
        addr(r_, "r1", "198.51.100.1/24", "2001:db8:2::1/64");
        addr(s_, "s0", "198.51.100.10/24", "2001:db8:2::10/64");
        cmds.push_back("ip -n " + c_ + " route add 198.51.100.0/24 via 192.0.2.1");
        cmds.push_back("ip -n " + c_ + " route add 2001:db8:2::/64 via 2001:db8:1::1");
        cmds.push_back("ip -n " + s_ + " route add 192.0.2.0/24 via 198.51.100.1");
        cmds.push_back("ip -n " + s_ + " route add 2001:db8:1::/64 via 2001:db8:2::1");
        cmds.push_back("ip netns exec " + r_ + " sysctl -qw net.ipv4.ip_forward=1");
        cmds.push_back("ip netns exec " + r_ + " sysctl -qw net.ipv6.conf.all.forwarding=1");
        cmds.push_back("ip netns exec " + r_ +
                       " iptables -A FORWARD -p udp --dport 5000 -j REJECT --reject-with icmp-admin-prohibited");
        cmds.push_back("ip netns exec " + r_ +
                       " ip6tables -A FORWARD -p udp --dport 5000 -j REJECT --reject-with icmp6-adm-prohibited");
        for (const auto& c : cmds)
            if (auto e = run(c); !e.empty()) return e;
        // Neighbour caches warm (bounded: one echo each, 2 s at most).
        for (const char* dst : {"198.51.100.10", "2001:db8:2::10"})
            (void)run("ip netns exec " + c_ + " ping -c 1 -W 2 " + dst + " >/dev/null");
        return {};
    }
};

std::vector<Answer> kernel_answers(NsPacketSocket& sock, const std::vector<ProbeCase>& cases) {
    std::vector<Answer> out;
    for (const auto& p : cases) {
        sock.drain();
        EXPECT_TRUE(sock.send(p.bytes)) << p.name;
        // Generous: a loaded CI machine must not turn a late answer into a difference; probes that
        // must get no answer cost the full wait (four of them).
        auto a = sock.first_answer(std::chrono::milliseconds(2000));
        out.push_back(a ? *a : Answer{});
    }
    return out;
}

std::vector<Answer> sim_answers(const std::vector<ProbeCase>& cases) {
    auto topo = icmpkit::sim::parse_topology(kSimTopology, "conformance.topo");
    EXPECT_TRUE(topo.has_value()) << (topo ? "" : topo.error().describe());
    std::vector<Answer> out;
    if (!topo) return out;
    icmpkit::sim::Network net(*topo, {.seed = 1});
    icmpkit::core::MonoTime t{std::chrono::seconds(1)};
    for (const auto& p : cases) {
        EXPECT_TRUE(net.send(p.bytes, t)) << p.name;
        t = t + std::chrono::seconds(2);
        net.run_until(t);
        Answer first;
        for (const auto& d : net.take_delivered())
            if (auto a = read_answer(d.bytes); a && !first.answered) first = *a;
        out.push_back(first);
    }
    return out;
}

// The probe names listed as deliberate differences in docs/conformance.md.
bool documented(const std::string& doc, const std::string& probe) {
    return doc.find("- `" + probe + "`:") != std::string::npos;
}

std::string table(const std::vector<ProbeCase>& cases, const std::vector<Answer>& k, const std::vector<Answer>& s) {
    std::ostringstream o;
    o << "| probe | kernel type/code/quote | icmpkit type/code/quote | same? |\n| --- | --- | --- | --- |\n";
    for (std::size_t i = 0; i < cases.size(); ++i)
        o << "| " << cases[i].name << " | " << k[i].describe() << " | " << s[i].describe() << " | "
          << (k[i].same(s[i]) ? "yes" : "**no**") << " |\n";
    return o.str();
}

void write_table(const std::string& path, const std::string& tbl) {
    std::string doc = slurp(path);
    const std::string begin = "<!-- table:begin -->\n", end = "<!-- table:end -->";
    auto b = doc.find(begin), e = doc.find(end);
    if (b == std::string::npos || e == std::string::npos || e < b) return;
    doc = doc.substr(0, b + begin.size()) + tbl + doc.substr(e);
    std::ofstream(path) << doc;
}

TEST_F(Conformance, KernelRouterVersusStackRouter) {
    if (auto e = build_kernel_lab(); !e.empty()) FAIL() << "kernel lab setup: " << e;
    const std::uint8_t router_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
    NsPacketSocket sock(c_, "c0", router_mac);
    ASSERT_TRUE(sock.ok()) << "AF_PACKET socket in " << c_;
    auto cases = probes();
    auto kernel = kernel_answers(sock, cases);
    auto sim = sim_answers(cases);
    ASSERT_EQ(kernel.size(), cases.size());
    ASSERT_EQ(sim.size(), cases.size());

    std::string tbl = table(cases, kernel, sim);
    std::cout << "\n" << tbl << std::flush;
    std::string doc_path = std::string(ICMPKIT_SOURCE_DIR) + "/docs/conformance.md";
    if (const char* w = std::getenv("ICMPKIT_WRITE_CONFORMANCE"); w && std::string(w) == "1") write_table(doc_path, tbl);

    // The kernel side must itself be sane, or the comparison says nothing.
    for (std::size_t i = 0; i < cases.size(); ++i) {
        bool silent = cases[i].name.find("icmp error") != std::string::npos;
        EXPECT_EQ(kernel[i].answered, !silent) << "kernel, " << cases[i].name;
        if (kernel[i].answered) {
            EXPECT_TRUE(kernel[i].checksum_ok) << "kernel, " << cases[i].name;
        }
    }
    std::string doc = slurp(doc_path);
    for (std::size_t i = 0; i < cases.size(); ++i)
        if (!kernel[i].same(sim[i])) {
            EXPECT_TRUE(documented(doc, cases[i].name))
                << "undocumented difference for '" << cases[i].name << "': kernel " << kernel[i].describe()
                << ", icmpkit " << sim[i].describe() << " (document it in docs/conformance.md or fix src/stack)";
        }
}

}  // namespace
