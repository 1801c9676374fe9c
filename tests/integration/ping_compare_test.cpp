// `icmpkit ping` beside iputils ping (/usr/bin/ping) on the same scenarios: loopback, and a
// three-namespace chain A - R - B (192.0.2.0/24, 198.51.100.0/24, 2001:db8:1::/64,
// 2001:db8:2::/64). Output lines are compared with times masked. Needs root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Run {
    int rc = -1;
    std::vector<std::string> out, err;
};

std::vector<std::string> lines_of(const std::string& path) {
    std::ifstream f(path);
    std::vector<std::string> v;
    for (std::string l; std::getline(f, l);) v.push_back(l);
    return v;
}

// Times and the program name are masked: they legitimately differ.
std::string mask(std::string l) {
    static const std::regex time_eq(R"(time=[0-9.]+ ms)"), time_total(R"(time [0-9]+ms)"),
        rtt(R"(rtt min/avg/max/mdev = .*)"), prog(R"(^(icmpkit ping|/usr/bin/ping):)");
    l = std::regex_replace(l, time_eq, "time=X ms");
    l = std::regex_replace(l, time_total, "time Xms");
    l = std::regex_replace(l, rtt, "rtt min/avg/max/mdev = X ms");
    l = std::regex_replace(l, prog, "ping:");
    return l;
}

Run run(const std::string& cmd) {
    static int n = 0;
    std::string base = "/tmp/icmpkit-ping-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
    std::string full = "timeout 20 " + cmd + " >" + base + ".out 2>" + base + ".err";
    Run r;
    int st = std::system(full.c_str());
    r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    for (auto& l : lines_of(base + ".out")) r.out.push_back(mask(l));
    for (auto& l : lines_of(base + ".err")) r.err.push_back(mask(l));
    std::remove((base + ".out").c_str());
    std::remove((base + ".err").c_str());
    return r;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (auto& l : v) s += l + "\n";
    return s;
}

// Runs iputils and icmpkit with the same arguments (in namespace `ns` when not empty).
void compare(const std::string& ns, const std::string& args, int expected_rc) {
    std::string pre = ns.empty() ? "" : "ip netns exec " + ns + " ";
    // Learned path MTUs must not carry over from one run to the other.
    auto flush = [&] { if (!ns.empty()) std::system(("ip -n " + ns + " route flush cache >/dev/null 2>&1").c_str()); };
    flush();
    Run theirs = run(pre + "/usr/bin/ping " + args);
    flush();
    Run ours = run(pre + ICMPKIT_BINARY " ping " + args);
    EXPECT_EQ(theirs.rc, expected_rc) << "iputils: " << join(theirs.out) << join(theirs.err);
    EXPECT_EQ(ours.rc, theirs.rc);
    EXPECT_EQ(join(ours.out), join(theirs.out)) << args;
    EXPECT_EQ(join(ours.err), join(theirs.err)) << args;
}

bool sh(const std::string& c) { return std::system((c + " >/dev/null 2>&1").c_str()) == 0; }

class PingLoopback : public ::testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (raw ICMP sockets for both pings)";
    }
};

TEST_F(PingLoopback, V4) { compare("", "-c 3 -i 0.2 127.0.0.1", 0); }
TEST_F(PingLoopback, V6) { compare("", "-c 3 -i 0.2 ::1", 0); }
TEST_F(PingLoopback, QuietPatternSize) { compare("", "-q -c 2 -i 0.2 -p ab -s 20 127.0.0.1", 0); }
TEST_F(PingLoopback, SmallPayloadNoTiming) { compare("", "-c 2 -i 0.2 -s 8 127.0.0.1", 0); }
TEST_F(PingLoopback, UnknownHost) { compare("", "-c 1 nosuchhost.invalid", 2); }
TEST_F(PingLoopback, BadCount) { compare("", "-c 0 127.0.0.1", 1); }
TEST_F(PingLoopback, BadPmtuArgument) { compare("", "-M foo 127.0.0.1", 2); }

class PingNamespaces : public ::testing::Test {
protected:
    static inline std::string a, r, b;
    static inline bool ok = false;

    static void SetUpTestSuite() {
        if (::geteuid() != 0) return;
        std::string p = "ikp" + std::to_string(::getpid());
        a = p + "a", r = p + "r", b = p + "b";
        const std::vector<std::string> cmds = {
            "ip netns add " + a, "ip netns add " + r, "ip netns add " + b,
            "ip link add va netns " + a + " type veth peer name vra netns " + r,
            "ip link add vb netns " + b + " type veth peer name vrb netns " + r,
            "ip -n " + a + " link set lo up", "ip -n " + r + " link set lo up", "ip -n " + b + " link set lo up",
            "ip -n " + a + " addr add 192.0.2.2/24 dev va", "ip -n " + a + " addr add 2001:db8:1::2/64 dev va nodad",
            "ip -n " + r + " addr add 192.0.2.1/24 dev vra", "ip -n " + r + " addr add 2001:db8:1::1/64 dev vra nodad",
            "ip -n " + r + " addr add 198.51.100.1/24 dev vrb", "ip -n " + r + " addr add 2001:db8:2::1/64 dev vrb nodad",
            "ip -n " + b + " addr add 198.51.100.2/24 dev vb", "ip -n " + b + " addr add 2001:db8:2::2/64 dev vb nodad",
            "ip -n " + a + " link set va up", "ip -n " + r + " link set vra up",
            "ip -n " + r + " link set vrb up mtu 1400", "ip -n " + b + " link set vb up mtu 1400",
            "ip -n " + a + " route add default via 192.0.2.1", "ip -n " + b + " route add default via 198.51.100.1",
            "ip -n " + a + " -6 route add default via 2001:db8:1::1", "ip -n " + b + " -6 route add default via 2001:db8:2::1",
            "ip netns exec " + r + " sysctl -qw net.ipv4.ip_forward=1",
            "ip netns exec " + r + " sysctl -qw net.ipv6.conf.all.forwarding=1",
            "ip netns exec " + r + " sysctl -qw net.ipv4.icmp_ratelimit=0",
            "ip netns exec " + r + " sysctl -qw net.ipv6.icmp.ratelimit=0",
            "ip netns exec " + b + " sysctl -qw net.ipv4.icmp_ratelimit=0",
        };
        for (auto& c : cmds)
            if (!sh(c)) {
                std::fprintf(stderr, "namespace setup failed: %s\n", c.c_str());
                TearDownTestSuite();
                return;
            }
        // Warm neighbour caches so the first probe of each run is not delayed differently.
        sh("ip netns exec " + a + " /usr/bin/ping -c 1 -w 2 198.51.100.2");
        sh("ip netns exec " + a + " /usr/bin/ping -c 1 -w 2 2001:db8:2::2");
        ok = true;
    }
    static void TearDownTestSuite() {
        for (auto* n : {&a, &r, &b})
            if (!n->empty()) sh("ip netns del " + *n);
        ok = false;
    }
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
        ASSERT_TRUE(ok) << "namespace setup failed";
    }
    void TearDown() override { sh("ip netns exec " + b + " iptables -F INPUT"); }
};

TEST_F(PingNamespaces, HostV4) { compare(a, "-c 2 -i 0.2 198.51.100.2", 0); }
TEST_F(PingNamespaces, HostV6) { compare(a, "-c 2 -i 0.2 2001:db8:2::2", 0); }
TEST_F(PingNamespaces, TtlExceededV4) { compare(a, "-t 1 -c 2 -i 0.2 198.51.100.2", 1); }
TEST_F(PingNamespaces, HopLimitExceededV6) { compare(a, "-t 1 -c 2 -i 0.2 2001:db8:2::2", 1); }
TEST_F(PingNamespaces, NetUnreachableFromRouter) {
    // The router's ip_error() rate limit (net.ipv4.route.error_cost, 1 s per token, global sysctl)
    // starts empty for a new peer: give it tokens for both runs.
    ::sleep(3);
    compare(a, "-c 1 203.0.113.9", 1);
}
TEST_F(PingNamespaces, NoRouteLocally) { compare(r, "-c 1 203.0.113.9", 2); }
TEST_F(PingNamespaces, FragmentsV4) { compare(a, "-s 2000 -c 2 -i 0.2 198.51.100.2", 0); }
TEST_F(PingNamespaces, PmtuDoOverSmallerMtu) { compare(a, "-M do -s 1400 -c 2 -i 0.2 198.51.100.2", 1); }

TEST_F(PingNamespaces, RejectCodes) {
    for (const char* with : {"icmp-net-unreachable", "icmp-host-unreachable", "icmp-port-unreachable",
                             "icmp-proto-unreachable", "icmp-net-prohibited", "icmp-host-prohibited",
                             "icmp-admin-prohibited"}) {
        SCOPED_TRACE(with);
        sh("ip netns exec " + b + " iptables -F INPUT");
        ASSERT_TRUE(sh("ip netns exec " + b + " iptables -A INPUT -p icmp --icmp-type echo-request -j REJECT --reject-with " + with));
        compare(a, "-c 2 -i 0.2 198.51.100.2", 1);
    }
}

}  // namespace
