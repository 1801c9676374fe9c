// `icmpkit ping` beside iputils ping (/usr/bin/ping) on the same scenarios: loopback, and a
// three-namespace chain A - R - B (192.0.2.0/24, 198.51.100.0/24, 2001:db8:1::/64,
// 2001:db8:2::/64). Output lines are compared with times masked (and the milliseconds of IP
// timestamp options). Needs root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <memory>
#include <vector>

#include "support/netns.hpp"

using namespace icmpkit;

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
        rtt(R"(rtt min/avg/max/mdev = .*)"), prog(R"(^(icmpkit ping|/usr/bin/ping):)"),
        ts(R"(\t[0-9]+( absolute)?( not-standard)?$)");
    l = std::regex_replace(l, time_eq, "time=X ms");
    l = std::regex_replace(l, time_total, "time Xms");
    l = std::regex_replace(l, rtt, "rtt min/avg/max/mdev = X ms");
    l = std::regex_replace(l, prog, "ping:");
    l = std::regex_replace(l, ts, "\tMS$1$2");  // -T: milliseconds since midnight and differences
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

// Runs iputils and icmpkit with the same arguments after the command prefixes (`ns`: the
// namespace whose route cache is flushed between the runs, so learned path MTUs do not carry over).
void compare_with(const std::string& theirs_pre, const std::string& ours_pre, const std::string& ns,
                  const std::string& args, int expected_rc) {
    auto flush = [&] { if (!ns.empty()) std::system(("ip -n " + ns + " route flush cache >/dev/null 2>&1").c_str()); };
    flush();
    Run theirs = run(theirs_pre + "/usr/bin/ping " + args);
    flush();
    Run ours = run(ours_pre + ICMPKIT_BINARY " ping " + args);
    EXPECT_EQ(theirs.rc, expected_rc) << "iputils: " << join(theirs.out) << join(theirs.err);
    EXPECT_EQ(ours.rc, theirs.rc);
    EXPECT_EQ(join(ours.out), join(theirs.out)) << args;
    EXPECT_EQ(join(ours.err), join(theirs.err)) << args;
}

// Runs iputils and icmpkit with the same arguments (in namespace `ns` when not empty).
void compare(const std::string& ns, const std::string& args, int expected_rc) {
    std::string pre = ns.empty() ? "" : "ip netns exec " + ns + " ";
    compare_with(pre, pre, ns, args, expected_rc);
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
TEST_F(PingLoopback, RecordRouteIgnoredForIpv6) { compare("", "-R -c 2 -i 0.2 ::1", 0); }
TEST_F(PingLoopback, RecordRouteLoopback) { compare("", "-R -c 2 -i 0.2 127.0.0.1", 0); }

// A - R - B from the shared fixture (tests/support/netns.hpp, one router): 192.0.2.0/24 and
// 2001:db8:1::/64 between A and R, 198.51.100.0/24 and 2001:db8:2::/64 (MTU 1400) between R and B.
class PingNamespaces : public ::testing::Test {
protected:
    static inline std::unique_ptr<test_support::NetnsChain> chain;
    static inline std::string a, r, b, why;

    static void SetUpTestSuite() {
        chain = test_support::NetnsChain::create({.routers = 1, .link_mtu = {{1, 1400}}, .tag = "p"}, &why);
        if (!chain) return;
        a = chain->a(), r = chain->router(1), b = chain->b();
        // Warm neighbour caches so the first probe of each run is not delayed differently.
        sh(chain->in_a("/usr/bin/ping -c 1 -w 2 198.51.100.2"));
        sh(chain->in_a("/usr/bin/ping -c 1 -w 2 2001:db8:2::2"));
    }
    static void TearDownTestSuite() { chain.reset(); }
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
        ASSERT_TRUE(chain) << why;
    }
    void TearDown() override {
        if (chain) sh(chain->in_b("iptables -F INPUT"));
    }
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

namespace {

// -R: R records its address towards B on the way out, B its own at delivery and on the reply,
// R its address towards A, and A its own at delivery (Linux records at every hop).
TEST_F(PingNamespaces, RecordRoute) { compare(a, "-R -c 3 -i 0.2 198.51.100.2", 0); }
TEST_F(PingNamespaces, TimestampsOnly) { compare(a, "-T tsonly -c 2 -i 0.2 198.51.100.2", 0); }
TEST_F(PingNamespaces, TimestampsAndAddresses) { compare(a, "-T tsandaddr -c 2 -i 0.2 198.51.100.2", 0); }
TEST_F(PingNamespaces, TimestampsPrespecified) {
    compare(a, "-T tsprespec 198.51.100.1 198.51.100.2 -c 2 -i 0.2 198.51.100.2", 0);
}
TEST_F(PingNamespaces, RecordRouteQuietPrintsNoRoute) { compare(a, "-q -R -c 2 -i 0.2 198.51.100.2", 0); }

// -r (SO_DONTROUTE): a directly connected host answers; one behind R cannot be reached.
TEST_F(PingNamespaces, DontRouteNeighbour) { compare(a, "-r -c 2 -i 0.2 192.0.2.1", 0); }
TEST_F(PingNamespaces, DontRouteBehindRouter) { compare(a, "-r -c 2 -i 0.2 -w 1 198.51.100.2", 1); }
// Options whose effect is not in the text: the same lines as iputils.
TEST_F(PingNamespaces, NoLoopDebugSndbufUserLatency) {
    compare(a, "-L -d -S 4096 -U -c 2 -i 0.2 198.51.100.2", 0);
    compare(a, "-L -c 2 -i 0.2 2001:db8:2::2", 0);
}
// -F: the flow label is on the wire (tcpdump on R's interface towards A), for both pings.
TEST_F(PingNamespaces, FlowLabelOnTheWire) {
    // Distinct labels: a leased label lingers exclusively after its socket closes.
    for (auto [prog, label] : {std::pair<std::string, std::string>{"/usr/bin/ping", "0x12345"},
                               std::pair<std::string, std::string>{ICMPKIT_BINARY " ping", "0x12346"}}) {
        SCOPED_TRACE(prog);
        std::string cap = "/tmp/icmpkit-flow-" + std::to_string(::getpid()) + ".txt";
        std::remove(cap.c_str());
        std::system(("timeout 8 " + chain->in_router(1, "tcpdump -l -nn -v -i toa -c 1 'icmp6 and ip6[40] == 128'") +
                     " >" + cap + " 2>/dev/null &").c_str());
        ::usleep(1500 * 1000);  // tcpdump opens the device
        EXPECT_TRUE(sh(chain->in_a(prog + " -F " + label + " -c 1 -W 2 2001:db8:2::2")));
        std::string text;
        for (int i = 0; i < 60 && text.find("flowlabel") == std::string::npos; ++i) {
            ::usleep(100 * 1000);
            std::ifstream f(cap);
            std::stringstream ss;
            ss << f.rdbuf();
            text = ss.str();
        }
        std::remove(cap.c_str());
        EXPECT_NE(text.find("flowlabel " + label), std::string::npos) << text;
    }
}
// The header names the label (", flow 0x1abcd, "). The two runs lease different labels (a lease
// lingers exclusively for seconds after its socket closes); ours is renamed before comparing.
TEST_F(PingNamespaces, FlowLabelHeader) {
    ::Run theirs = run(chain->in_a("/usr/bin/ping -F 0x1abcd -c 2 -i 0.2 2001:db8:2::2"));
    ::Run ours = run(chain->in_a(ICMPKIT_BINARY " ping -F 0x1abce -c 2 -i 0.2 2001:db8:2::2"));
    ASSERT_EQ(theirs.rc, 0) << join(theirs.err);
    EXPECT_EQ(ours.rc, 0) << join(ours.err);
    ASSERT_FALSE(ours.out.empty());
    auto at = ours.out[0].find("0x1abce");
    ASSERT_NE(at, std::string::npos) << ours.out[0];
    ours.out[0].replace(at, 7, "0x1abcd");
    EXPECT_EQ(join(ours.out), join(theirs.out));
    EXPECT_EQ(join(ours.err), join(theirs.err));
}
TEST_F(PingNamespaces, FlowLabelArguments) {
    compare(a, "-F 0x123456 -c 1 2001:db8:2::2", 2);  // more than 20 bits
    compare(a, "-F zz -c 1 2001:db8:2::2", 2);
}

}  // namespace

namespace {

// ICMP datagram sockets (net.ipv4.ping_group_range, per namespace; it also governs IPv6): both
// pings run as nobody in A. iputils has file capabilities but asks for a datagram socket first;
// the kernel owns the identifier, so replies must be matched without ours. A second namespace
// keeps the default range "1 0": no datagram socket, and no CAP_NET_RAW for a raw one.
class PingUnprivileged : public ::testing::Test {
protected:
    static inline std::unique_ptr<test_support::NetnsChain> chain;
    static inline std::string why;
    static constexpr const char* nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups ";

    static void SetUpTestSuite() {
        chain = test_support::NetnsChain::create({.routers = 1, .tag = "u"}, &why);
        if (!chain) return;
        if (!chain->set().sysctl("a", "net.ipv4.ping_group_range='0 2147483647'")) {
            why = "cannot set net.ipv4.ping_group_range in A";
            chain.reset();
            return;
        }
        sh(chain->in_a("/usr/bin/ping -c 1 -w 2 198.51.100.2"));
        sh(chain->in_a("/usr/bin/ping -c 1 -w 2 2001:db8:2::2"));
    }
    static void TearDownTestSuite() { chain.reset(); }
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, setpriv)";
        ASSERT_TRUE(chain) << why;
    }
    std::string in_a() const { return "ip netns exec " + chain->a() + " " + nobody; }
};

TEST_F(PingUnprivileged, DatagramV4) { compare_with(in_a(), in_a(), chain->a(), "-c 3 -i 0.2 198.51.100.2", 0); }
TEST_F(PingUnprivileged, DatagramV6) { compare_with(in_a(), in_a(), chain->a(), "-c 3 -i 0.2 2001:db8:2::2", 0); }
TEST_F(PingUnprivileged, DatagramTtlExceeded) {
    compare_with(in_a(), in_a(), chain->a(), "-t 1 -c 2 -i 0.2 198.51.100.2", 1);
}
// Datagram sockets return the reply's options with IP_RETOPTS; both pings print them.
TEST_F(PingUnprivileged, DatagramRecordRouteAndTimestamps) {
    compare_with(in_a(), in_a(), chain->a(), "-R -c 2 -i 0.2 198.51.100.2", 0);
    compare_with(in_a(), in_a(), chain->a(), "-T tsonly -c 2 -i 0.2 198.51.100.2", 0);
}
TEST_F(PingUnprivileged, SaysDatagramSocket) {
    for (const char* dst : {"198.51.100.2", "2001:db8:2::2"}) {
        ::Run ours = run(in_a() + ICMPKIT_BINARY " ping -v -c 2 -i 0.2 " + dst);
        EXPECT_EQ(ours.rc, 0);
        ASSERT_FALSE(ours.err.empty());
        EXPECT_NE(ours.err[0].find("datagram socket"), std::string::npos) << join(ours.err);
        EXPECT_EQ(ours.out.size(), 7u) << join(ours.out);  // header, 2 replies, blank, 3 summary lines
        for (const char* seq : {"icmp_seq=1 ", "icmp_seq=2 "})
            EXPECT_NE(join(ours.out).find(seq), std::string::npos) << join(ours.out);
    }
}
TEST_F(PingUnprivileged, NeitherSocketAllowed) {
    test_support::NetnsSet set("kn");
    const std::string ns = set.add("x");  // ping_group_range "1 0" as every new namespace has it
    ASSERT_FALSE(ns.empty());
    // Without CAP_NET_RAW in the bounding set, even a file capability could not give a raw socket.
    for (const char* dst : {"127.0.0.1", "::1"}) {
        ::Run ours = run("ip netns exec " + ns + " " + nobody + "--bounding-set=-net_raw " ICMPKIT_BINARY " ping -c 1 " + dst);
        EXPECT_EQ(ours.rc, 2);
        EXPECT_TRUE(ours.out.empty()) << join(ours.out);
        const std::string err = join(ours.err);
        EXPECT_NE(err.find("sysctl -w net.ipv4.ping_group_range=\"0 2147483647\""), std::string::npos) << err;
        EXPECT_NE(err.find("setcap cap_net_raw+ep"), std::string::npos) << err;
    }
}

}  // namespace
